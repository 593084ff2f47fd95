//! Reviewer help: findings about a slogan's wording, in Chinese where they
//! speak to reviewers. Word lists live in `lint/words.yaml`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use pinyin::ToPinyinMulti;
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::layout::{self, SceneOptions};
use crate::library;
use crate::review;
use crate::scene::Scene;
use crate::segment::Segmenter;
use crate::validate::{Library, Slogan};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Error => "错误",
            Level::Warning => "警告",
            Level::Note => "提示",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub slogan: String,
    pub rule: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
    /// The item and template zone a layout finding is about.
    pub item: Option<String>,
    pub zone: Option<String>,
}

impl Finding {
    fn new(level: Level, slogan: &str, rule: &'static str, message: String, suggestion: &str) -> Finding {
        Finding {
            level,
            slogan: slogan.to_string(),
            rule,
            message,
            suggestion: Some(suggestion.to_string()),
            item: None,
            zone: None,
        }
    }

    /// The item (and template zone) a layout finding is about.
    fn on(self, item: &str, zone: Option<&str>) -> Finding {
        Finding { item: Some(item.to_string()), zone: zone.map(str::to_string), ..self }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordEntry {
    /// A word, or `A…B`: A, then B later in the same clause.
    pub word: String,
    #[serde(default)]
    pub instead: Option<String>,
    /// Longer words in which this one is ordinary speech (怪不得 for 不得).
    #[serde(default)]
    pub except: Vec<String>,
    /// Only when a word follows (不得进入, not 马虎不得).
    #[serde(default)]
    pub needs_next: bool,
}

/// `lint/words.yaml`, with `lint/traditional.txt`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub officialese: Vec<WordEntry>,
    pub commanding: Vec<WordEntry>,
    /// Traditional character → its simplified form(s), from Unihan.
    #[serde(skip)]
    pub traditional: BTreeMap<char, String>,
    /// Audience tags slogans use; a tag outside the list is a typo or a new
    /// group to add here.
    #[serde(default)]
    pub audience: Vec<String>,
}

impl Words {
    pub fn load(root: &Path) -> Result<Words, Diagnostic> {
        let mut words: Words = library::load_yaml(&root.join("lint").join("words.yaml"))?;
        let path = root.join("lint").join("traditional.txt");
        let text = library::read_text(&path)?;
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(' ');
            let (Some(t), Some(simple)) = (parts.next(), parts.next()) else {
                return Err(Diagnostic::data(format!("line {} is not `traditional simplified`", n + 1))
                    .at(crate::diag::Location::at(&path, n as u64 + 1, 1))
                    .hint("remake the file with python3 lint/build-traditional.py"));
            };
            let mut tc = t.chars();
            if let (Some(c), None) = (tc.next(), tc.next()) {
                words.traditional.insert(c, simple.to_string());
            }
        }
        Ok(words)
    }
}

/// A text with its word boundaries, segmented once for every entry.
struct Segmented {
    chars: Vec<char>,
    bound: Vec<bool>,
}

impl Segmented {
    fn new(text: &str, seg: &Segmenter) -> Segmented {
        Segmented { chars: text.chars().collect(), bound: seg.boundaries(text) }
    }
}

