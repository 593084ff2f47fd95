//! The data files as written: serde types that mirror the YAML one to one, and
//! loading. Unknown fields are errors. Meaning is checked in [`crate::validate`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Location};

/// `slogans/<topic>.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloganFile {
    pub topic: String,
    /// What posters and the roll-up print in their top band, in plain speech
    /// (防骗小贴士, not 反诈工作提醒); the topic when absent.
    #[serde(default)]
    pub heading: Option<String>,
    pub slogans: Vec<Spanned<SloganEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloganEntry {
    pub id: String,
    /// One or two lines, as the author broke them.
    pub lines: Vec<String>,
    #[serde(default)]
    pub tip: Option<String>,
    #[serde(default)]
    pub audience: Vec<String>,
    /// Items the slogan is meant for (all items when absent).
    #[serde(default)]
    pub items: Option<Vec<String>>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Where a rule or number in the tip comes from (law, regulation, the
    /// hotline's owner), for the reviewer.
    #[serde(default)]
    pub source: Option<String>,
    /// What the station must check locally before printing (a service that
    /// differs from place to place).
    #[serde(default)]
    pub verify: Option<String>,
    /// Lint warnings read and accepted: rule name → why.
    #[serde(default)]
    pub accept: BTreeMap<String, String>,
}

/// `lint/dictionary.yaml`: words line breaking keeps whole and lint reads
/// as one word, beside jieba's dictionary.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DictionaryFile {
    pub words: Vec<Spanned<String>>,
}

/// `layouts/<item>.yaml`
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub id: Spanned<String>,
    /// Name shown to people, e.g. 海报 A3.
    pub name: String,
    /// Product kind, e.g. 海报, 帆布袋.
    pub product: String,
    pub trim: Spanned<SizeMm>,
    /// Bleed on every side, mm.
    pub bleed: Spanned<f64>,
    /// Text keeps this far inside the trim, mm.
    pub safe: Spanned<f64>,
    pub process: Process,
    pub material: String,
    /// The finished product, mm: the bag (300 × 400), where the trim is
    /// its print area (240 × 280); one piece of an n-up sheet; a leaflet folded.
    pub product_size: Spanned<SizeMm>,
    /// Where the print area sits on the product, for the shop, in Chinese
    /// (正面居中，距袋口 70 mm).
    pub print_position: String,
    /// The material's colour, in Chinese (白色, 藏青).
    pub colour: String,
    /// Faces of the product this template's file prints: 1 or 2.
    pub sides: Spanned<u8>,
    /// The ink the shop prints with, in Chinese (水性胶浆, 胶印四色油墨, 热升华墨水).
    pub ink_type: String,
    /// Work after printing, in Chinese: lamination, hems, grommets, die-cut,
    /// folding; empty when the printed piece is the product.
    pub finishing: Spanned<Vec<String>>,
    /// What the print shop should know: product size, print position, sources.
    #[serde(default)]
    pub notes: Option<String>,
    /// Colour of the material, for previews only (never printed); white when absent.
    #[serde(default)]
    pub substrate: Option<Spanned<String>>,
    /// Whether crop marks may be drawn (`--marks`); dye-sublimation vendors want none.
    #[serde(default = "yes")]
    pub crop_marks: bool,
    /// Print minimums of this process, from PRINT.md.
    pub minimums: Spanned<Minimums>,
    pub inks: Vec<Spanned<InkEntry>>,
    /// Ink id that fills trim and bleed, if any.
    #[serde(default)]
    pub background: Option<String>,
    /// Cut contour drawn in its own non-printing spot ink.
    #[serde(default)]
    pub die_line: Option<Spanned<DieLine>>,
    /// A white underbase screen printed first, for dark substrates.
    #[serde(default)]
    pub underbase: Option<Spanned<Underbase>>,
    /// How slogans end their lines.
    #[serde(default)]
    pub punctuation: PunctuationStyle,
    /// Which slogans the item can carry (all when absent), e.g. a couplet's strips.
    #[serde(default)]
    pub takes: Option<Spanned<Takes>>,
    /// Copies of the piece on one sheet (an n-up sheet for a cutter): the
    /// zones and the die line describe the first piece, the others repeat it.
    #[serde(default)]
    pub repeat: Option<Spanned<Repeat>>,
    /// The product drawing of its mockup (示意图): `mockups/<name>.svg`.
    #[serde(default)]
    pub mockup: Option<Spanned<String>>,
    /// Vertical fold lines, mm from the trim's left edge (a folded leaflet):
    /// never printed; marked in the slug with the crop marks and dashed in previews.
    #[serde(default)]
    pub folds: Vec<f64>,
    /// Where the product's use covers it (a desk mat's keyboard and mouse),
    /// boxes [x, y, width, height] mm: no text, QR code or picture there,
    /// and the empty-area check counts them as taken.
    #[serde(default)]
    pub keep_clear: Vec<[f64; 4]>,
    /// Lines an inch of a halftoned photo on a spot-ink item (default 45,
    /// a screen printer's usual on fabric and card).
    #[serde(default)]
    pub line_screen: Option<Spanned<f64>>,
    /// The name of the design the top-level `zones` make (the default style);
    /// `standard` / 标准版 when absent.
    #[serde(default)]
    pub style: Option<StyleName>,
    /// Other designs of the same piece: each replaces the zones (and may
    /// replace the background) and keeps trim, inks, process and die line.
    #[serde(default)]
    pub styles: Vec<Spanned<StyleEntry>>,
    pub zones: Vec<Spanned<ZoneEntry>>,
}

