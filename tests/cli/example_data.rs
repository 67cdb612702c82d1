//! The committed example data is reproducible and has the shape the example
//! project's definitions rely on.
//!
//! The generator's code is compiled into this test (examples cannot be
//! imported), so a fresh generation needs no cargo subprocess.

#[path = "../../examples/gen/lib.rs"]
mod generator;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-project/data")
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn survey_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(data_dir().join("survey"))
        .expect("example-project/data/survey exists")
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    files
}

fn read_csv(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let header = reader.headers().expect("a header").clone();
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (header, rows)
}

#[test]
fn committed_data_matches_a_fresh_generation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let summary = generator::write_project_data(&generator::Options::default(), tmp.path())
        .expect("generation succeeds");
    assert_eq!(summary.survey_rows, generator::DEFAULT_ROWS);
    assert_eq!(summary.ticket_rows, generator::DEFAULT_TICKETS);
    assert_eq!(summary.crm_rows, 16_000);

    let committed = files_under(&data_dir());
    let fresh = files_under(tmp.path());
    assert_eq!(
        committed, fresh,
        "example-project/data holds other files than the generator writes; \
         regenerate with `cargo run --release --example gen`"
    );
    for rel in &fresh {
        let a = fs::read(data_dir().join(rel)).expect("committed file");
        let b = fs::read(tmp.path().join(rel)).expect("fresh file");
        assert!(
            a == b,
            "{} differs from a fresh generation; regenerate with \
             `cargo run --release --example gen` and commit the result",
            rel.display()
        );
    }
}

#[test]
fn single_file_mode_writes_the_same_rows() {
    let opts = generator::Options {
        rows: 1_000,
        tickets: 100,
        ..Default::default()
    };
    let monthly = tempfile::tempdir().expect("temp dir");
    let single = tempfile::tempdir().expect("temp dir");
    generator::write_project_data(&opts, monthly.path()).expect("monthly files");
    generator::write_single_file(&opts, single.path()).expect("single file");

    let mut joined = format!("{}\n", generator::SURVEY_HEADER);
    for rel in files_under(&monthly.path().join("survey")) {
        let text = fs::read_to_string(monthly.path().join("survey").join(rel)).expect("file");
        let (_, body) = text.split_once('\n').expect("a header line");
        joined.push_str(body);
    }
    let one = fs::read_to_string(single.path().join("survey.csv")).expect("survey.csv");
    assert_eq!(one, joined);
    let (_, rows) = read_csv(&single.path().join("survey.csv"));
    assert_eq!(rows.len(), 1_000);
    // The CRM extract lies beside survey.csv, the same in both modes, its
    // base scaled with the rows (10 customers per 9 rows: 1,112 for 1,000).
    let crm = fs::read(single.path().join("crm.csv")).expect("crm.csv");
    assert_eq!(
        crm,
        fs::read(monthly.path().join("crm.csv")).expect("crm.csv")
    );
    let (_, customers) = read_csv(&single.path().join("crm.csv"));
    assert_eq!(customers.len(), 1_112);
}

#[test]
fn generation_depends_on_the_seed_only() {
    let opts = generator::Options {
        rows: 500,
        tickets: 50,
        months: 3,
        seed: 7,
    };
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    generator::write_single_file(&opts, a.path()).expect("first run");
    generator::write_single_file(&opts, b.path()).expect("second run");
    for name in ["survey.csv", "tickets.csv", "crm.csv"] {
        assert_eq!(
            fs::read(a.path().join(name)).expect("file"),
            fs::read(b.path().join(name)).expect("file")
        );
    }
    let other = tempfile::tempdir().expect("temp dir");
    let reseeded = generator::Options { seed: 8, ..opts };
    generator::write_single_file(&reseeded, other.path()).expect("other seed");
    for name in ["survey.csv", "crm.csv"] {
        assert_ne!(
            fs::read(a.path().join(name)).expect("file"),
            fs::read(other.path().join(name)).expect("file")
        );
    }
}

