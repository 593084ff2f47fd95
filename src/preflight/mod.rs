//! `jiediqi preflight`: checks any PDF — ours or made by other tools —
//! against an item's print spec, as a print shop's prepress would: page
//! boxes against trim and bleed, colour spaces (no RGB), total ink, spot
//! names against the template's inks, fonts embedded or outlined, the
//! smallest text and stroke (from the glyph outlines), image resolution at
//! print size, and the output intent. Findings are in Chinese for the
//! report, with stable English keys in JSON.
//!
//! Steps: [`read`] parses the file and interprets its content into facts
//! (nothing is rendered); [`check`] compares the facts with a [`Spec`].

mod fonts;
mod read;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::fonts::stem::{Stems, THIN_QUANTILE, quantile};
use crate::library::Minimums;
use crate::scene::InkKind;
use crate::validate::Item;

pub use read::ReadError;

/// Tolerance of box sizes, mm.
const BOX_TOLERANCE_MM: f64 = 0.5;
/// Glyphs of one size measured for stems (a leaflet's body text repeats the same strokes).
const STEM_GLYPHS: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// What was measured and passed.
    Pass,
}

impl Severity {
    fn zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Pass => "通过",
        }
    }
}

/// One finding of a preflight.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Which check: `file`, `boxes`, `colour`, `spot`, `ink`, `fonts`,
    /// `text-height`, `stroke`, `text-stroke`, `image`, `output-intent`.
    pub check: &'static str,
    /// 1-based page, where the finding is about one page.
    pub page: Option<usize>,
    /// What was found (Chinese).
    pub message: String,
    /// What to do (Chinese).
    pub fix: Option<String>,
    pub measured: Option<f64>,
    pub limit: Option<f64>,
    /// Unit of `measured` and `limit`: `mm`, `%`, `ppi`.
    pub unit: Option<&'static str>,
}

impl Finding {
    fn new(severity: Severity, check: &'static str, page: Option<usize>, message: String) -> Finding {
        Finding { severity, check, page, message, fix: None, measured: None, limit: None, unit: None }
    }
    fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
    fn value(mut self, measured: f64, limit: f64, unit: &'static str) -> Finding {
        self.measured = Some(round3(measured));
        self.limit = Some(limit);
        self.unit = Some(unit);
        self
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A limit and where it comes from (Chinese: the template, or PRINT.md's default).
#[derive(Debug, Clone, Serialize)]
pub struct Limit {
    pub value: f64,
    pub source: String,
}

/// What an item asks of a print file.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSpec {
    pub id: String,
    pub name: String,
    /// Trim width and height, mm.
    pub trim: (f64, f64),
    /// Bleed on every side, mm.
    pub bleed: f64,
    /// Spot ink names the template prints with.
    pub spots: Vec<String>,
    /// Non-printing spot inks (die lines).
    pub technical: Vec<String>,
    /// Whether process colours (CMYK) print on this item.
    pub process: bool,
    /// Spot inks an order may replace with another colour.
    pub swappable: usize,
}

/// The spec a file is checked against.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    pub item: Option<ItemSpec>,
    pub text_height: Limit,
    pub stroke: Limit,
    pub ink_total: Limit,
    pub image_ppi: Limit,
}

impl Spec {
    pub fn for_item(item: &Item) -> Spec {
        let from = format!("模板 {}", item.id);
        let m = &item.minimums;
        let or_default = |v: Option<f64>, default: f64, what: &str| match v {
            Some(v) => Limit { value: v, source: from.clone() },
            None => Limit { value: default, source: format!("PRINT.md 默认（模板 {} 未给{what}）", item.id) },
        };
        let name = |k: &InkKind| match k {
            InkKind::Spot { name, .. } | InkKind::Technical { name, .. } => Some(name.clone()),
            InkKind::Process { .. } => None,
        };
        Spec {
            item: Some(ItemSpec {
                id: item.id.clone(),
                name: item.name.clone(),
                trim: (item.width, item.height),
                bleed: item.bleed,
                spots: item
                    .inks
                    .iter()
                    .filter(|i| matches!(i.kind, InkKind::Spot { .. }))
                    .filter_map(|i| name(&i.kind))
                    .collect(),
                technical: item
                    .inks
                    .iter()
                    .filter(|i| matches!(i.kind, InkKind::Technical { .. }))
                    .filter_map(|i| name(&i.kind))
                    .collect(),
                process: item.inks.iter().any(|i| matches!(i.kind, InkKind::Process { .. })),
                swappable: item.swappable.len(),
            }),
            text_height: Limit { value: m.text_height, source: from.clone() },
            stroke: Limit { value: m.stroke, source: from.clone() },
            ink_total: or_default(m.ink_total, Minimums::DEFAULT_INK_TOTAL, "总墨量上限"),
            image_ppi: or_default(m.image_ppi, Minimums::DEFAULT_IMAGE_PPI, "图像分辨率下限"),
        }
    }

