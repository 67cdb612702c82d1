//! `cxscore topics suggest` on `tests/fixtures/suggest`, where words are
//! planted: detractors write "bill" most (the fixture's topic covers it) and
//! "modem" next; promoters write "friendly"; "superb" only in promoters'
//! rows of weight 0; "router" only where the NPS answer is passive or blank;
//! an e-mail address and a phone number hide in detractors' comments.

use std::process::Output;

use crate::harness::{snapshot_tree, stderr, Fixture};

/// A list's rows as (term, detractors, promoters, z), in printed order.
type Rows = Vec<(String, String, String, String)>;

/// The two printed lists: (detractors say more, promoters say more).
fn lists(out: &Output) -> (Rows, Rows) {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let (d, p) = text
        .split_once("Promoters say more:")
        .expect("two lists are printed");
    let rows = |part: &str| -> Rows {
        part.lines()
            .skip_while(|l| !l.trim_start().starts_with("term "))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| {
                // The term may hold one space (a phrase): numbers are the last three fields.
                let fields: Vec<&str> = l.split_whitespace().collect();
                let n = fields.len();
                assert!(n >= 4, "a row has a term and three numbers: {l:?}");
                let term = fields[..n - 3].join(" ");
                let f = |i: usize| fields[i].to_string();
                (term, f(n - 3), f(n - 2), f(n - 1))
            })
            .collect()
    };
    (rows(d), rows(p))
}

fn terms(rows: &Rows) -> Vec<&str> {
    rows.iter().map(|r| r.0.as_str()).collect()
}

#[test]
fn the_planted_words_top_their_lists_and_a_topics_word_is_left_out() {
    let fx = Fixture::copy("suggest");
    let before = snapshot_tree(&fx.root);
    let out = fx.run(&["topics", "suggest", "project"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (detractors, promoters) = lists(&out);
    assert_eq!(detractors.len(), 20, "--top defaults to 20");
    assert_eq!(promoters.len(), 20);
    // "bill" is detractors' most frequent word, but the codebook covers it.
    assert_eq!(
        detractors[0],
        ("modem".into(), "10.0".into(), "1.0".into(), "0.99".into())
    );
    assert_eq!(promoters[0].0, "friendly");
    assert_eq!((&promoters[0].1[..], &promoters[0].2[..]), ("0.0", "10.0"));
    let z = |r: &(String, String, String, String)| r.3.parse::<f64>().unwrap();
    assert!(detractors.windows(2).all(|w| z(&w[0]) >= z(&w[1])));
    assert!(promoters.windows(2).all(|w| z(&w[0]) <= z(&w[1])));
    assert!(promoters.iter().all(|r| z(r) < 0.0));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    for absent in ["bill", "charged", "router", "superb"] {
        assert!(!stdout.contains(absent), "{absent} printed:\n{stdout}");
    }
    let err = stderr(&out);
    assert!(
        err.contains("dataset `survey`: 28 detractors' and 28 promoters' comments (rows weighted)"),
        "{err}"
    );
    assert!(
        err.contains("; 14 already covered by a topic, left out"),
        "{err}"
    );
    // It writes nothing: not a site, not a cache, not a byte.
    assert!(
        before == snapshot_tree(&fx.root),
        "the project folder changed"
    );
}

#[test]
fn without_the_codebook_the_covered_word_comes_first() {
    // The same data with no topics: proves that the codebook is what left "bill" out.
    let fx = Fixture::copy("suggest");
    std::fs::remove_dir_all(fx.root.join("topics")).unwrap();
    let out = fx.run(&["topics", "suggest", "project", "--top", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (detractors, promoters) = lists(&out);
    assert_eq!(terms(&detractors), ["bill", "modem", "wrong"]);
    assert_eq!(promoters.len(), 3);
    assert!(stderr(&out).contains("; 0 already covered by a topic"));
}

#[test]
fn contacts_are_masked_and_chinese_is_segmented() {
    let fx = Fixture::copy("suggest");
    let out = fx.run(&["topics", "suggest", "project", "--top", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    for secret in ["jo.smith", "example", "0123", "456", "789", "@"] {
        assert!(!stdout.contains(secret), "{secret} printed:\n{stdout}");
    }
    let (detractors, promoters) = lists(&out);
    // "网络很慢，经常掉线": words, and a phrase of two Chinese words joined as written.
    for term in ["网络", "掉线", "经常掉线"] {
        assert!(terms(&detractors).contains(&term), "{term}: {detractors:?}");
    }
    assert!(terms(&promoters).contains(&"安装"), "{promoters:?}");
    // The words around the masked e-mail address are still there.
    assert!(terms(&detractors).contains(&"email"));
}

#[test]
fn the_output_is_the_same_on_every_run() {
    let fx = Fixture::copy("suggest");
    let a = fx.run(&["topics", "suggest", "project", "--top", "1000"]);
    let b = fx.run(&["topics", "suggest", "project", "--top", "1000"]);
    assert_eq!(a.status.code(), Some(0));
    assert!(a.stdout == b.stdout, "two runs differ");
}

#[test]
fn a_dataset_that_cannot_be_compared_is_a_usage_error() {
    let fx = Fixture::copy("suggest");
    let out = fx.run(&["topics", "suggest", "project", "--dataset", "ops"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("error: dataset `ops` has no `comments` column"),
        "{}",
        stderr(&out)
    );
    let out = fx.run(&["topics", "suggest", "project", "--dataset", "survy"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("error: no dataset `survy` in cxscore.yaml"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `survey`?"), "{err}");
    // Comments but no NPS indicator.
    fx.edit("indicators/core.yaml", "metric: nps", "metric: mean");
    let out = fx.run(&["topics", "suggest", "project"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no dataset has both a `comments` column and an NPS indicator"));
}

#[test]
fn an_invalid_project_fails_as_check_does() {
    let fx = Fixture::copy("suggest");
    fx.edit("indicators/core.yaml", "column: nps", "column: npss");
    let check = fx.run(&["check", "project"]);
    let out = fx.run(&["topics", "suggest", "project"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let located = |o: &Output| -> Vec<String> {
        (stderr(o).lines())
            .filter(|l| l.contains(": error: "))
            .map(String::from)
            .collect()
    };
    assert!(!located(&check).is_empty(), "{}", stderr(&check));
    assert_eq!(located(&out), located(&check));
}

#[test]
fn rows_build_leaves_out_are_left_out_here_too() {
    // Under `bad_rows: skip`, a row with a bad weight or an NPS answer out of
    // range is rejected by the compute stage: it must not count here either.
    let fx = Fixture::copy("suggest");
    fx.edit(
        "cxscore.yaml",
        "    comments: comment\n",
        "    comments: comment\n    bad_rows: skip\n",
    );
    let data = fx.root.join("data/survey.csv");
    let mut text = std::fs::read_to_string(&data).unwrap();
    text.push_str("2026-01-20,abc,3,modem modem\n2026-01-21,1,12,modem again\n");
    std::fs::write(&data, text).unwrap();
    let out = fx.run(&["topics", "suggest", "project"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (detractors, _) = lists(&out);
    assert_eq!(
        (&detractors[0].0[..], &detractors[0].1[..]),
        ("modem", "10.0")
    );
    assert!(stderr(&out).contains(": 28 detractors' and 28 promoters' comments"));
}
