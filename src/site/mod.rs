//! Render and write stage: view models and templates into a site.
