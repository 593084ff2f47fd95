//! Layout: line breaks, the largest size that fits, glyph placement; and the
//! scene of one slogan on one item.

use std::sync::Arc;

use crate::diag::{Diagnostic, Location};
use crate::fonts::{Font, stem};
use crate::library::{Align, Direction, PunctuationStyle, Role, Shape};
use crate::linebreak::{self, PunctClass};
use crate::mm;
use crate::scene::{DieLine, Element, Glyph, InkKind, Paint, Path, Scene, Seg, TextRun};
use crate::segment::Segmenter;
use crate::validate::{Die, Item, Library, Slogan, Station, Zone};

/// What to set in a text zone, and where.
#[derive(Debug, Clone)]
pub struct TextRequest<'a> {
    /// The author's lines; each may be broken further.
    pub lines: &'a [String],
    /// The zone's font role as a fallback chain, first choice first.
    pub fonts: &'a [Arc<Font>],
    pub direction: Direction,
    /// x, y, width, height in pt.
    pub rect: [f64; 4],
    /// Smallest and largest font size (em), pt.
    pub min_size: f64,
    pub max_size: f64,
    /// Thinnest stem the process prints, pt (0: none): the size is chosen
    /// so that the text's thin stems ([`crate::fonts::stem::thin_em`]) are at least this.
    pub min_stroke: f64,
    pub line_spacing: f64,
    pub align: Align,
    pub valign: Align,
    /// The lines start-aligned as a block that `align` places (a list),
    /// rather than each line aligned on its own.
    pub block: bool,
    pub drop_trailing: bool,
    pub paint: Paint,
    /// Word boundaries, so lines break between words; `None`: anywhere
    /// Chinese rules allow (the proof mark).
    pub words: Option<&'a Segmenter>,
}

/// A text zone, set.
#[derive(Debug, Clone)]
pub struct SetText {
    /// Font size (em), pt.
    pub size: f64,
    /// The lines (or columns) as set, trailing marks dropped where asked.
    pub lines: Vec<String>,
    pub runs: Vec<TextRun>,
    /// A list's bullets, one a line, in the text's paint.
    pub bullets: Vec<Path>,
    /// Words broken across lines because no break between words fitted.
    pub split_words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Characters that no font of the chain has.
    Missing(Vec<char>),
    /// The largest size at which the text fits (pt) is below the minimum.
    TooLong { best_size: f64 },
    /// Nothing to set: a line is empty once spaces (and dropped marks) go.
    Empty,
    /// The text fits only at sizes where its thin stems are below the
    /// process minimum: `needed` is the size (pt) where they reach it,
    /// `best_size` the largest that fits, `thin_em` the stems per em.
    TooThin { best_size: f64, needed: f64, thin_em: f64 },
}

/// Sizes are chosen this much above the stroke floor, so that a PDF's
/// numbers (written as f32) never measure a hair under it.
const STROKE_MARGIN: f64 = 1.001;

/// How a glyph is turned.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Turn {
    /// Upright, stretched along the line by a factor (1 but for vertical dashes).
    Upright(f64),
    /// Rotated 90° clockwise (Latin words in vertical text).
    Rotated,
}

const UPRIGHT: Turn = Turn::Upright(1.0);

#[derive(Debug, Clone)]
struct UGlyph {
    font: usize,
    id: u16,
    /// Offset from the unit's pen position along the line, em.
    du: f64,
    /// Offset across the line, em: up from the baseline (horizontal), right
    /// from the column centre (vertical).
    dv: f64,
    turn: Turn,
    text: String,
}

/// The smallest piece of a line: a character, or a run kept whole.
#[derive(Debug, Clone)]
struct Unit {
    start: usize,
    end: usize,
    adv: f64,
    glyphs: Vec<UGlyph>,
    class: PunctClass,
    /// A full-width mark whose ink lies in the half of its em that
    /// [`set_advance`] keeps: the first half for closing marks, the second
    /// for opening ones. Vertical ：；！？ are centred and never halved.
    halvable: bool,
    droppable: bool,
    space: bool,
}

struct Shaped {
    glyph: u16,
    cluster: usize,
    x_adv: f64,
    y_adv: f64,
    x_off: f64,
    y_off: f64,
}

fn shape(font: &Font, text: &str, vertical: bool) -> Vec<Shaped> {
    let face = font.shaper();
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    buf.guess_segment_properties();
    buf.set_direction(if vertical { rustybuzz::Direction::TopToBottom } else { rustybuzz::Direction::LeftToRight });
    let out = font.shape(&face, buf);
    out.glyph_infos()
        .iter()
        .zip(out.glyph_positions())
        .map(|(i, p)| Shaped {
            glyph: i.glyph_id as u16,
            cluster: i.cluster as usize,
            x_adv: f64::from(p.x_advance),
            y_adv: f64::from(p.y_advance),
            x_off: f64::from(p.x_offset),
            y_off: f64::from(p.y_offset),
        })
        .collect()
}

/// The Unicode vertical presentation form of a mark, for fonts whose
/// `vert` feature leaves the mark as it is (the sans has no `vert` entry
/// for U+2014, so —— came out as two horizontal bars).
fn vertical_form(c: char) -> Option<char> {
    const FORMS: &[(char, char)] = &[
        ('，', '\u{FE10}'),
        ('、', '\u{FE11}'),
        ('。', '\u{FE12}'),
        ('：', '\u{FE13}'),
        ('；', '\u{FE14}'),
        ('！', '\u{FE15}'),
        ('？', '\u{FE16}'),
        ('〖', '\u{FE17}'),
        ('〗', '\u{FE18}'),
        ('…', '\u{FE19}'),
        ('‥', '\u{FE30}'),
        ('—', '\u{FE31}'),
        ('–', '\u{FE32}'),
        ('（', '\u{FE35}'),
        ('）', '\u{FE36}'),
        ('｛', '\u{FE37}'),
        ('｝', '\u{FE38}'),
        ('〔', '\u{FE39}'),
        ('〕', '\u{FE3A}'),
        ('【', '\u{FE3B}'),
        ('】', '\u{FE3C}'),
        ('《', '\u{FE3D}'),
        ('》', '\u{FE3E}'),
        ('〈', '\u{FE3F}'),
        ('〉', '\u{FE40}'),
        ('「', '\u{FE41}'),
        ('」', '\u{FE42}'),
        ('『', '\u{FE43}'),
        ('』', '\u{FE44}'),
        ('［', '\u{FE47}'),
        ('］', '\u{FE48}'),
    ];
    FORMS.iter().find(|&&(h, _)| h == c).map(|&(_, v)| v)
}

/// Dashes whose vertical form is a line along the column.
fn is_dash(c: char) -> bool {
    c == '—' || c == '―'
}

/// Orientation of a character in vertical text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Orient {
    Upright,
    /// Part of a number (digits, `-` and `.` between them): upright, see [`number_units`].
    Number,
    /// Latin words (App, 3C): rotated, as one unit.
    Rotated,
}

/// Ink of a glyph along the line (em, from the unit's pen), as placed.
fn ink_along(face: &ttf_parser::Face, g: &UGlyph, vertical: bool, upem: f64) -> Option<(f64, f64)> {
    let b = crate::fonts::glyph_bbox(face, ttf_parser::GlyphId(g.id))?;
    let (lo, hi) = (f64::from(b.y_min) / upem, f64::from(b.y_max) / upem);
    Some(match (vertical, g.turn) {
        (true, Turn::Upright(s)) => (g.du - hi * s, g.du - lo * s),
        (true, Turn::Rotated) => (g.du + f64::from(b.x_min) / upem, g.du + f64::from(b.x_max) / upem),
        (false, _) => (g.du + f64::from(b.x_min) / upem, g.du + f64::from(b.x_max) / upem),
    })
}

/// Break a line's characters into units, shaped.
fn build_units(chars: &[char], fonts: &[Arc<Font>], vertical: bool) -> Result<Vec<Unit>, Vec<char>> {
    // Font per character: the first of the chain that has it.
    let mut missing = Vec::new();
    // Each face parsed once per line, not once per character.
    let faces: Vec<ttf_parser::Face> = fonts.iter().map(|f| f.face()).collect();
    let font_of: Vec<usize> = chars
        .iter()
        .map(|&c| match faces.iter().position(|f| f.glyph_index(c).is_some()) {
            Some(i) => i,
            None => {
                if !missing.contains(&c) {
                    missing.push(c);
                }
                0
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    // Orientation: in vertical text, runs of ASCII letters and digits (with
    // `-` or `.` inside) are numbers when they have no letter, else words;
    // a single letter or digit stays upright like an ideograph.
    let mut orient = vec![Orient::Upright; chars.len()];
    if vertical {
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_alphanumeric() {
                let mut j = i;
                while j < chars.len()
                    && (chars[j].is_ascii_alphanumeric()
                        || (j > i
                            && "-.".contains(chars[j])
                            && chars.get(j + 1).is_some_and(|c| c.is_ascii_alphanumeric())))
                {
                    j += 1;
                }
                let number = chars[i..j].iter().all(|c| !c.is_ascii_alphabetic());
                let o = match j - i {
                    1 => Orient::Upright,
                    _ if number => Orient::Number,
                    _ => Orient::Rotated,
                };
                orient[i..j].fill(o);
                i = j;
            } else {
                i += 1;
            }
        }
    }
    let mut units = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (f, o) = (font_of[i], orient[i]);
        let mut j = i + 1;
        // Numbers and rotated words are runs of their own; upright runs share a shaping call.
        while j < chars.len() && font_of[j] == f && orient[j] == o && (o == Orient::Upright || orient[j - 1] == o) {
            if o != Orient::Upright && !(chars[j].is_ascii_alphanumeric() || "-.".contains(chars[j])) {
                break;
            }
            j += 1;
        }
        let font = &fonts[f];
        let face = &faces[f];
        let upem = font.units_per_em;
        match o {
            Orient::Upright => {
                let mut seg: String = chars[i..j].iter().collect();
                let mut shaped = shape(font, &seg, vertical);
                if vertical {
                    // Marks that `vert` left horizontal take their presentation form.
                    let mut swapped = false;
                    // The glyph shaped at each byte offset (looked up, not
                    // searched: a run may be a whole long line).
                    let mut glyph_at = vec![None; seg.len() + 1];
                    for g in &shaped {
                        glyph_at[g.cluster].get_or_insert(g.glyph);
                    }
                    let forms: String = seg
                        .char_indices()
                        .map(|(b, c)| match vertical_form(c) {
                            Some(v)
                                if face.glyph_index(v).is_some()
                                    && glyph_at[b].is_some_and(|id| face.glyph_index(c).is_some_and(|h| h.0 == id)) =>
                            {
                                swapped = true;
                                v
                            }
                            _ => c,
                        })
                        .collect();
                    if swapped {
                        seg = forms;
                        shaped = shape(font, &seg, vertical);
                    }
                }
                // Byte offset in `seg` → character index in `chars`.
                let mut byte_char = vec![0usize; seg.len() + 1];
                for (ci, (bi, _)) in seg.char_indices().enumerate() {
                    byte_char[bi] = i + ci;
                }
                let first = units.len();
                for (k, &c) in chars.iter().enumerate().take(j).skip(i) {
                    units.push(Unit {
                        start: k,
                        end: k + 1,
                        adv: 0.0,
                        glyphs: Vec::new(),
                        class: linebreak::punct_class(c),
                        halvable: false,
                        droppable: linebreak::droppable_at_end(c),
                        space: c.is_whitespace(),
                    });
                }
                for g in shaped {
                    let u = &mut units[first + byte_char[g.cluster] - i];
                    let (along, du, dv) =
                        if vertical { (-g.y_adv, -g.y_off, g.x_off) } else { (g.x_adv, g.x_off, g.y_off) };
                    let text = if u.glyphs.is_empty() { chars[u.start].to_string() } else { String::new() };
                    u.glyphs.push(UGlyph {
                        font: f,
                        id: g.glyph,
                        du: u.adv + du / upem,
                        dv: dv / upem,
                        turn: UPRIGHT,
                        text,
                    });
                    u.adv += along / upem;
                }
                let dash: Vec<bool> = units[first..].iter().map(|u| vertical && is_dash(chars[u.start])).collect();
                for (n, u) in units[first..].iter_mut().enumerate() {
                    let [g] = u.glyphs.as_mut_slice() else { continue };
                    let Some((start, end)) = ink_along(face, g, vertical, upem) else { continue };
                    if dash[n] && end > start {
                        // Where dashes meet, their lines reach across the
                        // gap (a hair beyond, so no seam shows): —— reads as
                        // one line, with the font's margins at its two ends.
                        let lo = if n > 0 && dash[n - 1] { -DASH_OVERLAP } else { start };
                        let hi = if dash.get(n + 1) == Some(&true) { u.adv + DASH_OVERLAP } else { end };
                        let s = (hi - lo) / (end - start);
                        g.du = lo + (g.du - start) * s;
                        g.turn = Turn::Upright(s);
                    }
                    const TOLERANCE: f64 = 0.03;
                    u.halvable = (u.adv - 1.0).abs() < 0.05
                        && match u.class {
                            PunctClass::Closing => end <= 0.5 + TOLERANCE,
                            PunctClass::Opening => start >= 0.5 - TOLERANCE,
                            PunctClass::Other => false,
                        };
                }
            }
            Orient::Number => {
                let seg: String = chars[i..j].iter().collect();
                number_units(&mut units, font, face, f, &seg, i);
            }
            Orient::Rotated => {
                let seg: String = chars[i..j].iter().collect();
                let shaped = shape(font, &seg, false);
                let width: f64 = shaped.iter().map(|g| g.x_adv).sum::<f64>() / upem;
                // Rotated glyphs sit centred on the column: the em box's middle.
                let middle = (font.em_top - font.em_bottom) / 2.0;
                let mut pen = 0.0;
                let glyphs = cluster_texts(&seg, &shaped)
                    .into_iter()
                    .zip(&shaped)
                    .map(|(text, g)| {
                        let x = pen + g.x_off / upem;
                        pen += g.x_adv / upem;
                        UGlyph { font: f, id: g.glyph, du: x, dv: -middle, turn: Turn::Rotated, text }
                    })
                    .collect();
                units.push(Unit {
                    start: i,
                    end: j,
                    adv: width,
                    glyphs,
                    class: PunctClass::Other,
                    halvable: false,
                    droppable: false,
                    space: false,
                });
            }
        }
        i = j;
    }
    Ok(units)
}

/// How far a stretched vertical dash reaches past its em at each end, em.
const DASH_OVERLAP: f64 = 0.02;

/// The text each shaped glyph stands for: the characters of its own
/// cluster, given once, so the text layer reads 110, not 110110110.
fn cluster_texts(seg: &str, shaped: &[Shaped]) -> Vec<String> {
    let mut bounds: Vec<usize> = shaped.iter().map(|g| g.cluster).collect();
    bounds.sort_unstable();
    bounds.dedup();
    // By binary search: a run may be a whole long line (linear, not quadratic).
    let mut seen = vec![false; bounds.len()];
    shaped
        .iter()
        .map(|g| {
            let Ok(i) = bounds.binary_search(&g.cluster) else { return String::new() };
            if std::mem::replace(&mut seen[i], true) {
                return String::new();
            }
            let end = bounds.get(i + 1).copied().unwrap_or(seg.len());
            seg.get(g.cluster..end).unwrap_or_default().to_string()
        })
        .collect()
}

/// A number in vertical text (a hotline, a phone number), one unit per
/// digit or separator: each digit upright and centred on the column, one
/// under another, as far apart as digits side by side. Chosen over 纵中横
/// (digits squeezed across the column in groups, 96|110): squeezing three or
/// four digits into one em leaves them half as wide and thin-stemmed, hard
/// to read from a few metres, which is the one thing the number must be;
/// stacked digits keep the font's shapes at any length, and the text layer
/// reads them like any other upright character. A `-` turns to run along
/// the column, a `.` stays upright; both are centred on it.
fn number_units(units: &mut Vec<Unit>, font: &Font, face: &ttf_parser::Face, f: usize, seg: &str, first: usize) {
    let upem = font.units_per_em;
    let shaped = shape(font, seg, false);
    let texts = cluster_texts(seg, &shaped);
    let char_at = |byte: usize| first + seg[..byte].chars().count();
    let bbox = |id: u16| crate::fonts::glyph_bbox(face, ttf_parser::GlyphId(id));
    // The digit cell: the ink height of 0, and the space between digits side by side.
    let (cell_lo, cell_hi, gap) = face
        .glyph_index('0')
        .and_then(|z| Some((crate::fonts::glyph_bbox(face, z)?, face.glyph_hor_advance(z)?)))
        .map(|(b, adv)| {
            let ink = f64::from(b.x_max) - f64::from(b.x_min);
            (f64::from(b.y_min) / upem, f64::from(b.y_max) / upem, (f64::from(adv) - ink) / upem)
        })
        .unwrap_or((0.0, 0.7, 0.1));
    for (k, (g, text)) in shaped.iter().zip(texts).enumerate() {
        let c = seg[g.cluster..].chars().next().unwrap_or(' ');
        let b = bbox(g.glyph).map(|b| [b.x_min, b.y_min, b.x_max, b.y_max].map(|v| f64::from(v) / upem));
        let [x0, y0, x1, y1] = b.unwrap_or_default();
        let (adv, glyph) = if c == '-' {
            let du = gap / 2.0 - x0;
            (x1 - x0 + gap, UGlyph { font: f, id: g.glyph, du, dv: -(y0 + y1) / 2.0, turn: Turn::Rotated, text })
        } else {
            // Digits share one cell (one baseline); a point takes its own height.
            let (lo, hi) = if c.is_ascii_digit() { (cell_lo, cell_hi) } else { (y0, y1) };
            let dv = -g.x_adv / 2.0 / upem;
            (hi - lo + gap, UGlyph { font: f, id: g.glyph, du: gap / 2.0 + hi, dv, turn: UPRIGHT, text })
        };
        units.push(Unit {
            start: char_at(g.cluster),
            end: shaped.get(k + 1).map_or(first + seg.chars().count(), |n| char_at(n.cluster)),
            adv,
            glyphs: vec![glyph],
            class: PunctClass::Other,
            halvable: false,
            droppable: false,
            space: false,
        });
    }
}

/// A line as set: (unit index, pen position, shift) and its length, em.
struct Composed {
    items: Vec<(usize, f64, f64)>,
    length: f64,
}

/// The line `a..b` without spaces at its ends (and without droppable marks
/// at its end): the first unit and one past the last.
fn trim(units: &[Unit], a: usize, b: usize, drop_trailing: bool) -> (usize, usize) {
    let mut f = a;
    while f < b && units[f].space {
        f += 1;
    }
    let mut l = b;
    while l > f && (units[l - 1].space || (drop_trailing && units[l - 1].droppable)) {
        l -= 1;
    }
    (f, l)
}

/// A unit's advance and shift (em) given its neighbours on the line: a
/// full-width closing mark takes half width at the line end or before
/// another mark; an opening mark at the line start or after another opening
/// mark takes half width, moved back.
fn set_advance(u: &Unit, prev: Option<&Unit>, next: Option<&Unit>) -> (f64, f64) {
    if u.halvable {
        match u.class {
            PunctClass::Closing if next.is_none_or(|x| x.class != PunctClass::Other) => return (u.adv - 0.5, 0.0),
            PunctClass::Opening if prev.is_none_or(|x| x.class == PunctClass::Opening) => {
                return (u.adv - 0.5, -0.5);
            }
            _ => {}
        }
    }
    (u.adv, 0.0)
}

/// Set units `a..b` as one line: strip spaces (and droppable marks) at the
/// ends, compress full-width marks at the ends and between adjacent marks.
fn compose(units: &[Unit], a: usize, b: usize, drop_trailing: bool) -> Composed {
    let (f, l) = trim(units, a, b, drop_trailing);
    let mut items = Vec::with_capacity(l.saturating_sub(f));
    let mut pen = 0.0;
    for i in f..l {
        let prev = (i > f).then(|| &units[i - 1]);
        let next = (i + 1 < l).then(|| &units[i + 1]);
        let (adv, shift) = set_advance(&units[i], prev, next);
        items.push((i, pen, shift));
        pen += adv;
    }
    Composed { items, length: pen }
}

/// Line lengths in O(1): each unit's advance with its neighbours in the
/// whole text, prefix-summed; the two ends of a line are then set again
/// with the line's own ends (where [`compose`] has no neighbour).
struct Widths<'a> {
    units: &'a [Unit],
    prefix: Vec<f64>,
    drop: bool,
}

