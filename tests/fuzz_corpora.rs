//! Replays the fuzzers' corpora (`fuzz/corpus/<target>/`, and any crash
//! inputs kept in `fuzz/artifacts/<target>/`) on stable Rust, through the
//! same functions the `cargo fuzz` harnesses call: every input a fuzzer
//! found keeps being run, so a crash once fixed stays fixed.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in [base.join("corpus").join(target), base.join("artifacts").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        paths.sort();
        for p in paths {
            // A fuzzer running beside the tests may have reduced it away.
            let Ok(data) = std::fs::read(&p) else { continue };
            let started = std::time::Instant::now();
            run(&data);
            let took = started.elapsed();
            // Bounded work: generous for a loaded CI machine, far below a hang.
            assert!(took < std::time::Duration::from_secs(5), "{} took {took:?}", p.display());
            count += 1;
        }
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn yaml_corpus() {
    replay("yaml", jiediqi::fuzzing::yaml);
}

#[test]
fn station_csv_corpus() {
    replay("station_csv", jiediqi::fuzzing::station_csv);
}

#[test]
fn station_xlsx_corpus() {
    replay("station_xlsx", jiediqi::fuzzing::station_xlsx);
}

#[test]
fn review_log_corpus() {
    replay("review_log", jiediqi::fuzzing::review_log);
}

#[test]
fn layout_corpus() {
    replay("layout", jiediqi::fuzzing::layout);
}

#[test]
fn pdf_corpus() {
    replay("pdf", jiediqi::fuzzing::pdf);
}
