//! PDF/X print files and colour-managed proofs: the structure a preflight
//! tool looks at (qpdf's JSON), Ghostscript rendering through the output
//! intent, and proof colours within ΔE2000 3 of that rendering.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiediqi::color;
use jiediqi::export::pdf::{self, PdfOptions, PdfX};
use jiediqi::scene::{Element, Ink, InkKind, Paint, Path as ScenePath, Rgb, Scene};
use serde_json::Value;

/// A PDF's objects as qpdf's JSON (version 2, no stream data): `obj:N 0 R` → object.
struct Objects {
    file: PathBuf,
    map: serde_json::Map<String, Value>,
}

impl Objects {
    fn of(pdf: &Path) -> Objects {
        let json = tool_ok("qpdf", &["--json", "--json-stream-data=none", pdf.to_str().unwrap()]);
        let v: Value = serde_json::from_str(&json).expect("qpdf JSON");
        let map = v["qpdf"][1].as_object().expect("objects").clone();
        Objects { file: pdf.to_path_buf(), map }
    }

    /// An object's dictionary (a stream's dictionary for streams).
    fn dict(&self, reference: &Value) -> &serde_json::Map<String, Value> {
        let key = format!("obj:{}", reference.as_str().unwrap_or_else(|| panic!("not a reference: {reference}")));
        let o = &self.map[&key];
        o.get("value").or_else(|| o["stream"].get("dict")).and_then(Value::as_object).expect("a dictionary")
    }

    fn trailer(&self) -> &serde_json::Map<String, Value> {
        self.map["trailer"]["value"].as_object().unwrap()
    }

    fn catalog(&self) -> &serde_json::Map<String, Value> {
        self.dict(&self.trailer()["/Root"])
    }

    fn info(&self) -> &serde_json::Map<String, Value> {
        self.dict(&self.trailer()["/Info"])
    }

