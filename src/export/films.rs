//! Films for screen printing (菲林): one PDF page per printing ink, each the
//! ink's plate as a positive — black where that ink prints, on white — with
//! registration targets, the ink's name, the job and the station in a slug
//! outside the print area. A screen printer exposes one screen per page.
//!
//! Each page is the separation of its ink as a RIP makes it: the ink's own
//! shapes in black (a tint as that share of black), shapes of other inks
//! that knock out (no overprint) in white, overprinting shapes of other
//! inks left out. The die line is not a screen and gets no film. Pages are
//! in print order: the white underbase first, then the template's inks.

use std::sync::Arc;

use super::pdf::{self, PdfError, PdfOptions};
use crate::fonts::Font;
use crate::mm;
use crate::scene::{Element, Ink, InkKind, Paint, Path, Rgb, Scene, Seg};

/// What the labels on every film say.
#[derive(Debug, Clone, Default)]
pub struct FilmOptions {
    /// The job: the print file's name.
    pub job: String,
    /// The order it belongs to.
    pub order: String,
    /// The station the design is for.
    pub station: String,
    /// Fonts for the labels (a role's chain: they are drawn as outlines).
    pub fonts: Vec<Arc<Font>>,
    /// Document date (SOURCE_DATE_EPOCH, or the approval), as the print file's.
    pub epoch: Option<i64>,
    /// PDF/X, as the print file.
    pub pdfx: Option<pdf::PdfX>,
}

/// Width of the film's slug around the trim (and bleed): room for a target
/// of 8 mm and two lines of labels.
pub const SLUG_MM: f64 = 15.0;

/// The film ink: black on a positive.
const FILM: usize = 0;

/// The printing inks of a scene in print order: the underbase first.
pub fn print_order(scene: &Scene) -> Vec<usize> {
    let printing = |i: &usize| !matches!(scene.inks[*i].kind, InkKind::Technical { .. });
    let mut order: Vec<usize> = scene.underbase.into_iter().collect();
    order.extend((0..scene.inks.len()).filter(printing).filter(|&i| Some(i) != scene.underbase));
    order
}

/// The films of a scene: one page per printing ink, in print order.
pub fn export(scene: &Scene, opts: &FilmOptions) -> Result<Vec<u8>, PdfError> {
    let order = print_order(scene);
    let pages: Vec<Scene> =
        order.iter().enumerate().map(|(n, &ink)| film(scene, ink, n + 1, order.len(), opts)).collect();
    // The art is outlines (as on a screen print's print file); the labels are
    // text with their fonts embedded, so they can be searched and read back.
    let pdf_opts = PdfOptions { marks: false, outline_text: false, epoch: opts.epoch, pdfx: opts.pdfx };
    pdf::export_pages(&pages, &pdf_opts)
}

