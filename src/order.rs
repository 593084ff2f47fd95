//! Orders: what an officer picks (items × slogans × quantities, for one or
//! many stations, from one print shop), checked as a whole and turned into
//! the vendor's package: print files, proofs, a contact sheet, a job sheet
//! (生产单), a manifest with SHA-256 and a README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::library::{self, Role};
use crate::review;
use crate::validate::{Item, Library, Slogan, Station};

mod xlsx;

/// `orders/<name>.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderFile {
    pub title: String,
    pub vendor: Vendor,
    /// Due date, YYYY-MM-DD.
    pub due: String,
    pub stations: StationsEntry,
    pub lines: Vec<Spanned<OrderLine>>,
    /// URI schemes besides http(s) that stations' QR links may use (e.g. `weixin`).
    #[serde(default)]
    pub qr_schemes: Vec<String>,
    /// PDF/X version of the print files: `x4` (the default) or `x1a`.
    #[serde(default)]
    pub pdfx: Option<Spanned<String>>,
    /// Who orders: the ordering unit, PO number, contact (for the job sheet).
    #[serde(default)]
    pub customer: Option<Spanned<Customer>>,
    /// Over/under delivery allowed, percent; `data/routing.yaml`'s when absent.
    #[serde(default)]
    pub tolerance: Option<Spanned<crate::routing::Tolerance>>,
}

/// The ordering side of an order, as the job sheet's header shows it.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// 订购单位, e.g. 某某县公安局城关派出所.
    pub unit: String,
    /// The customer's order (PO) number.
    #[serde(default)]
    pub po: Option<String>,
    /// The person the shop calls about the order.
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Date of the order, YYYY-MM-DD.
    #[serde(default)]
    pub ordered: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
    /// The vendor also wants SVG files.
    #[serde(default)]
    pub svg: bool,
    /// The vendor prints variable data: a digitally printed design that
    /// differs by station comes as one PDF, a page per station.
    #[serde(default)]
    pub variable_data: bool,
}

/// Stations inline, or a CSV or Excel (.xlsx) file next to the order: one of the three.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationsEntry {
    #[serde(default)]
    pub csv: Option<String>,
    /// An Excel workbook: the sheet named 派出所 or `stations`, else the first visible one.
    #[serde(default)]
    pub xlsx: Option<String>,
    /// The CSV's encoding when it is neither UTF-8 nor GB18030/GBK: `big5`
    /// (or `utf-8`, `gb18030`, `gbk` to say so explicitly).
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub list: Vec<Spanned<StationEntry>>,
}

/// A station of an order (the same fields as a `--station` file).
pub type StationEntry = library::StationFile;

#[derive(Debug, Deserialize, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Per {
    /// `quantity` of every design for every station.
    #[default]
    Station,
    /// `quantity` in all, shared evenly over the line's designs and stations.
    Total,
}

/// Where a line's station block (the footer's name and phone, the QR code) goes.
#[derive(Debug, Deserialize, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum StationBlock {
    /// Into the design: one design (for a screen print, one set of screens) per station.
    #[default]
    Print,
    /// Left out of the design (one design for all stations) and printed on a
    /// separate sticker label per station (`labels/`).
    Label,
    /// Left out: one design for all stations, no station details.
    Off,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub item: String,
    pub slogans: Vec<String>,
    pub quantity: u32,
    #[serde(default)]
    pub per: Per,
    /// Other spot colours for inks the template marks `swappable`, by ink id.
    #[serde(default)]
    pub inks: BTreeMap<String, InkOverride>,
    /// `print` (the default), `label` or `off`: see [`StationBlock`].
    #[serde(default)]
    pub station_block: StationBlock,
    /// One of the item's styles (`jiediqi items`); its default when absent.
    #[serde(default)]
    pub style: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct InkOverride {
    /// The spot ink's name, e.g. `PANTONE 485 C`.
    pub spot: String,
    /// Its CMYK alternate, percent.
    pub cmyk: [f64; 4],
    /// The ink's own screen colour, `#rrggbb`; compared with `cmyk`, which is
    /// what proofs show.
    #[serde(default)]
    pub preview: Option<String>,
}

