//! Proof sheets for reviewers (审核样张): A4 pages in Chinese, one or more per
//! slogan, with its wording, lint findings, review history and small previews
//! on every item it is meant for.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::export::png;
use crate::fonts::Font;
use crate::layout::{self, SceneOptions};
use crate::lint::{self, Finding};
use crate::mm;
use crate::review::{self, ReviewLog};
use crate::scene::{Element, Image, Ink, InkKind, Paint, Path, Rgb, Scene};
use crate::validate::{Library, Slogan, Station};

pub(crate) const BLACK: usize = 0;
pub(crate) const RED: usize = 1;
pub(crate) const GREY: usize = 2;
pub(crate) const LIGHT: usize = 3;

pub(crate) fn inks() -> Vec<Ink> {
    let ink = |id: &str, cmyk: [f64; 4]| Ink { id: id.into(), kind: InkKind::Process { cmyk }, preview: None };
    vec![
        ink("black", [0.0, 0.0, 0.0, 1.0]),
        ink("red", [0.0, 0.9, 0.85, 0.0]),
        ink("grey", [0.0, 0.0, 0.0, 0.55]),
        ink("light", [0.0, 0.0, 0.0, 0.08]),
    ]
}

/// A document page being filled from top to bottom (A4 portrait by default).
pub(crate) struct Sheet {
    pub pages: Vec<Scene>,
    pub y: f64,
    pub title: String,
    /// Mark every page 样稿·未审定.
    pub proof: bool,
    /// Page size, mm.
    pub w: f64,
    pub h: f64,
}

const W: f64 = 210.0;
const H: f64 = 297.0;
pub(crate) const MARGIN: f64 = 15.0;

pub(crate) struct Fonts {
    pub heavy: Vec<Arc<Font>>,
    pub sans: Vec<Arc<Font>>,
    pub kai: Vec<Arc<Font>>,
}

impl Fonts {
    pub fn load(lib: &Library) -> Result<Fonts, Diagnostic> {
        Ok(Fonts { heavy: lib.fonts.chain("heavy")?, sans: lib.fonts.chain("sans")?, kai: lib.fonts.chain("kai")? })
    }
}

impl Sheet {
    pub fn new(title: String, proof: bool, w: f64, h: f64) -> Sheet {
        Sheet { pages: Vec::new(), y: 0.0, title, proof, w, h }
    }

    pub fn page(&mut self) -> &mut Scene {
        self.pages.last_mut().expect("a page is started first")
    }

    pub fn new_page(&mut self, fonts: &Fonts, header: &str) -> Result<(), Diagnostic> {
        self.pages.push(Scene {
            underbase: None,
            width: mm(self.w),
            height: mm(self.h),
            bleed: 0.0,
            inks: inks(),
            substrate: Rgb(255, 255, 255),
            background: None,
            elements: Vec::new(),
            die_line: None,
            crop_marks_allowed: false,
            folds: Vec::new(),
            title: self.title.clone(),
            slogan_lines: 0,
            split_words: Vec::new(),
        });
        self.y = mm(MARGIN);
        self.text(&fonts.heavy, header, 15.0, BLACK, 0.0)?;
        if self.proof {
            // Every page of unapproved wording says so.
            let (runs, _) =
                para(&fonts.heavy, layout::PROOF_MARK, 14.0, (mm(W - MARGIN - 45.0), mm(MARGIN)), mm(45.0), RED)?;
            self.page().elements.extend(runs);
        }
        self.rule();
        Ok(())
    }

    pub fn text(
        &mut self,
        f: &[Arc<Font>],
        text: &str,
        size: f64,
        ink: usize,
        indent_mm: f64,
    ) -> Result<(), Diagnostic> {
        let (runs, height) =
            para(f, text, size, (mm(MARGIN + indent_mm), self.y), mm(self.w - 2.0 * MARGIN - indent_mm), ink)?;
        self.page().elements.extend(runs);
        self.y += height + size * 0.45;
        Ok(())
    }

    pub fn rule(&mut self) {
        let y = self.y;
        let right = mm(self.w - MARGIN);
        self.page().elements.push(Element::Stroke {
            path: Path::line(mm(MARGIN), y, right, y),
            width: 0.5,
            paint: Paint { ink: GREY, tint: 1.0, overprint: false },
        });
        self.y += mm(3.0);
    }

    pub fn room(&self) -> f64 {
        mm(self.h - MARGIN - 14.0) - self.y
    }

