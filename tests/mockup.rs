//! Product mockups (issue 12 point 5): every item has one, true to scale,
//! showing the print file's own artwork on its print area.

mod common;

use common::*;
use jiediqi::PT_PER_MM;
use jiediqi::document::Fonts;
use jiediqi::export::png as png_export;
use jiediqi::layout::{SceneOptions, build_scene};
use jiediqi::mockup::{self, Drawing, PNG_LONG_SIDE};
use jiediqi::scene::{Path, Seg};
use jiediqi::validate::{Item, Library, Station};

fn library() -> Library {
    Library::load(&root()).expect("shipped data loads")
}

fn station() -> Station {
    Station::load(&root().join("examples/station.yaml")).expect("example station loads")
}

fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Rgb, "mockup PNGs are RGB");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: f64, y: f64) -> [u8; 3] {
    let (w, h, data) = img;
    let (px, py) = ((x as u32).min(w - 1), (y as u32).min(h - 1));
    let i = ((py * w + px) * 3) as usize;
    [data[i], data[i + 1], data[i + 2]]
}

/// The mean of the 5 × 5 pixels round a point: a pixel's worth of
/// rounding between two renderings does not count as a difference.
fn mean(img: &(u32, u32, Vec<u8>), x: f64, y: f64) -> [u8; 3] {
    let mut sum = [0u32; 3];
    for dy in -2..=2 {
        for dx in -2..=2 {
            let p = pixel(img, (x + f64::from(dx)).max(0.0), (y + f64::from(dy)).max(0.0));
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
        }
    }
    sum.map(|v| (v / 25) as u8)
}

/// Whether a point (pt) lies inside a closed path (even-odd; cubics flattened).
fn inside(path: &Path, (x, y): (f64, f64)) -> bool {
    let mut pts: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut at = (0.0, 0.0);
    for s in &path.0 {
        match *s {
            Seg::Move(a, b) => {
                at = (a, b);
                pts.push(vec![at]);
            }
            Seg::Line(a, b) => {
                at = (a, b);
                pts.last_mut().unwrap().push(at);
            }
            Seg::Cubic(x1, y1, x2, y2, a, b) => {
                for i in 1..=16 {
                    let t = f64::from(i) / 16.0;
                    let u = 1.0 - t;
                    let c = |p0: f64, p1: f64, p2: f64, p3: f64| {
                        u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
                    };
                    pts.last_mut().unwrap().push((c(at.0, x1, x2, a), c(at.1, y1, y2, b)));
                }
                at = (a, b);
            }
            Seg::Close => {}
        }
    }
    let mut inside = false;
    for ring in &pts {
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            if (a.1 > y) != (b.1 > y) && x < a.0 + (y - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                inside = !inside;
            }
        }
    }
    inside
}

/// Long side of the mockups compared with proofs: small type is several pixels tall.
const LONG: u32 = 4000;

fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tol)
}

/// Share of points of the trim's middle half where the mockup shows what the
/// proof shows, with the artwork shifted by `shift` (mm) in the mockup.
fn agreement(lib: &Library, fonts: &Fonts, item: &Item, shift: (f64, f64)) -> f64 {
    let slogan = lib.slogan("fanzha-qiandaizi").expect("shipped slogan");
    let st = station();
    let scene = build_scene(lib, item, slogan, &SceneOptions { station: Some(&st) }).expect("scene");
    let drawing = Drawing::for_item(&lib.root, item).expect("drawing loads");
    let text = mockup::svg(item, &scene, &drawing, fonts).expect("mockup");
    let frame = drawing.frame();
    let k = f64::from(LONG) / frame.width.max(frame.height);
    let mock = decode(&mockup::png_sized(&text, LONG).expect("mockup png"));
    // The proof at the mockup's own scale, so edges fall alike.
    let (pw, ph, prgb) = png_export::render_rgb(&scene, k * 25.4).expect("proof");
    let proof = (pw, ph, prgb);
    let (mut same, mut all) = (0, 0);
    for piece in &drawing.pieces {
        let [fx, fy, fw, fh] = piece.from;
        for i in 0..24 {
            for j in 0..24 {
                let (tx, ty) =
                    (fx + fw * (0.25 + 0.5 * f64::from(i) / 23.0), fy + fh * (0.25 + 0.5 * f64::from(j) / 23.0));
                let Some((mx, my)) = drawing.place((tx, ty)) else { continue };
                // Off the die the cut piece has no artwork: only inside is compared.
                if let Some(d) = &scene.die_line
                    && !inside(&d.path, (tx * PT_PER_MM, ty * PT_PER_MM))
                {
                    continue;
                }
                let m = mean(&mock, (mx + shift.0) * k, (my + shift.1) * k);
                let p = mean(&proof, tx * k, ty * k);
                all += 1;
                if close(m, p, 40) {
                    same += 1;
                }
            }
        }
    }
    f64::from(same) / f64::from(all)
}

