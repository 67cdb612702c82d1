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

use std::collections::{BTreeMap, HashMap};

use aho_corasick::AhoCorasick;
use foldhash::fast::FixedState;
use regex::Regex;

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
    // the only way this could fail (tens of thousands of keywords). The pass
    // codes with a [`Codebook`], which walks words and does not use it.
    Regex::new(&keywords_source(keywords)?).ok()
}

/// A pattern's source as matched: case-insensitive, anywhere.
fn pattern_source(pattern: &str) -> String {
    format!("(?i){pattern}")
}

/// Each of a topic's `patterns` compiled as it is matched; the first that
/// does not compile is an error naming it.
fn compile_patterns(patterns: &[String]) -> Result<Vec<Regex>, BadPattern> {
    (patterns.iter().enumerate())
        .map(|(index, p)| {
            Regex::new(&pattern_source(p)).map_err(|e| BadPattern {
                index,
                message: e.to_string(),
            })
        })
        .collect()
}

/// The first of `patterns` that does not compile, as the validator reports
/// it. Keywords and exclusions are not compiled here: escaped words always
/// compile, and their regexes (with Unicode classes for the word boundary)
/// cost more to build than the patterns do.
pub fn check_patterns(patterns: &[String]) -> Result<(), BadPattern> {
    compile_patterns(patterns).map(drop)
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
        include.extend(compile_patterns(patterns)?);
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

/// Every topic of one dataset, compiled together, for the pass: the same
/// rules as [`TopicMatcher`] (tested to agree) at a fraction of the cost.
///
/// - Whole-word keywords (and exclusions) are found by walking the comment's
///   words once: each word is looked up in a hash of the keywords' first
///   words, and only those candidates are compared, then checked for the
///   boundary after them. ASCII comments are compared in place, case folded
///   on the fly; other comments are folded once ([`fold`]).
/// - CJK-only keywords are substrings: one Aho–Corasick automaton, run only
///   on comments that are not ASCII.
/// - Patterns run as compiled, except where an ASCII twin ([`ascii_twin`])
///   is provably equivalent: on ASCII comments, and on comments whose only
///   non-ASCII characters are neither word characters nor whitespace (’, —,
///   emoji…), read with each such character as one non-word byte. There the
///   lazy DFA runs; a Unicode `\b` would send it to the PikeVM. A twin runs
///   only where its pattern may match: on an ASCII comment, when the word
///   walk found a word of each of its [`word_gates`] sets; otherwise when
///   the literal gate (`gate`, one scan of a lowercase copy) found one of its
///   [`gate_literals`].
///
/// Why not one regex set (measured on the 2M-row benchmark, 20 topics): a
/// set search must report every match, so it cannot stop early or skip text
/// with prefilters, and an author's `\b` makes its DFA give up on any
/// non-ASCII comment: +190 % CPU for the whole build.
#[derive(Debug, Clone)]
pub struct Codebook {
    /// Whole-word keywords and exclusions, folded.
    words: Vec<Word>,
    /// By the first word of a folded keyword (or its first character when
    /// that is a boundary, e.g. `£5`): the keywords that begin with it.
    by_first: HashMap<String, Vec<usize>, FixedState>,
    /// Whether some keyword begins with a boundary character.
    boundary_led: bool,
    /// CJK-only keywords and exclusions.
    cjk: Option<AhoCorasick>,
    cjk_entries: Vec<Entry>,
    patterns: Vec<Pattern>,
    /// The ASCII first words of `by_first`, found by a hash computed while
    /// an ASCII comment's word is walked: no copy, no lowercase pass.
    ascii_first: FirstWords,
    /// The literals every match of a pattern begins (or ends) with
    /// ([`gate_literals`]), of the patterns that have a twin and such
    /// literals, each once: one scan of a projected comment (or of an ASCII
    /// one when some such pattern has no word gate, `ascii_scan`),
    /// lowercased, says which of them may match at all — most comments hold
    /// none of their words. Leftmost-longest,
    /// so the scan skips text with its prefilter (an overlapping search
    /// cannot): at each start only the longest literal is reported, and
    /// every other literal found there is one of its prefixes.
    gate: Option<AhoCorasick>,
    /// Per literal of `gate`, the patterns of the literals that are its
    /// prefixes (itself included): those found wherever it is.
    gate_pattern: Vec<Vec<usize>>,
    /// Some pattern without a word gate is gated by `gate`: an ASCII
    /// comment is scanned by it (otherwise only projected comments are).
    ascii_scan: bool,
    topics: usize,
}

#[derive(Debug, Clone)]
struct Word {
    text: String,
    entry: Entry,
}

#[derive(Debug, Clone)]
struct Pattern {
    topic: usize,
    unicode: Regex,
    twin: Option<regex::bytes::Regex>,
    /// The pattern is written in ASCII: its twin may read projected comments.
    ascii_source: bool,
    /// Its twin runs only on comments where `gate` found one of its literals.
    gated: bool,
    /// One bit per set of [`word_gates`]: on an ASCII comment its twin runs
    /// only when the word walk found a word of every set (0: no word gate).
    word_gate: u8,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    topic: usize,
    exclude: bool,
}

/// Per-thread scratch of [`Codebook::code`]. Kept apart so one codebook is
/// shared by every thread of the pass.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    folded: String,
    projected: Vec<u8>,
    /// The ASCII (or projected) comment in lowercase, for the gate.
    lowered: Vec<u8>,
    /// Per pattern: the gate found one of its literals in the comment.
    maybe: Vec<bool>,
    /// Per pattern: the sets of its word gate the walk found a word of.
    words_found: Vec<u8>,
    hit: Vec<bool>,
    excluded: Vec<bool>,
    /// Exclusions that may begin in an ASCII comment, checked once its
    /// topics are known: (index into `FirstWords::keys`, byte offset).
    pending: Vec<(u32, u32)>,
    /// Non-ASCII characters already classified by [`is_boundary`].
    boundary: HashMap<char, bool, FixedState>,
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

impl<'a> From<&'a super::topics::Topic> for Rules<'a> {
    /// A codebook topic's rules, as written in `topics/*.yaml`.
    fn from(topic: &'a super::topics::Topic) -> Self {
        Rules {
            keywords: &topic.keywords,
            patterns: &topic.patterns,
            exclude: &topic.exclude,
        }
    }
}