/// The page of one ink.
fn film(scene: &Scene, ink: usize, n: usize, count: usize, opts: &FilmOptions) -> Scene {
    let black =
        Ink { id: "film".into(), kind: InkKind::Process { cmyk: [0.0, 0.0, 0.0, 1.0] }, preview: Some(Rgb(0, 0, 0)) };
    // This ink at its tint; another ink that knocks out, white; one that overprints, nothing.
    let on_film = |p: &Paint| -> Option<Paint> {
        if p.ink == ink {
            Some(Paint { ink: FILM, tint: p.tint, overprint: false })
        } else if p.overprint || matches!(scene.inks[p.ink].kind, InkKind::Technical { .. }) {
            None
        } else {
            Some(Paint { ink: FILM, tint: 0.0, overprint: false })
        }
    };
    let mut elements = Vec::new();
    let (w, h, b) = (scene.width, scene.height, scene.bleed);
    if let Some(p) = scene.background.as_ref().and_then(on_film) {
        elements.push(Element::Fill { path: Path::rect(-b, -b, w + 2.0 * b, h + 2.0 * b), paint: p });
    }
    for el in &scene.elements {
        let put = match el {
            Element::Fill { path, paint } => on_film(paint).map(|p| Element::Fill { path: path.clone(), paint: p }),
            Element::Stroke { path, width, paint } => {
                on_film(paint).map(|p| Element::Stroke { path: path.clone(), width: *width, paint: p })
            }
            // The art's text as outlines, as on the print file; only the labels stay text.
            Element::Text(run) => on_film(&run.paint).map(|p| {
                let mut path = Path::default();
                for g in &run.glyphs {
                    path.0.extend(crate::layout::glyph_path(&run.font, g).0);
                }
                Element::Fill { path, paint: p }
            }),
            // A mask prints as its ink's film (or clears a film it knocks out).
            Element::Raster(r) => r
                .paint
                .as_ref()
                .and_then(on_film)
                .map(|p| Element::Raster(crate::scene::Raster { paint: Some(p), ..r.clone() })),
            Element::Image(_) => None,
        };
        elements.extend(put);
    }
    marks(&mut elements, scene, &scene.inks[ink], n, count, opts);
    Scene {
        width: w,
        height: h,
        // The page reaches past the bleed by the slug (pdf writes page = trim + bleed).
        bleed: b + mm(SLUG_MM),
        inks: vec![black],
        substrate: Rgb(255, 255, 255),
        background: None,
        underbase: None,
        elements,
        die_line: None,
        crop_marks_allowed: false,
        folds: Vec::new(),
        title: format!("菲林 {n}/{count} {} — {}", scene.inks[ink].label(), scene.title),
        slogan_lines: scene.slogan_lines,
        split_words: Vec::new(),
        notes: Vec::new(),
    }
}

/// Registration targets at the middle of each side and the labels, in the
/// slug: the same place on every page, so the screens line up on them.
fn marks(elements: &mut Vec<Element>, scene: &Scene, ink: &Ink, n: usize, count: usize, opts: &FilmOptions) {
    let (w, h, b) = (scene.width, scene.height, scene.bleed);
    let reg = Paint { ink: FILM, tint: 1.0, overprint: false };
    let away = b + mm(SLUG_MM / 2.0);
    for (cx, cy) in [(w / 2.0, -away), (w / 2.0, h + away), (-away, h / 2.0), (w + away, h / 2.0)] {
        let mut cross = Path::line(cx - mm(5.0), cy, cx + mm(5.0), cy);
        cross.0.extend(Path::line(cx, cy - mm(5.0), cx, cy + mm(5.0)).0);
        cross.0.extend(circle(cx, cy, mm(3.5)).0);
        cross.0.extend(circle(cx, cy, mm(1.75)).0);
        elements.push(Element::Stroke { path: cross, width: mm(0.15), paint: reg });
        elements.push(Element::Fill { path: circle(cx, cy, mm(0.6)), paint: reg });
    }
    if opts.fonts.is_empty() {
        return;
    }
    let underbase = if scene.underbase.is_some() && n == 1 { "（白墨打底，先印）" } else { "" };
    let ink_label = format!("第 {n}/{count} 版　{}{underbase}　正片", ink.label());
    let size = mm(3.2);
    // Beside the top and bottom targets: left of them from the trim's left
    // edge, right of them from the middle.
    let width = w / 2.0 - mm(8.0);
    let (top, bottom) = (-b - mm(SLUG_MM) + mm(2.0), h + b + mm(SLUG_MM) - mm(2.0) - size * 1.2);
    let labels = [
        (ink_label.as_str(), 0.0, top),
        (opts.station.as_str(), w / 2.0 + mm(8.0), top),
        (opts.job.as_str(), 0.0, bottom),
        (opts.order.as_str(), w / 2.0 + mm(8.0), bottom),
    ];
    for (text, x, y) in labels {
        if let Ok((runs, _)) = crate::layout::set_paragraph(text, &opts.fonts, size, (x, y), width, 1.2, reg) {
            elements.extend(runs.into_iter().map(Element::Text));
        }
    }
}

/// A circle as four cubic arcs.
fn circle(cx: f64, cy: f64, r: f64) -> Path {
    let k = r * 0.552_284_75;
    Path(vec![
        Seg::Move(cx + r, cy),
        Seg::Cubic(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        Seg::Cubic(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        Seg::Cubic(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        Seg::Cubic(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        Seg::Close,
    ])
}
