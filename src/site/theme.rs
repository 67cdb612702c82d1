//! Theme layers: which template, asset and translation wins.
//!
//! Highest first: the project's `templates/` and `static/`, then the project's
//! `themes/<name>/`, then the built-in `default` theme compiled into the binary
//! (so an installed cxscore needs no checkout). A file in a higher layer
//! replaces the file of the same relative name below it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use walkdir::WalkDir;

use crate::diag::{display_path, Diagnostics, Location};
use crate::project::paths::confined;

static BUILT_IN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The resolved theme: every template, static asset and catalog entry to use.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (e.g. `partials/tile.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Template name → the file it came from, as the user names it
    /// (`templates/page.html`), for templates of the project or its theme
    /// folder: a broken override is then reported at its file, line and column.
    /// Built-in templates have no entry.
    pub template_files: BTreeMap<String, PathBuf>,
    /// Asset path relative to the site root → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The translation catalog source (YAML) for the project's language.
    pub catalog_yaml: String,
    /// Where the catalog came from, for error messages.
    pub catalog_origin: String,
}

/// Assembles the theme for `theme_name` and `language` over the project at `root`.
pub fn load_theme(root: &Path, theme_name: &str, language: &str, diags: &mut Diagnostics) -> Theme {
    let mut theme = Theme::default();
    add_built_in(&mut theme);
    let catalog = format!("i18n/{language}.yaml");
    theme.catalog_yaml = built_in_text(&catalog).unwrap_or_default();
    theme.catalog_origin = format!("built-in theme {catalog}");

    let theme_dir = root.join("themes").join(theme_name);
    if theme_dir.is_dir() {
        add_folder(
            root,
            &theme_dir.join("templates"),
            &mut theme.templates,
            Some(&mut theme.template_files),
            diags,
            text,
        );
        add_folder(
            root,
            &theme_dir.join("static"),
            &mut theme.statics,
            None,
            diags,
            bytes,
        );
        let path = theme_dir.join(&catalog);
        if let Ok(yaml) = std::fs::read_to_string(&path) {
            theme.catalog_yaml = yaml;
            theme.catalog_origin = display_path(root, &path).display().to_string();
        }
    } else if theme_name != "default" {
        diags.error_hint(
            Location::file("cxscore.yaml"),
            format!("theme `{theme_name}` not found in themes/"),
            format!("create themes/{theme_name}/ or use `theme: default`"),
        );
    }
    add_folder(
        root,
        &root.join("templates"),
        &mut theme.templates,
        Some(&mut theme.template_files),
        diags,
        text,
    );
    let statics = &mut theme.statics;
    add_folder(root, &root.join("static"), statics, None, diags, bytes);
    theme
}

fn built_in_text(path: &str) -> Option<String> {
    BUILT_IN
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .map(str::to_string)
}

fn add_built_in(theme: &mut Theme) {
    fn walk(dir: &Dir<'_>, theme: &mut Theme) {
        for file in dir.files() {
            let path = file.path().to_string_lossy().replace('\\', "/");
            if let Some(name) = path.strip_prefix("templates/") {
                let source = String::from_utf8_lossy(file.contents()).into_owned();
                theme.templates.insert(name.to_string(), source);
            } else if let Some(name) = path.strip_prefix("static/") {
                theme
                    .statics
                    .insert(name.to_string(), file.contents().to_vec());
            }
        }
        for sub in dir.dirs() {
            walk(sub, theme);
        }
    }
    walk(&BUILT_IN, theme);
}

fn text(bytes: Vec<u8>) -> Option<String> {
    String::from_utf8(bytes).ok()
}

fn bytes(bytes: Vec<u8>) -> Option<Vec<u8>> {
    Some(bytes)
}

/// Adds every file under `dir` to `layer`, keyed by its path relative to `dir`
/// (and its shown path to `files`, when given), refusing files that resolve
/// outside the project.
fn add_folder<T>(
    root: &Path,
    dir: &Path,
    layer: &mut BTreeMap<String, T>,
    mut files: Option<&mut BTreeMap<String, PathBuf>>,
    diags: &mut Diagnostics,
    convert: fn(Vec<u8>) -> Option<T>,
) {
    if !dir.is_dir() {
        return;
    }
    let walker = WalkDir::new(dir).follow_links(true).sort_by_file_name();
    for entry in walker.into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let shown = display_path(root, entry.path());
        if confined(root, entry.path()).is_err() {
            diags.error_hint(
                Location::file(shown),
                "the file links outside the project folder",
                "copy it into the project instead of linking to it",
            );
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let key = rel.to_string_lossy().replace('\\', "/");
        match std::fs::read(entry.path()).ok().and_then(convert) {
            Some(value) => {
                if let Some(files) = files.as_deref_mut() {
                    files.insert(key.clone(), shown.clone());
                }
                layer.insert(key, value);
            }
            None => diags.error_hint(
                Location::file(shown),
                "cannot read the file as UTF-8 text",
                "templates must be UTF-8",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_theme_has_its_templates_css_and_catalogs() {
        let mut d = Diagnostics::new();
        let dir = tempfile::tempdir().unwrap();
        let theme = load_theme(dir.path(), "default", "zh-CN", &mut d);
        assert!(theme.templates.contains_key("base.html"));
        assert!(theme.templates.contains_key("partials/tile.html"));
        assert!(theme.statics.contains_key("style.css"));
        assert!(theme.catalog_yaml.contains("计分卡"));
        assert!(d.is_empty());
    }

    #[test]
    fn project_templates_override_the_theme() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("templates/partials")).unwrap();
        std::fs::write(root.join("templates/partials/tile.html"), "MINE").unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/style.css"), "body{}").unwrap();
        let mut d = Diagnostics::new();
        let theme = load_theme(&root, "default", "en", &mut d);
        assert_eq!(theme.templates["partials/tile.html"], "MINE");
        assert_eq!(theme.statics["style.css"], b"body{}");
        assert!(theme.templates["base.html"].contains("<html"));
    }

    #[test]
    fn a_missing_theme_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Diagnostics::new();
        load_theme(dir.path(), "corporate", "en", &mut d);
        assert!(d.sorted()[0]
            .message
            .contains("theme `corporate` not found"));
    }

    /// Every place in `template` where `safe` applies to something whose
    /// name does not end in `_html` (the trusted-HTML convention of
    /// views.rs): `{{ x | safe }}` with `x` not a plain `…_html` variable,
    /// `safe` in a `{% %}` tag (`set`, `filter safe`), each as the tag's text.
    fn unsafe_safes(template: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let after = &rest[open..];
            let close = match after.get(..2) {
                Some("{{") => "}}",
                Some("{%") => "%}",
                _ => {
                    rest = &after[1..];
                    continue;
                }
            };
            let Some(end) = after.find(close) else { break };
            let tag = &after[..end + 2];
            let body = &after[2..end];
            let parts = split_filters(body.trim_matches(|c: char| c == '-' || c.is_whitespace()));
            let filter_name = |p: &str| p.split('(').next().unwrap_or("").trim().to_string();
            let safe_filter = parts.iter().skip(1).any(|p| filter_name(p) == "safe");
            let filter_block = body
                .split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0] == "filter" && w[1].trim_end_matches('-') == "safe");
            let operand = parts[0].trim();
            let plain_html_field = close == "}}"
                && operand.ends_with("_html")
                && operand
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if filter_block || (safe_filter && !plain_html_field) {
                found.push(tag.to_string());
            }
            rest = &after[end + 2..];
        }
        found
    }

    /// A tag's expression split at its filter bars, leaving bars in quotes alone.
    fn split_filters(expr: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let (mut start, mut quote) = (0, None);
        for (i, c) in expr.char_indices() {
            match (quote, c) {
                (None, '"' | '\'' | '`') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '|') => {
                    parts.push(&expr[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&expr[start..]);
        parts
    }

    #[test]
    fn the_safe_checker_catches_what_it_should() {
        assert!(unsafe_safes("<p>{{ body_html | safe }}{{a.b_html|safe}}{{ x }}</p>").is_empty());
        assert!(unsafe_safes(r#"{{ t.a | join(sep=" | safe ") }}"#).is_empty());
        let bad = "{{ stylesheet | safe }}{{x|safe}}{{ a_html | upper }}{{ (a ~ b_html) | safe }}\
                   {% set y = z | safe %}{% filter safe %}q{% endfilter %}{{- c | escape | safe -}}";
        assert_eq!(
            unsafe_safes(bad),
            [
                "{{ stylesheet | safe }}",
                "{{x|safe}}",
                "{{ (a ~ b_html) | safe }}",
                "{% set y = z | safe %}",
                "{% filter safe %}",
                "{{- c | escape | safe -}}",
            ]
        );
    }

    #[test]
    fn built_in_templates_mark_safe_only_fields_ending_in_html() {
        // SPEC/STYLE: only trusted HTML (sanitised Markdown, chart SVG, theme
        // CSS) may bypass autoescape, and such fields end in `_html`; a field
        // named otherwise reaching `| safe` is how an injection would start.
        let dir = tempfile::tempdir().unwrap();
        let mut d = Diagnostics::new();
        let theme = load_theme(dir.path(), "default", "en", &mut d);
        assert!(theme.templates.len() >= 10, "{:?}", theme.templates.keys());
        let offending: Vec<(String, Vec<String>)> = (theme.templates.iter())
            .filter(|(name, _)| name.ends_with(".html"))
            .map(|(name, text)| (name.clone(), unsafe_safes(text)))
            .filter(|(_, found)| !found.is_empty())
            .collect();
        assert!(
            offending.is_empty(),
            "`| safe` on a field not ending in `_html`: {offending:?}"
        );
    }
}
