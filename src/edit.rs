//! Slogan files, written: a new slogan added to its topic's file, or one
//! slogan's entry replaced, leaving every other byte of the file (comments,
//! order, spacing) as it was. The studio writes through here.
//!
//! Every write holds the slogan folder's lock, reads the files again under
//! it, checks the result the way `check` does (the file must parse back to
//! exactly the slogans intended, ids unique across the library), and
//! replaces the file in one atomic, synced step: two writers at once lose
//! nothing, and a write that would break the library never lands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pinyin::ToPinyin;

use crate::diag::{Diagnostic, Diagnostics};
use crate::fsio::{self, Durability};
use crate::library::{self, SloganFile};
use crate::validate::{self, Library, Slogan, limits};

/// A slogan as an author writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SloganDraft {
    pub id: String,
    pub lines: Vec<String>,
    pub tip: Option<String>,
    pub audience: Vec<String>,
    /// `None`: every item.
    pub items: Option<Vec<String>>,
    pub notes: Option<String>,
    pub source: Option<String>,
    pub verify: Option<String>,
    pub accept: BTreeMap<String, String>,
}

impl SloganDraft {
    pub fn of(s: &Slogan) -> SloganDraft {
        SloganDraft {
            id: s.id.clone(),
            lines: s.lines.clone(),
            tip: s.tip.clone(),
            audience: s.audience.clone(),
            items: s.items.clone(),
            notes: s.notes.clone(),
            source: s.source.clone(),
            verify: s.verify.clone(),
            accept: s.accept.clone(),
        }
    }

    /// Trimmed, with empty lines and fields dropped.
    pub fn tidy(mut self) -> SloganDraft {
        let opt = |v: Option<String>| v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        self.id = self.id.trim().to_string();
        self.lines = self.lines.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        self.tip = opt(self.tip);
        self.audience = self.audience.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        self.audience.dedup();
        self.notes = opt(self.notes);
        self.source = opt(self.source);
        self.verify = opt(self.verify);
        self
    }

    fn same_as(&self, s: &Slogan) -> bool {
        *self == SloganDraft::of(s)
    }
}

/// What an edit starts from.
#[derive(Debug, Clone)]
pub enum Base {
    /// A new slogan, in the file of this topic. With `auto_id` the id was
    /// suggested, not chosen: if another writer took it meanwhile, the next
    /// free one is used instead of refusing.
    New { topic: String, auto_id: bool },
    /// An existing slogan whose wording hash was this when the author opened
    /// it: if someone changed it since, the edit is refused, not merged.
    Existing { wording: String },
}

/// YAML for one scalar: plain when that cannot be misread (Chinese text
/// with letters and digits), else double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_ascii()
        && s.chars().all(|c| {
            (c.is_ascii_alphanumeric() || !c.is_ascii())
                && !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{A0}')
        });
    if plain { s.to_string() } else { quoted(s) }
}

pub fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (' '..='~').contains(&c) => out.push(c),
            c if !c.is_ascii() && !c.is_control() && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}') => out.push(c),
            c => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn flow(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// The entry's YAML, as a list item at `indent` spaces.
pub fn entry_yaml(d: &SloganDraft, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = format!("{pad}- id: {}\n", quoted_if_ascii_special(&d.id));
    let field = |out: &mut String, k: &str, v: &str| out.push_str(&format!("{pad}  {k}: {v}\n"));
    field(&mut out, "lines", &flow(&d.lines));
    if let Some(t) = &d.tip {
        field(&mut out, "tip", &scalar(t));
    }
    if !d.audience.is_empty() {
        field(&mut out, "audience", &flow(&d.audience));
    }
    if let Some(items) = &d.items {
        field(&mut out, "items", &flow(items));
    }
    for (k, v) in [("notes", &d.notes), ("source", &d.source), ("verify", &d.verify)] {
        if let Some(v) = v {
            field(&mut out, k, &scalar(v));
        }
    }
    if !d.accept.is_empty() {
        out.push_str(&format!("{pad}  accept:\n"));
        for (k, v) in &d.accept {
            out.push_str(&format!("{pad}    {}: {}\n", quoted(k), scalar(v)));
        }
    }
    out
}

/// Ids are checked to be `[a-z0-9-]`; anything else is quoted so the check,
/// not the YAML reader, decides.
fn quoted_if_ascii_special(id: &str) -> String {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        id.to_string()
    } else {
        quoted(id)
    }
}

