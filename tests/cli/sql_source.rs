//! SQL sources (SPEC §12) against a real PostgreSQL server ([`super::sql_server`]): the same
//! generated data as CSV and as a table give the same `metrics.json` (to 1e-9); the server
//! returns one record per group, not per row (its own `pg_stat_statements` counts them); the
//! URL never appears in output or files; errors are located at the dataset's `source:`.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

use super::sql_server::PgServer;

/// The environment variable the test projects read the URL from.
const ENV: &str = "CX_TEST_WAREHOUSE";
/// A password in the URL (trust authentication ignores it): it must never be shown or written.
const SECRET: &str = "pw-Zq81xVt";

/// One generated survey answer.
struct Answer {
    day: u32,
    channel: &'static str,
    region: &'static str,
    nps: Option<u32>,
    csat: Option<u32>,
    minutes: u32,
    weight: f64,
    comment: Option<&'static str>,
}

/// A small deterministic generator (64-bit LCG, top bits), so the test needs no data file.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn answers(n: usize, days: u64, seed: u64) -> Vec<Answer> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| Answer {
            day: rng.below(days) as u32,
            channel: ["web", "app", "phone"][rng.below(3) as usize],
            region: ["north", "south"][rng.below(2) as usize],
            nps: (rng.below(10) > 0).then(|| rng.below(11) as u32),
            csat: (rng.below(8) > 0).then(|| 1 + rng.below(5) as u32),
            minutes: 1 + rng.below(40) as u32,
            weight: [0.8, 1.0, 1.25, 1.6][rng.below(4) as usize],
            comment: COMMENTS.get(rng.below(12) as usize).copied(),
        })
        .collect()
}

/// Comments, quoted in the CSV: commas, quotes, a phone number to mask, Chinese.
const COMMENTS: [&str; 6] = [
    "Fast and friendly",
    "Slow, but it worked",
    "Call me on +44 20 7946 0958",
    "The \"new\" app keeps crashing",
    "客服很耐心",
    "Too expensive",
];

/// 2026-01-01 plus `day` days, as ISO text.
fn date(day: u32) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(day as u64);
    d.format("%Y-%m-%d").to_string()
}

fn csv(rows: &[Answer]) -> String {
    csv_with(rows, |_, c| c.to_string())
}

/// [`csv`] with each comment rewritten by `comment(row index, comment)`.
fn csv_with(rows: &[Answer], comment: impl Fn(usize, &str) -> String) -> String {
    let mut out = String::from("id,responded_on,channel,region,nps,csat,minutes,w,email,comment\n");
    let cell = |v: Option<u32>| v.map_or(String::new(), |v| v.to_string());
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!(
            "{i},{},{},{},{},{},{},{},user{i}@example.com,{}\n",
            date(r.day),
            r.channel,
            r.region,
            cell(r.nps),
            cell(r.csat),
            r.minutes,
            r.weight,
            r.comment.map_or(String::new(), |c| format!(
                "\"{}\"",
                comment(i, c).replace('"', "\"\"")
            ))
        ));
    }
    out
}

const INDICATORS: &str = "\
- { id: nps, name: NPS, kind: kci, dataset: survey, metric: nps, column: nps }
- { id: nps-web, name: NPS web, kind: kci, dataset: survey, metric: nps, column: nps, where: { channel: [web] } }
- { id: csat, name: CSAT, kind: kci, dataset: survey, metric: csat, column: csat }
- { id: minutes, name: Minutes, kind: kpi, dataset: survey, metric: mean, column: minutes }
- { id: rows, name: Responses, kind: kpi, dataset: survey, metric: count }
- { id: p90, name: P90 minutes, kind: kqi, dataset: survey, metric: percentile, p: 90, column: minutes }
";

const PERSONA: &str = "\
id: northern
name: Northern
match: { column: region, equals: north }
";

/// A project reading `survey` from `data` (`path: ...` or `source: ...`).
fn project(root: &Path, data: &str, indicators: &str) {
    fs::create_dir_all(root.join("indicators")).unwrap();
    fs::create_dir_all(root.join("personas")).unwrap();
    fs::write(
        root.join("cxscore.yaml"),
        format!(
            "title: SQL source\nclient: Test\nlanguage: en\nperiod: month\nconfidence: 0.95\nmin_n: 3\n\
             datasets:\n  survey:\n    {data}\n    date: {{ column: responded_on }}\n    weight: w\n    \
             segments: [channel]\n    comments: comment\n    pii: [email]\nreport: {{ window: all }}\n"
        ),
    )
    .unwrap();
    fs::write(root.join("indicators/core.yaml"), indicators).unwrap();
    fs::write(root.join("personas/northern.yaml"), PERSONA).unwrap();
}

