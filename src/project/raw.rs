//! The raw serde mirror of the project's YAML files.
//!
//! These types only describe the *shape* of what users write; every semantic
//! rule (id syntax, references, ranges, which keys go with which metric) lives
//! in `validate`. Unknown keys are rejected here (`deny_unknown_fields`), and
//! every field a later check may blame is `Spanned` so the error can point at
//! it. Enumerated values (`metric`, `period`…) are read as spanned strings and
//! checked in `validate`, which reports all of them at once with a hint,
//! instead of serde's first-error-stops behaviour.
//!
//! The same types derive [`JsonSchema`], so `cxscore schema` is generated from
//! what the loader accepts and cannot drift from it. Their doc comments become the
//! schema's descriptions, which editors show on hover: write them for the user
//! writing the YAML (meaning, unit, range, default, an example). Every key must
//! have one (`tests/cli/schema_descriptions.rs`).

use indexmap::IndexMap;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

pub use super::raw_lookup::{RawCondition, RawJoin, RawSegment};
pub use super::raw_values::{RawWindow, Text, TextList};
use super::yaml::Spanned;

/// The project configuration, `cxscore.yaml`: the report's title and language, how numbers are
/// computed (`period`, `confidence`, `min_n`), the datasets (CSV files) and the key driver
/// analyses. Unknown keys are errors.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Required. The report's title, in every page's header and on the printed report's
    /// cover, e.g. `Home Broadband CX Scorecard`.
    pub title: Spanned<String>,
    /// Optional. The client's name, shown in the header, on the scorecard and on the printed
    /// report's cover, e.g. `Example Telecom`.
    pub client: Option<String>,
    /// The language of every word the theme writes (navigation, labels, period names, chart
    /// descriptions): `en` (default) or `zh-CN`. `cxscore build --language` overrides it for
    /// one build.
    pub language: Option<Spanned<String>>,
    /// The theme: a folder under the project's `themes/`, else the built-in `default`
    /// (default: `default`). A folder name, without `/`.
    pub theme: Option<Spanned<String>>,
    /// The trend bucket of every indicator: `week` (ISO weeks), `month` (default), `quarter`
    /// or `year`.
    pub period: Option<Spanned<String>>,
    /// The confidence level of every interval and significance test, strictly between 0 and 1
    /// (default 0.95).
    pub confidence: Option<Spanned<f64>>,
    /// The smallest effective number of answers (Kish's, with weights) a value is shown with;
    /// below it the value is suppressed and gets no status (counts never are). Zero or more
    /// (default 30).
    pub min_n: Option<Spanned<f64>>,
    /// Verbatims (the `comments` column) are shown only for groups with at least this many
    /// rows, to protect respondents in small groups (default 30).
    pub min_n_comments: Option<u64>,
    /// The interval of net scores (NPS and CES `net`): `wald` (default, trinomial Wald) or
    /// `adjusted_wald` (adds 3/4 to promoters and detractors and 3 to n; Rocks 2016).
    pub nps_interval: Option<Spanned<String>>,
    /// Required, at least one. The CSV data, by dataset name (an id such as `survey`, which
    /// indicators and driver analyses name in `dataset:`), e.g.
    /// `survey: { path: data/survey/*.csv, date: { column: submitted_at } }`.
    pub datasets: Spanned<BTreeMap<String, Spanned<RawDataset>>>,
    /// Optional. Key driver analyses: which attributes move an outcome (weighted Pearson r and
    /// Johnson's relative weights, overall and per persona), one list entry each.
    #[serde(default)]
    pub drivers: Vec<Spanned<RawDriver>>,
    /// Optional. The white label: `{ logo, primary, accent, footer }`, every key optional.
    pub brand: Option<RawBrand>,
    /// Optional. A previous run's `metrics.json` to compare every indicator with ("since the
    /// last drop"), relative to the project folder and inside it, e.g.
    /// `baseline/metrics.json`. A missing file is a warning, so the first drop still builds.
    pub baseline: Option<Spanned<String>>,
    /// Optional. Which periods the headline numbers are for, and what they are compared with:
    /// `{ window, as_of, compare, multiple_testing }`, e.g.
    /// `report: { window: { rolling: 3 }, compare: [previous, year_ago] }`. Default: the
    /// latest period with data, compared with the period before and the same period a year
    /// earlier, Benjamini–Hochberg adjusted.
    pub report: Option<Spanned<RawReport>>,
    /// Optional. What the NPS groups are worth (SPEC §9): `{ nps, revenue, churn, customers }`,
    /// e.g. `value_at_stake: { nps: nps-overall, revenue: monthly_revenue, churn: { column:
    /// churned, equals: "yes" }, customers: 1200000 }`. Per promoters, passives and detractors
    /// on the reporting window: mean revenue, churn rate, the spend ratio, the churn gap and
    /// the yearly revenue at risk. A Value page shows them.
    pub value_at_stake: Option<Spanned<RawValueAtStake>>,
    /// Optional. The call-back list (SPEC §10): `{ dataset, id, groups, nps }`, e.g.
    /// `followup: { dataset: survey, id: response_id, groups: [detractors] }` writes
    /// `_followup/followup.csv` (id, period, score, topics) beside the site, never into it.
    pub followup: Option<Spanned<RawFollowup>>,
    /// Whether the build writes `report.xlsx` beside `report.html`: every table of the site
    /// (scorecard, trends, segments and personas, drivers, topics, actions, value) as an Excel
    /// workbook, headers in the site's language (default `true`; `false` writes none).
    pub workbook: Option<bool>,
}

