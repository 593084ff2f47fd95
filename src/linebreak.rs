//! Where a Chinese line may break: UAX #14 with the Chinese overrides.
//!
//! Overrides: “‘ are opening and ”’ closing marks (UAX #14 calls them
//! ambiguous quotes); nothing breaks before `·`; a line never starts with a
//! closing mark and never ends with an opening one; `——`, `……`, Latin words
//! and numbers such as `0912-1234567` are never split.

/// Marks that may not start a line (closing punctuation and friends).
pub const NO_START: &str = "。，、；：？！”’）》」』】〉〕〗〙〛｝］.,;:?!)]}·…—～％";
/// Marks that may not end a line (opening punctuation).
pub const NO_END: &str = "“‘（《「『【〈〔〖〘〚｛［([{￥$";

/// How a character behaves for spacing and compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PunctClass {
    /// Full-width closing mark whose ink sits in the first half of its box.
    Closing,
    /// Full-width opening mark whose ink sits in the second half.
    Opening,
    Other,
}

pub fn punct_class(c: char) -> PunctClass {
    if "。，、；：？！”’）》」』】〉〕〗〙〛｝］".contains(c) {
        PunctClass::Closing
    } else if "“‘（《「『【〈〔〖〘〚｛［".contains(c) {
        PunctClass::Opening
    } else {
        PunctClass::Other
    }
}

/// Marks dropped at a line end where a template sets slogans without trailing punctuation.
pub fn droppable_at_end(c: char) -> bool {
    "，。、；,.".contains(c)
}

/// A character of a word or number that must stay on one line.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.@/+%#&'".contains(c)
}

/// `result[i]` says whether a line may break before character `i` of `text`
/// (`0 < i < n`; `result[0]` and `result[n]` are false and true).
pub fn opportunities(text: &str) -> Vec<bool> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut allowed = vec![false; n + 1];
    if n == 0 {
        allowed.push(true);
        return allowed;
    }
    // UAX #14 gives byte offsets where the next line may start.
    let mut byte_to_char = vec![0usize; text.len() + 1];
    for (ci, (bi, _)) in text.char_indices().enumerate() {
        byte_to_char[bi] = ci;
    }
    byte_to_char[text.len()] = n;
    for (bi, _) in unicode_linebreak::linebreaks(text) {
        allowed[byte_to_char[bi]] = true;
    }
    for i in 1..n {
        let (prev, next) = (chars[i - 1], chars[i]);
        // Chinese quotes: break before an opening quote, after a closing one.
        if "“‘".contains(next) && !NO_END.contains(prev) {
            allowed[i] = true;
        }
        if "”’".contains(prev) && !NO_START.contains(next) {
            allowed[i] = true;
        }
        let forbidden = NO_START.contains(next)
            || NO_END.contains(prev)
            || (prev == '—' && next == '—')
            || (prev == '…' && next == '…')
            || (is_word_char(prev) && is_word_char(next))
            || prev.is_whitespace() && next.is_whitespace();
        if forbidden {
            allowed[i] = false;
        }
    }
    allowed[0] = false;
    allowed[n] = true;
    allowed
}

/// A break after punctuation reads naturally; slogans prefer those.
pub fn is_good_break(prev: char) -> bool {
    "，。、；：？！…—”’）》」』】 ,;:?!".contains(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(text: &str) -> Vec<usize> {
        opportunities(text).iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i).collect()
    }

    #[test]
    fn ideographs_break_anywhere() {
        assert_eq!(breaks("反诈宣传"), vec![1, 2, 3, 4]);
    }

    #[test]
    fn never_before_closing_marks() {
        let t = "全民反诈人人有责，守护好家人钱袋子。";
        let b = opportunities(t);
        for (i, c) in t.chars().enumerate() {
            if NO_START.contains(c) {
                assert!(!b[i], "break allowed before {c} at {i}");
            }
        }
        // The break after the comma stays.
        assert!(b[9]);
    }

    #[test]
    fn never_after_opening_marks() {
        let t = "记住“三不一多”原则（很重要）";
        let chars: Vec<char> = t.chars().collect();
        let b = opportunities(t);
        for i in 1..chars.len() {
            if NO_END.contains(chars[i - 1]) {
                assert!(!b[i], "break allowed after {}", chars[i - 1]);
            }
        }
        // Before the opening quote and after the closing one: allowed.
        assert!(b[2], "before “");
        assert!(b[8], "after ”");
    }

    #[test]
    fn numbers_and_words_stay_whole() {
        for (t, word) in [
            ("有事请拨打110报警", "110"),
            ("反诈专线96110要记牢", "96110"),
            ("值班电话0912-1234567随时打", "0912-1234567"),
            ("下载国家反诈中心APP查一查", "APP"),
        ] {
            let start = t.find(word).unwrap();
            let cstart = t[..start].chars().count();
            let len = word.chars().count();
            let b = opportunities(t);
            for (i, allowed) in b.iter().enumerate().take(cstart + len).skip(cstart + 1) {
                assert!(!allowed, "{word} split at {i} in {t}");
            }
            // The number itself can start a line.
            assert!(b[cstart], "no break before {word} in {t}");
        }
    }

    #[test]
    fn dashes_and_ellipses_stay_whole() {
        let t = "钱没了——后悔也晚了……真的";
        let chars: Vec<char> = t.chars().collect();
        let b = opportunities(t);
        for i in 1..chars.len() {
            if (chars[i - 1] == '—' && chars[i] == '—') || (chars[i - 1] == '…' && chars[i] == '…') {
                assert!(!b[i]);
            }
            // Nor may a line start with one.
            if chars[i] == '—' || chars[i] == '…' {
                assert!(!b[i]);
            }
        }
    }

    #[test]
    fn nothing_before_middle_dot() {
        let b = opportunities("样稿·未审定");
        assert!(!b[2]);
    }
}