/// A station of an order, with the key used in file names.
#[derive(Debug, Clone)]
pub struct OrderStation {
    pub key: String,
    pub station: Station,
}

/// One file to produce.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    /// The order line it comes from, 1-based.
    pub line: usize,
    pub item: &'a Item,
    pub slogan: &'a Slogan,
    pub station: &'a OrderStation,
    pub quantity: u32,
    /// The record that approves the wording, once the review gate cleared it.
    pub approval: Option<review::Record>,
    /// The item's inks with the line's swaps applied (same order and indices).
    pub inks: Vec<crate::scene::Ink>,
    /// The line's `station_block`.
    pub station_block: StationBlock,
}

impl Job<'_> {
    /// `order line 2 (apron)`, for messages.
    pub fn at(&self) -> String {
        format!("order line {} ({})", self.line, self.item.id)
    }

    /// `bag-nonwoven--fanzha-qiandaizi--chengguan`
    pub fn base(&self) -> String {
        format!("{}--{}--{}", self.item.id, self.slogan.id, self.station.key)
    }
}

/// An order, checked.
#[derive(Debug)]
pub struct Order {
    pub name: String,
    pub file: PathBuf,
    pub title: String,
    pub vendor: Vendor,
    pub due: String,
    pub stations: Vec<OrderStation>,
    pub lines: Vec<OrderLine>,
    /// The PDF/X version the order asks for (`pdfx:`); PDF/X-4 when it says nothing.
    pub pdfx: Option<crate::export::pdf::PdfX>,
    pub customer: Option<Customer>,
    /// The order's own over/under delivery (else the routing data's).
    pub tolerance: Option<crate::routing::Tolerance>,
}

fn date_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// A file-name-safe key: letters (any script), digits, `-` and `_`, with
/// no `--` (it joins the parts of file names: `item--slogan--station--back`).
fn key_of(s: &str) -> String {
    let mut key = String::new();
    for c in s.trim().chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }) {
        if !(c == '-' && key.ends_with('-')) {
            key.push(c);
        }
    }
    key
}

