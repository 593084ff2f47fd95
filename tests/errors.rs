//! Bad input: each gets a clear error naming the subject, the right exit
//! code, and no output file left behind.

mod common;

use common::*;

fn write(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn unknown_slogan_or_item_is_exit_1_and_writes_nothing() {
    let out = scratch("unknown-id");
    let o = run_words(approved_root(), "render --slogan no-such-slogan --item poster-a3 --item no-such-item", &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("unknown slogan `no-such-slogan`"), "{e}");
    assert!(e.contains("unknown item `no-such-item`"), "{e}");
    assert!(files(&out).is_empty());
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let p = project_copy("malformed");
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: broken\n    lines: [好好, \"没关\n");
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("zz.yaml:4:17: unclosed quote"), "{e}");
    // A render with broken data writes nothing.
    let out = p.join("out");
    let o = run_words(&p, "render --slogan all --item all", &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(files(&out).is_empty());
}

#[test]
fn unknown_fields_are_errors() {
    let p = project_copy("unknown-field");
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: typo\n    lines: [好好]\n    audiance: [老人]\n");
    let text = std::fs::read_to_string(p.join("layouts/poster-a3.yaml")).unwrap();
    write(&p.join("layouts/poster-a3.yaml"), &text.replace("safe: 5\n", "safe: 5\nsafe_margin: 5\n"));
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    // Both problems, not just the first.
    assert!(e.contains("zz.yaml:5:5: unknown field `audiance`"), "{e}");
    assert!(e.contains("poster-a3.yaml:") && e.contains("unknown field `safe_margin`"), "{e}");
}

#[test]
fn template_problems_are_all_listed() {
    let p = project_copy("bad-template");
    let text = std::fs::read_to_string(p.join("layouts/bag-nonwoven.yaml")).unwrap();
    let text = text
        .replace("ink: red, shape: frame, stroke: 1.2", "ink: red, shape: frame, stroke: 0.2")
        .replacen("font: heavy", "font: fancy", 1)
        .replace("  - { id: red, spot: \"PANTONE 186 C\",", "  - { id: red,");
    write(&p.join("layouts/bag-nonwoven.yaml"), &text);
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("zone `frame`: stroke 0.2 mm is thinner than the item's minimum 0.5 mm"), "{e}");
    assert!(e.contains("zone `slogan`: unknown font role `fancy`"), "{e}");
    assert!(e.contains("ink `red` has no spot name"), "{e}");
}

#[test]
fn a_slogan_too_long_for_an_item_fails_alone() {
    let p = project_copy("too-long");
    add_slogan_that_does_not_fit(&p, "way-too-long");
    approve_all(&p);
    let out = p.join("out");
    let o = run_words(
        &p,
        "render --slogan way-too-long --slogan fanzha-qiandaizi --item apron --item poster-a3 --format pdf",
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("slogan `way-too-long` on item `apron` does not fit zone `slogan`"), "{e}");
    assert!(e.contains("the minimum is 60 mm"), "{e}");
    // The good combinations are still written, the bad ones not at all.
    assert_eq!(files(&out), vec!["poster-a3--fanzha-qiandaizi.pdf", "poster-a3--way-too-long.pdf"]);
    assert!(e.contains("2 of 4 combinations failed"), "{e}");
}

#[test]
fn a_character_no_font_has_is_an_error() {
    let p = project_copy("missing-glyph");
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: rare\n    lines: [吃饭别去𠮷野家]\n");
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("slogan `rare`: no font of role `heavy` has 𠮷 (U+20BB7)"), "{}", stderr(&o));
    let out = p.join("out");
    // --proof: an unapproved slogan still goes through layout, which finds the gap.
    let o = run_words(&p, "render --slogan rare --item sticker-rect --proof", &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no font of role `heavy` has 𠮷 (U+20BB7)"), "{}", stderr(&o));
    assert!(files(&out).is_empty());
}

