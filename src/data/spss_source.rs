//! Data stage: SPSS datasets (`.sav`, `.zsav`) as a [`RecordSource`] (SPEC §12).
//!
//! Input: one SPSS file of a dataset, read with `ambers` (pure Rust). Output: its
//! variable names, then its cases as [`Row`]s, each value written as the text the
//! same data would hold in CSV, with line = case number + 1 (the header counting
//! as line 1, as in the CSV export), so a bad cell is reported as
//! `data/survey.sav:17:3`, as Parquet does.
//!
//! Codes and labels (docs/reference.md, "Data formats"): a value with a value
//! label is written as its label in the dataset's `segments` and `comments`
//! columns, so segment keys read "Promoter", not "3"; in every other column the
//! code is kept, so an NPS item whose 0 and 10 carry labels still reads as
//! numbers. A persona's `equals` matches the code or the label
//! ([`Header::labels`]). User-missing values (declared in SPSS) and SYSMIS are
//! blank cells.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ambers::{MissingSpec, SpssMetadata, Value};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, DurationMicrosecondType, Float64Type, TimestampMicrosecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

use super::source::{
    cannot_read, Batch, DataFile, Header, Part, Record, RecordSource, Row, RowSink,
};
use crate::diag::{Diagnostics, Location};
use crate::project::model::Dataset;

/// The extensions read as SPSS files.
pub const EXTENSIONS: [&str; 2] = ["sav", "zsav"];

/// SPSS datasets: a dataset whose `path` names `.sav` or `.zsav` files.
pub struct SpssSource;

/// Cases decoded per batch: bounded memory on a large file.
const BATCH_ROWS: usize = 16_384;

/// Opens an SPSS file's scanner (its dictionary is read and checked).
fn open(path: &Path) -> Result<ambers::Scanner<BufReader<File>>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    ambers::scan_sav_from_reader(BufReader::new(file), BATCH_ROWS)
        .map_err(|e| format!("not a readable SPSS file: {e}"))
}

/// The code → label pairs of every labelled variable, by column index, as text
/// (the code as a cell holds it): what a persona's `equals` is matched against.
pub fn value_labels(meta: &SpssMetadata) -> Vec<(usize, Vec<(String, String)>)> {
    (meta.variable_names.iter().enumerate())
        .filter_map(|(i, name)| {
            let labels = meta.value_labels(name)?;
            let pairs = (labels.iter())
                .map(|(code, label)| (code_text(code), label.trim().to_string()))
                .collect::<Vec<_>>();
            (!pairs.is_empty()).then_some((i, pairs))
        })
        .collect()
}

/// A value-label code as the text of its cell.
fn code_text(code: &Value) -> String {
    match code {
        Value::Numeric(x) => number_text(*x),
        Value::String(s) => s.trim().to_string(),
    }
}

/// A number as a CSV cell holds it: Rust's shortest round-trip form (`3`, `0.5`).
fn number_text(x: f64) -> String {
    format!("{x}")
}

impl RecordSource for SpssSource {
    type Part = ();
    type Parts = std::iter::Empty<Part<()>>;

    fn header(&self, file: &DataFile<'_>, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let scanner = match open(file.path) {
            Ok(s) => s,
            Err(e) => {
                diags.error_hint(
                    Location::file(file.file),
                    format!("cannot read data file: {e}"),
                    "save it again from SPSS (File > Save As, SPSS Statistics .sav); a CSV file must end in `.csv`",
                );
                return None;
            }
        };
        let names: Vec<String> = (scanner.metadata().variable_names.iter())
            .map(|n| n.trim().to_string())
            .collect();
        if names.is_empty() {
            diags.error_hint(
                Location::file(file.file),
                format!(
                    "data file `{}` of dataset `{}` has no variables",
                    file.file.display(),
                    file.dataset.id
                ),
                "save the data again from SPSS",
            );
            return None;
        }
        Some(names)
    }

    fn parts(&self, _file: &DataFile<'_>) -> Option<Result<Self::Parts, String>> {
        None
    }

    fn read_part<S: RowSink>(&self, _: &DataFile<'_>, _: &Header, _: (), _: &mut Batch<S>) {}

    fn read_all<S: RowSink>(&self, file: &DataFile<'_>, header: &Header, batch: &mut Batch<S>) {
        let mut scanner = match open(file.path) {
            Ok(s) => s,
            Err(e) => return batch.stop(cannot_read(file.file, e)),
        };
        let columns = ColumnRules::new(scanner.metadata(), file.dataset);
        let at = projection(&mut scanner, header);
        let mut record = Record::new();
        let mut text = String::new();
        let mut line = 2;
        loop {
            let data = match scanner.next_batch() {
                Ok(Some(b)) => b,
                Ok(None) => return,
                Err(e) => {
                    let at = Location::at(file.file, line as u32, 0);
                    return batch.stop((at, format!("cannot read case: {e}"), None));
                }
            };
            for r in 0..data.num_rows() {
                record.clear();
                for (rule, at) in columns.0.iter().zip(&at) {
                    text.clear();
                    if let Some(p) = at {
                        rule.cell_text(&data, *p, r, &mut text);
                    }
                    record.push_field(&text);
                }
                batch.row(&Row::new(&record, line), header, file.dataset);
                line += 1;
            }
        }
    }
}

