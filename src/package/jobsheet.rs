//! The print shop's documents: the job sheet (生产单) to quote and produce
//! from, and the contact sheet (样稿总览) of every design.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use super::Design;
use crate::diag::Diagnostic;
use crate::document::{A4, A4_LANDSCAPE, BLACK, Column, Fonts, GREY, Picture, Sheet};
use crate::export::png;
use crate::mm;
use crate::order::Order;
use crate::scene::Scene;

/// 样稿总览: every design small, with its station and quantity.
pub(super) fn contact_sheet(
    fonts: &Fonts,
    order: &Order,
    designs: &[Design],
    samples: &[Scene],
) -> Result<Vec<Scene>, Diagnostic> {
    // One cell per item × slogan (super::proof_groups), by the first page
    // of its first design (`samples`, one a group).
    let groups = super::proof_groups(designs);
    let pictures: Vec<Picture> = samples
        .par_iter()
        .map(|s| {
            let long_in = s.width.max(s.height) / 72.0;
            let dpi = (320.0 / long_in).min(60.0);
            let (width, height, rgb) = png::render_rgb(s, dpi).map_err(|e| Diagnostic::data(e.to_string()))?;
            Ok(Picture { width, height, rgb: std::sync::Arc::new(rgb) })
        })
        .collect::<Result<_, Diagnostic>>()?;
    let mut sh = Sheet::new(format!("样稿总览 — {}", order.title), false, A4);
    let header = format!("样稿总览　{}", order.title);
    sh.new_page(fonts, &header)?;
    let mut line = format!("印刷厂：{}　交货日期：{}　共 {} 个设计", order.vendor.name, order.due, groups.len());
    if groups.len() != designs.len() {
        line.push_str(&format!("（{} 个印刷文件）", designs.len()));
    }
    sh.text(&fonts.sans, &line, 9.5, GREY, 0.0)?;
    if groups.iter().any(|g| super::proof_station(&designs[g.clone()]).is_some()) {
        let note = "各派出所版本只有派出所信息不同，每个设计只画一个派出所的样图（见图下）；印刷文件每所一个。";
        sh.text(&fonts.sans, note, 9.0, GREY, 0.0)?;
    }
    let cells: Vec<(&Picture, String)> = pictures
        .iter()
        .zip(&groups)
        .map(|(p, g)| {
            let group = &designs[g.clone()];
            let (d, j) = (&group[0], &group[0].job);
            let quantity: u64 = group.iter().map(Design::quantity).sum();
            let label = match super::proof_station(group) {
                None => format!("{}--{}\n{}　×{} 件", j.item.id, j.slogan.id, d.stations_label(), quantity),
                Some(st) => {
                    let n: usize = group.iter().map(|d| d.stations.len()).sum();
                    let pages = if d.pages { "一个文件每所一页" } else { "每所一个文件" };
                    format!(
                        "{}--{}\n{n} 个派出所，{pages}　×{quantity} 件\n样图：{}",
                        j.item.id, j.slogan.id, st.station.name
                    )
                }
            };
            (p, label)
        })
        .collect();
    sh.grid(fonts, &header, &cells, 4, 52.0)?;
    Ok(sh.pages)
}

