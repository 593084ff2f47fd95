//! The print shop's documents: the job sheet (生产单) to quote and produce
//! from, and the contact sheet (样稿总览) of every design.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;

use super::Design;
use crate::diag::Diagnostic;
use crate::document::{A4, A4_LANDSCAPE, BLACK, Column, Fonts, GREY, Picture, RED, Sheet, Sink};
use crate::mm;
use crate::order::Order;
use crate::routing::{Advice, Fit, Routing};
use crate::scene::Scene;
use crate::validate::Library;

/// 样稿总览: every design small, with its station and quantity.
/// The long side of a contact-sheet cell's mockup, pixels.
const CELL_PX: u32 = 400;

pub(super) fn contact_sheet(
    lib: &Library,
    fonts: &Fonts,
    order: &Order,
    designs: &[Design],
    samples: &[Vec<Scene>],
) -> Result<Vec<Scene>, Diagnostic> {
    // One cell per item × slogan (super::proof_groups) and side: the product
    // mockup of the first page of its first design (`samples`, the sides of
    // one a group), the back beside the front.
    let groups = super::proof_groups(designs);
    let cells: Vec<(usize, usize, &Scene)> = samples
        .iter()
        .enumerate()
        .flat_map(|(g, sides)| sides.iter().enumerate().map(move |(side, s)| (g, side, s)))
        .collect();
    let pictures: Vec<Picture> = cells
        .par_iter()
        .map(|&(g, side, s)| crate::mockup::picture(lib, designs[groups[g].start].job.item, s, side, CELL_PX))
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
        .zip(&cells)
        .map(|(p, &(g, side, _))| {
            let group = &designs[groups[g].clone()];
            let (d, j) = (&group[0], &group[0].job);
            if side > 0 {
                return (p, format!("{}--{}\n背面", j.item.id, j.slogan.id));
            }
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

/// Widths (mm) of the label/value grid of the header and of each section's
/// specification: two pairs a row across the 267 mm of an A4 landscape page.
const GRID: [f64; 4] = [30.0, 103.5, 30.0, 103.5];

/// 生产单: the header (who orders, PO, contact, dates, tolerance), one
/// section per order line (the item's product, print area and position,
/// material, sides, inks, finishing; then its designs with quantities,
/// setups and a routing note), totals per item, the packing list per
/// station, notes and the proof sign-off box.
/// Its pages go to `sink` one by one (a county's sheet has a row per design).
pub(super) fn job_sheet(
    fonts: &Fonts,
    order: &Order,
    designs: &[Design],
    routing: &Routing,
    sink: Sink<'_>,
) -> Result<(), Diagnostic> {
    let mut sh = Sheet::streamed(format!("生产单 — {}", order.title), false, A4_LANDSCAPE, sink);
    let header = format!("生产单　{}", order.title);
    sh.new_page(fonts, &header)?;
    let total: u64 = designs.iter().map(Design::quantity).sum();
    let missing = "（未填写）".to_string();
    let c = order.customer.as_ref();
    let contact =
        c.map(|c| [c.contact.as_deref(), c.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("　"));
    let vendor = match &order.vendor.contact {
        Some(v) => format!("{}　{v}", order.vendor.name),
        None => order.vendor.name.clone(),
    };
    let tolerance = match order.tolerance {
        Some(t) => format!("{}（本订单约定）", t.zh()),
        None => "按各物品工艺，见各节".to_string(),
    };
    let head = [
        [
            "订购单位",
            &c.map(|c| c.unit.clone()).unwrap_or(missing.clone()),
            "订单号（PO）",
            &c.and_then(|c| c.po.clone()).unwrap_or(missing.clone()),
        ],
        ["联系人", &contact.filter(|s| !s.is_empty()).unwrap_or(missing.clone()), "印刷厂", &vendor],
        ["下单日期", &c.and_then(|c| c.ordered.clone()).unwrap_or("—".into()), "交货日期", &order.due],
        ["数量允差", &tolerance, "设计与数量", &format!("{} 个设计，共 {total} 件", designs.len())],
    ];
    for r in head {
        grid_row(&mut sh, fonts, &header, r)?;
    }
    let lines = sections(designs);
    let below: Vec<&Design> = designs.iter().filter(|d| advice(routing, d).fit == Fit::Below).collect();
    if !below.is_empty() {
        sh.y += mm(2.0);
        sh.text(
            &fonts.heavy,
            &format!(
                "注意：{} 个设计低于工艺起订量（见各行“生产路线”），报价前请与订购单位确认改工艺、合并设计或增加数量。",
                below.len()
            ),
            9.5,
            RED,
            0.0,
        )?;
    }
    for (line, ds) in &lines {
        section(&mut sh, fonts, &header, order, routing, *line, ds)?;
    }
    labels_section(&mut sh, fonts, &header, order, designs)?;
    totals(&mut sh, fonts, &header, designs, total)?;
    packing_list(&mut sh, fonts, &header, order, designs)?;
    notes(&mut sh, fonts, &header, order, routing)?;
    sh.boxed(
        fonts,
        &header,
        "签样确认（样稿经订购单位签字确认后方可开印）",
        &[
            "订购单位确认人：＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日　　签字（盖章）：＿＿＿＿＿＿＿＿＿＿".into(),
            "印刷厂确认人：＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日　　签字：＿＿＿＿＿＿＿＿＿＿".into(),
            "意见：□ 同意印刷　　□ 修改后重新签样　　说明：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿".into(),
        ],
    )?;
    sh.finish().map(drop)
}

/// The routing warnings of the sheet, one per order line and rule, for the
/// command line (the sheet itself marks every design).
pub(super) fn warnings(order: &Order, designs: &[Design], routing: &Routing) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (line, ds) in sections(designs) {
        let below: Vec<(&Design, Advice)> =
            ds.iter().map(|d| (*d, advice(routing, d))).filter(|(_, a)| a.fit == Fit::Below).collect();
        let Some((d, a)) = below.first() else { continue };
        let (lo, hi) =
            below.iter().fold((u64::MAX, 0), |(lo, hi), (d, _)| (lo.min(d.quantity()), hi.max(d.quantity())));
        let pieces = if lo == hi { format!("{lo}") } else { format!("{lo}–{hi}") };
        let product = a.rule.product.as_ref().map(|p| format!(" for {p}")).unwrap_or_default();
        let mut hint = "order more of each design".to_string();
        if d.per_station && below.len() > 1 {
            hint += ", share one design across the stations (`station_block: label`)";
        }
        if let Some(b) = a.rule.below {
            hint += &format!(", or print it by {}", b.label());
        }
        out.push(
            Diagnostic::data(format!(
                "order line {line} ({}): {} design(s) of {pieces} pieces are below the {} minimum of {} pieces{product} ({}:{})",
                d.job.item.id,
                below.len(),
                d.job.item.process.label(),
                a.rule.minimum,
                routing.file.display(),
                a.rule.line,
            ))
            .in_file(&order.file)
            .hint(hint),
        );
    }
    out
}

/// Designs by order line, in line order (each line is one item with its inks).
fn sections<'d, 'a>(designs: &'d [Design<'a>]) -> BTreeMap<usize, Vec<&'d Design<'a>>> {
    let mut lines: BTreeMap<usize, Vec<&Design>> = BTreeMap::new();
    for d in designs {
        lines.entry(d.job.line).or_default().push(d);
    }
    lines
}

fn advice<'r>(routing: &'r Routing, d: &Design) -> Advice<'r> {
    routing.advise(d.job.item.process, &d.job.item.product, d.quantity())
}

