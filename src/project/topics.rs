//! Validation of `topics/*.yaml` (SPEC §7): the codebook that codes comments.
//!
//! Input: each file's list of raw topics and the checked datasets. Output:
//! checked [`Topic`]s, with located errors for an unknown dataset, a dataset
//! without `comments`, an empty keyword, a pattern that is not a regular
//! expression (with the regex crate's message), a duplicate id; and a
//! warning for a keyword repeated across topics (two topics counting the
//! same words is usually a codebook slip). The matching itself is
//! [`super::topic_match`].

use std::collections::BTreeMap;
use std::path::Path;

use super::checks::{check_id, IdRegistry};
use super::model::Dataset;
use super::raw::RawTopic;
use super::topic_match::check_patterns;
use super::yaml::{location, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Location};

/// A topic, checked.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The group it rolls up into.
    pub group: Option<String>,
    /// Keywords, trimmed.
    pub keywords: Vec<String>,
    /// Regular expressions (each compiles).
    pub patterns: Vec<String>,
    /// Exclusions, trimmed.
    pub exclude: Vec<String>,
    /// The datasets whose comments it codes, sorted.
    pub datasets: Vec<String>,
    /// Where it was defined.
    pub location: Location,
}

/// Checks one file's topics, registering their ids in `ids`.
pub fn validate_topics(
    file: &Path,
    raws: Vec<RawTopic>,
    datasets: &BTreeMap<String, Dataset>,
    ids: &mut IdRegistry,
    diags: &mut Diagnostics,
) -> Vec<Topic> {
    let mut out = Vec::new();
    for raw in raws {
        check_id(file, &raw.id, "topic", diags);
        if !ids.register("topic", &raw.id.value, location(file, &raw.id), diags) {
            continue;
        }
        if let Some(topic) = validate_topic(file, raw, datasets, diags) {
            out.push(topic);
        }
    }
    out
}

fn words(file: &Path, list: &[Spanned<String>], key: &str, diags: &mut Diagnostics) -> Vec<String> {
    let mut out = Vec::new();
    for w in list {
        let trimmed = w.value.trim();
        if trimmed.is_empty() {
            diags.error_hint(
                location(file, w),
                format!("an empty entry in `{key}`"),
                "remove it: an empty keyword would match every comment",
            );
        } else {
            out.push(trimmed.to_string());
        }
    }
    out
}

fn validate_topic(
    file: &Path,
    raw: RawTopic,
    datasets: &BTreeMap<String, Dataset>,
    diags: &mut Diagnostics,
) -> Option<Topic> {
    let keywords = words(file, &raw.keywords, "keywords", diags);
    let exclude = words(file, &raw.exclude, "exclude", diags);
    let patterns: Vec<String> = raw.patterns.iter().map(|p| p.value.clone()).collect();
    if keywords.is_empty() && patterns.is_empty() {
        diags.error_hint(
            location(file, &raw.id),
            format!(
                "topic `{}` has no `keywords` and no `patterns`",
                raw.id.value
            ),
            "add the words that give a comment this topic, e.g. `keywords: [late, \"no show\"]`",
        );
    }
    let compiled = check_patterns(&patterns);
    if let Err(bad) = &compiled {
        diags.error_hint(
            location(file, &raw.patterns[bad.index]),
            format!(
                "pattern of topic `{}` is not a regular expression",
                raw.id.value
            ),
            (bad.message.lines().last().unwrap_or("").trim())
                .trim_start_matches("error: ")
                .to_string(),
        );
    }
    let with_comments = || {
        (datasets.values())
            .filter(|d| d.comments.is_some())
            .map(|d| d.id.clone())
            .collect::<Vec<_>>()
    };
    let chosen = match &raw.datasets {
        None => with_comments(),
        Some(list) => {
            let mut chosen = Vec::new();
            for d in list {
                match datasets.get(&d.value) {
                    None => diags.error_hint(
                        location(file, d),
                        format!(
                            "topic `{}` names unknown dataset `{}`",
                            raw.id.value, d.value
                        ),
                        did_you_mean(&d.value, datasets.keys().map(String::as_str))
                            .unwrap_or_else(|| "name a dataset of cxscore.yaml".into()),
                    ),
                    Some(ds) if ds.comments.is_none() => diags.error_hint(
                        location(file, d),
                        format!("dataset `{}` has no `comments` column to code", d.value),
                        "declare its comment column in cxscore.yaml, e.g. `comments: comment`",
                    ),
                    Some(_) => chosen.push(d.value.clone()),
                }
            }
            chosen.sort();
            chosen.dedup();
            chosen
        }
    };
    compiled.ok()?;
    Some(Topic {
        id: raw.id.value.clone(),
        name: raw.name,
        group: raw.group,
        keywords,
        patterns,
        exclude,
        datasets: chosen,
        location: location(file, &raw.id),
    })
}

/// Warns about each keyword that more than one topic lists (compared
/// case-insensitively), at the later topic.
pub fn check_repeated_keywords(topics: &[Topic], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for t in topics {
        for k in &t.keywords {
            let key = k.to_lowercase();
            match seen.get(&key) {
                Some(first) if *first != t.id => diags.warning_hint(
                    t.location.clone(),
                    format!("keyword `{k}` of topic `{}` is also a keyword of `{first}`", t.id),
                    "a comment with it gets both topics; keep it in one, or make the topics distinct",
                ),
                Some(_) => {}
                None => {
                    seen.insert(key, &t.id);
                }
            }
        }
    }
}
