//! SVG: the same geometry as the PDF (user units are points, the page is
//! sized in mm), glyphs as paths, every shape tagged with its ink
//! (`data-ink`). Three kinds, all from one writer:
//!
//! - [`preview`]: what the studio shows and PNG proofs are drawn from — the
//!   material's colour (substrate) under the artwork and the die line over it;
//! - [`print`]: the vendor's composite — artwork only (no substrate, no die
//!   line), trim + bleed (+ slug and crop marks), each ink's CMYK values as
//!   `icc-color` in the shape's style (what Inkscape reads and writes) after
//!   an sRGB fill attribute (what browsers and librsvg draw: they drop the
//!   style declaration they cannot read; resvg paints it black instead, so
//!   PNG proofs are drawn from previews, which have no `icc-color`), the
//!   inks as named swatches and in `<metadata>`;
//! - [`plate`]: one spot ink's film for a screen printer — black where the
//!   ink prints (tints as grey), white where a later ink knocks it out of
//!   what it printed, transparent elsewhere: a film positive is opaque where the screen
//!   passes ink, whatever the ink's colour, so a separation drawn in the
//!   ink's own colour (yellow, say) would have to be redone before output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::outline::{OSeg, glyph_outline};
use crate::PT_PER_MM;
use crate::color;
use crate::scene::{CROP_MARK_WIDTH, Element, InkKind, Paint, Path, PixelData, Rgb, Scene, Seg};

/// Which part of the page a preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Area {
    /// Trim plus bleed: the print geometry.
    #[default]
    Bleed,
    /// The trim only: what the finished item looks like (proofs).
    Trim,
}

#[derive(Debug, Clone)]
pub struct PreviewOptions {
    pub area: Area,
    /// Draw the substrate and background rectangles (the PNG exporter fills
    /// its canvas with them instead: cheaper than two full-page paths).
    pub backdrop: bool,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions { area: Area::Bleed, backdrop: true }
    }
}

/// Options of the vendor's files (composite and films).
#[derive(Debug, Clone, Default)]
pub struct PrintOptions {
    /// Crop marks in a slug outside the bleed, as in the PDF (ignored where
    /// the item allows none).
    pub marks: bool,
}

/// The name of the CMYK values in `icc-color(…)`: the print shop's process
/// values, as the PDF gives them (DeviceCMYK, or a spot ink's alternate).
const CMYK_PROFILE: &str = "jiediqi-cmyk";

/// The colour of the page before any artwork: the background ink where
/// there is one (drawn opaque, as every ink is), else the substrate.
pub fn backdrop_colour(scene: &Scene) -> Rgb {
    match &scene.background {
        Some(p) => color::ink_srgb(&scene.inks[p.ink], p.tint),
        None => scene.substrate,
    }
}

/// A preview of a scene: substrate, artwork, die line.
pub fn preview(scene: &Scene, opts: &PreviewOptions) -> String {
    Writer::new(scene, Kind::Preview { area: opts.area, backdrop: opts.backdrop }, false).finish()
}

/// A preview to place inside another SVG (a mockup): the glyph outlines
/// (`<path id=…>`, one a line, ids shared by every scene set in the same
/// fonts, so a document that places several keeps each once) and the
/// drawing in the scene's pt coordinates, for a viewport the caller makes.
pub fn preview_parts(scene: &Scene, opts: &PreviewOptions) -> (Vec<String>, String) {
    let mut w = Writer::bare(scene, Kind::Preview { area: opts.area, backdrop: opts.backdrop }, false);
    w.defs();
    let defs = std::mem::take(&mut w.s).lines().filter(|l| l.starts_with("<path id=")).map(str::to_string).collect();
    w.body();
    (defs, w.s)
}

/// The vendor's composite SVG: the artwork only.
pub fn print(scene: &Scene, opts: &PrintOptions) -> String {
    Writer::new(scene, Kind::Print, opts.marks).finish()
}

/// The film of one ink (index into the scene's inks).
pub fn plate(scene: &Scene, ink: usize, opts: &PrintOptions) -> String {
    Writer::new(scene, Kind::Plate(ink), opts.marks).finish()
}

