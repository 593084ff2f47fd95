//! Chinese word boundaries, for line breaking (keep words whole) and lint
//! (match words, not substrings: 潜意识 is not 意识).
//!
//! The segmenter is jieba-rs with jieba's dictionary (`jieba-dict.txt`, MIT,
//! see `README.md` here) plus the project's own words (`lint/dictionary.yaml`,
//! station names). Building jieba's trie from 349 045 words takes about
//! 170 ms, longer than rendering a poster, so it is never built: the
//! dictionary is kept sorted, and for each text the words that occur in it
//! are found by binary search and given to a small jieba instance, with one
//! filler entry that brings the frequency total to the full dictionary's.
//! jieba only ever looks at words that occur in the text and at that total,
//! so the result is the same as with the whole dictionary (a test checks it).

use jieba_rs::Jieba;

/// jieba's dictionary: `word freq` lines, sorted by the word's bytes.
static DICT: &str = include_str!("jieba-dict.txt");
/// The sum of every frequency in [`DICT`] (checked by a test).
const DICT_TOTAL: u64 = 60_101_964;
/// The longest word in [`DICT`], in characters (checked by a test).
const DICT_MAX_CHARS: usize = 16;
/// Frequency given to project words: that of a common word, so a domain
/// word wins over its pieces (烟感报警器 over 烟|感|报警器).
pub const PROJECT_FREQ: u64 = 20_000;
/// A word that never occurs in text jieba segments (private use, not in
/// jieba's character class), carrying the rest of the total.
const FILLER: &str = "\u{E000}";

/// Word boundaries for a project: jieba's dictionary and the project's words.
#[derive(Debug, Clone, Default)]
pub struct Segmenter {
    /// Project words, sorted and unique, with the frequency each adds to the
    /// total (a word jieba also has is raised to `PROJECT_FREQ`, if lower).
    extra: Vec<(String, u64)>,
    extra_delta: i64,
    /// A hash of `extra`, to find this word set's jieba instance quickly.
    fingerprint: u64,
    /// Boundaries already worked out with these words: a slogan's lines are
    /// cut once, not again for every item, zone and lint pass. Shared by
    /// clones (same words), fresh for [`Segmenter::with`].
    memo: std::sync::Arc<std::sync::Mutex<Memo>>,
}

/// Texts and their boundaries, bounded so a long-running studio stays small.
#[derive(Debug, Default)]
struct Memo {
    map: std::collections::HashMap<String, std::sync::Arc<[bool]>>,
    chars: usize,
}

/// Characters of text remembered at most per segmenter.
const MEMO_CHARS: usize = 1 << 20;

impl Segmenter {
    pub fn new<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Segmenter {
        let mut s = Segmenter::default();
        s.add(words);
        s
    }

    /// The same segmenter with more words (a station's name for one scene).
    pub fn with<S: AsRef<str>>(&self, words: impl IntoIterator<Item = S>) -> Segmenter {
        let mut s = self.clone();
        s.memo = Default::default();
        s.add(words);
        s
    }

    fn add<S: AsRef<str>>(&mut self, words: impl IntoIterator<Item = S>) {
        for w in words {
            let w = w.as_ref().trim();
            if w.is_empty() || w.contains(char::is_whitespace) {
                continue;
            }
            if let Err(at) = self.extra.binary_search_by(|(e, _)| e.as_str().cmp(w)) {
                let old = lookup(w).unwrap_or(0);
                let freq = old.max(PROJECT_FREQ);
                self.extra_delta += freq as i64 - old as i64;
                self.extra.insert(at, (w.to_string(), freq));
            }
        }
        self.fingerprint = self.extra.iter().fold(0xcbf2_9ce4_8422_2325, |h, (w, f)| {
            w.bytes().chain(f.to_le_bytes()).fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
        });
    }

    /// Whether jieba's dictionary or the project's words have `w`.
    pub fn is_word(&self, w: &str) -> bool {
        self.extra_freq(w).is_some() || lookup(w).is_some()
    }

    fn extra_freq(&self, w: &str) -> Option<u64> {
        self.extra.binary_search_by(|(e, _)| e.as_str().cmp(w)).ok().map(|i| self.extra[i].1)
    }

