//! Tests of the [`RecordSource`] seam with a second, in-memory source: rows
//! that never were CSV reach the scan driver and the compute stage in order,
//! with their own locations, and give what the same rows read as CSV give.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::header::read_header_with;
use super::scan::{read_header, scan, scan_with, Scan, ScanStats};
use super::source::{
    Batch, DataFile, Header, Part, Record, RecordSource, Row, RowProblem, RowSink, SplitSink,
};
use crate::diag::{Diagnostics, Location};
use crate::project::model::{BadRows, Dataset};

/// Rows of one table: (line, fields).
type Rows = Vec<(u64, Vec<String>)>;

/// A "database": per file path, a header and rows, handed over `per_part`
/// rows at a time (each part on whichever thread is free), or in one pass.
struct MemSource {
    tables: BTreeMap<PathBuf, (Vec<String>, Rows)>,
    per_part: Option<usize>,
    /// How many times a header was read.
    header_reads: AtomicUsize,
    /// A one-pass read gives up after feeding this many rows (as a workbook
    /// whose rows turn out to be out of order does), and is read again.
    give_up_after: Option<usize>,
    /// How many times a file was read again after giving up.
    read_again: AtomicUsize,
}

/// A field that stops the file, as bad bytes stop a CSV file.
const STOP: &str = "<undecodable>";

impl MemSource {
    fn new(per_part: Option<usize>) -> Self {
        MemSource {
            tables: BTreeMap::new(),
            per_part,
            header_reads: AtomicUsize::new(0),
            give_up_after: None,
            read_again: AtomicUsize::new(0),
        }
    }

    /// Adds a table whose rows start at line 2 (the header is line 1).
    fn table(&mut self, path: &Path, header: &[&str], rows: &[&[&str]]) {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = (rows.iter().enumerate())
            .map(|(i, r)| (i as u64 + 2, strings(r)))
            .collect();
        self.tables
            .insert(path.to_path_buf(), (strings(header), rows));
    }

    fn feed<S: RowSink>(
        rows: &[(u64, Vec<String>)],
        file: &DataFile<'_>,
        header: &Header,
        batch: &mut Batch<S>,
    ) {
        let mut record = Record::new();
        for (line, fields) in rows {
            if let Some(field) = fields.iter().position(|f| f == STOP) {
                batch.stop_in_row((
                    Location::at(file.file, *line as u32, field as u32 + 1),
                    "not text".into(),
                    None,
                ));
                return;
            }
            record.clear();
            for f in fields {
                record.push_field(f);
            }
            batch.row(&Row::new(&record, *line), header, file.dataset);
        }
    }
}

impl RecordSource for MemSource {
    type Part = Rows;
    type Parts = std::vec::IntoIter<Part<Rows>>;

    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        self.header_reads.fetch_add(1, Ordering::Relaxed);
        match self.tables.get(file.path) {
            Some((names, _)) => Some(names.clone()),
            None => {
                diags.error(Location::file(file.file), "no such table");
                None
            }
        }
    }

    fn parts(&self, file: &DataFile<'_>) -> Option<Result<Self::Parts, String>> {
        let n = self.per_part?;
        let (_, rows) = self.tables.get(file.path)?;
        let parts: Vec<_> = rows.chunks(n).map(|c| Part::Rows(c.to_vec())).collect();
        Some(Ok(parts.into_iter()))
    }

    fn read_part<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        part: Rows,
        batch: &mut Batch<S>,
    ) {
        Self::feed(&part, file, header, batch);
    }

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        if let Some((_, rows)) = self.tables.get(file.path) {
            match self.give_up_after {
                Some(n) if n < rows.len() => {
                    Self::feed(&rows[..n], file, header, batch);
                    batch.give_up();
                }
                _ => Self::feed(rows, file, header, batch),
            }
        }
    }

    fn read_all_again<S: RowSink>(
        &self,
        file: &DataFile<'_>,
        header: &Header,
        batch: &mut Batch<S>,
    ) {
        self.read_again.fetch_add(1, Ordering::Relaxed);
        if let Some((_, rows)) = self.tables.get(file.path) {
            Self::feed(rows, file, header, batch);
        }
    }
}

/// Records (line, first field) of every clean row; a second field `bad` is a data error.
#[derive(Default)]
struct Seen(Vec<(u64, String)>);

impl RowSink for Seen {
    fn row(&mut self, row: &Row<'_>, problems: &mut Vec<RowProblem>) {
        if row.text(1) == "bad" {
            problems.push(RowProblem {
                field: 1,
                message: "bad value".into(),
            });
            return;
        }
        self.0.push((row.line, row.text(0).to_string()));
    }
}

crate::data::source::vec_split_sink!(Seen);

fn dataset(root: &Path, files: &[&str], bad_rows: BadRows) -> Dataset {
    let files = files.iter().map(|f| root.join(f)).collect();
    Dataset {
        bad_rows,
        ..Dataset::plain("mem", files, Location::at("cxscore.yaml", 3, 3))
    }
}

