//! Render stage: the pages `report.html` embeds, kept while they render.
//!
//! Input: each embedded page rendered a second time with links written from
//! the site root ([`crate::site::render::Renderer::copying`]). Output: the
//! `<main>` of each, by path, for [`crate::site::pages::report`]. A module of
//! its own so that the renderer, which fills it, and the report page, which
//! reads it, do not depend on each other.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The `<main>` of each page the report embeds, by the page's path, with
/// links written from the site root: filled by
/// [`crate::site::render::Renderer::copying`] while the pages render (in
/// parallel), read once by [`crate::site::pages::report::report`].
#[derive(Debug, Default)]
pub struct Copies(Mutex<BTreeMap<String, String>>);

impl Copies {
    /// Keeps the content of `html`, the page at `path` rendered from the root.
    pub fn keep(&self, path: &str, html: &str) {
        let main = main_of(html);
        // A poisoned lock only means another page panicked; the map is still sound.
        let mut copies = self.0.lock().unwrap_or_else(|e| e.into_inner());
        copies.insert(path.to_string(), main);
    }

    /// Every copy kept, by path.
    pub fn into_inner(self) -> BTreeMap<String, String> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The inside of a page's `<main id="main">`: the part the report embeds.
///
/// A custom `base.html` without that element contributes its whole body
/// instead, so an override never silently empties the report.
fn main_of(html: &str) -> String {
    let open = "<main id=\"main\">";
    let inner = html
        .find(open)
        .map(|i| i + open.len())
        .zip(html.rfind("</main>"))
        .filter(|(a, b)| a <= b)
        .or_else(|| {
            let start = html
                .find("<body")
                .and_then(|i| html[i..].find('>').map(|j| i + j + 1))?;
            Some((start, html.rfind("</body>")?))
        });
    inner.map_or_else(String::new, |(a, b)| html[a..b].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::main_of;

    #[test]
    fn main_of_takes_the_main_element_or_else_the_body() {
        let page = "<html><body><header>h</header><main id=\"main\">\n<h1>X</h1>\n</main><footer/></body></html>";
        assert_eq!(main_of(page), "<h1>X</h1>");
        assert_eq!(
            main_of("<html><body class=\"a\"><p>only</p></body></html>"),
            "<p>only</p>"
        );
        assert_eq!(main_of("no html at all"), "");
    }
}