/// A style's id (for `--style`, order lines and file names) and the name people see.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct StyleName {
    pub id: String,
    pub name: String,
}

/// One of an item's `styles:`, a design variant of the template.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct StyleEntry {
    pub id: String,
    /// Name shown to people, e.g. 大字版.
    pub name: String,
    /// What the design is for, and what it leaves out (e.g. a dropped tip).
    #[serde(default)]
    pub notes: Option<String>,
    /// Ink id that fills trim and bleed; the template's when absent.
    #[serde(default)]
    pub background: Option<String>,
    pub zones: Vec<Spanned<ZoneEntry>>,
}

/// `columns` × `rows` copies, each `pitch` [dx, dy] mm from the one before.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub columns: usize,
    pub rows: usize,
    pub pitch: [f64; 2],
}

/// What a slogan must be like for an item: a couplet item takes two lines of
/// seven characters and nothing else.
#[derive(Debug, Deserialize, Clone, Copy, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Takes {
    /// Exactly this many lines.
    #[serde(default)]
    pub lines: Option<usize>,
    /// Exactly this many characters (letters, digits, CJK) in every line, and
    /// no punctuation but a trailing ，。、；.
    #[serde(default)]
    pub chars: Option<usize>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct SizeMm {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Process {
    OffsetCmyk,
    DigitalCmyk,
    ScreenPrint,
    HeatTransfer,
    DyeSublimation,
    Inkjet,
}

impl Process {
    pub fn label(self) -> &'static str {
        match self {
            Process::OffsetCmyk => "offset CMYK",
            Process::DigitalCmyk => "digital CMYK",
            Process::ScreenPrint => "screen print",
            Process::HeatTransfer => "heat transfer",
            Process::DyeSublimation => "dye sublimation",
            Process::Inkjet => "inkjet",
        }
    }
    /// The process as Chinese print shops name it.
    pub fn zh(self) -> &'static str {
        match self {
            Process::OffsetCmyk => "胶印四色",
            Process::DigitalCmyk => "数码四色",
            Process::ScreenPrint => "丝网印刷",
            Process::HeatTransfer => "热转印",
            Process::DyeSublimation => "热升华",
            Process::Inkjet => "喷绘",
        }
    }
    /// Screen printing and heat transfer of spot colours work with named inks.
    pub fn uses_spot_inks(self) -> bool {
        matches!(self, Process::ScreenPrint)
    }
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct Minimums {
    /// Smallest character height, mm.
    pub text_height: f64,
    /// Thinnest stroke, mm.
    pub stroke: f64,
    /// Smallest QR module that prints and scans on this process, mm
    /// (default by process: 0.4 offset/digital, 0.6 dye sublimation, 1.0 fabric and inkjet).
    #[serde(default)]
    pub qr_module: Option<f64>,
    /// Highest total ink (sum of the CMYK percentages) the process takes,
    /// percent (default 300, PRINT.md's limit for large areas).
    #[serde(default)]
    pub ink_total: Option<f64>,
    /// Lowest resolution of a placed image at its printed size, pixels per
    /// inch (default 300; PRINT.md: about 100 suffices for banners seen from afar).
    #[serde(default)]
    pub image_ppi: Option<f64>,
}

