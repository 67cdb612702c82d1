//! Small, shared validation rules: id syntax, enumerated words, ranges, uniqueness.
//!
//! Each rule records a located diagnostic with a hint and returns its best
//! effort, so validation can go on and report every problem in one run.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::Range;
use super::vocabulary::Vocabulary;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

/// True when `id` matches `[a-z0-9][a-z0-9-]*`, the id syntax of SPEC §1.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks an id's syntax; ids become file names and URLs, so they must be plain.
pub fn check_id(file: &Path, id: &Spanned<String>, what: &str, diags: &mut Diagnostics) {
    if !is_valid_id(&id.value) {
        let suggestion = slugify(&id.value);
        let hint = if suggestion.is_empty() {
            "use lowercase letters, digits and dashes, starting with a letter or digit".to_string()
        } else {
            format!("use lowercase letters, digits and dashes, e.g. `{suggestion}`")
        };
        diags.error_hint(
            location(file, id),
            format!("{what} id `{}` is not valid", id.value),
            hint,
        );
    }
}

/// The closest valid id to a wrong one, for the hint.
fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Reads an enumerated word (`metric`, `period`…) into its variant; any
/// other word is reported with the accepted words and a did-you-mean.
pub fn one_of<T: Vocabulary>(
    file: &Path,
    value: &Spanned<String>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    if let Some(v) = T::from_word(&value.value) {
        return Some(v);
    }
    let allowed = T::words();
    let choices = format!("use one of: {}", allowed.join(", "));
    let hint = match did_you_mean(&value.value, allowed.iter().copied()) {
        Some(guess) => format!("{guess} ({choices})"),
        None => choices,
    };
    diags.error_hint(
        location(file, value),
        format!("`{key}` is `{}`, which is not a known {key}", value.value),
        hint,
    );
    None
}

/// Reads an optional enumerated word, falling back to the vocabulary's default
/// (its first word) when absent or wrong (a wrong word is reported).
pub fn one_of_or_default<T: Vocabulary>(
    file: &Path,
    value: Option<&Spanned<String>>,
    key: &str,
    diags: &mut Diagnostics,
) -> T {
    value
        .and_then(|v| one_of(file, v, key, diags))
        .unwrap_or_else(T::default_variant)
}

/// Reads `[lo, hi]` with lo < hi.
pub fn range(
    file: &Path,
    value: &Spanned<Vec<f64>>,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<Range> {
    match value.value.as_slice() {
        [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Some(Range { lo: *lo, hi: *hi }),
        _ => {
            diags.error_hint(
                location(file, value),
                format!("`{key}` must be two numbers [low, high] with low < high"),
                format!("write e.g. `{key}: [1, 5]`"),
            );
            None
        }
    }
}

/// Remembers where each id was first defined, to report duplicates across files.
#[derive(Debug, Default)]
pub struct IdRegistry {
    seen: BTreeMap<String, Location>,
}

impl IdRegistry {
    /// Registers `id`; a second definition is an error pointing at both places.
    pub fn register(
        &mut self,
        what: &str,
        id: &str,
        at: Location,
        diags: &mut Diagnostics,
    ) -> bool {
        if let Some(first) = self.seen.get(id) {
            diags.error_hint(
                at,
                format!("duplicate {what} id `{id}`"),
                format!("it is already defined at {first}; ids must be unique"),
            );
            return false;
        }
        self.seen.insert(id.to_string(), at);
        true
    }

    /// True when `id` was registered.
    pub fn contains(&self, id: &str) -> bool {
        self.seen.contains_key(id)
    }

    /// The registered ids, sorted: candidates for "did you mean".
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.seen.keys().map(String::as_str)
    }

    /// Reports a reference to an unknown id, with a hint.
    pub fn check_ref(
        &self,
        what: &str,
        file: &Path,
        reference: &Spanned<String>,
        diags: &mut Diagnostics,
    ) -> bool {
        if self.contains(&reference.value) {
            return true;
        }
        let hint = did_you_mean(&reference.value, self.ids())
            .unwrap_or_else(|| format!("define it, or use one of the known {what} ids"));
        diags.error_hint(
            location(file, reference),
            format!("unknown {what} `{}`", reference.value),
            hint,
        );
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_syntax() {
        assert!(is_valid_id("nps-overall"));
        assert!(is_valid_id("9lives"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id("NPS"));
        assert!(!is_valid_id("a_b"));
        assert!(!is_valid_id(""));
        assert_eq!(slugify("NPS Overall!"), "nps-overall");
    }
}
