//! Print files checked the way a print shop checks them: boxes (pdfinfo),
//! fonts (pdffonts), text (pdftotext), structure (qpdf), plates (Ghostscript).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    // A print file per pair meant for each other (a slogan's `items:`, an
    // item's `takes:`), and a cut file for items with a die line.
    let pairs = |cut_only: bool| -> usize {
        lib.items
            .iter()
            .filter(|i| !cut_only || i.die_line.is_some())
            .map(|i| lib.slogans.iter().filter(|s| i.suits(s)).count())
            .sum()
    };
    assert!(lib.items.iter().filter(|i| i.die_line.is_some()).count() >= 5, "mouse pads, stickers, fan, umbrella");
    assert_eq!(files(&out).len(), pairs(false) + pairs(true));
    assert_eq!(files(&out).iter().filter(|f| f.ends_with(".cut.pdf")).count(), pairs(true));
    // Every slogan is meant for some item; the couplet takes only couplets.
    assert!(lib.slogans.iter().all(|s| lib.items.iter().any(|i| i.suits(s))));
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
        // `--item all` renders the pairs meant for each other.
        for s in sample.iter().filter(|s| item.suits(s)) {
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
/// inks (the process plates stay blank), process items only CMYK; nothing is
/// RGB, and no plate is the die line's (it is in the cut file, checked there).
fn check_plates(item: &Item, pdf: &Path) {
    let plates = plates(pdf, 12);
    let inked: BTreeSet<&str> =
        plates.iter().filter(|(_, (_, _, px))| px.iter().any(|&v| v > 5)).map(|(n, _)| n.as_str()).collect();
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
        for name in plates.keys() {
            let allowed = ["Cyan", "Magenta", "Yellow", "Black"].contains(&name.as_str());
            assert!(allowed, "{}: unexpected plate {name}", pdf.display());
        }
        assert!(!inked.is_empty(), "{}: no process ink", pdf.display());
    }
    if item.die_line.is_some() {
        check_cut_file(pdf);
    }
}