/// A label/value row of the grid: two pairs, the labels bold-looking in grey.
fn grid_row(sh: &mut Sheet, fonts: &Fonts, header: &str, texts: [&str; 4]) -> Result<(), Diagnostic> {
    let inks = [GREY, BLACK, GREY, BLACK];
    let cells: Vec<(String, f64, usize)> =
        texts.iter().zip(GRID).zip(inks).map(|((t, w), ink)| (t.to_string(), w, ink)).collect();
    sh.row_inked(fonts, &cells, false, header)
}

/// One order line: the item's print facts, then a row per design.
fn section(
    sh: &mut Sheet,
    fonts: &Fonts,
    header: &str,
    order: &Order,
    routing: &Routing,
    line: usize,
    ds: &[&Design],
) -> Result<(), Diagnostic> {
    let j = &ds[0].job;
    let item = j.item;
    let qty: u64 = ds.iter().map(|d| d.quantity()).sum();
    // The heading, the facts and the first designs stay together.
    sh.y += mm(3.0);
    sh.keep(fonts, header, mm(62.0))?;
    sh.text(
        &fonts.heavy,
        &format!("第 {line} 行　{}（{}）　{} 个设计，共 {qty} 件", item.name, item.id, ds.len()),
        11.0,
        BLACK,
        0.0,
    )?;
    let (pw, ph) = item.product_size;
    let underbase = match item.underbase {
        Some((choke, _)) => format!("有：白墨打底版先印，比图案每边内缩 {choke} mm"),
        None => "无".into(),
    };
    let finishing =
        if item.finishing.is_empty() { "无（印后即成品）".to_string() } else { item.finishing.join("；") };
    let tolerance = order.tolerance.unwrap_or_else(|| routing.tolerance(item.process, &item.product));
    let facts = [
        [
            "成品尺寸",
            &format!("{pw}×{ph} mm（{}）", item.product),
            "印刷区",
            &format!("{}×{} mm（文件成品尺寸），出血 {} mm", item.width, item.height, item.bleed),
        ],
        ["印刷位置", &item.print_position, "印面", if item.sides == 2 { "双面" } else { "单面" }],
        ["材质", &item.material, "材质颜色", &item.colour],
        ["工艺", item.process.zh(), "油墨类型", &item.ink_type],
        ["油墨颜色", &super::ink_summary(j), "白墨打底", &underbase],
        ["后道加工", &finishing, "数量允差", &tolerance.zh()],
    ];
    for r in facts {
        grid_row(sh, fonts, header, r)?;
    }
    let rule = routing.rule(item.process, &item.product);
    let cells = vec![("生产路线".to_string(), GRID[0], GREY), (Routing::explain(rule), 267.0 - GRID[0], BLACK)];
    sh.row_inked(fonts, &cells, false, header)?;
    if let Some(n) = &item.notes {
        let cells = vec![("说明".to_string(), GRID[0], GREY), (n.clone(), 267.0 - GRID[0], BLACK)];
        sh.row_inked(fonts, &cells, false, header)?;
    }
    sh.y += mm(1.5);
    let cols: [Column; 7] = [
        ("序号", 10.0),
        ("文件", 96.0),
        ("标语", 28.0),
        ("派出所与数量", 40.0),
        ("数量", 18.0),
        ("制版", 17.0),
        ("生产路线", 58.0),
    ];
    sh.table_head(fonts, &cols, header)?;
    for (n, d) in ds.iter().enumerate() {
        let a = advice(routing, d);
        let ink = if a.fit == Fit::Below { RED } else { BLACK };
        let texts = [
            (n + 1).to_string(),
            files_cell(d),
            d.job.slogan.id.clone(),
            stations_cell(d),
            format!("{} 件", d.quantity()),
            setups_zh(d),
            a.note,
        ];
        let mut cells: Vec<(String, f64, usize)> =
            texts.into_iter().zip(cols.map(|(_, w)| w)).map(|(t, w)| (t, w, BLACK)).collect();
        cells[6].2 = ink;
        sh.row_inked(fonts, &cells, false, header)?;
        // The item × slogan's cut file on a row of its own, after its last
        // design: the vendor cuts every one of them from it, nothing prints from it.
        let last_of_slogan = ds.get(n + 1).is_none_or(|next| next.job.slogan.id != d.job.slogan.id);
        if item.die_line.is_some() && last_of_slogan {
            let shared = ds.iter().filter(|x| x.job.slogan.id == d.job.slogan.id).count();
            let (whose, with) = match shared {
                1 => ("同上".to_string(), "与上一行文件同尺寸对位".to_string()),
                k => ("上面各行".to_string(), format!("上面 {k} 个文件共用，同尺寸对位")),
            };
            let texts = [
                String::new(),
                wrap_path(&super::cut_path(d)),
                "刀模线".into(),
                whose.clone(),
                whose,
                "刀模".into(),
                format!("模切：专色 CutContour，不印刷，{with}"),
            ];
            let cells: Vec<(String, f64, usize)> =
                texts.into_iter().zip(cols.map(|(_, w)| w)).map(|(t, w)| (t, w, BLACK)).collect();
            sh.row_inked(fonts, &cells, false, header)?;
        }
    }
    Ok(())
}

