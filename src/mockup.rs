//! Product mockups (示意图): the finished product drawn flat, front-on and to
//! scale — the bag with its handles, the apron with its straps — with the
//! exact artwork of the print file placed on its print area, the print area
//! dashed, a scale bar, the number of inks and the word 示意图. No photos, no
//! perspective: an officer sees how big the words come out on the real thing.
//!
//! The product is a drawing of ours in `mockups/<name>.svg` (the template's
//! `mockup:`), in millimetres (see mockups/README.md): a group `under` drawn
//! below the artwork, a group `over` drawn above it (straps, stitching, the
//! roll-up's foot), and one `<rect id="print-area">` where the trim lies —
//! or several `print-area-N` with `data-from="x y w h"`, pieces of the trim
//! (a couplet's three strips hung round a door). The artwork comes from the
//! same scene the print file is written from, through the SVG preview, so
//! the mockup cannot show other words or colours than the file.

use std::fmt::Write as _;
use std::path::Path as FsPath;

use resvg::usvg;

use crate::PT_PER_MM;
use crate::diag::{Diagnostic, Location};
use crate::document::{self, Fonts, Picture};
use crate::export::svg::{self, Area, PreviewOptions};
use crate::scene::{InkKind, Rgb, Scene};
use crate::validate::{Item, Library};

/// A drawing file is small; a bigger one is a mistake (or an attack on `check`).
const MAX_BYTES: u64 = 512 * 1024;

/// The long side of a mockup PNG, pixels.
pub const PNG_LONG_SIDE: u32 = 1200;

/// Elements a drawing may use: shapes and groups in solid colours.
const ALLOWED: &[&str] =
    &["svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "title", "desc"];

/// Where a part of the trim lies on the product, mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The part of the trim, in trim coordinates (x, y, w, h).
    pub from: [f64; 4],
    /// Its place in the drawing (x, y, w, h): the same size, true scale.
    pub at: [f64; 4],
}

/// One shape of the product: path data in drawing mm, solid colours.
#[derive(Debug, Clone)]
struct Shape {
    d: String,
    fill: Option<(Rgb, f32)>,
    stroke: Option<Stroke>,
}

#[derive(Debug, Clone)]
struct Stroke {
    colour: Rgb,
    opacity: f32,
    width: f32,
    dash: Option<Vec<f32>>,
    cap: &'static str,
    join: &'static str,
}

/// A product drawing, read and checked against its item.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// Size of the drawing, mm.
    pub size: (f64, f64),
    pub pieces: Vec<Piece>,
    under: Vec<Shape>,
    over: Vec<Shape>,
}

impl Drawing {
    /// The item's drawing (`mockups/<name>.svg`), or a plain one when the
    /// template names none: the product's outline in its material colour
    /// with the print area in the middle.
    pub fn for_item(root: &FsPath, item: &Item) -> Result<Drawing, Diagnostic> {
        match &item.mockup {
            Some(name) => Drawing::load(&root.join("mockups").join(format!("{name}.svg")), item),
            None => Ok(Drawing::plain(item)),
        }
    }

    fn plain(item: &Item) -> Drawing {
        let (pw, ph) = item.product_size;
        let (w, h) = (pw.max(item.width), ph.max(item.height));
        let (x, y) = ((w - item.width) / 2.0, (h - item.height) / 2.0);
        let body = Shape {
            d: format!("M0 0H{}V{}H0Z", n(w), n(h)),
            fill: Some((item.substrate, 1.0)),
            stroke: Some(Stroke {
                colour: shade(item.substrate),
                opacity: 1.0,
                width: (w.max(h) / 400.0) as f32,
                dash: None,
                cap: "butt",
                join: "miter",
            }),
        };
        Drawing {
            size: (w, h),
            pieces: vec![Piece { from: [0.0, 0.0, item.width, item.height], at: [x, y, item.width, item.height] }],
            under: vec![body],
            over: Vec::new(),
        }
    }