    /// No item: PRINT.md's general prepress figures.
    pub fn generic() -> Spec {
        let src = |s: &str| format!("PRINT.md 通用（{s}）");
        Spec {
            item: None,
            text_height: Limit { value: round3(6.0 / crate::PT_PER_MM), source: src("文字 ≥ 6 pt") },
            stroke: Limit { value: 0.2, source: src("线条 ≥ 0.2 mm") },
            ink_total: Limit { value: Minimums::DEFAULT_INK_TOTAL, source: src("大面积总墨量 ≤ 300 %") },
            image_ppi: Limit { value: Minimums::DEFAULT_IMAGE_PPI, source: src("成品尺寸 300 ppi") },
        }
    }
}

/// How the item was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemBasis {
    /// `--item`.
    Given,
    /// The only template whose trim size the first page's TrimBox has.
    TrimSize,
    /// None matched: general figures only.
    None,
}

/// The preflight of one file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    pub item: Option<String>,
    pub item_basis: ItemBasis,
    pub pages: usize,
    pub errors: usize,
    pub warnings: usize,
    pub limits: BTreeMap<&'static str, Limit>,
    pub findings: Vec<Finding>,
}

impl Report {
    /// The report in Chinese, one finding a line.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let against = match (&self.item, self.item_basis) {
            (Some(id), ItemBasis::Given) => format!("对照模板 {id}"),
            (Some(id), _) => format!("对照模板 {id}（按成品尺寸认定）"),
            (None, _) => "未指定模板，按通用印前要求".into(),
        };
        s.push_str(&format!("预检 {}（{against}；{} 页）\n", self.file, self.pages));
        for f in &self.findings {
            let page = f.page.map(|p| format!("第 {p} 页 ")).unwrap_or_default();
            s.push_str(&format!("  {} {page}[{}] {}", f.severity.zh(), f.check, f.message));
            if let Some(fix) = &f.fix {
                s.push_str(&format!(" 处理：{fix}"));
            }
            s.push('\n');
        }
        s.push_str(&format!("结果：{} 个错误，{} 个警告\n", self.errors, self.warnings));
        s
    }
}

/// Several reports as JSON (`--format json`).
pub fn to_json(reports: &[Report]) -> String {
    #[derive(Serialize)]
    struct All<'a> {
        files: &'a [Report],
    }
    let mut s = serde_json::to_string_pretty(&All { files: reports }).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// Preflight a PDF's bytes. `spec_for` chooses the spec once the file's
/// first TrimBox is known (`None` for no box): an item given, or one found
/// by its trim size.
pub fn check(file: &str, data: &[u8], spec_for: impl FnOnce(Option<(f64, f64)>) -> (Spec, ItemBasis)) -> Report {
    let (doc, findings_first) = match read::read(data) {
        Ok(doc) => (Some(doc), Vec::new()),
        Err(e) => {
            let msg = match e {
                ReadError::NotPdf => "不是 PDF 文件（开头没有 %PDF-）".to_string(),
                ReadError::Broken => "PDF 结构损坏，无法读取（交叉引用表与页面树都无法恢复）".to_string(),
                ReadError::Encrypted => "PDF 已加密，需要密码才能打开".to_string(),
                ReadError::NoPages => "PDF 中没有页面".to_string(),
            };
            let fix = match e {
                ReadError::Encrypted => "请发件人提供未加密的文件",
                _ => "请发件人重新导出 PDF（PDF/X-4 或 PDF/X-1a）",
            };
            (None, vec![Finding::new(Severity::Error, "file", None, msg).fix(fix)])
        }
    };
    let trim = doc.as_ref().and_then(|d| d.pages.first()).and_then(|p| p.trim).map(|b| size_mm(&b));
    let (spec, basis) = spec_for(trim);
    let mut findings = findings_first;
    if let Some(doc) = &doc {
        findings.extend(checks(doc, &spec));
    }
    // Errors first, then warnings, then passes; by page within each.
    findings.sort_by_key(|f| (f.severity, f.page.unwrap_or(0)));
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut limits = BTreeMap::new();
    limits.insert("text_height_mm", spec.text_height.clone());
    limits.insert("stroke_mm", spec.stroke.clone());
    limits.insert("ink_total_percent", spec.ink_total.clone());
    limits.insert("image_ppi", spec.image_ppi.clone());
    Report {
        file: file.to_string(),
        item: spec.item.as_ref().map(|i| i.id.clone()),
        item_basis: basis,
        pages: doc.as_ref().map(|d| d.pages.len()).unwrap_or(0),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        limits,
        findings,
    }
}

