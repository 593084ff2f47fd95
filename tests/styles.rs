//! Designed styles (issue 12 points 1 and 6): every item has at least two,
//! none leaves a dead area, and the 大字版 sets every text at twice the
//! item's minimum height.

mod common;

use common::*;
use jiediqi::layout::{SceneOptions, build_scene};
use jiediqi::space::largest_empty;
use jiediqi::validate::{Item, Library, Slogan, Station};

fn library() -> Library {
    Library::load(&root()).expect("shipped data loads")
}

fn station() -> Station {
    Station::load(&root().join("examples/station.yaml")).expect("example station loads")
}

/// The slogans an item is measured with: the shortest and the longest
/// wording, the longest tip and a slogan without a tip (when there is one).
fn sample<'a>(lib: &'a Library, item: &Item) -> Vec<&'a Slogan> {
    let suits: Vec<&Slogan> = lib.slogans.iter().filter(|s| item.suits(s)).collect();
    let len = |s: &&Slogan| s.text().chars().count();
    let tip = |s: &&Slogan| s.tip.as_ref().map_or(0, |t| t.chars().count());
    let mut out: Vec<&Slogan> = [
        suits.iter().copied().min_by_key(len),
        suits.iter().copied().max_by_key(len),
        suits.iter().copied().max_by_key(tip),
        suits.iter().copied().find(|s| s.tip.is_none()),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// No style of any item leaves an empty rectangle over 25 % of the safe
/// area, with and without a station, for short and long slogans.
#[test]
fn no_style_leaves_a_dead_area() {
    let lib = library();
    let st = station();
    let mut bad = Vec::new();
    let mut measured = 0;
    for base in &lib.items {
        for v in &base.variants {
            let item = base.styled(Some(&v.id)).unwrap();
            for s in sample(&lib, &item) {
                for station in [None, Some(&st)] {
                    let scene = match build_scene(&lib, &item, s, &SceneOptions { station }) {
                        Ok(scene) => scene,
                        Err(d) => {
                            bad.push(format!("{} {}: {d}", item.id, s.id));
                            continue;
                        }
                    };
                    let e = largest_empty(&scene, &item);
                    measured += 1;
                    let line = format!(
                        "{:<20} {:<8} {:<16} station {:<5} empty {:>4.1} % at [{:.0}, {:.0}, {:.0}, {:.0}] mm",
                        item.id,
                        v.id,
                        s.id,
                        station.is_some(),
                        e.fraction * 100.0,
                        e.rect[0],
                        e.rect[1],
                        e.rect[2],
                        e.rect[3]
                    );
                    if std::env::var_os("JIEDIQI_SPACE_REPORT").is_some() {
                        eprintln!("{line}");
                    }
                    if e.fraction > 0.25 {
                        bad.push(line);
                    }
                }
            }
        }
    }
    assert!(measured > 18 * 2 * 2, "every item × style × slogan × station measured ({measured})");
    assert!(bad.is_empty(), "dead areas over 25 % of the safe area:\n{}", bad.join("\n"));
}
