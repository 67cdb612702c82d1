//! `cxscore topics suggest`: the words and phrases that tell detractors'
//! comments from promoters' — the start of a codebook (SPEC Part II §7).
//!
//! Input: a project folder, validated and computed exactly as `check` does
//! (so it fails the same way, with the same exit code), and one dataset with
//! comments and an NPS indicator. Output: a [`Suggestion`] — two ranked lists
//! of terms with their counts and z-scores — which the CLI prints. Nothing
//! is written: `check` reads the build cache without storing in it, and the
//! second read of the dataset here does not use the cache at all.
//!
//! The steps, one module each:
//!
//! 1. [`tokens`]: a comment, masked as the site masks it, becomes its terms
//!    (words and two-word phrases; Chinese segmented by jieba-rs);
//! 2. [`count`]: one pass over the dataset's rows (every row, not only the
//!    reporting window: a codebook is for all the comments) sums, per term,
//!    the weights of detractors' and promoters' comments that use it;
//! 3. [`log_odds`]: each term's z-score, the weighted log-odds ratio with an
//!    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008);
//! 4. here: terms a topic of the dataset already matches are left out
//!    (counted), and the rest ranked; [`report`] lays the lists out.

pub mod count;
pub mod log_odds;
pub mod report;
pub mod tokens;

use std::path::Path;

use count::{Columns, Tally, TermSink, DETRACTORS, PROMOTERS};
use log_odds::{z_score, Totals};

use crate::data::scan::{read_header, scan};
use crate::diag::{did_you_mean, Diagnostics};
use crate::metrics::pass::DatasetPass;
use crate::pipeline;
use crate::project::metric::Metric;
use crate::project::model::{Dataset, Project};
use crate::project::topic_match::TopicMatcher;

/// What was asked for (`--dataset`, `--top`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The dataset to read; `None`: the first (by id) with comments and an NPS indicator.
    pub dataset: Option<String>,
    /// How many terms each list shows at most.
    pub top: usize,
}

/// Why there is no suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestError {
    /// The project or its data is invalid: every problem is in the
    /// diagnostics, as `check` records them (exit 1, as `check`).
    Invalid,
    /// The project is valid but cannot answer the request: no such dataset,
    /// or one without comments or without an NPS indicator (exit 2).
    Usage {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// One ranked term.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The word or two-word phrase, lower-cased.
    pub term: String,
    /// Detractors' comments that use it (their summed weights when weighted).
    pub detractors: f64,
    /// Promoters' comments that use it (the same).
    pub promoters: f64,
    /// Its z-score: > 0 when detractors use it more.
    pub z: f64,
}

/// What `topics suggest` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The dataset read.
    pub dataset: String,
    /// Answered comments of detractors and promoters.
    pub comments: [u64; 2],
    /// Whether rows were weighted (the dataset has a `weight:` column).
    pub weighted: bool,
    /// Distinct terms with a z-score.
    pub terms: usize,
    /// Of those, the terms left out because a topic of the dataset matches them.
    pub covered: usize,
    /// The terms detractors use more, largest z first (ties by term).
    pub detractors: Vec<Scored>,
    /// The terms promoters use more, most negative z first (ties by term).
    pub promoters: Vec<Scored>,
}

/// Validates and computes the project as `check` does, then ranks the terms
/// of the chosen dataset's comments. Problems of the project are recorded in
/// `diags` (and give [`SuggestError::Invalid`]).
pub fn suggest(
    project_dir: &Path,
    options: &Options,
    diags: &mut Diagnostics,
) -> Result<Suggestion, SuggestError> {
    let checked = pipeline::check(project_dir, diags).ok_or(SuggestError::Invalid)?;
    if diags.has_errors() {
        return Err(SuggestError::Invalid);
    }
    let project = &checked.project;
    let dataset = choose(project, options.dataset.as_deref())?;
    let tally = read(project, dataset, diags)?;
    Ok(rank(project, dataset, tally, options.top))
}

/// Whether a dataset can be read: it has comments and an NPS indicator.
fn has_nps(project: &Project, dataset: &Dataset) -> bool {
    (project.indicators.iter())
        .any(|i| i.dataset.as_deref() == Some(&dataset.id) && matches!(i.metric, Metric::Nps))
}

/// The dataset `--dataset` names, or the first by id that can be read.
fn choose<'p>(project: &'p Project, wanted: Option<&str>) -> Result<&'p Dataset, SuggestError> {
    let datasets = &project.config.datasets;
    let Some(id) = wanted else {
        return (datasets.values())
            .find(|d| d.comments.is_some() && has_nps(project, d))
            .ok_or_else(|| SuggestError::Usage {
                message: "no dataset has both a `comments` column and an NPS indicator".into(),
                hint: "declare a dataset's comment column in cxscore.yaml (`comments: comment`) and define an indicator with `metric: nps` on it".into(),
            });
    };
    let Some(dataset) = datasets.get(id) else {
        let ids = datasets.keys().map(String::as_str);
        return Err(SuggestError::Usage {
            message: format!("no dataset `{id}` in cxscore.yaml"),
            hint: did_you_mean(id, ids.clone()).unwrap_or_else(|| {
                format!("its datasets are {}", ids.collect::<Vec<_>>().join(", "))
            }),
        });
    };
    if dataset.comments.is_none() {
        return Err(SuggestError::Usage {
            message: format!("dataset `{id}` has no `comments` column: there is nothing to read"),
            hint: "declare its comment column in cxscore.yaml, e.g. `comments: comment`".into(),
        });
    }
    if !has_nps(project, dataset) {
        return Err(SuggestError::Usage {
            message: format!(
                "dataset `{id}` has no NPS indicator: nothing tells detractors from promoters"
            ),
            hint: "define an indicator with `metric: nps` on it".into(),
        });
    }
    Ok(dataset)
}

