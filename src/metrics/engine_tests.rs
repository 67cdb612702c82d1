//! Tests of the whole compute stage on small CSV files: reading (encodings,
//! line ends, quoting, ragged rows), data errors and `bad_rows`, and the
//! groups one pass feeds (periods, segments, personas, filters, composites).

use super::computed::Status;
use super::testkit::{col, result, Kit};
use crate::project::model::*;

const NPS_CSV: &str = "id,score,channel,date\n1,10,web,2026-01-05\n2,9,web,2026-01-20\n3,7,app,2026-02-01\n4,3,,2026-02-10\n5,,app,2026-02-11\n";

#[test]
fn blank_is_not_zero_and_groups_are_fed() {
    let mut kit = Kit::new(&[("a.csv", NPS_CSV.as_bytes())]);
    kit.dataset().segments = vec![col("channel", 2)];
    kit.dataset().date = Some(DateColumn {
        column: col("date", 3),
        format: None,
    });
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    let r = result(&c, "nps");
    // 4 answered (the blank is out): 2 promoters, 1 passive, 1 detractor → (2 − 1)/4 = 25.
    assert_eq!(r.estimate.n, 4);
    assert_eq!(r.estimate.value, Some(25.0));
    let b = r.breakdown.as_ref().unwrap();
    assert_eq!((b.promoters, b.passives, b.detractors), (2, 1, 1));
    // January: 10, 9 → 100; February: 7, 3 → (0 − 1)/2 = −50.
    let periods: Vec<_> = r
        .periods
        .iter()
        .map(|p| (p.period.to_string(), p.estimate.value))
        .collect();
    assert_eq!(
        periods,
        vec![
            ("2026-01".to_string(), Some(100.0)),
            ("2026-02".to_string(), Some(-50.0))
        ]
    );
    assert_eq!(r.periods[1].change, Some(-150.0));
    // Segments sorted by key; the blank channel is in no key.
    let seg: Vec<_> = r.segments["channel"]
        .iter()
        .map(|g| (g.key.as_str(), g.estimate.n))
        .collect();
    assert_eq!(seg, vec![("app", 1), ("web", 2)]);
    // Distribution: 4 answers, one each at 3, 7, 9, 10 → 25 % each.
    assert_eq!(r.distribution.len(), 11);
    assert_eq!(r.distribution[10], ("10".to_string(), 25.0));
    assert_eq!(r.distribution[0], ("0".to_string(), 0.0));
    assert_eq!((c.data["survey"].rows, c.data["survey"].files), (5, 1));
}

