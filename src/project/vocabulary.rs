//! The words a definition file may use for each enumerated setting.
//!
//! One list per setting, shared by the validator (which reports anything else
//! with a did-you-mean) and by `cxscore schema` (which puts the same list in
//! the JSON Schema), so an editor and the loader can never disagree. The
//! first word of each list is the default where the setting is optional.

/// `language:` in cxscore.yaml.
pub const LANGUAGES: &[&str] = &["en", "zh-CN"];
/// `period:` in cxscore.yaml.
pub const PERIODS: &[&str] = &["month", "week", "quarter", "year"];
/// `nps_interval:` in cxscore.yaml.
pub const NPS_INTERVALS: &[&str] = &["wald", "adjusted_wald"];
/// `encoding:` of a dataset.
pub const ENCODINGS: &[&str] = &["utf-8", "utf8", "gbk", "gb18030", "utf-16"];
/// `bad_rows:` of a dataset.
pub const BAD_ROWS: &[&str] = &["fail", "skip"];
/// `kind:` of an indicator.
pub const KINDS: &[&str] = &["kqi", "kci", "kpi"];
/// `direction:` of an indicator.
pub const DIRECTIONS: &[&str] = &["higher", "lower"];
/// `mode:` of a CES indicator.
pub const CES_MODES: &[&str] = &["mean", "agree", "net"];
/// `metric:` of an indicator.
pub const METRICS: &[&str] = &[
    "nps",
    "csat",
    "ces",
    "mean",
    "top_box",
    "bottom_box",
    "share",
    "percentile",
    "count",
    "composite",
    "gap",
];
