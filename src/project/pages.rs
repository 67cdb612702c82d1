//! Narrative pages: `pages/*.md` with YAML front matter.

use std::path::Path;

use super::model::Page;
use super::raw::RawFrontMatter;
use super::{checks, paths, read_text, yaml};
use crate::diag::{display_path, Diagnostics, Location};

/// Reads every page, sorted by `order`, then title, then file name.
pub fn load_pages(root: &Path, diags: &mut Diagnostics) -> Vec<Page> {
    let mut pages = Vec::new();
    for path in paths::list_files(&root.join("pages"), &["md"]) {
        let shown = display_path(root, &path);
        if paths::confined(root, &path).is_err() {
            diags.error_hint(
                Location::file(shown),
                "the page links outside the project folder",
                "copy it into the project instead of linking to it",
            );
            continue;
        }
        let Some(text) = read_text(root, &path, diags) else {
            continue;
        };
        let slug = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !checks::is_valid_id(&slug) {
            diags.error_hint(
                Location::file(&shown),
                format!("page file name `{slug}` is not a valid page id"),
                "name pages with lowercase letters, digits and dashes, e.g. `about.md`",
            );
            continue;
        }
        if let Some(page) = parse_page(&shown, &slug, &text, diags) {
            pages.push(page);
        }
    }
    pages.sort_by(|a, b| (a.order, &a.title, &a.slug).cmp(&(b.order, &b.title, &b.slug)));
    pages
}

/// Splits the front matter from the body and checks it.
fn parse_page(file: &Path, slug: &str, text: &str, diags: &mut Diagnostics) -> Option<Page> {
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        diags.error_hint(
            Location::at(file, 1, 1),
            "the page has no front matter",
            "start the file with `---`, a `title: …` line, and `---`",
        );
        return None;
    };
    let (front, body) = match rest.find("\n---\n") {
        Some(i) => (&rest[..i + 1], &rest[i + 5..]),
        None if rest.ends_with("\n---") => (&rest[..rest.len() - 3], ""),
        None => {
            diags.error_hint(
                Location::at(file, 1, 1),
                "the page's front matter is not closed",
                "end the front matter with a line holding only `---`",
            );
            return None;
        }
    };
    // The front matter starts on line 2 of the file: shift its locations by one.
    let mut local = Diagnostics::new();
    let parsed: Option<RawFrontMatter> = yaml::parse(file, front, &mut local);
    for mut d in local.into_items() {
        if d.location.line > 0 {
            d.location.line += 1;
        }
        diags.add(d);
    }
    let front = parsed?;
    // "---", the front matter's lines, "---": the body starts on the line after.
    let body_line = front_text_lines(&text, body) + 1;
    Some(Page {
        slug: slug.to_string(),
        title: front.title,
        order: front.order,
        markdown: body.to_string(),
        body_line,
        location: Location::file(file),
    })
}

/// The number of lines of `text` before `body` (a suffix of it) begins.
fn front_text_lines(text: &str, body: &str) -> u32 {
    let head = &text[..text.len() - body.len()];
    head.matches('\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_errors_point_at_the_file_line() {
        let mut d = Diagnostics::new();
        let page = parse_page(
            Path::new("pages/a.md"),
            "a",
            "---\ntitle: A\nordr: 2\n---\nHi\n",
            &mut d,
        );
        assert!(page.is_none());
        let msg = d.sorted()[0].to_string();
        assert!(
            msg.starts_with("pages/a.md:3:1: error: unknown field `ordr`"),
            "{msg}"
        );
        assert!(msg.ends_with("did you mean `order`?"), "{msg}");
    }

    #[test]
    fn body_follows_front_matter() {
        let mut d = Diagnostics::new();
        let page = parse_page(
            Path::new("p.md"),
            "p",
            "---\ntitle: T\norder: 3\n---\n# Hi\n",
            &mut d,
        )
        .unwrap();
        assert_eq!(
            (page.title.as_str(), page.order, page.markdown.as_str()),
            ("T", 3, "# Hi\n")
        );
        assert_eq!(page.body_line, 5);
    }
}