/// Where `word` (or `A…B`) occurs in a text as words, not inside another
/// word: the text it covers.
fn find_entry(e: &WordEntry, t: &Segmented, seg: &Segmenter) -> Option<String> {
    let (chars, bound) = (&t.chars, &t.bound);
    let n = chars.len();
    if !e.word.split('…').all(|part| {
        let first = part.chars().next();
        first.is_some_and(|f| chars.contains(&f))
    }) {
        return None;
    }
    // An edge at `i` is a word edge, or leaves a word of the dictionary of
    // two or more characters on the other side (安全|意识 in 安全意识; not 潜|意识).
    let left_ok = |i: usize| {
        bound[i] || {
            let a = (0..i).rev().find(|&k| bound[k]).unwrap_or(0);
            i - a >= 2 && seg.is_word(&chars[a..i].iter().collect::<String>())
        }
    };
    let right_ok = |j: usize| {
        bound[j] || {
            let b = (j + 1..=n).find(|&k| bound[k]).unwrap_or(n);
            b - j >= 2 && seg.is_word(&chars[j..b].iter().collect::<String>())
        }
    };
    let excepted = |i: usize, j: usize| {
        e.except.iter().any(|x| {
            let x: Vec<char> = x.chars().collect();
            (0..=n.saturating_sub(x.len())).any(|s| s <= i && j <= s + x.len() && chars[s..s + x.len()] == x[..])
        })
    };
    let occurrences = |w: &str, from: usize, to: usize| -> Vec<(usize, usize)> {
        let w: Vec<char> = w.chars().collect();
        if w.is_empty() || to < w.len() {
            return Vec::new();
        }
        (from..=to.saturating_sub(w.len()))
            .filter(|&i| chars[i..i + w.len()] == w[..])
            .map(|i| (i, i + w.len()))
            .filter(|&(i, j)| left_ok(i) && right_ok(j) && !excepted(i, j))
            .filter(|&(_, j)| !e.needs_next || chars.get(j).is_some_and(|c| is_cjk(*c) || c.is_alphanumeric()))
            .collect()
    };
    let text_of = |i: usize, j: usize| chars[i..j].iter().collect::<String>();
    match e.word.split_once('…') {
        None => occurrences(&e.word, 0, n).first().map(|&(i, j)| text_of(i, j)),
        Some((a, b)) => {
            const GAP: usize = 8;
            for (i, j) in occurrences(a, 0, n) {
                // B in the same clause, at most GAP characters after A.
                let end = (j..n).find(|&k| "，。！？；：,.!?;:".contains(chars[k])).unwrap_or(n);
                let to = end.min(j + GAP + b.chars().count());
                if let Some(&(_, l)) = occurrences(b, j, to).first() {
                    return Some(text_of(i, l));
                }
            }
            None
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn is_cjk_punct(c: char) -> bool {
    "，。！？、；：“”‘’（）《》【】「」『』…—·".contains(c)
}

struct Ctx<'a> {
    slogan: &'a Slogan,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn push(&mut self, level: Level, rule: &'static str, message: String, suggestion: Option<String>) {
        self.out.push(Finding {
            level,
            slogan: self.slogan.id.clone(),
            rule,
            message,
            suggestion,
            item: None,
            zone: None,
        });
    }
}

fn texts(s: &Slogan) -> Vec<(&'static str, &str)> {
    let mut v: Vec<(&'static str, &str)> = s.lines.iter().map(|l| ("标语", l.as_str())).collect();
    if let Some(t) = &s.tip {
        v.push(("小字提示", t.as_str()));
    }
    v.push(("标题", s.heading.as_str()));
    v
}

/// Rules on the wording alone (no layout).
pub fn wording_rules(s: &Slogan, words: &Words, seg: &Segmenter) -> Vec<Finding> {
    let mut cx = Ctx { slogan: s, out: Vec::new() };
    let segmented: Vec<Segmented> = texts(s).iter().map(|(_, t)| Segmented::new(t, seg)).collect();
    let found = |w: &WordEntry| segmented.iter().find_map(|t| find_entry(w, t, seg));
    let quoted = |w: &WordEntry, at: &str| {
        if w.word == at { format!("“{at}”") } else { format!("“{}”（{at}）", w.word) }
    };
    for w in &words.officialese {
        if let Some(at) = found(w) {
            cx.push(
                Level::Warning,
                "officialese",
                format!("用了官话套话{}，老百姓听着隔一层。", quoted(w, &at)),
                Some(match &w.instead {
                    Some(i) => format!("换成大白话，比如“{i}”，或者直接说要做的事。"),
                    None => "删掉它，直接说要做的事。".into(),
                }),
            );
        }
    }
    for w in &words.commanding {
        if let Some(at) = found(w) {
            cx.push(
                Level::Warning,
                "commanding",
                format!("{}是命令、吓唬的口气。", quoted(w, &at)),
                Some(match &w.instead {
                    Some(i) => format!("改成友好的提醒，比如用“{i}”。"),
                    None => "改成友好的提醒：说清楚为什么、怎么做。".into(),
                }),
            );
        }
    }
    for (what, t) in texts(s) {
        let chars: Vec<char> = t.chars().collect();
        // Half-width punctuation inside Chinese text.
        for (i, &c) in chars.iter().enumerate() {
            if ",.!?;:()".contains(c) {
                let near_cjk = chars.get(i.wrapping_sub(1)).is_some_and(|&p| is_cjk(p) || is_cjk_punct(p))
                    || chars.get(i + 1).is_some_and(|&n| is_cjk(n) || is_cjk_punct(n))
                    || i + 1 == chars.len() && chars.iter().any(|&x| is_cjk(x));
                if near_cjk {
                    let full = match c {
                        ',' => '，',
                        '.' => '。',
                        '!' => '！',
                        '?' => '？',
                        ';' => '；',
                        ':' => '：',
                        '(' => '（',
                        _ => '）',
                    };
                    cx.push(
                        Level::Error,
                        "half-width-punctuation",
                        format!("{what}“{t}”里有半角标点“{c}”。"),
                        Some(format!("中文里用全角“{full}”。")),
                    );
                }
            }
        }
        // Full-width letters and digits mixed with half-width ones.
        if let Some(&c) = chars.iter().find(|&&c| ('０'..='９').contains(&c) || ('Ａ'..='ｚ').contains(&c)) {
            cx.push(
                Level::Warning,
                "mixed-width",
                format!("{what}“{t}”里有全角字母或数字“{c}”。"),
                Some("电话号码和字母用半角：110、96110、APP。".into()),
            );
        }
        // Doubled punctuation (—— and …… are single marks).
        for w in chars.windows(2) {
            if w[0] == w[1] && "，。！？、；：".contains(w[0])
                || (is_cjk_punct(w[0]) && "，。、；：".contains(w[1]) && "，。、；：".contains(w[0]))
            {
                cx.push(
                    Level::Warning,
                    "doubled-punctuation",
                    format!("{what}“{t}”里标点重复：“{}{}”。", w[0], w[1]),
                    Some("只留一个标点。".into()),
                );
                break;
            }
        }
        // Stray spaces: any space except between two Latin letters or digits.
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                let latin = |x: Option<&char>| x.is_some_and(|c| c.is_ascii_alphanumeric());
                if !(latin(chars.get(i.wrapping_sub(1))) && latin(chars.get(i + 1))) {
                    cx.push(
                        Level::Warning,
                        "stray-space",
                        format!("{what}“{t}”里有多余的空格。"),
                        Some("删掉空格；要断行就分成两行写。".into()),
                    );
                    break;
                }
            }
        }
        // Traditional characters in simplified text.
        let trad: Vec<String> = chars
            .iter()
            .filter_map(|c| {
                words.traditional.get(c).map(|s| {
                    let s: Vec<String> = s.chars().map(|x| format!("“{x}”")).collect();
                    format!("“{c}”应为{}", s.join("或"))
                })
            })
            .collect();
        if !trad.is_empty() {
            cx.push(
                Level::Error,
                "traditional-characters",
                format!("{what}“{t}”里混了繁体字：{}。", trad.join("，")),
                Some("全部用简体字。".into()),
            );
        }
    }
    if !words.audience.is_empty() {
        for a in s.audience.iter().filter(|a| !words.audience.contains(a)) {
            cx.push(
                Level::Warning,
                "unknown-audience",
                format!("对象“{a}”不在 lint/words.yaml 的 audience 列表里。"),
                Some(format!("用已有的对象（{}），或者把新对象加进列表。", words.audience.join("、"))),
            );
        }
    }
    if let Some(tip) = &s.tip
        && s.source.is_none()
        && states_a_rule(tip)
    {
        cx.push(
            Level::Warning,
            "needs-source",
            format!("小字提示“{tip}”讲了规定或号码，没写依据。"),
            Some("加 source:，写明法律、规定或热线的主管单位，方便审核人核对。".into()),
        );
    }
    // The heading band and the slogan print one above the other.
    let core = |t: &str| t.chars().filter(|c| is_cjk(*c) || c.is_ascii_alphanumeric()).collect::<String>();
    if core(&s.text()) == core(&s.heading) {
        cx.push(
            Level::Warning,
            "same-as-heading",
            format!("标语和标题“{}”一样，海报上会印两遍。", s.heading),
            Some("换个标题，或者把标语写得再具体些。".into()),
        );
    }
    // Couplets: equal lengths and an end rhyme.
    if s.lines.len() == 2 {
        let count = |l: &str| l.chars().filter(|c| is_cjk(*c) || c.is_ascii_alphanumeric()).count();
        let (a, b) = (count(&s.lines[0]), count(&s.lines[1]));
        if a != b {
            cx.push(
                Level::Note,
                "couplet-length",
                format!("上下两句字数不一样（{a} 字 / {b} 字）。"),
                Some("对句读起来更顺：试试两句一样长（7+7、5+5）。".into()),
            );
        }
        if let (Some((ca, fa)), Some((cb, fb))) = (last_finals(&s.lines[0]), last_finals(&s.lines[1])) {
            // Any reading of a character with several (觉 jué/jiào) may rhyme.
            let rhymes = fa.iter().any(|a| fb.iter().any(|b| rhyme_group(a) == rhyme_group(b)));
            if !rhymes {
                cx.push(
                    Level::Note,
                    "no-end-rhyme",
                    format!("两句末字“{ca}”（{}）和“{cb}”（{}）不押韵。", fa[0], fb[0]),
                    Some("顺口溜押韵更好记：换个同韵的字收尾。".into()),
                );
            }
        }
    }
    cx.out
}