    /// The text cut into words (jieba, no HMM guessing of unknown words:
    /// an unknown character stands alone, so it never glues a false word).
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.with_view(text, |jieba| jieba.cut(text, false).into_iter().map(|t| t.word).collect())
    }

    /// `result[i]` is true where a word ends before character `i` (`0 < i <
    /// n`); `result[0]` and `result[n]` are true.
    pub fn boundaries(&self, text: &str) -> Vec<bool> {
        fn memo(m: &std::sync::Mutex<Memo>) -> std::sync::MutexGuard<'_, Memo> {
            m.lock().unwrap_or_else(|p| p.into_inner())
        }
        if let Some(b) = memo(&self.memo).map.get(text) {
            return b.to_vec();
        }
        let out = self.cut_boundaries(text);
        let mut m = memo(&self.memo);
        if m.chars + out.len() > MEMO_CHARS {
            m.map.clear();
            m.chars = 0;
        }
        m.chars += out.len();
        m.map.insert(text.to_string(), out.as_slice().into());
        out
    }

    fn cut_boundaries(&self, text: &str) -> Vec<bool> {
        let n = text.chars().count();
        let mut out = vec![false; n + 1];
        out[0] = true;
        let mut at = 0;
        for w in self.words(text) {
            at += w.chars().count();
            out[at] = true;
        }
        out
    }

    /// Run `f` on a jieba instance that holds every word occurring in `text`
    /// with its frequency, and the filler that makes the total right. The
    /// instance is kept per thread and per set of project words, and grows
    /// by the words of each text: words that do not occur in a text never
    /// change how jieba cuts it, so reusing it is exact, and cheaper than a
    /// new trie (half a megabyte to clear) for every text.
    fn with_view<R>(&self, text: &str, f: impl FnOnce(&Jieba) -> R) -> R {
        VIEWS.with(|views| {
            let mut views = views.borrow_mut();
            let at = match views.iter().position(|v| v.fingerprint == self.fingerprint && v.extra == self.extra) {
                Some(i) => i,
                None => {
                    if views.len() == VIEWS_KEPT {
                        views.remove(0);
                    }
                    views.push(View {
                        fingerprint: self.fingerprint,
                        extra: self.extra.clone(),
                        jieba: Jieba::empty(),
                        loaded: 0,
                        filler: 0,
                    });
                    views.len() - 1
                }
            };
            let view = &mut views[at];
            let mut added = false;
            for_each_word(text, |w, freq| {
                if !view.jieba.has_word(w) {
                    let freq = self.extra_freq(w).unwrap_or(freq);
                    view.jieba.add_word(w, Some(freq as usize), None);
                    view.loaded += freq;
                    added = true;
                }
            });
            for (w, freq) in &self.extra {
                if text.contains(w.as_str()) && !view.jieba.has_word(w) {
                    view.jieba.add_word(w, Some(*freq as usize), None);
                    view.loaded += freq;
                    added = true;
                }
            }
            if added {
                let filler = (DICT_TOTAL as i64 + self.extra_delta - view.loaded as i64).max(0) as u64;
                if filler != view.filler {
                    view.jieba.add_word(FILLER, Some(filler as usize), None);
                    view.filler = filler;
                }
            }
            f(&view.jieba)
        })
    }
}

/// A growing jieba instance for one set of project words.
struct View {
    fingerprint: u64,
    extra: Vec<(String, u64)>,
    jieba: Jieba,
    /// The sum of the frequencies loaded, filler aside.
    loaded: u64,
    filler: u64,
}

/// Instances kept per thread (a render uses one or two: with and without
/// the station's name).
const VIEWS_KEPT: usize = 4;

thread_local! {
    static VIEWS: std::cell::RefCell<Vec<View>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Every dictionary word that occurs in `text`, with its frequency (a word
/// may come more than once).
fn for_each_word(text: &str, mut f: impl FnMut(&str, u64)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(b, c)) in chars.iter().enumerate() {
        let (mut lo, hi) = first_char_range(c);
        for k in 1..=DICT_MAX_CHARS {
            if lo >= hi {
                break;
            }
            let Some(end) = chars.get(i + k).map(|c| c.0).or((i + k == chars.len()).then_some(text.len())) else {
                break;
            };
            let key = &text[b..end];
            // The first line not before `key`; words that extend `key`
            // follow it, so once none does, longer keys cannot match.
            lo = lower_bound_in(key.as_bytes(), lo, hi);
            let line = line_at(lo);
            if lo < hi && word_of(line) == key {
                f(key, freq_of(line));
            } else if lo >= hi || !word_of(line).starts_with(key) {
                break;
            }
        }
    }
}

/// (character, offset) pairs, little-endian u32, one per first character of
/// the dictionary's words, in order (made by `build.rs`).
static FIRST_CHARS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jieba-first-chars.bin"));

/// The byte range of the lines whose word starts with `c`.
fn first_char_range(c: char) -> (usize, usize) {
    let entry = |i: usize| {
        let at = |k: usize| u32::from_le_bytes(FIRST_CHARS[k..k + 4].try_into().unwrap_or([0; 4]));
        (at(8 * i), at(8 * i + 4) as usize)
    };
    let n = FIRST_CHARS.len() / 8;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if entry(mid).0 < u32::from(c) { lo = mid + 1 } else { hi = mid }
    }
    match (lo < n).then(|| entry(lo)) {
        Some((k, start)) if k == u32::from(c) => (start, if lo + 1 < n { entry(lo + 1).1 } else { DICT.len() }),
        _ => (0, 0),
    }
}

/// The word and frequency of a line; lines are `word freq`.
fn word_of(line: &str) -> &str {
    line.split(' ').next().unwrap_or("")
}

