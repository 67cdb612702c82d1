//! The validated project: checked definitions, ready to compute and render.
//!
//! Everything here has passed validation: ids are well-formed and unique,
//! references resolve, scales are ordered. Stages below `project/` only ever
//! see these types, never the raw YAML mirror. Fields that a later stage may
//! still need to blame (CSV columns, where filters) keep their [`Location`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::diag::Location;

pub use super::metric::{CesMode, Metric};
use super::vocabulary::Vocabulary;

/// A whole project: configuration, definitions and narrative pages.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project folder, canonicalised.
    pub root: PathBuf,
    /// `cxscore.yaml`.
    pub config: Config,
    /// `personas/*.yaml`, sorted by id.
    pub personas: Vec<Persona>,
    /// `journeys/*.yaml`, sorted by id.
    pub journeys: Vec<Journey>,
    /// `indicators/*.yaml`, in file order then list order (the order users wrote).
    pub indicators: Vec<Indicator>,
    /// `topics/*.yaml`: the codebook, in file order then list order.
    pub topics: Vec<super::topics::Topic>,
    /// `pages/*.md`, sorted by `order` then title.
    pub pages: Vec<Page>,
    /// `actions/*.yaml`, in file order then list order (SPEC §10).
    pub actions: Vec<super::actions::Action>,
}

/// `cxscore.yaml`, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The report's title.
    pub title: String,
    /// The client's name, for the header and print cover.
    pub client: Option<String>,
    /// The language of the site's own words.
    pub language: Language,
    /// The theme's folder name.
    pub theme: String,
    /// The trend bucket.
    pub period: Period,
    /// Confidence level for every interval and test, in (0, 1).
    pub confidence: f64,
    /// Below this effective n a value is suppressed.
    pub min_n: f64,
    /// Verbatims are shown only for groups with at least this many rows.
    pub min_n_comments: u64,
    /// Which NPS interval to use.
    pub nps_interval: NpsInterval,
    /// Datasets by id (sorted).
    pub datasets: BTreeMap<String, Dataset>,
    /// Key driver analyses, in the order written.
    pub drivers: Vec<Driver>,
    /// The white label: logo, colours, footer.
    pub brand: super::brand::Brand,
    /// `baseline:` — a previous run's metrics.json to compare with (project-relative).
    pub baseline: Option<WrittenPath>,
    /// `report:` — the reporting window and its comparisons (SPEC §6).
    pub report: super::report::Report,
    /// `value_at_stake:` — the NPS groups' revenue and churn (SPEC §9).
    pub value_at_stake: Option<super::value::ValueAtStake>,
    /// `followup:` — the call-back list written beside the site (SPEC §10).
    pub followup: Option<super::value::Followup>,
    /// Whether `report.xlsx` is written beside the site's report (`workbook:`, default true):
    /// clients forward Excel, but a project that hands over only the site can turn it off.
    pub workbook: bool,
}

/// A path as written in a definition file, with where it was written.
#[derive(Debug, Clone)]
pub struct WrittenPath {
    /// The path as written.
    pub text: String,
    /// Where.
    pub location: Location,
}

crate::vocabulary! {
    /// The language of the words the theme writes (`language:`).
    pub enum Language as "language" {
        /// English (the default).
        En = "en",
        /// Simplified Chinese.
        ZhCn = "zh-CN",
    }
}

impl Language {
    /// The BCP 47 tag, as written in `cxscore.yaml` and `<html lang>`.
    pub fn tag(self) -> &'static str {
        self.word()
    }
}

crate::vocabulary! {
    /// The trend bucket for periods (`period:`).
    pub enum Period as "period" {
        /// Calendar month: `2026-01` (the default).
        Month = "month",
        /// ISO week: `2026-W05`.
        Week = "week",
        /// Calendar quarter: `2026-Q1`.
        Quarter = "quarter",
        /// Calendar year: `2026`.
        Year = "year",
    }
}