/// One pass over the dataset through the data stage's reader. Its
/// diagnostics repeat `check`'s (which read the same files a moment ago), so
/// only its errors are kept: data that changed in between.
fn read(
    project: &Project,
    dataset: &Dataset,
    diags: &mut Diagnostics,
) -> Result<Tally, SuggestError> {
    let mut again = Diagnostics::new();
    let tally = read_into(project, dataset, &mut again);
    if again.has_errors() {
        diags.extend(again);
        return Err(SuggestError::Invalid);
    }
    tally
}

fn read_into(
    project: &Project,
    dataset: &Dataset,
    diags: &mut Diagnostics,
) -> Result<Tally, SuggestError> {
    let root = &project.root;
    let header = read_header(dataset, root, diags).ok_or(SuggestError::Invalid)?;
    // A dataset that joins a lookup table (SPEC §9) reads it as `build` does.
    let table = crate::metrics::lookup_stats::load_joined(project, dataset, diags);
    let pass = DatasetPass::plan_joined(project, dataset, &header, table.as_ref(), diags)
        .ok_or(SuggestError::Invalid)?;
    let column =
        |c: Option<&crate::project::model::ColumnRef>| c.and_then(|c| header.index(&c.name));
    // `check` passed and the dataset has comments and an NPS indicator, so
    // both columns exist; answer plainly rather than panic if not.
    let (Some(comment), Some(nps)) = (column(dataset.comments.as_ref()), pass.nps_column()) else {
        return Err(SuggestError::Usage {
            message: format!(
                "dataset `{}` has no comment or NPS column to read",
                dataset.id
            ),
            hint: "check `comments:` in cxscore.yaml and the column of its NPS indicator".into(),
        });
    };
    let columns = Columns {
        comment,
        nps,
        weight: column(dataset.weight.as_ref()),
    };
    let mut sink = TermSink::new(pass, columns);
    scan(dataset, root, &header, &mut sink, None, diags);
    Ok(sink.tally)
}

/// Scores every term, leaves out those a topic covers, and ranks the rest.
fn rank(project: &Project, dataset: &Dataset, tally: Tally, top: usize) -> Suggestion {
    // Weights rescaled to average 1 over the compared comments: z grows with
    // the square root of the counts' scale, and must not depend on the unit
    // of a weight column (population weights of 1,000 would multiply it by 30).
    let answered = (tally.comments[DETRACTORS] + tally.comments[PROMOTERS]) as f64;
    let weight = tally.weights[DETRACTORS] + tally.weights[PROMOTERS];
    let scale = if weight > 0.0 { answered / weight } else { 0.0 };
    let mut counts: Vec<(String, [f64; 2])> = tally.terms.into_iter().collect();
    // Summed in term order, never in the map's: the totals (and so every z)
    // are the same bits on every run.
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    let scaled = |[d, p]: [f64; 2]| (d * scale, p * scale);
    let totals = Totals::of(counts.iter().map(|(_, c)| scaled(*c)));
    let matchers: Vec<TopicMatcher> = (project.topics.iter())
        .filter(|t| t.datasets.contains(&dataset.id))
        .filter_map(|t| TopicMatcher::new(&t.keywords, &t.patterns, &t.exclude).ok())
        .collect();
    let mut scored = Vec::new();
    let mut covered = 0;
    for (term, [d, p]) in counts {
        let Some(z) = z_score(scaled([d, p]), &totals) else {
            continue;
        };
        if matchers.iter().any(|m| m.matches(&term)) {
            covered += 1;
            continue;
        }
        scored.push(Scored {
            term,
            detractors: d,
            promoters: p,
            z,
        });
    }
    let terms = scored.len() + covered;
    Suggestion {
        dataset: dataset.id.clone(),
        comments: tally.comments,
        weighted: dataset.weight.is_some(),
        terms,
        covered,
        detractors: ranked(&scored, top, |s| s.z),
        promoters: ranked(&scored, top, |s| -s.z),
    }
}

/// The `top` terms with the largest positive `key`, ties by term, so the
/// order (and the cut) never depends on a hash.
fn ranked(scored: &[Scored], top: usize, key: impl Fn(&Scored) -> f64) -> Vec<Scored> {
    let mut list: Vec<&Scored> = scored.iter().filter(|s| key(s) > 0.0).collect();
    list.sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| a.term.cmp(&b.term)));
    list.into_iter().take(top).cloned().collect()
}