/// The file that holds a topic's slogans.
fn topic_file<'a>(files: &'a [(PathBuf, SloganFile)], topic: &str) -> Option<&'a (PathBuf, SloganFile)> {
    files.iter().find(|(_, f)| f.topic.trim() == topic)
}

/// A draft as the slogan it would be in `topic`, checked like the files
/// (for live lint and previews before anything is saved).
pub fn draft_slogan(lib: &Library, topic: &str, draft: &SloganDraft) -> Result<Slogan, Diagnostics> {
    let heading = lib.slogans.iter().find(|s| s.topic == topic).map(|s| s.heading.clone());
    let file = lib.slogans.iter().find(|s| s.topic == topic).map(|s| s.file.clone());
    let Some(file) = file else {
        return Err(Diagnostic::data(format!("unknown topic `{topic}`"))
            .hint("pick one of the library's topics")
            .into());
    };
    let mut text = format!("topic: {}\n", scalar(topic));
    if let Some(h) = heading {
        text.push_str(&format!("heading: {}\n", scalar(&h)));
    }
    text.push_str("slogans:\n");
    text.push_str(&entry_yaml(draft, 2));
    let parsed: SloganFile = library::parse_yaml(&file, &text)?;
    let mut problems = Diagnostics::default();
    let mut out = validate::check_slogan_files(vec![(file, parsed)], &mut problems);
    check_items(lib, draft, &mut problems);
    let s = problems.into_result(out.pop())?;
    s.ok_or_else(|| Diagnostic::data("the slogan does not load").into())
}

fn check_items(lib: &Library, d: &SloganDraft, problems: &mut Diagnostics) {
    for i in d.items.iter().flatten() {
        if lib.item(i).is_none() {
            problems.push(
                Diagnostic::data(format!("slogan `{}`: unknown item `{i}`", d.id))
                    .hint("run `jiediqi items` to list them"),
            );
        }
    }
    if d.items.as_ref().is_some_and(Vec::is_empty) {
        problems
            .push(Diagnostic::data(format!("slogan `{}` is meant for no item", d.id)).hint("pick at least one item"));
    }
}