/// The cut file beside a print file: the same boxes, the die line alone in
/// a `CutContour` Separation, overprinting, no fonts; and no trace of the
/// die line's ink in the print file.
fn check_cut_file(print: &Path) {
    let cut = print.with_extension("cut.pdf");
    assert!(cut.exists(), "{}: no cut file beside it", print.display());
    let (p, c) = (print.to_str().unwrap(), cut.to_str().unwrap());
    let boxes = |f: &str| -> Vec<String> {
        tool_ok("pdfinfo", &["-box", f])
            .lines()
            .filter(|l| ["MediaBox:", "BleedBox:", "TrimBox:"].iter().any(|b| l.starts_with(b)))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(boxes(p).len(), 3);
    assert_eq!(boxes(p), boxes(c), "{c}: boxes differ from the print file's");
    assert!(tool_ok("qpdf", &["--check", c]).contains("No syntax or stream encoding errors"));
    check_fonts(c, false);
    let raw = pdf_objects(&cut).split_whitespace().collect::<Vec<_>>().join(" ");
    let separations: Vec<&str> =
        raw.split("/Separation /").skip(1).map(|r| r.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(separations, ["CutContour"], "{c}");
    assert!(raw.contains("/OP true") && raw.contains("/GOP gs"), "{c}: the cut contour does not overprint");
    let cut_plates = plates(&cut, 12);
    for (name, (_, _, px)) in &cut_plates {
        assert_eq!(px.iter().any(|&v| v > 5), name == "CutContour", "{c}: plate {name}");
    }
    let print_raw = String::from_utf8_lossy(&std::fs::read(print).unwrap()).into_owned();
    let print_objects = pdf_objects(print);
    for name in ["CutContour", "Dieline"] {
        assert!(!print_raw.contains(name) && !print_objects.contains(name), "{p}: {name} in the print file");
    }
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
    // The PDF/X output profile comes once (deflated, smaller than the file
    // itself); the rest, fonts subset, stays under 100 KB.
    let profile = jiediqi::color::PROFILE.len() as u64;
    assert!(size < 100_000 + profile, "poster PDF is {size} bytes, of which at most {profile} the output profile");
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
    // Trim + bleed: 303 × 426 mm; no crop marks without --marks.
    assert!(poster.contains(r#"width="303mm" height="426mm""#));
    assert!(!poster.contains("data-crop-marks"));
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
    let banner = lib.item("rollup-banner").unwrap();
    for s in lib.slogans.iter().filter(|s| banner.suits(s)) {
        let got = squash(&text(&s.id));
        let heading = squash(&s.heading);
        let h = got.find(&heading).unwrap_or_else(|| panic!("{}: `{got}` lacks the heading", s.id)) + heading.len();
        // The roll-up drops ，。、； where its columns end (`punctuation:
        // drop-trailing`), and a tip set as a list where its clauses end:
        // the order of the words is compared without those marks.
        let bare = |t: &str| -> String { squash(t).chars().filter(|c| !"，。、；".contains(*c)).collect() };
        let after = bare(&got[h..]);
        let at = after
            .find(&bare(&s.text()))
            .unwrap_or_else(|| panic!("{}: `{got}` lacks `{}` after the heading", s.id, s.text()));
        if let Some(tip) = &s.tip {
            assert!(after[at..].contains(&bare(tip)), "{}: the tip is not after the slogan: `{got}`", s.id);
        }
    }
    // Each column is one line of its own, not characters of several interleaved.
    let a = text("fanzha-shucaitan");
    assert!(a.contains("土豆茄子西红柿\n转账之前多核实"), "{a}");
    let b = text("fanzha-96110");
    assert!(b.contains("转账之前停一停\n96110问一声"), "{b}");
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
    // pdf, svg and png of each pair; the bag's one film; the small mouse pad's cut file.
    assert_eq!(files(&batch).len(), slogans.len() * (items.len() * 3 + 2));
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
            if !inked(u[at(i, j)]) || [(1, 0), (-1, 0), (0, 1), (0, -1)].iter().all(|(a, b)| inked(u[at(i + a, j + b)]))
            {
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

/// An SVG drawn by librsvg (`rsvg-convert`, as a vendor's viewer would) at
/// `dpi`, on `background` (transparent when none).
fn rsvg(svg: &Path, dpi: u32, background: Option<&str>) -> resvg::tiny_skia::Pixmap {
    let png = PathBuf::from(format!("{}.rsvg-{dpi}.png", svg.display()));
    let d = dpi.to_string();
    let (svg_s, png_s) = (svg.to_str().unwrap(), png.to_str().unwrap());
    let mut args = vec!["-d", &d, "-p", &d, "-o", png_s];
    if let Some(b) = background {
        args.extend(["-b", b]);
    }
    args.push(svg_s);
    tool_ok("rsvg-convert", &args);
    let pm = resvg::tiny_skia::Pixmap::load_png(&png).unwrap();
    std::fs::remove_file(&png).ok();
    pm
}

fn pixel(pm: &resvg::tiny_skia::Pixmap, x: usize, y: usize) -> [u8; 4] {
    let p = &pm.data()[(y * pm.width() as usize + x) * 4..][..4];
    [p[0], p[1], p[2], p[3]]
}

/// The die line never prints: no plate of the desk mat's or the small pad's
/// print file gets ink on the trim line beyond what the artwork has 3 mm
/// inside it (the die line drawn into the artwork gave 100 % magenta there),
/// and the cut file beside it draws exactly that line, alone.
#[test]
fn the_die_line_never_prints_and_has_a_cut_file_of_its_own() {
    let lib = library();
    let out = scratch("die-line");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item mousepad-desk --item mousepad-small --format pdf --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for id in ["mousepad-desk", "mousepad-small"] {
        let item = lib.item(id).unwrap();
        let pdf = out.join(format!("{id}--fanzha-qiandaizi.pdf"));
        check_cut_file(&pdf);
        let dpi = 36.0;
        let px = |mm: f64| (mm * PT_PER_MM / 72.0 * dpi) as usize;
        let (edge, inside) = (px(item.bleed), px(item.bleed + 3.0));
        let xs = px(item.bleed + 20.0)..px(item.bleed + item.width - 20.0);
        let tif = PathBuf::from(format!("{}.cmyk.tif", pdf.display()));
        tool_ok(
            "gs",
            &[
                "-q",
                "-dNOPAUSE",
                "-dBATCH",
                "-sDEVICE=tiff32nc",
                "-sCompression=none",
                "-r36",
                &format!("-sOutputFile={}", tif.display()),
                pdf.to_str().unwrap(),
            ],
        );
        let (w, _, spp, cmyk) = tiff_image(&tif);
        assert_eq!(spp, 4);
        for y in edge.saturating_sub(1)..=edge + 1 {
            for x in xs.clone() {
                for ch in 0..4 {
                    let (at_edge, art) = (cmyk[(y * w + x) * 4 + ch], cmyk[(inside * w + x) * 4 + ch]);
                    assert_eq!(
                        at_edge,
                        art,
                        "{id}: plate {} has ink {at_edge} on the trim line at x={x}",
                        "CMYK"[ch..].chars().next().unwrap()
                    );
                }
            }
        }
        // The cut file: CutContour on the trim line, nothing inside the item.
        let cut = plates(&pdf.with_extension("cut.pdf"), 36);
        let (cw, ch, line) = &cut["CutContour"];
        let on_edge = (edge.saturating_sub(1)..=edge + 1).any(|y| xs.clone().all(|x| line[y * cw + x] > 127));
        assert!(on_edge, "{id}: the cut contour does not run along the top trim line");
        assert!(line[(ch / 2) * cw + cw / 2] == 0, "{id}: cut file has ink in the middle");
    }
}

/// A template with both a die line and crop marks: the cut file keeps the
/// print file's slug (same MediaBox), and carries no marks of its own.
#[test]
fn a_cut_file_keeps_the_slug_of_its_print_file() {
    let p = project_copy("die-line-marks");
    let t = p.join("layouts/poster-a3.yaml");
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.contains("\nbleed: 3\n"), "poster template changed: update this test");
    std::fs::write(&t, text.replacen("\nbleed: 3\n", "\nbleed: 3\ndie_line: { corner_radius: 5 }\n", 1)).unwrap();
    approve_all(&p);
    let out = scratch("die-line-marks-out");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf --marks", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("poster-a3--fanzha-qiandaizi.pdf");
    let lib = Library::load(&p).unwrap();
    check_boxes(lib.item("poster-a3").unwrap(), pdf.to_str().unwrap(), 10.0);
    check_plates(lib.item("poster-a3").unwrap(), &pdf);
    let raw = pdf_objects(&pdf.with_extension("cut.pdf"));
    assert!(!raw.contains("/All"), "crop marks in the cut file");
}

/// Print SVGs are artwork only: no material colour (the apron's navy was a
/// solid screen) and no die line. The studio's previews are product mockups:
/// the material shows and the artwork is cut to the die's shape.
#[test]
fn print_svgs_hold_artwork_only_and_previews_keep_substrate_and_die_line() {
    let out = scratch("svg-print");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item apron --item mousepad-small --format svg --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let apron_svg = out.join("apron--fanzha-qiandaizi.svg");
    let apron = std::fs::read_to_string(&apron_svg).unwrap();
    assert!(!apron.contains("data-substrate") && !apron.contains("#1f2a44"), "substrate in a print SVG");
    // librsvg draws it transparent where no ink prints, and the yellow where it does.
    let pm = rsvg(&apron_svg, 24, None);
    assert_eq!(pixel(&pm, 1, 1)[3], 0, "apron print SVG is not transparent at its corner");
    assert!(pm.data().chunks(4).any(|p| p[3] == 255 && p[0] > 200 && p[1] > 150 && p[2] < 80), "no yellow ink drawn");
    let pad = std::fs::read_to_string(out.join("mousepad-small--fanzha-qiandaizi.svg")).unwrap();
    assert!(!pad.contains("CutContour") && !pad.contains("data-die-line"), "die line in a print SVG");
    // The studio's previews: substrate under the artwork, die line over it.
    let lib = Library::load(approved_root()).unwrap();
    let slogan = lib.slogan("fanzha-qiandaizi").unwrap();
    let preview = jiediqi::studio::preview_svg(&lib, lib.item("apron").unwrap(), slogan, false).unwrap();
    assert!(
        preview.contains(r##"data-substrate="true""##) && preview.contains(r##"fill="#1f2a44""##),
        "{}",
        &preview[..600]
    );
    let file = out.join("apron-preview.svg");
    std::fs::write(&file, &preview).unwrap();
    // The preview is the apron's mockup: its page is the scene's, the navy is the apron cloth in it.
    let pm = rsvg(&file, 24, None);
    let navy = pm.data().chunks(4).filter(|p| p[..] == [0x1f, 0x2a, 0x44, 255]).count();
    assert!(navy * 10 > pm.data().len() / 4, "the preview does not show the navy apron ({navy} navy pixels)");
    let preview = jiediqi::studio::preview_svg(&lib, lib.item("mousepad-small").unwrap(), slogan, false).unwrap();
    // The mockup cuts the artwork to the die's shape and dashes that shape as the print area;
    // the CutContour ink itself never shows on a product picture.
    assert!(preview.contains(r#"<clipPath id="die">"#), "the preview is not cut to the die line");
    assert!(preview.contains(r#"data-mockup="print-area""#), "no print area dashed in the preview");
    assert!(!preview.contains("CutContour"), "the die ink drawn on the product picture");
}

/// A screen printer's films: one SVG per spot ink, black where that ink
/// prints and nothing of any other ink; drawn by librsvg it matches the
/// PDF's own plate of that ink (Ghostscript's separation). Process items
/// have none (their plates come from the PDF).
#[test]
fn each_spot_ink_has_a_black_film_that_matches_its_pdf_plate() {
    let lib = library();
    let out = scratch("films");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item tote-canvas --item bag-nonwoven --item poster-a3 --format pdf,svg --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!files(&out).iter().any(|f| f.starts_with("poster-a3") && f.contains(".ink-")), "films for a process item");
    let colour_of = |line: &str, attr: &str| -> Option<String> {
        line.split(&format!(" {attr}=\"")).nth(1).map(|r| r.split('"').next().unwrap().to_string())
    };
    for id in ["tote-canvas", "bag-nonwoven"] {
        let item = lib.item(id).unwrap();
        let pdf = out.join(format!("{id}--fanzha-qiandaizi.pdf"));
        let pdf_plates = plates(&pdf, 72);
        let spots: Vec<_> = item.inks.iter().filter(|i| matches!(i.kind, InkKind::Spot { .. })).collect();
        assert!(!spots.is_empty());
        for ink in spots {
            let film = out.join(format!("{id}--fanzha-qiandaizi.ink-{}.svg", ink.id));
            let text = std::fs::read_to_string(&film).unwrap_or_else(|e| panic!("{}: {e}", film.display()));
            let mut drawn = 0;
            for line in text.lines().filter(|l| l.contains("data-ink=\"")) {
                let label = line.split("data-ink=\"").nth(1).unwrap().split('"').next().unwrap();
                for attr in ["fill", "stroke"] {
                    let Some(c) = colour_of(line, attr).filter(|c| c != "none") else { continue };
                    let grey = c.len() == 7 && c[1..3] == c[3..5] && c[3..5] == c[5..7];
                    assert!(grey, "{}: colour {c} on a film", film.display());
                    if label == ink.label() || label == "All" {
                        drawn += 1;
                    } else {
                        assert_eq!(
                            c,
                            "#ffffff",
                            "{}: ink {label} drawn on the film of {}",
                            film.display(),
                            ink.label()
                        );
                    }
                }
            }
            assert!(drawn > 0, "{}: empty film", film.display());
            let pm = rsvg(&film, 72, Some("white"));
            let (pw, ph, plate) = &pdf_plates[&ink.label()];
            let (w, h) = ((pm.width() as usize).min(*pw), (pm.height() as usize).min(*ph));
            assert!(pw.abs_diff(pm.width() as usize) <= 1 && ph.abs_diff(pm.height() as usize) <= 1);
            // The two renderers round the page size and edges differently (up
            // to two pixels apart at 72 dpi), and librsvg
            // shades thin strokes grey where Ghostscript sets whole pixels:
            // every clearly inked pixel of one has a pixel with some ink of
            // the other beside it, and the inked areas agree within 10 %.
            let film_ink = |x: usize, y: usize, some: bool| pixel(&pm, x, y)[0] < if some { 250 } else { 128 };
            let plate_ink = |x: usize, y: usize, some: bool| plate[y * pw + x] > if some { 5 } else { 127 };
            let near = |f: &dyn Fn(usize, usize, bool) -> bool, x: usize, y: usize| {
                (x.saturating_sub(2)..=(x + 2).min(w - 1))
                    .any(|i| (y.saturating_sub(2)..=(y + 2).min(h - 1)).any(|j| f(i, j, true)))
            };
            let (mut in_film, mut in_plate) = (0usize, 0usize);
            for y in 0..h {
                for x in 0..w {
                    if film_ink(x, y, false) {
                        in_film += 1;
                        assert!(near(&plate_ink, x, y), "{}: ink at ({x}, {y}) not on the PDF plate", film.display());
                    }
                    if plate_ink(x, y, false) {
                        in_plate += 1;
                        assert!(
                            near(&film_ink, x, y),
                            "{}: PDF plate ink at ({x}, {y}) not on the film",
                            film.display()
                        );
                    }
                }
            }
            assert!(in_plate > 500, "{id}: plate {} nearly empty", ink.label());
            assert!(in_film.abs_diff(in_plate) * 10 < in_plate, "{id} {}: {in_film} vs {in_plate} pixels", ink.label());
        }
    }
}

/// The composite names every ink's CMYK for design programs: the shape's
/// style holds `icc-color` (Inkscape reads it), its fill attribute the sRGB
/// fallback that browsers and librsvg draw; each ink is a named swatch and
/// listed in the metadata.
#[test]
fn print_svgs_give_every_ink_its_cmyk_after_an_srgb_fallback() {
    let lib = library();
    let out = scratch("svg-cmyk");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item bag-nonwoven --item poster-a3 --format svg --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for id in ["bag-nonwoven", "poster-a3"] {
        let item = lib.item(id).unwrap();
        let path = out.join(format!("{id}--fanzha-qiandaizi.svg"));
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains(r#"<color-profile id="jiediqi-cmyk" name="jiediqi-cmyk"/>"#));
        let mut shapes = 0;
        for line in svg.lines().filter(|l| l.contains("data-ink=\"") && !l.contains("data-ink=\"All\"")) {
            let label = line.split("data-ink=\"").nth(1).unwrap().split('"').next().unwrap();
            let ink = item.inks.iter().find(|i| i.label() == label).unwrap_or_else(|| panic!("unknown ink {label}"));
            let tint: f64 =
                line.split("data-tint=\"").nth(1).map_or(100.0, |r| r.split('"').next().unwrap().parse().unwrap());
            let prop = if line.contains(" fill=\"none\"") { "stroke" } else { "fill" };
            let srgb = line.split(&format!(" {prop}=\"")).nth(1).unwrap().split('"').next().unwrap();
            let style = line.split(" style=\"").nth(1).unwrap().split('"').next().unwrap();
            let want = format!("{prop}:{srgb} icc-color(jiediqi-cmyk, ");
            assert!(style.starts_with(&want), "{id}: `{style}` is not `{want}…`");
            let values: Vec<f64> =
                style[want.len()..].split(')').next().unwrap().split(", ").map(|v| v.parse().unwrap()).collect();
            let expect = ink.cmyk().map(|v| v * tint / 100.0);
            assert!(
                values.iter().zip(expect).all(|(a, b)| (a - b).abs() < 1e-4),
                "{id} {label}: {values:?} ≠ {expect:?}"
            );
            // The sRGB fallback is the ink at this tint through the output profile.
            assert_eq!(srgb, jiediqi::color::ink_srgb(ink, tint / 100.0).hex(), "{id} {label}: sRGB fallback");
            shapes += 1;
        }
        assert!(shapes > 3, "{id}: {shapes} shapes");
        for ink in item.printing_inks() {
            let swatch = format!(r#"inkscape:swatch="solid" osb:paint="solid" inkscape:label="{}""#, ink.label());
            assert!(svg.contains(&swatch), "{id}: no swatch for {}", ink.label());
            assert!(svg.contains(&format!(r#"<jiediqi:ink id="{}" name="{}""#, ink.id, ink.label())), "{id}: metadata");
        }
    }
    // Drawn by librsvg, the bag is its red on nothing: the style it cannot
    // read is dropped, not painted black.
    let pm = rsvg(&out.join("bag-nonwoven--fanzha-qiandaizi.svg"), 24, None);
    let opaque: Vec<&[u8]> = pm.data().chunks(4).filter(|p| p[3] == 255).collect();
    // PANTONE 186 C's sRGB fallback: its CMYK alternate through the output profile.
    let red = jiediqi::color::cmyk_to_srgb([0.0, 1.0, 0.81, 0.04]);
    assert!(
        opaque.iter().filter(|p| (p[0], p[1], p[2]) == (red.0, red.1, red.2)).count() > 200,
        "no PANTONE 186 C drawn"
    );
    assert!(!opaque.iter().any(|p| p[0] < 100 && p[1] < 100 && p[2] < 100), "something drawn black");
}

/// `--marks` puts crop marks in every SVG (composite and films) exactly
/// where the PDF puts them; items that want none get none.
#[test]
fn marks_in_svgs_sit_where_the_pdf_puts_them() {
    let out = scratch("svg-marks");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --item tote-canvas --item mousepad-small --format pdf,svg --marks",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let poster_svg = out.join("poster-a3--fanzha-qiandaizi.svg");
    let poster = std::fs::read_to_string(&poster_svg).unwrap();
    // Trim 297 × 420 + 2 × 3 mm bleed + 2 × 10 mm slug.
    assert!(poster.contains(r#"width="323mm" height="446mm""#), "{}", &poster[..400]);
    assert!(poster.contains(r#"data-crop-marks="true""#));
    for ink in ["black", "red"] {
        let film = std::fs::read_to_string(out.join(format!("tote-canvas--fanzha-qiandaizi.ink-{ink}.svg"))).unwrap();
        assert!(film.contains(r#"data-crop-marks="true""#), "film {ink} without marks");
    }
    let pad = std::fs::read_to_string(out.join("mousepad-small--fanzha-qiandaizi.svg")).unwrap();
    assert!(!pad.contains("data-crop-marks") && pad.contains(r#"width="262mm" height="222mm""#), "{}", &pad[..400]);
    // The slug of the PDF (pdftoppm) and of the SVG (librsvg), at 72 dpi:
    // every dark pixel of one has a dark pixel of the other next to it.
    let png = out.join("poster-pdf");
    tool_ok(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "72",
            "-singlefile",
            out.join("poster-a3--fanzha-qiandaizi.pdf").to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let a = resvg::tiny_skia::Pixmap::load_png(png.with_extension("png")).unwrap();
    let b = rsvg(&poster_svg, 72, Some("white"));
    assert!(a.width().abs_diff(b.width()) <= 1 && a.height().abs_diff(b.height()) <= 1);
    let (w, h) = (a.width().min(b.width()) as usize, a.height().min(b.height()) as usize);
    let slug = (10.0 * PT_PER_MM) as usize - 1;
    let dark = |pm: &resvg::tiny_skia::Pixmap, x: usize, y: usize| pixel(pm, x, y)[0] < 200;
    let in_slug = |x: usize, y: usize| x < slug || y < slug || x >= w - slug || y >= h - slug;
    let near = |pm: &resvg::tiny_skia::Pixmap, x: usize, y: usize| {
        (x.saturating_sub(1)..=(x + 1).min(w - 1))
            .any(|i| (y.saturating_sub(1)..=(y + 1).min(h - 1)).any(|j| dark(pm, i, j)))
    };
    let mut marks = 0;
    for y in 0..h {
        for x in 0..w {
            if !in_slug(x, y) {
                continue;
            }
            if dark(&a, x, y) {
                marks += 1;
                assert!(near(&b, x, y), "PDF mark at ({x}, {y}) missing in the SVG");
            }
            if dark(&b, x, y) {
                assert!(near(&a, x, y), "SVG mark at ({x}, {y}) not in the PDF");
            }
        }
    }
    assert!(marks >= 8 * 10, "only {marks} mark pixels");
}

/// Ink near a point: whether any pixel of a plate within `r` pixels of
/// (x, y) carries more than a little ink.
fn inked_near(plate: &(usize, usize, Vec<u8>), x: usize, y: usize, r: usize) -> bool {
    let (w, h, px) = plate;
    (y.saturating_sub(r)..=(y + r).min(h - 1))
        .any(|yy| (x.saturating_sub(r)..=(x + r).min(w - 1)).any(|xx| px[yy * w + xx] > 60))
}

/// A round sticker, the fan (circle and handle), the umbrella's triangle and
/// the couplet's three pieces: each die line goes to the .cut.pdf in
/// `CutContour` (and never into the print file), along its own shape: on
/// the circle, not at the trim's corners where a rectangle would run.
#[test]
fn round_polygon_and_piece_die_lines_go_to_the_cut_file() {
    let lib = library();
    let out = scratch("die-shapes");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item sticker-round --item fan-round --item umbrella-panel --item couplet-7 --format pdf --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let dpi = 150.0;
    // Page pixels of a point in mm from the trim's top-left corner.
    let at = |item: &Item, x: f64, y: f64| {
        let p = |mm: f64| ((mm + item.bleed) * PT_PER_MM / 72.0 * dpi).round() as usize;
        (p(x), p(y))
    };
    for id in ["sticker-round", "fan-round", "umbrella-panel", "couplet-7"] {
        let pdf = out.join(format!("{id}--fanzha-qiandaizi.pdf"));
        check_cut_file(&pdf);
        let item = lib.item(id).unwrap();
        let cut = plates(&pdf.with_extension("cut.pdf"), dpi as u32);
        let line = &cut["CutContour"];
        let (w, h) = (item.width, item.height);
        // (on the cut, off the cut) points in mm; the off points include the
        // trim's edge, where a rectangular cut would run.
        type Points = Vec<(f64, f64)>;
        let (on, off): (Points, Points) = match id {
            "sticker-round" => {
                let (c, r) = (30.0, 30.0);
                let d = r / 2f64.sqrt();
                (vec![(c, 0.0), (c + r, c), (c + d, c - d), (c - d, c + d)], vec![(0.0, 5.0), (w, h - 5.0), (c, c)])
            }
            // Circle of 100 mm about (100, 100), a 30 mm handle down to 310.
            "fan-round" => (
                vec![(100.0, 0.0), (0.0, 100.0), (85.0, 250.0), (115.0, 250.0), (100.0, 310.0)],
                vec![(0.0, 20.0), (0.0, 300.0), (100.0, 250.0), (60.0, 250.0)],
            ),
            "umbrella-panel" => (
                vec![(200.0, 1.0), (100.0, 270.0), (300.0, 270.0), (200.0, 540.0)],
                vec![(0.0, 100.0), (400.0, 100.0), (200.0, 270.0)],
            ),
            _ => (
                vec![(450.0, 0.0), (450.0, 260.0), (0.0, 900.0), (260.0, 900.0), (640.0, 900.0)],
                vec![(450.0, 900.0), (450.0, 270.0), (130.0, 1000.0)],
            ),
        };
        for (x, y) in on {
            let (px, py) = at(item, x, y);
            assert!(inked_near(line, px, py, 3), "{id}: no cut at ({x}, {y}) mm");
        }
        for (x, y) in off {
            let (px, py) = at(item, x, y);
            assert!(!inked_near(line, px, py, 3), "{id}: a cut at ({x}, {y}) mm");
        }
    }
}

/// The couplet: line 1 on the right strip (上联), line 2 on the left (下联),
/// each read top to bottom in the text layer and in the scene, the 横批 on
/// top; only 7 + 7 couplets are taken, and a slogan of another shape is
/// refused with the reason.
#[test]
fn couplet_lines_read_top_to_bottom_on_their_own_strips() {
    let lib = library();
    let item = lib.item("couplet-7").unwrap();
    let s = lib.slogan("fanzha-shucaitan").unwrap();
    let scene = jiediqi::layout::build_scene(&lib, item, s, &jiediqi::layout::SceneOptions { station: None }).unwrap();
    let glyphs: Vec<&jiediqi::scene::Glyph> = scene
        .elements
        .iter()
        .filter_map(|e| if let jiediqi::scene::Element::Text(r) = e { Some(r) } else { None })
        .flat_map(|r| &r.glyphs)
        .collect();
    let mm = |pt: f64| pt / PT_PER_MM;
    for (text, strip) in [("土豆茄子西红柿", 640.0..900.0), ("转账之前多核实", 0.0..260.0)] {
        let mut last = 0.0;
        for c in text.chars() {
            let g = glyphs
                .iter()
                .find(|g| g.text == c.to_string() && strip.contains(&mm(g.x)))
                .unwrap_or_else(|| panic!("{c} of “{text}” is not on the strip at {strip:?} mm"));
            assert!(g.vertical, "{c}: not set upright in a column");
            assert!(mm(g.y) > last, "{c} of “{text}” is not below the character before it");
            assert!(mm(g.y) > 280.0, "{c}: above the strips");
            last = mm(g.y);
        }
    }
    assert_eq!(scene.slogan_lines, 2);
    let out = scratch("couplet");
    let o = run_words(approved_root(), "render --slogan all --item couplet-7 --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = tool_ok("pdftotext", &[out.join("couplet-7--fanzha-shucaitan.pdf").to_str().unwrap(), "-"]);
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for part in ["平安过年", "土豆茄子西红柿", "转账之前多核实"] {
        assert!(squashed.contains(part), "{part} not read in order: {text}");
    }
    // `all` on the couplet: exactly the two-line slogans of 7 + 7 characters.
    let seven = |l: &str| {
        let body = l.trim_end_matches(['，', '。', '、', '；']);
        body.chars().count() == 7 && body.chars().all(char::is_alphanumeric)
    };
    let couplets: BTreeSet<String> = lib
        .slogans
        .iter()
        .filter(|s| s.items.as_ref().is_none_or(|l| l.iter().any(|i| i == "couplet-7")))
        .filter(|s| s.lines.len() == 2 && s.lines.iter().all(|l| seven(l)))
        .map(|s| format!("couplet-7--{}.pdf", s.id))
        .collect();
    assert!(couplets.len() > 100, "{}", couplets.len());
    let written: BTreeSet<String> = files(&out).into_iter().filter(|f| !f.ends_with(".cut.pdf")).collect();
    assert!(
        written == couplets,
        "written, not meant: {:?}; meant, not written: {:?}",
        written.difference(&couplets),
        couplets.difference(&written)
    );
    // Named outright, a slogan of another shape is refused, with the reason.
    let out = scratch("couplet-refused");
    let o =
        run_words(approved_root(), "render --slogan fanzha-yanzhengma --slogan jiaotong-toukui --item couplet-7", &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("item `couplet-7` takes slogans of 2 line(s); `fanzha-yanzhengma` has 1"), "{e}");
    assert!(
        e.contains("takes lines of 7 characters with no punctuation inside; `jiaotong-toukui` has “骑车戴头盔，”"),
        "{e}"
    );
    assert!(files(&out).is_empty());
}

/// The cloth banner sets the author's two lines as one line, and every
/// slogan fits it so.
#[test]
fn the_banner_runs_the_lines_on_as_one() {
    let lib = library();
    let item = lib.item("banner-cloth").unwrap();
    for s in lib.slogans.iter().filter(|s| item.suits(s)) {
        let scene =
            jiediqi::layout::build_scene(&lib, item, s, &jiediqi::layout::SceneOptions { station: None }).unwrap();
        assert_eq!(scene.slogan_lines, 1, "{}", s.id);
    }
}

/// The tri-fold's folds never print: every plate of its print file is the
/// same on the fold as 2 mm beside it; with --marks they are marked in the
/// slug (registration, every plate), and the preview SVG dashes them while
/// the print SVG leaves them out.
#[test]
fn folds_never_print_and_are_marked_in_the_slug() {
    let lib = library();
    let item = lib.item("trifold-16k").unwrap();
    assert_eq!(item.folds, [93.0, 189.0]);
    let out = scratch("folds");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item trifold-16k --format pdf,svg --marks --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("trifold-16k--fanzha-qiandaizi.pdf");
    let dpi = 72.0;
    let slug = 10.0;
    let p = |mm: f64| ((mm + item.bleed + slug) * PT_PER_MM / 72.0 * dpi).round() as usize;
    let all = plates(&pdf, dpi as u32);
    assert!(all.contains_key("Cyan") && all.contains_key("Black"), "{:?}", all.keys());
    for (name, (w, _, px)) in &all {
        for y in (10..190).step_by(5) {
            let (fold, beside) = (px[p(y as f64) * w + p(93.0)], px[p(y as f64) * w + p(91.0)]);
            assert_eq!(fold, beside, "plate {name}: ink {fold} on the fold at y = {y} mm, {beside} beside it");
        }
        // The fold mark: from 2 to 8 mm past the bleed, above the trim.
        let mark = (px[p(-item.bleed - 5.0) * w + p(93.0)], px[p(-item.bleed - 5.0) * w + p(91.0)]);
        assert!(mark.0 > 100 && mark.1 == 0, "plate {name}: fold mark {mark:?}");
    }
    let print_svg = std::fs::read_to_string(out.join("trifold-16k--fanzha-qiandaizi.svg")).unwrap();
    assert!(!print_svg.contains("data-folds"));
    let scene = jiediqi::layout::build_scene(
        &lib,
        item,
        lib.slogan("fanzha-qiandaizi").unwrap(),
        &jiediqi::layout::SceneOptions { station: None },
    )
    .unwrap();
    let preview = jiediqi::export::svg::preview(&scene, &jiediqi::export::svg::PreviewOptions::default());
    assert!(preview.contains(r#"data-folds="true""#), "no dashed folds in the preview");
}

/// The n-up sticker sheet: twelve copies of the piece, each with its own
/// circle in the cut file, and the slogan twelve times in the text layer.
#[test]
fn an_n_up_sheet_repeats_the_piece_and_its_cut() {
    let lib = library();
    let item = lib.item("sticker-round-sheet").unwrap();
    assert_eq!(item.copies.len(), 12);
    let out = scratch("n-up");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item sticker-round-sheet --format pdf --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("sticker-round-sheet--fanzha-qiandaizi.pdf");
    check_cut_file(&pdf);
    let cut = plates(&pdf.with_extension("cut.pdf"), 150);
    let line = &cut["CutContour"];
    let px = |mm: f64| (mm * PT_PER_MM / 72.0 * 150.0).round() as usize;
    for row in 0..3 {
        for col in 0..4 {
            let (cx, cy) = (49.5 + 66.0 * col as f64, 39.0 + 66.0 * row as f64);
            for (x, y) in [(cx, cy - 30.0), (cx + 30.0, cy), (cx, cy + 30.0), (cx - 30.0, cy)] {
                assert!(inked_near(line, px(x), px(y), 3), "no cut at ({x}, {y}) mm");
            }
            assert!(!inked_near(line, px(cx), px(cy), 3), "a cut inside the sticker at ({cx}, {cy})");
            assert!(!inked_near(line, px(cx + 33.0), px(cy + 33.0), 3), "a cut between stickers");
        }
    }
    let text = tool_ok("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(squashed.matches("钱袋子要捂得紧").count(), 12, "{text}");
}

/// Every pictogram prints where templates place it: at the smallest size a
/// shipped zone draws it, and (the set's design floor) 20 mm wide on the
/// item with the strictest minimum stroke; one per slogan file.
#[test]
fn every_pictogram_prints_at_its_smallest_placed_size() {
    let lib = library();
    let names = lib.pictograms.names().unwrap();
    let mut stems: Vec<String> =
        lib.slogans.iter().map(|s| s.file.file_stem().unwrap().to_str().unwrap().to_string()).collect();
    stems.sort();
    stems.dedup();
    assert_eq!(names, stems, "one pictogram per slogan file, and no other");
    assert!(jiediqi::pictogram::check(&lib).is_empty(), "{}", jiediqi::pictogram::check(&lib));
    let strictest = lib.items.iter().map(|i| i.minimums.stroke).fold(0.0, f64::max);
    assert_eq!(strictest, 1.0, "the apron's reversed art");
    let zones: Vec<(&Item, f64)> = lib
        .items
        .iter()
        .flat_map(|i| {
            i.zones
                .iter()
                .filter(|z| z.shape == jiediqi::library::Shape::Pictogram)
                .map(move |z| (i, z.rect[2].min(z.rect[3])))
        })
        .collect();
    let mut thin = Vec::new();
    for n in &names {
        let p = lib.pictograms.get(n).unwrap();
        thin.extend(p.too_thin(20.0, strictest));
        for (item, side) in &zones {
            thin.extend(p.too_thin(*side, item.minimums.stroke).map(|m| format!("{}: {m}", item.id)));
        }
    }
    assert!(thin.is_empty(), "{}", thin.join("\n"));
}

/// The tote with a pictogram zone (test-only: its slogan box moved down to
/// make room): the slogan's topic pictogram prints in the zone's spot ink
/// alone, solid, covering what its outline covers.
#[test]
fn a_pictogram_prints_solid_in_its_zones_spot_ink_alone() {
    let p = project_copy("picto-tote");
    let file = p.join("layouts/tote-canvas.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    // The shipped 图文版 places the pictogram; here in a 60 mm box of known place.
    let yaml = yaml.replacen(
        "{ id: picto, role: decoration, box: [105, 36, 70, 70], ink: red, shape: pictogram }",
        "{ id: picto, role: decoration, box: [110, 40, 60, 60], ink: red, shape: pictogram }",
        1,
    );
    assert!(yaml.contains("box: [110, 40, 60, 60], ink: red, shape: pictogram"));
    std::fs::write(&file, yaml).unwrap();
    let o = jiediqi_in(&p, &["approve", "--by", "测试审核员", "fanzha-qiandaizi"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = scratch("picto-tote-out");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item tote-canvas --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let plates = plates(&out.join("tote-canvas--fanzha-qiandaizi.pdf"), 100);
    let px = |mm: f64| (mm / 25.4 * 100.0).round() as usize;
    let ink_in_box = |name: &str| -> f64 {
        let (w, _, data) = &plates[name];
        let mut sum = 0.0;
        for y in px(40.0)..px(100.0) {
            for x in px(110.0)..px(170.0) {
                sum += f64::from(data[y * w + x]) / 255.0;
            }
        }
        sum / ((px(100.0) - px(40.0)) * (px(170.0) - px(110.0))) as f64
    };
    // The outline's own area (its contours' signed areas: holes wind the other way).
    let lib = Library::load(&p).unwrap();
    let pic = lib.pictograms.get("fanzha").unwrap();
    let (mut area, mut start, mut last) = (0.0, (0.0, 0.0), (0.0, 0.0));
    for s in &pic.path.0 {
        use jiediqi::scene::Seg;
        let to = match *s {
            Seg::Move(x, y) => {
                start = (x, y);
                last = (x, y);
                continue;
            }
            Seg::Line(x, y) | Seg::Cubic(_, _, _, _, x, y) => (x, y),
            Seg::Close => start,
        };
        area += last.0 * to.1 - to.0 * last.1;
        last = to;
    }
    let share = (area / 2.0).abs() / 10_000.0;
    assert!(share > 0.3 && share < 0.6, "phone and shield cover about half their box: {share}");
    let red = ink_in_box("PANTONE 1795 C");
    assert!((red - share).abs() < 0.02, "red covers {red}, the outline {share}");
    assert_eq!(ink_in_box("PANTONE Black 6 C"), 0.0, "nothing else prints there");
    // Solid: no tint, so no pixel well inside the drawing is partly inked.
    let (w, _, data) = &plates["PANTONE 1795 C"];
    let partial = (px(40.0)..px(100.0))
        .flat_map(|y| (px(110.0)..px(170.0)).map(move |x| (x, y)))
        .filter(|&(x, y)| (40..=215).contains(&data[y * w + x]))
        .count();
    assert!(partial < 2000, "only edge pixels are partly inked: {partial}");
}

/// A pictogram too thin for the item where a zone places it is refused by
/// `check` and by `render` (naming item, zone and pictogram), and no print
/// file is written.
#[test]
fn a_too_thin_pictogram_is_refused() {
    let p = project_copy("picto-thin");
    // A ring 0.25 units wide: 0.18 mm in the A3 poster's 70 mm zone, under its 0.2 mm floor.
    std::fs::write(
        p.join("pictograms/fanzha.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<path d="M50 10 A40 40 0 1 1 50 90 A40 40 0 1 1 50 10 Z M50 10.25 A39.75 39.75 0 1 0 50 89.75 A39.75 39.75 0 1 0 50 10.25 Z M40 40 H60 V60 H40 Z"/>
</svg>
"#,
    )
    .unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("poster-a3.yaml:"), "{e}");
    assert!(e.contains("item `poster-a3` zone `picto`: pictogram `fanzha` at 70.0 mm has strokes 0.1"), "{e}");
    assert!(e.contains("thinner than the item's minimum stroke 0.2 mm"), "{e}");
    assert!(!e.contains("pictogram `jindu`"), "only the thin one: {e}");
    let out = scratch("picto-thin-out");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf --proof", &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("zone `picto`: pictogram `fanzha`"), "{}", stderr(&o));
    assert!(files(&out).is_empty(), "{:?}", files(&out));
}

/// A one-pair render reads from each font only the glyphs it sets (once the
/// font is noted as verified on this machine); its files are byte for byte
/// those of a run that read the fonts whole: every item, horizontal and
/// vertical, with a station's footer, as print files and as marked proofs.
#[test]
fn reading_only_the_glyphs_set_changes_no_byte() {
    let lib = library();
    let cache = scratch("partial-cache");
    let run = |out: &Path, item: &str, slogan: &str, proof: bool| {
        let mut args = vec!["render", "--slogan", slogan, "--item", item, "--format", "pdf", "--format", "svg"];
        args.extend(["--station", "examples/station.yaml", "--out", out.to_str().unwrap()]);
        if proof {
            args.push("--proof");
        }
        let project = if proof { root() } else { approved_root().to_path_buf() };
        let o = command_in(&project, &args).env("XDG_CACHE_HOME", &cache).current_dir(root()).output().unwrap();
        assert!(o.status.success(), "{item} {slogan}: {}", stderr(&o));
    };
    let mut compared = 0;
    for (k, item) in lib.items.iter().enumerate() {
        // A different slogan per item, so many characters are exercised.
        let fits: Vec<_> = lib.slogans.iter().filter(|s| item.suits(s)).collect();
        let slogan = &fits[(k * 37) % fits.len()].id;
        let proof = k % 3 == 0;
        let (whole, partial) = (scratch(&format!("whole-{k}")), scratch(&format!("partial-{k}")));
        // No note of the fonts yet: read whole (and noted); then read in part.
        let _ = std::fs::remove_dir_all(&cache);
        run(&whole, &item.id, slogan, proof);
        run(&partial, &item.id, slogan, proof);
        assert_eq!(files(&whole), files(&partial));
        for f in files(&whole) {
            let (a, b) = (std::fs::read(whole.join(&f)).unwrap(), std::fs::read(partial.join(&f)).unwrap());
            assert!(a == b, "{f} differs when only the set glyphs are read");
            compared += 1;
        }
    }
    assert!(compared >= 2 * lib.items.len(), "{compared}");
}

/// A tip set one clause a line (`chunks: true` on the poster) reads as a
/// list; a tip of more clauses than the zone holds as a list is set as one
/// paragraph instead of failing.
#[test]
fn chunked_tips_are_lists_and_fall_back_to_a_paragraph() {
    let p = project_copy("chunked-tips");
    let many: String = (1..=9).map(|i| format!("第{i}条别忘，")).collect();
    std::fs::write(
        p.join("slogans/zz.yaml"),
        format!(
            "topic: 反诈\nslogans:\n  - id: tip-list\n    lines: [钱袋子要捂得紧, 陌生来电别轻信]\n    tip: 先挂断电话，再打96110核实，不给陌生人转账。\n    items: [poster-a3]\n  - id: tip-long\n    lines: [钱袋子要捂得紧, 陌生来电别轻信]\n    tip: {many}\n    items: [poster-a3]\n"
        ),
    )
    .unwrap();
    let out = p.join("out");
    let words = "render --slogan tip-list --slogan tip-long --item poster-a3 --proof --format pdf --station examples/station.yaml";
    let o = run_words(&p, words, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = |id: &str| -> Vec<String> {
        let pdf = out.join(format!("poster-a3--{id}--样稿未审定.pdf"));
        tool_ok("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).lines().map(|l| l.trim().to_string()).collect()
    };
    // One line a clause, line-end marks dropped as on the slogan.
    let list = lines("tip-list");
    for want in ["先挂断电话", "再打96110核实", "不给陌生人转账"] {
        assert!(list.iter().any(|l| l == want), "{want} is not a line of its own: {list:?}");
    }
    // Nine clauses do not fit as a list: a paragraph of a few lines, punctuation kept.
    let long = lines("tip-long");
    let tip: Vec<&String> = long.iter().filter(|l| l.contains("条别忘")).collect();
    assert!((1..=4).contains(&tip.len()), "{long:?}");
    assert!(tip[0].contains("第1条别忘，第2条别忘，"), "{tip:?}");
}
