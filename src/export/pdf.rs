//! The print PDF: page = trim + bleed (+ a slug for crop marks), the item's
//! inks as DeviceCMYK or Separation spaces, fonts as subsets with ToUnicode
//! maps or text as outlines, deterministic bytes. Print files are PDF/X
//! (X-4, or X-1a:2001 on request): an output intent carrying the project's
//! FOGRA39 profile, XMP metadata, dates, the trapped key, ids from the content.
//! The die line is never in it: [`export_cut`] writes it alone, in a file
//! with the same boxes (and the same PDF/X version).

use std::collections::{BTreeMap, BTreeSet};

use pdf_writer::types::{CidFontType, FontFlags, OverprintMode, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::outline::{OSeg, glyph_outline, place};
use crate::fonts::Font;
use crate::scene::{CROP_MARK_WIDTH, Element, InkKind, Paint, Path, PixelData, Pixels, Scene, Seg};

#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Crop marks in a slug outside the bleed (ignored where the item allows none).
    pub marks: bool,
    /// All text as filled outlines; no fonts in the file.
    pub outline_text: bool,
    /// Document date, seconds since 1970 (SOURCE_DATE_EPOCH, or for a print
    /// file the time its wording was approved); none when absent. PDF/X needs
    /// one: without it a PDF/X file is dated 1970-01-01.
    pub epoch: Option<i64>,
    /// Write PDF/X (print files); `None` for documents (proof and job sheets).
    pub pdfx: Option<PdfX>,
}

/// The PDF/X version of a print file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfX {
    /// PDF/X-4 (ISO 15930-7), PDF 1.6: what shops ask for today.
    #[default]
    X4,
    /// PDF/X-1a:2001 (ISO 15930-1), PDF 1.3: for shops whose workflow predates X-4.
    X1a,
}

impl PdfX {
    /// The names `--pdfx` and an order's `pdfx:` take.
    pub const NAMES: &'static str = "x4 (PDF/X-4, the default) or x1a (PDF/X-1a:2001)";

    pub fn from_name(name: &str) -> Option<PdfX> {
        match name {
            "x4" => Some(PdfX::X4),
            "x1a" => Some(PdfX::X1a),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PdfX::X4 => "x4",
            PdfX::X1a => "x1a",
        }
    }

    /// As a preflight report names it.
    pub fn label(self) -> &'static str {
        match self {
            PdfX::X4 => "PDF/X-4",
            PdfX::X1a => "PDF/X-1a:2001",
        }
    }

    /// The document information's `GTS_PDFXVersion` (X-1a:2001 gives its
    /// conformance level in `GTS_PDFXConformance` beside it).
    fn version_key(self) -> &'static str {
        match self {
            PdfX::X4 => "PDF/X-4",
            PdfX::X1a => "PDF/X-1:2001",
        }
    }
}

/// Width of the slug that carries crop marks.
pub fn slug_width(scene: &Scene, opts: &PdfOptions) -> f64 {
    scene.slug(opts.marks)
}

/// What a file holds: the artwork (the print file) or the cut contour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Print,
    Cut,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("cannot subset font {font}: {message}")]
    Subset { font: String, message: String },
    /// Raster previews are RGB; a print file takes CMYK and spot colours only.
    #[error("{0} allows only CMYK and spot colours, and this page has an RGB image")]
    RgbImage(&'static str),
    /// The pages of a streamed document could not be made.
    #[error("{0}")]
    Pages(String),
}

struct Ids(i32);
impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Streams below this size are stored, not deflated: clearing miniz's
/// ~300 KB of tables for each stream cost more than compressing a poster's
/// few kilobytes saved (measured: 2.7 M of 4 M instructions per poster).
const DEFLATE_MIN: usize = 32 * 1024;

/// Where a page's content is cut into several streams (see [`Pieces`]), the
/// pieces between the large ones (a station block) are deflated from this
/// size on: a stream costs miniz about 20 µs to set up (measured with
/// miniz_oxide 0.9 on a bag's 25 KB piece: 146 µs to deflate it to 11 KB),
/// and they were deflated before, as part of the page's one stream.
const PIECE_DEFLATE_MIN: usize = 4 * 1024;

/// Write a stream, deflated (fastest level) when it is large enough to pay;
/// `length1` is a font program's unpacked size. Returns the SHA-256 of a
/// deflated stream's bytes (the file ids take it instead of the bytes).
fn put_stream(pdf: &mut Pdf, id: Ref, data: &[u8], length1: Option<usize>) -> Option<[u8; 32]> {
    put_stream_min(pdf, id, data, length1, DEFLATE_MIN)
}

/// [`put_stream`], deflating from `min` bytes on.
fn put_stream_min(pdf: &mut Pdf, id: Ref, data: &[u8], length1: Option<usize>, min: usize) -> Option<[u8; 32]> {
    let packed = (data.len() >= min).then(|| packed(data));
    let mut s = pdf.stream(id, packed.as_ref().map_or(data, |(_, z)| z.as_slice()));
    if packed.is_some() {
        s.filter(Filter::FlateDecode);
    }
    if let Some(n) = length1 {
        s.pair(Name(b"Length1"), n as i32);
    }
    drop(s);
    packed.map(|(key, _)| key)
}