    /// A grid of pictures with captions, new pages as needed.
    pub fn grid(
        &mut self,
        fonts: &Fonts,
        header: &str,
        cells: &[(&Preview, String)],
        cols: usize,
        cell_h: f64,
    ) -> Result<(), Diagnostic> {
        let cell_w = (self.w - 2.0 * MARGIN) / cols as f64;
        let caption = 8.0;
        for row in cells.chunks(cols) {
            if self.room() < mm(cell_h + caption) {
                self.new_page(fonts, &format!("{header}（续）"))?;
            }
            for (i, (p, label)) in row.iter().enumerate() {
                let (bw, bh) = (mm(cell_w - 4.0), mm(cell_h - 2.0));
                let scale = (bw / f64::from(p.width)).min(bh / f64::from(p.height));
                let (w, h) = (f64::from(p.width) * scale, f64::from(p.height) * scale);
                let x = mm(MARGIN + i as f64 * cell_w) + (mm(cell_w) - w) / 2.0;
                let y = self.y + (bh - h);
                self.page().elements.push(Element::Fill {
                    path: Path::rect(x - 1.0, y - 1.0, w + 2.0, h + 2.0),
                    paint: Paint { ink: LIGHT, tint: 1.0, overprint: false },
                });
                self.page().elements.push(Element::Image(Image {
                    rect: [x, y, w, h],
                    width: p.width,
                    height: p.height,
                    rgb: p.rgb.clone(),
                }));
                // One paragraph per caption line (ids do not break inside).
                let mut ly = self.y + bh + mm(1.5);
                for line in label.lines() {
                    let origin = (mm(MARGIN + i as f64 * cell_w + 2.0), ly);
                    let (runs, lh) = para(&fonts.sans, line, 6.5, origin, mm(cell_w - 4.0), GREY)?;
                    self.page().elements.extend(runs);
                    ly += lh + 1.5;
                }
            }
            self.y += mm(cell_h + caption);
        }
        Ok(())
    }
}

/// Set free text on a document page (proof sheets, job sheets). Names and
/// notes come from people: a character no font has is shown as 〓 (the
/// customary placeholder) rather than failing the whole document, and line
/// breaks start new lines. Print files never do this: there a missing
/// character is an error.
pub(crate) fn para(
    f: &[Arc<Font>],
    text: &str,
    size: f64,
    origin: (f64, f64),
    width: f64,
    ink: usize,
) -> Result<(Vec<Element>, f64), Diagnostic> {
    let paint = Paint { ink, tint: 1.0, overprint: false };
    let mut elements = Vec::new();
    let mut height = 0.0;
    for (n, line) in text.split('\n').enumerate() {
        let shown: String =
            line.chars().map(|c| if f.iter().any(|font| font.has_char(c)) { c } else { '〓' }).collect();
        let y = origin.1 + height + if n > 0 { size * 0.4 } else { 0.0 };
        let (runs, h) = layout::set_paragraph(&shown, f, size, (origin.0, y), width, 1.4, paint)
            .map_err(|e| Diagnostic::data(format!("cannot set document text `{line}`: {e:?}")))?;
        elements.extend(runs.into_iter().map(Element::Text));
        height = y - origin.1 + h;
    }
    Ok((elements, height))
}

/// A preview: the item's trim area as pixels, at most `max_px` on its long side.
pub struct Preview {
    pub item: String,
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub rgb: Arc<Vec<u8>>,
    pub png: Vec<u8>,
    pub proof: bool,
}

pub fn previews(lib: &Library, s: &Slogan, station: Option<&Station>, proof: bool) -> Result<Vec<Preview>, Diagnostic> {
    let mut out = Vec::new();
    for item in &lib.items {
        if !item.suits(s) {
            continue;
        }
        let mut scene = match layout::build_scene(lib, item, s, &SceneOptions { station }) {
            Ok(scene) => scene,
            // Lint reports what does not fit; the sheet shows the rest.
            Err(_) => continue,
        };
        if proof {
            layout::mark_as_proof(lib, &mut scene)?;
        }
        let long_in = scene.width.max(scene.height) / 72.0;
        let dpi = (600.0 / long_in).min(100.0);
        let (w, h, rgb) = png::render_rgb(&scene, dpi).map_err(|e| Diagnostic::data(e.to_string()))?;
        // Drawn once: the sheet's picture and the PNG file are the same pixels.
        let png = png::encode_rgb(w, h, &rgb, dpi).map_err(|e| Diagnostic::data(e.to_string()))?;
        out.push(Preview {
            item: item.id.clone(),
            name: item.name.clone(),
            width: w,
            height: h,
            rgb: Arc::new(rgb),
            png,
            proof,
        });
    }
    Ok(out)
}