impl Order {
    pub fn load(path: &Path) -> Result<Order, Diagnostics> {
        let raw: OrderFile = library::load_yaml(path)?;
        let mut problems = Diagnostics::default();
        let loc = Location::file(path);
        if raw.title.trim().is_empty() {
            problems.push(Diagnostic::data("order title is empty").at(loc.clone()).hint("give the order a title"));
        }
        let customer = raw.customer.as_ref().map(|c| &c.value);
        let customer_loc = raw
            .customer
            .as_ref()
            .map(|c| Location::at(path, c.referenced.line(), c.referenced.column()))
            .unwrap_or_else(|| loc.clone());
        let texts = [
            ("title", Some(&raw.title), &loc),
            ("vendor name", Some(&raw.vendor.name), &loc),
            ("vendor contact", raw.vendor.contact.as_ref(), &loc),
            ("customer unit", customer.map(|c| &c.unit), &customer_loc),
            ("customer po", customer.and_then(|c| c.po.as_ref()), &customer_loc),
            ("customer contact", customer.and_then(|c| c.contact.as_ref()), &customer_loc),
            ("customer phone", customer.and_then(|c| c.phone.as_ref()), &customer_loc),
        ];
        for (what, text, loc) in texts {
            let Some(t) = text else { continue };
            if t.trim().is_empty() && what.starts_with("customer") {
                problems.push(
                    Diagnostic::data(format!("the order's {what} is empty"))
                        .at(loc.clone())
                        .hint("fill it in, or leave the field out"),
                );
                continue;
            }
            if t.chars().any(char::is_control) || t.chars().count() > 200 {
                problems.push(
                    Diagnostic::data(format!("the order's {what} is too long or has control characters"))
                        .at(loc.clone())
                        .hint("at most 200 characters on one line"),
                );
            } else if crate::validate::formula_like(t, what == "customer phone") {
                problems.push(
                    Diagnostic::data(format!(
                        "the order's {what} begins with a character a spreadsheet runs as a formula"
                    ))
                    .at(loc.clone())
                    .hint("do not start it with =, +, - or @"),
                );
            }
        }
        if raw.vendor.name.trim().is_empty() {
            problems.push(Diagnostic::data("vendor name is empty").at(loc.clone()).hint("name the print shop"));
        }
        let pdfx = raw.pdfx.as_ref().and_then(|p| {
            let x = crate::export::pdf::PdfX::from_name(p.value.trim());
            if x.is_none() {
                problems.push(
                    Diagnostic::data(format!("pdfx `{}` is not a PDF/X version jiediqi writes", p.value))
                        .at(Location::at(path, p.referenced.line(), p.referenced.column()))
                        .hint(format!("write {}", crate::export::pdf::PdfX::NAMES)),
                );
            }
            x
        });
        if let Some(c) = customer {
            if let Some(p) = &c.phone
                && !p.chars().all(|c| c.is_ascii_digit() || " +-()（）转".contains(c))
            {
                problems.push(
                    Diagnostic::data(format!("the customer's phone `{p}` is not a phone number"))
                        .at(customer_loc.clone())
                        .hint("digits, spaces, + - ( ) and 转 only; put the name in `contact`"),
                );
            }
            if let Some(d) = &c.ordered {
                if !date_ok(d) {
                    problems.push(
                        Diagnostic::data(format!("order date `{d}` is not YYYY-MM-DD"))
                            .at(customer_loc.clone())
                            .hint("write e.g. 2026-11-30"),
                    );
                } else if date_ok(&raw.due) && d.as_str() > raw.due.as_str() {
                    problems.push(
                        Diagnostic::data(format!("order date {d} is after the due date {}", raw.due))
                            .at(customer_loc.clone())
                            .hint("check `ordered` under `customer:` and `due`"),
                    );
                }
            }
        }
        let tolerance = raw.tolerance.as_ref().map(|t| {
            if let Some(m) = t.value.problem() {
                problems.push(
                    Diagnostic::data(format!("the order's {m}"))
                        .at(Location::at(path, t.referenced.line(), t.referenced.column()))
                        .hint("give over and under in percent, 0–20 (5 is usual)"),
                );
            }
            t.value
        });
        if !date_ok(&raw.due) {
            problems.push(
                Diagnostic::data(format!("due date `{}` is not YYYY-MM-DD", raw.due))
                    .at(loc.clone())
                    .hint("write e.g. 2026-12-20"),
            );
        }
        let mut entries: Vec<(Location, StationEntry)> = raw
            .stations
            .list
            .iter()
            .map(|e| (Location::at(path, e.referenced.line(), e.referenced.column()), e.value.clone()))
            .collect();
        let (csv, xlsx) = (&raw.stations.csv, &raw.stations.xlsx);
        let next_to_order = |file: &str| path.parent().unwrap_or(Path::new(".")).join(file);
        let read = match (csv, xlsx) {
            _ if [csv.is_some(), xlsx.is_some(), !entries.is_empty()].iter().filter(|s| **s).count() > 1 => {
                problems.push(
                    Diagnostic::data("stations has more than one of `csv`, `xlsx` and `list`")
                        .at(loc.clone())
                        .hint("use one of them"),
                );
                None
            }
            (Some(csv), None) => Some(read_stations_csv(&next_to_order(csv), raw.stations.encoding.as_deref())),
            (None, Some(xlsx)) => {
                if raw.stations.encoding.is_some() {
                    problems.push(
                        Diagnostic::data("`encoding` is for a CSV station list; a workbook names its own")
                            .at(loc.clone())
                            .hint("remove `encoding` under `stations:`"),
                    );
                }
                Some(read_stations_xlsx(&next_to_order(xlsx)))
            }
            _ if entries.is_empty() => {
                problems.push(
                    Diagnostic::data("the order has no stations")
                        .at(loc.clone())
                        .hint("add stations.list, stations.csv or stations.xlsx"),
                );
                None
            }
            _ => None,
        };
        match read {
            Some(Ok(list)) => entries = list,
            Some(Err(d)) => problems.0.extend(d.0),
            None => {}
        }
        let mut stations: Vec<OrderStation> = Vec::new();
        for (eloc, e) in entries {
            let key = key_of(e.id.as_deref().unwrap_or(&e.name));
            let station = match Station::from_file_in(e, &raw.qr_schemes, path.parent()) {
                Ok(s) => s,
                Err(m) => {
                    problems.push(Diagnostic::data(m).at(eloc).hint("correct that field of the station"));
                    continue;
                }
            };
            let loc = eloc;
            if key.trim_matches('_').is_empty() {
                problems.push(
                    Diagnostic::data(format!("station `{}` has no usable name for file names", station.name))
                        .at(loc.clone())
                        .hint("give it an `id`"),
                );
            }
            // Keys that differ only in case would collide on Windows and macOS.
            if stations.iter().any(|s| s.key.to_lowercase() == key.to_lowercase()) {
                problems.push(
                    Diagnostic::data(format!("station `{key}` appears twice"))
                        .at(loc.clone())
                        .hint("give each station its own id or name"),
                );
            }
            stations.push(OrderStation { key, station });
        }
        let mut lines = Vec::new();
        for l in raw.lines {
            let lloc = Location::at(path, l.referenced.line(), l.referenced.column());
            if l.value.quantity > 10_000_000 {
                problems.push(
                    Diagnostic::data(format!(
                        "line for item `{}`: quantity {} is too large",
                        l.value.item, l.value.quantity
                    ))
                    .at(lloc.clone())
                    .hint("at most 10 000 000 per line"),
                );
            }
            if l.value.quantity == 0 {
                problems.push(
                    Diagnostic::data(format!("line for item `{}`: quantity is 0", l.value.item))
                        .at(lloc.clone())
                        .hint("order at least one"),
                );
            }
            if l.value.slogans.is_empty() {
                problems.push(
                    Diagnostic::data(format!("line for item `{}` has no slogans", l.value.item))
                        .at(lloc)
                        .hint("list slogan ids"),
                );
            }
            lines.push(l.value);
        }
        if stations.is_empty() && problems.is_empty() {
            problems.push(
                Diagnostic::data("the order has no stations (the station list is empty)")
                    .at(loc.clone())
                    .hint("add at least one station row under the header"),
            );
        }
        if lines.is_empty() {
            problems.push(
                Diagnostic::data("the order has no lines").at(loc).hint("add lines of item, slogans and quantity"),
            );
        }
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("order").to_string();
        problems.into_result(Order {
            name,
            file: path.to_path_buf(),
            title: raw.title,
            vendor: raw.vendor,
            due: raw.due,
            stations,
            lines,
            pdfx,
            customer: raw.customer.map(|c| c.value),
            tolerance,
        })
    }

