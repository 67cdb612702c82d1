//! The progress bar on stderr while CSV bytes are read (`build` and `check`).
//!
//! The scan reads files deep inside the compute stage; threading a callback
//! through every stage for a cosmetic bar would widen every signature, so the
//! bar is one process-wide value: the CLI enables it, the pipeline starts it
//! with the total bytes of the data files, and [`Counted`] (wrapped around each
//! data file by `data::open`) advances it. It only ever draws on a terminal,
//! never with `--quiet`, and only for reads of at least [`MIN_BYTES`]: a bar
//! that flashes for a tenth of a second is noise.

use std::io::{self, IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

/// Reads smaller than this get no bar.
pub const MIN_BYTES: u64 = 8 * 1024 * 1024;

static ENABLED: AtomicBool = AtomicBool::new(false);
static ACTIVE: AtomicBool = AtomicBool::new(false);
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Allows a bar in this process (the CLI's `build` and `check` without `--quiet`).
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Starts a bar for `total` bytes, if enabled, on a terminal and worth showing.
pub fn start(total: u64) {
    if !ENABLED.load(Ordering::Relaxed) || total < MIN_BYTES || !io::stderr().is_terminal() {
        return;
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "reading data {bar:30} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    *BAR.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    ACTIVE.store(true, Ordering::Relaxed);
}

/// Adds `n` bytes read.
pub fn advance(n: u64) {
    if !ACTIVE.load(Ordering::Relaxed) {
        return;
    }
    if let Some(bar) = BAR.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        // Headers are read twice (once to plan the columns): never show more than the total.
        let end = bar.length().unwrap_or(u64::MAX);
        bar.set_position(bar.position().saturating_add(n).min(end));
    }
}

/// Removes the bar (the summary line follows).
pub fn finish() {
    ACTIVE.store(false, Ordering::Relaxed);
    if let Some(bar) = BAR.lock().unwrap_or_else(|p| p.into_inner()).take() {
        bar.finish_and_clear();
    }
}

/// A reader that reports the bytes it reads to the progress bar.
pub struct Counted<R>(pub R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_passes_bytes_through_and_a_bar_only_on_a_terminal_when_enabled() {
        enable(true);
        // Large enough for a bar: one starts only when stderr is a terminal.
        start(MIN_BYTES * 2);
        assert_eq!(ACTIVE.load(Ordering::Relaxed), io::stderr().is_terminal());
        enable(false);
        finish();
        start(MIN_BYTES * 2);
        assert!(!ACTIVE.load(Ordering::Relaxed), "a bar while disabled");
        let mut out = Vec::new();
        Counted(&b"a,b\n1,2\n"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a,b\n1,2\n");
    }
}
