//! Render and write stages: a project and its numbers in, a site out.
//!
//! [`render_site_timed`] turns the validated [`Project`] and the [`Computed`]
//! numbers into an ordered map of output path → bytes (pages, the theme's
//! assets, the project's `static/` files and `metrics.json`), reading no data
//! and computing no statistics. [`write::write_site`] then puts it on disk
//! atomically. Keeping the two apart lets `check` stop before writing and tests
//! inspect a site without touching the disk.

pub mod copies;
pub mod format;
pub mod i18n;
pub mod markdown;
pub mod pages;
pub mod paths;
pub mod pdf;
pub mod render;
pub mod rounding;
pub mod theme;
pub mod timing;
pub mod verbatims;
pub mod views;
pub mod workbook;
pub mod write;

use rayon::prelude::*;

use crate::baseline::Changes;
use crate::diag::{Diagnostics, Location};
use crate::metrics::computed::Computed;
use crate::project::brand::Brand;
use crate::project::model::Project;
use i18n::Catalog;
use pages::{people, report, reports, scorecard};
use paths::{Links, Page};
use render::{RenderError, Renderer};
use timing::{Clock, TemplateTiming};
use views::{NavLink, NavView, SiteView};
pub use write::SiteFiles;

/// Renders every page of the site, also returning how long each template
/// took (for `build -v`); problems in the project (a shortcode naming an
/// unknown indicator, a missing translation) go to `diags`, broken templates
/// to the error.
pub fn render_site_timed(
    project: &Project,
    computed: &Computed,
    changes: Option<&Changes>,
    diags: &mut Diagnostics,
) -> Result<(SiteFiles, Vec<TemplateTiming>), RenderError> {
    let config = &project.config;
    let theme = theme::load_theme(&project.root, &config.theme, config.language.tag(), diags);
    let t = Catalog::parse(&theme.catalog_yaml, &theme.catalog_origin, diags);
    let version = env!("CARGO_PKG_VERSION");
    let brand = &config.brand;
    let client = config.client.clone().unwrap_or_default();
    let site = SiteView {
        title: config.title.clone(),
        lang: config.language.tag().to_string(),
        version: version.to_string(),
        footer: t.fill("footer", &[("version", version)]),
        brand_footer: brand.footer.clone().unwrap_or_default(),
        logo_url: brand.logo_site_path().unwrap_or_default(),
        logo_alt: if client.is_empty() {
            config.title.clone()
        } else {
            client.clone()
        },
        brand_css_html: brand_css(brand),
        client,
    };
    let nav = NavView {
        journeys: project
            .journeys
            .iter()
            .map(|j| NavLink {
                name: j.name.clone(),
                url: Page::Journey(&j.id).path(),
            })
            .collect(),
        has_personas: !project.personas.is_empty(),
        personas_url: Page::Personas.path(),
        has_drivers: !computed.drivers.is_empty(),
        has_topics: !computed.topics.is_empty(),
        has_actions: !project.actions.is_empty(),
        has_owners: pages::actions::has_owners(project),
        has_value: computed.value_at_stake.is_some(),
        links: Links::default(),
        pages: project
            .pages
            .iter()
            .map(|p| NavLink {
                name: p.title.clone(),
                url: Page::Narrative(&p.slug).path(),
            })
            .collect(),
    };
    let r = Renderer::new(&theme, &t, site, nav)?;
    let clock = Clock::default();
    // metrics.json is serialised while the pages render.
    let (json, built) = rayon::join(
        || clock.time(paths::METRICS_JSON, || serde_json::to_vec_pretty(computed)),
        || pages(&r, &clock, project, computed, changes, diags),
    );
    let mut built = built?;
    let json = json.map_err(|e| RenderError::new("metrics.json", e.to_string()))?;
    if config.workbook {
        let xlsx = clock.time(paths::REPORT_XLSX, || {
            workbook::workbook(project, computed, &t)
        });
        built.push((
            paths::REPORT_XLSX.to_string(),
            xlsx.map_err(|e| RenderError::new(paths::REPORT_XLSX, e.to_string()))?,
        ));
    }

    let mut files = SiteFiles::new();
    for (path, bytes) in theme.statics {
        files.insert(path, bytes);
    }
    if let (Some(source), Some(path)) = (&brand.logo, brand.logo_site_path()) {
        match std::fs::read(source) {
            Ok(bytes) => built.push((path, bytes)),
            Err(e) => diags.error(
                Location::file("cxscore.yaml"),
                format!("cannot read the logo {}: {e}", source.display()),
            ),
        }
    }
    for (path, bytes) in built
        .into_iter()
        .chain([(paths::METRICS_JSON.to_string(), json)])
    {
        // A static file with a page's name would be silently overwritten: refuse.
        if files.insert(path.clone(), bytes).is_some() {
            diags.error_hint(
                Location::file(format!("static/{path}")),
                format!("static file `{path}` has the same name as a generated page"),
                "rename or remove the static file",
            );
        }
    }
    for key in t.missing() {
        diags.error_hint(
            Location::file(&theme.catalog_origin),
            format!("translation `{key}` is missing"),
            "add the key to every language's catalog",
        );
    }
    Ok((files, clock.finish()))
}