const SOURCE: &str = "source: { url: \"env:CX_TEST_WAREHOUSE\", sql: \"SELECT * FROM cx.survey\" }";

/// Loads `csv` into `cx.survey` (the same bytes the CSV project reads).
fn load(server: &PgServer, csv: &str) {
    load_with_date_type(server, csv, "date");
}

/// [`load`], the date column being of SQL type `date_type`.
fn load_with_date_type(server: &PgServer, csv: &str, date_type: &str) {
    let mut client = server.client();
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS cx CASCADE; CREATE SCHEMA cx;
             CREATE TABLE cx.survey (id int, responded_on {date_type}, channel text, region text,
               nps int, csat int, minutes double precision, w double precision, email text,
               comment text);
             CREATE EXTENSION IF NOT EXISTS pg_stat_statements;",
        ))
        .unwrap();
    let mut writer = client
        .copy_in("COPY cx.survey FROM STDIN WITH (FORMAT csv, HEADER true)")
        .unwrap();
    std::io::Write::write_all(&mut writer, csv.as_bytes()).unwrap();
    writer.finish().unwrap();
}

fn cxscore(dir: &Path, server: &PgServer, args: &[&str]) -> Output {
    Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(dir)
        .env(
            ENV,
            format!(
                "postgres://postgres:{SECRET}@127.0.0.1:{}/postgres",
                server.port
            ),
        )
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn metrics(root: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(root.join("_site/metrics.json")).unwrap()).unwrap()
}