    /// Every file of the order, in a stable order, each checked: item and
    /// slogan known, inks swappable, the station has what the template
    /// needs. Wording is not asked about here: the jobs carry no approval
    /// until the package's plan asks the review gate (`check` never does).
    /// Layout problems are found when the scenes are built.
    pub fn jobs<'a>(&'a self, lib: &'a Library) -> Result<Vec<Job<'a>>, Diagnostics> {
        let (jobs, problems) = self.expand(lib);
        problems.into_result(jobs)
    }

    /// The jobs that could be made, and every problem of the others.
    pub fn expand<'a>(&'a self, lib: &'a Library) -> (Vec<Job<'a>>, Diagnostics) {
        let mut problems = Diagnostics::default();
        let mut jobs = Vec::new();
        for (n, line) in self.lines.iter().enumerate() {
            let at = format!("order line {} ({})", n + 1, line.item);
            let item = match lib.item_in_style(&line.item, line.style.as_deref()) {
                Ok(item) => item,
                Err(e) => {
                    problems.push(
                        Diagnostic::data(format!("{at}: {e}"))
                            .in_file(&self.file)
                            .hint("run `jiediqi items` to list the items and their styles"),
                    );
                    continue;
                }
            };
            let designs = line.slogans.len() * self.stations.len();
            if line.per == Per::Total && (line.quantity as usize) < designs {
                problems.push(
                    Diagnostic::data(format!(
                        "{at}: {} pieces in all cannot be shared over {designs} designs",
                        line.quantity
                    ))
                    .in_file(&self.file)
                    .hint("order at least one piece of every design, or use per: station"),
                );
            }
            let mut inks = item.inks.clone();
            for (id, o) in &line.inks {
                let fail =
                    |m: String, h: &str| Diagnostic::data(format!("{at}: {m}")).in_file(&self.file).hint(h.to_string());
                let Some(k) = inks.iter().position(|i| &i.id == id) else {
                    problems
                        .push(fail(format!("item `{}` has no ink `{id}`", item.id), "use an ink id of the template"));
                    continue;
                };
                if !item.swappable.contains(id) || !item.process.uses_spot_inks() {
                    problems.push(fail(
                        format!("ink `{id}` of item `{}` cannot be changed", item.id),
                        "only spot inks the template marks `swappable: true` can be swapped",
                    ));
                    continue;
                }
                if !crate::validate::spot_name_ok(&o.spot) || o.cmyk.iter().any(|v| !(0.0..=100.0).contains(v)) {
                    problems.push(fail(
                        format!("ink `{id}`: `{}` with CMYK {:?} is not a usable spot ink", o.spot, o.cmyk),
                        "give the ink's name and CMYK percentages",
                    ));
                    continue;
                }
                let cmyk = o.cmyk.map(|v| v / 100.0);
                let preview = match o.preview.as_deref() {
                    None => None,
                    Some(h) => match crate::validate::parse_hex(h) {
                        Some(rgb) => Some(rgb),
                        None => {
                            problems.push(fail(
                                format!("ink `{id}`: preview `{h}` is not #rrggbb"),
                                "write e.g. \"#0047bb\"",
                            ));
                            continue;
                        }
                    },
                };
                let ink = crate::scene::Ink {
                    id: id.clone(),
                    kind: crate::scene::InkKind::Spot { name: o.spot.clone(), cmyk },
                    preview,
                };
                if let Some(m) = crate::color::preview_mismatch(&ink) {
                    problems.push(fail(m, crate::color::PREVIEW_HINT));
                    continue;
                }
                inks[k] = ink;
            }
            for (si, id) in line.slogans.iter().enumerate() {
                let Some(slogan) = lib.slogan(id) else {
                    problems.push(
                        Diagnostic::data(format!("{at}: unknown slogan `{id}`"))
                            .in_file(&self.file)
                            .hint("run `jiediqi slogans`"),
                    );
                    continue;
                };
                for (ti, st) in self.stations.iter().enumerate() {
                    // Only a printed station block needs the footer's fields.
                    let footers = item.zones.iter().filter(|_| line.station_block == StationBlock::Print);
                    for z in footers.filter(|z| z.role == Role::Footer) {
                        if let Some(t) = &z.text
                            && let Err(e) = st.station.fill(t)
                        {
                            problems.push(
                                Diagnostic::data(format!(
                                    "{at}: station `{}` for zone `{}`: {e}",
                                    st.station.name, z.id
                                ))
                                .in_file(&self.file)
                                .hint("add the field to the station"),
                            );
                        }
                    }
                    let quantity = match line.per {
                        Per::Station => line.quantity,
                        Per::Total => {
                            // Evenly, the remainder to the first designs.
                            let k = (si * self.stations.len() + ti) as u32;
                            let d = designs as u32;
                            line.quantity / d + u32::from(k < line.quantity % d)
                        }
                    };
                    jobs.push(Job {
                        line: n + 1,
                        item,
                        slogan,
                        station: st,
                        quantity,
                        approval: None,
                        inks: inks.clone(),
                        station_block: line.station_block,
                    });
                }
            }
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for j in &jobs {
            *seen.entry(j.base()).or_default() += 1;
        }
        for (base, count) in seen {
            if count > 1 {
                problems.push(
                    Diagnostic::data(format!("`{base}` is ordered on {count} lines"))
                        .in_file(&self.file)
                        .hint("merge the lines"),
                );
            }
        }
        jobs.sort_by_key(|j| j.base());
        (jobs, problems)
    }
}