/// `value_at_stake:` in `cxscore.yaml`: the NPS groups' revenue and churn.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawValueAtStake {
    /// Required. The id of a `metric: nps` indicator: its dataset, its `where` and its
    /// promoter / passive / detractor classification define the groups.
    pub nps: Spanned<String>,
    /// Required. The revenue column of the NPS indicator's dataset, per customer and month,
    /// e.g. `monthly_revenue`. Blank cells are left out of the mean revenue.
    pub revenue: Spanned<String>,
    /// Required. Which rows churned: `{ column: churned, equals: "yes" }` (trimmed text
    /// equality). Blank cells are left out of the churn rate.
    pub churn: Spanned<RawChurn>,
    /// Required. The customer base the survey represents (more than 0), e.g. `1200000`.
    pub customers: Spanned<f64>,
}

/// `churn:` of `value_at_stake:`: a column and the value that means "churned".
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChurn {
    /// Required. The column, e.g. `churned`.
    pub column: Spanned<String>,
    /// Required. The cell value of a churned customer, e.g. `"yes"`.
    pub equals: Spanned<Text>,
}

/// `followup:` in `cxscore.yaml`: the rows to call back, written outside the site.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFollowup {
    /// Required. The dataset to list rows of, e.g. `survey`.
    pub dataset: Spanned<String>,
    /// Required. The column that identifies a row for the team calling back, e.g.
    /// `response_id`. Not a `pii` column: the list holds no personal data of its own.
    pub id: Spanned<String>,
    /// The NPS groups to list: `promoters`, `passives`, `detractors` (default
    /// `[detractors]`).
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    /// Optional. The `metric: nps` indicator whose classification (and `where`) picks the
    /// rows. Default: the first NPS indicator on the dataset, in definition order.
    pub nps: Option<Spanned<String>>,
}

/// `report:` in `cxscore.yaml`: the reporting window every headline number, status, table
/// and the `check` gate are computed on, and the comparisons shown beside them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// The run of periods the headline covers, ending at `as_of`: `latest` (default: that one
    /// period), `{ rolling: N }` (the N periods ending there), `ytd` (that calendar year up to
    /// it) or `all` (every row). Trend charts always keep every period.
    pub window: Option<Spanned<RawWindow>>,
    /// The last period of the window, as a period key of the project's `period`: `2025-12`
    /// (month), `2025-Q4` (quarter), `2025-W05` (ISO week) or `2025` (year). Default: the
    /// latest period with data in any dated dataset.
    pub as_of: Option<Spanned<Text>>,
    /// What the window is compared with, each with a change and a test: `previous` (the
    /// window of the same length just before) and `year_ago` (the same window a year
    /// earlier). Default: both; `[]` for none.
    pub compare: Option<Spanned<Vec<Spanned<String>>>>,
    /// How tests are corrected for being many: `bh` (default; Benjamini–Hochberg q-values
    /// within each family of tests) or `none` (q = p).
    pub multiple_testing: Option<Spanned<String>>,
}

