//! Display formatting: numbers rounded once, here, and period keys as words.
//!
//! `metrics.json` carries unrounded numbers; everything a reader sees goes
//! through these functions, so a value is rounded the same way on every page.

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
}