#[test]
fn every_item_has_a_drawing_that_fits_its_print_area() {
    let lib = library();
    for item in &lib.items {
        assert!(item.mockup.is_some(), "item `{}` names no mockup drawing", item.id);
        let d = Drawing::for_item(&lib.root, item).unwrap_or_else(|e| panic!("{}: {e}", item.id));
        // True scale: the pieces tile the trim at its size.
        let area: f64 = d.pieces.iter().map(|p| p.at[2] * p.at[3]).sum();
        let from: f64 = d.pieces.iter().map(|p| p.from[2] * p.from[3]).sum();
        assert!((area - from).abs() < 1.0, "{}: pieces {area} mm² vs {from} mm²", item.id);
        for p in &d.pieces {
            assert!(p.at[0] >= 0.0 && p.at[1] >= 0.0, "{}: a piece starts outside the drawing", item.id);
            assert!(
                p.at[0] + p.at[2] <= d.size.0 + 0.01 && p.at[1] + p.at[3] <= d.size.1 + 0.01,
                "{}: a piece ends outside",
                item.id
            );
        }
        // The product is at least as big as what the job sheet says it is.
        let (pw, ph) = item.product_size;
        if item.copies.is_empty() && item.folds.is_empty() {
            assert!(d.size.0 + 0.5 >= pw.min(item.width) && d.size.1 + 0.5 >= ph.min(item.height), "{}", item.id);
        }
    }
}

#[test]
fn the_mockup_shows_the_print_files_artwork_where_the_print_area_is() {
    let lib = library();
    let fonts = Fonts::load(&lib).expect("fonts");
    for item in &lib.items {
        let a = agreement(&lib, &fonts, item, (0.0, 0.0));
        assert!(a >= 0.9, "{}: the mockup matches the proof at {:.0} % of the print area's points", item.id, a * 100.0);
    }
    // The comparison can fail: the poster's artwork moved by a tenth of its
    // width no longer matches.
    let poster = lib.item("poster-a3").expect("poster");
    let shifted = agreement(&lib, &fonts, poster, (29.7, 0.0));
    assert!(shifted < 0.85, "a shifted artwork still matched at {:.0} %", shifted * 100.0);
}

#[test]
fn a_die_cut_item_shows_no_artwork_outside_its_die() {
    let lib = library();
    let fonts = Fonts::load(&lib).expect("fonts");
    let fan = lib.item("fan-round").expect("fan");
    let slogan = lib.slogan("fanzha-qiandaizi").expect("slogan");
    let scene = build_scene(&lib, fan, slogan, &SceneOptions { station: None }).expect("scene");
    let drawing = Drawing::for_item(&lib.root, fan).expect("drawing");
    let mock = decode(&mockup::png(&mockup::svg(fan, &scene, &drawing, &fonts).expect("svg")).expect("png"));
    let frame = drawing.frame();
    let k = f64::from(PNG_LONG_SIDE) / frame.width.max(frame.height);
    // The trim's bottom corners lie outside the round face and the handle:
    // the canvas shows there, not the fan's light-blue face.
    let canvas = pixel(&mock, 2.0, 2.0);
    for corner in [(3.0, 305.0), (197.0, 305.0)] {
        let (x, y) = drawing.place(corner).expect("in the trim");
        assert!(close(pixel(&mock, x * k, y * k), canvas, 6), "artwork shows outside the die at {corner:?}");
    }
    // Inside the face it does show.
    let (x, y) = drawing.place((100.0, 40.0)).expect("in the trim");
    assert!(!close(pixel(&mock, x * k, y * k), canvas, 6), "no artwork inside the die");
}

/// `render` of fanzha-qiandaizi's mockups on `items`, as a proof with the example station.
fn mockup_args(items: &[&str], out: &std::path::Path) -> Vec<String> {
    let mut a: Vec<String> = ["render", "--slogan", "fanzha-qiandaizi", "--proof"].map(String::from).to_vec();
    for i in items {
        a.extend(["--item".to_string(), i.to_string()]);
    }
    a.extend(["--station", "examples/station.yaml", "--format", "mockup", "--out"].map(String::from));
    a.push(out.display().to_string());
    a
}

