//! The document engine: A4 pages in Chinese for people (proof sheets for
//! reviewers, the job sheet and contact sheet for the print shop), filled
//! from top to bottom with text, rules, tables and picture grids, as scenes
//! that the PDF exporter writes like any other.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::fonts::Font;
use crate::layout;
use crate::mm;
use crate::scene::{Element, Image, Ink, InkKind, Paint, Path, Rgb, Scene};
use crate::validate::Library;

/// The document inks, by index (see [`inks`]).
pub const BLACK: usize = 0;
pub const RED: usize = 1;
pub const GREY: usize = 2;
pub const LIGHT: usize = 3;

/// A4 portrait, mm.
pub const A4: (f64, f64) = (210.0, 297.0);
/// A4 landscape, mm.
pub const A4_LANDSCAPE: (f64, f64) = (297.0, 210.0);
/// Page margin on every side, mm.
pub const MARGIN: f64 = 15.0;

/// Documents print in process black and red, with greys.
pub fn inks() -> Vec<Ink> {
    let ink = |id: &str, cmyk: [f64; 4]| Ink { id: id.into(), kind: InkKind::Process { cmyk }, preview: None };
    vec![
        ink("black", [0.0, 0.0, 0.0, 1.0]),
        ink("red", [0.0, 0.9, 0.85, 0.0]),
        ink("grey", [0.0, 0.0, 0.0, 0.55]),
        ink("light", [0.0, 0.0, 0.0, 0.08]),
    ]
}

/// The three font chains documents are set in.
pub struct Fonts {
    pub heavy: Vec<Arc<Font>>,
    pub sans: Vec<Arc<Font>>,
    pub kai: Vec<Arc<Font>>,
}

impl Fonts {
    pub fn load(lib: &Library) -> Result<Fonts, Diagnostic> {
        Ok(Fonts { heavy: lib.fonts.chain("heavy")?, sans: lib.fonts.chain("sans")?, kai: lib.fonts.chain("kai")? })
    }
}

/// A picture for a grid: RGB pixels, top row first.
#[derive(Clone)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Arc<Vec<u8>>,
}

/// A table column: its heading and width, mm.
pub type Column<'a> = (&'a str, f64);

/// Where a streamed sheet hands each page when it is full (see [`Sheet::streamed`]).
pub type Sink<'a> = Box<dyn FnMut(Scene) -> Result<(), Diagnostic> + 'a>;

/// A document being filled from top to bottom, page after page.
pub struct Sheet<'a> {
    /// Its pages; a streamed sheet holds only the one being filled.
    pub pages: Vec<Scene>,
    /// Where the next block goes on the last page, pt from its top.
    pub y: f64,
    pub title: String,
    /// Mark every page 样稿·未审定.
    pub proof: bool,
    /// Page size, mm.
    pub w: f64,
    pub h: f64,
    sink: Option<Sink<'a>>,
}