/// `text` folded for keyword search into `out`: every character lowered
/// (Unicode lowercase mapping, with final sigma and long s folded as simple
/// case folding does: `ς`, `Σ` → `σ`, `ſ` → `s`), every run of whitespace
/// one space. Keywords are folded the same way, so a hit in the folded text
/// is a case-insensitive match whose inner spaces matched any whitespace.
fn fold(text: &str, out: &mut String) {
    out.clear();
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            'ς' | 'Σ' => out.push('σ'),
            'ſ' => out.push('s'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// A pattern compiled without Unicode, for ASCII text only: on an ASCII
/// text it matches exactly where the Unicode regex does (`\b`, `\w`, `.`,
/// classes and `(?i)` differ only on non-ASCII characters), and its `\b`
/// keeps the lazy DFA running, where a Unicode `\b` sends every search to
/// the much slower PikeVM. `None` when the pattern needs Unicode (`\p{Han}`).
fn ascii_twin(source: &str) -> Option<regex::bytes::Regex> {
    regex::bytes::RegexBuilder::new(source)
        .unicode(false)
        .build()
        .ok()
}

/// True when `c` may stand beside a whole-word keyword ([`BOUNDARY`]): not
/// a letter or digit, or a Han or kana character.
fn is_boundary(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    static ONE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let one = ONE.get_or_init(|| Regex::new(&format!("^(?:{BOUNDARY})$")).ok());
    let mut buf = [0u8; 4];
    one.as_ref()
        .is_some_and(|r| r.is_match(c.encode_utf8(&mut buf)))
}

/// [`is_boundary`], remembered per character (a Chinese comment asks for
/// every character).
fn boundary(memo: &mut HashMap<char, bool, FixedState>, c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    *memo.entry(c).or_insert_with(|| is_boundary(c))
}

/// The key a folded keyword is filed under: its first word (the run of
/// non-boundary characters it begins with), or its first character when
/// that is a boundary.
fn first_key(folded: &str) -> String {
    let mut chars = folded.char_indices();
    match chars.next() {
        Some((_, c)) if is_boundary(c) => c.to_string(),
        Some(_) => {
            let end = (folded.char_indices())
                .find(|&(_, c)| is_boundary(c))
                .map_or(folded.len(), |(i, _)| i);
            folded[..end].to_string()
        }
        None => String::new(),
    }
}

/// Per byte: its lowercase form when it is an ASCII letter or digit (a word
/// byte of an ASCII comment), else 0.
static WORD_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// A word's key in [`FirstWords`]: its first 8 lowercase bytes, little
/// endian (a shorter word's are zero-padded), and its length. Two words
/// with the same key are the same word when it is at most 8 bytes long.
type WordKey = (u64, usize);

/// The [`WordKey`] of a lowercase ASCII word.
fn word_key(word: &[u8]) -> WordKey {
    let prefix =
        (word.iter().take(8).enumerate()).fold(0u64, |key, (i, &b)| key | u64::from(b) << (8 * i));
    (prefix, word.len())
}

/// Where a [`WordKey`] is filed: a multiplicative hash, top bits.
#[inline]
fn word_slot((prefix, len): WordKey, bits: u32) -> usize {
    let mixed = (prefix ^ (len as u64).rotate_right(7)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (64 - bits)) as usize
}

/// The keywords that begin with one first word, by kind: exclusions are
/// checked only for topics the comment carries ([`Codebook::code`]).
#[derive(Debug, Clone, Default)]
struct Starting {
    include: Vec<usize>,
    exclude: Vec<usize>,
    /// (pattern, bit) of each word-gate set this word is in.
    gates: Vec<(u32, u8)>,
}

/// The keywords' ASCII first words (letters and digits, lowercase), in an
/// open-addressing table by their [`WordKey`]: an ASCII comment's word is
/// looked up by the key its walk gathered (no copy, no lowercase pass, no
/// hash chain through every byte), and compared only past its 8th byte.
#[derive(Debug, Clone)]
struct FirstWords {
    /// (prefix, length, 1 + index into `keys`; 0: empty) of each key: 16
    /// bytes, so the table stays in the first-level cache. A power of two,
    /// at least four times the keys: most of a comment's words are in no
    /// keyword, and their probe then ends at its first, empty, slot.
    slots: Vec<(u64, u32, u32)>,
    bits: u32,
    /// Each first word and the keywords (indices into `Codebook::words`)
    /// it begins.
    keys: Vec<(Vec<u8>, Starting)>,
}

impl FirstWords {
    fn new(
        by_first: &HashMap<String, Vec<usize>, FixedState>,
        words: &[Word],
        gates: &BTreeMap<Vec<u8>, Vec<(u32, u8)>>,
    ) -> FirstWords {
        let mut keys: BTreeMap<Vec<u8>, Starting> = (by_first.iter())
            .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map(|(k, list)| {
                let mut starting = Starting::default();
                for &w in list {
                    match words[w].entry.exclude {
                        false => starting.include.push(w),
                        true => starting.exclude.push(w),
                    }
                }
                (k.as_bytes().to_vec(), starting)
            })
            .collect();
        for (word, gates) in gates {
            keys.entry(word.clone()).or_default().gates = gates.clone();
        }
        let keys: Vec<(Vec<u8>, Starting)> = keys.into_iter().collect();
        let size = (keys.len() * 4 + 1).next_power_of_two().max(2);
        let bits = size.trailing_zeros();
        let mut slots = vec![(0u64, 0u32, 0u32); size];
        for (n, (word, _)) in keys.iter().enumerate() {
            let key = word_key(word);
            let mut at = word_slot(key, bits);
            while slots[at].2 != 0 {
                at = (at + 1) & (size - 1);
            }
            slots[at] = (key.0, key.1 as u32, n as u32 + 1);
        }
        FirstWords { slots, bits, keys }
    }

    /// The index in `keys` of `word` (any case), `key` being its
    /// [`WordKey`] (of its lowercase bytes).
    #[inline]
    fn find(&self, key: WordKey, word: &[u8]) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = word_slot(key, self.bits);
        loop {
            let (prefix, len, k) = self.slots[at];
            if k == 0 {
                return None;
            }
            if (prefix, len as usize) == key
                && (key.1 <= 8 || self.keys[k as usize - 1].0[8..].eq_ignore_ascii_case(&word[8..]))
            {
                return Some(k as usize - 1);
            }
            at = (at + 1) & mask;
        }
    }
}

/// Whitespace as a folded keyword's space matches it: the same test as
/// [`fold`]'s and the keyword regex's `\s` ([`char::is_whitespace`]), on
/// an ASCII byte — so the vertical tab too, which
/// [`u8::is_ascii_whitespace`] leaves out.
fn is_space(b: u8) -> bool {
    char::from(b).is_whitespace()
}

/// Where `word` (folded) ends when it begins at byte `at` of the ASCII
/// `text`, compared case-insensitively with each space of `word` matching a
/// run of whitespace; `None` when it does not begin there.
fn ascii_match_end(text: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let mut i = at;
    for &w in word {
        if w == b' ' {
            if !text.get(i).copied().is_some_and(is_space) {
                return None;
            }
            while text.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
        } else if text.get(i).map(u8::to_ascii_lowercase) == Some(w) {
            i += 1;
        } else {
            return None;
        }
    }
    Some(i)
}

impl Codebook {
    /// Compiles the rules of `topics` (in order: a topic's index in the
    /// result of [`Codebook::code`] is its position here). `None` when an
    /// automaton cannot be built (each topic alone compiled at validation):
    /// the caller falls back to [`TopicMatcher`]s.
    pub fn new(topics: &[Rules<'_>]) -> Option<Codebook> {
        let mut words = Vec::new();
        let mut by_first: HashMap<String, Vec<usize>, FixedState> = HashMap::default();
        let mut cjk_words = Vec::new();
        let mut cjk_entries = Vec::new();
        let mut patterns = Vec::new();
        let (mut gate_words, mut gate_pattern) = (Vec::<Vec<u8>>::new(), Vec::new());
        let mut word_gated: BTreeMap<Vec<u8>, Vec<(u32, u8)>> = BTreeMap::new();
        let mut folded = String::new();
        for (topic, t) in topics.iter().enumerate() {
            for (list, exclude) in [(t.keywords, false), (t.exclude, true)] {
                for k in list.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
                    fold(k, &mut folded);
                    let entry = Entry { topic, exclude };
                    if is_cjk_only(k) {
                        cjk_words.push(folded.clone());
                        cjk_entries.push(entry);
                    } else {
                        by_first
                            .entry(first_key(&folded))
                            .or_default()
                            .push(words.len());
                        words.push(Word {
                            text: folded.clone(),
                            entry,
                        });
                    }
                }
            }
            for p in t.patterns {
                let source = pattern_source(p);
                let twin = ascii_twin(&source);
                let literals = twin.as_ref().and_then(|_| gate_literals(p));
                if let Some(literals) = &literals {
                    gate_words.extend(literals.iter().cloned());
                    gate_pattern.extend(literals.iter().map(|_| patterns.len()));
                }
                let sets = match twin {
                    Some(_) => word_gates(p),
                    None => Vec::new(),
                };
                for (bit, set) in sets.iter().enumerate() {
                    for word in set {
                        (word_gated.entry(word.clone()).or_default())
                            .push((patterns.len() as u32, 1 << bit));
                    }
                }
                patterns.push(Pattern {
                    topic,
                    unicode: Regex::new(&source).ok()?,
                    twin,
                    ascii_source: source.is_ascii(),
                    gated: literals.is_some(),
                    word_gate: ((1u16 << sets.len()) - 1) as u8,
                });
            }
        }
        let boundary_led = by_first
            .keys()
            .any(|k| k.chars().next().is_some_and(is_boundary));
        let cjk = if cjk_words.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&cjk_words).ok()?)
        };
        let (gate_words, gate_pattern) = gate_prefixes(&gate_words, &gate_pattern);
        let gate = if gate_words.is_empty() {
            None
        } else {
            Some(
                aho_corasick::AhoCorasickBuilder::new()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&gate_words)
                    .ok()?,
            )
        };
        let ascii_first = FirstWords::new(&by_first, &words, &word_gated);
        // The literal gate's scan is needed on an ASCII comment only for a
        // gated pattern without a word gate.
        let ascii_scan = (patterns.iter()).any(|p| p.gated && p.word_gate == 0);
        Some(Codebook {
            words,
            by_first,
            boundary_led,
            cjk,
            cjk_entries,
            patterns,
            ascii_first,
            ascii_scan,
            gate,
            gate_pattern,
            topics: topics.len(),
        })
    }

    /// The topics `comment` carries, ascending, into `out` (cleared first);
    /// nothing for a comment of only whitespace.
    pub fn code(&self, comment: &str, scratch: &mut Scratch, out: &mut Vec<usize>) {
        out.clear();
        let text = comment.trim();
        if text.is_empty() || self.topics == 0 {
            return;
        }
        scratch.hit.clear();
        scratch.hit.resize(self.topics, false);
        scratch.excluded.clear();
        scratch.excluded.resize(self.topics, false);
        let ascii = text.is_ascii();
        if ascii {
            scratch.pending.clear();
            scratch.words_found.clear();
            scratch.words_found.resize(self.patterns.len(), 0);
            self.ascii_words(text, scratch);
        } else {
            let mut folded = std::mem::take(&mut scratch.folded);
            fold(text, &mut folded);
            self.folded_words(&folded, scratch);
            if let Some(cjk) = &self.cjk {
                for m in cjk.find_overlapping_iter(folded.as_str()) {
                    self.found(self.cjk_entries[m.pattern().as_usize()], scratch);
                }
            }
            scratch.folded = folded;
        }
        self.patterns(text, ascii, scratch);
        if ascii {
            self.exclusions(text.as_bytes(), scratch);
        }
        let Scratch { hit, excluded, .. } = scratch;
        out.extend((0..self.topics).filter(|&t| hit[t] && !excluded[t]));
    }

    /// The exclusions [`Codebook::ascii_words`] noted, compared only for
    /// the topics the comment carries: an exclusion changes nothing for a
    /// topic it does not carry, and most of them begin with common words
    /// (`not`, `no`, `never`).
    fn exclusions(&self, bytes: &[u8], scratch: &mut Scratch) {
        let pending = std::mem::take(&mut scratch.pending);
        for &(index, at) in &pending {
            let starting = &self.ascii_first.keys[index as usize].1;
            for &w in &starting.exclude {
                let topic = self.words[w].entry.topic;
                if scratch.hit[topic] && !scratch.excluded[topic] {
                    let at = at as usize;
                    self.candidates_from(std::slice::from_ref(&w), bytes, (at, at), scratch);
                }
            }
        }
        scratch.pending = pending;
    }

    fn found(&self, e: Entry, scratch: &mut Scratch) {
        if e.exclude {
            scratch.excluded[e.topic] = true;
        } else {
            scratch.hit[e.topic] = true;
        }
    }

    /// Whole-word keywords in an ASCII comment, compared in place; the
    /// exclusions that may begin at a word are only noted, for
    /// [`Codebook::exclusions`].
    fn ascii_words(&self, text: &str, scratch: &mut Scratch) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if WORD_BYTE[usize::from(bytes[i])] == 0 {
                let before = i == 0 || WORD_BYTE[usize::from(bytes[i - 1])] == 0;
                if self.boundary_led && before {
                    // The separator as a one-byte key (an ASCII comment's
                    // bytes are characters): no allocation per separator.
                    let key = [bytes[i].to_ascii_lowercase()];
                    if let Ok(key) = std::str::from_utf8(&key) {
                        self.candidates_ascii(key, bytes, i, scratch);
                    }
                }
                i += 1;
                continue;
            }
            let start = i;
            let mut prefix = 0u64;
            while let Some(&b) = bytes.get(i) {
                let lower = WORD_BYTE[usize::from(b)];
                if lower == 0 {
                    break;
                }
                if i - start < 8 {
                    prefix |= u64::from(lower) << (8 * (i - start));
                }
                i += 1;
            }
            let key = (prefix, i - start);
            if let Some(index) = self.ascii_first.find(key, &bytes[start..i]) {
                let starting = &self.ascii_first.keys[index].1;
                for &(p, bit) in &starting.gates {
                    scratch.words_found[p as usize] |= bit;
                }
                self.candidates_from(&starting.include, bytes, (start, i), scratch);
                if !starting.exclude.is_empty() {
                    scratch.pending.push((index as u32, start as u32));
                }
            }
        }
    }

    fn candidates_ascii(&self, key: &str, bytes: &[u8], at: usize, scratch: &mut Scratch) {
        if let Some(list) = self.by_first.get(key) {
            self.candidates_from(list, bytes, (at, at), scratch);
        }
    }

    /// The keywords of `list` that begin at byte `start` of the ASCII
    /// `bytes` and end at a word boundary, their first `end - start` bytes
    /// known to match already (the word the walk found there, or nothing:
    /// `end == start`): only the rest of each is compared, and a one-word
    /// keyword after its word is found with no comparison (the walk ended
    /// the word at a boundary).
    fn candidates_from(
        &self,
        list: &[usize],
        bytes: &[u8],
        (start, end): (usize, usize),
        scratch: &mut Scratch,
    ) {
        for &w in list {
            let word = &self.words[w];
            let rest = &word.text.as_bytes()[end - start..];
            if rest.is_empty() {
                self.found(word.entry, scratch);
                continue;
            }
            let Some(to) = ascii_match_end(bytes, end, rest) else {
                continue;
            };
            if bytes.get(to).is_none_or(|b| !b.is_ascii_alphanumeric()) {
                self.found(word.entry, scratch);
            }
        }
    }

    /// Whole-word keywords in a folded comment.
    fn folded_words(&self, folded: &str, scratch: &mut Scratch) {
        let mut i = 0;
        let mut prev_boundary = true;
        while i < folded.len() {
            let Some(c) = folded[i..].chars().next() else {
                break;
            };
            if boundary(&mut scratch.boundary, c) {
                if self.boundary_led && prev_boundary {
                    let mut buf = [0u8; 4];
                    self.candidates_folded(c.encode_utf8(&mut buf), folded, i, scratch);
                }
                prev_boundary = true;
                i += c.len_utf8();
                continue;
            }
            let mut end = i;
            for (j, d) in folded[i..].char_indices() {
                if boundary(&mut scratch.boundary, d) {
                    break;
                }
                end = i + j + d.len_utf8();
            }
            self.candidates_folded(&folded[i..end], folded, i, scratch);
            prev_boundary = false;
            i = end;
        }
    }

    fn candidates_folded(&self, key: &str, folded: &str, at: usize, scratch: &mut Scratch) {
        let Some(list) = self.by_first.get(key) else {
            return;
        };
        for &w in list {
            let word = &self.words[w];
            if !folded[at..].starts_with(word.text.as_str()) {
                continue;
            }
            let end = at + word.text.len();
            let after = folded[end..].chars().next();
            if after.is_none_or(|c| boundary(&mut scratch.boundary, c)) {
                self.found(word.entry, scratch);
            }
        }
    }

    /// The patterns, each on the cheapest text that gives its exact answer.
    fn patterns(&self, text: &str, ascii: bool, scratch: &mut Scratch) {
        if self.patterns.is_empty() {
            return;
        }
        // Every non-ASCII character neither a word character nor whitespace:
        // read as one non-word byte, the text is an ASCII one for a twin.
        let projected = !ascii
            && (text.chars()).all(|c| {
                c.is_ascii() || !(regex_syntax::is_word_character(c) || c.is_whitespace())
            });
        if projected {
            scratch.projected.clear();
            (scratch.projected).extend(
                text.chars()
                    .map(|c| if c.is_ascii() { c as u8 } else { 0x01 }),
            );
        }
        let hay: &[u8] = if ascii {
            text.as_bytes()
        } else {
            &scratch.projected
        };
        scratch.maybe.clear();
        scratch.maybe.resize(self.patterns.len(), false);
        if let (Some(gate), true) = (&self.gate, (ascii && self.ascii_scan) || projected) {
            // The literals are lowercase, and searched in a lowercase copy:
            // a case-insensitive automaton would run without its SIMD
            // prefilter. Every start of a literal is found: after a match,
            // the search resumes one byte past its start, not past its end.
            scratch.lowered.clear();
            (scratch.lowered).extend(hay.iter().map(u8::to_ascii_lowercase));
            let lowered = scratch.lowered.as_slice();
            let mut from = 0;
            while let Some(m) = gate.find(aho_corasick::Input::new(lowered).range(from..)) {
                for &p in &self.gate_pattern[m.pattern().as_usize()] {
                    scratch.maybe[p] = true;
                }
                from = m.start() + 1;
            }
        }
        for (i, p) in self.patterns.iter().enumerate() {
            if scratch.hit[p.topic] || scratch.excluded[p.topic] {
                continue;
            }
            let twin = p
                .twin
                .as_ref()
                .filter(|_| ascii || (projected && p.ascii_source));
            let gate_open = match (ascii, p.word_gate) {
                (true, w) if w != 0 => scratch.words_found[i] == w,
                _ => !p.gated || scratch.maybe[i],
            };
            let found = match twin {
                Some(twin) => gate_open && twin.is_match(hay),
                None => p.unicode.is_match(text),
            };
            if found {
                scratch.hit[p.topic] = true;
            }
        }
    }
}

