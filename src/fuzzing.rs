//! One function per fuzz target, shared by the `cargo fuzz` harnesses in
//! `fuzz/` and by the test that replays their corpora on stable Rust
//! (`tests/fuzz_corpora.rs`), so every input that once broke something stays
//! a test. Each takes arbitrary bytes and must return without panicking and
//! in bounded time, whatever they hold.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::diag::Diagnostics;
use crate::library::{self, ItemFile, SloganFile};
use crate::validate::{self, Library, Slogan, Station};

/// The shipped project, loaded once (fonts and templates for layout).
fn project() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        Library::load(&root).unwrap_or_else(|d| panic!("the shipped project loads: {d}"))
    })
}

/// The YAML loaders with validation: the bytes as a slogan file, a
/// template, a station file and an order.
pub fn yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz.yaml");
    let mut problems = Diagnostics::default();
    if let Ok(file) = library::parse_yaml::<SloganFile>(path, text) {
        let slogans = validate::check_slogan_files(vec![(path.to_path_buf(), file)], &mut problems);
        for s in &slogans {
            let _ = crate::review::wording_hash(s);
        }
    }
    if let Ok(item) = library::parse_yaml::<ItemFile>(path, text) {
        let _ = validate::check_item(path, item, Some(&project().fonts), &mut problems);
    }
    if let Ok(st) = library::parse_yaml::<library::StationFile>(path, text)
        && let Ok(st) = Station::from_file(st)
    {
        let _ = st.fill("{name}　电话：{phone}　{address}{hotline}");
    }
    let _ = library::parse_yaml::<crate::order::OrderFile>(path, text);
    // Every message must render (terminal escaping included).
    let _ = problems.to_string();
}

/// The station CSV reader: detection of the encoding, parsing, checks.
pub fn station_csv(data: &[u8]) {
    let path = Path::new("stations.csv");
    for enc in [None, Some("big5"), Some("gbk")] {
        if let Ok(rows) = crate::order::stations_from_csv(path, data, enc) {
            for (_, e) in rows {
                let _ = Station::from_file(e);
            }
        }
    }
}

/// The Excel station reader: the checks before calamine, calamine, the
/// shared column rules, station checks.
pub fn station_xlsx(data: &[u8]) {
    if let Ok(rows) = crate::order::stations_from_xlsx(Path::new("stations.xlsx"), data) {
        for (_, e) in rows {
            let _ = Station::from_file(e);
        }
    }
}

/// The review-log reader and verifier, with a fixed key.
pub fn review_log(data: &[u8]) {
    static KEYS: OnceLock<crate::review::key::Keyring> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jiediqi-fuzz-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::review::key::Keyring::create(&dir.join("review.key"), Path::new("/nonexistent-project"))
            .unwrap_or_else(|d| panic!("fuzz key: {d}"))
    });
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = crate::review::log::verify(Path::new("log.yaml"), text, Some(keys));
    let _ = crate::review::log::verify(Path::new("log.yaml"), text, None);
    let _ = crate::review::log::parse_time(text);
}

/// Layout of arbitrary text on every item: the first lines are the slogan
/// (one or two), the next the tip, the next the station's name.
pub fn layout(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut lines: Vec<String> = Vec::new();
    if let Some(l) = parts.next() {
        lines.push(l.chars().take(validate::limits::TIP).collect());
    }
    if let Some(l) = parts.next().filter(|l| !l.is_empty()) {
        lines.push(l.chars().take(validate::limits::TIP).collect());
    }
    let tip = parts.next().filter(|t| !t.is_empty()).map(|t| t.chars().take(validate::limits::TIP).collect());
    let name = parts.next().filter(|n| !n.trim().is_empty()).map(|n| n.chars().take(40).collect::<String>());
    let slogan = Slogan {
        id: "fuzz".into(),
        topic: "反诈".into(),
        heading: "防骗小贴士".into(),
        lines,
        tip,
        audience: Vec::new(),
        items: None,
        notes: None,
        source: None,
        verify: None,
        accept: Default::default(),
        file: PathBuf::from("fuzz.yaml"),
        line: 1,
    };
    let station = name.map(|name| Station {
        name,
        phone: Some("0912-1234567".into()),
        hotline: Some("96110".into()),
        address: Some("城关镇人民路 88 号".into()),
        qr: Some("https://example.org/s".into()),
        ..Station::default()
    });
    let lib = project();
    for item in &lib.items {
        let opts = crate::layout::SceneOptions { station: station.as_ref() };
        if let Ok(scene) = crate::layout::build_scene(lib, item, &slogan, &opts) {
            let _ = crate::export::svg::preview(&scene, &crate::export::svg::PreviewOptions::default());
            let _ = crate::export::svg::print(&scene, &crate::export::svg::PrintOptions { marks: true });
        }
    }
}

/// Preflight of arbitrary bytes as a PDF: against general figures, against
/// an offset item and a spot-ink item (every check runs), and the report
/// in both forms.
pub fn pdf(data: &[u8]) {
    let lib = project();
    let specs = [
        (crate::preflight::Spec::generic(), crate::preflight::ItemBasis::None),
        (
            crate::preflight::Spec::for_item(lib.item("poster-a3").expect("poster-a3")),
            crate::preflight::ItemBasis::Given,
        ),
        (
            crate::preflight::Spec::for_item(lib.item("tote-canvas").expect("tote-canvas")),
            crate::preflight::ItemBasis::Given,
        ),
    ];
    let mut reports = Vec::new();
    for spec in specs {
        let r = crate::preflight::check("fuzz.pdf", data, |_| spec);
        let _ = r.to_text();
        reports.push(r);
    }
    let _ = crate::preflight::to_json(&reports);
}