/// The station block on sticker labels, for lines that asked for them.
fn labels_section(
    sh: &mut Sheet,
    fonts: &Fonts,
    header: &str,
    order: &Order,
    designs: &[Design],
) -> Result<(), Diagnostic> {
    let labels = super::label_counts(order, designs);
    if labels.is_empty() {
        return Ok(());
    }
    let count: u64 = labels.iter().map(|(_, n)| n).sum();
    let (w, h) = super::LABEL_SIZE;
    sh.y += mm(3.0);
    sh.keep(fonts, header, mm(40.0))?;
    sh.text(&fonts.heavy, &format!("派出所标签　{count} 张"), 11.0, BLACK, 0.0)?;
    let facts = [
        ["文件", &format!("{}（每页一个派出所）", super::LABELS), "成品尺寸", &format!("{w}×{h} mm，出血 0 mm")],
        [
            "材质",
            "铜版纸不干胶（白色）",
            "工艺",
            &format!("{}，CMYK 黑字，无需制版", crate::library::Process::DigitalCmyk.zh()),
        ],
    ];
    for r in facts {
        grid_row(sh, fonts, header, r)?;
    }
    let mut who = String::new();
    for (st, n) in &labels {
        let _ = write!(who, "{}{} {n}", if who.is_empty() { "" } else { "、" }, st.station.name);
    }
    let cells = vec![("张数".to_string(), GRID[0], GREY), (who, 267.0 - GRID[0], BLACK)];
    sh.row_inked(fonts, &cells, false, header)
}

