//! `jiediqi preflight` on our own print files and on PDFs made by other
//! tools (Ghostscript from PostScript, cairo through rsvg-convert from SVG),
//! written here so that each must pass or fail for a known reason.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

/// Preflight with the shipped templates; the report as JSON.
fn preflight(args: &[&str]) -> (Output, Value) {
    let mut all = vec!["preflight", "--format", "json"];
    all.extend(args);
    let o = jiediqi_shipped(&all);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&o)));
    (o, v)
}

/// (severity, check) of every finding of the first file's report.
fn findings(v: &Value) -> Vec<(String, String)> {
    v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["severity"].as_str().unwrap().to_string(), f["check"].as_str().unwrap().to_string()))
        .collect()
}

fn has(v: &Value, severity: &str, check: &str) -> bool {
    findings(v).iter().any(|(s, c)| s == severity && c == check)
}

fn finding<'a>(v: &'a Value, severity: &str, check: &str) -> &'a Value {
    v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == severity && f["check"] == check)
        .unwrap_or_else(|| panic!("no {severity} {check} in {:#}", v["files"][0]["findings"]))
}

fn errors(v: &Value) -> Vec<String> {
    findings(v).into_iter().filter(|(s, _)| s == "error").map(|(_, c)| c).collect()
}

#[test]
fn our_print_files_pass_for_their_item() {
    let out = scratch("preflight-ours");
    let o = jiediqi(&[
        "render",
        "--slogan",
        "fanzha-shucaitan",
        "--item",
        "all",
        "--format",
        "pdf",
        "--station",
        "examples/station.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lib = jiediqi::validate::Library::load(&root()).unwrap();
    for item in &lib.items {
        let pdf = out.join(format!("{}--fanzha-shucaitan.pdf", item.id));
        let (o, v) = preflight(&[pdf.to_str().unwrap(), "--item", &item.id]);
        let report = &v["files"][0];
        assert_eq!(report["item"], item.id.as_str());
        for check in ["boxes", "colour", "spot", "ink", "fonts", "text-height"] {
            assert!(has(&v, "pass", check), "{}: no pass for {check}: {:#}", item.id, report["findings"]);
        }
        // Nothing writes a PDF/X output intent yet: a warning, never an error.
        assert!(has(&v, "warning", "output-intent") || has(&v, "pass", "output-intent"));
        // Layout sets every zone where its thin stems reach the item's
        // minimum stroke (issue 11, point 3): preflight, measuring the same
        // way from the embedded fonts, finds nothing thin. Before, the tote's
        // tip measured 0.53 mm against its 0.7 mm and the apron's 0.68 mm
        // against 1 mm.
        assert_eq!(errors(&v), Vec::<String>::new(), "{}: {:#}", item.id, report["findings"]);
        assert_eq!(o.status.code(), Some(0), "{}", item.id);
        let f = finding(&v, "pass", "text-stroke");
        let (thin, limit) = (f["measured"].as_f64().unwrap(), f["limit"].as_f64().unwrap());
        assert!(thin >= limit && limit == item.minimums.stroke, "{}: {f}", item.id);
    }
    // Without --item, the template is the one whose trim size the file has.
    let (_, v) = preflight(&[out.join("poster-a3--fanzha-shucaitan.pdf").to_str().unwrap()]);
    assert_eq!(v["files"][0]["item_basis"], "trim-size", "poster-a3 is found by its trim size");
    assert_eq!(v["files"][0]["item"], "poster-a3");
}

#[test]
fn outlined_text_and_crop_marks_pass_too() {
    let out = scratch("preflight-outline");
    let o = jiediqi(&[
        "render",
        "--slogan",
        "fanzha-shucaitan",
        "--item",
        "poster-a3",
        "--item",
        "mousepad-small",
        "--format",
        "pdf",
        "--outline-text",
        "--marks",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for item in ["poster-a3", "mousepad-small"] {
        let (o, v) = preflight(&[out.join(format!("{item}--fanzha-shucaitan.pdf")).to_str().unwrap(), "--item", item]);
        assert_eq!(o.status.code(), Some(0), "{item}: {:#}", v);
        // No text objects: the fonts check says so, and nothing is measured from glyphs.
        let f = finding(&v, "pass", "fonts");
        assert!(f["message"].as_str().unwrap().contains("没有可见的文字对象"), "{f}");
        assert!(!has(&v, "pass", "text-height"));
    }
}

/// PostScript through Ghostscript's pdfwrite.
fn ghostscript(dir: &Path, name: &str, ps: &str, extra: &[&str]) -> String {
    let src = dir.join(format!("{name}.ps"));
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&src, ps).unwrap();
    let out = format!("-sOutputFile={}", pdf.display());
    let mut args = vec!["-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite", &out];
    args.extend(extra);
    args.push(src.to_str().unwrap());
    tool_ok("gs", &args);
    pdf.to_str().unwrap().to_string()
}

#[test]
fn a_ghostscript_pdf_with_rgb_a_hairline_and_tiny_unembedded_text_fails() {
    let dir = scratch("preflight-gs-bad");
    let ps = "%!PS\n<< /PageSize [297 420] >> setpagedevice\n\
              1 0 0 setrgbcolor 20 20 100 100 rectfill\n\
              0 0 0 1 setcmykcolor 0.283 setlinewidth 20 200 moveto 250 200 lineto stroke\n\
              /Helvetica findfont 4 scalefont setfont 20 300 moveto (Tiny 0912-1234567) show\nshowpage\n";
    // Base-14 fonts are left out when not every font must be embedded.
    let pdf = ghostscript(&dir, "bad", ps, &["-dEmbedAllFonts=false"]);
    assert!(tool_ok("pdffonts", &[&pdf]).lines().any(|l| l.starts_with("Helvetica") && l.contains(" no ")));
    let (o, v) = preflight(&[&pdf, "--item", "poster-a3"]);
    assert_eq!(o.status.code(), Some(1));
    let errors = errors(&v);
    for check in ["boxes", "colour", "fonts", "text-height", "stroke"] {
        assert!(errors.iter().any(|c| c == check), "no {check} error: {:#}", v);
    }
    // 297 × 420 pt, not mm; no TrimBox, no bleed.
    let boxes: Vec<&str> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "boxes")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(boxes.iter().any(|m| m.contains("缺少 TrimBox")), "{boxes:?}");
    assert!(boxes.iter().any(|m| m.contains("104.77×148.17 mm")), "{boxes:?}");
    assert!(boxes.iter().any(|m| m.contains("缺少 BleedBox")), "{boxes:?}");
    let stroke = finding(&v, "error", "stroke");
    assert!((stroke["measured"].as_f64().unwrap() - 0.1).abs() < 0.002, "{stroke}");
    let text = finding(&v, "error", "text-height");
    // No program to read: the font size, 4 pt.
    assert!((text["measured"].as_f64().unwrap() - 4.0 / PT_PER_MM).abs() < 0.01, "{text}");
    assert!(finding(&v, "error", "fonts")["message"].as_str().unwrap().contains("Helvetica"));
    assert!(has(&v, "warning", "text-stroke"), "unmeasured stems are said");
    // The text report, in Chinese.
    let t = jiediqi_shipped(&["preflight", &pdf, "--item", "poster-a3"]);
    assert_eq!(t.status.code(), Some(1));
    let text = stdout(&t);
    assert!(text.contains("字体 Helvetica（Type1）未嵌入") && text.contains("RGB"), "{text}");
    assert!(text.trim_end().ends_with("结果：7 个错误，2 个警告"), "{text}");
}

#[test]
fn a_ghostscript_pdf_made_right_passes_with_its_cff_font_measured() {
    let dir = scratch("preflight-gs-good");
    // A3 + 3 mm bleed, boxes by pdfmark, CMYK only, an embedded (Type 1C) font.
    let ps = "%!PS\n<< /PageSize [858.90 1207.56] >> setpagedevice\n\
              [/TrimBox [8.504 8.504 850.394 1199.055] /BleedBox [0 0 858.90 1207.56] /PAGE pdfmark\n\
              0 0.95 0.85 0 setcmykcolor 0 0 858.9 1207.56 rectfill\n\
              0 0 0 1 setcmykcolor 2 setlinewidth 60 300 moveto 700 300 lineto stroke\n\
              /NimbusSans-Bold findfont 36 scalefont setfont 60 600 moveto (Look before you pay) show\nshowpage\n";
    let pdf = ghostscript(&dir, "good", ps, &[]);
    assert!(tool_ok("pdffonts", &[&pdf]).contains("Type 1C"));
    let (o, v) = preflight(&[&pdf, "--item", "poster-a3"]);
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(errors(&v), Vec::<String>::new());
    // 36 pt = 12.7 mm em; Nimbus Sans's tallest glyph here (k, f, y, p) is about 0.75 em.
    let h = finding(&v, "pass", "text-height")["measured"].as_f64().unwrap();
    assert!((9.0..10.5).contains(&h), "text height {h}");
    // Its bold horizontals are about a tenth of the em.
    let s = finding(&v, "pass", "text-stroke")["measured"].as_f64().unwrap();
    assert!((1.0..1.6).contains(&s), "stem {s}");
    let w = finding(&v, "pass", "stroke")["measured"].as_f64().unwrap();
    assert!((w - 2.0 / PT_PER_MM).abs() < 0.002, "stroke {w}");
    assert!((finding(&v, "pass", "ink")["measured"].as_f64().unwrap() - 180.0).abs() < 0.5);
}

#[test]
fn a_cairo_pdf_in_rgb_at_the_wrong_size_fails() {
    let dir = scratch("preflight-cairo");
    // Fontconfig sees only the project's fonts (no system fonts in tests).
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            root().join("fonts").display(),
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    let svg = dir.join("art.svg");
    std::fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100mm\" height=\"100mm\" viewBox=\"0 0 100 100\">\
         <rect width=\"100\" height=\"60\" fill=\"#c8102e\"/>\
         <line x1=\"5\" y1=\"70\" x2=\"95\" y2=\"70\" stroke=\"#000\" stroke-width=\"0.1\"/>\
         <text x=\"5\" y=\"90\" font-family=\"Jiediqi Sans\" font-weight=\"bold\" font-size=\"12\">转账前多核实</text></svg>",
    )
    .unwrap();
    let pdf = dir.join("art.pdf");
    let o = std::process::Command::new("rsvg-convert")
        .args(["-f", "pdf", "-o", pdf.to_str().unwrap(), svg.to_str().unwrap()])
        .env("FONTCONFIG_FILE", &conf)
        .output()
        .expect("run rsvg-convert (Debian librsvg2-bin; see .ci/run)");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tool_ok("pdffonts", &[pdf.to_str().unwrap()]).contains("JiediqiSans-Bold"), "cairo used our font");
    let (o, v) = preflight(&[pdf.to_str().unwrap(), "--item", "poster-a3"]);
    assert_eq!(o.status.code(), Some(1));
    let errors = errors(&v);
    for check in ["boxes", "colour", "stroke"] {
        assert!(errors.iter().any(|c| c == check), "no {check} error: {v:#}");
    }
    let size = v["files"][0]["findings"].as_array().unwrap().iter().any(|f| {
        f["check"] == "boxes"
            && f["message"].as_str().unwrap().contains("成品尺寸 100×100 mm，模板 poster-a3 要求 297×420 mm")
    });
    assert!(size, "{v:#}");
    // cairo's subset of our font (CID TrueType) is read: the stems of the bold
    // face at a 12 mm em, about 0.09 em, as fonts::stem measures our own files.
    assert!(has(&v, "pass", "fonts"));
    let s = finding(&v, "pass", "text-stroke")["measured"].as_f64().unwrap();
    assert!((0.95..1.3).contains(&s), "stem {s}");
    // Without an item: no template matches 100 × 100 mm; general figures.
    let (_, v) = preflight(&[pdf.to_str().unwrap()]);
    assert_eq!(v["files"][0]["item_basis"], "none");
    assert_eq!(v["files"][0]["limits"]["stroke_mm"]["value"], 0.2);
    assert!(has(&v, "error", "colour") && has(&v, "error", "stroke"));
}

