//! From the YAML as written to a checked model. Every problem is collected,
//! with file, line, id and a hint, instead of stopping at the first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fonts::FontBook;
use crate::images::{Source, StationImage};
use crate::library::{
    self, Align, DieShape, Direction, Fit, InkEntry, ItemFile, Minimums, PrintAs, Process, PunctuationStyle, Repeat,
    Role, Shape, SloganFile, StationFile, Takes,
};
use crate::scene::{Ink, InkKind, Rgb};
use crate::segment::Segmenter;
use std::sync::Arc;

/// A checked slogan.
#[derive(Debug, Clone)]
pub struct Slogan {
    pub id: String,
    pub topic: String,
    /// The heading band's text (the file's `heading`, else the topic).
    pub heading: String,
    pub lines: Vec<String>,
    pub tip: Option<String>,
    pub audience: Vec<String>,
    /// Items the slogan is meant for; `None`: every item.
    pub items: Option<Vec<String>>,
    pub notes: Option<String>,
    /// The law, regulation or hotline owner behind a rule or number in the tip.
    pub source: Option<String>,
    /// What the station must check locally.
    pub verify: Option<String>,
    /// Lint warnings accepted with a reason (rule → reason).
    pub accept: BTreeMap<String, String>,
    pub file: PathBuf,
    pub line: u64,
}

impl Slogan {
    /// A slogan for unit tests.
    #[cfg(test)]
    pub(crate) fn for_test(lines: &[&str], tip: Option<&str>) -> Slogan {
        Slogan {
            id: "t".into(),
            topic: "反诈".into(),
            heading: "防骗小贴士".into(),
            lines: lines.iter().map(|s| s.to_string()).collect(),
            tip: tip.map(str::to_string),
            audience: vec![],
            items: None,
            notes: None,
            source: None,
            verify: None,
            accept: BTreeMap::new(),
            file: PathBuf::new(),
            line: 1,
        }
    }

    /// The wording on one line, as people read it.
    pub fn text(&self) -> String {
        self.lines.concat()
    }
}

/// The spot name of the white underbase screen.
pub const UNDERBASE: &str = "Underbase";

/// A checked item template. Sizes stay in mm here; layout converts to pt.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub product: String,
    pub width: f64,
    pub height: f64,
    pub bleed: f64,
    pub safe: f64,
    pub process: Process,
    pub material: String,
    /// The finished product, mm (width, height); the trim is the print area.
    pub product_size: (f64, f64),
    pub print_position: String,
    pub colour: String,
    pub sides: u8,
    pub ink_type: String,
    pub finishing: Vec<String>,
    pub notes: Option<String>,
    pub substrate: Rgb,
    pub crop_marks: bool,
    pub minimums: Minimums,
    /// The template's inks, then (when there is a die line) the technical `Dieline` ink.
    pub inks: Vec<Ink>,
    /// Ids of the inks an order may swap for another spot colour.
    pub swappable: Vec<String>,
    pub background: Option<usize>,
    /// The cut's outline and the technical `CutContour` ink.
    pub die_line: Option<(Die, usize)>,
    /// Which slogans the item can carry.
    pub takes: Takes,
    /// Vertical folds, mm from the trim's left edge.
    pub folds: Vec<f64>,
    /// Areas the product's use covers (see the template's `keep_clear`), mm.
    pub keep_clear: Vec<[f64; 4]>,
    /// Lines an inch of a halftoned photo (spot-ink items).
    pub line_screen: f64,
    /// An n-up sheet: the first piece's copies, as offsets (mm) from it.
    pub copies: Vec<[f64; 2]>,
    /// Choke in mm and the `Underbase` ink: a white plate under the artwork.
    pub underbase: Option<(f64, usize)>,
    pub punctuation: PunctuationStyle,
    /// The zones of the style in use (`style`).
    pub zones: Vec<Zone>,
    /// Every style of the item, the default (the template's own zones) first.
    pub variants: Vec<Variant>,
    /// Index into `variants` of the style these zones are.
    pub style: usize,
    /// The product drawing for mockups, `mockups/<name>.svg` (read when a
    /// mockup is made; a plain outline of the product when absent).
    pub mockup: Option<String>,
    pub file: PathBuf,
}

/// One style of an item: its zones and background; trim, inks and process are the item's.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: String,
    pub name: String,
    pub notes: Option<String>,
    pub zones: Vec<Zone>,
    pub background: Option<usize>,
}

impl Item {
    /// How many sides it prints: 1, or 2 for a card or a tri-fold (`sides: 2`).
    pub fn side_count(&self) -> usize {
        usize::from(self.sides.max(1))
    }

    /// The item in one of its styles (`None`: as it is), or why not, naming
    /// the styles it has. A style other than the default is a design of its
    /// own: its id is `<item>@<style>`, so files, plans and previews keep it apart.
    pub fn styled(&self, style: Option<&str>) -> Result<Item, String> {
        let Some(want) = style else { return Ok(self.clone()) };
        let Some(i) = self.variants.iter().position(|v| v.id == want) else {
            return Err(format!(
                "item `{}` has no style `{want}`; its styles are: {}",
                self.base_id(),
                self.style_list()
            ));
        };
        let mut item = self.clone();
        item.zones = self.variants[i].zones.clone();
        item.background = self.variants[i].background;
        item.style = i;
        item.id = if i == 0 { self.base_id().to_string() } else { format!("{}@{want}", self.base_id()) };
        Ok(item)
    }

    /// The template's id, without the style.
    pub fn base_id(&self) -> &str {
        self.id.split('@').next().unwrap_or(&self.id)
    }

    /// `tuwen (图文版), dazi (大字版)`: the styles, the default first.
    pub fn style_list(&self) -> String {
        self.variants.iter().map(|v| format!("{} ({})", v.id, v.name)).collect::<Vec<_>>().join(", ")
    }

    /// The style in use.
    pub fn style_id(&self) -> &str {
        self.variants.get(self.style).map_or("standard", |v| v.id.as_str())
    }

    /// The printing inks (not the die line).
    pub fn printing_inks(&self) -> impl Iterator<Item = &Ink> {
        self.inks.iter().filter(|i| !matches!(i.kind, InkKind::Technical { .. }))
    }

    /// Whether the slogan is meant for this item: its `items:` list (all
    /// items when absent) names it, and the item takes it. The one rule every
    /// listing (render all, lint, proofs, the studio) asks.
    pub fn suits(&self, s: &Slogan) -> bool {
        s.items.as_ref().is_none_or(|l| l.iter().any(|i| i == self.base_id())) && self.takes(s).is_ok()
    }