impl<'a> Sheet<'a> {
    pub fn new(title: String, proof: bool, (w, h): (f64, f64)) -> Sheet<'a> {
        Sheet { pages: Vec::new(), y: 0.0, title, proof, w, h, sink: None }
    }

    /// A sheet that hands each page to `sink` as soon as the next one is
    /// begun (the last at [`Sheet::finish`]): memory for one page, however
    /// long the document (a county's job sheet has a row per design).
    pub fn streamed(title: String, proof: bool, size: (f64, f64), sink: Sink<'a>) -> Sheet<'a> {
        Sheet { sink: Some(sink), ..Sheet::new(title, proof, size) }
    }

    /// The pages (none for a streamed sheet: its last one goes to its sink).
    pub fn finish(mut self) -> Result<Vec<Scene>, Diagnostic> {
        if let Some(sink) = &mut self.sink {
            for page in self.pages.drain(..) {
                sink(page)?;
            }
        }
        Ok(self.pages)
    }

    pub fn page(&mut self) -> &mut Scene {
        self.pages.last_mut().expect("a page is started first")
    }

    pub fn new_page(&mut self, fonts: &Fonts, header: &str) -> Result<(), Diagnostic> {
        if let Some(sink) = &mut self.sink
            && let Some(full) = self.pages.pop()
        {
            sink(full)?;
        }
        self.pages.push(Scene {
            underbase: None,
            width: mm(self.w),
            height: mm(self.h),
            bleed: 0.0,
            inks: inks(),
            substrate: Rgb(255, 255, 255),
            background: None,
            elements: Vec::new(),
            die_line: None,
            crop_marks_allowed: false,
            folds: Vec::new(),
            title: self.title.clone(),
            slogan_lines: 0,
            split_words: Vec::new(),
            notes: Vec::new(),
        });
        self.y = mm(MARGIN);
        self.text(&fonts.heavy, header, 15.0, BLACK, 0.0)?;
        if self.proof {
            // Every page of unapproved wording says so.
            let (runs, _) =
                para(&fonts.heavy, layout::PROOF_MARK, 14.0, (mm(self.w - MARGIN - 45.0), mm(MARGIN)), mm(45.0), RED)?;
            self.page().elements.extend(runs);
        }
        self.rule();
        Ok(())
    }

    /// A paragraph across the page, `indent_mm` in from the margin.
    pub fn text(
        &mut self,
        f: &[Arc<Font>],
        text: &str,
        size: f64,
        ink: usize,
        indent_mm: f64,
    ) -> Result<(), Diagnostic> {
        let (runs, height) =
            para(f, text, size, (mm(MARGIN + indent_mm), self.y), mm(self.w - 2.0 * MARGIN - indent_mm), ink)?;
        self.page().elements.extend(runs);
        self.y += height + size * 0.45;
        Ok(())
    }

    /// A grey rule across the page.
    pub fn rule(&mut self) {
        let y = self.y;
        let right = mm(self.w - MARGIN);
        self.page().elements.push(Element::Stroke {
            path: Path::line(mm(MARGIN), y, right, y),
            width: 0.5,
            paint: Paint { ink: GREY, tint: 1.0, overprint: false },
        });
        self.y += mm(3.0);
    }

    /// Room left on the page, pt (the foot keeps 14 mm for a signature line).
    pub fn room(&self) -> f64 {
        mm(self.h - MARGIN - 14.0) - self.y
    }

    /// Start a continuation page unless `need` pt are left on this one.
    pub fn keep(&mut self, fonts: &Fonts, header: &str, need: f64) -> Result<(), Diagnostic> {
        if self.room() < need {
            self.new_page(fonts, &format!("{header}（续）"))?;
        }
        Ok(())
    }

    /// A grid of pictures with captions, new pages as needed.
    pub fn grid(
        &mut self,
        fonts: &Fonts,
        header: &str,
        cells: &[(&Picture, String)],
        cols: usize,
        cell_h: f64,
    ) -> Result<(), Diagnostic> {
        let cell_w = (self.w - 2.0 * MARGIN) / cols as f64;
        let caption = 8.0;
        for row in cells.chunks(cols) {
            self.keep(fonts, header, mm(cell_h + caption))?;
            for (i, (p, label)) in row.iter().enumerate() {
                let (bw, bh) = (mm(cell_w - 4.0), mm(cell_h - 2.0));
                let scale = (bw / f64::from(p.width)).min(bh / f64::from(p.height));
                let (w, h) = (f64::from(p.width) * scale, f64::from(p.height) * scale);
                let x = mm(MARGIN + i as f64 * cell_w) + (mm(cell_w) - w) / 2.0;
                let y = self.y + (bh - h);
                self.page().elements.push(Element::Fill {
                    path: Path::rect(x - 1.0, y - 1.0, w + 2.0, h + 2.0),
                    paint: Paint { ink: LIGHT, tint: 1.0, overprint: false },
                });
                self.page().elements.push(Element::Image(Image {
                    rect: [x, y, w, h],
                    width: p.width,
                    height: p.height,
                    rgb: p.rgb.clone(),
                }));
                // One paragraph per caption line (ids do not break inside).
                let mut ly = self.y + bh + mm(1.5);
                for line in label.lines() {
                    let origin = (mm(MARGIN + i as f64 * cell_w + 2.0), ly);
                    let (runs, lh) = para(&fonts.sans, line, 6.5, origin, mm(cell_w - 4.0), GREY)?;
                    self.page().elements.extend(runs);
                    ly += lh + 1.5;
                }
            }
            self.y += mm(cell_h + caption);
        }
        Ok(())
    }

    /// A table's heading row (bold): the columns' names.
    pub fn table_head(&mut self, fonts: &Fonts, cols: &[Column], header: &str) -> Result<(), Diagnostic> {
        let cells: Vec<(String, f64)> = cols.iter().map(|(h, w)| (h.to_string(), *w)).collect();
        self.row(fonts, &cells, true, header)
    }

    /// One table row at 8 pt: cells (text, width mm) side by side, each
    /// wrapped in its width, the row as tall as its tallest cell and ruled
    /// below; a new page first when fewer than three lines are left.
    pub fn row(&mut self, fonts: &Fonts, cells: &[(String, f64)], bold: bool, header: &str) -> Result<(), Diagnostic> {
        let cells: Vec<(String, f64, usize)> = cells.iter().map(|(t, w)| (t.clone(), *w, BLACK)).collect();
        self.row_inked(fonts, &cells, bold, header)
    }

    /// As [`Sheet::row`], each cell in its own ink (a warning in red).
    pub fn row_inked(
        &mut self,
        fonts: &Fonts,
        cells: &[(String, f64, usize)],
        bold: bool,
        header: &str,
    ) -> Result<(), Diagnostic> {
        let size = 8.0;
        let font = if bold { &fonts.heavy } else { &fonts.sans };
        self.keep(fonts, header, size * 3.0)?;
        let mut x = MARGIN;
        let mut height: f64 = 0.0;
        let mut elements = Vec::new();
        for (text, w, ink) in cells {
            let (runs, h) = para(font, text, size, (mm(x), self.y), mm(w - 2.0), *ink)?;
            elements.extend(runs);
            height = height.max(h);
            x += w;
        }
        let y = self.y + height + size * 0.35;
        let right = mm(x);
        let page = self.page();
        page.elements.extend(elements);
        page.elements.push(Element::Stroke {
            path: Path::line(mm(MARGIN), y, right, y),
            width: 0.3,
            paint: Paint { ink: GREY, tint: 1.0, overprint: false },
        });
        self.y = y + size * 0.5;
        Ok(())
    }
}