/// Scans `ds` with `source` into a [`Seen`]: (rows seen, stats, diagnostics as printed).
fn run(
    source: &MemSource,
    ds: &Dataset,
    root: &Path,
) -> (Vec<(u64, String)>, ScanStats, Vec<String>) {
    let mut diags = Diagnostics::new();
    let mut seen = Seen::default();
    let stats = match read_header_with(source, ds, root, &mut diags) {
        Some(header) => {
            let scan = Scan {
                dataset: ds,
                root,
                header: &header,
                cache: None,
            };
            scan_with(source, scan, &mut seen, &mut diags)
        }
        None => ScanStats::default(),
    };
    let printed = diags.sorted().iter().map(ToString::to_string).collect();
    (seen.0, stats, printed)
}

fn two_tables(per_part: Option<usize>) -> MemSource {
    let root = Path::new("/db");
    let mut src = MemSource::new(per_part);
    let rows: Vec<Vec<String>> = (0..9).map(|i| vec![format!("a{i}"), "ok".into()]).collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let mut a: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    a[3] = &["a3", "bad"];
    a[5] = &["a5"];
    src.table(&root.join("a"), &["id", "v"], &a);
    src.table(
        &root.join("b"),
        &["id", "v"],
        &[&["b0", "ok"], &["b1", "ok"]],
    );
    src
}

#[test]
fn rows_of_a_non_csv_source_arrive_in_order_with_their_locations() {
    let root = Path::new("/db");
    let ds = dataset(root, &["a", "b"], BadRows::Fail);
    let one_pass = run(&two_tables(None), &ds, root);
    let want: Vec<(u64, String)> = [
        (2, "a0"),
        (3, "a1"),
        (4, "a2"),
        (6, "a4"),
        (8, "a6"),
        (9, "a7"),
        (10, "a8"),
        (2, "b0"),
        (3, "b1"),
    ]
    .iter()
    .map(|(l, s)| (*l, s.to_string()))
    .collect();
    assert_eq!(one_pass.0, want);
    assert_eq!(one_pass.1.rows, 11);
    let errors = &one_pass.2;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("a:5:2") && errors[0].contains("bad value"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("a:7:2")
            && errors[1].contains("row has 1 fields but the header of dataset `mem` has 2"),
        "{errors:?}"
    );
    // In parts of 1, 2 or 4 rows, read on every thread: the same, in file order.
    for per_part in [1, 2, 4] {
        assert_eq!(
            run(&two_tables(Some(per_part)), &ds, root),
            one_pass,
            "parts of {per_part}"
        );
    }
}

#[test]
fn a_one_pass_read_given_up_part_way_is_discarded_and_read_again() {
    let root = Path::new("/db");
    let ds = dataset(root, &["a", "b"], BadRows::Fail);
    let one_pass = run(&two_tables(None), &ds, root);
    // Given up after 0, 4 (a bad row among them) and 8 of file a's 9 rows; file b
    // (2 rows) is given up too when n < 2. Each file's rows counted once, its
    // errors reported once, in order.
    for n in [0, 1, 4, 8] {
        let mut src = two_tables(None);
        src.give_up_after = Some(n);
        assert_eq!(run(&src, &ds, root), one_pass, "given up after {n} rows");
        let again = if n < 2 { 2 } else { 1 };
        assert_eq!(src.read_again.load(Ordering::Relaxed), again, "after {n}");
    }
    assert_eq!(one_pass.1.rows, 11);
}

#[test]
fn skip_rejects_with_the_sources_locations() {
    let root = Path::new("/db");
    let ds = dataset(root, &["a"], BadRows::Skip);
    let (seen, stats, printed) = run(&two_tables(Some(2)), &ds, root);
    assert_eq!(seen.len(), 7);
    assert_eq!((stats.rows, stats.rejected), (9, 2));
    let at: Vec<&str> = stats.rejections.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(at, ["a:5:2", "a:7:2"]);
    assert_eq!(printed.len(), 1, "one warning: {printed:?}");
}

#[test]
fn a_stop_ends_the_file_in_any_part_and_the_next_file_is_read() {
    let root = Path::new("/db");
    let ds = dataset(root, &["a", "b"], BadRows::Fail);
    for per_part in [None, Some(1), Some(2), Some(3)] {
        let mut src = two_tables(per_part);
        let rows = &mut src.tables.get_mut(&root.join("a")).expect("a").1;
        rows[4].1[0] = STOP.into();
        let (seen, stats, printed) = run(&src, &ds, root);
        let lines: Vec<u64> = seen.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4, 2, 3], "parts of {per_part:?}");
        // Rows up to and with the stopping one, then file b's.
        assert_eq!(stats.rows, 5 + 2, "parts of {per_part:?}");
        assert_eq!(printed.len(), 2, "{printed:?}");
        assert!(printed[0].contains("a:5:2") && printed[0].contains("bad value"));
        assert!(printed[1].contains("a:6:1") && printed[1].contains("not text"));
    }
}

