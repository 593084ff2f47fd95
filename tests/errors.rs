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
        .replace("    font: heavy\n", "    font: fancy\n")
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
    let o = run_words(&p, "render --slogan rare --item poster-a3 --proof", &out);
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
        ("box: [22, 92, 253, 190]", "box: [.nan, 92, 253, 190]", "box width and height must be positive"),
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
    write(&path, &text.replace("spot: \"PANTONE 186 C\"", "spot: \"None\""));
    write(
        &p.join("slogans/zz.yaml"),
        "topic: 反诈\nslogans:\n  - id: marks-only\n    lines: [\"，。\"]\n  - id: tabbed\n    lines: [\"反诈\\t宣传\"]\n",
    );
    write(&p.join("examples/blank.yaml"), "name: 城关派出所\nphone: \"  \"\n");
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("has the spot name `None`"), "{e}");
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