/// Deflated streams made in this process, by the SHA-256 of their bytes:
/// the files of a per-station design repeat all their artwork but the
/// station block (a county's 200 aprons, their films), and a batch repeats
/// its font subsets, so each such stream is deflated once. Bounded by bytes.
type Packed = (BTreeMap<[u8; 32], std::sync::Arc<Vec<u8>>>, usize);
static PACKED: std::sync::Mutex<Packed> = std::sync::Mutex::new((BTreeMap::new(), 0));
// 8 MiB: a county order measured the same wall time with none (and 32 MiB
// only grew memory, filled by per-station streams no second file repeats).
const PACKED_CACHE_BYTES: usize = 8 << 20;

/// `data` deflated (level 1, as always: the same bytes whether cached or not).
fn packed(data: &[u8]) -> ([u8; 32], std::sync::Arc<Vec<u8>>) {
    use sha2::Digest as _;
    let key: [u8; 32] = sha2::Sha256::digest(data).into();
    if let Some(hit) = PACKED.lock().ok().and_then(|m| m.0.get(&key).cloned()) {
        return (key, hit);
    }
    let z = std::sync::Arc::new(miniz_oxide::deflate::compress_to_vec_zlib(data, 1));
    if let Ok(mut m) = PACKED.lock() {
        if m.1 + z.len() > PACKED_CACHE_BYTES {
            *m = (BTreeMap::new(), 0);
        }
        if m.0.insert(key, z.clone()).is_none() {
            m.1 += z.len();
        }
    }
    (key, z)
}

/// A page's content as a few streams (the page's `Contents` array), cut at
/// element boundaries: an element that alone reaches [`DEFLATE_MIN`] (a
/// line of outlined text) is a stream of its own, smaller ones are gathered
/// until they reach it. Elements that are the same in several files (all
/// but a per-station design's station block) so make the same streams, and
/// [`packed`] deflates each once. Content streams may be split anywhere
/// between operators (ISO 32000-1, 7.8.2).
#[derive(Default)]
struct Pieces {
    streams: Vec<Vec<u8>>,
    small: Vec<u8>,
}

