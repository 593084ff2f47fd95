//! Diagnostics: every problem names its subject (file and line, id, item, zone)
//! and, where we can, says what to do.

use std::fmt;
use std::path::{Path, PathBuf};

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
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn data(message: impl Into<String>) -> Self {
        Diagnostic { kind: Kind::Data, location: None, message: message.into(), hint: None }
    }
    pub fn io(message: impl Into<String>) -> Self {
        Diagnostic { kind: Kind::Io, location: None, message: message.into(), hint: None }
    }
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
    pub fn in_file(self, file: &Path) -> Self {
        self.at(Location::file(file))
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
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