/// An id for a new slogan: the topic file's name and the pinyin of the
/// first characters (`tanfan-qincaibocai`), made unique.
pub fn suggest_id(lib: &Library, topic: &str, first_line: &str) -> String {
    let stem = lib
        .slogans
        .iter()
        .find(|s| s.topic == topic)
        .and_then(|s| s.file.file_stem().map(|f| f.to_string_lossy().into_owned()))
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        .unwrap_or_else(|| "new".into());
    let mut word = String::new();
    for c in first_line.chars().filter(|c| c.to_pinyin().is_some()).take(4) {
        if let Some(p) = c.to_pinyin() {
            word.push_str(p.plain());
        }
    }
    if word.is_empty() {
        word = "biaoyu".into();
    }
    let base: String = format!("{stem}-{word}").chars().take(limits::ID - 3).collect();
    let base = base.trim_end_matches('-').to_string();
    let mut id = base.clone();
    let mut n = 2;
    while lib.slogan(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Where a slogan's entry is in its file's lines: `[start, end)` and its
/// indentation. The entry must begin `- id: ID` (how every file is written).
fn entry_span(lines: &[&str], id: &str) -> Option<(usize, usize, usize)> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let start = lines.iter().position(|l| {
        l.trim_start().strip_prefix("- id:").is_some_and(|v| {
            let v = v.split(" #").next().unwrap_or("").trim();
            v.trim_matches('"').trim_matches('\'') == id
        })
    })?;
    let ind = indent(lines[start]);
    let mut end = lines.len();
    for (k, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim();
        if !t.is_empty() && !t.starts_with('#') && indent(l) <= ind {
            end = k;
            break;
        }
    }
    // Blank lines and comments before the next entry belong to it.
    while end > start + 1 && (lines[end - 1].trim().is_empty() || lines[end - 1].trim().starts_with('#')) {
        end -= 1;
    }
    Some((start, end, ind))
}

/// The new text of a slogan file: `draft` replacing entry `id`, or added
/// after the last entry when `id` is `None`.
fn rewrite(text: &str, replace: Option<&str>, draft: &SloganDraft) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let (at, end, indent, gap) = match replace {
        Some(id) => {
            let (s, e, i) = entry_span(&lines, id)?;
            (s, e, i, false)
        }
        None => {
            // After the last entry (the file's ids in order; take the last).
            let last = lines
                .iter()
                .rposition(|l| l.trim_start().starts_with("- id:"))
                .and_then(|k| entry_span(&lines, lines[k].trim_start()["- id:".len()..].trim().trim_matches('"')));
            match last {
                Some((_, e, i)) => (e, e, i, true),
                None => return None,
            }
        }
    };
    let mut out = String::with_capacity(text.len() + 256);
    for l in &lines[..at] {
        out.push_str(l);
        out.push('\n');
    }
    if gap {
        out.push('\n');
    }
    out.push_str(&entry_yaml(draft, indent));
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    Some(out)
}

fn refuse(path: &Path, what: String) -> Diagnostics {
    Diagnostic::data(what)
        .in_file(path)
        .hint("the file is written in an unusual way: edit it by hand (or ask the admin), then try again")
        .into()
}

/// Save a draft: add it as a new slogan of `topic`, or replace the slogan it
/// edits. Returns the slogan as it now stands in the library.
pub fn save(root: &Path, lib: &Library, draft: &SloganDraft, base: &Base) -> Result<Slogan, Diagnostics> {
    let dir = root.join("slogans");
    let _lock = fsio::hold_lock(&dir, ".slogans.lock", "the slogan files", &mut || {})?;
    // Under the lock, the files as they are now (not as the caller loaded them).
    let (files, problems) = library::load_all::<SloganFile>(&dir)?;
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut check = Diagnostics::default();
    let current = validate::check_slogan_files(reparse(&files)?, &mut check);
    if !check.is_empty() {
        return Err(check);
    }
    let mut problems = Diagnostics::default();
    check_items(lib, draft, &mut problems);
    problems.into_result(())?;
    let mut draft = draft.clone();
    let (path, replace) = match base {
        Base::New { topic, auto_id } => {
            if *auto_id {
                let base = draft.id.clone();
                let mut n = 2;
                while current.iter().any(|s| s.id == draft.id) {
                    draft.id = format!("{base}-{n}");
                    n += 1;
                }
            }
            if current.iter().any(|s| s.id == draft.id) {
                return Err(Diagnostic::data(format!("slogan id `{}` is taken", draft.id))
                    .hint("choose another id, or edit that slogan")
                    .into());
            }
            let Some((path, _)) = topic_file(&files, topic) else {
                return Err(Diagnostic::data(format!("unknown topic `{topic}`"))
                    .hint("pick one of the library's topics; a new topic needs a new file in slogans/")
                    .into());
            };
            (path.clone(), None)
        }
        Base::Existing { wording } => {
            let Some(old) = current.iter().find(|s| s.id == draft.id) else {
                return Err(Diagnostic::data(format!("slogan `{}` is no longer in the library", draft.id))
                    .hint("it was renamed or removed; write it as a new slogan")
                    .into());
            };
            if crate::review::wording_hash(old) != *wording {
                return Err(Diagnostic::data(format!(
                    "slogan `{}` was changed by someone else since you opened it",
                    draft.id
                ))
                .hint("open it again, look at the new wording, and make your change there")
                .into());
            }
            (old.file.clone(), Some(draft.id.clone()))
        }
    };
    let draft = &draft;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::io(format!("cannot read {}: {e}", path.display())).hint("check the file"))?;
    let Some(new_text) = rewrite(&text, replace.as_deref(), draft) else {
        return Err(refuse(&path, format!("cannot find where slogan `{}` is written", draft.id)));
    };
    // The whole library as it would be: it must check, and the file must
    // hold exactly the slogans it held, with this one as drafted.
    let parsed: SloganFile = library::parse_yaml(&path, &new_text)
        .map_err(|d| refuse(&path, format!("the edited file would not parse: {}", d.message)))?;
    let mut others: Vec<(PathBuf, SloganFile)> = reparse(&files)?.into_iter().filter(|(p, _)| *p != path).collect();
    others.push((path.clone(), parsed));
    let mut check = Diagnostics::default();
    let after = validate::check_slogan_files(others, &mut check);
    if !check.is_empty() {
        return Err(check);
    }
    let before_file: Vec<&Slogan> = current.iter().filter(|s| s.file == path && s.id != draft.id).collect();
    let after_file: Vec<&Slogan> = after.iter().filter(|s| s.file == path && s.id != draft.id).collect();
    let unchanged = before_file.len() == after_file.len()
        && before_file.iter().zip(&after_file).all(|(a, b)| SloganDraft::of(a) == SloganDraft::of(b));
    let Some(saved) = after.iter().find(|s| s.id == draft.id && s.file == path) else {
        return Err(refuse(&path, format!("slogan `{}` would not load after the edit", draft.id)));
    };
    if !unchanged || !draft.same_as(saved) {
        return Err(refuse(&path, format!("saving slogan `{}` would change other text in the file", draft.id)));
    }
    let saved = saved.clone();
    fsio::write_atomic(&path, new_text.as_bytes(), Durability::Sync)?;
    Ok(saved)
}

