//! Glyph outlines in font units, shared by the PDF (text as outlines) and SVG.

use crate::fonts::Font;

/// One outline segment in font units (y up); quadratic curves are kept as
/// such for SVG and raised to cubics for PDF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OSeg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

#[derive(Default)]
struct Collect(Vec<OSeg>);

impl ttf_parser::OutlineBuilder for Collect {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.push(OSeg::Move(x, y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.push(OSeg::Line(x, y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.push(OSeg::Quad(x1, y1, x, y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.push(OSeg::Cubic(x1, y1, x2, y2, x, y));
    }
    fn close(&mut self) {
        self.0.push(OSeg::Close);
    }
}

/// The outline of a glyph (empty for spaces).
pub fn glyph_outline(font: &Font, id: u16) -> Vec<OSeg> {
    let mut c = Collect::default();
    font.face().outline_glyph(ttf_parser::GlyphId(id), &mut c);
    c.0
}

/// Map a font-unit point through a placed glyph's transform.
pub fn place(g: &crate::scene::Glyph, x: f32, y: f32) -> (f64, f64) {
    let (x, y) = (f64::from(x), f64::from(y));
    (g.x + g.m[0] * x + g.m[2] * y, g.y + g.m[1] * x + g.m[3] * y)
}
