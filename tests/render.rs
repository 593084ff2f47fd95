//! Print files checked the way a print shop checks them: boxes (pdfinfo),
//! fonts (pdffonts), text (pdftotext), structure (qpdf), plates (Ghostscript).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use jiediqi::library::Process;
use jiediqi::scene::InkKind;
use jiediqi::validate::{Item, Library};

fn library() -> Library {
    Library::load(&root()).expect("shipped data loads")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.02
}

/// Every shipped slogan fits every item: `render all × all` succeeds.
#[test]
fn every_slogan_fits_every_item() {
    let out = scratch("all-fit");
    let o =
        run_words(approved_root(), "render --slogan all --item all --format pdf --station examples/station.yaml", &out);
    let lib = library();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&out).len(), lib.slogans.len() * lib.items.len());
}

/// A sample of slogans on every item: boxes, fonts, text, structure, inks.
#[test]
fn print_pdfs_pass_prepress_checks() {
    let lib = library();
    let out = scratch("prepress");
    let step = (lib.slogans.len() / 5).max(1);
    let sample: Vec<_> = lib.slogans.iter().step_by(step).collect();
    let mut args = vec!["render", "--item", "all", "--format", "pdf", "--station", "examples/station.yaml"];
    for s in &sample {
        args.extend(["--slogan", s.id.as_str()]);
    }
    let out_s = out.to_str().unwrap().to_string();
    args.extend(["--out", &out_s]);
    let o = jiediqi(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    for item in &lib.items {
        for s in &sample {
            let pdf = out.join(format!("{}--{}.pdf", item.id, s.id));
            let p = pdf.to_str().unwrap();
            check_boxes(item, p, 0.0);
            check_fonts(p, true);
            check_text(item, &s.text(), p);
            assert!(tool_ok("qpdf", &["--check", p]).contains("No syntax or stream encoding errors"));
            check_plates(item, &pdf);
        }
    }
}

fn check_boxes(item: &Item, pdf: &str, slug_mm: f64) {
    let info = tool_ok("pdfinfo", &["-box", pdf]);
    let (w, h, b) = (item.width * PT_PER_MM, item.height * PT_PER_MM, item.bleed * PT_PER_MM);
    let s = slug_mm * PT_PER_MM;
    let media = pdf_box(&info, "MediaBox:");
    let bleed = pdf_box(&info, "BleedBox:");
    let trim = pdf_box(&info, "TrimBox:");
    let ctx = format!("{pdf}\n{info}");
    assert!(close(media[2] - media[0], w + 2.0 * b + 2.0 * s), "page width {ctx}");
    assert!(close(media[3] - media[1], h + 2.0 * b + 2.0 * s), "page height {ctx}");
    assert!(close(trim[2] - trim[0], w) && close(trim[3] - trim[1], h), "trim {ctx}");
    assert!(close(bleed[2] - bleed[0], w + 2.0 * b) && close(bleed[3] - bleed[1], h + 2.0 * b), "bleed {ctx}");
    // MediaBox ⊇ BleedBox ⊇ TrimBox, bleed equal on every side.
    assert!(
        media[0] <= bleed[0] + 0.01
            && bleed[0] <= trim[0] + 0.01
            && trim[2] <= bleed[2] + 0.01
            && bleed[2] <= media[2] + 0.01,
        "{ctx}"
    );
    assert!(close(trim[0] - bleed[0], b) && close(bleed[3] - trim[3], b), "{ctx}");
}

fn check_fonts(pdf: &str, expect_fonts: bool) {
    let fonts = tool_ok("pdffonts", &[pdf]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    if !expect_fonts {
        assert!(rows.is_empty(), "fonts in an outlined PDF: {fonts}");
        return;
    }
    assert!(!rows.is_empty(), "no fonts in {pdf}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        // name type… encoding emb sub uni object ID
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "font not embedded+subset+unicode: {row}");
        assert_eq!(cols[0].find('+'), Some(6), "subset tag missing: {row}");
    }
}

/// The text layer gives the slogan back (in reading order for vertical text).
fn check_text(item: &Item, slogan: &str, pdf: &str) {
    let text = tool_ok("pdftotext", &["-raw", pdf, "-"]);
    let squash = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let got = squash(&text);
    let want = if item.punctuation == jiediqi::library::PunctuationStyle::DropTrailing {
        // Marks at line ends are not printed; compare the rest.
        let strip = |s: &str| -> String { s.chars().filter(|c| !"，。、；".contains(*c)).collect() };
        assert!(strip(&got).contains(&strip(&squash(slogan))), "{pdf}: `{got}` lacks `{slogan}`");
        return;
    } else {
        squash(slogan)
    };
    assert!(got.contains(&want), "{pdf}: text layer `{got}` lacks `{want}`");
}

/// Split the PDF into plates: screen-printed items use only their named spot
/// inks (the process plates stay blank); nothing is RGB.
fn check_plates(item: &Item, pdf: &Path) {
    let dir = pdf.with_extension("plates");
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = dir.join("p%d.tif");
    tool_ok(
        "gs",
        &[
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-sDEVICE=tiffsep",
            "-sCompression=none",
            "-r12",
            &format!("-sOutputFile={}", pattern.display()),
            pdf.to_str().unwrap(),
        ],
    );
    let mut plates = BTreeSet::new();
    for f in files(&dir) {
        if let Some(name) = f.strip_prefix("p1(").and_then(|r| r.strip_suffix(").tif")) {
            plates.insert((name.to_string(), tiff_has_ink(&dir.join(&f))));
        }
    }
    let inked: BTreeSet<&str> = plates.iter().filter(|(_, ink)| *ink).map(|(n, _)| n.as_str()).collect();
    if item.process == Process::ScreenPrint {
        let spots: BTreeSet<&str> = item
            .inks
            .iter()
            .filter_map(|i| match &i.kind {
                InkKind::Spot { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(inked, spots, "{}: plates with ink {inked:?}, expected only {spots:?}", pdf.display());
    } else {
        for (name, ink) in &plates {
            let allowed = ["Cyan", "Magenta", "Yellow", "Black", "Dieline"].contains(&name.as_str());
            assert!(allowed || !ink, "{}: unexpected plate {name}", pdf.display());
        }
        assert!(
            inked.iter().any(|n| ["Cyan", "Magenta", "Yellow", "Black"].contains(n)),
            "{}: no process ink",
            pdf.display()
        );
        if item.die_line.is_some() {
            assert!(inked.contains("Dieline"), "{}: no die line plate", pdf.display());
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Whether an uncompressed 8-bit tiffsep plate has any ink (0 = full ink, 255 = none).
fn tiff_has_ink(path: &Path) -> bool {
    let d = std::fs::read(path).unwrap();
    assert_eq!(&d[..2], b"II", "little-endian TIFF expected");
    let u16at = |o: usize| u16::from_le_bytes([d[o], d[o + 1]]) as usize;
    let u32at = |o: usize| u32::from_le_bytes([d[o], d[o + 1], d[o + 2], d[o + 3]]) as usize;
    let ifd = u32at(4);
    let mut offsets = Vec::new();
    let mut counts = Vec::new();
    for e in 0..u16at(ifd) {
        let at = ifd + 2 + e * 12;
        let (tag, typ, n) = (u16at(at), u16at(at + 2), u32at(at + 4));
        let read = |i: usize| -> usize {
            let size = if typ == 3 { 2 } else { 4 };
            let base = if n * size <= 4 { at + 8 } else { u32at(at + 8) };
            if typ == 3 { u16at(base + i * 2) } else { u32at(base + i * 4) }
        };
        match tag {
            273 => offsets = (0..n).map(read).collect(),
            279 => counts = (0..n).map(read).collect(),
            259 => assert_eq!(read(0), 1, "compressed TIFF"),
            _ => {}
        }
    }
    offsets.iter().zip(&counts).any(|(&o, &c)| d[o..o + c].iter().any(|&v| v < 250))
}

#[test]
fn outlined_text_has_no_fonts_and_same_boxes() {
    let out = scratch("outline");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --item bag-nonwoven --format pdf --outline-text --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lib = library();
    for id in ["poster-a3", "bag-nonwoven"] {
        let p = out.join(format!("{id}--fanzha-qiandaizi.pdf"));
        let p = p.to_str().unwrap();
        check_fonts(p, false);
        check_boxes(lib.item(id).unwrap(), p, 0.0);
        assert!(tool_ok("pdftotext", &[p, "-"]).trim().is_empty(), "outlined text is still text");
        assert!(tool_ok("qpdf", &["--check", p]).contains("No syntax or stream encoding errors"));
    }
}

#[test]
fn crop_marks_sit_in_a_slug_outside_the_bleed() {
    let out = scratch("marks");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --item mousepad-small --format pdf --marks",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lib = library();
    check_boxes(lib.item("poster-a3").unwrap(), out.join("poster-a3--fanzha-qiandaizi.pdf").to_str().unwrap(), 10.0);
    // Dye-sublimation vendors want no crop marks: the item says so, --marks is ignored.
    check_boxes(
        lib.item("mousepad-small").unwrap(),
        out.join("mousepad-small--fanzha-qiandaizi.pdf").to_str().unwrap(),
        0.0,
    );
    // Registration colour: a Separation named All.
    let raw =
        pdf_objects(&out.join("poster-a3--fanzha-qiandaizi.pdf")).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(raw.contains("/CSAll [ /Separation /All /DeviceCMYK"), "no registration colour");
    assert!(raw.contains("/CSAll CS 1 SCN"), "crop marks not in the registration colour");
}

#[test]
fn dark_text_over_a_light_ink_overprints() {
    let out = scratch("overprint");
    let o = run_words(approved_root(), "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let raw = pdf_objects(&out.join("poster-a3--fanzha-qiandaizi.pdf"));
    assert!(raw.contains("/OP true") && raw.contains("/op true") && raw.contains("/OPM 1"), "no overprint state");
    assert!(raw.contains("/GOP gs"), "overprint never used");
    // No RGB anywhere in a print file.
    for op in [" rg\n", " RG\n", "/DeviceRGB"] {
        assert!(!raw.contains(op), "RGB in the print PDF: {op:?}");
    }
}

#[test]
fn same_inputs_same_bytes_and_the_date_from_source_date_epoch() {
    let a = scratch("det-a");
    let b = scratch("det-b");
    for dir in [&a, &b] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_jiediqi"))
            .args([
                "--root",
                approved_root().to_str().unwrap(),
                "render",
                "--slogan",
                "fanzha-qiandaizi",
                "--item",
                "poster-a3",
                "--item",
                "rollup-banner",
                "--station",
                "examples/station.yaml",
                "--out",
                dir.to_str().unwrap(),
            ])
            .env("SOURCE_DATE_EPOCH", "1795910400")
            .env("JIEDIQI_KEY_FILE", test_key())
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(files(&a), files(&b));
    assert_eq!(files(&a).len(), 6);
    for f in files(&a) {
        assert_eq!(std::fs::read(a.join(&f)).unwrap(), std::fs::read(b.join(&f)).unwrap(), "{f} differs between runs");
    }
    let info = tool_ok("pdfinfo", &["-isodates", a.join("poster-a3--fanzha-qiandaizi.pdf").to_str().unwrap()]);
    assert!(info.contains("2026-11-29T00:00:00"), "{info}");
}

#[test]
fn a_poster_pdf_is_small() {
    let out = scratch("small");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success());
    let size = std::fs::metadata(out.join("poster-a3--fanzha-qiandaizi.pdf")).unwrap().len();
    assert!(size < 100_000, "poster PDF is {size} bytes");
}

#[test]
fn svg_is_in_mm_with_inks_and_png_at_the_asked_dpi() {
    let out = scratch("svgpng");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item bag-nonwoven --item poster-a3 --format svg,png",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(out.join("bag-nonwoven--fanzha-qiandaizi.svg")).unwrap();
    assert!(svg.contains(r#"width="240mm" height="280mm""#), "{}", &svg[..300]);
    assert!(svg.contains(r#"data-ink="PANTONE 186 C""#));
    assert!(!svg.contains("<text"), "glyphs must be paths");
    let poster = std::fs::read_to_string(out.join("poster-a3--fanzha-qiandaizi.svg")).unwrap();
    // Trim + bleed: 303 × 426 mm.
    assert!(poster.contains(r#"width="303mm" height="426mm""#));
    // PNG: trim only, 150 dpi by default.
    let png = std::fs::read(out.join("poster-a3--fanzha-qiandaizi.png")).unwrap();
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), ((297.0 / 25.4 * 150.0_f64).round() as u32, (420.0 / 25.4 * 150.0_f64).round() as u32));
}

/// Reference proofs, compared with a small tolerance. Set JIEDIQI_BLESS=1 to
/// write new references, then look at each one before committing it.
#[test]
fn proofs_match_reference_images() {
    let out = scratch("refs");
    let pairs = [
        ("poster-a3", "fanzha-qiandaizi"),
        ("bag-nonwoven", "fanzha-qiandaizi"),
        ("rollup-banner", "fanzha-qiandaizi"),
        ("mousepad-small", "fanzha-qiandaizi"),
    ];
    let bless = std::env::var_os("JIEDIQI_BLESS").is_some();
    for (item, slogan) in pairs {
        let o = jiediqi(&[
            "render",
            "--slogan",
            slogan,
            "--item",
            item,
            "--format",
            "png",
            "--dpi",
            "30",
            "--station",
            "examples/station.yaml",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let name = format!("{item}--{slogan}.png");
        let got = out.join(&name);
        let reference = root().join("tests/ref").join(&name);
        if bless {
            std::fs::copy(&got, &reference).unwrap();
            continue;
        }
        let a = resvg::tiny_skia::Pixmap::load_png(&got).unwrap();
        let b = resvg::tiny_skia::Pixmap::load_png(&reference)
            .unwrap_or_else(|e| panic!("{name}: no reference ({e}); run with JIEDIQI_BLESS=1"));
        assert_eq!((a.width(), a.height()), (b.width(), b.height()), "{name}: size changed");
        let differing = a
            .data()
            .chunks(4)
            .zip(b.data().chunks(4))
            .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
            .count();
        let share = differing as f64 / f64::from(a.width() * a.height());
        assert!(share < 0.005, "{name}: {:.2} % of pixels differ from the reference", share * 100.0);
    }
}

/// Numbers set across a vertical column read once in the text layer.
#[test]
fn vertical_numbers_read_once_in_the_text_layer() {
    let out = scratch("vertical-text");
    let o = run_words(
        approved_root(),
        "render --slogan fangdao-yingpin --slogan jiaotong-12123 --item rollup-banner --format pdf",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = |id: &str| -> String {
        let p = out.join(format!("rollup-banner--{id}.pdf"));
        tool_ok("pdftotext", &["-raw", p.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect()
    };
    let a = text("fangdao-yingpin");
    assert!(a.contains("记下模样打110") && !a.contains("110110"), "{a}");
    let b = text("jiaotong-12123");
    assert!(b.contains("认准交管12123") && !b.contains("1212312123"), "{b}");
}

/// With pdftotext's defaults (no -raw, no -layout) every roll-up slogan reads
/// in order: its columns right to left, each top to bottom, after the
/// heading and before the tip. The upright glyphs are written in vertical
/// mode (Identity-V) for this; they drew the same as horizontal text did.
#[test]
fn vertical_columns_read_in_order_with_pdftotext_defaults() {
    let lib = library();
    let out = scratch("vertical-order");
    let o = run_words(
        approved_root(),
        "render --slogan all --item rollup-banner --format pdf --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let squash = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let text = |id: &str| -> String {
        let p = out.join(format!("rollup-banner--{id}.pdf"));
        tool_ok("pdftotext", &[p.to_str().unwrap(), "-"])
    };
    for s in &lib.slogans {
        let got = squash(&text(&s.id));
        let heading = squash(&s.heading);
        let h = got.find(&heading).unwrap_or_else(|| panic!("{}: `{got}` lacks the heading", s.id)) + heading.len();
        let at = got[h..]
            .find(&squash(&s.text()))
            .unwrap_or_else(|| panic!("{}: `{got}` lacks `{}` after the heading", s.id, s.text()))
            + h;
        if let Some(tip) = &s.tip {
            assert!(got[at..].contains(&squash(tip)), "{}: the tip is not after the slogan: `{got}`", s.id);
        }
    }
    // Each column is one line of its own, not characters of several interleaved.
    let a = text("fanzha-shucaitan");
    assert!(a.contains("土豆茄子西红柿，\n转账之前多核实。"), "{a}");
    let b = text("fanzha-96110");
    assert!(b.contains("转账之前停一停，\n96110问一声。"), "{b}");
    let p = out.join("rollup-banner--fanzha-96110.pdf");
    let fonts = tool_ok("pdffonts", &[p.to_str().unwrap()]);
    assert!(fonts.contains("Identity-V") && fonts.contains("Identity-H"), "{fonts}");
}

/// A batch on both cores writes exactly the bytes of one-at-a-time runs.
#[test]
fn batch_output_equals_one_at_a_time_output() {
    let batch = scratch("batch");
    let single = scratch("single");
    let slogans = ["fanzha-qiandaizi", "jiaotong-12123", "xiaofang-dianche", "fangdao-yingpin"];
    let items = ["poster-a3", "bag-nonwoven", "rollup-banner", "mousepad-small"];
    let mut args = vec!["render", "--format", "pdf,svg,png", "--dpi", "20", "--station", "examples/station.yaml"];
    for s in &slogans {
        args.extend(["--slogan", s]);
    }
    for i in &items {
        args.extend(["--item", i]);
    }
    let b = batch.to_str().unwrap().to_string();
    let mut batch_args = args.clone();
    batch_args.extend(["--out", &b]);
    let o = jiediqi(&batch_args);
    assert!(o.status.success(), "{}", stderr(&o));
    for s in &slogans {
        for i in &items {
            let o = jiediqi(&[
                "render",
                "--format",
                "pdf,svg,png",
                "--dpi",
                "20",
                "--station",
                "examples/station.yaml",
                "--slogan",
                s,
                "--item",
                i,
                "--out",
                single.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
    }
    assert_eq!(files(&batch), files(&single));
    assert_eq!(files(&batch).len(), slogans.len() * items.len() * 3);
    for f in files(&batch) {
        assert!(std::fs::read(batch.join(&f)).unwrap() == std::fs::read(single.join(&f)).unwrap(), "{f} differs");
    }
    // Not a terminal: no progress bar, every path listed, a summary on stderr.
    let listed = stdout(&o);
    assert_eq!(listed.lines().count(), files(&batch).len());
    let err = stderr(&o);
    assert!(!err.contains('\r') && !err.contains("\u{1b}["), "progress bar drawn: {err:?}");
    assert!(err.contains(&format!("wrote {} files", files(&batch).len())), "{err}");
}

/// The station's QR link, drawn as vector modules, scans back from the proof.
#[test]
fn qr_codes_decode_to_the_station_link() {
    let out = scratch("qr");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --item rollup-banner --format png,pdf --dpi 100 --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for item in ["poster-a3", "rollup-banner"] {
        let png = out.join(format!("{item}--fanzha-qiandaizi.png"));
        assert_eq!(decode_qr(&png), vec!["https://example.org/chengguan".to_string()], "{item}");
    }
}

fn decode_qr(png: &std::path::Path) -> Vec<String> {
    let pm = resvg::tiny_skia::Pixmap::load_png(png).unwrap();
    let (w, h) = (pm.width() as usize, pm.height() as usize);
    let data = pm.data();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let p = &data[(y * w + x) * 4..];
        ((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10) as u8
    });
    img.detect_grids().iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect()
}

/// A heading zone names the slogan's topic.
#[test]
fn headings_print_the_topics_plain_heading() {
    let out = scratch("heading");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --slogan diandongche-gubao --item poster-a3 --format pdf",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for (id, want) in [("fanzha-qiandaizi", "防骗小贴士"), ("diandongche-gubao", "电动车充电防着火")] {
        let p = out.join(format!("poster-a3--{id}.pdf"));
        let text: String =
            tool_ok("pdftotext", &[p.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(want), "{id}: {text}");
        // Not the department-style 提醒 band of before.
        assert!(!text.contains("提醒"), "{id}: {text}");
    }
}

/// The apron (yellow on navy) prints a white underbase first, as its own
/// plate: the artwork's shapes, choked 0.2 mm inside every edge of the
/// yellow; the yellow plate is the same as without an underbase.
#[test]
fn the_aprons_underbase_is_a_plate_choked_inside_the_yellow() {
    let lib = library();
    let apron = lib.item("apron").unwrap();
    let (choke_mm, _) = apron.underbase.expect("the apron has an underbase");
    let out = scratch("underbase");
    let o = run_words(approved_root(), "render --slogan fanzha-shucaitan --item apron --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same artwork from a template without the underbase.
    let p = project_copy("no-underbase");
    let t = p.join("layouts/apron.yaml");
    let yaml = std::fs::read_to_string(&t).unwrap();
    assert!(yaml.contains("underbase: { choke: 0.2 }\n"));
    std::fs::write(&t, yaml.replace("underbase: { choke: 0.2 }\n", "")).unwrap();
    approve_all(&p);
    let out2 = p.join("out");
    let o = run_words(&p, "render --slogan fanzha-shucaitan --item apron --format pdf", &out2);
    assert!(o.status.success(), "{}", stderr(&o));

    let dpi = 300;
    let with = tiffsep(&out.join("apron--fanzha-shucaitan.pdf"), dpi);
    let without = tiffsep(&out2.join("apron--fanzha-shucaitan.pdf"), dpi);
    let (w, h, u) = plate(&with[&(1, "Underbase".to_string())]);
    let (_, _, y) = plate(&with[&(1, "PANTONE 116 C".to_string())]);
    let (_, _, y0) = plate(&without[&(1, "PANTONE 116 C".to_string())]);
    assert!(!without.contains_key(&(1, "Underbase".to_string())), "no underbase plate without the template's say");
    assert_eq!(y, y0, "the yellow plate changed");
    for process in ["Cyan", "Magenta", "Yellow", "Black"] {
        assert!(plate(&with[&(1, process.to_string())]).2.iter().all(|&v| v == 0), "ink on {process}");
    }
    let inked = |v: u8| v >= 128;
    let (nu, ny) = (u.iter().filter(|&&v| inked(v)).count(), y.iter().filter(|&&v| inked(v)).count());
    assert!(nu > ny / 2 && nu < ny, "underbase {nu} px, yellow {ny} px");
    assert!(u.iter().zip(&y).all(|(&a, &b)| !inked(a) || inked(b)), "underbase outside the yellow");
    // Every edge pixel of the underbase lies about `choke` inside the yellow:
    // its distance to the nearest pixel without yellow, by search.
    let choke_px = choke_mm / 25.4 * f64::from(dpi);
    let r = 8i64;
    let mut depths = Vec::new();
    for j in r..h as i64 - r {
        for i in r..w as i64 - r {
            let at = |i: i64, j: i64| (j as usize) * w + i as usize;
            if !inked(u[at(i, j)]) || [(1, 0), (-1, 0), (0, 1), (0, -1)].iter().all(|(a, b)| inked(u[at(i + a, j + b)])) {
                continue;
            }
            let mut best = f64::INFINITY;
            for b in -r..=r {
                for a in -r..=r {
                    if !inked(y[at(i + a, j + b)]) {
                        best = best.min(((a * a + b * b) as f64).sqrt());
                    }
                }
            }
            depths.push(best);
        }
    }
    depths.sort_by(f64::total_cmp);
    let (least, median) = (depths[0], depths[depths.len() / 2]);
    assert!(depths.len() > 1000, "{} edge pixels", depths.len());
    assert!(least >= choke_px - 0.75, "an underbase edge {least} px inside the yellow, choke {choke_px:.2} px");
    assert!(median <= choke_px + 2.0, "underbase {median} px inside the yellow, choke {choke_px:.2} px");
}