impl<'a> Widths<'a> {
    fn new(units: &'a [Unit], drop: bool) -> Self {
        let mut prefix = Vec::with_capacity(units.len() + 1);
        prefix.push(0.0);
        for i in 0..units.len() {
            let (adv, _) = set_advance(&units[i], i.checked_sub(1).map(|p| &units[p]), units.get(i + 1));
            prefix.push(prefix[i] + adv);
        }
        Widths { units, prefix, drop }
    }

    /// The length of units `a..b` set as one line, as [`compose`] sets it.
    fn line(&self, a: usize, b: usize) -> f64 {
        let units = self.units;
        let (f, l) = trim(units, a, b, self.drop);
        if l <= f {
            return 0.0;
        }
        let last = l - 1;
        if f == last {
            return set_advance(&units[f], None, None).0;
        }
        let inner = |i: usize| self.prefix[i + 1] - self.prefix[i];
        self.prefix[l] - self.prefix[f] - inner(f) - inner(last)
            + set_advance(&units[f], None, Some(&units[f + 1])).0
            + set_advance(&units[last], Some(&units[last - 1]), None).0
    }
}

/// The best ways to break units into 1, 2, … `max_k` lines (stopping at the
/// first count that is impossible): the smallest longest line, then (within
/// 30 % of it) the most breaks after punctuation.
fn break_options(units: &[Unit], chars: &[char], allowed: &[bool], max_k: usize, drop: bool) -> Vec<(Vec<usize>, f64)> {
    let n = units.len();
    // Candidate line starts: 0 and every unit where a break is allowed.
    let cand: Vec<usize> = (0..n).filter(|&j| j == 0 || allowed[units[j].start]).collect();
    let m = cand.len();
    let max_k = max_k.min(m);
    let widths = Widths::new(units, drop);
    let width = |a: usize, b: usize| widths.line(cand[a], if b == m { n } else { cand[b] });
    let bad = |b: usize| usize::from(b < m && !linebreak::is_good_break(chars[units[cand[b]].start - 1]));
    // Pass 1: the smallest longest line for every line count.
    let mut f = vec![vec![f64::INFINITY; m + 1]; max_k + 1];
    f[0][0] = 0.0;
    // A line's width only grows as its start moves back (each unit adds at
    // least half an em, compression never takes more back), so the scans
    // below stop once a line is too wide to help: the work is the text's
    // length times the characters of one line, not the length squared.
    for l in 1..=max_k {
        for b in l..=m {
            let mut best = f64::INFINITY;
            for a in (l - 1..b).rev() {
                let w = width(a, b);
                if w >= best {
                    break;
                }
                best = best.min(f[l - 1][a].max(w));
            }
            f[l][b] = best;
        }
    }
    let mut out = Vec::new();
    for k in 1..=max_k {
        let best = f[k][m];
        if !best.is_finite() {
            break;
        }
        let bound = best * 1.3 + 1e-9;
        // Pass 2: within the bound, fewest breaks not after punctuation, then shortest.
        let mut g: Vec<Vec<Option<(usize, f64, usize)>>> = vec![vec![None; m + 1]; k + 1];
        g[0][0] = Some((0, 0.0, 0));
        for l in 1..=k {
            for b in l..=m {
                // The first start whose line fits the bound (see above); then
                // forwards, so ties resolve as they always have.
                let mut first = b;
                while first > l - 1 && width(first - 1, b) <= bound {
                    first -= 1;
                }
                for a in first..b {
                    let Some((p, w, _)) = g[l - 1][a] else { continue };
                    let wab = width(a, b);
                    // A first line under a third of the best longest line is a
                    // stub (车、电池、): it counts as a bad break.
                    let stub = usize::from(l == 1 && k > 1 && wab < best / 3.0);
                    let cand_v = (p + stub + if l < k { bad(b) } else { 0 }, w.max(wab), a);
                    let better = match g[l][b] {
                        None => true,
                        Some((p2, w2, _)) => cand_v.0 < p2 || (cand_v.0 == p2 && cand_v.1 < w2 - 1e-9),
                    };
                    if better {
                        g[l][b] = Some(cand_v);
                    }
                }
            }
        }
        let Some((_, w, _)) = g[k][m] else { break };
        let mut starts = Vec::with_capacity(k);
        let mut b = m;
        for l in (1..=k).rev() {
            let Some((_, _, a)) = g[l][b] else { break };
            starts.push(cand[a]);
            b = a;
        }
        starts.reverse();
        out.push((starts, w));
    }
    out
}

struct LineOptions<'u> {
    chars: &'u [char],
    units: &'u [Unit],
    /// For k = 1, 2, …: line starts and the longest line, em.
    options: Vec<(Vec<usize>, f64)>,
}

/// Breaks of a line not after punctuation.
fn bad_breaks(l: &LineOptions, starts: &[usize]) -> usize {
    starts.iter().skip(1).filter(|&&s| !linebreak::is_good_break(l.chars[l.units[s].start - 1])).count()
}

/// Particles that lean on the word before them: a line should not start
/// with one.
fn is_particle(c: char) -> bool {
    "的了着吗呢吧啊呀么".contains(c)
}

/// Where a line may break, strictest first: between words and not before a
/// particle; between words; wherever Chinese rules allow (inside a word).
type Tiers = (Vec<Vec<bool>>, Option<Vec<bool>>);

fn break_tiers(line: &str, chars: &[char], words: Option<&Segmenter>) -> Tiers {
    let allowed = linebreak::opportunities(line);
    let Some(words) = words else { return (vec![allowed], None) };
    let bound = words.boundaries(line);
    let between: Vec<bool> = allowed.iter().zip(&bound).map(|(&a, &b)| a && b).collect();
    // A particle standing alone as a word (的 in 我的, not in 的确).
    let lone_particle = |i: usize| i < chars.len() && is_particle(chars[i]) && bound[i + 1];
    let strict: Vec<bool> = between.iter().enumerate().map(|(i, &b)| b && !lone_particle(i)).collect();
    let mut tiers = vec![strict, between, allowed];
    tiers.dedup();
    (tiers, Some(bound))
}

/// The words a break at character `at` would split, by their boundaries.
fn split_word(chars: &[char], bound: &[bool], at: usize) -> String {
    let start = (0..at).rev().find(|&i| bound[i]).unwrap_or(0);
    let end = (at + 1..=chars.len()).find(|&i| bound[i]).unwrap_or(chars.len());
    chars[start..end].iter().collect()
}

/// Try every combination of line counts per authored line: the best score
/// (size against breaks), with its size and choice, and the largest size seen.
fn choose_lines(
    lines: &[LineOptions],
    req: &TextRequest,
    min_size: f64,
    along: f64,
    across: f64,
) -> (Option<(f64, Vec<usize>)>, f64) {
    let authored = lines.len();
    let mut best: Option<(f64, f64, Vec<usize>)> = None; // (score, size, choice)
    let mut largest = 0.0f64;
    let mut choice = vec![0usize; authored];
    loop {
        let count: usize = choice.iter().map(|c| c + 1).sum();
        let longest = choice.iter().zip(lines).map(|(&c, l)| l.options[c].1).fold(0.0, f64::max);
        let size =
            (along / longest.max(1e-6)).min(across / (1.0 + (count as f64 - 1.0) * req.line_spacing)).min(req.max_size);
        largest = largest.max(size);
        // More lines than the author wrote must earn their place by a clearly
        // larger size, and a break not after punctuation must earn more.
        // Short authored lines (≤ 10 characters, a 7+7 couplet's halves) are
        // broken there only when nothing else reaches the minimum size.
        let penalty: f64 = choice
            .iter()
            .zip(lines)
            .map(|(&c, l)| {
                let bad = bad_breaks(l, &l.options[c].0) as f64;
                let good = c as f64 - bad;
                let per_bad = if l.units.len() > 10 { 0.4 } else { 3.0 };
                // A list's item broken in two reads as two items: only when
                // the size would otherwise be half.
                let per_good = if req.block { 1.0 } else { 0.1 };
                per_good * good + per_bad * bad
            })
            .sum();
        let score = size / (1.0 + penalty);
        if size + 1e-9 >= min_size && best.as_ref().is_none_or(|b| score > b.0 + 1e-9) {
            best = Some((score, size, choice.clone()));
        }
        // Next combination.
        let mut i = 0;
        loop {
            if i == authored {
                break;
            }
            choice[i] += 1;
            if choice[i] < lines[i].options.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
        if i == authored {
            break;
        }
    }
    (best.map(|(_, size, choice)| (size, choice)), largest)
}

/// A text's lines with their break options, and the chosen size and lines.
type Fitted<'a> = (Vec<LineOptions<'a>>, (f64, Vec<usize>));

