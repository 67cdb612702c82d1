//! Display formatting: numbers rounded once, here, and period keys as words.
//!
//! `metrics.json` carries unrounded numbers; everything a reader sees goes
//! through these functions, so a value is rounded the same way on every page.

use crate::metrics::computed::WindowInfo;
use crate::metrics::periods::PeriodKey;
use crate::project::model::Metric;
use crate::site::i18n::Catalog;

pub use crate::numbers::{maybe, number, NO_VALUE};

/// How many decimals a metric's values are shown with (the metric table decides).
pub fn decimals(metric: &Metric) -> usize {
    metric.decimals()
}

/// A change with its sign always shown (`+3.0`, `−1.2`).
pub fn signed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v > 0.0 && number(v, decimals) != number(0.0, decimals) => {
            format!("+{}", number(v, decimals))
        }
        other => maybe(other, decimals),
    }
}

/// An interval `low – high`, or the dash when either end is missing.
pub fn interval(low: Option<f64>, high: Option<f64>, decimals: usize) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{} – {}", number(l, decimals), number(h, decimals)),
        _ => NO_VALUE.to_string(),
    }
}

/// A period (`2026-01`, `2026-Q1`, `2026-W05`, `2026`) as words in the catalog's language.
pub fn period_label(key: &PeriodKey, t: &Catalog) -> String {
    match *key {
        PeriodKey::Quarter(year, q) => t.fill(
            "quarter_label",
            &[("year", &year.to_string()), ("quarter", &q.to_string())],
        ),
        PeriodKey::Week(year, w) => t.fill(
            "week_label",
            &[("year", &year.to_string()), ("week", &w.to_string())],
        ),
        PeriodKey::Month(year, m) => {
            let months = t.get("months");
            let index = usize::try_from(m).unwrap_or(0);
            match months.split(',').nth(index.wrapping_sub(1)) {
                Some(month) => t.fill(
                    "month_label",
                    &[("year", &year.to_string()), ("month", month.trim())],
                ),
                None => key.to_string(),
            }
        }
        PeriodKey::Year(_) => key.to_string(),
    }
}

/// The words for the window a number is for (SPEC §6): "Dec 2025" (one
/// period), "Oct–Dec 2025" (a span), "2025 to date" (`ytd`), "all data"
/// (`all`, or a dataset without dates) — so no headline is read as all-time.
pub fn window_label(window: &WindowInfo, t: &Catalog) -> String {
    window_words(window.kind, window.from, window.to, t)
}

/// [`window_label`] from its parts: also words a comparison's window, which
/// is always a span of periods (`kind` "rolling").
pub fn window_words(
    kind: &str,
    from: Option<PeriodKey>,
    to: Option<PeriodKey>,
    t: &Catalog,
) -> String {
    match (kind, from, to) {
        ("all", ..) | (_, _, None) => t.get("window_all"),
        ("ytd", _, Some(to)) => t.fill("window_ytd", &[("year", &year_of(&to).to_string())]),
        (_, Some(from), Some(to)) if from != to => span_label(&from, &to, t),
        (_, _, Some(to)) => period_label(&to, t),
    }
}

/// The (ISO, for weeks) year a period is in.
fn year_of(key: &PeriodKey) -> i32 {
    match *key {
        PeriodKey::Year(y)
        | PeriodKey::Quarter(y, _)
        | PeriodKey::Month(y, _)
        | PeriodKey::Week(y, _) => y,
    }
}

/// A run of periods: months of one year share it ("Oct–Dec 2025",
/// "2025年10月–12月"); anything else names both ends in full
/// ("Nov 2024–Jan 2025", "Q3 2025–Q1 2026").
fn span_label(from: &PeriodKey, to: &PeriodKey, t: &Catalog) -> String {
    let month = |m: u32| {
        let index = usize::try_from(m).unwrap_or(0).wrapping_sub(1);
        (t.get("months").split(',').nth(index)).map(|s| s.trim().to_string())
    };
    if let (PeriodKey::Month(y1, m1), PeriodKey::Month(y2, m2)) = (*from, *to) {
        if let (true, Some(a), Some(b)) = (y1 == y2, month(m1), month(m2)) {
            let year = y1.to_string();
            return t.fill("month_span", &[("from", &a), ("to", &b), ("year", &year)]);
        }
    }
    t.fill(
        "period_span",
        &[
            ("from", &period_label(from, t)),
            ("to", &period_label(to, t)),
        ],
    )
}

