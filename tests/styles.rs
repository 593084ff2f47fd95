//! Designed styles (issue 12 points 1 and 6): every item has at least two,
//! none leaves a dead area, and the 大字版 sets every text at twice the
//! item's minimum height.

mod common;

use common::*;
use jiediqi::PT_PER_MM;
use jiediqi::layout::{SceneOptions, build_scene, glyph_path};
use jiediqi::library::Role;
use jiediqi::scene::{Element, Seg};
use jiediqi::space::largest_empty;
use jiediqi::validate::{Die, Item, Library, Slogan, Station};

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
    assert!(measured > 19 * 2 * 2, "every item × style × slogan × station measured ({measured})");
    assert!(bad.is_empty(), "dead areas over 25 % of the safe area:\n{}", bad.join("\n"));
}

/// Every item offers at least two styles, each a design of its own.
#[test]
fn every_item_has_two_styles_or_more() {
    let lib = library();
    assert_eq!(lib.items.len(), 19);
    for item in &lib.items {
        assert!(item.variants.len() >= 2, "{} has {}", item.id, item.style_list());
        assert_eq!(item.style, 0);
        for v in &item.variants[1..] {
            let styled = lib.item(&format!("{}@{}", item.id, v.id)).expect("each style is looked up by id");
            assert_ne!(
                format!("{:?}", styled.zones.iter().map(|z| (z.id.as_str(), z.rect)).collect::<Vec<_>>()),
                format!("{:?}", item.zones.iter().map(|z| (z.id.as_str(), z.rect)).collect::<Vec<_>>()),
                "{}@{} is the default design again",
                item.id,
                v.id
            );
        }
    }
    // The couplet's default is its 对联 style.
    assert_eq!(lib.item("couplet-7").unwrap().variants[0].name, "对联版");
}

