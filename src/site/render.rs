//! The template engine, set up once per build, and the rendering of one page.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::diag::Location;
use crate::site::copies::Copies;
use crate::site::i18n::Catalog;
use crate::site::paths::Page;
use crate::site::theme::Theme;
use crate::site::views::{NavView, SiteView};

/// A rendered page or file: its path in the site and its bytes.
pub type Built = (String, Vec<u8>);

/// A template failed to parse or render: names the template and the cause.
#[derive(Debug, thiserror::Error)]
#[error("template {template}: {message}")]
pub struct RenderError {
    /// The template (or page) involved.
    pub template: String,
    /// What went wrong, with tera's location where it gives one.
    pub message: String,
    /// Where in the project's own template the fault is, when it is in one (an
    /// override in `templates/` or `themes/<name>/templates/`): the author can
    /// jump to it. `None` for the built-in theme and for non-template failures.
    pub location: Option<Location>,
}

impl RenderError {
    /// A failure outside any template (serialising JSON, a missing report section).
    pub fn new(template: impl Into<String>, message: impl Into<String>) -> Self {
        RenderError {
            template: template.into(),
            message: message.into(),
            location: None,
        }
    }

    /// The whole line to print: located like any other diagnostic
    /// (`templates/page.html:3:19: error: …; hint`) when the fault is in the
    /// project's template, else `error: template …: …`.
    pub fn report_line(&self) -> String {
        match &self.location {
            Some(at) => format!(
                "{at}: error: {}; fix the template (tera syntax), or delete the file to use the built-in one",
                self.message
            ),
            None => format!("error: {self}"),
        }
    }

    /// The error for tera's `err` on `template`, located in the project's file
    /// when tera names a place in one of `files`.
    fn from_tera(template: &str, err: &tera::Error, files: &BTreeMap<String, PathBuf>) -> Self {
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = current {
            if let Some(located) = e
                .downcast_ref::<tera::Error>()
                .and_then(|e| locate(e, files))
            {
                return located;
            }
            current = e.source();
        }
        RenderError::new(template, describe(err))
    }
}

/// The project file, line and column of a tera error, if tera gives one in a
/// template the project supplies.
fn locate(err: &tera::Error, files: &BTreeMap<String, PathBuf>) -> Option<RenderError> {
    let (name, at, message) = match err.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let span = r.span();
            let line = u32::try_from(span.start_line).unwrap_or(0);
            let column = u32::try_from(span.start_col + 1).unwrap_or(0);
            let message = r.message().trim_end_matches('.').to_string();
            (r.filename(), (line, column), message)
        }
        ErrorKind::MissingParent { current, parent } => (
            current.as_str(),
            (0, 0),
            format!("extends `{parent}`, which is neither in the project nor in the theme"),
        ),
        _ => return None,
    };
    let file = files.get(name)?;
    Some(RenderError {
        template: name.to_string(),
        message,
        location: Some(Location {
            file: file.clone(),
            line: at.0,
            column: at.1,
        }),
    })
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
    /// The project's own template files, to locate their errors.
    template_files: Arc<BTreeMap<String, PathBuf>>,
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
        .map_err(|e| RenderError::from_tera("(theme)", &e, &theme.template_files))?;
        // Pages inline the theme's style.css: each page then renders alone, from
        // file://, in a mail attachment or a PDF printer, with no request to fail.
        let stylesheet = theme
            .statics
            .get("style.css")
            .map(|css| String::from_utf8_lossy(css).into_owned())
            .unwrap_or_default();
        Ok(Renderer {
            tera: Arc::new(tera),
            template_files: Arc::new(theme.template_files.clone()),
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
            template_files: Arc::clone(&self.template_files),
            t: self.t,
            site: self.site.clone(),
            nav: self.nav.clone(),
            stylesheet: self.stylesheet.clone(),
            copies: Some(copies),
        }
    }

    /// The context of a template rendered for `page`: the variables every
    /// page receives ([`Common`]) and the page's own `view`, whose fields
    /// become top-level variables.
    fn context<V: Serialize>(
        &self,
        page: Page,
        title: &str,
        view: &V,
    ) -> Result<Context, RenderError> {
        let path = page.path();
        let common = Common {
            root: "../".repeat(path.matches('/').count()),
            current: &path,
            page_kind: page.kind(),
            page_title: title,
            site: &self.site,
            nav: &self.nav,
            stylesheet_html: &self.stylesheet,
            stylesheet: &self.stylesheet,
            t: self.t.entries(),
        };
        let fail = |e: tera::Error| RenderError::new(page.template(), describe(&e));
        let mut ctx = Context::from_serialize(&common).map_err(fail)?;
        ctx.extend(Context::from_serialize(view).map_err(fail)?);
        Ok(ctx)
    }

    /// Renders `template` with `ctx`.
    fn render(&self, template: &str, ctx: &Context) -> Result<String, RenderError> {
        (self.tera.render(template, ctx))
            .map_err(|e| RenderError::from_tera(template, &e, &self.template_files))
    }

    /// Renders a partial `template` (e.g. a tile) as it would appear on `page`,
    /// from `view`, with every variable a page receives.
    pub fn partial<V: Serialize>(
        &self,
        page: Page,
        template: &str,
        view: &V,
    ) -> Result<String, RenderError> {
        self.render(template, &self.context(page, "", view)?)
    }

    /// Renders a whole page with its template, from its typed `view`.
    pub fn page<V: Serialize>(
        &self,
        page: Page,
        title: &str,
        view: &V,
    ) -> Result<Built, RenderError> {
        self.page_with_copy(page, title, view, view)
    }

    /// [`Renderer::page`] for a page whose view holds HTML already rendered
    /// with the page's `root` (a narrative page's tiles): the report's copy
    /// is rendered from `copy_view`, that HTML rendered from the site root.
    pub fn page_with_copy<V: Serialize, W: Serialize>(
        &self,
        page: Page,
        title: &str,
        view: &V,
        copy_view: &W,
    ) -> Result<Built, RenderError> {
        let (path, template) = (page.path(), page.template());
        let html = self.render(template, &self.context(page, title, view)?)?;
        if let Some(copies) = self.copies {
            // Only `root` depends on where a page is written (views hold
            // root-relative URLs): the report's copy is the page at the root.
            let mut ctx = self.context(page, title, copy_view)?;
            ctx.insert("root", "");
            copies.keep(&path, &self.render(template, &ctx)?);
        }
        Ok((path, html.into_bytes()))
    }

    /// Whether pages also leave a copy for `report.html` (see [`Renderer::copying`]).
    pub fn is_copying(&self) -> bool {
        self.copies.is_some()
    }
}

/// The variables every page receives (docs/themes.md lists them).
#[derive(Serialize)]
struct Common<'a> {
    /// The way back to the site root: `""`, `"../"`.
    root: String,
    /// The page's path from the root.
    current: &'a str,
    /// See [`Page::kind`].
    page_kind: &'a str,
    /// The page's title.
    page_title: &'a str,
    /// Site-wide facts.
    site: &'a SiteView,
    /// The navigation.
    nav: &'a NavView,
    /// The theme's `style.css`, inlined. Trusted theme text, so `_html`: only
    /// such fields may be marked `safe` (see `site::theme`'s template test).
    stylesheet_html: &'a str,
    /// The same, under its v0.1 name, so a project's own `base.html` written
    /// against v0.1 keeps rendering; the built-in templates do not use it.
    stylesheet: &'a str,
    /// The catalog of the site's language.
    t: &'a BTreeMap<String, String>,
}