impl Pieces {
    fn push(&mut self, c: Content) {
        let mut bytes = c.finish().into_vec();
        if bytes.is_empty() {
            return;
        }
        // pdf-writer ends an operator only when the next begins; readers
        // join a page's streams with nothing between them.
        bytes.push(b'\n');
        if bytes.len() >= DEFLATE_MIN {
            self.flush();
            self.streams.push(bytes);
        } else {
            self.small.extend_from_slice(&bytes);
            if self.small.len() >= DEFLATE_MIN {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if !self.small.is_empty() {
            self.streams.push(std::mem::take(&mut self.small));
        }
    }

    fn finish(mut self) -> Vec<Vec<u8>> {
        self.flush();
        self.streams
    }
}

fn f(v: f64) -> f32 {
    v as f32
}

/// A font in use: its glyphs, the text each stands for, and whether any is
/// set upright in a vertical column.
type UsedFont = (std::sync::Arc<Font>, BTreeSet<u16>, BTreeMap<u16, String>, bool);

/// Where a glyph set upright in a column is positioned in vertical mode
/// (its position vector v, font units from its baseline origin). Any v
/// draws the same page, as the text position is the glyph's place plus v;
/// this one suits text extractors. Along the column: the bottom of the
/// glyph's cell as the shaper placed it (ink top plus top side bearing, less
/// the advance): poppler takes a vertical glyph to fill the em before its
/// position, and so lines it up with rotated Latin in the same column.
/// Across: the line where rotated Latin has its baseline (the em box's
/// middle left of the centre), as poppler joins words into a line only when
/// their positions share it; so 买车认准3C标 reads as one column.
fn vertical_origin(font: &Font, face: &ttf_parser::Face, id: u16) -> (f64, f64) {
    let g = ttf_parser::GlyphId(id);
    let upem = font.units_per_em;
    let across = f64::from(face.glyph_hor_advance(g).unwrap_or(0)) / 2.0 - (font.em_top - font.em_bottom) / 2.0 * upem;
    let top = match (face.glyph_bounding_box(g), face.glyph_ver_side_bearing(g)) {
        (Some(b), Some(tsb)) => f64::from(b.y_max) + f64::from(tsb),
        _ => font.em_top * upem,
    };
    (across, top - f64::from(face.glyph_ver_advance(g).unwrap_or(0)))
}

/// The print PDF of a scene: the artwork, never the die line.
pub fn export(scene: &Scene, opts: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    export_pages(std::slice::from_ref(scene), opts)
}

/// The cut file of a scene with a die line (`None` without one): the same
/// MediaBox, BleedBox and TrimBox as its print file (the slug too, so the two
/// overlay exactly), and nothing but the die line, stroked in its own
/// Separation (`CutContour`), overprinting. A separate file rather than a
/// non-printing optional content group in the print file: a RIP that ignores
/// optional content, or a PDF/X-1a file (which may have none), would print it.
pub fn export_cut(scene: &Scene, opts: &PdfOptions) -> Result<Option<Vec<u8>>, PdfError> {
    if scene.die_line.is_none() {
        return Ok(None);
    }
    let opts = PdfOptions { outline_text: true, ..opts.clone() };
    write(&std::slice::from_ref(scene), &opts, Part::Cut).map(Some)
}

/// A PDF with one page per scene (proof sheets); fonts are shared by all pages.
pub fn export_pages(scenes: &[Scene], opts: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    write(&scenes, opts, Part::Print)
}

/// Pages given one at a time, for a document too long to hold at once (a
/// county's job sheet): `each` hands every page to `f`, in order. The
/// writer calls it twice — the fonts' glyph sets, over all pages, are
/// chosen before the first page is written — so it must give the same
/// pages both times; only the PDF's bytes are held, never all the pages.
pub trait Pages {
    fn each(&self, f: &mut dyn FnMut(&Scene) -> Result<(), PdfError>) -> Result<(), PdfError>;
}

impl Pages for &[Scene] {
    fn each(&self, f: &mut dyn FnMut(&Scene) -> Result<(), PdfError>) -> Result<(), PdfError> {
        self.iter().try_for_each(f)
    }
}

/// [`export_pages`] of pages made as they are written: the same bytes.
pub fn export_streamed(pages: &dyn Pages, opts: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    write(pages, opts, Part::Print)
}

fn write(scenes: &dyn Pages, opts: &PdfOptions, part: Part) -> Result<Vec<u8>, PdfError> {
    if let Some(x) = opts.pdfx {
        let mut image = false;
        scenes.each(&mut |s| {
            image |= s.elements.iter().any(|e| matches!(e, Element::Image(_)));
            Ok(())
        })?;
        if image {
            return Err(PdfError::RgbImage(x.label()));
        }
    }
    let mut ids = Ids(0);
    // Room for the output profile up front: growing the buffer past it would
    // copy the whole file again (measured: a tenth of a batch's instructions).
    let profile = if opts.pdfx.is_some() { crate::color::PROFILE_ZLIB.len() } else { 0 };
    let mut pdf = Pdf::with_capacity(profile + 64 * 1024);
    match opts.pdfx {
        Some(PdfX::X4) => pdf.set_version(1, 6),
        Some(PdfX::X1a) => pdf.set_version(1, 3),
        None => {}
    }
    let catalog_id = ids.next();
    let tree_id = ids.next();
    let info_id = ids.next();

    // Fonts in use (unless outlined): glyph sets per book index, over all pages.
    let mut used: BTreeMap<usize, UsedFont> = BTreeMap::new();
    if !opts.outline_text && part == Part::Print {
        scenes.each(&mut |s| {
            for el in &s.elements {
                if let Element::Text(run) = el {
                    let e = used
                        .entry(run.font.index)
                        .or_insert_with(|| (run.font.clone(), BTreeSet::new(), BTreeMap::new(), false));
                    // One subset of every run's glyphs: from a font that has them
                    // all (a partial read holds only its own runs' outlines; the
                    // bytes it holds are the whole font's, so the subset is the same).
                    if e.0.is_partial() && !run.font.is_partial() {
                        e.0 = run.font.clone();
                    }
                    for g in &run.glyphs {
                        e.1.insert(g.id);
                        e.3 |= g.vertical;
                        if !g.text.is_empty() {
                            e.2.entry(g.id).or_insert_with(|| g.text.clone());
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
    struct Embedded {
        name: String,
        type0: Ref,
        /// The same subset in vertical mode (Identity-V), when any glyph is set upright in a column.
        vertical: Option<(String, Ref)>,
        remap: subsetter::GlyphRemapper,
    }
    let mut embedded: BTreeMap<usize, Embedded> = BTreeMap::new();
    // What the file ids are made from: everything that changes the pages.
    let mut id_hash_input: Vec<u8> = Vec::new();
    for (&idx, (font, glyphs, texts, any_vertical)) in &used {
        let mut remap = subsetter::GlyphRemapper::new();
        for &g in glyphs {
            remap.remap(g);
        }
        let subset = cached_subset(font, glyphs, &remap)?;
        let tag = subset_tag(glyphs);
        let base = format!("{tag}+{}", font.postscript_name);
        let type0 = ids.next();
        let cid = ids.next();
        let desc = ids.next();
        let file = ids.next();
        let cmap = ids.next();
        let name = format!("F{idx}");

        let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        let scale = 1000.0 / font.units_per_em;
        let face = font.face();
        let fonts = FontRefs { base: &base, system, desc, cmap };
        let mut cidf = fonts.write(&mut pdf, type0, cid, b"Identity-H");
        let widths: Vec<f32> = remap
            .remapped_gids()
            .map(|old| f(f64::from(face.glyph_hor_advance(ttf_parser::GlyphId(old)).unwrap_or(0)) * scale))
            .collect();
        cidf.widths().consecutive(0, widths.iter().copied());
        cidf.finish();
        // Vertical columns: the same glyphs in vertical writing mode, so that
        // text extraction (poppler and others) reads each column as one line,
        // top to bottom, columns right to left. Advances from `vmtx`,
        // position vectors from `vertical_origin`.
        let vertical = any_vertical.then(|| {
            let (v_type0, v_cid) = (ids.next(), ids.next());
            let v_name = format!("V{idx}");
            let mut cidf = fonts.write(&mut pdf, v_type0, v_cid, b"Identity-V");
            cidf.widths().consecutive(0, widths.iter().copied());
            cidf.insert(Name(b"DW2")).array().items([f(-font.em_bottom * 1000.0), -1000.0]);
            // Every glyph's advance and position vector, in CID order.
            let mut w2 = cidf.insert(Name(b"W2")).array();
            w2.item(0);
            let mut all = w2.push().array();
            for old in remap.remapped_gids() {
                let (vx, vy) = vertical_origin(font, &face, old);
                let adv = f64::from(face.glyph_ver_advance(ttf_parser::GlyphId(old)).unwrap_or(0));
                all.items([f(-adv * scale), f(vx * scale), f(vy * scale)]);
            }
            all.finish();
            w2.finish();
            cidf.finish();
            (v_name, v_type0)
        });
        let b = font.bbox;
        pdf.font_descriptor(desc)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(f(b[0] * scale), f(b[1] * scale), f(b[2] * scale), f(b[3] * scale)))
            .italic_angle(0.0)
            .ascent(f(font.ascender * scale))
            .descent(f(font.descender * scale))
            .cap_height(f(font.cap_height * scale))
            .stem_v(80.0)
            .font_file2(file);
        put_stream(&mut pdf, file, &subset, Some(subset.len()));
        let mut uc = UnicodeCmap::new(Name(b"Custom"), system);
        for (old, text) in texts {
            if let Some(new) = remap.get(*old) {
                uc.pair_with_multiple(new, text.chars());
            }
        }
        let uc = uc.finish();
        put_stream(&mut pdf, cmap, uc.as_slice(), None);
        embedded.insert(idx, Embedded { name, type0, vertical, remap });
        id_hash_input.extend_from_slice(base.as_bytes());
    }
    let font_refs: Vec<(String, Ref)> =
        embedded.values().flat_map(|e| std::iter::once((e.name.clone(), e.type0)).chain(e.vertical.clone())).collect();

    // Station pictures: one XObject per distinct picture in the whole file,
    // however many zones and pages place it.
    let mut xobjects: BTreeMap<u64, (String, Ref)> = BTreeMap::new();
    let mut page_ids = Vec::new();
    let mut outline_cache: BTreeMap<(usize, u16), Vec<OSeg>> = BTreeMap::new();
    let mut first_title: Option<String> = None;
    scenes.each(&mut |scene| {
        first_title.get_or_insert_with(|| scene.title.clone());
        let page_id = ids.next();
        page_ids.push(page_id);
        let slug = slug_width(scene, opts);
        let off = scene.bleed + slug;
        let (pw, ph) = (scene.width + 2.0 * off, scene.height + 2.0 * off);
        let draw_marks = slug > 0.0 && part == Part::Print;
        // Colour spaces: one Separation per spot ink, DeviceCMYK for process
        // inks; the technical (die line) ink only in the cut file, so that no
        // trace of it is in the print file for a RIP to map to a plate.
        let mut cs_names: BTreeMap<usize, String> = BTreeMap::new();
        for (i, ink) in scene.inks.iter().enumerate() {
            let wanted = match (&ink.kind, part) {
                (InkKind::Spot { .. }, Part::Print) => true,
                (InkKind::Technical { .. }, Part::Cut) => scene.die_line.as_ref().is_some_and(|d| d.ink == i),
                _ => false,
            };
            if wanted {
                cs_names.insert(i, format!("CS{i}"));
            }
        }
        let mut images: Vec<(String, Ref)> = Vec::new();

        let mut pieces = Pieces::default();
        let mut c = Content::new();
        c.save_state();
        c.transform([1.0, 0.0, 0.0, -1.0, f(off), f(off + scene.height)]);
        if part == Part::Cut
            && let Some(d) = &scene.die_line
        {
            let paint = Paint { ink: d.ink, tint: 1.0, overprint: true };
            begin_paint(&mut c, scene, &cs_names, &paint, false);
            c.set_line_width(f(d.width));
            draw_path(&mut c, &d.path);
            c.stroke();
            end_paint(&mut c, &paint);
        }
        let artwork: &[Element] = if part == Part::Print { &scene.elements } else { &[] };
        if let Some(paint) = scene.background.as_ref().filter(|_| part == Part::Print) {
            let b = scene.bleed;
            begin_paint(&mut c, scene, &cs_names, paint, true);
            draw_path(&mut c, &Path::rect(-b, -b, scene.width + 2.0 * b, scene.height + 2.0 * b));
            c.fill_nonzero();
            end_paint(&mut c, paint);
        }
        pieces.push(c);
        let mut skip = false;
        for (i, el) in artwork.iter().enumerate() {
            if std::mem::take(&mut skip) {
                continue;
            }
            let mut c = Content::new();
            match el {
                // A fill followed by a stroke of the same path, neither
                // overprinting (an underbase and its choke): the path once, `B`.
                Element::Fill { path, paint }
                    if let Some(Element::Stroke { path: p2, width, paint: sp }) = artwork.get(i + 1)
                        && p2 == path
                        && !paint.overprint
                        && !sp.overprint =>
                {
                    begin_paint(&mut c, scene, &cs_names, paint, true);
                    begin_paint(&mut c, scene, &cs_names, sp, false);
                    c.set_line_width(f(*width));
                    draw_path(&mut c, path);
                    c.fill_nonzero_and_stroke();
                    skip = true;
                }
                Element::Fill { path, paint } => {
                    begin_paint(&mut c, scene, &cs_names, paint, true);
                    draw_path(&mut c, path);
                    c.fill_nonzero();
                    end_paint(&mut c, paint);
                }
                Element::Stroke { path, width, paint } => {
                    begin_paint(&mut c, scene, &cs_names, paint, false);
                    c.set_line_width(f(*width));
                    draw_path(&mut c, path);
                    c.stroke();
                    end_paint(&mut c, paint);
                }
                Element::Image(img) => {
                    let id = ids.next();
                    let name = format!("Im{}", images.len());
                    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&img.rgb, 1);
                    let mut x = pdf.image_xobject(id, &packed);
                    x.filter(Filter::FlateDecode);
                    x.width(img.width as i32);
                    x.height(img.height as i32);
                    x.color_space().device_rgb();
                    x.bits_per_component(8);
                    x.finish();
                    let [ix, iy, iw, ih] = img.rect;
                    c.save_state();
                    c.transform([f(iw), 0.0, 0.0, f(-ih), f(ix), f(iy + ih)]);
                    c.x_object(Name(name.as_bytes()));
                    c.restore_state();
                    images.push((name, id));
                }
                Element::Raster(r) => {
                    let px = &r.pixels;
                    let (name, id) = match xobjects.get(&px.key) {
                        Some(x) => x.clone(),
                        None => {
                            let (name, id) = (format!("Px{}", xobjects.len()), ids.next());
                            write_pixels(&mut pdf, id, px);
                            id_hash_input.extend_from_slice(&px.key.to_be_bytes());
                            xobjects.insert(px.key, (name.clone(), id));
                            (name, id)
                        }
                    };
                    if !images.iter().any(|(n, _)| *n == name) {
                        images.push((name.clone(), id));
                    }
                    c.save_state();
                    let [cx, cy, cw, ch] = r.clip;
                    c.rect(f(cx), f(cy), f(cw), f(ch));
                    c.clip_nonzero();
                    c.end_path();
                    if let Some(p) = &r.paint {
                        begin_paint(&mut c, scene, &cs_names, p, true);
                    }
                    let [ix, iy, iw, ih] = r.rect;
                    c.transform([f(iw), 0.0, 0.0, f(-ih), f(ix), f(iy + ih)]);
                    c.x_object(Name(name.as_bytes()));
                    if let Some(p) = &r.paint {
                        end_paint(&mut c, p);
                    }
                    c.restore_state();
                }
                Element::Text(run) => {
                    begin_paint(&mut c, scene, &cs_names, &run.paint, true);
                    if let Some(e) = embedded.get(&run.font.index) {
                        let upem = run.font.units_per_em;
                        let face = run.font.face();
                        c.begin_text();
                        let mut current: Option<&str> = None;
                        for g in &run.glyphs {
                            let Some(new) = e.remap.get(g.id) else {
                                continue;
                            };
                            let (name, (x, y)) = match (&e.vertical, g.vertical) {
                                // In vertical mode the text position lies v past the
                                // glyph's baseline origin.
                                (Some((v, _)), true) => {
                                    let (vx, vy) = vertical_origin(&run.font, &face, g.id);
                                    (v.as_str(), (g.x + g.m[0] * vx + g.m[2] * vy, g.y + g.m[1] * vx + g.m[3] * vy))
                                }
                                _ => (e.name.as_str(), (g.x, g.y)),
                            };
                            if current != Some(name) {
                                c.set_font(Name(name.as_bytes()), 1.0);
                                current = Some(name);
                            }
                            c.set_text_matrix([
                                f(g.m[0] * upem),
                                f(g.m[1] * upem),
                                f(g.m[2] * upem),
                                f(g.m[3] * upem),
                                f(x),
                                f(y),
                            ]);
                            c.show(Str(&new.to_be_bytes()));
                        }
                        c.end_text();
                    } else {
                        for g in &run.glyphs {
                            let segs = outline_cache
                                .entry((run.font.index, g.id))
                                .or_insert_with(|| glyph_outline(&run.font, g.id));
                            if segs.is_empty() {
                                continue;
                            }
                            draw_outline(&mut c, g, segs);
                            c.fill_nonzero();
                        }
                    }
                    end_paint(&mut c, &run.paint);
                }
            }
            pieces.push(c);
        }
        let mut c = Content::new();
        if draw_marks {
            crop_marks(&mut c, scene);
        }
        c.restore_state();
        pieces.push(c);
        let streams = pieces.finish();
        let content_ids: Vec<Ref> = streams.iter().map(|_| ids.next()).collect();

        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, f(pw), f(ph)))
            .bleed_box(Rect::new(f(slug), f(slug), f(pw - slug), f(ph - slug)))
            .trim_box(Rect::new(f(off), f(off), f(off + scene.width), f(off + scene.height)));
        match content_ids[..] {
            [one] => page.contents(one),
            _ => page.contents_array(content_ids.iter().copied()),
        };
        let mut res = page.resources();
        if !font_refs.is_empty() {
            let mut fonts = res.fonts();
            for (name, r) in &font_refs {
                fonts.pair(Name(name.as_bytes()), *r);
            }
            fonts.finish();
        }
        if !images.is_empty() {
            let mut xo = res.x_objects();
            for (name, r) in &images {
                xo.pair(Name(name.as_bytes()), *r);
            }
            xo.finish();
        }
        {
            let mut spaces = res.color_spaces();
            for (&i, name) in &cs_names {
                let ink = &scene.inks[i];
                let (label, cmyk) = match &ink.kind {
                    InkKind::Spot { name, cmyk } | InkKind::Technical { name, cmyk } => (name.clone(), *cmyk),
                    InkKind::Process { .. } => continue,
                };
                separation(spaces.insert(Name(name.as_bytes())).start(), &label, cmyk);
            }
            if draw_marks {
                separation(spaces.insert(Name(b"CSAll")).start(), "All", [1.0, 1.0, 1.0, 1.0]);
            }
            spaces.finish();
        }
        {
            let mut states = res.ext_g_states();
            states
                .insert(Name(b"GOP"))
                .start::<pdf_writer::writers::ExtGraphicsState>()
                .overprint(true)
                .overprint_fill(true)
                .overprint_mode(OverprintMode::IgnoreZeroChannel);
            states.finish();
        }
        res.finish();
        page.finish();
        let min = if streams.len() > 1 { PIECE_DEFLATE_MIN } else { DEFLATE_MIN };
        for (&id, bytes) in content_ids.iter().zip(&streams) {
            match put_stream_min(&mut pdf, id, bytes, None, min) {
                // A deflated stream by its checksum: hashing its bytes again
                // for the ids cost as much as checksumming it.
                Some(sum) => id_hash_input.extend_from_slice(&sum),
                None => id_hash_input.extend_from_slice(bytes),
            }
        }
        for ink in &scene.inks {
            id_hash_input.extend(ink.label().bytes().chain(ink.cmyk().iter().flat_map(|v| v.to_be_bytes())));
        }
        Ok(())
    })?;
    let title = match (part, first_title) {
        (Part::Print, Some(t)) => t,
        (Part::Cut, Some(t)) => format!("CutContour — {t}"),
        (_, None) => "jiediqi".into(),
    };
    let title = title.as_str();
    // PDF/X requires dates; without SOURCE_DATE_EPOCH or an approval time a
    // fixed one keeps the bytes reproducible.
    let epoch = match opts.pdfx {
        Some(_) => Some(opts.epoch.filter(|&e| pdf_date(e).is_some()).unwrap_or(0)),
        None => opts.epoch,
    };
    // File identifiers from the content, as preflight expects: same input,
    // same ids. The instance id also covers the PDF/X version and the date.
    let doc_id = content_id_bytes(&id_hash_input, title);
    let mut instance_input = doc_id.clone();
    instance_input.extend(opts.pdfx.map(PdfX::name).unwrap_or("").bytes().chain(epoch.unwrap_or(0).to_be_bytes()));
    let instance_id = content_id_bytes(&instance_input, title);

    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id);
    let pdfx_refs = opts.pdfx.map(|x| (x, ids.next(), ids.next()));
    if let Some((_, meta_id, icc_id)) = pdfx_refs {
        catalog.metadata(meta_id);
        let c = crate::color::FOGRA39;
        catalog
            .output_intents()
            .push()
            .subtype(pdf_writer::types::OutputIntentSubtype::PDFX)
            .output_condition_identifier(TextStr(c.identifier))
            .output_condition(TextStr(c.condition))
            .registry_name(TextStr(c.registry))
            .info(TextStr(c.info))
            .dest_output_profile(icc_id);
    }
    catalog.finish();
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(page_ids.len() as i32);

    let mut info = pdf.document_info(info_id);
    info.title(TextStr(title)).producer(TextStr("jiediqi")).creator(TextStr("jiediqi"));
    if let Some(date) = epoch.and_then(pdf_date) {
        info.creation_date(date).modified_date(date);
    }
    info.pair(Name(b"Trapped"), Name(b"False"));
    if let Some(x) = opts.pdfx {
        info.pair(Name(b"GTS_PDFXVersion"), TextStr(x.version_key()));
        if x == PdfX::X1a {
            info.pair(Name(b"GTS_PDFXConformance"), TextStr("PDF/X-1a:2001"));
        }
    }
    info.finish();
    if let Some((x, meta_id, icc_id)) = pdfx_refs {
        let xmp = xmp(x, title, epoch.unwrap_or(0), &doc_id, &instance_id);
        // Not compressed: preflight tools and file browsers read it as text.
        pdf.metadata(meta_id, xmp.as_bytes());
        pdf.icc_profile(icc_id, crate::color::PROFILE_ZLIB).n(4).filter(Filter::FlateDecode);
    }
    pdf.set_file_id((doc_id, instance_id));
    Ok(pdf.finish())
}

/// The XMP packet of a PDF/X file: the information dictionary's title,
/// dates, producer and trapped key again, the PDF/X version, and document
/// and instance ids (from the content, so reruns give the same bytes).
fn xmp(x: PdfX, title: &str, epoch: i64, doc_id: &[u8], instance_id: &[u8]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
    };
    let date = crate::timefmt::rfc3339(epoch);
    let version = match x {
        PdfX::X4 => "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>".to_string(),
        PdfX::X1a => "<pdfx:GTS_PDFXVersion>PDF/X-1:2001</pdfx:GTS_PDFXVersion>\n\
                      <pdfx:GTS_PDFXConformance>PDF/X-1a:2001</pdfx:GTS_PDFXConformance>"
            .to_string(),
    };
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" \
         xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\" \
         xmlns:pdfx=\"http://ns.adobe.com/pdfx/1.3/\" \
         xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\n\
         <dc:format>application/pdf</dc:format>\n\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
         <xmp:CreateDate>{date}</xmp:CreateDate>\n\
         <xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
         <xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
         <xmp:CreatorTool>jiediqi</xmp:CreatorTool>\n\
         <pdf:Producer>jiediqi</pdf:Producer>\n\
         <pdf:Trapped>False</pdf:Trapped>\n\
         <xmpMM:DocumentID>{doc}</xmpMM:DocumentID>\n\
         <xmpMM:InstanceID>{instance}</xmpMM:InstanceID>\n\
         <xmpMM:VersionID>1</xmpMM:VersionID>\n\
         <xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n\
         {version}\n\
         </rdf:Description>\n\
         </rdf:RDF>\n\
         </x:xmpmeta>\n\
         <?xpacket end=\"w\"?>",
        title = esc(title),
        doc = uuid(doc_id),
        instance = uuid(instance_id),
    )
}

/// `uuid:` and 16 bytes as an RFC 9562 version 8 (custom) UUID.
fn uuid(bytes: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (d, s) in b.iter_mut().zip(bytes) {
        *d = *s;
    }
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A Separation colour space with a CMYK alternate (linear tint transform).
/// What the horizontal and vertical fonts of one subset share.
struct FontRefs<'a> {
    base: &'a str,
    system: SystemInfo<'a>,
    desc: Ref,
    cmap: Ref,
}

impl FontRefs<'_> {
    /// A Type0 font in `encoding` (Identity-H or Identity-V) over a
    /// CIDFontType2 descendant, returned for its metrics.
    fn write<'p>(&self, pdf: &'p mut Pdf, type0: Ref, cid: Ref, encoding: &[u8]) -> pdf_writer::writers::CidFont<'p> {
        pdf.type0_font(type0)
            .base_font(Name(self.base.as_bytes()))
            .encoding_predefined(Name(encoding))
            .descendant_font(cid)
            .to_unicode(self.cmap);
        let mut cidf = pdf.cid_font(cid);
        cidf.subtype(CidFontType::Type2)
            .base_font(Name(self.base.as_bytes()))
            .system_info(self.system)
            .font_descriptor(self.desc)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cidf
    }
}