/// At most this many sets of words gate one pattern (one bit each in
/// [`Pattern::word_gate`]).
const MAX_WORD_GATES: usize = 4;

/// At most this many words in one set: a larger one (an alternation of
/// many short words) gates too little to be worth its table entries.
const MAX_GATE_WORDS: usize = 32;

/// At most this many strings for one run of literal pieces (the product of
/// its alternations): past it the run gives no set.
const MAX_RUN_STRINGS: usize = 64;

/// Sets of words (lowercase ASCII letters and digits) such that, on an
/// ASCII text, every match of the author's `pattern` (matched
/// case-insensitively, as its ASCII twin is) holds a word of each set as a
/// *whole* word: a maximal run of letters and digits, exactly what the word
/// walk of [`Codebook::code`] looks up. So the walk, which looks up every
/// word of an ASCII comment anyway, says whether the pattern may match,
/// and the literal gate's scan of a lowercase copy is not needed. Empty:
/// no such set is known (the pattern runs as before).
///
/// Read from the pattern's syntax, without Unicode (the twin's): in a
/// concatenation, each run of pieces whose matches are a small finite set
/// of strings (literals, alternations of them, `?`) gives, per string, a
/// word certainly whole — bounded inside the string by characters that are
/// not letters or digits, or at the string's edge by a `\b`, `^` or `$`
/// beside the run (a `\b` beside a letter or digit means the character
/// beyond is not one: not `_` either, so not a letter or digit). The
/// longest such word of each string makes the run's set; a string with
/// none, or a run with too many strings, gives no set. `\btook \d+ days`
/// gives {`took`}; `engineer.{0,30}\b(late|missed|cancell?ed)\b` gives
/// {`late`, `missed`, `cancelled`, `canceled`} (`engineer` may be inside a
/// longer word); `\bbill (was|is) (wrong|incorrect)` gives {`bill`}. An
/// alternation at the top gives the union of its branches' first sets.
fn word_gates(pattern: &str) -> Vec<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let Ok(hir) = (regex_syntax::ParserBuilder::new())
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let mut top = &hir;
    while let HirKind::Capture(c) = top.kind() {
        top = &c.sub;
    }
    let HirKind::Alternation(branches) = top.kind() else {
        return concat_gates(top);
    };
    let mut union = Vec::new();
    for branch in branches {
        match concat_gates(branch).into_iter().next() {
            Some(set) => union.extend(set),
            None => return Vec::new(),
        }
    }
    union.sort();
    union.dedup();
    match union.len() <= MAX_GATE_WORDS {
        true => vec![union],
        false => Vec::new(),
    }
}