/// Point 6: every item that prints a tip has a 大字版 whose every text —
/// tip included — is at least twice the item's minimum text height, in the
/// template and as set on the page.
#[test]
fn every_tip_bearing_item_has_a_large_print_style() {
    let lib = library();
    let st = station();
    let mut tip_items = 0;
    for base in lib.items.iter().filter(|i| i.zones.iter().any(|z| z.role == Role::Tip)) {
        tip_items += 1;
        let item = lib.item_in_style(&base.id, Some("dazi")).unwrap_or_else(|e| panic!("{e}"));
        let floor = 2.0 * item.minimums.text_height;
        assert!(item.zones.iter().any(|z| z.role == Role::Tip), "{}: the 大字版 keeps the tip", item.id);
        for z in item.zones.iter().filter(|z| matches!(z.role, Role::Slogan | Role::Tip | Role::Footer | Role::Heading))
        {
            assert!(z.min_height + 1e-9 >= floor, "{} zone {}: {} mm < {floor} mm", item.id, z.id, z.min_height);
        }
        // As set: the tallest CJK glyph of each line's run, measured from its outline.
        // A line is the glyphs of one baseline: one y, or on a cup's bent
        // wall one radius round the ring's centre.
        let line_of = |g: &jiediqi::scene::Glyph| match &item.die_line {
            Some((Die::Sector { center, .. }, _)) => {
                (g.x - center[0] * PT_PER_MM).hypot(g.y - center[1] * PT_PER_MM).round() as i64
            }
            _ => g.y.round() as i64,
        };
        for s in sample(&lib, item) {
            let scene = build_scene(&lib, item, s, &SceneOptions { station: Some(&st) }).unwrap();
            let mut runs = 0;
            for e in &scene.elements {
                let Element::Text(run) = e else { continue };
                let lines: std::collections::BTreeMap<i64, f64> = run
                    .glyphs
                    .iter()
                    .filter(|g| g.text.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
                    .fold(Default::default(), |mut m, g| {
                        let h = outline_height(&glyph_path(&run.font, g), g);
                        let e = m.entry(line_of(g)).or_insert(0.0);
                        *e = f64::max(*e, h);
                        m
                    });
                for h in lines.values() {
                    runs += 1;
                    assert!(
                        h / PT_PER_MM + 0.05 >= floor,
                        "{} {}: a line's characters are {:.2} mm",
                        item.id,
                        s.id,
                        h / PT_PER_MM
                    );
                }
            }
            assert!(runs > 0);
        }
    }
    assert_eq!(tip_items, 13, "the tip-bearing items");
}

fn outline_height(p: &jiediqi::scene::Path, g: &jiediqi::scene::Glyph) -> f64 {
    // Along the glyph's own up axis (a glyph turned on a cup's arc is as
    // tall as it was; its page box is not).
    let n = g.m[2].hypot(g.m[3]);
    let (ux, uy) = (g.m[2] / n, g.m[3] / n);
    let ys: Vec<f64> =
        p.0.iter()
            .filter_map(|s| match *s {
                Seg::Move(x, y) | Seg::Line(x, y) | Seg::Cubic(_, _, _, _, x, y) => Some(x * ux + y * uy),
                Seg::Close => None,
            })
            .collect();
    ys.iter().copied().fold(f64::MIN, f64::max) - ys.iter().copied().fold(f64::MAX, f64::min)
}

/// On the desk mat nothing to read lies where the keyboard and the mouse
/// hand go (the template's `keep_clear`, which must name that area): every
/// glyph of every style lies outside it, and the slogan above it or left of it.
#[test]
fn the_desk_mats_text_is_not_under_the_keyboard_or_the_mouse_hand() {
    let lib = library();
    let base = lib.item("mousepad-desk").unwrap();
    let clear = base.keep_clear.clone();
    assert!(
        clear.iter().any(|b| b[0] + b[2] >= base.width - 1.0 && b[1] + b[3] >= base.height - 1.0),
        "the desk mat's keep_clear does not hold the mouse corner: {clear:?}"
    );
    for v in &base.variants {
        let item = base.styled(Some(&v.id)).unwrap();
        for s in sample(&lib, &item) {
            let scene = build_scene(&lib, &item, s, &SceneOptions { station: None }).unwrap();
            for e in &scene.elements {
                let Element::Text(r) = e else { continue };
                for g in &r.glyphs {
                    let (x, y) = (g.x / PT_PER_MM, g.y / PT_PER_MM);
                    for b in &clear {
                        assert!(
                            !(x > b[0] && x < b[0] + b[2] && y > b[1] && y < b[1] + b[3]),
                            "{} {}: a glyph at [{x:.0}, {y:.0}] mm lies under the hands ({b:?})",
                            item.id,
                            s.id
                        );
                    }
                }
            }
        }
    }
}

/// The check measures: a scene with nothing on it is all empty, and one
/// slogan on the poster leaves less.
#[test]
fn the_space_check_measures_what_is_printed() {
    let lib = library();
    let item = lib.item("poster-a3@dazi").unwrap();
    let s = lib.slogan("jiaotong-122").unwrap();
    let mut scene = build_scene(&lib, item, s, &SceneOptions { station: None }).unwrap();
    let full = largest_empty(&scene, item);
    assert!(full.fraction > 0.02 && full.fraction <= 0.25, "{full:?}");
    // The band and the gold rule, no text: the page between them is empty.
    scene.elements.retain(|e| !matches!(e, Element::Text(_)));
    let bare = largest_empty(&scene, item);
    assert!(bare.fraction > 0.6 && bare.rect[1] < 80.0 && bare.rect[1] + bare.rect[3] > 350.0, "{bare:?}");
    scene.elements.clear();
    assert!((largest_empty(&scene, item).fraction - 1.0).abs() < 1e-9);
}

/// `--style` picks a style per render; files of other styles carry it in
/// their name; an unknown style is an error naming the item's styles.
#[test]
fn render_takes_a_style_and_names_the_files_after_it() {
    let out = scratch("style-render");
    let o = run_words(approved_root(), "render --slogan jiaotong-122 --item poster-a3 --style dazi --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&out), vec!["poster-a3@dazi--jiaotong-122.pdf".to_string()]);
    let text = tool_ok("pdftotext", &[out.join("poster-a3@dazi--jiaotong-122.pdf").to_str().unwrap(), "-"]);
    assert!(text.contains("122"), "{text}");
    // The default style keeps today's names.
    let o =
        run_words(approved_root(), "render --slogan jiaotong-122 --item poster-a3 --style tuwen --format pdf", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(files(&out).contains(&"poster-a3--jiaotong-122.pdf".to_string()));
    // Every style at once.
    let all = scratch("style-render-all");
    let o = run_words(approved_root(), "render --slogan jiaotong-122 --item apron --style all --format pdf", &all);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&all), vec!["apron--jiaotong-122.pdf".to_string(), "apron@dazi--jiaotong-122.pdf".to_string()]);
    // Unknown: exit 1, the item's styles listed, nothing written.
    let bad = scratch("style-render-bad");
    let o = run_words(approved_root(), "render --slogan jiaotong-122 --item poster-a3 --style fancy", &bad);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("item `poster-a3` has no style `fancy`; its styles are: tuwen (图文版), dazi (大字版)"), "{e}");
    assert!(files(&bad).is_empty());
    // With `--item all`, the items that have the style.
    let o = run_words(approved_root(), "render --slogan jiaotong-122 --item all --style tubiao --format pdf", &bad);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut made = files(&bad);
    made.retain(|f| !f.ends_with(".cut.pdf"));
    assert_eq!(made, vec!["sticker-round-sheet@tubiao--jiaotong-122.pdf", "sticker-round@tubiao--jiaotong-122.pdf"]);
}

