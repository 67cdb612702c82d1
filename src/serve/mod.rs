//! `cxscore serve`: build, serve on 127.0.0.1, rebuild on change, reload open pages.
//!
//! The site is rendered into memory (the same [`SiteFiles`] map `build`
//! writes), never to disk: the project folder is left untouched, the watcher
//! cannot see its own output, and a request can only name a key of the map, so
//! no URL reaches a file outside the site. A failed rebuild keeps the last good
//! site and shows the diagnostics over it (and in the terminal). The reload
//! script is added to HTML responses here, at serve time: the built site
//! never carries it.

mod http;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::diag::Diagnostics;
use crate::pipeline;
use crate::site::SiteFiles;

/// What the server shows: the last good site, and the last build's errors if it failed.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last site that built without errors (empty until one does).
    pub files: Arc<SiteFiles>,
    /// Bumped after every build, good or bad: open pages reload when it changes.
    pub version: u64,
    /// The diagnostics of the last build, when it failed.
    pub error: Option<String>,
}

/// The snapshot shared by the HTTP thread and the rebuild loop.
pub type Shared = Arc<Mutex<Snapshot>>;

/// Why `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port is taken or not ours to use.
    #[error("cannot listen on 127.0.0.1:{port}: {message} (try another --port, or --port 0 for any free one)")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The cause.
        message: String,
    },
    /// The project folder cannot be watched.
    #[error("cannot watch {path}: {message}")]
    Watch {
        /// The folder.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

/// Serves `project` on `127.0.0.1:port` until the process is stopped.
pub fn serve(project: &Path, port: u16, open: bool) -> Result<(), ServeError> {
    // Bind first: a taken port fails at once, not after a build.
    let server = http::bind(port)?;
    let shared: Shared = Arc::default();
    rebuild(project, &shared);
    let url = format!("http://127.0.0.1:{}/", server.port());
    // stdout: the one line a script (or a test) needs to find the server.
    println!("serving {} at {url} (Ctrl-C to stop)", project.display());
    if open {
        // `$BROWSER` first (the convention terminals and remote shells set),
        // then the system's default.
        if let Err(e) = opener::open_browser(&url) {
            eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
        }
    }
    let http_shared = Arc::clone(&shared);
    std::thread::spawn(move || http::run(server, &http_shared));
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf());
    watch::watch(&root, || rebuild(project, &shared))
}

/// Builds the site into memory and publishes it, or keeps the last good one and publishes the errors.
pub fn rebuild(project: &Path, shared: &Shared) {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    let outcome = pipeline::render_in_memory(project, &mut diags);
    let report: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
    for line in &report {
        eprintln!("{line}");
    }
    let mut snap = shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    snap.version += 1;
    match outcome {
        Ok(Some(files)) => {
            eprintln!(
                "built {} files in {:.2} s",
                files.len(),
                started.elapsed().as_secs_f64()
            );
            snap.files = Arc::new(files);
            snap.error = None;
        }
        Ok(None) => {
            eprintln!("build failed; still serving the last good site");
            snap.error = Some(report.join("\n"));
        }
        Err(e) => {
            let line = e.report_line();
            eprintln!("{line}; still serving the last good site");
            snap.error = Some(line);
        }
    }
}
