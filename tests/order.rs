//! Orders to packages: checked as a whole, complete or nothing, checksums
//! that match, a job sheet with the right totals, QR codes that scan,
//! shards that add up to the same bytes.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const ORDER: &str = "orders/chengguan-winter.yaml";
const SLOGANS: [&str; 6] =
    ["fanzha-shucaitan", "fanzha-96110", "fanzha-shuiguotan", "fanzha-qiandaizi", "xiaofang-dianche", "wangluo-mima"];

/// A project copy with the example order's slogans approved.
fn approved_order_project(name: &str) -> PathBuf {
    let p = project_copy(name);
    let mut args = vec!["approve", "--by", "示例审核员"];
    args.extend(SLOGANS);
    let o = jiediqi_in(&p, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

fn order(p: &Path, extra: &[&str], out: &Path) -> std::process::Output {
    let order = p.join(ORDER);
    let mut args = vec!["order", order.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    jiediqi_in(p, &args)
}

/// Every file under a folder, relative path → bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push((p.strip_prefix(base).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

#[test]
fn the_example_order_makes_a_complete_package() {
    let p = approved_order_project("order-full");
    let out = p.join("out");
    let o = order(&p, &["--zip"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("chengguan-winter");
    let files = tree(&pkg);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // 16 distinct designs: 2 bags, 2 posters and 1 mouse pad carry each
    // station's block (× 3 stations); the apron has none, so its three
    // stations share one file. The mouse pads' die line in one cut file
    // beside their three stations' print files: the die is the item's.
    let print: Vec<&&str> = names.iter().filter(|n| n.starts_with("print/")).collect();
    assert_eq!(print.len(), 16 + 1, "{names:?}");
    let cuts: Vec<&&&str> = print.iter().filter(|n| n.ends_with(".cut.pdf")).collect();
    assert_eq!(cuts, [&&"print/mousepad-small--wangluo-mima.cut.pdf"]);
    for st in ["chengguan", "dongguan", "xihe"] {
        let pad = format!("print/mousepad-small--wangluo-mima--{st}.pdf");
        assert!(names.contains(&pad.as_str()), "{pad} missing: {names:?}");
    }
    // One proof per item × slogan, not per file: 1 apron, 2 bags, 1 mouse
    // pad, 2 posters; a per-station design's proof is its first station's.
    let proofs: Vec<&&str> = names.iter().filter(|n| n.starts_with("proofs/")).collect();
    assert_eq!(proofs.len(), 6, "{proofs:?}");
    assert!(names.contains(&"proofs/poster-a3--fanzha-qiandaizi.png"), "{proofs:?}");
    // The vendor asked for SVG: a composite per design, a film per spot ink
    // (the bags' one, the apron's yellow and its white underbase).
    let svgs: Vec<&&str> = names.iter().filter(|n| n.starts_with("svg/")).collect();
    assert_eq!(svgs.len(), 16 + 6 + 2, "{svgs:?}");
    assert!(names.contains(&"svg/apron--fanzha-shuiguotan.ink-underbase.svg"));
    // PDF films for the screen prints: 2 bags × 3 stations + 1 apron.
    assert_eq!(names.iter().filter(|n| n.starts_with("films/")).count(), 7, "{names:?}");
    assert!(names.contains(&"svg/bag-nonwoven--fanzha-shucaitan--chengguan.ink-red.svg"));
    assert!(names.contains(&"svg/apron--fanzha-shuiguotan.ink-yellow.svg"));
    let apron_svg = &files.iter().find(|(n, _)| n == "svg/apron--fanzha-shuiguotan.svg").unwrap().1;
    assert!(!String::from_utf8_lossy(apron_svg).contains("data-substrate"), "substrate in a vendor's SVG");
    for doc in ["生产单.pdf", "样稿总览.pdf", "manifest.json", "README.txt", "SHA256SUMS"] {
        assert!(names.contains(&doc), "{doc} missing");
    }
    assert!(names.contains(&"print/bag-nonwoven--fanzha-shucaitan--chengguan.pdf"));
    // The manifest's checksums and sizes match the files.
    let manifest = String::from_utf8(files.iter().find(|(n, _)| n == "manifest.json").unwrap().1.clone()).unwrap();
    let mut checked = 0;
    for chunk in manifest.split("{\"path\": \"").skip(1) {
        let path = chunk.split('"').next().unwrap();
        let sum = chunk.split("\"sha256\": \"").nth(1).unwrap().split('"').next().unwrap();
        let bytes: usize = chunk
            .split("\"bytes\": ")
            .nth(1)
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (_, data) = files.iter().find(|(n, _)| n == path).unwrap_or_else(|| panic!("{path} listed but missing"));
        assert_eq!(jiediqi::review::sha256_hex(data), sum, "{path}");
        assert_eq!(data.len(), bytes, "{path}");
        checked += 1;
    }
    assert_eq!(checked, 17 + 24 + 7 + 6 + 3, "every file and document listed");
    // Each cut file is listed as one, with the die line's ink only; a film with its ink.
    let row = |path: &str| manifest.lines().find(|l| l.contains(&format!("\"path\": \"{path}\""))).unwrap().to_string();
    let cut = row("print/mousepad-small--wangluo-mima.cut.pdf");
    assert!(cut.contains("\"kind\": \"cut\"") && cut.contains("\"inks\": [\"CutContour\"]"), "{cut}");
    for st in ["chengguan", "dongguan", "xihe"] {
        assert!(cut.contains(&format!("{{\"id\": \"{st}\"")), "the cut file serves every station: {cut}");
    }
    let print_row = row("print/mousepad-small--wangluo-mima--chengguan.pdf");
    assert!(print_row.contains("\"kind\": \"print\"") && !print_row.contains("CutContour"), "{print_row}");
    let film = row("svg/bag-nonwoven--fanzha-shucaitan--chengguan.ink-red.svg");
    assert!(film.contains("\"kind\": \"film\"") && film.contains("\"inks\": [\"PANTONE 2728 C\"]"), "{film}");
    let films = row("films/apron--fanzha-shuiguotan.pdf");
    assert!(
        films.contains("\"kind\": \"films\"") && films.contains("\"inks\": [\"Underbase\", \"PANTONE 116 C\"]"),
        "{films}"
    );
    // The cut file has its print file's boxes and only the CutContour separation.
    let box_lines = |rel: &str| -> Vec<String> {
        let info = tool_ok("pdfinfo", &["-box", pkg.join(rel).to_str().unwrap()]);
        info.lines()
            .filter(|l| l.contains("Box:") && !l.starts_with("CropBox") && !l.starts_with("ArtBox"))
            .map(str::to_string)
            .collect()
    };
    let base = "print/mousepad-small--wangluo-mima--chengguan";
    let cut_file = "print/mousepad-small--wangluo-mima.cut.pdf";
    assert_eq!(box_lines(&format!("{base}.pdf")), box_lines(cut_file));
    let cut_plates = plates(&pkg.join(cut_file), 12);
    let inked: Vec<&String> =
        cut_plates.iter().filter(|(_, (_, _, px))| px.iter().any(|&v| v > 5)).map(|(n, _)| n).collect();
    assert_eq!(inked, ["CutContour"]);
    let print_plates = plates(&pkg.join(format!("{base}.pdf")), 12);
    assert!(
        print_plates.keys().all(|n| ["Cyan", "Magenta", "Yellow", "Black"].contains(&n.as_str())),
        "{:?}",
        print_plates.keys()
    );
    let print_bytes =
        String::from_utf8_lossy(&files.iter().find(|(n, _)| n == &format!("{base}.pdf")).unwrap().1).into_owned();
    assert!(!print_bytes.contains("CutContour") && !print_bytes.contains("Dieline"));
    let readme = String::from_utf8(files.iter().find(|(n, _)| n == "README.txt").unwrap().1.clone()).unwrap();
    assert!(readme.contains(".cut.pdf") && readme.contains("CutContour") && readme.contains(".ink-"), "{readme}");
    // CRLF lines for Notepad, their indentation kept.
    assert!(
        readme.contains("\r\n  print/        印刷文件") && readme.contains("\r\n                含 TrimBox"),
        "{readme}"
    );
    assert!(!readme.replace("\r\n", "").contains('\n'), "a bare LF in README.txt");
    assert!(manifest.contains("\"approved\": {\"by\": \"示例审核员\""));
    assert!(manifest.contains("{\"id\": \"xihe\", \"name\": \"西河派出所\", \"quantity\": 300}"));
    // SHA256SUMS verifies with the standard tool.
    let o = std::process::Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&pkg).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // The job sheet lists every file and the right totals.
    let js = pkg.join("生产单.pdf");
    let text: String =
        tool_ok("pdftotext", &["-raw", js.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect();
    for (n, _) in files.iter().filter(|(n, _)| n.starts_with("print/") || n.starts_with("films/")) {
        assert!(text.contains(n.as_str()), "{n} not on the job sheet");
    }
    // The apron's underbase is on the job sheet as a screen of its own, printed first.
    assert!(text.contains("专色：Underbase、PANTONE116C（Underbase为白墨打底，先印"), "{text}");
    assert!(text.contains("设计与数量16个设计，共2100件"), "{text}");
    for total in [
        // item, id, designs, screens or plates, pieces
        "无纺布袋bag-nonwoven661800件",
        "围裙apron12120件",
        "海报A3poster-a3624120件",
        "鼠标垫小号mousepad-small3060件",
        "总计16322100件",
    ] {
        assert!(text.contains(total), "{total} missing: {text}");
    }
    // The zip holds the same files.
    let zip = std::fs::read(out.join("chengguan-winter.zip")).unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let o = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))",
        ])
        .arg(out.join("chengguan-winter.zip"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Everything but our marker (it records the zip's checksum, so it is not in the zip).
    let marker = files.iter().find(|(n, _)| n == ".jiediqi-package").expect("package marker");
    assert!(String::from_utf8_lossy(&marker.1).contains(&format!("zip {}", sha256_hex(&zip))));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), (files.len() - 1).to_string());
    // The same order gives a byte-identical package.
    let out2 = p.join("out2");
    assert!(order(&p, &["--zip"], &out2).status.success());
    assert!(tree(&out2.join("chengguan-winter")) == files, "package bytes differ between runs");
    assert_eq!(std::fs::read(out2.join("chengguan-winter.zip")).unwrap(), zip);
}

#[test]
fn qr_codes_in_the_package_scan_to_each_stations_link() {
    let p = approved_order_project("order-qr");
    let out = p.join("out");
    assert!(order(&p, &[], &out).status.success());
    let decode = |png: &Path| -> Vec<String> {
        let pm = resvg::tiny_skia::Pixmap::load_png(png).unwrap();
        let (w, h) = (pm.width() as usize, pm.height() as usize);
        let data = pm.data();
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[(y * w + x) * 4 + 1]);
        img.detect_grids().iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect()
    };
    // Each station's print file, as poppler draws it.
    for (station, link) in [
        ("chengguan", "https://example.org/chengguan"),
        ("dongguan", "https://example.org/dongguan"),
        ("xihe", "https://example.org/xihe"),
    ] {
        let pdf = out.join(format!("chengguan-winter/print/poster-a3--fanzha-qiandaizi--{station}.pdf"));
        let prefix = out.join(format!("qr-{station}"));
        tool_ok("pdftoppm", &["-png", "-r", "100", "-singlefile", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
        assert_eq!(decode(&prefix.with_extension("png")), vec![link.to_string()], "{station}");
    }
    // The design's one proof shows the first station's version.
    let proof = out.join("chengguan-winter/proofs/poster-a3--fanzha-qiandaizi.png");
    assert_eq!(decode(&proof), vec!["https://example.org/chengguan".to_string()]);
}

#[test]
fn sharded_output_equals_unsharded_output() {
    let p = approved_order_project("order-shards");
    let whole = p.join("whole");
    assert!(order(&p, &["--zip"], &whole).status.success());
    let parts = p.join("parts");
    for i in 1..=3 {
        let o = order(&p, &["--shard", &format!("{i}/3")], &parts);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // Merging needs every shard.
    let lonely = p.join("lonely");
    assert!(order(&p, &["--shard", "2/3"], &lonely).status.success());
    let o = order(&p, &["--merge-shards"], &lonely);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("incomplete"), "{}", stderr(&o));
    let o = order(&p, &["--merge-shards", "--zip"], &parts);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tree(&parts.join("chengguan-winter")) == tree(&whole.join("chengguan-winter")), "merged package differs");
    assert_eq!(
        std::fs::read(parts.join("chengguan-winter.zip")).unwrap(),
        std::fs::read(whole.join("chengguan-winter.zip")).unwrap()
    );
    // Shards split the work: no file in two shards.
    let mut seen = std::collections::BTreeSet::new();
    for i in 1..=3 {
        for (n, _) in tree(&parts.join(format!("chengguan-winter.shard-{i}-of-3"))) {
            if n.starts_with("print/") {
                assert!(seen.insert(n.clone()), "{n} in two shards");
            }
        }
    }
    assert_eq!(seen.len(), 16 + 1, "16 print files and the mouse pads' one cut file");
}

#[test]
fn an_order_with_bad_lines_writes_nothing_and_names_every_problem() {
    let p = approved_order_project("order-bad");
    let path = p.join(ORDER);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("  - item: apron\n", "  - item: teapot\n").replace(
        "slogans: [fanzha-qiandaizi, xiaofang-dianche]",
        "slogans: [fanzha-qiandaizi, xiaofang-119, no-such-slogan]",
    );
    std::fs::write(&path, text).unwrap();
    // A station without a phone, which the footers need.
    std::fs::write(p.join("orders/stations.csv"), "id,name,phone,qr\nchengguan,城关派出所,0912-1234567,https://example.org/c\nnophone,北关派出所,,https://example.org/n\n").unwrap();
    // A slogan that fits nowhere.
    add_slogan_that_does_not_fit(&p, "way-too-long");
    let o = jiediqi_in(&p, &["approve", "way-too-long", "--by", "示例审核员", "--override-lint", "测试"]);
    assert!(o.status.success());
    let order_text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("slogans: [wangluo-mima]", "slogans: [wangluo-mima, way-too-long]");
    std::fs::write(&path, order_text).unwrap();
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("unknown item `teapot`"), "{e}");
    assert!(e.contains("unknown slogan `no-such-slogan`"), "{e}");
    assert!(e.contains("slogan `xiaofang-119` is not approved for print (pending"), "{e}");
    assert!(e.contains("station `北关派出所`") && e.contains("the station has no `phone`"), "{e}");
    assert!(files(&out).is_empty(), "something was written: {:?}", files(&out));
    // The too-long slogan is caught once the other lines are fixed.
    let fixed = std::fs::read_to_string(&path)
        .unwrap()
        .replace("teapot", "apron")
        .replace(", xiaofang-119, no-such-slogan", "");
    std::fs::write(&path, fixed).unwrap();
    std::fs::write(
        p.join("orders/stations.csv"),
        "id,name,phone,qr\nchengguan,城关派出所,0912-1234567,https://example.org/c\n",
    )
    .unwrap();
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("mousepad-small--way-too-long--chengguan") && stderr(&o).contains("does not fit"),
        "{}",
        stderr(&o)
    );
    assert!(files(&out).is_empty());
}

#[test]
fn station_lists_in_gbk_or_with_a_bom_load() {
    let p = approved_order_project("order-csv");
    let csv = "编号,名称,地址,电话,热线,二维码\r\nnanguan,南关派出所,南关街1号,0912-5550001,96110,https://example.org/nanguan\r\n";
    for (label, bytes) in [
        ("gbk", encoding_rs::GBK.encode(csv).0.into_owned()),
        ("bom", [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat()),
    ] {
        std::fs::write(p.join("orders/stations.csv"), &bytes).unwrap();
        let out = p.join(format!("out-{label}"));
        let o = order(&p, &[], &out);
        assert!(o.status.success(), "{label}: {}", stderr(&o));
        let manifest = std::fs::read_to_string(out.join("chengguan-winter/manifest.json")).unwrap();
        assert!(manifest.contains("\"name\": \"南关派出所\""), "{label}");
        assert!(out.join("chengguan-winter/print/bag-nonwoven--fanzha-96110--nanguan.pdf").exists());
    }
}

#[test]
fn a_station_name_outside_the_fonts_is_a_clear_error() {
    let p = approved_order_project("order-glyph");
    std::fs::write(p.join("orders/stations.csv"), "id,name,phone\nji,𠮷城派出所,0912-1234567\n").unwrap();
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("station footer") && e.contains("𠮷 (U+20BB7)"), "{e}");
    assert!(files(&out).is_empty());
}

#[test]
fn an_order_line_may_swap_a_swappable_spot_ink() {
    let p = approved_order_project("order-inks");
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = std::fs::read_to_string(out.join("chengguan-winter/manifest.json")).unwrap();
    let bag = manifest.lines().find(|l| l.contains("print/bag-nonwoven--fanzha-96110--xihe.pdf")).unwrap();
    assert!(bag.contains("\"inks\": [\"PANTONE 2728 C\"]"), "{bag}");
    // The print file's only plate is the new ink.
    let pdf = out.join("chengguan-winter/print/bag-nonwoven--fanzha-96110--xihe.pdf");
    let raw = pdf_objects(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(raw.contains("/Separation /PANTONE#202728#20C"), "new spot ink missing");
    assert!(!raw.contains("PANTONE#20186#20C"), "old spot ink still there");
    // Inks the template does not allow to change are refused.
    let path = p.join(ORDER);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "  - item: apron\n    slogans: [fanzha-shuiguotan]\n",
        "  - item: apron\n    slogans: [fanzha-shuiguotan]\n    inks: { yellow: { spot: PANTONE 021 C, cmyk: [0, 53, 100, 0] } }\n",
    );
    std::fs::write(&path, text).unwrap();
    let out2 = p.join("out2");
    let o = order(&p, &[], &out2);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ink `yellow` of item `apron` cannot be changed"), "{}", stderr(&o));
    assert!(files(&out2).is_empty());
}

#[test]
fn two_sided_items_have_both_sides_proofed_listed_and_on_the_contact_sheet() {
    let p = approved_order_project("order-two-sided");
    let path = p.join("orders/two-sided.yaml");
    let example = std::fs::read_to_string(p.join(ORDER)).unwrap();
    let head = &example[..example.find("stations:").unwrap()];
    let mut text = head.to_string();
    text.push_str("stations:\n  list:\n");
    for (id, name) in [("chengguan", "城关派出所"), ("dongguan", "东关派出所")] {
        text.push_str(&format!(
            "    - {{ id: {id}, name: {name}, phone: 0912-1234567, address: 人民路 88 号, qr: \"https://example.org/{id}\", officer: {{ name: 李警官, phone: 138-0000-0000 }} }}\n"
        ));
    }
    text.push_str("lines:\n  - item: card-contact\n    slogans: [fanzha-96110]\n    quantity: 500\n");
    text.push_str("  - item: trifold-16k\n    slogans: [fanzha-96110]\n    quantity: 500\n");
    std::fs::write(&path, text).unwrap();
    let out = p.join("out");
    let o = jiediqi_in(&p, &["order", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("two-sided");
    let proofs = files(&pkg.join("proofs"));
    assert_eq!(
        proofs,
        [
            "card-contact--fanzha-96110--back.png",
            "card-contact--fanzha-96110.png",
            "trifold-16k--fanzha-96110--back.png",
            "trifold-16k--fanzha-96110.png"
        ]
    );
    // The back proof is the back: the officer's name is drawn on it, not on the front.
    let front = std::fs::read(pkg.join("proofs/card-contact--fanzha-96110.png")).unwrap();
    let back = std::fs::read(pkg.join("proofs/card-contact--fanzha-96110--back.png")).unwrap();
    assert_ne!(front, back);
    // Every file is in the manifest, the back sides' SVGs and proofs too.
    let manifest = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    let sums = std::fs::read_to_string(pkg.join("SHA256SUMS")).unwrap();
    for line in sums.lines() {
        let path = line.split_once("  ").unwrap().1;
        if !matches!(path, "生产单.pdf" | "样稿总览.pdf" | "README.txt" | "manifest.json") {
            assert!(manifest.contains(&format!("\"path\": \"{path}\"")), "{path} not in the manifest");
        }
    }
    let row = manifest
        .lines()
        .find(|l| l.contains("\"path\": \"svg/card-contact--fanzha-96110--dongguan--back.svg\""))
        .unwrap();
    assert!(row.contains("\"stations\": [{\"id\": \"dongguan\""), "{row}");
    // The contact sheet shows each side: one cell for the front, one for the back.
    let sheet = pkg.join("样稿总览.pdf");
    let text = tool_ok("pdftotext", &[sheet.to_str().unwrap(), "-"]);
    // (the mockups' own captions are pictures: the cell labels are the text).
    assert_eq!(text.matches("背面").count(), 2, "{text}");
    assert!(text.contains("card-contact--fanzha-96110\n背面"), "{text}");
}

#[test]
fn check_validates_the_orders_too() {
    let p = project_copy("order-check");
    let o = jiediqi_in(&p, &["check"]);
    assert!(o.status.success(), "unapproved slogans are fine for check: {}", stderr(&o));
    let path = p.join(ORDER);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("item: apron", "item: teapot")
        .replace("due: 2026-12-20", "due: 20.12.2026");
    std::fs::write(&path, text).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("due date `20.12.2026` is not YYYY-MM-DD"), "{e}");
}

/// Shards made before a slogan was rejected (or with tampered file lists)
/// are not merged into a package.
#[test]
fn merging_refuses_shards_made_from_other_inputs() {
    let p = approved_order_project("order-stale-shards");
    let parts = p.join("parts");
    for i in 1..=2 {
        assert!(order(&p, &["--shard", &format!("{i}/2")], &parts).status.success());
    }
    // The reviewer rejects a slogan after the shards were rendered.
    assert!(jiediqi_in(&p, &["reject", "xiaofang-dianche", "--by", "李审核", "--reason", "再改改"]).status.success());
    let o = order(&p, &["--merge-shards"], &parts);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not approved for print"), "{}", stderr(&o));
    assert!(!parts.join("chengguan-winter").exists());
    // Approved again but edited wording: the shards no longer match.
    let path = p.join("slogans/fanzha.yaml");
    let t = std::fs::read_to_string(&path).unwrap().replacen("陌生来电别轻信。", "陌生电话别轻信。", 1);
    assert_ne!(t, std::fs::read_to_string(&path).unwrap(), "the edit must change the wording");
    std::fs::write(&path, t).unwrap();
    assert!(jiediqi_in(&p, &["approve", "fanzha-qiandaizi", "xiaofang-dianche", "--by", "李审核"]).status.success());
    let o = order(&p, &["--merge-shards"], &parts);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rendered from other inputs"), "{}", stderr(&o));
    // A shard file changed after rendering, with its checksum list updated to
    // match, is still refused: the merge compares with its own rendering.
    let parts2 = p.join("parts2");
    for i in 1..=2 {
        assert!(order(&p, &["--shard", &format!("{i}/2")], &parts2).status.success());
    }
    let shard = parts2.join("chengguan-winter.shard-1-of-2");
    let sums = shard.join("SHARD-SHA256SUMS");
    let list = std::fs::read_to_string(&sums).unwrap();
    let victim = list.lines().find(|l| l.ends_with(".pdf")).unwrap().split_once("  ").unwrap().1.to_string();
    let mut bytes = std::fs::read(shard.join(&victim)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(shard.join(&victim), &bytes).unwrap();
    let fixed: String = list
        .lines()
        .map(|l| if l.ends_with(&victim) { format!("{}  {victim}\n", sha256_hex(&bytes)) } else { format!("{l}\n") })
        .collect();
    std::fs::write(&sums, fixed).unwrap();
    let o = order(&p, &["--merge-shards"], &parts2);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&format!("{victim} differs from what this order renders")), "{}", stderr(&o));
    assert!(!parts2.join("chengguan-winter").exists());
    // A file slipped into a shard is refused too.
    std::fs::write(shard.join(&victim), {
        bytes[at] ^= 1;
        &bytes
    })
    .unwrap();
    std::fs::write(shard.join("print/extra.pdf"), b"%PDF-1.7").unwrap();
    let o = order(&p, &["--merge-shards"], &parts2);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("print/extra.pdf is not a file of this order"), "{}", stderr(&o));
    std::fs::remove_file(shard.join("print/extra.pdf")).unwrap();
    assert!(order(&p, &["--merge-shards"], &parts2).status.success());
}