impl Minimums {
    /// PRINT.md: "large black areas ≤ 300 % total".
    pub const DEFAULT_INK_TOTAL: f64 = 300.0;
    /// PRINT.md: "300–350 dpi at final size for close viewing".
    pub const DEFAULT_IMAGE_PPI: f64 = 300.0;
}

impl Process {
    pub fn default_qr_module(self) -> f64 {
        match self {
            Process::OffsetCmyk | Process::DigitalCmyk => 0.4,
            Process::DyeSublimation => 0.6,
            Process::ScreenPrint | Process::HeatTransfer | Process::Inkjet => 1.0,
        }
    }
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct InkEntry {
    pub id: String,
    /// Spot ink name (a Separation colour space), e.g. `PANTONE 186 C`.
    #[serde(default)]
    pub spot: Option<String>,
    /// Process colour, or the spot ink's CMYK alternate, in percent.
    pub cmyk: [f64; 4],
    /// The ink's own screen colour, `#rrggbb` (a swatch book's sRGB); only
    /// compared with the CMYK values, which is what proofs show (see `color`).
    #[serde(default)]
    pub preview: Option<String>,
    /// An order may print this spot ink in another colour (`inks:` on an order line).
    #[serde(default)]
    pub swappable: bool,
}

/// PRINT.md: on a dark fabric "a white underbase ink is printed first, as
/// its own plate". Made from the artwork itself, shrunk on every edge by
/// `choke` so that it hides under the colours printed on it.
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct Underbase {
    /// How far the underbase stays inside every edge of the artwork, mm.
    pub choke: f64,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct DieLine {
    /// The cut's outline: the trim (a rectangle), a circle or a polygon.
    #[serde(default)]
    pub shape: DieShape,
    /// Corner radius of a rectangular cut, mm.
    #[serde(default)]
    pub corner_radius: f64,
    /// A circle's centre and diameter, mm (the trim's inscribed circle when absent).
    #[serde(default)]
    pub center: Option<[f64; 2]>,
    #[serde(default)]
    pub diameter: Option<f64>,
    /// A polygon's corners, mm from the trim's top-left corner.
    #[serde(default)]
    pub points: Vec<[f64; 2]>,
    /// Pieces cut from one sheet (a couplet's strips): boxes [x, y, width, height], mm.
    #[serde(default)]
    pub rects: Vec<[f64; 4]>,
    /// A circle's handle: a strip this wide (mm) from the circle down to the
    /// trim's bottom edge, its end rounded (a fan's grip).
    #[serde(default)]
    pub handle: Option<f64>,
    /// A sector's inner and outer radius round `center`, mm.
    #[serde(default)]
    pub radii: Option<[f64; 2]>,
    /// A sector's angle, degrees, split evenly either side of straight up.
    #[serde(default)]
    pub angle: Option<f64>,
}

#[derive(Debug, Deserialize, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DieShape {
    #[default]
    Rect,
    Circle,
    Polygon,
    /// Several rectangles, e.g. the pieces of a set printed on one sheet.
    Rects,
    /// A piece of a ring, e.g. a paper cup's wrap (a cone rolled out).
    Sector,
}

#[derive(Debug, Deserialize, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PunctuationStyle {
    /// Keep punctuation; a full-width mark at a line end takes half width.
    #[default]
    Keep,
    /// Drop ，。、； at line ends (common on posters and bags).
    DropTrailing,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Slogan,
    Tip,
    Footer,
    /// A heading band; `{heading}` in its text becomes the slogan file's
    /// heading, `{topic}` its topic.
    Heading,
    Qr,
    Decoration,
    /// A station picture (`source: logo | photo | qr_image`).
    Image,
}

/// How an image zone fills its box.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Fit {
    /// The whole picture, as large as fits, aligned in the box.
    #[default]
    Contain,
    /// The box filled, the picture's overflow cut off (centred).
    Cover,
}