/// The proof sheet pages of some slogans.
pub fn sheet(
    lib: &Library,
    log: &ReviewLog,
    findings: &[Finding],
    slogans: &[&Slogan],
    previews: &[Vec<Preview>],
) -> Result<Vec<Scene>, Diagnostic> {
    let fonts = Fonts::load(lib)?;
    let mut pages = Vec::new();
    for (s, pv) in slogans.iter().zip(previews) {
        let state = log.state(s);
        let mut sh = Sheet::new(format!("标语审核样张 — {}", s.id), !state.is_approved(), W, H);
        let header = format!("标语审核样张　{}　{}", s.topic, s.id);
        sh.new_page(&fonts, &header)?;
        // The wording, large, as people will read it.
        for l in &s.lines {
            sh.text(&fonts.kai, l, 24.0, BLACK, 0.0)?;
        }
        if let Some(t) = &s.tip {
            sh.text(&fonts.sans, &format!("小字提示：{t}"), 11.0, BLACK, 0.0)?;
        }
        // The topic is printed as the posters' heading: it is approved with the wording.
        sh.text(&fonts.sans, &format!("标题：{}　（主题：{}）", s.heading, s.topic), 11.0, BLACK, 0.0)?;
        sh.y += mm(2.0);
        let audience = if s.audience.is_empty() { "（未标注）".to_string() } else { s.audience.join("、") };
        sh.text(&fonts.sans, &format!("对象：{audience}"), 9.5, GREY, 0.0)?;
        if let Some(n) = &s.notes {
            sh.text(&fonts.sans, &format!("备注：{n}"), 9.5, GREY, 0.0)?;
        }
        if let Some(src) = &s.source {
            sh.text(&fonts.sans, &format!("依据：{src}"), 9.5, GREY, 0.0)?;
        }
        if let Some(v) = &s.verify {
            // Printed in red: the station must check this before it orders.
            sh.text(&fonts.heavy, &format!("请本所核实：{v}"), 9.5, RED, 0.0)?;
        }
        let hash = review::wording_hash(s);
        sh.text(&fonts.sans, &format!("措辞指纹（SHA-256）：{}…", &hash[..16]), 9.5, GREY, 0.0)?;
        let state_ink = if state.is_approved() { BLACK } else { RED };
        sh.text(&fonts.heavy, &format!("审核状态：{}", lint::state_zh(&state)), 11.0, state_ink, 0.0)?;
        sh.rule();
        // Review history.
        sh.text(&fonts.heavy, "审核记录", 11.0, BLACK, 0.0)?;
        let history: Vec<&review::Record> = log.history(&s.id).collect();
        if history.is_empty() {
            sh.text(&fonts.sans, "暂无审核记录。", 9.5, GREY, 3.0)?;
        }
        for r in history {
            let current = if r.wording == hash { "" } else { "（针对旧措辞）" };
            let note = r.note.as_deref().map(|n| format!("：{n}")).unwrap_or_default();
            sh.text(
                &fonts.sans,
                &format!("{}　{}　{}{current}{note}", r.time, r.reviewer, r.decision.label_zh()),
                9.5,
                BLACK,
                3.0,
            )?;
        }
        sh.rule();
        // Lint findings.
        sh.text(&fonts.heavy, "自动检查", 11.0, BLACK, 0.0)?;
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.slogan == s.id).collect();
        if mine.is_empty() {
            sh.text(&fonts.sans, "没有发现问题。", 9.5, GREY, 3.0)?;
        }
        for f in mine {
            let ink = if f.level == lint::Level::Error { RED } else { BLACK };
            let sugg = f.suggestion.as_deref().map(|x| format!(" 建议：{x}")).unwrap_or_default();
            sh.text(&fonts.sans, &format!("【{}】{}{sugg}", f.level.label_zh(), f.message), 9.5, ink, 3.0)?;
        }
        sh.rule();
        // Previews on every item, in a grid.
        sh.text(&fonts.heavy, "效果预览", 11.0, BLACK, 0.0)?;
        let cells: Vec<(&Preview, String)> = pv.iter().map(|p| (p, p.name.clone())).collect();
        sh.grid(&fonts, &header, &cells, 4, 50.0)?;
        // Room for the reviewer's hand.
        sh.y = sh.y.max(mm(H - MARGIN - 12.0));
        if sh.y > mm(H - MARGIN - 5.0) {
            sh.new_page(&fonts, &format!("{header}（续）"))?;
            sh.y = mm(H - MARGIN - 12.0);
        }
        sh.text(
            &fonts.sans,
            "审核人签字：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿　　意见：□通过　□需修改　□不通过",
            10.0,
            BLACK,
            0.0,
        )?;
        pages.extend(sh.pages);
    }
    Ok(pages)
}

/// The proof sheet of `slogans` as PDF — their lint findings, previews on
/// every item they are meant for (marked unless approved) and review
/// state — with the previews drawn for it. What `jiediqi proof` writes and
/// the studio serves.
pub fn sheet_pdf(
    lib: &Library,
    log: &ReviewLog,
    slogans: &[&Slogan],
    station: Option<&Station>,
    epoch: Option<i64>,
) -> Result<SheetPdf, Diagnostic> {
    use rayon::prelude::*;
    let words = lint::Words::load(&lib.root)?;
    let chosen: Vec<String> = slogans.iter().map(|s| s.id.clone()).collect();
    let findings = lint::lint(lib, &words, Some(&chosen));
    let previews: Vec<Vec<Preview>> = slogans
        .par_iter()
        .map(|s| previews(lib, s, station, !log.state(s).is_approved()))
        .collect::<Result<_, Diagnostic>>()?;
    let pages = sheet(lib, log, &findings, slogans, &previews)?;
    let pdf = crate::export::pdf::export_pages(&pages, &crate::export::pdf::PdfOptions { epoch, ..Default::default() })
        .map_err(|e| Diagnostic::data(e.to_string()))?;
    Ok(SheetPdf { pdf, pages: pages.len(), previews })
}

/// A proof sheet as PDF, its page count and the previews drawn for it.
pub struct SheetPdf {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub previews: Vec<Vec<Preview>>,
}