/// The parsed files again (a parse is cheap; `SloganFile` is consumed by checking).
fn reparse(files: &[(PathBuf, SloganFile)]) -> Result<Vec<(PathBuf, SloganFile)>, Diagnostics> {
    let mut out = Vec::with_capacity(files.len());
    for (p, _) in files {
        out.push((p.clone(), library::load_yaml::<SloganFile>(p)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, lines: &[&str]) -> SloganDraft {
        SloganDraft { id: id.into(), lines: lines.iter().map(|s| s.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn scalars_that_could_be_misread_are_quoted() {
        assert_eq!(scalar("骑车戴头盔，"), "骑车戴头盔，");
        assert_eq!(scalar("拨打96110"), "拨打96110");
        for risky in ["96110", "yes", "a: b", "# x", "[x]", "骑车 戴", "“引号”: x", "-x", "\u{2028}x", "a\"b"]
        {
            let q = scalar(risky);
            let back: String = serde_saphyr::from_str(&q).unwrap();
            assert_eq!(back, risky, "{q}");
        }
    }

    #[test]
    fn an_entry_is_replaced_in_place_and_the_rest_kept() {
        let text = "topic: 交通\n# a comment\nslogans:\n  - id: a\n    lines: [一, 二]\n    notes: x\n\n  # about b\n  - id: b\n    lines: [三]\n";
        let new = rewrite(text, Some("a"), &draft("a", &["四"])).unwrap();
        assert_eq!(
            new,
            "topic: 交通\n# a comment\nslogans:\n  - id: a\n    lines: [四]\n\n  # about b\n  - id: b\n    lines: [三]\n"
        );
        let added = rewrite(text, None, &draft("c", &["五"])).unwrap();
        assert!(added.ends_with("  - id: b\n    lines: [三]\n\n  - id: c\n    lines: [五]\n"), "{added}");
        let last = rewrite(text, Some("b"), &draft("b", &["六"])).unwrap();
        assert!(last.ends_with("  # about b\n  - id: b\n    lines: [六]\n"), "{last}");
        assert!(rewrite(text, Some("zz"), &draft("zz", &["x"])).is_none());
    }
}