#[test]
fn render_writes_a_mockup_svg_and_png_the_same_each_time() {
    let out = scratch("mockup-render");
    let a = mockup_args(&["couplet-7", "bag-nonwoven"], &out);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = jiediqi(&a);
    assert!(r.status.success(), "{}", stderr(&r));
    let names = files(&out);
    assert_eq!(names.len(), 4, "{names:?}");
    let svg = std::fs::read_to_string(out.join("couplet-7--fanzha-qiandaizi.mockup.svg")).unwrap();
    assert!(svg.contains("<title>示意图"), "the SVG says it is a mockup");
    // Three pieces of the couplet sheet, each the print file's artwork at its size.
    assert_eq!(svg.matches(r#"data-mockup="artwork""#).count(), 3);
    assert!(
        svg.contains(r#"width="260" height="1300" viewBox="0 0 737.01 3685.04""#)
            || svg.contains(r#"width="260" height="1300""#)
    );
    let first: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(out.join(n)).unwrap()).collect();
    let r = jiediqi(&a);
    assert!(r.status.success(), "{}", stderr(&r));
    let again: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(out.join(n)).unwrap()).collect();
    assert!(first == again, "same inputs, same bytes");
}

fn with_drawing(name: &str, svg: &str) -> (std::path::PathBuf, std::process::Output) {
    let project = project_copy(name);
    std::fs::write(project.join("mockups/bag-nonwoven.svg"), svg).unwrap();
    let out = jiediqi_in(&project, &["check"]);
    (project, out)
}

#[test]
fn a_drawing_not_to_scale_or_with_foreign_content_is_refused_by_check() {
    let ok = std::fs::read_to_string(root().join("mockups/bag-nonwoven.svg")).unwrap();
    // The print area drawn 10 mm too wide.
    let (_, out) =
        with_drawing("mockup-scale", &ok.replace(r#"width="240" height="280""#, r#"width="250" height="280""#));
    let err = stderr(&out);
    assert!(!out.status.success(), "check passed a drawing not to scale");
    assert!(
        err.contains("mockups/bag-nonwoven.svg") && err.contains("bag-nonwoven") && err.contains("250×280"),
        "{err}"
    );
    // A picture or a script has no place in a drawing.
    for (bad, what) in [
        (r#"<image href="x.png" width="1" height="1"/>"#, "<image>"),
        ("<script>alert(1)</script>", "<script>"),
        (r#"<rect x="0" y="0" width="1" height="1" onclick="x()"/>"#, "onclick"),
    ] {
        let (_, out) = with_drawing("mockup-foreign", &ok.replace("<g id=\"over\">", &format!("<g id=\"over\">{bad}")));
        let err = stderr(&out);
        assert!(!out.status.success(), "check passed a drawing with {what}");
        assert!(err.contains("mockups/bag-nonwoven.svg") && err.contains(what), "{what}: {err}");
    }
    // Without a print area there is nowhere to put the artwork.
    let (_, out) = with_drawing("mockup-noarea", &ok.replace(r#"id="print-area""#, r#"id="elsewhere""#));
    assert!(!out.status.success() && stderr(&out).contains("print-area"), "{}", stderr(&out));
}

#[test]
fn a_template_cannot_name_a_drawing_outside_mockups() {
    let project = project_copy("mockup-escape");
    let t = project.join("layouts/bag-nonwoven.yaml");
    let text = std::fs::read_to_string(&t).unwrap().replace("mockup: bag-nonwoven", "mockup: ../../etc/passwd");
    std::fs::write(&t, text).unwrap();
    let out = jiediqi_in(&project, &["check"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "check took a path for a drawing name");
    assert!(err.contains("layouts/bag-nonwoven.yaml") && err.contains("not a drawing name"), "{err}");
}

/// A two-sided item has a mockup of each side, the back's as its own files
/// (`--back`), each caption naming its side; a one-sided item's names none.
#[test]
fn two_sided_items_have_a_mockup_of_each_side() {
    let out = scratch("mockup-sides");
    let a = mockup_args(&["card-contact", "poster-a3"], &out);
    let r = jiediqi(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(r.status.success(), "{}", stderr(&r));
    let names = files(&out);
    assert_eq!(names.len(), 6, "{names:?}");
    let read = |n: &str| std::fs::read_to_string(out.join(n)).unwrap();
    let front = read("card-contact--fanzha-qiandaizi.mockup.svg");
    let back = read("card-contact--fanzha-qiandaizi--back.mockup.svg");
    let title = |svg: &str| svg.split("<title>").nth(1).unwrap().split("</title>").next().unwrap().to_string();
    assert!(title(&front).ends_with("正面") && title(&back).ends_with("背面"), "{} / {}", title(&front), title(&back));
    // The back shows the back's artwork: the officer's photo is on it, not on the front.
    assert!(back.contains("<image") && front.matches("<image").count() < back.matches("<image").count());
    let poster = read("poster-a3--fanzha-qiandaizi.mockup.svg");
    assert!(!title(&poster).contains("面"), "{}", title(&poster));
}