    /// A stream's data, decoded.
    fn data(&self, reference: &Value) -> Vec<u8> {
        let id = reference.as_str().unwrap().split(' ').next().unwrap();
        let o = tool("qpdf", &[&format!("--show-object={id}"), "--filtered-stream-data", self.file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        o.stdout
    }

    /// Every value anywhere in the file, as JSON text (for "nothing of this kind" checks).
    fn all_text(&self) -> String {
        serde_json::to_string(&self.map).unwrap()
    }
}

fn text(v: &Value) -> &str {
    // qpdf writes text strings as `u:…`.
    v.as_str().and_then(|s| s.strip_prefix("u:")).unwrap_or_else(|| panic!("not a text string: {v}"))
}

/// The text between `<tag>` and `</tag>` in an XMP packet.
fn xmp_field<'a>(xmp: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xmp.find(&open).unwrap_or_else(|| panic!("XMP has no {tag}:\n{xmp}")) + open.len();
    let end = xmp[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xmp[start..end]
}

/// What every PDF/X version shares: the output intent with our profile once,
/// dates and trapped key in both the information dictionary and the XMP,
/// ids from the content, boxes, nothing RGB, no transparency.
fn check_pdfx_common(pdf: &Path) -> (Objects, String) {
    let o = Objects::of(pdf);
    let cat = o.catalog();
    let intents = cat["/OutputIntents"].as_array().expect("OutputIntents");
    assert_eq!(intents.len(), 1, "{}: one output intent", pdf.display());
    let oi = intents[0].as_object().unwrap();
    assert_eq!(oi["/Type"], "/OutputIntent");
    assert_eq!(oi["/S"], "/GTS_PDFX");
    assert_eq!(text(&oi["/OutputConditionIdentifier"]), "FOGRA39");
    assert_eq!(text(&oi["/RegistryName"]), "http://www.color.org");
    assert!(text(&oi["/OutputCondition"]).contains("ISO 12647-2:2004"));
    assert!(text(&oi["/Info"]).starts_with("Jiediqi FOGRA39"));
    let icc = &oi["/DestOutputProfile"];
    let icc_dict = o.dict(icc);
    assert_eq!(icc_dict["/N"], 4);
    assert_eq!(icc_dict["/Filter"], "/FlateDecode", "the profile is compressed");
    assert!(o.data(icc) == color::PROFILE, "{}: the output intent carries another profile", pdf.display());
    // Embedded once: no other ICC stream.
    let iccs = o
        .map
        .values()
        .filter(|v| v["stream"]["dict"].get("/N").is_some() && v["stream"]["dict"].get("/Subtype").is_none())
        .count();
    assert_eq!(iccs, 1, "{}: {iccs} ICC streams", pdf.display());

    let info = o.info();
    assert_eq!(info["/Trapped"], "/False");
    assert!(!text(&info["/Title"]).is_empty());
    let created = text(&info["/CreationDate"]).to_string();
    assert_eq!(text(&info["/ModDate"]), created);

    let xmp_ref = &cat["/Metadata"];
    let meta = o.dict(xmp_ref);
    assert_eq!(meta["/Type"], "/Metadata");
    assert_eq!(meta["/Subtype"], "/XML");
    assert!(meta.get("/Filter").is_none(), "XMP stays readable");
    let xmp = String::from_utf8(o.data(xmp_ref)).expect("XMP is UTF-8");
    assert!(xmp.starts_with("<?xpacket begin=\"\u{feff}\"") && xmp.ends_with("<?xpacket end=\"w\"?>"), "{xmp}");
    assert_eq!(xmp_field(&xmp, "pdf:Trapped"), "False");
    assert_eq!(xmp_field(&xmp, "pdf:Producer"), "jiediqi");
    assert!(xmp.contains(&format!("<rdf:li xml:lang=\"x-default\">{}</rdf:li>", text(&info["/Title"]))), "{xmp}");
    // D:YYYYMMDDHHmmSSZ in the dictionary, the same instant in the XMP.
    let d = &created[2..];
    let iso = format!("{}-{}-{}T{}:{}:{}Z", &d[0..4], &d[4..6], &d[6..8], &d[8..10], &d[10..12], &d[12..14]);
    for tag in ["xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"] {
        assert_eq!(xmp_field(&xmp, tag), iso, "{tag}");
    }
    // Ids in the trailer and the XMP, from the content. (qpdf's JSON shows
    // an id that happens to decode as text as `u:…`; its trailer shows hex.)
    let trailer = tool_ok("qpdf", &["--show-object=trailer", pdf.to_str().unwrap()]);
    let ids: Vec<&str> = trailer.split("/ID [ ").nth(1).unwrap().split(" ]").next().unwrap().split(' ').collect();
    for (tag, id) in [("xmpMM:DocumentID", ids[0]), ("xmpMM:InstanceID", ids[1])] {
        let uuid = xmp_field(&xmp, tag);
        assert!(uuid.starts_with("uuid:") && uuid.len() == 41, "{tag} {uuid}");
        let hex = id.trim_start_matches('<').trim_end_matches('>');
        assert_eq!(hex.len(), 32, "{trailer}");
        assert_eq!(&uuid[5..13], &hex[..8], "{tag} is not the trailer's id");
    }
    assert_eq!(xmp_field(&xmp, "xmpMM:RenditionClass"), "default");

    // Every page has a TrimBox inside its BleedBox inside its MediaBox.
    for v in o.map.values() {
        let Some(page) = v["value"].as_object().filter(|d| d.get("/Type") == Some(&Value::from("/Page"))) else {
            continue;
        };
        let b = |k: &str| -> Vec<f64> {
            page[k]
                .as_array()
                .unwrap_or_else(|| panic!("page without {k}"))
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let (media, bleed, trim) = (b("/MediaBox"), b("/BleedBox"), b("/TrimBox"));
        for i in 0..2 {
            assert!(media[i] <= bleed[i] + 1e-3 && bleed[i] <= trim[i] + 1e-3);
            assert!(trim[i + 2] <= bleed[i + 2] + 1e-3 && bleed[i + 2] <= media[i + 2] + 1e-3);
        }
    }
    // Only CMYK and spot colour: no RGB, no calibrated or ICC colour in the
    // pages (the profile is only the output intent), no transparency.
    let all = o.all_text();
    for bad in ["/DeviceRGB", "/CalRGB", "/Lab\"", "/ICCBased", "/SMask", "/CA\"", "/ca\"", "/BM\"", "/OCProperties"] {
        assert!(!all.contains(bad), "{}: {bad} found", pdf.display());
    }
    // Ghostscript renders it through the output intent without a complaint.
    let g = tool(
        "gs",
        &["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dUsePDFX3Profile", "-sDEVICE=nullpage", pdf.to_str().unwrap()],
    );
    assert!(g.status.success() && g.stderr.is_empty() && g.stdout.is_empty(), "gs: {}{}", stdout(&g), stderr(&g));
    (o, xmp)
}

fn header(pdf: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(pdf).unwrap()[..8]).into_owned()
}

/// Print files of every kind (offset CMYK with crop marks, spot inks,
/// dye sublimation with a die line, vertical text) are PDF/X-4 by default.
#[test]
fn print_files_are_pdfx4_with_a_fogra39_output_intent() {
    let out = scratch("pdfx4");
    let o = run_words(
        approved_root(),
        "render --slogan fanzha-qiandaizi --item poster-a3 --item bag-nonwoven --item mousepad-desk \
         --item rollup-banner --format pdf --marks --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The desk mat's die line comes in a cut file beside its print file: PDF/X as well.
    for name in ["poster-a3", "bag-nonwoven", "mousepad-desk", "mousepad-desk.cut", "rollup-banner"] {
        let (item, ext) = name.split_once('.').map_or((name, "pdf"), |(i, _)| (i, "cut.pdf"));
        let pdf = out.join(format!("{item}--fanzha-qiandaizi.{ext}"));
        assert_eq!(header(&pdf), "%PDF-1.6", "{item}: PDF/X-4 is PDF 1.6 at most");
        let (o, xmp) = check_pdfx_common(&pdf);
        assert_eq!(text(&o.info()["/GTS_PDFXVersion"]), "PDF/X-4");
        assert!(o.info().get("/GTS_PDFXConformance").is_none());
        assert_eq!(xmp_field(&xmp, "pdfxid:GTS_PDFXVersion"), "PDF/X-4");
        let info = tool_ok("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains("PDF subtype:    PDF/X-4"), "poppler reads it as PDF/X-4: {info}");
    }
}

/// `--pdfx x1a`: PDF 1.3, the X-1a:2001 keys, and (as for X-4) nothing but
/// CMYK and spot colour, no transparency, fonts embedded or outlined.
#[test]
fn pdfx1a_on_request() {
    let out = scratch("pdfx1a");
    for extra in ["", " --outline-text"] {
        let o = run_words(
            approved_root(),
            &format!(
                "render --slogan fanzha-qiandaizi --item poster-a3 --item tote-canvas --format pdf --marks \
                 --station examples/station.yaml --pdfx x1a{extra}"
            ),
            &out,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for item in ["poster-a3", "tote-canvas"] {
            let pdf = out.join(format!("{item}--fanzha-qiandaizi.pdf"));
            assert_eq!(header(&pdf), "%PDF-1.3", "{item}");
            let (o, xmp) = check_pdfx_common(&pdf);
            assert_eq!(text(&o.info()["/GTS_PDFXVersion"]), "PDF/X-1:2001");
            assert_eq!(text(&o.info()["/GTS_PDFXConformance"]), "PDF/X-1a:2001");
            assert_eq!(xmp_field(&xmp, "pdfx:GTS_PDFXVersion"), "PDF/X-1:2001");
            assert_eq!(xmp_field(&xmp, "pdfx:GTS_PDFXConformance"), "PDF/X-1a:2001");
            assert!(!xmp.contains("pdfxid:GTS_PDFXVersion>"));
            let fonts = tool_ok("pdffonts", &[pdf.to_str().unwrap()]);
            for row in fonts.lines().skip(2) {
                assert!(row.contains(" yes yes yes "), "font not embedded as a subset: {row}");
            }
            assert_eq!(fonts.lines().count() > 2, extra.is_empty(), "{fonts}");
        }
    }
}

/// Dates come from SOURCE_DATE_EPOCH, else from the approval of the
/// wording; ids from the content: the same inputs give the same bytes, other
/// wording gives other ids.
#[test]
fn dates_and_ids_are_reproducible() {
    let project = approved_root();
    let out = scratch("pdfx-ids");
    let o = run_words(
        project,
        "render --slogan fanzha-qiandaizi --slogan fanzha-shucaitan --item poster-a3 --format pdf \
         --station examples/station.yaml",
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lib = jiediqi::validate::Library::load(project).unwrap();
    let log = review_log(project);
    let record = log.gate(lib.slogan("fanzha-qiandaizi").unwrap()).unwrap();
    let a = Objects::of(&out.join("poster-a3--fanzha-qiandaizi.pdf"));
    let b = Objects::of(&out.join("poster-a3--fanzha-shucaitan.pdf"));
    let compact: String = record.time.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(text(&a.info()["/CreationDate"]), format!("D:{compact}Z"), "dated at the approval {}", record.time);
    assert_ne!(a.trailer()["/ID"], b.trailer()["/ID"], "two designs, one id");

    let again = scratch("pdfx-ids-again");
    let o = run_words(
        project,
        "render --slogan fanzha-qiandaizi --item poster-a3 --format pdf --station examples/station.yaml",
        &again,
    );
    assert!(o.status.success());
    let name = "poster-a3--fanzha-qiandaizi.pdf";
    assert!(std::fs::read(out.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(), "reruns differ");

    // SOURCE_DATE_EPOCH wins, and changes the instance id but not the document id.
    let dated = scratch("pdfx-ids-epoch");
    let o = command_in(project, &["render", "--slogan", "fanzha-qiandaizi", "--item", "poster-a3", "--format", "pdf"])
        .args(["--station", "examples/station.yaml", "--out", dated.to_str().unwrap()])
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let c = Objects::of(&dated.join(name));
    assert_eq!(text(&c.info()["/CreationDate"]), "D:20261129000000Z");
    assert_eq!(c.trailer()["/ID"][0], a.trailer()["/ID"][0]);
    assert_ne!(c.trailer()["/ID"][1], a.trailer()["/ID"][1]);
}

/// `--pdfx` and an order's `pdfx:` take x4 or x1a; anything else is a clear
/// error (the order's names its file and line), and nothing is written.
#[test]
fn pdfx_choices_and_their_errors() {
    let out = scratch("pdfx-bad");
    let o = run_words(approved_root(), "render --slogan fanzha-qiandaizi --item poster-a3 --pdfx x3", &out);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("`x3` is not a PDF/X version") && e.contains("x1a (PDF/X-1a:2001)"), "{e}");
    assert!(files(&out).is_empty());

    let p = project_copy("pdfx-order");
    let o = jiediqi_in(&p, &["approve", "--by", "示例审核员", "fanzha-qiandaizi", "xiaofang-dianche"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let order = p.join("orders/pdfx.yaml");
    let base = "title: 海报\nvendor: { name: 城关印务 }\ndue: 2026-12-20\n\
                stations:\n  list: [{ id: chengguan, name: 城关派出所, phone: 0912-1234567, qr: https://example.org/cg }]\n\
                lines:\n  - { item: poster-a3, slogans: [fanzha-qiandaizi], quantity: 10 }\n";
    std::fs::write(&order, format!("{base}pdfx: x3\n")).unwrap();
    let out = p.join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["order", order.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(extra);
        jiediqi_in(&p, &args)
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("orders/pdfx.yaml:8:7: pdfx `x3` is not a PDF/X version jiediqi writes"), "{e}");
    assert!(e.contains("hint: write x4 (PDF/X-4, the default) or x1a (PDF/X-1a:2001)"), "{e}");
    assert!(!out.exists() || files(&out).is_empty());

    std::fs::write(&order, format!("{base}pdf_x: x1a\n")).unwrap();
    let e = stderr(&run(&[]));
    assert!(e.contains("pdfx.yaml:8:1: unknown field `pdf_x`"), "{e}");

    // The order asks for X-1a; `--pdfx x4` overrides it.
    std::fs::write(&order, format!("{base}pdfx: x1a\n")).unwrap();
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pkg = out.join("pdfx");
    let pdf = pkg.join("print/poster-a3--fanzha-qiandaizi--chengguan.pdf");
    assert_eq!(header(&pdf), "%PDF-1.3");
    let (o, _) = check_pdfx_common(&pdf);
    assert_eq!(text(&o.info()["/GTS_PDFXConformance"]), "PDF/X-1a:2001");
    let manifest = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"pdfx\": {\"version\": \"PDF/X-1a:2001\", \"output_intent\": \"FOGRA39\"}"),
        "{manifest}"
    );
    let readme = std::fs::read_to_string(pkg.join("README.txt")).unwrap();
    assert!(readme.contains("格式为 PDF/X-1a:2001，输出意图 FOGRA39"), "{readme}");
    let o = run(&["--pdfx", "x4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(header(&pdf), "%PDF-1.6");
}

/// Proof sheets and job sheets are documents, not print files: they stay
/// plain PDF (the proof sheet holds RGB previews, which PDF/X refuses).
#[test]
fn pdfx_refuses_rgb_images() {
    let scene = Scene {
        width: 100.0,
        height: 100.0,
        bleed: 0.0,
        inks: vec![],
        substrate: Rgb(255, 255, 255),
        background: None,
        underbase: None,
        elements: vec![Element::Image(jiediqi::scene::Image {
            rect: [0.0, 0.0, 10.0, 10.0],
            width: 1,
            height: 1,
            rgb: std::sync::Arc::new(vec![255, 0, 0]),
        })],
        crop_marks_allowed: false,
        folds: Vec::new(),
        die_line: None,
        title: "x".into(),
        slogan_lines: 0,
        split_words: vec![],
        notes: Vec::new(),
    };
    for x in [PdfX::X4, PdfX::X1a] {
        let e = pdf::export(&scene, &PdfOptions { pdfx: Some(x), ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("allows only CMYK and spot colours"), "{e}");
    }
    assert!(pdf::export(&scene, &PdfOptions::default()).is_ok());
}

/// One swatch per ink and tint, side by side: a scene with nothing else.
fn swatches(inks: &[(Ink, f64)]) -> Scene {
    let side = 40.0;
    let mut all: Vec<Ink> = Vec::new();
    let mut elements = Vec::new();
    for (i, (ink, tint)) in inks.iter().enumerate() {
        let k = all.iter().position(|a| a == ink).unwrap_or_else(|| {
            all.push(ink.clone());
            all.len() - 1
        });
        elements.push(Element::Fill {
            path: ScenePath::rect(i as f64 * side, 0.0, side, side),
            paint: Paint { ink: k, tint: *tint, overprint: false },
        });
    }
    Scene {
        width: side * inks.len() as f64,
        height: side,
        bleed: 0.0,
        inks: all,
        substrate: Rgb(255, 255, 255),
        background: None,
        underbase: None,
        elements,
        crop_marks_allowed: false,
        folds: Vec::new(),
        die_line: None,
        title: "swatches".into(),
        slogan_lines: 0,
        split_words: vec![],
        notes: Vec::new(),
    }
}

/// An 8-bit binary PPM (P6), as Ghostscript's ppmraw writes it (with a comment line).
fn read_ppm(path: &Path) -> (usize, usize, Vec<u8>) {
    let d = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        if d[i] == b'#' {
            i += d[i..].iter().position(|&c| c == b'\n').unwrap() + 1;
        } else if d[i].is_ascii_whitespace() {
            i += 1;
        } else {
            let len = d[i..].iter().position(|c| c.is_ascii_whitespace()).unwrap();
            fields.push(String::from_utf8_lossy(&d[i..i + len]).into_owned());
            i += len;
        }
    }
    assert_eq!(fields[0], "P6");
    assert_eq!(fields[3], "255");
    (fields[1].parse().unwrap(), fields[2].parse().unwrap(), d[i + 1..].to_vec())
}

/// Ghostscript's rendering of a PDF at `dpi` (with gs's own default CMYK
/// profile, or through the PDF's output intent).
fn ghostscript(pdf: &Path, dpi: f64, output_intent: bool) -> (usize, usize, Vec<u8>) {
    let ppm = pdf.with_extension(if output_intent { "oi.ppm" } else { "default.ppm" });
    let mut args = vec!["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=ppmraw"];
    let r = format!("-r{dpi}");
    let o = format!("-sOutputFile={}", ppm.display());
    args.extend([r.as_str(), o.as_str()]);
    if output_intent {
        // Relative colorimetric without black point compensation, as our
        // proofs: paper white is screen white and solid black shows as dark
        // as it prints (Ghostscript compensates by default: 100 % K #201f1e
        // instead of #2b2b2a, deeper than the press can print).
        args.extend(["-dUsePDFX3Profile", "-dRenderIntent=1", "-dBlackPtComp=0"]);
    }
    args.push(pdf.to_str().unwrap());
    tool_ok("gs", &args);
    read_ppm(&ppm)
}

/// The proof colours (PNG, and the SVG's fill colours, which are the same
/// function) of process and spot inks, solid and tinted, against
/// Ghostscript's rendering of the print PDF through its output intent.
#[test]
fn proof_colours_match_ghostscript_through_the_output_intent() {
    let process = |id: &str, c: [f64; 4]| Ink { id: id.into(), kind: InkKind::Process { cmyk: c }, preview: None };
    let spot = |id: &str, name: &str, c: [f64; 4]| Ink {
        id: id.into(),
        kind: InkKind::Spot { name: name.into(), cmyk: c },
        preview: None,
    };
    let green = process("green", [0.75, 0.0, 0.60, 0.10]); // the desk mat's green
    let yellow = spot("yellow", "PANTONE 116 C", [0.0, 0.16, 1.0, 0.0]); // the apron's
    let red = spot("red", "PANTONE 186 C", [0.0, 1.0, 0.81, 0.04]); // the bag's
    let cases = [
        ("desk-mat green 75/0/60/10", green.clone(), 1.0),
        ("apron yellow PANTONE 116 C", yellow, 1.0),
        ("pure K", process("black", [0.0, 0.0, 0.0, 1.0]), 1.0),
        ("desk-mat green at 40 %", green, 0.4),
        ("PANTONE 186 C at 40 %", red.clone(), 0.4),
        ("PANTONE 186 C", red, 1.0),
        ("navy 100/80/20/20", process("navy", [1.0, 0.8, 0.2, 0.2]), 1.0),
        ("mint 10/0/8/0", process("mint", [0.10, 0.0, 0.08, 0.0]), 1.0),
    ];
    let scene = swatches(&cases.iter().map(|(_, i, t)| (i.clone(), *t)).collect::<Vec<_>>());
    let dir = scratch("swatches");
    let pdf_path = dir.join("swatches.pdf");
    let bytes = pdf::export(&scene, &PdfOptions { pdfx: Some(PdfX::X4), ..Default::default() }).unwrap();
    std::fs::write(&pdf_path, bytes).unwrap();
    let dpi = 36.0;
    let (gw, gh, managed) = ghostscript(&pdf_path, dpi, true);
    let (_, _, default) = ghostscript(&pdf_path, dpi, false);
    let (pw, ph, proof) = jiediqi::export::png::render_rgb(&scene, dpi).unwrap();
    assert_eq!((gw, gh), (pw as usize, ph as usize));
    let at = |px: &[u8], i: usize| {
        let (x, y) = ((2 * i + 1) * gw / (2 * cases.len()), gh / 2);
        let o = (y * gw + x) * 3;
        Rgb(px[o], px[o + 1], px[o + 2])
    };
    let mut report = String::new();
    let mut worst = 0.0f64;
    for (i, (name, ink, tint)) in cases.iter().enumerate() {
        let (ours, gs, gs_default) = (at(&proof, i), at(&managed, i), at(&default, i));
        // The proof draws exactly the colour module's value for the ink.
        assert_eq!(ours, color::ink_srgb(ink, *tint), "{name}");
        let de = color::delta_e2000_srgb(ours, gs);
        worst = worst.max(de);
        report.push_str(&format!(
            "{name}: proof {} gs {} (ΔE2000 {de:.2}); gs without the profile {}\n",
            ours.hex(),
            gs.hex(),
            gs_default.hex()
        ));
    }
    eprint!("{report}");
    assert!(worst <= 3.0, "proof colours off Ghostscript's by up to ΔE2000 {worst:.2}:\n{report}");
    // Ghostscript really used the output intent: with its own default CMYK
    // profile (SWOP-like) the light and dark swatches come out visibly other.
    let apart = (0..cases.len()).map(|i| color::delta_e2000_srgb(at(&default, i), at(&managed, i))).fold(0.0, f64::max);
    eprintln!("largest difference between gs's default and the output intent: ΔE2000 {apart:.2}");
    assert!(apart > 3.0, "the output intent made no difference to Ghostscript:\n{report}");
}

/// The shipped profile is the one its README describes.
#[test]
fn the_profile_is_what_its_readme_records() {
    let icc = std::fs::read(root().join("profiles/jiediqi-fogra39.icc")).unwrap();
    assert!(icc == color::PROFILE, "the binary embeds another profile than profiles/ ships");
    let readme = std::fs::read_to_string(root().join("profiles/README.md")).unwrap();
    let sum = tool_ok("sha256sum", &[root().join("profiles/jiediqi-fogra39.icc").to_str().unwrap()]);
    let sum = sum.split_whitespace().next().unwrap();
    assert!(readme.contains(&format!("| sha256 | `{sum}` |")), "profiles/README.md does not record sha256 {sum}");
    assert!(readme.contains(&format!("{} bytes", format_thousands(icc.len()))), "README's size of {} bytes", icc.len());
    // ICC header: size, version 2.2, output class, CMYK data, Lab PCS, the fixed date.
    assert_eq!(u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize, icc.len());
    assert_eq!(&icc[8..10], &[2, 0x20]);
    assert_eq!(&icc[12..24], b"prtrCMYKLab ");
    let date: Vec<u16> = icc[24..36].chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    assert_eq!(date, [2026, 12, 2, 0, 0, 0]);
    assert_eq!(&icc[36..40], b"acsp");
    let license = std::fs::read_to_string(root().join("profiles/LICENSE-FOGRA39L.txt")).unwrap();
    assert!(license.contains("The zlib/libpng License") && license.contains("Kai-Uwe Behrmann"));
}

fn format_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The recorded commands make the shipped profile again. Needs ArgyllCMS and
/// icc-profiles-free and about 20 s of CPU, so it is not part of the normal
/// run: `cargo test --release --test pdfx -- --ignored`.
#[test]
#[ignore]
fn the_profile_rebuilds_from_its_script() {
    let o = tool("bash", &[root().join("profiles/make-profile.sh").to_str().unwrap(), "--check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ok: jiediqi-fogra39.icc is what these commands make"));
}

/// `preview:` is the ink's own colour, never drawn; an ink whose CMYK values
/// print far from it has a mistyped alternate, and `check` (templates) and
/// orders (ink swaps) say so, naming the file, item and ink.
#[test]
fn a_preview_far_from_the_cmyk_values_is_an_error() {
    let p = project_copy("pdfx-preview");
    let bag = p.join("layouts/bag-nonwoven.yaml");
    let t = std::fs::read_to_string(&bag).unwrap();
    // C and M swapped: a blue-green instead of PANTONE 186 C's red.
    let from = "cmyk: [0, 100, 81, 4], preview: \"#c8102e\"";
    assert!(t.contains(from), "bag template changed: update this test");
    std::fs::write(&bag, t.replace(from, "cmyk: [100, 0, 81, 4], preview: \"#c8102e\"")).unwrap();
    let o = jiediqi_in(&p, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "bag-nonwoven.yaml: item `bag-nonwoven`: ink `red` (PANTONE 186 C): its CMYK 100/0/81/4 prints as #"
        ),
        "{e}"
    );
    assert!(
        e.contains("from its preview #c8102e (at most 12 allowed)")
            && e.contains("hint: proofs and CMYK printers use `cmyk`"),
        "{e}"
    );
    // The shipped value passes.
    std::fs::write(&bag, t).unwrap();
    assert!(jiediqi_in(&p, &["check"]).status.success());

    // An order's ink swap: a bad hex and a far colour are both refused.
    let order = p.join("orders/chengguan-winter.yaml");
    let text = std::fs::read_to_string(&order).unwrap();
    let swap = "red: { spot: PANTONE 2728 C, cmyk: [96, 69, 0, 0], preview: \"#0047bb\" }";
    assert!(text.contains(swap), "example order changed: update this test");
    for (to, says) in [
        (
            "red: { spot: PANTONE 2728 C, cmyk: [96, 69, 0, 0], preview: \"blue\" }",
            "ink `red`: preview `blue` is not #rrggbb",
        ),
        ("red: { spot: PANTONE 2728 C, cmyk: [0, 69, 96, 0], preview: \"#0047bb\" }", "its CMYK 0/69/96/0 prints as #"),
    ] {
        std::fs::write(&order, text.replace(swap, to)).unwrap();
        let o = jiediqi_in(&p, &["check"]);
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(e.contains("chengguan-winter.yaml") && e.contains(says), "{e}");
    }
}