/// `brand:` in `cxscore.yaml`, the white label: the client's logo, colours and footer line.
/// Every key is optional.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    /// An image file (`png`, `svg`, `jpg`, `jpeg`, `webp` or `gif`) inside the project,
    /// relative to `cxscore.yaml`, e.g. `brand/logo.svg`: shown in the header and on the
    /// printed report's cover.
    pub logo: Option<Spanned<String>>,
    /// The header background and link colour, `#rrggbb`, quoted (YAML reads `#` as a comment):
    /// `primary: "#0b5394"`. Below 4.5:1 contrast with white is a warning.
    pub primary: Option<Spanned<String>>,
    /// The accent colour (focus rings, moments of truth, ladder rungs), `#rrggbb`, quoted.
    /// Below 3:1 contrast against the white page is a warning.
    pub accent: Option<Spanned<String>>,
    /// A line of plain text on every page (escaped, never HTML), e.g.
    /// `Confidential: prepared for Example Telecom`.
    pub footer: Option<Spanned<String>>,
}

/// One dataset under `datasets:` in `cxscore.yaml`: which CSV files, and the roles of some of
/// their columns (date, weight, segments, comments, personal data).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    /// Required unless `source:` is given. The data, relative to the folder holding
    /// `cxscore.yaml` and inside it: a file (`data/tickets.csv`), a folder (its `*.csv`,
    /// recursively) or a glob (`data/survey/*.csv`). All files share one header and are read
    /// in name order.
    pub path: Option<Spanned<String>>,
    /// Instead of `path:`, a SQL query on a server speaking the PostgreSQL wire protocol,
    /// `{ url: env:NAME, sql: SELECT ... }`: the aggregation runs on the server (SPEC §12).
    pub source: Option<Spanned<RawSqlSource>>,
    /// Optional. The date column, `{ column, format }`, that puts rows into periods; without
    /// it the dataset has no periods.
    pub date: Option<RawDate>,
    /// Optional. A column of survey weights: every value is weighted, and intervals and
    /// `min_n` use Kish's effective n.
    pub weight: Option<Spanned<String>>,
    /// Columns the report breaks this dataset's indicators down by, e.g.
    /// `[persona, channel, region]` (default: none). A column of a lookup table is written
    /// `crm.region`; a numeric column may be cut into bands:
    /// `{ column: crm.tenure_months, name: Tenure, bands: [0, 6, 12, 24] }`.
    #[serde(default)]
    pub segments: Vec<Spanned<RawSegment>>,
    /// Optional. A free-text column: verbatims shown beside the scores, grouped by the
    /// dataset's NPS answer, with e-mail addresses and phone numbers masked.
    pub comments: Option<Spanned<String>>,
    /// Columns holding personal data, never read into the site or `metrics.json`, e.g.
    /// `[email, phone]` (default: none). Naming one as an indicator, weight, segment, `where`
    /// or driver column is an error.
    #[serde(default)]
    pub pii: Vec<Spanned<String>>,
    /// The files' text encoding, declared, never guessed: `utf-8` (default; a BOM is fine;
    /// `utf8` is the same), `gbk`, `gb18030` or `utf-16`.
    pub encoding: Option<Spanned<String>>,
    /// The field separator: one ASCII character, quoted (`delimiter: ";"`), or `tab` (or `\t`)
    /// for tabs (default `,`). Line ends may be LF or CRLF.
    pub delimiter: Option<Spanned<String>>,
    /// What a data error does (a value that is not a number, outside the scale, a ragged row):
    /// `fail` (default) fails the build and lists the errors; `skip` leaves such rows out,
    /// counted and listed with their reasons.
    pub bad_rows: Option<Spanned<String>>,
    /// Optional. Weight the rows to known shares of the customer base (raking, SPEC §11),
    /// starting from the `weight:` column when there is one (else from 1). Standard errors
    /// then follow R's `survey` package (`calibrate(..., calfun = "raking")`).
    pub rake: Option<Spanned<RawRake>>,
    /// Optional. Makes this dataset a lookup table (SPEC §9): its column holding a unique key,
    /// e.g. `customer_id` (a repeated key is a data error). Other datasets join it with
    /// `lookup:`; it is still a dataset of its own that indicators may read.
    pub key: Option<Spanned<String>>,
    /// Optional. Joins a lookup table on each row: `{ crm: customer_id }` (this dataset's column
    /// holding crm's `key`) or `{ crm: { on: cust_no } }`. Every column of `crm` is then
    /// addressed as `crm.COLUMN` wherever a column is named (`where`, `segments`, persona
    /// `match`, indicator `column`, drivers). A row whose key has no match gets blanks; the
    /// match rate is reported, with a warning below 90 %.
    pub lookup: Option<Spanned<IndexMap<String, RawJoin>>>,
    /// Optional, workbooks only (`.xlsx`, `.xlsm`, `.xls`, `.ods`): the sheet to read, by name
    /// (default: the first sheet).
    pub sheet: Option<Spanned<String>>,
    /// Optional, workbooks only: the 1-based row that names the columns (default 1); rows
    /// above it are ignored, every row below it is data.
    pub header_row: Option<Spanned<u32>>,
}

