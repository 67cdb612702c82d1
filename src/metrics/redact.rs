//! Compute stage: masks contact details in free-text comments before they are kept.
//!
//! Input: one comment as respondents wrote it. Output: the same text with
//! e-mail addresses and phone numbers replaced by dots. A dataset's `pii`
//! columns are never read at all; this guards the *comment* column, where
//! respondents often type "call me on 138 0013 8000". Masking happens as a
//! comment is sampled, so unmasked text never leaves the engine.
//!
//! The patterns (documented in docs/reference.md):
//! - **e-mail**: `local@domain.tld` — letters, digits and `._%+-` before the
//!   `@`, a dotted domain after it, a top-level part of two letters or more;
//!   becomes [`EMAIL_MASK`].
//! - **phone**: an optional `+`, then digits with spaces, dots, dashes or
//!   brackets between them, holding **7 or more digits** in all (fewer is a
//!   price, a count or a year); an ISO date such as `2025-01-31` is left
//!   alone. Covers `13800138000`, `138 0013 8000`, `+86 138-0013-8000`,
//!   `(010) 6552 9988`, `+44 20 7946 0958`; becomes [`PHONE_MASK`].

use std::sync::LazyLock;

use regex::Regex;

/// What an e-mail address becomes: symbols, so no language needs a word for it.
pub const EMAIL_MASK: &str = "•••@•••";
/// What a phone number becomes.
pub const PHONE_MASK: &str = "••• •••• ••••";

/// Digits a run must hold to count as a phone number.
const MIN_PHONE_DIGITS: usize = 7;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
        .expect("the e-mail pattern is valid")
});

// Starts and ends on a digit (or `+`/`(` before the first one), so the spaces
// around a number in a sentence stay where they are.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|\()?[0-9](?:[\s().\-]{0,3}[0-9])+").expect("the phone pattern is valid")
});

static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").expect("the date pattern is valid")
});

/// The comment with every e-mail address and phone number masked.
pub fn mask_contacts(text: &str) -> String {
    mask_contacts_cow(text).into_owned()
}

/// [`mask_contacts`] without a copy when there is nothing to mask: a text
/// with no `@` and fewer than [`MIN_PHONE_DIGITS`] digits can match neither
/// pattern, and most comments are such texts (the per-row fast path).
pub fn mask_contacts_cow(text: &str) -> std::borrow::Cow<'_, str> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits < MIN_PHONE_DIGITS && !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let text = EMAIL.replace_all(text, EMAIL_MASK);
    PHONE
        .replace_all(&text, |caps: &regex::Captures<'_>| {
            let found = &caps[0];
            let digits = found.chars().filter(char::is_ascii_digit).count();
            if digits >= MIN_PHONE_DIGITS && !ISO_DATE.is_match(found) {
                PHONE_MASK.to_string()
            } else {
                found.to_string()
            }
        })
        .into_owned()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_only_skips_texts_that_cannot_match() {
        // Six digits and no `@`: nothing to mask, no copy.
        let short = "Paid 12.5 on 3/4";
        assert!(matches!(
            mask_contacts_cow(short),
            std::borrow::Cow::Borrowed(_)
        ));
        // Seven digits: the slow path runs and masks the phone number.
        assert_eq!(
            mask_contacts_cow("ring 1234567"),
            format!("ring {PHONE_MASK}")
        );
        // An `@` with few digits: the e-mail is masked.
        assert_eq!(mask_contacts_cow("a@b.co"), EMAIL_MASK);
    }

    #[test]
    fn chinese_mobile_numbers_in_every_usual_spelling_are_masked() {
        for phone in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138-0013-8000",
            "+86 13800138000",
            "(010) 6552 9988",
        ] {
            let masked = mask_contacts(&format!("请拨打{phone}联系我"));
            assert_eq!(masked, format!("请拨打{PHONE_MASK}联系我"), "{phone}");
        }
    }

    #[test]
    fn international_numbers_are_masked_and_the_sentence_kept() {
        assert_eq!(
            mask_contacts("Call me on +44 20 7946 0958, evenings."),
            format!("Call me on {PHONE_MASK}, evenings.")
        );
        assert_eq!(
            mask_contacts("mobile: +44 7700 900624"),
            format!("mobile: {PHONE_MASK}")
        );
    }

    #[test]
    fn e_mail_addresses_are_masked() {
        assert_eq!(
            mask_contacts("Contact me at user6087@example.com if anyone reads this."),
            format!("Contact me at {EMAIL_MASK} if anyone reads this.")
        );
        assert_eq!(
            mask_contacts("li.na+cx@mail.example.com.cn 或 wang_wei@qq.com"),
            format!("{EMAIL_MASK} 或 {EMAIL_MASK}")
        );
    }

    #[test]
    fn prices_counts_years_and_dates_are_not_phone_numbers() {
        for text in [
            "I was charged £70 and waited 3 days.",
            "Since 2025 the speed dropped from 500 to 120 Mbps.",
            "Installed on 2025-01-31, as promised.",
            "Ticket 123456 is still open.",
            "No digits at all.",
        ] {
            assert_eq!(mask_contacts(text), text);
        }
    }
}