/// Projects `scanner` to the header's wanted columns ([`Header::wanted_columns`],
/// as Parquet does) when they are fewer than all: each column's position in
/// the decoded batches, `None` for a column handed on blank. A file is still
/// read case by case (SPSS stores rows), but only the wanted values are
/// converted (strings: the comments, the ids of the follow-up list).
fn projection<R: std::io::Read + std::io::Seek>(
    scanner: &mut ambers::Scanner<R>,
    header: &Header,
) -> Vec<Option<usize>> {
    let names = scanner.metadata().variable_names.clone();
    let all = (0..names.len()).map(Some).collect();
    let wanted: Vec<usize> = (header.wanted_columns().into_iter())
        .filter(|&c| c < names.len())
        .collect();
    if wanted.len() == names.len() {
        return all;
    }
    // A batch of no column would have no rows: keep the first one at least.
    let kept = if wanted.is_empty() { vec![0] } else { wanted };
    let selected: Vec<&str> = kept.iter().map(|&c| names[c].as_str()).collect();
    if selected.is_empty() || scanner.select(&selected).is_err() {
        return all;
    }
    let mut at = vec![None; names.len()];
    for (p, &c) in kept.iter().enumerate() {
        at[c] = Some(p);
    }
    at
}

/// How each variable's values are written (see the module docs).
struct ColumnRules(Vec<ColumnRule>);

/// One variable's rule.
struct ColumnRule {
    /// Value labels to write in place of codes (segments and comments only).
    labels: Vec<(Value, String)>,
    /// User-missing values declared in SPSS: written blank.
    missing: Vec<MissingSpec>,
    /// `format:` of the dataset's date column, when this is it.
    date_format: Option<String>,
}

impl ColumnRules {
    fn new(meta: &SpssMetadata, dataset: &Dataset) -> Self {
        let keyed = |name: &str| {
            dataset.segments.iter().any(|s| s.name == name)
                || dataset.comments.as_ref().is_some_and(|c| c.name == name)
        };
        let rules = (meta.variable_names.iter())
            .map(|name| {
                let labels = match meta.value_labels(name) {
                    Some(l) if keyed(name.trim()) => (l.iter())
                        .map(|(k, v)| (k.clone(), v.trim().to_string()))
                        .collect(),
                    _ => Vec::new(),
                };
                let date_format = (dataset.date.as_ref())
                    .filter(|d| d.column.name == name.trim())
                    .and_then(|d| d.format.clone());
                ColumnRule {
                    labels,
                    missing: (meta.variable_missing_values.get(name).cloned()).unwrap_or_default(),
                    date_format,
                }
            })
            .collect();
        ColumnRules(rules)
    }
}