/// `source:` of a dataset: a SQL query on a PostgreSQL-protocol server (SPEC §12).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSqlSource {
    /// Required. `env:NAME`: the connection URL is read from the environment variable `NAME`
    /// (e.g. `env:CX_WAREHOUSE` holding `postgres://user:secret@host:5432/db`); a URL written
    /// here is an error, and the URL is never printed or written.
    pub url: Spanned<String>,
    /// Required. The query whose result is the dataset's table, e.g.
    /// `SELECT * FROM cx.ticket_events`; cxscore wraps it and aggregates on the server.
    pub sql: Spanned<String>,
}

/// `rake:` of a dataset: target shares per column, which iterative proportional fitting
/// makes the weighted rows meet.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRake {
    /// Required. Per column, the target share of each of its keys; each column's shares must
    /// sum to 1 (±1e-6), e.g. `region: { north: 0.6, south: 0.4 }`. Every key in the data needs
    /// a target, and every target needs rows.
    pub margins: Spanned<IndexMap<String, Spanned<RawShares>>>,
    /// Optional. The weights sum to this, e.g. the number of customers (default: the number
    /// of rows).
    pub total: Option<Spanned<f64>>,
    /// Optional. At most this many sweeps over the margins (default 100).
    pub max_iterations: Option<Spanned<u32>>,
    /// Optional. Converged when every achieved share is within this of its target
    /// (default 1e-10).
    pub tolerance: Option<Spanned<f64>>,
}

/// One margin of `rake.margins`: each key of the column with its target share (0–1), e.g.
/// `{ north: 0.6, south: 0.4 }`; the shares sum to 1 (±1e-6).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct RawShares(pub IndexMap<String, Spanned<f64>>);

/// `date:` of a dataset, `{ column, format }`: the column that puts each row into a period.
/// A row with a blank date counts in the overall value but in no period.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDate {
    /// Required. The date column's header name, e.g. `submitted_at`.
    pub column: Spanned<String>,
    /// Optional. A chrono strftime format, e.g. `"%d/%m/%Y"`; without it dates are ISO 8601
    /// (`2026-01-31`, optionally with a time).
    pub format: Option<Spanned<String>>,
}

/// One key driver analysis under `drivers:`, e.g. `{ dataset: survey, outcome: q_recommend,
/// attributes: { a_price: Price, a_speed: Speed } }`: how much each attribute column explains
/// the outcome (Johnson's relative weights, as % of R²) and how well it performs (its weighted
/// mean), overall and on each persona's rows; rows missing any of the columns are left out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDriver {
    /// Required. The dataset whose rows are analysed: a name under `datasets:`.
    pub dataset: Spanned<String>,
    /// Required. The outcome column the attributes should explain, e.g. `q_recommend`.
    pub outcome: Spanned<String>,
    /// Required. Attribute column → the label shown for it, e.g. `{ a_price: Price, a_speed:
    /// Speed }`. In the order written: the drivers page and metrics.json list them so. A
    /// column named twice is an error.
    pub attributes: Spanned<IndexMap<String, String>>,
    /// Optional. The outcome's name on the site, e.g. `Likelihood to recommend`. Default: the
    /// name of the NPS indicator on the outcome column of this dataset, else the column.
    pub label: Option<Spanned<String>>,
    /// Optional. The attributes' rating scale `[low, high]` with low < high, e.g. `[1, 5]`: a
    /// rating outside it is a data error, and with an outcome on 0–10 it enables penalty /
    /// reward (which ratings turn customers into detractors or promoters).
    pub scale: Option<Spanned<Vec<f64>>>,
    /// Optional, with `scale`. The low ratings, one number or an inclusive range `[from, to]`
    /// inside the scale, below `high`. Default: the bottom two points, e.g. `[1, 2]` on 1–5.
    pub low: Option<Spanned<Vec<f64>>>,
    /// Optional, with `scale`. The high ratings, one number or an inclusive range `[from, to]`
    /// inside the scale, above `low`. Default: the top point, e.g. `[5]` on 1–5.
    pub high: Option<Spanned<Vec<f64>>>,
    /// Optional. Which rows the analysis reads: `all` (default), `latest`, `ytd` or `{ rolling:
    /// N }`, ending at the report's `as_of` (as `report.window`). Importance per period is
    /// published for every period either way.
    pub window: Option<Spanned<RawWindow>>,
    /// Optional. Bootstrap replicates (50 to 10,000) for percentile intervals on each
    /// importance, e.g. `bootstrap: 200`; from a fixed seed, so every run gives the same.
    pub bootstrap: Option<Spanned<i64>>,
}