/// Per item: name, designs, screens or plates, pieces; the table on one page.
fn totals(sh: &mut Sheet, fonts: &Fonts, header: &str, designs: &[Design], total: u64) -> Result<(), Diagnostic> {
    let mut totals: BTreeMap<&str, (String, usize, usize, u64)> = BTreeMap::new();
    for d in designs {
        let e = totals.entry(d.job.item.id.as_str()).or_insert((d.job.item.name.clone(), 0, 0, 0));
        e.1 += 1;
        e.2 += super::setups(d);
        e.3 += d.quantity();
    }
    sh.y += mm(4.0);
    sh.keep(fonts, header, mm(12.0) + (totals.len() + 2) as f64 * 16.0)?;
    sh.text(&fonts.heavy, "各物品合计", 11.0, BLACK, 0.0)?;
    let tcols: [Column; 5] = [("物品", 60.0), ("编号", 50.0), ("设计数", 30.0), ("制版数", 30.0), ("数量合计", 40.0)];
    sh.table_head(fonts, &tcols, header)?;
    let twidths = tcols.map(|(_, w)| w);
    for (id, (name, files, setups, qty)) in &totals {
        let texts = [name.clone(), id.to_string(), files.to_string(), setups.to_string(), format!("{qty} 件")];
        sh.row(fonts, &texts.into_iter().zip(twidths).collect::<Vec<_>>(), false, header)?;
    }
    let setups: usize = totals.values().map(|t| t.2).sum();
    let texts =
        ["总计".to_string(), String::new(), designs.len().to_string(), setups.to_string(), format!("{total} 件")];
    sh.row(fonts, &texts.into_iter().zip(twidths).collect::<Vec<_>>(), true, header)
}

/// One item in a station's parcel: its name, pieces, and each design (slogan id) with its pieces.
type Parcel<'a> = (&'a str, u64, Vec<(String, u32)>);

