//! Diagnostics: every problem names its subject (file and line, id, item, zone)
//! and, where we can, says what to do.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Text from data made safe for a terminal: control characters (escape
/// sequences that clear a screen or recolour it) and bidirectional
/// overrides are shown escaped, as `\u{1b}`, never sent raw.
pub fn term(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Write a line to standard error; a closed or full stream is not an error
/// (the program ends quietly, as ripgrep does, instead of panicking).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Where a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl Location {
    pub fn file(file: &Path) -> Self {
        Location { file: file.to_path_buf(), line: None, column: None }
    }
    pub fn at(file: &Path, line: u64, column: u64) -> Self {
        Location { file: file.to_path_buf(), line: Some(line), column: Some(column) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// How bad a problem is for the exit code: data problems are 1, usage and I/O 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Invalid data, a slogan that does not fit, a missing glyph.
    Data,
    /// A file that cannot be read or written, a bad argument.
    Io,
}

/// One problem, ready to show to a person.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Diagnostic {
    pub kind: Kind,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<Box<str>>,
    /// The template zone a layout problem is in, for tools (lint's JSON).
    pub zone: Option<Box<str>>,
}

impl Diagnostic {
    pub fn data(message: impl Into<String>) -> Self {
        Diagnostic { kind: Kind::Data, location: None, message: message.into(), hint: None, zone: None }
    }
    pub fn io(message: impl Into<String>) -> Self {
        Diagnostic { kind: Kind::Io, location: None, message: message.into(), hint: None, zone: None }
    }
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
    pub fn in_file(self, file: &Path) -> Self {
        self.at(Location::file(file))
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }
    pub fn in_zone(mut self, zone: &str) -> Self {
        self.zone = Some(zone.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}: ", term(&loc.to_string()))?;
        }
        write!(f, "{}", term(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", term(hint))?;
        }
        Ok(())
    }
}

/// Several problems found together (validation reports all, not the first).
#[derive(Debug, Clone, Default, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The exit-code class: I/O wins, because nothing could be checked.
    pub fn kind(&self) -> Kind {
        if self.0.iter().any(|d| d.kind == Kind::Io) { Kind::Io } else { Kind::Data }
    }
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_reach_the_terminal_escaped() {
        assert_eq!(super::term("王芳"), "王芳");
        assert_eq!(super::term("\u{1b}[2J\u{1b}[31mEVIL"), "\\u{1b}[2J\\u{1b}[31mEVIL");
        assert_eq!(super::term("a\u{202e}b\n"), "a\\u{202e}b\\u{a}");
        let d = super::Diagnostic::data("reviewer `\u{1b}[2J`").hint("x\u{7}");
        assert_eq!(d.to_string(), "reviewer `\\u{1b}[2J`\n  hint: x\\u{7}");
    }
}