/// The best breaks at sizes of at least `min_size`: the strictest tier of
/// break rules at which the text fits, a looser tier only when a stricter
/// one cannot. `TooLong` carries the largest size at which it fits at all.
fn fit_lines<'a>(
    shaped: &'a [(&String, Vec<char>, Vec<Unit>)],
    tiers: &[Tiers],
    req: &TextRequest,
    min_size: f64,
    along: f64,
    across: f64,
    total_em: f64,
) -> Result<Fitted<'a>, FitError> {
    // However it is broken, the text covers at least (its length × size) ×
    // size of the zone: a text that cannot fit at the minimum size is
    // refused before any line breaking, so breaking only ever sees as much
    // text as a zone can hold (work linear in the text's length).
    let area_size = (along * across / total_em.max(1e-6)).sqrt();
    if area_size + 1e-9 < min_size {
        return Err(FitError::TooLong { best_size: area_size.min(req.max_size) });
    }
    let tier_count = tiers.iter().map(|t| t.0.len()).max().unwrap_or(1);
    let mut largest = 0.0f64;
    for tier in 0..tier_count {
        let mut lines = Vec::with_capacity(shaped.len());
        for ((_, chars, units), t) in shaped.iter().zip(tiers) {
            let allowed = &t.0[tier.min(t.0.len() - 1)];
            let max_k = units.len().clamp(1, 6);
            // A list drops marks only at its items' ends (never at a wrap:
            // `照片、/录音` keeps its 、), so its wraps are measured with them.
            let options = break_options(units, chars, allowed, max_k, req.drop_trailing && !req.block);
            if options.is_empty() {
                return Err(FitError::Empty);
            }
            lines.push(LineOptions { chars, units, options });
        }
        let (best, big) = choose_lines(&lines, req, min_size, along, across);
        largest = largest.max(big);
        if let Some(b) = best {
            return Ok((lines, b));
        }
    }
    Err(FitError::TooLong { best_size: largest })
}

/// How far a list's lines are indented for their bullets, em (the gap
/// between a bullet and its text about half a character).
const BULLET_INDENT: f64 = 1.0;

/// A list's lead line (`三不一多：`, see [`clauses`]): no bullet, not indented.
fn is_lead(l: &LineOptions) -> bool {
    l.chars.last().is_some_and(|c| matches!(c, '：' | ':'))
}

/// A tip cut into the items of a list, for a chunked tip zone: after each
/// ，；。！？ (ASCII `,;!?` only before a space or the end, not inside
/// `1,000`), never inside quotation or title marks, then joined back where
/// a native reader would not cut (see [`joins_next`], [`joins_previous`]).
/// More than [`LIST_MAX`] items: cut only after ；。！？. A short lead ending
/// in ： (`三不一多：`) becomes a line of its own, before the items: set
/// without a bullet (see [`set_text`]).
pub fn clauses(text: &str) -> Vec<String> {
    let text = text.trim();
    let mut items = cut(text, false);
    if items.len() > LIST_MAX {
        items = cut(text, true);
    }
    if let Some(first) = items.first_mut()
        && let Some((lead, rest)) = first.split_once('：')
        && (1..=8).contains(&lead.chars().count())
        && !rest.trim().is_empty()
    {
        let rest = rest.trim().to_string();
        *first = format!("{lead}：");
        items.insert(1, rest);
    }
    items
}

/// The most items a chunked tip is cut into at every comma.
const LIST_MAX: usize = 4;

/// `text` cut after its clause marks (only the strong ones when `strong`),
/// then joined back (see [`clauses`]).
fn cut(text: &str, strong: bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        cur.push(c);
        match c {
            '“' | '‘' | '「' | '『' | '《' | '（' | '(' => depth += 1,
            '”' | '’' | '」' | '』' | '》' | '）' | ')' => depth = (depth - 1).max(0),
            _ => {}
        }
        let ascii_end = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let mark = if strong {
            "；。！？".contains(c) || (";!?".contains(c) && ascii_end)
        } else {
            "，；。！？".contains(c) || (",;!?".contains(c) && ascii_end)
        };
        i += 1;
        if mark && depth == 0 {
            // Closing marks right after stay with the clause they close.
            while let Some(&q) = chars.get(i).filter(|q| "”’」』）)》".contains(**q)) {
                cur.push(q);
                i += 1;
            }
            pieces.push(std::mem::take(&mut cur).trim().to_string());
        }
    }
    if !cur.trim().is_empty() {
        pieces.push(cur.trim().to_string());
    }
    let mut out: Vec<String> = Vec::new();
    for p in pieces.into_iter().filter(|p| !p.is_empty()) {
        match out.last_mut() {
            Some(last) if joins_next(last) || joins_previous(&p) => last.push_str(&p),
            _ => out.push(p),
        }
    }
    // A stub first item (`好，先挂断`) joins the second.
    if out.len() > 1 && letters(&out[0]) <= 2 {
        let first = out.remove(0);
        out[0].insert_str(0, &first);
    }
    out
}

/// The characters of `s` that are not punctuation.
fn letters(s: &str) -> usize {
    s.chars().filter(|c| !linebreak::is_good_break(*c) && !"“‘「『《（(".contains(*c)).count()
}

/// A clause that cannot stand as an item: a condition or topic that the
/// next clause completes (`情节严重的，`, `没人受伤时，`, `如果…，`).
fn joins_next(clause: &str) -> bool {
    let body = clause.trim_end_matches(|c: char| linebreak::is_good_break(c));
    ["的", "的话", "时", "后"].iter().any(|e| body.ends_with(e))
        || ["如果", "要是", "一旦", "万一", "假如"].iter().any(|b| clause.starts_with(b))
}

/// A clause that finishes the one before it rather than starting an item:
/// a stub (`别信。`), bare punctuation, or one that begins with a word that
/// leans back (`就…`, `也…`, `是…`).
fn joins_previous(clause: &str) -> bool {
    letters(clause) <= 2 || ["就", "也", "才", "又", "都", "是", "可", "还"].iter().any(|b| clause.starts_with(b))
}

/// Set text in a zone at the largest size that fits.
pub fn set_text(req: &TextRequest) -> Result<SetText, FitError> {
    let vertical = req.direction == Direction::Vertical;
    let mut shaped = Vec::new();
    let mut missing = Vec::new();
    let mut total_em = 0.0;
    for line in req.lines {
        let chars: Vec<char> = line.chars().collect();
        match build_units(&chars, req.fonts, vertical) {
            Ok(units) => {
                let em = Widths::new(&units, req.drop_trailing).line(0, units.len());
                if em <= 0.0 {
                    return Err(FitError::Empty);
                }
                total_em += em;
                shaped.push((line, chars, units));
            }
            Err(m) => missing.extend(m.into_iter().filter(|c| !missing.contains(c)).collect::<Vec<_>>()),
        }
    }
    if !missing.is_empty() {
        return Err(FitError::Missing(missing));
    }
    let [x, y, w, h] = req.rect;
    let (along, across) = if vertical { (h, w) } else { (w, h) };
    // A list's bullets stand in the margin its lines are indented by: room
    // kept for them at the largest size the text may take.
    let indent = if req.block && !vertical && req.lines.len() > 1 { BULLET_INDENT } else { 0.0 };
    let along = along - indent * req.max_size.min(across);
    // Too long at the minimum size whatever the breaks: refused before the text is cut into words.
    let area_size = (along * across / total_em.max(1e-6)).sqrt();
    if area_size + 1e-9 < req.min_size {
        return Err(FitError::TooLong { best_size: area_size.min(req.max_size) });
    }
    let tiers: Vec<Tiers> = shaped.iter().map(|(line, chars, _)| break_tiers(line, chars, req.words)).collect();
    let fit = |min_size: f64| fit_lines(&shaped, &tiers, req, min_size, along, across, total_em);
    let mut fitted = fit(req.min_size)?;
    // The stroke floor, from the glyphs being set: a cheap lower bound of
    // their thin stems first; measured (once per glyph) only when the size
    // that fits is close to the floor. A choice that clears the floor is the
    // one the floor would have made too, since it was the best of more.
    if req.min_stroke > 0.0 {
        let glyphs: Vec<(&Font, u16)> = shaped
            .iter()
            .flat_map(|(_, _, units)| units.iter().flat_map(|u| u.glyphs.iter()))
            .map(|g| (&*req.fonts[g.font], g.id))
            .collect();
        let floor = |thin: f64| req.min_stroke * STROKE_MARGIN / thin;
        let size = fitted.1.0;
        let clear = stem::thin_em_lower_bound(&glyphs).is_none_or(|lower| size >= floor(lower));
        if !clear && let Some(thin) = stem::thin_em(&glyphs) {
            let needed = floor(thin);
            if size < needed {
                fitted = fit(needed.max(req.min_size)).map_err(|e| match e {
                    FitError::TooLong { best_size } => FitError::TooThin { best_size, needed, thin_em: thin },
                    e => e,
                })?;
            }
        }
    }
    let (lines, (size, choice)) = fitted;
    // Words split across lines (only when no break between words fitted).
    let mut split_words = Vec::new();
    for ((_, bound), (l, &c)) in tiers.iter().zip(lines.iter().zip(&choice)) {
        let Some(bound) = bound else { continue };
        for &s in l.options[c].0.iter().skip(1) {
            let at = l.units[s].start;
            if !bound[at] {
                split_words.push(split_word(l.chars, bound, at));
            }
        }
    }
    // Compose the chosen lines.
    let mut composed = Vec::new();
    for (l, &c) in lines.iter().zip(&choice) {
        let starts = &l.options[c].0;
        for (n, &s) in starts.iter().enumerate() {
            let e = starts.get(n + 1).copied().unwrap_or(l.units.len());
            let drop = req.drop_trailing && (!req.block || e == l.units.len());
            composed.push((l, compose(l.units, s, e, drop)));
        }
    }
    let count = composed.len() as f64;
    let block = size * (1.0 + (count - 1.0) * req.line_spacing);
    let factor = |a: Align| match a {
        Align::Start => 0.0,
        Align::Center => 0.5,
        Align::End => 1.0,
    };
    let em_top = req.fonts[0].em_top;
    let longest = composed.iter().map(|(_, c)| c.length).fold(0.0, f64::max);
    let mut runs: Vec<TextRun> = Vec::new();
    let mut bullets = Vec::new();
    let mut set_lines = Vec::new();
    for (n, (l, c)) in composed.iter().enumerate() {
        let step = n as f64 * req.line_spacing * size;
        set_lines.push(
            c.items.iter().flat_map(|&(i, _, _)| l.chars[l.units[i].start..l.units[i].end].iter()).collect::<String>(),
        );
        // Line origin: horizontal → left end of the baseline; vertical → top of the column centre line.
        let (ox, oy) = if vertical {
            // Columns run right to left, so `start` is the right edge; their
            // tops line up, the block as a whole placed by `valign`.
            let right = x + w - (w - block) * factor(req.align);
            (right - size / 2.0 - step, y + (h - longest * size) * factor(req.valign))
        } else {
            let length = if req.block { longest + indent } else { c.length };
            let top = y + (h - block) * factor(req.valign) + step;
            // A lead line (`三不一多：`) starts where the bullets do.
            let lead = if is_lead(l) { indent } else { 0.0 };
            (x + (w - length * size) * factor(req.align) + (indent - lead) * size, top + em_top * size)
        };
        // A bullet before each authored line's first line, at the middle of
        // the ideographs (their em box runs from 0.88 em above the baseline).
        if indent > 0.0 && !is_lead(l) && c.items.first().is_some_and(|&(i, _, _)| i == 0) {
            bullets.push(Path::circle(ox - indent * size * 0.62, oy - 0.38 * size, 0.15 * size));
        }
        place(&mut runs, l.units, c, req.fonts, size, (ox, oy), vertical, req.paint);
    }
    Ok(SetText { size, lines: set_lines, runs, bullets, split_words })
}

/// Place a composed line's glyphs, grouped into one run per font. The
/// origin is the left end of the baseline (horizontal) or the top of the
/// column's centre line (vertical).
#[allow(clippy::too_many_arguments)]
fn place(
    runs: &mut Vec<TextRun>,
    units: &[Unit],
    line: &Composed,
    fonts: &[Arc<Font>],
    size: f64,
    (ox, oy): (f64, f64),
    vertical: bool,
    paint: Paint,
) {
    for &(i, pen, shift) in &line.items {
        for g in &units[i].glyphs {
            let font = &fonts[g.font];
            let k = size / font.units_per_em;
            let u = (pen + shift + g.du) * size;
            let v = g.dv * size;
            let (x, y) = if vertical { (ox + v, oy + u) } else { (ox + u, oy - v) };
            let m = match g.turn {
                Turn::Upright(s) if vertical => [k, 0.0, 0.0, -k * s],
                Turn::Upright(s) => [k * s, 0.0, 0.0, -k],
                Turn::Rotated => [0.0, k, k, 0.0],
            };
            let upright = vertical && matches!(g.turn, Turn::Upright(_));
            let glyph = Glyph { id: g.id, x, y, m, text: g.text.clone(), vertical: upright };
            match runs.iter_mut().find(|r| r.font.index == font.index) {
                Some(r) => r.glyphs.push(glyph),
                None => runs.push(TextRun { font: font.clone(), paint, glyphs: vec![glyph] }),
            }
        }
    }
}

/// Set a paragraph at a fixed size for documents (proof sheets): lines
/// filled greedily to `width`, breaking only where Chinese rules allow.
/// Returns the glyph runs and the height used (pt).
#[allow(clippy::too_many_arguments)]
pub fn set_paragraph(
    text: &str,
    fonts: &[Arc<Font>],
    size: f64,
    origin: (f64, f64),
    width: f64,
    line_spacing: f64,
    paint: Paint,
) -> Result<(Vec<TextRun>, f64), FitError> {
    let chars: Vec<char> = text.chars().collect();
    let units = build_units(&chars, fonts, false).map_err(FitError::Missing)?;
    if units.is_empty() {
        return Ok((Vec::new(), 0.0));
    }
    let widths = Widths::new(&units, false);
    let limit = width / size;
    let mut starts = vec![0usize];
    // Most document cells fit on one line: then no break opportunities are
    // needed (finding them is most of the cost of a job sheet row).
    let fits = widths.line(0, units.len()) <= limit + 1e-9;
    let allowed = if fits { Vec::new() } else { linebreak::opportunities(text) };
    let mut start = 0;
    let mut last_ok: Option<usize> = None;
    let mut j = 1;
    while !fits && j <= units.len() {
        let breakable = j == units.len() || allowed[units[j].start];
        if breakable {
            if widths.line(start, j) <= limit + 1e-9 {
                last_ok = Some(j);
            } else {
                // Too long: break at the last place that fitted (or here, if none did).
                let b = last_ok.filter(|&b| b > start).unwrap_or(j);
                if b < units.len() {
                    starts.push(b);
                }
                start = b;
                last_ok = None;
                if b != j {
                    continue;
                }
            }
        }
        j += 1;
    }
    let (x, y) = origin;
    let em_top = fonts[0].em_top;
    let mut runs: Vec<TextRun> = Vec::new();
    for (n, &s0) in starts.iter().enumerate() {
        let e = starts.get(n + 1).copied().unwrap_or(units.len());
        let c = compose(&units, s0, e, false);
        let baseline = y + n as f64 * line_spacing * size + em_top * size;
        place(&mut runs, &units, &c, fonts, size, (x, baseline), false, paint);
    }
    let lines = starts.len() as f64;
    Ok((runs, size * (1.0 + (lines - 1.0) * line_spacing)))
}