crate::vocabulary! {
    /// Which NPS interval formula to use (`nps_interval:`, SPEC §2).
    pub enum NpsInterval as "nps_interval" {
        /// The trinomial Wald interval (the default).
        Wald = "wald",
        /// Adjusted Wald: +3/4 to promoters and detractors, +3 to n (Rocks 2016).
        AdjustedWald = "adjusted_wald",
    }
}

/// A column of a dataset, as referenced in YAML, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnRef {
    /// The header name.
    pub name: String,
    /// Where the reference was written, to blame it if the column is missing.
    pub location: Location,
}

/// A dataset: one or more CSV files with one shared header.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The key under `datasets:`.
    pub id: String,
    /// The files, resolved from the `path:` (file, folder or glob), sorted, inside the project.
    pub files: Vec<PathBuf>,
    /// Where `path:` was written (blamed when it matches nothing).
    pub location: Location,
    /// The date column and its format, if periods are wanted.
    pub date: Option<DateColumn>,
    /// The survey-weight column.
    pub weight: Option<ColumnRef>,
    /// Columns a report may break down by.
    pub segments: Vec<ColumnRef>,
    /// The free-text comment column.
    pub comments: Option<ColumnRef>,
    /// Columns never copied into the site.
    pub pii: Vec<ColumnRef>,
    /// The text encoding of every file.
    pub encoding: Encoding,
    /// The field delimiter byte.
    pub delimiter: u8,
    /// What to do with rows that have data errors.
    pub bad_rows: BadRows,
    /// Raking to target margins (SPEC §11), if asked for.
    pub rake: Option<super::rake::Rake>,
    /// The SQL query the rows come from instead of files (`source:`, SPEC §12); `files` then
    /// holds one placeholder that names it in messages and is never a file.
    pub sql: Option<SqlQuery>,
    /// Per segment (parallel to `segments`), its bands when it is a banded segment (SPEC §9).
    pub bands: Vec<Option<SegmentBands>>,
    /// The key column when this dataset is a lookup table (`key:`, SPEC §9).
    pub key: Option<ColumnRef>,
    /// The lookup table this dataset joins on each row (`lookup:`, SPEC §9).
    pub lookup: Option<LookupRef>,
    /// Which sheet of a workbook, and which row names the columns (SPEC §12); unused for
    /// other formats.
    pub workbook: Workbook,
}

impl Dataset {
    /// A dataset of `files` with no column roles (UTF-8, comma-separated,
    /// `bad_rows: fail`), written at `location`: what `- id:` and `path:`
    /// alone would load. The tests' datasets are this with their own roles.
    #[cfg(test)]
    pub(crate) fn plain(id: &str, files: Vec<PathBuf>, location: Location) -> Dataset {
        Dataset {
            id: id.into(),
            files,
            location,
            date: None,
            weight: None,
            segments: Vec::new(),
            comments: None,
            pii: Vec::new(),
            encoding: Encoding::Utf8,
            delimiter: b',',
            bad_rows: BadRows::Fail,
            rake: None,
            sql: None,
            bands: Vec::new(),
            key: None,
            lookup: None,
            workbook: Workbook::default(),
        }
    }

    /// The name of segment `i` in reports and `metrics.json`: a banded
    /// segment's `name`, else its column.
    pub fn segment_name(&self, i: usize) -> &str {
        match self.bands.get(i) {
            Some(Some(b)) => &b.name,
            _ => self.segments.get(i).map_or("", |c| c.name.as_str()),
        }
    }
}

/// A numeric column cut into bands, as a segment (SPEC §9): the keys are
/// `0–6`, `6–12`, …, `24+`; each band includes its lower bound.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentBands {
    /// The segment's name (its `name:`, else the column).
    pub name: String,
    /// The lower bounds, strictly increasing (checked).
    pub bounds: Vec<f64>,
}