fn separation(cs: pdf_writer::writers::ColorSpace, name: &str, cmyk: [f64; 4]) {
    let mut sep = cs.separation(Name(name.as_bytes()));
    // pdf-writer 0.15 does not export DeviceColorSpace; the array form writes the same name.
    sep.alternate_color_space().device_cmyk();
    sep.tint_exponential().domain([0.0, 1.0]).c0([0.0, 0.0, 0.0, 0.0]).c1(cmyk.map(|v| v as f32)).n(1.0);
}

fn begin_paint(c: &mut Content, scene: &Scene, cs: &BTreeMap<usize, String>, paint: &Paint, fill: bool) {
    if paint.overprint {
        c.save_state();
        c.set_parameters(Name(b"GOP"));
    }
    let t = f(paint.tint);
    match (cs.get(&paint.ink), &scene.inks[paint.ink].kind) {
        (Some(name), _) => {
            if fill {
                c.set_fill_color_space(Name(name.as_bytes()));
                c.set_fill_color([t]);
            } else {
                c.set_stroke_color_space(Name(name.as_bytes()));
                c.set_stroke_color([t]);
            }
        }
        (None, InkKind::Process { cmyk }) => {
            let [cc, m, y, k] = cmyk.map(|v| f(v) * t);
            if fill {
                c.set_fill_cmyk(cc, m, y, k);
            } else {
                c.set_stroke_cmyk(cc, m, y, k);
            }
        }
        (None, _) => {}
    }
}