/// Largest file preflight reads (a poster PDF is tens of KB; a photo-heavy
/// banner a few hundred MB).
pub const MAX_FILE: u64 = 1 << 30;

/// Preflight a file against `item`, or (none given) the one template of
/// `items` whose trim size its first page has, else general figures.
/// Errors are the file's: missing, not a regular file, unreadable.
pub fn check_file(
    path: &std::path::Path,
    item: Option<&Item>,
    items: &[Item],
) -> Result<Report, crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    let cannot = |e: std::io::Error| Diagnostic::io(format!("cannot read {}: {e}", path.display()));
    // A FIFO or device would block or never end: only regular files.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(
            Diagnostic::io(format!("{} is not a regular file", path.display())).hint("give the PDF file itself")
        );
    }
    if meta.len() > MAX_FILE {
        return Err(Diagnostic::io(format!("{} is larger than {} MiB", path.display(), MAX_FILE >> 20))
            .hint("split the file, or check its pages one at a time"));
    }
    let data = std::fs::read(path).map_err(cannot)?;
    Ok(check(&path.display().to_string(), &data, |trim| match (item, trim.and_then(|t| item_by_trim(items, t))) {
        (Some(i), _) => (Spec::for_item(i), ItemBasis::Given),
        (None, Some(i)) => (Spec::for_item(i), ItemBasis::TrimSize),
        (None, None) => (Spec::generic(), ItemBasis::None),
    }))
}