/// A tip that states a rule, a right or a number people act on.
fn states_a_rule(tip: &str) -> bool {
    const MARKS: [&str; 14] =
        ["法", "规定", "条例", "不收", "免费", "不会", "只能", "只有", "可以", "需要", "要求", "罚", "拘", "判"];
    tip.chars().any(|c| c.is_ascii_digit()) || MARKS.iter().any(|m| tip.contains(m))
}

/// The last ideograph of a line and the pinyin finals of its readings
/// (tone marks removed), the usual reading first.
pub fn last_finals(line: &str) -> Option<(char, Vec<String>)> {
    let c = line.chars().rev().find(|c| is_cjk(*c) || c.is_ascii_digit())?;
    // Digits are read aloud: 110 ends in 零, 119 in 九, 12345 in 五; a 1 in a
    // number is read yī or yāo.
    let spoken: Option<&[&str]> = match c {
        '0' => Some(&["ling"]),
        '1' => Some(&["yi", "yao"]),
        '2' => Some(&["er", "liang"]),
        '3' => Some(&["san"]),
        '4' => Some(&["si"]),
        '5' => Some(&["wu"]),
        '6' => Some(&["liu"]),
        '7' => Some(&["qi"]),
        '8' => Some(&["ba"]),
        '9' => Some(&["jiu"]),
        _ => None,
    };
    let finals: Vec<String> = match spoken {
        Some(readings) => readings.iter().map(|p| final_of(p)).collect(),
        None => c.to_pinyin_multi()?.into_iter().map(|p| final_of(p.plain())).collect(),
    };
    (!finals.is_empty()).then_some((c, finals))
}

