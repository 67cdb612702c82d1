//! The template engine, set up once per build, and the rendering of one page.

use std::error::Error as _;
use std::sync::Arc;

use tera::{Context, Tera};

use crate::site::i18n::Catalog;
use crate::site::pages::report::Copies;
use crate::site::theme::Theme;
use crate::site::views::{NavView, SiteView};

/// A template failed to parse or render: names the template and the cause.
#[derive(Debug, thiserror::Error)]
#[error("template {template}: {message}")]
pub struct RenderError {
    /// The template (or page) involved.
    pub template: String,
    /// What went wrong, with tera's location where it gives one.
    pub message: String,
}

fn describe(err: &tera::Error) -> String {
    let mut message = format!("{err}");
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// Everything pages share: the engine, the words, the site facts and the navigation.
pub struct Renderer<'a> {
    tera: Arc<Tera>,
    /// The catalog, for view builders.
    pub t: &'a Catalog,
    site: SiteView,
    nav: NavView,
    stylesheet: String,
    /// Where pages that `report.html` embeds leave a copy of their content with
    /// links written from the site root; `None`: pages are rendered once.
    copies: Option<&'a Copies>,
}

impl<'a> Renderer<'a> {
    /// Compiles every template of the theme; a broken template is an error naming it.
    pub fn new(
        theme: &Theme,
        t: &'a Catalog,
        site: SiteView,
        nav: NavView,
    ) -> Result<Self, RenderError> {
        let mut tera = Tera::default();
        tera.autoescape_on([".html", ".svg", ".xml"]);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| RenderError {
            template: "(theme)".into(),
            message: describe(&e),
        })?;
        // Pages inline the theme's style.css: each page then renders alone, from
        // file://, in a mail attachment or a PDF printer, with no request to fail.
        let stylesheet = theme
            .statics
            .get("style.css")
            .map(|css| String::from_utf8_lossy(css).into_owned())
            .unwrap_or_default();
        Ok(Renderer {
            tera: Arc::new(tera),
            t,
            site,
            nav,
            stylesheet,
            copies: None,
        })
    }

    /// The same renderer, also rendering each page a second time with links
    /// written from the site root and leaving that copy in `copies`, for
    /// `report.html`. The page's views and charts are built once for both.
    pub fn copying<'b>(&self, copies: &'b Copies) -> Renderer<'b>
    where
        'a: 'b,
    {
        Renderer {
            tera: Arc::clone(&self.tera),
            t: self.t,
            site: self.site.clone(),
            nav: self.nav.clone(),
            stylesheet: self.stylesheet.clone(),
            copies: Some(copies),
        }
    }

    /// The context every page starts from; `path` decides the `root` prefix of links.
    pub fn context(&self, path: &str, kind: &str) -> Context {
        let depth = path.matches('/').count();
        let mut ctx = Context::new();
        ctx.insert("root", &"../".repeat(depth));
        ctx.insert("current", path);
        ctx.insert("page_kind", kind);
        ctx.insert("site", &self.site);
        ctx.insert("nav", &self.nav);
        ctx.insert("stylesheet", &self.stylesheet);
        ctx.insert("t", self.t.entries());
        ctx
    }

    /// Renders `template` with `ctx`.
    pub fn render(&self, template: &str, ctx: &Context) -> Result<String, RenderError> {
        self.tera.render(template, ctx).map_err(|e| RenderError {
            template: template.to_string(),
            message: describe(&e),
        })
    }

    /// Renders a whole page: `ctx` comes from [`Renderer::context`] plus the page's data.
    pub fn page(
        &self,
        path: &str,
        template: &str,
        title: &str,
        mut ctx: Context,
    ) -> Result<(String, Vec<u8>), RenderError> {
        ctx.insert("page_title", title);
        let html = self.render(template, &ctx)?;
        if let Some(copies) = self.copies {
            // Only `root` depends on where a page is written (views hold
            // root-relative URLs): the report's copy is the page at the root.
            ctx.insert("root", "");
            copies.keep(path, &self.render(template, &ctx)?);
        }
        Ok((path.to_string(), html.into_bytes()))
    }
}