#[test]
fn crlf_bom_and_quoted_newlines() {
    let csv = b"\xEF\xBB\xBFscore,comment\r\n10,\"two\r\nlines\"\r\n0,ok\r\n";
    let mut kit = Kit::new(&[("a.csv", csv)]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    kit.dataset().comments = Some(col("comment", 4));
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(result(&c, "nps").estimate.value, Some(0.0));
    assert_eq!(c.data["survey"].rows, 2);
}

#[test]
fn ragged_and_out_of_scale_rows_are_reported_with_line_and_field() {
    // Line 3 is short; the quoted newline makes line 4's record start on line 4 and
    // the out-of-scale value sit on the record starting at line 6.
    let csv = "id,score\n1,9\n2\n3,\"1\n0\"\n4,7\n5,11\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (_, diags) = kit.run();
    assert_eq!(
        diags,
        vec![
            "data/a.csv:3:2: error: row has 1 fields but the header of dataset `survey` has 2; fix the data, or set `bad_rows: skip` on dataset `survey` to leave such rows out",
            "data/a.csv:4:2: error: `score` is `1\n0`, not a number (indicator `nps`); fix the data, or set `bad_rows: skip` on dataset `survey` to leave such rows out",
            "data/a.csv:7:2: error: `score` is `11`, outside the scale 0–10 (indicator `nps`); fix the data, or set `bad_rows: skip` on dataset `survey` to leave such rows out",
        ]
    );
}

#[test]
fn bad_rows_skip_leaves_rows_out_and_counts_them() {
    let csv = "score,w\n10,1\n11,1\n0,-1\n9\n5,2\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().bad_rows = BadRows::Skip;
    kit.dataset().weight = Some(col("w", 2));
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (c, diags) = kit.run();
    assert_eq!(
        diags,
        vec!["cxscore.yaml:3:3: warning: dataset `survey`: 3 of 5 rows have data errors and were left out (bad_rows: skip); the methodology page lists why"]
    );
    let stats = &c.data["survey"];
    assert_eq!((stats.rows, stats.rejected), (5, 3));
    let places: Vec<_> = stats
        .rejections
        .iter()
        .map(|r| r.location.as_str())
        .collect();
    assert_eq!(
        places,
        vec!["data/a.csv:3:1", "data/a.csv:4:2", "data/a.csv:5:2"]
    );
    // Kept: 10 (w 1) and 5 (w 2): promoters 1/3, detractors 2/3 → −33.3; n = 2, n_eff = 9/5.
    let e = &result(&c, "nps").estimate;
    assert_eq!(e.n, 2);
    assert!((e.value.unwrap() + 100.0 / 3.0).abs() < 1e-9);
    assert!((e.effective_n - 1.8).abs() < 1e-12);
}

#[test]
fn missing_column_gets_a_did_you_mean_and_nothing_is_read() {
    let mut kit = Kit::new(&[("a.csv", NPS_CSV.as_bytes())]);
    kit.indicator("nps", Metric::Nps, Some("scroe"), 12);
    let (c, diags) = kit.run();
    assert_eq!(
        diags,
        vec!["indicators/test.yaml:12:5: error: column `scroe` (indicator `nps`) is not in the header of dataset `survey` (data/a.csv); did you mean `score`?"]
    );
    assert_eq!(result(&c, "nps").estimate.n, 0);
}

#[test]
fn headers_must_agree_across_files() {
    let mut kit = Kit::new(&[("a.csv", b"score\n9\n"), ("b.csv", b"Score\n9\n")]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (c, diags) = kit.run();
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].starts_with("data/b.csv:1: error: the header of `data/b.csv` differs"),
        "{diags:?}"
    );
    assert_eq!(result(&c, "nps").estimate.n, 1);
}

#[test]
fn invalid_utf8_suggests_gbk_and_gbk_decodes() {
    // "渠道" (channel) and "网" (web) in GBK.
    let gbk: &[u8] = b"score,\xC7\xFE\xB5\xC0\n10,\xCD\xF8\n";
    let mut kit = Kit::new(&[("a.csv", gbk)]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (_, diags) = kit.run();
    assert_eq!(diags.len(), 1);
    assert!(diags[0].starts_with(
        "data/a.csv:1:2: error: the header of `data/a.csv` (dataset `survey`) is not valid UTF-8"
    ));
    assert!(diags[0].contains("`encoding: gbk`"), "{diags:?}");
    kit.dataset().encoding = Encoding::Gbk;
    kit.dataset().segments = vec![col("渠道", 2)];
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(result(&c, "nps").segments["渠道"][0].key, "网");
}

#[test]
fn utf16_is_decoded_and_suggested() {
    let text = "score\n9\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut kit = Kit::new(&[("a.csv", &bytes)]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (_, diags) = kit.run();
    assert!(diags[0].contains("`encoding: utf-16`"), "{diags:?}");
    kit.dataset().encoding = Encoding::Utf16;
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(result(&c, "nps").estimate.value, Some(100.0));
}

#[test]
fn filters_personas_and_delimiter() {
    let csv = "score;channel;tier\n10;web;new\n0;app;new\n9;web;old\n5;shop;\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().delimiter = b';';
    kit.persona("new-sub", "tier", &["new"]);
    kit.persona("elsewhere", "no_such_column", &["x"]);
    let ind = kit.indicator("nps-digital", Metric::Nps, Some("score"), 10);
    ind.filter = vec![RowMatch {
        column: col("channel", 11),
        values: vec!["web".into(), " app".into()],
    }];
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    let r = result(&c, "nps-digital");
    // web/app rows: 10, 0, 9 → (2 − 1)/3 = 33.3.
    assert_eq!(r.estimate.n, 3);
    // Only the persona whose column exists; rows 10 and 0 → 0.
    assert_eq!(r.personas.len(), 1);
    assert_eq!(
        (r.personas[0].key.as_str(), r.personas[0].estimate.value),
        ("new-sub", Some(0.0))
    );
}

#[test]
fn fail_mode_caps_the_listing() {
    let mut csv = String::from("score\n");
    for _ in 0..250 {
        csv.push_str("12\n");
    }
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (_, diags) = kit.run();
    assert_eq!(diags.len(), 201);
    assert!(
        diags[0].starts_with(
            "data/a.csv: error: 50 more data errors in dataset `survey` are not listed"
        ),
        "{}",
        diags[0]
    );
}

#[test]
fn bad_dates_and_weights_are_errors_blank_dates_count_overall() {
    let csv =
        "score,d,w\n9,2026-01-31,1\n9,,1\n9,31/01/2026,1\n9,2026-01-31,\n9,2026-01-31,heavy\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().date = Some(DateColumn {
        column: col("d", 3),
        format: None,
    });
    kit.dataset().weight = Some(col("w", 4));
    kit.dataset().bad_rows = BadRows::Skip;
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (c, _) = kit.run();
    let reasons: Vec<_> = c.data["survey"]
        .rejections
        .iter()
        .map(|r| format!("{}: {}", r.location, r.reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            "data/a.csv:4:2: date `d` is `31/01/2026`, which does not match an ISO 8601 date such as 2026-01-31",
            "data/a.csv:5:3: weight `w` is ``, blank; every row needs a weight",
            "data/a.csv:6:3: weight `w` is `heavy`, not a number",
        ]
    );
    let r = result(&c, "nps");
    assert_eq!(r.estimate.n, 2);
    assert_eq!(r.periods.len(), 1);
    assert_eq!(r.periods[0].estimate.n, 1);
}

