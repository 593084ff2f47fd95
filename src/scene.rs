//! The display list: the contract between layout and the exporters.
//!
//! Units are PostScript points (1/72 in). The origin is the top-left corner of
//! the trim; y grows downwards. The bleed lies outside `[0, width] × [0, height]`
//! (negative coordinates on the top and left). Text is shaped: glyph ids with
//! positions and the characters each glyph stands for. Colours are inks of the
//! item, by index into [`Scene::inks`].

use std::sync::Arc;

use crate::fonts::Font;

/// One print file's content: a single page.
#[derive(Debug, Clone)]
pub struct Scene {
    /// Trim width and height, pt.
    pub width: f64,
    pub height: f64,
    /// Bleed on every side, pt.
    pub bleed: f64,
    pub inks: Vec<Ink>,
    /// Preview colour of the material (never printed).
    pub substrate: Rgb,
    /// An ink filling trim and bleed, under everything else.
    pub background: Option<Paint>,
    /// The white underbase ink (dark substrates), when the item has one.
    /// Its elements come first and make a plate that only print files and
    /// films show: in a preview it lies hidden under the colours.
    pub underbase: Option<usize>,
    /// Painted in order: the artwork, everything that prints.
    pub elements: Vec<Element>,
    /// Where the vendor's die or cutter cuts. Never part of the artwork: the
    /// print PDF and print SVGs leave it out, it goes to a file of its own
    /// (`CutContour`), and previews draw it over the artwork.
    pub die_line: Option<DieLine>,
    /// Whether crop marks may be drawn for this item.
    pub crop_marks_allowed: bool,
    /// Vertical fold lines, pt from the trim's left edge: never printed, marked
    /// in the slug beside the crop marks, dashed in previews.
    pub folds: Vec<f64>,
    /// Title for document metadata: item and slogan.
    pub title: String,
    /// Lines (or columns) the slogan was set in.
    pub slogan_lines: usize,
    /// (zone id, word) for each word broken across lines: no break between
    /// words fitted (lint warns).
    pub split_words: Vec<(String, String)>,
    /// What does not stop the print but someone should hear of: a picture
    /// just under its resolution floor, an image zone the station has no
    /// picture for.
    pub notes: Vec<String>,
}

/// A cut contour: a path stroked in its technical ink.
#[derive(Debug, Clone, PartialEq)]
pub struct DieLine {
    pub path: Path,
    /// Stroke width, pt.
    pub width: f64,
    /// The technical ink (its name and alternate for the cut file, its preview colour).
    pub ink: usize,
}

/// Line width of crop marks, pt.
pub const CROP_MARK_WIDTH: f64 = 0.25;

impl Scene {
    /// A glyph drawn from a font that was read without it (a partial font,
    /// [`crate::fonts::FontBook::expect`]): font file and glyph id. Never
    /// expected; layout refuses such a scene rather than draw a blank.
    pub fn unread_glyph(&self) -> Option<(String, u16)> {
        self.elements.iter().find_map(|e| match e {
            Element::Text(run) => run
                .glyphs
                .iter()
                .find(|g| !run.font.has_glyph(g.id))
                .map(|g| (run.font.path.display().to_string(), g.id)),
            _ => None,
        })
    }

    /// Width of the slug outside the bleed that carries crop marks: 10 mm
    /// when they are asked for and the item allows them, else none.
    pub fn slug(&self, marks: bool) -> f64 {
        if marks && self.crop_marks_allowed { crate::mm(10.0) } else { 0.0 }
    }