/// The item whose trim size a page has (either orientation), if exactly one.
pub fn item_by_trim(items: &[Item], trim: (f64, f64)) -> Option<&Item> {
    let mut found =
        items.iter().filter(|i| same_size((i.width, i.height), trim) || same_size((i.height, i.width), trim));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn same_size(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() <= BOX_TOLERANCE_MM && (a.1 - b.1).abs() <= BOX_TOLERANCE_MM
}

fn size_mm(b: &read::BoxPt) -> (f64, f64) {
    ((b[2] - b[0]) / crate::PT_PER_MM, (b[3] - b[1]) / crate::PT_PER_MM)
}

fn mm(v: f64) -> String {
    format!("{:.2}", v).trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every check, in the order of the report.
fn checks(doc: &read::Doc, spec: &Spec) -> Vec<Finding> {
    let mut out = Vec::new();
    for note in &doc.incomplete {
        out.push(
            Finding::new(Severity::Warning, "file", None, format!("部分内容未能检查：{note}"))
                .fix("请发件人重新导出 PDF；未检查的部分请人工核对"),
        );
    }
    for (i, page) in doc.pages.iter().enumerate() {
        boxes(page, i + 1, spec, &mut out);
    }
    colours(doc, spec, &mut out);
    spots(doc, spec, &mut out);
    ink(doc, spec, &mut out);
    fonts_embedded(doc, &mut out);
    text(doc, spec, &mut out);
    strokes(doc, spec, &mut out);
    images(doc, spec, &mut out);
    output_intent(doc, &mut out);
    out
}

fn boxes(p: &read::PageFacts, n: usize, spec: &Spec, out: &mut Vec<Finding>) {
    let page = Some(n);
    let err = |m: String| Finding::new(Severity::Error, "boxes", page, m);
    let Some(media) = p.media else {
        out.push(err("页面缺少 MediaBox".into()).fix("重新导出 PDF"));
        return;
    };
    let had_trim = p.trim.is_some();
    let trim = match p.trim {
        Some(t) => t,
        None => {
            out.push(
                err("缺少 TrimBox（成品尺寸框）：印厂无法确认裁切位置，以下按页面大小（CropBox/MediaBox）核对尺寸"
                    .into())
                .fix("导出时选 PDF/X，或在排版软件中设置成品尺寸与出血"),
            );
            p.crop.unwrap_or(media)
        }
    };
    let inside = |a: &read::BoxPt, b: &read::BoxPt| {
        let e = 0.01;
        a[0] >= b[0] - e && a[1] >= b[1] - e && a[2] <= b[2] + e && a[3] <= b[3] + e
    };
    let (tw, th) = size_mm(&trim);
    let bleed = p.bleed.unwrap_or(trim);
    if !inside(&trim, &bleed) || !inside(&bleed, &media) {
        out.push(err("页面框嵌套错误：应为 MediaBox ⊇ BleedBox ⊇ TrimBox".into()).fix("重新设置成品尺寸与出血后导出"));
    }
    if let Some(crop) = p.crop
        && !inside(&bleed, &crop)
    {
        out.push(
            Finding::new(
                Severity::Warning,
                "boxes",
                page,
                "CropBox 小于出血框：看图软件与部分输出设备会裁掉出血".into(),
            )
            .fix("导出时不要设置裁剪框，或让它包含出血"),
        );
    }
    // Bleed on each side (left, bottom, right, top), mm.
    let sides =
        [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]].map(|v| v / crate::PT_PER_MM);
    let least = sides.iter().copied().fold(f64::INFINITY, f64::min);
    let most = sides.iter().copied().fold(0.0, f64::max);
    let Some(item) = &spec.item else {
        if !had_trim {
            return;
        }
        out.push(Finding::new(
            Severity::Pass,
            "boxes",
            page,
            format!("成品尺寸 {}×{} mm，出血 {} mm（未对照模板）", mm(tw), mm(th), mm(least)),
        ));
        return;
    };
    let (iw, ih) = item.trim;
    let mut ok = had_trim;
    if same_size((tw, th), (iw, ih)) {
    } else if same_size((tw, th), (ih, iw)) {
        out.push(
            Finding::new(
                Severity::Warning,
                "boxes",
                page,
                format!("成品尺寸 {}×{} mm 与模板 {}（{}×{} mm）方向相反", mm(tw), mm(th), item.id, mm(iw), mm(ih)),
            )
            .fix("确认印厂可旋转后再印，或按模板方向重新导出"),
        );
    } else {
        ok = false;
        out.push(
            err(format!(
                "成品尺寸 {}×{} mm，模板 {} 要求 {}×{} mm（允差 ±{BOX_TOLERANCE_MM} mm）",
                mm(tw),
                mm(th),
                item.id,
                mm(iw),
                mm(ih)
            ))
            .fix(format!("按 {}×{} mm 重新设置页面（TrimBox）后导出", mm(iw), mm(ih))),
        );
    }
    if item.bleed > 0.0 && p.bleed.is_none() {
        ok = false;
        out.push(
            err(format!("缺少 BleedBox：模板 {} 要求每边出血 {} mm", item.id, mm(item.bleed)))
                .fix(format!("导出时设置出血 {} mm", mm(item.bleed))),
        );
    } else if least + BOX_TOLERANCE_MM < item.bleed {
        ok = false;
        out.push(
            err(format!("出血不足：最少一边 {} mm，模板 {} 要求 {} mm", mm(least), item.id, mm(item.bleed)))
                .fix(format!("把底色与图片延伸到裁切线外 {} mm，并设置出血", mm(item.bleed)))
                .value(least, item.bleed, "mm"),
        );
    } else if most > item.bleed + BOX_TOLERANCE_MM {
        out.push(
            Finding::new(
                Severity::Warning,
                "boxes",
                page,
                format!("出血 {} mm 多于模板 {} 的 {} mm", mm(most), item.id, mm(item.bleed)),
            )
            .fix("多余出血一般无害；请与印厂确认"),
        );
    }
    if ok {
        out.push(Finding::new(
            Severity::Pass,
            "boxes",
            page,
            format!("成品尺寸 {}×{} mm、出血 {} mm，与模板 {} 一致", mm(tw), mm(th), mm(least), item.id),
        ));
    }
}

/// Spot names of no concern for prepress: registration, none, die lines.
fn technical(name: &str, spec: &Spec) -> bool {
    name == "All" || name == "None" || spec.item.as_ref().is_some_and(|i| i.technical.iter().any(|t| t == name))
}

const PROCESS_NAMES: [&str; 4] = ["Cyan", "Magenta", "Yellow", "Black"];

fn colours(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let spot_only = spec.item.as_ref().is_some_and(|i| !i.process);
    let mut any_problem = false;
    for (i, p) in doc.pages.iter().enumerate() {
        let page = Some(i + 1);
        let rgb: Vec<(&String, &read::ColourFacts)> = p.colours.iter().filter(|(_, c)| c.rgb).collect();
        if !rgb.is_empty() {
            any_problem = true;
            let uses: usize = rgb.iter().map(|(_, c)| c.uses).sum();
            let spaces: BTreeSet<&str> = rgb.iter().map(|(_, c)| c.space.as_str()).collect();
            out.push(
                Finding::new(
                    Severity::Error,
                    "colour",
                    page,
                    format!(
                        "填充、描边或文字用了 RGB 类颜色（{}），共 {uses} 处",
                        spaces.into_iter().collect::<Vec<_>>().join("、")
                    ),
                )
                .fix("印刷文件不能有 RGB：转换为 CMYK 或模板的专色后重新导出"),
            );
        }
        for (place, space, is_rgb) in &p.other_spaces {
            let place_zh = match *place {
                "image" => "图像",
                "shading" => "渐变",
                "group" => "透明混合空间",
                _ => continue,
            };
            if *is_rgb {
                any_problem = true;
                let sev = if *place == "group" { Severity::Warning } else { Severity::Error };
                out.push(Finding::new(sev, "colour", page, format!("{place_zh}的色彩空间为 {space}（RGB 类）")).fix(
                    if *place == "group" {
                        "透明叠加将按 RGB 计算：导出时把透明混合空间设为 CMYK"
                    } else {
                        "转换为 CMYK 后重新导出"
                    },
                ));
            } else if space.starts_with('/') || space.contains("ICCBased N=") && !space.ends_with(['1', '3', '4']) {
                out.push(Finding::new(
                    Severity::Warning,
                    "colour",
                    page,
                    format!("{place_zh}的色彩空间无法识别：{space}"),
                ));
            }
        }
        let unknown: BTreeSet<&str> = p
            .colours
            .values()
            .filter(|c| c.space.starts_with('/') || c.space == "?")
            .map(|c| c.space.as_str())
            .collect();
        for u in unknown {
            out.push(Finding::new(Severity::Warning, "colour", page, format!("色彩空间无法识别：{u}")));
        }
        if spot_only {
            let process: Vec<&read::ColourFacts> = p.colours.values().filter(|c| c.process_ink).collect();
            if !process.is_empty() {
                any_problem = true;
                let item = spec.item.as_ref().map(|i| i.id.as_str()).unwrap_or("");
                let uses: usize = process.iter().map(|c| c.uses).sum();
                out.push(
                    Finding::new(
                        Severity::Error,
                        "colour",
                        page,
                        format!("模板 {item} 只印专色，文件却用了 CMYK/灰度颜色 {uses} 处：没有对应的网版"),
                    )
                    .fix(format!(
                        "改用模板的专色：{}",
                        spec.item.as_ref().map(|i| i.spots.join("、")).unwrap_or_default()
                    )),
                );
            }
        }
    }
    if !any_problem {
        out.push(Finding::new(Severity::Pass, "colour", None, "没有 RGB 颜色（填充、描边、文字、图像、渐变）".into()));
    }
}

fn spots(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let mut found: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, p) in doc.pages.iter().enumerate() {
        for c in p.colours.values() {
            for s in &c.spots {
                found.entry(s.clone()).or_default().insert(i + 1);
            }
        }
        for (place, name, _) in &p.other_spaces {
            if *place == "spot" {
                found.entry(name.clone()).or_default().insert(i + 1);
            }
        }
    }
    let names: Vec<&String> = found.keys().collect();
    let Some(item) = &spec.item else {
        if !names.is_empty() {
            out.push(Finding::new(
                Severity::Pass,
                "spot",
                None,
                format!("专色：{}（未对照模板）", names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、")),
            ));
        }
        return;
    };
    let known = |n: &str| {
        technical(n, spec) || item.spots.iter().any(|s| s == n) || (item.process && PROCESS_NAMES.contains(&n))
    };
    let unknown: Vec<(&String, &BTreeSet<usize>)> = found.iter().filter(|(n, _)| !known(n)).collect();
    let allowed: Vec<String> = item.spots.iter().chain(&item.technical).cloned().collect();
    let allowed_zh = if allowed.is_empty() { "无（只印 CMYK）".to_string() } else { allowed.join("、") };
    // An order may print a swappable ink in another named colour.
    let sev = if !unknown.is_empty() && unknown.len() <= item.swappable { Severity::Warning } else { Severity::Error };
    for (n, pages) in &unknown {
        let first = pages.iter().next().copied();
        let f =
            Finding::new(sev, "spot", first, format!("专色 “{n}” 不是模板 {} 的油墨（模板：{allowed_zh}）", item.id));
        out.push(if sev == Severity::Warning {
            f.fix("模板允许订单更换可换色油墨：请核对订单写的颜色")
        } else {
            f.fix("改用模板的专色名（名称须完全一致），或确认印厂有这种油墨后改模板")
        });
    }
    if unknown.is_empty() {
        let used: Vec<&str> = names.iter().map(|s| s.as_str()).filter(|n| !technical(n, spec)).collect();
        let msg = if used.is_empty() {
            "没有用专色".to_string()
        } else {
            format!("专色 {} 均为模板 {} 的油墨", used.join("、"), item.id)
        };
        out.push(Finding::new(Severity::Pass, "spot", None, msg));
    }
}

fn ink(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let limit = spec.ink_total.value;
    let mut max: Option<(f64, usize, &String)> = None;
    for (i, p) in doc.pages.iter().enumerate() {
        for (label, c) in &p.colours {
            if c.spots.iter().any(|s| technical(s, spec)) {
                continue;
            }
            if let Some(v) = c.ink
                && max.is_none_or(|m| v > m.0)
            {
                max = Some((v, i + 1, label));
            }
        }
    }
    let Some((v, page, label)) = max else { return };
    if v > limit + 0.5 {
        out.push(
            Finding::new(
                Severity::Error,
                "ink",
                Some(page),
                format!("颜色 {label} 总墨量 {v:.0}%，超过上限 {limit:.0}%（{}）", spec.ink_total.source),
            )
            .fix("降低该颜色的 CMYK 总和（如黑色用 K100 或 C40 M30 Y30 K100 以内）")
            .value(v, limit, "%"),
        );
    } else {
        out.push(
            Finding::new(
                Severity::Pass,
                "ink",
                None,
                format!(
                    "最大总墨量 {v:.0}%，不超过 {limit:.0}%（{}；按所用颜色估计，未计叠印）",
                    spec.ink_total.source
                ),
            )
            .value(v, limit, "%"),
        );
    }
}

fn fonts_embedded(doc: &read::Doc, out: &mut Vec<Finding>) {
    let used: BTreeSet<&String> = doc.pages.iter().flat_map(|p| &p.fonts).collect();
    let mut missing = false;
    for key in &used {
        let Some(f) = doc.fonts.get(*key) else { continue };
        if !f.embedded {
            missing = true;
            let pages: Vec<String> = doc
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.fonts.contains(*key))
                .map(|(i, _)| (i + 1).to_string())
                .collect();
            let first = pages.first().and_then(|p| p.parse().ok());
            out.push(
                Finding::new(
                    Severity::Error,
                    "fonts",
                    first,
                    format!(
                        "字体 {}（{}）未嵌入，见第 {} 页：印厂电脑上会换成别的字体",
                        f.name,
                        f.subtype,
                        pages.join("、")
                    ),
                )
                .fix("导出时嵌入全部字体（子集即可），或把文字转曲"),
            );
        }
    }
    let invisible: usize = doc.pages.iter().map(|p| p.invisible_text).sum();
    if used.is_empty() {
        let extra = if invisible > 0 {
            format!("；另有 {invisible} 处不可见文字（如 OCR 层），不印")
        } else {
            String::new()
        };
        out.push(Finding::new(
            Severity::Pass,
            "fonts",
            None,
            format!("没有可见的文字对象（文字已转曲或无文字）：文字高度与笔画无法从字形检查{extra}"),
        ));
    } else if !missing {
        let names: BTreeSet<&str> = used.iter().filter_map(|k| doc.fonts.get(*k)).map(|f| f.name.as_str()).collect();
        out.push(Finding::new(
            Severity::Pass,
            "fonts",
            None,
            format!("字体均已嵌入：{}", names.into_iter().collect::<Vec<_>>().join("、")),
        ));
    }
}

