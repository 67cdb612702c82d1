//! `build --pdf`: prints the built site's `report.html` to `report.pdf` with a
//! headless Chromium, after the site is written.
//!
//! cxscore draws no PDF itself: the browser's print engine already paginates
//! the print stylesheet faithfully, fonts (Chinese included) and all. The
//! browser is found on `PATH` as `chromium`, `chromium-browser`,
//! `google-chrome` or `google-chrome-stable`, or named by `CXSCORE_CHROMIUM`.
//! Without one, the site is still written and [`PdfError::NoBrowser`] says how
//! to install one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Browser names looked for on `PATH`, in order.
pub const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The environment variable naming a browser explicitly (a path or a name).
pub const BROWSER_ENV: &str = "CXSCORE_CHROMIUM";

/// How long the browser may take before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Why no PDF was written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No Chromium found.
    #[error(
        "--pdf needs Chromium or Google Chrome, and none was found on PATH (looked for {}); \
         install one (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: \
         `brew install --cask chromium`; or Google Chrome from google.com/chrome) or name it \
         with {BROWSER_ENV}=/path/to/chromium; the site itself was written",
        BROWSERS.join(", ")
    )]
    NoBrowser,
    /// The browser could not be started, failed, timed out or wrote nothing.
    #[error("printing {html} to PDF with {browser} failed: {why}; the site itself was written")]
    Failed {
        /// The browser used.
        browser: String,
        /// The page printed.
        html: String,
        /// What went wrong.
        why: String,
    },
}

/// The browser to print with: `CXSCORE_CHROMIUM` if set, else the first of
/// [`BROWSERS`] on `PATH`.
pub fn find_browser() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
        let named = PathBuf::from(named);
        return if named.components().count() > 1 {
            named.is_file().then_some(named)
        } else {
            on_path(&named.to_string_lossy())
        };
    }
    BROWSERS.iter().find_map(|name| on_path(name))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Prints `html` (a file) to `pdf` with `browser`, writing beside `pdf` first
/// and renaming, so a failed print leaves no half-written PDF.
pub fn print(browser: &Path, html: &Path, pdf: &Path) -> Result<(), PdfError> {
    let failed = |why: String| PdfError::Failed {
        browser: browser.display().to_string(),
        html: html.display().to_string(),
        why,
    };
    let html = html
        .canonicalize()
        .map_err(|e| failed(format!("cannot find the page: {e}")))?;
    let partial = pdf.with_extension("pdf.partial");
    let profile = tempfile::tempdir().map_err(|e| failed(format!("no temporary folder: {e}")))?;
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            // The page is our own static file with no script; the sandbox cannot
            // start as root in containers, where CI runs.
            "--no-sandbox",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", partial.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("cannot start it: {e}")))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!("no answer after {} s", TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(failed(e.to_string())),
        }
    };
    let written = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
    if !status.success() || written == 0 {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(format!("it exited with {status} and wrote no PDF")));
    }
    std::fs::rename(&partial, pdf).map_err(|e| failed(format!("cannot move the PDF: {e}")))
}