    /// Whether the item can carry the slogan (its `takes:`), and if not, why.
    pub fn takes(&self, s: &Slogan) -> Result<(), String> {
        if let Some(n) = self.takes.lines
            && s.lines.len() != n
        {
            return Err(format!("item `{}` takes slogans of {n} line(s); `{}` has {}", self.id, s.id, s.lines.len()));
        }
        if let Some(n) = self.takes.chars {
            for l in &s.lines {
                let body = l.trim_end_matches(['，', '。', '、', '；']);
                let marks = body.chars().any(|c| !(c.is_alphanumeric()));
                let count = body.chars().count();
                if marks || count != n {
                    return Err(format!(
                        "item `{}` takes lines of {n} characters with no punctuation inside; `{}` has “{l}”",
                        self.id, s.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A checked die line, mm from the trim's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Die {
    /// The trim, its corners rounded.
    Rect { radius: f64 },
    /// A circle, with an optional handle this wide down to the trim's bottom edge.
    Circle { center: [f64; 2], radius: f64, handle: Option<f64> },
    /// A convex polygon.
    Polygon(Vec<[f64; 2]>),
    /// Rectangles [x, y, w, h] cut apart from one sheet, corners rounded.
    Rects { rects: Vec<[f64; 4]>, radius: f64 },
    /// A piece of a ring between radii `ri` and `ro` of `center`, `half`
    /// radians either side of straight up: a paper cup's wrap. Its artwork
    /// is laid out straight, then bent round the centre (see
    /// `layout::bend`): a zone box's x runs along the arcs, its y down the
    /// radius, so the box is checked as the ring's piece it becomes.
    Sector { center: [f64; 2], ri: f64, ro: f64, half: f64 },
}

impl Die {
    /// The cut's bounding box [x0, y0, x1, y1], mm.
    pub fn bounds(&self, width: f64, height: f64) -> [f64; 4] {
        let of = |pts: &mut dyn Iterator<Item = [f64; 2]>| {
            pts.fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
            })
        };
        match self {
            Die::Rect { .. } => [0.0, 0.0, width, height],
            Die::Circle { center: [cx, cy], radius: r, handle } => {
                [cx - r, cy - r, cx + r, if handle.is_some() { height } else { cy + r }]
            }
            Die::Polygon(p) => of(&mut p.iter().copied()),
            Die::Rects { rects, .. } => of(&mut rects.iter().flat_map(|r| [[r[0], r[1]], [r[0] + r[2], r[1] + r[3]]])),
            Die::Sector { center: [cx, cy], ri, ro, half } => {
                [cx - ro * half.sin(), cy - ro, cx + ro * half.sin(), cy - ri * half.cos()]
            }
        }
    }

    /// Whether a box [x, y, w, h] lies inside the cut (inside one piece), at
    /// least `inset` from its edge.
    pub fn holds_box(&self, b: [f64; 4], width: f64, height: f64, inset: f64) -> bool {
        let [x, y, w, h] = b;
        let corners = [[x, y], [x + w, y], [x, y + h], [x + w, y + h]];
        match self {
            Die::Rects { rects, .. } => rects.iter().any(|r| {
                let piece = Die::Rect { radius: 0.0 };
                corners.iter().all(|&[px, py]| piece.holds([px - r[0], py - r[1]], r[2], r[3], inset))
            }),
            Die::Sector { center: [cx, cy], ri, ro, half } => {
                // The box bent: radii from cy − y − h to cy − y, its far
                // side |s| along the arc; widest in angle at the inner radius.
                let eps = 1e-6;
                let (near, far) = (cy - y - h, cy - y);
                let s = (x - cx).abs().max((x + w - cx).abs());
                let angle = s / near.max(1e-9);
                near >= ri + inset - eps
                    && far <= ro - inset + eps
                    && angle <= *half
                    && near * (half - angle).sin() >= inset - eps
            }
            _ => corners.iter().all(|&p| self.holds(p, width, height, inset)),
        }
    }

    /// Whether a point lies inside the cut, at least `inset` from its edge.
    pub fn holds(&self, p: [f64; 2], width: f64, height: f64, inset: f64) -> bool {
        let eps = 1e-6;
        match self {
            Die::Rects { .. } => self.holds_box([p[0], p[1], 0.0, 0.0], width, height, inset),
            Die::Rect { .. } => {
                p[0] >= inset - eps
                    && p[1] >= inset - eps
                    && p[0] <= width - inset + eps
                    && p[1] <= height - inset + eps
            }
            Die::Circle { center, radius, handle } => {
                let (dx, dy) = (p[0] - center[0], p[1] - center[1]);
                let in_circle = (dx * dx + dy * dy).sqrt() <= radius - inset + eps;
                let in_handle = handle.is_some_and(|w| {
                    dx.abs() <= w / 2.0 - inset + eps && p[1] >= center[1] && p[1] <= height - w / 2.0 - inset + eps
                });
                in_circle || in_handle
            }
            Die::Sector { center: [cx, cy], ri, ro, half } => {
                let (dx, dy) = (p[0] - cx, cy - p[1]);
                let (r, angle) = (dx.hypot(dy), dx.atan2(dy).abs());
                r >= ri + inset - eps
                    && r <= ro - inset + eps
                    && angle <= *half
                    && r * (half - angle).sin() >= inset - eps
            }
            Die::Polygon(pts) => {
                // Convex, so inside means on the inner side of every edge, by `inset`.
                let area2: f64 = (0..pts.len())
                    .map(|i| {
                        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                        a[0] * b[1] - b[0] * a[1]
                    })
                    .sum();
                let sign = area2.signum();
                (0..pts.len()).all(|i| {
                    let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                    let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
                    let len = (ex * ex + ey * ey).sqrt().max(1e-9);
                    sign * (ex * (p[1] - a[1]) - ey * (p[0] - a[0])) / len >= inset - eps
                })
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    pub role: Role,
    /// x, y, width, height in mm from the trim's top-left corner.
    pub rect: [f64; 4],
    pub ink: Option<usize>,
    pub font: Option<String>,
    pub align: Align,
    pub valign: Align,
    pub direction: Direction,
    pub min_height: f64,
    pub max_height: Option<f64>,
    pub line_spacing: f64,
    pub text: Option<String>,
    pub grow: Vec<usize>,
    pub shape: Shape,
    pub stroke: Option<f64>,
    pub radius: f64,
    pub bleed: bool,
    pub tint: f64,
    /// A slogan zone's one line of the slogan (0-based), or all of them.
    pub slogan_line: Option<usize>,
    /// A slogan zone that runs the author's lines on as one.
    pub one_line: bool,
    /// A tip zone that sets the tip one clause a line (when that fits).
    pub chunks: bool,
    /// The side it prints on, 0-based (0 the front, 1 the back).
    pub side: usize,
    /// Image zones: the station picture, how it fills the box and prints.
    pub source: Option<Source>,
    pub fit: Fit,
    pub print_as: Option<PrintAs>,
    /// A pictogram zone's own pictogram, not the topic's.
    pub pictogram: Option<String>,
    pub line: u64,
}

/// A station's details, filled into footers.
#[derive(Debug, Clone, Default)]
pub struct Station {
    pub name: String,
    pub phone: Option<String>,
    pub hotline: Option<String>,
    pub address: Option<String>,
    pub qr: Option<String>,
    /// Delivery address of an order's pieces (收货地址), when not `address`.
    pub delivery: Option<String>,
    /// Who receives them (收货人), name and phone.
    pub receiver: Option<String>,
    /// The community officer's name and phone (`{officer}`, `{officer_phone}`).
    pub officer: Option<String>,
    pub officer_phone: Option<String>,
    /// The station's pictures, read and checked.
    pub logo: Option<Arc<StationImage>>,
    pub photo: Option<Arc<StationImage>>,
    pub qr_image: Option<Arc<StationImage>>,
}

impl Station {
    pub fn load(path: &Path) -> Result<Station, Diagnostic> {
        let raw: StationFile = library::load_yaml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Station::from_file_in(raw, &[], Some(dir)).map_err(|m| {
            let hint = if m.contains("picture") || m.contains("`logo`") || m.contains("photo") || m.contains("qr_image")
            {
                "give a PNG, JPEG or SVG file next to the station file, or leave the field out"
            } else {
                "fill it in on one line, or leave the field out"
            };
            Diagnostic::data(m).in_file(path).hint(hint)
        })
    }

    /// The picture a zone places, if the station has it.
    pub fn image(&self, source: Source) -> Option<&Arc<StationImage>> {
        match source {
            Source::Logo => self.logo.as_ref(),
            Source::Photo => self.photo.as_ref(),
            Source::QrImage => self.qr_image.as_ref(),
        }
    }

    /// A station from its data, every field checked: present fields are
    /// neither empty nor multi-line, fit the limits, cannot be read as a
    /// spreadsheet formula, and the QR link is a web link.
    pub fn from_file(raw: StationFile) -> Result<Station, String> {
        Station::from_file_with(raw, &[])
    }

    /// As [`Station::from_file`], also taking QR links with the URI schemes
    /// an order declares (`qr_schemes: [weixin]`).
    pub fn from_file_with(raw: StationFile, qr_schemes: &[String]) -> Result<Station, String> {
        Station::from_file_in(raw, qr_schemes, None)
    }

    /// As [`Station::from_file_with`], reading the station's pictures
    /// (`logo`, `qr_image`, `officer.photo`) from `dir` (the folder of the
    /// file that names them); without a folder, pictures are refused.
    pub fn from_file_in(raw: StationFile, qr_schemes: &[String], dir: Option<&Path>) -> Result<Station, String> {
        let name = raw.name.trim().to_string();
        let officer = raw.officer.clone().unwrap_or_default();
        let officer_fields = [
            ("officer.name", raw.officer.as_ref().map(|o| &o.name), limits::STATION_NAME),
            ("officer.phone", officer.phone.as_ref(), limits::PHONE),
        ];
        let fields = [
            ("id", raw.id.as_ref(), limits::STATION_KEY),
            ("name", Some(&raw.name), limits::STATION_NAME),
            ("phone", raw.phone.as_ref(), limits::PHONE),
            ("hotline", raw.hotline.as_ref(), limits::PHONE),
            ("address", raw.address.as_ref(), limits::ADDRESS),
            ("qr", raw.qr.as_ref(), limits::QR_LINK),
            ("delivery", raw.delivery.as_ref(), limits::ADDRESS),
            ("receiver", raw.receiver.as_ref(), limits::STATION_NAME + limits::PHONE),
            ("logo", raw.logo.as_ref(), limits::ADDRESS),
            ("qr_image", raw.qr_image.as_ref(), limits::ADDRESS),
            ("officer.photo", officer.photo.as_ref(), limits::ADDRESS),
        ];
        for (key, value, max) in fields.into_iter().chain(officer_fields) {
            let Some(v) = value else { continue };
            if v.trim().is_empty() || v.chars().any(char::is_control) {
                return Err(format!("station `{name}`: field `{key}` is empty or has control characters"));
            }
            if v.chars().count() > max {
                return Err(format!("station `{name}`: field `{key}` is longer than {max} characters"));
            }
            if v.chars().any(invisible) {
                return Err(format!("station `{name}`: field `{key}` has an invisible character"));
            }
            if formula_like(v, matches!(key, "phone" | "hotline" | "officer.phone")) {
                return Err(format!(
                    "station `{name}`: field `{key}` begins with `{}`, which a spreadsheet runs as a formula",
                    v.trim_start().chars().next().unwrap_or(' ')
                ));
            }
            // Footers print these unreviewed: a phone field holds a number
            // (digits, spaces, + - ( ) and 转 for an extension), never words.
            if matches!(key, "phone" | "hotline" | "officer.phone")
                && !v.chars().all(|c| c.is_ascii_digit() || " +-()（）转".contains(c))
            {
                return Err(format!(
                    "station `{name}`: field `{key}` is `{v}`: a phone number has only digits, spaces, + - ( ) and 转"
                ));
            }
        }
        if let Some(q) = &raw.qr
            && let Err(why) = check_link(q, qr_schemes)
        {
            return Err(format!("station `{name}`: QR link `{q}` {why}"));
        }
        let picture = |field: &'static str, file: Option<&String>| -> Result<Option<Arc<StationImage>>, String> {
            let Some(file) = file else { return Ok(None) };
            let Some(dir) = dir else {
                return Err(format!(
                    "station `{name}`: field `{field}` names a picture, which only a station file (--station, or an order's list) can bring"
                ));
            };
            StationImage::load(&dir.join(file.trim()), field)
                .map(|i| Some(Arc::new(i)))
                .map_err(|m| format!("station `{name}`: field `{field}`: {m}"))
        };
        Ok(Station {
            name: raw.name.trim().to_string(),
            phone: raw.phone,
            hotline: raw.hotline,
            address: raw.address,
            qr: raw.qr,
            delivery: raw.delivery,
            receiver: raw.receiver,
            logo: picture("logo", raw.logo.as_ref())?,
            qr_image: picture("qr_image", raw.qr_image.as_ref())?,
            photo: picture("officer.photo", officer.photo.as_ref())?,
            officer: raw.officer.as_ref().map(|o| o.name.trim().to_string()),
            officer_phone: officer.phone,
        })
    }

    /// Fill `{name}`, `{phone}`, `{hotline}`, `{address}` in a footer text.
    pub fn fill(&self, template: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').ok_or("unclosed `{`")? + open;
            let key = &rest[open + 1..close];
            let value = match key {
                "name" => Some(&self.name),
                "phone" => self.phone.as_ref(),
                "hotline" => self.hotline.as_ref(),
                "address" => self.address.as_ref(),
                "officer" => self.officer.as_ref(),
                "officer_phone" => self.officer_phone.as_ref(),
                _ => return Err(format!("unknown field `{{{key}}}`")),
            };
            out.push_str(value.ok_or_else(|| format!("the station has no `{key}`"))?);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Text a spreadsheet would run as a formula when a vendor opens a list in
/// it (`=cmd|' /C calc'!A0`): it begins with `=`, `+`, `-` or `@`. A phone
/// number may begin with `+` (`+86 912 …`).
pub fn formula_like(v: &str, phone: bool) -> bool {
    let t = v.trim_start();
    match t.chars().next() {
        Some('=' | '@') => true,
        Some('+') if phone => !t[1..].chars().all(|c| c.is_ascii_digit() || " -()".contains(c)),
        Some('+' | '-') => true,
        _ => false,
    }
}

/// A QR link people's phones open safely: `http://` or `https://` with a
/// host (or a scheme the order declares), no spaces or control characters.
pub fn check_link(link: &str, extra_schemes: &[String]) -> Result<(), String> {
    if link.len() > limits::QR_LINK {
        return Err(format!("is longer than {} bytes", limits::QR_LINK));
    }
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces or control characters".into());
    }
    let Some((scheme, rest)) = link.split_once(':') else {
        return Err("is not a link: write it like https://example.org/station".into());
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "http" || scheme == "https" {
        let host = rest.strip_prefix("//").map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        let host_ok = host.is_some_and(|h| {
            let h = h.rsplit_once('@').map_or(h, |(_, h)| h);
            let h = h.split(':').next().unwrap_or("");
            !h.is_empty() && h.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        });
        return if host_ok { Ok(()) } else { Err("has no host: write it like https://example.org/station".into()) };
    }
    if extra_schemes.iter().any(|s| s.eq_ignore_ascii_case(&scheme)) && !rest.is_empty() {
        return Ok(());
    }
    Err(format!(
        "uses `{scheme}:`; a QR code on print must be an http(s) link (an order may allow others with `qr_schemes`)"
    ))
}

/// Everything the project knows: slogans, items and fonts, checked.
#[derive(Debug)]
pub struct Library {
    pub root: PathBuf,
    pub slogans: Vec<Slogan>,
    /// The items in their default style.
    pub items: Vec<Item>,
    /// The items in their other styles, ids `<item>@<style>`.
    pub styled: Vec<Item>,
    pub fonts: FontBook,
    /// Word boundaries: jieba's dictionary and `lint/dictionary.yaml`.
    pub words: Segmenter,
    /// lint's view of every slogan for duplicates, made when first needed.
    pub pieces: std::sync::OnceLock<Vec<crate::lint::Pieces>>,
    /// `pictograms/`, each file read when a zone first places it.
    pub pictograms: crate::pictogram::Pictograms,
}

impl Library {
    pub fn slogan(&self, id: &str) -> Option<&Slogan> {
        self.slogans.iter().find(|s| s.id == id)
    }
    /// An item by id; `<item>@<style>` is the item in one of its other styles.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().chain(&self.styled).find(|s| s.id == id)
    }

    /// An item in a style (`None`: its default), or why not, naming the item's styles.
    pub fn item_in_style(&self, id: &str, style: Option<&str>) -> Result<&Item, String> {
        let base = self.items.iter().find(|i| i.id == id).ok_or_else(|| format!("unknown item `{id}`"))?;
        match style {
            None => Ok(base),
            Some(s) if base.variants.first().is_some_and(|v| v.id == s) => Ok(base),
            Some(s) => self
                .item(&format!("{id}@{s}"))
                .ok_or_else(|| format!("item `{id}` has no style `{s}`; its styles are: {}", base.style_list())),
        }
    }

    /// Load and check `slogans/`, `layouts/` and `fonts/` under `root`.
    pub fn load(root: &Path) -> Result<Library, Diagnostics> {
        Library::load_selected(root, None, None)
    }

    /// Load only what a run needs: the slogan files that mention one of
    /// `slogans` and the templates `layouts/<id>.yaml` of `items` (`None`:
    /// everything). A one-poster render then parses two files, not the
    /// library; `check` still reads everything.
    pub fn load_selected(
        root: &Path,
        slogans: Option<&[String]>,
        items: Option<&[String]>,
    ) -> Result<Library, Diagnostics> {
        let mut problems = Diagnostics::default();
        let fonts = match FontBook::load(&root.join("fonts")) {
            Ok(f) => Some(f),
            Err(d) => {
                problems.0.extend(d.0);
                None
            }
        };
        let slogans = load_slogans(&root.join("slogans"), slogans, &mut problems);
        let items = load_items(&root.join("layouts"), fonts.as_ref(), items, &mut problems);
        let words = load_dictionary(root, &mut problems);
        match fonts {
            Some(fonts) if problems.is_empty() => {
                let pictograms = crate::pictogram::Pictograms::new(root.join("pictograms"));
                // Every other style as an item of its own, for lookups by `<item>@<style>`.
                let styled = items
                    .iter()
                    .flat_map(|i| i.variants.iter().skip(1).filter_map(|v| i.styled(Some(&v.id)).ok()))
                    .collect();
                Ok(Library {
                    root: root.to_path_buf(),
                    slogans,
                    items,
                    styled,
                    fonts,
                    words,
                    pieces: Default::default(),
                    pictograms,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Limits on what a slogan file may hold. No item prints more: the longest
/// shipped line has 10 characters and the longest tip 37; a line of 24
/// characters already needs the A2 poster. They also bound the work of
/// layout and lint, which grow with the square of a line's length.
pub mod limits {
    /// Characters in an id (slogan or item); ids become file names.
    pub const ID: usize = 48;
    /// Characters in one authored line of a slogan.
    pub const LINE: usize = 24;
    /// Characters in a tip.
    pub const TIP: usize = 60;
    /// Characters in a topic (posters print it as their heading).
    pub const TOPIC: usize = 12;
    /// Characters in an audience tag, and tags per slogan.
    pub const TAG: usize = 12;
    pub const TAGS: usize = 12;
    /// Words in `lint/dictionary.yaml`.
    pub const DICTIONARY: usize = 5000;
    /// Characters in a slogan's notes for reviewers.
    pub const NOTES: usize = 500;
    /// Characters in a template's footer or heading text.
    pub const TEMPLATE_TEXT: usize = 200;
    /// Characters in a station's name, address, phone or hotline, and bytes in its QR link.
    pub const STATION_NAME: usize = 40;
    pub const ADDRESS: usize = 80;
    pub const PHONE: usize = 32;
    pub const QR_LINK: usize = 300;
    /// Characters in a station's key (its id, or its name) in file names.
    pub const STATION_KEY: usize = 32;
}

/// A pictogram zone: a decoration, inside the safe area (it is content, not
/// a background), drawn solid in its one ink: a stroke, corner radius,
/// bleed or tint would change the drawing the print check measured.
fn check_pictogram_zone(
    zname: &str,
    z: &library::ZoneEntry,
    trim: &library::SizeMm,
    safe: f64,
    loc: &Location,
    err: &mut dyn FnMut(String, &Location, &str),
) {
    if z.role != Role::Decoration {
        err(format!("{zname}: `shape: pictogram` is for decoration zones"), loc, "set `role: decoration`");
    }
    for (field, set) in
        [("stroke", z.stroke.is_some()), ("radius", z.radius.is_some()), ("bleed", z.bleed), ("tint", z.tint.is_some())]
    {
        if set {
            err(
                format!("{zname}: a pictogram takes no `{field}`"),
                loc,
                &format!("remove `{field}`: a pictogram prints solid in the zone's ink"),
            );
        }
    }
    let [x, y, w, h] = z.rect;
    let eps = 1e-6;
    if x < safe - eps || y < safe - eps || x + w > trim.width - safe + eps || y + h > trim.height - safe + eps {
        err(
            format!("{zname}: box [{x}, {y}, {w}, {h}] reaches outside the safe area ({safe} mm inside the trim)"),
            loc,
            "move the pictogram's box inside the safe margin",
        );
    }
}

fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= limits::ID
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        // `--` joins ids in file names (`item--slogan--station`, `--back`).
        && !id.contains("--")
}

/// Characters that print nothing but change what a reader sees or how text
/// runs: zero-width spaces and joiners, direction marks and overrides, line
/// and paragraph separators, the byte-order mark, the soft hyphen.
pub fn invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x061C | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF)
}

const ID_HINT: &str =
    "ids are 1–48 lowercase ASCII letters, digits and single `-` between them (they become file names, joined by `--`)";

fn load_slogans(dir: &Path, only: Option<&[String]>, problems: &mut Diagnostics) -> Vec<Slogan> {
    let Some(ids) = only else {
        return match library::load_all::<SloganFile>(dir) {
            Ok((files, p)) => {
                problems.0.extend(p.0);
                check_slogan_files(files, problems)
            }
            Err(d) => {
                problems.push(d);
                Vec::new()
            }
        };
    };
    // A file that does not contain an id's text cannot define that slogan,
    // unless it writes ids with YAML escapes (`"abc-de\x66"`): such files
    // are read too, so an id means the same to every command.
    let keep = |_: &Path, text: &[u8]| {
        memchr::memchr(b'\\', text).is_some()
            || ids.iter().any(|id| memchr::memmem::find(text, id.as_bytes()).is_some())
    };
    let narrow = |text: &str| narrow_slogans(text, ids);
    // From the files the slogan index says define them (see `slogan_index`),
    // else from every file, noting where they were.
    let listing = match crate::slogan_index::Listing::read(dir) {
        Ok(l) => l,
        Err(d) => {
            problems.push(d);
            return Vec::new();
        }
    };
    let noted = listing.noted(ids);
    let from_index = noted.is_some();
    let files = noted.unwrap_or_else(|| listing.files.clone());
    let (files, p) = library::load_narrowed_from::<SloganFile>(files, keep, narrow);
    problems.0.extend(p.0);
    let slogans = check_slogan_files(files, problems);
    if !from_index && problems.is_empty() {
        let mut found: BTreeMap<String, std::collections::BTreeSet<PathBuf>> = BTreeMap::new();
        // Only the ids asked for: every file that could define one was read
        // (it holds the id's text, or escapes); other ids seen on the way
        // may be defined in files that were skipped.
        for s in slogans.iter().filter(|s| ids.contains(&s.id)) {
            found.entry(s.id.clone()).or_default().insert(s.file.clone());
        }
        listing.note(&found);
    }
    slogans
}

/// A slogan file's text with every entry that cannot be one of `ids`
/// blanked out (its lines kept empty, so locations stay right): a library of
/// 10 000 slogans in 40 files parsed 250 entries to render one. Only for
/// files in the plain block shape jiediqi's own files use — top-level keys,
/// a `slogans:` list whose entries start with `  - ` and continue indented
/// further — with no anchors, aliases, escapes, tabs or document markers
/// (which could tie one entry to another); `None` means parse it all.
pub fn narrow_slogans(text: &str, ids: &[String]) -> Option<String> {
    if text.bytes().any(|b| matches!(b, b'&' | b'*' | b'\\' | b'\t' | b'\r')) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut in_list = false;
    let mut kept = 0usize;
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, out: &mut String, kept: &mut usize| {
        let keep = block.iter().any(|l| ids.iter().any(|id| l.contains(id.as_str())));
        for l in block.drain(..) {
            if keep {
                out.push_str(l);
            }
            out.push('\n');
        }
        *kept += usize::from(keep);
    };
    for line in text.split('\n') {
        if line.starts_with("---") || line.starts_with("...") {
            return None;
        }
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if in_list && line.starts_with("  - ") {
            flush(&mut block, &mut out, &mut kept);
            block.push(line);
        } else if in_list && (line.starts_with("    ") || blank) && !block.is_empty() {
            block.push(line);
        } else if in_list && blank {
            out.push_str(line);
            out.push('\n');
        } else if !line.starts_with(' ') {
            // A top-level key (or the end): the list, if any, is over.
            flush(&mut block, &mut out, &mut kept);
            in_list = line.split('#').next().is_some_and(|k| k.trim_end() == "slogans:");
            out.push_str(line);
            out.push('\n');
        } else {
            return None;
        }
    }
    flush(&mut block, &mut out, &mut kept);
    out.pop();
    (kept > 0).then_some(out)
}

/// Slogan files as parsed, checked: every slogan that passes, every problem
/// of the others collected.
pub fn check_slogan_files(files: Vec<(PathBuf, SloganFile)>, problems: &mut Diagnostics) -> Vec<Slogan> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    for (path, file) in files {
        if file.topic.trim().is_empty() {
            problems.push(Diagnostic::data("topic is empty").in_file(&path).hint("name the topic, e.g. 反诈"));
        }
        let too_long =
            |t: &str| t.trim().is_empty() || t.chars().count() > limits::TOPIC || t.chars().any(char::is_control);
        if let Some(h) = &file.heading
            && too_long(h)
        {
            problems.push(
                Diagnostic::data(format!("heading `{h}` is not a short line"))
                    .in_file(&path)
                    .hint(format!("a heading has 1–{} characters, e.g. 防骗小贴士", limits::TOPIC)),
            );
            continue;
        }
        if file.topic.chars().count() > limits::TOPIC || file.topic.chars().any(char::is_control) {
            problems.push(Diagnostic::data(format!("topic `{}` is not a short name", file.topic)).in_file(&path).hint(
                format!("a topic has at most {} characters and no control characters, e.g. 反诈", limits::TOPIC),
            ));
            continue;
        }
        for entry in file.slogans {
            let line = entry.referenced.line();
            let loc = Location::at(&path, line, entry.referenced.column());
            let s = entry.value;
            let mut bad = false;
            if !id_ok(&s.id) {
                let shown: String = s.id.chars().take(limits::ID + 1).collect();
                problems.push(
                    Diagnostic::data(format!("slogan id `{shown}` is not filename-safe")).at(loc.clone()).hint(ID_HINT),
                );
                bad = true;
            }
            if let Some(first) = seen.get(&s.id) {
                problems.push(
                    Diagnostic::data(format!("slogan id `{}` is used twice (first at {first})", s.id))
                        .at(loc.clone())
                        .hint("give each slogan its own id"),
                );
                bad = true;
            } else {
                seen.insert(s.id.clone(), loc.clone());
            }
            if s.lines.is_empty() || s.lines.len() > 2 {
                problems.push(
                    Diagnostic::data(format!("slogan `{}` has {} lines", s.id, s.lines.len()))
                        .at(loc.clone())
                        .hint("a slogan has one or two lines; put practical advice in `tip`"),
                );
                bad = true;
            }
            let texts = s.lines.iter().chain(s.tip.iter());
            if texts.clone().any(|l| !l.chars().any(char::is_alphanumeric)) {
                problems.push(
                    Diagnostic::data(format!("slogan `{}` has a line without words", s.id))
                        .at(loc.clone())
                        .hint("remove the empty line, or write words in it"),
                );
                bad = true;
            }
            let long = |t: &String, max: usize| t.chars().count() > max;
            if s.lines.iter().any(|l| long(l, limits::LINE)) || s.tip.as_ref().is_some_and(|t| long(t, limits::TIP)) {
                problems.push(
                    Diagnostic::data(format!("slogan `{}` is too long to print", s.id))
                        .at(loc.clone())
                        .hint(format!(
                            "a line has at most {} characters and a tip at most {}: say it shorter, or split it into two slogans",
                            limits::LINE,
                            limits::TIP
                        )),
                );
                bad = true;
            }
            if s.audience.len() > limits::TAGS
                || s.audience.iter().any(|a| long(a, limits::TAG) || a.chars().any(char::is_control))
                || [&s.notes, &s.source, &s.verify].iter().any(|n| n.as_ref().is_some_and(|n| long(n, limits::NOTES)))
                || s.accept.len() > limits::TAGS
                || s.accept.iter().any(|(k, v)| long(k, limits::ID) || long(v, limits::NOTES))
                || s.items.as_ref().is_some_and(|i| i.len() > 100 || i.iter().any(|x| x.len() > limits::ID))
            {
                problems.push(
                    Diagnostic::data(format!("slogan `{}`: audience, items, notes, source, verify or accept are too long", s.id))
                        .at(loc.clone())
                        .hint(format!(
                            "at most {} audience tags of {} characters; notes, source, verify and each accept reason of {} characters",
                            limits::TAGS,
                            limits::TAG,
                            limits::NOTES
                        )),
                );
                bad = true;
            }
            if bad {
                continue;
            }
            if let Some(c) = texts.clone().flat_map(|l| l.chars()).find(|&c| invisible(c)) {
                problems.push(
                    Diagnostic::data(format!("slogan `{}` contains the invisible character U+{:04X}", s.id, c as u32))
                        .at(loc.clone())
                        .hint("remove it: zero-width and direction marks print nothing and can hide what a line says"),
                );
                bad = true;
            }
            if let Some(c) = texts.flat_map(|l| l.chars()).find(|c| c.is_control()) {
                problems.push(
                    Diagnostic::data(format!("slogan `{}` contains the control character {}", s.id, c.escape_debug()))
                        .at(loc.clone())
                        .hint("one YAML list entry per line; no tabs or line breaks inside a line"),
                );
                bad = true;
            }
            if !bad {
                out.push(Slogan {
                    id: s.id,
                    topic: file.topic.trim().to_string(),
                    heading: file.heading.as_deref().unwrap_or(&file.topic).trim().to_string(),
                    lines: s.lines.iter().map(|l| l.trim().to_string()).collect(),
                    tip: s.tip.map(|t| t.trim().to_string()),
                    audience: s.audience,
                    items: s.items,
                    notes: s.notes,
                    source: s.source,
                    verify: s.verify,
                    accept: s.accept,
                    file: path.clone(),
                    line,
                });
            }
        }
    }
    out
}

/// The project's words (`lint/dictionary.yaml`; none when the file is absent).
fn load_dictionary(root: &Path, problems: &mut Diagnostics) -> Segmenter {
    let path = root.join("lint").join("dictionary.yaml");
    if !path.exists() {
        return Segmenter::default();
    }
    let file: library::DictionaryFile = match library::load_yaml(&path) {
        Ok(f) => f,
        Err(d) => {
            problems.push(d);
            return Segmenter::default();
        }
    };
    if file.words.len() > limits::DICTIONARY {
        problems.push(
            Diagnostic::data(format!("{} has {} words", path.display(), file.words.len()))
                .at(Location::file(&path))
                .hint(format!("keep at most {} words: the domain words jieba's dictionary lacks", limits::DICTIONARY)),
        );
    }
    for w in &file.words {
        let bad = w.value.trim().is_empty()
            || w.value.chars().count() > limits::LINE
            || w.value.chars().any(|c| c.is_whitespace() || c.is_control());
        if bad {
            problems.push(
                Diagnostic::data(format!("dictionary word `{}` is not a word", w.value.escape_debug()))
                    .at(Location::at(&path, w.referenced.line(), w.referenced.column()))
                    .hint(format!("one word per entry, 1 to {} characters, no spaces", limits::LINE)),
            );
        }
    }
    Segmenter::new(file.words.iter().map(|w| w.value.as_str()))
}

/// A spot ink name a RIP will not treat specially.
pub fn spot_name_ok(name: &str) -> bool {
    let reserved = ["all", "none", "dieline", "cutcontour", "cyan", "magenta", "yellow", "black"];
    !name.trim().is_empty() && name.trim() == name && !reserved.contains(&name.to_lowercase().as_str())
}

pub fn parse_hex(s: &str) -> Option<Rgb> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some(Rgb(p(0)?, p(2)?, p(4)?))
}

fn load_items(dir: &Path, fonts: Option<&FontBook>, only: Option<&[String]>, problems: &mut Diagnostics) -> Vec<Item> {
    // By file name alone: the other templates are not even read.
    let keep = |p: &Path| {
        only.is_none_or(|ids| p.file_stem().and_then(|s| s.to_str()).is_some_and(|s| ids.iter().any(|i| i == s)))
    };
    let files = match library::load_named::<ItemFile>(dir, keep) {
        Ok((files, p)) => {
            problems.0.extend(p.0);
            files
        }
        Err(d) => {
            problems.push(d);
            return Vec::new();
        }
    };
    let mut out: Vec<Item> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (path, raw) in files {
        let before = problems.0.len();
        let id = raw.id.value.clone();
        if let Some(first) = seen.get(&id) {
            // `poster-a3.yaml` and `poster-a3.yml`: both would write one file name.
            problems.push(
                Diagnostic::data(format!("item id `{id}` is defined twice (first in {})", first.display()))
                    .at(Location::at(&path, raw.id.referenced.line(), raw.id.referenced.column()))
                    .hint("keep one template per item id: remove or rename one of the files"),
            );
            continue;
        }
        seen.insert(id, path.clone());
        let item = check_item(&path, raw, fonts, problems);
        if problems.0.len() == before {
            out.push(item);
        }
    }
    out
}

/// One template as parsed, checked; its problems go to `problems`.
pub fn check_item(path: &Path, mut raw: ItemFile, fonts: Option<&FontBook>, problems: &mut Diagnostics) -> Item {
    let styles = std::mem::take(&mut raw.styles);
    let default =
        raw.style.clone().unwrap_or_else(|| library::StyleName { id: "standard".into(), name: "标准版".into() });
    let mut variants = Vec::new();
    // Each style is the template with its zones (and background) swapped in,
    // checked the same way; only what concerns the style itself is reported
    // again (the rest was said of the default design).
    for s in &styles {
        let loc = Location::at(path, s.referenced.line(), s.referenced.column());
        let st = &s.value;
        let known = std::iter::once(default.id.as_str()).chain(variants.iter().map(|v: &Variant| v.id.as_str()));
        if known.clone().any(|k| k == st.id) || !id_ok(&st.id) {
            problems.push(
                Diagnostic::data(format!(
                    "item `{}`: style id `{}` is not filename-safe or is used twice",
                    raw.id.value,
                    st.id.escape_debug()
                ))
                .at(loc.clone())
                .hint("give each style its own id of lowercase letters a-z, digits and `-`, e.g. `dazi`"),
            );
        }
        let mut one = raw.clone();
        one.zones = st.zones.clone();
        if st.background.is_some() {
            one.background = st.background.clone();
        }
        let label = format!(" style `{}`", st.id);
        let mut own = Diagnostics::default();
        let item = check_variant(path, one, fonts, &mut own, &label);
        problems.0.extend(own.0.into_iter().filter(|d| d.message.contains(&label)));
        variants.push(Variant {
            id: st.id.clone(),
            name: st.name.clone(),
            notes: st.notes.clone(),
            zones: item.zones,
            background: item.background,
        });
    }
    if !id_ok(&default.id) {
        problems.push(
            Diagnostic::data(format!(
                "item `{}`: style id `{}` is not filename-safe",
                raw.id.value,
                default.id.escape_debug()
            ))
            .at(Location::file(path))
            .hint("use lowercase letters a-z, digits and `-`, e.g. `tuwen`"),
        );
    }
    let mut item = check_variant(path, raw, fonts, problems, "");
    variants.insert(
        0,
        Variant {
            id: default.id,
            name: default.name,
            notes: None,
            zones: item.zones.clone(),
            background: item.background,
        },
    );
    item.variants = variants;
    item
}

/// One design of an item: the template with one set of zones. `label` names
/// the style in every problem of its zones (empty for the default design).
fn check_variant(
    path: &Path,
    raw: ItemFile,
    fonts: Option<&FontBook>,
    problems: &mut Diagnostics,
    label: &str,
) -> Item {
    let file_loc = Location::file(path);
    let at = |line: u64, column: u64| Location::at(path, line, column);
    let id_loc = at(raw.id.referenced.line(), raw.id.referenced.column());
    let (trim, trim_loc) = (raw.trim.value, at(raw.trim.referenced.line(), raw.trim.referenced.column()));
    let (bleed, bleed_loc) = (raw.bleed.value, at(raw.bleed.referenced.line(), raw.bleed.referenced.column()));
    let (safe, safe_loc) = (raw.safe.value, at(raw.safe.referenced.line(), raw.safe.referenced.column()));
    let (minimums, min_loc) =
        (raw.minimums.value, at(raw.minimums.referenced.line(), raw.minimums.referenced.column()));
    let (substrate_text, substrate_loc) = match &raw.substrate {
        Some(s) => (s.value.clone(), at(s.referenced.line(), s.referenced.column())),
        None => ("#ffffff".to_string(), file_loc.clone()),
    };
    let die = raw.die_line.as_ref().map(|d| (d.value.clone(), at(d.referenced.line(), d.referenced.column())));
    let raw_inks: Vec<(InkEntry, Location)> =
        raw.inks.iter().map(|i| (i.value.clone(), at(i.referenced.line(), i.referenced.column()))).collect();
    let mut err = |msg: String, loc: &Location, hint: &str| {
        problems.push(Diagnostic::data(msg).at(loc.clone()).hint(hint.to_string()));
    };
    let id = raw.id.value.clone();
    let who = format!("item `{id}`{label}");
    if !id_ok(&id) {
        err(format!("item id `{}` is not filename-safe", id), &id_loc, ID_HINT);
    }
    if path.file_stem().and_then(|s| s.to_str()) != Some(id.as_str()) {
        err(format!("item id `{}` differs from its file name", id), &id_loc, "name the file <id>.yaml");
    }
    // PDF pages are at most 200 in (5080 mm) a side, slug and bleed included.
    let in_range = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
    if !(in_range(trim.width, 1.0, 5000.0) && in_range(trim.height, 1.0, 5000.0)) {
        err(
            format!("item `{id}`: trim size {}×{} mm is out of range", trim.width, trim.height),
            &trim_loc,
            "give width and height in mm, 1–5000 (longer banners must be tiled by the printer)",
        );
    }
    if !in_range(bleed, 0.0, 20.0) {
        err(
            format!("item `{id}`: bleed {} mm is out of range", bleed),
            &bleed_loc,
            "bleed is 0–20 mm: 3 mm for offset print, 6 mm for fabric, 20 mm for cloth banners",
        );
    }
    let short_side = trim.width.min(trim.height);
    if !in_range(safe, 0.0, short_side / 2.0) {
        err(
            format!("item `{id}`: safe margin {} mm is out of range", safe),
            &safe_loc,
            "the safe margin is 3–5 mm for paper, 6 mm for fabric",
        );
    }
    if !in_range(minimums.text_height, 0.5, 500.0)
        || !in_range(minimums.stroke, 0.05, 50.0)
        || minimums.qr_module.is_some_and(|q| !in_range(q, 0.1, 50.0))
        || minimums.ink_total.is_some_and(|t| !in_range(t, 50.0, 400.0))
        || minimums.image_ppi.is_some_and(|p| !in_range(p, 10.0, 2400.0))
    {
        err(
            format!("item `{id}`: minimums must be positive sizes in mm"),
            &min_loc,
            "see shared/PRINT.md: text ≥ 6 pt (about 2.1 mm) on paper, ≥ 3 mm on fabric; strokes ≥ 0.2 mm; ink_total is a percentage (50–400), image_ppi pixels per inch",
        );
    }
    let line_screen = match &raw.line_screen {
        Some(l) if !in_range(l.value, 10.0, 200.0) => {
            err(
                format!("item `{id}`: line_screen {} is out of range", l.value),
                &at(l.referenced.line(), l.referenced.column()),
                "give lines an inch, 10–200 (screen print on fabric 35–55, on card 55–85)",
            );
            45.0
        }
        Some(l) => l.value,
        None => 45.0,
    };
    if let Some((d, dloc)) = &die
        && !in_range(d.corner_radius, 0.0, short_side / 2.0)
    {
        err(
            format!("item `{id}`: die line corner radius {} mm is out of range", d.corner_radius),
            dloc,
            "give a radius in mm, at most half the short side",
        );
    }
    let die_geom =
        die.as_ref().and_then(|(d, dloc)| check_die(&id, d, [trim.width, trim.height, bleed], dloc, problems));
    let mut err = |msg: String, loc: &Location, hint: &str| {
        problems.push(Diagnostic::data(msg).at(loc.clone()).hint(hint.to_string()));
    };
    // What the job sheet tells the shop about the product.
    let product = raw.product_size.value;
    let product_loc = at(raw.product_size.referenced.line(), raw.product_size.referenced.column());
    if !(in_range(product.width, 1.0, 50_000.0) && in_range(product.height, 1.0, 50_000.0)) {
        err(
            format!("item `{id}`: product size {}×{} mm is out of range", product.width, product.height),
            &product_loc,
            "give the finished product's width and height in mm",
        );
    } else if raw.repeat.is_none()
        && raw.folds.is_empty()
        // A wrap's blank is the product's surface rolled out (a cup's wall).
        && !raw.die_line.as_ref().is_some_and(|d| d.value.shape == DieShape::Sector)
        && (trim.width > product.width + 0.01 || trim.height > product.height + 0.01)
    {
        // The print area lies on the product (an n-up sheet or a folded leaflet is bigger than its piece).
        err(
            format!(
                "item `{id}`: the print area (trim {}×{} mm) is larger than the product ({}×{} mm)",
                trim.width, trim.height, product.width, product.height
            ),
            &product_loc,
            "product_size is the finished product (the whole bag); the trim is the print area on it",
        );
    }
    // A file name in mockups/, nothing that climbs out of it.
    let mockup = raw.mockup.as_ref().map(|m| m.value.clone());
    if let Some(m) = &raw.mockup
        && (m.value.is_empty()
            || m.value.len() > 64
            || !m.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        err(
            format!("item `{id}`: mockup `{}` is not a drawing name", crate::diag::term(&m.value)),
            &at(m.referenced.line(), m.referenced.column()),
            "name a file of mockups/ without `.svg`: lower-case letters, digits and `-`, e.g. `mockup: bag-nonwoven`",
        );
    }
    if !(1..=2).contains(&raw.sides.value) {
        err(
            format!("item `{id}`: sides {} is not 1 or 2", raw.sides.value),
            &at(raw.sides.referenced.line(), raw.sides.referenced.column()),
            "give the faces this file prints: 1 (one face) or 2",
        );
    }
    let finishing_loc = at(raw.finishing.referenced.line(), raw.finishing.referenced.column());
    let texts = [("print_position", &raw.print_position), ("colour", &raw.colour), ("ink_type", &raw.ink_type)];
    for (key, text) in texts.into_iter().chain(raw.finishing.value.iter().map(|f| ("finishing", f))) {
        if text.trim().is_empty() || text.chars().count() > 120 || text.chars().any(char::is_control) {
            err(
                format!("item `{id}`: `{key}` is empty, longer than 120 characters or on several lines"),
                if key == "finishing" { &finishing_loc } else { &file_loc },
                "write it for the print shop in Chinese, on one line",
            );
        }
    }
    let takes = raw.takes.as_ref().map(|t| t.value).unwrap_or_default();
    if let Some(t) = &raw.takes
        && (t.value.lines.is_some_and(|n| !(1..=2).contains(&n))
            || t.value.chars.is_some_and(|n| !(1..=limits::LINE).contains(&n)))
    {
        err(
            format!("item `{id}`: takes asks for slogans no slogan can be"),
            &at(t.referenced.line(), t.referenced.column()),
            &format!("slogans have 1 or 2 lines of at most {} characters", limits::LINE),
        );
    }
    // Copies of the first piece: what each zone and the die line reach once
    // repeated must stay on the sheet (checked with the zones below).
    let copies: Vec<[f64; 2]> =
        match raw.repeat.as_ref().map(|r| (r.value, at(r.referenced.line(), r.referenced.column()))) {
            None => vec![[0.0, 0.0]],
            Some((Repeat { columns, rows, pitch }, rloc)) => {
                if !((1..=50).contains(&columns)
                    && (1..=50).contains(&rows)
                    && pitch.iter().all(|p| p.is_finite() && *p > 0.0 && *p <= 5000.0))
                {
                    err(
                        format!("item `{id}`: repeat {columns} × {rows} at a pitch of {pitch:?} mm is out of range"),
                        &rloc,
                        "give 1–50 columns and rows and a positive pitch [dx, dy] in mm",
                    );
                    vec![[0.0, 0.0]]
                } else {
                    (0..rows)
                        .flat_map(|r| (0..columns).map(move |c| [c as f64 * pitch[0], r as f64 * pitch[1]]))
                        .collect()
                }
            }
        };
    let reach = copies.iter().fold([0.0f64, 0.0f64], |m, c| [m[0].max(c[0]), m[1].max(c[1])]);
    if reach != [0.0, 0.0] && !raw.folds.is_empty() {
        err(format!("item `{id}`: a repeated piece cannot have folds"), &file_loc, "remove `repeat` or `folds`");
    }
    if reach != [0.0, 0.0] && raw.underbase.is_some() {
        err(
            format!("item `{id}`: a repeated piece cannot have an underbase yet"),
            &file_loc,
            "remove `repeat` or `underbase`",
        );
    }
    if let Some(r) = &raw.repeat
        && let Some(d) = &die_geom
    {
        let [x0, y0, x1, y1] = d.bounds(trim.width, trim.height);
        let [dx, dy] = r.value.pitch;
        let overlap = (r.value.columns > 1 && dx + 1e-6 < x1 - x0) || (r.value.rows > 1 && dy + 1e-6 < y1 - y0);
        let off = x1 + reach[0] > trim.width + 1e-6 || y1 + reach[1] > trim.height + 1e-6 || x0 < -1e-6 || y0 < -1e-6;
        if overlap || off {
            err(
                format!(
                    "item `{id}`: the repeated cuts overlap or run off the sheet ({} × {} mm each, pitch {dx} × {dy})",
                    x1 - x0,
                    y1 - y0
                ),
                &at(r.referenced.line(), r.referenced.column()),
                "give a pitch at least the piece's size, and a sheet that holds every copy",
            );
        }
    }
    for b in &raw.keep_clear {
        if !(b.iter().all(|v| v.is_finite()) && b[2] > 0.0 && b[3] > 0.0) {
            err(
                format!("item `{id}`: keep_clear box {b:?} is not a box"),
                &file_loc,
                "give each area as [x, y, width, height] in mm, width and height above 0",
            );
        }
    }
    let mut last_fold = 0.0;
    for &f in &raw.folds {
        if !(f.is_finite() && f > last_fold && f < trim.width) {
            err(
                format!("item `{id}`: fold at {f} mm is not inside the trim, left to right"),
                &file_loc,
                "give each fold's distance from the trim's left edge in mm, in increasing order",
            );
        }
        last_fold = f;
    }
    let substrate = parse_hex(&substrate_text).unwrap_or_else(|| {
        err(
            format!("item `{id}`: substrate `{}` is not a #rrggbb colour", substrate_text),
            &substrate_loc,
            "write e.g. \"#f4efe4\"",
        );
        Rgb(255, 255, 255)
    });
    // Inks.
    let mut inks = Vec::new();
    let mut ink_ids: BTreeMap<String, usize> = BTreeMap::new();
    for (ink, ink_loc) in &raw_inks {
        if ink_ids.insert(ink.id.clone(), inks.len()).is_some() {
            err(format!("item `{id}`: ink `{}` is defined twice", ink.id), ink_loc, "give each ink its own id");
        }
        // Each spot ink's film is a file named after its id (`<design>.ink-<id>.svg`).
        if !id_ok(&ink.id) || ink.id == "dieline" {
            err(
                format!("item `{id}`: ink id `{}` cannot name a file", ink.id.escape_debug()),
                ink_loc,
                "use lowercase letters a-z, digits and `-`, e.g. `red` (not `dieline`, the die line's own)",
            );
        }
        if ink.cmyk.iter().any(|v| !(0.0..=100.0).contains(v)) {
            err(
                format!("item `{id}`: ink `{}` has CMYK values outside 0–100", ink.id),
                ink_loc,
                "CMYK values are percentages",
            );
        }
        if let Some(name) = &ink.spot {
            if !spot_name_ok(name) {
                err(
                    format!("item `{id}`: ink `{}` has the spot name `{name}`, which a RIP treats specially", ink.id),
                    ink_loc,
                    "use the ink's real name, e.g. \"PANTONE 186 C\"",
                );
            }
            if raw_inks.iter().filter(|(o, _)| o.spot.as_deref() == Some(name)).count() > 1 {
                err(
                    format!("item `{id}`: spot ink `{name}` is defined twice"),
                    ink_loc,
                    "give each spot ink one entry",
                );
            }
        }
        let cmyk = ink.cmyk.map(|v| v / 100.0);
        let kind = match (&ink.spot, raw.process.uses_spot_inks()) {
            (Some(name), true) => InkKind::Spot { name: name.clone(), cmyk },
            (None, false) => InkKind::Process { cmyk },
            (None, true) => {
                err(
                    format!(
                        "item `{id}`: ink `{}` has no spot name, but {} prints with named spot inks",
                        ink.id,
                        raw.process.label()
                    ),
                    ink_loc,
                    "add `spot: \"PANTONE …\"` to the ink",
                );
                InkKind::Process { cmyk }
            }
            (Some(_), false) => {
                err(
                    format!("item `{id}`: ink `{}` is a spot ink, but {} prints in CMYK", ink.id, raw.process.label()),
                    ink_loc,
                    "remove `spot:` or change the process to screen-print",
                );
                InkKind::Process { cmyk }
            }
        };
        let preview = ink.preview.as_ref().and_then(|h| {
            let rgb = parse_hex(h);
            if rgb.is_none() {
                err(
                    format!("item `{id}`: ink `{}` preview `{h}` is not #rrggbb", ink.id),
                    ink_loc,
                    "write e.g. \"#c8102e\"",
                );
            }
            rgb
        });
        inks.push(Ink { id: ink.id.clone(), kind, preview });
    }
    if inks.is_empty() {
        err(format!("item `{id}` has no inks"), &file_loc, "list the inks the item prints with");
    }
    if raw.process.uses_spot_inks() && inks.len() > 6 {
        err(
            format!("item `{id}`: {} spot inks; screen printing takes at most 6", inks.len()),
            &file_loc,
            "use fewer inks",
        );
    }
    let ink_ref = |name: &Option<String>,
                   what: &str,
                   loc: &Location,
                   problems_err: &mut dyn FnMut(String, &Location, &str)|
     -> Option<usize> {
        let name = name.as_ref()?;
        match ink_ids.get(name) {
            Some(&i) => Some(i),
            None => {
                problems_err(
                    format!("{who}: {what} uses unknown ink `{name}`"),
                    loc,
                    &format!("use one of: {}", ink_ids.keys().cloned().collect::<Vec<_>>().join(", ")),
                );
                None
            }
        }
    };
    let background = ink_ref(&raw.background, "background", &file_loc, &mut err);
    // Named `CutContour`, the spot name cutters and their RIPs (VersaWorks,
    // Summa, Mimaki) take for a cut path; its alternate only shows on screen.
    let die_line = die_geom.map(|d| {
        inks.push(Ink {
            id: "dieline".into(),
            kind: InkKind::Technical { name: "CutContour".into(), cmyk: [0.0, 1.0, 0.0, 0.0] },
            preview: None,
        });
        (d, inks.len() - 1)
    });
    // Zones.
    let zone_ids: Vec<String> = raw.zones.iter().map(|z| z.value.id.clone()).collect();
    let mut zones = Vec::new();
    for (zi, z) in raw.zones.iter().enumerate() {
        let loc = Location::at(path, z.referenced.line(), z.referenced.column());
        let zline = z.referenced.line();
        let z = &z.value;
        let zname = format!("{who} zone `{}`", z.id);
        if zone_ids[..zi].contains(&z.id) {
            err(format!("{zname} is defined twice"), &loc, "give each zone its own id");
        }
        let [x, y, w, h] = z.rect;
        if !(z.rect.iter().all(|v| v.is_finite()) && w > 0.0 && h > 0.0) {
            err(format!("{zname}: box width and height must be positive"), &loc, "box is [x, y, width, height] in mm");
        }
        if let Some(ls) = z.line_spacing
            && !in_range(ls, 1.0, 3.0)
        {
            err(
                format!("{zname}: line_spacing {ls} is out of range"),
                &loc,
                "line_spacing is 1–3 times the font size (1.2–1.4 is usual)",
            );
        }
        if let Some(t) = z.tint
            && !in_range(t, 8.0, 100.0)
        {
            err(
                format!("{zname}: tint {t} % is out of range"),
                &loc,
                "tints are 8–100 %: lighter ones do not print reliably (PRINT.md)",
            );
        }
        if let Some(r) = z.radius
            && !in_range(r, 0.0, w.min(h) / 2.0)
        {
            err(format!("{zname}: radius {r} mm is out of range"), &loc, "at most half the box's short side");
        }
        for (what, v) in [("min_height", z.min_height), ("max_height", z.max_height)] {
            if let Some(v) = v
                && !in_range(v, 0.1, 5000.0)
            {
                err(format!("{zname}: {what} {v} mm is out of range"), &loc, "give a character height in mm");
            }
        }
        if let Some(t) = &z.text
            && t.trim().is_empty()
        {
            err(format!("{zname}: text is empty"), &loc, "write the footer, e.g. \"{name}　电话：{phone}\"");
        }
        if let Some(t) = &z.text
            && (t.chars().count() > limits::TEMPLATE_TEXT || t.chars().any(char::is_control))
        {
            err(
                format!("{zname}: text is too long or has control characters"),
                &loc,
                &format!("at most {} characters on one line", limits::TEMPLATE_TEXT),
            );
        }
        for o in &z.overlaps {
            if !zone_ids.contains(o) || o == &z.id {
                err(format!("{zname}: overlaps names unknown zone `{o}`"), &loc, "name another zone of this item");
            }
        }
        let text_zone = matches!(z.role, Role::Slogan | Role::Tip | Role::Footer | Role::Heading);
        let eps = 1e-6;
        if text_zone || matches!(z.role, Role::Qr | Role::Image) {
            let s = safe;
            if x < s - eps
                || y < s - eps
                || x + w + reach[0] > trim.width - s + eps
                || y + h + reach[1] > trim.height - s + eps
            {
                err(
                    format!("{zname}: box [{x}, {y}, {w}, {h}] reaches outside the safe area ({s} mm inside the trim)"),
                    &loc,
                    "move the box inside the safe margin",
                );
            }
        } else if x < -bleed - eps
            || y < -bleed - eps
            || x + w + reach[0] > trim.width + bleed + eps
            || y + h + reach[1] > trim.height + bleed + eps
        {
            err(format!("{zname}: box reaches outside the bleed"), &loc, "keep decorations within trim + bleed");
        }
        if z.role == Role::Image && matches!(die_line, Some((Die::Sector { .. }, _))) {
            err(
                format!("{zname}: a picture cannot be bent round a ring-piece (sector) die line"),
                &loc,
                "leave the station's pictures off this item (its artwork is bent to wrap round a cup)",
            );
        }
        if (text_zone || matches!(z.role, Role::Qr | Role::Image))
            && let Some(d) = die_line.as_ref().map(|(d, _)| d)
            && !matches!(d, Die::Rect { .. })
            && !d.holds_box([x, y, w, h], trim.width, trim.height, safe)
        {
            err(
                format!(
                    "{zname}: box [{x}, {y}, {w}, {h}] reaches outside the die line's safe area ({safe} mm inside the cut)"
                ),
                &loc,
                "move or shrink the box so that its corners lie inside the cut, a safe margin from its edge",
            );
        }
        if text_zone || matches!(z.role, Role::Qr | Role::Image) {
            for b in &raw.keep_clear {
                if x < b[0] + b[2] - eps && x + w > b[0] + eps && y < b[1] + b[3] - eps && y + h > b[1] + eps {
                    err(
                        format!(
                            "{zname}: box [{x}, {y}, {w}, {h}] lies in the keep_clear area {b:?}, which the product's use covers"
                        ),
                        &loc,
                        "move the box out of the area (a desk mat's keyboard and mouse), or change `keep_clear`",
                    );
                }
            }
            for &f in &raw.folds {
                // The back is turned over: its folds lie mirrored.
                let f = if z.side.unwrap_or(1) > 1 { trim.width - f } else { f };
                if x < f + safe - eps && x + w > f - safe + eps {
                    err(
                        format!("{zname}: box [{x}, {y}, {w}, {h}] comes within {safe} mm of the fold at {f} mm"),
                        &loc,
                        "keep text and QR codes a safe margin away from every fold, within one panel",
                    );
                }
            }
        }
        if (z.line.is_some() || z.one_line) && z.role != Role::Slogan {
            err(format!("{zname}: `line` and `one_line` are for slogan zones"), &loc, "remove them from this zone");
        }
        if z.chunks && (z.role != Role::Tip || z.direction == crate::library::Direction::Vertical) {
            err(
                format!("{zname}: `chunks` is for tip zones set across (not down a column)"),
                &loc,
                "remove it from this zone",
            );
        }
        if let Some(n) = z.line
            && (z.one_line
                || !(1..=2).contains(&n)
                || raw.takes.as_ref().is_none_or(|t| t.value.lines.is_none_or(|l| n > l)))
        {
            err(
                format!("{zname}: line {n} is not a line every slogan of this item has"),
                &loc,
                "give `takes: {lines: N}` and a line from 1 to N (not with one_line)",
            );
        }
        let ink = ink_ref(&z.ink, &format!("zone `{}`", z.id), &loc, &mut err);
        if (text_zone || z.role == Role::Decoration || z.role == Role::Qr) && z.ink.is_none() {
            err(format!("{zname} has no ink"), &loc, "add `ink:` with one of the item's inks");
        }
        if text_zone {
            match &z.font {
                None => err(format!("{zname} has no font role"), &loc, "add `font:` (heavy, sans or kai)"),
                Some(f) => {
                    if let Some(book) = fonts
                        && !book.has_role(f)
                    {
                        err(
                            format!("{zname}: unknown font role `{f}`"),
                            &loc,
                            &format!("use one of: {}", book.role_names().collect::<Vec<_>>().join(", ")),
                        );
                    }
                }
            }
            match z.min_height {
                None => {
                    err(format!("{zname} has no min_height"), &loc, "give the smallest legible character height in mm")
                }
                Some(m) if m + eps < minimums.text_height => err(
                    format!(
                        "{zname}: min_height {m} mm is below the item's minimum text height {} mm",
                        minimums.text_height
                    ),
                    &loc,
                    "raise min_height",
                ),
                _ => {}
            }
            if let (Some(lo), Some(hi)) = (z.min_height, z.max_height)
                && hi < lo
            {
                err(format!("{zname}: max_height is below min_height"), &loc, "swap them");
            }
        }
        if z.role == Role::Heading && z.text.is_none() {
            err(format!("{zname}: a heading needs `text`, e.g. \"{{heading}}\""), &loc, "add `text:`");
        }
        if z.role == Role::Footer && z.text.is_none() {
            err(format!("{zname}: a footer needs `text`, e.g. \"{{name}}　电话：{{phone}}\""), &loc, "add `text:`");
        }
        if let Some(s) = z.stroke
            && !(s.is_finite() && s > 0.0 && s <= 50.0)
        {
            err(format!("{zname}: stroke {s} mm is out of range"), &loc, "give a stroke width in mm");
        } else if let Some(s) = z.stroke
            && s + eps < minimums.stroke
        {
            err(
                format!("{zname}: stroke {s} mm is thinner than the item's minimum {} mm", minimums.stroke),
                &loc,
                "use a thicker stroke",
            );
        }
        if z.role == Role::Decoration && matches!(z.shape, Shape::Frame | Shape::Line) && z.stroke.is_none() {
            err(format!("{zname}: a {:?} needs `stroke` (mm)", z.shape).to_lowercase(), &loc, "add `stroke:`");
        }
        if z.shape == Shape::Pictogram {
            check_pictogram_zone(&zname, z, &trim, safe, &loc, &mut err);
        }
        if let Some(name) = &z.pictogram
            && (z.shape != Shape::Pictogram
                || name.is_empty()
                || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            err(
                format!("{zname}: `pictogram: {name}` names no pictogram of a pictogram zone"),
                &loc,
                "give `shape: pictogram` and the name of a file in pictograms/ without `.svg` (lowercase letters, digits, `-`)",
            );
        }
        if let Some(n) = z.side
            && !(1..=raw.sides.value).contains(&n)
        {
            err(
                format!("{zname}: side {n} is not a side of this item (sides: {})", raw.sides.value),
                &loc,
                "give `side: 1` (the front) or, on an item with `sides: 2`, `side: 2` (the back)",
            );
        }
        if z.role == Role::Image {
            if z.source.is_none() {
                err(
                    format!("{zname}: an image zone needs `source`"),
                    &loc,
                    "add `source: logo`, `source: photo` or `source: qr_image` (the station file's picture)",
                );
            }
            let one_ink = raw.process.uses_spot_inks()
                || matches!(z.print_as, Some(PrintAs::Threshold | PrintAs::Halftone))
                || matches!(z.source, Some(Source::Logo | Source::QrImage));
            if one_ink && z.ink.is_none() {
                err(
                    format!("{zname} has no ink"),
                    &loc,
                    "add `ink:`: a QR code, a logo (SVG or threshold) and any picture on a spot-ink item print in one ink",
                );
            }
            if z.print_as == Some(PrintAs::Colour) && raw.process.uses_spot_inks() {
                err(
                    format!("{zname}: `print_as: colour` needs process colour, and this item prints spot inks"),
                    &loc,
                    "use `print_as: halftone` (a photo) or `print_as: threshold` (a logo, a QR code)",
                );
            }
            if z.source == Some(Source::QrImage) && matches!(z.print_as, Some(PrintAs::Colour | PrintAs::Halftone)) {
                err(
                    format!("{zname}: a QR code prints by threshold (solid modules in one ink)"),
                    &loc,
                    "remove `print_as`, or set `print_as: threshold`",
                );
            }
        } else if z.source.is_some() || z.print_as.is_some() || z.fit != Fit::Contain {
            err(
                format!("{zname}: `source`, `fit` and `print_as` are for image zones"),
                &loc,
                "set `role: image`, or remove them",
            );
        }
        let mut grow = Vec::new();
        for g in &z.grow {
            match zone_ids.iter().position(|i| i == g) {
                // Only text and QR zones lie inside the safe area: growing into a
                // decoration could push text to the trim edge.
                Some(i) if i != zi && matches!(raw.zones[i].value.role, Role::Tip | Role::Footer | Role::Qr) => {
                    grow.push(i)
                }
                Some(_) => err(
                    format!("{zname}: grow may only name tip, footer or qr zones, not `{g}`"),
                    &loc,
                    "remove it from grow",
                ),
                None => err(format!("{zname}: grow names unknown zone `{g}`"), &loc, "name a zone of this item"),
            }
        }
        zones.push(Zone {
            id: z.id.clone(),
            role: z.role,
            rect: z.rect,
            ink,
            font: z.font.clone(),
            align: z.align,
            valign: z.valign,
            direction: z.direction,
            min_height: z.min_height.unwrap_or(minimums.text_height),
            max_height: z.max_height,
            line_spacing: z.line_spacing.unwrap_or(1.25),
            text: z.text.clone(),
            grow,
            shape: z.shape,
            stroke: z.stroke,
            radius: z.radius.unwrap_or(0.0),
            bleed: z.bleed,
            tint: z.tint.unwrap_or(100.0) / 100.0,
            slogan_line: z.line.map(|n| n.saturating_sub(1)),
            one_line: z.one_line,
            chunks: z.chunks,
            side: usize::from(z.side.unwrap_or(1).max(1)) - 1,
            source: z.source,
            fit: z.fit,
            print_as: z.print_as,
            pictogram: z.pictogram.clone(),
            line: zline,
        });
    }
    // Text and QR zones must not cover each other (slogan over tip, QR over
    // footer) unless the template says the overlap is meant.
    let printed =
        |z: &&Zone| matches!(z.role, Role::Slogan | Role::Tip | Role::Footer | Role::Heading | Role::Qr | Role::Image);
    let meant = |a: &str, b: &str| {
        raw.zones.iter().any(|z| {
            (z.value.id == a && z.value.overlaps.iter().any(|o| o == b))
                || (z.value.id == b && z.value.overlaps.iter().any(|o| o == a))
        })
    };
    let text_zones: Vec<&Zone> = zones.iter().filter(printed).collect();
    for (i, a) in text_zones.iter().enumerate() {
        for b in &text_zones[i + 1..] {
            let [ax, ay, aw, ah] = a.rect;
            let [bx, by, bw, bh] = b.rect;
            let (w, h) = ((ax + aw).min(bx + bw) - ax.max(bx), (ay + ah).min(by + bh) - ay.max(by));
            if a.side == b.side && w > 1e-6 && h > 1e-6 && !meant(&a.id, &b.id) {
                err(
                    format!("{who}: zones `{}` and `{}` overlap by {w:.1} × {h:.1} mm", a.id, b.id),
                    &Location::at(path, b.line, 1),
                    &format!(
                        "move one of the boxes, or say the overlap is meant with `overlaps: [{}]` on `{}`",
                        a.id, b.id
                    ),
                );
            }
        }
    }
    // The underbase is the artwork's shapes, each choked by a stroke that
    // knocks it back on every edge (export::pdf draws no union of shapes):
    // exact while no two shapes touch, so a dark item's zones may not overlap.
    let underbase = raw.underbase.as_ref().map(|u| {
        let loc = at(u.referenced.line(), u.referenced.column());
        let choke = u.value.choke;
        if !raw.process.uses_spot_inks() {
            err(
                format!("item `{id}`: an underbase is a screen of its own, for screen printing only"),
                &loc,
                "remove `underbase`, or make the item `process: screen-print`",
            );
        }
        if !in_range(choke, 0.0, 2.0) {
            err(
                format!("item `{id}`: underbase choke {choke} mm is out of range"),
                &loc,
                "give a choke of 0–2 mm (0.1–0.3 is usual)",
            );
        }
        if inks.iter().filter(|i| matches!(i.kind, InkKind::Spot { .. })).count() >= 6 {
            err(
                format!("item `{id}`: the underbase would be a seventh screen"),
                &loc,
                "use at most five colour inks with an underbase",
            );
        }
        if raw.background.is_some() || zones.iter().any(|z| z.role == Role::Qr) {
            err(
                format!("{who}: an underbase cannot be made under a background or a QR code yet"),
                &loc,
                "print the item without a background and QR zone, or ask the vendor to make its underbase",
            );
        }
        let inked: Vec<&Zone> = zones.iter().filter(|z| z.ink.is_some()).collect();
        for (i, a) in inked.iter().enumerate() {
            for b in &inked[i + 1..] {
                let [ax, ay, aw, ah] = a.rect;
                let [bx, by, bw, bh] = b.rect;
                if (ax + aw).min(bx + bw) > ax.max(bx) && (ay + ah).min(by + bh) > ay.max(by) {
                    err(
                        format!(
                            "{who}: zones `{}` and `{}` overlap, and the underbase is choked shape by shape",
                            a.id, b.id
                        ),
                        &Location::at(path, b.line, 1),
                        "move the boxes apart on an item with an underbase",
                    );
                }
            }
        }
        inks.push(Ink {
            id: "underbase".into(),
            // White: nothing in a composite view, as the plate lies under the colour.
            kind: InkKind::Spot { name: UNDERBASE.into(), cmyk: [0.0, 0.0, 0.0, 0.0] },
            preview: Some(Rgb(255, 255, 255)),
        });
        (choke, inks.len() - 1)
    });
    let slogan_zones = zones.iter().filter(|z| z.role == Role::Slogan).count();
    // One slogan zone, or (a couplet's strips) one per line of the slogan.
    let per_line: Vec<usize> = zones.iter().filter_map(|z| z.slogan_line).collect();
    let lines_split = per_line.len() == slogan_zones
        && takes.lines == Some(slogan_zones)
        && (0..slogan_zones).all(|i| per_line.contains(&i));
    if slogan_zones != 1 && !lines_split {
        err(
            format!("{who} has {slogan_zones} slogan zones"),
            &file_loc,
            "an item has exactly one zone with role: slogan, or one per line (`line: 1`, `line: 2`) with `takes: {lines: 2}`",
        );
    }
    // Footers may repeat (the station on one line, the officer on another).
    for r in [Role::Tip, Role::Qr, Role::Heading] {
        for side in 0..usize::from(raw.sides.value) {
            if zones.iter().filter(|z| z.role == r && z.side == side).count() > 1 {
                err(
                    format!("{who} has more than one {r:?} zone").to_lowercase()
                        + &if side > 0 { format!(" on side {}", side + 1) } else { String::new() },
                    &file_loc,
                    "keep one zone per role on each side",
                );
            }
        }
    }
    if raw.sides.value == 2 && !zones.iter().any(|z| z.side == 1) {
        err(
            format!("{who} has `sides: 2` but no zone on side 2"),
            &file_loc,
            "give the back's zones `side: 2`, or set `sides: 1`",
        );
    }
    if zones.iter().any(|z| z.role == Role::Slogan && z.side > 0) {
        err(format!("{who}: the slogan prints on the front"), &file_loc, "give the slogan zone `side: 1`");
    }
    Item {
        id,
        name: raw.name,
        product: raw.product,
        width: trim.width,
        height: trim.height,
        bleed,
        safe,
        process: raw.process,
        swappable: raw_inks.iter().filter(|(i, _)| i.swappable).map(|(i, _)| i.id.clone()).collect(),
        material: raw.material,
        product_size: (raw.product_size.value.width, raw.product_size.value.height),
        print_position: raw.print_position,
        colour: raw.colour,
        sides: raw.sides.value,
        ink_type: raw.ink_type,
        finishing: raw.finishing.value,
        notes: raw.notes,
        substrate,
        crop_marks: raw.crop_marks,
        minimums,
        inks,
        background,
        die_line,
        takes,
        folds: raw.folds,
        keep_clear: raw.keep_clear,
        line_screen,
        copies,
        underbase,
        punctuation: raw.punctuation,
        zones,
        variants: Vec::new(),
        style: 0,
        mockup,
        file: path.to_path_buf(),
    }
}

/// A die line's shape checked against the trim; `None` (and a problem) when it cannot be cut.
fn check_die(
    id: &str,
    d: &library::DieLine,
    [width, height, bleed]: [f64; 3],
    loc: &Location,
    problems: &mut Diagnostics,
) -> Option<Die> {
    let eps = 1e-6;
    let bad = |problems: &mut Diagnostics, what: String, hint: &str| {
        problems.push(Diagnostic::data(format!("item `{id}`: die line {what}")).at(loc.clone()).hint(hint.to_string()));
        None
    };
    let circle = d.center.is_some() || d.diameter.is_some() || d.handle.is_some();
    let sector = d.radii.is_some() || d.angle.is_some();
    let extra = sector && d.shape != DieShape::Sector
        || match d.shape {
            DieShape::Rect => circle || !d.points.is_empty() || !d.rects.is_empty(),
            DieShape::Circle => d.corner_radius != 0.0 || !d.points.is_empty() || !d.rects.is_empty(),
            DieShape::Polygon => d.corner_radius != 0.0 || circle || !d.rects.is_empty(),
            DieShape::Rects => circle || !d.points.is_empty(),
            DieShape::Sector => {
                d.corner_radius != 0.0
                    || d.diameter.is_some()
                    || d.handle.is_some()
                    || !d.points.is_empty()
                    || !d.rects.is_empty()
            }
        };
    if extra {
        return bad(
            problems,
            format!("of shape {:?} has fields of another shape", d.shape).to_lowercase(),
            "rect takes corner_radius; circle takes center, diameter and handle; polygon takes points; rects takes rects and corner_radius; sector takes center, radii and angle",
        );
    }
    match d.shape {
        DieShape::Rect => Some(Die::Rect { radius: d.corner_radius }),
        DieShape::Circle => {
            let center = d.center.unwrap_or([width / 2.0, width.min(height) / 2.0]);
            let radius = d.diameter.unwrap_or(width.min(height)) / 2.0;
            let fits = center.iter().chain([&radius]).all(|v| v.is_finite())
                && radius > 0.0
                && center[0] - radius > -eps
                && center[1] - radius > -eps
                && center[0] + radius < width + eps
                && center[1] + radius < height + eps;
            if !fits {
                return bad(
                    problems,
                    format!("circle (centre {:?}, diameter {} mm) does not fit the trim", center, 2.0 * radius),
                    "give a centre and diameter in mm that keep the circle inside the trim",
                );
            }
            if let Some(w) = d.handle
                && !(w.is_finite() && w > 0.0 && w < 2.0 * radius && center[1] + radius < height - w / 2.0)
            {
                return bad(
                    problems,
                    format!("handle {w} mm wide does not fit below the circle"),
                    "a handle is narrower than the circle and reaches the trim's bottom edge, below the circle",
                );
            }
            Some(Die::Circle { center, radius, handle: d.handle })
        }
        DieShape::Polygon => {
            let p = &d.points;
            let inside = p.iter().all(|q| {
                q.iter().all(|v| v.is_finite())
                    && q[0] > -eps
                    && q[1] > -eps
                    && q[0] < width + eps
                    && q[1] < height + eps
            });
            let n = p.len();
            let turns: Vec<f64> = (0..n)
                .map(|i| {
                    let (a, b, c) = (p[i], p[(i + 1) % n], p[(i + 2) % n]);
                    (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
                })
                .collect();
            let convex = turns.iter().all(|t| *t > eps) || turns.iter().all(|t| *t < -eps);
            if !(3..=64).contains(&n) || !inside || !convex {
                return bad(
                    problems,
                    format!("polygon of {n} points is not a convex shape inside the trim"),
                    "give 3–64 corners [x, y] in mm inside the trim, in order around a convex shape",
                );
            }
            Some(Die::Polygon(p.clone()))
        }
        DieShape::Sector => {
            let (Some(c), Some([ri, ro]), Some(angle)) = (d.center, d.radii, d.angle) else {
                return bad(
                    problems,
                    "sector needs center, radii and angle".into(),
                    "give the centre [x, y] (mm, usually below the trim), radii [inner, outer] and the angle in degrees",
                );
            };
            let half = angle.to_radians() / 2.0;
            let die = Die::Sector { center: c, ri, ro, half };
            let [x0, y0, x1, y1] = die.bounds(width, height);
            let fits = [c[0], c[1], ri, ro, angle].iter().all(|v| v.is_finite())
                && ri > 0.0
                && ro > ri
                && angle > 0.0
                && angle < 180.0
                && (c[0] - width / 2.0).abs() < 1e-3
                // Below the artwork, bleed included: every point is bent round it.
                && c[1] > height + bleed.max(0.0) + 1.0
                && x0 > -eps
                && y0 > -eps
                && x1 < width + eps
                && y1 < height + eps;
            if !fits {
                return bad(
                    problems,
                    format!("sector (centre {c:?}, radii [{ri}, {ro}] mm, {angle}°) does not fit the trim"),
                    "centre it on the trim's middle (x = half the width) and below the trim and its bleed; 0 < inner < outer radius, 0 < angle < 180°, the whole piece inside the trim",
                );
            }
            Some(die)
        }
        DieShape::Rects => {
            let ok = |r: &[f64; 4]| {
                r.iter().all(|v| v.is_finite())
                    && r[2] > 0.0
                    && r[3] > 0.0
                    && r[0] > -eps
                    && r[1] > -eps
                    && r[0] + r[2] < width + eps
                    && r[1] + r[3] < height + eps
                    && d.corner_radius <= r[2].min(r[3]) / 2.0
            };
            let apart = d.rects.iter().enumerate().all(|(i, a)| {
                d.rects[i + 1..].iter().all(|b| {
                    a[0] + a[2] <= b[0] + eps
                        || b[0] + b[2] <= a[0] + eps
                        || a[1] + a[3] <= b[1] + eps
                        || b[1] + b[3] <= a[1] + eps
                })
            });
            if d.rects.is_empty() || d.rects.len() > 500 || !d.rects.iter().all(ok) || !apart {
                return bad(
                    problems,
                    format!("rects ({} pieces) are not apart and inside the trim", d.rects.len()),
                    "give 1–500 boxes [x, y, width, height] in mm inside the trim, none overlapping another",
                );
            }
            Some(Die::Rects { rects: d.rects.clone(), radius: d.corner_radius })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loading only the asked-for slogans (the files that mention them, and
    /// in those only the entries that can hold them) gives each slogan
    /// exactly as loading the whole library does, file and line included.
    #[test]
    fn a_narrowed_load_gives_the_same_slogans() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let all = Library::load(root).unwrap();
        let mut narrowed = 0;
        for s in &all.slogans {
            let text = std::fs::read_to_string(&s.file).unwrap();
            narrowed += usize::from(narrow_slogans(&text, std::slice::from_ref(&s.id)).is_some());
            let one = Library::load_selected(root, Some(std::slice::from_ref(&s.id)), Some(&[])).unwrap();
            assert_eq!(format!("{:?}", one.slogan(&s.id).unwrap()), format!("{s:?}"));
        }
        assert_eq!(narrowed, all.slogans.len(), "every shipped slogan file is in the plain shape");
        // Shapes that could tie entries together are parsed whole.
        for text in [
            "topic: a\nslogans:\n  - &x id: a\n",
            "topic: a\nslogans:\n\t- id: a\n",
            "topic: a\nslogans: [ {id: a} ]\n",
            "---\ntopic: a\nslogans:\n  - id: a\n",
            "topic: a\nslogans:\n - id: a\n",
        ] {
            assert_eq!(narrow_slogans(text, &["a".into()]), None, "{text}");
        }
        // Other entries are blanked line for line.
        let text = "topic: t\nslogans:\n  - id: a\n    lines: [x]\n\n  - id: b\n    lines: [y]\n";
        assert_eq!(
            narrow_slogans(text, &["b".into()]).unwrap(),
            "topic: t\nslogans:\n\n\n\n  - id: b\n    lines: [y]\n"
        );
    }
}