fn final_of(py: &str) -> String {
    let py = py.replace('v', "ü");
    for ini in
        ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s"]
    {
        if let Some(rest) = py.strip_prefix(ini) {
            // After j, q, x a written u is ü.
            if matches!(ini, "j" | "q" | "x") && rest.starts_with('u') {
                return format!("ü{}", &rest[1..]);
            }
            return rest.to_string();
        }
    }
    // y and w spell medials.
    if let Some(rest) = py.strip_prefix('y') {
        return match rest {
            r if r.starts_with('u') => format!("ü{}", &r[1..]),
            r if r.starts_with('i') => r.to_string(),
            r => format!("i{r}"),
        };
    }
    if let Some(rest) = py.strip_prefix('w') {
        return if rest.starts_with('u') { rest.to_string() } else { format!("u{rest}") };
    }
    py
}

/// Rhyme groups after the thirteen classes of folk verse (十三辙), lenient:
/// finals in one group rhyme.
pub fn rhyme_group(fin: &str) -> &'static str {
    let f = fin.trim_start_matches(['i', 'u', 'ü']);
    let f = if f.is_empty() { fin } else { f };
    match f {
        "a" => "发花",
        "o" | "e" => "梭波",
        "ie" | "üe" => "乜斜",
        "ai" => "怀来",
        "ei" => "灰堆",
        "ao" => "遥条",
        "ou" => "油求",
        "an" | "ian" | "üan" => "言前",
        "en" | "n" => "人辰",
        "ang" => "江阳",
        "eng" | "ng" | "ong" => "中东",
        "i" | "ü" | "er" | "r" => "一七",
        "u" => "姑苏",
        _ => match fin {
            "i" | "ü" => "一七",
            "u" => "姑苏",
            "iu" => "油求",
            "ui" => "灰堆",
            "in" | "un" | "ün" => "人辰",
            _ => "其他",
        },
    }
}

/// Lint slogans: wording rules, then layout on every item each is meant for,
/// then duplicates across the whole library.
pub fn lint(lib: &Library, words: &Words, ids: Option<&[String]>) -> Vec<Finding> {
    lint_using(lib, words, ids, &|item, s, side| scene(lib, item, s, side))
}

/// One side of a slogan's scene on an item without a station, built for this call.
fn scene(lib: &Library, item: &crate::validate::Item, s: &Slogan, side: usize) -> Result<Arc<Scene>, Diagnostic> {
    layout::build_side(lib, item, s, &SceneOptions::default(), side).map(Arc::new)
}

/// How lint gets one side (0 the front) of a slogan's scene on an item (no
/// station): built for the call, or taken from a caller that keeps scenes
/// (the studio draws its previews from the same ones).
pub type SceneOf<'a> = &'a dyn Fn(&crate::validate::Item, &Slogan, usize) -> Result<Arc<Scene>, Diagnostic>;

