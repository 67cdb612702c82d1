//! `topics suggest`, step one: a comment becomes the set of terms it uses.
//!
//! Input: one comment, already masked (no e-mail address or phone number
//! survives into a term). Output: its distinct terms, sorted — the words and
//! the two-word phrases a codebook could be started from. It exists apart
//! so the rules below can be read, and tested, in one place:
//!
//! - **Case.** The comment is lower-cased (Unicode), so `Modem` and `MODEM`
//!   are one term.
//! - **Words of scripts written with spaces** (Latin, Cyrillic, Greek,
//!   Hangul, Devanagari…) are runs of letters, digits and combining marks;
//!   everything else separates words. An apostrophe or hyphen *between* two
//!   such characters stays inside the word (`didn't`, `wi-fi`, `follow-up`),
//!   because cutting there makes `didn` and `t` — words nobody wrote. A
//!   typographic apostrophe (`’`) is read as `'`, so both spellings are one term.
//! - **Chinese**: each run of Han characters is segmented into words by
//!   jieba-rs (its default dictionary, with its HMM for words the dictionary
//!   lacks). A Han character beside a Latin letter is a word boundary
//!   (`网络很slow` is `网络`, `很`, `slow`), as in the codebook's matching.
//!   Kana runs are kept whole: Japanese is not segmented.
//! - **Clauses.** Anything that is neither a word character nor white space
//!   (punctuation, Chinese punctuation, symbols, emoji, the bullets of a
//!   masked contact) ends a clause: phrases never span it.
//! - **Dropped words**: one Latin letter, pure numbers, and the stop words
//!   of [`STOP_WORDS`] — short lists of English and Chinese function words
//!   (articles, pronouns, auxiliaries, prepositions, conjunctions, particles).
//!   Negations (`no`, `not`, `never`, `不`, `没`, `没有`) are *not* stop
//!   words: "no signal" is what a codebook is made of.
//! - **Phrases** are two adjacent words of one clause, both kept. Two Chinese
//!   words are joined as written (`网络` + `信号` = `网络信号`), any other
//!   pair with a space (`no signal`, `很 slow`).

use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;

/// English and Chinese function words left out of the terms, sorted (by
/// byte) so a lookup is a binary search. Kept short on purpose: the prior of
/// the statistic already shrinks frequent words toward zero, so this list
/// only spares the reader the obvious. Negations are deliberately absent.
pub const STOP_WORDS: &[&str] = &[
    "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "him", "his", "how", "i'm", "i've", "if", "in", "into", "is", "it", "it's", "its",
    "just", "me", "my", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their",
    "them", "then", "there", "they", "this", "those", "to", "us", "was", "we", "were", "what",
    "when", "which", "who", "will", "with", "would", "you", "your", "一个", "也", "了", "他",
    "他们", "你", "你们", "吗", "吧", "呢", "和", "啊", "在", "她", "就", "很", "我", "我们", "是",
    "的", "这", "这个", "那", "那个", "都",
];

/// A word of one clause, and whether it is kept (not a dropped word).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word<'t> {
    text: &'t str,
    han: bool,
    kept: bool,
}

/// Han runs, kana runs, and words of scripts written with spaces (letters,
/// digits and marks, with inner apostrophes or hyphens).
static PIECES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<han>\p{Han}+)",
        r"|(?P<kana>[\p{Hiragana}\p{Katakana}ー]+)",
        r"|[[\p{L}\p{N}\p{M}]--[\p{Han}\p{Hiragana}\p{Katakana}]]+",
        r"(?:['’\-][[\p{L}\p{N}\p{M}]--[\p{Han}\p{Hiragana}\p{Katakana}]]+)*",
    ))
    .expect("the word pattern is valid")
});

/// One Latin letter, or only digits: words that name nothing.
static NAMELESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\p{Latin}|\p{N}+)$").expect("the pattern is valid"));

/// The segmenter, built from its embedded dictionary on first use (about a
/// tenth of a second), so a dataset without Chinese never pays for it.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Whether `word` is left out of the terms (see the module docs).
pub fn is_dropped(word: &str) -> bool {
    NAMELESS.is_match(word) || STOP_WORDS.binary_search(&word).is_ok()
}