/// A persona, one per `personas/*.yaml` file: who they are, and which data rows are theirs
/// (`match`), so every indicator is also computed on their rows.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPersona {
    /// Required. The persona's id, `[a-z0-9][a-z0-9-]*`, unique among personas, e.g.
    /// `new-subscriber`; journeys name it in `personas:`.
    pub id: Spanned<String>,
    /// Required. The name shown on the site, e.g. `New subscriber`.
    pub name: String,
    /// Required. Which data rows belong to this persona, `{ column, equals }`, e.g.
    /// `{ column: persona, equals: new }`. Computed on every dataset whose header has the
    /// column; on other datasets the persona is absent.
    #[serde(rename = "match")]
    pub matcher: Option<RawMatch>,
    /// Optional. A short portrait, in Markdown.
    pub summary: Option<String>,
    /// Optional. Short facts, label → text, e.g. `{ Age: 25-34, Location: Tier-1 city }`,
    /// shown in the order written, labels as written.
    #[serde(default)]
    pub profile: IndexMap<String, Text>,
    /// What the persona wants to achieve, a list of short texts.
    #[serde(default)]
    pub goals: Vec<String>,
    /// What frustrates the persona, a list of short texts.
    #[serde(default)]
    pub pain_points: Vec<String>,
    /// What drives the persona's choices, a list of short texts.
    #[serde(default)]
    pub motivations: Vec<String>,
    /// Optional. The "four questions" laddering: `{ attribute, benefit, goal, value }`.
    pub ladder: Option<RawLadder>,
}

/// `match:` of a persona, `{ column, equals }`: the rows whose `column` holds one of the
/// values (compared as trimmed text) are the persona's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    /// Required. The data column that tells the persona's rows apart, e.g. `persona`.
    pub column: Spanned<String>,
    /// Required. The value, or a list of values, that mark the persona's rows, e.g. `new` or
    /// `[new, mover]`.
    pub equals: Spanned<TextList>,
}

/// `ladder:` of a persona, the "four questions" laddering, from what they value in the offer
/// up to why it matters to them. All four rungs are required.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLadder {
    /// What they value most in the offer, e.g. `Self-operated installers`.
    pub attribute: String,
    /// Why that matters to them, e.g. `Safety`.
    pub benefit: String,
    /// What the benefit lets them achieve, e.g. `Receive important guests`.
    pub goal: String,
    /// Why they care about that goal, e.g. `Treat the people who matter well`.
    pub value: String,
}

/// A journey map, one per `journeys/*.yaml` file: its stages in order, each with the
/// customer's goals, behaviours, thoughts and emotion, and the touchpoints measured by
/// indicators.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawJourney {
    /// Required. The journey's id, `[a-z0-9][a-z0-9-]*`, unique among journeys, e.g.
    /// `broadband-new-line`.
    pub id: Spanned<String>,
    /// Required. The name shown on the site, e.g. `New broadband line`.
    pub name: String,
    /// The personas who take this journey: ids of `personas/*.yaml`, e.g. `[new-subscriber]`.
    #[serde(default)]
    pub personas: Vec<Spanned<String>>,
    /// Required, at least one. The stages, in the order the customer goes through them.
    pub stages: Vec<RawStage>,
}

/// One stage of a journey, e.g. `Discover`, `Install`, `First bill`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    /// Required. The stage's id, `[a-z0-9][a-z0-9-]*`, unique within its journey, e.g.
    /// `discover`.
    pub id: Spanned<String>,
    /// Required. The name shown on the journey map, e.g. `Discover`.
    pub name: String,
    /// What the customer wants at this stage, a list of short texts.
    #[serde(default)]
    pub goals: Vec<String>,
    /// What the customer does at this stage, e.g. `[Reads reviews online, Asks friends]`.
    #[serde(default)]
    pub behaviors: Vec<String>,
    /// What the customer thinks at this stage, e.g. `[Is the advertised speed real?]`.
    #[serde(default)]
    pub thoughts: Vec<String>,
    /// Optional. How the customer feels, from −2 (very negative) to 2 (very positive); drawn as
    /// the journey's emotion curve.
    pub emotion: Option<Spanned<f64>>,
    /// The touchpoints of this stage, in order.
    #[serde(default)]
    pub touchpoints: Vec<RawTouchpoint>,
}