fn freq_of(line: &str) -> u64 {
    line.rsplit(' ').next().and_then(|f| f.parse().ok()).unwrap_or(1)
}

/// The line starting at byte `at` (empty at the end).
fn line_at(at: usize) -> &'static str {
    let rest = &DICT[at..];
    &rest[..rest.find('\n').unwrap_or(rest.len())]
}

/// Byte offset of the first line in `from..to` (line starts, or the end)
/// whose word is not less than `key`; `to` if none.
fn lower_bound_in(key: &[u8], from: usize, to: usize) -> usize {
    let bytes = DICT.as_bytes();
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        // The start of the line holding `mid` (never before `lo`, a line start).
        let start = bytes[lo..mid].iter().rposition(|&b| b == b'\n').map_or(lo, |p| lo + p + 1);
        let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| start + p);
        let word = &bytes[start..end];
        let word = &word[..word.iter().position(|&b| b == b' ').unwrap_or(word.len())];
        if word < key {
            lo = (end + 1).min(bytes.len());
        } else {
            hi = start;
        }
    }
    lo
}

/// The frequency jieba's dictionary gives a word.
pub fn lookup(word: &str) -> Option<u64> {
    let (lo, hi) = first_char_range(word.chars().next()?);
    let at = lower_bound_in(word.as_bytes(), lo, hi);
    let line = line_at(at);
    (word_of(line) == word).then(|| freq_of(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(s: &Segmenter, t: &str) -> String {
        s.words(t).join("|")
    }

    #[test]
    fn the_dictionary_is_sorted_and_its_constants_hold() {
        let mut total = 0;
        let mut longest = 0;
        let mut prev = "";
        for line in DICT.lines() {
            let w = word_of(line);
            assert!(prev < w, "not sorted at {w}");
            assert!(!w.contains(FILLER));
            total += freq_of(line);
            longest = longest.max(w.chars().count());
            prev = w;
        }
        assert_eq!(total, DICT_TOTAL);
        assert_eq!(longest, DICT_MAX_CHARS);
        assert_eq!(lookup("派出所"), Some(freq_of(DICT.lines().find(|l| word_of(l) == "派出所").unwrap())));
        assert_eq!(lookup("派出所长官"), None);
    }

    #[test]
    fn the_first_character_table_covers_each_word_exactly() {
        let mut at = 0;
        let mut seen = std::collections::BTreeMap::new();
        for line in DICT.split_inclusive('\n') {
            let c = line.chars().next().unwrap();
            let (lo, hi) = *seen.entry(c).or_insert_with(|| first_char_range(c));
            assert!(lo <= at && at + line.len() <= hi, "{line:?} at {at} outside {lo}..{hi}");
            at += line.len();
        }
        // The ranges tile the dictionary, in order.
        let total: usize = seen.values().map(|(lo, hi)| hi - lo).sum();
        assert_eq!(total, DICT.len());
        assert_eq!(first_char_range(FILLER.chars().next().unwrap()), (0, 0));
        assert_eq!(lookup("\u{E000}"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn words_stay_whole() {
        let s = Segmenter::new(["烟感报警器", "反诈中心"]);
        assert_eq!(cut(&s, "独立式烟感报警器要装在卧室外"), "独立式|烟感报警器|要|装|在|卧室|外");
        assert_eq!(cut(&s, "下载国家反诈中心App"), "下载|国家|反诈中心|App");
        assert_eq!(cut(&s, "潜意识里觉得不对"), "潜意识|里|觉得|不|对");
        assert_eq!(cut(&s, "怪不得他恨不得马上走"), "怪不得|他|恨不得|马上|走");
        let b = s.boundaries("养老理财");
        assert_eq!(b, vec![true, false, true, false, true]);
    }

    /// The per-text view gives what jieba gives with the whole dictionary
    /// loaded (and the project words added to it).
    #[test]
    fn the_view_equals_the_whole_dictionary() {
        let project = ["烟感报警器", "反诈中心", "派出所", "城关派出所", "96110"];
        let mut full = Jieba::with_dict(&mut DICT.as_bytes()).unwrap();
        for w in project {
            let old = lookup(w).unwrap_or(0);
            full.add_word(w, Some(old.max(PROJECT_FREQ) as usize), None);
        }
        let s = Segmenter::new(project);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![
            "城关派出所提醒您：独立式烟感报警器要装在卧室外".to_string(),
            "下载国家反诈中心App，接到96110来电请接听。".to_string(),
            "侵华日军南京大屠杀遇难同胞纪念馆".to_string(),
        ];
        for e in std::fs::read_dir(root.join("slogans")).unwrap() {
            texts.extend(std::fs::read_to_string(e.unwrap().path()).unwrap().lines().map(str::to_string));
        }
        assert!(texts.len() > 300);
        for t in &texts {
            let want: Vec<&str> = full.cut(t, false).into_iter().map(|t| t.word).collect();
            assert_eq!(s.words(t), want, "{t}");
        }
    }
}