/// How a raster picture becomes the item's inks.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PrintAs {
    /// CMYK pixels through the output profile (process-colour items).
    Colour,
    /// The zone's ink where the picture is darker than mid grey (QR codes, line logos).
    Threshold,
    /// Round dots of the zone's ink at the item's line screen (photos in one spot ink).
    Halftone,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    Start,
    #[default]
    Center,
    End,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    #[default]
    Horizontal,
    Vertical,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    #[default]
    Rect,
    /// A stroked rectangle.
    Frame,
    /// A horizontal or vertical rule through the middle of the box.
    Line,
    /// The slogan's topic pictogram (`pictograms/<slogan file>.svg`, or the
    /// zone's own `pictogram`), as large as fits the box, in the zone's ink.
    Pictogram,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ZoneEntry {
    pub id: String,
    pub role: Role,
    /// x, y, width, height in mm from the trim's top-left corner.
    #[serde(rename = "box")]
    pub rect: [f64; 4],
    #[serde(default)]
    pub ink: Option<String>,
    // Text zones.
    #[serde(default)]
    pub font: Option<String>,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub valign: Align,
    #[serde(default)]
    pub direction: Direction,
    /// Smallest character height, mm (legibility at the viewing distance).
    #[serde(default)]
    pub min_height: Option<f64>,
    /// Largest character height, mm.
    #[serde(default)]
    pub max_height: Option<f64>,
    /// Baseline-to-baseline (or column pitch) as a multiple of the font size.
    #[serde(default)]
    pub line_spacing: Option<f64>,
    /// Footer text with `{name}`, `{phone}`, `{hotline}`, `{address}` from the station
    /// file; heading text with `{heading}` (and `{topic}`).
    #[serde(default)]
    pub text: Option<String>,
    /// Zones whose space this one takes over when they are empty.
    #[serde(default)]
    pub grow: Vec<String>,
    /// Text or QR zones this one may overlap on purpose (others are an error).
    #[serde(default)]
    pub overlaps: Vec<String>,
    // Decoration zones.
    #[serde(default)]
    pub shape: Shape,
    /// Stroke width for frames and lines, mm.
    #[serde(default)]
    pub stroke: Option<f64>,
    /// Corner radius, mm.
    #[serde(default)]
    pub radius: Option<f64>,
    /// Extend a filled shape into the bleed on the sides where it touches the trim.
    #[serde(default)]
    pub bleed: bool,
    /// Tint of the ink, percent.
    #[serde(default)]
    pub tint: Option<f64>,
    /// Slogan zones: set only this line of the slogan (1 = the first), so
    /// that a couplet's lines go to strips of their own.
    #[serde(default)]
    pub line: Option<usize>,
    /// Slogan zones: the author's lines run on as one (a cloth banner).
    #[serde(default)]
    pub one_line: bool,
    /// Tip zones: one line per clause (split after ，；。！？), short
    /// chunks a passer-by takes in at a glance, when they fit at the zone's
    /// minimum size; else the tip runs on as one paragraph.
    #[serde(default)]
    pub chunks: bool,
    /// The side the zone prints on: 1 (the front, the default) or 2 (the
    /// back of a two-sided item, `sides: 2`).
    #[serde(default)]
    pub side: Option<u8>,
    /// Image zones: which station picture.
    #[serde(default)]
    pub source: Option<crate::images::Source>,
    /// Image zones: contain (the default) or cover the box.
    #[serde(default)]
    pub fit: Fit,
    /// Image zones: how a raster picture prints (default: colour on a
    /// process item, else halftone for the photo and threshold otherwise;
    /// a QR code always by threshold).
    #[serde(default)]
    pub print_as: Option<PrintAs>,
    /// Pictogram zones: this one (`pictograms/<name>.svg`, e.g. `jingcha110`
    /// beside the 110 line) instead of the slogan's topic's.
    #[serde(default)]
    pub pictogram: Option<String>,
}

/// `fonts/fonts.yaml`: font roles and their fallback chains.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontsFile {
    pub roles: Vec<FontRoleEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontRoleEntry {
    pub role: String,
    /// Font files in `fonts/`, first choice first.
    pub files: Vec<String>,
}

/// A station: a `--station` file, an entry of an order's list, or a CSV row.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct StationFile {
    /// Short name for file names in orders; the station's name when absent.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub hotline: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub qr: Option<String>,
    /// Where an order's pieces for the station go (收货地址), when not its `address`.
    #[serde(default)]
    pub delivery: Option<String>,
    /// Who receives them, name and phone (收货人).
    #[serde(default)]
    pub receiver: Option<String>,
    /// The station's logo: a PNG, JPEG or SVG file next to the station file.
    #[serde(default)]
    pub logo: Option<String>,
    /// An app's QR code as a picture (e.g. the 国家反诈中心 app's), PNG.
    #[serde(default)]
    pub qr_image: Option<String>,
    /// The community officer (社区民警) for contact cards.
    #[serde(default)]
    pub officer: Option<OfficerEntry>,
}