fn sha256_hex(b: &[u8]) -> String {
    jiediqi::review::sha256_hex(b)
}

#[test]
fn a_package_never_replaces_a_folder_it_did_not_write() {
    let p = approved_order_project("order-clobber");
    let out = p.join("out");
    std::fs::create_dir_all(out.join("chengguan-winter")).unwrap();
    std::fs::write(out.join("chengguan-winter/precious.txt"), "keep me").unwrap();
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("chengguan-winter exists and is not a package jiediqi wrote"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out.join("chengguan-winter/precious.txt")).unwrap(), "keep me");
    // A file a user put into our own package is never removed by a rerun.
    let out3 = p.join("out3");
    assert!(order(&p, &["--zip"], &out3).status.success());
    std::fs::write(out3.join("chengguan-winter/notes.txt"), "张师傅：周三取货").unwrap();
    let o = order(&p, &[], &out3);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds files jiediqi did not write: notes.txt"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out3.join("chengguan-winter/notes.txt")).unwrap(), "张师傅：周三取货");
    assert!(out3.join("chengguan-winter.zip").exists());
    std::fs::remove_file(out3.join("chengguan-winter/notes.txt")).unwrap();
    // Nor an empty folder someone made in it.
    std::fs::create_dir_all(out3.join("chengguan-winter/返工")).unwrap();
    let o = order(&p, &[], &out3);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds files jiediqi did not write: 返工/"), "{}", stderr(&o));
    std::fs::remove_dir(out3.join("chengguan-winter/返工")).unwrap();
    // Nor a zip it did not write.
    std::fs::write(out3.join("chengguan-winter.zip"), b"someone else's zip").unwrap();
    let o = order(&p, &["--zip"], &out3);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("chengguan-winter.zip exists and was not written with this package"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out3.join("chengguan-winter.zip")).unwrap(), b"someone else's zip");
    // Station keys that differ only in case would overwrite each other on Windows.
    let csv = p.join("orders/stations.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, format!("{text}Chengguan,另一个城关派出所,0912-7777777,,96110,https://example.org/x\n"))
        .unwrap();
    let o = order(&p, &[], &p.join("out4"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("stations.csv:5:1: station `Chengguan` appears twice"), "{}", stderr(&o));
    std::fs::write(&csv, text).unwrap();
    // Our own earlier package is replaced; a zip from before goes with it.
    let out2 = p.join("out2");
    assert!(order(&p, &["--zip"], &out2).status.success());
    assert!(order(&p, &[], &out2).status.success());
    assert!(!out2.join("chengguan-winter.zip").exists(), "a stale zip was left beside the new package");
}

#[test]
fn empty_station_lists_and_too_few_pieces_are_errors() {
    let p = approved_order_project("order-empty");
    std::fs::write(p.join("orders/stations.csv"), "id,name,phone\n").unwrap();
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the order has no stations"), "{}", stderr(&o));
    std::fs::write(p.join("orders/stations.csv"), "id,name,phone\na,甲派出所,1\nb,乙派出所,2\n").unwrap();
    let path = p.join(ORDER);
    let t = std::fs::read_to_string(&path)
        .unwrap()
        .replace("    quantity: 60\n    per: total", "    quantity: 1\n    per: total");
    std::fs::write(&path, t).unwrap();
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("1 pieces in all cannot be shared over 2 designs"), "{}", stderr(&o));
    assert!(files(&out).is_empty());
}