/// Heights and stems of the glyphs of each size, from the font programs.
fn text(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let mut glyphs: HashMap<&String, Option<fonts::Glyphs<'_>>> = HashMap::new();
    let mut measured: HashMap<(&String, u32), Option<fonts::GlyphMeasure>> = HashMap::new();
    let (hmin, smin) = (spec.text_height.value, spec.stroke.value);
    // The smallest passing values, for the report.
    let mut least_height: Option<(f64, usize)> = None;
    let mut least_stem: Option<(f64, f64, usize)> = None;
    let (mut bad_height, mut bad_stem, mut unmeasured) = (0, 0, 0);
    for (i, p) in doc.pages.iter().enumerate() {
        let page = Some(i + 1);
        for g in p.text.values() {
            let em_mm = g.em_pt / crate::PT_PER_MM;
            let thin_mm = g.thin_pt / crate::PT_PER_MM;
            let mut height: Option<f64> = None;
            let mut stems: Vec<Stems> = Vec::new();
            let mut fonts_here: BTreeSet<&str> = BTreeSet::new();
            let mut from_outlines = true;
            for (n, (font, code)) in g.glyphs.iter().enumerate() {
                if let Some(f) = doc.fonts.get(font) {
                    fonts_here.insert(f.name.as_str());
                }
                let src = glyphs.entry(font).or_insert_with(|| doc.fonts.get(font).and_then(|f| f.glyphs()));
                let Some(src) = src else {
                    from_outlines = false;
                    continue;
                };
                let m = measured
                    .entry((font, *code))
                    .or_insert_with(|| if n < STEM_GLYPHS * 4 { src.measure(*code) } else { None });
                if let Some(m) = m {
                    height = Some(height.map_or(m.height, |h: f64| h.max(m.height)));
                    if stems.len() < STEM_GLYPHS {
                        let mut s = m.stems.clone();
                        s.widths.iter_mut().for_each(|w| *w *= thin_mm as f32);
                        s.weight *= thin_mm as f32;
                        stems.push(s);
                    }
                }
            }
            if g.opaque > 0 {
                from_outlines = false;
            }
            let fonts_zh = fonts_here.into_iter().collect::<Vec<_>>().join("、");
            let size = format!("{} pt（{} mm）", mm(g.em_pt), mm(em_mm));
            // Height: the tallest glyph of this size; the font size where no outline could be read.
            let (h_mm, how) = match height {
                Some(h) => (h * em_mm, "按字形实测"),
                None => (em_mm, "字体程序无法读取，按字号估计"),
            };
            if h_mm + 1e-6 < hmin {
                bad_height += 1;
                out.push(
                    Finding::new(
                        Severity::Error,
                        "text-height",
                        page,
                        format!(
                            "字号 {size}的文字高 {} mm（{how}，字体 {fonts_zh}），低于最小 {} mm（{}）",
                            mm(h_mm),
                            mm(hmin),
                            spec.text_height.source
                        ),
                    )
                    .fix("加大字号，或删减文字")
                    .value(h_mm, hmin, "mm"),
                );
            } else if least_height.is_none_or(|l| h_mm < l.0) {
                least_height = Some((h_mm, i + 1));
            }
            match (quantile(&stems, THIN_QUANTILE), quantile(&stems, 0.5)) {
                (Some(thin), Some(median)) => {
                    let (thin, median) = (f64::from(thin), f64::from(median));
                    if thin + 1e-6 < smin {
                        bad_stem += 1;
                        out.push(
                            Finding::new(
                                Severity::Error,
                                "text-stroke",
                                page,
                                format!(
                                    "字号 {size}的文字笔画细处 {} mm（第 10 百分位，中位 {} mm，字体 {fonts_zh}），低于最细线条 {} mm（{}）",
                                    mm(thin),
                                    mm(median),
                                    mm(smin),
                                    spec.stroke.source
                                ),
                            )
                            .fix("加大字号或换粗一级的字重")
                            .value(thin, smin, "mm"),
                        );
                    } else if least_stem.is_none_or(|l| thin < l.0) {
                        least_stem = Some((thin, median, i + 1));
                    }
                }
                _ => {
                    if !from_outlines || g.opaque > 0 {
                        unmeasured += 1;
                    }
                }
            }
        }
    }
    if unmeasured > 0 {
        out.push(
            Finding::new(
                Severity::Warning,
                "text-stroke",
                None,
                format!("{unmeasured} 组文字的字体程序无法读取（未嵌入、Type 1 或非 Identity 编码），笔画粗细未检查"),
            )
            .fix("嵌入 TrueType/OpenType 字体或转曲后再检查"),
        );
    }
    if bad_height == 0
        && let Some((h, page)) = least_height
    {
        out.push(
            Finding::new(
                Severity::Pass,
                "text-height",
                Some(page),
                format!("最小文字高 {} mm，不低于 {} mm（{}）", mm(h), mm(hmin), spec.text_height.source),
            )
            .value(h, hmin, "mm"),
        );
    }
    if bad_stem == 0
        && let Some((t, median, page)) = least_stem
    {
        out.push(
            Finding::new(
                Severity::Pass,
                "text-stroke",
                Some(page),
                format!(
                    "文字笔画最细 {} mm（第 10 百分位，中位 {} mm），不低于 {} mm（{}）",
                    mm(t),
                    mm(median),
                    mm(smin),
                    spec.stroke.source
                ),
            )
            .value(t, smin, "mm"),
        );
    }
}