    /// Read and check a drawing for `item`.
    pub fn load(file: &FsPath, item: &Item) -> Result<Drawing, Diagnostic> {
        let hint = "a mockup is an SVG in mm with groups `under`/`over` and a `<rect id=\"print-area\">`; see mockups/README.md";
        let size = std::fs::metadata(file)
            .map_err(|e| {
                Diagnostic::io(format!("item `{}`: cannot read its mockup drawing: {e}", item.id))
                    .in_file(file)
                    .hint(hint)
            })?
            .len();
        if size > MAX_BYTES {
            return Err(Diagnostic::data(format!("mockup drawing is {size} bytes, more than {MAX_BYTES}"))
                .in_file(file)
                .hint("simplify the drawing"));
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| Diagnostic::io(format!("cannot read mockup drawing: {e}")).in_file(file).hint(hint))?;
        Drawing::parse(file, &text, item)
    }

    /// Check `text` (a drawing's contents) and read it for `item`.
    pub fn parse(file: &FsPath, text: &str, item: &Item) -> Result<Drawing, Diagnostic> {
        let hint = "a mockup is an SVG in mm with groups `under`/`over` and a `<rect id=\"print-area\">`; see mockups/README.md";
        // The material's colour is the item's: one drawing serves a white and a navy apron.
        let text = text
            .replace("\"substrate-shade\"", &format!("\"{}\"", shade(item.substrate).hex()))
            .replace("\"substrate\"", &format!("\"{}\"", item.substrate.hex()));
        let doc = usvg::roxmltree::Document::parse(&text).map_err(|e| {
            Diagnostic::data(format!("mockup drawing is not well-formed XML: {e}")).in_file(file).hint(hint)
        })?;
        let at = |node: usvg::roxmltree::Node| {
            let p = doc.text_pos_at(node.range().start);
            Location::at(file, u64::from(p.row), u64::from(p.col))
        };
        let bad = |node: usvg::roxmltree::Node, what: String| Diagnostic::data(what).at(at(node)).hint(hint);
        let root = doc.root_element();
        if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some("http://www.w3.org/2000/svg") {
            return Err(bad(root, "the mockup's root is not an SVG `<svg>` element".into()));
        }
        let vb: Vec<f64> = root
            .attribute("viewBox")
            .unwrap_or_default()
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let [0.0, 0.0, w, h] = vb[..] else {
            return Err(bad(root, "the mockup's `<svg>` needs viewBox=\"0 0 W H\" in mm".into()));
        };
        if !(in_range(w, 1.0, 100_000.0) && in_range(h, 1.0, 100_000.0)) {
            return Err(bad(root, format!("the mockup's viewBox {w}×{h} mm is out of range")));
        }
        let num = |node: usvg::roxmltree::Node, name: &str| -> Result<f64, Diagnostic> {
            node.attribute(name).and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite()).ok_or_else(|| {
                bad(node, format!("`{}` needs a number `{name}` (mm)", node.attribute("id").unwrap_or("rect")))
            })
        };
        let mut pieces = Vec::new();
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            if !ALLOWED.contains(&name) || node.tag_name().namespace() != Some("http://www.w3.org/2000/svg") {
                return Err(bad(node, format!("mockup drawings may not use `<{name}>`: shapes and groups only")));
            }
            for a in node.attributes() {
                if a.name().starts_with("on") || a.name() == "href" || a.name() == "style" || a.name() == "class" {
                    return Err(bad(node, format!("mockup drawings may not use the attribute `{}`", a.name())));
                }
            }
            let Some(id) = node.attribute("id").filter(|id| *id == "print-area" || id.starts_with("print-area-"))
            else {
                continue;
            };
            if name != "rect" {
                return Err(bad(node, format!("`{id}` must be a `<rect>`")));
            }
            if node.ancestors().any(|a| a.attribute("transform").is_some()) {
                return Err(bad(node, format!("`{id}` and its groups may not have a transform: give it in mm")));
            }
            let at_rect = [num(node, "x")?, num(node, "y")?, num(node, "width")?, num(node, "height")?];
            let from = match node.attribute("data-from") {
                None => [0.0, 0.0, item.width, item.height],
                Some(v) => {
                    let f: Vec<f64> =
                        v.split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
                    let [x, y, fw, fh] = f[..] else {
                        return Err(bad(node, format!("`{id}`: data-from needs four numbers, x y w h in trim mm")));
                    };
                    if x < -0.01
                        || y < -0.01
                        || fw <= 0.0
                        || fh <= 0.0
                        || x + fw > item.width + 0.01
                        || y + fh > item.height + 0.01
                    {
                        return Err(bad(
                            node,
                            format!(
                                "`{id}`: data-from {x} {y} {fw} {fh} is not inside the trim ({}×{} mm)",
                                item.width, item.height
                            ),
                        ));
                    }
                    [x, y, fw, fh]
                }
            };
            // True scale: the print area is exactly the trim (or its piece).
            if (at_rect[2] - from[2]).abs() > 0.5 || (at_rect[3] - from[3]).abs() > 0.5 {
                return Err(bad(
                    node,
                    format!(
                        "item `{}`: `{id}` is {}×{} mm but the print area it shows is {}×{} mm",
                        item.id,
                        n(at_rect[2]),
                        n(at_rect[3]),
                        n(from[2]),
                        n(from[3])
                    ),
                )
                .hint("draw the print area at the template's trim size: a mockup is true to scale"));
            }
            pieces.push(Piece { from, at: at_rect });
        }
        if pieces.is_empty() {
            return Err(Diagnostic::data("the mockup has no `<rect id=\"print-area\">`".to_string())
                .in_file(file)
                .hint(hint));
        }
        let tree = usvg::Tree::from_xmltree(&doc, &usvg::Options::default())
            .map_err(|e| Diagnostic::data(format!("cannot read mockup drawing: {e}")).in_file(file).hint(hint))?;
        // usvg sizes the tree in px (width="300mm"); shapes are wanted in the viewBox's mm.
        let size = tree.size();
        let fix = usvg::Transform::from_scale(w as f32 / size.width(), h as f32 / size.height());
        let group = |id: &str| -> Result<Vec<Shape>, Diagnostic> {
            let mut out = Vec::new();
            match tree.node_by_id(id) {
                Some(usvg::Node::Group(g)) => {
                    collect(g, fix, &mut out).map_err(|m| Diagnostic::data(m).in_file(file).hint(hint))?
                }
                Some(_) => return Err(Diagnostic::data(format!("`{id}` must be a `<g>`")).in_file(file).hint(hint)),
                None => {}
            }
            Ok(out)
        };
        let (under, over) = (group("under")?, group("over")?);
        if under.is_empty() {
            return Err(Diagnostic::data("the mockup's group `under` (the product) is missing or empty".to_string())
                .in_file(file)
                .hint(hint));
        }
        Ok(Drawing { size: (w, h), pieces, under, over })
    }
}