/// [`word_gates`] of one concatenation (or of a single piece), the sets
/// with the longest shortest word first, at most [`MAX_WORD_GATES`].
fn concat_gates(hir: &regex_syntax::hir::Hir) -> Vec<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let items = match hir.kind() {
        HirKind::Concat(items) => items.as_slice(),
        _ => std::slice::from_ref(hir),
    };
    let mut sets = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let start = i;
        let mut strings = vec![Vec::new()];
        while let Some(next) = items.get(i).and_then(exact_strings) {
            if matches!(items[i].kind(), HirKind::Look(_)) {
                break;
            }
            strings = (strings.iter())
                .flat_map(|a| next.iter().map(move |b| [a.as_slice(), b].concat()))
                .collect();
            i += 1;
            if strings.len() > MAX_RUN_STRINGS {
                strings.clear();
                break;
            }
        }
        if i == start {
            i += 1;
            continue;
        }
        // The run is bounded where an assertion stands at its edge: the
        // piece before it ends with one, or its own first piece begins with
        // one (`\b(?:slow\b|wrong store\b)`, as regex-syntax factors
        // `\bslow\b|\bwrong store\b`); likewise at its end.
        let left = (start > 0 && asserts(&items[start - 1], true, true))
            || asserts(&items[start], false, true);
        let right = items.get(i).is_some_and(|next| asserts(next, false, false))
            || asserts(&items[i - 1], true, false);
        let set: Option<Vec<Vec<u8>>> = (!strings.is_empty())
            .then(|| {
                (strings.iter())
                    .map(|s| whole_word(s, left, right))
                    .collect()
            })
            .flatten();
        if let Some(mut set) = set {
            set.sort();
            set.dedup();
            if set.len() <= MAX_GATE_WORDS {
                sets.push(set);
            }
        }
    }
    sets.sort_by_key(|set| std::cmp::Reverse(set.iter().map(Vec::len).min()));
    sets.truncate(MAX_WORD_GATES);
    sets
}