/// More stations than any county has; a bigger list is a mistake.
pub const MAX_STATIONS: usize = 10_000;

/// Station files are read whole: 10 000 stations of a few hundred bytes
/// each fit easily in 16 MiB.
pub const STATION_FILE_MAX: u64 = 16 << 20;

/// Read a CSV of stations: UTF-8 with or without BOM, or GB18030/GBK as
/// Chinese Excel writes it, or the encoding the order names. Columns by
/// header (see `stations_from_rows`). Each station comes with the place of
/// its row, for messages.
pub fn read_stations_csv(path: &Path, encoding: Option<&str>) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    let bytes = crate::library::read_bounded(path, STATION_FILE_MAX)
        .map_err(|d| d.hint("check the `csv` path in the order"))?;
    stations_from_csv(path, &bytes, encoding)
}

/// Read an Excel workbook of stations (see [`stations_from_xlsx`]).
pub fn read_stations_xlsx(path: &Path) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    let bytes = crate::library::read_bounded(path, STATION_FILE_MAX)
        .map_err(|d| d.hint("check the `xlsx` path in the order"))?;
    stations_from_xlsx(path, &bytes)
}

/// Read a station list, CSV or Excel by its extension (`.csv`, `.xlsx`).
pub fn read_stations_file(path: &Path) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    station_format(path)?;
    let bytes = crate::library::read_bounded(path, STATION_FILE_MAX)?;
    stations_from_named(path, &bytes)
}