#[test]
fn survey_has_24_monthly_files_from_2024_01_to_2025_12_with_one_header() {
    let files = survey_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: Vec<String> = (2024..=2025)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}.csv")))
        .collect();
    assert_eq!(names.len(), 24);
    assert_eq!(names, expected);

    let mut total = 0;
    let mut ids = BTreeSet::new();
    for file in &files {
        let (header, rows) = read_csv(file);
        assert_eq!(
            header.iter().collect::<Vec<_>>().join(","),
            generator::SURVEY_HEADER,
            "{}",
            file.display()
        );
        let month = &file.file_stem().unwrap().to_string_lossy()[..];
        let date = header.iter().position(|h| h == "submitted_at").unwrap();
        // About 600 answers a month (August's season is the lowest).
        assert!((450..=750).contains(&rows.len()), "{month}: {}", rows.len());
        for row in &rows {
            assert_eq!(row.len(), header.len(), "ragged row in {}", file.display());
            assert!(ids.insert(row[0].to_owned()), "duplicate id {}", &row[0]);
            assert!(row[date].starts_with(month), "{} in {month}", &row[date]);
        }
        total += rows.len();
    }
    assert_eq!(total, 14_400);
}

/// The survey rows of the committed data, read with nothing but the csv crate.
fn survey_rows() -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut all = Vec::new();
    let mut header = None;
    for file in survey_files() {
        let (h, rows) = read_csv(&file);
        header = Some(h);
        all.extend(rows);
    }
    (header.expect("survey files"), all)
}

/// Unweighted NPS (% promoters − % detractors) of the answered rows that `keep`
/// keeps, and its variance (trinomial, in points²).
fn plain_nps(
    header: &csv::StringRecord,
    rows: &[csv::StringRecord],
    keep: impl Fn(&csv::StringRecord) -> bool,
) -> (f64, f64) {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rec = col("q_recommend");
    let (mut n, mut promoters, mut detractors) = (0.0, 0.0, 0.0);
    for row in rows.iter().filter(|r| keep(r)) {
        let Ok(score) = row[rec].parse::<u8>() else {
            continue;
        };
        n += 1.0;
        promoters += f64::from(u8::from(score >= 9));
        detractors += f64::from(u8::from(score <= 6));
    }
    assert!(n >= 100.0, "only {n} answers");
    let (p, d) = (promoters / n, detractors / n);
    (100.0 * (p - d), (p + d - (p - d).powi(2)) / n * 1e4)
}