/// Every difference between two JSON values, numbers compared to 1e-9 (relative above 1).
fn differences(a: &serde_json::Value, b: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > 1e-9 * x.abs().max(1.0) {
                out.push(format!("{at}: {x} vs {y}"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<_> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(p, q, &format!("{at}.{k}"), out),
                    _ => out.push(format!("{at}.{k}: present in one only")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{at}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{at}: {a} vs {b}")),
    }
}

/// Writes `data` as the CSV project's file, builds the projects `csv` and `sql` under `dir`,
/// and returns both `metrics.json` with their differences ([`differences`]).
fn build_both(
    dir: &Path,
    server: &PgServer,
    data: &str,
) -> (serde_json::Value, serde_json::Value, Vec<String>) {
    fs::create_dir_all(dir.join("csv/data")).unwrap();
    fs::write(dir.join("csv/data/survey.csv"), data).unwrap();
    for name in ["csv", "sql"] {
        let out = cxscore(dir, server, &["build", name]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let (a, b) = (metrics(&dir.join("csv")), metrics(&dir.join("sql")));
    let mut diffs = Vec::new();
    differences(&a, &b, "", &mut diffs);
    (a, b, diffs)
}

/// Every file under `dir`, for the URL check.
fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn a_sql_source_gives_the_metrics_of_the_same_data_as_csv() {
    let Some(server) = PgServer::start("a_sql_source_gives_the_metrics_of_the_same_data_as_csv")
    else {
        return;
    };
    let rows = answers(3000, 90, 7);
    let data = csv(&rows);
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    let (from_csv, from_sql) = (dir.path().join("csv"), dir.path().join("sql"));
    project(&from_csv, "path: data/survey.csv", INDICATORS);
    fs::create_dir_all(from_csv.join("data")).unwrap();
    fs::write(from_csv.join("data/survey.csv"), &data).unwrap();
    project(&from_sql, SOURCE, INDICATORS);

    let out = cxscore(dir.path(), &server, &["build", "csv"]);
    assert!(out.status.success(), "{}", text(&out));
    let check = cxscore(dir.path(), &server, &["check", "sql"]);
    assert!(check.status.success(), "{}", text(&check));
    let out = cxscore(dir.path(), &server, &["build", "sql"]);
    assert!(out.status.success(), "{}", text(&out));

    let (a, b) = (metrics(&from_csv), metrics(&from_sql));
    let mut diffs = Vec::new();
    differences(&a, &b, "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "metrics.json differ:\n{}",
        diffs.join("\n")
    );
    // Every page is the same bytes, verbatim samples included (they are not in metrics.json).
    let (csv_site, sql_site) = (
        super::harness::snapshot_tree(&from_csv.join("_site")),
        super::harness::snapshot_tree(&from_sql.join("_site")),
    );
    let differing: Vec<&str> = csv_site
        .iter()
        .zip(&sql_site)
        // metrics.json is compared to 1e-9 above (sums in another order differ in the last bits);
        // report.xlsx holds the same unrounded numbers, so it differs where metrics.json does.
        .filter(|(x, y)| x != y && x.0 != "metrics.json" && x.0 != "report.xlsx")
        .map(|(x, _)| x.0.as_str())
        .collect();
    assert_eq!(csv_site.len(), sql_site.len());
    assert!(differing.is_empty(), "{differing:?}");
    let shown = sql_site
        .iter()
        .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("客服很耐心"));
    assert!(shown, "no verbatim on the site");
    // The comparison covers the exact percentile.
    let p90 = b["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "p90");
    assert!(p90.unwrap()["value"].as_f64().is_some());

    // And one number by hand from the generated rows: the weighted NPS over the whole window.
    let (mut total, mut net) = (0.0, 0.0);
    for r in &rows {
        if let Some(score) = r.nps {
            total += r.weight;
            net += r.weight * f64::from(u8::from(score >= 9))
                - r.weight * f64::from(u8::from(score <= 6));
        }
    }
    let by_hand = 100.0 * net / total;
    let published = nps_overall(&b);
    assert!(
        (published - by_hand).abs() < 1e-9,
        "{published} vs {by_hand}"
    );

    // The URL and its password: in no output and no file of the project (site, cache).
    for out in [&check, &out] {
        assert!(!text(out).contains(SECRET), "{}", text(out));
    }
    for (path, bytes) in all_bytes(&from_sql) {
        let hit = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        assert!(!hit, "{path} holds the URL's password");
    }
}

/// The whole window's value of indicator `nps` in `metrics.json`.
fn nps_overall(metrics: &serde_json::Value) -> f64 {
    let indicator = metrics["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "nps")
        .unwrap();
    indicator["value"].as_f64().unwrap()
}

const NPS_ONLY: &str = "\
- { id: nps, name: NPS, kind: kci, dataset: survey, metric: nps, column: nps }
";

#[test]
fn the_server_returns_one_record_per_group_not_per_row() {
    let Some(server) = PgServer::start("the_server_returns_one_record_per_group_not_per_row")
    else {
        return;
    };
    let rows = answers(20_000, 10, 11);
    let data = csv(&rows);
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    for (name, data_key) in [("sql", SOURCE), ("csv", "path: data/survey.csv")] {
        project(&dir.path().join(name), data_key, NPS_ONLY);
        // Without the comment column (which crosses the wire by value, SPEC §12).
        let yaml = dir.path().join(name).join("cxscore.yaml");
        let text_of = fs::read_to_string(&yaml).unwrap();
        fs::write(&yaml, text_of.replace("    comments: comment\n", "")).unwrap();
    }
    fs::create_dir_all(dir.path().join("csv/data")).unwrap();
    fs::write(dir.path().join("csv/data/survey.csv"), &data).unwrap();
    let out = cxscore(dir.path(), &server, &["build", "csv"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = cxscore(dir.path(), &server, &["build", "sql"]);
    assert!(out.status.success(), "{}", text(&out));
    let from_sql = metrics(&dir.path().join("sql"));
    assert_eq!(from_sql["data"]["survey"]["rows"], 20_000);
    // Groups of many rows with uneven weights, rebuilt from Σw and Σw²: the same numbers.
    let mut diffs = Vec::new();
    differences(&metrics(&dir.path().join("csv")), &from_sql, "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "metrics.json differ:\n{}",
        diffs.join("\n")
    );

    // The columns this project reads: the date's day, the segment, the persona's column and
    // the score (the numeric weight is summed, not grouped); counted here from the generated
    // rows, independently of cxscore.
    let groups: std::collections::BTreeSet<_> = rows
        .iter()
        .map(|r| (r.day, r.channel, r.region, r.nps))
        .collect();
    let mut client = server.client();
    let stats = client
        .query(
            "SELECT query, rows, calls FROM pg_stat_statements WHERE query LIKE '%count(*)::bigint%'",
            &[],
        )
        .unwrap();
    assert_eq!(stats.len(), 1, "one aggregate statement");
    let (query, returned, calls): (String, i64, i64) =
        (stats[0].get(0), stats[0].get(1), stats[0].get(2));
    assert_eq!(calls, 1);
    assert_eq!(returned as usize, groups.len(), "{query}");
    assert!(groups.len() * 20 < rows.len(), "{} groups", groups.len());
    // Columns the project does not read (and the `pii` one) are never asked for.
    for unread in ["email", "minutes", "csat", "\"id\"", "comment"] {
        assert!(!query.contains(unread), "{unread} in {query}");
    }
}

#[test]
fn comments_no_topic_codes_cross_as_a_bounded_sample_per_group() {
    let Some(server) =
        PgServer::start("comments_no_topic_codes_cross_as_a_bounded_sample_per_group")
    else {
        return;
    };
    let rows = answers(20_000, 3, 17);
    // Every answered comment distinct: grouped by value, they would all cross the wire.
    let data = csv_with(&rows, |i, c| format!("visit {i}: {c}"));
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    for (name, data_key) in [("sql", SOURCE), ("csv", "path: data/survey.csv")] {
        project(&dir.path().join(name), data_key, NPS_ONLY);
    }
    let (_, _, diffs) = build_both(dir.path(), &server, &data);
    assert!(
        diffs.is_empty(),
        "metrics.json differ:\n{}",
        diffs.join("\n")
    );

    // Counted from the generated rows, independently of cxscore: the groups of the
    // aggregate query (the comment only as answered or not), and those with a comment.
    let key = |r: &Answer| (r.day, r.channel, r.region, r.nps);
    let groups: std::collections::BTreeSet<_> =
        rows.iter().map(|r| (key(r), r.comment.is_some())).collect();
    let commented: std::collections::BTreeSet<_> = rows
        .iter()
        .filter(|r| r.comment.is_some())
        .map(key)
        .collect();
    let answered = rows.iter().filter(|r| r.comment.is_some()).count();
    let mut client = server.client();
    let mut returned = |sampling: bool| -> i64 {
        let stats = client
            .query(
                "SELECT rows FROM pg_stat_statements WHERE query LIKE '%count(*)::bigint%' \
                 AND (query LIKE '%cx_rank%') = $1",
                &[&sampling],
            )
            .unwrap();
        assert_eq!(stats.len(), 1, "one statement (sampling: {sampling})");
        stats[0].get(0)
    };
    let sampled = returned(true) as usize;
    assert_eq!(returned(false) as usize, groups.len());
    // At most six comments per group, and far fewer than the rows that have one.
    assert!(
        sampled <= 6 * commented.len(),
        "{sampled} for {} groups",
        commented.len()
    );
    assert!(
        sampled * 5 < answered,
        "{sampled} of {answered} comments crossed"
    );

    // The comments on the site are the data's (each `visit i` is row i's), masked as
    // verbatims are, and none is the marker of an answered group.
    let pages = super::harness::snapshot_tree(&dir.path().join("sql/_site"));
    let mut shown = 0;
    for (path, bytes) in &pages {
        let page = String::from_utf8_lossy(bytes);
        for (at, _) in page.match_indices("visit ") {
            let digits: String = page[at + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let Ok(i) = digits.parse::<usize>() else {
                continue;
            };
            assert!(rows[i].comment.is_some(), "{path}: row {i} has no comment");
            shown += 1;
        }
    }
    assert!(shown > 0, "no comment shown");
}

#[test]
fn a_bad_cell_in_the_query_result_is_located_at_the_source_and_the_url_is_not_shown() {
    let Some(server) = PgServer::start("a_bad_cell_in_the_query_result_is_located_at_the_source")
    else {
        return;
    };
    let rows = answers(200, 30, 3);
    let mut data = csv(&rows);
    data.push_str("9999,2026-01-15,web,north,11,3,5,1,x@example.com,\n");
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    project(&dir.path().join("sql"), SOURCE, INDICATORS);
    let out = cxscore(dir.path(), &server, &["build", "sql"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    // `source:`'s value is on line 9 of the generated cxscore.yaml, column 13.
    let line = said
        .lines()
        .find(|l| l.contains("11"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        line.starts_with("cxscore.yaml:9:13: error: `nps` is `11`"),
        "{said}"
    );
    assert!(line.contains("column `nps`"), "{said}");
    assert!(!said.contains(SECRET), "{said}");

    // Under `bad_rows: skip` the row is left out, its rejection located the same way.
    let yaml = dir.path().join("sql/cxscore.yaml");
    let original = fs::read_to_string(&yaml).unwrap();
    fs::write(
        &yaml,
        original.replace(
            "    pii: [email]\n",
            "    pii: [email]\n    bad_rows: skip\n",
        ),
    )
    .unwrap();
    let out = cxscore(dir.path(), &server, &["build", "sql"]);
    assert!(out.status.success(), "{}", text(&out));
    let data = &metrics(&dir.path().join("sql"))["data"]["survey"];
    assert_eq!(
        (data["rows"].as_u64(), data["rejected"].as_u64()),
        (Some(201), Some(1))
    );
    // The methodology page lists the rejection with its location.
    let listed = all_bytes(&dir.path().join("sql/_site"))
        .iter()
        .any(|(_, bytes)| {
            let page = String::from_utf8_lossy(bytes);
            page.contains("cxscore.yaml:9:13 (SQL result group ")
                && page.contains(", column `nps`)")
        });
    assert!(listed, "the rejection is not listed on the site");
    fs::write(&yaml, original).unwrap();

    // A query the server refuses: its message, located at `source:`, without the URL.
    fs::write(
        dir.path().join("sql/cxscore.yaml"),
        fs::read_to_string(dir.path().join("sql/cxscore.yaml"))
            .unwrap()
            .replace("cx.survey", "cx.no_such_table"),
    )
    .unwrap();
    let out = cxscore(dir.path(), &server, &["check", "sql"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("cxscore.yaml:9:13: error: the SQL query"),
        "{said}"
    );
    assert!(said.contains("no_such_table"), "{said}");
    assert!(
        !said.contains(SECRET) && !said.contains("127.0.0.1"),
        "{said}"
    );
}

#[test]
fn a_raked_sql_dataset_gives_the_metrics_of_the_same_data_as_csv() {
    let Some(server) =
        PgServer::start("a_raked_sql_dataset_gives_the_metrics_of_the_same_data_as_csv")
    else {
        return;
    };
    let rows = answers(5_000, 20, 5);
    let data = csv(&rows);
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    let rake = "    rake: { margins: { region: { north: 0.3, south: 0.7 } } }\n";
    for (name, data_key) in [("sql", SOURCE), ("csv", "path: data/survey.csv")] {
        project(&dir.path().join(name), data_key, INDICATORS);
        let yaml = dir.path().join(name).join("cxscore.yaml");
        let text_of = fs::read_to_string(&yaml).unwrap();
        fs::write(
            &yaml,
            text_of.replace("    pii: [email]\n", &format!("    pii: [email]\n{rake}")),
        )
        .unwrap();
    }
    let (_, b, diffs) = build_both(dir.path(), &server, &data);
    assert!(
        b["data"]["survey"]["weighting"].is_object(),
        "{}",
        b["data"]["survey"]
    );
    assert!(
        diffs.is_empty(),
        "metrics.json differ:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn key_drivers_on_a_sql_dataset_equal_csv_but_for_the_bootstrap_intervals() {
    let Some(server) =
        PgServer::start("key_drivers_on_a_sql_dataset_equal_csv_but_for_the_bootstrap_intervals")
    else {
        return;
    };
    let rows = answers(3_000, 60, 9);
    let data = csv(&rows);
    load(&server, &data);
    let dir = tempfile::tempdir().unwrap();
    let drivers = "drivers:\n  - dataset: survey\n    outcome: nps\n    attributes: { csat: Satisfaction, minutes: Minutes }\n    bootstrap: 200\n";
    for (name, data_key) in [("sql", SOURCE), ("csv", "path: data/survey.csv")] {
        project(&dir.path().join(name), data_key, INDICATORS);
        let yaml = dir.path().join(name).join("cxscore.yaml");
        let text_of = fs::read_to_string(&yaml).unwrap();
        fs::write(
            &yaml,
            text_of.replace("report:", &format!("{drivers}report:")),
        )
        .unwrap();
    }
    let (_, b, diffs) = build_both(dir.path(), &server, &data);
    assert!(
        b["drivers"].is_array() || b["drivers"].is_object(),
        "{}",
        b["drivers"]
    );
    // The bootstrap resamples rows by their position, and the server's groups are not the
    // CSV's row order: only its interval ends may differ (docs/reference.md, SQL sources).
    // Every point estimate is the CSV's.
    let (bootstrap, others): (Vec<_>, Vec<_>) =
        diffs.iter().partition(|d| d.contains(".importance_ci_"));
    assert!(others.is_empty(), "metrics.json differ:\n{others:?}");
    assert!(!bootstrap.is_empty(), "the bootstrap ran");
}

#[test]
fn a_timestamp_date_column_is_grouped_by_its_day_and_equals_csv() {
    let Some(server) =
        PgServer::start("a_timestamp_date_column_is_grouped_by_its_day_and_equals_csv")
    else {
        return;
    };
    // The same rows, each answered at a time of day (the CSV writes it as ISO text).
    let rows = answers(2_000, 40, 21);
    let data: String = csv(&rows)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut fields: Vec<String> = line.splitn(3, ',').map(str::to_string).collect();
            if i > 0 {
                fields[1] = format!("{} {:02}:{:02}:07", fields[1], i % 24, i % 60);
            }
            fields.join(",") + "\n"
        })
        .collect();
    load_with_date_type(&server, &data, "timestamp");
    let dir = tempfile::tempdir().unwrap();
    for (name, data_key) in [("sql", SOURCE), ("csv", "path: data/survey.csv")] {
        project(&dir.path().join(name), data_key, INDICATORS);
    }
    let (_, b, diffs) = build_both(dir.path(), &server, &data);
    assert!(
        diffs.is_empty(),
        "metrics.json differ:\n{}",
        diffs.join("\n")
    );
    // Periods exist (two months of answers), so the grouping by day fed them.
    assert!(b.to_string().contains("2026-02"), "no February period");
}

#[test]
fn a_csv_survey_joining_a_sql_lookup_table_is_never_served_a_stale_join() {
    // A query's rows have no content hash: the table is read on every build, and the
    // digest of its rows keys the survey's cache entries, so a changed row recomputes.
    let Some(server) =
        PgServer::start("a_csv_survey_joining_a_sql_lookup_table_is_never_served_a_stale_join")
    else {
        return;
    };
    let rows = answers(600, 30, 11);
    let data = csv(&rows);
    load(&server, &data);
    let set_costs = |web: f64| {
        server
            .client()
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS cx.channels;
                 CREATE TABLE cx.channels (channel text, cost double precision);
                 INSERT INTO cx.channels VALUES ('web', {web}), ('app', 3), ('phone', 5);"
            ))
            .unwrap();
    };
    // By hand: the weighted mean of each row's channel cost (every channel is in the table).
    let expected = |web: f64| {
        let cost = |c: &str| match c {
            "web" => web,
            "app" => 3.0,
            _ => 5.0,
        };
        let sw: f64 = rows.iter().map(|r| r.weight).sum();
        rows.iter().map(|r| r.weight * cost(r.channel)).sum::<f64>() / sw
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("csv");
    project(
        &root,
        "path: data/survey.csv\n    lookup: { channels: channel }",
        "- { id: cost, name: Cost, kind: kpi, dataset: survey, metric: mean, column: channels.cost }\n",
    );
    let yaml = fs::read_to_string(root.join("cxscore.yaml")).unwrap();
    fs::write(
        root.join("cxscore.yaml"),
        yaml.replace(
            "report: {",
            "  channels:\n    source: { url: \"env:CX_TEST_WAREHOUSE\", sql: \"SELECT * FROM cx.channels\" }\n    key: channel\nreport: {",
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("data")).unwrap();
    fs::write(root.join("data/survey.csv"), &data).unwrap();
    let cost = || {
        let out = cxscore(dir.path(), &server, &["build", "csv"]);
        assert!(out.status.success(), "{}", text(&out));
        let m = metrics(&root);
        let ind = (m["indicators"].as_array().unwrap().iter())
            .find(|i| i["id"] == "cost")
            .unwrap()
            .clone();
        ind["value"].as_f64().unwrap()
    };
    for web in [2.0, 2.0, 9.0, 9.0] {
        set_costs(web);
        let (got, want) = (cost(), expected(web));
        assert!((got - want).abs() < 1e-9, "web {web}: {got} vs {want}");
    }
    assert!(
        root.join(".cxscore/cache").is_dir(),
        "the survey's files are cached"
    );
}