/// 装箱单: per station, where its pieces go, who receives them, and what is
/// in its parcel (by item, each design with its pieces).
fn packing_list(
    sh: &mut Sheet,
    fonts: &Fonts,
    header: &str,
    order: &Order,
    designs: &[Design],
) -> Result<(), Diagnostic> {
    // Station key → item → (pieces, designs with pieces), in design order.
    let mut parcels: BTreeMap<&str, Vec<Parcel>> = BTreeMap::new();
    for d in designs {
        for (st, q) in &d.stations {
            let items = parcels.entry(st.key.as_str()).or_default();
            let name = d.job.item.name.as_str();
            match items.iter_mut().find(|(n, _, _)| *n == name) {
                Some(e) => {
                    e.1 += u64::from(*q);
                    e.2.push((d.job.slogan.id.clone(), *q));
                }
                None => items.push((name, u64::from(*q), vec![(d.job.slogan.id.clone(), *q)])),
            }
        }
    }
    let labels = super::label_counts(order, designs);
    sh.y += mm(4.0);
    sh.keep(fonts, header, mm(40.0))?;
    sh.text(&fonts.heavy, &format!("装箱单（按派出所分装，共 {} 个派出所）", order.stations.len()), 11.0, BLACK, 0.0)?;
    let cols: [Column; 6] = [
        ("序号", 10.0),
        ("派出所", 32.0),
        ("收货地址", 50.0),
        ("收货人与电话", 34.0),
        ("物品与数量", 125.0),
        ("件数", 16.0),
    ];
    sh.table_head(fonts, &cols, header)?;
    for (n, st) in order.stations.iter().enumerate() {
        let s = &st.station;
        let items = parcels.get(st.key.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let mut what = String::new();
        let mut count = 0;
        for (name, q, list) in items {
            count += q;
            let list: Vec<String> = list.iter().map(|(id, q)| format!("{id} {q}")).collect();
            let _ = write!(what, "{}{name} {q} 件：{}", if what.is_empty() { "" } else { "\n" }, list.join("、"));
        }
        if let Some((_, q)) = labels.iter().find(|(l, _)| l.key == st.key) {
            let _ = write!(what, "{}派出所标签 {q} 张", if what.is_empty() { "" } else { "\n" });
        }
        let (address, address_ink) = match s.delivery.as_ref().or(s.address.as_ref()) {
            Some(a) => (a.clone(), BLACK),
            None => ("未填写收货地址，请向订购单位确认".into(), RED),
        };
        let receiver = match &s.receiver {
            Some(r) => r.clone(),
            None => [Some(s.name.as_str()), s.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("\n"),
        };
        let texts = [(n + 1).to_string(), s.name.clone(), address, receiver, what, format!("{count} 件")];
        let mut cells: Vec<(String, f64, usize)> =
            texts.into_iter().zip(cols.map(|(_, w)| w)).map(|(t, w)| (t, w, BLACK)).collect();
        cells[2].2 = address_ink;
        sh.row_inked(fonts, &cells, false, header)?;
    }
    Ok(())
}

/// 备注: what the figures on the sheet mean for the shop.
fn notes(sh: &mut Sheet, fonts: &Fonts, header: &str, order: &Order, routing: &Routing) -> Result<(), Diagnostic> {
    sh.y += mm(4.0);
    sh.keep(fonts, header, mm(40.0))?;
    sh.text(&fonts.heavy, "备注", 11.0, BLACK, 0.0)?;
    let tolerance = match order.tolerance {
        Some(t) => format!("本订单约定 {}", t.zh()),
        None => format!("按各物品工艺（见各节，默认 {}）", routing.tolerance.zh()),
    };
    let lines = [
        format!("1. 数量允差：{tolerance}；按实际交货数量结算，每个设计单独计算。"),
        format!(
            "2. 生产路线按工艺的起订量和经济批量给出（依据 {}），标“！”的设计低于起订量，改工艺须经订购单位同意。",
            crate::routing::FILE
        ),
        "3. 印刷区为印刷文件的成品尺寸（TrimBox），成品尺寸为最终产品；印刷位置以本单为准。".into(),
        "4. 按装箱单分派出所包装，外箱标注派出所名称、收货地址和物品数量；文件校验见 SHA256SUMS 和 manifest.json。"
            .into(),
        "5. 签样确认后开印；开印前如需改工艺、材质或数量，请先与订购单位联系。".into(),
    ];
    for l in lines {
        sh.text(&fonts.sans, &l, 9.0, BLACK, 0.0)?;
    }
    Ok(())
}

/// Who gets a design and how many: each station with its pieces, or for
/// many stations with the same pieces, their count.
fn stations_cell(d: &Design) -> String {
    let first = d.stations[0].1;
    if d.stations.len() > 4 && d.stations.iter().all(|(_, q)| *q == first) {
        return format!("{} 个派出所，各 {first} 件", d.stations.len());
    }
    d.stations.iter().map(|(st, q)| format!("{} {q}", st.station.name)).collect::<Vec<_>>().join("\n")
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

/// A file name on as many lines as its 96 mm cell needs: ids do not break
/// inside, so lines break after `/` and `--` (about 54 characters of 8 pt
/// Latin fit).
fn wrap_path(path: &str) -> String {
    const FIT: usize = 54;
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