/// Every page, in site order, each timed on `clock`.
///
/// The many pages of one kind render in parallel (rayon); `collect` keeps
/// their order and the first error in that order is the one reported, so the
/// site and the messages do not depend on the number of threads. No timed
/// page waits on rayon work, so a page's time is never inflated by another
/// page stolen onto its thread.
fn pages(
    r: &Renderer,
    clock: &Clock,
    project: &Project,
    computed: &Computed,
    changes: Option<&Changes>,
    diags: &mut Diagnostics,
) -> Result<Vec<pages::Built>, RenderError> {
    // Every page report.html embeds (all but the report itself) is rendered
    // by `rc`, which leaves its copy for the report: views and charts are
    // built once.
    let copies = copies::Copies::default();
    let rc = r.copying(&copies);
    let pairs: Vec<_> = views::pairs(project, &computed.indicators).collect();
    let (index, indicators) = rayon::join(
        || {
            clock.time(Page::Index.template(), || {
                scorecard::index(&rc, project, computed, changes)
            })
        },
        || {
            (pairs.par_iter())
                .map(|(ind, res)| {
                    clock.time(Page::Indicator(&ind.id).template(), || {
                        scorecard::indicator(&rc, project, computed, ind, res)
                    })
                })
                .collect::<Vec<_>>()
        },
    );
    let mut built = vec![index?];
    if let Some(changes) = changes {
        built.push(clock.time(Page::WhatsChanged.template(), || {
            pages::changes::page(&rc, project, changes)
        })?);
        built.push(clock.time(paths::CHANGES_JSON, || pages::changes::json(changes))?);
    }
    for page in indicators {
        built.push(page?);
    }
    if !project.personas.is_empty() {
        built.push(clock.time(Page::Personas.template(), || {
            people::personas_index(&rc, project, computed)
        })?);
    }
    let personas: Vec<_> = (project.personas.par_iter())
        .map(|p| {
            clock.time(Page::Persona(&p.id).template(), || {
                people::persona(&rc, project, computed, p)
            })
        })
        .collect();
    for page in personas {
        built.push(page?);
    }
    let journeys: Vec<_> = (project.journeys.par_iter())
        .map(|j| {
            clock.time(Page::Journey(&j.id).template(), || {
                people::journey(&rc, project, computed, j)
            })
        })
        .collect();
    for page in journeys {
        built.push(page?);
    }
    if !computed.drivers.is_empty() {
        built.push(clock.time(Page::Drivers.template(), || {
            pages::drivers::page(&rc, project, computed)
        })?);
    }
    if !computed.topics.is_empty() {
        built.push(clock.time(Page::Topics.template(), || {
            pages::topics::page(&rc, project, computed)
        })?);
    }
    if !project.actions.is_empty() {
        built.push(clock.time(Page::Actions.template(), || {
            pages::actions::page(&rc, project, computed)
        })?);
    }
    if pages::actions::has_owners(project) {
        built.push(clock.time(Page::Owners.template(), || {
            pages::actions::owners_page(&rc, project, computed)
        })?);
    }
    if computed.value_at_stake.is_some() {
        built.push(clock.time(Page::Value.template(), || {
            pages::value::page(&rc, project, computed)
        })?);
    }
    built.push(clock.time(Page::Methodology.template(), || {
        reports::methodology(&rc, project, computed)
    })?);
    for page in &project.pages {
        built.push(clock.time(Page::Narrative(&page.slug).template(), || {
            reports::narrative(&rc, project, computed, page, diags)
        })?);
    }
    drop(rc);
    built.push(clock.time(Page::Report.template(), || {
        report::report(r, project, computed, changes.is_some(), copies.into_inner())
    })?);
    Ok(built)
}

/// The brand's colours as CSS custom properties overriding the theme's.
fn brand_css(brand: &Brand) -> String {
    let vars: Vec<String> = [("primary", &brand.primary), ("accent", &brand.accent)]
        .into_iter()
        .filter_map(|(name, colour)| Some(format!("--{name}:{}", colour.as_ref()?)))
        .collect();
    if vars.is_empty() {
        String::new()
    } else {
        format!(":root{{{}}}", vars.join(";"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn a_v0_1_base_override_still_inlines_the_stylesheet() {
        // The built-in base.html reads `stylesheet_html`; a project's own
        // base.html written against v0.1 reads `stylesheet` and must keep working.
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        copy_dir(&fixture, dir.path());
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/base.html"),
            "<style>{{ stylesheet | safe }}</style><main id=\"main\">{% block content %}{% endblock content %}</main>",
        )
        .unwrap();
        let mut diags = Diagnostics::new();
        let project = crate::project::load(dir.path(), &mut diags).expect("tiny loads");
        let computed = crate::metrics::compute(&project, &mut diags);
        let (files, _) = render_site_timed(&project, &computed, None, &mut diags).unwrap();
        assert!(!diags.has_errors(), "{:?}", diags.sorted());
        let index = String::from_utf8(files["index.html"].clone()).unwrap();
        assert!(
            index.starts_with("<style>/* cxscore default theme."),
            "{}",
            &index[..80]
        );
    }
}