#[test]
fn broken_files_get_a_finding_and_missing_ones_an_error() {
    let dir = scratch("preflight-broken");
    let out = scratch("preflight-broken-src");
    let o = jiediqi(&[
        "render",
        "--slogan",
        "fanzha-shucaitan",
        "--item",
        "poster-a3",
        "--format",
        "pdf",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let good = std::fs::read(out.join("poster-a3--fanzha-shucaitan.pdf")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.pdf", Vec::new()),
        ("text.pdf", b"hello, not a pdf\n".to_vec()),
        // Half of what comes before the PDF/X output profile (the last
        // object, and most of a print file's bytes: cut after the page
        // objects, a file still reads).
        ("half.pdf", good[..good.len().saturating_sub(jiediqi::color::PROFILE.len()) / 2].to_vec()),
        ("header.pdf", b"%PDF-1.7\n%%EOF\n".to_vec()),
    ];
    let mut paths = Vec::new();
    for (name, data) in &cases {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (o, v) = preflight(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), cases.len());
    for f in files {
        assert!(f["errors"].as_u64().unwrap() >= 1, "{f:#}");
    }
    assert!(files[0]["findings"][0]["message"].as_str().unwrap().contains("不是 PDF"));
    assert_eq!(files[0]["findings"][0]["check"], "file");
    // Half a file: hayro-syntax repairs what it can; what it cannot read is said.
    assert!(files[2]["errors"].as_u64().unwrap() >= 1);

    // A file that is not there, and a folder: English, naming it, exit 2; the others are still checked.
    let missing = dir.join("missing.pdf");
    let o = jiediqi_shipped(&["preflight", missing.to_str().unwrap(), dir.to_str().unwrap(), &paths[0]]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&format!("cannot read {}", missing.display())), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    assert!(stdout(&o).contains("不是 PDF 文件"), "the readable file is still reported");
    // An unknown item names itself.
    let o = jiediqi_shipped(&["preflight", &paths[0], "--item", "poster-a9"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown item `poster-a9`"), "{}", stderr(&o));
}

#[test]
fn a_zip_bomb_is_not_inflated() {
    // A page whose content inflates to 80 MB (over the 64 MB a stream may have).
    let content = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b' '; 80 << 20], 9);
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /TrimBox [0 0 100 100] /Contents 4 0 R >>".to_vec(),
        [
            format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", content.len()).into_bytes(),
            content,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).bytes());
        pdf.extend(body);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").bytes());
    }
    pdf.extend(format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    let dir = scratch("preflight-bomb");
    let p = dir.join("bomb.pdf");
    std::fs::write(&p, &pdf).unwrap();
    let started = std::time::Instant::now();
    let (o, v) = preflight(&[p.to_str().unwrap()]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    let f = finding(&v, "warning", "file");
    assert!(f["message"].as_str().unwrap().contains("超过 64 MB"), "{f}");
}
