//! Proof sheets for reviewers (审核样张): A4 pages in Chinese, one or more per
//! slogan, with its wording, lint findings, review history and small previews
//! on every item it is meant for.

use crate::diag::Diagnostic;
use crate::document::{self, A4, BLACK, Fonts, GREY, MARGIN, Picture, RED, Sheet};
use crate::export::png;
use crate::layout::{self, SceneOptions};
use crate::lint::{self, Finding};
use crate::mm;
use crate::review::{self, ReviewLog};
use crate::scene::Scene;
use crate::validate::{Library, Slogan, Station};

/// The long side of a mockup on the proof sheet, pixels.
const MOCKUP_PX: u32 = 600;

/// A preview of a slogan on one side of an item: the product mockup for
/// the sheet and the flat trim area as a PNG file.
pub struct Preview {
    pub item: String,
    pub name: String,
    /// 0 the front; two-sided items (card, tri-fold) have a back, which
    /// the reviewer sees too: its text prints as well.
    pub side: usize,
    pub picture: Picture,
    pub png: Vec<u8>,
    pub proof: bool,
}

pub fn previews(lib: &Library, s: &Slogan, station: Option<&Station>, proof: bool) -> Result<Vec<Preview>, Diagnostic> {
    let mut out = Vec::new();
    for item in &lib.items {
        if !item.suits(s) {
            continue;
        }
        let sides = item.side_count();
        let two_sided = sides > 1;
        for side in 0..sides {
            let mut scene = match layout::build_side(lib, item, s, &SceneOptions { station }, side) {
                Ok(scene) => scene,
                // Lint reports what does not fit; the sheet shows the rest
                // (a back that cannot be laid out does not hide the front).
                Err(_) => continue,
            };
            if proof {
                layout::mark_as_proof(lib, &mut scene)?;
            }
            let long_in = scene.width.max(scene.height) / 72.0;
            let dpi = (600.0 / long_in).min(100.0);
            // The file is the flat artwork (what the print file holds); the sheet
            // shows it on the product, true to scale, as the officer will see it.
            let (w, h, rgb) = png::render_rgb(&scene, dpi).map_err(|e| Diagnostic::data(e.to_string()))?;
            let png = png::encode_rgb(w, h, &rgb, dpi).map_err(|e| Diagnostic::data(e.to_string()))?;
            let name = match (two_sided, side) {
                (false, _) => item.name.clone(),
                (true, 0) => format!("{}（正面）", item.name),
                (true, _) => format!("{}（背面）", item.name),
            };
            out.push(Preview {
                item: item.id.clone(),
                name,
                side,
                picture: crate::mockup::picture(lib, item, &scene, side, MOCKUP_PX)?,
                png,
                proof,
            });
        }
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
        let mut sh = Sheet::new(format!("标语审核样张 — {}", s.id), !state.is_approved(), A4);
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
        let cells: Vec<(&Picture, String)> = pv.iter().map(|p| (&p.picture, p.name.clone())).collect();
        sh.grid(&fonts, &header, &cells, 4, 50.0)?;
        // Room for the reviewer's hand.
        sh.y = sh.y.max(mm(A4.1 - MARGIN - 12.0));
        if sh.y > mm(A4.1 - MARGIN - 5.0) {
            sh.new_page(&fonts, &format!("{header}（续）"))?;
            sh.y = mm(A4.1 - MARGIN - 12.0);
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
    let pdf = document::pdf(&pages, epoch)?;
    Ok(SheetPdf { pdf, pages: pages.len(), previews })
}

/// A proof sheet as PDF, its page count and the previews drawn for it.
pub struct SheetPdf {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub previews: Vec<Vec<Preview>>,
}