/// A station picture's XObject: CMYK pixels (8 bits, DeviceCMYK, the output
/// intent's space), or a 1-bit stencil mask painted in the current fill
/// colour (a spot ink's Separation), so each plate gets exactly its pixels.
fn write_pixels(pdf: &mut Pdf, id: Ref, px: &Pixels) {
    let (data, mask) = match &px.data {
        PixelData::Cmyk { cmyk, .. } => (cmyk, false),
        PixelData::Mask { bits } => (bits, true),
    };
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
    let mut x = pdf.image_xobject(id, &packed);
    x.filter(Filter::FlateDecode);
    x.width(px.width as i32);
    x.height(px.height as i32);
    if mask {
        // Our bit 1 is ink; a stencil paints where its sample is 0 unless decoded [1 0].
        x.image_mask(true);
        x.bits_per_component(1);
        x.decode([1.0, 0.0]);
    } else {
        x.color_space().device_cmyk();
        x.bits_per_component(8);
    }
    x.finish();
}

fn end_paint(c: &mut Content, paint: &Paint) {
    if paint.overprint {
        c.restore_state();
    }
}

fn draw_path(c: &mut Content, path: &Path) {
    for s in &path.0 {
        match *s {
            Seg::Move(x, y) => {
                c.move_to(f(x), f(y));
            }
            Seg::Line(x, y) => {
                c.line_to(f(x), f(y));
            }
            Seg::Cubic(a, b, cc, d, e, g) => {
                c.cubic_to(f(a), f(b), f(cc), f(d), f(e), f(g));
            }
            Seg::Close => {
                c.close_path();
            }
        }
    }
}

