//! A reviewer's decision, checked and logged: the one place the CLI
//! (`approve`, `reject`, `request-changes`) and the studio turn a decision
//! into signed log records.

use super::{Decision, Record, log};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::{self, Level};
use crate::review::key::Keyring;
use crate::validate::{Library, Slogan};

/// Longest note a decision may carry.
pub const NOTE_MAX: usize = 2000;

/// What a reviewer decided, about which slogans.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub ids: &'a [String],
    /// The reviewer's name as it goes into the log.
    pub by: &'a str,
    pub decision: Decision,
    /// Why (required to reject or request changes).
    pub note: Option<&'a str>,
    /// The wording hash (16 or more hex digits) the reviewer read: the
    /// decision is refused if any slogan's wording is no longer that.
    pub seen: Option<&'a str>,
    /// Approve despite lint errors, for this reason (logged in the note).
    pub override_lint: Option<&'a str>,
}

/// Check a decision and append it to the review log, signed.
pub fn decide(
    lib: &Library,
    keys: &Keyring,
    req: &Request,
    waiting: &mut dyn FnMut(),
) -> Result<Vec<Record>, Diagnostics> {
    let by = req.by.trim();
    if by.is_empty() {
        return Err(Diagnostic::io("the reviewer's name (--by) is empty").hint("give the reviewer's name").into());
    }
    if by.chars().any(char::is_control) || by.chars().count() > 64 {
        return Err(Diagnostic::io(format!("--by `{by}` is not a name"))
            .hint("a reviewer's name: at most 64 characters, no control characters")
            .into());
    }
    let note = req.note.map(str::trim).filter(|n| !n.is_empty());
    if matches!(req.decision, Decision::Rejected | Decision::ChangesRequested) && note.is_none() {
        return Err(Diagnostic::io("the reason (--reason) is empty")
            .hint("say what is wrong, so the author can fix it")
            .into());
    }
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(Diagnostic::io(format!("the note is longer than {NOTE_MAX} characters"))
            .hint("say it shorter")
            .into());
    }
    if req.ids.iter().any(|i| i == "all") {
        return Err(Diagnostic::io("a decision names its slogans one by one, not `all`")
            .hint("list the ids the reviewer has read")
            .into());
    }
    if req.ids.is_empty() {
        return Err(Diagnostic::io("no slogan named").hint("name the slogans the reviewer has read").into());
    }
    let mut problems = Diagnostics::default();
    let mut slogans: Vec<&Slogan> = Vec::new();
    for id in req.ids {
        match lib.slogan(id) {
            Some(s) if !slogans.iter().any(|x| x.id == s.id) => slogans.push(s),
            Some(_) => {}
            None => problems.push(
                Diagnostic::data(format!("unknown slogan `{id}`")).hint("run `jiediqi slogans` to list the slogans"),
            ),
        }
    }
    let slogans = problems.into_result(slogans)?;
    if let Some(seen) = req.seen {
        check_seen(&slogans, seen)?;
    }
    let mut note = note.map(str::to_string);
    if req.decision == Decision::Approved {
        note = lint_gate(lib, &slogans, note.as_deref(), req.override_lint)?;
    }
    let drafts: Vec<log::Draft> = slogans
        .iter()
        .map(|s| log::Draft {
            slogan: s.id.clone(),
            wording: super::wording_hash(s),
            decision: req.decision,
            reviewer: by.to_string(),
            note: note.clone(),
        })
        .collect();
    Ok(log::append(&lib.root, keys, &drafts, waiting)?)
}

/// The reviewer approves what they read, not whatever the file says now.
fn check_seen(slogans: &[&Slogan], seen: &str) -> Result<(), Diagnostics> {
    let seen = seen.trim().to_lowercase();
    // 16 hex digits (64 bits): a shorter prefix can be matched by other
    // wording found by brute force (8 digits took minutes).
    if seen.len() < 16 || !seen.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Diagnostic::io(format!("--wording `{seen}` is not a hash prefix of 16 or more hex digits"))
            .hint("give the 16 hex digits printed on the proof sheet")
            .into());
    }
    let mut problems = Diagnostics::default();
    for s in slogans {
        if !super::wording_hash(s).starts_with(&seen) {
            problems.push(
                Diagnostic::data(format!("slogan `{}` has changed since the reviewer saw it (wording {seen}…)", s.id))
                    .hint("print a new proof sheet and review the current wording"),
            );
        }
    }
    problems.into_result(())
}

/// Lint errors block an approval, unless the reviewer overrides them with a
/// reason, which goes into the decision's note (so the log says so).
fn lint_gate(
    lib: &Library,
    slogans: &[&Slogan],
    note: Option<&str>,
    override_reason: Option<&str>,
) -> Result<Option<String>, Diagnostics> {
    let words = lint::Words::load(&lib.root)?;
    let chosen: Vec<String> = slogans.iter().map(|s| s.id.clone()).collect();
    let errors: Vec<lint::Finding> =
        lint::lint(lib, &words, Some(&chosen)).into_iter().filter(|f| f.level == Level::Error).collect();
    if errors.is_empty() {
        return Ok(note.map(str::to_string));
    }
    match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => {
            let mut rules: Vec<&str> = errors.iter().map(|f| f.rule).collect();
            rules.sort_unstable();
            rules.dedup();
            let mut n = format!("lint errors overridden ({}): {reason}", rules.join(", "));
            if let Some(extra) = note {
                n = format!("{extra}; {n}");
            }
            Ok(Some(n))
        }
        None => {
            let mut d = Diagnostics::default();
            for f in errors {
                d.push(
                    Diagnostic::data(format!("slogan `{}`: lint error [{}] {}", f.slogan, f.rule, f.message)).hint(
                        "fix the wording; or approve anyway with --override-lint \"REASON\" (the reason is logged)",
                    ),
                );
            }
            Err(d)
        }
    }
}