impl SegmentBands {
    /// Each band's key, in order: `lo–hi`, the last `lo+` (en dash).
    pub fn labels(&self) -> Vec<String> {
        let b = &self.bounds;
        (0..b.len())
            .map(|i| match b.get(i + 1) {
                Some(hi) => format!("{}–{}", b[i], hi),
                None => format!("{}+", b[i]),
            })
            .collect()
    }

    /// The band of `x`: `None` below the first bound.
    #[inline]
    pub fn band(&self, x: f64) -> Option<usize> {
        self.bounds.iter().rposition(|&lo| x >= lo)
    }
}

/// `lookup:` of a dataset: which lookup table, and this dataset's column
/// holding the table's key.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupRef {
    /// The lookup table's dataset id.
    pub dataset: String,
    /// This dataset's column holding the key.
    pub on: ColumnRef,
    /// Where `lookup:` was written.
    pub location: Location,
}

/// A dataset's `source:` (SPEC §12), checked: which environment variable holds the URL and the
/// query. It holds the variable's *name* only, so the URL can never reach a message, the
/// cache key (which prints the dataset) or `metrics.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    /// The environment variable holding the connection URL (`url: env:NAME`).
    pub env: String,
    /// The user's query, wrapped by cxscore as a subquery.
    pub sql: String,
    /// Where `source:` was written: row errors of the query's result are located here.
    pub location: Location,
}

/// `sheet:` and `header_row:` of a dataset whose files are Excel or OpenDocument
/// workbooks: where in a workbook the table is, which a CSV file never needs saying.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbook {
    /// The sheet's name; `None` reads the first sheet.
    pub sheet: Option<String>,
    /// The 1-based row that names the columns (default 1); data rows follow it.
    pub header_row: u32,
    /// Where `sheet:` or `header_row:` was written, blamed when a file does not fit them.
    pub location: Option<Location>,
}

/// A date column and how to parse it.
#[derive(Debug, Clone)]
pub struct DateColumn {
    /// The column.
    pub column: ColumnRef,
    /// A chrono strftime format; `None` means ISO 8601 (`%Y-%m-%d`, optionally with a time).
    pub format: Option<String>,
}

crate::vocabulary! {
    /// The text encoding of a dataset's files (`encoding:`).
    pub enum Encoding as "encoding" {
        /// UTF-8, with or without BOM (the default; `utf8` is accepted too).
        Utf8 = "utf-8" | "utf8",
        /// GBK (read as its superset GB18030).
        Gbk = "gbk",
        /// GB18030.
        Gb18030 = "gb18030",
        /// UTF-16 with a BOM (LE or BE).
        Utf16 = "utf-16",
    }
}

crate::vocabulary! {
    /// What to do with rows that have data errors (`bad_rows:`).
    pub enum BadRows as "bad_rows" {
        /// Any data error fails the build; every one is listed (the default).
        Fail = "fail",
        /// Bad rows are left out, counted and listed with reasons.
        Skip = "skip",
    }
}

/// A key driver analysis: which attributes move the outcome.
#[derive(Debug, Clone)]
pub struct Driver {
    /// The dataset id.
    pub dataset: String,
    /// The outcome column (e.g. the NPS question).
    pub outcome: ColumnRef,
    /// Attribute columns with their display labels, in the order written.
    pub attributes: Vec<(ColumnRef, String)>,
    /// Where the analysis was defined.
    pub location: Location,
    /// The outcome's name on the site as written (`label:`); without it,
    /// compute names the outcome after the NPS indicator on that column, else
    /// the column (it knows the indicators).
    pub label: Option<String>,
    /// The rating scale and its low / high bands (`scale:`), which enable
    /// penalty / reward; `None` without `scale`.
    pub bands: Option<DriverBands>,
    /// Which rows the headline analysis reads (`window:`, default `all`).
    pub window: super::report::WindowKind,
    /// Bootstrap replicates for importance intervals; `None`: no intervals.
    pub bootstrap: Option<u32>,
}

