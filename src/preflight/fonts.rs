//! The fonts of a PDF: whether each is embedded, and the real heights and
//! stems of the glyphs it shows, read from the embedded font program
//! (TrueType, OpenType or bare CFF, all through ttf-parser).

use std::collections::{BTreeMap, HashMap};

use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use ttf_parser::{GlyphId, OutlineBuilder};

use super::read::{Inflater, name_text};
use crate::fonts::stem::{Stems, outline_stems};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// TrueType or OpenType (FontFile2, FontFile3/OpenType).
    Sfnt,
    /// A bare CFF of a simple font (FontFile3/Type1C).
    CffSimple,
    /// A bare CID-keyed CFF (FontFile3/CIDFontType0C).
    CffCid,
    /// Type 1 (FontFile): not read.
    Type1,
}

#[derive(Debug, Clone, Default)]
pub(super) struct FontFacts {
    /// BaseFont, as the PDF names it.
    pub name: String,
    /// Subtype, with the descendant's for Type0 (`Type0/CIDFontType2`).
    pub subtype: String,
    /// Its program is in the file (or it is a Type 3 font, drawn by the file).
    pub embedded: bool,
    /// Bytes per character code: 1 for simple fonts, 2 for Identity CMaps,
    /// 0 when the codes cannot be split (another CMap).
    pub code_bytes: u8,
    composite: bool,
    program: Option<(Kind, Vec<u8>)>,
    /// CID → glyph (None: identity).
    cid_to_gid: Option<Vec<u16>>,
    /// Code → glyph name from the encoding's Differences.
    differences: BTreeMap<u32, String>,
}

/// A glyph as printed: its ink height and stem widths, in text-space units
/// (1 = the font size).
#[derive(Debug, Clone)]
pub(super) struct GlyphMeasure {
    pub height: f64,
    pub stems: Stems,
}

/// Read a font dictionary.
pub(super) fn read_font(d: &Dict<'_>, inf: &mut Inflater) -> FontFacts {
    let name = d.get::<Name<'_>>(b"BaseFont").map(|n| name_text(&n)).unwrap_or_else(|| "(unnamed)".into());
    let subtype = d.get::<Name<'_>>(b"Subtype").map(|n| name_text(&n)).unwrap_or_default();
    let mut f = FontFacts { name, subtype: subtype.clone(), ..Default::default() };
    match subtype.as_str() {
        "Type3" => {
            f.embedded = true;
            f.code_bytes = 1;
        }
        "Type0" => {
            f.composite = true;
            f.code_bytes = match d.get::<Name<'_>>(b"Encoding").as_deref() {
                Some(b"Identity-H" | b"Identity-V") => 2,
                _ => 0,
            };
            let desc = d.get::<Array<'_>>(b"DescendantFonts").and_then(|a| a.iter::<Dict<'_>>().next());
            if let Some(desc) = desc {
                let sub = desc.get::<Name<'_>>(b"Subtype").map(|n| name_text(&n)).unwrap_or_default();
                f.subtype = format!("Type0/{sub}");
                if let Some(s) = desc.get::<Stream<'_>>(b"CIDToGIDMap")
                    && let Some(map) = inf.decode(&s, "CIDToGIDMap")
                {
                    f.cid_to_gid = Some(map.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect());
                }
                program(&desc, inf, &mut f);
            }
        }
        _ => {
            f.code_bytes = 1;
            if let Some(enc) = d.get::<Dict<'_>>(b"Encoding")
                && let Some(diffs) = enc.get::<Array<'_>>(b"Differences")
            {
                let mut code = 0u32;
                for o in diffs.iter::<Object<'_>>().take(1024) {
                    match o {
                        Object::Number(n) => code = n.as_f64().clamp(0.0, 255.0) as u32,
                        Object::Name(n) => {
                            f.differences.insert(code, name_text(&n));
                            code = (code + 1).min(255);
                        }
                        _ => {}
                    }
                }
            }
            program(d, inf, &mut f);
        }
    }
    f
}

/// The font program of a (descendant) font's descriptor.
fn program(d: &Dict<'_>, inf: &mut Inflater, f: &mut FontFacts) {
    let Some(fd) = d.get::<Dict<'_>>(b"FontDescriptor") else { return };
    let found = [(&b"FontFile2"[..], Kind::Sfnt), (b"FontFile3", Kind::CffSimple), (b"FontFile", Kind::Type1)]
        .into_iter()
        .find_map(|(key, kind)| fd.get::<Stream<'_>>(key).map(|s| (s, kind)));
    let Some((s, mut kind)) = found else {
        // A key that does not resolve to a stream still says the producer meant to embed.
        f.embedded = [&b"FontFile"[..], b"FontFile2", b"FontFile3"].iter().any(|k| fd.contains_key(k));
        return;
    };
    f.embedded = true;
    if kind == Kind::CffSimple {
        kind = match s.dict().get::<Name<'_>>(b"Subtype").as_deref() {
            Some(b"OpenType") => Kind::Sfnt,
            Some(b"CIDFontType0C") => Kind::CffCid,
            _ => Kind::CffSimple,
        };
    }
    if kind == Kind::Type1 {
        f.program = Some((kind, Vec::new()));
        return;
    }
    if let Some(data) = inf.decode(&s, &format!("字体 {} 的字体程序", f.name)) {
        f.program = Some((kind, data));
    }
}