#[test]
fn the_december_2025_north_outage_is_in_the_data_and_nothing_else_moves() {
    // An independent check of what examples/gen/lib.rs says it planted,
    // computed from the CSV rows, unweighted.
    let (header, rows) = survey_rows();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (date, region, speed) = (col("submitted_at"), col("region"), col("a_speed"));
    let month_nps = |month: &str, only: Option<&str>| {
        plain_nps(&header, &rows, |r| {
            r[date].starts_with(month) && only.is_none_or(|o| &r[region] == o)
        })
    };

    // The north: a fall of more than 40 points from November to December 2025.
    let (north_nov, _) = month_nps("2025-11", Some("north"));
    let (north_dec, _) = month_nps("2025-12", Some("north"));
    assert!(
        north_dec - north_nov <= -40.0,
        "north: {north_nov:.1} → {north_dec:.1}"
    );
    // Its speed rating falls by most of a point.
    let mean_speed = |month: &str| {
        let v: Vec<f64> = (rows.iter())
            .filter(|r| r[date].starts_with(month) && &r[region] == "north")
            .filter_map(|r| r[speed].parse().ok())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (s_nov, s_dec) = (mean_speed("2025-11"), mean_speed("2025-12"));
    assert!(
        s_dec - s_nov <= -0.8,
        "north a_speed {s_nov:.2} → {s_dec:.2}"
    );

    // Overall: a clear fall against November, near flat against December 2024.
    let (dec24, _) = month_nps("2024-12", None);
    let (nov, v_nov) = month_nps("2025-11", None);
    let (dec, v_dec) = month_nps("2025-12", None);
    assert!(dec - nov <= -10.0, "overall {nov:.1} → {dec:.1}");
    assert!(
        (dec - nov) / (v_dec + v_nov).sqrt() <= -2.8,
        "not clear enough"
    );
    assert!(
        (dec - dec24).abs() <= 6.0,
        "year on year {dec24:.1} → {dec:.1}"
    );

    // Noise only elsewhere: no other month-to-month change of the overall NPS
    // reaches |z| = 2.5.
    let months: Vec<String> = (2024..=2025)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}")))
        .collect();
    for pair in months.windows(2).filter(|p| p[1] != "2025-12") {
        let (a, va) = month_nps(&pair[0], None);
        let (b, vb) = month_nps(&pair[1], None);
        let z = (b - a) / (va + vb).sqrt();
        assert!(
            z.abs() < 2.5,
            "{} → {}: {a:.1} → {b:.1}, z {z:.2}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn the_outage_brings_north_tickets_and_slower_first_responses() {
    let (_, rows) = read_csv(&data_dir().join("tickets.csv"));
    let north = |month: &str| -> Vec<f64> {
        let mut v: Vec<f64> = (rows.iter())
            .filter(|r| r[1].starts_with(month) && &r[3] == "north")
            .map(|r| r[5].parse().expect("minutes"))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (nov, dec) = (north("2025-11"), north("2025-12"));
    assert!(
        dec.len() >= 2 * nov.len() - 10,
        "{} → {}",
        nov.len(),
        dec.len()
    );
    let median = |v: &[f64]| v[v.len() / 2];
    assert!(
        median(&dec) > 1.2 * median(&nov),
        "{} → {}",
        median(&nov),
        median(&dec)
    );
}

#[test]
fn survey_values_are_in_range_with_blanks_and_weights() {
    let column = |header: &csv::StringRecord, name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let scales = [
        ("q_recommend", 0.0, 10.0),
        ("q_csat_install", 1.0, 5.0),
        ("q_ces_support", 1.0, 7.0),
        ("a_price", 1.0, 5.0),
        ("a_speed", 1.0, 5.0),
        ("a_install", 1.0, 5.0),
        ("a_support", 1.0, 5.0),
    ];
    let mut rows_seen = 0usize;
    let mut blanks = vec![0usize; scales.len()];
    let mut comments = 0usize;
    let mut quoted_comment = false;
    let mut weight_sum = 0.0;
    let mut personas = BTreeSet::new();
    for file in survey_files() {
        let (header, rows) = read_csv(&file);
        let weight = column(&header, "weight");
        let comment = column(&header, "comment");
        let on_time = column(&header, "installed_on_time");
        let csat = column(&header, "q_csat_install");
        let persona = column(&header, "persona");
        for row in &rows {
            rows_seen += 1;
            let w: f64 = row[weight].parse().expect("every row has a weight");
            assert!((0.5..=2.0).contains(&w), "weight {w}");
            weight_sum += w;
            for (i, (name, lo, hi)) in scales.iter().enumerate() {
                let cell = &row[column(&header, name)];
                if cell.is_empty() {
                    blanks[i] += 1;
                } else {
                    let v: f64 = cell.parse().expect("a number");
                    assert!(v >= *lo && v <= *hi && v.fract() == 0.0, "{name} = {v}");
                }
            }
            assert!(matches!(&row[on_time], "yes" | "no" | ""));
            if row[on_time].is_empty() {
                assert!(row[csat].is_empty(), "CSAT install without an installation");
            }
            if !row[comment].is_empty() {
                comments += 1;
                quoted_comment |= row[comment].contains([',', '"', '\n']);
            }
            personas.insert(row[persona].to_owned());
        }
    }
    let mean_weight = weight_sum / rows_seen as f64;
    assert!(
        (0.9..=1.1).contains(&mean_weight),
        "mean weight {mean_weight}"
    );
    for ((name, ..), b) in scales.iter().zip(&blanks) {
        let share = *b as f64 / rows_seen as f64;
        assert!(share > 0.02, "{name}: too few blanks ({share:.3})");
    }
    let comment_share = comments as f64 / rows_seen as f64;
    assert!((0.2..=0.4).contains(&comment_share), "{comment_share}");
    assert!(quoted_comment, "no comment needs CSV quoting");
    let expected: BTreeSet<String> = generator::PERSONAS.iter().map(|s| s.to_string()).collect();
    assert_eq!(personas, expected);
}

#[test]
fn tickets_have_the_expected_shape() {
    let (header, rows) = read_csv(&data_dir().join("tickets.csv"));
    assert_eq!(
        header.iter().collect::<Vec<_>>().join(","),
        generator::TICKETS_HEADER
    );
    assert_eq!(rows.len(), 7_200);
    assert!(rows[0][1].starts_with("2024-01"), "{}", &rows[0][1]);
    assert!(rows[rows.len() - 1][1].starts_with("2025-12"));
    for row in &rows {
        assert_eq!(row[1].len(), "2025-03-04T10:15:00".len(), "{}", &row[1]);
        assert!(matches!(&row[1][..4], "2024" | "2025"), "{}", &row[1]);
        assert!(generator::CATEGORIES.contains(&&row[4]), "{}", &row[4]);
        let minutes: f64 = row[5].parse().expect("minutes");
        assert!(minutes > 0.0);
        assert!(matches!(&row[6], "yes" | "no"));
    }
}

#[test]
fn crm_has_one_row_per_customer_in_id_order() {
    let (header, rows) = read_csv(&data_dir().join("crm.csv"));
    assert_eq!(
        header.iter().collect::<Vec<_>>().join(","),
        generator::crm::CRM_HEADER
    );
    assert_eq!(rows.len(), 16_000);
    let mut last = String::new();
    for row in &rows {
        let id = &row[0];
        assert!(
            id.len() == 8 && id.starts_with('C') && id[1..].bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
        assert!(
            id > last.as_str(),
            "{id} after {last}: not unique and sorted"
        );
        last = id.to_owned();
        assert!(generator::crm::PLANS.contains(&&row[1]), "{}", &row[1]);
        let tenure: u32 = row[2].parse().expect("whole months");
        assert!(tenure <= 240, "{tenure}");
        let revenue: f64 = row[3].parse().expect("GBP");
        let (_, pence) = row[3].split_once('.').expect("two decimals");
        assert_eq!(pence.len(), 2, "{}", &row[3]);
        assert!((15.0..=100.0).contains(&revenue), "{revenue}");
        assert!(matches!(&row[4], "yes" | "no"));
        let _: u32 = row[5].parse().expect("a ticket count");
    }
}

/// An independent check of what examples/gen/crm.rs says it planted: the
/// survey joined to the CRM by customer id, with nothing but the csv crate.
#[test]
fn the_crm_joins_the_survey_and_detractors_churn_more_and_spend_less() {
    let (header, rows) = survey_rows();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (cust, rec, persona, region) = (
        col("customer_id"),
        col("q_recommend"),
        col("persona"),
        col("region"),
    );
    let (_, crm_rows) = read_csv(&data_dir().join("crm.csv"));
    let crm: std::collections::BTreeMap<&str, &csv::StringRecord> =
        crm_rows.iter().map(|r| (&r[0], r)).collect();

    // Match rate about 97 %; some customers answer more than once, always
    // with the same persona and region.
    let matched: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| crm.contains_key(&r[cust])).collect();
    let rate = matched.len() as f64 / rows.len() as f64;
    assert!((0.96..=0.98).contains(&rate), "match rate {rate:.4}");
    let mut seen: std::collections::BTreeMap<&str, (&str, &str, usize)> = Default::default();
    for r in &matched {
        let e = seen.entry(&r[cust]).or_insert((&r[persona], &r[region], 0));
        assert_eq!((e.0, e.1), (&r[persona], &r[region]), "{}", &r[cust]);
        e.2 += 1;
    }
    let repeats = seen.values().filter(|e| e.2 > 1).count();
    assert!(
        (1_500..=5_000).contains(&repeats),
        "{repeats} of {} customers answered more than once",
        seen.len()
    );
    assert!(
        seen.values().all(|e| e.2 <= 4),
        "more than 4 answers in 2 years"
    );

    // Each surveyed customer's latest answered score (rows are in date order).
    let mut latest: std::collections::BTreeMap<&str, u8> = Default::default();
    for r in &matched {
        if let Ok(score) = r[rec].parse::<u8>() {
            latest.insert(&r[cust], score);
        }
    }
    // Per group (0 detractors, 1 passives, 2 promoters, 3 never answered):
    // customers, churned, revenue.
    let mut by = [(0usize, 0usize, 0.0f64); 4];
    for row in &crm_rows {
        let g = match latest.get(&row[0]) {
            Some(0..=6) => 0,
            Some(7..=8) => 1,
            Some(_) => 2,
            None => 3,
        };
        by[g].0 += 1;
        by[g].1 += usize::from(&row[4] == "yes");
        by[g].2 += row[3].parse::<f64>().expect("revenue");
    }
    let churn = |g: usize| by[g].1 as f64 / by[g].0 as f64;
    let revenue = |g: usize| by[g].2 / by[g].0 as f64;
    assert!(by.iter().all(|g| g.0 >= 1_000), "{by:?}");
    // Planted 22 % / 12 % / 7 % and 12 % for the rest.
    assert!((0.19..=0.25).contains(&churn(0)), "detractors {}", churn(0));
    assert!((0.10..=0.15).contains(&churn(1)), "passives {}", churn(1));
    assert!((0.05..=0.09).contains(&churn(2)), "promoters {}", churn(2));
    assert!((0.10..=0.14).contains(&churn(3)), "unsurveyed {}", churn(3));
    // The gap is far beyond noise: its standard error is under 1 point.
    let se = (churn(0) * (1.0 - churn(0)) / by[0].0 as f64
        + churn(2) * (1.0 - churn(2)) / by[2].0 as f64)
        .sqrt();
    assert!((churn(0) - churn(2)) / se > 10.0, "churn gap not clear");
    // Promoters spend a little more: about 10 %.
    let ratio = revenue(2) / revenue(0);
    assert!((1.05..=1.15).contains(&ratio), "spend ratio {ratio:.3}");
}

/// Parses a YAML file of the example project into a JSON value.
fn yaml(rel: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("example-project")
        .join(rel);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml_files(folder: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("example-project")
        .join(folder);
    let mut out: Vec<String> = fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("{folder}/{n}"))
        .collect();
    out.sort();
    out
}

fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A cheap structural guard on the definitions (the real loader checks far
/// more): ids well-formed and unique, keys known, every reference resolves.
#[test]
fn definitions_reference_what_exists() {
    const INDICATOR_KEYS: [&str; 25] = [
        "id",
        "name",
        "kind",
        "dataset",
        "metric",
        "column",
        "where",
        "target",
        "thresholds",
        "direction",
        "unit",
        "measurement",
        "basis",
        "owner",
        "description",
        "scale",
        "top_box",
        "mode",
        "box",
        "value",
        "p",
        "components",
        "expectation",
        "benchmark",
        "dimension",
    ];
    let mut indicators = BTreeSet::new();
    let mut composites = Vec::new();
    let mut dimensions = BTreeSet::new();
    for file in yaml_files("indicators") {
        for ind in yaml(&file).as_array().expect("a list of indicators") {
            let obj = ind.as_object().expect("a map");
            for key in obj.keys() {
                assert!(INDICATOR_KEYS.contains(&key.as_str()), "{file}: key {key}");
            }
            let id = obj["id"].as_str().expect("id");
            assert!(is_id(id), "{id}");
            // The experience dimension the scorecard groups it under, one of four words.
            if let Some(d) = obj.get("dimension") {
                let d = d.as_str().unwrap_or_default();
                assert!(
                    matches!(d, "brand" | "product" | "service" | "employee"),
                    "{id}: dimension {d}"
                );
                dimensions.insert(d.to_owned());
            }
            assert!(indicators.insert(id.to_owned()), "duplicate indicator {id}");
            if let Some(c) = obj.get("components") {
                composites.extend(c.as_object().expect("map").keys().cloned());
            } else {
                let ds = obj["dataset"].as_str().expect("dataset");
                assert!(matches!(ds, "survey" | "tickets"), "{id}: dataset {ds}");
            }
        }
    }
    assert!(indicators.len() >= 12);
    // The scorecard shows dimension groups: brand, product and service at least.
    for d in ["brand", "product", "service"] {
        assert!(
            dimensions.contains(d),
            "no example indicator has dimension {d}"
        );
    }
    for c in &composites {
        assert!(indicators.contains(c), "composite component {c}");
    }

    let mut personas = BTreeSet::new();
    for file in yaml_files("personas") {
        let p = yaml(&file);
        let id = p["id"].as_str().expect("id").to_owned();
        assert!(is_id(&id));
        assert_eq!(p["match"]["column"], "persona");
        personas.insert(id);
    }
    assert_eq!(personas.len(), 4);

    let journey = yaml("journeys/broadband.yaml");
    let listed: BTreeSet<String> = journey["personas"]
        .as_array()
        .expect("personas")
        .iter()
        .map(|p| p.as_str().expect("id").to_owned())
        .collect();
    assert_eq!(listed, personas);
    let stages: Vec<&str> = journey["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["id"].as_str().expect("stage id"))
        .collect();
    assert_eq!(
        stages,
        [
            "discover",
            "explore",
            "compare",
            "purchase",
            "installation",
            "retain",
            "recommend"
        ]
    );
    let mut touchpoints = BTreeSet::new();
    for stage in journey["stages"].as_array().expect("stages") {
        let e = stage["emotion"].as_f64().expect("emotion");
        assert!((-2.0..=2.0).contains(&e));
        let tps = stage["touchpoints"].as_array().expect("touchpoints");
        assert!((1..=3).contains(&tps.len()));
        for tp in tps {
            let id = tp["id"].as_str().expect("touchpoint id");
            assert!(is_id(id) && touchpoints.insert(id.to_owned()), "{id}");
            for i in tp["indicators"].as_array().expect("indicators") {
                let i = i.as_str().expect("indicator id");
                assert!(
                    indicators.contains(i),
                    "touchpoint {id}: unknown indicator {i}"
                );
            }
        }
    }
}

/// Tickets per calendar month of the committed data, in month order.
fn tickets_per_month() -> Vec<(String, f64)> {
    let (_, rows) = read_csv(&data_dir().join("tickets.csv"));
    let mut counts: std::collections::BTreeMap<String, f64> = Default::default();
    for row in &rows {
        *counts.entry(row[1][..7].to_owned()).or_default() += 1.0;
    }
    counts.into_iter().collect()
}

#[test]
fn ticket_volumes_vary_like_a_real_contact_centre() {
    let months = tickets_per_month();
    assert_eq!(months.len(), 24);
    let v: Vec<f64> = months.iter().map(|(_, n)| *n).collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    // Not one flat number every month: a real volume moves by 10–20 %.
    assert!(
        sd / mean > 0.10,
        "coefficient of variation {:.3}",
        sd / mean
    );
    // Even leaving out the outage month, the months differ.
    let distinct: BTreeSet<u64> = v[..23].iter().map(|x| *x as u64).collect();
    assert!(
        distinct.len() >= 18,
        "only {} distinct monthly counts",
        distinct.len()
    );
    let count = |m: &str| months.iter().find(|(k, _)| k == m).expect(m).1;
    // Growth: 2025 (outage month left out) above 2024.
    let y24: f64 = (1..=11).map(|m| count(&format!("2024-{m:02}"))).sum();
    let y25: f64 = (1..=11).map(|m| count(&format!("2025-{m:02}"))).sum();
    assert!(y25 > 1.05 * y24, "2024 {y24} → 2025 {y25}");
    // Seasons: September's peak above August in both years.
    for y in ["2024", "2025"] {
        let (aug, sep) = (count(&format!("{y}-08")), count(&format!("{y}-09")));
        assert!(sep > 1.1 * aug, "{y}: August {aug}, September {sep}");
    }
    // The outage: December 2025 the busiest month by far.
    let dec = count("2025-12");
    assert!(v[..23].iter().all(|x| dec > 1.1 * x), "December 2025 {dec}");
}

/// First names a comment must not carry (agents' names are staff data): a
/// list of common UK first names, independent of the generator's lists.
const FIRST_NAMES: [&str; 40] = [
    "Sam", "Bev", "Imran", "Dev", "Olivia", "Rhys", "Grace", "Marek", "Hannah", "Nadia", "Ollie",
    "Siobhan", "Femi", "Lewis", "Anjali", "Ewan", "Zara", "Patrick", "Chloe", "John", "David",
    "Sarah", "Emma", "James", "Jack", "Amy", "Tom", "Sophie", "Mohammed", "Priya", "Gary", "Karen",
    "Paul", "Lucy", "Dan", "Kate", "Mark", "Steve", "Emily", "Laura",
];

#[test]
fn comments_name_no_staff_and_rarely_repeat() {
    let (header, rows) = survey_rows();
    let col = header.iter().position(|h| h == "comment").unwrap();
    let comments: Vec<&str> = rows
        .iter()
        .map(|r| &r[col])
        .filter(|c| !c.is_empty())
        .collect();
    assert!(comments.len() > 3_000, "{}", comments.len());
    for c in &comments {
        for word in c.split(|ch: char| !ch.is_alphanumeric()) {
            assert!(!FIRST_NAMES.contains(&word), "a first name in {c:?}");
        }
    }
    let share = |min: usize| {
        let long: Vec<&&str> = comments
            .iter()
            .filter(|c| c.chars().count() >= min)
            .collect();
        let distinct: BTreeSet<&&str> = long.iter().copied().collect();
        distinct.len() as f64 / long.len() as f64
    };
    // Short answers ("ok", "fine") repeat, as real ones do; the rest hardly.
    assert!(share(0) > 0.70, "distinct share {:.3}", share(0));
    assert!(
        share(30) > 0.85,
        "distinct share of 30+ chars {:.3}",
        share(30)
    );
    let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in comments.iter().filter(|c| c.chars().count() >= 20) {
        *seen.entry(*c).or_default() += 1;
    }
    let (worst, n) = seen.iter().max_by_key(|(_, n)| **n).expect("comments");
    assert!(*n <= 10, "{worst:?} written {n} times");
}

#[test]
fn support_ease_is_ces_2_and_porters_find_it_harder() {
    let (header, rows) = survey_rows();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ces, persona, support) = (col("q_ces_support"), col("persona"), col("a_support"));
    // Mean, variance and n of the ease answers of the rows `keep` keeps.
    let stats = |keep: &dyn Fn(&csv::StringRecord) -> bool| {
        let v: Vec<f64> = (rows.iter().filter(|r| keep(r)))
            .filter_map(|r| r[ces].parse().ok())
            .collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (
            m,
            v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0),
            n,
        )
    };
    // Higher is easier: those who rate support well (4–5) agree far more
    // that we made it easy than those who rate it poorly (1–2).
    let rating = |r: &csv::StringRecord| r[support].parse::<u8>().ok();
    let (good, ..) = stats(&|r| rating(r).is_some_and(|s| s >= 4));
    let (poor, ..) = stats(&|r| rating(r).is_some_and(|s| s <= 2));
    assert!(
        good - poor > 1.0,
        "ease {poor:.2} (poor support) vs {good:.2} (good)"
    );
    // Number porters find it harder: a lower mean, clearly (Welch's z).
    let (mp, vp, np) = stats(&|r| &r[persona] == "porter");
    let (mo, vo, no) = stats(&|r| &r[persona] != "porter");
    let z = (mp - mo) / (vp / np + vo / no).sqrt();
    assert!(
        mp < mo - 0.4 && z < -10.0,
        "porters {mp:.2}, others {mo:.2}, z {z:.1}"
    );

    // The definitions say the same: higher is better, an agreement scale.
    let touchpoints = yaml("indicators/touchpoints.yaml");
    let find = |id: &str| {
        (touchpoints.as_array().unwrap().iter())
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let mean = find("ces-support");
    assert_eq!(mean["direction"], "higher");
    let text = format!("{} {}", mean["measurement"], mean["basis"]);
    assert!(
        text.contains("made it easy") && text.contains("strongly agree"),
        "{text}"
    );
    assert!(
        !text.contains("effort did you"),
        "CES 1.0 wording mixed in: {text}"
    );
    let hard = find("ces-high-effort");
    assert_eq!(hard["direction"], "lower");
    assert_eq!(hard["box"], serde_json::json!([1, 3]));
}

#[test]
fn survey_items_are_kcis_and_stages_have_what_the_narrative_claims() {
    let mut kinds = std::collections::BTreeMap::new();
    for file in yaml_files("indicators") {
        for ind in yaml(&file).as_array().expect("a list") {
            let id = ind["id"].as_str().expect("id").to_owned();
            let kind = ind["kind"].as_str().expect("kind").to_owned();
            if ind["dataset"] == "survey" {
                assert_eq!(kind, "kci", "{id}: a survey item is a KCI");
            }
            if kind == "kqi" {
                assert_eq!(ind["dataset"], "tickets", "{id}: a KQI is operational");
            }
            kinds.insert(id, kind);
        }
    }
    let journey = yaml("journeys/broadband.yaml");
    let mut with_kqi = BTreeSet::new();
    for stage in journey["stages"].as_array().expect("stages") {
        let id = stage["id"].as_str().unwrap();
        let stage_kinds: BTreeSet<&str> = (stage["touchpoints"].as_array().unwrap().iter())
            .flat_map(|tp| tp["indicators"].as_array().unwrap())
            .map(|i| kinds[i.as_str().unwrap()].as_str())
            .collect();
        assert!(stage_kinds.contains("kci"), "{id}: no KCI");
        if stage_kinds.contains("kqi") {
            with_kqi.insert(id);
        }
    }
    // The narrative (pages/about.md) names these five as measured twice and
    // Discover and Recommend as measured by what customers tell us only.
    let expected: BTreeSet<&str> =
        ["explore", "compare", "purchase", "installation", "retain"].into();
    assert_eq!(with_kqi, expected);
    let about = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("example-project/pages/about.md"),
    )
    .expect("about.md");
    assert!(!about.contains("measures\neach step twice") && !about.contains("each step twice"));
    assert!(
        about.contains("Discover and Recommend"),
        "the KCI-only stages are named"
    );
}