/// A touchpoint of a stage: where the customer meets the company (a web page, a call, a
/// technician's visit), with the indicators that measure it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTouchpoint {
    /// Required. The touchpoint's id, `[a-z0-9][a-z0-9-]*`, unique within its journey, e.g.
    /// `pricing-page`.
    pub id: Spanned<String>,
    /// Required. The name shown on the journey map, e.g. `Pricing page`.
    pub name: String,
    /// Optional. The channel, free text, e.g. `web`, `app`, `phone`, `store`.
    pub channel: Option<String>,
    /// The indicators that measure this touchpoint: ids from `indicators/*.yaml`, e.g.
    /// `[pricing-clarity]`.
    #[serde(default)]
    pub indicators: Vec<Spanned<String>>,
    /// Optional. Who is responsible for it, e.g. `Digital sales`.
    pub owner: Option<String>,
    /// A make-or-break touchpoint, highlighted on the journey map (default `false`).
    #[serde(default)]
    pub moment_of_truth: bool,
    /// What goes wrong here, a list of short texts, e.g. `[Fees shown only at checkout]`.
    #[serde(default)]
    pub pain_points: Vec<String>,
    /// What could be improved here, a list of short texts, e.g.
    /// `[Show the total monthly price first]`.
    #[serde(default)]
    pub opportunities: Vec<String>,
}