#[test]
fn composite_normalises_and_flips_lower_components() {
    let csv = "score,sat,wait\n10,5,2\n9,4,4\n0,1,6\n";
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let scale = Range { lo: 1.0, hi: 5.0 };
    kit.indicator(
        "csat",
        Metric::Csat {
            scale,
            top_box: Range { lo: 4.0, hi: 5.0 },
        },
        Some("sat"),
        20,
    );
    let wait = kit.indicator(
        "wait",
        Metric::Mean {
            scale: Some(Range { lo: 0.0, hi: 10.0 }),
        },
        Some("wait"),
        30,
    );
    wait.direction = Direction::Lower;
    let components = vec![
        ("nps".into(), 1.0),
        ("csat".into(), 1.0),
        ("wait".into(), 2.0),
    ];
    let cx = kit.indicator("cx", Metric::Composite { components }, None, 40);
    cx.target = Some(60.0);
    cx.amber = Some(50.0);
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    // NPS = (2 − 1)/3·100 = 33.33 → (33.33 + 100)/2 = 66.67; CSAT = 2/3 = 66.67 %;
    // mean wait = 4 on 0–10 → 40, lower is better → 60.
    // (66.67·1 + 66.67·1 + 60·2)/4 = 253.33/4 = 63.33 → green.
    let e = &result(&c, "cx").estimate;
    assert!(
        (e.value.unwrap() - 253.333_333_333_333_3 / 4.0).abs() < 1e-9,
        "{e:?}"
    );
    assert_eq!((e.n, e.status, e.ci_low), (3, Status::Green, None));
}