fn in_range(v: f64, lo: f64, hi: f64) -> bool {
    v.is_finite() && v >= lo && v <= hi
}

/// A darker tone of a material for seams and edges.
fn shade(c: Rgb) -> Rgb {
    let f = |v: u8| (f64::from(v) * 0.72).round() as u8;
    Rgb(f(c.0), f(c.1), f(c.2))
}

fn n(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn rgb(c: usvg::Color) -> Rgb {
    Rgb(c.red, c.green, c.blue)
}

/// Every shape of a group, transforms applied, in drawing mm.
fn collect(group: &usvg::Group, fix: usvg::Transform, out: &mut Vec<Shape>) -> Result<(), String> {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => {
                if g.opacity().get() < 1.0 || g.clip_path().is_some() || g.mask().is_some() || !g.filters().is_empty() {
                    return Err(format!("group `{}`: no group opacity, clips, masks or filters in mockups", g.id()));
                }
                collect(g, fix, out)?
            }
            usvg::Node::Path(p) => {
                if !p.is_visible() {
                    continue;
                }
                let t = fix.pre_concat(p.abs_transform());
                let solid = |paint: &usvg::Paint| match paint {
                    usvg::Paint::Color(c) => Ok(rgb(*c)),
                    _ => Err(format!("path `{}`: mockups use solid colours only", p.id())),
                };
                let fill = match p.fill() {
                    Some(f) => Some((solid(f.paint())?, f.opacity().get())),
                    None => None,
                };
                let stroke = match p.stroke() {
                    Some(s) => Some(Stroke {
                        colour: solid(s.paint())?,
                        opacity: s.opacity().get(),
                        width: s.width().get() * scale_of(t),
                        dash: s.dasharray().map(|d| d.iter().map(|v| v * scale_of(t)).collect()),
                        cap: match s.linecap() {
                            usvg::LineCap::Butt => "butt",
                            usvg::LineCap::Round => "round",
                            usvg::LineCap::Square => "square",
                        },
                        join: match s.linejoin() {
                            usvg::LineJoin::Round => "round",
                            usvg::LineJoin::Bevel => "bevel",
                            _ => "miter",
                        },
                    }),
                    None => None,
                };
                let Some(data) = p.data().clone().transform(t) else { continue };
                out.push(Shape { d: path_data(&data), fill, stroke });
            }
            usvg::Node::Image(_) | usvg::Node::Text(_) => {
                return Err("mockup drawings hold shapes only".to_string());
            }
        }
    }
    Ok(())
}