/// One indicator of an `indicators/*.yaml` list: what it measures (`dataset`, `metric`,
/// `column`, `where`), how it is judged (`target`, `thresholds`, `direction`) and how it is
/// described. Keys of another metric are errors (`p: 90` on an NPS).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    /// Required. The indicator's id, `[a-z0-9][a-z0-9-]*`, unique among indicators, e.g.
    /// `nps-overall`; journeys, composites and the `{{ indicator("…") }}` shortcode name it.
    pub id: Spanned<String>,
    /// Required. The name shown on the site, e.g. `Net Promoter Score`.
    pub name: String,
    /// Required. `kqi` (quality of a touchpoint or process), `kci` (customer perception) or
    /// `kpi` (key performance indicator).
    pub kind: Spanned<String>,
    /// The dataset it reads: a name under `datasets:` in `cxscore.yaml`. Required, except for
    /// `metric: composite`, which reads no dataset.
    pub dataset: Option<Spanned<String>>,
    /// Required. What is computed: `nps`, `csat`, `ces`, `mean`, `top_box`, `bottom_box`,
    /// `share`, `percentile`, `count`, `composite` or `gap`. Some metrics take keys of their
    /// own (`scale`, `top_box`, `mode`, `box`, `value`, `p`, `components`, `expectation`).
    pub metric: Spanned<String>,
    /// The CSV column it reads (its header name), e.g. `q_recommend`. Required, except for
    /// `count` (optional: then rows where it is answered) and `composite` (not allowed). For
    /// `gap`, the perception column.
    pub column: Option<Spanned<String>>,
    /// Optional. Keeps only the rows whose trimmed text in each column equals the value or one
    /// of the values (AND across columns), e.g. `{ channel: [web, app] }`, or whose number
    /// passes a numeric test, e.g. `{ wait_minutes: { gt: 60 } }` (`gt`, `ge`, `lt`, `le`,
    /// `between: [a, b]` inclusive).
    #[serde(rename = "where")]
    pub filter: Option<Spanned<BTreeMap<String, RawCondition>>>,
    /// Optional. The value to reach: green at or beyond it. In the metric's own units and
    /// range: −100..100 for NPS and CES `net`, 0..100 for percentages (85, not 0.85). Without a
    /// target the status is `none`.
    pub target: Option<Spanned<f64>>,
    /// Optional. `{ amber }`: the amber band between the target and the threshold; beyond it,
    /// red. Needs a `target`.
    pub thresholds: Option<RawThresholds>,
    /// Which way is better: `higher` (default) or `lower` (e.g. a complaint rate or a waiting
    /// time).
    pub direction: Option<Spanned<String>>,
    /// Optional. The unit shown with the value, e.g. `points`, `%`, `minutes`.
    pub unit: Option<String>,
    /// Optional. How the indicator is measured (测量标准), e.g. `Relational survey e-mailed 7
    /// days after installation`.
    pub measurement: Option<String>,
    /// Optional. The standard or method it follows (标准依据), e.g. `Bain & Company Net
    /// Promoter methodology`.
    pub basis: Option<String>,
    /// Optional. Who is responsible for the indicator, e.g. `Customer service`.
    pub owner: Option<String>,
    /// Optional. What the indicator means, in Markdown, shown on its page.
    pub description: Option<String>,
    /// The answer scale, `[low, high]` with low < high; a value outside it is a data error.
    /// `csat` (default `[1, 5]`), `ces` (default `[1, 7]`), `top_box` / `bottom_box`
    /// (required), `mean`, `percentile` and `gap` (optional; a gap's applies to both columns).
    pub scale: Option<Spanned<Vec<f64>>>,
    /// `metric: csat` only. The answers that count as satisfied, `[low, high]` within the
    /// scale (default the top two points, e.g. `[4, 5]` on 1–5).
    pub top_box: Option<Spanned<Vec<f64>>>,
    /// `metric: ces` only. `mean` (default): the mean answer; `agree`: % of the top three
    /// points (5–7 on 1–7); `net`: % of the top two (6–7) − % of the bottom three (1–3).
    pub mode: Option<Spanned<String>>,
    /// `metric: top_box` / `bottom_box` only. The box counted, `[low, high]` within the scale
    /// (default the top two points, or the bottom two for `bottom_box`).
    #[serde(rename = "box")]
    pub range: Option<Spanned<Vec<f64>>>,
    /// `metric: share` only, required. The value, or a list of values, counted: the % of
    /// answered rows whose trimmed text is one of them, e.g. `yes` or `[yes, partly]`.
    pub value: Option<Spanned<TextList>>,
    /// `metric: percentile` only, required. Which percentile, from 0 to 100, e.g. `90` for a
    /// p90 response time.
    pub p: Option<Spanned<f64>>,
    /// `metric: composite` only, required. The indicators it combines, id → weight (a positive
    /// number), e.g. `{ nps-overall: 2, csat-installation: 1 }`: the weighted mean of the
    /// components, each normalised to 0–100. A component must not be a composite, a `count`,
    /// a `gap`, or a `mean` / `percentile` without a `scale`.
    pub components: Option<Spanned<BTreeMap<String, f64>>>,
    /// `metric: gap` only, required: the expectation column subtracted from `column` (the
    /// perception), e.g. `e_speed`; the value is the weighted mean of perception − expectation
    /// (SERVQUAL gap) over the rows where both are answered.
    pub expectation: Option<Spanned<String>>,
    /// Optional. An external reference value (industry, competitor) to compare against, in the
    /// metric's units: a dotted line on the trend chart and the difference to it on the tile.
    /// It never changes the status, which follows `target`.
    pub benchmark: Option<Spanned<f64>>,
    /// The smallest change worth flagging, in the indicator's unit (default 0): a change
    /// (vs the previous period or window, vs a year ago, vs the rest) is `significant` only
    /// when its test says so **and** it is at least this large, e.g. `min_change: 2` for an
    /// NPS moving 2 points or more. Zero or more.
    pub min_change: Option<Spanned<f64>>,
    /// Optional. The experience the indicator measures: `brand` (BX), `product` (PX),
    /// `service` (SX) or `employee` (EX). The scorecard groups indicators by it, each group
    /// with its roll-up (how many on target, watch, off target); without it the indicator
    /// sits in an "Other" group. No indicator with a dimension: the scorecard groups by kind.
    pub dimension: Option<Spanned<String>>,
}

/// `thresholds:` of an indicator, `{ amber }`: where amber ends and red begins.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    /// The amber threshold, on the worse side of the target (below it for `direction: higher`,
    /// above it for `lower`): between the target and this value (inclusive) the status is
    /// amber, beyond it red. E.g. `target: 30` with `amber: 10`.
    pub amber: Option<Spanned<f64>>,
}

/// The YAML front matter of a page, `pages/*.md`, between `---` lines.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    /// Required. The page's title: its heading, and its name in the browser's tab.
    pub title: String,
    /// Where the page sorts among the pages (default 0): by `order`, then by title.
    #[serde(default)]
    pub order: i64,
}

