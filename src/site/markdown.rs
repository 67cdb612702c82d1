//! Markdown to safe HTML, with live-figure shortcodes.
//!
//! Pages, descriptions and persona summaries are written by people and may
//! carry raw HTML; everything goes through pulldown-cmark (CommonMark + tables)
//! and then ammonia, so no script, event handler, `javascript:` URL or iframe
//! reaches the site. Shortcodes (`{{ indicator("nps-overall") }}`) are swapped
//! for placeholders before rendering and replaced by trusted, template-rendered
//! HTML after sanitising, so sanitising never mangles them and they can never
//! smuggle user HTML past it.

use pulldown_cmark::{html, Options, Parser};

/// Renders Markdown to sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

/// A shortcode found in a page: which indicator, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode {
    /// The indicator id inside the quotes.
    pub id: String,
    /// 1-based line in the Markdown body.
    pub line: u32,
    /// 1-based column of the opening `{{`.
    pub column: u32,
}

/// Replaces each `{{ indicator("id") }}` with a placeholder token, returning the
/// new text and the shortcodes in order (placeholder *i* is `cxscore-shortcode-i`).
pub fn extract_shortcodes(markdown: &str) -> (String, Vec<Shortcode>) {
    let mut out = String::with_capacity(markdown.len());
    let mut found = Vec::new();
    for (line_no, line) in markdown.split_inclusive('\n').enumerate() {
        let mut rest = line;
        let mut consumed = 0;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                break;
            };
            let inner = rest[start + 2..start + len].trim();
            let id = inner
                .strip_prefix("indicator(")
                .and_then(|s| s.strip_suffix(')'))
                .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''));
            out.push_str(&rest[..start]);
            match id {
                Some(id) => {
                    let column = line[..consumed + start].chars().count() as u32 + 1;
                    out.push_str(&format!("\n\ncxscore-shortcode-{}\n\n", found.len()));
                    found.push(Shortcode {
                        id: id.to_string(),
                        line: line_no as u32 + 1,
                        column,
                    });
                }
                None => out.push_str(&rest[start..start + len + 2]),
            }
            consumed += start + len + 2;
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
    }
    (out, found)
}

/// Puts rendered HTML in place of each placeholder paragraph.
pub fn insert_shortcodes(html: &str, rendered: &[String]) -> String {
    let mut out = html.to_string();
    for (i, piece) in rendered.iter().enumerate() {
        let token = format!("cxscore-shortcode-{i}");
        out = out.replace(&format!("<p>{token}</p>"), piece);
        out = out.replace(&token, piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_do_not_survive() {
        let md = "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n\
                  [x](javascript:alert(3))\n\n<iframe src=\"https://evil\"></iframe>\n";
        let html = to_safe_html(md);
        for bad in ["<script", "onerror", "javascript:", "<iframe"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<h1>Hi</h1>"));
    }

    #[test]
    fn tables_render() {
        let html = to_safe_html("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<table>") && html.contains("<td>2</td>"));
    }

    #[test]
    fn shortcodes_are_found_with_their_place_and_replaced() {
        let md = "Intro\n\nSee {{ indicator(\"nps-overall\") }} now\n{{ other }}\n";
        let (text, codes) = extract_shortcodes(md);
        assert_eq!(
            codes,
            [Shortcode {
                id: "nps-overall".into(),
                line: 3,
                column: 5
            }]
        );
        assert!(text.contains("{{ other }}"));
        let html = insert_shortcodes(&to_safe_html(&text), &["<div>TILE</div>".to_string()]);
        assert!(html.contains("<div>TILE</div>"));
        assert!(!html.contains("cxscore-shortcode"));
    }
}