    /// Crop marks at the four trim corners, on the trim lines, in the slug
    /// and clear of the bleed (from 2 mm to 8 mm past it): open lines, drawn
    /// [`CROP_MARK_WIDTH`] wide in the registration colour. Every exporter
    /// draws these, so the PDF and the SVG carry the same marks.
    pub fn crop_marks(&self) -> Path {
        let (w, h, b) = (self.width, self.height, self.bleed);
        let gap = b + crate::mm(2.0);
        let len = crate::mm(6.0);
        let mut segs = Vec::with_capacity(16);
        for &(x, sx) in &[(0.0, -1.0), (w, 1.0)] {
            for &(y, sy) in &[(0.0, -1.0), (h, 1.0)] {
                // Along the horizontal trim line y, then the vertical one x.
                segs.extend([Seg::Move(x + sx * gap, y), Seg::Line(x + sx * (gap + len), y)]);
                segs.extend([Seg::Move(x, y + sy * gap), Seg::Line(x, y + sy * (gap + len))]);
            }
        }
        // Fold marks: the fold lines continued into the slug, top and bottom.
        for &x in &self.folds {
            segs.extend([Seg::Move(x, -gap), Seg::Line(x, -gap - len)]);
            segs.extend([Seg::Move(x, h + gap), Seg::Line(x, h + gap + len)]);
        }
        Path(segs)
    }

    /// The fold lines across the page, for previews (dashed there).
    pub fn fold_lines(&self) -> Path {
        Path(self.folds.iter().flat_map(|&x| [Seg::Move(x, 0.0), Seg::Line(x, self.height)]).collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum InkKind {
    /// A process colour (DeviceCMYK), components 0–1.
    Process { cmyk: [f64; 4] },
    /// A named spot ink (Separation) with its CMYK alternate, components 0–1.
    Spot { name: String, cmyk: [f64; 4] },
    /// A non-printing spot ink for cut contours (`CutContour`): only in the cut file.
    Technical { name: String, cmyk: [f64; 4] },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ink {
    /// Template id, e.g. `red`.
    pub id: String,
    pub kind: InkKind,
    /// The ink's own colour as the template gives it (`preview:`, e.g. the
    /// swatch book's sRGB for a Pantone ink). Never drawn: screens show the
    /// CMYK values through the output profile (`color`); `check` compares
    /// the two to catch a mistyped CMYK alternate.
    pub preview: Option<Rgb>,
}

impl Ink {
    /// The name a print shop sees: the spot name, or `CMYK c/m/y/k`.
    pub fn label(&self) -> String {
        match &self.kind {
            InkKind::Process { cmyk } => {
                format!("CMYK {}/{}/{}/{}", pct(cmyk[0]), pct(cmyk[1]), pct(cmyk[2]), pct(cmyk[3]))
            }
            InkKind::Spot { name, .. } | InkKind::Technical { name, .. } => name.clone(),
        }
    }
    pub fn cmyk(&self) -> [f64; 4] {
        match &self.kind {
            InkKind::Process { cmyk } | InkKind::Spot { cmyk, .. } | InkKind::Technical { cmyk, .. } => *cmyk,
        }
    }
    /// Rough darkness from the CMYK values, for overprint decisions.
    pub fn darkness(&self) -> f64 {
        let [c, m, y, k] = self.cmyk();
        1.0 - (1.0 - c * 0.6) * (1.0 - m * 0.7) * (1.0 - y * 0.2) * (1.0 - k)
    }
}

fn pct(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// A colour use: an ink and a tint (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paint {
    pub ink: usize,
    pub tint: f64,
    /// Overprint instead of knocking out what lies below.
    pub overprint: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Move(f64, f64),
    Line(f64, f64),
    Cubic(f64, f64, f64, f64, f64, f64),
    Close,
}

/// A path in page coordinates (pt, y down).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn rect(x: f64, y: f64, w: f64, h: f64) -> Path {
        Path(vec![Seg::Move(x, y), Seg::Line(x + w, y), Seg::Line(x + w, y + h), Seg::Line(x, y + h), Seg::Close])
    }

    /// A rectangle with circular corners (cubic approximation).
    pub fn rounded_rect(x: f64, y: f64, w: f64, h: f64, r: f64) -> Path {
        let r = r.min(w / 2.0).min(h / 2.0);
        if r <= 0.0 {
            return Path::rect(x, y, w, h);
        }
        let k = r * 0.552_284_75;
        Path(vec![
            Seg::Move(x + r, y),
            Seg::Line(x + w - r, y),
            Seg::Cubic(x + w - r + k, y, x + w, y + r - k, x + w, y + r),
            Seg::Line(x + w, y + h - r),
            Seg::Cubic(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h),
            Seg::Line(x + r, y + h),
            Seg::Cubic(x + r - k, y + h, x, y + h - r + k, x, y + h - r),
            Seg::Line(x, y + r),
            Seg::Cubic(x, y + r - k, x + r - k, y, x + r, y),
            Seg::Close,
        ])
    }

    /// A circle of four quarter arcs.
    pub fn circle(cx: f64, cy: f64, r: f64) -> Path {
        let pts = [(cx + r, cy), (cx, cy + r), (cx - r, cy), (cx, cy - r), (cx + r, cy)];
        let mut segs = vec![Seg::Move(pts[0].0, pts[0].1)];
        for w in pts.windows(2) {
            segs.push(arc((cx, cy), r, w[0], w[1]));
        }
        segs.push(Seg::Close);
        Path(segs)
    }

    /// The bounding box [x0, y0, x1, y1] of its points and control points
    /// (an upper bound of the curve's), or `None` for an empty path.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        let mut add = |x: f64, y: f64| {
            let r = b.get_or_insert([x, y, x, y]);
            *r = [r[0].min(x), r[1].min(y), r[2].max(x), r[3].max(y)];
        };
        for s in &self.0 {
            match *s {
                Seg::Move(x, y) | Seg::Line(x, y) => add(x, y),
                Seg::Cubic(a, b, c, d, x, y) => {
                    add(a, b);
                    add(c, d);
                    add(x, y);
                }
                Seg::Close => {}
            }
        }
        b
    }