impl Sheet<'_> {
    /// A framed block kept on one page: a bold title, then lines with room
    /// to write on them by hand (a sign-off box).
    pub fn boxed(&mut self, fonts: &Fonts, header: &str, title: &str, lines: &[String]) -> Result<(), Diagnostic> {
        let (size, gap) = (9.5, mm(9.0));
        self.keep(fonts, header, mm(10.0) + gap * lines.len() as f64 + mm(6.0))?;
        let top = self.y;
        self.y += mm(3.0);
        let (runs, h) =
            para(&fonts.heavy, title, 11.0, (mm(MARGIN + 4.0), self.y), mm(self.w - 2.0 * MARGIN - 8.0), BLACK)?;
        self.page().elements.extend(runs);
        self.y += h + gap * 0.6;
        for line in lines {
            let (runs, h) =
                para(&fonts.sans, line, size, (mm(MARGIN + 4.0), self.y), mm(self.w - 2.0 * MARGIN - 8.0), BLACK)?;
            self.page().elements.extend(runs);
            self.y += h.max(gap);
        }
        let bottom = self.y;
        let width = mm(self.w - 2.0 * MARGIN);
        self.page().elements.push(Element::Stroke {
            path: Path::rect(mm(MARGIN), top, width, bottom - top),
            width: 0.8,
            paint: Paint { ink: BLACK, tint: 1.0, overprint: false },
        });
        self.y = bottom + mm(4.0);
        Ok(())
    }
}

/// Set free text on a document page. Names and notes come from people: a
/// character no font has is shown as 〓 (the customary placeholder) rather
/// than failing the whole document, and line breaks start new lines. Print
/// files never do this: there a missing character is an error.
pub fn para(
    f: &[Arc<Font>],
    text: &str,
    size: f64,
    origin: (f64, f64),
    width: f64,
    ink: usize,
) -> Result<(Vec<Element>, f64), Diagnostic> {
    let paint = Paint { ink, tint: 1.0, overprint: false };
    let mut elements = Vec::new();
    let mut height = 0.0;
    for (n, line) in text.split('\n').enumerate() {
        let shown: String =
            line.chars().map(|c| if f.iter().any(|font| font.has_char(c)) { c } else { '〓' }).collect();
        let y = origin.1 + height + if n > 0 { size * 0.4 } else { 0.0 };
        let (runs, h) = layout::set_paragraph(&shown, f, size, (origin.0, y), width, 1.4, paint)
            .map_err(|e| Diagnostic::data(format!("cannot set document text `{line}`: {e:?}")))?;
        elements.extend(runs.into_iter().map(Element::Text));
        height = y - origin.1 + h;
    }
    Ok((elements, height))
}