fn draw_outline(c: &mut Content, g: &crate::scene::Glyph, segs: &[OSeg]) {
    let mut cur = (0.0f32, 0.0f32);
    for s in segs {
        match *s {
            OSeg::Move(x, y) => {
                let (px, py) = place(g, x, y);
                c.move_to(f(px), f(py));
                cur = (x, y);
            }
            OSeg::Line(x, y) => {
                let (px, py) = place(g, x, y);
                c.line_to(f(px), f(py));
                cur = (x, y);
            }
            OSeg::Quad(x1, y1, x, y) => {
                // Raise the quadratic to a cubic.
                let c1 = (cur.0 + 2.0 / 3.0 * (x1 - cur.0), cur.1 + 2.0 / 3.0 * (y1 - cur.1));
                let c2 = (x + 2.0 / 3.0 * (x1 - x), y + 2.0 / 3.0 * (y1 - y));
                let (a, b) = place(g, c1.0, c1.1);
                let (d, e) = place(g, c2.0, c2.1);
                let (px, py) = place(g, x, y);
                c.cubic_to(f(a), f(b), f(d), f(e), f(px), f(py));
                cur = (x, y);
            }
            OSeg::Cubic(x1, y1, x2, y2, x, y) => {
                let (a, b) = place(g, x1, y1);
                let (d, e) = place(g, x2, y2);
                let (px, py) = place(g, x, y);
                c.cubic_to(f(a), f(b), f(d), f(e), f(px), f(py));
                cur = (x, y);
            }
            OSeg::Close => {
                c.close_path();
            }
        }
    }
}