// ---- Station lists from Excel (.xlsx) ----

/// A zip as the tests need it: each part stored or deflated, and a size to
/// declare in its headers other than its own (for forged archives).
fn zip_parts(parts: &[(&str, Vec<u8>, bool, Option<u32>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data, deflate, declared) in parts {
        let body = if *deflate { miniz_oxide::deflate::compress_to_vec(data, 6) } else { data.clone() };
        let header = |sig: u32, offset: Option<u32>| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if offset.is_some() {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend((1u16 << 11).to_le_bytes());
            h.extend(if *deflate { 8u16 } else { 0u16 }.to_le_bytes());
            h.extend([0u8; 4]); // time, date
            h.extend(crc32fast::hash(data).to_le_bytes());
            h.extend((body.len() as u32).to_le_bytes());
            h.extend(declared.unwrap_or(data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if let Some(offset) = offset {
                h.extend([0u8; 10]); // comment length, disk, attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        central.extend(header(0x0201_4b50, Some(out.len() as u32)));
        out.extend(header(0x0403_4b50, None));
        out.extend(&body);
    }
    let (cd_offset, cd_len) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A cell of a test workbook.
#[derive(Clone, Copy)]
enum Xc<'a> {
    /// A string in the shared strings table, as Excel writes text.
    S(&'a str),
    /// An inline string, as some exporters write text.
    I(&'a str),
    /// A number (a phone number typed as one is a float in the file).
    N(f64),
    /// A spreadsheet error value.
    E(&'a str),
}

/// A sheet's rows: Excel's row number, the cells from column A.
type SheetRows<'a> = Vec<(u32, Vec<Xc<'a>>)>;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The parts of a workbook: sheets of rows (Excel's row number, cells from
/// column A), shared strings when any cell uses them.
fn workbook_parts(sheets: &[(&str, SheetRows<'_>)]) -> Vec<(String, Vec<u8>)> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut strings: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    let (mut list, mut rels, mut types) = (String::new(), String::new(), String::new());
    for (n, (name, rows)) in sheets.iter().enumerate() {
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"{main}\"><sheetData>"
        );
        for (r, cells) in rows {
            xml += &format!("<row r=\"{r}\">");
            for (c, cell) in cells.iter().enumerate() {
                let at = format!("{}{r}", char::from(b'A' + c as u8));
                xml += &match cell {
                    Xc::S(s) => {
                        let i = strings.iter().position(|x| x == s).unwrap_or_else(|| {
                            strings.push(s);
                            strings.len() - 1
                        });
                        format!("<c r=\"{at}\" t=\"s\"><v>{i}</v></c>")
                    }
                    Xc::I(s) => format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>", xml_escape(s)),
                    Xc::N(v) => format!("<c r=\"{at}\"><v>{v:?}</v></c>"),
                    Xc::E(e) => format!("<c r=\"{at}\" t=\"e\"><v>{e}</v></c>"),
                };
            }
            xml += "</row>";
        }
        xml += "</sheetData></worksheet>";
        let k = n + 1;
        parts.push((format!("xl/worksheets/sheet{k}.xml"), xml.into_bytes()));
        list += &format!("<sheet name=\"{}\" sheetId=\"{k}\" r:id=\"rId{k}\"/>", xml_escape(name));
        rels += &format!("<Relationship Id=\"rId{k}\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet{k}.xml\"/>");
        types += &format!(
            "<Override PartName=\"/xl/worksheets/sheet{k}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    if !strings.is_empty() {
        let mut sst = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"{main}\" count=\"{0}\" uniqueCount=\"{0}\">",
            strings.len()
        );
        for s in &strings {
            sst += &format!("<si><t>{}</t></si>", xml_escape(s));
        }
        sst += "</sst>";
        parts.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
        rels += &format!("<Relationship Id=\"rIdS\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/>");
        types += "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>";
    }
    let pkg = "http://schemas.openxmlformats.org/package/2006";
    let mut all = vec![
        (
            "[Content_Types].xml".to_string(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"{pkg}/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{types}</Types>").into_bytes(),
        ),
        (
            "_rels/.rels".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{pkg}/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").into_bytes(),
        ),
        (
            "xl/workbook.xml".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"{main}\" xmlns:r=\"{rel}\"><sheets>{list}</sheets></workbook>").into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{pkg}/relationships\">{rels}</Relationships>").into_bytes(),
        ),
    ];
    all.extend(parts);
    all
}

/// A workbook's bytes, its parts deflated as Excel writes them.
fn workbook(sheets: &[(&str, SheetRows<'_>)]) -> Vec<u8> {
    let parts = workbook_parts(sheets);
    zip_parts(&parts.iter().map(|(n, d)| (n.as_str(), d.clone(), true, None)).collect::<Vec<_>>())
}

fn xlsx_err(bytes: &[u8]) -> String {
    match jiediqi::order::stations_from_xlsx(Path::new("stations.xlsx"), bytes) {
        Ok(s) => panic!("read as {} stations", s.len()),
        Err(d) => d.to_string(),
    }
}

/// The station list every xlsx test starts from: Chinese headers, text in
/// shared and in inline strings, phone numbers typed as numbers, empty rows.
fn station_sheet() -> SheetRows<'static> {
    use Xc::*;
    vec![
        (2, vec![S("编号"), S("名称"), S("地址"), S("值班电话"), S("热线"), S("二维码")]),
        (
            3,
            vec![
                S("chengguan"),
                S("城关派出所"),
                S("城关镇人民路88号"),
                N(9121234567.0),
                N(96110.0),
                S("https://example.org/chengguan"),
            ],
        ),
        (4, vec![S(""), S(" "), I("")]),
        (
            6,
            vec![
                I("dongguan"),
                I("东关派出所"),
                I("东关街道红旗路16号 <东口> & 北"),
                I("0912-2345678"),
                N(96110.0),
                I("https://example.org/dongguan"),
            ],
        ),
    ]
}

#[test]
fn xlsx_station_lists_read_like_csv() {
    let path = Path::new("名单.xlsx");
    let got = jiediqi::order::stations_from_xlsx(path, &workbook(&[("Sheet1", station_sheet())])).unwrap();
    let seen: Vec<String> = got
        .iter()
        .map(|(loc, e)| {
            format!(
                "{loc} {}|{}|{}|{}|{}|{}",
                e.id.as_deref().unwrap_or("-"),
                e.name,
                e.address.as_deref().unwrap_or("-"),
                e.phone.as_deref().unwrap_or("-"),
                e.hotline.as_deref().unwrap_or("-"),
                e.qr.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            "名单.xlsx:3:1 chengguan|城关派出所|城关镇人民路88号|9121234567|96110|https://example.org/chengguan",
            "名单.xlsx:6:1 dongguan|东关派出所|东关街道红旗路16号 <东口> & 北|0912-2345678|96110|https://example.org/dongguan",
        ]
    );
    // A sheet named 派出所 is the list even when it is not the first.
    let notes = vec![(1, vec![Xc::S("说明"), Xc::S("见第二页")])];
    let two = workbook(&[("说明", notes.clone()), ("派出所", station_sheet())]);
    assert_eq!(jiediqi::order::stations_from_xlsx(path, &two).unwrap().len(), 2);
    // Otherwise the first sheet is.
    let e = xlsx_err(&workbook(&[("说明", notes), ("Sheet2", station_sheet())]));
    assert!(e.contains("no name column among [\"说明\", \"见第二页\"] (sheet `说明`)"), "{e}");
    // The studio's upload and a path pick the reader by extension.
    let bytes = workbook(&[("Sheet1", station_sheet())]);
    assert_eq!(jiediqi::order::stations_from_upload("名单.XLSX", &bytes).unwrap().len(), 2);
    let csv = "name,phone\n城关派出所,0912-1234567\n";
    assert_eq!(jiediqi::order::stations_from_upload("名单.csv", csv.as_bytes()).unwrap().len(), 1);
    for (name, says) in [("名单.xls", "另存为"), ("名单.txt", "a .csv or an .xlsx"), ("名单", "a .csv or an .xlsx")]
    {
        let e = jiediqi::order::stations_from_upload(name, &bytes).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains(says), "{e}");
    }
    let e = jiediqi::order::stations_from_upload("名单.csv", &bytes).unwrap_err().to_string();
    assert!(e.contains("名单.csv"), "an xlsx named .csv is read as CSV and refused: {e}");
    let dir = scratch("xlsx-file");
    std::fs::write(dir.join("s.xlsx"), &bytes).unwrap();
    std::fs::write(dir.join("s.csv"), csv).unwrap();
    assert_eq!(jiediqi::order::read_stations_file(&dir.join("s.xlsx")).unwrap().len(), 2);
    assert_eq!(jiediqi::order::read_stations_file(&dir.join("s.csv")).unwrap().len(), 1);
    let e = jiediqi::order::read_stations_file(&dir.join("missing.xlsx")).unwrap_err().to_string();
    assert!(e.contains("cannot read") && e.contains("missing.xlsx"), "{e}");
}

#[test]
fn xlsx_problems_name_the_file_the_row_and_what_to_do() {
    use Xc::*;
    // No name column.
    let e = xlsx_err(&workbook(&[("Sheet1", vec![(1, vec![S("编号"), S("电话")]), (2, vec![S("a"), N(1.0)])])]));
    assert!(e.contains("stations.xlsx:1:1: no name column among [\"编号\", \"电话\"] (sheet `Sheet1`)"), "{e}");
    // A row without a name, among good ones: named by its Excel row.
    let mut rows = station_sheet();
    rows.push((9, vec![S("nanguan"), S(""), S("南关街1号")]));
    let e = xlsx_err(&workbook(&[("Sheet1", rows)]));
    assert!(e.contains("stations.xlsx:9:1: the station has no name") && e.contains("fill in the name"), "{e}");
    // An empty sheet, a sheet of only empty cells.
    for rows in [vec![], vec![(1, vec![S(""), I(" ")])]] {
        let e = xlsx_err(&workbook(&[("Sheet1", rows)]));
        assert!(e.contains("stations.xlsx: the station list is empty (sheet `Sheet1`)"), "{e}");
        assert!(e.contains("first row: column names"), "{e}");
    }
    // A formula that failed.
    let e = xlsx_err(&workbook(&[("Sheet1", vec![(1, vec![S("名称"), S("电话")]), (2, vec![S("甲"), E("#N/A")])])]));
    assert!(e.contains("stations.xlsx:2:2: cell B2 of sheet `Sheet1` holds the spreadsheet error `#N/A`"), "{e}");
    // Not a workbook at all.
    let not = [
        (b"name,phone\n\xb3\xc7\xb9\xd8,1\n".to_vec(), "a text file (a CSV"),
        (b"<html><table><tr><td>1</td></tr></table></html>".to_vec(), "a text file"),
        (b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(), "not an Excel workbook (.xlsx)"),
        (Vec::new(), "the file is empty"),
        ([b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".as_slice(), &[0; 504]].concat(), "Excel 97–2003 .xls"),
        (
            [
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".as_slice(),
                &[0; 504],
                &"EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>(),
            ]
            .concat(),
            "protected with a password",
        ),
        (
            zip_parts(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec(), false, None)]),
            "not an Excel workbook: it has no",
        ),
        (b"PK\x03\x04garbage".to_vec(), "the workbook is damaged"),
    ];
    for (bytes, says) in not {
        let e = xlsx_err(&bytes);
        assert!(e.starts_with("error: stations.xlsx: ") && e.contains(says) && e.contains("hint: "), "{says}: {e}");
    }
    let e = xlsx_err(&[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".as_slice(), &[0; 504]].concat());
    assert!(e.contains("另存为"), "{e}");
    // As many stations as a CSV may have, and no more.
    let list = |n: u32| {
        let mut rows = vec![(1, vec![S("名称")])];
        rows.extend((2..n + 2).map(|r| (r, vec![I("甲派出所")])));
        workbook(&[("Sheet1", rows)])
    };
    let max = jiediqi::order::MAX_STATIONS as u32;
    assert_eq!(jiediqi::order::stations_from_xlsx(Path::new("s.xlsx"), &list(max)).unwrap().len(), max as usize);
    let e = xlsx_err(&list(max + 1));
    assert!(e.contains("stations.xlsx: the station list has more than 10000 rows (sheet `Sheet1`)"), "{e}");
    // A cell far to the right.
    let mut sheet = workbook_parts(&[("Sheet1", vec![(1, vec![S("名称")])])]);
    let s1 = sheet.iter_mut().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap();
    s1.1 = String::from_utf8(s1.1.clone())
        .unwrap()
        .replace("</row>", "<c r=\"XFD1\" t=\"inlineStr\"><is><t>x</t></is></c></row><row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>")
        .into_bytes();
    let e = xlsx_err(&zip_parts(&sheet.iter().map(|(n, d)| (n.as_str(), d.clone(), true, None)).collect::<Vec<_>>()));
    assert!(e.contains("stations.xlsx:1:16384: cell XFD1 of sheet `Sheet1` is beyond column IV"), "{e}");
}

#[test]
fn xlsx_zip_bombs_and_forged_counts_are_refused_small() {
    use Xc::*;
    let base = workbook_parts(&[("Sheet1", vec![(1, vec![S("名称")]), (2, vec![S("城关派出所")])])]);
    let with = |name: &str, data: Vec<u8>, declared: Option<u32>| {
        let mut parts: Vec<(&str, Vec<u8>, bool, Option<u32>)> =
            base.iter().filter(|(n, _)| n != name).map(|(n, d)| (n.as_str(), d.clone(), true, None)).collect();
        parts.push((name, data, true, declared));
        zip_parts(&parts)
    };
    let sheet = |pad: usize| {
        let mut x =
            String::from_utf8(base.iter().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap().1.clone()).unwrap();
        x = x.replace("<sheetData>", &format!("<sheetData>{}", " ".repeat(pad)));
        x.into_bytes()
    };
    // The list itself reads.
    assert_eq!(
        jiediqi::order::stations_from_xlsx(Path::new("s.xlsx"), &with("xl/worksheets/sheet1.xml", sheet(0), None))
            .unwrap()
            .len(),
        1
    );
    // Honest sizes over the bound: refused from the central directory, unread.
    let big = with("xl/worksheets/sheet1.xml", sheet(64 << 20), None);
    assert!(big.len() < 200 << 10, "a small file: {}", big.len());
    let e = xlsx_err(&big);
    assert!(e.contains("the workbook unpacks to 65 MiB; a station list is at most 64 MiB"), "{e}");
    // Sizes that lie: the part inflates past what it declares and the zip reader stops.
    let started = std::time::Instant::now();
    let e = xlsx_err(&with("xl/worksheets/sheet1.xml", sheet(200 << 20), Some(2000)));
    assert!(e.contains("the workbook is damaged"), "{e}");
    // A guard against inflating all 200 MiB on a loaded machine, not a benchmark.
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
    let e = xlsx_err(&with(
        "xl/sharedStrings.xml",
        [b"<sst uniqueCount=\"1\"><si><t>".as_slice(), &vec![b'a'; 100 << 20], b"</t></si></sst>"].concat(),
        Some(100),
    ));
    assert!(e.contains("the workbook is damaged"), "{e}");
    // A count of strings no file could hold: calamine 0.38 reserves room for
    // it before reading, and this 2 KB file aborted the process (SIGABRT,
    // memory allocation failed) before the check.
    let sst = b"<?xml version=\"1.0\"?><sst xmlns=\"x\" uniqueCount=\"1000000000000000\"><si><t>\xe5\x90\x8d\xe7\xa7\xb0</t></si><si><t>a</t></si></sst>".to_vec();
    let forged = with("xl/sharedStrings.xml", sst, None);
    assert!(forged.len() < 2048, "{}", forged.len());
    let e = xlsx_err(&forged);
    assert!(e.contains("its shared strings claim 1000000000000000 strings"), "{e}");
}

/// Every panic in this test binary, even one caught (the xlsx reader turns
/// a panic in calamine into an error; the test must still see it).
fn count_panics() -> &'static std::sync::atomic::AtomicUsize {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            before(info);
        }));
    });
    &COUNT
}

#[test]
fn xlsx_reader_survives_truncated_and_random_bytes() {
    let panics = count_panics();
    let before = panics.load(std::sync::atomic::Ordering::SeqCst);
    let good = workbook(&[("Sheet1", station_sheet())]);
    let stored = zip_parts(
        &workbook_parts(&[("Sheet1", station_sheet())])
            .iter()
            .map(|(n, d)| (n.as_str(), d.clone(), false, None))
            .collect::<Vec<_>>(),
    );
    let read = |b: &[u8]| {
        let _ = jiediqi::order::stations_from_xlsx(Path::new("s.xlsx"), b);
    };
    for file in [&good, &stored] {
        for n in 0..file.len() {
            read(&file[..n]);
        }
    }
    // xorshift: the same "random" edits every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..4000 {
        let mut b = if round % 2 == 0 { good.clone() } else { stored.clone() };
        for _ in 0..1 + next() % 8 {
            let i = (next() % b.len() as u64) as usize;
            b[i] = next() as u8;
        }
        read(&b);
    }
    // Edits inside the parts, zipped with their checksums, reach the XML reader.
    let parts = workbook_parts(&[("Sheet1", station_sheet())]);
    for _ in 0..2000 {
        let mut edited = parts.clone();
        let k = (next() % edited.len() as u64) as usize;
        let part = &mut edited[k].1;
        for _ in 0..1 + next() % 4 {
            let i = (next() % part.len() as u64) as usize;
            part[i] = *b"<>/=\"' 0123456789-:;&#xAZ".get((next() % 26) as usize).unwrap_or(&0);
        }
        read(&zip_parts(&edited.iter().map(|(n, d)| (n.as_str(), d.clone(), false, None)).collect::<Vec<_>>()));
    }
    for len in [4, 30, 100, 1000] {
        let noise: Vec<u8> = b"PK\x03\x04".iter().copied().chain((0..len).map(|_| next() as u8)).collect();
        read(&noise);
    }
    assert_eq!(panics.load(std::sync::atomic::Ordering::SeqCst), before, "the xlsx reader panicked (see above)");
}

/// The shipped station CSV as a workbook: every cell a shared string, as
/// Excel saves text (the phone numbers there have a dash).
fn shipped_stations_as_xlsx() -> Vec<u8> {
    let csv = std::fs::read_to_string(root().join("orders/stations.csv")).unwrap();
    let rows = jiediqi::order::parse_csv(&csv).unwrap();
    let rows: SheetRows =
        rows.iter().map(|(line, cells)| (*line as u32, cells.iter().map(|c| Xc::S(c)).collect())).collect();
    workbook(&[("派出所", rows)])
}

#[test]
fn an_order_takes_its_stations_from_an_xlsx_as_from_the_csv() {
    let p = project_copy("order-xlsx");
    let order_path = p.join(ORDER);
    let text = std::fs::read_to_string(&order_path).unwrap();
    std::fs::write(p.join("orders/stations.xlsx"), shipped_stations_as_xlsx()).unwrap();
    let from_csv = jiediqi::order::Order::load(&order_path).unwrap();
    let xlsx_order = p.join("orders/from-xlsx.yaml");
    std::fs::write(&xlsx_order, text.replace("  csv: stations.csv", "  xlsx: stations.xlsx")).unwrap();
    let from_xlsx = jiediqi::order::Order::load(&xlsx_order).unwrap();
    let show = |o: &jiediqi::order::Order| format!("{:?}", o.stations);
    assert_eq!(from_csv.stations.len(), 3);
    assert_eq!(show(&from_xlsx), show(&from_csv));
    // `check` takes it too.
    let o = jiediqi_in(&p, &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // One source of stations, and `encoding` only for a CSV.
    for (yaml, says) in [
        ("  csv: stations.csv\n  xlsx: stations.xlsx", "stations has more than one of `csv`, `xlsx` and `list`"),
        ("  xlsx: stations.xlsx\n  encoding: gbk", "`encoding` is for a CSV station list"),
        ("  xlsx: missing.xlsx", "check the `xlsx` path in the order"),
    ] {
        std::fs::write(&xlsx_order, text.replace("  csv: stations.csv", yaml)).unwrap();
        let e = jiediqi::order::Order::load(&xlsx_order).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    }
    // A problem in the workbook names it and the row.
    std::fs::write(&xlsx_order, text.replace("  csv: stations.csv", "  xlsx: stations.xlsx")).unwrap();
    let mut rows = station_sheet();
    rows.push((7, vec![Xc::S("bad"), Xc::S("坏派出所"), Xc::S("x"), Xc::S("=HYPERLINK(\"x\")")]));
    std::fs::write(p.join("orders/stations.xlsx"), workbook(&[("Sheet1", rows)])).unwrap();
    let e = jiediqi::order::Order::load(&xlsx_order).unwrap_err().to_string();
    assert!(e.contains("stations.xlsx:7:1: station `坏派出所`: field `phone` begins with `=`"), "{e}");
}

#[test]
fn xlsx_from_other_writers_reads_the_same_stations() {
    // Written by tests/data/station-workbooks.py (openpyxl and XlsxWriter).
    for file in ["stations-openpyxl.xlsx", "stations-xlsxwriter.xlsx"] {
        let path = root().join("tests/data").join(file);
        let got = jiediqi::order::read_stations_file(&path).unwrap_or_else(|d| panic!("{file}: {d}"));
        let seen: Vec<String> = got
            .iter()
            .map(|(loc, e)| {
                format!(
                    "{} {}|{}|{}|{}|{}",
                    loc.line.unwrap(),
                    e.id.as_deref().unwrap_or("-"),
                    e.name,
                    e.phone.as_deref().unwrap_or("-"),
                    e.hotline.as_deref().unwrap_or("-"),
                    e.qr.as_deref().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                "2 chengguan|城关派出所|9121234567|96110|https://example.org/chengguan",
                "4 dongguan|东关派出所|0912-2345678|96110|https://example.org/dongguan",
                "5 xihe|西河派出所|9123456789|96110|https://example.org/xihe",
            ],
            "{file}"
        );
        assert_eq!(got[2].1.address.as_deref(), Some("西河乡政府对面，集市东口"));
    }
}

/// A screen print's package: print PDFs with outlined text, and films — one
/// positive page per ink in print order, each only that ink's plate, with
/// registration targets and labels outside the print area.
#[test]
fn screen_prints_come_with_outlined_text_and_one_film_per_ink() {
    let p = approved_order_project("order-films");
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("chengguan-winter");
    let fonts = |pdf: &Path| -> usize { tool_ok("pdffonts", &[pdf.to_str().unwrap()]).lines().skip(2).count() };
    assert!(fonts(&pkg.join("print/poster-a3--fanzha-qiandaizi--chengguan.pdf")) > 0, "offset files keep fonts");
    assert!(!pkg.join("films/poster-a3--fanzha-qiandaizi--chengguan.pdf").exists(), "no films for offset");
    let dpi = 127; // 5 mm = 25 px: the slugs crop to whole pixels
    let px = |v_mm: f64| (v_mm / 25.4 * f64::from(dpi)).round() as usize;
    for (base, inks) in [
        ("apron--fanzha-shuiguotan", vec!["Underbase", "PANTONE 116 C"]),
        ("bag-nonwoven--fanzha-96110--chengguan", vec!["PANTONE 2728 C"]),
    ] {
        let print = pkg.join(format!("print/{base}.pdf"));
        let film = pkg.join(format!("films/{base}.pdf"));
        assert_eq!(fonts(&print), 0, "{base}: a screen print's text is outlined");
        assert!(tool_ok("pdftotext", &[print.to_str().unwrap(), "-"]).trim().is_empty());
        let info = tool_ok("pdfinfo", &["-box", film.to_str().unwrap()]);
        assert!(info.contains(&format!("Pages:           {}", inks.len())), "{base}: {info}");
        let (trim, media) = (pdf_box(&info, "TrimBox:"), pdf_box(&info, "MediaBox:"));
        assert!((trim[0] - media[0] - 15.0 * PT_PER_MM).abs() < 0.05, "a 15 mm slug round the trim: {info}");
        // Labels on every page, outside the trim (the art itself is outlines).
        for (n, ink) in inks.iter().enumerate() {
            let page = (n + 1).to_string();
            let text = tool_ok("pdftotext", &["-f", &page, "-l", &page, film.to_str().unwrap(), "-"]);
            for want in [
                format!("第 {}/{} 版", n + 1, inks.len()),
                ink.to_string(),
                format!("print/{base}.pdf"),
                "城关派出所".to_string(),
                "订单 chengguan-winter".to_string(),
                "正片".to_string(),
            ] {
                assert!(text.contains(&want), "{base} film {page}: no `{want}` in {text}");
            }
        }
        // Each film page is its ink's plate of the print file, as black.
        let plates = tiffsep(&print, dpi);
        let film_plates = tiffsep(&film, dpi);
        // Print pages carry crop marks in a 10 mm slug; films a 15 mm one (bleed 0 here).
        let (po, fo) = (px(10.0), px(15.0));
        let mut targets: Option<Vec<u8>> = None;
        for (n, ink) in inks.iter().enumerate() {
            let (pw, ph, pv) = plate(&plates[&(1, ink.to_string())]);
            let (fw, fh, fv) = plate(&film_plates[&(n + 1, "Black".to_string())]);
            for other in ["Cyan", "Magenta", "Yellow"] {
                assert!(plate(&film_plates[&(n + 1, other.to_string())]).2.iter().all(|&v| v == 0), "film in {other}");
            }
            let (tw, th) = (pw - 2 * po, ph - 2 * po);
            assert_eq!((fw - 2 * fo, fh - 2 * fo), (tw, th), "{base}: film and print trims differ");
            // Pixels may differ only on an edge of the plate (the same outlines,
            // rounded through other numbers): never away from one.
            let (mut differ, mut inked) = (0usize, 0usize);
            let on = |i: usize, j: usize| pv[(j + po) * pw + i + po] >= 128;
            for j in 1..th - 1 {
                for i in 1..tw - 1 {
                    let b = fv[(j + fo) * fw + i + fo] >= 128;
                    inked += usize::from(on(i, j));
                    if on(i, j) != b {
                        differ += 1;
                        let edge = (j - 1..=j + 1).any(|y| (i - 1..=i + 1).any(|x| on(x, y) != on(i, j)));
                        assert!(edge, "{base} film {}: pixel {i},{j} differs from the {ink} plate off an edge", n + 1);
                    }
                }
            }
            assert!(inked > 1000, "{base} {ink}: plate has {inked} px");
            assert!(differ * 100 < inked, "{base} film {}: {differ} of {inked} px differ from the {ink} plate", n + 1);
            // The four targets, the same on every page: the middle of each side of the slug.
            let mut t = Vec::new();
            let half = px(5.0);
            for (cx, cy) in [(fw / 2, fo / 2), (fw / 2, fh - fo / 2), (fo / 2, fh / 2), (fw - fo / 2, fh / 2)] {
                for j in cy - half..cy + half {
                    t.extend_from_slice(&fv[j * fw + cx - half..j * fw + cx + half]);
                }
            }
            assert!(t.iter().filter(|&&v| v >= 128).count() > 4 * 40, "{base} film {}: no targets", n + 1);
            match &targets {
                Some(first) => assert_eq!(first, &t, "{base}: targets move between films"),
                None => targets = Some(t),
            }
        }
    }
}

#[test]
fn identical_designs_are_one_file_with_their_stations_and_summed_quantity() {
    let p = approved_order_project("order-dedupe");
    let path = p.join(ORDER);
    let out = p.join("out");
    assert!(order(&p, &[], &out).status.success());
    let pkg = out.join("chengguan-winter");
    // The apron carries no station block: one file for all three stations
    // (it used to be three byte-identical ones), with their 3 × 40 pieces.
    let apron: Vec<String> = files(&pkg.join("print")).into_iter().filter(|n| n.starts_with("apron--")).collect();
    assert_eq!(apron, ["apron--fanzha-shuiguotan.pdf"]);
    let manifest = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    let row = manifest.lines().find(|l| l.contains("\"path\": \"print/apron--fanzha-shuiguotan.pdf\"")).unwrap();
    assert!(row.contains("\"quantity\": 120, \"setups\": 2, \"stations\": [{\"id\": \"chengguan\", \"name\": \"城关派出所\", \"quantity\": 40}, {\"id\": \"dongguan\""), "{row}");
    // Each bag design per station is its own screen: one setup a line.
    let text: String = tool_ok("pdftotext", &["-raw", pkg.join("生产单.pdf").to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("城关派出所40东关派出所40西河派出所40120件网版2块"), "{text}");
    assert!(text.contains("城关派出所300300件网版1块"), "{text}");
    // The bags' station block on a label instead, and off for the posters:
    // then all stations share one design per slogan.
    let yaml = std::fs::read_to_string(&path).unwrap();
    let changed = yaml
        .replace("    quantity: 300 ", "    station_block: label\n    quantity: 300 ")
        .replace("    quantity: 20\n", "    quantity: 20\n    station_block: off\n");
    assert_ne!(changed, yaml);
    std::fs::write(&path, &changed).unwrap();
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let print = files(&pkg.join("print"));
    for want in
        ["bag-nonwoven--fanzha-96110.pdf", "bag-nonwoven--fanzha-shucaitan.pdf", "poster-a3--fanzha-qiandaizi.pdf"]
    {
        assert!(print.contains(&want.to_string()), "{want} not in {print:?}");
    }
    assert_eq!(print.iter().filter(|n| n.starts_with("bag-") || n.starts_with("poster-")).count(), 4, "{print:?}");
    // No QR code and no footer on a poster without its block.
    let poster = pkg.join("print/poster-a3--fanzha-qiandaizi.pdf");
    assert!(!tool_ok("pdftotext", &[poster.to_str().unwrap(), "-"]).contains("派出所"));
    // One label per bag for each station: 2 designs × 300.
    let labels = pkg.join("labels/station-labels.pdf");
    let info = tool_ok("pdfinfo", &[labels.to_str().unwrap()]);
    assert!(info.contains("Pages:           3"), "{info}");
    let label_text = tool_ok("pdftotext", &["-f", "3", "-l", "3", labels.to_str().unwrap(), "-"]);
    assert!(label_text.contains("西河派出所") && label_text.contains("0912-3456789"), "{label_text}");
    let text: String = tool_ok("pdftotext", &["-raw", pkg.join("生产单.pdf").to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("labels/station-labels.pdf"), "{text}");
    assert!(text.contains("派出所标签1800张"), "{text}");
    assert!(text.contains("张数城关派出所600、东关派出所600、西河派出所600"), "{text}");
    // Each station's parcel carries its labels.
    assert!(text.contains("派出所标签600张"), "{text}");
    assert!(text.contains("城关派出所300东关派出所300西河派出所300900件网版1块"), "{text}");
    let manifest = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"kind\": \"label\""), "{manifest}");
    // An unknown placement is refused, naming the field.
    std::fs::write(&path, changed.replace("station_block: label", "station_block: sticker")).unwrap();
    let o = order(&p, &[], &p.join("out-bad"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("sticker") && stderr(&o).contains("chengguan-winter.yaml"), "{}", stderr(&o));
}

#[test]
fn a_variable_data_vendor_gets_one_pdf_a_page_per_station_for_digital_items() {
    let p = approved_order_project("order-variable");
    let path = p.join(ORDER);
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, yaml.replace("  svg: true\n", "  svg: true\n  variable_data: true\n")).unwrap();
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("chengguan-winter");
    let print = files(&pkg.join("print"));
    // The dye-sublimated mouse pad: one file, its pages the stations in order,
    // and one cut file (the die is the same for every page).
    let pads: Vec<&String> = print.iter().filter(|n| n.starts_with("mousepad-small--")).collect();
    assert_eq!(pads, ["mousepad-small--wangluo-mima.cut.pdf", "mousepad-small--wangluo-mima.pdf"]);
    let pdf = pkg.join("print/mousepad-small--wangluo-mima.pdf");
    assert!(tool_ok("pdfinfo", &[pdf.to_str().unwrap()]).contains("Pages:           3"));
    for (page, name) in [(1, "城关派出所"), (2, "东关派出所"), (3, "西河派出所")] {
        let n = page.to_string();
        let text = tool_ok("pdftotext", &["-f", &n, "-l", &n, pdf.to_str().unwrap(), "-"]);
        assert!(text.contains(name), "page {page}: {text}");
    }
    // SVGs stay one a page, named after their station; the proof is one
    // for the design, drawn from its first page (the first station).
    let svgs = files(&pkg.join("svg"));
    assert!(svgs.contains(&"mousepad-small--wangluo-mima--xihe.svg".to_string()), "{svgs:?}");
    let proofs = files(&pkg.join("proofs"));
    assert!(proofs.iter().all(|p| !p.starts_with("mousepad-small--wangluo-mima--")), "{proofs:?}");
    assert!(proofs.contains(&"mousepad-small--wangluo-mima.png".to_string()), "{proofs:?}");
    // Screen prints and offset keep a file per station: each is its own screens or plates.
    assert!(print.contains(&"bag-nonwoven--fanzha-96110--xihe.pdf".to_string()));
    assert!(print.contains(&"poster-a3--fanzha-qiandaizi--xihe.pdf".to_string()));
    let text: String = tool_ok("pdftotext", &["-raw", pkg.join("生产单.pdf").to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("可变数据：每页一个派出所，共3页"), "{text}");
    assert!(text.contains("城关派出所20东关派出所20西河派出所2060件"), "{text}");
    let manifest = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"path\": \"proofs/mousepad-small--wangluo-mima.png\""), "{manifest}");
    assert!(manifest.contains("\"sample_station\": {\"id\": \"chengguan\""), "{manifest}");
}

/// Every file and folder under `dir` (hidden ones too), with the bytes of files.
fn everything(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                todo.push(e.path());
            } else {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

#[test]
fn a_failure_mid_render_leaves_no_package_and_no_partial_files() {
    let p = approved_order_project("order-fail-mid");
    let out = p.join("out");
    let order_path = p.join(ORDER);
    let failing = |extra: &[&str], n: usize| {
        let mut args = vec!["order", order_path.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(extra);
        // The n-th design file fails to write, as on a full disk: files are
        // streamed into the staged folder, so some are already on disk then.
        let o = command_in(&p, &args).env("JIEDIQI_TEST_FAIL_AT", format!("package.file:{n}")).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("injected failure"), "{}", stderr(&o));
    };
    for extra in [&[][..], &["--zip"][..]] {
        for n in [1, 10, 50] {
            let _ = std::fs::remove_dir_all(&out);
            failing(extra, n);
            // No package folder, no zip, no temporaries: nothing at all.
            let left = everything(&out);
            assert!(left.is_empty(), "{extra:?} failing at file {n} left {:?}", left.keys().collect::<Vec<_>>());
        }
    }
    // Over a package already there: it stays as it was, byte for byte.
    let _ = std::fs::remove_dir_all(&out);
    assert!(order(&p, &["--zip"], &out).status.success());
    let before = everything(&out);
    assert!(before.contains_key("chengguan-winter.zip") && before.contains_key("chengguan-winter/manifest.json"));
    failing(&["--zip"], 30);
    assert!(everything(&out) == before, "the old package changed");
}

/// The job sheet's text, whitespace dropped (pdftotext breaks table cells anywhere).
fn job_sheet_text(pkg: &Path) -> String {
    tool_ok("pdftotext", &["-raw", pkg.join("生产单.pdf").to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_job_sheet_holds_what_a_shop_quotes_and_produces_from() {
    let p = approved_order_project("order-jobsheet");
    let out = p.join("out");
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("chengguan-winter");
    let text = job_sheet_text(&pkg);
    for want in [
        // The header: who orders, PO, contact, dates, tolerance.
        "订购单位示例县公安局城关片区警务办公室",
        "订单号（PO）CG-2026-017",
        "联系人李警官0912-1234500",
        "下单日期2026-11-30",
        "交货日期2026-12-20",
        "数量允差多5%/少3%（本订单约定）",
        // The bag: finished product, print area and position, material, colour, sides, ink.
        "成品尺寸300×400mm（无纺布袋）印刷区240×280mm（文件成品尺寸），出血0mm",
        "印刷位置正面居中，印刷区上边距袋口70mm印面单面",
        "材质80g无纺布材质颜色白色",
        "工艺丝网印刷油墨类型水性胶浆（无纺布用）",
        "白墨打底无",
        // The apron: its underbase, its ink.
        "油墨类型塑胶浆（plastisol），白色打底浆先印",
        "白墨打底有：白墨打底版先印，比图案每边内缩0.2mm",
        // Finishing.
        "后道加工圆角8mm模切（刀线见.cut.pdf）",
        "后道加工无（印后即成品）",
        // Routing: the data file's rule on the section, a warning on each small run.
        "生产路线丝网印刷：每个设计1000件起订，3000件以上为经济批量；少于起订量建议改热转印",
        "300件网版1块！低于起订量1000件，建议改热转印或加量",
        "20件印版4块！低于起订量500件，建议改数码四色或加量",
        "120件网版2块可做；不足经济批量500件，单价偏高",
        // The packing list: delivery address and receiver from the CSV, else the station's own.
        "装箱单（按派出所分装，共3个派出所）",
        "城关派出所城关镇人民路88号派出所值班室王警官0912-1234567",
        "东关派出所东关街道红旗路16号东关派出所0912-2345678",
        "围裙40件：fanzha-shuiguotan40无纺布袋600件：fanzha-96110300、fanzha-shucaitan300",
        "签样确认（样稿经订购单位签字确认后方可开印）",
        "订购单位确认人：",
    ] {
        assert!(text.contains(want), "{want} missing: {text}");
    }
    // The command line warns too, once per order line, naming the routing rule.
    let err = stderr(&o);
    assert!(
        err.contains("warning: ")
            && err.contains("order line 1 (bag-nonwoven): 6 design(s) of 300 pieces are below the screen print minimum of 1000 pieces for 无纺布袋 (")
            && err.contains("data/routing.yaml:"),
        "{err}"
    );
    assert!(err.contains("order line 3 (poster-a3): 6 design(s) of 20 pieces"), "{err}");
    assert!(!err.contains("order line 2") && !err.contains("order line 4"), "{err}");
    // A run of 2000 bags a design is no warning, and its row says it is economical enough.
    let path = p.join(ORDER);
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, yaml.replace("quantity: 300 ", "quantity: 2000 ")).unwrap();
    let o = order(&p, &[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("order line 1"), "{}", stderr(&o));
    assert!(job_sheet_text(&pkg).contains("2000件网版1块可做；不足经济批量3000件，单价偏高"));
    // Without a tolerance the order takes each process's from the data file; same inputs, same bytes.
    std::fs::write(&path, yaml.replace("tolerance: { over: 5, under: 3 }", "")).unwrap();
    assert!(order(&p, &[], &out).status.success());
    let first = std::fs::read(pkg.join("生产单.pdf")).unwrap();
    let text = job_sheet_text(&pkg);
    assert!(text.contains("数量允差按各物品工艺，见各节"), "{text}");
    assert!(text.contains("后道加工裁切成297×420mm数量允差±3%"), "{text}");
    assert!(text.contains("数量允差±5%"), "{text}");
    let again = p.join("out-again");
    assert!(order(&p, &[], &again).status.success());
    assert!(std::fs::read(again.join("chengguan-winter/生产单.pdf")).unwrap() == first, "job sheet bytes differ");
}

#[test]
fn bad_routing_order_and_template_values_name_their_file_and_line() {
    let p = approved_order_project("order-jobsheet-bad");
    let out = p.join("out");
    // The routing data: a minimum of 0 on its line, and `check` says the same.
    let routing = p.join("data/routing.yaml");
    let good = std::fs::read_to_string(&routing).unwrap();
    let line = good.lines().position(|l| l.contains("minimum: 500")).unwrap() + 1;
    std::fs::write(&routing, good.replacen("minimum: 500", "minimum: 0", 1)).unwrap();
    let o = order(&p, &[], &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("data/routing.yaml:{}:", line - 1))
            && err.contains("routing rule for offset CMYK: minimum 0 is out of range"),
        "{err}"
    );
    assert!(!out.join("chengguan-winter").exists());
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("minimum 0 is out of range"), "{}", stderr(&o));
    // An unknown field in it.
    std::fs::write(&routing, good.replacen("    economical: 2000\n", "    economical: 2000\n    cheapest: 9\n", 1))
        .unwrap();
    let err = stderr(&order(&p, &[], &out));
    assert!(err.contains("data/routing.yaml:") && err.contains("unknown field `cheapest`"), "{err}");
    std::fs::write(&routing, &good).unwrap();
    // The order: a tolerance out of range, a field unknown to the customer.
    let path = p.join(ORDER);
    let yaml = std::fs::read_to_string(&path).unwrap();
    let tline = yaml.lines().position(|l| l.starts_with("tolerance:")).unwrap() + 1;
    std::fs::write(&path, yaml.replace("{ over: 5, under: 3 }", "{ over: 50, under: 3 }")).unwrap();
    let err = stderr(&order(&p, &[], &out));
    assert!(
        err.contains(&format!("chengguan-winter.yaml:{tline}:"))
            && err.contains("the order's tolerance over 50 % / under 3 % is out of range"),
        "{err}"
    );
    std::fs::write(&path, yaml.replace("  po: CG-2026-017\n", "  po: CG-2026-017\n  fax: 123\n")).unwrap();
    let err = stderr(&order(&p, &[], &out));
    assert!(err.contains("chengguan-winter.yaml:") && err.contains("unknown field `fax`"), "{err}");
    std::fs::write(&path, yaml.replace("ordered: 2026-11-30", "ordered: 2026-12-30")).unwrap();
    let err = stderr(&order(&p, &[], &out));
    assert!(err.contains("order date 2026-12-30 is after the due date 2026-12-20"), "{err}");
    std::fs::write(&path, &yaml).unwrap();
    // A delivery address a spreadsheet would run, on its CSV row.
    let csv = p.join("orders/stations.csv");
    let rows = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, rows.replace(",,\n", ",=HYPERLINK(1),\n")).unwrap();
    let err = stderr(&order(&p, &[], &out));
    assert!(err.contains("stations.csv:3:1") && err.contains("field `delivery` begins with `=`"), "{err}");
    std::fs::write(&csv, &rows).unwrap();
    // A template without its product size says what to add.
    let bag = p.join("layouts/bag-nonwoven.yaml");
    let t = std::fs::read_to_string(&bag).unwrap();
    std::fs::write(&bag, t.replace("product_size: { width: 300, height: 400 }\n", "")).unwrap();
    let err = stderr(&jiediqi_in(&p, &["check"]));
    assert!(
        err.contains("layouts/bag-nonwoven.yaml")
            && err.contains("missing field `product_size`")
            && err.contains("add `product_size: { width: …, height: … }`"),
        "{err}"
    );
    // Or a product smaller than its print area.
    std::fs::write(
        &bag,
        t.replace("product_size: { width: 300, height: 400 }", "product_size: { width: 200, height: 400 }"),
    )
    .unwrap();
    let err = stderr(&jiediqi_in(&p, &["check"]));
    assert!(err.contains("the print area (trim 240×280 mm) is larger than the product (200×400 mm)"), "{err}");
}