/// 生产单: an A4 landscape table, one row per distinct design, then totals per item.
pub(super) fn job_sheet(fonts: &Fonts, order: &Order, designs: &[Design]) -> Result<Vec<Scene>, Diagnostic> {
    let mut sh = Sheet::new(format!("生产单 — {}", order.title), false, A4_LANDSCAPE);
    let header = format!("生产单　{}", order.title);
    sh.new_page(fonts, &header)?;
    let contact = order.vendor.contact.as_deref().unwrap_or("");
    let total: u64 = designs.iter().map(Design::quantity).sum();
    sh.text(&fonts.sans, &format!("印刷厂：{}　{contact}", order.vendor.name), 10.0, BLACK, 0.0)?;
    sh.text(
        &fonts.sans,
        &format!("交货日期：{}　设计数：{}　总数量：{} 件", order.due, designs.len(), total),
        10.0,
        BLACK,
        0.0,
    )?;
    sh.rule();
    let cols: [Column; 10] = [
        ("序号", 8.0),
        ("文件", 82.0),
        ("物品", 18.0),
        ("材质", 30.0),
        ("工艺", 16.0),
        ("油墨", 38.0),
        ("成品尺寸", 18.0),
        ("出血", 10.0),
        ("制版", 15.0),
        ("数量与派出所", 32.0),
    ];
    let widths = cols.map(|(_, w)| w);
    let row = |texts: [String; 10]| -> Vec<(String, f64)> { texts.into_iter().zip(widths).collect() };
    sh.table_head(fonts, &cols, &header)?;
    for (n, d) in designs.iter().enumerate() {
        let j = &d.job;
        let size = format!("{}×{} mm", j.item.width, j.item.height);
        let cells = row([
            (n + 1).to_string(),
            files_cell(d),
            j.item.name.clone(),
            j.item.material.clone(),
            process_zh(j.item.process).to_string(),
            super::ink_summary(j),
            size.clone(),
            format!("{} mm", j.item.bleed),
            setups_zh(d),
            quantity_cell(d),
        ]);
        sh.row(fonts, &cells, false, &header)?;
        // Its cut file on a row of its own: the vendor cuts from it, nothing prints from it.
        if j.item.die_line.is_some() {
            let cells = row([
                String::new(),
                wrap_path(&format!("print/{}.cut.pdf", d.base())),
                j.item.name.clone(),
                "刀模线，与上一行文件同尺寸对位".into(),
                "模切".into(),
                "专色 CutContour（不印刷）".into(),
                size,
                format!("{} mm", j.item.bleed),
                "刀模".into(),
                "同上".into(),
            ]);
            sh.row(fonts, &cells, false, &header)?;
        }
    }
    // The station block on sticker labels, for lines that asked for them.
    let labels = super::label_counts(order, designs);
    if !labels.is_empty() {
        let mut who = format!("{} 张", labels.iter().map(|(_, n)| n).sum::<u64>());
        for (st, n) in &labels {
            let _ = write!(who, "\n{} {n}", st.station.name);
        }
        let (w, h) = super::LABEL_SIZE;
        let cells = row([
            String::new(),
            format!("{}（每页一个派出所）", super::LABELS),
            "不干胶标签".into(),
            "铜版纸不干胶".into(),
            process_zh(crate::library::Process::DigitalCmyk).into(),
            "CMYK 四色（黑字）".into(),
            format!("{w}×{h} mm"),
            "0 mm".into(),
            "无需制版".into(),
            who,
        ]);
        sh.row(fonts, &cells, false, &header)?;
    }
    sh.y += mm(4.0);
    // Per item: name, designs, screens or plates, pieces.
    let mut totals: BTreeMap<&str, (String, usize, usize, u64)> = BTreeMap::new();
    for d in designs {
        let e = totals.entry(d.job.item.id.as_str()).or_insert((d.job.item.name.clone(), 0, 0, 0));
        e.1 += 1;
        e.2 += super::setups(d);
        e.3 += d.quantity();
    }
    // The totals table stays on one page.
    sh.keep(fonts, &header, mm(12.0) + (totals.len() + 2) as f64 * 16.0)?;
    sh.text(&fonts.heavy, "各物品合计", 11.0, BLACK, 0.0)?;
    let tcols: [Column; 5] = [("物品", 60.0), ("编号", 50.0), ("设计数", 30.0), ("制版数", 30.0), ("数量合计", 40.0)];
    sh.table_head(fonts, &tcols, &header)?;
    let twidths = tcols.map(|(_, w)| w);
    for (id, (name, files, setups, qty)) in &totals {
        let texts = [name.clone(), id.to_string(), files.to_string(), setups.to_string(), format!("{qty} 件")];
        sh.row(fonts, &texts.into_iter().zip(twidths).collect::<Vec<_>>(), false, &header)?;
    }
    let setups: usize = totals.values().map(|t| t.2).sum();
    let texts =
        ["总计".to_string(), String::new(), designs.len().to_string(), setups.to_string(), format!("{total} 件")];
    sh.row(fonts, &texts.into_iter().zip(twidths).collect::<Vec<_>>(), true, &header)?;
    Ok(sh.pages)
}

/// The job sheet's file cell: the print file, and the films of a screen print.
fn files_cell(d: &Design) -> String {
    let mut s = wrap_path(&format!("print/{}.pdf", d.base()));
    if d.job.item.process == crate::library::Process::ScreenPrint {
        let films = wrap_path(&format!("films/{}.pdf", d.base()));
        let _ = write!(s, "\n{films}（菲林 {} 张，每版一张）", super::inks_of(&d.job).len());
    }
    if d.pages {
        let _ = write!(s, "\n可变数据：每页一个派出所，共 {} 页，按页序印制", d.stations.len());
    }
    s
}

/// A file name on as many lines as its 82 mm cell needs: ids do not break
/// inside, so lines break after `/` and `--` (about 46 characters of 8 pt
/// Latin fit).
fn wrap_path(path: &str) -> String {
    const FIT: usize = 46;
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = path;
    while let Some(i) = rest.find("--").map(|i| i + 2).or_else(|| rest.find('/').map(|i| i + 1)) {
        pieces.push(&rest[..i]);
        rest = &rest[i..];
    }
    pieces.push(rest);
    let mut out = String::new();
    let mut line = 0;
    for p in pieces {
        if line > 0 && line + p.len() > FIT {
            out.push('\n');
            line = 0;
        }
        out.push_str(p);
        line += p.len();
    }
    out
}

/// Screens or plates to make: a screen print's screens are made per design,
/// so per-station variants each need their own.
fn setups_zh(d: &Design) -> String {
    match (d.job.item.process, super::setups(d)) {
        (crate::library::Process::ScreenPrint, n) => format!("网版 {n} 块"),
        (_, 0) => "无需制版".into(),
        (_, n) => format!("印版 {n} 块"),
    }
}

/// The design's quantity and who gets it: each station with its pieces, or
/// for many stations their count.
fn quantity_cell(d: &Design) -> String {
    let mut s = format!("{} 件", d.quantity());
    let first = d.stations[0].1;
    if d.stations.len() > 4 && d.stations.iter().all(|(_, q)| *q == first) {
        let _ = write!(s, "\n{} 个派出所，各 {first} 件", d.stations.len());
    } else {
        for (st, q) in &d.stations {
            let _ = write!(s, "\n{} {q}", st.station.name);
        }
    }
    s
}

fn process_zh(p: crate::library::Process) -> &'static str {
    use crate::library::Process::*;
    match p {
        OffsetCmyk => "胶印四色",
        DigitalCmyk => "数码四色",
        ScreenPrint => "丝网印刷",
        HeatTransfer => "热转印",
        DyeSublimation => "热升华",
        Inkjet => "喷绘",
    }
}
