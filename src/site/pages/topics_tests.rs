//! The Topics page and persona topics on hand-made numbers: what the site
//! shows is what compute published, in impact order, escaped, withheld
//! below `min_n_comments`.

use std::path::Path;

use super::*;
use crate::diag::Diagnostics;
use crate::metrics::computed::{TopicByGroup, TopicPeriod, TopicShare, Uncoded};
use crate::site::render_site_timed;

/// A topic of dataset `survey` with `mentions` and `impact`; every other number fixed.
pub(crate) fn topic(id: &str, mentions: u64, impact: Option<f64>) -> TopicResult {
    TopicResult {
        id: id.into(),
        name: format!("Topic {id}"),
        group: Some("Service".into()),
        dataset: "survey".into(),
        mentions,
        answered: 40,
        share: Some(12.345),
        ci_low: Some(5.0),
        ci_high: Some(20.26),
        se: Some(3.9),
        by_group: Some(TopicByGroup {
            promoters: Some(4.0),
            passives: None,
            detractors: Some(31.25),
        }),
        nps_with: Some(-10.0),
        nps_without: Some(20.0),
        difference: Some(-30.0),
        difference_se: Some(8.5),
        p_value: Some(0.0004),
        q_value: Some(0.0123),
        significant: Some(impact.is_some_and(|v| v < -5.0)),
        impact,
        periods: vec![
            TopicPeriod {
                period: PeriodKey::Month(2026, 1),
                answered: 20,
                mentions: 3,
                share: Some(15.0),
            },
            TopicPeriod {
                period: PeriodKey::Month(2026, 2),
                answered: 20,
                mentions: 2,
                share: None,
            },
        ],
        segments: BTreeMap::new(),
        personas: Vec::new(),
        comments: vec![format!("about {id} <script>alert(1)</script>")],
    }
}

/// The tiny fixture with a one-topic codebook, loaded and computed; compute's
/// topics are then replaced by hand-made ones.
fn tiny_with_codebook() -> (tempfile::TempDir, Project, Computed) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::create_dir_all(dir.path().join("topics")).unwrap();
    std::fs::write(
        dir.path().join("topics/core.yaml"),
        "- id: slow\n  name: Slow\n  keywords: [slow]\n",
    )
    .unwrap();
    let mut diags = Diagnostics::new();
    let project = crate::project::load(dir.path(), &mut diags).expect("tiny loads");
    let computed = crate::metrics::compute(&project, &mut diags);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    (dir, project, computed)
}

fn render(project: &Project, computed: &Computed) -> BTreeMap<String, String> {
    let mut diags = Diagnostics::new();
    let (files, _) = render_site_timed(project, computed, None, &mut diags).unwrap();
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    (files.into_iter())
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn topics_are_sorted_by_impact_most_costly_first() {
    let (_dir, _project, mut computed) = tiny_with_codebook();
    computed.topics = vec![
        topic("a", 40, Some(2.5)),
        topic("b", 40, None),
        topic("c", 40, Some(-7.25)),
        topic("d", 40, Some(-1.0)),
        topic("e", 40, Some(2.5)),
    ];
    let t = crate::site::verbatims::tests::catalog("en");
    let sets = datasets(&computed, 30, &t);
    assert_eq!(sets.len(), 1);
    let names: Vec<&str> = sets[0].topics.iter().map(|r| r.name.as_str()).collect();
    // Ties (a, e) keep the codebook's order; no impact comes last.
    assert_eq!(
        names,
        ["Topic c", "Topic d", "Topic a", "Topic e", "Topic b"]
    );
    let c = &sets[0].topics[0];
    assert_eq!(
        [
            &c.share_text,
            &c.ci_text,
            &c.detractors_text,
            &c.promoters_text,
            &c.impact_text,
            &c.q_text
        ],
        ["12.3", "5.0 – 20.3", "31.2", "4.0", "−7.2", "0.012"]
    );
    assert!(c.significant && c.tested && c.arrow == "▼");
    assert_eq!(sets[0].topics[2].impact_text, "+2.5");
    assert_eq!(sets[0].topics[4].impact_text, "—");
    assert!(c.sparkline_html.contains("<svg"));
    assert!(sets[0].caption.contains("cost the most NPS points first"));
}

#[test]
fn the_topics_page_escapes_comments_and_withholds_small_topics() {
    let (_dir, mut project, mut computed) = tiny_with_codebook();
    project.config.min_n_comments = 10;
    computed.topics = vec![topic("many", 12, Some(-3.0)), topic("few", 9, Some(-9.0))];
    computed.topic_groups = vec![TopicResult {
        group: None,
        ..topic("Service", 20, Some(-8.0))
    }];
    computed.data.get_mut("survey").unwrap().uncoded = Some(Uncoded {
        count: 7,
        share: Some(17.5),
    });
    let pages = render(&project, &computed);
    let html = &pages["topics.html"];
    assert!(html.contains("about many &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>") && !html.contains("about few"));
    assert!(html.contains("Fewer than 10 comments carry this topic"));
    assert!(html.contains("7 comments (17.5%) carry no topic"));
    assert!(html.contains("Topic groups of survey"));
    // "few" (−9) costs more than "many" (−3): listed first.
    assert!(html.find("Topic few").unwrap() < html.find("Topic many").unwrap());
    // In the navigation, the report, and explained on the methodology page.
    assert!(pages["index.html"].contains("href=\"topics.html\""));
    assert!(pages["report.html"].contains("id=\"topics\""));
    assert!(pages["report.html"].contains("about many &lt;script&gt;"));
    assert!(
        pages["methodology.html"].contains("never \"lately\"")
            || pages["methodology.html"].contains("never &quot;lately&quot;")
    );
}

#[test]
fn no_topics_no_page_and_no_method_section() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    let mut diags = Diagnostics::new();
    let project = crate::project::load(&dir, &mut diags).unwrap();
    let computed = crate::metrics::compute(&project, &mut diags);
    let pages = render(&project, &computed);
    assert!(!pages.contains_key("topics.html"));
    assert!(!pages["index.html"].contains("topics.html"));
    assert!(!pages["methodology.html"].contains("topics-method"));
}

#[test]
fn a_persona_lists_its_top_five_topics_when_it_commented_enough() {
    let (_dir, project, mut computed) = tiny_with_codebook();
    let share = |key: &str, answered, mentions, share| TopicShare {
        key: key.into(),
        answered,
        mentions,
        share,
    };
    computed.topics = (0..7)
        .map(|i| TopicResult {
            personas: vec![
                share("newcomer", 30, i, Some(i as f64 * 10.0)),
                share("other", 3, 1, Some(50.0)),
            ],
            ..topic(&format!("t{i}"), 40, None)
        })
        .collect();
    let t = crate::site::verbatims::tests::catalog("en");
    let p = &project.personas[0];
    let view = persona_topics(&computed, p, 30, &t).unwrap();
    let names: Vec<&str> = view.rows.iter().map(|r| r.name.as_str()).collect();
    // t0 has no mention; the five largest shares, largest first.
    assert_eq!(
        names,
        ["Topic t6", "Topic t5", "Topic t4", "Topic t3", "Topic t2"]
    );
    assert_eq!(view.rows[0].share_text, "60.0");
    assert!(view.note.is_empty());
    // Below min_n_comments: no topic, a note saying why.
    let view = persona_topics(&computed, p, 31, &t).unwrap();
    assert!(view.rows.is_empty());
    assert_eq!(
        view.note,
        "Fewer than 31 comments from this persona: topics are not shown."
    );
    computed.topics.clear();
    assert!(persona_topics(&computed, p, 30, &t).is_none());
}