/// The pages as a PDF document (not PDF/X: documents carry pictures in RGB).
pub fn pdf(pages: &[Scene], epoch: Option<i64>) -> Result<Vec<u8>, Diagnostic> {
    let opts = crate::export::pdf::PdfOptions { epoch, ..Default::default() };
    crate::export::pdf::export_pages(pages, &opts).map_err(|e| Diagnostic::data(e.to_string()))
}

/// A document as [`pdf`] writes it, made page by page and never held whole:
/// `make` fills a [`Sheet::streamed`] with the sink it is given. It runs
/// twice (the PDF writer first gathers the glyphs of all pages), so it must
/// make the same pages both times; the bytes equal [`pdf`] of those pages.
pub fn pdf_streamed(
    make: &dyn Fn(Sink<'_>) -> Result<(), Diagnostic>,
    epoch: Option<i64>,
) -> Result<Vec<u8>, Diagnostic> {
    use crate::export::pdf::{self as pdfx, PdfError};
    struct Made<'m> {
        make: &'m dyn Fn(Sink<'_>) -> Result<(), Diagnostic>,
        /// Why `make` failed (the writer's own errors are passed through).
        failed: std::cell::RefCell<Option<Diagnostic>>,
    }
    impl pdfx::Pages for Made<'_> {
        fn each(&self, f: &mut dyn FnMut(&Scene) -> Result<(), PdfError>) -> Result<(), PdfError> {
            let mut written: Option<PdfError> = None;
            let made = (self.make)(Box::new(|page: Scene| {
                f(&page).map_err(|e| {
                    let d = Diagnostic::data(e.to_string());
                    written = Some(e);
                    d
                })
            }));
            match (made, written) {
                (Ok(()), _) => Ok(()),
                (Err(_), Some(e)) => Err(e),
                (Err(d), None) => {
                    let message = d.message.clone();
                    *self.failed.borrow_mut() = Some(d);
                    Err(PdfError::Pages(message))
                }
            }
        }
    }
    let made = Made { make, failed: std::cell::RefCell::new(None) };
    let opts = pdfx::PdfOptions { epoch, ..Default::default() };
    pdfx::export_streamed(&made, &opts)
        .map_err(|e| made.failed.take().unwrap_or_else(|| Diagnostic::data(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet of `rows` table rows, new pages as they fill.
    fn rows(sh: &mut Sheet, fonts: &Fonts, rows: usize) -> Result<(), Diagnostic> {
        sh.new_page(fonts, "测试")?;
        for i in 0..rows {
            sh.row(
                fonts,
                &[(format!("第{i}行 bag-nonwoven--fanzha-96110--zhan{i:03}"), 120.0), ("无纺布袋".into(), 60.0)],
                false,
                "测试",
            )?;
        }
        Ok(())
    }

    #[test]
    fn a_streamed_sheet_holds_one_page_and_writes_the_same_bytes() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let lib = Library::load(&root).unwrap();
        let fonts = Fonts::load(&lib).unwrap();
        let mut whole = Sheet::new("测试".into(), false, A4);
        rows(&mut whole, &fonts, 150).unwrap();
        let pages = whole.finish().unwrap();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let held = std::cell::Cell::new(0usize);
        let made = pdf_streamed(
            &|sink| {
                let mut sh = Sheet::streamed("测试".into(), false, A4, sink);
                let n = 150;
                rows(&mut sh, &fonts, n)?;
                held.set(held.get().max(sh.pages.len()));
                assert!(sh.finish()?.is_empty());
                Ok(())
            },
            Some(0),
        )
        .unwrap();
        assert_eq!(held.get(), 1, "a streamed sheet holds the page being filled only");
        assert!(made == pdf(&pages, Some(0)).unwrap(), "streamed and whole documents differ");
    }

    #[test]
    fn a_failing_page_maker_reports_its_own_problem() {
        let e = pdf_streamed(&|_sink| Err(Diagnostic::data("no such row").hint("check the row")), None).unwrap_err();
        assert_eq!(e.message, "no such row");
    }
}