/// A p- or q-value: three decimals, "< 0.001" below that, the dash when
/// there is none (no test applies).
pub fn p_value(value: Option<f64>) -> String {
    match value {
        Some(p) if p.is_finite() && p < 0.001 => "< 0.001".to_string(),
        Some(p) if p.is_finite() => number(p, 3),
        _ => NO_VALUE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded_once() {
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(999.95, 1), "1,000.0");
        assert_eq!(number(-31.44, 1), "−31.4");
        assert_eq!(number(-0.04, 1), "0.0");
        assert_eq!(number(12.0, 0), "12");
        assert_eq!(number(f64::NAN, 1), NO_VALUE);
        assert_eq!(signed(Some(3.0), 1), "+3.0");
        assert_eq!(signed(Some(0.01), 1), "0.0");
        assert_eq!(signed(Some(-1.25), 1), "−1.2");
        assert_eq!(interval(Some(27.0), Some(35.84), 1), "27.0 – 35.8");
        assert_eq!(interval(None, Some(1.0), 1), NO_VALUE);
    }

    #[test]
    fn period_labels_from_typed_keys() {
        let catalog = |lang: &str| {
            let path = format!(
                "{}/themes/default/i18n/{lang}.yaml",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(path).unwrap();
            Catalog::parse(&text, lang, &mut crate::diag::Diagnostics::new())
        };
        let (en, zh) = (catalog("en"), catalog("zh-CN"));
        assert_eq!(period_label(&PeriodKey::Month(2026, 1), &en), "Jan 2026");
        assert_eq!(period_label(&PeriodKey::Month(2025, 12), &en), "Dec 2025");
        assert_eq!(period_label(&PeriodKey::Quarter(2026, 3), &en), "Q3 2026");
        // Weeks without the key's zero padding, as v0.1 wrote them.
        assert_eq!(period_label(&PeriodKey::Week(2026, 5), &en), "Week 5, 2026");
        assert_eq!(period_label(&PeriodKey::Year(2026), &en), "2026");
        assert_eq!(period_label(&PeriodKey::Month(2026, 1), &zh), "2026年1月");
        assert_eq!(
            period_label(&PeriodKey::Week(2020, 53), &zh),
            "2020年第53周"
        );
        // A month the catalog has no word for falls back to the key.
        assert_eq!(period_label(&PeriodKey::Month(2026, 13), &en), "2026-13");
        assert!(en.missing().is_empty() && zh.missing().is_empty());
    }

    fn window(kind: &'static str, from: Option<PeriodKey>, to: Option<PeriodKey>) -> WindowInfo {
        WindowInfo {
            kind,
            from,
            to,
            label: String::new(),
        }
    }

    #[test]
    fn window_labels_for_every_kind_in_both_languages() {
        let catalog = |lang: &str| {
            let path = format!(
                "{}/themes/default/i18n/{lang}.yaml",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(path).unwrap();
            Catalog::parse(&text, lang, &mut crate::diag::Diagnostics::new())
        };
        let (en, zh) = (catalog("en"), catalog("zh-CN"));
        let m = |y, m| Some(PeriodKey::Month(y, m));
        let cases = [
            (
                window("latest", m(2025, 12), m(2025, 12)),
                "Dec 2025",
                "2025年12月",
            ),
            (
                window("rolling", m(2025, 10), m(2025, 12)),
                "Oct–Dec 2025",
                "2025年10月–12月",
            ),
            (
                window("rolling", m(2024, 11), m(2025, 1)),
                "Nov 2024–Jan 2025",
                "2024年11月–2025年1月",
            ),
            (
                window("rolling", m(2025, 12), m(2025, 12)),
                "Dec 2025",
                "2025年12月",
            ),
            (
                window("ytd", m(2025, 1), m(2025, 12)),
                "2025 to date",
                "2025年至今",
            ),
            (window("all", None, None), "all data", "全部数据"),
            // A dataset without dates has no window, whatever the project's.
            (window("latest", None, None), "all data", "全部数据"),
            (
                window(
                    "rolling",
                    Some(PeriodKey::Quarter(2025, 3)),
                    Some(PeriodKey::Quarter(2026, 1)),
                ),
                "Q3 2025–Q1 2026",
                "2025年第3季度–2026年第1季度",
            ),
            (
                window(
                    "latest",
                    Some(PeriodKey::Week(2025, 5)),
                    Some(PeriodKey::Week(2025, 5)),
                ),
                "Week 5, 2025",
                "2025年第5周",
            ),
        ];
        for (w, english, chinese) in cases {
            assert_eq!(window_label(&w, &en), english, "{w:?}");
            assert_eq!(window_label(&w, &zh), chinese, "{w:?}");
        }
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(Some(0.04321)), "0.043");
        assert_eq!(p_value(None), NO_VALUE);
        assert!(en.missing().is_empty() && zh.missing().is_empty());
    }
}