/// The community officer of a station.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct OfficerEntry {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// A portrait, PNG or JPEG, next to the station file.
    #[serde(default)]
    pub photo: Option<String>,
}

/// The largest data file we read (a slogan file of the whole library is
/// about 20 KB): anything bigger is refused before it is parsed.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Read a file as UTF-8 text (at most [`MAX_FILE_BYTES`]).
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    utf8(path, read_bounded(path, MAX_FILE_BYTES)?)
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::data(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
            .in_file(path)
            .hint("save the file as UTF-8")
    })
}

/// A regular file's bytes, at most `max` of them: a FIFO (whose open would
/// block), a device or a file past the limit is refused before it is read.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::io(format!("cannot read {}: {e}", path.display())).hint("check the path and its permissions")
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Diagnostic::data("not a regular file").in_file(path).hint("name a file here"));
    }
    if meta.len() > max {
        return Err(Diagnostic::data(format!("larger than {} KiB", max / 1024))
            .in_file(path)
            .hint("split it into smaller files"));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    // Sized from the file (one more byte to see its end): growing from
    // empty copied each slogan file of a big library several times.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    use std::io::Read as _;
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(Diagnostic::data(format!("larger than {} KiB", max / 1024))
            .in_file(path)
            .hint("split it into smaller files"));
    }
    Ok(bytes)
}

/// Parse YAML text into `T`, with file, line and column in any error.
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let loc = match e.location() {
            Some(l) if l.line() > 0 => Location::at(path, l.line(), l.column()),
            _ => Location::file(path),
        };
        let message = yaml_message(&e);
        let hint = if message.contains("unknown field") {
            "remove or rename the field (unknown fields are errors, so typos are caught)"
        } else if message.contains("missing field") {
            missing_hint(&message)
        } else {
            "fix the YAML at that place"
        };
        Diagnostic::data(message).at(loc).hint(hint)
    })
}

/// What to add for a missing field: the item template's print-shop facts
/// say what they hold; other fields just need adding.
fn missing_hint(message: &str) -> &'static str {
    let field = message.split('`').nth(1).unwrap_or("");
    match field {
        "product_size" => {
            "add `product_size: { width: …, height: … }`: the finished product in mm (the bag, not its print area)"
        }
        "print_position" => {
            "add `print_position:`, where the print sits on the product, in Chinese (e.g. 正面居中，距袋口 70 mm)"
        }
        "colour" => "add `colour:`, the material's colour in Chinese (e.g. 白色)",
        "sides" => "add `sides: 1` (or 2): the faces this file prints",
        "ink_type" => "add `ink_type:`, the ink the shop prints with, in Chinese (e.g. 水性胶浆)",
        "finishing" => {
            "add `finishing: [...]`: work after printing in Chinese (覆膜, 模切, 折页, 打铜扣), or `[]` for none"
        }
        _ => "add the field",
    }
}

/// The parser's message in our words: its user-facing text without the
/// position (the location says it), and its own option and type names
/// (`DuplicateKeyPolicy`, `budget breached`, `u32`) replaced by what a
/// person can act on.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    match e {
        serde_saphyr::Error::Budget { .. } => {
            return "the file has too many entries, aliases or levels of nesting to be a jiediqi data file".into();
        }
        serde_saphyr::Error::DuplicateMappingKey { key: Some(k), .. } => {
            return format!("the key `{k}` appears twice");
        }
        _ => {}
    }
    let full = e.render_with_formatter(&serde_saphyr::UserMessageFormatter);
    let first = full.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid YAML");
    let mut msg = first.trim().trim_start_matches("error: ").to_string();
    if let Some(pos) = msg.find(" at line ") {
        msg.truncate(pos);
    }
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(pos) = rest.find(": ")
        && rest[..pos].contains("column")
    {
        msg = rest[pos + 2..].to_string();
    }
    if let Some(key) = msg.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key).trim();
        return format!("the key `{key}` appears twice");
    }
    if msg.starts_with("duplicate mapping key") {
        return "a key appears twice".into();
    }
    if msg.contains("breached") {
        return "the file has too many entries, aliases or levels of nesting to be a jiediqi data file".into();
    }
    if msg.contains("DuplicateKeyPolicy") || msg.contains("Options") {
        return "a key appears twice".into();
    }
    for (theirs, ours) in [
        ("invalid u8", "expected a whole number from 0 to 255"),
        ("invalid u16", "expected a whole number from 0 to 65535"),
        ("invalid u32", "expected a whole number, 0 or more"),
        ("invalid u64", "expected a whole number, 0 or more"),
        ("invalid usize", "expected a whole number, 0 or more"),
        ("invalid i64", "expected a whole number"),
        ("invalid f64", "expected a number"),
        ("invalid f32", "expected a number"),
        ("expected string scalar", "expected text here, not a list or a mapping"),
    ] {
        if msg.starts_with(theirs) {
            return ours.into();
        }
    }
    msg
}