/// [`lint`], with the scenes from `scene_of`.
pub fn lint_using(lib: &Library, words: &Words, ids: Option<&[String]>, scene_of: SceneOf) -> Vec<Finding> {
    let mut out = Vec::new();
    let is_chosen: Vec<bool> =
        lib.slogans.iter().map(|s| ids.is_none_or(|ids| ids.iter().any(|i| i == &s.id))).collect();
    let chosen: Vec<&Slogan> = lib.slogans.iter().zip(&is_chosen).filter(|(_, c)| **c).map(|(s, _)| s).collect();
    for s in &chosen {
        out.extend(wording_rules(s, words, &lib.words));
        out.extend(layout_rules(lib, s, scene_of));
    }
    // Duplicates: exact wording, or mostly the same two-character pieces.
    // Each chosen slogan against every other (a pair of chosen ones worked
    // out once), not every pair of the library: the studio asks about one at
    // a time. Each side that was asked about hears of the other, in the
    // library's order.
    let index = pieces_of(lib);
    let mut both_chosen: std::collections::HashMap<(usize, usize), (Level, String)> = Default::default();
    for (i, this) in lib.slogans.iter().enumerate().filter(|(i, _)| is_chosen[*i]) {
        for (j, other) in lib.slogans.iter().enumerate() {
            let found = match (j.cmp(&i), is_chosen[j]) {
                (std::cmp::Ordering::Equal, _) => continue,
                // Worked out when `other` was the one asked about.
                (std::cmp::Ordering::Less, true) => both_chosen.get(&(j, i)).cloned(),
                (std::cmp::Ordering::Less, false) => duplicate(&index[j], &index[i]),
                (std::cmp::Ordering::Greater, chosen) => {
                    let d = duplicate(&index[i], &index[j]);
                    if let (true, Some(d)) = (chosen, &d) {
                        both_chosen.insert((i, j), d.clone());
                    }
                    d
                }
            };
            if let Some((level, what)) = found {
                out.push(duplicate_finding(level, this, other, &what));
            }
        }
    }
    accept(&chosen, &mut out);
    out.sort_by(|x, y| (x.slogan.as_str(), x.level, x.rule).cmp(&(y.slogan.as_str(), y.level, y.rule)));
    out
}

/// Lint a slogan that is not in the library yet (the studio's editor, as
/// the author types): the same rules, duplicates against the library (its
/// own earlier version, same id, left out).
pub fn lint_draft(lib: &Library, words: &Words, draft: &Slogan) -> Vec<Finding> {
    let mut out = wording_rules(draft, words, &lib.words);
    out.extend(layout_rules(lib, draft, &|item, s, side| scene(lib, item, s, side)));
    let mine = Pieces::of(draft);
    let index = pieces_of(lib);
    for (other, theirs) in lib.slogans.iter().zip(index.iter()).filter(|(o, _)| o.id != draft.id) {
        if let Some((level, what)) = duplicate(&mine, theirs) {
            out.push(duplicate_finding(level, draft, other, &what));
        }
    }
    accept(&[draft], &mut out);
    out.sort_by(|x, y| (x.level, x.rule).cmp(&(y.level, y.rule)));
    out
}

/// A slogan's text as duplicates are judged: its words without punctuation,
/// and their character pairs (sorted, each once).
#[derive(Debug, Clone)]
pub struct Pieces {
    text: String,
    pairs: Vec<(char, char)>,
}

impl Pieces {
    fn of(s: &Slogan) -> Pieces {
        let text = core_text(s);
        let pairs = pairs(&text);
        Pieces { text, pairs }
    }
}

/// The library's pieces, in the order of its slogans: worked out once per
/// loaded library (a studio lints one slogan per page against all others).
/// (A library whose slogans were changed since gets them worked out afresh.)
fn pieces_of(lib: &Library) -> std::borrow::Cow<'_, [Pieces]> {
    let made = lib.pieces.get_or_init(|| lib.slogans.iter().map(Pieces::of).collect());
    if made.len() == lib.slogans.len() {
        std::borrow::Cow::Borrowed(made)
    } else {
        std::borrow::Cow::Owned(lib.slogans.iter().map(Pieces::of).collect())
    }
}

/// Exact wording, or mostly the same two-character pieces.
fn duplicate(a: &Pieces, b: &Pieces) -> Option<(Level, String)> {
    if a.text == b.text {
        return Some((Level::Error, "一字不差".to_string()));
    }
    let sim = jaccard(&a.pairs, &b.pairs);
    (sim >= 0.6).then(|| (Level::Warning, format!("太像（相似度 {:.0}%）", sim * 100.0)))
}