/// One topic of a codebook in `topics/*.yaml` (each file a list): a theme customers
/// mention in their comments, found by keywords and patterns. Unknown keys are errors.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    /// Required. The topic's id, `[a-z0-9][a-z0-9-]*`, unique among topics, e.g. `late-install`.
    pub id: Spanned<String>,
    /// Required. The topic's name on the site, e.g. `Late installation`.
    pub name: String,
    /// Optional. A group the topic rolls up into, e.g. `Installation`.
    pub group: Option<String>,
    /// Words or phrases that give a comment the topic, case-insensitive. A keyword of
    /// only Chinese, Japanese or Korean characters matches anywhere (`迟到`); any other
    /// matches whole words (`late` does not match `lately`), e.g. `[late, "no show", 迟到]`.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Optional. Regular expressions matched case-insensitively anywhere in the
    /// comment, e.g. `['engineer.{0,20}(late|missed)']`.
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    /// Optional. Words or phrases (matched as keywords are) that keep the topic off a
    /// comment, e.g. `["not late", 没有迟到]`.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Optional. The datasets whose comments are coded (each must declare `comments`);
    /// default: every dataset with `comments`.
    pub datasets: Option<Vec<Spanned<String>>>,
}

/// One action of `actions/*.yaml` (a list, SPEC §10): a change made to the experience, who owns
/// it, the indicators it should move and when it went live, so the site can show whether it
/// moved them. Unknown keys are errors.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    /// Required. The action's id, `[a-z0-9][a-z0-9-]*`, unique among actions, e.g. `install-sms`.
    pub id: Spanned<String>,
    /// Required. What is done, in a line, e.g. `Text the customer 30 minutes before the
    /// engineer arrives`.
    pub title: String,
    /// Optional. Who is accountable (a team or a person's role), e.g. `Field operations`; the
    /// Owners page groups by it.
    pub owner: Option<String>,
    /// Required. Ids of the indicators (from `indicators/`) the action should move; each is
    /// evaluated before and after `start`, e.g. `[install-on-time, csat-installation]`.
    pub indicators: Vec<Spanned<String>>,
    /// Optional. The journey whose `stage` / `touchpoint` is meant; needed only when the
    /// project has several journeys and the id is in more than one.
    pub journey: Option<Spanned<String>>,
    /// Optional. A stage id of a journey, e.g. `use`.
    pub stage: Option<Spanned<String>>,
    /// Optional. A touchpoint id of a journey (of `stage`, when given), e.g. `engineer-visit`;
    /// the journey map shows the action there.
    pub touchpoint: Option<Spanned<String>>,
    /// Required. When the change went live: a period key of the project's `period` (`2025-06`,
    /// `2025-Q2`, `2025-W23`, `2025`) or a date (`2025-06-15`, read as its period). Periods
    /// from this one on are "after".
    pub start: Spanned<Text>,
    /// Optional. When it should be done (period key or date). An action whose `due` period is
    /// before the report's `as_of` and whose status is neither `done` nor `dropped` is overdue.
    pub due: Option<Spanned<Text>>,
    /// `planned` (default), `in_progress`, `done` or `dropped`.
    pub status: Option<Spanned<String>>,
    /// Optional. The change hoped for, per indicator id (each one of `indicators`), in the
    /// indicator's unit and counted in its better direction: `{ install-on-time: 5 }` hopes for
    /// 5 points up (or down, for a `direction: lower` indicator).
    pub expected: Option<Spanned<BTreeMap<String, f64>>>,
    /// Optional. Rows the change did not reach, `{ column, equals }`: the evaluation becomes a
    /// difference-in-differences against them. `column` must be one of the `segments` of every
    /// linked indicator's dataset, e.g. `{ column: region, equals: North }`.
    pub control: Option<Spanned<RawControl>>,
    /// Optional. How many periods before and after `start` are compared (default 3, at least 1).
    pub periods: Option<Spanned<u32>>,
    /// Optional. Markdown: what was done and why, shown on the Actions page.
    pub description: Option<String>,
}

/// `control:` of an action: the rows whose `column` equals `equals` did not get the change.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawControl {
    /// Required. A segment column of the linked indicators' dataset, e.g. `region`.
    pub column: Spanned<String>,
    /// Required. The value (compared as trimmed text) of the control rows, e.g. `North`.
    pub equals: Spanned<Text>,
}