fn strokes(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let limit = spec.stroke.value;
    let mut least: Option<(f64, usize)> = None;
    let mut bad = false;
    for (i, p) in doc.pages.iter().enumerate() {
        let mut thin: Vec<(f64, usize)> = Vec::new();
        for ((um, label), count) in &p.strokes {
            // Marks and die lines are not printed artwork.
            if p.colours.get(label).is_some_and(|c| !c.spots.is_empty() && c.spots.iter().all(|s| technical(s, spec))) {
                continue;
            }
            let w = *um as f64 / 1000.0;
            if w + 1e-6 < limit {
                thin.push((w, *count));
            } else if least.is_none_or(|l| w < l.0) {
                least = Some((w, i + 1));
            }
        }
        if let Some(&(w, _)) = thin.first() {
            bad = true;
            let n: usize = thin.iter().map(|t| t.1).sum();
            let what = if w <= 0.0 {
                "线宽为 0（设备最细线，印刷时几乎不可见）".to_string()
            } else {
                format!("最细线条 {} mm", mm(w))
            };
            out.push(
                Finding::new(
                    Severity::Error,
                    "stroke",
                    Some(i + 1),
                    format!("{what}，细于 {} mm 的描边共 {n} 条（{}）", mm(limit), spec.stroke.source),
                )
                .fix(format!("把线宽加到 {} mm 以上", mm(limit)))
                .value(w, limit, "mm"),
            );
        }
    }
    if !bad && let Some((w, page)) = least {
        out.push(
            Finding::new(
                Severity::Pass,
                "stroke",
                Some(page),
                format!("最细描边 {} mm，不低于 {} mm", mm(w), mm(limit)),
            )
            .value(w, limit, "mm"),
        );
    }
}