/// Whether every match of `hir` has, at its end (`at_end`) or its start, an
/// assertion that the text there is bounded on the `left` side of that
/// place (the character before it is no letter, digit or `_`, or there is
/// none: `\b`, `\b{start}`, `^`…) or on its right side (`\b`, `\b{end}`,
/// `$`…) — read where a word of literal text begins or ends.
fn asserts(hir: &regex_syntax::hir::Hir, at_end: bool, left: bool) -> bool {
    use regex_syntax::hir::{HirKind, Look};
    match hir.kind() {
        HirKind::Look(look) if left => matches!(
            look,
            Look::WordAscii
                | Look::WordStartAscii
                | Look::WordStartHalfAscii
                | Look::Start
                | Look::StartLF
                | Look::StartCRLF
        ),
        HirKind::Look(look) => matches!(
            look,
            Look::WordAscii
                | Look::WordEndAscii
                | Look::WordEndHalfAscii
                | Look::End
                | Look::EndLF
                | Look::EndCRLF
        ),
        HirKind::Capture(c) => asserts(&c.sub, at_end, left),
        HirKind::Concat(items) => {
            let edge = if at_end { items.last() } else { items.first() };
            edge.is_some_and(|h| asserts(h, at_end, left))
        }
        HirKind::Alternation(branches) => branches.iter().all(|b| asserts(b, at_end, left)),
        _ => false,
    }
}

