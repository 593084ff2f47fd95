//! Review workflow: approvals bound to the wording, the print gate, proofs,
//! and a log that loses nothing when reviewers work at the same time.

mod common;

use common::*;

fn log_text(p: &std::path::Path) -> String {
    std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap_or_default()
}

#[test]
fn an_edited_approved_slogan_becomes_stale_and_render_refuses_it() {
    let p = project_copy("stale");
    let o = jiediqi_in(&p, &["approve", "jiaotong-toukui", "--by", "王警官", "--note", "顺口"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = p.join("out");
    let render =
        |out: &std::path::Path| run_words(&p, "render --slogan jiaotong-toukui --item poster-a3 --format pdf", out);
    let o = render(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&out), vec!["poster-a3--jiaotong-toukui.pdf"]);
    // Edit the wording: the approval no longer counts.
    let path = p.join("slogans/jiaotong.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("平安把家回。", "平安回家去。", 1)).unwrap();
    let out2 = p.join("out2");
    let o = render(&out2);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("slogan `jiaotong-toukui` is not approved for print (stale: approved by 王警官"), "{e}");
    assert!(files(&out2).is_empty());
    let o = jiediqi_in(&p, &["review", "--state", "stale"]);
    assert!(stdout(&o).contains("jiaotong-toukui"), "{}", stdout(&o));
    // Approving the new wording lets it print again.
    assert!(jiediqi_in(&p, &["approve", "jiaotong-toukui", "--by", "王警官"]).status.success());
    assert!(render(&out2).status.success());
}

#[test]
fn rejected_and_pending_slogans_are_refused_with_reasons() {
    let p = project_copy("rejected");
    let o = jiediqi_in(&p, &["reject", "fanzha-qiandaizi", "--by", "李审核", "--reason", "太像口号，换成生活场景"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jiediqi_in(&p, &["request-changes", "jindu-haoqi", "--by", "李审核", "--reason", "加一句求助电话"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = p.join("out");
    let o =
        run_words(&p, "render --slogan fanzha-qiandaizi --slogan jindu-haoqi --slogan xiaofang-119 --item apron", &out);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("`fanzha-qiandaizi` is not approved for print (rejected by 李审核") && e.contains("太像口号"),
        "{e}"
    );
    assert!(
        e.contains("`jindu-haoqi` is not approved for print (changes requested by 李审核")
            && e.contains("加一句求助电话"),
        "{e}"
    );
    assert!(e.contains("`xiaofang-119` is not approved for print (pending"), "{e}");
    assert!(files(&out).is_empty());
    // The review list groups them.
    let list = stdout(&jiediqi_in(&p, &["review"]));
    let section = |name: &str| {
        list.split(&format!("{name} (")).nth(1).unwrap_or("").split("\n\n").next().unwrap_or("").to_string()
    };
    assert!(section("rejected").contains("fanzha-qiandaizi"), "{list}");
    assert!(section("changes requested").contains("jindu-haoqi"), "{list}");
    // A reason is required.
    let o = jiediqi_in(&p, &["reject", "xiaofang-119", "--by", "李审核", "--reason", " "]);
    assert_eq!(o.status.code(), Some(2));
    // Unknown ids are refused and nothing is logged for them.
    let before = log_text(&p);
    let o = jiediqi_in(&p, &["approve", "no-such-id", "--by", "李审核"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(log_text(&p), before);
}

#[test]
fn proofs_of_unapproved_wording_are_marked() {
    let p = project_copy("proof");
    let out = p.join("out");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf,png --dpi 20 --proof", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        files(&out),
        vec!["poster-a3--fanzha-qiandaizi--样稿未审定.pdf", "poster-a3--fanzha-qiandaizi--样稿未审定.png"]
    );
    let pdf = out.join("poster-a3--fanzha-qiandaizi--样稿未审定.pdf");
    let text: String =
        tool_ok("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect();
    for c in "样稿·未审定".chars() {
        assert!(text.contains(c), "proof mark missing {c}: {text}");
    }
    let info = tool_ok("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("样稿·未审定"), "{info}");
    // An approved slogan in a --proof run is a normal print file.
    assert!(jiediqi_in(&p, &["approve", "fanzha-qiandaizi", "--by", "王"]).status.success());
    let out2 = p.join("out2");
    let o = run_words(&p, "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf --proof", &out2);
    assert!(o.status.success());
    assert_eq!(files(&out2), vec!["poster-a3--fanzha-qiandaizi.pdf"]);
}

/// Eight reviewers approving at the same moment: every record lands.
#[test]
fn concurrent_approvals_lose_no_record() {
    let p = project_copy("concurrent");
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let ids: Vec<String> = lib.slogans.iter().take(24).map(|s| s.id.clone()).collect();
    let children: Vec<_> = ids
        .chunks(3)
        .enumerate()
        .map(|(n, chunk)| {
            let mut args = vec!["approve", "--by"];
            let by = format!("审核员{n}");
            args.push(&by);
            args.extend(chunk.iter().map(String::as_str));
            let mut c = command_in(&p, &args);
            c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let log = review_log(&p);
    assert_eq!(log.records.len(), 24, "records lost: {}", log_text(&p));
    for id in &ids {
        assert_eq!(log.history(id).count(), 1, "{id}");
        assert!(log.state(lib.slogan(id).unwrap()).is_approved());
    }
    assert!(files(&p.join("reviews")).iter().all(|f| !f.ends_with(".jiediqi-tmp")));
}

#[test]
fn the_log_is_append_only() {
    let p = project_copy("append");
    assert!(jiediqi_in(&p, &["approve", "jindu-zhenai", "--by", "甲"]).status.success());
    let first = log_text(&p);
    assert!(
        jiediqi_in(&p, &["request-changes", "jindu-zhenai", "--by", "乙", "--reason", "再口语一点"]).status.success()
    );
    let second = log_text(&p);
    assert!(second.starts_with(&first), "earlier records were rewritten");
    assert!(second.len() > first.len());
    // The later decision for the same wording is the state.
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let log = review_log(&p);
    assert!(matches!(log.state(lib.slogan("jindu-zhenai").unwrap()), jiediqi::review::State::ChangesRequested(_)));
    // The shipped project renders nothing for print without approval.
    let o = jiediqi_shipped(&[
        "render",
        "--slogan",
        "jindu-zhenai",
        "--item",
        "apron",
        "--out",
        scratch("shipped").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn the_shipped_library_passes_lint_and_check() {
    let o = jiediqi_shipped(&["lint"]);
    assert!(o.status.success(), "lint errors in the shipped library:\n{}", stdout(&o));
    let o = jiediqi_shipped(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jiediqi_shipped(&["lint", "--format", "json"]);
    let json = stdout(&o);
    assert!(json.trim_start().starts_with('[') && json.trim_end().ends_with(']'), "{json}");
    assert!(!json.contains("\"level\": \"error\""));
}

#[test]
fn lint_finds_errors_and_exits_1() {
    let p = project_copy("lint-bad");
    std::fs::write(
        p.join("slogans/zz.yaml"),
        "topic: 反诈\nslogans:\n  - id: bad-one\n    lines: [\"严禁点击陌生链接,违者必究\", 要切实落实電話核实]\n  - id: copy-of-qiandaizi\n    lines: [钱袋子要捂得紧，, 陌生来电别轻信。]\n  - id: tagged\n    lines: [好好过日子]\n    items: [poster-a3, teapot]\n",
    )
    .unwrap();
    let o = jiediqi_in(&p, &["lint", "bad-one", "copy-of-qiandaizi", "tagged", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json = stdout(&o);
    for rule in
        ["commanding", "officialese", "half-width-punctuation", "traditional-characters", "duplicate", "unknown-item"]
    {
        assert!(json.contains(&format!("\"rule\": \"{rule}\"")), "{rule} missing in {json}");
    }
    assert!(json.contains("\"slogan\": \"copy-of-qiandaizi\""));
    // Text output speaks Chinese to reviewers.
    let o = jiediqi_in(&p, &["lint", "bad-one"]);
    assert!(stdout(&o).contains("建议："), "{}", stdout(&o));
}

#[test]
fn proof_sheets_show_wording_findings_history_and_previews() {
    let p = project_copy("proof-sheet");
    // A comma inside the first line makes the couplet three lines on the
    // poster: a lint finding the sheet must show.
    let traffic = p.join("slogans/jiaotong.yaml");
    let t = std::fs::read_to_string(&traffic).unwrap();
    std::fs::write(&traffic, t.replacen("过马路别看手机，", "过马路，别看手机，", 1)).unwrap();
    approve_all(&p);
    assert!(
        jiediqi_in(&p, &["request-changes", "jiaotong-shouji", "--by", "赵审核", "--reason", "第二句再短一点"])
            .status
            .success()
    );
    // Edit an approved slogan: stale.
    let path = p.join("slogans/fanzha.yaml");
    let t = std::fs::read_to_string(&path).unwrap();
    let edited = t.replacen("陌生来电别轻信。", "陌生电话别轻信。", 1);
    assert_ne!(t, edited, "the edit must change the wording");
    std::fs::write(&path, edited).unwrap();
    let out = p.join("sheet");
    let o = jiediqi_in(
        &p,
        &[
            "proof",
            "jiaotong-shouji",
            "fanzha-qiandaizi",
            "--out",
            out.to_str().unwrap(),
            "--station",
            "examples/station.yaml",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("proof-sheet.pdf");
    let pdf_s = pdf.to_str().unwrap();
    assert!(tool_ok("qpdf", &["--check", pdf_s]).contains("No syntax or stream encoding errors"));
    let info = tool_ok("pdfinfo", &[pdf_s]);
    assert!(info.contains("A4"), "{info}");
    let text: String = tool_ok("pdftotext", &[pdf_s, "-"]).chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        "标语审核样张",
        "过马路，别看手机，",
        "左右看看再走起。",
        "审核记录",
        "赵审核",
        "需修改",
        "第二句再短一点",
        "自动检查",
        "要排成3行",
        "效果预览",
        "海报A3",
        "审核人签字",
        "陌生电话别轻信",
        "针对旧措辞",
        "标题：防骗小贴士（主题：反诈）",
    ] {
        assert!(text.contains(want), "proof sheet lacks {want}: {text}");
    }
    // Unapproved wording: every page says so.
    let pages: usize =
        info.lines().find(|l| l.starts_with("Pages:")).unwrap().split_whitespace().last().unwrap().parse().unwrap();
    for page in 1..=pages {
        let t = tool_ok("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), pdf_s, "-"]);
        assert!(t.contains("样稿·未审定"), "page {page} unmarked");
    }
    // PNG previews for every item, marked as proofs.
    let previews = files(&out.join("previews"));
    // One a pair the item takes (the couplet takes only 7+7 lines).
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    // Two-sided items (card, tri-fold) have a preview of each side: the back prints too.
    let sides = ["jiaotong-shouji", "fanzha-qiandaizi"]
        .iter()
        .map(|id| lib.slogan(id).unwrap())
        .flat_map(|s| lib.items.iter().filter(move |i| i.suits(s)))
        .map(jiediqi::validate::Item::side_count)
        .sum::<usize>();
    assert!(sides > 30, "{sides}");
    assert_eq!(previews.len(), sides, "{previews:?}");
    assert!(previews.iter().all(|f| f.ends_with("--样稿未审定.png") || f.ends_with("--样稿未审定--back.png")));
    assert!(previews.iter().any(|f| f == "card-contact--fanzha-qiandaizi--样稿未审定--back.png"), "{previews:?}");
    for want in ["警民联系卡（正面）", "警民联系卡（背面）"] {
        assert!(text.contains(want), "proof sheet lacks {want}");
    }
    // --pending picks what waits for a decision: the stale one, not the decided one.
    let out2 = p.join("sheet2");
    let o = run_words(&p, "proof --pending", &out2);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = tool_ok("pdftotext", &[out2.join("proof-sheet.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("fanzha-qiandaizi") && !text.contains("jiaotong-shouji"), "{text}");
}

#[test]
fn lint_reports_slogans_that_do_not_fit_or_lack_glyphs() {
    let p = project_copy("lint-fit");
    std::fs::write(
        p.join("slogans/zz.yaml"),
        "topic: 反诈\nslogans:\n  - id: rare-char\n    lines: [吃饭别去𠮷野家]\n  - id: short-enough\n    lines: [骑车戴头盔]\n    items: [poster-a3]\n",
    )
    .unwrap();
    add_slogan_that_does_not_fit(&p, "too-long");
    let o = jiediqi_in(&p, &["lint", "too-long", "rare-char", "short-enough", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let json = stdout(&o);
    assert!(json.contains("\"slogan\": \"too-long\", \"rule\": \"does-not-fit\""), "{json}");
    assert!(json.contains("\"slogan\": \"rare-char\", \"rule\": \"missing-glyph\""), "{json}");
    assert!(!json.contains("\"slogan\": \"short-enough\""), "{json}");
}

#[test]
fn decisions_name_their_slogans_and_can_pin_the_wording_seen() {
    let p = project_copy("pin");
    let o = jiediqi_in(&p, &["approve", "all", "--by", "甲"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The reviewer saw one wording; the author changed it before approval.
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let seen = jiediqi::review::wording_hash(lib.slogan("jiaotong-toukui").unwrap());
    let path = p.join("slogans/jiaotong.yaml");
    let t = std::fs::read_to_string(&path).unwrap().replacen("平安把家回。", "平安回家去。", 1);
    std::fs::write(&path, t).unwrap();
    let o = jiediqi_in(&p, &["approve", "jiaotong-toukui", "--by", "甲", "--wording", &seen[..16]]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has changed since the reviewer saw it"), "{}", stderr(&o));
    assert!(!p.join("reviews/log.yaml").exists());
    // With the current hash it goes through, and says what was approved.
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let now = jiediqi::review::wording_hash(lib.slogan("jiaotong-toukui").unwrap());
    let o = jiediqi_in(
        &p,
        &["approve", "jiaotong-toukui", "--by", "王𠮷", "--note", "第一行\n第二行 \u{ffff}", "--wording", &now[..16]],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("平安回家去") && stdout(&o).contains(&now[..16]), "{}", stdout(&o));
    // A reviewer's name or note with characters the fonts lack (𠮷 U+20BB7 is in
    // neither the 通用规范汉字表 nor U+4E00–9FFF) still gives a proof sheet.
    let out = p.join("sheet");
    let o = jiediqi_in(&p, &["proof", "jiaotong-toukui", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = tool_ok("pdftotext", &[out.join("proof-sheet.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("王〓") && text.contains("第二行"), "{text}");
}

/// Issue 8, point 3: the heading prints the file's topic, so the topic is
/// part of the approved wording.
#[test]
fn changing_the_topic_makes_an_approved_slogan_stale() {
    let p = project_copy("topic");
    assert!(jiediqi_in(&p, &["approve", "fanzha-shucaitan", "--by", "王警官"]).status.success());
    let path = p.join("slogans/fanzha.yaml");
    let t = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, t.replacen("topic: 反诈", "topic: 转账请打6222卡号", 1)).unwrap();
    let out = p.join("out");
    let o = run_words(&p, "render --slogan fanzha-shucaitan --item poster-a3 --format pdf", &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("stale: approved by 王警官"), "{}", stderr(&o));
    assert!(files(&out).is_empty());
}

/// A copy of the project with one approval and one rejection in its log.
fn decided_project(name: &str) -> std::path::PathBuf {
    let p = project_copy(name);
    assert!(jiediqi_in(&p, &["approve", "jiaotong-toukui", "fanzha-shucaitan", "--by", "王警官"]).status.success());
    assert!(jiediqi_in(&p, &["reject", "fanzha-shucaitan", "--by", "李审核", "--reason", "换个说法"]).status.success());
    p
}

fn render_poster(p: &std::path::Path, id: &str) -> std::process::Output {
    let out = p.join(format!("out-{}", std::time::SystemTime::now().elapsed().map(|d| d.as_nanos()).unwrap_or(0)));
    run_words(p, &format!("render --slogan {id} --item poster-a3 --format pdf"), &out)
}

/// Issue 8, point 4: records made by hand are not decisions.
#[test]
fn hand_made_edited_reordered_or_removed_records_are_detected() {
    let p = decided_project("forge");
    let log = p.join("reviews/log.yaml");
    let good = std::fs::read_to_string(&log).unwrap();
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let hash = jiediqi::review::wording_hash(lib.slogan("fanzha-shucaitan").unwrap());
    // A record appended by hand with the right wording hash, old style or copying a signature.
    let forged_plain = format!(
        "{good}- slogan: fanzha-shucaitan\n  wording: {hash}\n  decision: approved\n  reviewer: \"局长\"\n  time: 1970-01-01T00:00:00Z\n"
    );
    let last_mac = good.lines().rev().find_map(|l| l.strip_prefix("  mac: ")).unwrap();
    let forged_signed = format!(
        "{good}- seq: 4\n  slogan: fanzha-shucaitan\n  wording: {hash}\n  decision: approved\n  reviewer: \"局长\"\n  time: 2099-01-01T00:00:00Z\n  prev: {}\n  key: {}\n  mac: {last_mac}\n",
        "a".repeat(64),
        good.lines().find_map(|l| l.strip_prefix("  key: ")).unwrap()
    );
    // An edited record: the rejection turned into an approval.
    let edited = good.replacen("decision: rejected", "decision: approved", 1);
    // Records reordered: the rejection moved before the approval.
    let records: Vec<&str> = good.split("- seq: ").collect();
    let reordered = format!("{}- seq: {}- seq: {}- seq: {}", records[0], records[1], records[3], records[2]);
    let bad_time =
        good.replacen(&good.lines().find(|l| l.starts_with("  time: ")).unwrap().to_string(), "  time: not-a-time", 1);
    for (name, text, want) in [
        ("appended unsigned", forged_plain, "review record 4 (`fanzha-shucaitan`): is not signed"),
        (
            "appended with a copied signature",
            forged_signed,
            "review record 4 (`fanzha-shucaitan`): does not follow the record before it",
        ),
        ("edited", edited, "does not match its signature"),
        ("reordered", reordered, "is numbered 3"),
        ("bad time", bad_time, "review record 1"),
    ] {
        std::fs::write(&log, &text).unwrap();
        for args in [vec!["review"], vec!["review", "--verify"]] {
            let o = jiediqi_in(&p, &args);
            assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
            assert!(stderr(&o).contains(want), "{name}: {}", stderr(&o));
            assert!(stderr(&o).contains("log.yaml:"), "{name}: the record's line: {}", stderr(&o));
            assert!(stderr(&o).contains("git checkout reviews/log.yaml"), "{name}: how to repair: {}", stderr(&o));
        }
        let o = render_poster(&p, "fanzha-shucaitan");
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(!stderr(&o).contains("wrote"), "{name}: {}", stderr(&o));
        let o = jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]);
        assert_eq!(o.status.code(), Some(1), "{name}: appended to a log that does not verify");
        assert_eq!(std::fs::read_to_string(&log).unwrap(), text, "{name}: the log was changed");
    }
    // The last record removed (the rejection): a valid shorter chain, but
    // this machine saw more.
    let shorter = format!("{}- seq: {}- seq: {}", records[0], records[1], records[2]);
    std::fs::write(&log, &shorter).unwrap();
    let o = render_poster(&p, "fanzha-shucaitan");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("records were removed from its end"), "{}", stderr(&o));
    // Restored, everything works again and --verify says so.
    std::fs::write(&log, &good).unwrap();
    let o = jiediqi_in(&p, &["review", "--verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok: 3 records, chain and signatures intact"), "{}", stdout(&o));
    // Without the key nothing in the log is trusted.
    let o = command_in(&p, &["review"]).env("JIEDIQI_KEY_FILE", p.join("../no-such.key")).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Another key (someone else's machine) cannot verify, nor sign into this log.
    let other = scratch("other-key").join("review.key");
    jiediqi::review::key::Keyring::create(&other, &p).unwrap();
    let o =
        command_in(&p, &["approve", "xiaofang-119", "--by", "局长"]).env("JIEDIQI_KEY_FILE", &other).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is signed with key"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), good);
}

/// Issue 8, point 4: an old unsigned log is migrated once, every record kept.
#[test]
fn an_old_unsigned_log_is_migrated_keeping_every_record() {
    let p = project_copy("migrate");
    std::fs::create_dir_all(p.join("reviews")).unwrap();
    let old = "# jiediqi review log: append-only, one record per decision (written by jiediqi).\n\
- slogan: jiaotong-toukui\n  wording: 1111111111111111111111111111111111111111111111111111111111111111\n  decision: approved\n  reviewer: \"王警官\"\n  time: 2026-11-29T04:00:00Z\n\
- slogan: fanzha-shucaitan\n  wording: 2222222222222222222222222222222222222222222222222222222222222222\n  decision: rejected\n  reviewer: \"李审核\"\n  time: 2026-11-29T05:00:00Z\n  note: \"换个说法\"\n";
    std::fs::write(p.join("reviews/log.yaml"), old).unwrap();
    let o = jiediqi_in(&p, &["review"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("old unsigned format") && stderr(&o).contains("review --migrate"), "{}", stderr(&o));
    let o = jiediqi_in(&p, &["review", "--migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("signed 2 records"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(p.join("reviews/log.yaml.v1-backup")).unwrap(), old);
    let log = review_log(&p);
    assert_eq!(log.records.len(), 2);
    assert_eq!(log.records[1].note.as_deref(), Some("换个说法"));
    assert_eq!(log.records[0].time, "2026-11-29T04:00:00Z");
    // Running it again changes nothing.
    let before = std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap();
    assert!(jiediqi_in(&p, &["review", "--migrate"]).status.success());
    assert_eq!(std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap(), before);
    // A bad time in an old log is named, not signed.
    let q = project_copy("migrate-bad");
    std::fs::create_dir_all(q.join("reviews")).unwrap();
    std::fs::write(q.join("reviews/log.yaml"), old.replace("2026-11-29T05:00:00Z", "not-a-time")).unwrap();
    let o = jiediqi_in(&q, &["review", "--migrate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("log.yaml:7:") && stderr(&o).contains("`not-a-time`"), "{}", stderr(&o));
}

/// Issue 8, point 5: the log survives anything valid.
#[test]
fn a_log_with_a_document_end_or_behind_a_symlink_keeps_its_records() {
    let p = decided_project("doc-end");
    let log = p.join("reviews/log.yaml");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("...\n");
    std::fs::write(&log, &text).unwrap();
    assert!(jiediqi_in(&p, &["review"]).status.success());
    let o = jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [vec!["review"], vec!["review", "--verify"]] {
        let o = jiediqi_in(&p, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(review_log(&p).records.len(), 4);
    // A symlinked log: the link stays and its target receives the records.
    let q = decided_project("symlink");
    let shared = q.join("shared-log.yaml");
    std::fs::rename(q.join("reviews/log.yaml"), &shared).unwrap();
    std::os::unix::fs::symlink("../shared-log.yaml", q.join("reviews/log.yaml")).unwrap();
    assert!(jiediqi_in(&q, &["approve", "xiaofang-119", "--by", "王警官"]).status.success());
    assert!(std::fs::symlink_metadata(q.join("reviews/log.yaml")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&shared).unwrap().contains("slogan: xiaofang-119"));
    assert_eq!(review_log(&q).records.len(), 4);
}

/// Issue 8, point 5: waiting for the lock says so and gives up in time.
#[test]
fn waiting_for_the_lock_is_announced_and_bounded() {
    let p = decided_project("lock");
    let lock =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(p.join("reviews/.log.lock")).unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    let o = command_in(&p, &["approve", "xiaofang-119", "--by", "王警官"])
        .env("JIEDIQI_LOCK_TIMEOUT", "2")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("waiting for the review log"), "{}", stderr(&o));
    assert!(stderr(&o).contains("locked by another jiediqi process; gave up after 2 s"), "{}", stderr(&o));
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    lock.unlock().unwrap();
    assert!(jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]).status.success());
}

/// Issue 8, point 10: names and notes from data never reach the terminal raw.
#[test]
fn escape_sequences_from_data_are_shown_escaped() {
    let p = project_copy("ansi");
    let o = jiediqi_in(&p, &["approve", "jiaotong-toukui", "--by", "\u{1b}[2J\u{1b}[31mEVIL"]);
    assert_eq!(o.status.code(), Some(2), "control characters are not a name");
    let o = jiediqi_in(&p, &["request-changes", "jiaotong-toukui", "--by", "王", "--reason", "x\u{1b}[2Jy"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = jiediqi_in(&p, &["review"]);
    assert!(!stdout(&o).contains('\u{1b}'), "{}", stdout(&o));
    assert!(stdout(&o).contains("x\\u{1b}[2Jy"), "{}", stdout(&o));
}

/// A second review (attacker's try): another project's valid log, signed
/// with the same key, copied over this one's, is refused; so is an unsigned
/// log put where a signed one was, which migration would otherwise sign.
#[test]
fn a_log_from_another_project_or_an_unsigned_replacement_is_refused() {
    let p = project_copy("swap-a");
    assert!(jiediqi_in(&p, &["approve", "fanzha-96110", "--by", "王警官"]).status.success());
    assert!(jiediqi_in(&p, &["reject", "fanzha-96110", "--by", "李审核", "--reason", "号码写法不对"]).status.success());
    let q = project_copy("swap-b");
    assert!(jiediqi_in(&q, &["approve", "fanzha-96110", "--by", "张"]).status.success());
    let mine = std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap();
    std::fs::copy(q.join("reviews/log.yaml"), p.join("reviews/log.yaml")).unwrap();
    let o = render_poster(&p, "fanzha-96110");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not the one this machine has seen here"), "{}", stderr(&o));
    assert_eq!(jiediqi_in(&p, &["review", "--verify"]).status.code(), Some(1));
    assert_eq!(jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]).status.code(), Some(1));
    // An unsigned log approving the attacker's wording: not migrated.
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let hash = jiediqi::review::wording_hash(lib.slogan("fanzha-96110").unwrap());
    std::fs::write(
        p.join("reviews/log.yaml"),
        format!("- slogan: fanzha-96110\n  wording: {hash}\n  decision: approved\n  reviewer: \"局长\"\n  time: 2026-11-29T04:00:00Z\n"),
    )
    .unwrap();
    let o = jiediqi_in(&p, &["review", "--migrate"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("has seen a signed review log in this project"), "{}", stderr(&o));
    // Restored, all is well again.
    std::fs::write(p.join("reviews/log.yaml"), mine).unwrap();
    assert!(jiediqi_in(&p, &["review", "--verify"]).status.success());
    assert_eq!(render_poster(&p, "fanzha-96110").status.code(), Some(1), "still rejected");
}

/// Issue 9 (lint), issue 8 (what approve accepts): a lint error blocks an
/// approval unless the reviewer overrides it with a reason, which is logged.
#[test]
fn lint_errors_block_approval_unless_overridden_with_a_reason() {
    let p = project_copy("lint-gate");
    std::fs::write(
        p.join("slogans/zz.yaml"),
        "topic: 反诈\nslogans:\n  - id: comma\n    lines: [\"陌生链接别点开,钱包才能保平安\"]\n",
    )
    .unwrap();
    let o = jiediqi_in(&p, &["approve", "comma", "--by", "王警官"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("slogan `comma`: lint error [half-width-punctuation]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--override-lint"), "{}", stderr(&o));
    assert!(!p.join("reviews/log.yaml").exists());
    let o = jiediqi_in(&p, &["approve", "comma", "--by", "王警官", "--override-lint", "店家要求照原样印"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = review_log(&p);
    let note = log.records[0].note.as_deref().unwrap_or("");
    assert!(note.contains("lint errors overridden (half-width-punctuation): 店家要求照原样印"), "{note}");
}

/// Second attacker review: links and FIFOs planted in folders we write to or
/// read from are neither followed into other files nor allowed to hang us.
#[test]
fn planted_links_and_fifos_are_not_followed_and_never_hang() {
    let p = decided_project("plant");
    let victim = p.join("../plant-victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    // A proof sheet's name linked to someone's file: the link is replaced.
    let out = p.join("proofs");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("proof-sheet.pdf")).unwrap();
    let o = jiediqi_in(&p, &["proof", "jiaotong-toukui", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(!std::fs::symlink_metadata(out.join("proof-sheet.pdf")).unwrap().file_type().is_symlink());
    // The review log linked to a file that is not a log (.yaml): refused.
    let log = p.join("reviews/log.yaml");
    let real = std::fs::read_to_string(&log).unwrap();
    std::fs::write(p.join("../plant-todo.md"), "# todo\n").unwrap();
    std::fs::remove_file(&log).unwrap();
    std::os::unix::fs::symlink(p.join("../plant-todo.md"), &log).unwrap();
    let o = jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]);
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(p.join("../plant-todo.md")).unwrap(), "# todo\n");
    std::fs::remove_file(&log).unwrap();
    std::fs::write(&log, real).unwrap();
    // FIFOs where files are read: clear errors, at once.
    for fifo in ["reviews/.log.lock", "slogans/zz.yaml"] {
        let path = p.join(fifo);
        let _ = std::fs::remove_file(&path);
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let started = std::time::Instant::now();
        let o = jiediqi_in(&p, &["approve", "xiaofang-119", "--by", "王警官"]);
        assert_ne!(o.status.code(), Some(0), "{fifo}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{fifo}: hung");
        assert!(stderr(&o).contains("not a regular file"), "{fifo}: {}", stderr(&o));
        std::fs::remove_file(&path).unwrap();
    }
    assert!(jiediqi_in(&p, &["review", "--verify"]).status.success());
}

/// The shipped library: no lint errors, every warning fixed or accepted
/// with a reason in the data; at least 300 slogans in 25 topics, 8 or more
/// a topic, 20 or more for market stalls.
#[test]
fn the_shipped_library_is_clean_and_wide() {
    let o = jiediqi_shipped(&["lint", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = stdout(&o);
    assert!(!json.contains("\"level\": \"error\""), "{json}");
    assert!(!json.contains("\"level\": \"warning\""), "{json}");
    let lib = jiediqi::validate::Library::load(&root()).unwrap();
    assert!(lib.slogans.len() >= 300, "{} slogans", lib.slogans.len());
    let mut topics = std::collections::BTreeMap::<&str, usize>::new();
    for s in &lib.slogans {
        *topics.entry(s.topic.as_str()).or_default() += 1;
    }
    assert!(topics.len() >= 25, "{topics:?}");
    assert!(topics.values().all(|&n| n >= 8), "{topics:?}");
    let stalls = lib.slogans.iter().filter(|s| s.audience.iter().any(|a| a == "摊贩")).count();
    assert!(stalls >= 20, "{stalls} slogans for stalls");
    // Every audience tag is in the vocabulary (lint warns otherwise) and the
    // new groups are served.
    for tag in ["女性", "留守儿童", "游客"] {
        assert!(lib.slogans.iter().any(|s| s.audience.iter().any(|a| a == tag)), "no slogan for {tag}");
    }
}

/// Issue 11, point 9: print runs read the verified index kept in the cache
/// folder, but a log edited after it was indexed is still refused, even an
/// edit in place that keeps every byte count (a rejection made an approval).
#[test]
fn a_log_edited_after_it_was_indexed_is_still_refused() {
    let p = decided_project("indexed");
    // Only a log older than a tenth of a second is indexed.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    let abs = p.canonicalize().unwrap();
    let dir = &jiediqi::review::sha256_hex(abs.to_string_lossy().as_bytes())[..32];
    let index = test_cache().join("jiediqi/review-index").join(dir);
    assert!(index.join("head").is_file(), "no index in {}", index.display());
    assert!(!files(&p.join("reviews")).iter().any(|f| f.contains("index")), "nothing of it in the project");
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    let o = render_poster(&p, "fanzha-shucaitan");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rejected by 李审核"), "{}", stderr(&o));
    let log = p.join("reviews/log.yaml");
    let good = std::fs::read_to_string(&log).unwrap();
    let edited = good.replacen("decision: rejected", "decision: approved", 1);
    assert_eq!(edited.len(), good.len());
    std::fs::write(&log, &edited).unwrap();
    for id in ["fanzha-shucaitan", "jiaotong-toukui"] {
        let o = render_poster(&p, id);
        assert_eq!(o.status.code(), Some(1), "{id}");
        assert!(
            stderr(&o).contains("record 3 (`fanzha-shucaitan`): does not match its signature"),
            "{id}: {}",
            stderr(&o)
        );
    }
    std::fs::write(&log, &good).unwrap();
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
}

/// Issue 11, point 9: a print run reads only the slogan files the slogan
/// index (in the cache folder) names, but an edit, a new file defining the
/// id again, or a forged index never makes it print other words.
#[test]
fn the_slogan_index_never_hides_an_edit_or_a_second_definition() {
    let p = decided_project("slogan-index");
    // Only settled files are indexed.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    let abs = p.join("slogans").canonicalize().unwrap();
    let name = &jiediqi::review::sha256_hex(abs.to_string_lossy().as_bytes())[..32];
    let index = test_cache().join("jiediqi/slogan-index").join(name);
    let noted = std::fs::read_to_string(&index).unwrap_or_else(|e| panic!("{}: {e}", index.display()));
    assert!(noted.lines().any(|l| l == "jiaotong-toukui\tjiaotong.yaml"), "{noted}");
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    // A second file defining the id: the listing changed, every file is read.
    let file = p.join("slogans/jiaotong.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let entry: String = text.lines().skip(3).take(4).map(|l| format!("{l}\n")).collect();
    std::fs::write(p.join("slogans/zz-copy.yaml"), format!("topic: 交通安全\nslogans:\n{entry}")).unwrap();
    let o = render_poster(&p, "jiaotong-toukui");
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("slogan id `jiaotong-toukui` is used twice"), "{}", stderr(&o));
    std::fs::remove_file(p.join("slogans/zz-copy.yaml")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    // The wording edited in place: the edit is what is read, and it is not approved.
    std::fs::write(&file, text.replace("平安把家回", "平安回家去")).unwrap();
    let o = render_poster(&p, "jiaotong-toukui");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not approved"), "{}", stderr(&o));
    std::fs::write(&file, &text).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(render_poster(&p, "jiaotong-toukui").status.success());
    // A forged index naming another file: the slogan is not found, nothing printed.
    let noted = std::fs::read_to_string(&index).unwrap();
    assert!(noted.contains("jiaotong-toukui\tjiaotong.yaml"), "{noted}");
    std::fs::write(&index, noted.replace("jiaotong-toukui\tjiaotong.yaml", "jiaotong-toukui\tfanzha.yaml")).unwrap();
    let out = p.join("out-forged");
    let o = run_words(&p, "render --slogan jiaotong-toukui --item poster-a3 --format pdf", &out);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("jiaotong-toukui"), "{}", stderr(&o));
    assert!(files(&out).is_empty(), "{:?}", files(&out));
}

/// Lint lays out every side: text on a two-sided item's back that does not
/// fit is reported, naming the back (the front alone fits).
#[test]
fn lint_checks_the_back_of_two_sided_items_too() {
    let p = project_copy("lint-back");
    let path = p.join("layouts/trifold-16k.yaml");
    let t = std::fs::read_to_string(&path).unwrap();
    let from =
        "{ id: in-heading, role: heading, box: [8, 8, 80, 24], font: heavy, ink: cream, min_height: 5, max_height: 9,";
    assert!(t.contains(from), "tri-fold template changed: update this test");
    std::fs::write(
        &path,
        t.replacen(
            from,
            "{ id: in-heading, role: heading, box: [8, 8, 80, 24], font: heavy, ink: cream, min_height: 21, max_height: 30,",
            1,
        ),
    )
    .unwrap();
    let o = jiediqi_in(&p, &["lint", "fanzha-qiandaizi", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let json = stdout(&o);
    assert!(json.contains("\"rule\": \"does-not-fit\"") && json.contains("三折页 大度16开背面"), "{json}");
    assert!(json.contains("in-heading"), "names the zone: {json}");
}
