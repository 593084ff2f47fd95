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
    // 6 designs per station… 2 bags + 1 apron + 2 posters + 1 mouse pad = 6, × 3 stations.
    assert_eq!(names.iter().filter(|n| n.starts_with("print/")).count(), 18, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("proofs/")).count(), 18);
    assert_eq!(names.iter().filter(|n| n.starts_with("svg/")).count(), 18, "the vendor asked for SVG");
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
    assert_eq!(checked, 18 * 3 + 3, "every file and document listed");
    assert!(manifest.contains("\"approved\": {\"by\": \"示例审核员\""));
    assert!(manifest.contains("\"station_name\": \"西河派出所\""));
    // SHA256SUMS verifies with the standard tool.
    let o = std::process::Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&pkg).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // The job sheet lists every file and the right totals.
    let js = pkg.join("生产单.pdf");
    let text: String =
        tool_ok("pdftotext", &["-raw", js.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect();
    for (n, _) in files.iter().filter(|(n, _)| n.starts_with("print/")) {
        assert!(text.contains(n.as_str()), "{n} not on the job sheet");
    }
    assert!(text.contains("总数量：2100件"), "{text}");
    for total in [
        "无纺布袋bag-nonwoven61800件",
        "围裙apron3120件",
        "海报A3poster-a36120件",
        "鼠标垫小号mousepad-small360件",
        "总计182100件",
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
    for (station, link) in [
        ("chengguan", "https://example.org/chengguan"),
        ("dongguan", "https://example.org/dongguan"),
        ("xihe", "https://example.org/xihe"),
    ] {
        let png = out.join(format!("chengguan-winter/proofs/poster-a3--fanzha-qiandaizi--{station}.png"));
        let pm = resvg::tiny_skia::Pixmap::load_png(&png).unwrap();
        let (w, h) = (pm.width() as usize, pm.height() as usize);
        let data = pm.data();
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[(y * w + x) * 4 + 1]);
        let found: Vec<String> = img.detect_grids().iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect();
        assert_eq!(found, vec![link.to_string()], "{station}");
    }
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
    assert_eq!(seen.len(), 18);
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
        assert!(manifest.contains("\"station_name\": \"南关派出所\""), "{label}");
        assert!(out.join("chengguan-winter/print/apron--fanzha-shuiguotan--nanguan.pdf").exists());
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
