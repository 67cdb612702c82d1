//! Diagnostics: every stage's problems, as values.
//!
//! Stages never stop at the first problem: they push each one into a
//! [`Diagnostics`] with its [`Location`] and keep going with a best effort, and
//! the pipeline stops *between* stages when errors were recorded. This module
//! is at the bottom of the dependency chain, so every stage can speak it.

mod suggest;

use std::fmt;
use std::path::{Path, PathBuf};

pub use suggest::did_you_mean;

/// Where a problem is, in the words a user's editor understands.
///
/// `file` is relative to the project root when it lies inside it, so messages
/// are stable across machines. `line` and `column` are 1-based; 0 means "not
/// known" and is never printed: we never invent a location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    /// The file, relative to the project root where possible.
    pub file: PathBuf,
    /// 1-based line, 0 when only the file is known.
    pub line: u32,
    /// 1-based column, 0 when only the line is known.
    pub column: u32,
}

impl Location {
    /// A location that names only a file, for problems with no better position.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 0,
            column: 0,
        }
    }

    /// A full `file:line:column` location.
    pub fn at(file: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Forward slashes on every platform: snapshots and CI annotations agree.
        let file = self.file.to_string_lossy().replace('\\', "/");
        match (self.line, self.column) {
            (0, _) => write!(f, "{file}"),
            (l, 0) => write!(f, "{file}:{l}"),
            (l, c) => write!(f, "{file}:{l}:{c}"),
        }
    }
}

/// How bad a problem is: errors fail the command, warnings are printed only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The project or its data is invalid: exit code 1.
    Error,
    /// Worth a look, but the build goes on.
    Warning,
}

/// One problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the thing (one sentence, no trailing period).
    pub message: String,
    /// How to fix it, when we can say ("did you mean `target`?").
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {level}: {}", self.location, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// The problems a run has found so far, in the order they will be printed.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error with no hint.
    pub fn error(&mut self, location: Location, message: impl Into<String>) {
        self.push(location, Severity::Error, message.into(), None);
    }

    /// Records an error with a hint saying how to fix it.
    pub fn error_hint(
        &mut self,
        location: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(location, Severity::Error, message.into(), Some(hint.into()));
    }

    /// Records an error whose hint is optional (e.g. a "did you mean" that may not exist).
    pub fn error_maybe_hint(
        &mut self,
        location: Location,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(location, Severity::Error, message.into(), hint);
    }

    /// Records a warning: printed, but the build goes on.
    pub fn warning(&mut self, location: Location, message: impl Into<String>) {
        self.push(location, Severity::Warning, message.into(), None);
    }

    /// Records a warning with a hint saying what to do about it.
    pub fn warning_hint(
        &mut self,
        location: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(
            location,
            Severity::Warning,
            message.into(),
            Some(hint.into()),
        );
    }

    fn push(
        &mut self,
        location: Location,
        severity: Severity,
        message: String,
        hint: Option<String>,
    ) {
        self.items.push(Diagnostic {
            location,
            severity,
            message,
            hint,
        });
    }

    /// Records an already built diagnostic (e.g. one re-located by a caller).
    pub fn add(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Gives up the recorded problems, in recording order.
    pub fn into_items(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Moves every problem of `other` into this collection (e.g. from a parallel worker).
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when at least one error was recorded: the pipeline must stop here.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The number of errors recorded.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Every problem, sorted by file, line and column so output is stable.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort();
        items.dedup();
        items
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Makes `path` relative to `root` for display; leaves it as is when outside.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_prints_only_what_is_known() {
        assert_eq!(Location::file("a.yaml").to_string(), "a.yaml");
        assert_eq!(Location::at("a.yaml", 3, 0).to_string(), "a.yaml:3");
        assert_eq!(Location::at("a.yaml", 3, 7).to_string(), "a.yaml:3:7");
    }

    #[test]
    fn diagnostics_sort_by_place_and_count_errors() {
        let mut d = Diagnostics::new();
        d.error(Location::at("b.yaml", 1, 1), "second");
        d.warning(Location::at("a.yaml", 9, 1), "warn");
        d.error_hint(Location::at("a.yaml", 2, 5), "first", "fix it");
        let sorted = d.sorted();
        assert_eq!(sorted[0].to_string(), "a.yaml:2:5: error: first; fix it");
        assert_eq!(sorted[1].to_string(), "a.yaml:9:1: warning: warn");
        assert_eq!(d.error_count(), 2);
        assert!(d.has_errors());
    }
}