/// Read and parse one YAML file.
pub fn load_yaml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Diagnostic> {
    let text = read_text(path)?;
    parse_yaml(path, &text)
}

/// Every `*.yaml` file in a folder, sorted by name for deterministic order.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::io(format!("cannot read folder {}: {e}", dir.display()))
            .hint("run jiediqi from the project folder, or pass --root")
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

/// The files of a folder that `keep` accepts (given path and text), parsed;
/// every failure collected.
pub fn load_where<T: for<'de> Deserialize<'de>>(
    dir: &Path,
    keep: impl Fn(&Path, &[u8]) -> bool,
) -> Result<(Vec<(PathBuf, T)>, Diagnostics), Diagnostic> {
    load_narrowed(dir, keep, |_| None)
}

/// As [`load_where`], the files chosen by their path alone, before any is read.
pub fn load_named<T: for<'de> Deserialize<'de>>(
    dir: &Path,
    wanted: impl Fn(&Path) -> bool,
) -> Result<(Vec<(PathBuf, T)>, Diagnostics), Diagnostic> {
    let mut out = Vec::new();
    let mut problems = Diagnostics::default();
    for path in yaml_files(dir)?.into_iter().filter(|p| wanted(p)) {
        match read_bounded(&path, MAX_FILE_BYTES).and_then(|b| utf8(&path, b)).and_then(|t| parse_yaml(&path, &t)) {
            Ok(v) => out.push((path, v)),
            Err(d) => problems.push(d),
        }
    }
    Ok((out, problems))
}

/// As [`load_where`], the files chosen by their path and raw bytes (before
/// they are checked as UTF-8: the check cost more than the search); and
/// `narrow` may give a kept file's text with the parts that are not needed
/// blanked out (same lines, so every location stays right), parsed instead.
pub fn load_narrowed<T: for<'de> Deserialize<'de>>(
    dir: &Path,
    keep: impl Fn(&Path, &[u8]) -> bool,
    narrow: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<(PathBuf, T)>, Diagnostics), Diagnostic> {
    Ok(load_narrowed_from(yaml_files(dir)?, keep, narrow))
}

/// As [`load_narrowed`], over the files given (in their order).
pub fn load_narrowed_from<T: for<'de> Deserialize<'de>>(
    files: Vec<PathBuf>,
    keep: impl Fn(&Path, &[u8]) -> bool,
    narrow: impl Fn(&str) -> Option<String>,
) -> (Vec<(PathBuf, T)>, Diagnostics) {
    let mut out = Vec::new();
    let mut problems = Diagnostics::default();
    for path in files {
        let parsed = read_bounded(&path, MAX_FILE_BYTES).and_then(|bytes| {
            if !keep(&path, &bytes) {
                return Ok(None);
            }
            let text = utf8(&path, bytes)?;
            match narrow(&text) {
                Some(part) => parse_yaml(&path, &part).map(Some),
                None => parse_yaml(&path, &text).map(Some),
            }
        });
        match parsed {
            Ok(Some(v)) => out.push((path, v)),
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }
    (out, problems)
}

/// All files of a folder parsed, every failure collected.
pub fn load_all<T: for<'de> Deserialize<'de>>(dir: &Path) -> Result<(Vec<(PathBuf, T)>, Diagnostics), Diagnostic> {
    load_where(dir, |_, _| true)
}