impl ColumnRule {
    /// Writes the cell at column `c`, row `r` of `data` as CSV text.
    fn cell_text(&self, data: &RecordBatch, c: usize, r: usize, out: &mut String) {
        let Some(array) = data.columns().get(c) else {
            return;
        };
        if array.is_null(r) {
            return;
        }
        match array.data_type() {
            DataType::Float64 => {
                let x = array.as_primitive::<Float64Type>().value(r);
                if self.is_missing_number(x) {
                    return;
                }
                match self.label_of(&Value::Numeric(x)) {
                    Some(label) => out.push_str(label),
                    None => {
                        let _ = write!(out, "{x}");
                    }
                }
            }
            DataType::Utf8View | DataType::Utf8 | DataType::LargeUtf8 => {
                let s = match array.data_type() {
                    DataType::Utf8View => array.as_string_view().value(r),
                    DataType::Utf8 => array.as_string::<i32>().value(r),
                    _ => array.as_string::<i64>().value(r),
                };
                let trimmed = s.trim();
                if (self.missing.iter())
                    .any(|m| matches!(m, MissingSpec::StringValue(v) if v.trim() == trimmed))
                {
                    return;
                }
                match self.label_of(&Value::String(trimmed.to_string())) {
                    Some(label) => out.push_str(label),
                    None => out.push_str(s),
                }
            }
            DataType::Date32 => {
                let days = array.as_primitive::<Date32Type>().value(r);
                let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(days))));
                match date {
                    Some(d) => {
                        let f = self.date_format.as_deref().unwrap_or("%Y-%m-%d");
                        let _ = write!(out, "{}", d.format(f));
                    }
                    None => {
                        let _ = write!(out, "{days}");
                    }
                }
            }
            DataType::Timestamp(_, _) => {
                let micros = array.as_primitive::<TimestampMicrosecondType>().value(r);
                match chrono::DateTime::from_timestamp_micros(micros) {
                    Some(t) => {
                        let t = t.naive_utc();
                        let f = match &self.date_format {
                            Some(f) => f.as_str(),
                            None if t.time() == chrono::NaiveTime::MIN => "%Y-%m-%d",
                            None => "%Y-%m-%dT%H:%M:%S%.f",
                        };
                        let _ = write!(out, "{}", t.format(f));
                    }
                    None => {
                        let _ = write!(out, "{micros}");
                    }
                }
            }
            DataType::Duration(_) => {
                // A duration (SPSS TIME format): its length in seconds.
                let micros = array.as_primitive::<DurationMicrosecondType>().value(r);
                let _ = write!(out, "{}", micros as f64 / 1e6);
            }
            _ => {}
        }
    }

    /// True for a user-missing code (a declared value or range).
    fn is_missing_number(&self, x: f64) -> bool {
        self.missing.iter().any(|m| match m {
            MissingSpec::Value(v) => *v == x,
            MissingSpec::Range { lo, hi } => *lo <= x && x <= *hi,
            MissingSpec::StringValue(_) => false,
        })
    }

    /// The label written in place of `code`, if this column writes labels.
    fn label_of(&self, code: &Value) -> Option<&str> {
        (self.labels.iter())
            .find(|(k, _)| k == code)
            .map(|(_, l)| l.as_str())
    }
}

/// The value labels of the SPSS file at `path`, by column: what [`Header::labels`]
/// holds; empty when it cannot be read (its header check reports why).
pub fn labels_of_file(path: &Path) -> Vec<(usize, Vec<(String, String)>)> {
    dictionary(path).values.clone()
}

/// The value labels of a dataset's first file when it is an SPSS file (its
/// files share one dictionary), else none. Read once per file and version
/// ([`dictionary`]): every plan of the dataset (main pass, follow-up list,
/// `suggest`) asks for it.
pub fn labels_of_dataset(dataset: &Dataset) -> Vec<(usize, Vec<(String, String)>)> {
    match dataset.files.first() {
        Some(f) if super::format::Format::of_path(f) == super::format::Format::Spss => {
            labels_of_file(f)
        }
        _ => Vec::new(),
    }
}

/// Adds to `values` (a persona's `equals`, matched against column `column`)
/// the label of each code and the code of each label, so either matches
/// whichever the cell holds.
pub fn add_code_or_label(
    labels: &[(usize, Vec<(String, String)>)],
    column: usize,
    values: &mut Vec<String>,
) {
    let Some((_, pairs)) = labels.iter().find(|(c, _)| *c == column) else {
        return;
    };
    let mut more = Vec::new();
    for v in values.iter() {
        for (code, label) in pairs {
            if v == code && !values.contains(label) {
                more.push(label.clone());
            } else if v == label && !values.contains(code) {
                more.push(code.clone());
            }
        }
    }
    values.extend(more);
}

/// What the site and the plans read from an SPSS file's dictionary.
#[derive(Debug, Default)]
pub struct Dictionary {
    /// Code → label pairs by column ([`value_labels`]).
    pub values: Vec<(usize, Vec<(String, String)>)>,
    /// Variable labels (name → label, non-empty only): the default labels
    /// of its columns on the site.
    pub variables: Vec<(String, String)>,
}

/// Dictionaries read so far, by file and its modification time (so `serve`
/// sees a saved file's new labels).
type DictionaryCache = std::collections::HashMap<
    (std::path::PathBuf, Option<std::time::SystemTime>),
    std::sync::Arc<Dictionary>,
>;

