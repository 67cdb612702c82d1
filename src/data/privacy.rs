//! Data stage: columns that look like personal data but are not declared `pii`.
//!
//! Input: a dataset's header and its `pii:` list. Output: a warning (never an
//! error: a header name is only a hint of what a column holds) for each column
//! whose name says e-mail, phone or identity number, in English or Chinese,
//! that the dataset does not list under `pii`. Declared `pii` columns are
//! never read at all ([`super::plan::Resolver`] refuses them), so declaring
//! one is how a user makes sure it cannot reach the site.

use super::scan::Header;
use crate::diag::Diagnostics;
use crate::project::model::Dataset;

/// Chinese words that name personal data, matched anywhere in a header:
/// identity card, ID document number, mobile, telephone, mailbox, e-mail,
/// contact details, WeChat id.
const CHINESE: [(&str, &str); 9] = [
    ("身份证", "identity numbers"),
    ("证件号", "identity numbers"),
    ("手机", "phone numbers"),
    ("电话", "phone numbers"),
    ("邮箱", "e-mail addresses"),
    ("邮件", "e-mail addresses"),
    ("联系方式", "contact details"),
    ("微信号", "WeChat ids"),
    ("护照", "passport numbers"),
];

/// Latin fragments matched inside the header with separators removed
/// (`E-Mail Address` → `emailaddress`): specific enough not to hit ordinary
/// survey columns.
const FRAGMENTS: [(&str, &str); 6] = [
    ("email", "e-mail addresses"),
    ("phone", "phone numbers"),
    ("idcard", "identity numbers"),
    ("idnumber", "identity numbers"),
    ("nationalid", "identity numbers"),
    ("passport", "passport numbers"),
];

/// Whole headers (separators removed) that are personal data alone but too
/// short or common to match inside other words (`tel` in `hotel`, `mobile` in
/// `mobile_app_rating`).
const WHOLE: [(&str, &str); 10] = [
    ("mail", "e-mail addresses"),
    ("mobile", "phone numbers"),
    ("mobileno", "phone numbers"),
    ("mobilenumber", "phone numbers"),
    ("tel", "phone numbers"),
    ("telno", "phone numbers"),
    ("cell", "phone numbers"),
    ("msisdn", "phone numbers"),
    ("ssn", "identity numbers"),
    ("idno", "identity numbers"),
];

/// What personal data a header's name suggests, if any (e.g. `"e-mail addresses"`).
pub fn looks_personal(header: &str) -> Option<&'static str> {
    if let Some((_, what)) = CHINESE.iter().find(|(word, _)| header.contains(word)) {
        return Some(what);
    }
    let compact: String = header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    FRAGMENTS
        .iter()
        .find(|(frag, _)| compact.contains(frag))
        .or_else(|| WHOLE.iter().find(|(word, _)| compact == *word))
        .map(|(_, what)| *what)
}

/// Warns about each column of `header` that looks personal and is not in `pii`.
pub fn warn_undeclared(header: &Header, dataset: &Dataset, diags: &mut Diagnostics) {
    for name in &header.names {
        if dataset.pii.iter().any(|p| &p.name == name) {
            continue;
        }
        if let Some(what) = looks_personal(name) {
            diags.warning_hint(
                dataset.location.clone(),
                format!(
                    "column `{name}` of dataset `{}` ({}) looks like it holds {what}, but it is not declared `pii`",
                    dataset.id,
                    header.file.display()
                ),
                format!(
                    "add it to `pii:` of dataset `{}` (e.g. `pii: [{name}]`) so it can never reach the site; if it holds no personal data, rename the column",
                    dataset.id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_headers_are_recognised_in_english_and_chinese() {
        for h in [
            "email",
            "E-Mail Address",
            "customer_email",
            "Phone",
            "mobile_phone",
            "telephone",
            "Mobile",
            "tel",
            "ID card",
            "id_number",
            "national_id",
            "身份证号码",
            "手机号",
            "联系电话",
            "邮箱",
            "电子邮件",
        ] {
            assert!(looks_personal(h).is_some(), "{h}");
        }
    }

    #[test]
    fn ordinary_survey_columns_are_not_flagged() {
        for h in [
            "hotel",
            "mobile_app_rating",
            "channel",
            "respondent_id",
            "id",
            "cell_tower",
            "comment",
            "渠道",
            "满意度",
            "telecom_region",
        ] {
            assert_eq!(looks_personal(h), None, "{h}");
        }
    }
}