/// The slogan's topic pictogram (or the zone's own) placed in a zone: a square as large as the
/// box allows, aligned in it, checked at that size against the item's
/// minimum stroke (for its strokes and its gaps).
fn pictogram(lib: &Library, item: &Item, z: &Zone, slogan: &Slogan) -> Result<Path, Diagnostic> {
    let loc = Location::at(&item.file, z.line, 1);
    let pic = match &z.pictogram {
        Some(name) => lib.pictograms.get(name),
        None => lib.pictograms.for_slogan(slogan),
    };
    let pic = pic.map_err(|d| Diagnostic {
        message: format!("item `{}` zone `{}`: {}", item.id, z.id, d.message),
        zone: Some(z.id.as_str().into()),
        ..d
    })?;
    let [x, y, w, h] = z.rect;
    let side = w.min(h);
    if let Some(m) = pic.too_thin(side, item.minimums.stroke) {
        return Err(Diagnostic::data(format!("item `{}` zone `{}`: {m}", item.id, z.id))
            .at(loc)
            .in_zone(&z.id)
            .hint("enlarge the zone's box, or redraw the pictogram with wider strokes and gaps"));
    }
    let off = |a: Align, room: f64| match a {
        Align::Start => 0.0,
        Align::Center => room / 2.0,
        Align::End => room,
    };
    Ok(pic.placed(mm(x + off(z.align, w - side)), mm(y + off(z.valign, h - side)), mm(side)))
}

/// Options that change a scene.
#[derive(Debug, Clone, Default)]
pub struct SceneOptions<'a> {
    pub station: Option<&'a Station>,
}

/// Lay out one slogan on one item: the front (all of a one-sided item).
pub fn build_scene(lib: &Library, item: &Item, slogan: &Slogan, opts: &SceneOptions) -> Result<Scene, Diagnostic> {
    build_side(lib, item, slogan, opts, 0)
}

/// Every side of an item, the front first: one scene (one PDF page) each,
/// with the same trim, bleed and inks.
pub fn build_sides(lib: &Library, item: &Item, slogan: &Slogan, opts: &SceneOptions) -> Result<Vec<Scene>, Diagnostic> {
    (0..item.side_count()).map(|side| build_side(lib, item, slogan, opts, side)).collect()
}

/// The file-name suffix of a side's single-page files (PNG, SVG): none for
/// the front, `--back` for the back.
pub fn side_suffix(side: usize) -> &'static str {
    if side == 0 { "" } else { "--back" }
}

/// Lay out one side (0 the front) of one slogan on one item.
pub fn build_side(
    lib: &Library,
    item: &Item,
    slogan: &Slogan,
    opts: &SceneOptions,
    side: usize,
) -> Result<Scene, Diagnostic> {
    let subject = format!("slogan `{}` on item `{}`", slogan.id, item.id);
    let zone_loc = |z: &Zone| Location::at(&item.file, z.line, 1);
    item.takes(slogan).map_err(|why| {
        Diagnostic::data(format!("{subject}: {why}"))
            .at(Location::at(&slogan.file, slogan.line, 1))
            .hint("choose a slogan written for this item (`jiediqi slogans`), or another item")
    })?;
    let mut elements = Vec::new();
    let mut slogan_lines = 0;
    let mut split_words = Vec::new();
    let mut notes = Vec::new();
    // Filled areas so far, for overprint decisions: (rect pt, ink).
    let mut fills: Vec<([f64; 4], usize)> = Vec::new();
    let (tw, th, bleed) = (mm(item.width), mm(item.height), mm(item.bleed));
    let background = item.background.map(|ink| {
        fills.push(([-bleed, -bleed, tw + 2.0 * bleed, th + 2.0 * bleed], ink));
        Paint { ink, tint: 1.0, overprint: false }
    });
    // Which text zones have something to say.
    let footer_text = |z: &Zone| -> Result<Option<String>, Diagnostic> {
        match (opts.station, &z.text) {
            (Some(st), Some(t)) => st.fill(t).map(Some).map_err(|e| {
                Diagnostic::data(format!("item `{}` zone `{}`: {e}", item.id, z.id))
                    .at(zone_loc(z))
                    .hint("add the field to the station file, or change the footer text")
            }),
            _ => Ok(None),
        }
    };
    // The station's name is one word here, kept whole like the project's words.
    let words = match opts.station {
        Some(st) => lib.words.with([st.name.as_str()]),
        None => lib.words.clone(),
    };
    let mut texts: Vec<Option<Vec<String>>> = Vec::new();
    for z in &item.zones {
        if z.side != side {
            texts.push(None);
            continue;
        }
        texts.push(match z.role {
            Role::Slogan => Some(match z.slogan_line {
                Some(i) => slogan.lines.get(i).cloned().into_iter().collect(),
                None if z.one_line => vec![run_on(&slogan.lines)],
                None => slogan.lines.clone(),
            }),
            Role::Tip if z.chunks => slogan.tip.as_deref().map(clauses),
            Role::Tip => slogan.tip.clone().map(|t| vec![t]),
            Role::Footer => footer_text(z)?.map(|t| vec![t]),
            Role::Heading => {
                z.text.as_ref().map(|t| vec![t.replace("{heading}", &slogan.heading).replace("{topic}", &slogan.topic)])
            }
            Role::Qr | Role::Decoration | Role::Image => None,
        });
    }
    // Where each zone's elements start (for bending them round a ring).
    let mut spans: Vec<(usize, [f64; 4], Align)> = Vec::new();
    for (zi, z) in item.zones.iter().enumerate() {
        if z.side != side {
            continue;
        }
        spans.push((elements.len(), z.rect.map(mm), z.align));
        let [x, y, w, h] = z.rect.map(mm);
        match z.role {
            Role::Image => {
                let Some(st) = opts.station else { continue };
                let Some(source) = z.source else { continue };
                let Some(img) = st.image(source) else {
                    notes.push(format!(
                        "item `{}` zone `{}` is empty: station `{}` has no `{}`",
                        item.id,
                        z.id,
                        st.name,
                        source.field()
                    ));
                    continue;
                };
                let placed = crate::images::place(item, z, img, &mut notes).map_err(|m| {
                    Diagnostic::data(format!(
                        "item `{}` zone `{}`: station `{}` field `{}` ({}): {m}",
                        item.id,
                        z.id,
                        st.name,
                        img.field,
                        img.file.display()
                    ))
                    .at(zone_loc(z))
                    .in_zone(&z.id)
                    .hint(if m.contains("ppi") || m.contains("module") {
                        "give a larger picture file (more pixels), or make the zone smaller in the template"
                    } else {
                        "fix the picture file named in the station file"
                    })
                })?;
                let placed = placed.into_iter().map(|e| match e {
                    Element::Fill { path, paint } => {
                        let paint = Paint { overprint: overprints(item, &fills, [x, y, w, h], paint.ink), ..paint };
                        Element::Fill { path, paint }
                    }
                    e => e,
                });
                elements.extend(placed);
            }
            Role::Decoration => {
                let Some(ink) = z.ink else { continue };
                let paint = Paint { ink, tint: z.tint, overprint: false };
                match z.shape {
                    Shape::Rect => {
                        let (mut x0, mut y0, mut x1, mut y1) = (x, y, x + w, y + h);
                        if z.bleed {
                            let near = |a: f64, b: f64| (a - b).abs() < 0.05;
                            if near(x0, 0.0) {
                                x0 = -bleed;
                            }
                            if near(y0, 0.0) {
                                y0 = -bleed;
                            }
                            if near(x1, tw) {
                                x1 = tw + bleed;
                            }
                            if near(y1, th) {
                                y1 = th + bleed;
                            }
                        }
                        let r = [x0, y0, x1 - x0, y1 - y0];
                        elements.push(Element::Fill {
                            path: Path::rounded_rect(r[0], r[1], r[2], r[3], mm(z.radius)),
                            paint,
                        });
                        fills.push((r, ink));
                    }
                    Shape::Frame => {
                        let sw = mm(z.stroke.unwrap_or(1.0));
                        let paint = Paint { overprint: overprints(item, &fills, [x, y, w, h], ink), ..paint };
                        elements.push(Element::Stroke {
                            path: Path::rounded_rect(x, y, w, h, mm(z.radius)),
                            width: sw,
                            paint,
                        });
                    }
                    Shape::Line => {
                        let sw = mm(z.stroke.unwrap_or(1.0));
                        let paint = Paint { overprint: overprints(item, &fills, [x, y, w, h], ink), ..paint };
                        let path = if w >= h {
                            Path::line(x, y + h / 2.0, x + w, y + h / 2.0)
                        } else {
                            Path::line(x + w / 2.0, y, x + w / 2.0, y + h)
                        };
                        elements.push(Element::Stroke { path, width: sw, paint });
                    }
                    Shape::Pictogram => {
                        elements.push(Element::Fill { path: pictogram(lib, item, z, slogan)?, paint });
                    }
                }
            }
            Role::Slogan | Role::Tip | Role::Footer | Role::Heading => {
                let Some(lines) = &texts[zi] else { continue };
                // Take over the space of empty zones named in `grow`, unless
                // the box would then cover a zone that prints (a footer below
                // the tip, when only the footer is empty), a pictogram or a
                // rule (text never runs across a separator).
                let own = [x, y, x + w, y + h];
                let prints = |j: usize| {
                    let zj = &item.zones[j];
                    zj.side == side
                        && (texts[j].is_some()
                            || matches!(zj.shape, Shape::Pictogram | Shape::Line)
                            || (zj.role == Role::Qr && opts.station.is_some_and(|s| s.qr.is_some()))
                            || (zj.role == Role::Image
                                && opts.station.zip(zj.source).is_some_and(|(s, src)| s.image(src).is_some())))
                };
                let hits = |a: [f64; 4], j: usize| {
                    let [bx, by, bw, bh] = item.zones[j].rect.map(mm);
                    a[2].min(bx + bw) - a[0].max(bx) > 0.01 && a[3].min(by + bh) - a[1].max(by) > 0.01
                };
                let mut r = own;
                for &g in &z.grow {
                    if !prints(g) {
                        let [gx, gy, gw, gh] = item.zones[g].rect.map(mm);
                        let grown = [r[0].min(gx), r[1].min(gy), r[2].max(gx + gw), r[3].max(gy + gh)];
                        let blocked =
                            (0..item.zones.len()).any(|j| j != zi && prints(j) && !hits(own, j) && hits(grown, j));
                        if !blocked {
                            r = grown;
                        }
                    }
                }
                let rect = [r[0], r[1], r[2] - r[0], r[3] - r[1]];
                let (Some(ink), Some(role)) = (z.ink, z.font.as_deref()) else {
                    continue;
                };
                // Only the fonts these lines need: a rare character's fallback is read when used.
                let fonts =
                    lib.fonts.chain_for(role, lines.iter().flat_map(|l| l.chars())).map_err(|d| d.at(zone_loc(z)))?;
                let ideo = fonts[0].ideograph_height;
                let paint = Paint { ink, tint: z.tint, overprint: overprints(item, &fills, rect, ink) };
                // A chunked tip of two or more items is a list; of one, a plain tip.
                let list = z.chunks && lines.len() > 1;
                let req = TextRequest {
                    lines,
                    fonts: &fonts,
                    direction: z.direction,
                    rect,
                    min_size: mm(z.min_height) / ideo,
                    max_size: z.max_height.map(|m| mm(m) / ideo).unwrap_or(f64::INFINITY),
                    min_stroke: mm(item.minimums.stroke),
                    line_spacing: z.line_spacing,
                    align: z.align,
                    valign: z.valign,
                    // A chunked tip reads as a list: its lines start together,
                    // without line-end punctuation where the item drops it.
                    block: list,
                    drop_trailing: (z.role == Role::Slogan || list)
                        && item.punctuation == PunctuationStyle::DropTrailing,
                    paint,
                    words: Some(&words),
                };
                let what = match z.role {
                    Role::Slogan => subject.clone(),
                    Role::Tip => format!("the tip of {subject}"),
                    Role::Heading => format!("the heading of {subject}"),
                    _ => format!("the station footer on item `{}`", item.id),
                };
                // Chunks that do not fit at the minimum size: the tip as one paragraph.
                let one;
                let set = match set_text(&req) {
                    Err(FitError::TooLong { .. } | FitError::TooThin { .. } | FitError::Empty) if list => {
                        one = slogan.tip.clone().into_iter().collect::<Vec<_>>();
                        set_text(&TextRequest { lines: &one, block: false, drop_trailing: false, ..req })
                    }
                    set => set,
                };
                let set = set.map_err(|e| match e {
                    FitError::Missing(cs) => Diagnostic::data(format!(
                        "{what}, zone `{}`: no font of role `{role}` has {}",
                        z.id,
                        cs.iter().map(|c| format!("{c} (U+{:04X})", *c as u32)).collect::<Vec<_>>().join(", ")
                    ))
                    .at(if z.role == Role::Footer { zone_loc(z) } else { Location::at(&slogan.file, slogan.line, 1) })
                    .hint("replace the characters, or add a font that has them to the role in fonts/fonts.yaml"),
                    FitError::TooLong { best_size } => Diagnostic::data(format!(
                        "{what} does not fit zone `{}`: it would need a character height of {:.1} mm, the minimum is {} mm",
                        z.id,
                        best_size * ideo / crate::PT_PER_MM,
                        z.min_height
                    ))
                    .at(zone_loc(z)).hint("shorten the wording, or choose a larger item"),
                    FitError::TooThin { best_size, needed, thin_em } => Diagnostic::data(format!(
                        "{what} does not fit zone `{}` with strokes of at least {} mm: in font role `{role}` its thin stems are {:.2} mm at the largest size that fits (character height {:.1} mm) and reach {} mm only at a character height of {:.1} mm",
                        z.id,
                        item.minimums.stroke,
                        thin_em * best_size / crate::PT_PER_MM,
                        best_size * ideo / crate::PT_PER_MM,
                        item.minimums.stroke,
                        needed * ideo / crate::PT_PER_MM,
                    ))
                    .at(zone_loc(z))
                    .hint("give the zone a heavier font role (heavy) or more room in the template, or shorten the wording"),
                    FitError::Empty => Diagnostic::data(format!("{what}, zone `{}`: nothing to print", z.id))
                        .at(zone_loc(z))
                        .hint("the text is empty once spaces and line-end marks are dropped; write words in it"),
                })
                .map_err(|d| d.in_zone(&z.id))?;
                if z.role == Role::Slogan {
                    slogan_lines += set.lines.len();
                }
                split_words.extend(set.split_words.iter().map(|w| (z.id.clone(), w.clone())));
                elements.extend(set.bullets.into_iter().map(|path| Element::Fill { path, paint }));
                elements.extend(set.runs.into_iter().map(Element::Text));
            }
            Role::Qr => {
                let Some(link) = opts.station.and_then(|s| s.qr.as_deref()) else { continue };
                let Some(ink) = z.ink else { continue };
                let min_module = item.minimums.qr_module.unwrap_or_else(|| item.process.default_qr_module());
                let path = qr_path(link, [x, y, w, h], mm(min_module)).map_err(|m| {
                    Diagnostic::data(format!("item `{}` zone `{}`: {m}", item.id, z.id))
                        .at(zone_loc(z))
                        .hint("shorten the station's QR link, or make the zone larger")
                })?;
                elements.push(Element::Fill { path, paint: Paint { ink, tint: 1.0, overprint: false } });
            }
        }
    }
    if let Some((Die::Sector { center, half, .. }, _)) = &item.die_line {
        let ring = Ring { c: (mm(center[0]), mm(center[1])), half: *half, bleed, tw };
        bend(&mut elements, &spans, &ring);
    }
    if let Some((choke, ink)) = item.underbase {
        elements = with_underbase(elements, ink, mm(choke));
    }
    let mut die_line =
        item.die_line.as_ref().map(|(die, ink)| DieLine { path: die_path(die, tw, th), width: 0.5, ink: *ink });
    // An n-up sheet: the first piece, then its copies, artwork and cut alike.
    if item.copies.len() > 1 {
        let one = std::mem::take(&mut elements);
        for &[dx, dy] in &item.copies {
            elements.extend(one.iter().map(|e| moved(e, mm(dx), mm(dy))));
        }
        if let Some(d) = &mut die_line {
            let piece = std::mem::take(&mut d.path.0);
            for &[dx, dy] in &item.copies {
                d.path.0.extend(moved_path(&Path(piece.clone()), mm(dx), mm(dy)).0);
            }
        }
    }
    let scene = Scene {
        width: tw,
        height: th,
        bleed,
        inks: item.inks.clone(),
        substrate: item.substrate,
        background,
        underbase: item.underbase.map(|(_, ink)| ink),
        elements,
        die_line,
        crop_marks_allowed: item.crop_marks,
        // The back is turned over the vertical axis (long-edge duplex): its
        // folds lie mirrored, the outside's first fold the inside's last.
        folds: {
            let mut f: Vec<f64> = item.folds.iter().map(|&f| mm(if side == 0 { f } else { item.width - f })).collect();
            f.sort_by(f64::total_cmp);
            f
        },
        title: match side {
            0 => format!("{} — {}", item.name, slogan.text()),
            _ => format!("{}（背面）— {}", item.name, slogan.text()),
        },
        slogan_lines,
        split_words,
        notes,
    };
    all_glyphs_read(&scene)?;
    Ok(scene)
}