#[test]
fn segment_against_the_rest_by_hand() {
    let mut csv = String::from("ok,channel,region\n");
    let mut rows = |n: usize, line: &str| (0..n).for_each(|_| csv.push_str(line));
    rows(15, "yes,web,north\n");
    rows(15, "yes,web,south\n");
    rows(5, "no,web,north\n");
    rows(5, "no,web,south\n");
    rows(15, "yes,app,north\n");
    rows(15, "yes,app,south\n");
    rows(15, "no,app,north\n");
    rows(15, "no,app,south\n");
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().segments = vec![col("channel", 2), col("region", 2)];
    kit.indicator(
        "yes",
        Metric::Share {
            values: vec!["yes".into()],
        },
        Some("ok"),
        10,
    );
    let (c, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    let r = result(&c, "yes");
    // web 30/40 = 75 % (Var .75·.25/40·100² = 46.875) vs the rest = app 30/60 = 50 %
    // (Var .5·.5/60·100² = 41.667): 25 / √88.542 = 2.657 > 1.96 → significant.
    let web = &r.segments["channel"][1];
    assert_eq!(
        (web.key.as_str(), web.estimate.value, web.significant),
        ("web", Some(75.0), Some(true))
    );
    // north and south both 30/50 = 60 %: difference 0 → not significant.
    let north = &r.segments["region"][0];
    assert_eq!(
        (north.key.as_str(), north.estimate.value, north.significant),
        ("north", Some(60.0), Some(false))
    );
}

#[test]
fn invalid_utf8_in_a_row_stops_that_file_with_a_hint() {
    let mut kit = Kit::new(&[("a.csv", b"score,name\n9,ok\n10,caf\xE9\n0,x\n")]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    let (c, diags) = kit.run();
    assert_eq!(diags.len(), 1);
    assert!(diags[0].starts_with("data/a.csv:3:2: error: line 3 of `data/a.csv` (dataset `survey`) is not valid UTF-8 (field 2, column `name`)"), "{diags:?}");
    // `café` in Latin-1: not an encoding cxscore reads, so the hint says re-save.
    assert!(diags[0].contains("looks like windows-1252"), "{diags:?}");
    assert!(diags[0].contains("re-save the file as UTF-8"), "{diags:?}");
    assert_eq!(result(&c, "nps").estimate.n, 1);
}

#[test]
fn two_files_equal_one_file() {
    let one = "score,w\n10,1\n7,2\n0,0.5\n9,3\n";
    let mut a = Kit::new(&[("all.csv", one.as_bytes())]);
    a.dataset().weight = Some(col("w", 2));
    a.indicator("nps", Metric::Nps, Some("score"), 10);
    let mut b = Kit::new(&[
        ("a.csv", b"score,w\n10,1\n7,2\n"),
        ("b.csv", b"score,w\n0,0.5\n9,3\n"),
    ]);
    b.dataset().weight = Some(col("w", 2));
    b.indicator("nps", Metric::Nps, Some("score"), 10);
    let (ca, _) = a.run();
    let (cb, _) = b.run();
    assert_eq!(result(&ca, "nps").estimate, result(&cb, "nps").estimate);
    assert_eq!((cb.data["survey"].files, cb.data["survey"].rows), (2, 4));
}

#[test]
fn weight_column_of_ones_is_unweighted_but_for_the_design_variance_and_adjusted_wald_is_used() {
    let csv = "score,w\n10,1\n9,1\n9,1\n10,1\n9,1\n8,1\n7,1\n7,1\n3,1\n0,1\n";
    let mut plain = Kit::new(&[("a.csv", csv.as_bytes())]);
    plain.indicator("nps", Metric::Nps, Some("score"), 10);
    let mut ones = Kit::new(&[("a.csv", csv.as_bytes())]);
    ones.dataset().weight = Some(col("w", 2));
    ones.indicator("nps", Metric::Nps, Some("score"), 10);
    let (a, _) = plain.run();
    let (b, _) = ones.run();
    let (u, d) = (&result(&a, "nps").estimate, &result(&b, "nps").estimate);
    // A weight column makes the data a survey design (SPEC §11): same value,
    // n and effective n, but the design-based variance, which with equal
    // weights is Part I's × n/(n − 1): 610 × 10/9 (design.rs).
    assert_eq!((u.value, u.n, u.effective_n), (d.value, d.n, d.effective_n));
    assert_eq!(u.variance, Some(610.0));
    let v = d.variance.unwrap();
    assert!((v - 610.0 * 10.0 / 9.0).abs() < 1e-9, "{v}");
    assert!((d.se.unwrap() - v.sqrt()).abs() < 1e-12);
    // Adjusted Wald on 5/3/2 of 10: [23.0769 − 42.1275, 23.0769 + 42.1275] (intervals.rs).
    plain.project.config.nps_interval = NpsInterval::AdjustedWald;
    let (c, _) = plain.run();
    let e = &result(&c, "nps").estimate;
    assert_eq!(e.value, Some(30.0));
    assert!(
        (e.ci_low.unwrap() + 19.0506).abs() < 1e-3 && (e.ci_high.unwrap() - 65.2045).abs() < 1e-3
    );
}

#[path = "../../tests/support/json_close.rs"]
mod json_close;

/// Every number of two results, side by side, as JSON (so every field counts).
fn numbers_agree(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    json_close::assert_json_close(a, b, 1e-12, path);
}

#[test]
fn grouped_accumulation_equals_feeding_every_grouping_row_by_row() {
    // 240 rows over 3 months, two segment columns (one with blanks), two
    // overlapping personas, weights, and one indicator of each accumulator
    // kind. Limit 1 rolls the single group up before every row: each row
    // then reaches the overall, period, segment and persona accumulators on
    // its own, the way the engine worked before groups.
    let mut csv = String::from("score,csat,minutes,channel,region,plan,w,date\n");
    for i in 0..240u32 {
        let region = ["north", "south", "", "east"][(i % 4) as usize];
        let channel = ["web", "app", "shop"][(i * 7 % 3) as usize];
        let plan = ["basic", "pro"][(i / 5 % 2) as usize];
        let score = if i % 13 == 0 {
            String::new()
        } else {
            (i * 7 % 11).to_string()
        };
        csv += &format!(
            "{score},{},{}.{},{channel},{region},{plan},{}.{},2026-{:02}-{:02}\n",
            i % 5 + 1,
            i * 37 % 90,
            i % 10,
            i % 3 + 1,
            i % 4 * 25,
            i % 3 + 1,
            i % 28 + 1
        );
    }
    let mut kit = Kit::new(&[("a.csv", csv.as_bytes())]);
    kit.dataset().segments = vec![col("channel", 2), col("region", 3)];
    kit.dataset().weight = Some(col("w", 4));
    kit.dataset().date = Some(DateColumn {
        column: col("date", 5),
        format: None,
    });
    kit.persona("pro", "plan", &["pro"]);
    kit.persona("web", "channel", &["web"]);
    kit.indicator("nps", Metric::Nps, Some("score"), 10);
    kit.indicator(
        "csat",
        Metric::Csat {
            scale: Range { lo: 1.0, hi: 5.0 },
            top_box: Range { lo: 4.0, hi: 5.0 },
        },
        Some("csat"),
        11,
    );
    kit.indicator("speed", Metric::Mean { scale: None }, Some("minutes"), 12);
    kit.indicator(
        "p90",
        Metric::Percentile {
            p: 90.0,
            scale: None,
        },
        Some("minutes"),
        13,
    );
    kit.indicator("rows", Metric::Count, None, 14);
    kit.project.config.drivers.push(Driver {
        dataset: "survey".into(),
        outcome: col("score", 20),
        attributes: vec![
            (col("csat", 21), "Satisfaction".into()),
            (col("minutes", 22), "Speed".into()),
        ],
        location: crate::diag::Location::at("cxscore.yaml", 20, 3),
        label: None,
        bands: None,
        window: crate::project::report::WindowKind::All,
        bootstrap: None,
    });
    let (grouped, diags) = kit.run();
    assert!(diags.is_empty(), "{diags:?}");
    super::groups::TEST_LIMIT.with(|l| l.set(1));
    let (row_by_row, _) = kit.run();
    super::groups::TEST_LIMIT.with(|l| l.set(super::groups::MAX_GROUPS));
    let a = serde_json::to_value(&grouped.indicators).unwrap();
    let b = serde_json::to_value(&row_by_row.indicators).unwrap();
    numbers_agree(&a, &b, "");
    let a = serde_json::to_value(&grouped.drivers).unwrap();
    let b = serde_json::to_value(&row_by_row.drivers).unwrap();
    // Listwise: the 221 rows with a score (csat and minutes are never blank).
    assert_eq!(a[0]["n"], 221, "{a}");
    assert_eq!(a[0]["personas"].as_array().map(Vec::len), Some(2), "{a}");
    numbers_agree(&a, &b, "");
    // The comparison saw real groupings: 3 months, 3 channels, 3 regions, 2 personas.
    let nps = result(&grouped, "nps");
    assert_eq!(nps.periods.len(), 3);
    assert_eq!(nps.segments["region"].len(), 3);
    assert_eq!(nps.personas.len(), 2);
    // Every 13th score is blank: 240 − 19 answered.
    assert_eq!(nps.estimate.n, 221);
}