/// The scene's crop marks in the registration colour, so they appear on every plate.
fn crop_marks(c: &mut Content, scene: &Scene) {
    c.set_stroke_color_space(Name(b"CSAll"));
    c.set_stroke_color([1.0]);
    c.set_line_width(f(CROP_MARK_WIDTH));
    draw_path(c, &scene.crop_marks());
    c.stroke();
}

/// 16 bytes from two FNV-1a hashes of the page content and title.
fn content_id_bytes(content: &[u8], title: &str) -> Vec<u8> {
    // Both hashes in one pass over the bytes: each is a chain of dependent
    // multiplies, so two chains side by side cost about as much as one (a
    // county order hashes some hundred MB of page content).
    const P: u64 = 0x0100_0000_01b3;
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325u64, 0x8422_2325_cbf2_9ce4u64);
    for &x in content.iter().chain(title.as_bytes()) {
        a = (a ^ u64::from(x)).wrapping_mul(P);
        b = (b ^ u64::from(x)).wrapping_mul(P);
    }
    let mut id = a.to_be_bytes().to_vec();
    id.extend(b.to_be_bytes());
    id
}

/// FNV-1a over bytes from a given start value: stable names and ids, not security.
fn fnv1a(seed: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

type SubsetKey = (std::path::PathBuf, Vec<u16>);

/// Subsets already made in this process: a batch of posters repeats the
/// footer's and tip's glyph sets, so each is subset once.
static SUBSETS: std::sync::Mutex<BTreeMap<SubsetKey, std::sync::Arc<Vec<u8>>>> = std::sync::Mutex::new(BTreeMap::new());

/// What the subset cache may hold: a few hundred posters' worth.
const SUBSET_CACHE_BYTES: usize = 8 << 20;

fn cached_subset(
    font: &Font,
    glyphs: &BTreeSet<u16>,
    remap: &subsetter::GlyphRemapper,
) -> Result<std::sync::Arc<Vec<u8>>, PdfError> {
    let key = (font.path.clone(), glyphs.iter().copied().collect::<Vec<_>>());
    if let Some(hit) = SUBSETS.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(hit);
    }
    let bytes = subsetter::subset(&font.data, 0, remap)
        .map_err(|e| PdfError::Subset { font: font.path.display().to_string(), message: format!("{e:?}") })?;
    let bytes = std::sync::Arc::new(bytes);
    if let Ok(mut m) = SUBSETS.lock() {
        // Bounded: a long run of all-different sets (a county's stations,
        // each with its own footer glyphs) must not grow without end.
        let held: usize = m.values().map(|b| b.len()).sum();
        if m.len() >= 1024 || held + bytes.len() > SUBSET_CACHE_BYTES {
            m.clear();
        }
        m.insert(key, bytes.clone());
    }
    Ok(bytes)
}

