//! The words a definition file may use for each enumerated setting, and the
//! enums they become.
//!
//! Every vocabulary is declared once with [`vocabulary!`]: an enum whose
//! variants each carry their word (and any accepted aliases). The one table
//! serves the validator (which reports any other word with a did-you-mean),
//! `cxscore schema` (which lists the same words in the JSON Schema),
//! `metrics.json` (which writes the same word) and the site (whose catalogue
//! keys are built from it), so an editor, the loader and the output can never
//! disagree. The first word of each table is the default where the setting
//! is optional. The generated `word` is an exhaustive match, so a new
//! variant cannot be left without its word.

use std::collections::BTreeSet;

/// An enumerated setting: a closed set of variants, each with its word.
pub trait Vocabulary: Copy + Eq + 'static {
    /// What the setting is called in messages (`metric`, `period`…).
    const WHAT: &'static str;
    /// Every accepted word with its variant, the canonical word of each
    /// variant first, in declaration order; aliases follow their variant.
    const TABLE: &'static [(&'static str, Self)];

    /// The canonical word, as written in YAML and in metrics.json.
    fn word(self) -> &'static str;

    /// The variant a word names, aliases included.
    fn from_word(word: &str) -> Option<Self> {
        Self::TABLE
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, v)| *v)
    }

    /// The default of an optional setting: the table's first variant.
    fn default_variant() -> Self {
        Self::TABLE[0].1
    }

    /// Every accepted word (aliases included), in table order, for hints and the schema.
    fn words() -> Vec<&'static str> {
        Self::TABLE.iter().map(|(w, _)| *w).collect()
    }

    /// Every variant once, in declaration order.
    fn variants() -> Vec<Self> {
        let mut seen = Vec::new();
        for (_, v) in Self::TABLE {
            if !seen.contains(v) {
                seen.push(*v);
            }
        }
        seen
    }
}

/// Declares a vocabulary enum: `Variant = "word"` or `Variant = "word" | "alias"`.
///
/// Generates the enum (Copy, Eq, Ord, Hash, Debug), its [`Vocabulary`] impl
/// and a `Serialize` that writes the word, so there is exactly one
/// word↔variant table per setting.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $word:literal $(| $alias:literal)*
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::project::vocabulary::Vocabulary for $name {
            const WHAT: &'static str = $what;
            const TABLE: &'static [(&'static str, Self)] = &[
                $( ($word, $name::$variant), $( ($alias, $name::$variant), )* )+
            ];

            fn word(self) -> &'static str {
                match self {
                    $( $name::$variant => $word ),+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::project::vocabulary::Vocabulary::word(*self))
            }
        }
    };
}

/// True when no word of `T` is listed twice (checked for every vocabulary in tests).
pub fn words_are_unique<T: Vocabulary>() -> bool {
    let words = T::words();
    words.iter().collect::<BTreeSet<_>>().len() == words.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::computed::Status;
    use crate::project::metric::{MetricName, Param};
    use crate::project::model::{
        BadRows, CesMode, Direction, Encoding, Kind, Language, NpsInterval, Period,
    };
    use crate::project::report::{Comparison, MultipleTesting, WindowWord};

    fn round_trips<T: Vocabulary + std::fmt::Debug + serde::Serialize>() {
        assert!(
            words_are_unique::<T>(),
            "{}: a word is listed twice",
            T::WHAT
        );
        for v in T::variants() {
            assert_eq!(T::from_word(v.word()), Some(v), "{}: {v:?}", T::WHAT);
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.word()));
        }
        assert_eq!(T::from_word("no such word"), None);
    }

    #[test]
    fn every_vocabulary_round_trips_through_its_words() {
        round_trips::<Language>();
        round_trips::<Period>();
        round_trips::<NpsInterval>();
        round_trips::<Encoding>();
        round_trips::<BadRows>();
        round_trips::<Kind>();
        round_trips::<Direction>();
        round_trips::<crate::project::model::Dimension>();
        round_trips::<CesMode>();
        round_trips::<MetricName>();
        round_trips::<Param>();
        round_trips::<Status>();
        round_trips::<Comparison>();
        round_trips::<MultipleTesting>();
        round_trips::<WindowWord>();
        round_trips::<crate::project::actions::ActionStatus>();
        round_trips::<crate::metrics::computed_actions::CoverageKind>();
    }

    #[test]
    fn the_words_are_the_contracts_words() {
        // SPEC §1 names these words; the order is the schema's (default first).
        assert_eq!(Language::words(), ["en", "zh-CN"]);
        assert_eq!(Period::words(), ["month", "week", "quarter", "year"]);
        assert_eq!(
            Encoding::words(),
            ["utf-8", "utf8", "gbk", "gb18030", "utf-16"]
        );
        assert_eq!(Encoding::from_word("utf8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::Utf8.word(), "utf-8");
        assert_eq!(Kind::words(), ["kqi", "kci", "kpi"]);
        assert_eq!(
            crate::project::model::Dimension::words(),
            ["brand", "product", "service", "employee"]
        );
        assert_eq!(CesMode::default_variant(), CesMode::Mean);
        assert_eq!(
            MetricName::words(),
            [
                "nps",
                "csat",
                "ces",
                "mean",
                "top_box",
                "bottom_box",
                "share",
                "percentile",
                "count",
                "composite",
                "gap"
            ]
        );
        assert_eq!(
            Status::words(),
            ["green", "amber", "red", "suppressed", "none"]
        );
    }
}