/// `jiediqi items` lists each item's styles.
#[test]
fn items_lists_the_styles() {
    let o = jiediqi(&["items"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("styles: tuwen (图文版), dazi (大字版)"), "{text}");
    assert!(text.contains("styles: duilian (对联版), dazi (大字版)"), "{text}");
    assert_eq!(text.matches("styles: ").count(), 19);
}

/// An order line's `style:` chooses the design; an unknown one is an error
/// naming the line and the item's styles.
#[test]
fn an_order_line_takes_a_style() {
    let p = project_copy("style-order");
    approve_all(&p);
    let order = p.join("orders/chengguan-winter.yaml");
    let text = std::fs::read_to_string(&order).unwrap();
    let with = text.replacen("  - item: poster-a3\n", "  - item: poster-a3\n    style: dazi\n", 1);
    assert_ne!(with, text);
    std::fs::write(&order, &with).unwrap();
    let out = p.join("out");
    let o = jiediqi_in(&p, &["order", order.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let print: Vec<String> = std::fs::read_dir(out.join("chengguan-winter/print"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("poster-a3"))
        .collect();
    assert!(!print.is_empty() && print.iter().all(|n| n.starts_with("poster-a3@dazi--")), "{print:?}");
    std::fs::write(&order, text.replacen("  - item: poster-a3\n", "  - item: poster-a3\n    style: fancy\n", 1))
        .unwrap();
    let out2 = p.join("out2");
    let o = jiediqi_in(&p, &["order", order.to_str().unwrap(), "--out", out2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("order line 3 (poster-a3): item `poster-a3` has no style `fancy`; its styles are: tuwen (图文版), dazi (大字版)"), "{e}");
    assert!(files(&out2).is_empty());
}

/// A style's zones are checked like the template's, and their problems name the style.
#[test]
fn a_bad_style_is_named_in_its_errors() {
    let p = project_copy("style-bad");
    let path = p.join("layouts/poster-a3.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let bad = text
        .replacen(
            "      - { id: tip, role: tip, box: [22, 262, 253, 92], font: heavy, ink: black, min_height: 10,",
            "      - { id: tip, role: tip, box: [22, 262, 253, 92], font: heavy, ink: purple, min_height: 1,",
            1,
        )
        .replacen("  - id: dazi\n    name: 大字版\n", "  - id: dazi\n    name: 大字版\n    colour: red\n", 1);
    assert_ne!(bad, text);
    std::fs::write(&path, &bad).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("unknown field `colour`"), "{e}");
    std::fs::write(&path, bad.replacen("    colour: red\n", "", 1).replacen("  - id: dazi\n", "  - id: tuwen\n", 1))
        .unwrap();
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(e.contains("item `poster-a3`: style id `tuwen` is not filename-safe or is used twice"), "{e}");
    std::fs::write(&path, bad.replacen("    colour: red\n", "", 1)).unwrap();
    let e = stderr(&jiediqi_in(&p, &["check"]));
    assert!(e.contains("item `poster-a3` style `dazi`: zone `tip` uses unknown ink `purple`"), "{e}");
    assert!(
        e.contains(
            "item `poster-a3` style `dazi` zone `tip`: min_height 1 mm is below the item's minimum text height 2.5 mm"
        ),
        "{e}"
    );
    // Said once, not again for the default design.
    assert_eq!(e.matches("unknown ink `purple`").count(), 1, "{e}");
}

/// Every slogan meant for an item fits every one of its styles, with a station.
#[test]
fn every_slogan_fits_every_style() {
    let lib = library();
    let st = station();
    let mut bad = Vec::new();
    for item in lib.items.iter().chain(&lib.styled) {
        for s in lib.slogans.iter().filter(|s| item.suits(s)) {
            if let Err(d) = build_scene(&lib, item, s, &SceneOptions { station: Some(&st) }) {
                bad.push(format!("{} {}: {}", item.id, s.id, d.message));
            }
        }
    }
    assert!(bad.is_empty(), "{} failures:\n{}", bad.len(), bad.join("\n"));
}
