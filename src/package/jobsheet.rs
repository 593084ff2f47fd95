//! The print shop's documents: the job sheet (生产单) to quote and produce
//! from, and the contact sheet (样稿总览) of every design.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::document::{A4, A4_LANDSCAPE, BLACK, Column, Fonts, GREY, Picture, Sheet};
use crate::export::png;
use crate::mm;
use crate::order::{Job, Order};
use crate::scene::Scene;

/// 样稿总览: every design small, with its station and quantity.
pub(super) fn contact_sheet(
    fonts: &Fonts,
    order: &Order,
    jobs: &[Job],
    scenes: &[Scene],
) -> Result<Vec<Scene>, Diagnostic> {
    let pictures: Vec<Picture> = scenes
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
    sh.text(
        &fonts.sans,
        &format!("印刷厂：{}　交货日期：{}　共 {} 个设计", order.vendor.name, order.due, jobs.len()),
        9.5,
        GREY,
        0.0,
    )?;
    let cells: Vec<(&Picture, String)> = pictures
        .iter()
        .zip(jobs)
        .map(|(p, j)| (p, format!("{}--{}\n{}　×{} 件", j.item.id, j.slogan.id, j.station.station.name, j.quantity)))
        .collect();
    sh.grid(fonts, &header, &cells, 4, 52.0)?;
    Ok(sh.pages)
}

/// 生产单: an A4 landscape table, one row per print file, then totals per item.
pub(super) fn job_sheet(fonts: &Fonts, order: &Order, jobs: &[Job]) -> Result<Vec<Scene>, Diagnostic> {
    let mut sh = Sheet::new(format!("生产单 — {}", order.title), false, A4_LANDSCAPE);
    let header = format!("生产单　{}", order.title);
    sh.new_page(fonts, &header)?;
    let contact = order.vendor.contact.as_deref().unwrap_or("");
    let total: u64 = jobs.iter().map(|j| u64::from(j.quantity)).sum();
    sh.text(&fonts.sans, &format!("印刷厂：{}　{contact}", order.vendor.name), 10.0, BLACK, 0.0)?;
    sh.text(
        &fonts.sans,
        &format!("交货日期：{}　文件数：{}　总数量：{} 件", order.due, jobs.len(), total),
        10.0,
        BLACK,
        0.0,
    )?;
    sh.rule();
    let cols: [Column; 9] = [
        ("序号", 10.0),
        ("文件", 78.0),
        ("物品", 22.0),
        ("材质", 38.0),
        ("工艺", 22.0),
        ("油墨", 45.0),
        ("成品尺寸", 22.0),
        ("出血", 12.0),
        ("数量", 18.0),
    ];
    sh.table_head(fonts, &cols, &header)?;
    for (n, j) in jobs.iter().enumerate() {
        let cells = [
            ((n + 1).to_string(), 10.0),
            (files_cell(j), 78.0),
            (j.item.name.clone(), 22.0),
            (j.item.material.clone(), 38.0),
            (process_zh(j.item.process).to_string(), 22.0),
            (super::ink_summary(j), 45.0),
            (format!("{}×{} mm", j.item.width, j.item.height), 22.0),
            (format!("{} mm", j.item.bleed), 12.0),
            (format!("{} 件", j.quantity), 18.0),
        ];
        sh.row(fonts, &cells, false, &header)?;
        // Its cut file on a row of its own: the vendor cuts from it, nothing prints from it.
        if j.item.die_line.is_some() {
            let cells = [
                (String::new(), 10.0),
                (format!("print/{}.cut.pdf", j.base()), 78.0),
                (j.item.name.clone(), 22.0),
                ("刀模线，与上一行文件同尺寸对位".to_string(), 38.0),
                ("模切".to_string(), 22.0),
                ("专色 CutContour（不印刷）".to_string(), 45.0),
                (format!("{}×{} mm", j.item.width, j.item.height), 22.0),
                (format!("{} mm", j.item.bleed), 12.0),
                ("同上".to_string(), 18.0),
            ];
            sh.row(fonts, &cells, false, &header)?;
        }
    }
    sh.y += mm(4.0);
    let mut totals: BTreeMap<&str, (String, usize, u64)> = BTreeMap::new();
    for j in jobs {
        let e = totals.entry(j.item.id.as_str()).or_insert((j.item.name.clone(), 0, 0));
        e.1 += 1;
        e.2 += u64::from(j.quantity);
    }
    // The totals table stays on one page.
    if sh.room() < mm(12.0) + (totals.len() + 2) as f64 * 16.0 {
        sh.new_page(fonts, &format!("{header}（续）"))?;
    }
    sh.text(&fonts.heavy, "各物品合计", 11.0, BLACK, 0.0)?;
    let tcols: [Column; 4] = [("物品", 60.0), ("编号", 50.0), ("设计数", 30.0), ("数量合计", 40.0)];
    sh.table_head(fonts, &tcols, &header)?;
    for (id, (name, files, qty)) in &totals {
        let cells =
            [(name.clone(), 60.0), (id.to_string(), 50.0), (files.to_string(), 30.0), (format!("{qty} 件"), 40.0)];
        sh.row(fonts, &cells, false, &header)?;
    }
    let cells = [
        ("总计".to_string(), 60.0),
        (String::new(), 50.0),
        (jobs.len().to_string(), 30.0),
        (format!("{total} 件"), 40.0),
    ];
    sh.row(fonts, &cells, true, &header)?;
    Ok(sh.pages)
}

/// The job sheet's file cell: the print file, and the films of a screen print.
fn files_cell(j: &Job) -> String {
    let mut s = format!("print/{}.pdf", j.base());
    if j.item.process == crate::library::Process::ScreenPrint {
        let _ = write!(s, "　films/{}.pdf（菲林 {} 张，每版一张）", j.base(), super::inks_of(j).len());
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