/// The author's lines as one: a line that ends without a mark is followed by
/// an ideographic space, so the words stay apart.
fn run_on(lines: &[String]) -> String {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        let marked = l.ends_with(|c: char| !c.is_alphanumeric());
        if i + 1 < lines.len() && !marked {
            out.push('\u{3000}');
        }
    }
    out
}

fn moved_path(p: &Path, dx: f64, dy: f64) -> Path {
    p.mapped(|x, y| (x + dx, y + dy))
}

/// An element moved by (dx, dy) pt.
fn moved(e: &Element, dx: f64, dy: f64) -> Element {
    match e {
        Element::Fill { path, paint } => Element::Fill { path: moved_path(path, dx, dy), paint: *paint },
        Element::Stroke { path, width, paint } => {
            Element::Stroke { path: moved_path(path, dx, dy), width: *width, paint: *paint }
        }
        Element::Text(run) => {
            let mut run = run.clone();
            for g in &mut run.glyphs {
                g.x += dx;
                g.y += dy;
            }
            Element::Text(run)
        }
        Element::Image(img) => {
            let mut img = img.clone();
            img.rect[0] += dx;
            img.rect[1] += dy;
            Element::Image(img)
        }
        Element::Raster(r) => {
            let mut r = r.clone();
            r.rect[0] += dx;
            r.rect[1] += dy;
            r.clip[0] += dx;
            r.clip[1] += dy;
            Element::Raster(r)
        }
    }
}

/// A die line's outline in pt (trim width and height `tw`, `th`).
fn die_path(die: &Die, tw: f64, th: f64) -> Path {
    match die {
        Die::Rect { radius } => Path::rounded_rect(0.0, 0.0, tw, th, mm(*radius)),
        Die::Circle { center, radius, handle } => {
            let (cx, cy, r) = (mm(center[0]), mm(center[1]), mm(*radius));
            match handle {
                None => Path::circle(cx, cy, r),
                Some(w) => Path::circle_with_handle(cx, cy, r, mm(*w), th),
            }
        }
        Die::Rects { rects, radius } => Path(
            rects
                .iter()
                .flat_map(|r| Path::rounded_rect(mm(r[0]), mm(r[1]), mm(r[2]), mm(r[3]), mm(*radius)).0)
                .collect(),
        ),
        Die::Sector { center, ri, ro, half } => {
            Path::annular_sector(mm(center[0]), mm(center[1]), mm(*ri), mm(*ro), *half)
        }
        Die::Polygon(pts) => {
            let mut segs: Vec<Seg> = pts
                .iter()
                .enumerate()
                .map(|(i, p)| if i == 0 { Seg::Move(mm(p[0]), mm(p[1])) } else { Seg::Line(mm(p[0]), mm(p[1])) })
                .collect();
            segs.push(Seg::Close);
            Path(segs)
        }
    }
}

/// What [`bend`] bends round: the ring's centre `c` (pt), its half-angle
/// (rad), the bleed and the trim's width (pt).
struct Ring {
    c: (f64, f64),
    half: f64,
    bleed: f64,
    tw: f64,
}

/// Artwork laid out straight, bent round the ring's centre for a
/// ring-piece die line, zone by zone (`spans`: where each zone's elements
/// start, its box in pt and its alignment). A zone's anchor column (its
/// box's aligned edge or middle, at mid-height) goes onto the radius at its
/// angle, and each point `x − xa` from it along the arc of its own radius
/// `d`: rows keep their length, so a line of text runs level round the cup,
/// and the anchor stays on one radius (a vertical on the cup), so a list's
/// lines start together. Glyphs and filled shapes turn whole where they
/// stand (not stretched); strokes bend point by point (a rule follows the
/// arc); an axis-aligned rectangle across the whole trim (a band) becomes
/// the ring's band between the same radii, past the cut's ends by the bleed.
fn bend(elements: &mut [Element], spans: &[(usize, [f64; 4], Align)], ring: &Ring) {
    let c = ring.c;
    for (k, &(start, [x, y, w, h], align)) in spans.iter().enumerate() {
        let end = spans.get(k + 1).map_or(elements.len(), |s| s.0);
        let xa = match align {
            Align::Start => x,
            Align::Center => x + w / 2.0,
            Align::End => x + w,
        };
        let phi_a = (xa - c.0) / (c.1 - (y + h / 2.0)).max(1.0);
        let at = |px: f64, py: f64| -> (f64, f64, f64) {
            let d = (c.1 - py).max(1.0);
            let phi = phi_a + (px - xa) / d;
            (c.0 + d * phi.sin(), c.1 - d * phi.cos(), phi)
        };
        for e in &mut elements[start..end] {
            bend_element(e, &at, ring);
        }
    }
}

fn bend_element(e: &mut Element, at: &dyn Fn(f64, f64) -> (f64, f64, f64), ring: &Ring) {
    let c = ring.c;
    let path_of = |p: &Path| -> Path {
        let mut out = Vec::with_capacity(p.0.len());
        let (mut pen, mut first) = ((0.0, 0.0), (0.0, 0.0));
        // Straight lines become arcs: in pieces of 2 mm at most.
        let line_to = |out: &mut Vec<Seg>, from: (f64, f64), to: (f64, f64)| {
            let n = ((to.0 - from.0).hypot(to.1 - from.1) / mm(2.0)).ceil().max(1.0) as usize;
            for i in 1..=n {
                let t = i as f64 / n as f64;
                let (u, v, _) = at(from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t);
                out.push(Seg::Line(u, v));
            }
        };
        for seg in &p.0 {
            match *seg {
                Seg::Move(x, y) => {
                    let (u, v, _) = at(x, y);
                    out.push(Seg::Move(u, v));
                    (pen, first) = ((x, y), (x, y));
                }
                Seg::Line(x, y) => {
                    line_to(&mut out, pen, (x, y));
                    pen = (x, y);
                }
                Seg::Cubic(x1, y1, x2, y2, x, y) => {
                    let ((a, b, _), (cc, d, _), (u, v, _)) = (at(x1, y1), at(x2, y2), at(x, y));
                    out.push(Seg::Cubic(a, b, cc, d, u, v));
                    pen = (x, y);
                }
                Seg::Close => {
                    // The closing edge too is bent, not left a chord.
                    if pen != first {
                        line_to(&mut out, pen, first);
                    }
                    out.push(Seg::Close);
                    pen = first;
                }
            }
        }
        Path(out)
    };
    match e {
        Element::Fill { path, .. } => {
            *path = match (band(path, ring.tw), path.bounds()) {
                (Some((y0, y1)), _) => {
                    let (ri, ro) = ((c.1 - y1).max(1.0), c.1 - y0);
                    Path::annular_sector(
                        c.0,
                        c.1,
                        ri,
                        ro,
                        (ring.half + ring.bleed / ri).min(std::f64::consts::FRAC_PI_2),
                    )
                }
                // A shape (a pictogram, a bullet, a QR code) moves to where its
                // middle goes and turns there, whole: the blank rolls onto the
                // cone without stretching, so it comes out undistorted.
                (None, Some([x0, y0, x1, y1])) => {
                    let (px, py) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                    let (u, v, phi) = at(px, py);
                    let (cos, sin) = (phi.cos(), phi.sin());
                    path.mapped(|x, y| {
                        let (dx, dy) = (x - px, y - py);
                        (u + cos * dx - sin * dy, v + sin * dx + cos * dy)
                    })
                }
                (None, None) => Path::default(),
            }
        }
        Element::Stroke { path, .. } => *path = path_of(path),
        Element::Text(run) => {
            for g in &mut run.glyphs {
                let (u, v, phi) = at(g.x, g.y);
                let (cos, sin) = (phi.cos(), phi.sin());
                let m = g.m;
                g.m = [
                    cos * m[0] - sin * m[1],
                    sin * m[0] + cos * m[1],
                    cos * m[2] - sin * m[3],
                    sin * m[2] + cos * m[3],
                ];
                (g.x, g.y) = (u, v);
            }
        }
        // Pictures are not bent: `check` keeps image zones off ring pieces.
        Element::Image(_) | Element::Raster(_) => {}
    }
}

/// The rows (y0, y1) of an axis-aligned rectangle reaching across the whole
/// trim width `tw`: a band.
fn band(p: &Path, tw: f64) -> Option<(f64, f64)> {
    let [x0, y0, x1, y1] = p.bounds()?;
    let corner =
        |x: f64, y: f64| (x - x0).abs().min((x - x1).abs()) < 1e-6 && (y - y0).abs().min((y - y1).abs()) < 1e-6;
    let rect = p.0.len() <= 6
        && p.0.iter().all(|s| match *s {
            Seg::Move(x, y) | Seg::Line(x, y) => corner(x, y),
            Seg::Cubic(..) => false,
            Seg::Close => true,
        });
    (rect && x0 <= 1e-6 && x1 >= tw - 1e-6).then_some((y0, y1))
}

/// The artwork on a white underbase: every shape in the `Underbase` ink,
/// its outline then stroked 2 × `choke` wide in the same ink at tint 0
/// without overprint, which knocks the underbase back by `choke` on both
/// sides of every edge (exact for shapes that do not touch: the template's
/// zones may not overlap, and no shipped face has overlapping contours, a
/// test says so). Then the artwork, overprinting, so its inks print on the
/// underbase instead of knocking it out.
fn with_underbase(artwork: Vec<Element>, ink: usize, choke: f64) -> Vec<Element> {
    let base = Paint { ink, tint: 1.0, overprint: false };
    let knock = Paint { ink, tint: 0.0, overprint: false };
    // Shape by shape, each fill followed by its choke (the PDF writes the
    // pair as one path, filled and stroked): for shapes that do not touch
    // the same plate as all fills first, then all chokes.
    let mut under = Vec::new();
    for el in &artwork {
        match el {
            Element::Fill { path, .. } => {
                under.push(Element::Fill { path: path.clone(), paint: base });
                under.push(Element::Stroke { path: path.clone(), width: 2.0 * choke, paint: knock });
            }
            Element::Stroke { path, width, .. } if *width > 2.0 * choke => {
                under.push(Element::Stroke { path: path.clone(), width: width - 2.0 * choke, paint: base });
            }
            Element::Text(run) => {
                let mut path = Path::default();
                for g in &run.glyphs {
                    path.0.extend(glyph_path(&run.font, g).0);
                }
                if !path.0.is_empty() {
                    under.push(Element::Fill { path: path.clone(), paint: base });
                    under.push(Element::Stroke { path, width: 2.0 * choke, paint: knock });
                }
            }
            _ => {}
        }
    }
    let artwork = artwork.into_iter().map(|el| match el {
        Element::Fill { path, paint } => Element::Fill { path, paint: Paint { overprint: true, ..paint } },
        Element::Stroke { path, width, paint } => {
            Element::Stroke { path, width, paint: Paint { overprint: true, ..paint } }
        }
        Element::Text(run) => Element::Text(TextRun { paint: Paint { overprint: true, ..run.paint }, ..run }),
        el => el,
    });
    under.into_iter().chain(artwork).collect()
}

/// A placed glyph's outline as a page path (quadratic curves raised to cubics).
pub fn glyph_path(font: &Font, g: &Glyph) -> Path {
    struct P<'a> {
        g: &'a Glyph,
        segs: Vec<Seg>,
        cur: (f64, f64),
    }
    impl P<'_> {
        fn at(&self, x: f32, y: f32) -> (f64, f64) {
            let (x, y) = (f64::from(x), f64::from(y));
            (self.g.x + self.g.m[0] * x + self.g.m[2] * y, self.g.y + self.g.m[1] * x + self.g.m[3] * y)
        }
    }
    impl ttf_parser::OutlineBuilder for P<'_> {
        fn move_to(&mut self, x: f32, y: f32) {
            self.cur = self.at(x, y);
            self.segs.push(Seg::Move(self.cur.0, self.cur.1));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.cur = self.at(x, y);
            self.segs.push(Seg::Line(self.cur.0, self.cur.1));
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            let (c, e) = (self.at(x1, y1), self.at(x, y));
            let s = self.cur;
            let k = 2.0 / 3.0;
            self.segs.push(Seg::Cubic(
                s.0 + k * (c.0 - s.0),
                s.1 + k * (c.1 - s.1),
                e.0 + k * (c.0 - e.0),
                e.1 + k * (c.1 - e.1),
                e.0,
                e.1,
            ));
            self.cur = e;
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            let (a, b, e) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
            self.segs.push(Seg::Cubic(a.0, a.1, b.0, b.1, e.0, e.1));
            self.cur = e;
        }
        fn close(&mut self) {
            self.segs.push(Seg::Close);
        }
    }
    let mut p = P { g, segs: Vec::new(), cur: (0.0, 0.0) };
    font.face().outline_glyph(ttf_parser::GlyphId(g.id), &mut p);
    Path(p.segs)
}

