//! Crash safety (issue 8, point 6): the process is stopped on the spot
//! (`JIEDIQI_TEST_CRASH_AT=STEP:N` aborts at the N-th pass of a write step,
//! as `kill -9` would) after every write step of `render`, `order` (with and
//! without `--zip`) and `approve`; each time the disk must hold the old state
//! or the new one, and the next run must clean up and finish.

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;

use common::*;

/// Every file under a folder (hidden ones included), relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Run with a crash at `step:n`; `true` if the process was stopped there,
/// `false` if it never reached that pass (and so finished normally).
fn crash_at(project: &Path, args: &[&str], step: &str, n: usize) -> bool {
    let o = command_in(project, args)
        .env("JIEDIQI_TEST_CRASH_AT", format!("{step}:{n}"))
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .output()
        .unwrap();
    match o.status.signal() {
        Some(6) => true,
        None => {
            assert!(o.status.success(), "{step}:{n} {args:?}: {}", stderr(&o));
            false
        }
        Some(s) => panic!("{step}:{n}: killed by signal {s}"),
    }
}

fn run_ok(project: &Path, args: &[&str]) {
    let o = command_in(project, args).env("SOURCE_DATE_EPOCH", "1795910400").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

fn hidden(dir: &Path) -> Vec<String> {
    files(dir).into_iter().filter(|f| f.starts_with('.')).collect()
}

#[test]
fn render_pairs_are_whole_or_absent_after_a_crash_at_any_step() {
    let p = project_copy("crash-render");
    approve_all(&p);
    let out = p.join("out");
    let out_s = out.to_str().unwrap();
    let args =
        ["render", "--slogan", "jiaotong-toukui", "--slogan", "fanzha-shucaitan", "--item", "apron", "--out", out_s];
    // The pairs as a finished run writes them.
    run_ok(&p, &args);
    let done = tree(&out);
    // pdf, svg, the films of the yellow ink and of the white underbase, and
    // png, for each of the two slogans.
    assert_eq!(done.len(), 10);
    let mut crashes = 0;
    for step in ["pair.stage", "pair.journal", "pair.rename"] {
        for n in 1.. {
            let _ = std::fs::remove_dir_all(&out);
            if !crash_at(&p, &args, step, n) {
                break;
            }
            crashes += 1;
            // Every file that is there is a whole file of this run.
            for (name, bytes) in tree(&out) {
                if !name.starts_with('.') {
                    assert_eq!(Some(&bytes), done.get(&name), "{step}:{n}: {name} is not whole");
                }
            }
            // The next run (here: for another item) removes what the crash
            // left, so each pair is whole or absent.
            run_ok(
                &p,
                &["render", "--slogan", "jiaotong-toukui", "--item", "poster-a3", "--format", "pdf", "--out", out_s],
            );
            assert!(hidden(&out).is_empty(), "{step}:{n}: leftovers {:?}", hidden(&out));
            let left = tree(&out);
            for base in ["apron--jiaotong-toukui", "apron--fanzha-shucaitan"] {
                let have = ["pdf", "svg", "ink-yellow.svg", "png"]
                    .iter()
                    .filter(|e| left.contains_key(&format!("{base}.{e}")))
                    .count();
                assert!(have == 0 || have == 4, "{step}:{n}: {base} has {have} of 4 files");
            }
            // And the same command finishes the job.
            run_ok(&p, &args);
            for (name, bytes) in &done {
                assert_eq!(tree(&out).get(name), Some(bytes), "{step}:{n}: {name}");
            }
        }
    }
    assert!(crashes >= 10, "only {crashes} crash points reached");
}

#[test]
fn an_order_package_is_old_or_new_after_a_crash_at_any_step() {
    let p = project_copy("crash-order");
    approve_all(&p);
    let order = p.join("orders/chengguan-winter.yaml");
    let old_text = std::fs::read_to_string(&order).unwrap();
    let new_text = old_text.replace("quantity: 40", "quantity: 41");
    let out = p.join("out");
    let order_s = order.to_str().unwrap();
    let out_s = out.to_str().unwrap();
    for zip in [false, true] {
        let mut args = vec!["order", order_s, "--out", out_s];
        if zip {
            args.push("--zip");
        }
        // What the new package looks like, made once without a crash.
        std::fs::write(&order, &new_text).unwrap();
        let _ = std::fs::remove_dir_all(&out);
        run_ok(&p, &args);
        let new = tree(&out);
        let mut crashes = 0;
        for step in ["install.file", "install.zip", "install.swap", "install.zip-rename"] {
            for n in [1, 2, 7, 40] {
                // The old package in place.
                let _ = std::fs::remove_dir_all(&out);
                std::fs::write(&order, &old_text).unwrap();
                run_ok(&p, &args);
                let old = tree(&out);
                assert_ne!(old, new);
                std::fs::write(&order, &new_text).unwrap();
                if !crash_at(&p, &args, step, n) {
                    continue;
                }
                crashes += 1;
                // Never a missing package: the folder is the old one or the new one.
                let pkg = tree(&out.join("chengguan-winter"));
                let strip = |t: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
                    t.iter()
                        .filter_map(|(k, v)| k.strip_prefix("chengguan-winter/").map(|k| (k.to_string(), v.clone())))
                        .collect()
                };
                assert!(
                    pkg == strip(&old) || pkg == strip(&new),
                    "{step}:{n} zip={zip}: the package is neither old nor new"
                );
                // The next run cleans up and finishes: exactly the new state, no leftovers.
                run_ok(&p, &args);
                assert_eq!(tree(&out).keys().collect::<Vec<_>>(), new.keys().collect::<Vec<_>>(), "{step}:{n}");
                assert!(tree(&out) == new, "{step}:{n} zip={zip}: not the new package");
            }
        }
        assert!(crashes >= 4, "zip={zip}: only {crashes} crash points reached");
    }
    // A crash after the swap, before the zip is renamed: the zip beside the
    // new folder is still the old one until the next run rolls forward.
    let _ = std::fs::remove_dir_all(&out);
    std::fs::write(&order, &old_text).unwrap();
    run_ok(&p, &["order", order_s, "--out", out_s, "--zip"]);
    std::fs::write(&order, &new_text).unwrap();
    assert!(crash_at(&p, &["order", order_s, "--out", out_s, "--zip"], "install.swap", 1));
    assert!(hidden(&out).iter().any(|f| f.contains(".zip.m")), "{:?}", hidden(&out));
    run_ok(&p, &["order", order_s, "--out", out_s, "--zip"]);
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
}