/// An uploaded station list: its bytes and the file's name as the browser
/// sent it, CSV or Excel by the name's extension; messages name the file.
pub fn stations_from_upload(name: &str, bytes: &[u8]) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    let path = Path::new(name);
    station_format(path)?;
    within_bound(path, bytes)?;
    stations_from_named(path, bytes)
}

/// Bytes not read through `read_bounded` get the same bound.
fn within_bound(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    if bytes.len() as u64 > STATION_FILE_MAX {
        return Err(Diagnostic::data(format!("larger than {} KiB", STATION_FILE_MAX / 1024))
            .in_file(path)
            .hint("split the list into smaller files"));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum StationFormat {
    Csv,
    Xlsx,
}

fn station_format(path: &Path) -> Result<StationFormat, Diagnostic> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok(StationFormat::Csv),
        "xlsx" => Ok(StationFormat::Xlsx),
        "xls" | "et" => Err(Diagnostic::data("an old-format workbook (.xls/.et) cannot be read")
            .in_file(path)
            .hint("open it in Excel or WPS and 另存为 → Excel 工作簿 (.xlsx), or CSV UTF-8")),
        _ => Err(Diagnostic::data("a station list is a .csv or an .xlsx file")
            .in_file(path)
            .hint("save the list from Excel as .xlsx or as CSV UTF-8")),
    }
}

fn stations_from_named(path: &Path, bytes: &[u8]) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    match station_format(path)? {
        StationFormat::Csv => stations_from_csv(path, bytes, None),
        StationFormat::Xlsx => stations_from_xlsx(path, bytes),
    }
}

/// An Excel workbook's bytes (named `path` in messages) as stations: the
/// sheet named 派出所 or `stations` if there is one, else the first visible
/// worksheet; its first non-empty row is the header, with the columns of a
/// CSV list. Numbers come out as Excel shows them (9121234567, not
/// 9121234567.0). Old .xls, password-protected, damaged or oversized
/// workbooks are refused with what to do.
pub fn stations_from_xlsx(path: &Path, bytes: &[u8]) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    within_bound(path, bytes)?;
    // The header and the stations.
    let (sheet, rows) = xlsx::rows(path, bytes, MAX_STATIONS + 1)?;
    stations_from_rows(path, &rows, Some(&sheet))
}

/// A station list's bytes (named `path` in messages) as stations.
pub fn stations_from_csv(
    path: &Path,
    bytes: &[u8],
    encoding: Option<&str>,
) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    let text = decode_csv(bytes, encoding).map_err(|m| {
        Diagnostic::data(m)
            .in_file(path)
            .hint("save the list as UTF-8 (Excel: 另存为 → CSV UTF-8), or name its encoding with `encoding:` under `stations:` in the order")
    })?;
    let rows = parse_csv(&text).map_err(|(line, m)| Diagnostic::data(m).at(Location::at(path, line as u64, 1)))?;
    stations_from_rows(path, &rows, None)
}