type QrMatrix = (usize, std::sync::Arc<Vec<bool>>);

/// QR modules of a link (width, dark flags row by row), made once per link
/// and process: a batch repeats each station's link on every file.
fn qr_modules(link: &str) -> Result<QrMatrix, String> {
    static CACHE: std::sync::Mutex<std::collections::BTreeMap<String, QrMatrix>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(link).cloned()) {
        return Ok(hit);
    }
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| format!("cannot encode the QR link: {e}"))?;
    let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    let m = (code.width(), std::sync::Arc::new(dark));
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= 4096 {
            c.clear();
        }
        c.insert(link.to_string(), m.clone());
    }
    Ok(m)
}

/// A QR code of `link` as vector modules centred in a box (pt), with a quiet
/// zone of four modules; errors when a module would be smaller than `min_module` (pt).
pub fn qr_path(link: &str, rect: [f64; 4], min_module: f64) -> Result<Path, String> {
    let (n, colors) = qr_modules(link)?;
    let [x, y, w, h] = rect;
    let module = w.min(h) / (n + 8) as f64;
    if module + 1e-9 < min_module {
        return Err(format!(
            "a QR code of this link needs {} modules; at {:.2} mm a module is below the {:.2} mm this process can print and scan",
            n,
            module / crate::PT_PER_MM,
            min_module / crate::PT_PER_MM
        ));
    }
    let (ox, oy) = (x + (w - n as f64 * module) / 2.0, y + (h - n as f64 * module) / 2.0);
    let mut segs = Vec::new();
    for row in 0..n {
        // One rectangle per horizontal run of dark modules.
        let mut col = 0;
        while col < n {
            if colors[row * n + col] {
                let start = col;
                while col < n && colors[row * n + col] {
                    col += 1;
                }
                let r = Path::rect(
                    ox + start as f64 * module,
                    oy + row as f64 * module,
                    (col - start) as f64 * module,
                    module,
                );
                segs.extend(r.0);
            } else {
                col += 1;
            }
        }
    }
    Ok(Path(segs))
}

/// Mark a scene as a proof of unapproved wording: 样稿·未审定 across the
/// artwork, on top of everything, in every printing ink (overprinting), so
/// that each separated plate carries the mark too.
pub fn mark_as_proof(lib: &Library, scene: &mut Scene) -> Result<(), Diagnostic> {
    // Only shipped fonts load at all (fonts::SHIPPED): no project font can draw the mark blank.
    let fonts = lib.fonts.chain_for("heavy", PROOF_MARK.chars())?;
    let inks: Vec<usize> =
        (0..scene.inks.len()).filter(|&i| !matches!(scene.inks[i].kind, InkKind::Technical { .. })).collect();
    let ink = inks.first().copied().unwrap_or(0);
    let (w, h) = (scene.width, scene.height);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let length = w.hypot(h) * 0.7;
    let max = w.min(h) * 0.2;
    let lines = vec![PROOF_MARK.to_string()];
    let req = TextRequest {
        lines: &lines,
        fonts: &fonts,
        direction: Direction::Horizontal,
        rect: [cx - length / 2.0, cy - max, length, 2.0 * max],
        min_size: 1.0,
        max_size: max,
        min_stroke: 0.0,
        line_spacing: 1.2,
        align: Align::Center,
        valign: Align::Center,
        block: false,
        drop_trailing: false,
        paint: Paint { ink, tint: 0.45, overprint: false },
        words: None,
    };
    let set = set_text(&req).map_err(|e| Diagnostic::data(format!("cannot set the proof mark: {e:?}")))?;
    // Rotate about the centre along the rising diagonal (y points down).
    let phi = h.atan2(w);
    let (c, s) = (phi.cos(), phi.sin());
    let rot = |x: f64, y: f64| (x * c + y * s, -x * s + y * c);
    for mut run in set.runs {
        for g in &mut run.glyphs {
            let (dx, dy) = rot(g.x - cx, g.y - cy);
            g.x = cx + dx;
            g.y = cy + dy;
            let (a, b) = rot(g.m[0], g.m[1]);
            let (cc, d) = rot(g.m[2], g.m[3]);
            g.m = [a, b, cc, d];
        }
        for &i in &inks {
            let paint = Paint { ink: i, tint: 0.45, overprint: true };
            let mark = Element::Text(TextRun { paint, ..run.clone() });
            if scene.underbase == Some(i) {
                // On the underbase plate too, but under the colours (a viewer
                // that does not simulate overprint shows the white ink as white).
                let at = scene.elements.iter().position(|e| paint_of(e).is_none_or(|p| p.ink != i));
                scene.elements.insert(at.unwrap_or(scene.elements.len()), mark);
            } else {
                scene.elements.push(mark);
            }
        }
    }
    scene.title = format!("{PROOF_MARK} — {}", scene.title);
    all_glyphs_read(scene)
}

/// Tell the font book what a run of `items` × `slogans` (for `station`)
/// will set, so a short run reads only those characters' outlines
/// ([`crate::fonts::FontBook::expect`]): every text a scene takes from the
/// slogan, the station and the zones, the proof mark, and printable ASCII.
/// A character missed here costs a whole font read, never a wrong glyph.
pub fn expect_fonts(lib: &Library, items: &[&Item], slogans: &[&Slogan], station: Option<&Station>) {
    let mut chars: Vec<char> = PROOF_MARK.chars().chain(' '..='~').chain(['\u{3000}']).collect();
    let mut add = |t: &str| chars.extend(t.chars());
    for s in slogans {
        s.lines.iter().for_each(|l| add(l));
        s.tip.iter().for_each(|t| add(t));
        add(&s.topic);
        add(&s.heading);
    }
    for i in items {
        add(&i.name);
        i.zones.iter().filter_map(|z| z.text.as_deref()).for_each(&mut add);
    }
    if let Some(st) = station {
        let fields = [&st.phone, &st.hotline, &st.address, &st.qr, &st.delivery, &st.receiver];
        add(&st.name);
        fields.into_iter().flatten().for_each(|f| add(f));
    }
    lib.fonts.expect(chars);
}

/// A scene never draws a glyph its font was read without (see
/// [`Scene::unread_glyph`]): a loud failure instead of a blank character.
fn all_glyphs_read(scene: &Scene) -> Result<(), Diagnostic> {
    match scene.unread_glyph() {
        None => Ok(()),
        Some((font, id)) => Err(Diagnostic::data(format!(
            "internal error: glyph {id} of {font} is drawn but was not read from the font"
        ))
        .hint("please report this with the command you ran")),
    }
}

fn paint_of(e: &Element) -> Option<&Paint> {
    match e {
        Element::Fill { paint, .. } | Element::Stroke { paint, .. } => Some(paint),
        Element::Text(run) => Some(&run.paint),
        Element::Raster(r) => r.paint.as_ref(),
        Element::Image(_) => None,
    }
}

/// Printed across proofs of wording no reviewer has approved.
pub const PROOF_MARK: &str = "样稿·未审定";