#[test]
fn the_review_log_is_old_or_new_after_a_crash_at_any_step() {
    let p = project_copy("crash-log");
    run_ok(&p, &["approve", "jiaotong-toukui", "--by", "王警官"]);
    let mut expect = 1;
    for step in ["log.before-write", "write.rename", "log.after-write"] {
        for n in 1..=2 {
            let before = std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap();
            if !crash_at(&p, &["approve", "fanzha-shucaitan", "--by", "李审核"], step, n) {
                expect += 1;
                continue;
            }
            let log = review_log(&p);
            let now = std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap();
            assert!(log.records.len() == expect || log.records.len() == expect + 1, "{step}:{n}");
            if log.records.len() == expect {
                assert_eq!(now, before, "{step}:{n}: the old log changed");
            } else {
                expect += 1;
                assert!(now.starts_with(&before), "{step}:{n}");
            }
            // The next decision lands and every command still reads the log.
            run_ok(&p, &["approve", "xiaofang-119", "--by", "王警官"]);
            expect += 1;
            run_ok(&p, &["review", "--verify"]);
            assert!(
                files(&p.join("reviews")).iter().all(|f| f == "log.yaml" || f == ".log.lock"),
                "{step}:{n}: {:?}",
                files(&p.join("reviews"))
            );
        }
    }
    assert_eq!(review_log(&p).records.len(), expect);
}
