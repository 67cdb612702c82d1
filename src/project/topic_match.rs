//! The codebook's matching rules (SPEC §7): does a comment carry a topic?
//! Kept with the definitions (the validator compiles every topic once, so a
//! bad pattern is reported where it is written); the compute stage applies them.
//!
//! Input: a topic's `keywords`, `patterns` and `exclude` (once), then each
//! comment's text. Output: whether the topic applies. It exists so the rules
//! a CX team reviews in its codebook are applied in one place, the same way
//! for every dataset and language:
//!
//! - case-insensitive with Unicode simple case folding (the regex crate's
//!   `(?i)`), on the trimmed comment; a comment of only whitespace has no topic;
//! - a keyword made only of CJK characters (Han, kana, Hangul) matches as a
//!   substring: those scripts are written without spaces (`没来` in
//!   `工程师没来`);
//! - any other keyword matches whole words: not preceded or followed by a
//!   letter or digit of a script written with spaces, so `late` does not
//!   match `lately`, `chocolate` or `translate`, while `网络很slow` does
//!   match `slow` (a Han or kana character beside a Latin word is a
//!   boundary); the spaces inside a keyword (`no show`) match any run of
//!   whitespace;
//! - `patterns` are regular expressions, matched case-insensitively anywhere;
//! - a comment that matches any `exclude` entry (same rules as keywords)
//!   does not get the topic, whatever else it matches.
//!
//! Every rule of a topic is compiled into one regex per kind, so a comment
//! is scanned a few times, not once per keyword.

use regex::{Regex, RegexSet, RegexSetBuilder};

/// What may stand beside a whole-word keyword: anything but a letter or digit,
/// or a letter of a script written without spaces (Han, kana).
const BOUNDARY: &str = r"[^\p{L}\p{N}]|[\p{Han}\p{Hiragana}\p{Katakana}]";

/// A topic's rules, compiled.
#[derive(Debug, Clone)]
pub struct TopicMatcher {
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

/// A rule that does not compile: which `patterns` entry, and the regex
/// crate's message (the validator reports it at the entry's location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    /// Index into `patterns`.
    pub index: usize,
    /// Why it does not compile, as the regex crate says it.
    pub message: String,
}

/// True when every character of `keyword` is Han, kana or Hangul (spaces
/// aside): such a keyword matches as a substring.
pub fn is_cjk_only(keyword: &str) -> bool {
    // The same Unicode scripts the regexes below name, so the two never disagree.
    static CJK: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let cjk = CJK.get_or_init(|| {
        Regex::new(r"^[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\s]*[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}][\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\s]*$").ok()
    });
    cjk.as_ref().is_some_and(|r| r.is_match(keyword))
}

/// The keyword as a regex: escaped, its inner spaces any run of whitespace.
fn literal(keyword: &str) -> String {
    keyword
        .split_whitespace()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+")
}

