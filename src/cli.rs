//! The command line: turns arguments into calls of the library, owns exit
//! codes and terminal output.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostic, Diagnostics, Kind, term};
use crate::export::{pdf, png, svg};
use crate::fsio;
use crate::layout::{self, SceneOptions};
use crate::library::Role;
use crate::review::key::Keyring;
use crate::review::{self, Decision, ReviewLog, State};
use crate::say;
use crate::validate::{Item, Library, Slogan, Station};

use rayon::prelude::*;

#[derive(Debug, Parser)]
#[command(
    name = "jiediqi",
    version,
    about = "Print-ready publicity material from down-to-earth slogans and item templates"
)]
pub struct Cli {
    /// Project folder holding slogans/, layouts/ and fonts/.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Review key file (default: $JIEDIQI_KEY_FILE, else ~/.config/jiediqi/review.key).
    #[arg(long, global = true, value_name = "FILE")]
    pub key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the item templates: trim size, bleed, process, inks.
    Items,
    /// List the slogan library.
    Slogans {
        /// Only this topic, e.g. 反诈.
        #[arg(long)]
        topic: Option<String>,
    },
    /// Validate slogans/, layouts/, fonts/, lint/, orders/ and the review log; list every problem.
    Check,
    /// Render slogans on items as print PDF, SVG and PNG proof.
    Render(RenderArgs),
    /// Check slogans' wording for reviewers: officialese, commanding tone, punctuation,
    /// traditional characters, spaces, fit on every item, duplicates, couplet rhyme.
    Lint {
        /// Slogan ids (all when none).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: LintFormat,
    },
    /// Write a proof sheet for reviewers (A4 PDF, Chinese): wording, lint findings,
    /// review history and previews on each item; plus the PNG previews.
    Proof {
        /// Slogan ids (all when none and no --pending).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Only slogans waiting for a decision (pending or stale).
        #[arg(long, conflicts_with = "ids")]
        pending: bool,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Station file for the previews' footers.
        #[arg(long, value_name = "FILE")]
        station: Option<PathBuf>,
    },
    /// Turn an order into the print shop's package: print files, proofs, contact
    /// sheet, job sheet (生产单), manifest with SHA-256, README.
    Order(OrderArgs),
    /// Check PDFs — ours or any tool's — against an item's print spec: boxes vs trim and
    /// bleed, colour spaces (no RGB), total ink, spot names, fonts embedded, smallest text
    /// and stroke (from the glyph outlines), image resolution, output intent. The report is
    /// in Chinese; exit 1 when a file has errors.
    Preflight {
        #[arg(required = true, value_name = "FILE.pdf")]
        files: Vec<PathBuf>,
        /// Item template to check against (default: the one whose trim size the file has).
        #[arg(long, value_name = "ID")]
        item: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: LintFormat,
    },
    /// List slogans by review state: pending, stale, changes requested, rejected, approved.
    Review {
        /// Only slogans in this state.
        #[arg(long, value_enum)]
        state: Option<StateFilter>,
        /// Check the whole review log (chain, signatures, times) and say what it holds.
        #[arg(long, conflicts_with_all = ["state", "migrate"])]
        verify: bool,
        /// Sign an old unsigned review log once, keeping every record.
        #[arg(long, conflicts_with = "state")]
        migrate: bool,
    },
    /// The review key that signs decisions: create, rotate, show.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Approve the current wording of slogans.
    Approve {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Reviewer's name.
        #[arg(long, value_name = "NAME")]
        by: String,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// The wording hash the reviewer saw (the proof sheet prints it): refuse
        /// if the slogan has changed since. At least 16 hex digits.
        #[arg(long, value_name = "HASH")]
        wording: Option<String>,
        /// Approve although lint finds errors in the wording; the reason is
        /// recorded in the decision's note.
        #[arg(long, value_name = "REASON")]
        override_lint: Option<String>,
    },
    /// Reject a slogan's current wording.
    Reject(Objection),
    /// Ask for changes to a slogan's current wording.
    RequestChanges(Objection),
    /// Studio accounts: add one (its password is read from stdin).
    User {
        #[command(subcommand)]
        action: UserAction,
        /// The studio's database (default: studio/studio.db in the project).
        #[arg(long, value_name = "FILE", global = true)]
        db: Option<PathBuf>,
    },
    /// Run the studio: the library, previews and review in a browser.
    Serve {
        /// Address to listen on; loopback unless told otherwise.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
        addr: std::net::SocketAddr,
        /// The studio's database (default: studio/studio.db in the project).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add an account; the password is the first line of stdin.
    Add {
        #[arg(value_name = "NAME")]
        name: String,
        /// officer (宣传民警), reviewer (审核人) or admin (管理员).
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// The officer's station (its key in station lists).
        #[arg(long, value_name = "KEY")]
        station: Option<String>,
    },
    /// List the accounts: name, role, station, disabled.
    List,
    /// Set a new password (first line of stdin); the account's sessions end.
    Passwd {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Disable an account (it cannot sign in; its sessions end).
    Disable {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Make an API token for the account (printed once; stored hashed). Scripts
    /// send it as `Authorization: Bearer TOKEN` to /api/v1.
    Token {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Create the review key file (outside the project; mode 600).
    Init,
    /// Make a new current key; the old one keeps verifying earlier records.
    Rotate,
    /// Show the key file's path and key ids (never the secret).
    Show,
}

/// A reviewer's objection to a slogan: who, and why.
#[derive(Debug, clap::Args)]
pub struct Objection {
    #[arg(value_name = "ID")]
    pub id: String,
    #[arg(long, value_name = "NAME")]
    pub by: String,
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Slogan id, or `all`; may be given several times.
    #[arg(long = "slogan", required = true, value_name = "ID")]
    pub slogans: Vec<String>,
    /// Item id, or `all`; may be given several times.
    #[arg(long = "item", required = true, value_name = "ID")]
    pub items: Vec<String>,
    /// Style of the items (`jiediqi items` lists them), or `all` for every
    /// style; each item's default when absent. Other styles' files are named
    /// `<item>@<style>--<slogan>`.
    #[arg(long, value_name = "NAME")]
    pub style: Option<String>,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Formats to write: pdf (and <name>.cut.pdf, the die line, for items
    /// that have one), svg (the composite and <name>.ink-<id>.svg, a film
    /// per spot ink), png (a proof), mockup (the product drawn to scale
    /// with the artwork on it: <name>.mockup.svg and .mockup.png; not for print).
    #[arg(long, value_delimiter = ',', default_value = "pdf,svg,png")]
    pub format: Vec<Format>,
    /// Convert all text to outlines (文字转曲): no fonts in the PDF.
    #[arg(long)]
    pub outline_text: bool,
    /// Crop marks in a slug outside the bleed, in the PDF and every SVG
    /// (items that allow them).
    #[arg(long)]
    pub marks: bool,
    /// Station file (YAML: name, phone, …) that fills each item's footer.
    #[arg(long, value_name = "FILE")]
    pub station: Option<PathBuf>,
    /// Resolution of PNG proofs.
    #[arg(long, default_value_t = 150.0)]
    pub dpi: f64,
    /// Render slogans that are not approved as proofs: 样稿·未审定 across the
    /// artwork and in the file name, never mistakable for a print file.
    #[arg(long)]
    pub proof: bool,
    /// PDF/X version of the PDFs: x4 (PDF/X-4) or x1a (PDF/X-1a:2001).
    #[arg(long, value_name = "VERSION", default_value = "x4", value_parser = parse_pdfx)]
    pub pdfx: pdf::PdfX,
}

#[derive(Debug, clap::Args)]
pub struct OrderArgs {
    /// The order, e.g. orders/chengguan-winter.yaml.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Folder that receives the package folder (and zip).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write <order>.zip.
    #[arg(long, conflicts_with = "shard")]
    pub zip: bool,
    /// Render only the I-th of N equal parts of the order's files (into <order>.shard-I-of-N).
    #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with = "merge_shards")]
    pub shard: Option<(usize, usize)>,
    /// Assemble the package from the shard folders in --out.
    #[arg(long)]
    pub merge_shards: bool,
    /// PDF/X version of the print files, over the order's `pdfx:`: x4 or x1a.
    #[arg(long, value_name = "VERSION", value_parser = parse_pdfx)]
    pub pdfx: Option<pdf::PdfX>,
}

fn parse_pdfx(s: &str) -> Result<pdf::PdfX, String> {
    pdf::PdfX::from_name(s)
        .ok_or_else(|| format!("`{s}` is not a PDF/X version jiediqi writes; use {}", pdf::PdfX::NAMES))
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("write I/N, e.g. 2/4")?;
    let (i, n): (usize, usize) =
        (i.parse().map_err(|_| "I is not a number")?, n.parse().map_err(|_| "N is not a number")?);
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: I must be 1..=N"));
    }
    if n > MAX_SHARDS {
        return Err(format!("shard {i}/{n}: at most {MAX_SHARDS} shards"));
    }
    Ok((i, n))
}

/// More shards than this would each hold a handful of files of any real order.
pub const MAX_SHARDS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    Pending,
    Stale,
    ChangesRequested,
    Rejected,
    Approved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pdf,
    Svg,
    Png,
    /// The product mockup (示意图): <name>.mockup.svg and <name>.mockup.png.
    Mockup,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(d) => {
            say!("{d}");
            exit_for(d.kind())
        }
    }
}

fn exit_for(kind: Kind) -> ExitCode {
    match kind {
        Kind::Data => ExitCode::from(1),
        Kind::Io => ExitCode::from(2),
    }
}

/// The review key for this run: `None` when none is configured and none
/// exists at the default place (enough for an empty log).
fn load_keys(cli: &Cli) -> Result<Option<Keyring>, Diagnostic> {
    let explicit = cli.key.is_some() || std::env::var_os("JIEDIQI_KEY_FILE").is_some_and(|v| !v.is_empty());
    let Some(path) = review::key::resolve_path(cli.key.as_deref()) else { return Ok(None) };
    if !explicit && std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    Keyring::load(&path, &cli.root).map(Some)
}

/// The key a decision is signed with: it must exist.
fn signing_keys(cli: &Cli) -> Result<Keyring, Diagnostic> {
    load_keys(cli)?.ok_or_else(|| {
        Diagnostic::io("no review key on this machine: decisions cannot be signed").hint(
            "a reviewer runs `jiediqi key init` once (the key goes to ~/.config/jiediqi/review.key), or names the reviewers' key file with --key",
        )
    })
}

fn key_cmd(cli: &Cli, action: &KeyAction, out: &mut impl std::io::Write) -> Result<ExitCode, Diagnostics> {
    let path = review::key::resolve_path(cli.key.as_deref()).ok_or_else(|| {
        Diagnostic::io("no place for the review key: neither HOME nor XDG_CONFIG_HOME is set")
            .hint("name the key file with --key FILE or JIEDIQI_KEY_FILE")
    })?;
    let ring = match action {
        KeyAction::Init => Keyring::create(&path, &cli.root)?,
        KeyAction::Rotate => {
            let mut ring = Keyring::load(&path, &cli.root)?;
            ring.rotate()?;
            ring
        }
        KeyAction::Show => Keyring::load(&path, &cli.root)?,
    };
    writeln!(out, "review key file: {}", term(&ring.path.display().to_string())).ok();
    writeln!(out, "current key: {}", ring.current.id).ok();
    for k in &ring.retired {
        writeln!(out, "retired key: {} (verifies older records)", k.id).ok();
    }
    if matches!(action, KeyAction::Init) {
        say!("back this file up; copy it (mode 600) to every machine that reviews or renders for this project");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(cli: &Cli) -> Result<ExitCode, Diagnostics> {
    if let Command::Key { action } = &cli.command {
        return key_cmd(cli, action, &mut std::io::stdout().lock());
    }
    if let Command::User { action, db } = &cli.command {
        return user_cmd(cli, action, db.as_deref());
    }
    if let Command::Serve { addr, db } = &cli.command {
        // The project must load before anyone signs in.
        Library::load(&cli.root)?;
        let db = crate::studio::db::Db::open(&studio_db(cli, db.as_deref()))?;
        let studio = crate::studio::Studio::new(&cli.root, db, load_keys(cli)?);
        crate::studio::serve(studio, *addr)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Preflight { files, item, format } = &cli.command {
        // Templates only: no slogan is read.
        let lib = Library::load_selected(&cli.root, Some(&[]), None)?;
        return preflight_cmd(&lib, files, item.as_deref(), *format, &mut std::io::stdout().lock());
    }
    let lib = match &cli.command {
        Command::Render(args) => {
            let some = |ids: &[String]| (!ids.iter().any(|i| i == "all")).then(|| ids.to_vec());
            let (s, i) = (some(&args.slogans), some(&args.items));
            Library::load_selected(&cli.root, s.as_deref(), i.as_deref())?
        }
        _ => Library::load(&cli.root)?,
    };
    let mut out = std::io::stdout().lock();
    match &cli.command {
        Command::Items => {
            for i in &lib.items {
                let inks: Vec<String> = i.printing_inks().map(|k| k.label()).collect();
                writeln!(
                    out,
                    "{:<16} {} trim {}×{} mm  bleed {} mm  {:<15}  inks: {}",
                    i.id,
                    pad(&term(&i.name), 12),
                    i.width,
                    i.height,
                    i.bleed,
                    i.process.label(),
                    term(&inks.join(", "))
                )
                .ok();
                writeln!(out, "{:<16} styles: {}", "", term(&i.style_list())).ok();
            }
        }
        Command::Slogans { topic } => {
            let mut shown = 0;
            for s in lib.slogans.iter().filter(|s| topic.as_ref().is_none_or(|t| &s.topic == t)) {
                shown += 1;
                write!(out, "{:<24} {} {}", s.id, pad(&term(&s.topic), 10), term(&s.lines.join(" / "))).ok();
                if let Some(tip) = &s.tip {
                    write!(out, "  （{}）", term(tip)).ok();
                }
                writeln!(out).ok();
            }
            if shown == 0
                && let Some(t) = topic
            {
                let mut topics: Vec<&str> = lib.slogans.iter().map(|s| s.topic.as_str()).collect();
                topics.dedup();
                return Err(Diagnostic::data(format!("no slogans with topic `{t}`"))
                    .hint(format!("topics: {}", topics.join(", ")))
                    .into());
            }
        }
        Command::Check => {
            let mut problems = check(&lib);
            // The review log too: chain, signatures, times.
            if let Err(d) = load_keys(cli).and_then(|k| ReviewLog::load(&lib.root, k.as_ref())) {
                problems.push(d);
            }
            // A new topic prints with the general pictogram until it has its own.
            if lib.items.iter().any(|i| i.zones.iter().any(|z| z.shape == crate::library::Shape::Pictogram)) {
                for (stem, topic) in crate::pictogram::without_own(&lib) {
                    eprintln!(
                        "note: topic `{}` (slogans/{stem}.yaml) has no pictogram of its own: items show the general one (pictograms/{}.svg) until pictograms/{stem}.svg is drawn",
                        term(&topic),
                        crate::pictogram::GENERAL
                    );
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            writeln!(
                out,
                "ok: {} slogans, {} items, fonts for roles {}",
                lib.slogans.len(),
                lib.items.len(),
                term(&lib.fonts.role_names().collect::<Vec<_>>().join(", "))
            )
            .ok();
        }
        Command::Render(args) => {
            let keys = load_keys(cli)?;
            // Named slogans: only their records, from the verified index when it holds.
            let log = if args.slogans.iter().any(|i| i == "all") {
                ReviewLog::load(&lib.root, keys.as_ref())?
            } else {
                ReviewLog::load_for(&lib.root, keys.as_ref(), &args.slogans)?
            };
            return render(&lib, &log, args);
        }
        Command::Review { state, verify, migrate } => {
            if *migrate {
                let keys = signing_keys(cli)?;
                let signed = review::log::migrate(&lib.root, &keys, &mut waiting)?;
                // Say what was vouched for, record by record.
                for r in &signed {
                    writeln!(
                        out,
                        "  {} {} {} by {} at {}",
                        r.seq,
                        r.slogan,
                        r.decision.label(),
                        term(&r.reviewer),
                        r.time
                    )
                    .ok();
                }
                writeln!(out, "signed {} records of the old review log with key {}", signed.len(), keys.current.id)
                    .ok();
                if !signed.is_empty() {
                    say!("the old text is kept as reviews/log.yaml.v1-backup");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let log = ReviewLog::load(&lib.root, load_keys(cli)?.as_ref())?;
            if *verify {
                verify_report(&lib, &log, &mut out);
            } else {
                review_list(&lib, &log, *state, &mut out);
            }
        }
        Command::Lint { ids, format } => return lint_cmd(&lib, ids, *format, &mut out),
        Command::Order(args) => {
            let log = ReviewLog::load(&lib.root, load_keys(cli)?.as_ref())?;
            order_cmd(&lib, &log, args, &mut out)?
        }
        Command::Proof { ids, pending, out: dir, station } => {
            let log = ReviewLog::load(&lib.root, load_keys(cli)?.as_ref())?;
            guard_out(&lib, dir)?;
            proof_cmd(&lib, &log, ids, *pending, dir, station.as_deref(), &mut out)?
        }
        Command::Approve { ids, by, note, wording, override_lint } => {
            let req = review::decide::Request {
                ids,
                by,
                decision: Decision::Approved,
                note: note.as_deref(),
                seen: wording.as_deref(),
                override_lint: override_lint.as_deref(),
            };
            decide(&lib, &signing_keys(cli)?, &req, &mut out)?
        }
        Command::Reject(o) | Command::RequestChanges(o) => {
            let decision =
                if matches!(cli.command, Command::Reject(_)) { Decision::Rejected } else { Decision::ChangesRequested };
            let ids = std::slice::from_ref(&o.id);
            let req = review::decide::Request {
                ids,
                by: &o.by,
                decision,
                note: Some(&o.reason),
                seen: None,
                override_lint: None,
            };
            decide(&lib, &signing_keys(cli)?, &req, &mut out)?
        }
        Command::Key { .. } | Command::User { .. } | Command::Serve { .. } | Command::Preflight { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn studio_db(cli: &Cli, db: Option<&Path>) -> PathBuf {
    db.map(Path::to_path_buf).unwrap_or_else(|| cli.root.join("studio").join("studio.db"))
}

/// The first line of stdin (a password), without its line end.
fn password_from_stdin() -> Result<String, Diagnostic> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| Diagnostic::io(format!("cannot read the password from stdin: {e}")))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

fn user_cmd(cli: &Cli, action: &UserAction, db: Option<&Path>) -> Result<ExitCode, Diagnostics> {
    let open = || crate::studio::db::Db::open(&studio_db(cli, db));
    match action {
        UserAction::List => {
            let mut out = std::io::stdout().lock();
            for (name, role, station, disabled) in open()?.users() {
                let station = station.map(|s| term(&s).to_string()).unwrap_or_else(|| "-".into());
                let state = if disabled { "disabled" } else { "" };
                writeln!(out, "{}  {role}  {station}  {state}", pad(&term(&name), 12)).ok();
            }
        }
        UserAction::Passwd { name } => {
            let password = password_from_stdin()?;
            open()?.set_password(name, &password)?;
            say!("new password for {}; their sessions ended", term(name));
        }
        UserAction::Disable { name } => {
            open()?.set_disabled(name, true)?;
            say!("disabled {}", term(name));
        }
        UserAction::Enable { name } => {
            open()?.set_disabled(name, false)?;
            say!("enabled {}", term(name));
        }
        UserAction::Token { name } => {
            let token = open()?.create_token(name)?;
            writeln!(std::io::stdout().lock(), "{token}").ok();
            say!("a new API token for {}; keep it like a password (it is not shown again)", term(name));
        }
        UserAction::Add { name, role, station } => {
            let role = crate::studio::db::Role::parse(role).ok_or_else(|| {
                Diagnostic::data(format!("role `{}` is not one of officer, reviewer, admin", term(role)))
                    .hint("--role officer | reviewer | admin")
            })?;
            let password = password_from_stdin()?;
            open()?.add_user(name, role, station.as_deref(), &password)?;
            say!("added {} ({})", term(name), role.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Pad to a terminal width, counting CJK characters as two columns.
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

/// Beyond loading: every font parses, and every slogan's characters are in
/// the fonts of the roles items set it in.
pub fn check(lib: &Library) -> Diagnostics {
    let mut problems = lib.fonts.load_all();
    if !problems.is_empty() {
        return problems;
    }
    // Lint word lists and orders parse; orders name known items, slogans and inks.
    if let Err(d) = crate::lint::Words::load(&lib.root) {
        problems.push(d);
    }
    if let Err(d) = crate::routing::Routing::load(&lib.root) {
        problems.0.extend(d.0);
    }
    let orders = lib.root.join("orders");
    if orders.is_dir() {
        match crate::library::yaml_files(&orders) {
            Ok(files) => {
                for f in files {
                    match crate::order::Order::load(&f) {
                        Ok(order) => {
                            if let Err(d) = order.jobs(lib) {
                                problems.0.extend(d.0);
                            }
                        }
                        Err(d) => problems.0.extend(d.0),
                    }
                }
            }
            Err(d) => problems.push(d),
        }
    }
    // Proof colours come from the output profile; an ink whose CMYK values do
    // not look like the colour its template says it is has a mistyped alternate.
    if let Err(m) = crate::color::status() {
        problems.push(Diagnostic::data(m).hint("rebuild jiediqi from an unmodified source tree"));
    }
    for item in &lib.items {
        for ink in &item.inks {
            if let Some(m) = crate::color::preview_mismatch(ink) {
                problems.push(
                    Diagnostic::data(format!("item `{}`: {m}", item.id))
                        .in_file(&item.file)
                        .hint(crate::color::PREVIEW_HINT),
                );
            }
        }
    }
    problems.0.extend(crate::pictogram::check(lib).0);
    problems.0.extend(crate::mockup::check(lib).0);
    let mut roles: Vec<(&str, Role)> = Vec::new();
    for item in &lib.items {
        for z in &item.zones {
            if let (Some(f), Role::Slogan | Role::Tip) = (z.font.as_deref(), z.role)
                && !roles.contains(&(f, z.role))
            {
                roles.push((f, z.role));
            }
        }
    }
    for s in &lib.slogans {
        for &(role, zrole) in &roles {
            let Ok(chain) = lib.fonts.chain(role) else {
                continue;
            };
            let text = if zrole == Role::Slogan { s.text() } else { s.tip.clone().unwrap_or_default() };
            let mut missing: Vec<char> = text.chars().filter(|&c| !chain.iter().any(|f| f.has_char(c))).collect();
            missing.dedup();
            if !missing.is_empty() {
                problems.push(
                    Diagnostic::data(format!(
                        "slogan `{}`: no font of role `{role}` has {}",
                        s.id,
                        missing.iter().map(|c| format!("{c} (U+{:04X})", *c as u32)).collect::<Vec<_>>().join(", ")
                    ))
                    .at(crate::diag::Location::at(&s.file, s.line, 1))
                    .hint("replace the characters, or add a font that has them in fonts/fonts.yaml"),
                );
            }
        }
    }
    problems
}

fn pick<'a, T>(
    ids: &[String],
    all: &'a [T],
    id_of: impl Fn(&T) -> &str,
    what: &str,
) -> Result<Vec<&'a T>, Diagnostics> {
    let everything = ids.iter().any(|i| i == "all");
    let mut out = Vec::new();
    let mut problems = Diagnostics::default();
    for id in ids.iter().filter(|i| *i != "all") {
        match all.iter().find(|x| id_of(x) == id) {
            Some(x) => {
                if !out.iter().any(|o: &&T| id_of(o) == id) {
                    out.push(x);
                }
            }
            None => {
                let hint = format!("run `jiediqi {what}s` to list the {what}s");
                problems.push(Diagnostic::data(format!("unknown {what} `{id}`")).hint(hint));
            }
        }
    }
    if everything {
        out = all.iter().collect();
    }
    problems.into_result(out)
}

/// The items in the asked style: each one's default (`None`), every style
/// (`all`), or the named one. An item without that style is an error naming
/// its styles, unless the items were `all`: then those that have it.
fn styled(items: &[&Item], style: Option<&str>, every_item: bool) -> Result<Vec<Item>, Diagnostics> {
    let mut out = Vec::new();
    let mut problems = Diagnostics::default();
    for item in items {
        match style {
            Some("all") => out.extend(item.variants.iter().filter_map(|v| item.styled(Some(&v.id)).ok())),
            _ => match item.styled(style) {
                Ok(i) => out.push(i),
                Err(_) if every_item => {}
                Err(e) => problems.push(Diagnostic::data(e).hint("choose one of the item's styles with --style")),
            },
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(
            Diagnostic::data(format!("no item has the style `{}`", style.unwrap_or_default()))
                .hint("run `jiediqi items` to list each item's styles"),
        );
    }
    problems.into_result(out)
}

/// The output folder may not be the project itself or one of its data
/// folders: a render there would mix print files into the data (or, worse,
/// replace it).
fn guard_out(lib: &Library, out: &Path) -> Result<(), Diagnostic> {
    use crate::review::key::inside;
    let same = |a: &Path, b: &Path| inside(a, b) && inside(b, a);
    if same(out, &lib.root) {
        return Err(Diagnostic::io(format!("--out {} is the project folder", out.display()))
            .hint("write into a folder of its own, e.g. --out out"));
    }
    for data in [
        "slogans",
        "layouts",
        "reviews",
        "fonts",
        "lint",
        "orders",
        "examples",
        "art",
        "pictograms",
        "mockups",
        "studio",
        "data",
    ] {
        let dir = lib.root.join(data);
        if inside(out, &dir) {
            return Err(Diagnostic::io(format!("--out {} is inside the project's {data}/ folder", out.display()))
                .hint("write into a folder of its own, e.g. --out out"));
        }
    }
    Ok(())
}

/// Told once a second has passed waiting for the review log's lock.
fn waiting() {
    say!("waiting for the review log: another reviewer's command is writing it…");
}

fn source_date_epoch() -> Result<Option<i64>, Diagnostic> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            Diagnostic::io(format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))
                .hint("unset it or give seconds since 1970")
        }),
        Err(_) => Ok(None),
    }
}

/// One combination's outcome: the files written (path, bytes), or its problems.
type JobResult = Result<Vec<(PathBuf, u64)>, Diagnostics>;

fn render(lib: &Library, log: &ReviewLog, args: &RenderArgs) -> Result<ExitCode, Diagnostics> {
    let started = std::time::Instant::now();
    if !(args.dpi > 0.0 && args.dpi <= 2400.0) {
        return Err(Diagnostic::io(format!("--dpi {} is out of range", args.dpi)).hint("use 1–2400").into());
    }
    let slogans = pick(&args.slogans, &lib.slogans, |s| s.id.as_str(), "slogan");
    let items = pick(&args.items, &lib.items, |i| i.id.as_str(), "item");
    let (slogans, items) = match (slogans, items) {
        (Ok(s), Ok(i)) => (s, i),
        (s, i) => {
            let mut all = Diagnostics::default();
            for e in [s.err(), i.err()].into_iter().flatten() {
                all.0.extend(e.0);
            }
            return Err(all);
        }
    };
    let items = styled(&items, args.style.as_deref(), args.items.iter().any(|i| i == "all"))?;
    let station = args.station.as_deref().map(Station::load).transpose()?;
    let epoch = source_date_epoch()?;
    guard_out(lib, &args.out)?;
    // Unapproved wording never reaches a print file: refused at the gate, or
    // with --proof rendered as a marked proof.
    let gate = log.clear(slogans.iter().copied());
    let mut refused = Diagnostics::default();
    let mut proofs: Vec<&str> = Vec::new();
    let slogans: Vec<&Slogan> = slogans
        .into_iter()
        .filter(|s| match gate.refused.get(&s.id) {
            None => true,
            Some(_) if args.proof => {
                proofs.push(s.id.as_str());
                true
            }
            Some(d) => {
                refused.push(d.clone());
                false
            }
        })
        .collect();
    std::fs::create_dir_all(&args.out).map_err(|e| {
        Diagnostic::io(format!("cannot create output folder {}: {e}", args.out.display()))
            .hint("choose a writable folder with --out")
    })?;
    // What an earlier, crashed run left here (temporaries, half-written pairs).
    fsio::clean_leftovers(&args.out);
    let mut formats = args.format.clone();
    formats.sort_by_key(|f| *f as u8);
    formats.dedup();
    let job = Job {
        lib,
        out: &args.out,
        formats: &formats,
        pdf: pdf::PdfOptions { marks: args.marks, outline_text: args.outline_text, epoch, pdfx: Some(args.pdfx) },
        png: png::PngOptions { dpi: args.dpi },
        station: station.as_ref(),
    };
    // `all` means every pair meant for each other (a couplet item takes only
    // couplets; a slogan's `items:` list); a pair named outright is rendered,
    // and layout says why when the item cannot take the slogan.
    let listed = args.slogans.iter().chain(&args.items).any(|i| i == "all");
    let pairs: Vec<(&Item, &Slogan)> = items
        .iter()
        .flat_map(|i| slogans.iter().map(move |s| (i, *s)))
        .filter(|(i, s)| !listed || i.suits(s))
        .collect();
    // A short run reads only the glyphs it sets from each font (the two
    // sans faces are 5.3 MB); a long one reads them whole.
    if pairs.len() <= 8 {
        let (items, slogans): (Vec<&Item>, Vec<&Slogan>) = pairs.iter().copied().unzip();
        layout::expect_fonts(lib, &items, &slogans, station.as_ref());
    }
    // A bar only for a person watching: both streams on a terminal.
    let interactive = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    let bar = if interactive && pairs.len() > 1 {
        let bar = indicatif::ProgressBar::new(pairs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pairs  {elapsed} elapsed, about {eta} to go")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    // Each combination on its own: one failing never stops or corrupts another.
    let one = |&(item, slogan): &(&Item, &Slogan)| {
        let r = job.run(item, slogan, proofs.contains(&slogan.id.as_str()), gate.approved_at(&slogan.id));
        bar.inc(1);
        r
    };
    // A single pair needs no thread pool (starting one costs more than the pair).
    let results: Vec<JobResult> =
        if pairs.len() < 2 { pairs.iter().map(one).collect() } else { pairs.par_iter().map(one).collect() };
    bar.finish_and_clear();
    let mut failures = refused;
    let (mut written, mut bytes, mut failed) = (0usize, 0u64, 0usize);
    let mut out = std::io::stdout().lock();
    for r in results {
        match r {
            Ok(files) => {
                for (path, size) in files {
                    // On a terminal the summary is enough; scripts get every path.
                    if !interactive {
                        writeln!(out, "{}", term(&path.display().to_string())).ok();
                    }
                    written += 1;
                    bytes += size;
                }
            }
            Err(d) => {
                failed += 1;
                failures.0.extend(d.0)
            }
        }
    }
    let dir = term(&args.out.display().to_string()).into_owned();
    let secs = started.elapsed().as_secs_f64();
    if failures.is_empty() {
        say!("wrote {written} files ({:.1} MB) to {dir} in {secs:.2} s", bytes as f64 / 1e6);
        return Ok(ExitCode::SUCCESS);
    }
    say!("{failures}");
    if pairs.is_empty() {
        say!("wrote nothing to {dir}: no slogan asked for is approved for print");
    } else if written == 0 {
        say!("wrote nothing to {dir}: every one of the {} combinations failed", pairs.len());
    } else {
        say!(
            "wrote {written} files ({:.1} MB) to {dir} in {secs:.2} s; {failed} of {} combinations failed",
            bytes as f64 / 1e6,
            pairs.len()
        );
    }
    Ok(exit_for(failures.kind()))
}

/// What every combination of a render shares.
struct Job<'a> {
    lib: &'a Library,
    out: &'a Path,
    formats: &'a [Format],
    pdf: pdf::PdfOptions,
    png: png::PngOptions,
    station: Option<&'a Station>,
}

impl Job<'_> {
    /// Lay out, export every format in memory, then write: a pair that fails
    /// writes nothing.
    fn run(&self, item: &Item, slogan: &Slogan, proof: bool, approved: Option<i64>) -> JobResult {
        // One scene per side: the PDF has a page each, PNG and SVG a file each.
        let mut scenes = layout::build_sides(self.lib, item, slogan, &SceneOptions { station: self.station })?;
        let mut base = format!("{}--{}", item.id, slogan.id);
        if proof {
            for scene in &mut scenes {
                layout::mark_as_proof(self.lib, scene)?;
            }
            base.push_str("--样稿未审定");
        }
        for note in scenes.iter().flat_map(|s| &s.notes) {
            eprintln!("note: {note}");
        }
        let scene = &scenes[0];
        let sides = || scenes.iter().enumerate().map(|(i, s)| (layout::side_suffix(i), s));
        let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(self.formats.len());
        for f in self.formats {
            match f {
                Format::Pdf => {
                    let fail = |ext: &str, e: pdf::PdfError| Diagnostic::data(format!("{base}.{ext}: {e}"));
                    let opts = pdf::PdfOptions { epoch: self.pdf.epoch.or(approved), ..self.pdf.clone() };
                    files.push((format!("{base}.pdf"), pdf::export_pages(&scenes, &opts).map_err(|e| fail("pdf", e))?));
                    // The die line, never in the print file, in its own file beside it.
                    if let Some(cut) = pdf::export_cut(scene, &opts).map_err(|e| fail("cut.pdf", e))? {
                        files.push((format!("{base}.cut.pdf"), cut));
                    }
                }
                Format::Svg => {
                    let opts = svg::PrintOptions { marks: self.pdf.marks };
                    for (suffix, scene) in sides() {
                        files.push((format!("{base}{suffix}.svg"), svg::print(scene, &opts).into_bytes()));
                        for (ink, film) in svg::plates(scene, &opts) {
                            files.push((format!("{base}{suffix}.ink-{ink}.svg"), film.into_bytes()));
                        }
                    }
                }
                Format::Png => {
                    for (suffix, scene) in sides() {
                        let png = png::export(scene, &self.png)
                            .map_err(|e| Diagnostic::data(format!("{base}{suffix}.png: {e}")))?;
                        files.push((format!("{base}{suffix}.png"), png));
                    }
                }
                Format::Mockup => {
                    let drawing = crate::mockup::Drawing::for_item(&self.lib.root, item)?;
                    let fonts = crate::document::Fonts::load(self.lib)?;
                    // A two-sided item's back has its own mockup, as its own PNG and SVG.
                    for (k, (suffix, scene)) in sides().enumerate() {
                        let fail = |e: Diagnostic| Diagnostic::data(format!("{base}{suffix}.mockup.svg: {e}"));
                        let text = crate::mockup::svg_side(item, scene, &drawing, &fonts, k).map_err(fail)?;
                        let png = crate::mockup::png(&text).map_err(fail)?;
                        files.push((format!("{base}{suffix}.mockup.svg"), text.into_bytes()));
                        files.push((format!("{base}{suffix}.mockup.png"), png));
                    }
                }
            }
        }
        // All formats of a pair or none of them (see fsio::Pair).
        let sizes: Vec<u64> = files.iter().map(|(_, b)| b.len() as u64).collect();
        let paths = fsio::Pair::stage(self.out, &base, &files)?.commit()?;
        Ok(paths.into_iter().zip(sizes).collect())
    }
}

fn review_list(lib: &Library, log: &ReviewLog, only: Option<StateFilter>, out: &mut impl std::io::Write) {
    let groups = [
        (StateFilter::Pending, "pending"),
        (StateFilter::Stale, "stale"),
        (StateFilter::ChangesRequested, "changes requested"),
        (StateFilter::Rejected, "rejected"),
        (StateFilter::Approved, "approved"),
    ];
    for (filter, label) in groups {
        if only.is_some_and(|o| o != filter) {
            continue;
        }
        let members: Vec<(&Slogan, State)> =
            lib.slogans.iter().map(|s| (s, log.state(s))).filter(|(_, st)| st.label() == label).collect();
        writeln!(out, "{label} ({})", members.len()).ok();
        for (s, st) in members {
            let who = match &st {
                State::Pending => String::new(),
                State::Approved(r) | State::ChangesRequested(r) | State::Rejected(r) | State::Stale(r) => {
                    format!(
                        "  [{} {} {}{}]",
                        r.decision.label(),
                        term(&r.reviewer),
                        r.time,
                        r.note.as_deref().map(|n| format!(": {}", term(n))).unwrap_or_default()
                    )
                }
            };
            writeln!(out, "  {:<24} {}{who}", s.id, term(&s.lines.join(" / "))).ok();
        }
    }
}

/// `review --verify`: the log verified (loading did that), summed up.
fn verify_report(lib: &Library, log: &ReviewLog, out: &mut impl std::io::Write) {
    let path = review::log::log_path(&lib.root);
    if log.records.is_empty() {
        writeln!(out, "{}: no records yet", path.display()).ok();
        return;
    }
    let mut keys: Vec<&str> = log.records.iter().map(|r| r.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let (first, last) = (&log.records[0], &log.records[log.records.len() - 1]);
    writeln!(
        out,
        "ok: {} records, chain and signatures intact, times in order ({} to {}), signed with key {}",
        log.records.len(),
        first.time,
        last.time,
        keys.join(", ")
    )
    .ok();
    let unknown: Vec<&str> =
        log.records.iter().filter(|r| lib.slogan(&r.slogan).is_none()).map(|r| r.slogan.as_str()).collect();
    if !unknown.is_empty() {
        writeln!(out, "note: {} records are about slogans no longer in the library", unknown.len()).ok();
    }
}

/// Log a decision through the library's one decision path; say what was logged.
fn decide(
    lib: &Library,
    keys: &Keyring,
    req: &review::decide::Request,
    out: &mut impl std::io::Write,
) -> Result<(), Diagnostics> {
    let records = review::decide::decide(lib, keys, req, &mut waiting)?;
    for r in &records {
        let lines = lib.slogan(&r.slogan).map(|s| s.lines.join(" / ")).unwrap_or_default();
        writeln!(
            out,
            "{} {} by {}: {} [{}…]",
            r.slogan,
            r.decision.label(),
            term(&r.reviewer),
            term(&lines),
            &r.wording[..16]
        )
        .ok();
    }
    Ok(())
}

fn lint_cmd(
    lib: &Library,
    ids: &[String],
    format: LintFormat,
    out: &mut impl std::io::Write,
) -> Result<ExitCode, Diagnostics> {
    if !ids.is_empty() {
        pick(ids, &lib.slogans, |s| s.id.as_str(), "slogan")?;
    }
    let words = crate::lint::Words::load(&lib.root)?;
    let findings = crate::lint::lint(lib, &words, (!ids.is_empty()).then_some(ids));
    match format {
        LintFormat::Json => {
            write!(out, "{}", crate::lint::to_json(&findings)).ok();
        }
        LintFormat::Text => {
            for f in &findings {
                write!(out, "{:<24} {}[{}] {}", f.slogan, f.level.label_zh(), f.rule, term(&f.message)).ok();
                if let Some(s) = &f.suggestion {
                    write!(out, " 建议：{}", term(s)).ok();
                }
                writeln!(out).ok();
            }
            let count = |l: crate::lint::Level| findings.iter().filter(|f| f.level == l).count();
            say!(
                "{} errors, {} warnings, {} notes",
                count(crate::lint::Level::Error),
                count(crate::lint::Level::Warning),
                count(crate::lint::Level::Note)
            );
        }
    }
    let errors = findings.iter().any(|f| f.level == crate::lint::Level::Error);
    Ok(if errors { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn preflight_cmd(
    lib: &Library,
    files: &[PathBuf],
    item: Option<&str>,
    format: LintFormat,
    out: &mut impl std::io::Write,
) -> Result<ExitCode, Diagnostics> {
    let item = match item {
        Some(id) => Some(pick(&[id.to_string()], &lib.items, |i| i.id.as_str(), "item")?[0]),
        None => None,
    };
    let mut reports = Vec::new();
    let mut unreadable = false;
    for f in files {
        match crate::preflight::check_file(f, item, &lib.items) {
            Ok(r) => {
                if format == LintFormat::Text {
                    // Text from the file (font and spot names) is made safe line by line.
                    for line in r.to_text().lines() {
                        writeln!(out, "{}", term(line)).ok();
                    }
                }
                reports.push(r);
            }
            Err(d) => {
                // The other files are still checked.
                say!("{d}");
                unreadable = true;
            }
        }
    }
    if format == LintFormat::Json {
        write!(out, "{}", crate::preflight::to_json(&reports)).ok();
    }
    Ok(if unreadable {
        ExitCode::from(2)
    } else if reports.iter().any(|r| r.errors > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn proof_cmd(
    lib: &Library,
    log: &ReviewLog,
    ids: &[String],
    pending: bool,
    dir: &Path,
    station: Option<&Path>,
    out: &mut impl std::io::Write,
) -> Result<(), Diagnostics> {
    let slogans: Vec<&Slogan> = if pending {
        lib.slogans.iter().filter(|s| matches!(log.state(s), State::Pending | State::Stale(_))).collect()
    } else if ids.is_empty() {
        lib.slogans.iter().collect()
    } else {
        pick(ids, &lib.slogans, |s| s.id.as_str(), "slogan")?
    };
    if slogans.is_empty() {
        writeln!(out, "nothing to proof: no slogan is waiting for review").ok();
        return Ok(());
    }
    let station = station.map(Station::load).transpose()?;
    let crate::proof::SheetPdf { pdf, pages, previews } =
        crate::proof::sheet_pdf(lib, log, &slogans, station.as_ref(), source_date_epoch()?)?;
    let preview_dir = dir.join("previews");
    std::fs::create_dir_all(&preview_dir).map_err(|e| {
        Diagnostic::io(format!("cannot create output folder {}: {e}", preview_dir.display()))
            .hint("choose a writable folder with --out")
    })?;
    fsio::clean_leftovers(dir);
    fsio::clean_leftovers(&preview_dir);
    for (s, pv) in slogans.iter().zip(&previews) {
        for p in pv {
            let mark = if p.proof { "--样稿未审定" } else { "" };
            let side = layout::side_suffix(p.side);
            let path = preview_dir.join(format!("{}--{}{mark}{side}.png", p.item, s.id));
            fsio::write_atomic(&path, &p.png, fsio::Durability::Rename)?;
        }
    }
    let sheet = dir.join("proof-sheet.pdf");
    fsio::write_atomic(&sheet, &pdf, fsio::Durability::Rename)?;
    writeln!(out, "{}", term(&sheet.display().to_string())).ok();
    say!("{} slogans on {} pages; previews in {}", slogans.len(), pages, preview_dir.display());
    Ok(())
}

fn order_cmd(
    lib: &Library,
    log: &ReviewLog,
    args: &OrderArgs,
    out: &mut impl std::io::Write,
) -> Result<(), Diagnostics> {
    let started = std::time::Instant::now();
    let order = crate::order::Order::load(&args.file)?;
    let opts = crate::package::PackageOptions {
        zip: args.zip,
        shard: args.shard,
        merge_shards: args.merge_shards,
        epoch: source_date_epoch()?,
        pdfx: args.pdfx,
    };
    guard_out(lib, &args.out)?;
    // Warnings, not errors: the shop may still print a small run, at its price.
    for w in crate::package::routing_warnings(lib, &order)? {
        say!("warning: {w}");
    }
    let written = crate::package::write(lib, log, &order, &args.out, &opts)?;
    for p in &written {
        writeln!(out, "{}", term(&p.display().to_string())).ok();
    }
    say!(
        "package `{}` for {} in {:.2} s",
        term(&order.name),
        term(&order.vendor.name),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_studio_listens_on_loopback_unless_told_otherwise() {
        let cli = Cli::try_parse_from(["jiediqi", "serve"]).unwrap();
        let Command::Serve { addr, .. } = cli.command else { panic!("not serve") };
        assert!(addr.ip().is_loopback(), "{addr}");
        let cli = Cli::try_parse_from(["jiediqi", "serve", "--addr", "0.0.0.0:9000"]).unwrap();
        let Command::Serve { addr, .. } = cli.command else { panic!("not serve") };
        assert_eq!(addr.to_string(), "0.0.0.0:9000");
    }
}