/// A driver analysis' attribute scale and its low and high ratings
/// (SPEC §8): low.hi < high.lo, both inside the scale; the rest is the middle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriverBands {
    /// The attributes' rating scale; a rating outside it is a data error.
    pub scale: Range,
    /// The low ratings (inclusive).
    pub low: Range,
    /// The high ratings (inclusive).
    pub high: Range,
}

/// Where a rating falls among a driver analysis' bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Within `low`.
    Low = 0,
    /// Neither low nor high.
    Middle = 1,
    /// Within `high`.
    High = 2,
}

impl DriverBands {
    /// The band of rating `x` (already checked to lie on the scale).
    pub fn band(&self, x: f64) -> Band {
        if self.low.contains(x) {
            Band::Low
        } else if self.high.contains(x) {
            Band::High
        } else {
            Band::Middle
        }
    }
}

/// A persona: who the customer is and which data rows are theirs.
#[derive(Debug, Clone, Serialize)]
pub struct Persona {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Which rows belong to the persona.
    #[serde(skip)]
    pub matcher: RowMatch,
    /// Markdown summary.
    pub summary: String,
    /// Free-form profile facts, label → text, in the order the YAML writes
    /// them and with the author's labels (a persona card reads as written).
    pub profile: Vec<(String, String)>,
    /// Goals.
    pub goals: Vec<String>,
    /// Pain points.
    pub pain_points: Vec<String>,
    /// Motivations.
    pub motivations: Vec<String>,
    /// The "four questions" ladder.
    pub ladder: Option<Ladder>,
    /// Where the persona was defined.
    #[serde(skip)]
    pub location: Location,
}

/// A row filter: the rows whose `column` holds one of `values` (compared as text, trimmed).
#[derive(Debug, Clone)]
pub struct RowMatch {
    /// The column tested.
    pub column: ColumnRef,
    /// Accepted values.
    pub values: Vec<String>,
}

/// A numeric test of `where` (SPEC §9) on one column.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericMatch {
    /// The column tested.
    pub column: ColumnRef,
    /// The bounds; `between: [a, b]` is `ge: a` and `le: b`.
    pub test: NumericTest,
}

/// Bounds a number must meet (each one given must hold).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NumericTest {
    /// Greater than.
    pub gt: Option<f64>,
    /// Greater than or equal to.
    pub ge: Option<f64>,
    /// Less than.
    pub lt: Option<f64>,
    /// Less than or equal to.
    pub le: Option<f64>,
}

impl NumericTest {
    /// Whether `x` meets every bound.
    #[inline]
    pub fn passes(&self, x: f64) -> bool {
        self.gt.is_none_or(|b| x > b)
            && self.ge.is_none_or(|b| x >= b)
            && self.lt.is_none_or(|b| x < b)
            && self.le.is_none_or(|b| x <= b)
    }
}

/// The means-end ladder: attribute → benefit → goal → value.
#[derive(Debug, Clone, Serialize)]
pub struct Ladder {
    /// What they value most in the offer.
    pub attribute: String,
    /// Why that matters.
    pub benefit: String,
    /// What the benefit lets them achieve.
    pub goal: String,
    /// Why they care about that goal.
    pub value: String,
}

/// A journey map.
#[derive(Debug, Clone, Serialize)]
pub struct Journey {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Persona ids this journey is for.
    pub personas: Vec<String>,
    /// Stages, in order.
    pub stages: Vec<Stage>,
    /// Where its id was written (coverage warnings point here).
    #[serde(skip)]
    pub location: Location,
}

/// A stage of a journey.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// Id, unique within the journey.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the customer wants here.
    pub goals: Vec<String>,
    /// What they do.
    pub behaviors: Vec<String>,
    /// What they think.
    pub thoughts: Vec<String>,
    /// Emotion, −2..2.
    pub emotion: Option<f64>,
    /// Touchpoints, in order.
    pub touchpoints: Vec<Touchpoint>,
}