    /// Every point and control point taken through `f` (a move, a scale,
    /// a turn: maps under which a cubic's image is its points' cubic).
    pub fn mapped(&self, f: impl Fn(f64, f64) -> (f64, f64)) -> Path {
        Path(
            self.0
                .iter()
                .map(|s| match *s {
                    Seg::Move(x, y) => {
                        let (x, y) = f(x, y);
                        Seg::Move(x, y)
                    }
                    Seg::Line(x, y) => {
                        let (x, y) = f(x, y);
                        Seg::Line(x, y)
                    }
                    Seg::Cubic(a, b, c, d, x, y) => {
                        let ((a, b), (c, d), (x, y)) = (f(a, b), f(c, d), f(x, y));
                        Seg::Cubic(a, b, c, d, x, y)
                    }
                    Seg::Close => Seg::Close,
                })
                .collect(),
        )
    }

    /// A ring's piece: the points between radii `ri` and `ro` of the centre
    /// (`cx`, `cy`) within `half` radians either side of straight up (a
    /// paper cup's wrap, its cone's apex below it).
    pub fn annular_sector(cx: f64, cy: f64, ri: f64, ro: f64, half: f64) -> Path {
        let at = |r: f64, a: f64| (cx + r * a.sin(), cy - r * a.cos());
        // Pieces of at most 30°: the cubics stay within a hair of the arc.
        let n = ((2.0 * half) / 30f64.to_radians()).ceil().max(1.0) as usize;
        let angle = |i: usize| -half + 2.0 * half * i as f64 / n as f64;
        let start = at(ro, -half);
        let mut segs = vec![Seg::Move(start.0, start.1)];
        for i in 0..n {
            segs.push(arc((cx, cy), ro, at(ro, angle(i)), at(ro, angle(i + 1))));
        }
        let p = at(ri, half);
        segs.push(Seg::Line(p.0, p.1));
        for i in (0..n).rev() {
            segs.push(arc((cx, cy), ri, at(ri, angle(i + 1)), at(ri, angle(i))));
        }
        segs.push(Seg::Close);
        Path(segs)
    }