/// The dictionary of the SPSS file at `path`, read once per version of the
/// file: pages ask for a label once per column and every plan of a dataset
/// for its value labels, and each would otherwise reopen the file. Empty
/// when the file cannot be read (its header check reports why).
pub fn dictionary(path: &Path) -> std::sync::Arc<Dictionary> {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<DictionaryCache>> =
        std::sync::OnceLock::new();
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let key = (path.to_path_buf(), modified);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(d) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return d;
    }
    let d = std::sync::Arc::new(match open(path) {
        Ok(scanner) => {
            let meta = scanner.metadata();
            Dictionary {
                values: value_labels(meta),
                variables: (meta.variable_labels.iter())
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(n, l)| (n.trim().to_string(), l.trim().to_string()))
                    .collect(),
            }
        }
        Err(_) => Dictionary::default(),
    });
    if let Ok(mut c) = cache.lock() {
        c.insert(key, d.clone());
    }
    d
}

/// The variable labels of the SPSS file at `path` (name → label, non-empty
/// only): the default labels of its columns on the site.
pub fn variable_labels_of_file(path: &Path) -> Vec<(String, String)> {
    dictionary(path).variables.clone()
}

/// The SPSS variable label of `column` in `dataset` (its first file's
/// dictionary): the column's default label on the site (segments, driver
/// attributes); `None` for other formats, unlabelled or unknown columns.
pub fn variable_label(dataset: &Dataset, column: &str) -> Option<String> {
    let file = dataset.files.first()?;
    if super::format::Format::of_path(file) != super::format::Format::Spss {
        return None;
    }
    (dictionary(file).variables.iter())
        .find(|(n, _)| n == column)
        .map(|(_, l)| l.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_a_csv_cell_holds_them() {
        assert_eq!(code_text(&Value::Numeric(3.0)), "3");
        assert_eq!(code_text(&Value::Numeric(0.5)), "0.5");
        assert_eq!(code_text(&Value::String(" A ".into())), "A");
    }

    #[test]
    fn a_persona_value_gains_its_label_or_its_code() {
        let labels = vec![(4, vec![("1".to_string(), "new".to_string())])];
        let mut by_label = vec!["new".to_string()];
        add_code_or_label(&labels, 4, &mut by_label);
        assert_eq!(by_label, ["new", "1"]);
        let mut by_code = vec!["1".to_string()];
        add_code_or_label(&labels, 4, &mut by_code);
        assert_eq!(by_code, ["1", "new"]);
        // Another column's labels do not apply.
        let mut other = vec!["1".to_string()];
        add_code_or_label(&labels, 3, &mut other);
        assert_eq!(other, ["1"]);
    }

    #[test]
    fn the_dictionary_is_read_once_per_version_of_the_file() {
        use arrow_array::{ArrayRef, Float64Array};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sav");
        let q: ArrayRef = std::sync::Arc::new(Float64Array::from(vec![1.0, 2.0]));
        let batch = RecordBatch::try_from_iter([("q", q)]).unwrap();
        let mut meta = SpssMetadata::from_arrow_schema(&batch.schema());
        let labels = [(Value::Numeric(1.0), "new".to_string())]
            .into_iter()
            .collect();
        meta.variable_value_labels.insert("q".into(), labels);
        meta.variable_labels.insert("q".into(), "Question".into());
        ambers::write_sav(&path, &batch, &meta, ambers::Compression::Bytecode, None).unwrap();
        let first = dictionary(&path);
        // Every later plan and page gets the same dictionary, not a new read.
        assert!(std::sync::Arc::ptr_eq(&first, &dictionary(&path)));
        let pairs = vec![("1".to_string(), "new".to_string())];
        assert_eq!(first.values, vec![(0, pairs)]);
        assert_eq!(
            first.variables,
            vec![("q".to_string(), "Question".to_string())]
        );
        // A file that is not SPSS has an empty dictionary.
        std::fs::write(dir.path().join("x.sav"), b"not spss").unwrap();
        assert!(dictionary(&dir.path().join("x.sav")).values.is_empty());
    }

    #[test]
    fn user_missing_values_and_ranges_are_blank() {
        let rule = ColumnRule {
            labels: vec![(Value::Numeric(1.0), "Yes".into())],
            missing: vec![
                MissingSpec::Value(99.0),
                MissingSpec::Range { lo: 90.0, hi: 95.0 },
            ],
            date_format: None,
        };
        assert!(rule.is_missing_number(99.0));
        assert!(rule.is_missing_number(92.5));
        assert!(!rule.is_missing_number(96.0));
        assert_eq!(rule.label_of(&Value::Numeric(1.0)), Some("Yes"));
        assert_eq!(rule.label_of(&Value::Numeric(2.0)), None);
    }
}