fn images(doc: &read::Doc, spec: &Spec, out: &mut Vec<Finding>) {
    let limit = spec.image_ppi.value;
    let mut least: Option<f64> = None;
    let mut bad = false;
    for (i, p) in doc.pages.iter().enumerate() {
        for im in &p.images {
            let (w, h) = im.px;
            // A pixel or a few stretched is a flat colour, not a picture.
            if u64::from(w) * u64::from(h) < 64 || im.placed.0 <= 0.0 || im.placed.1 <= 0.0 {
                continue;
            }
            let ppi = (f64::from(w) / (im.placed.0 / 72.0)).min(f64::from(h) / (im.placed.1 / 72.0));
            if ppi + 0.5 < limit {
                bad = true;
                let (pw, ph) = (im.placed.0 / crate::PT_PER_MM, im.placed.1 / crate::PT_PER_MM);
                // Layout's band: a little under the floor prints (slightly
                // soft), so it warns; under the refusal share it is an error.
                let refused = ppi + 0.5 < limit * crate::images::PPI_REFUSE_SHARE;
                out.push(
                    Finding::new(
                        if refused { Severity::Error } else { Severity::Warning },
                        "image",
                        Some(i + 1),
                        format!(
                            "图像 {w}×{h} 像素印成 {}×{} mm，只有 {ppi:.0} ppi，低于 {limit:.0} ppi（{}）",
                            mm(pw),
                            mm(ph),
                            spec.image_ppi.source
                        ),
                    )
                    .fix("换用更高分辨率的原图，或缩小图像")
                    .value(ppi, limit, "ppi"),
                );
            } else if least.is_none_or(|l| ppi < l) {
                least = Some(ppi);
            }
        }
    }
    if !bad && let Some(ppi) = least {
        out.push(
            Finding::new(Severity::Pass, "image", None, format!("图像分辨率最低 {ppi:.0} ppi，不低于 {limit:.0} ppi"))
                .value(ppi, limit, "ppi"),
        );
    }
}

fn output_intent(doc: &read::Doc, out: &mut Vec<Finding>) {
    let pdfx: Vec<&read::OutputIntent> = doc.output_intents.iter().filter(|o| o.subtype == "GTS_PDFX").collect();
    match pdfx.first() {
        None => out.push(
            Finding::new(
                Severity::Warning,
                "output-intent",
                None,
                "没有 PDF/X 输出意图（GTS_PDFX）：印厂不知道按哪种印刷条件出片".into(),
            )
            .fix("导出 PDF/X-4 或 PDF/X-1a，选印厂给的 CMYK 特性文件"),
        ),
        Some(o) if o.n != Some(4) => out.push(
            Finding::new(
                Severity::Warning,
                "output-intent",
                None,
                format!(
                    "PDF/X 输出意图的特性文件不是 CMYK（N = {}）",
                    o.n.map(|n| n.to_string()).unwrap_or_else(|| "无".into())
                ),
            )
            .fix("输出意图应为印厂的 CMYK 特性文件"),
        ),
        Some(o) => out.push(Finding::new(
            Severity::Pass,
            "output-intent",
            None,
            format!("PDF/X 输出意图：{}（CMYK 特性文件）", o.condition.as_deref().unwrap_or("未命名")),
        )),
    }
}