#[test]
fn the_first_header_is_read_once_and_every_other_file_is_checked_against_it() {
    let root = Path::new("/db");
    let mut src = two_tables(None);
    src.table(&root.join("c"), &["id", "id"], &[&["c0", "ok"]]);
    src.table(&root.join("d"), &["id", "w"], &[&["d0", "ok"]]);
    let ds = dataset(root, &["a", "c", "d", "missing"], BadRows::Fail);
    let (seen, stats, printed) = run(&src, &ds, root);
    assert!(seen.iter().all(|(_, id)| id.starts_with('a')), "{seen:?}");
    assert_eq!(stats.files, 4);
    // Once per file: the first file's header is not read again by the scan.
    assert_eq!(src.header_reads.load(Ordering::Relaxed), 4);
    let located = |at: &str, what: &str| printed.iter().any(|p| p.contains(at) && p.contains(what));
    assert!(located("c:1:2", "column `id` appears twice"), "{printed:?}");
    assert!(
        located("d:1", "differs from the header of `a`"),
        "{printed:?}"
    );
    assert!(located("missing", "no such table"), "{printed:?}");
    // A duplicate in the first file stops the dataset before any row.
    let ds = dataset(root, &["c"], BadRows::Fail);
    let (seen, _, printed) = run(&src, &ds, root);
    assert!(
        seen.is_empty() && located("c:1:2", "appears twice"),
        "{printed:?}"
    );
    assert_eq!(printed.len(), 1, "{printed:?}");
}

const PROJECT: &str = "title: Seam\nmin_n: 1\ndatasets:\n  survey:\n    path: data/survey.csv\n    date: { column: date }\n    segments: [channel]\n    comments: comment\n";
const INDICATORS: &str = "- { id: nps, name: N, kind: kci, dataset: survey, metric: nps, column: nps }\n- { id: mean, name: M, kind: kpi, dataset: survey, metric: mean, column: minutes }\n- { id: rows, name: R, kind: kpi, dataset: survey, metric: count }\n";
const PERSONA: &str = "id: newcomer\nname: Newcomer\nmatch: { column: persona, equals: new }\n";
const HEADER: [&str; 6] = ["date", "channel", "persona", "nps", "minutes", "comment"];
const ROWS: [&[&str]; 6] = [
    &["2026-01-05", "web", "new", "10", "12", "Great"],
    &["2026-01-06", "app", "old", "6", "30", "Slow"],
    &["2026-02-02", "web", "new", "eleven", "45", ""],
    &["2026-02-03", "web", "old", "9", "7", "Fine"],
    &["2026-02-04", "app", "new", "3"],
    &["2026-03-01", "app", "new", "8", "20", "ok"],
];

/// The compute stage's pass over the survey, fed by `scan_one`; its saved
/// accumulators and the diagnostics as printed.
fn engine(
    project: &crate::project::model::Project,
    read: impl FnOnce(&Dataset, &mut Diagnostics) -> Option<Header>,
    scan_one: impl FnOnce(
        &Dataset,
        &Header,
        &mut crate::metrics::pass::DatasetPass<'_>,
        &mut Diagnostics,
    ) -> ScanStats,
) -> (Vec<u8>, u64, Vec<String>) {
    let ds = &project.config.datasets["survey"];
    let mut diags = Diagnostics::new();
    let header = read(ds, &mut diags).expect("a header");
    let mut pass =
        crate::metrics::pass::DatasetPass::plan(project, ds, &header, &mut diags).expect("a plan");
    let stats = scan_one(ds, &header, &mut pass, &mut diags);
    let printed = diags.sorted().iter().map(ToString::to_string).collect();
    (pass.save(), stats.rows, printed)
}

#[test]
fn the_compute_stage_takes_rows_from_a_non_csv_source_as_from_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("root");
    let mut csv = HEADER.join(",");
    for r in ROWS {
        csv.push('\n');
        csv.push_str(&r.join(","));
    }
    csv.push('\n');
    for (file, text) in [
        ("cxscore.yaml", PROJECT),
        ("indicators/core.yaml", INDICATORS),
        ("personas/new.yaml", PERSONA),
        ("data/survey.csv", csv.as_str()),
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write");
    }
    let mut diags = Diagnostics::new();
    let project = crate::project::load(&root, &mut diags).expect("the project loads");
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let path = project.config.datasets["survey"].files[0].clone();

    let from_csv = engine(
        &project,
        |ds, diags| read_header(ds, &project.root, diags),
        |ds, header, pass, diags| scan(ds, &project.root, header, pass, None, diags),
    );
    // The same rows from memory; the file on disk is not what is read.
    std::fs::write(&path, "nothing,to,see\n").expect("write");
    let mut mem = MemSource::new(None);
    mem.table(&path, &HEADER, &ROWS);
    let from_memory = engine(
        &project,
        |ds, diags| read_header_with(&mem, ds, &project.root, diags),
        |ds, header, pass, diags| {
            let scan = Scan {
                dataset: ds,
                root: &project.root,
                header,
                cache: None,
            };
            scan_with(&mem, scan, pass, diags)
        },
    );
    assert_eq!(from_memory, from_csv);
    assert_eq!(from_csv.1, 6);
    let printed = &from_csv.2;
    assert!(
        printed.iter().any(|p| p.contains("data/survey.csv:4:4")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|p| p.contains("data/survey.csv:6:5") && p.contains("row has 4 fields")),
        "{printed:?}"
    );
}