/// The distinct terms of a (masked) comment, sorted: its kept words and its
/// two-word phrases.
pub fn terms(comment: &str) -> Vec<String> {
    let lower = comment.to_lowercase().replace('’', "'");
    let mut out = Vec::new();
    for clause in clauses(&lower) {
        for (i, w) in clause.iter().enumerate() {
            if !w.kept {
                continue;
            }
            out.push(w.text.to_string());
            if let Some(next) = clause.get(i + 1).filter(|n| n.kept) {
                let space = if w.han && next.han { "" } else { " " };
                out.push(format!("{}{space}{}", w.text, next.text));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of `text` (lower-cased already), clause by clause.
fn clauses(text: &str) -> Vec<Vec<Word<'_>>> {
    let mut clauses = vec![Vec::new()];
    let mut end = 0;
    for piece in PIECES.captures_iter(text) {
        let Some(whole) = piece.get(0) else { continue };
        let between = &text[end..whole.start()];
        if !between.chars().all(char::is_whitespace) {
            clauses.push(Vec::new());
        }
        end = whole.end();
        let clause = clauses.last_mut().expect("there is always a clause");
        if piece.name("han").is_some() {
            for token in JIEBA.cut(whole.as_str(), true) {
                clause.push(word(token.word, true));
            }
        } else {
            clause.push(word(whole.as_str(), false));
        }
    }
    clauses.retain(|c| !c.is_empty());
    clauses
}

fn word(text: &str, han: bool) -> Word<'_> {
    Word {
        text,
        han,
        kept: !is_dropped(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(comment: &str) -> Vec<String> {
        terms(comment)
    }

    #[test]
    fn the_stop_words_are_sorted_lower_case_and_hold_no_negation() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        assert!(STOP_WORDS.iter().all(|w| w.to_lowercase() == *w));
        for negation in ["no", "not", "never", "nothing", "不", "没", "没有"] {
            assert!(!is_dropped(negation), "{negation}");
        }
    }

    #[test]
    fn latin_words_are_lower_cased_and_paired_within_a_clause() {
        assert_eq!(
            t("Modem DEAD again. Slow internet!"),
            [
                "again",
                "dead",
                "dead again",
                "internet",
                "modem",
                "modem dead",
                "slow",
                "slow internet"
            ]
        );
    }

    #[test]
    fn stop_words_single_letters_and_numbers_make_no_term_and_break_phrases() {
        // "the" and "was" are dropped, so "modem" and "broken" are not adjacent.
        assert_eq!(t("The modem was broken"), ["broken", "modem"]);
        // One Latin letter and pure numbers name nothing; "4g" does.
        assert_eq!(t("x 4g 2025 b"), ["4g"]);
        // "no" is kept: a negation is what a complaint is made of.
        assert_eq!(t("no signal"), ["no", "no signal", "signal"]);
    }

    #[test]
    fn inner_apostrophes_and_hyphens_stay_in_the_word() {
        assert_eq!(
            t("Engineer didn’t turn up; wi-fi follow-up"),
            [
                "didn't",
                "didn't turn",
                "engineer",
                "engineer didn't",
                "follow-up",
                "turn",
                "turn up",
                "up",
                "wi-fi",
                "wi-fi follow-up"
            ]
        );
        // A quote around a word is not inside it.
        assert_eq!(t("'slow'"), ["slow"]);
    }

    #[test]
    fn unicode_case_folding_and_other_scripts_written_with_spaces() {
        assert_eq!(t("ÉTÉ Été"), ["été", "été été"]);
        assert_eq!(t("Очень МЕДЛЕННО"), ["медленно", "очень", "очень медленно"]);
    }

    #[test]
    fn chinese_is_segmented_into_words_and_phrases_join_without_a_space() {
        let terms = t("网络信号太差");
        assert!(terms.contains(&"网络".to_string()), "{terms:?}");
        assert!(terms.contains(&"信号".to_string()), "{terms:?}");
        assert!(terms.contains(&"网络信号".to_string()), "{terms:?}");
        // Segmented, not one term for the whole run.
        assert!(!terms.contains(&"网络信号太差".to_string()), "{terms:?}");
        // 的 and 很 are stop words (很快, "quickly", is one word of the
        // dictionary); the full-width comma ends a clause: no 好安装.
        assert_eq!(
            t("工程师的态度很好，安装很快"),
            ["好", "安装", "安装很快", "工程师", "很快", "态度"]
        );
    }

    #[test]
    fn mixed_scripts_split_at_the_script_boundary() {
        let terms = t("网络很slow");
        assert!(terms.contains(&"网络".to_string()), "{terms:?}");
        assert!(terms.contains(&"slow".to_string()), "{terms:?}");
        // 很 is a stop word: no phrase across it.
        assert!(
            !terms.iter().any(|x| x.contains("slow") && x != "slow"),
            "{terms:?}"
        );
        let terms = t("路由器 wifi 不稳定");
        assert!(terms.contains(&"路由器 wifi".to_string()), "{terms:?}");
        assert!(
            terms.contains(&"wifi 不".to_string()) || terms.contains(&"wifi 不稳定".to_string()),
            "{terms:?}"
        );
    }

    #[test]
    fn emoji_and_masked_contacts_make_no_term_and_end_a_clause() {
        assert_eq!(t("great 👍 service"), ["great", "service"]);
        assert_eq!(t("great👍🏽service"), ["great", "service"]);
        assert_eq!(t("call ••• •••• •••• or •••@•••"), ["call"]);
        assert!(t("").is_empty());
        assert!(t("  \t ").is_empty());
        assert!(t("🙂🙂").is_empty());
    }

    #[test]
    fn each_term_is_listed_once_per_comment() {
        assert_eq!(t("slow slow slow"), ["slow", "slow slow"]);
    }
}