/// The mean scale of a transform, for stroke widths.
fn scale_of(t: usvg::Transform) -> f32 {
    let (sx, sy) = t.get_scale();
    ((sx * sy).abs()).sqrt()
}

fn path_data(p: &usvg::tiny_skia_path::Path) -> String {
    use usvg::tiny_skia_path::PathSegment as S;
    let f = |v: f32| n(f64::from(v));
    let mut d = String::new();
    for s in p.segments() {
        match s {
            S::MoveTo(a) => write!(d, "M{} {}", f(a.x), f(a.y)),
            S::LineTo(a) => write!(d, "L{} {}", f(a.x), f(a.y)),
            S::QuadTo(a, b) => write!(d, "Q{} {} {} {}", f(a.x), f(a.y), f(b.x), f(b.y)),
            S::CubicTo(a, b, c) => write!(d, "C{} {} {} {} {} {}", f(a.x), f(a.y), f(b.x), f(b.y), f(c.x), f(c.y)),
            S::Close => write!(d, "Z"),
        }
        .ok();
    }
    d
}

fn shape_svg(s: &Shape, out: &mut String) {
    out.push_str("<path");
    match s.fill {
        Some((c, o)) => {
            write!(out, r#" fill="{}""#, c.hex()).ok();
            if o < 1.0 {
                write!(out, r#" fill-opacity="{}""#, n(f64::from(o))).ok();
            }
        }
        None => out.push_str(r#" fill="none""#),
    }
    if let Some(st) = &s.stroke {
        write!(
            out,
            r#" stroke="{}" stroke-width="{}" stroke-linecap="{}" stroke-linejoin="{}""#,
            st.colour.hex(),
            n(f64::from(st.width)),
            st.cap,
            st.join
        )
        .ok();
        if st.opacity < 1.0 {
            write!(out, r#" stroke-opacity="{}""#, n(f64::from(st.opacity))).ok();
        }
        if let Some(d) = &st.dash {
            let d: Vec<String> = d.iter().map(|v| n(f64::from(*v))).collect();
            write!(out, r#" stroke-dasharray="{}""#, d.join(" ")).ok();
        }
    }
    writeln!(out, r#" d="{}"/>"#, s.d).ok();
}

/// How an item prints, in words for the caption: 四色印刷 or the spot inks.
pub fn ink_caption(item: &Item) -> String {
    let printing: Vec<_> = item.inks.iter().filter(|i| !matches!(i.kind, InkKind::Technical { .. })).collect();
    if printing.iter().all(|i| matches!(i.kind, InkKind::Process { .. })) {
        return "四色印刷（CMYK）".into();
    }
    let base = item.underbase.map(|(_, i)| i);
    let names: Vec<String> = item
        .inks
        .iter()
        .enumerate()
        .filter(|(_, i)| !matches!(i.kind, InkKind::Technical { .. }))
        .map(|(n, i)| if Some(n) == base { "白墨打底".to_string() } else { i.label() })
        .collect();
    format!("{} 色：{}", names.len(), names.join("、"))
}

/// A length for the scale bar: a round number near a quarter of the width.
fn scale_length(width_mm: f64) -> f64 {
    let steps = [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0];
    steps.iter().copied().rfind(|s| *s <= width_mm / 4.0).unwrap_or(10.0)
}

fn length_label(mm: f64) -> String {
    if mm >= 1000.0 { format!("{} m", n(mm / 1000.0)) } else { format!("{} cm", n(mm / 10.0)) }
}

/// Where the drawing sits on the mockup's canvas, mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Round the drawing, on every side.
    pub margin: f64,
    /// The caption's text size.
    pub text: f64,
    /// The caption's band under the drawing.
    pub band: f64,
    /// The whole canvas.
    pub width: f64,
    pub height: f64,
}

impl Drawing {
    pub fn frame(&self) -> Frame {
        let (dw, dh) = self.size;
        let long = dw.max(dh);
        let (margin, text) = (long * 0.04, long / 42.0);
        let band = text * 3.6;
        Frame { margin, text, band, width: dw + 2.0 * margin, height: dh + 2.0 * margin + band }
    }

    /// Where a point of the trim (mm) lands on the canvas (mm), through the
    /// first piece that holds it.
    pub fn place(&self, (x, y): (f64, f64)) -> Option<(f64, f64)> {
        let m = self.frame().margin;
        self.pieces
            .iter()
            .find(|p| x >= p.from[0] && x <= p.from[0] + p.from[2] && y >= p.from[1] && y <= p.from[1] + p.from[3])
            .map(|p| (m + p.at[0] + x - p.from[0], m + p.at[1] + y - p.from[1]))
    }
}

/// The mockup of `scene` (an item's print scene) on its product, as SVG in mm.
pub fn svg(item: &Item, scene: &Scene, drawing: &Drawing, fonts: &Fonts) -> Result<String, Diagnostic> {
    svg_side(item, scene, drawing, fonts, 0)
}

/// The mockup of side `side` (0 the front) of a two-sided item, its caption
/// naming the side (正面, 背面); a one-sided item's names none.
pub fn svg_side(
    item: &Item,
    scene: &Scene,
    drawing: &Drawing,
    fonts: &Fonts,
    side: usize,
) -> Result<String, Diagnostic> {
    let (dw, dh) = drawing.size;
    let long = dw.max(dh);
    let Frame { margin, text, band, width: cw, height: ch } = drawing.frame();

    // The artwork: the print file's scene as the preview shows the trim, but
    // with no die line (the dashed outline marks the print area instead).
    let mut art = scene.clone();
    let die = art.die_line.take().map(|d| d.path);
    let (mut defs, art_body) = svg::preview_parts(&art, &PreviewOptions { area: Area::Trim, backdrop: true });

    // The caption, set by the document engine in pt and placed in mm.
    let cap_w = cw * 0.68;
    let side = match (item.sides, side) {
        (2, 0) => "　正面",
        (2, _) => "　背面",
        _ => "",
    };
    let caption = caption_scene(item, fonts, (cap_w, band), text, side)?;
    let (cap_defs, cap_body) = svg::preview_parts(&caption, &PreviewOptions { area: Area::Trim, backdrop: false });
    defs.extend(cap_defs);
    defs.sort();
    defs.dedup();

    let mut s = String::with_capacity(art_body.len() * drawing.pieces.len() + 16 * 1024);
    writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}mm" height="{}mm" viewBox="0 0 {} {}">"#,
        n(cw),
        n(ch),
        n(cw),
        n(ch)
    )
    .ok();
    writeln!(s, "<title>示意图 — {}{side}</title>", esc(&scene.title)).ok();
    writeln!(
        s,
        "<desc>mockup, not for print: the product drawn flat to scale (units: mm), the print file's artwork on its print area (dashed)</desc>"
    )
    .ok();
    s.push_str("<defs>\n");
    for d in &defs {
        s.push_str(d);
        s.push('\n');
    }
    if let Some(die) = &die {
        writeln!(s, r#"<clipPath id="die"><path d="{}"/></clipPath>"#, svg_path(die)).ok();
    }
    s.push_str("</defs>\n");
    writeln!(s, r##"<rect width="{}" height="{}" fill="#f3f2ee"/>"##, n(cw), n(ch)).ok();
    writeln!(s, r#"<g transform="translate({} {})">"#, n(margin), n(margin)).ok();
    s.push_str("<g data-mockup=\"product\">\n");
    for sh in &drawing.under {
        shape_svg(sh, &mut s);
    }
    s.push_str("</g>\n");
    for p in &drawing.pieces {
        let [fx, fy, fw, fh] = p.from.map(|v| v * PT_PER_MM);
        let [ax, ay, aw, ah] = p.at;
        writeln!(
            s,
            r#"<svg data-mockup="artwork" x="{}" y="{}" width="{}" height="{}" viewBox="{} {} {} {}" overflow="hidden">"#,
            n(ax),
            n(ay),
            n(aw),
            n(ah),
            n(fx),
            n(fy),
            n(fw),
            n(fh)
        )
        .ok();
        if die.is_some() {
            s.push_str(r#"<g clip-path="url(#die)">"#);
            s.push('\n');
        }
        s.push_str(&art_body);
        if die.is_some() {
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
    }
    s.push_str("<g data-mockup=\"over\">\n");
    for sh in &drawing.over {
        shape_svg(sh, &mut s);
    }
    s.push_str("</g>\n");
    // The print area, dashed: the die's shape where there is one.
    let dash_w = long / 900.0;
    // Dark grey on light materials, light grey on dark ones (the navy apron).
    let luma = |c: Rgb| 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    let dash_colour = if luma(item.substrate) < 110.0 { "#c9c9c9" } else { "#444444" };
    for p in &drawing.pieces {
        let [ax, ay, aw, ah] = p.at;
        match &die {
            Some(die) => {
                let k = 1.0 / PT_PER_MM;
                writeln!(
                    s,
                    r##"<svg x="{}" y="{}" width="{}" height="{}" viewBox="{} {} {} {}" overflow="hidden"><path data-mockup="print-area" fill="none" stroke="{dash_colour}" stroke-width="{}" stroke-dasharray="{} {}" d="{}"/></svg>"##,
                    n(ax),
                    n(ay),
                    n(aw),
                    n(ah),
                    n(p.from[0] * PT_PER_MM),
                    n(p.from[1] * PT_PER_MM),
                    n(p.from[2] * PT_PER_MM),
                    n(p.from[3] * PT_PER_MM),
                    n(2.0 * dash_w / k),
                    n(6.0 * dash_w / k),
                    n(4.0 * dash_w / k),
                    svg_path(die)
                )
                .ok();
            }
            None => {
                writeln!(
                    s,
                    r##"<rect data-mockup="print-area" x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{dash_colour}" stroke-width="{}" stroke-dasharray="{} {}"/>"##,
                    n(ax),
                    n(ay),
                    n(aw),
                    n(ah),
                    n(dash_w),
                    n(6.0 * dash_w),
                    n(4.0 * dash_w)
                )
                .ok();
            }
        }
    }
    s.push_str("</g>\n");

    // Caption at the foot, scale bar at its right.
    let by = margin + dh + margin * 0.6;
    writeln!(
        s,
        r#"<svg data-mockup="caption" x="{}" y="{}" width="{}" height="{}" viewBox="0 0 {} {}">"#,
        n(margin),
        n(by),
        n(cap_w),
        n(band),
        n(cap_w * PT_PER_MM),
        n(band * PT_PER_MM)
    )
    .ok();
    s.push_str(&cap_body);
    s.push_str("</svg>\n");
    let bar = scale_length(dw);
    let (bx, bar_y, bar_h) = (cw - margin - bar, by + text * 1.1, text * 0.45);
    s.push_str("<g data-mockup=\"scale\">\n");
    for i in 0..5 {
        let fill = if i % 2 == 0 { "#222222" } else { "#ffffff" };
        writeln!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#222222" stroke-width="{}"/>"##,
            n(bx + bar * f64::from(i) / 5.0),
            n(bar_y),
            n(bar / 5.0),
            n(bar_h),
            n(text / 20.0)
        )
        .ok();
    }
    s.push_str("</g>\n");
    let label = scale_label(fonts, &length_label(bar), text * 0.8)?;
    let (lw, lh) = (bar, text * 1.3);
    let (label_defs, label_body) = svg::preview_parts(&label, &PreviewOptions { area: Area::Trim, backdrop: false });
    // Its glyphs may be new (digits the caption has not used).
    let mut extra: Vec<String> = label_defs.into_iter().filter(|d| !defs.contains(d)).collect();
    extra.sort();
    extra.dedup();
    if !extra.is_empty() {
        s.push_str("<defs>\n");
        for d in &extra {
            s.push_str(d);
            s.push('\n');
        }
        s.push_str("</defs>\n");
    }
    writeln!(
        s,
        r#"<svg data-mockup="scale-label" x="{}" y="{}" width="{}" height="{}" viewBox="0 0 {} {}">"#,
        n(bx),
        n(by),
        n(lw),
        n(lh),
        n(lw * PT_PER_MM),
        n(lh * PT_PER_MM)
    )
    .ok();
    s.push_str(&label_body);
    s.push_str("</svg>\n</svg>\n");
    Ok(s)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn svg_path(p: &crate::scene::Path) -> String {
    use crate::scene::Seg;
    let mut d = String::new();
    for s in &p.0 {
        match *s {
            Seg::Move(x, y) => write!(d, "M{} {}", n(x), n(y)),
            Seg::Line(x, y) => write!(d, "L{} {}", n(x), n(y)),
            Seg::Cubic(a, b, c, e, x, y) => write!(d, "C{} {} {} {} {} {}", n(a), n(b), n(c), n(e), n(x), n(y)),
            Seg::Close => write!(d, "Z"),
        }
        .ok();
    }
    d
}

/// An empty scene of `w × h` mm in the document inks, for captions.
fn blank(w: f64, h: f64) -> Scene {
    Scene {
        width: w * PT_PER_MM,
        height: h * PT_PER_MM,
        bleed: 0.0,
        inks: document::inks(),
        substrate: Rgb(255, 255, 255),
        background: None,
        underbase: None,
        elements: Vec::new(),
        die_line: None,
        crop_marks_allowed: false,
        folds: Vec::new(),
        title: String::new(),
        slogan_lines: 0,
        split_words: Vec::new(),
        notes: Vec::new(),
    }
}

/// 示意图 and what the picture shows: product, sizes, inks.
fn caption_scene(
    item: &Item,
    fonts: &Fonts,
    (w, h): (f64, f64),
    text_mm: f64,
    side: &str,
) -> Result<Scene, Diagnostic> {
    let mut sc = blank(w, h);
    let big = text_mm * PT_PER_MM;
    let title = format!("示意图　{}{side}", item.product);
    let (runs, used) = document::para(&fonts.heavy, &title, big, (0.0, 0.0), sc.width, document::BLACK)?;
    sc.elements.extend(runs);
    let (pw, ph) = item.product_size;
    let detail =
        format!("成品 {}×{} mm · 印刷区 {}×{} mm · {}", n(pw), n(ph), n(item.width), n(item.height), ink_caption(item));
    let (runs, _) =
        document::para(&fonts.sans, &detail, big * 0.62, (0.0, used + big * 0.35), sc.width, document::GREY)?;
    sc.elements.extend(runs);
    Ok(sc)
}

fn scale_label(fonts: &Fonts, label: &str, size_mm: f64) -> Result<Scene, Diagnostic> {
    let mut sc = blank(size_mm * 12.0, size_mm * 1.6);
    let (runs, _) = document::para(&fonts.sans, label, size_mm * PT_PER_MM, (0.0, 0.0), sc.width, document::BLACK)?;
    sc.elements.extend(runs);
    Ok(sc)
}

/// A mockup SVG drawn as a PNG, [`PNG_LONG_SIDE`] pixels on its long side.
pub fn png(svg_text: &str) -> Result<Vec<u8>, Diagnostic> {
    png_sized(svg_text, PNG_LONG_SIDE)
}

/// A mockup SVG drawn as a PNG, `long_side` pixels (at most 8000) on its long side.
pub fn png_sized(svg_text: &str, long_side: u32) -> Result<Vec<u8>, Diagnostic> {
    let (pic, long_mm) = pixels(svg_text, long_side)?;
    // The resolution recorded is the product's: pixels per inch of the real thing.
    let dpi = f64::from(pic.width.max(pic.height)) / (long_mm / 25.4);
    crate::export::png::encode_rgb(pic.width, pic.height, &pic.rgb, dpi)
        .map_err(|e| Diagnostic::data(format!("cannot draw the mockup: {e}")))
}

/// The mockup of `scene` on `item`'s product as SVG: the one way the proof
/// sheet, the contact sheet and the studio draw a product.
pub fn for_scene(lib: &Library, item: &Item, scene: &Scene, side: usize) -> Result<String, Diagnostic> {
    let drawing = Drawing::for_item(&lib.root, item)?;
    svg_side(item, scene, &drawing, &Fonts::load(lib)?, side)
}

/// The mockup of `scene` (side `side`, 0 the front) as a picture for a
/// document grid, `long_side` pixels.
pub fn picture(lib: &Library, item: &Item, scene: &Scene, side: usize, long_side: u32) -> Result<Picture, Diagnostic> {
    Ok(pixels(&for_scene(lib, item, scene, side)?, long_side)?.0)
}

/// Draw a mockup SVG on white; also gives the drawing's long side in mm.
fn pixels(svg_text: &str, long_side: u32) -> Result<(Picture, f64), Diagnostic> {
    let fail = |e: String| Diagnostic::data(format!("cannot draw the mockup: {e}"));
    let long_side = long_side.clamp(1, 8000);
    let tree = usvg::Tree::from_str(svg_text, &usvg::Options::default()).map_err(|e| fail(e.to_string()))?;
    let size = tree.size();
    // usvg sizes the tree in px at its 96 dpi: back to the drawing's mm.
    let long_mm = f64::from(size.width().max(size.height())) * 25.4 / 96.0;
    let k = long_side as f32 / size.width().max(size.height());
    let (w, h) = (((size.width() * k).round() as u32).max(1), ((size.height() * k).round() as u32).max(1));
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| fail(format!("{w}×{h} pixels")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(k, k), &mut pixmap.as_mut());
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    Ok((Picture { width: w, height: h, rgb: std::sync::Arc::new(rgb) }, long_mm))
}

/// `check`: every template's drawing reads and fits its item.
pub fn check(lib: &Library) -> crate::diag::Diagnostics {
    let mut problems = crate::diag::Diagnostics::default();
    for item in lib.items.iter().filter(|i| i.mockup.is_some()) {
        if let Err(d) = Drawing::for_item(&lib.root, item) {
            problems.push(d);
        }
    }
    problems
}