/// Six capital letters from the glyph set: the same subset gets the same tag.
fn subset_tag(glyphs: &BTreeSet<u16>) -> String {
    let mut h = fnv1a(0xcbf2_9ce4_8422_2325, glyphs.iter().flat_map(|g| g.to_be_bytes()));
    let mut s = String::new();
    for _ in 0..6 {
        s.push(char::from(b'A' + (h % 26) as u8));
        h /= 26;
    }
    s
}

/// A UTC date from seconds since 1970.
fn pdf_date(epoch: i64) -> Option<pdf_writer::Date> {
    if epoch < 0 {
        return None;
    }
    let (y, m, d, h, mi, s) = crate::timefmt::civil(epoch);
    if !(0..=9999).contains(&y) {
        return None;
    }
    Some(
        pdf_writer::Date::new(y as u16)
            .month(m)
            .day(d)
            .hour(h)
            .minute(mi)
            .second(s)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_epoch() {
        // 2026-11-29T00:00:00Z
        let d = pdf_date(1_795_910_400).unwrap();
        let mut pdf = Pdf::new();
        pdf.document_info(Ref::new(1)).creation_date(d);
        let bytes = pdf.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("D:20261129000000Z"), "{text}");
    }

    #[test]
    fn subset_tags_are_stable_and_uppercase() {
        let a: BTreeSet<u16> = [1, 2, 3].into();
        let t = subset_tag(&a);
        assert_eq!(t, subset_tag(&a));
        assert_eq!(t.len(), 6);
        assert!(t.chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(t, subset_tag(&[1, 2, 4].into()));
    }
}