/// The film of every spot ink, by ink id, in the template's order. Process
/// items have none: their plates are made by the RIP from the PDF.
pub fn plates(scene: &Scene, opts: &PrintOptions) -> Vec<(String, String)> {
    scene
        .inks
        .iter()
        .enumerate()
        .filter(|(_, ink)| matches!(ink.kind, InkKind::Spot { .. }))
        .map(|(i, ink)| (ink.id.clone(), plate(scene, i, opts)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Preview { area: Area, backdrop: bool },
    Print,
    Plate(usize),
}

/// RGBA pixels as a PNG (for `<image>`), or `None` if the encoder fails.
fn rgba_png(width: u32, height: u32, rgba: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header().ok()?;
    w.write_image_data(rgba).ok()?;
    w.finish().ok()?;
    Some(out)
}

/// Standard base64 with padding (RFC 4648), for data URLs.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let v =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            s.push(if i <= c.len() { char::from(A[(v >> shift) as usize & 63]) } else { '=' });
        }
    }
    s
}

fn n(v: f64) -> String {
    // Two decimals of a point are far below print resolution; trim zeros.
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A CMYK component (0–1) to four decimals: 0.01 % of an ink.
fn frac(v: f64) -> String {
    let s = format!("{:.4}", v.clamp(0.0, 1.0));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A film's grey for an ink at a tint: black film at full ink, lighter for
/// a tint (what the film RIP screens). Not a colour: screens' colours come
/// from the output profile (`color`).
fn film_grey(tint: f64) -> String {
    let v = (255.0 * (1.0 - tint.clamp(0.0, 1.0))).round() as u8;
    Rgb(v, v, v).hex()
}

fn path_data(p: &Path) -> String {
    let mut d = String::new();
    for s in &p.0 {
        match *s {
            Seg::Move(x, y) => write!(d, "M{} {}", n(x), n(y)),
            Seg::Line(x, y) => write!(d, "L{} {}", n(x), n(y)),
            Seg::Cubic(a, b, c, e, x, y) => {
                write!(d, "C{} {} {} {} {} {}", n(a), n(b), n(c), n(e), n(x), n(y))
            }
            Seg::Close => write!(d, "Z"),
        }
        .ok();
    }
    d
}

fn outline_data(segs: &[OSeg]) -> String {
    let mut d = String::new();
    for s in segs {
        match *s {
            OSeg::Move(x, y) => write!(d, "M{x} {y}"),
            OSeg::Line(x, y) => write!(d, "L{x} {y}"),
            OSeg::Quad(a, b, x, y) => write!(d, "Q{a} {b} {x} {y}"),
            OSeg::Cubic(a, b, c, e, x, y) => write!(d, "C{a} {b} {c} {e} {x} {y}"),
            OSeg::Close => write!(d, "Z"),
        }
        .ok();
    }
    d
}

/// An sRGB colour with its CMYK values: the attribute for renderers, the
/// style (which overrides it where it is understood) for Inkscape; `more`
/// is further style (`;…`).
fn cmyk_paint(prop: &str, srgb: &str, cmyk: [f64; 4], more: &str) -> String {
    let [c, m, y, k] = cmyk.map(frac);
    format!(r#" {prop}="{srgb}" style="{prop}:{srgb} icc-color({CMYK_PROFILE}, {c}, {m}, {y}, {k}){more}""#)
}

/// A swatch id from an ink's name: XML-name characters only, starting with a letter.
fn swatch_id(label: &str) -> String {
    let mut id: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert_str(0, "ink_");
    }
    id
}

struct Writer<'a> {
    scene: &'a Scene,
    kind: Kind,
    /// Width of the slug with crop marks (print kinds only).
    slug: f64,
    s: String,
    glyphs: BTreeMap<(usize, u16), Option<std::sync::Arc<str>>>,
    /// A film: the bounds of what its ink has painted so far. A later ink's
    /// shape knocks it out only where it meets one of them; elsewhere a
    /// white shape would only clutter the film.
    inked: Vec<Bounds>,
    /// Clip paths written so far (their ids).
    clips: usize,
}

/// x0, y0, x1, y1 (pt).
type Bounds = [f64; 4];

fn meets(a: &Bounds, b: &Bounds) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Bounds of a path (its control points hold every curve), grown by `pad`.
fn path_bounds(p: &Path, pad: f64) -> Option<Bounds> {
    p.bounds().map(|r| [r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad])
}

/// Bounds of a text run: each glyph's place with the font's bounding box
/// (larger than the glyph's own: a knockout is never missed).
fn run_bounds(run: &crate::scene::TextRun) -> Option<Bounds> {
    let [bx0, by0, bx1, by1] = run.font.bbox;
    let mut pts = Vec::with_capacity(run.glyphs.len() * 4);
    for g in &run.glyphs {
        for (gx, gy) in [(bx0, by0), (bx1, by0), (bx0, by1), (bx1, by1)] {
            pts.push(Seg::Line(g.x + g.m[0] * gx + g.m[2] * gy, g.y + g.m[1] * gx + g.m[3] * gy));
        }
    }
    path_bounds(&Path(pts), 0.0)
}

impl<'a> Writer<'a> {
    fn bare(scene: &'a Scene, kind: Kind, marks: bool) -> Writer<'a> {
        let slug = if matches!(kind, Kind::Preview { .. }) { 0.0 } else { scene.slug(marks) };
        Writer {
            scene,
            kind,
            slug,
            s: String::with_capacity(16 * 1024),
            glyphs: BTreeMap::new(),
            inked: Vec::new(),
            clips: 0,
        }
    }

    fn new(scene: &'a Scene, kind: Kind, marks: bool) -> Writer<'a> {
        let mut w = Writer::bare(scene, kind, marks);
        w.header();
        w.defs();
        w.body();
        w
    }

    fn finish(mut self) -> String {
        self.s.push_str("</svg>\n");
        self.s
    }

    fn print_kind(&self) -> bool {
        !matches!(self.kind, Kind::Preview { .. })
    }

    /// The inks that print (not the die line's), with their indices.
    fn printing_inks(&self) -> impl Iterator<Item = (usize, &'a crate::scene::Ink)> + 'a {
        self.scene.inks.iter().enumerate().filter(|(_, i)| !matches!(i.kind, InkKind::Technical { .. }))
    }

    fn header(&mut self) {
        let scene = self.scene;
        let (x0, y0, w, h) = match self.kind {
            Kind::Preview { area: Area::Trim, .. } => (0.0, 0.0, scene.width, scene.height),
            _ => {
                let off = scene.bleed + self.slug;
                (-off, -off, scene.width + 2.0 * off, scene.height + 2.0 * off)
            }
        };
        let extra = if self.print_kind() {
            r#" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:osb="http://www.openswatchbook.org/uri/2009/osb""#
        } else {
            ""
        };
        writeln!(
            self.s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"{extra} width="{}mm" height="{}mm" viewBox="{} {} {} {}">"#,
            n(w / PT_PER_MM),
            n(h / PT_PER_MM),
            n(x0),
            n(y0),
            n(w),
            n(h)
        )
        .ok();
        let title = match self.kind {
            Kind::Plate(i) => format!("{} — {}", scene.inks[i].label(), scene.title),
            _ => scene.title.clone(),
        };
        writeln!(self.s, "<title>{}</title>", esc(&title)).ok();
        let what = match self.kind {
            Kind::Preview { .. } => "preview: material colour and die line shown, not for print",
            Kind::Print => {
                "print file: artwork only (no material colour, no die line: the cut contour is the .cut.pdf)"
            }
            Kind::Plate(_) => {
                "film of one ink: black prints (grey is a tint), white is knocked out by a later ink, transparent is no ink"
            }
        };
        writeln!(
            self.s,
            r#"<desc>{what}; units: pt (1/72 in); trim {}×{} mm at the origin; bleed {} mm; slug {} mm</desc>"#,
            n(scene.width / PT_PER_MM),
            n(scene.height / PT_PER_MM),
            n(scene.bleed / PT_PER_MM),
            n(self.slug / PT_PER_MM)
        )
        .ok();
        if self.print_kind() {
            self.metadata();
        }
    }

    /// The inks for tools: id, name, kind, CMYK (percent), sRGB, swatch id.
    fn metadata(&mut self) {
        let scene = self.scene;
        self.s.push_str(r#"<metadata><jiediqi:print xmlns:jiediqi="urn:jiediqi:print:1""#);
        write!(
            self.s,
            r#" trim-mm="{} {}" bleed-mm="{}" slug-mm="{}""#,
            n(scene.width / PT_PER_MM),
            n(scene.height / PT_PER_MM),
            n(scene.bleed / PT_PER_MM),
            n(self.slug / PT_PER_MM)
        )
        .ok();
        if let Kind::Plate(i) = self.kind {
            write!(self.s, r#" plate="{}""#, esc(&scene.inks[i].id)).ok();
        }
        self.s.push_str(">\n");
        let inks: Vec<_> = self.printing_inks().collect();
        for (_, ink) in inks {
            let kind = match ink.kind {
                InkKind::Spot { .. } => "spot",
                _ => "process",
            };
            let [c, m, y, k] = ink.cmyk().map(|v| n(v * 100.0));
            writeln!(
                self.s,
                r#"<jiediqi:ink id="{}" name="{}" type="{kind}" cmyk="{c} {m} {y} {k}" srgb="{}" swatch="{}"/>"#,
                esc(&ink.id),
                esc(&ink.label()),
                color::ink_srgb(ink, 1.0).hex(),
                esc(&swatch_id(&ink.label()))
            )
            .ok();
        }
        self.s.push_str("</jiediqi:print></metadata>\n");
    }

    /// Glyph outlines, once each, in font units; for the composite also the
    /// CMYK profile's name and one named swatch per ink (Inkscape lists
    /// them as the document's swatches).
    fn defs(&mut self) {
        let scene = self.scene;
        for el in &scene.elements {
            if let Element::Text(run) = el {
                for g in &run.glyphs {
                    self.glyphs.entry((run.font.index, g.id)).or_insert_with(|| {
                        run.font.svg_path(g.id, || {
                            let segs = glyph_outline(&run.font, g.id);
                            (!segs.is_empty()).then(|| outline_data(&segs))
                        })
                    });
                }
            }
        }
        self.s.push_str("<defs>\n");
        if self.kind == Kind::Print {
            writeln!(self.s, r#"<color-profile id="{CMYK_PROFILE}" name="{CMYK_PROFILE}"/>"#).ok();
            let mut seen = BTreeSet::new();
            let inks: Vec<_> = self.printing_inks().collect();
            for (_, ink) in inks {
                let mut id = swatch_id(&ink.label());
                if !seen.insert(id.clone()) {
                    id = format!("{id}_{}", ink.id);
                    seen.insert(id.clone());
                }
                let [c, m, y, k] = ink.cmyk().map(frac);
                let srgb = color::ink_srgb(ink, 1.0).hex();
                writeln!(
                    self.s,
                    r#"<linearGradient id="{}" inkscape:swatch="solid" osb:paint="solid" inkscape:label="{}"><stop offset="0" stop-color="{srgb}" style="stop-color:{srgb} icc-color({CMYK_PROFILE}, {c}, {m}, {y}, {k});stop-opacity:1"/></linearGradient>"#,
                    esc(&id),
                    esc(&ink.label())
                )
                .ok();
            }
        }
        for ((font, id), d) in &self.glyphs {
            if let Some(d) = d {
                writeln!(self.s, r#"<path id="f{font}g{id}" d="{d}"/>"#).ok();
            }
        }
        self.s.push_str("</defs>\n");
    }

    fn body(&mut self) {
        let scene = self.scene;
        if self.print_kind() {
            let label = match self.kind {
                Kind::Plate(i) => scene.inks[i].label(),
                _ => "图案".into(),
            };
            writeln!(self.s, r#"<g id="artwork" inkscape:groupmode="layer" inkscape:label="{}">"#, esc(&label)).ok();
        }
        let b = scene.bleed;
        let page = Path::rect(-b, -b, scene.width + 2.0 * b, scene.height + 2.0 * b);
        if let Kind::Preview { backdrop: true, .. } | Kind::Print | Kind::Plate(_) = self.kind {
            if let Kind::Preview { area, .. } = self.kind {
                let (x0, y0, w, h) = match area {
                    Area::Bleed => (-b, -b, scene.width + 2.0 * b, scene.height + 2.0 * b),
                    Area::Trim => (0.0, 0.0, scene.width, scene.height),
                };
                writeln!(
                    self.s,
                    r#"<rect data-substrate="true" x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                    n(x0),
                    n(y0),
                    n(w),
                    n(h),
                    scene.substrate.hex()
                )
                .ok();
            }
            if let Some(p) = &scene.background
                && let Some(a) = self.paint(p, true, path_bounds(&page, 0.0))
            {
                writeln!(self.s, r#"<path{a} d="{}"/>"#, path_data(&page)).ok();
            }
        }
        for el in &scene.elements {
            match el {
                Element::Fill { path, paint } => {
                    if let Some(a) = self.paint(paint, true, path_bounds(path, 0.0)) {
                        writeln!(self.s, r#"<path{a} d="{}"/>"#, path_data(path)).ok();
                    }
                }
                Element::Stroke { path, width, paint } => {
                    // An underbase's choke knocks it back on its film and in the
                    // PDF's plates; drawn in a composite it would paint a white
                    // rim round the artwork. The base itself hides under the colour.
                    if scene.underbase == Some(paint.ink) && paint.tint == 0.0 && !matches!(self.kind, Kind::Plate(_)) {
                        continue;
                    }
                    if let Some(a) = self.paint(paint, false, path_bounds(path, width / 2.0)) {
                        writeln!(self.s, r#"<path{a} stroke-width="{}" d="{}"/>"#, n(*width), path_data(path)).ok();
                    }
                }
                Element::Image(img) => {
                    // Proof-sheet previews only; vendors' SVGs never contain them.
                    if self.print_kind() {
                        continue;
                    }
                    let [x, y, w, h] = img.rect;
                    writeln!(
                        self.s,
                        r##"<rect data-image="preview" x="{}" y="{}" width="{}" height="{}" fill="#dddddd"/>"##,
                        n(x),
                        n(y),
                        n(w),
                        n(h)
                    )
                    .ok();
                }
                Element::Raster(r) => self.raster(r),
                Element::Text(run) => {
                    let Some(a) = self.paint(&run.paint, true, run_bounds(run)) else { continue };
                    writeln!(self.s, "<g{a}>").ok();
                    for g in &run.glyphs {
                        if self.glyphs.get(&(run.font.index, g.id)).is_some_and(Option::is_some) {
                            writeln!(
                                self.s,
                                r##"<use xlink:href="#f{}g{}" transform="matrix({} {} {} {} {} {})"/>"##,
                                run.font.index,
                                g.id,
                                g.m[0],
                                g.m[1],
                                g.m[2],
                                g.m[3],
                                n(g.x),
                                n(g.y)
                            )
                            .ok();
                        }
                    }
                    self.s.push_str("</g>\n");
                }
            }
        }
        if let (Kind::Preview { .. }, Some(d)) = (self.kind, &scene.die_line) {
            let paint = Paint { ink: d.ink, tint: 1.0, overprint: true };
            if let Some(a) = self.paint(&paint, false, None) {
                writeln!(
                    self.s,
                    r#"<path data-die-line="true"{a} stroke-width="{}" d="{}"/>"#,
                    n(d.width),
                    path_data(&d.path)
                )
                .ok();
            }
        }
        if matches!(self.kind, Kind::Preview { .. }) && !scene.folds.is_empty() {
            // Folds never print: a dashed grey line in previews only.
            writeln!(
                self.s,
                r##"<path data-folds="true" fill="none" stroke="#7a7a7a" stroke-width="0.6" stroke-dasharray="4 3" d="{}"/>"##,
                path_data(&scene.fold_lines())
            )
            .ok();
        }
        if self.print_kind() {
            self.s.push_str("</g>\n");
            if self.slug > 0.0 {
                let stroke = match self.kind {
                    Kind::Print => cmyk_paint("stroke", "#000000", [1.0; 4], ""),
                    _ => r##" stroke="#000000""##.into(),
                };
                writeln!(
                    self.s,
                    r#"<g id="registration" inkscape:groupmode="layer" inkscape:label="角线"><path data-ink="All" data-crop-marks="true" fill="none"{stroke} stroke-width="{}" d="{}"/></g>"#,
                    n(CROP_MARK_WIDTH),
                    path_data(&scene.crop_marks())
                )
                .ok();
            }
        }
    }

    /// A station picture as an embedded PNG, clipped to its zone: CMYK
    /// pixels as the screen colours they print as (a vendor's SVG cannot
    /// carry CMYK pixels; the PDF does), a mask in its ink's colour (black
    /// on its film, white where it knocks another film out), drawn pixel
    /// for pixel so a threshold or halftone stays crisp.
    fn raster(&mut self, r: &crate::scene::Raster) {
        let px = &r.pixels;
        let [cx, cy, cw, ch] = r.clip;
        let clip = [cx, cy, cx + cw, cy + ch];
        let (attrs, rgba, crisp) = match (&px.data, &r.paint) {
            (PixelData::Cmyk { srgb, .. }, _) => {
                if matches!(self.kind, Kind::Plate(_)) {
                    return;
                }
                let mut rgba = Vec::with_capacity(srgb.len() / 3 * 4);
                for p in srgb.chunks_exact(3) {
                    rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
                }
                (r#" data-ink="CMYK""#.to_string(), rgba, false)
            }
            (PixelData::Mask { .. }, Some(paint)) => {
                let Some(a) = self.paint(paint, true, Some(clip)) else { return };
                let colour = match self.kind {
                    Kind::Plate(i) if paint.ink == i => Rgb(0, 0, 0),
                    Kind::Plate(_) => Rgb(255, 255, 255),
                    _ => color::ink_srgb(&self.scene.inks[paint.ink], paint.tint),
                };
                let mut rgba = Vec::with_capacity(px.width as usize * px.height as usize * 4);
                for y in 0..px.height {
                    for x in 0..px.width {
                        let on = px.inked(x, y);
                        rgba.extend_from_slice(&[colour.0, colour.1, colour.2, if on { 255 } else { 0 }]);
                    }
                }
                // Only the data-ink (and tint) of the paint: the picture carries its colour.
                let a = a.split(" fill=").next().unwrap_or("").split(" style=").next().unwrap_or("").to_string();
                (a, rgba, true)
            }
            (PixelData::Mask { .. }, None) => return,
        };
        let Some(png) = rgba_png(px.width, px.height, &rgba) else { return };
        let id = format!("clip{}", self.clips);
        self.clips += 1;
        let [x, y, w, h] = r.rect;
        writeln!(
            self.s,
            r#"<clipPath id="{id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
            n(cx),
            n(cy),
            n(cw),
            n(ch)
        )
        .ok();
        let rendering = if crisp { r#" image-rendering="optimizeSpeed""# } else { "" };
        writeln!(
            self.s,
            r#"<image{attrs} data-picture="{:016x}" clip-path="url(#{id})" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none"{rendering} xlink:href="data:image/png;base64,{}"/>"#,
            px.key,
            n(x),
            n(y),
            n(w),
            n(h),
            base64(&png)
        )
        .ok();
    }

    /// The attributes of a paint, or `None` where a film leaves the shape
    /// out; `bounds` are the shape's.
    fn paint(&mut self, p: &Paint, fill: bool, bounds: Option<Bounds>) -> Option<String> {
        let ink = &self.scene.inks[p.ink];
        let prop = if fill { "fill" } else { "stroke" };
        let none = if fill { "" } else { r#" fill="none""# };
        let mut a = format!(r#" data-ink="{}""#, esc(&ink.label()));
        if p.tint < 1.0 {
            write!(a, r#" data-tint="{}""#, n(p.tint * 100.0)).ok();
        }
        match self.kind {
            Kind::Preview { .. } | Kind::Print => {
                // Through the output profile: what the ink at this tint prints as.
                let colour = color::ink_srgb(ink, p.tint).hex();
                a.push_str(none);
                let blend = if p.overprint {
                    // Overprinted inks mix on the sheet; multiply is the closest screen model.
                    a.push_str(r#" data-overprint="true""#);
                    "mix-blend-mode:multiply"
                } else {
                    ""
                };
                if self.kind == Kind::Print {
                    let more = if blend.is_empty() { String::new() } else { format!(";{blend}") };
                    a.push_str(&cmyk_paint(prop, &colour, ink.cmyk().map(|v| v * p.tint), &more));
                } else {
                    write!(a, r#" {prop}="{colour}""#).ok();
                    if !blend.is_empty() {
                        write!(a, r#" style="{blend}""#).ok();
                    }
                }
                Some(a)
            }
            Kind::Plate(i) if p.ink == i => {
                // Black film; a tint as grey, for the film RIP to screen.
                self.inked.extend(bounds);
                write!(a, r#"{none} {prop}="{}""#, film_grey(p.tint)).ok();
                Some(a)
            }
            Kind::Plate(_) if !p.overprint && bounds.is_some_and(|b| self.inked.iter().any(|i| meets(i, &b))) => {
                // Another ink knocks this one out: clear film there.
                write!(a, r##"{none} data-knockout="true" {prop}="#ffffff""##).ok();
                Some(a)
            }
            Kind::Plate(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{Ink, Scene};

    fn spot(id: &str, name: &str) -> Ink {
        Ink { id: id.into(), kind: InkKind::Spot { name: name.into(), cmyk: [0.0, 1.0, 1.0, 0.0] }, preview: None }
    }

    fn fill(x: f64, ink: usize, overprint: bool) -> Element {
        Element::Fill { path: Path::rect(x, 0.0, 10.0, 10.0), paint: Paint { ink, tint: 1.0, overprint } }
    }

    /// Red at 0–10, then blue over half of it (knocking out), blue far away,
    /// blue overprinting the red, and red again at a tint.
    fn scene() -> Scene {
        Scene {
            width: 100.0,
            height: 20.0,
            bleed: 0.0,
            inks: vec![spot("red", "RED"), spot("blue", "BLUE")],
            substrate: Rgb(30, 40, 60),
            background: None,
            underbase: None,
            elements: vec![
                fill(0.0, 0, false),
                fill(5.0, 1, false),
                fill(80.0, 1, false),
                fill(2.0, 1, true),
                Element::Fill {
                    path: Path::rect(40.0, 0.0, 5.0, 5.0),
                    paint: Paint { ink: 0, tint: 0.4, overprint: false },
                },
            ],
            die_line: None,
            crop_marks_allowed: true,
            folds: Vec::new(),
            title: "t".into(),
            slogan_lines: 1,
            split_words: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn shapes(svg: &str) -> Vec<&str> {
        svg.lines().filter(|l| l.starts_with("<path data-ink")).collect()
    }

    #[test]
    fn a_film_is_its_ink_in_black_with_knockouts_only_where_they_clear_it() {
        let s = scene();
        let red = plate(&s, 0, &PrintOptions::default());
        let red_shapes = shapes(&red);
        assert_eq!(red_shapes.len(), 3, "{red}");
        assert!(red_shapes[0].contains(r##"data-ink="RED" fill="#000000""##), "{}", red_shapes[0]);
        // The blue that lands on the red clears it; the far blue and the overprinting one do not show.
        assert!(
            red_shapes[1].contains(r##"data-ink="BLUE" data-knockout="true" fill="#ffffff""##),
            "{}",
            red_shapes[1]
        );
        assert!(red_shapes[1].contains("M5 0"), "{}", red_shapes[1]);
        assert!(red_shapes[2].contains(r##"data-tint="40" fill="#999999""##), "a tint is grey: {}", red_shapes[2]);
        // Nothing of red is under any blue shape on the blue film: no knockouts.
        let blue = plate(&s, 1, &PrintOptions::default());
        let blue_shapes = shapes(&blue);
        assert_eq!(blue_shapes.len(), 3, "{blue}");
        assert!(blue_shapes.iter().all(|l| l.contains(r##"data-ink="BLUE" fill="#000000""##)), "{blue}");
        assert!(!blue.contains("icc-color") && !blue.contains("data-substrate"));
        assert!(blue.contains("<title>BLUE — t</title>"));
    }

    #[test]
    fn print_has_no_substrate_but_a_preview_has() {
        let s = scene();
        let print = print(&s, &PrintOptions { marks: true });
        assert!(!print.contains("data-substrate") && !print.contains("#1e283c"));
        assert!(print.contains(r#"data-crop-marks="true""#));
        let preview = preview(&s, &PreviewOptions::default());
        assert!(
            preview.contains(r##"<rect data-substrate="true" x="0" y="0" width="100" height="20" fill="#1e283c"/>"##)
        );
        assert!(!preview.contains("data-crop-marks") && !preview.contains("icc-color"));
        // Overprint: multiply on screen, in the composite beside the CMYK.
        assert!(print.contains(r#"icc-color(jiediqi-cmyk, 0, 1, 1, 0);mix-blend-mode:multiply""#), "{print}");
        assert!(preview.contains(r#"style="mix-blend-mode:multiply""#));
    }

    #[test]
    fn swatch_ids_are_xml_names() {
        assert_eq!(swatch_id("PANTONE 186 C"), "PANTONE_186_C");
        assert_eq!(swatch_id("CMYK 0/100/81/4"), "CMYK_0_100_81_4");
        assert_eq!(swatch_id("186 红"), "ink_186__");
    }
}
