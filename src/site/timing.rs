//! Per-template timings of the render stage, for `build -v`.
//!
//! Pages render in parallel, so a page's time is taken on the thread that
//! builds it (one `Instant` before and after: views, charts and the template)
//! and summed per template. The sums are therefore CPU time across threads and
//! can exceed the render stage's wall time. Chart drawing inside a page is
//! also counted apart ([`chart`]), because it is what grows with segment keys.
//! Nothing here reaches the site: the numbers are only printed.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One template's share of the render stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateTiming {
    /// The template (`indicator.html`), or the file made without one (`metrics.json`).
    pub template: &'static str,
    /// Pages (or files) made with it.
    pub pages: usize,
    /// Their total time, summed over threads.
    pub time: Duration,
    /// Of which drawing charts.
    pub charts: Duration,
}

impl TemplateTiming {
    /// "page"/"pages" for HTML templates, "file"/"files" for the rest: what
    /// `-v` prints after the count.
    pub fn unit(&self) -> &'static str {
        match (self.template.ends_with(".html"), self.pages == 1) {
            (true, true) => "page",
            (true, false) => "pages",
            (false, true) => "file",
            (false, false) => "files",
        }
    }
}

thread_local! {
    /// Chart time of the page being timed on this thread.
    static CHARTS: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Collects page timings from every rendering thread.
#[derive(Debug, Default)]
pub struct Clock {
    tallies: Mutex<BTreeMap<&'static str, (usize, Duration, Duration)>>,
}

impl Clock {
    /// Runs `make` (which makes one page with `template`) and adds its time,
    /// and the time of the charts it drew, to the template's tally.
    pub fn time<T>(&self, template: &'static str, make: impl FnOnce() -> T) -> T {
        let outer = CHARTS.with(|c| c.replace(Duration::ZERO));
        let started = Instant::now();
        let made = make();
        let took = started.elapsed();
        let charts = CHARTS.with(|c| c.replace(outer));
        // A poisoned lock only means another page panicked; the tally is still sound.
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let tally = tallies.entry(template).or_default();
        tally.0 += 1;
        tally.1 += took;
        tally.2 += charts;
        made
    }

    /// The tallies, slowest template first (ties by name): the order `-v` prints.
    pub fn finish(self) -> Vec<TemplateTiming> {
        let tallies = self.tallies.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<TemplateTiming> = tallies
            .into_iter()
            .map(|(template, (pages, time, charts))| TemplateTiming {
                template,
                pages,
                time,
                charts,
            })
            .collect();
        slowest_first(&mut all);
        all
    }
}

/// Slowest first, ties by template name, so the order never depends on threads.
fn slowest_first(all: &mut [TemplateTiming]) {
    all.sort_by(|a, b| b.time.cmp(&a.time).then(a.template.cmp(b.template)));
}

/// Draws a chart, counting its time towards the page timed on this thread.
pub fn chart<T>(draw: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let drawn = draw();
    let took = started.elapsed();
    CHARTS.with(|c| c.set(c.get() + took));
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleep_ms(ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    #[test]
    fn tallies_pages_time_and_charts_per_template() {
        let clock = Clock::default();
        clock.time("a.html", || chart(|| sleep_ms(5)));
        clock.time("a.html", || sleep_ms(1));
        clock.time("b.json", || sleep_ms(20));
        let all = clock.finish();
        // b.json slept 20 ms once; a.html 5 + 1 ms over two pages: b first.
        assert_eq!(
            all.iter()
                .map(|t| (t.template, t.pages))
                .collect::<Vec<_>>(),
            [("b.json", 1), ("a.html", 2)]
        );
        assert!(all[0].time >= Duration::from_millis(20));
        assert_eq!(all[0].charts, Duration::ZERO);
        assert!(all[1].time >= Duration::from_millis(6));
        assert!(all[1].charts >= Duration::from_millis(5));
        assert!(all[1].charts <= all[1].time);
        assert_eq!((all[0].unit(), all[1].unit()), ("file", "pages"));
    }

    #[test]
    fn charts_outside_a_timed_page_are_not_counted() {
        let clock = Clock::default();
        chart(|| sleep_ms(5));
        clock.time("a.html", || ());
        let all = clock.finish();
        assert!(all[0].charts < Duration::from_millis(5));
    }

    #[test]
    fn slowest_first_then_by_name() {
        let timing = |template, ms| TemplateTiming {
            template,
            pages: 1,
            time: Duration::from_millis(ms),
            charts: Duration::ZERO,
        };
        let mut all = [
            timing("z.html", 1),
            timing("b.html", 7),
            timing("a.html", 1),
            timing("m.html", 1),
        ];
        slowest_first(&mut all);
        let names: Vec<_> = all.iter().map(|t| t.template).collect();
        assert_eq!(names, ["b.html", "a.html", "m.html", "z.html"]);
    }
}
