//! The verbatims block on hand-made voices: groups named by the page's own
//! metric, small groups withheld with their topics.

use super::*;
use crate::metrics::samples::GroupSample;
use crate::project::model::Range;

pub(crate) fn catalog(lang: &str) -> Catalog {
    let path = format!(
        "{}/themes/default/i18n/{lang}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    Catalog::parse(&text, lang, &mut crate::diag::Diagnostics::new())
}

/// A group of `rows` rows whose sample holds `comments` (GroupSample keeps its
/// sample private to the engine; its serde form is the way in).
pub(crate) fn group(rows: u64, comments: &[&str]) -> GroupSample {
    let kept: Vec<(u64, &str)> = (comments.iter().enumerate())
        .map(|(i, c)| (i as u64, *c))
        .collect();
    // The bar: the largest hash kept once the sample is full.
    let bar = match kept.len() {
        n if n >= crate::metrics::samples::PER_GROUP => n as u64 - 1,
        _ => u64::MAX,
    };
    serde_json::from_value(serde_json::json!({
        "rows": rows, "comments": comments.len(), "comments_w": comments.len() as f64,
        "topic_w": [], "kept": kept, "bar": bar,
    }))
    .unwrap()
}

fn topic(name: &str, share: f64) -> TopTopic {
    TopTopic {
        id: name.to_lowercase(),
        name: name.into(),
        share,
    }
}

fn voices(split: VoiceSplit, rows: [u64; 3]) -> Voices {
    Voices {
        split,
        groups: [
            group(rows[0], &["first <b>one</b>"]),
            group(rows[1], &["middle"]),
            group(rows[2], &["last"]),
        ],
        top_topics: [
            vec![topic("Friendly staff", 41.6)],
            vec![topic("Price", 12.0)],
            vec![topic("Late installation", 23.4), topic("Price", 9.0)],
        ],
    }
}

fn labels(v: &VerbatimsView) -> Vec<(&str, &str)> {
    (v.groups.iter())
        .map(|g| (g.class.as_str(), g.label.as_str()))
        .collect()
}

#[test]
fn a_csat_page_is_grouped_by_its_box_not_by_nps() {
    let t = catalog("en");
    let csat = Metric::Csat {
        scale: Range { lo: 1.0, hi: 5.0 },
        top_box: Range { lo: 4.0, hi: 5.0 },
    };
    let v = voices(VoiceSplit::Boxed, [40, 0, 35]);
    let view = view(Some(&v), Some(&csat), 30, "Dec 2025".into(), &t).unwrap();
    assert_eq!(
        labels(&view),
        [
            ("in-box", "In the box (4–5)"),
            ("out-box", "Not in the box")
        ]
    );
    // Group 1 (passives) is not shown; group 2's comments and topics are.
    assert_eq!(view.groups[1].comments, ["last"]);
    let topics: Vec<_> = (view.groups[1].topics.iter())
        .map(|tt| format!("{} {}", tt.name, tt.share_text))
        .collect();
    assert_eq!(topics, ["Late installation 23%", "Price 9%"]);
    // Without a definition the box is not named.
    let view = super::view(Some(&v), None, 30, String::new(), &t).unwrap();
    assert_eq!(view.groups[0].label, "In the box");
    let zh = catalog("zh-CN");
    let view = super::view(Some(&v), Some(&csat), 30, String::new(), &zh).unwrap();
    assert!(
        view.groups[0].label.contains("4–5"),
        "{}",
        view.groups[0].label
    );
    assert!(t.missing().is_empty() && zh.missing().is_empty());
}

#[test]
fn small_groups_show_neither_comments_nor_topics() {
    let t = catalog("en");
    let v = voices(VoiceSplit::Nps, [30, 29, 0]);
    let view = view(Some(&v), None, 30, String::new(), &t).unwrap();
    assert_eq!(
        labels(&view),
        [
            ("promoter", "Promoters"),
            ("passive", "Passives"),
            ("detractor", "Detractors")
        ]
    );
    let [promoters, passives, detractors] = &view.groups[..] else {
        panic!("three groups")
    };
    // Plain text: the template escapes it.
    assert_eq!(promoters.comments, ["first <b>one</b>"]);
    assert_eq!(promoters.topics[0].share_text, "42%");
    for small in [passives, detractors] {
        assert!(small.comments.is_empty() && small.topics.is_empty());
        assert_eq!(
            small.empty_note,
            "Fewer than 30 responses: comments are not shown."
        );
    }
    // No row in any group: no block at all.
    assert!(super::view(
        Some(&voices(VoiceSplit::Nps, [0, 0, 0])),
        None,
        1,
        String::new(),
        &t
    )
    .is_none());
}

#[test]
fn effort_thirds_and_one_group_are_named_by_their_metric() {
    let t = catalog("en");
    let view = |split| {
        let v = voices(split, [5, 5, 5]);
        let view = super::view(Some(&v), None, 1, String::new(), &t).unwrap();
        labels(&view)
            .into_iter()
            .map(|(c, l)| format!("{c}: {l}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        view(VoiceSplit::Effort),
        ["low-effort: Low effort", "high-effort: High effort"]
    );
    assert_eq!(
        view(VoiceSplit::Thirds {
            top: 5.0,
            bottom: 3.0
        }),
        [
            "top-third: Top third (≥ 5)",
            "bottom-third: Bottom third (≤ 3)"
        ]
    );
    assert_eq!(
        view(VoiceSplit::Thirds {
            top: 11.0 / 3.0,
            bottom: 2.5
        }),
        [
            "top-third: Top third (≥ 3.67)",
            "bottom-third: Bottom third (≤ 2.5)"
        ]
    );
    assert_eq!(view(VoiceSplit::All), ["all: Comments"]);
    assert!(t.missing().is_empty());
}

#[test]
fn boxes_are_named_from_the_definition() {
    let share = Metric::Share {
        values: vec!["yes".into(), "y".into()],
    };
    assert_eq!(box_text(&share).as_deref(), Some("yes / y"));
    let bottom = Metric::BottomBox {
        scale: Range { lo: 1.0, hi: 5.0 },
        range: Range { lo: 1.0, hi: 1.0 },
    };
    assert_eq!(box_text(&bottom).as_deref(), Some("1"));
    assert_eq!(box_text(&Metric::Nps), None);
}