/// A touchpoint of a stage.
#[derive(Debug, Clone, Serialize)]
pub struct Touchpoint {
    /// Id, unique within the journey.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Channel (web, app, shop, phone…).
    pub channel: Option<String>,
    /// Indicator ids measured here.
    pub indicators: Vec<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// A make-or-break touchpoint.
    pub moment_of_truth: bool,
    /// Known pain points.
    pub pain_points: Vec<String>,
    /// Improvement opportunities.
    pub opportunities: Vec<String>,
}

crate::vocabulary! {
    /// KQI, KCI or KPI (`kind:` of an indicator).
    pub enum Kind as "kind" {
        /// Key quality indicator: quality of a touchpoint or process.
        Kqi = "kqi",
        /// Key customer indicator: customer perception.
        Kci = "kci",
        /// Key performance indicator.
        Kpi = "kpi",
    }
}

crate::vocabulary! {
    /// The experience an indicator measures (`dimension:` of an indicator): the scorecard
    /// groups indicators by it and `compute` rolls their statuses up per dimension, so a
    /// client sees brand, product, service and employee experience (BX, PX, SX, EX) apart.
    pub enum Dimension as "dimension" {
        /// Brand experience (BX): what customers think of the brand, e.g. an NPS.
        Brand = "brand",
        /// Product experience (PX): the product itself, e.g. speed or reliability.
        Product = "product",
        /// Service experience (SX): service and support interactions.
        Service = "service",
        /// Employee experience (EX): the people who serve the customer.
        Employee = "employee",
    }
}

crate::vocabulary! {
    /// Which way is better (`direction:` of an indicator).
    pub enum Direction as "direction" {
        /// Higher values are better (the default).
        Higher = "higher",
        /// Lower values are better.
        Lower = "lower",
    }
}

/// An indicator definition, checked.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// KQI / KCI / KPI.
    pub kind: Kind,
    /// The dataset id (`None` only for composites, which read no data).
    pub dataset: Option<String>,
    /// What is computed, with its parameters.
    pub metric: Metric,
    /// The column the metric reads (`None` for `count` without a column and for `composite`).
    pub column: Option<ColumnRef>,
    /// Row filters: every entry must match (AND); each lists accepted values (OR).
    pub filter: Vec<RowMatch>,
    /// Numeric row filters of `where` (SPEC §9): every one must hold too.
    pub numeric: Vec<NumericMatch>,
    /// The target value.
    pub target: Option<f64>,
    /// The amber threshold (between target and this: amber).
    pub amber: Option<f64>,
    /// Which way is better.
    pub direction: Direction,
    /// Display unit ("points", "%", "minutes").
    pub unit: Option<String>,
    /// How it is measured (测量标准).
    pub measurement: Option<String>,
    /// The standard it follows (标准依据).
    pub basis: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Where it was defined.
    pub location: Location,
    /// An external reference value (industry average, competitor) to compare
    /// against: drawn on the trend chart, not used for the status.
    pub benchmark: Option<f64>,
    /// The smallest change worth flagging as significant, in the indicator's unit (≥ 0).
    pub min_change: f64,
    /// The experience it measures (`dimension:`), `None` when not declared: the scorecard
    /// groups and rolls up indicators by it.
    pub dimension: Option<Dimension>,
}

/// A closed interval `[lo, hi]` of a scale or a box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// Lowest value, inclusive.
    pub lo: f64,
    /// Highest value, inclusive.
    pub hi: f64,
}

impl Range {
    /// True when `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        x >= self.lo && x <= self.hi
    }
}

/// A narrative page from `pages/`.
#[derive(Debug, Clone)]
pub struct Page {
    /// The slug: the file stem, used as the output file name.
    pub slug: String,
    /// The title from front matter.
    pub title: String,
    /// Sort order (front matter `order`, default 0).
    pub order: i64,
    /// The Markdown body, after the front matter.
    pub markdown: String,
    /// The 1-based line of the file where the body starts, to locate errors in it.
    pub body_line: u32,
    /// Where the page lives, for errors in its shortcodes.
    pub location: Location,
}
