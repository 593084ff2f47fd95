//! The station's own face (issue 12 point 3): logo, officer photo and an
//! app QR code as files, placed by image zones in the item's inks, checked
//! for resolution, embedded once; two-sided items (the contact card).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiediqi::export::png;
use jiediqi::images::{self, StationImage};
use jiediqi::layout::{SceneOptions, build_sides};
use jiediqi::scene::{Element, PixelData};
use jiediqi::validate::{Item, Library, Station, Zone};

fn library() -> Library {
    Library::load(&root()).expect("shipped data loads")
}

fn example_station() -> Station {
    Station::load(&root().join("examples/station.yaml")).expect("example station loads")
}

/// RGB pixels of a scene's proof at `dpi`, and a sampler by mm from the trim's corner.
fn proof(scene: &jiediqi::scene::Scene, dpi: f64) -> impl Fn(f64, f64) -> [u8; 3] {
    let (w, _, rgb) = png::render_rgb(scene, dpi).expect("proof renders");
    move |x_mm: f64, y_mm: f64| {
        let (x, y) = ((x_mm / 25.4 * dpi) as usize, (y_mm / 25.4 * dpi) as usize);
        let i = (y * w as usize + x) * 3;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    }
}

/// A QR code picture of `text`: `px` pixels a module, 4 modules of quiet zone.
fn qr_png(path: &Path, text: &str, px: u32) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * px;
    image::RgbImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / px) as i64 - 4, (y / px) as i64 - 4);
        let dark = mx >= 0
            && my >= 0
            && mx < i64::from(n)
            && my < i64::from(n)
            && colors[(my as u32 * n + mx as u32) as usize] == qrcode::Color::Dark;
        if dark { image::Rgb([0, 0, 0]) } else { image::Rgb([255, 255, 255]) }
    })
    .save(path)
    .unwrap();
}

/// Four flat patches (2 × 2), 3:4 like the card's photo zone.
const PATCHES: [[u8; 3]; 4] = [[230, 30, 40], [128, 128, 128], [80, 160, 220], [20, 90, 40]];

fn patches_png(path: &Path, w: u32, h: u32) {
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb(PATCHES[usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2)]))
        .save(path)
        .unwrap();
}

/// A project copy with a station folder `st/` holding `station.yaml` (the
/// example's fields plus `extra`) and the example pictures.
fn project(name: &str, pictures: &str) -> (PathBuf, PathBuf) {
    let p = project_copy(name);
    let st = p.join("st");
    std::fs::create_dir_all(&st).unwrap();
    for f in ["officer.png", "logo.svg", "fanzha-app.png"] {
        std::fs::copy(root().join("examples").join(f), st.join(f)).unwrap();
    }
    let yaml = format!(
        "name: 城关派出所\nphone: 0912-1234567\naddress: 城关镇人民路 88 号\nqr: https://example.org/chengguan\n{pictures}"
    );
    std::fs::write(st.join("station.yaml"), yaml).unwrap();
    (p, st.join("station.yaml"))
}

const EXAMPLE_PICTURES: &str =
    "logo: logo.svg\nqr_image: fanzha-app.png\nofficer: { name: 李警官, phone: 138-0000-0000, photo: officer.png }\n";

fn zone<'a>(item: &'a Item, id: &str) -> &'a Zone {
    item.zones.iter().find(|z| z.id == id).unwrap_or_else(|| panic!("zone {id}"))
}