    /// A circle with a handle `w` wide below it, down to `bottom` where its end
    /// is rounded (a hand fan's outline, cut in one piece). The circle's centre
    /// lies more than `w / 2` above `bottom`, and `w < 2r`.
    pub fn circle_with_handle(cx: f64, cy: f64, r: f64, w: f64, bottom: f64) -> Path {
        let h = w / 2.0;
        // Where the handle's sides meet the circle.
        let d = (r * r - h * h).max(0.0).sqrt();
        let (jr, jl) = ((cx + h, cy + d), (cx - h, cy + d));
        let c = (cx, cy);
        let end = bottom - h;
        Path(vec![
            Seg::Move(jr.0, jr.1),
            arc(c, r, jr, (cx + r, cy)),
            arc(c, r, (cx + r, cy), (cx, cy - r)),
            arc(c, r, (cx, cy - r), (cx - r, cy)),
            arc(c, r, (cx - r, cy), jl),
            Seg::Line(cx - h, end),
            arc((cx, end), h, (cx - h, end), (cx, bottom)),
            arc((cx, end), h, (cx, bottom), (cx + h, end)),
            Seg::Close,
        ])
    }

    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> Path {
        Path(vec![Seg::Move(x1, y1), Seg::Line(x2, y2)])
    }
}

/// A cubic for the arc of radius `r` about `c` from `p0` to `p1` (at most a
/// quarter turn, the short way). The control distance 4/3 · tan(φ/4) · r is
/// found from the chord with square roots only, so the bytes do not depend
/// on a platform's sin and cos.
fn arc(c: (f64, f64), r: f64, p0: (f64, f64), p1: (f64, f64)) -> Seg {
    let u0 = ((p0.0 - c.0) / r, (p0.1 - c.1) / r);
    let u1 = ((p1.0 - c.0) / r, (p1.1 - c.1) / r);
    let cos = (u0.0 * u1.0 + u0.1 * u1.1).clamp(-1.0, 1.0);
    let cos_half = ((1.0 + cos) / 2.0).sqrt();
    let tan_quarter = ((1.0 - cos_half) / (1.0 + cos_half)).max(0.0).sqrt();
    let k = 4.0 / 3.0 * tan_quarter * r;
    let chord = (p1.0 - p0.0, p1.1 - p0.1);
    // Tangents along the direction of travel.
    let along = |u: (f64, f64)| {
        let t = (-u.1, u.0);
        if t.0 * chord.0 + t.1 * chord.1 >= 0.0 { t } else { (-t.0, -t.1) }
    };
    let (t0, t1) = (along(u0), along(u1));
    Seg::Cubic(p0.0 + k * t0.0, p0.1 + k * t0.1, p1.0 - k * t1.0, p1.1 - k * t1.1, p1.0, p1.1)
}

#[derive(Debug, Clone)]
pub enum Element {
    Fill {
        path: Path,
        paint: Paint,
    },
    Stroke {
        path: Path,
        width: f64,
        paint: Paint,
    },
    Text(TextRun),
    /// A raster picture (previews on proof sheets; never in print files).
    Image(Image),
    /// A station's picture in the item's inks (CMYK pixels, or a 1-bit mask
    /// painted in one ink), clipped to its zone: in print files.
    Raster(Raster),
}

/// Pixels placed at `rect` (pt: the whole picture, which may reach past the
/// zone when it covers it) and drawn only inside `clip` (the zone's box).
#[derive(Debug, Clone)]
pub struct Raster {
    pub rect: [f64; 4],
    pub clip: [f64; 4],
    pub pixels: Arc<Pixels>,
    /// A mask's ink (`None` for CMYK pixels).
    pub paint: Option<Paint>,
}

/// Pixels in print colours; `key` names their content (the source file's
/// hash and the conversion), so a PDF embeds each distinct picture once.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub key: u64,
    pub data: PixelData,
}

impl std::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pixels({}×{}, {:016x})", self.width, self.height, self.key)
    }
}

#[derive(Debug, Clone)]
pub enum PixelData {
    /// 4 bytes a pixel (C, M, Y, K, 0–255), and the screen colours the same
    /// pixels print as through the output profile (3 bytes a pixel).
    Cmyk { cmyk: Vec<u8>, srgb: Vec<u8> },
    /// One bit a pixel, rows padded to whole bytes, most significant bit
    /// first, 1 where the ink prints.
    Mask { bits: Vec<u8> },
}

