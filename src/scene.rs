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
    /// Title for document metadata: item and slogan.
    pub title: String,
    /// Lines (or columns) the slogan was set in.
    pub slogan_lines: usize,
    /// (zone id, word) for each word broken across lines: no break between
    /// words fitted (lint warns).
    pub split_words: Vec<(String, String)>,
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
        Path(segs)
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

    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> Path {
        Path(vec![Seg::Move(x1, y1), Seg::Line(x2, y2)])
    }
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