/// The one owner of the station list's columns and row checks, for CSV and
/// Excel alike: the first non-empty row is the header, columns are found by
/// name, English or Chinese: id/编号, name/名称/派出所/单位, address/地址,
/// phone/电话/值班电话, hotline/热线, qr/二维码/链接, delivery/收货地址/送货地址,
/// receiver/收货人; empty rows are
/// skipped; each station comes with its row's place. `sheet` names the
/// workbook's sheet in messages.
fn stations_from_rows(
    path: &Path,
    rows: &[(usize, Vec<String>)],
    sheet: Option<&str>,
) -> Result<Vec<(Location, StationEntry)>, Diagnostics> {
    let in_sheet = sheet.map(|s| format!(" (sheet `{s}`)")).unwrap_or_default();
    let mut rows = rows.iter().filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()));
    let mut problems = Diagnostics::default();
    let Some((header_line, header)) = rows.next() else {
        return Err(Diagnostic::data(format!("the station list is empty{in_sheet}"))
            .in_file(path)
            .hint("first row: column names; then one station a row")
            .into());
    };
    let body: Vec<_> = rows.collect();
    if body.len() > MAX_STATIONS {
        return Err(Diagnostic::data(format!("the station list has more than {MAX_STATIONS} rows{in_sheet}"))
            .in_file(path)
            .hint("split the order")
            .into());
    }
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    let (id, name, address, phone, hotline, qr) = (
        col(&["id", "编号"]),
        col(&["name", "名称", "派出所", "单位"]),
        col(&["address", "地址"]),
        col(&["phone", "电话", "值班电话"]),
        col(&["hotline", "热线"]),
        col(&["qr", "二维码", "链接"]),
    );
    let (delivery, receiver) = (col(&["delivery", "收货地址", "送货地址"]), col(&["receiver", "收货人"]));
    let Some(name) = name else {
        return Err(Diagnostic::data(format!("no name column among {header:?}{in_sheet}"))
            .at(Location::at(path, *header_line as u64, 1))
            .hint("the first non-empty row is the header: name a column `name` (or 名称/派出所), and delete any title row above it")
            .into());
    };
    let mut out = Vec::new();
    for (line, row) in body {
        let loc = Location::at(path, *line as u64, 1);
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        match get(Some(name)) {
            Some(nm) => out.push((
                loc,
                StationEntry {
                    id: get(id),
                    name: nm,
                    phone: get(phone),
                    hotline: get(hotline),
                    address: get(address),
                    qr: get(qr),
                    delivery: get(delivery),
                    receiver: get(receiver),
                    ..StationEntry::default()
                },
            )),
            None => problems.push(Diagnostic::data("the station has no name").at(loc).hint("fill in the name")),
        }
    }
    problems.into_result(out)
}

/// UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// A station list's text. UTF-8 (with or without BOM) is taken as it is.
/// Otherwise Chinese Excel wrote GB18030/GBK — or Big5 on a traditional
/// system, whose bytes are nearly all valid GBK too, decoding to nonsense
/// (勞動 → 骋笆). So GBK is taken only when the text does not also read as
/// Big5, or reads as common simplified Chinese (GB 2312 level 1 characters)
/// and not as Big5; when both readings are plausible the order must say.
pub fn decode_csv(bytes: &[u8], encoding: Option<&str>) -> Result<String, String> {
    let strict = |enc: &'static encoding_rs::Encoding, b: &[u8]| {
        enc.decode_without_bom_handling_and_without_replacement(b).map(|c| c.into_owned())
    };
    let named = |enc: &'static encoding_rs::Encoding, label: &str| {
        let b = if enc == encoding_rs::UTF_8 { bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes) } else { bytes };
        strict(enc, b).ok_or_else(|| format!("the station list is not valid {label}"))
    };
    if let Some(e) = encoding {
        return match e.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => named(encoding_rs::UTF_8, "UTF-8"),
            "gb18030" | "gbk" | "gb2312" => named(encoding_rs::GB18030, "GB18030"),
            "big5" => named(encoding_rs::BIG5, "Big5"),
            other => Err(format!("encoding `{other}` is not one of utf-8, gb18030, gbk, big5")),
        };
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let gbk = strict(encoding_rs::GB18030, bytes);
    let big5 = strict(encoding_rs::BIG5, bytes);
    match (gbk, big5) {
        (Some(g), None) => Ok(g),
        (Some(g), Some(b)) => {
            if common_simplified(&g) >= 0.9 && common_simplified(&b) < 0.9 {
                Ok(g)
            } else if common_simplified(&g) < 0.9 {
                Err("the station list looks like Big5 (traditional Chinese), not GBK".into())
            } else {
                Err("cannot tell whether the station list is GBK or Big5 (traditional Chinese)".into())
            }
        }
        (None, Some(_)) => Err("the station list looks like Big5 (traditional Chinese), not GBK".into()),
        (None, None) => Err("the station list is neither UTF-8 nor GB18030/GBK".into()),
    }
}