#[test]
fn the_card_back_shows_the_photo_in_its_zone_and_the_front_the_logo_as_vectors() {
    let lib = library();
    let st = example_station();
    let item = lib.item("card-contact").unwrap();
    let slogan = lib.slogans.iter().find(|s| item.suits(s)).unwrap();
    let sides = build_sides(&lib, item, slogan, &SceneOptions { station: Some(&st) }).unwrap();
    assert_eq!(sides.len(), 2, "front and back");
    // The logo is SVG: drawn as paths in the zone's ink (white), never a raster.
    let front = &sides[0];
    assert!(!front.elements.iter().any(|e| matches!(e, Element::Raster(_))), "no raster on the front");
    let white = front.inks.iter().position(|i| i.id == "white").unwrap();
    let logo_box = zone(item, "logo").rect.map(jiediqi::mm);
    let logo_fills: Vec<_> = front
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Fill { path, paint } if paint.ink == white => Some(path),
            _ => None,
        })
        .filter(|p| {
            p.0.iter().all(|s| match *s {
                jiediqi::scene::Seg::Move(x, y) | jiediqi::scene::Seg::Line(x, y) => {
                    x >= logo_box[0] - 0.01
                        && x <= logo_box[0] + logo_box[2] + 0.01
                        && y >= logo_box[1] - 0.01
                        && y <= logo_box[1] + logo_box[3] + 0.01
                }
                _ => true,
            })
        })
        .collect();
    assert!(!logo_fills.is_empty(), "the logo's paths lie in its zone");
    // The back: the photo (CMYK) and the app's QR code (a mask).
    let back = &sides[1];
    let rasters: Vec<_> = back
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Raster(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(rasters.len(), 2, "photo and QR code");
    assert!(matches!(rasters[0].pixels.data, PixelData::Cmyk { .. }));
    assert!(matches!(rasters[1].pixels.data, PixelData::Mask { .. }));
    // Sampled on the proof: photo zone [5, 5, 21, 28] mm, the picture 3:4 like it.
    let at = proof(back, 200.0);
    let head = at(5.0 + 10.5, 5.0 + 0.36 * 28.0);
    let sky = at(6.0, 6.0);
    let paper = at(3.5, 20.0);
    assert!(head.iter().all(|&c| (60..200).contains(&c)) && head[2].abs_diff(head[0]) < 25, "head grey: {head:?}");
    assert!(sky[2] > sky[0] + 10 && sky[0] > 150, "pale blue ground: {sky:?}");
    assert!(paper.iter().all(|&c| c >= 250), "paper outside the zone: {paper:?}");
    // The QR code's top-left finder in zone [68, 5, 17, 17]: 37 modules a side, 4 of quiet zone.
    let module = 17.0 / 37.0;
    let finder = at(68.0 + 4.5 * module, 5.0 + 4.5 * module);
    let quiet = at(68.0 + 1.5 * module, 5.0 + 1.5 * module);
    assert!(finder.iter().all(|&c| c < 90), "dark finder module: {finder:?}");
    assert!(quiet.iter().all(|&c| c > 240), "white quiet zone: {quiet:?}");
}