fn pairs(t: &str) -> Vec<(char, char)> {
    let c: Vec<char> = t.chars().collect();
    let mut v: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// |A ∩ B| / |A ∪ B| of two sorted, deduplicated lists.
fn jaccard(a: &[(char, char)], b: &[(char, char)]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

fn duplicate_finding(level: Level, this: &Slogan, other: &Slogan, what: &str) -> Finding {
    Finding::new(
        level,
        &this.id,
        "duplicate",
        format!("和“{}”的标语{what}。", other.id),
        "删掉一条，或者把两条写得各有特点。",
    )
}

/// Warnings a slogan's `accept:` answers become notes that say why; an
/// acceptance that answers nothing is itself a warning (it would hide the
/// next, different problem). Errors cannot be accepted.
fn accept(chosen: &[&Slogan], out: &mut Vec<Finding>) {
    for s in chosen {
        for (rule, why) in &s.accept {
            let mut used = false;
            for f in out.iter_mut().filter(|f| f.slogan == s.id && f.rule == rule) {
                if f.level == Level::Error {
                    continue;
                }
                used = true;
                f.level = Level::Note;
                f.message = format!("{}（已接受：{why}）", f.message);
            }
            if !used {
                out.push(Finding::new(
                    Level::Warning,
                    &s.id,
                    "unused-accept",
                    format!("accept 里的“{rule}”没有对应的警告（错误不能接受）。"),
                    "删掉这条 accept，或者改掉错误。",
                ));
            }
        }
    }
}

fn core_text(s: &Slogan) -> String {
    s.lines.concat().chars().filter(|c| is_cjk(*c) || c.is_ascii_alphanumeric()).collect()
}

/// Jaccard similarity of the character bigrams of two texts.
pub fn similarity(a: &str, b: &str) -> f64 {
    jaccard(&pairs(a), &pairs(b))
}

/// Fit on each item the slogan is meant for; poster slogans in more than two lines.
fn layout_rules(lib: &Library, s: &Slogan, scene_of: SceneOf) -> Vec<Finding> {
    let mut out = Vec::new();
    for item in &lib.items {
        if !item.suits(s) {
            continue;
        }
        // Every side: a two-sided item's back prints text too (the tri-fold's heading).
        for side in 0..item.side_count() {
            let name = if side == 0 { item.name.clone() } else { format!("{}背面", item.name) };
            match scene_of(item, s, side) {
                Ok(scene) => {
                    if item.product == "海报" && scene.slogan_lines > 2 {
                        out.push(
                            Finding::new(
                                Level::Warning,
                                &s.id,
                                "lines-on-poster",
                                format!("在{}（{}）上要排成 {} 行。", item.name, item.id, scene.slogan_lines),
                                "海报上的标语最好一两行：缩短，或者自己分好两行。",
                            )
                            .on(&item.id, None),
                        );
                    }
                    for (zone, word) in &scene.split_words {
                        out.push(
                            Finding::new(
                                Level::Warning,
                                &s.id,
                                "word-split",
                                format!("在{name}（{}）的 {zone} 区，“{word}”被拆到两行。", item.id),
                                "词和词之间都放不下：缩短这一句，或者自己分行。",
                            )
                            .on(&item.id, Some(zone)),
                        );
                    }
                }
                Err(d) => {
                    let missing = d.message.contains("no font of role");
                    let finding = if missing {
                        Finding::new(
                            Level::Error,
                            &s.id,
                            "missing-glyph",
                            format!("字体里没有这些字：{}", d.message.rsplit(" has ").next().unwrap_or("")),
                            "换成常用字。",
                        )
                    } else {
                        Finding::new(
                            Level::Error,
                            &s.id,
                            "does-not-fit",
                            format!("放不进{name}（{}）：{}", item.id, d.message),
                            "缩短标语，或者用 items: 只标在放得下的物品上。",
                        )
                    };
                    let finding = finding.on(&item.id, d.zone.as_deref());
                    // The same missing glyph on both sides is one finding.
                    if !out
                        .iter()
                        .any(|f| f.rule == finding.rule && f.message == finding.message && f.item == finding.item)
                    {
                        out.push(finding);
                    }
                }
            }
        }
    }
    if let Some(items) = &s.items {
        for id in items {
            if lib.item(id).is_none() {
                out.push(
                    Finding::new(
                        Level::Error,
                        &s.id,
                        "unknown-item",
                        format!("items 里的“{id}”不是已有的物品模板。"),
                        "用 jiediqi items 查看物品编号。",
                    )
                    .on(id, None),
                );
            }
        }
    }
    out
}

/// A string's JSON escape (without the quotes).
pub fn json_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if c.is_control() => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

/// The findings as JSON (for tools).
pub fn to_json(findings: &[Finding]) -> String {
    let esc = json_escape;
    let opt = |v: &Option<String>| v.as_deref().map(|s| format!("\"{}\"", esc(s))).unwrap_or_else(|| "null".into());
    let items: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "  {{\"level\": \"{}\", \"slogan\": \"{}\", \"rule\": \"{}\", \"item\": {}, \"zone\": {}, \"message\": \"{}\", \"suggestion\": {}}}",
                f.level.label(),
                esc(&f.slogan),
                f.rule,
                opt(&f.item),
                opt(&f.zone),
                esc(&f.message),
                opt(&f.suggestion)
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

/// For the proof sheet: a slogan's review state in Chinese.
pub fn state_zh(state: &review::State) -> String {
    match state {
        review::State::Pending => "待审核".into(),
        review::State::Approved(r) => format!("已通过（{}，{}）", r.reviewer, r.time),
        review::State::ChangesRequested(r) => format!("需修改（{}，{}）", r.reviewer, r.time),
        review::State::Rejected(r) => format!("不通过（{}，{}）", r.reviewer, r.time),
        review::State::Stale(r) => format!("措辞已改，原审核作废（{} 于 {} 通过旧措辞）", r.reviewer, r.time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slogan(lines: &[&str], tip: Option<&str>) -> Slogan {
        Slogan::for_test(lines, tip)
    }

    fn words() -> Words {
        Words::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn rules(lines: &[&str], tip: Option<&str>) -> Vec<&'static str> {
        wording_rules(&slogan(lines, tip), &words(), &Segmenter::default()).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn officialese_is_flagged_with_a_plainer_word() {
        let f = wording_rules(&slogan(&["切实落实反诈工作"], None), &words(), &Segmenter::default());
        let o: Vec<&Finding> = f.iter().filter(|f| f.rule == "officialese").collect();
        assert_eq!(o.len(), 2);
        assert!(o.iter().any(|f| f.suggestion.as_deref().unwrap().contains("做到")));
        assert!(!rules(&["骑车戴头盔"], None).contains(&"officialese"));
    }

    #[test]
    fn commanding_tone_is_flagged() {
        assert!(rules(&["严禁酒后驾车"], None).contains(&"commanding"));
        assert!(rules(&["违者必究"], None).contains(&"commanding"));
        assert!(!rules(&["喝了酒，别开车"], None).contains(&"commanding"));
    }

    #[test]
    fn half_width_punctuation_in_chinese_is_an_error() {
        let f = wording_rules(&slogan(&["骑车戴头盔,平安把家回"], None), &words(), &Segmenter::default());
        assert!(f.iter().any(|f| f.rule == "half-width-punctuation" && f.level == Level::Error));
        assert!(!rules(&["骑车戴头盔，平安把家回"], None).contains(&"half-width-punctuation"));
        // Inside numbers and Latin it is fine.
        assert!(!rules(&["下载国家反诈中心APP"], Some("拨打0912-1234567")).contains(&"half-width-punctuation"));
    }

    #[test]
    fn full_width_digits_are_flagged() {
        assert!(rules(&["有事打１１０"], None).contains(&"mixed-width"));
        assert!(!rules(&["有事打110"], None).contains(&"mixed-width"));
    }

    #[test]
    fn doubled_punctuation_is_flagged() {
        assert!(rules(&["快跑！！"], None).contains(&"doubled-punctuation"));
        assert!(rules(&["先挂断，，再核实"], None).contains(&"doubled-punctuation"));
        assert!(!rules(&["钱没了——后悔也晚了……"], None).contains(&"doubled-punctuation"));
        assert!(!rules(&["先挂断，再核实。"], None).contains(&"doubled-punctuation"));
    }

    #[test]
    fn stray_spaces_are_flagged() {
        assert!(rules(&["骑车 戴头盔"], None).contains(&"stray-space"));
        assert!(rules(&["骑车戴头盔"], Some("扣好　带子")).contains(&"stray-space"));
        assert!(rules(&["下载 APP 查一查"], None).contains(&"stray-space"));
        assert!(!rules(&["Wi Fi"], None).contains(&"stray-space"));
    }

    #[test]
    fn traditional_characters_are_errors() {
        let f = wording_rules(&slogan(&["接到電話先核实"], None), &words(), &Segmenter::default());
        let t = f.iter().find(|f| f.rule == "traditional-characters").unwrap();
        assert_eq!(t.level, Level::Error);
        assert!(t.message.contains("“電”应为“电”"));
        assert!(!rules(&["接到电话先核实"], None).contains(&"traditional-characters"));
    }

    #[test]
    fn couplets_want_equal_lengths_and_a_rhyme() {
        assert!(rules(&["土豆茄子西红柿，", "转账之前多核实。"], None).is_empty());
        assert!(rules(&["骑车戴头盔，", "平安把家回。"], None).is_empty());
        assert!(rules(&["骑车戴头盔，", "平安回家去。"], None).contains(&"no-end-rhyme"));
        assert!(rules(&["骑车戴头盔，", "平安回。"], None).contains(&"couplet-length"));
        assert!(!rules(&["骑车戴头盔，", "平安把家回。"], None).contains(&"couplet-length"));
    }

    #[test]
    fn finals_and_rhyme_groups() {
        assert_eq!(final_of("shi"), "i");
        assert_eq!(final_of("ju"), "ü");
        assert_eq!(final_of("yuan"), "üan");
        assert_eq!(final_of("wo"), "uo");
        assert_eq!(final_of("xiong"), "iong");
        assert_eq!(rhyme_group("ang"), rhyme_group("iang"));
        assert_eq!(rhyme_group("eng"), rhyme_group("iong"));
        assert_ne!(rhyme_group("ang"), rhyme_group("an"));
        assert_eq!(rhyme_group("ui"), rhyme_group("ei"));
    }

    #[test]
    fn near_duplicates_are_similar() {
        assert!((similarity("转账之前多核实", "转账之前先核实") - 0.5).abs() < 1e-9);
        assert!(similarity("转账之前多核实钱袋子才安全", "转账之前多核实钱袋子就安全") > 0.6);
        assert!(similarity("骑车戴头盔", "油锅着火别泼水") < 0.1);
    }

    #[test]
    fn digits_rhyme_as_they_are_read() {
        // A line ending in a number ends in the sound of its last digit.
        let f = |l: &str| super::last_finals(l).map(|(_, v)| v).unwrap_or_default();
        assert_eq!(f("有事请拨110"), vec!["ing".to_string()]);
        assert_eq!(f("着火就打119"), vec!["iu".to_string()]);
        assert!(f("反诈专线96110").contains(&"ing".to_string()));
        assert!(f("比赛要赢").contains(&"ing".to_string()));
    }

    /// Probes the lint has not been tuned on one by one: officialese and
    /// threats must be caught, plain speech that merely contains such a
    /// word must not be.
    #[test]
    fn officialese_and_threats_are_caught_plain_speech_is_not() {
        let flagged = |t: &str| {
            let r = rules(&[t], None);
            r.contains(&"officialese") || r.contains(&"commanding")
        };
        for t in [
            "夯实群众基础，筑牢安全防线",
            "打好反诈组合拳",
            "进一步提高群众防范意识",
            "营造全民反诈的浓厚氛围",
            "切实增强安全意识",
            "多措并举，确保宣传全覆盖",
            "严禁在河道游泳，违者后果自负",
            "任何人不得私自下河",
            "一经发现，从严处理",
            "不准在楼道停放电动车",
            "以宣传为抓手，推动工作落地见效",
            "贯彻落实上级部署",
            "广大群众要积极参与",
            "加大打击力度",
            "构建群防群治格局",
            "提高安全意识",
            "电动车一律不得进楼",
        ] {
            assert!(flagged(t), "not flagged: {t}");
        }
        for t in [
            "怪不得他天天往外跑",
            "恨不得马上回家",
            "潜意识里觉得不对劲",
            "这事马虎不得",
            "舍不得花钱买头盔？",
            "他意识到自己被骗了",
            "下意识地捂紧钱包",
            "有意识地多问一句",
            "土豆茄子西红柿，转账之前多核实",
            "碰不得的是毒品",
            "由不得你不信",
            "记不得密码就去柜台问",
            "骗子最怕你多问一句",
            "不得不说，这招真灵",
            "见不得人的钱别收",
        ] {
            assert!(!flagged(t), "flagged: {t}: {:?}", rules(&[t], None));
        }
    }

    #[test]
    fn a_slogan_that_repeats_its_heading_is_flagged() {
        let mut s = slogan(&["防骗小贴士"], None);
        assert!(wording_rules(&s, &words(), &Segmenter::default()).iter().any(|f| f.rule == "same-as-heading"));
        s.lines = vec!["转账之前多核实".into()];
        assert!(!wording_rules(&s, &words(), &Segmenter::default()).iter().any(|f| f.rule == "same-as-heading"));
    }

    #[test]
    fn the_traditional_table_is_complete() {
        let w = words();
        assert!(w.traditional.len() > 6000);
        for (t, s) in [('餡', '馅'), ('餅', '饼'), ('後', '后'), ('裡', '里'), ('麼', '么')] {
            assert!(w.traditional.get(&t).is_some_and(|x| x.contains(s)), "{t}");
        }
        // Characters simplified text uses in their own right are not listed.
        for c in ['著', '乾', '里', '后', '干'] {
            assert!(!w.traditional.contains_key(&c), "{c}");
        }
        assert!(rules(&["天上不会掉餡餅"], None).contains(&"traditional-characters"));
    }

    #[test]
    fn numbers_at_a_line_end_rhyme_as_spoken() {
        assert!(!rules(&["办事别跑冤枉路，", "拿不准就打12345。"], None).contains(&"no-end-rhyme"));
        assert!(!rules(&["有事别慌要冷静，", "遇事先拨110。"], None).contains(&"no-end-rhyme"));
        assert!(rules(&["办事别跑冤枉路，", "遇事先拨110。"], None).contains(&"no-end-rhyme"));
    }
}