/// The share of a text's non-ASCII characters that GB 2312 has as a
/// Chinese character (levels 1 and 2) or as common punctuation and
/// full-width forms (rows 1–3): nearly all of real GBK station data, far
/// less of Big5 bytes read as GBK (rare GBK-only characters, private-use
/// code points, box drawing).
fn common_simplified(text: &str) -> f64 {
    let (mut other, mut common) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        other += 1;
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
        if !unmappable
            && bytes.len() == 2
            && ((0xB0..=0xF7).contains(&bytes[0]) || (0xA1..=0xA3).contains(&bytes[0]))
            && bytes[1] >= 0xA1
        {
            common += 1;
        }
    }
    if other == 0 { 1.0 } else { common as f64 / other as f64 }
}

/// A station list's rows as text, each with the line (CSV) or row (Excel)
/// it is on: what both readers produce for `stations_from_rows`.
pub type Rows = Vec<(usize, Vec<String>)>;

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Each row with
/// the line it starts on.
pub fn parse_csv(text: &str) -> Result<Rows, (usize, String)> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err((line, "a quoted field is not closed".into()));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_quotes_and_line_ends() {
        let rows =
            parse_csv("name,address\r\n\"城关派出所\",\"人民路 1 号,\n东\"\r\n\"He said \"\"hi\"\"\",x\n").unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["name".to_string(), "address".into()]),
                (2, vec!["城关派出所".into(), "人民路 1 号,\n东".into()]),
                (4, vec!["He said \"hi\"".into(), "x".into()])
            ]
        );
        assert!(parse_csv("a,\"b\n").is_err());
    }

    #[test]
    fn text_in_utf8_with_bom_or_gbk() {
        assert_eq!(decode_text("派出所".as_bytes()), "派出所");
        assert_eq!(decode_text(b"\xEF\xBB\xBF\xE6\xB4\xBE"), "派");
        let (gbk, _, _) = encoding_rs::GBK.encode("城关派出所,0912-1234567");
        assert_eq!(decode_text(&gbk), "城关派出所,0912-1234567");
    }

    #[test]
    fn big5_is_never_read_as_gbk() {
        let (big5, _, _) = encoding_rs::BIG5.encode("名稱,地址\n勞動派出所,臺北市中正區\n");
        let e = decode_csv(&big5, None).unwrap_err();
        assert!(e.contains("Big5"), "{e}");
        assert_eq!(decode_csv(&big5, Some("big5")).unwrap(), "名稱,地址\n勞動派出所,臺北市中正區\n");
        let (gbk, _, _) = encoding_rs::GBK.encode("名称,地址\n城关派出所,城关镇人民路88号\n");
        assert_eq!(decode_csv(&gbk, None).unwrap(), "名称,地址\n城关派出所,城关镇人民路88号\n");
        assert!(decode_csv(b"\xff\xfe\x00", None).is_err());
    }

    #[test]
    fn dates_and_keys() {
        assert!(date_ok("2026-12-20"));
        assert!(!date_ok("2026-13-01") && !date_ok("20261220") && !date_ok("2026-1-2"));
        assert_eq!(key_of("城关 派出所/东"), "城关_派出所_东");
        // `--` joins file-name parts: a key never holds it (`a--back` would be `a`'s back).
        assert_eq!(key_of("a--back"), "a-back");
        assert_eq!(key_of("x---y"), "x-y");
    }
}