/// The source of one regex for a list of keywords: CJK-only ones as
/// substrings, the others as whole words. `None` when the list has no usable
/// keyword.
fn keywords_source(keywords: &[String]) -> Option<String> {
    let (cjk, words): (Vec<&str>, Vec<&str>) = keywords
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .partition(|k| is_cjk_only(k));
    let mut parts = Vec::new();
    if !cjk.is_empty() {
        parts.push(format!(
            "(?:{})",
            cjk.iter().map(|k| literal(k)).collect::<Vec<_>>().join("|")
        ));
    }
    if !words.is_empty() {
        let alternatives = words
            .iter()
            .map(|k| literal(k))
            .collect::<Vec<_>>()
            .join("|");
        parts.push(format!(
            "(?:^|{BOUNDARY})(?:{alternatives})(?:$|{BOUNDARY})"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("(?i){}", parts.join("|")))
}

/// One regex for a list of keywords (see [`keywords_source`]).
fn keywords_regex(keywords: &[String]) -> Option<Regex> {
    // Escaped literals and a fixed frame always compile; the size limit is
    // the only way this could fail, and a codebook that large is refused below.
    Regex::new(&keywords_source(keywords)?).ok()
}

/// A pattern's source as matched: case-insensitive, anywhere.
fn pattern_source(pattern: &str) -> String {
    format!("(?i){pattern}")
}

impl TopicMatcher {
    /// Compiles a topic's rules; a `patterns` entry that is not a valid
    /// regular expression is an error naming it.
    pub fn new(
        keywords: &[String],
        patterns: &[String],
        exclude: &[String],
    ) -> Result<TopicMatcher, BadPattern> {
        let mut include: Vec<Regex> = keywords_regex(keywords).into_iter().collect();
        for (index, p) in patterns.iter().enumerate() {
            let re = Regex::new(&pattern_source(p)).map_err(|e| BadPattern {
                index,
                message: e.to_string(),
            })?;
            include.push(re);
        }
        Ok(TopicMatcher {
            include,
            exclude: keywords_regex(exclude).into_iter().collect(),
        })
    }

    /// Whether `comment` carries the topic.
    pub fn matches(&self, comment: &str) -> bool {
        let text = comment.trim();
        if text.is_empty() {
            return false;
        }
        self.include.iter().any(|r| r.is_match(text))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }
}

/// Every topic of one dataset, compiled together: a comment is scanned once
/// by a [`RegexSet`] of every topic's keywords and patterns and once by a set
/// of the exclusions, not once per topic — the single pass codes each
/// comment at the cost of two scans, however many topics the codebook holds.
#[derive(Debug, Clone)]
pub struct Codebook {
    /// Which topic (index into the list given) each include entry belongs to.
    include_topic: Vec<usize>,
    include: RegexSet,
    /// Which topic each exclude entry belongs to.
    exclude_topic: Vec<usize>,
    exclude: RegexSet,
    topics: usize,
    /// Scratch: per topic, excluded in the current comment.
    excluded: Vec<bool>,
}

/// One topic's rules, as given to [`Codebook::new`].
pub struct Rules<'a> {
    /// Keywords (whole words, or CJK substrings).
    pub keywords: &'a [String],
    /// Regular expressions (each known to compile).
    pub patterns: &'a [String],
    /// Exclusions.
    pub exclude: &'a [String],
}

impl Codebook {
    /// Compiles the rules of `topics` (in order: a topic's index in the
    /// result of [`Codebook::code`] is its position here). `None` when the
    /// combined sets exceed the regex crate's size limits (each topic alone
    /// compiled at validation): the caller falls back to [`TopicMatcher`]s.
    pub fn new(topics: &[Rules<'_>]) -> Option<Codebook> {
        let mut include_topic = Vec::new();
        let mut include = Vec::new();
        let mut exclude_topic = Vec::new();
        let mut exclude = Vec::new();
        for (i, t) in topics.iter().enumerate() {
            for source in keywords_source(t.keywords)
                .into_iter()
                .chain(t.patterns.iter().map(|p| pattern_source(p)))
            {
                include_topic.push(i);
                include.push(source);
            }
            if let Some(source) = keywords_source(t.exclude) {
                exclude_topic.push(i);
                exclude.push(source);
            }
        }
        let build = |sources: &[String]| {
            RegexSetBuilder::new(sources)
                .size_limit(64 << 20)
                .dfa_size_limit(16 << 20)
                .build()
                .ok()
        };
        Some(Codebook {
            include: build(&include)?,
            exclude: build(&exclude)?,
            include_topic,
            exclude_topic,
            topics: topics.len(),
            excluded: vec![false; topics.len()],
        })
    }

    /// The topics `comment` carries, ascending, into `out` (cleared first);
    /// nothing for a comment of only whitespace.
    pub fn code(&mut self, comment: &str, out: &mut Vec<usize>) {
        out.clear();
        let text = comment.trim();
        if text.is_empty() || self.topics == 0 {
            return;
        }
        let hits = self.include.matches(text);
        if !hits.matched_any() {
            return;
        }
        self.excluded.fill(false);
        if !self.exclude.is_empty() {
            for e in self.exclude.matches(text).iter() {
                self.excluded[self.exclude_topic[e]] = true;
            }
        }
        for i in hits.iter() {
            let t = self.include_topic[i];
            // Entries of one topic are adjacent and ascending: dedup by the last.
            if !self.excluded[t] && out.last() != Some(&t) {
                out.push(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(keywords: &[&str], patterns: &[&str], exclude: &[&str]) -> TopicMatcher {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        TopicMatcher::new(&s(keywords), &s(patterns), &s(exclude)).unwrap()
    }

    #[test]
    fn latin_keywords_match_whole_words_only() {
        let t = topic(&["late"], &[], &[]);
        assert!(t.matches("The engineer was late."));
        assert!(t.matches("LATE again"));
        assert!(t.matches("late"));
        assert!(!t.matches("I have been busy lately"));
        assert!(!t.matches("chocolate"));
        assert!(!t.matches("please translate this"));
        assert!(!t.matches("late2"));
        // A digit is a letter-or-digit: no boundary.
        assert!(!t.matches("2late"));
    }

    #[test]
    fn a_han_character_beside_a_latin_word_is_a_boundary() {
        let t = topic(&["slow"], &[], &[]);
        assert!(t.matches("网络很slow"));
        assert!(t.matches("slow的网络"));
        // Hangul is written with spaces: a Hangul letter is not a boundary.
        assert!(!t.matches("매우slow"));
    }

    #[test]
    fn cjk_keywords_match_as_substrings() {
        let t = topic(&["没来", "迟到"], &[], &[]);
        assert!(t.matches("工程师没来，也没有电话"));
        assert!(t.matches("又迟到了"));
        assert!(!t.matches("来了"));
        assert!(is_cjk_only("迟到"));
        assert!(is_cjk_only("キャンセル"));
        assert!(!is_cjk_only("wifi很慢"));
        assert!(!is_cjk_only("   "));
    }

    #[test]
    fn phrases_case_folding_patterns_and_exclusions() {
        let t = topic(
            &["no show", "didn't turn up"],
            &["engineer.{0,20}(late|missed)"],
            &["not late", "没有迟到"],
        );
        assert!(t.matches("A total NO   SHOW"));
        assert!(t.matches("they didn't turn up at all"));
        assert!(t.matches("The Engineer was very LATE"));
        assert!(!t.matches("engineer was not late, great"));
        // Unicode simple case folding: Greek and German capitals fold.
        let g = topic(&["σήμα", "straße"], &[], &[]);
        assert!(g.matches("ΣΉΜΑ χάθηκε"));
        // Simple folding maps one character to one: ß is not "ss".
        assert!(!g.matches("In meiner STRASSE"));
        assert!(g.matches("In meiner STRAẞE"));
        assert!(g.matches("Straße gesperrt"));
    }

    #[test]
    fn whitespace_is_not_an_answer_and_bad_patterns_are_named() {
        let t = topic(&["late"], &[], &[]);
        assert!(!t.matches("   "));
        let bad = TopicMatcher::new(&[], &["ok".into(), "(unclosed".into()], &[]).unwrap_err();
        assert_eq!(bad.index, 1);
        assert!(bad.message.contains("unclosed"), "{}", bad.message);
        // A topic with patterns only, or keywords only, works.
        assert!(topic(&[], &["^refund"], &[]).matches("Refund please"));
        assert!(!topic(&[], &[], &[]).matches("anything"));
    }

    #[test]
    fn the_codebook_codes_as_each_topic_alone_would() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let defs = [
            (
                s(&["late", "no show"]),
                s(&["engineer.{0,20}missed"]),
                s(&["not late"]),
            ),
            (s(&["slow", "网速慢"]), s(&[]), s(&[])),
            (s(&[]), s(&["^refund"]), s(&["no refund"])),
            (s(&["bill"]), s(&[]), s(&[])),
        ];
        let rules: Vec<Rules<'_>> = (defs.iter())
            .map(|(k, p, e)| Rules {
                keywords: k,
                patterns: p,
                exclude: e,
            })
            .collect();
        let mut book = Codebook::new(&rules).unwrap();
        let alone: Vec<TopicMatcher> = (defs.iter())
            .map(|(k, p, e)| TopicMatcher::new(k, p, e).unwrap())
            .collect();
        let comments = [
            "The engineer was late and the bill was wrong",
            "engineer was not late, but the network is slow",
            "Refund please, 网速慢",
            "refund: no refund yet",
            "lately fine; chocolate",
            "   ",
            "网络很slow 😡",
            "The ENGINEER MISSED the slot. No Show!",
        ];
        let mut out = Vec::new();
        for c in comments {
            book.code(c, &mut out);
            let want: Vec<usize> = (0..alone.len()).filter(|&i| alone[i].matches(c)).collect();
            assert_eq!(out, want, "{c}");
        }
        book.code("The engineer was late and the bill was wrong", &mut out);
        assert_eq!(out, [0, 3]);
        book.code("refund: no refund yet", &mut out);
        assert!(out.is_empty());
    }
}