impl Pixels {
    /// Bytes per row of a mask.
    pub fn mask_stride(&self) -> usize {
        (self.width as usize).div_ceil(8)
    }

    /// Whether a mask pixel prints (false for CMYK pixels).
    pub fn inked(&self, x: u32, y: u32) -> bool {
        match &self.data {
            PixelData::Mask { bits } => bits[y as usize * self.mask_stride() + x as usize / 8] & (0x80 >> (x % 8)) != 0,
            PixelData::Cmyk { .. } => false,
        }
    }
}

/// 8-bit RGB pixels placed in a rectangle (pt).
#[derive(Debug, Clone)]
pub struct Image {
    pub rect: [f64; 4],
    pub width: u32,
    pub height: u32,
    pub rgb: Arc<Vec<u8>>,
}

/// Glyphs of one font in one paint.
#[derive(Debug, Clone)]
pub struct TextRun {
    pub font: Arc<Font>,
    pub paint: Paint,
    pub glyphs: Vec<Glyph>,
}

/// A placed glyph. A point (gx, gy) of the outline in font units (y up) lands
/// on the page at `(x + m[0]·gx + m[2]·gy, y + m[1]·gx + m[3]·gy)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub x: f64,
    pub y: f64,
    pub m: [f64; 4],
    /// The characters this glyph stands for (for the PDF's text layer).
    pub text: String,
    /// Upright in a vertical column. The PDF writes such glyphs in vertical
    /// mode, so a text extractor reads the column top to bottom; the drawing
    /// is the same either way.
    pub vertical: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points of the cubics at t = 0, 1/4, 1/2, 3/4, 1.
    fn samples(p: &Path) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut at = (0.0, 0.0);
        for s in &p.0 {
            match *s {
                Seg::Move(x, y) | Seg::Line(x, y) => {
                    at = (x, y);
                    out.push(at);
                }
                Seg::Cubic(x1, y1, x2, y2, x, y) => {
                    for t in [0.25, 0.5, 0.75, 1.0] {
                        let u = 1.0 - t;
                        let b = |a: f64, b1: f64, b2: f64, c: f64| {
                            u * u * u * a + 3.0 * u * u * t * b1 + 3.0 * u * t * t * b2 + t * t * t * c
                        };
                        out.push((b(at.0, x1, x2, x), b(at.1, y1, y2, y)));
                    }
                    at = (x, y);
                }
                Seg::Close => {}
            }
        }
        out
    }

    #[test]
    fn a_circle_stays_on_its_radius() {
        let p = Path::circle(50.0, 40.0, 30.0);
        for (x, y) in samples(&p) {
            let r = ((x - 50.0).powi(2) + (y - 40.0).powi(2)).sqrt();
            assert!((r - 30.0).abs() < 3e-4 * 30.0, "({x}, {y}) is {r} from the centre");
        }
    }

    /// The fan: the circle's arcs stay on the radius, the handle's sides are
    /// `w` apart and reach the bottom, the outline spans exactly the circle
    /// and the handle.
    #[test]
    fn a_circle_with_a_handle_is_one_outline_of_both() {
        let (cx, cy, r, w, bottom) = (100.0, 100.0, 100.0, 30.0, 310.0);
        let p = Path::circle_with_handle(cx, cy, r, w, bottom);
        let pts = samples(&p);
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in &pts {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            // A quarter-turn cubic strays at most 0.027 % of the radius.
            let on_circle = (((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r).abs() < 3e-4 * r;
            let in_handle = (x - cx).abs() <= w / 2.0 + 0.01 && y >= cy;
            assert!(on_circle || in_handle, "({x}, {y}) is on neither the circle nor the handle");
        }
        assert!((x0 - 0.0).abs() < 0.01 && (x1 - 200.0).abs() < 0.01, "{x0}..{x1}");
        assert!((y0 - 0.0).abs() < 0.01 && (y1 - bottom).abs() < 0.01, "{y0}..{y1}");
        assert_eq!(p.0.iter().filter(|s| matches!(s, Seg::Move(..))).count(), 1, "one closed outline");
    }
}