#[test]
fn a_station_without_a_needed_field_is_an_error() {
    let p = project_copy("station");
    approve_all(&p);
    write(&p.join("examples/nophone.yaml"), "name: 东关派出所\n");
    let out = p.join("out");
    let o = jiediqi_in(
        &p,
        &[
            "render",
            "--slogan",
            "fanzha-qiandaizi",
            "--item",
            "poster-a3",
            "--station",
            p.join("examples/nophone.yaml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("item `poster-a3` zone `footer`: the station has no `phone`"), "{}", stderr(&o));
    assert!(files(&out).is_empty());
}

#[test]
fn an_unwritable_output_folder_is_exit_2() {
    // A folder below a regular file cannot be created, even by root.
    let o = jiediqi(&[
        "render",
        "--slogan",
        "fanzha-qiandaizi",
        "--item",
        "poster-a3",
        "--out",
        root().join("Cargo.toml/out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot create output folder"), "{}", stderr(&o));
}

#[test]
fn bad_arguments_are_exit_2() {
    for args in [
        vec!["render", "--slogan", "fanzha-qiandaizi", "--item", "poster-a3", "--out", "x", "--dpi", "lots"],
        vec!["render", "--slogan", "fanzha-qiandaizi", "--item", "poster-a3", "--out", "x", "--format", "jpeg"],
        vec!["render", "--item", "poster-a3", "--out", "x"],
        vec!["frobnicate"],
    ] {
        let o = jiediqi(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    assert!(!root().join("x").exists());
}

#[test]
fn no_temporary_files_are_left_behind() {
    let out = scratch("no-tmp");
    let o = run_words(approved_root(), "render --slogan all --item apron --format pdf,svg", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(files(&out).iter().all(|f| !f.ends_with(".tmp") && !f.starts_with('.')));
}

#[test]
fn listing_commands_work() {
    let o = jiediqi(&["items"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("poster-a3") && s.contains("297×420 mm") && s.contains("PANTONE 186 C"), "{s}");
    let o = jiediqi(&["slogans", "--topic", "反诈"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("fanzha-qiandaizi") && !s.contains("jindu-"), "{s}");
    let o = jiediqi(&["slogans", "--topic", "不存在"]);
    assert_eq!(o.status.code(), Some(1));
    let o = jiediqi(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_broken_template_does_not_block_other_items() {
    let p = project_copy("broken-other");
    approve_all(&p);
    write(&p.join("layouts/apron.yaml"), "id: apron\nname: [broken\n");
    let out = p.join("out");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    // `check` and `all` still see it.
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("apron.yaml:2:"), "{}", stderr(&o));
}

/// Hostile numbers and names in a template: each is a clear error, never a
/// panic (exit 101) or a broken PDF.
#[test]
fn hostile_template_values_are_errors_not_panics() {
    let cases: &[(&str, &str, &str)] = &[
        ("stroke: 0.8", "stroke: .nan", "stroke NaN mm is out of range"),
        ("stroke: 0.8", "stroke: -1", "stroke -1 mm is out of range"),
        ("line_spacing: 1.3", "line_spacing: -1", "line_spacing -1 is out of range"),
        ("line_spacing: 1.3", "line_spacing: .nan", "line_spacing NaN is out of range"),
        ("box: [22, 160, 253, 126]", "box: [.nan, 160, 253, 126]", "box width and height must be positive"),
        (
            "trim: { width: 297, height: 420 }",
            "trim: { width: .inf, height: 420 }",
            "trim size inf×420 mm is out of range",
        ),
        ("trim: { width: 297, height: 420 }", "trim: { width: 6000, height: 420 }", "out of range"),
        ("safe: 5", "safe: -100", "safe margin -100 mm is out of range"),
        ("text_height: 2.5", "text_height: .nan", "minimums must be positive"),
        ("grow: [tip]", "grow: [tip, band]", "grow may only name tip, footer or qr zones, not `band`"),
        ("text: \"{name}　电话：{phone}\"", "text: \"  \"", "text is empty"),
        ("ink: gold, shape: line", "ink: gold, tint: 250, shape: line", "tint 250 % is out of range"),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        let p = project_copy(&format!("hostile-{i}"));
        let path = p.join("layouts/poster-a3.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "case {i}: `{from}` not in poster-a3.yaml");
        write(&path, &text.replacen(from, to, 1));
        let out = p.join("out");
        let o =
            run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --station examples/station.yaml", &out);
        assert_eq!(o.status.code(), Some(1), "case {i} ({to}): {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "case {i} ({to}): {}", stderr(&o));
        assert!(files(&out).is_empty(), "case {i}");
    }
}

#[test]
fn hostile_inks_and_slogans_are_errors() {
    let p = project_copy("hostile-ink");
    let path = p.join("layouts/bag-nonwoven.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    write(
        &path,
        &text.replace("spot: \"PANTONE 186 C\"", "spot: \"None\"").replacen("{ id: red,", "{ id: \"../红\",", 1),
    );
    write(
        &p.join("slogans/zz.yaml"),
        "topic: 反诈\nslogans:\n  - id: marks-only\n    lines: [\"，。\"]\n  - id: tabbed\n    lines: [\"反诈\\t宣传\"]\n",
    );
    write(&p.join("examples/blank.yaml"), "name: 城关派出所\nphone: \"  \"\n");
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("has the spot name `None`"), "{e}");
    // An ink's id names its film (`<design>.ink-<id>.svg`): file-name safe only.
    let ink_line = text.lines().position(|l| l.contains("{ id: red,")).unwrap() + 1;
    assert!(
        e.contains(&format!("bag-nonwoven.yaml:{ink_line}:"))
            && e.contains("item `bag-nonwoven`: ink id `../红` cannot name a file"),
        "{e}"
    );
    assert!(e.contains("slogan `marks-only` has a line without words"), "{e}");
    assert!(e.contains("slogan `tabbed` contains the control character \\t"), "{e}");
    let o = jiediqi(&[
        "render",
        "--slogan",
        "fanzha-qiandaizi",
        "--item",
        "poster-a3",
        "--station",
        p.join("examples/blank.yaml").to_str().unwrap(),
        "--out",
        p.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("station `城关派出所`: field `phone` is empty"), "{}", stderr(&o));
}

#[test]
fn all_with_an_unknown_id_is_still_an_error() {
    let o = jiediqi(&[
        "render",
        "--slogan",
        "all",
        "--slogan",
        "typo",
        "--item",
        "apron",
        "--out",
        scratch("all-typo").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown slogan `typo`"));
}

/// Issue 8, point 1: a closed stdout or stderr ends the program quietly.
#[test]
fn closed_pipes_end_the_program_without_a_panic() {
    for args in [vec!["check"], vec!["slogans"], vec!["render", "--slogan", "x", "--item", "y", "--out", "z"]] {
        for root in [std::path::Path::new("/dev/zero"), approved_root()] {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let o = command_in(root, &args).stdout(writer.try_clone().unwrap()).stderr(writer).output().unwrap();
            assert_ne!(o.status.code(), Some(101), "{args:?} on {}: panicked", root.display());
            assert!(o.status.code().is_some(), "{args:?}: killed by a signal");
        }
    }
}

/// Issue 8, point 2: a huge line is refused at once, by every command.
#[test]
fn a_one_megabyte_line_is_refused_within_a_second() {
    let p = project_copy("huge-line");
    let line = "转".repeat(300_000); // 900 KB
    write(&p.join("slogans/zz.yaml"), &format!("topic: 反诈\nslogans:\n  - id: huge\n    lines: [{line}]\n"));
    let out = p.join("out");
    let o_str = out.to_str().unwrap();
    for args in [
        vec!["check"],
        vec!["lint"],
        vec!["render", "--slogan", "huge", "--item", "poster-a3", "--out", o_str],
        vec!["approve", "huge", "--by", "王"],
    ] {
        let t = std::time::Instant::now();
        let o = jiediqi_in(&p, &args);
        let took = t.elapsed();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("slogan `huge` is too long to print"), "{args:?}: {}", stderr(&o));
        assert!(took < std::time::Duration::from_secs(1), "{args:?} took {took:?}");
    }
    // A file past the size limit is refused before it is parsed.
    write(&p.join("slogans/zz.yaml"), &format!("topic: 反诈\nslogans:\n  - id: huge\n    lines: [{line}{line}]\n"));
    let o = jiediqi_in(&p, &["check"]);
    assert!(stderr(&o).contains("zz.yaml: larger than 1024 KiB"), "{}", stderr(&o));
}

/// Issue 8, point 9: ids are unique however they are written.
#[test]
fn ids_are_unique_across_files_and_escapes() {
    let p = project_copy("dup-ids");
    std::fs::copy(p.join("layouts/poster-a3.yaml"), p.join("layouts/poster-a3.yml")).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("poster-a3.yml:4:5: item id `poster-a3` is defined twice"), "{}", stderr(&o));
    std::fs::remove_file(p.join("layouts/poster-a3.yml")).unwrap();
    // An id written with a YAML escape is the same id to every command.
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: \"abc-de\\x66\"\n    lines: [骑车戴头盔]\n");
    assert!(stdout(&jiediqi_in(&p, &["slogans"])).contains("abc-def"));
    let o = run_words(&p, "render --slogan abc-def --item sticker-rect --format pdf --proof", &p.join("out"));
    assert!(o.status.success(), "{}", stderr(&o));
    write(&p.join("slogans/zy.yaml"), "topic: 反诈\nslogans:\n  - id: abc-def\n    lines: [系好安全带]\n");
    let o = run_words(&p, "render --slogan abc-def --item sticker-rect --format pdf --proof", &p.join("out2"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("slogan id `abc-def` is used twice"), "{}", stderr(&o));
    std::fs::remove_file(p.join("slogans/zy.yaml")).unwrap();
    // A 300-character id is refused by check, not by the file system later.
    write(
        &p.join("slogans/zz.yaml"),
        &format!("topic: 反诈\nslogans:\n  - id: {}\n    lines: [骑车戴头盔]\n", "a".repeat(300)),
    );
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not filename-safe") && stderr(&o).contains("1–48"), "{}", stderr(&o));
    // `--` joins ids in file names: `fanzha-96110--back` would name fanzha-96110's back side.
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: fanzha-96110--back\n    lines: [骑车戴头盔]\n");
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("slogan id `fanzha-96110--back` is not filename-safe"), "{}", stderr(&o));
}

/// Issue 8, point 9: text and QR zones may not cover each other by accident.
#[test]
fn overlapping_zones_are_errors_unless_marked() {
    let p = project_copy("overlap");
    let path = p.join("layouts/poster-a3.yaml");
    let t = std::fs::read_to_string(&path).unwrap();
    write(
        &path,
        &t.replace("{ id: qr, role: qr, box: [242, 366, 40, 40]", "{ id: qr, role: qr, box: [200, 366, 40, 40]"),
    );
    // The error points at the moved zone's own line.
    let line = 1 + std::fs::read_to_string(&path).unwrap().lines().position(|l| l.contains("{ id: qr,")).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("poster-a3.yaml:{line}:"))
            && stderr(&o).contains("zones `footer` and `qr` overlap by 30.0 × 40.0 mm"),
        "{}",
        stderr(&o)
    );
    write(
        &path,
        &t.replace(
            "{ id: qr, role: qr, box: [242, 366, 40, 40]",
            "{ id: qr, role: qr, box: [200, 366, 40, 40], overlaps: [footer]",
        ),
    );
    let o = jiediqi_in(&p, &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Issue 8, points 9 and 10: station data that would print wrong or run in a
/// spreadsheet is refused, naming the CSV row.
#[test]
fn station_lists_refuse_big5_bad_links_and_formulas_by_row() {
    let p = project_copy("stations");
    let order = p.join("orders/chengguan-winter.yaml");
    let csv = p.join("orders/stations.csv");
    let check = |want: &str| {
        let o = jiediqi_in(&p, &["check"]);
        assert_eq!(o.status.code(), Some(1), "{want}");
        assert!(stderr(&o).contains(want), "{want}: {}", stderr(&o));
    };
    let (big5, _, _) =
        encoding_rs::BIG5.encode("id,name,phone,qr\nlaodong,勞動派出所,0912-1234567,https://example.org/l\n");
    std::fs::write(&csv, &big5).unwrap();
    check("stations.csv: the station list looks like Big5");
    let text = std::fs::read_to_string(&order).unwrap();
    write(&order, &text.replace("  csv: stations.csv", "  csv: stations.csv\n  encoding: big5"));
    // Named, it is read as Big5: 勞動, not mojibake.
    let named = jiediqi::order::Order::load(&order).unwrap();
    assert_eq!(named.stations[0].station.name, "勞動派出所");
    write(&order, &text);
    for (row, want) in [
        (
            "x,=cmd|' /C calc'!A0,0912-1234567,https://example.org/x",
            "stations.csv:3:1: station `=cmd|' /C calc'!A0`: field `name` begins with `=`",
        ),
        (
            "x,西关派出所,0912-1234567,javascript:alert(1)",
            "stations.csv:3:1: station `西关派出所`: QR link `javascript:alert(1)` uses `javascript:`",
        ),
        ("x,西关派出所,0912-1234567,not a url", "QR link `not a url` contains spaces"),
        ("x,西关派出所,@SUM(A1),https://example.org/x", "field `phone` begins with `@`"),
    ] {
        write(&csv, &format!("id,name,phone,qr\nchengguan,城关派出所,+86 912 1234567,https://example.org/c\n{row}\n"));
        check(want);
    }
    write(&order, &text.replace("title: 城关片区", "title: =HYPERLINK(\"x\")城关片区"));
    check("the order's title begins with a character a spreadsheet runs as a formula");
}

/// Issue 8, point 9: shard counts and output folders are sane.
#[test]
fn absurd_shards_and_output_folders_inside_the_data_are_refused() {
    let p = approved_root();
    let o = jiediqi(&["order", "orders/chengguan-winter.yaml", "--out", "/tmp/x", "--shard", "1/18446744073709551615"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for out in ["slogans", "reviews", ".", "layouts/sub"] {
        let dir = p.join(out);
        let o = run_words(p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf", &dir);
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    }
    assert!(files(&p.join("slogans")).iter().all(|f| f.ends_with(".yaml")));
    let o = jiediqi(&[
        "order",
        p.join("orders/chengguan-winter.yaml").to_str().unwrap(),
        "--out",
        p.join("orders").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Issue 8, point 10: messages speak our words and name the line.
#[test]
fn messages_name_the_line_and_hide_parser_internals() {
    let p = project_copy("messages");
    let path = p.join("layouts/poster-a3.yaml");
    let t = std::fs::read_to_string(&path).unwrap();
    write(&path, &t.replace("bleed: 3\n", "bleed: .nan\n"));
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\ntopic: 禁毒\nslogans: []\n");
    let o = jiediqi_in(&p, &["check"]);
    let e = stderr(&o);
    assert!(e.contains("poster-a3.yaml:8:8: item `poster-a3`: bleed NaN mm is out of range"), "{e}");
    assert!(e.contains("zz.yaml:2:1: ") && e.contains("appears twice"), "{e}");
    assert!(!e.contains("DuplicateKeyPolicy") && !e.contains("Options"), "{e}");
    write(&path, &t);
    write(&p.join("slogans/zz.yaml"), "topic: 反诈\nslogans:\n  - id: [a, b]\n    lines: [好]\n");
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(!e.contains("scalar"), "{e}");
    std::fs::remove_file(p.join("slogans/zz.yaml")).unwrap();
    let order = p.join("orders/chengguan-winter.yaml");
    let t = std::fs::read_to_string(&order).unwrap();
    write(&order, &t.replace("quantity: 40", "quantity: -40"));
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(e.contains("expected a whole number") && !e.contains("u32"), "{e}");
    // Aliases that expand past any data file's size.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..8 {
        bomb.push_str(&format!(
            "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
            (b'b' + i) as char,
            (b'b' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char,
            (b'a' + i) as char
        ));
    }
    write(&p.join("slogans/zz.yaml"), &bomb);
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(!e.contains("budget") && !e.contains("Nodes"), "{e}");
}

/// Issue 8, point 10: a run where every write failed says so.
#[test]
fn a_run_where_every_write_fails_says_so() {
    let out = scratch("read-only");
    std::fs::create_dir_all(&out).unwrap();
    // Root ignores permissions: make the targets folders, so no file can take their place.
    for f in ["poster-a3--fanzha-qiandaizi.pdf", "apron--fanzha-qiandaizi.pdf"] {
        std::fs::create_dir_all(out.join(f).join("x")).unwrap();
    }
    let o =
        run_words(approved_root(), "render --slogan fanzha-qiandaizi --item poster-a3 --item apron --format pdf", &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrote nothing to") && stderr(&o).contains("every one of the 2 combinations failed"),
        "{}",
        stderr(&o)
    );
}

/// A font that hashed right once and is noted as verified, then changed in
/// place (size and modification time kept): the next one-poster run, which
/// reads fonts in part only when they are noted with their change time,
/// reads it whole and refuses it.
#[test]
fn a_font_changed_after_it_verified_is_refused_by_a_short_run() {
    let p = project_copy("fonts-noted");
    std::fs::remove_file(p.join("fonts")).unwrap();
    std::fs::create_dir_all(p.join("fonts")).unwrap();
    for e in std::fs::read_dir(root().join("fonts")).unwrap() {
        let f = e.unwrap().path();
        std::fs::copy(&f, p.join("fonts").join(f.file_name().unwrap())).unwrap();
    }
    approve_all(&p);
    let words = "render --slogan fanzha-shucaitan --item poster-a3 --format pdf";
    for _ in 0..2 {
        // Hashed and noted, then read in part.
        let o = run_words(&p, words, &p.join("out"));
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let bold = p.join("fonts/JiediqiSans-Bold.ttf");
    let when = std::fs::metadata(&bold).unwrap().modified().unwrap();
    let mut evil = std::fs::read(&bold).unwrap();
    // A byte inside glyf (which starts at 155 212), in place.
    evil[400_000] ^= 0x55;
    let f = std::fs::OpenOptions::new().write(true).open(&bold).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, &evil[400_000..400_001], 400_000).unwrap();
    f.set_modified(when).unwrap();
    drop(f);
    let o = run_words(&p, words, &p.join("out2"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("font JiediqiSans-Bold.ttf differs from the one jiediqi ships"), "{}", stderr(&o));
}

/// A second review (attacker's try): fonts decide what a page says. A
/// changed shipped font is refused; a font jiediqi does not ship never
/// reaches a print file, and never draws the proof mark.
#[test]
fn fonts_that_could_change_the_words_never_print() {
    let p = project_copy("fonts");
    std::fs::remove_file(p.join("fonts")).unwrap();
    std::fs::create_dir_all(p.join("fonts")).unwrap();
    for e in std::fs::read_dir(root().join("fonts")).unwrap() {
        let f = e.unwrap().path();
        std::fs::copy(&f, p.join("fonts").join(f.file_name().unwrap())).unwrap();
    }
    approve_all(&p);
    // One byte of the bold font changed (its 核 could now draw 汇).
    let bold = p.join("fonts/JiediqiSans-Bold.ttf");
    let good = std::fs::read(&bold).unwrap();
    let mut evil = good.clone();
    let at = evil.len() - 100;
    evil[at] ^= 0x55;
    std::fs::write(&bold, &evil).unwrap();
    let o = run_words(&p, "render --slogan fanzha-shucaitan --item poster-a3 --format pdf", &p.join("out"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("font JiediqiSans-Bold.ttf differs from the one jiediqi ships"), "{}", stderr(&o));
    assert_eq!(jiediqi_in(&p, &["check"]).status.code(), Some(1));
    // The same bytes under another name: refused too, for every page (a
    // proof sheet drawn with it would show the reviewer other words).
    std::fs::write(&bold, &good).unwrap();
    std::fs::write(p.join("fonts/Evil.ttf"), &evil).unwrap();
    let yaml = std::fs::read_to_string(p.join("fonts/fonts.yaml")).unwrap();
    std::fs::write(
        p.join("fonts/fonts.yaml"),
        yaml.replacen("JiediqiSans-Bold.ttf", "Evil.ttf, JiediqiSans-Bold.ttf", 1),
    )
    .unwrap();
    for words in [
        "render --slogan fanzha-shucaitan --item poster-a3 --format pdf",
        "render --slogan fanzha-shucaitan --item poster-a3 --format pdf --proof",
        "proof fanzha-shucaitan",
    ] {
        let out = p.join("out2");
        let o = run_words(&p, words, &out);
        assert_eq!(o.status.code(), Some(1), "{words}: {}", stderr(&o));
        assert!(stderr(&o).contains("font Evil.ttf is not one jiediqi ships"), "{words}: {}", stderr(&o));
        assert!(files(&out).is_empty(), "{words}");
    }
}

#[test]
fn a_zone_whose_strokes_stay_below_the_process_minimum_fails_naming_it() {
    // The apron's tip in the Regular sans: at the 13 mm the zone allows, its
    // thin stems stay under the 1 mm the apron's screen needs.
    let p = project_copy("thin-strokes");
    let t = p.join("layouts/apron.yaml");
    let yaml = std::fs::read_to_string(&t).unwrap();
    let tip = yaml.find("  - { id: tip,").unwrap();
    let (head, tail) = yaml.split_at(tip);
    write(
        &t,
        &format!(
            "{head}{}",
            tail.replacen("font: heavy", "font: sans", 1).replacen("max_height: 14", "max_height: 13", 1)
        ),
    );
    approve_all(&p);
    let out = p.join("out");
    let o = run_words(&p, "render --slogan fanzha-shucaitan --item apron --item bag-nonwoven --format pdf", &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "the tip of slogan `fanzha-shucaitan` on item `apron` does not fit zone `tip` with strokes of at least 1 mm: in font role `sans` its thin stems are"
        ),
        "{e}"
    );
    assert!(e.contains("apron.yaml:"), "names the template line: {e}");
    assert!(e.contains("heavier font role"), "{e}");
    // The bag (its tip in the bold sans) is still written; the apron not at all.
    assert_eq!(files(&out), vec!["bag-nonwoven--fanzha-shucaitan.pdf"]);
}

#[test]
fn an_underbase_is_refused_where_it_cannot_be_made() {
    let p = project_copy("bad-underbase");
    // Dye sublimation prints no white screen; the tote's bar and slogan are
    // apart, but a bar moved under the slogan would be choked shape by shape.
    let pad = std::fs::read_to_string(p.join("layouts/mousepad-small.yaml")).unwrap();
    write(&p.join("layouts/mousepad-small.yaml"), &pad.replacen("inks:\n", "underbase: { choke: 5 }\ninks:\n", 1));
    let tote = std::fs::read_to_string(p.join("layouts/tote-canvas.yaml")).unwrap();
    let tote = tote
        .replacen("inks:\n", "underbase: { choke: 0.2 }\ninks:\n", 1)
        .replace("box: [20, 20, 240, 8], ink: red", "box: [20, 120, 240, 8], ink: red");
    write(&p.join("layouts/tote-canvas.yaml"), &tote);
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("item `mousepad-small`: an underbase is a screen of its own, for screen printing only"), "{e}");
    assert!(e.contains("item `mousepad-small`: underbase choke 5 mm is out of range"), "{e}");
    assert!(e.contains("mousepad-small.yaml:"), "names the line: {e}");
    assert!(
        e.contains("item `mousepad-small`: an underbase cannot be made under a background or a QR code yet"),
        "{e}"
    );
    assert!(!e.contains("item `tote-canvas`: an underbase cannot be made"), "{e}");
    assert!(
        e.contains("item `tote-canvas`: zones `bar` and `slogan` overlap, and the underbase is choked shape by shape"),
        "{e}"
    );
    // The shipped apron's underbase checks clean.
    let o = jiediqi_shipped(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The die line's shapes, folds, couplet strips and `takes` are checked: a
/// text box outside the cut's safe area or near a fold, fields of another
/// shape, a concave polygon, a second slogan zone without its line.
#[test]
fn die_shapes_folds_and_couplet_strips_are_checked() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "sticker-round",
            "box: [10, 24, 40, 15]",
            "box: [3, 24, 54, 15]",
            "zone `slogan`: box [3, 24, 54, 15] reaches outside the die line's safe area (3 mm inside the cut)",
        ),
        (
            "sticker-round",
            "shape: circle }",
            "shape: circle, points: [[0, 0]] }",
            "die line of shape circle has fields of another shape",
        ),
        (
            "umbrella-panel",
            "points: [[200, 0], [400, 540], [0, 540]]",
            "points: [[200, 0], [400, 540], [200, 300], [0, 540]]",
            "die line polygon of 4 points is not a convex shape inside the trim",
        ),
        ("fan-round", "handle: 30 }", "handle: 300 }", "die line handle 300 mm wide does not fit below the circle"),
        (
            "trifold-16k",
            "box: [100, 134, 82, 40]",
            "box: [90, 134, 92, 40]",
            "zone `footer`: box [90, 134, 92, 40] comes within 5 mm of the fold at 93 mm",
        ),
        ("trifold-16k", "folds: [93, 189]", "folds: [189, 93]", "fold at 93 mm is not inside the trim, left to right"),
        ("couplet-7", "    line: 2\n", "", "item `couplet-7` has 2 slogan zones"),
        (
            "poster-a3",
            "    grow: [tip]\n",
            "    grow: [tip]\n    chunks: true\n",
            "zone `slogan`: `chunks` is for tip zones",
        ),
        (
            "couplet-7",
            "takes: { lines: 2, chars: 7 }",
            "takes: { lines: 3 }",
            "takes asks for slogans no slogan can be",
        ),
        (
            "sticker-round-sheet",
            "pitch: [66, 66]",
            "pitch: [50, 66]",
            "the repeated cuts overlap or run off the sheet (60 × 60 mm each, pitch 50 × 66)",
        ),
        (
            "sticker-round-sheet",
            "columns: 4",
            "columns: 5",
            "zone `slogan`: box [29.5, 33, 40, 15] reaches outside the safe area",
        ),
        (
            "couplet-7",
            "rects: [[0, 0, 900, 260],",
            "rects: [[0, 0, 900, 300],",
            "die line rects (3 pieces) are not apart and inside the trim",
        ),
        // A ring piece whose centre is not below the trim: its artwork would be bent round a point inside it.
        ("cup-paper", "center: [127.5, 306.6]", "center: [127.5, 100]", "die line sector (centre [127.5, 100.0]"),
        ("cup-paper", "angle: 49.1 }", "angle: 190 }", "does not fit the trim"),
        ("cup-paper", "shape: sector,", "shape: circle,", "die line of shape circle has fields of another shape"),
        (
            "cup-paper",
            "  - { id: bottom, role: decoration, box: [0, 77, 255, 48], ink: red, bleed: true }",
            "  - { id: bottom, role: decoration, box: [0, 77, 255, 48], ink: red, bleed: true }\n  - { id: pic, role: image, source: logo, box: [120, 30, 15, 15] }",
            "zone `pic`: a picture cannot be bent round a ring-piece (sector) die line",
        ),
    ];
    for (i, (item, from, to, expect)) in cases.iter().enumerate() {
        let p = project_copy(&format!("shapes-{i}"));
        let path = p.join(format!("layouts/{item}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "case {i}: `{from}` not in {item}.yaml");
        write(&path, &text.replacen(from, to, 1));
        let o = jiediqi_in(&p, &["check"]);
        assert_eq!(o.status.code(), Some(1), "case {i} ({to}): {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(expect) && e.contains(&format!("layouts/{item}.yaml")), "case {i} ({to}): {e}");
    }
}

#[test]
fn pictogram_zone_and_file_problems_are_all_listed() {
    let p = project_copy("bad-pictogram");
    let text = std::fs::read_to_string(p.join("layouts/poster-a3.yaml")).unwrap();
    let text = text.replace(
        "ink: red, shape: pictogram }",
        "ink: red, shape: pictogram, tint: 50, stroke: 1 }\n  - { id: picto2, role: tip, box: [2, 2, 30, 30], ink: red, shape: pictogram, pictograms: x }",
    );
    write(&p.join("layouts/poster-a3.yaml"), &text);
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    // Unknown fields stay errors (`pictograms:` is one, `pictogram:` is not).
    assert!(e.contains("poster-a3.yaml:") && e.contains("unknown field `pictograms`"), "{e}");
    // A zone's own pictogram: a file name, on a pictogram zone.
    let bad = text.replace(", pictograms: x }", ", pictogram: ../fanzha }");
    write(&p.join("layouts/poster-a3.yaml"), &bad);
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(e.contains("zone `picto2`: `pictogram: ../fanzha` names no pictogram of a pictogram zone"), "{e}");
    let text = text.replace(", pictograms: x }", " }");
    write(&p.join("layouts/poster-a3.yaml"), &text);
    write(
        &p.join("pictograms/huji.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\">\n<circle r=\"5\"/></svg>\n",
    );
    std::fs::remove_file(p.join("pictograms/jindu.svg")).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("zone `picto`: a pictogram takes no `tint`"), "{e}");
    assert!(e.contains("zone `picto`: a pictogram takes no `stroke`"), "{e}");
    assert!(e.contains("zone `picto2`: `shape: pictogram` is for decoration zones"), "{e}");
    assert!(e.contains("zone `picto2`: box [2, 2, 30, 30] reaches outside the safe area"), "{e}");
    // The template's errors stop the load; with it fixed, the pictogram files' own.
    write(&p.join("layouts/poster-a3.yaml"), &std::fs::read_to_string(root().join("layouts/poster-a3.yaml")).unwrap());
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("pictograms/huji.svg:2:1: pictogram has a `<circle>` element; only `<path d>` is allowed"),
        "{e}"
    );
    // A topic without its own pictogram is a note, not an error: it prints with the general one.
    assert!(e.contains("note: topic `禁毒` (slogans/jindu.yaml) has no pictogram of its own"), "{e}");
    assert!(!e.contains("jindu.svg: "), "{e}");
    // A zone naming a pictogram that is not drawn: named with the zone's line.
    let named = std::fs::read_to_string(root().join("layouts/poster-a3.yaml")).unwrap().replacen(
        "ink: red, shape: pictogram }",
        "ink: red, shape: pictogram, pictogram: nosuch }",
        1,
    );
    write(&p.join("layouts/poster-a3.yaml"), &named);
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(
        e.contains("layouts/poster-a3.yaml:") && e.contains("item `poster-a3` zone `picto`: no pictogram `nosuch`"),
        "{e}"
    );
    write(&p.join("layouts/poster-a3.yaml"), &std::fs::read_to_string(root().join("layouts/poster-a3.yaml")).unwrap());
    let out = scratch("bad-pictogram-out");
    let o = run_words(&p, "render --slogan huji-bulin --item poster-a3 --format pdf --proof", &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("item `poster-a3` zone `picto`: pictogram has a `<circle>` element"), "{}", stderr(&o));
    assert!(files(&out).is_empty());
}
