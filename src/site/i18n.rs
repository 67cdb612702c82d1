//! Translations: every word the theme writes comes from the theme's catalog.
//!
//! Templates read the catalog as `t.key` (tera errors on a missing key, so a
//! gap fails the build); Rust code asks [`Catalog::get`] and [`Catalog::fill`],
//! which remember any missing key so the render stage can fail on it too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use crate::diag::Diagnostics;
use crate::project::yaml;

/// The words of one language.
#[derive(Debug, Default)]
pub struct Catalog {
    entries: BTreeMap<String, String>,
    missing: Mutex<BTreeSet<String>>,
}

impl Catalog {
    /// Parses a catalog (a flat YAML map of key → text); `origin` names it in errors.
    pub fn parse(yaml_text: &str, origin: &str, diags: &mut Diagnostics) -> Catalog {
        let entries: BTreeMap<String, String> =
            yaml::parse(Path::new(origin), yaml_text, diags).unwrap_or_default();
        Catalog {
            entries,
            missing: Mutex::default(),
        }
    }

    /// The whole catalog, for templates (`t.key`).
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// The text for `key`; a missing key is remembered and shown as the key itself.
    pub fn get(&self, key: &str) -> String {
        match self.entries.get(key) {
            Some(text) => text.clone(),
            None => {
                self.missing
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key.to_string());
                key.to_string()
            }
        }
    }

    /// The text for `key` with `{name}` placeholders replaced by the given values.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Keys asked for but not in the catalog, sorted.
    pub fn missing(&self) -> Vec<String> {
        self.missing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::theme::load_theme;

    fn catalog(lang: &str) -> Catalog {
        let mut d = Diagnostics::new();
        let dir = tempfile::tempdir().unwrap();
        let theme = load_theme(dir.path(), "default", lang, &mut d);
        let c = Catalog::parse(&theme.catalog_yaml, "i18n", &mut d);
        assert!(d.is_empty(), "{:?}", d.sorted());
        c
    }

    #[test]
    fn both_languages_have_exactly_the_same_keys() {
        let en: Vec<_> = catalog("en").entries().keys().cloned().collect();
        let zh: Vec<_> = catalog("zh-CN").entries().keys().cloned().collect();
        assert!(en.len() > 100);
        assert_eq!(en, zh);
    }

    #[test]
    fn fill_replaces_placeholders_and_missing_keys_are_remembered() {
        let c = catalog("en");
        assert_eq!(c.fill("by_column", &[("column", "region")]), "By region");
        assert_eq!(c.get("no_such_key"), "no_such_key");
        assert_eq!(c.missing(), ["no_such_key"]);
    }
}