/// Dark ink over a lighter ink overprints, so a slight misregistration
/// leaves no white gap. Only spot inks and K-only process black: a process
/// colour with OPM 1 would keep the other plates' values below it and print
/// a mixed colour.
fn overprints(item: &Item, fills: &[([f64; 4], usize)], r: [f64; 4], ink: usize) -> bool {
    let safe = match &item.inks[ink].kind {
        InkKind::Process { cmyk: [c, m, y, _] } => *c == 0.0 && *m == 0.0 && *y == 0.0,
        InkKind::Spot { .. } | InkKind::Technical { .. } => true,
    };
    safe && fills.iter().any(|&(f, under)| {
        under != ink
            && f[0] < r[0] + r[2]
            && r[0] < f[0] + f[2]
            && f[1] < r[1] + r[3]
            && r[1] < f[1] + f[3]
            && item.inks[ink].darkness() > item.inks[under].darkness()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::FontBook;
    use crate::linebreak::NO_START;

    fn chain(role: &str) -> Vec<Arc<Font>> {
        let book = FontBook::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        book.chain(role).unwrap()
    }

    fn paint() -> Paint {
        Paint { ink: 0, tint: 1.0, overprint: false }
    }

    /// Set at exactly `size` pt in a zone `width_em` ems wide and very tall.
    fn at_fixed(lines: &[&str], width_em: f64, direction: Direction, drop: bool) -> Result<SetText, FitError> {
        at_fixed_with(lines, width_em, direction, drop, None)
    }

    fn at_fixed_with(
        lines: &[&str],
        width_em: f64,
        direction: Direction,
        drop: bool,
        words: Option<&Segmenter>,
    ) -> Result<SetText, FitError> {
        let fonts = chain("heavy");
        let lines: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        let size = 10.0;
        let rect = if direction == Direction::Vertical {
            [0.0, 0.0, 1000.0, width_em * size]
        } else {
            [0.0, 0.0, width_em * size, 1000.0]
        };
        set_text(&TextRequest {
            lines: &lines,
            fonts: &fonts,
            direction,
            rect,
            min_size: size,
            max_size: size,
            min_stroke: 0.0,
            line_spacing: 1.2,
            align: Align::Start,
            valign: Align::Start,
            block: false,
            drop_trailing: drop,
            paint: paint(),
            words,
        })
    }

    #[test]
    fn tips_cut_into_list_items_where_a_reader_would() {
        let c = |t: &str| clauses(t);
        assert_eq!(
            c("充满就拔，别整夜充，别从楼上拉电线下来充。"),
            ["充满就拔，", "别整夜充，", "别从楼上拉电线下来充。"]
        );
        // Quotations stay whole; a two-character clause joins the one before it.
        assert_eq!(c("有人说“多转了钱，退我一些”，先核实。"), ["有人说“多转了钱，退我一些”，", "先核实。"]);
        assert_eq!(c("陌生链接不要点，转账汇款，别信！"), ["陌生链接不要点，", "转账汇款，别信！"]);
        // A condition or topic stays with what completes it; 就/也/是… lean back.
        assert_eq!(
            c("从楼上往下扔东西，情节严重的，构成高空抛物罪，可判刑或罚款。"),
            ["从楼上往下扔东西，", "情节严重的，构成高空抛物罪，可判刑或罚款。"]
        );
        assert_eq!(c("说能治百病的，就要当心了。"), ["说能治百病的，就要当心了。"]);
        // A short lead ending in ： is a line of its own.
        assert_eq!(
            c("三不一多：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。"),
            ["三不一多：", "未知链接不点击，", "陌生来电不轻信，", "个人信息不透露，", "转账汇款多核实。"]
        );
        // More than four items at every comma: cut only after ；。！？.
        assert_eq!(
            c("没人受伤，车能动，先拍照，再挪车；有人受伤，别挪车，打122。"),
            ["没人受伤，车能动，先拍照，再挪车；", "有人受伤，别挪车，打122。"]
        );
        // ASCII commas cut only before a space: numbers stay whole; punctuation never stands alone.
        assert_eq!(c("超过1,000元先核实"), ["超过1,000元先核实"]);
        assert_eq!(c("陌生来电别轻信。。。。"), ["陌生来电别轻信。。。。"]);
        assert_eq!(c("陌生链接不要点"), ["陌生链接不要点"]);
        assert!(c("  ").is_empty());
    }

    /// The roll-up's worst tips: at every width, no line break falls inside
    /// a word while a break between words fits, and no line starts with a
    /// lone particle.
    #[test]
    fn lines_break_between_words() {
        let words = Segmenter::new(["烟感报警器", "独立式烟感报警器"]);
        let cases = [
            ("理赔只在购物平台和快递官方App里办，不扫陌生码。", &["官方", "理赔", "快递", "App", "购物"][..]),
            ("年息比银行高出一大截的“养老理财”，先去银行柜台问问。", &["养老", "理财", "银行", "柜台"]),
            ("独居老人家里装个独立式烟感报警器，几十块钱。", &["独立式烟感报警器", "独居", "老人"]),
            ("上门或打电话推销“特效药”的别信，买药去正规药店。", &["特效药", "推销", "正规", "药店"]),
        ];
        for (text, whole) in cases {
            for width in 8..=30 {
                let width = f64::from(width);
                let Ok(set) = at_fixed_with(&[text], width, Direction::Horizontal, false, Some(&words)) else {
                    continue;
                };
                let longest_word = whole.iter().map(|w| w.chars().count()).max().unwrap_or(0) as f64;
                if width >= longest_word + 2.0 {
                    assert!(set.split_words.is_empty(), "{text} at {width} em split {:?}", set.split_words);
                    for w in whole {
                        assert!(set.lines.iter().any(|l| l.contains(w)), "{w} split at {width} em: {:?}", set.lines);
                    }
                }
                for l in &set.lines[1..] {
                    assert!(!l.starts_with('的'), "{text} at {width} em: line starts with 的: {:?}", set.lines);
                }
            }
        }
    }

    /// No tip starts with a stub line (车、电池、) while a fuller first line fits.
    #[test]
    fn no_stub_first_lines() {
        let words = Segmenter::default();
        for text in [
            "电动自行车整车、锂电池、充电器都要认准3C标志，别买拼装车。",
            "车、电池、充电器都要认准3C标志，别买拼装车，也别私拉电线。",
            "说医保卡异常、要您转账“解冻”的，都是骗子。",
            "记住，陌生电话让您转账汇款的一律先挂断再核实",
            "车、电池、充电器要配套使用不要混用否则容易起火",
            "对，就是这个理儿，转账之前一定要先打电话问清楚",
        ] {
            for width in 6..=40 {
                let Ok(set) = at_fixed_with(&[text], f64::from(width), Direction::Horizontal, false, Some(&words))
                else {
                    continue;
                };
                if set.lines.len() < 2 {
                    continue;
                }
                let len = |l: &String| l.chars().count() as f64;
                let longest = set.lines.iter().map(len).fold(0.0, f64::max);
                assert!(len(&set.lines[0]) >= longest / 3.0, "{text} at {width} em: {:?}", set.lines);
            }
        }
    }

    /// A word longer than the zone is split, and said so.
    #[test]
    fn a_word_split_because_nothing_else_fits_is_reported() {
        let words = Segmenter::new(["独立式烟感报警器"]);
        let set = at_fixed_with(&["装个独立式烟感报警器"], 5.0, Direction::Horizontal, false, Some(&words)).unwrap();
        assert_eq!(set.split_words, vec!["独立式烟感报警器".to_string()], "{:?}", set.lines);
        // Without a dictionary nothing is known to be split.
        let set = at_fixed(&["装个独立式烟感报警器"], 5.0, Direction::Horizontal, false).unwrap();
        assert!(set.split_words.is_empty());
    }

    #[test]
    fn no_line_starts_with_a_closing_mark_at_ten_em() {
        let set = at_fixed(&["全民反诈人人有责，守护好家人钱袋子。"], 10.0, Direction::Horizontal, false).unwrap();
        assert!(set.lines.len() >= 2, "{:?}", set.lines);
        for l in &set.lines {
            let first = l.chars().next().unwrap();
            assert!(!NO_START.contains(first), "line starts with {first}: {:?}", set.lines);
        }
        // The natural break is after the comma.
        assert_eq!(set.lines, vec!["全民反诈人人有责，", "守护好家人钱袋子。"]);
    }

    #[test]
    fn numbers_are_never_split() {
        let text = "接到可疑电话先挂断再拨打110或者96110问一问警察";
        for width in [4.0, 5.0, 6.0, 7.0, 9.0] {
            let set = at_fixed(&[text], width, Direction::Horizontal, false).unwrap();
            let joined = set.lines.join("|");
            assert!(joined.contains("110"), "{joined}");
            assert!(joined.contains("96110"), "110 or 96110 split at {width} em: {joined}");
            assert!(!joined.contains("9|6") && !joined.contains("1|1") && !joined.contains("1|0"), "{joined}");
        }
    }

    #[test]
    fn dashes_and_ellipses_are_never_split() {
        let text = "钱转出去了——后悔也来不及……";
        for width in [3.0, 4.0, 5.0, 6.0, 7.0] {
            let set = at_fixed(&[text], width, Direction::Horizontal, false).unwrap();
            let joined = set.lines.join("|");
            assert!(joined.contains("——") && joined.contains("……"), "split at {width} em: {joined}");
            for l in &set.lines {
                assert!(!l.starts_with('—') && !l.starts_with('…'), "{joined}");
            }
        }
    }

    #[test]
    fn lines_balance_and_fit_the_width() {
        let set = at_fixed(&["不点链接不接陌生来电不给陌生人转账"], 12.0, Direction::Horizontal, false).unwrap();
        // 17 ideographs in 12 em: two lines of eight and nine, not twelve and five.
        let counts: Vec<usize> = set.lines.iter().map(|l| l.chars().count()).collect();
        assert_eq!(counts.len(), 2, "{:?}", set.lines);
        assert!(counts.iter().all(|&c| c == 8 || c == 9), "{:?}", set.lines);
    }

    #[test]
    fn a_trailing_mark_takes_half_width_or_is_dropped() {
        let fonts = chain("heavy");
        let chars: Vec<char> = "守护好家人钱袋子。".chars().collect();
        let units = build_units(&chars, &fonts, false).unwrap();
        let kept = compose(&units, 0, units.len(), false);
        assert!((kept.length - 8.5).abs() < 1e-6, "{}", kept.length);
        let dropped = compose(&units, 0, units.len(), true);
        assert!((dropped.length - 8.0).abs() < 1e-6, "{}", dropped.length);
        assert_eq!(dropped.items.len(), 8);
    }

    #[test]
    fn adjacent_marks_are_compressed() {
        let fonts = chain("heavy");
        let chars: Vec<char> = "他说：“别转账。”".chars().collect();
        let units = build_units(&chars, &fonts, false).unwrap();
        let c = compose(&units, 0, units.len(), false);
        // 他说 2 + ： 0.5 (before “) + “ 1 + 别转账 3 + 。0.5 (before ”) + ” 0.5 (line end).
        assert!((c.length - 7.5).abs() < 1e-6, "{}", c.length);
    }

    #[test]
    fn kai_quotes_are_full_width_and_compress_like_the_sans_ones() {
        // WenKai's own quotes are 0.35 em Western ones; the Kai subset has full-width forms.
        for role in ["heavy", "sans", "kai"] {
            quotes_are_full_width_in(role);
        }
    }

    /// Every role: quotes and Chinese punctuation are one em wide, in the
    /// role's own first font.
    fn quotes_are_full_width_in(role: &str) {
        let fonts = chain(role);
        let marks: Vec<char> = "，。、；：？！（）《》".chars().collect();
        let units = build_units(&marks, &fonts, false).unwrap();
        for u in &units {
            assert!((u.adv - 1.0).abs() < 1e-9, "{role}: {} is {} em", marks[u.start], u.adv);
        }
        let chars: Vec<char> = "他说：“别转账。”‘消记录’".chars().collect();
        for vertical in [false, true] {
            let units = build_units(&chars, &fonts, vertical).unwrap();
            for u in units.iter().filter(|u| "“”‘’".contains(chars[u.start])) {
                let c = chars[u.start];
                assert_eq!(u.glyphs[0].font, 0, "{role}: {c} set in a fallback font");
                assert!((u.adv - 1.0).abs() < 1e-9, "{role}: {c}: {} em", u.adv);
                // Vertically, `vert` gives the corner brackets ﹃ ﹄ ﹁ ﹂ (as in the sans).
                let form = if vertical {
                    "﹃﹄﹁﹂".chars().nth("“”‘’".chars().position(|q| q == c).unwrap()).unwrap()
                } else {
                    c
                };
                assert_eq!(
                    Some(u.glyphs[0].id),
                    fonts[0].face().glyph_index(form).map(|g| g.0),
                    "{role}: {c} → {form}"
                );
            }
            if !vertical {
                let c = compose(&units, 0, 9, false);
                // As with the sans quotes in `adjacent_marks_are_compressed`.
                assert!((c.length - 7.5).abs() < 1e-6, "{role}: {}", c.length);
            }
        }
    }

    #[test]
    fn vertical_zone_uses_vertical_punctuation() {
        let fonts = chain("heavy");
        let set = at_fixed(&["防溺水，要牢记"], 20.0, Direction::Vertical, false).unwrap();
        let face = fonts[0].face();
        let horizontal = face.glyph_index('，').unwrap().0;
        let comma = set.runs[0].glyphs.iter().find(|g| g.text == "，").expect("comma set");
        assert_ne!(comma.id, horizontal, "the comma kept its horizontal form");
        // Columns run downwards: later characters sit lower.
        let ys: Vec<f64> = set.runs[0].glyphs.iter().map(|g| g.y).collect();
        assert!(ys.windows(2).all(|w| w[1] > w[0]), "{ys:?}");
    }

    #[test]
    fn vertical_columns_run_right_to_left_with_numbers_upright() {
        let set = at_fixed(&["有事打110", "骑车戴头盔"], 6.0, Direction::Vertical, false).unwrap();
        assert_eq!(set.lines, vec!["有事打110", "骑车戴头盔"]);
        let glyphs = &set.runs[0].glyphs;
        let first = glyphs.iter().find(|g| g.text == "有").unwrap();
        let second = glyphs.iter().find(|g| g.text == "骑").unwrap();
        assert!(second.x < first.x, "second column is not left of the first");
        // 110 stands upright, one digit under another, neither rotated nor squeezed.
        let digits: Vec<&Glyph> = glyphs.iter().filter(|g| g.text == "1" || g.text == "0").collect();
        assert_eq!(digits.len(), 3);
        for n in &digits {
            assert!(n.m[1] == 0.0 && n.m[2] == 0.0 && n.m[0] > 0.0 && n.m[0] == -n.m[3], "{:?}", n.m);
            assert!(n.vertical, "an upright digit in a column is written in vertical mode");
        }
        assert!(digits.windows(2).all(|w| w[1].y > w[0].y), "digits do not run down the column");
        // The text layer reads the column exactly once.
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "有事打110骑车戴头盔");
    }

    /// Where a glyph's ink lands on the page: x0, y0, x1, y1 (pt).
    fn ink_box(font: &Font, g: &Glyph) -> [f64; 4] {
        let b = font.face().glyph_bounding_box(ttf_parser::GlyphId(g.id)).unwrap();
        let corners = [(b.x_min, b.y_min), (b.x_max, b.y_max), (b.x_min, b.y_max), (b.x_max, b.y_min)]
            .map(|(x, y)| (f64::from(x), f64::from(y)))
            .map(|(x, y)| (g.x + g.m[0] * x + g.m[2] * y, g.y + g.m[1] * x + g.m[3] * y));
        let xs = corners.map(|c| c.0);
        let ys = corners.map(|c| c.1);
        [
            xs.iter().copied().fold(f64::MAX, f64::min),
            ys.iter().copied().fold(f64::MAX, f64::min),
            xs.iter().copied().fold(f64::MIN, f64::max),
            ys.iter().copied().fold(f64::MIN, f64::max),
        ]
    }

    #[test]
    fn numbers_of_any_length_stand_upright_in_vertical_text() {
        let fonts = chain("heavy");
        let set = at_fixed(&["反诈专线96110座机0912-1234567下载App"], 30.0, Direction::Vertical, false).unwrap();
        let glyphs = &set.runs[0].glyphs;
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "反诈专线96110座机0912-1234567下载App");
        let centre = |g: &Glyph| {
            let b = ink_box(&fonts[0], g);
            (b[0] + b[2]) / 2.0
        };
        let column = centre(glyphs.iter().find(|g| g.text == "反").unwrap());
        let is_digit = |g: &Glyph| g.text.len() == 1 && g.text.chars().all(|c| c.is_ascii_digit());
        assert_eq!(glyphs.iter().filter(|g| is_digit(g)).count(), 16);
        let em = set.size;
        for g in glyphs.iter().filter(|g| is_digit(g)) {
            // Upright, unsqueezed, on the column.
            assert!(g.m[1] == 0.0 && g.m[2] == 0.0 && g.m[0] == -g.m[3], "{} is not upright: {:?}", g.text, g.m);
            assert!((centre(g) - column).abs() < 0.06 * em, "{} is off the column", g.text);
        }
        // Each digit below the last, closer than ideographs (an em apart).
        for w in glyphs.windows(2).filter(|w| is_digit(&w[0]) && is_digit(&w[1])) {
            assert!(w[1].y > w[0].y && w[1].y - w[0].y < 0.95 * em, "{:?}", w);
        }
        // The hyphen runs along the column, centred on it.
        let hyphen = glyphs.iter().find(|g| g.text == "-").unwrap();
        let b = ink_box(&fonts[0], hyphen);
        assert!(b[3] - b[1] > b[2] - b[0], "the hyphen lies across the column: {b:?}");
        assert!((centre(hyphen) - column).abs() < 0.02 * em);
        // A Latin word still turns.
        for g in glyphs.iter().filter(|g| "App".contains(g.text.as_str()) && !g.text.is_empty()) {
            assert!(g.m[0] == 0.0 && g.m[3] == 0.0 && !g.vertical, "App should be rotated: {:?}", g.m);
        }
    }

    #[test]
    fn vertical_punctuation_takes_vertical_forms() {
        let fonts = chain("heavy");
        let face = fonts[0].face();
        let marks = "，。、：；！？“”‘’（）《》「」『』【】〈〉…—";
        let text: String = marks.chars().flat_map(|c| ['字', c]).collect();
        let set = at_fixed(&[&text], 200.0, Direction::Vertical, false).unwrap();
        let glyphs = &set.runs[0].glyphs;
        for c in marks.chars() {
            let g = glyphs.iter().find(|g| g.text == c.to_string()).unwrap_or_else(|| panic!("{c} not set"));
            let horizontal = face.glyph_index(c).unwrap().0;
            assert_ne!(g.id, horizontal, "{c} kept its horizontal form");
            // Where Unicode has a vertical presentation form, it is that glyph.
            if let Some(form) = vertical_form(c) {
                assert_eq!(Some(g.id), face.glyph_index(form).map(|v| v.0), "{c} is not {form}");
            }
            assert!(g.vertical, "{c} is not written in vertical mode");
        }
        // No mark's ink runs into its neighbour's: vertical ：；！？ are
        // centred in their em and are not set in half of one.
        let mut boxes: Vec<[f64; 4]> = glyphs.iter().map(|g| ink_box(&fonts[0], g)).collect();
        boxes.sort_by(|a, b| a[1].total_cmp(&b[1]));
        for w in boxes.windows(2) {
            assert!(w[1][1] >= w[0][3] - 1e-6, "inks overlap: {:?}", w);
        }
    }

    #[test]
    fn a_vertical_dash_is_one_unbroken_line() {
        let fonts = chain("heavy");
        let set = at_fixed(&["钱转出去了——", "后悔也来不及……"], 20.0, Direction::Vertical, false).unwrap();
        let glyphs = &set.runs[0].glyphs;
        let ink = |t: &str| -> Vec<[f64; 4]> {
            glyphs.iter().filter(|g| g.text == t).map(|g| ink_box(&fonts[0], g)).collect()
        };
        let dashes = ink("—");
        assert_eq!(dashes.len(), 2);
        for b in &dashes {
            assert!(b[3] - b[1] > 5.0 * (b[2] - b[0]), "a dash is not a vertical line: {b:?}");
        }
        // The halves touch (overlap a hair), on one line down the column.
        assert!(dashes[1][1] <= dashes[0][3] && dashes[1][1] > dashes[0][1], "{dashes:?}");
        assert!((dashes[0][0] - dashes[1][0]).abs() < 1e-6 && (dashes[0][2] - dashes[1][2]).abs() < 1e-6);
        // Together about two ems long, clear of the character above.
        let length = dashes[1][3] - dashes[0][1];
        assert!(length > 1.7 * set.size && length <= 2.0 * set.size, "{length}");
        assert!(dashes[0][1] > ink("了")[0][3]);
        // The ellipsis: two columns of dots, evenly spaced, down the column.
        let dots = ink("…");
        assert_eq!(dots.len(), 2);
        for b in &dots {
            assert!(b[3] - b[1] > 3.0 * (b[2] - b[0]), "an ellipsis is not vertical: {b:?}");
        }
    }

    #[test]
    fn largest_size_that_fits() {
        let fonts = chain("heavy");
        let lines = vec!["全民反诈人人有责，".to_string(), "守护好家人钱袋子。".to_string()];
        let req = TextRequest {
            lines: &lines,
            fonts: &fonts,
            direction: Direction::Horizontal,
            rect: [0.0, 0.0, 170.0, 300.0],
            min_size: 5.0,
            max_size: f64::INFINITY,
            min_stroke: 0.0,
            line_spacing: 1.25,
            align: Align::Center,
            valign: Align::Center,
            block: false,
            drop_trailing: false,
            paint: paint(),
            words: None,
        };
        let set = set_text(&req).unwrap();
        // Each line is 8.5 em (half-width mark at the end): 170 / 8.5 = 20 pt.
        assert!((set.size - 20.0).abs() < 1e-6, "{}", set.size);
        // Every glyph lies inside the zone.
        for g in &set.runs[0].glyphs {
            assert!(g.x >= -1e-6 && g.x <= 170.0 && g.y <= 300.0, "{g:?}");
        }
        // Too small a zone at this minimum: an error with the size it would need.
        let tight = TextRequest { rect: [0.0, 0.0, 40.0, 20.0], ..req };
        match set_text(&tight) {
            Err(FitError::TooLong { best_size }) => assert!(best_size < 5.0 && best_size > 0.0),
            other => panic!("expected TooLong, got {other:?}"),
        }
    }

    #[test]
    fn a_chunked_tip_is_a_list_with_a_bullet_a_clause() {
        let fonts = chain("sans");
        let lines = clauses("三不一多：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。");
        assert_eq!(lines.len(), 5);
        let req = TextRequest {
            lines: &lines,
            fonts: &fonts,
            direction: Direction::Horizontal,
            rect: [0.0, 0.0, 300.0, 200.0],
            min_size: 10.0,
            max_size: 30.0,
            min_stroke: 0.0,
            line_spacing: 1.35,
            align: Align::Center,
            valign: Align::Center,
            block: true,
            drop_trailing: true,
            paint: paint(),
            words: None,
        };
        let set = set_text(&req).unwrap();
        // One line and one bullet a clause, the line-end marks dropped.
        assert_eq!(set.lines, ["三不一多：", "未知链接不点击", "陌生来电不轻信", "个人信息不透露", "转账汇款多核实"]);
        // The lead line has no bullet.
        assert_eq!(set.bullets.len(), 4);
        // The lines start together (a list), right of their bullets, and the
        // block (bullets included) sits in the middle of the zone.
        let x_of = |l: &String| {
            let c = l.chars().next().unwrap().to_string();
            set.runs[0].glyphs.iter().find(|g| g.text == c).unwrap().x
        };
        let firsts: Vec<f64> = set.lines.iter().skip(1).map(x_of).collect();
        assert!(firsts.iter().all(|x| (x - firsts[0]).abs() < 1e-6), "{firsts:?}");
        // The lead starts where the bullets' margin does.
        assert!((x_of(&set.lines[0]) - (firsts[0] - BULLET_INDENT * set.size)).abs() < 1e-6);
        let xs: Vec<f64> = set.bullets[0]
            .0
            .iter()
            .filter_map(|s| match *s {
                Seg::Move(x, _) | Seg::Line(x, _) | Seg::Cubic(_, _, _, _, x, _) => Some(x),
                Seg::Close => None,
            })
            .collect();
        let (bx, bright) = (xs.iter().copied().fold(f64::MAX, f64::min), xs.iter().copied().fold(0.0, f64::max));
        assert!(bright < firsts[0] && bx > 0.0, "{bx} {bright} {firsts:?}");
        let right = set.runs[0].glyphs.iter().map(|g| g.x + set.size).fold(0.0, f64::max);
        let left = firsts[0] - BULLET_INDENT * set.size;
        assert!(
            left >= 0.0 && left <= bx && (left - (300.0 - right)).abs() < 0.05 * set.size,
            "not centred: {left} .. {right}"
        );
        // Each list line is set as one line: the whole line fits the width.
        assert!(right <= 300.0 + 1e-6);
        // Too many clauses for the zone as a list, a paragraph: layout falls back (see build_side).
        let tight = TextRequest { rect: [0.0, 0.0, 300.0, 40.0], ..req };
        assert!(matches!(set_text(&tight), Err(FitError::TooLong { .. })));
        let one = vec![lines.concat()];
        let para = set_text(&TextRequest { lines: &one, block: false, drop_trailing: false, ..tight }).unwrap();
        assert!(para.bullets.is_empty() && para.lines.len() <= 2, "{:?}", para.lines);
    }

    #[test]
    fn paragraphs_fill_lines_and_respect_the_rules() {
        let fonts = chain("sans");
        let text = "三不一多：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。有事拨打96110。";
        let (runs, height) = set_paragraph(text, &fonts, 10.0, (0.0, 0.0), 100.0, 1.5, paint()).unwrap();
        let glyphs = &runs[0].glyphs;
        // Every glyph inside the width, several lines, all text kept in order.
        assert!(glyphs.iter().all(|g| g.x >= 0.0 && g.x < 100.0));
        assert!(height > 30.0, "{height}");
        let back: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(back, text);
        // No line starts with a closing mark: the first glyph of each line is not one.
        let mut prev_y = f64::NAN;
        for g in glyphs {
            if g.y != prev_y {
                assert!(!NO_START.contains(g.text.chars().next().unwrap()), "line starts with {}", g.text);
                prev_y = g.y;
            }
        }
    }

    #[test]
    fn nothing_to_set_is_an_error() {
        assert_eq!(at_fixed(&["  "], 20.0, Direction::Horizontal, false).unwrap_err(), FitError::Empty);
        assert_eq!(at_fixed(&["，。"], 20.0, Direction::Horizontal, true).unwrap_err(), FitError::Empty);
        assert_eq!(at_fixed(&[""], 20.0, Direction::Horizontal, false).unwrap_err(), FitError::Empty);
    }

    #[test]
    fn missing_characters_are_listed() {
        // Neither is in the 通用规范汉字表 nor in U+4E00–9FFF: no shipped font has them.
        let err = at_fixed(&["𠮷野家的𪚥"], 20.0, Direction::Horizontal, false).unwrap_err();
        assert_eq!(err, FitError::Missing(vec!['𠮷', '𪚥']));
    }

    #[test]
    fn vertical_columns_start_at_the_right_and_share_a_top() {
        let fonts = chain("heavy");
        let lines = vec!["骑车戴头盔，".to_string(), "平安把家回。".to_string(), "好".to_string()];
        let req = TextRequest {
            lines: &lines,
            fonts: &fonts,
            direction: Direction::Vertical,
            rect: [0.0, 0.0, 300.0, 400.0],
            min_size: 10.0,
            max_size: 20.0,
            min_stroke: 0.0,
            line_spacing: 1.5,
            align: Align::Start,
            valign: Align::Center,
            block: false,
            drop_trailing: false,
            paint: paint(),
            words: None,
        };
        let set = set_text(&req).unwrap();
        let g = |t: &str| set.runs[0].glyphs.iter().find(|g| g.text == t).unwrap().clone();
        // The first column hugs the right edge of the zone.
        assert!(g("骑").x > 300.0 - 20.0 - 1e-6, "{}", g("骑").x);
        // All columns start at the same height, even the short third one.
        assert!((g("骑").y - g("平").y).abs() < 1e-6 && (g("平").y - g("好").y).abs() < 1e-6);
        // The block is centred vertically: 5.5 em of column in 400 pt.
        let top = g("骑").y - fonts[0].em_top * 20.0;
        assert!((top - (400.0 - 5.5 * 20.0) / 2.0).abs() < 2.0, "{top}");
    }

    #[test]
    fn fast_line_widths_agree_with_composition() {
        let fonts = chain("heavy");
        let texts =
            ["他说：“别转账。”（真的）", "  钱没了——后悔也晚了……。", "《反诈》「提醒」：别点！", "有事打110，，好"];
        for (text, vertical) in texts.iter().flat_map(|t| [(t, false), (t, true)]) {
            let chars: Vec<char> = text.chars().collect();
            let units = build_units(&chars, &fonts, vertical).unwrap();
            for drop in [false, true] {
                let w = Widths::new(&units, drop);
                for a in 0..units.len() {
                    for b in a + 1..=units.len() {
                        let slow = compose(&units, a, b, drop).length;
                        assert!(
                            (w.line(a, b) - slow).abs() < 1e-9,
                            "{text} {a}..{b} drop={drop} vertical={vertical}: {} vs {slow}",
                            w.line(a, b)
                        );
                    }
                }
            }
        }
    }

    /// The paper cup's wall is bent round its ring's centre: each line of
    /// text keeps one radius (it runs level round the cup), each glyph is
    /// turned to the arc where it stands and lies inside the ring piece, a
    /// list's lines start on one radius (a vertical on the cup), and the
    /// pictogram is turned as a whole, not sheared.
    #[test]
    fn a_cup_wrap_sets_its_lines_along_the_arcs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lib = Library::load(root).unwrap();
        let item = lib.item("cup-paper").unwrap();
        let Some((Die::Sector { center, ri, ro, half }, _)) = item.die_line.clone() else { panic!("not a sector") };
        let slogan = lib.slogans.iter().find(|s| s.id == "xiaofang-dianche").unwrap();
        let station = crate::validate::Station { name: "城关派出所".into(), ..Default::default() };
        let scene = build_scene(&lib, item, slogan, &SceneOptions { station: Some(&station) }).unwrap();
        let (cx, cy) = (mm(center[0]), mm(center[1]));
        let mut radii: Vec<Vec<f64>> = Vec::new();
        for e in &scene.elements {
            let Element::Text(run) = e else { continue };
            let mut line: Vec<f64> = Vec::new();
            for g in &run.glyphs {
                let (dx, dy) = (g.x - cx, cy - g.y);
                let (r, phi) = (dx.hypot(dy), dx.atan2(dy));
                // Upright to the arc: the glyph's x axis is the tangent there.
                let along = g.m[1].atan2(g.m[0]);
                assert!((along - phi).abs() < 1e-9, "{} turned {along} at {phi}", g.text);
                let on = r / crate::PT_PER_MM;
                assert!(on > ri && on < ro, "{} at radius {on} mm", g.text);
                assert!(phi.abs() < half, "{} at {phi} rad", g.text);
                line.push(r);
            }
            radii.push(line);
        }
        assert!(radii.len() >= 4, "heading, slogan, station and tip: {}", radii.len());
        let mut lines = 0;
        for run in &radii {
            // Glyphs of a line share a baseline, the same radius to a hair;
            // the next line lies a line's height further in.
            lines += 1;
            for w in run.windows(2) {
                let step = (w[1] - w[0]).abs();
                assert!(step < 1e-6 || step > mm(2.0), "a line wavers: radii {} and {} pt", w[0], w[1]);
                lines += usize::from(step > mm(2.0));
            }
        }
        assert!(lines >= 5, "heading, two slogan lines, station and tip: {lines}");
        // The tip (the only blue text, a start-aligned list): each line's
        // first glyph at one angle.
        let blue = scene.inks.iter().position(|i| i.id == "blue").unwrap();
        let angle = |x: f64, y: f64| (x - cx).atan2(cy - y);
        let mut starts: Vec<(f64, f64)> = Vec::new();
        for e in &scene.elements {
            let Element::Text(run) = e else { continue };
            if run.paint.ink != blue {
                continue;
            }
            let mut last_r = f64::NAN;
            for g in &run.glyphs {
                let r = (g.x - cx).hypot(cy - g.y);
                if (r - last_r).abs() > mm(2.0) || last_r.is_nan() {
                    starts.push((r, angle(g.x, g.y)));
                }
                last_r = r;
            }
        }
        // Each first glyph lies the same arc length δ (the bullet's
        // indent) from one radius φa: φ = φa + δ / r, a line in (1 / r, φ).
        assert!(starts.len() >= 3, "the tip's lines: {starts:?}");
        let (a, b) = (starts[0], starts[starts.len() - 1]);
        let delta = (b.1 - a.1) / (1.0 / b.0 - 1.0 / a.0);
        let phi_a = a.1 - delta / a.0;
        assert!(delta.abs() < mm(10.0), "the lines start {delta} pt from one radius");
        for s in &starts {
            assert!((s.1 - (phi_a + delta / s.0)).abs() < 1e-9, "a list's lines start apart: {starts:?}");
        }
        // The pictogram (the blue fill that is not a band) is turned as a
        // whole: its subpaths' starts lie as far apart as laid out straight.
        let picto = |scene: &Scene| -> Vec<(f64, f64)> {
            let path = scene
                .elements
                .iter()
                .filter_map(|e| match e {
                    Element::Fill { path, paint } if paint.ink == blue => Some(path),
                    _ => None,
                })
                .find(|p| p.bounds().is_some_and(|b| b[2] - b[0] < mm(60.0)))
                .expect("the pictogram");
            path.0.iter().filter_map(|s| if let Seg::Move(x, y) = *s { Some((x, y)) } else { None }).collect()
        };
        let mut flat = item.clone();
        flat.die_line = None;
        let straight = build_scene(&lib, &flat, slogan, &SceneOptions { station: Some(&station) }).unwrap();
        let (bent, laid) = (picto(&scene), picto(&straight));
        assert!(bent.len() >= 3 && bent.len() == laid.len(), "{} {}", bent.len(), laid.len());
        let dist = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
        for i in 1..bent.len() {
            let (b, l) = (dist(bent[0], bent[i]), dist(laid[0], laid[i]));
            assert!((b - l).abs() < mm(0.01), "subpath {i}: {b} pt apart bent, {l} pt straight");
        }
        let (mx, my) = bent[0];
        assert!(angle(mx, my) < -0.2, "left of the face");
        // The dashed cut: the ring's piece itself.
        let cut = scene.die_line.as_ref().unwrap().path.bounds().unwrap().map(|v| v / crate::PT_PER_MM);
        assert!(
            (cut[1] - (center[1] - ro)).abs() < 1e-6 && (cut[3] - (center[1] - ri * half.cos())).abs() < 0.5,
            "{cut:?}"
        );
        assert!((cut[0] - (center[0] - ro * half.sin())).abs() < 0.5, "{cut:?}");
    }

    /// A zone box is checked as the ring's piece it is bent into: its far
    /// corner at the inner radius decides, and a box whose bent corners
    /// stay inside the cut passes while one a little wider does not.
    #[test]
    fn a_sector_holds_a_box_as_it_is_bent() {
        let die = Die::Sector { center: [127.5, 306.6], ri: 203.8, ro: 306.6, half: 49.1f64.to_radians() / 2.0 };
        let (w, h) = (255.0, 122.0);
        let bent = |x: f64, y: f64| {
            let d = 306.6 - y;
            let phi = (x - 127.5) / d;
            [127.5 + d * phi.sin(), 306.6 - d * phi.cos()]
        };
        for (b, ok) in [
            ([85.5, 24.0, 84.0, 46.0], true),
            ([38.0, 27.0, 38.0, 38.0], true),
            ([10.0, 27.0, 38.0, 38.0], false),
            ([85.5, 2.0, 84.0, 20.0], false),
            ([85.5, 90.0, 84.0, 10.0], false),
        ] {
            assert_eq!(die.holds_box(b, w, h, 5.0), ok, "{b:?}");
            let corners =
                [bent(b[0], b[1]), bent(b[0] + b[2], b[1]), bent(b[0], b[1] + b[3]), bent(b[0] + b[2], b[1] + b[3])];
            if ok {
                assert!(corners.iter().all(|&p| die.holds(p, w, h, 5.0 - 1e-6)), "{b:?} {corners:?}");
            } else {
                assert!(!corners.iter().all(|&p| die.holds(p, w, h, 5.0)), "{b:?} {corners:?}");
            }
        }
        assert!(die.holds([127.5, 60.0], w, h, 5.0) && !die.holds([2.0, 100.0], w, h, 0.0));
    }
}