#[test]
fn cmyk_pixels_are_the_profiles_conversion_in_the_picture_and_in_the_pdf() {
    let (p, station) = project("images-cmyk", "officer: { name: 李警官, phone: 138-0000-0000, photo: patches.png }\n");
    patches_png(&p.join("st/patches.png"), 300, 400);
    let img = StationImage::load(&p.join("st/patches.png"), "officer.photo").unwrap();
    let px = img.cmyk().unwrap();
    let PixelData::Cmyk { cmyk, .. } = &px.data else { panic!("cmyk") };
    // moxcms's own transform, in floating point, from the same profile.
    let profile = moxcms::ColorProfile::new_from_slice(jiediqi::color::PROFILE).unwrap();
    let opts = moxcms::TransformOptions {
        rendering_intent: moxcms::RenderingIntent::RelativeColorimetric,
        ..Default::default()
    };
    let t = moxcms::ColorProfile::new_srgb()
        .create_transform_f64(moxcms::Layout::Rgb, &profile, moxcms::Layout::Rgba, opts)
        .unwrap();
    let mut expected = Vec::new();
    for (k, c) in PATCHES.iter().enumerate() {
        let mut out = [0f64; 4];
        t.transform(&c.map(|v| f64::from(v) / 255.0), &mut out).unwrap();
        let (x, y) = (75 + 150 * (k % 2), 100 + 200 * (k / 2));
        let got = &cmyk[(y * 300 + x) * 4..][..4];
        for ch in 0..4 {
            let want = out[ch] * 255.0;
            assert!((f64::from(got[ch]) - want).abs() <= 3.0, "patch {k} channel {ch}: {} vs {want:.1}", got[ch]);
        }
        expected.push(out);
    }
    // Every patch has real CMYK (not a grey made of K alone, not RGB).
    assert!(expected[0][1] > 0.6 && expected[2][0] > 0.4, "{expected:?}");
    // End to end: the print PDF's plates (Ghostscript) at the patches' centres.
    let out = p.join("out");
    let o = jiediqi_in(
        &p,
        &[
            "render",
            "--slogan",
            "fanzha-qiandaizi",
            "--item",
            "card-contact",
            "--station",
            station.to_str().unwrap(),
            "--proof",
            "--format",
            "pdf",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("card-contact--fanzha-qiandaizi--样稿未审定.pdf");
    let split = tiffsep(&pdf, 300);
    for (k, want) in expected.iter().enumerate() {
        // Photo zone [5, 5, 21, 28] mm, the page 2 mm of bleed larger.
        let (xm, ym) =
            (2.0 + 5.0 + 21.0 * (0.25 + 0.5 * (k % 2) as f64), 2.0 + 5.0 + 28.0 * (0.25 + 0.5 * (k / 2) as f64));
        let (x, y) = ((xm / 25.4 * 300.0) as usize, (ym / 25.4 * 300.0) as usize);
        for (ch, name) in ["Cyan", "Magenta", "Yellow", "Black"].iter().enumerate() {
            let (w, _, ink) = plate(&split[&(2, name.to_string())]);
            let got = f64::from(ink[y * w + x]);
            assert!((got - want[ch] * 255.0).abs() <= 4.0, "patch {k} {name}: plate {got} vs {:.1}", want[ch] * 255.0);
        }
    }
}

/// A screen-print item with an app QR code and a photo in one spot ink.
fn spot_template(project: &Path, qr_side: f64) {
    let t = format!(
        r##"id: test-spot
name: 测试丝印
product: 测试
trim: {{ width: 100, height: 100 }}
bleed: 0
safe: 5
process: screen-print
material: 测试
product_size: {{ width: 100, height: 100 }}
print_position: 正面
colour: 白色
sides: 1
ink_type: 测试
finishing: []
substrate: "#ffffff"
line_screen: 30
minimums: {{ text_height: 4, stroke: 0.5 }}
inks:
  - {{ id: black, spot: "PANTONE Black C", cmyk: [0, 0, 0, 100] }}
  - {{ id: red, spot: "PANTONE 186 C", cmyk: [0, 100, 81, 4] }}
zones:
  - {{ id: slogan, role: slogan, box: [5, 5, 90, 25], font: heavy, ink: red, min_height: 5, max_height: 10 }}
  - {{ id: app-qr, role: image, source: qr_image, box: [5, 40, {qr_side}, {qr_side}], ink: black }}
  - {{ id: photo, role: image, source: photo, box: [50, 35, 45, 60], ink: black }}
"##
    );
    std::fs::write(project.join("layouts/test-spot.yaml"), t).unwrap();
}

#[test]
fn spot_items_print_pictures_as_exact_one_bit_ink_and_the_qr_code_scans() {
    let (p, station) = project("images-spot", EXAMPLE_PICTURES);
    spot_template(&p, 40.0);
    // Approved, so no proof mark (drawn in every ink, at a tint) crosses the pictures.
    approve_all(&p);
    let out = p.join("out");
    let o = jiediqi_in(
        &p,
        &[
            "render",
            "--slogan",
            "fanzha-qiandaizi",
            "--item",
            "test-spot",
            "--station",
            station.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = out.join("test-spot--fanzha-qiandaizi.pdf");
    let plates = plates(&pdf, 300);
    let (w, _, black) = &plates["PANTONE Black C"];
    let (_, _, red) = &plates["PANTONE 186 C"];
    let px = |mm: f64| (mm / 25.4 * 300.0) as usize;
    let region = |x0: f64, y0: f64, x1: f64, y1: f64| {
        (px(y0)..px(y1)).flat_map(move |y| (px(x0)..px(x1)).map(move |x| y * w + x)).collect::<Vec<_>>()
    };
    // Threshold and halftone alike: each pixel all ink or none, never a tint.
    for (name, r) in [("qr", region(5.0, 40.0, 45.0, 80.0)), ("photo", region(50.0, 35.0, 95.0, 95.0))] {
        let tints = r.iter().filter(|&&i| black[i] != 0 && black[i] != 255).count();
        assert_eq!(tints, 0, "{name}: {tints} pixels are neither 0 nor 100 % of the ink");
        assert!(r.iter().all(|&i| red[i] == 0), "{name}: no red under the picture");
    }
    // The halftone carries the tones: the jacket (dark) prints far more ink
    // than the pale ground, each within 10 % of the picture's darkness.
    let share = |r: Vec<usize>| r.iter().filter(|&&i| black[i] == 255).count() as f64 / r.len() as f64;
    let ground = share(region(52.0, 37.0, 60.0, 45.0));
    let jacket = share(region(68.0, 88.0, 73.0, 93.0));
    // 1 − luma of the pictures' colours there (scripts/example-images.py).
    let (gd, jd) = (0.19, 0.71);
    assert!((ground - gd).abs() < 0.10, "ground {ground:.2} vs darkness {gd:.2}");
    assert!((jacket - jd).abs() < 0.12, "jacket {jacket:.2} vs darkness {jd:.2}");
    // The QR code, read back from the black plate.
    let (x0, y0, side) = (px(5.0), px(40.0), px(40.0));
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| 255 - black[(y0 + y) * w + x0 + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    assert_eq!(grids[0].decode().unwrap().1, "https://example.org/fanzha-app");
    // The films (SVG plates) carry the same pictures, black on the black plate.
    let film = std::fs::read_to_string(out.join("test-spot--fanzha-qiandaizi.ink-black.svg")).unwrap();
    assert_eq!(film.matches("<image").count(), 2, "both pictures on the black film");
}

#[test]
fn below_the_resolution_floor_is_refused_with_the_numbers_and_a_little_below_is_a_note() {
    let lib = library();
    let st = example_station();
    let photo = st.photo.as_ref().unwrap();
    let card = lib.item("card-contact").unwrap();
    let mut z = zone(card, "photo").clone();
    z.fit = jiediqi::library::Fit::Contain;
    let mut at_width = |item: &Item, w_mm: f64| {
        z.rect = [5.0, 5.0, w_mm, w_mm * 4.0 / 3.0];
        let mut notes = Vec::new();
        (images::place(item, &z, photo, &mut notes), notes)
    };
    // 480 pixels wide: 300 ppi at 40.64 mm.
    let (ok, notes) = at_width(card, 40.0);
    assert!(ok.is_ok() && notes.is_empty(), "305 ppi prints: {notes:?}");
    let (ok, notes) = at_width(card, 45.0);
    assert!(ok.is_ok(), "271 ppi prints");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("271 ppi") && notes[0].contains("300 ppi"), "{}", notes[0]);
    let (err, _) = at_width(card, 52.0);
    let m = err.unwrap_err();
    assert!(m.contains("is 234 ppi") && m.contains("floor of 300 ppi"), "{m}");
    assert!(m.contains("at most 40.6 × 54.2 mm") && m.contains("615 × 819 pixels"), "{m}");
    // The roll-up banner's own floor (100 ppi): the same size prints there.
    let banner = lib.item("rollup-banner").unwrap();
    let (ok, notes) = at_width(banner, 52.0);
    assert!(ok.is_ok() && notes.is_empty(), "{notes:?}");
    let (err, _) = at_width(banner, 160.0);
    assert!(err.unwrap_err().contains("floor of 100 ppi"));
}

#[test]
fn a_qr_image_whose_modules_print_too_small_is_refused() {
    let lib = library();
    let st = example_station();
    let card = lib.item("card-contact").unwrap();
    let mut z = zone(card, "app-qr").clone();
    z.rect = [68.0, 5.0, 17.0, 17.0];
    let qr = st.qr_image.as_ref().unwrap();
    assert_eq!(qr.qr_module().unwrap(), (8.0, 29), "8 px a module, version 3");
    assert!(images::place(card, &z, qr, &mut Vec::new()).is_ok(), "0.46 mm modules");
    z.rect = [68.0, 5.0, 12.0, 12.0];
    let m = images::place(card, &z, qr, &mut Vec::new()).unwrap_err();
    assert!(m.contains("29 modules a side print 0.32 mm each") && m.contains("minimum module of 0.4 mm"), "{m}");
    assert!(m.contains("at least 14.8 mm wide"), "{m}");
}

#[test]
fn a_picture_used_on_both_sides_is_embedded_once_and_each_side_is_a_page_with_the_same_boxes() {
    // The logo as a PNG: thresholded, on the front and the back.
    let (p, station) = project(
        "images-once",
        "logo: logo.png\nqr_image: fanzha-app.png\nofficer: { name: 李警官, phone: 138-0000-0000, photo: officer.png }\n",
    );
    qr_png(&p.join("st/logo.png"), "logo", 10);
    let out = p.join("out");
    let o = jiediqi_in(
        &p,
        &[
            "render",
            "--slogan",
            "fanzha-qiandaizi",
            "--item",
            "card-contact",
            "--station",
            station.to_str().unwrap(),
            "--proof",
            "--marks",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let base = "card-contact--fanzha-qiandaizi--样稿未审定";
    assert_eq!(
        files(&out),
        [
            format!("{base}--back.png"),
            format!("{base}--back.svg"),
            format!("{base}.pdf"),
            format!("{base}.png"),
            format!("{base}.svg"),
        ]
    );
    let pdf = out.join(format!("{base}.pdf"));
    let objects = pdf_objects(&pdf);
    assert_eq!(objects.matches("/Subtype /Image").count(), 3, "logo, photo and QR code once each");
    let list = tool_ok("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert_eq!(list.lines().skip(2).count(), 4, "four placements: {list}");
    let info = tool_ok("pdfinfo", &["-box", "-f", "1", "-l", "2", pdf.to_str().unwrap()]);
    assert!(info.contains("Pages:           2"), "{info}");
    for b in ["MediaBox", "BleedBox", "TrimBox"] {
        let boxes: Vec<&str> =
            info.lines().filter(|l| l.contains(b)).map(|l| l.split(':').nth(1).unwrap().trim()).collect();
        assert_eq!(boxes.len(), 2, "{b} on both pages: {info}");
        assert_eq!(boxes[0], boxes[1], "{b} differs between the sides");
    }
    // The back's text is its own: the officer on page 2 only.
    let text = |page: &str| tool_ok("pdftotext", &["-f", page, "-l", page, pdf.to_str().unwrap(), "-"]);
    assert!(text("2").contains("李警官") && !text("1").contains("李警官"));
    // Same inputs, same bytes.
    let first = std::fs::read(&pdf).unwrap();
    let again = jiediqi_in(
        &p,
        &[
            "render",
            "--slogan",
            "fanzha-qiandaizi",
            "--item",
            "card-contact",
            "--station",
            station.to_str().unwrap(),
            "--proof",
            "--marks",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(again.status.success());
    assert_eq!(first, std::fs::read(&pdf).unwrap(), "a rerun writes the same PDF");
}

/// The station file's error for a picture field pointing at `file` (written by `make`).
fn load_error(name: &str, field: &str, file: &str, make: impl FnOnce(&Path)) -> String {
    let dir = scratch(name);
    make(&dir.join(file));
    let yaml = match field {
        "officer.photo" => format!("name: 城关派出所\nofficer: {{ name: 李警官, photo: {file} }}\n"),
        _ => format!("name: 城关派出所\n{field}: {file}\n"),
    };
    std::fs::write(dir.join("station.yaml"), yaml).unwrap();
    let e = Station::load(&dir.join("station.yaml")).expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("station.yaml"), "names the station file: {text}");
    assert!(text.contains(&format!("field `{field}`")), "names the field: {text}");
    assert!(text.contains(file), "names the picture: {text}");
    text
}

#[test]
fn bad_picture_files_are_refused_with_what_to_do() {
    type Make = Box<dyn FnOnce(&Path)>;
    let cases: Vec<(&str, &str, Make, &str)> = vec![
        ("logo", "missing.png", Box::new(|_| {}), "cannot read"),
        (
            "officer.photo",
            "cut.png",
            Box::new(|p| {
                let full = p.with_extension("full.png");
                patches_png(&full, 300, 400);
                let b = std::fs::read(&full).unwrap();
                std::fs::write(p, &b[..b.len() / 2]).unwrap();
            }),
            "cut short or damaged",
        ),
        (
            "officer.photo",
            "bomb.png",
            Box::new(|p| {
                // A 70-byte PNG whose header claims 100000 × 100000 pixels.
                let mut ihdr = b"IHDR".to_vec();
                ihdr.extend(100_000u32.to_be_bytes());
                ihdr.extend(100_000u32.to_be_bytes());
                ihdr.extend([8, 2, 0, 0, 0]);
                let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
                f.extend(13u32.to_be_bytes());
                f.extend(&ihdr);
                f.extend(crc32fast::hash(&ihdr).to_be_bytes());
                f.extend([0, 0, 0, 0]);
                f.extend(b"IEND");
                f.extend(crc32fast::hash(b"IEND").to_be_bytes());
                std::fs::write(p, f).unwrap();
            }),
            "100000 × 100000 pixels, more than jiediqi reads",
        ),
        ("logo", "photo.png", Box::new(|p| patches_png(&p.with_extension("jpg"), 30, 40)), ""),
        (
            "officer.photo",
            "cmyk.jpg",
            Box::new(|p| {
                // SOI, then a baseline frame header with 4 components.
                let mut f = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x14, 8, 0, 16, 0, 16, 4];
                f.extend([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
                f.extend([0xFF, 0xD9]);
                std::fs::write(p, f).unwrap();
            }),
            "CMYK JPEG",
        ),
        (
            "officer.photo",
            "deep.png",
            Box::new(|p| {
                image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_pixel(8, 8, image::Rgb([1000, 2000, 3000]))
                    .save(p)
                    .unwrap()
            }),
            "16 bits a channel",
        ),
        (
            "logo",
            "see-through.png",
            Box::new(|p| image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 0, 0, 128])).save(p).unwrap()),
            "transparent",
        ),
        (
            "logo",
            "words.svg",
            Box::new(|p| {
                std::fs::write(
                    p,
                    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>所</text></svg>"#,
                )
                .unwrap()
            }),
            "convert the text to outlines",
        ),
        (
            "logo",
            "two.svg",
            Box::new(|p| {
                std::fs::write(
                    p,
                    r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5" fill="#ff0000"/><rect x="5" width="5" height="5" fill="#0000ff"/></svg>"##,
                )
                .unwrap()
            }),
            "2 colours (#0000ff, #ff0000)",
        ),
        ("logo", "logo.gif", Box::new(|p| std::fs::write(p, b"GIF89a").unwrap()), "give a PNG, JPEG or SVG file"),
    ];
    for (k, (field, file, make, want)) in cases.into_iter().enumerate() {
        let text = if file == "photo.png" {
            // A JPEG under a .png name.
            load_error(&format!("images-bad-{k}"), field, file, |p| {
                make(p);
                std::fs::rename(p.with_extension("jpg"), p).unwrap();
            })
        } else {
            load_error(&format!("images-bad-{k}"), field, file, make)
        };
        let want = if want.is_empty() { "is a JPEG file named .png" } else { want };
        assert!(text.contains(want), "{file}: wants `{want}`: {text}");
        assert!(text.contains("hint:"), "{file}: says what to do: {text}");
    }
}

#[test]
fn an_even_odd_ring_from_an_svg_keeps_its_hole() {
    let dir = scratch("images-ring");
    // Two circles drawn the same way round: filled nonzero they would be a disc.
    std::fs::write(
        dir.join("ring.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><path fill="#000" fill-rule="evenodd" d="M50 0 A50 50 0 1 1 49.99 0 Z M50 30 A20 20 0 1 1 49.99 30 Z"/></svg>"##,
    )
    .unwrap();
    std::fs::write(dir.join("station.yaml"), "name: 城关派出所\nphone: 0912-1234567\nlogo: ring.svg\n").unwrap();
    let st = Station::load(&dir.join("station.yaml")).unwrap();
    let lib = library();
    let item = lib.item("card-contact").unwrap();
    let slogan = lib.slogans.iter().find(|s| item.suits(s)).unwrap();
    let front = jiediqi::layout::build_scene(&lib, item, slogan, &SceneOptions { station: Some(&st) }).unwrap();
    // Logo zone [5, 39, 12, 12] on the blue band, in white.
    let at = proof(&front, 300.0);
    let (cx, cy) = (11.0, 45.0);
    let ring = at(cx + 4.8, cy);
    let hole = at(cx, cy);
    assert!(ring.iter().all(|&c| c > 240), "white ring: {ring:?}");
    assert!(hole[2] > hole[0] + 40, "the band shows through the hole: {hole:?}");
}

/// A picture's embedded ICC profile is honoured: pixels are converted from
/// it to sRGB (the space the print conversion starts from). The test
/// profile has sRGB's primaries and white but linear tone curves, so the
/// expected sRGB values follow from the sRGB formula alone: linear 128/255
/// is sRGB 188, linear 32/255 is sRGB 99. A picture without a profile and
/// one tagged sRGB read as they are; a broken profile is refused.
#[test]
fn embedded_colour_profiles_are_converted_to_srgb() {
    use image::ImageEncoder as _;
    let linear = {
        let mut p = moxcms::ColorProfile::new_srgb();
        for trc in [&mut p.red_trc, &mut p.green_trc, &mut p.blue_trc] {
            *trc = Some(moxcms::ToneReprCurve::Lut(Vec::new()));
        }
        // sRGB's coding-independent code points would say "sRGB curve".
        p.cicp = None;
        p.encode().unwrap()
    };
    let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
    let dir = scratch("icc");
    let grey = [128u8, 128, 128, 32, 32, 32];
    let write = |name: &str, profile: Option<&[u8]>, jpeg: bool| -> PathBuf {
        let path = dir.join(name);
        let mut bytes = Vec::new();
        // 2 × 1 pixels, scaled up to 64 × 32 so JPEG's blocks stay flat.
        let big: Vec<u8> =
            (0..32).flat_map(|_| (0..64).flat_map(|x| grey[(x / 32) * 3..(x / 32) * 3 + 3].to_vec())).collect();
        if jpeg {
            let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 100);
            if let Some(p) = profile {
                e.set_icc_profile(p.to_vec()).unwrap();
            }
            e.write_image(&big, 64, 32, image::ExtendedColorType::Rgb8).unwrap();
        } else {
            let mut e = image::codecs::png::PngEncoder::new(&mut bytes);
            if let Some(p) = profile {
                e.set_icc_profile(p.to_vec()).unwrap();
            }
            e.write_image(&big, 64, 32, image::ExtendedColorType::Rgb8).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let pixels = |path: &Path| -> ([u8; 3], [u8; 3]) {
        let img = StationImage::load(path, "logo").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let images::Kind::Raster { width, rgb, .. } = &img.kind else { panic!("not raster") };
        let at = |x: usize| [rgb[x * 3], rgb[x * 3 + 1], rgb[x * 3 + 2]];
        let _ = width;
        (at(16), at(48))
    };
    let near = |got: [u8; 3], want: u8, slack: u8, what: &str| {
        assert!(got.iter().all(|&c| c.abs_diff(want) <= slack), "{what}: {got:?}, want {want}");
    };
    for jpeg in [false, true] {
        let ext = if jpeg { "jpg" } else { "png" };
        // JPEG's own rounding (quality 100, flat blocks) stays within 2.
        let slack = if jpeg { 3 } else { 1 };
        let (a, b) = pixels(&write(&format!("linear.{ext}"), Some(&linear), jpeg));
        near(a, 188, slack, &format!("linear 128 in {ext}"));
        near(b, 99, slack, &format!("linear 32 in {ext}"));
        for (name, profile) in [("plain", None), ("srgb", Some(srgb.as_slice()))] {
            let (a, b) = pixels(&write(&format!("{name}.{ext}"), profile, jpeg));
            near(a, 128, slack, &format!("{name} {ext}"));
            near(b, 32, slack, &format!("{name} {ext}"));
        }
        let bad = write(&format!("bad.{ext}"), Some(b"not a profile at all, just some bytes"), jpeg);
        let e = StationImage::load(&bad, "logo").expect_err("a broken profile is refused");
        assert!(e.contains("colour profile (ICC) cannot be read") && e.contains("sRGB"), "{e}");
    }
}