/// A parsed font program.
enum Parsed<'a> {
    // Boxed: a parsed face is 2.7 KB, a CFF table 330 bytes; one per font of a file.
    Sfnt(Box<ttf_parser::Face<'a>>),
    Cff(Box<ttf_parser::cff::Table<'a>>, Option<HashMap<u32, u16>>),
}

/// The glyphs of one font, ready to measure.
pub(super) struct Glyphs<'a> {
    facts: &'a FontFacts,
    parsed: Parsed<'a>,
    /// Text-space units per font unit.
    unit: f64,
}

impl FontFacts {
    /// Whether the program can be read for glyph measurements.
    pub(super) fn glyphs(&self) -> Option<Glyphs<'_>> {
        let (kind, data) = self.program.as_ref()?;
        let (parsed, unit) = match kind {
            Kind::Sfnt => {
                let face = ttf_parser::Face::parse(data, 0).ok()?;
                let upem = f64::from(face.units_per_em());
                (Parsed::Sfnt(Box::new(face)), 1.0 / upem)
            }
            Kind::CffSimple | Kind::CffCid => {
                let table = ttf_parser::cff::Table::parse(data)?;
                let sy = f64::from(table.matrix().sy);
                let unit = if sy.is_finite() && sy > 0.0 && sy < 1.0 { sy } else { 0.001 };
                // CID-keyed: a CID finds its glyph through the charset.
                let map = (*kind == Kind::CffCid).then(|| {
                    (0..table.number_of_glyphs())
                        .filter_map(|g| table.glyph_cid(GlyphId(g)).map(|cid| (u32::from(cid), g)))
                        .collect::<HashMap<u32, u16>>()
                });
                (Parsed::Cff(Box::new(table), map), unit)
            }
            Kind::Type1 => return None,
        };
        Some(Glyphs { facts: self, parsed, unit })
    }
}

impl Glyphs<'_> {
    /// The glyph a character code shows.
    fn glyph(&self, code: u32) -> Option<GlyphId> {
        let f = self.facts;
        if f.composite {
            // The code is the CID (Identity CMap).
            return match &self.parsed {
                Parsed::Cff(_, Some(map)) => map.get(&code).map(|&g| GlyphId(g)),
                _ => match &f.cid_to_gid {
                    Some(map) => map.get(code as usize).map(|&g| GlyphId(g)),
                    None => u16::try_from(code).ok().map(GlyphId),
                },
            };
        }
        let name = f.differences.get(&code);
        match &self.parsed {
            Parsed::Sfnt(face) => {
                if let Some(g) = name.and_then(|n| face.glyph_index_by_name(n)) {
                    return Some(g);
                }
                let cmap = face.tables().cmap?;
                let sub = |p: ttf_parser::PlatformId, e: u16| {
                    cmap.subtables.into_iter().find(|s| s.platform_id == p && s.encoding_id == e)
                };
                use ttf_parser::PlatformId::{Macintosh, Windows};
                if let Some(s) = sub(Windows, 0) {
                    return s.glyph_index(0xF000 | code).or_else(|| s.glyph_index(code));
                }
                if let Some(s) = sub(Macintosh, 0) {
                    return s.glyph_index(code);
                }
                // A Unicode cmap: the code as its Latin-1 character (best effort).
                cmap.subtables.into_iter().filter(|s| s.is_unicode()).find_map(|s| s.glyph_index(code))
            }
            Parsed::Cff(table, _) => match name {
                Some(n) => table.glyph_index_by_name(n),
                None => table.glyph_index(u8::try_from(code).ok()?),
            },
        }
    }

    /// Height and stems of the glyph a code shows (None: no such glyph, or no ink).
    pub(super) fn measure(&self, code: u32) -> Option<GlyphMeasure> {
        let g = self.glyph(code)?;
        let bbox = match &self.parsed {
            Parsed::Sfnt(face) => crate::fonts::glyph_bbox(face, g)?,
            Parsed::Cff(table, _) => table.outline(g, &mut Null).ok()?,
        };
        let b = [f32::from(bbox.x_min), f32::from(bbox.y_min), f32::from(bbox.x_max), f32::from(bbox.y_max)];
        if b[3] <= b[1] {
            return None;
        }
        let mut stems = outline_stems(b, &|builder| match &self.parsed {
            Parsed::Sfnt(face) => {
                face.outline_glyph(g, builder);
            }
            Parsed::Cff(table, _) => {
                let _ = table.outline(g, builder);
            }
        });
        let u = self.unit as f32;
        stems.widths.iter_mut().for_each(|w| *w *= u);
        stems.weight *= u;
        Some(GlyphMeasure { height: f64::from(b[3] - b[1]) * self.unit, stems })
    }
}

struct Null;

impl OutlineBuilder for Null {
    fn move_to(&mut self, _: f32, _: f32) {}
    fn line_to(&mut self, _: f32, _: f32) {}
    fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
    fn close(&mut self) {}
}