/// Every string `hir` can match, when they are few and known exactly.
fn exact_strings(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::Extractor;
    let seq = Extractor::new().extract(hir);
    if !seq.is_exact() {
        return None;
    }
    let literals = seq.literals()?;
    (literals.len() <= MAX_RUN_STRINGS)
        .then(|| literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// The longest word of `s` (a maximal run of ASCII letters and digits)
/// that is whole wherever `s` is matched: not at an edge of `s`, or at one
/// where the text is known to be bounded (`left`, `right`); lowercase.
fn whole_word(s: &[u8], left: bool, right: bool) -> Option<Vec<u8>> {
    let mut best: Option<&[u8]> = None;
    let mut i = 0;
    while i < s.len() {
        if !s[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        let whole = (start > 0 || left) && (i < s.len() || right);
        if whole && best.is_none_or(|b| i - start > b.len()) {
            best = Some(&s[start..i]);
        }
    }
    best.map(<[u8]>::to_ascii_lowercase)
}

/// The gate's literals each once, and per literal the patterns of every
/// literal that is a prefix of it (itself included), from `words` (lowercase)
/// and `pattern` (each word's pattern).
fn gate_prefixes(words: &[Vec<u8>], pattern: &[usize]) -> (Vec<Vec<u8>>, Vec<Vec<usize>>) {
    let mut unique = words.to_vec();
    unique.sort();
    unique.dedup();
    let patterns = (unique.iter())
        .map(|u| {
            let mut of: Vec<usize> = (words.iter().zip(pattern))
                .filter(|(w, _)| u.starts_with(w))
                .map(|(_, &p)| p)
                .collect();
            of.sort_unstable();
            of.dedup();
            of
        })
        .collect();
    (unique, patterns)
}

/// Shorter literals (a `\d+`'s ten digits) would make the gate's scan
/// slow and pass most comments anyway: such a pattern runs ungated, on the
/// regex crate's own prefilters.
const MIN_GATE_LITERAL: usize = 3;

/// The literals, lowercase ASCII, one of which every match of the author's
/// `pattern` holds: those its matches begin with; or, when they are too
/// short or too many, those they end with. `\b\d+ (minutes|mins) on hold`
/// has no usable prefix (ten one-digit literals) but ends with ` mins on
/// hold` or `nutes on hold` (each cut to its last bytes, as many as keep the
/// set to [`MAX_GATE_LITERALS`]). Extracted by regex-syntax on the pattern
/// read without Unicode (where `\d` is `[0-9]`), each literal cut to its
/// ASCII part beside the end it is anchored at (a prefix to the bytes before
/// its first byte that is not ASCII, a suffix to those after its last).
/// `None` when neither kind gives a finite set whose every literal is at
/// least [`MIN_GATE_LITERAL`] long: the pattern may match almost anywhere.
/// Matched ASCII-case-insensitively on an ASCII (or projected) comment, a
/// literal is found wherever the pattern's twin could match, so the twin
/// need not run where none is.
fn gate_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    // `suffix`: the literals every match ends with, else those it begins with.
    let literals = |suffix: bool| -> Option<Vec<Vec<u8>>> {
        let kind = if suffix {
            ExtractKind::Suffix
        } else {
            ExtractKind::Prefix
        };
        let seq = Extractor::new().kind(kind).extract(&hir);
        let mut out: Vec<Vec<u8>> = Vec::new();
        for lit in seq.literals()? {
            let bytes = lit.as_bytes();
            let ascii = anchored(bytes, ascii_run(bytes, suffix), suffix);
            if ascii.len() < MIN_GATE_LITERAL {
                return None;
            }
            out.push(ascii.to_ascii_lowercase());
        }
        out.sort();
        out.dedup();
        (!out.is_empty()).then_some(out)
    };
    let fewest = |suffix: bool| {
        let set = literals(suffix)?;
        if set.len() <= MAX_GATE_LITERALS {
            return Some(set);
        }
        let longest = set.iter().map(Vec::len).max()?;
        (MIN_GATE_LITERAL..=longest).rev().find_map(|keep| {
            let mut cut: Vec<Vec<u8>> = (set.iter())
                .map(|s| anchored(s, keep, suffix).to_vec())
                .collect();
            cut.sort();
            cut.dedup();
            (cut.len() <= MAX_GATE_LITERALS).then_some(cut)
        })
    };
    fewest(false).or_else(|| fewest(true))
}

/// The `keep` bytes of a literal at the end it is anchored at: its first
/// bytes for a prefix, its last for a suffix (all of it when shorter). A
/// cut literal is still in every match the whole one is in.
fn anchored(bytes: &[u8], keep: usize, suffix: bool) -> &[u8] {
    let keep = keep.min(bytes.len());
    match suffix {
        true => &bytes[bytes.len() - keep..],
        false => &bytes[..keep],
    }
}

/// How many ASCII bytes a literal has at its anchored end (before its first
/// byte that is not ASCII, or for a suffix after its last): the part an
/// ASCII (or projected) comment can hold as written.
fn ascii_run(bytes: &[u8], suffix: bool) -> usize {
    match suffix {
        true => bytes.iter().rev().take_while(|b| b.is_ascii()).count(),
        false => bytes.iter().take_while(|b| b.is_ascii()).count(),
    }
}

/// At most this many literals per pattern: a larger set is cut shorter
/// (each literal to its first, or for suffixes last, bytes) until it is this
/// small, each cut literal still in every match; so one `\d+` or
/// alternation does not add dozens of literals to the gate's one scan. None
/// of the cut literals may be shorter than [`MIN_GATE_LITERAL`].
const MAX_GATE_LITERALS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(keywords: &[&str], patterns: &[&str], exclude: &[&str]) -> TopicMatcher {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        TopicMatcher::new(&s(keywords), &s(patterns), &s(exclude)).unwrap()
    }

    /// Topics as (keywords, patterns, exclusions): the codebook of them
    /// all, and each topic's own matcher (the rules as written).
    fn codebook_and_each(
        defs: &[(Vec<String>, Vec<String>, Vec<String>)],
    ) -> (Codebook, Vec<TopicMatcher>) {
        let rules: Vec<Rules<'_>> = (defs.iter())
            .map(|(k, p, e)| Rules {
                keywords: k,
                patterns: p,
                exclude: e,
            })
            .collect();
        let each = (defs.iter())
            .map(|(k, p, e)| TopicMatcher::new(k, p, e).unwrap())
            .collect();
        (Codebook::new(&rules).unwrap(), each)
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
    fn words_that_share_their_first_eight_bytes_and_length_are_told_apart() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // `installation` and `installatiox` have the same first-word key
        // (8 bytes and length): the table compares the rest.
        let defs = [
            (s(&["installation"]), s(&[]), s(&[])),
            (
                s(&["installatiox", "router2024"]),
                s(&[]),
                s(&["installatiox fee"]),
            ),
            (s(&["late"]), s(&[]), s(&[])),
        ];
        let (book, alone) = codebook_and_each(&defs);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        for (comment, want) in [
            ("INSTALLATIOX", vec![1]),
            ("the installation was LATE", vec![0, 2]),
            ("installatioxs and installationx", vec![]),
            ("an installatiox fee, late", vec![2]),
            ("Router2024 late", vec![1, 2]),
            ("late", vec![2]),
            ("installatio, latel", vec![]),
            ("x installation", vec![0]),
        ] {
            book.code(comment, &mut scratch, &mut out);
            assert_eq!(out, want, "{comment}");
            let each: Vec<usize> = (0..alone.len())
                .filter(|&i| alone[i].matches(comment))
                .collect();
            assert_eq!(each, want, "{comment} (each topic alone)");
        }
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
            (s(&["σήμα", "straße", "没来"]), s(&[]), s(&["没来了"])),
            (s(&["no", "show", "wi-fi", "slow speed"]), s(&[]), s(&[])),
            // Keywords that begin with a boundary character.
            (s(&["#fail", "--slow", "@home", "£5"]), s(&[]), s(&[])),
        ];
        let (book, alone) = codebook_and_each(&defs);
        let mut scratch = Scratch::default();
        let comments = [
            "The engineer was late and the bill was wrong",
            "engineer was not late, but the network is slow",
            "Refund please, 网速慢",
            "refund: no refund yet",
            "lately fine; chocolate",
            "   ",
            "网络很slow 😡",
            "The ENGINEER MISSED the slot. No Show!",
            "no\t\n  show, then LATE—again",
            // A vertical tab is whitespace to a keyword's `\s+`.
            "no\u{b}show, a slow\u{b}\u{c} speed",
            "ΣΛΟΥ and slowly",
            "매우slow",
            "slow的网络",
            "Late🙂 slow",
            "bill2 bill_ late_ _late",
            "ΣΉΜΑ χάθηκε",
            "In meiner STRASSE",
            "STRAẞE gesperrt",
            "工程师没来",
            "工程师没来了",
            "no show at all",
            "nothing to show",
            "wi-fi is a slow speed mess",
            "slowspeed",
            "#fail again",
            "so#fail",
            "so #fail",
            "##fail",
            "a-#fail",
            "--slow down",
            "x--slow",
            "x ---slow",
            "working @home!",
            "work@home",
            "paid £5 more",
            "paid x£5",
            "#",
            "fail #",
        ];
        let mut out = Vec::new();
        for c in comments {
            book.code(c, &mut scratch, &mut out);
            let want: Vec<usize> = (0..alone.len()).filter(|&i| alone[i].matches(c)).collect();
            assert_eq!(out, want, "{c}");
        }
        book.code(
            "The engineer was late and the bill was wrong",
            &mut scratch,
            &mut out,
        );
        assert_eq!(out, [0, 3]);
        book.code("refund: no refund yet", &mut scratch, &mut out);
        // The refund pattern is excluded; the bare word "no" is topic 5's.
        assert_eq!(out, [5]);
    }

    #[test]
    fn the_pattern_gate_finds_its_literals_and_hides_no_match() {
        let lits = |p: &str| {
            gate_literals(p).map(|v| {
                (v.into_iter())
                    .map(|l| String::from_utf8(l).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            lits(r"engineer.{0,30}\b(late|missed)\b").unwrap(),
            ["engineer"]
        );
        assert_eq!(
            lits(r"\b(Called|rang)\b.{0,20}\btimes").unwrap(),
            ["called", "rang"]
        );
        // Cut at the first byte that is not ASCII: `£` leaves "charged ".
        assert_eq!(lits(r"\bcharged £ ?\d+").unwrap(), ["charged "]);
        // `\d` is [0-9] here: ten one-digit prefixes, too short to gate;
        // its matches end with one of two suffixes (cut from 20 literals).
        assert_eq!(
            lits(r"\b\d+ (minutes|mins) on hold").unwrap(),
            [" mins on hold", "nutes on hold"]
        );
        // Ten prefixes (`took 0`…`took 9`), too many: cut to `took `.
        assert_eq!(lits(r"\btook \d+ days").unwrap(), ["took "]);
        // 28 whole literals; their first bytes differ, their last agree.
        assert_eq!(
            lits(r"\b(three|two|3|72) (whole )?(days|hours) without\b").unwrap(),
            [" days without", "hours without"]
        );
        // No finite prefix: gated by what every match ends with.
        assert_eq!(lits(r"\w+ed on time").unwrap(), ["ed on time"]);
        // Neither: the pattern runs on every comment.
        assert_eq!(lits(r"\w+ed.*"), None);
        assert_eq!(
            lits(r"(abc|)bcd"),
            Some(vec!["abcbcd".into(), "bcd".into()])
        );
        assert_eq!(lits(r"(a|)bc"), None);
        assert_eq!(lits(r".*late").unwrap(), ["late"]);
        assert_eq!(lits(r"late.*").unwrap(), ["late"]);
        assert_eq!(lits(r".*late.*"), None);
        // Coded through the gate, exactly as each topic alone codes.
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let defs = [
            s(&[r"engineer.{0,30}\b(late|missed)\b"]),
            s(&[r"\bcharged £ ?\d+"]),
            s(&[r"\b\d+ (minutes|mins) (on hold|waiting)"]),
            s(&[r"\w+ed on time"]),
            s(&[r"(?-i)BILL"]),
            s(&[r"\b(three|two|3|72) (whole )?(days|hours) without\b"]),
        ];
        let book = patterns_only(&defs);
        let alone: Vec<TopicMatcher> = (defs.iter())
            .map(|p| TopicMatcher::new(&[], p, &[]).unwrap())
            .collect();
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        for c in [
            "Three whole DAYS WITHOUT a line",
            "72 hours without; 2 days without",
            "two days with a line, four days without",
            "5 Minutes Waiting",
            "twenty minutes on hold",
            "waiting 45 mins",
            "REEDITED ON TIME",
            "ed on time",
            "The REENGINEERED router; the ENGINEER was LATE",
            "engineers always missed",
            "they charged £12 and CHARGED £ 5",
            "charged 12",
            "45 MINS waiting, 3 minutes on hold",
            "installed on time",
            "the bill, the BILL",
            "engineer – late",
            "engineer 😡 late",
            "nothing at all",
        ] {
            book.code(c, &mut scratch, &mut out);
            let want: Vec<usize> = (0..alone.len()).filter(|&i| alone[i].matches(c)).collect();
            assert_eq!(out, want, "{c}");
        }
    }

    #[test]
    fn patterns_have_ascii_twins_that_agree_on_ascii_text() {
        let patterns = [
            r"engineer.{0,30}\b(late|missed|cancell?ed)\b",
            r"\bcharged £ ?\d+",
            r"\b(called|rang|phoned|chased)\b.{0,20}\b(times|twice)\b",
            r"\w+ed on time",
        ];
        let texts = [
            "The ENGINEER was late",
            "engineer_late",
            "they charged 12 pounds",
            "I called them three times",
            "Installed on time",
            "nothing here",
        ];
        for p in patterns {
            let source = pattern_source(p);
            let twin = ascii_twin(&source).unwrap_or_else(|| panic!("no twin for {p}"));
            let unicode = Regex::new(&source).unwrap();
            for t in texts {
                assert_eq!(
                    twin.is_match(t.as_bytes()),
                    unicode.is_match(t),
                    "{p} on {t}"
                );
            }
        }
        assert!(ascii_twin(&pattern_source(r"\p{Han}+")).is_none());
    }

    /// A codebook of topics that each have only the patterns of one entry of `defs`.
    fn patterns_only(defs: &[Vec<String>]) -> Codebook {
        let rules: Vec<Rules<'_>> = (defs.iter())
            .map(|p| Rules {
                keywords: &[],
                patterns: p,
                exclude: &[],
            })
            .collect();
        Codebook::new(&rules).unwrap()
    }

    /// Topics whose keywords share first words with exclusions (`not late`
    /// beside `late`), whose gate literals are prefixes of one another
    /// (`bill` and `bill was`) or begin inside one another (`rang`, `orang`),
    /// and first words longer than the table's 8-byte key.
    fn tricky_codebook() -> Vec<(Vec<String>, Vec<String>, Vec<String>)> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        vec![
            (
                s(&["late", "no show"]),
                s(&[r"engineer.{0,10}\bmissed"]),
                s(&["not late", "no show fee"]),
            ),
            (
                s(&["the app", "installation", "installations team"]),
                s(&[r"\bbill (was|is) wrong"]),
                s(&["the app store"]),
            ),
            (s(&["bill"]), s(&[r"bill was"]), s(&["not the bill"])),
            (
                s(&["slow"]),
                s(&[r"\brang\b.{0,8}times", r"orange"]),
                s(&["not slow", "never slow"]),
            ),
            (s(&["wi-fi", "no"]), s(&[r"\d+ mins"]), s(&["no no"])),
            // Word-gated patterns: two sets, a word beside `_`, an
            // alternation at the top, a phrase's inner word.
            (
                s(&["team"]),
                s(&[
                    r"\b(rang|called)\b.{0,12}\b(times|twice)\b",
                    r"\bwas_late\b",
                    r"\bslow\b|\bwrong store\b",
                    r"\bnever\b|wrong store\b",
                    r"the app is wrong",
                ]),
                s(&[]),
            ),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// The codebook (word table, deferred exclusions, leftmost-longest
        /// gate) codes random comments exactly as each topic's own regexes do.
        #[test]
        fn the_codebook_agrees_with_each_topic_alone_on_random_comments(
            words in proptest::collection::vec(0usize..27, 0..14),
            seps in proptest::collection::vec(0usize..7, 14),
            upper in proptest::collection::vec(proptest::bool::ANY, 14),
        ) {
            const VOCAB: [&str; 27] = [
                "late", "not", "no", "show", "fee", "the", "app", "store", "bill", "was",
                "is", "wrong", "engineer", "missed", "slow", "never", "rang", "orange",
                "times", "wi-fi", "installation", "installations", "team", "12",
                "was_late", "called", "twice",
            ];
            const SEPS: [&str; 7] = [" ", "  ", ", ", "\t", "—", "lately", "\u{b}"];
            let mut comment = String::new();
            for (i, &w) in words.iter().enumerate() {
                if i > 0 {
                    comment.push_str(if seps[i] == 5 { " " } else { SEPS[seps[i]] });
                }
                let word = VOCAB[w];
                comment.push_str(&if upper[i] { word.to_uppercase() } else { word.to_string() });
            }
            let defs = tricky_codebook();
            let rules: Vec<Rules<'_>> = (defs.iter())
                .map(|(k, p, e)| Rules { keywords: k, patterns: p, exclude: e })
                .collect();
            let book = Codebook::new(&rules).unwrap();
            let (mut scratch, mut out) = (Scratch::default(), Vec::new());
            book.code(&comment, &mut scratch, &mut out);
            let want: Vec<usize> = (defs.iter().enumerate())
                .filter(|(_, (k, p, e))| TopicMatcher::new(k, p, e).unwrap().matches(&comment))
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(out, want, "{}", comment);
        }
    }

    #[test]
    fn word_gates_name_only_words_every_match_holds_whole() {
        let gates = |p: &str| -> Vec<Vec<String>> {
            (word_gates(p).into_iter())
                .map(|set| {
                    set.into_iter()
                        .map(|w| String::from_utf8(w).unwrap())
                        .collect()
                })
                .collect()
        };
        let set = |v: &[&str]| v.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        // The example's patterns.
        assert_eq!(
            gates(r"engineer.{0,30}\b(late|missed|cancell?ed)\b"),
            [set(&["canceled", "cancelled", "late", "missed"])],
            "`engineer` may end a longer word: not whole"
        );
        assert_eq!(
            gates(r"\btook \d+ days to get the line working"),
            [set(&["took"]), set(&["days"])],
            "`working` may go on (`workings`): not whole"
        );
        assert_eq!(gates("installation date was moved"), [set(&["date"])]);
        assert_eq!(gates(r"\bcharged £ ?\d+"), [set(&["charged"])]);
        assert_eq!(
            gates(r"\b\d+ (minutes|mins) (on hold|waiting)"),
            [set(&["mins", "minutes"])]
        );
        assert_eq!(
            gates(r"\b(three|two|four|3|2|4|72) (whole )?(days|hours) without\b"),
            [set(&["without"])]
        );
        assert_eq!(
            gates(r"\b(called|rang|phoned|chased)\b.{0,20}\b(times|twice)\b"),
            [
                set(&["times", "twice"]),
                set(&["called", "chased", "phoned", "rang"])
            ],
            "the set whose shortest word is longest first"
        );
        // Traps: no boundary known, a word beside `_`, case, alternations.
        assert!(gates("engineer").is_empty());
        assert!(gates(r"\blate").is_empty(), "`lately` matches it");
        assert!(gates(r"late\b").is_empty(), "`chocolate` matches it");
        assert_eq!(gates(r"\blate\b"), [set(&["late"])]);
        assert_eq!(gates(r"^late$"), [set(&["late"])]);
        assert_eq!(gates(r"\bwas_late\b"), [set(&["late"])]);
        assert_eq!(gates(r"(?i)\bTOOK\b"), [set(&["took"])]);
        assert_eq!(gates(r"\bslow\b|wrong store\b"), [set(&["slow", "store"])]);
        // regex-syntax factors the common `\b` out of the branches: each
        // branch's own `\b` still bounds the words on the right.
        assert_eq!(
            gates(r"\bslow\b|\bwrong store\b"),
            [set(&["slow", "wrong"])]
        );
        assert_eq!(
            gates(r"\b(?:slow\b|wrong store\b)"),
            [set(&["slow", "wrong"])]
        );
        assert!(
            gates(r"\b(?:slow\b|wrong)").is_empty(),
            "`wrongly` matches it"
        );
        assert!(
            gates(r"(?:\bslow|\bwrong)\B").is_empty(),
            "`\\B` bounds nothing"
        );
        assert!(
            gates(r"\bslow\b|wrong").is_empty(),
            "one branch has no whole word"
        );
        assert!(gates(r"\b\w+\b").is_empty());
        assert!(
            gates(r"\b(a|b|c|d|e|f|g|h)(a|b|c|d|e|f|g|h)(a|b)\b").is_empty(),
            "128 strings"
        );
    }

    #[test]
    fn a_word_gate_never_hides_a_match_at_a_words_edge() {
        // Each pattern alone, on texts that hold its words inside longer
        // words, beside `_`, in capitals, or at the text's ends: the
        // codebook agrees with the pattern's own regex on every one.
        let patterns = [
            r"engineer.{0,30}\b(late|missed|cancell?ed)\b",
            r"\btook \d+ days to get the line working",
            r"installation date was moved",
            r"\b\d+ (minutes|mins) (on hold|waiting)",
            r"the app is wrong",
            r"\bwas_late\b",
            r"\bslow\b|wrong store\b",
            r"\bslow\b|\bwrong store\b",
            r"\b(?:slow\b|wrong)",
            r"^late$",
        ];
        let texts = [
            "the engineer was late",
            "reengineered it, lately",
            "ENGINEER LATE",
            "engineer_late",
            "engineer: cancelled!",
            "took 3 days to get the line workings",
            "overtook 3 days to get the line working",
            "Took 12 days to get the line working",
            "reinstallation date was moved",
            "installation date was_moved",
            "installation dates was moved",
            "waited 40 mins waiting",
            "waited 40 minutes on holdings",
            "40mins on hold",
            "the app is wrongly priced",
            "the app is_wrong",
            "it was_late again",
            "it was_lately",
            "slowly",
            "the wrong stores",
            "the wrong store",
            "late",
            "chocolate",
        ];
        for p in patterns {
            let pattern = vec![p.to_string()];
            let book = Codebook::new(&[Rules {
                keywords: &[],
                patterns: &pattern,
                exclude: &[],
            }])
            .unwrap();
            let alone = TopicMatcher::new(&[], &pattern, &[]).unwrap();
            let (mut scratch, mut out) = (Scratch::default(), Vec::new());
            for t in texts {
                book.code(t, &mut scratch, &mut out);
                assert_eq!(!out.is_empty(), alone.matches(t), "{p:?} on {t:?}");
            }
        }
    }

    #[test]
    fn gate_literals_found_inside_or_as_prefixes_of_others_still_open_the_gate() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (words, pattern) = gate_prefixes(
            &[
                b"bill".to_vec(),
                b"bill was".to_vec(),
                b"bill".to_vec(),
                b"rang".to_vec(),
            ],
            &[0, 1, 2, 3],
        );
        assert_eq!(
            words,
            [b"bill".to_vec(), b"bill was".to_vec(), b"rang".to_vec()]
        );
        assert_eq!(pattern, [vec![0, 2], vec![0, 1, 2], vec![3]]);
        let defs = [
            s(&["bill was"]),
            s(&["bill"]),
            s(&[r"\brang\b"]),
            s(&["orange"]),
        ];
        let book = patterns_only(&defs);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        // `bill was` is the longest literal at 0: `bill` is found there too.
        book.code("BILL WAS high", &mut scratch, &mut out);
        assert_eq!(out, [0, 1]);
        // `orange` is found at 1 only if the search resumes inside `rang`.
        book.code("orange; they rang", &mut scratch, &mut out);
        assert_eq!(out, [2, 3]);
        book.code("xrangex orangutan", &mut scratch, &mut out);
        assert_eq!(out, Vec::<usize>::new());
    }
}
