//! SVG: the same geometry as the PDF, in mm units, glyphs as paths, every
//! shape tagged with its ink (`data-ink`) so a vendor can recolour.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::outline::{OSeg, glyph_outline};
use crate::PT_PER_MM;
use crate::scene::{Element, Paint, Path, Rgb, Scene, Seg};

/// Which part of the page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Area {
    /// Trim plus bleed: the print geometry.
    #[default]
    Bleed,
    /// The trim only: what the finished item looks like (proofs).
    Trim,
}

#[derive(Debug, Clone)]
pub struct SvgOptions {
    pub area: Area,
    /// Draw the substrate and background rectangles (the PNG exporter fills
    /// its canvas with them instead: cheaper than two full-page paths).
    pub backdrop: bool,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions { area: Area::Bleed, backdrop: true }
    }
}

/// The colour of the page before any artwork: background ink over substrate.
pub fn backdrop_colour(scene: &Scene) -> Rgb {
    match &scene.background {
        Some(p) => tint_over(scene.inks[p.ink].preview, scene.substrate, p.tint),
        None => scene.substrate,
    }
}

fn n(v: f64) -> String {
    // Two decimals of a point are far below print resolution; trim zeros.
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Preview colour of an ink at a tint (mixed with white paper).
/// An ink at a tint over a base colour (the paper, the substrate).
fn tint_over(ink: Rgb, base: Rgb, tint: f64) -> Rgb {
    let mix = |i: u8, b: u8| (f64::from(b) - tint * (f64::from(b) - f64::from(i))).round() as u8;
    Rgb(mix(ink.0, base.0), mix(ink.1, base.1), mix(ink.2, base.2))
}

fn tinted(c: Rgb, tint: f64) -> String {
    tint_over(c, Rgb(255, 255, 255), tint).hex()
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

fn paint_attrs(scene: &Scene, p: &Paint, fill: bool) -> String {
    let ink = &scene.inks[p.ink];
    let colour = tinted(ink.preview, p.tint);
    let mut a = format!(r#" data-ink="{}""#, esc(&ink.label()));
    if p.tint < 1.0 {
        write!(a, r#" data-tint="{}""#, n(p.tint * 100.0)).ok();
    }
    if fill {
        write!(a, r#" fill="{colour}""#).ok();
    } else {
        write!(a, r#" fill="none" stroke="{colour}""#).ok();
    }
    if p.overprint {
        // Overprinted inks mix on the sheet; multiply is the closest screen model.
        a.push_str(r#" data-overprint="true" style="mix-blend-mode:multiply""#);
    }
    a
}

/// The SVG of a scene.
pub fn export(scene: &Scene, opts: &SvgOptions) -> String {
    let (x0, y0, w, h) = match opts.area {
        Area::Bleed => (-scene.bleed, -scene.bleed, scene.width + 2.0 * scene.bleed, scene.height + 2.0 * scene.bleed),
        Area::Trim => (0.0, 0.0, scene.width, scene.height),
    };
    let mut s = String::with_capacity(16 * 1024);
    writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}mm" height="{}mm" viewBox="{} {} {} {}">"#,
        n(w / PT_PER_MM),
        n(h / PT_PER_MM),
        n(x0),
        n(y0),
        n(w),
        n(h)
    )
    .ok();
    writeln!(s, "<title>{}</title>", esc(&scene.title)).ok();
    writeln!(
        s,
        r#"<desc>units: pt (1/72 in); trim {}×{} mm at the origin; bleed {} mm</desc>"#,
        n(scene.width / PT_PER_MM),
        n(scene.height / PT_PER_MM),
        n(scene.bleed / PT_PER_MM)
    )
    .ok();
    // Glyph outlines, once each, in font units.
    let mut defs: BTreeMap<(usize, u16), Option<std::sync::Arc<str>>> = BTreeMap::new();
    for el in &scene.elements {
        if let Element::Text(run) = el {
            for g in &run.glyphs {
                defs.entry((run.font.index, g.id)).or_insert_with(|| {
                    run.font.svg_path(g.id, || {
                        let segs = glyph_outline(&run.font, g.id);
                        (!segs.is_empty()).then(|| outline_data(&segs))
                    })
                });
            }
        }
    }
    s.push_str("<defs>\n");
    for ((font, id), d) in &defs {
        if let Some(d) = d {
            writeln!(s, r#"<path id="f{font}g{id}" d="{d}"/>"#).ok();
        }
    }
    s.push_str("</defs>\n");
    if opts.backdrop {
        writeln!(
            s,
            r#"<rect data-substrate="true" x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            n(x0),
            n(y0),
            n(w),
            n(h),
            scene.substrate.hex()
        )
        .ok();
        if let Some(p) = &scene.background {
            let b = scene.bleed;
            let path = Path::rect(-b, -b, scene.width + 2.0 * b, scene.height + 2.0 * b);
            writeln!(s, r#"<path{} d="{}"/>"#, paint_attrs(scene, p, true), path_data(&path)).ok();
        }
    }
    for el in &scene.elements {
        match el {
            // The underbase's choke knocks it back in separations only: drawn
            // here it would paint a white rim round the artwork. The base
            // itself (the artwork's shapes, white) lies hidden under the colour.
            Element::Stroke { paint, .. } if scene.underbase == Some(paint.ink) && paint.tint == 0.0 => {}
            Element::Fill { path, paint } => {
                writeln!(s, r#"<path{} d="{}"/>"#, paint_attrs(scene, paint, true), path_data(path)).ok();
            }
            Element::Stroke { path, width, paint } => {
                writeln!(
                    s,
                    r#"<path{} stroke-width="{}" d="{}"/>"#,
                    paint_attrs(scene, paint, false),
                    n(*width),
                    path_data(path)
                )
                .ok();
            }
            Element::Image(img) => {
                // Proof-sheet previews only; vendors' SVGs never contain them.
                let [x, y, w, h] = img.rect;
                writeln!(
                    s,
                    r##"<rect data-image="preview" x="{}" y="{}" width="{}" height="{}" fill="#dddddd"/>"##,
                    n(x),
                    n(y),
                    n(w),
                    n(h)
                )
                .ok();
            }
            Element::Text(run) => {
                writeln!(s, "<g{}>", paint_attrs(scene, &run.paint, true)).ok();
                for g in &run.glyphs {
                    if defs.get(&(run.font.index, g.id)).is_some_and(Option::is_some) {
                        writeln!(
                            s,
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
                s.push_str("</g>\n");
            }
        }
    }
    s.push_str("</svg>\n");
    s
}
