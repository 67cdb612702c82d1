//! Seeded generator of the example project's survey, ticket and CRM data.
//!
//! Shared by the `gen` example (the command line) and `tests/cli/example_data.rs`
//! (which checks that the committed data is exactly what this code writes), via
//! `#[path = "…/gen/lib.rs"] mod generator;`. Only std, rand, rand_chacha and
//! rand_distr are used; CSV is written by hand with RFC 4180 quoting.
//!
//! The model, in one paragraph: every respondent has a latent satisfaction `g`
//! (normal, mean shifted by persona, channel, region and month). Four attribute
//! true values load on `g` plus their own noise; installation also depends on
//! whether the engineer came on time. The likelihood to recommend is a weighted
//! sum of the true values (speed and support weigh most) plus `g` and noise.
//! Price and support are rated from their true values on the whole 1–5 scale
//! (performance attributes); installation is planted as a *basic* (1–2 mark a
//! failure, 3–5 are drawn at random: [`published_install`]) and speed as a
//! *delighter* (5 marks a truly great connection, 1–4 are drawn at random:
//! [`published_speed`]), their random parts from each row's own attribute
//! stream so that no other column moves. Rating–outcome correlations land
//! around 0.2–0.6. The data covers January
//! 2024 to December 2025: 2024 is flat (noise only); through 2025 latent
//! satisfaction and installation punctuality rise linearly (the improvement
//! programme), then an outage in the north hits December 2025 (below). Survey
//! volume varies by month of year (seasonality); scores never do. Ticket
//! volume moves like a real contact centre's ([`ticket_weight`]): it grows with
//! the customer base ([`TICKET_GROWTH`] a month), follows the seasons (January
//! and September peaks, April's price-rise letters, a quiet summer and
//! Christmas) and each month has noise of its own ([`TICKET_NOISE`], log-sd),
//! drawn first on the ticket stream. Support ease (`q_ces_support`) is CES 2.0:
//! "The company made it easy for me to handle my issue", 1 = strongly disagree
//! … 7 = strongly agree, higher is better; number porters rate it
//! [`PORTER_EASE`] lower than others with the same support experience (a port
//! needs three parties). Every number is drawn
//! from one ChaCha8 stream per dataset, except each comment's text and the
//! random part of a_speed and a_install, drawn from the row's own streams (the
//! `comments` module: what the respondent lived, told in varied sentences;
//! whether a row comments at all stays on the main stream; [`attribute_stream`]),
//! so the output depends only on the seed,
//! the options and the rand / rand_distr versions pinned in `Cargo.lock`, never
//! on the output mode. (Weights and response times go through `exp`/`ln`; a
//! platform whose libm rounds differently could, rarely, change a last digit.)
//!
//! What is planted, exactly (calendar months; nothing else moves from one
//! month to the next but sampling noise and the volume seasonality, so with
//! Benjamini–Hochberg control almost nothing else should be flagged):
//!
//! - **2024: flat.** No trend, no event: every month has the same model.
//! - **The improvement programme, January–December 2025.** A ramp
//!   [`programme`] is 0 up to December 2024 and rises by 1/12 a month to 1 in
//!   December 2025 (and stays there). Latent satisfaction rises by
//!   [`PROGRAMME_LATENT`] × ramp (expected NPS about +15 points by the end of
//!   2025), the chance of an on-time installation by [`PROGRAMME_ON_TIME`] ×
//!   ramp (about 81% in 2024 to about 89% in December 2025), the median first
//!   response time falls by 20% × ramp and first-contact resolution rises by
//!   5 points × ramp.
//! - **The north outage, 2–4 December 2025.** Survey respondents in the
//!   `north` region who answered on or after 2 December 2025 (about a quarter
//!   of December's rows) lose [`OUTAGE_LATENT`] of latent satisfaction and a
//!   further [`OUTAGE_SPEED`] on speed's true value, and rate speed 1–4 from
//!   [`SPEED_OUTAGE`] (mostly 1–2): hardly any rate it 5 any more, and their
//!   mean a_speed falls by about 1 on the 1–5 scale, the north's NPS by about 55
//!   points and the overall NPS by about 14 points (expected values) against
//!   November. Their installations are on time [`OUTAGE_ON_TIME`] (15 points)
//!   less often: the engineers were on outage repairs (about −4 points on
//!   the overall on-time share). Most of those who comment write about the
//!   outage (no connection for three days, no updates); elsewhere a line
//!   drops only now and then. Tickets: December
//!   2025 has [`OUTAGE_TICKETS`] (35%) more tickets than its season and
//!   growth would give, the extra
//!   ones all opened in the north on 2–6 December and mostly faults; north
//!   tickets opened 2–8 December wait twice as long for a first response.
//! - So December 2025 against November 2025 is a clear, significant fall
//!   (the outage), and December 2025 against December 2024 is near flat: a
//!   year of improvement and the outage about cancel out.
//!
//! The default seed, 2034, was picked among 2025–2040 for a draw close to
//! those expectations (the overall NPS, weighted: +11.8 in December 2024,
//! +30.1 in November 2025, +13.1 in December 2025; the north's +33.5 →
//! −26.1). `tests/cli/example_data.rs` measures the plant from the CSV.
//!
//! The customer base ([`crm`]): each survey row's `customer_id` and the CRM
//! extract `crm.csv` (plan, tenure, monthly revenue, churn, recent tickets)
//! come from two further streams of their own, drawn after every other column
//! of the row, so adding them moved no other number: churn and spend follow
//! the NPS group of each customer's latest answer (the planted values are in
//! that module's documentation).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

#[path = "comments.rs"]
mod comments;
#[path = "crm.rs"]
pub mod crm;

/// Survey rows written by default (the committed example data): about 600 a month.
pub const DEFAULT_ROWS: usize = 14_400;
/// Ticket rows written by default: about 300 a month (230–430: growth, season, noise).
pub const DEFAULT_TICKETS: usize = 7_200;
/// The default seed.
pub const DEFAULT_SEED: u64 = 2034;
/// Months of data written by default (January 2024 to December 2025).
pub const DEFAULT_MONTHS: u32 = 24;
/// The first month's year: month index 0 is January of this year.
pub const START_YEAR: i32 = 2024;

/// Latent satisfaction gained by the end of the 2025 improvement programme.
pub const PROGRAMME_LATENT: f64 = 0.38;
/// On-time installation probability gained by the end of the programme.
pub const PROGRAMME_ON_TIME: f64 = 0.08;
/// Month index of the outage: December 2025.
pub const OUTAGE_MONTH: u32 = 23;
/// Index of the outage's region in [`REGIONS`]: `north`.
pub const OUTAGE_REGION: usize = 0;
/// The outage's first and last day (December 2025).
pub const OUTAGE_DAYS: (u32, u32) = (2, 4);
/// Latent satisfaction lost by north respondents after the outage started.
pub const OUTAGE_LATENT: f64 = 0.8;
/// Further loss of the speed attribute's true value for them.
pub const OUTAGE_SPEED: f64 = 0.8;
/// On-time installation probability lost by them (engineers on outage repairs).
pub const OUTAGE_ON_TIME: f64 = 0.15;
/// Extra tickets in December 2025, as a share of its seasonal volume.
pub const OUTAGE_TICKETS: f64 = 0.35;
/// How much lower number porters rate support ease (CES 2.0, 1–7) than
/// others with the same support experience.
pub const PORTER_EASE: f64 = 0.45;
/// Monthly growth of the ticket volume (the customer base grows).
pub const TICKET_GROWTH: f64 = 0.012;
/// Log-sd of the month-to-month noise of the ticket volume.
pub const TICKET_NOISE: f64 = 0.07;

/// The improvement programme's progress in a month: 0 up to December 2024,
/// then linear to 1 in December 2025, 1 after.
pub fn programme(index: u32) -> f64 {
    ((index as f64 - 11.0) / 12.0).clamp(0.0, 1.0)
}

/// Whether a survey answer of region `region` on `day` of month `index`
/// came after the outage started.
pub fn after_outage(index: u32, day: u32, region: usize) -> bool {
    index == OUTAGE_MONTH && region == OUTAGE_REGION && day >= OUTAGE_DAYS.0
}

/// The survey CSV header, shared by every drop file.
pub const SURVEY_HEADER: &str =
    "response_id,customer_id,submitted_at,persona,channel,region,weight,\
q_recommend,q_csat_install,q_ces_support,a_price,a_speed,a_install,a_support,\
installed_on_time,comment,email,phone";

/// The tickets CSV header.
pub const TICKETS_HEADER: &str =
    "ticket_id,opened_at,channel,region,category,first_response_minutes,resolved_first_contact";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Survey rows in total.
    pub rows: usize,
    /// Ticket rows in total.
    pub tickets: usize,
    /// Months covered, starting January [`START_YEAR`].
    pub months: u32,
    /// The seed of both random streams.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rows: DEFAULT_ROWS,
            tickets: DEFAULT_TICKETS,
            months: DEFAULT_MONTHS,
            seed: DEFAULT_SEED,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// Survey rows written.
    pub survey_rows: usize,
    /// Ticket rows written.
    pub ticket_rows: usize,
    /// Customers written to the CRM extract.
    pub crm_rows: usize,
}

/// Writes the project layout: `OUT/survey/YYYY-MM.csv` (one drop file per
/// month, all with the same header) and `OUT/tickets.csv`.
pub fn write_project_data(opts: &Options, out: &Path) -> io::Result<Summary> {
    let survey_dir = out.join("survey");
    fs::create_dir_all(&survey_dir)?;
    let mut sink = MonthlyFiles {
        dir: survey_dir,
        current: None,
        files: Vec::new(),
    };
    let (survey_rows, who) = generate_survey(opts, &mut sink)?;
    sink.finish()?;
    let mut files = sink.files;
    let tickets_path = out.join("tickets.csv");
    let ticket_rows = write_tickets_file(opts, &tickets_path)?;
    files.push(tickets_path);
    let crm_path = out.join("crm.csv");
    let crm_rows = write_crm_file(opts, &who, &crm_path)?;
    files.push(crm_path);
    Ok(Summary {
        files,
        survey_rows,
        ticket_rows,
        crm_rows,
    })
}

/// Writes one big `OUT/survey.csv` (the same rows as the monthly files, in
/// the same order, under one header) and `OUT/tickets.csv`: for benchmarks.
pub fn write_single_file(opts: &Options, out: &Path) -> io::Result<Summary> {
    fs::create_dir_all(out)?;
    let path = out.join("survey.csv");
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    w.write_all(SURVEY_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let mut sink = OneFile { w };
    let (survey_rows, who) = generate_survey(opts, &mut sink)?;
    sink.w.flush()?;
    let tickets_path = out.join("tickets.csv");
    let ticket_rows = write_tickets_file(opts, &tickets_path)?;
    let crm_path = out.join("crm.csv");
    let crm_rows = write_crm_file(opts, &who, &crm_path)?;
    Ok(Summary {
        files: vec![path, tickets_path, crm_path],
        survey_rows,
        ticket_rows,
        crm_rows,
    })
}

fn write_crm_file(opts: &Options, who: &crm::Customers, path: &Path) -> io::Result<usize> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let n = crm::write_crm(who, opts.months, opts.seed, &mut w)?;
    w.flush()?;
    Ok(n)
}

fn write_tickets_file(opts: &Options, path: &Path) -> io::Result<usize> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(TICKETS_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let n = generate_tickets(opts, &mut w)?;
    w.flush()?;
    Ok(n)
}

/// Where survey rows go: told when a month starts, then given its lines.
pub trait SurveySink {
    /// A new month starts (called for every month, even one without rows).
    fn begin_month(&mut self, year: i32, month: u32) -> io::Result<()>;
    /// One CSV line, newline included.
    fn row(&mut self, line: &[u8]) -> io::Result<()>;
}

struct MonthlyFiles {
    dir: PathBuf,
    current: Option<BufWriter<File>>,
    files: Vec<PathBuf>,
}

impl MonthlyFiles {
    fn finish(&mut self) -> io::Result<()> {
        if let Some(mut w) = self.current.take() {
            w.flush()?;
        }
        Ok(())
    }
}

impl SurveySink for MonthlyFiles {
    fn begin_month(&mut self, year: i32, month: u32) -> io::Result<()> {
        self.finish()?;
        let path = self.dir.join(format!("{year:04}-{month:02}.csv"));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        w.write_all(SURVEY_HEADER.as_bytes())?;
        w.write_all(b"\n")?;
        self.current = Some(w);
        self.files.push(path);
        Ok(())
    }

    fn row(&mut self, line: &[u8]) -> io::Result<()> {
        match &mut self.current {
            Some(w) => w.write_all(line),
            None => Err(io::Error::other("row before the first month")),
        }
    }
}

struct OneFile {
    w: BufWriter<File>,
}

impl SurveySink for OneFile {
    fn begin_month(&mut self, _year: i32, _month: u32) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, line: &[u8]) -> io::Result<()> {
        self.w.write_all(line)
    }
}

// ---------------------------------------------------------------------------
// Calendar

/// (year, month 1–12) of a month index counted from January [`START_YEAR`].
pub fn year_month(index: u32) -> (i32, u32) {
    (START_YEAR + (index / 12) as i32, index % 12 + 1)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Splits `total` over the months in proportion to `weight(month index)`,
/// exactly (the remainder goes to the earliest months).
fn allocate(total: usize, months: u32, weight: impl Fn(u32) -> f64) -> Vec<usize> {
    let w: Vec<f64> = (0..months).map(weight).collect();
    let sum: f64 = w.iter().sum();
    let mut counts: Vec<usize> = w
        .iter()
        .map(|x| (total as f64 * x / sum).floor() as usize)
        .collect();
    let mut left = total - counts.iter().sum::<usize>();
    let n = counts.len();
    let mut i = 0;
    while left > 0 {
        counts[i % n] += 1;
        left -= 1;
        i += 1;
    }
    counts
}

// ---------------------------------------------------------------------------
// Random helpers

fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// The keys of a row's own streams (one key each; stream number = row id)
/// and the stream that says who answered: everything a row draws off the
/// main stream.
struct RowKeys {
    comments: [u8; 32],
    attributes: [u8; 32],
    who: crm::Customers,
}

/// The attribute streams' key for a seed (one key; one stream per row id).
pub fn attribute_key(seed: u64) -> [u8; 32] {
    ChaCha8Rng::seed_from_u64(seed ^ 0x6174_7472_6962_7574).get_seed()
}

/// The attribute stream of row `id`: the uninformative part of its speed and
/// installation ratings, independent of the main stream (so of every score)
/// and of every other row. It always gives two numbers, speed's then
/// installation's.
pub fn attribute_stream(key: &[u8; 32], id: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(id as u64);
    rng
}

/// Speed's true value above which a customer rates speed 5: a truly great
/// experience (about one in five).
pub const SPEED_DELIGHT: f64 = 0.85;
/// How everyone else rates speed, 1–4: shares fixed, whatever their true
/// speed or satisfaction (the market's usual 1–4 mix).
pub const SPEED_OTHERWISE: [f64; 4] = [0.04, 0.15, 0.27, 0.54];
/// The same in the north after the outage started: no connection for three
/// days, so mostly 1–2.
pub const SPEED_OUTAGE: [f64; 4] = [0.25, 0.30, 0.27, 0.18];
/// Installation's true value at or below which it failed (late, messy): rated
/// 1 below [`INSTALL_CUTS`]`[0]`, else 2.
pub const INSTALL_CUTS: [f64; 2] = [-1.7, -1.0];
/// How everyone whose installation did not fail rates it, 3–5: shares fixed,
/// whatever their true installation or satisfaction.
pub const INSTALL_OTHERWISE: [f64; 3] = [0.22, 0.53, 0.25];

/// The published speed rating, a *delighter*: 5 marks a truly great
/// experience (true value above [`SPEED_DELIGHT`]) and goes with promoters;
/// below it the rating 1–4 is `u` read through [`SPEED_OTHERWISE`] (or
/// [`SPEED_OUTAGE`]) and says nothing more about the customer. So low raters
/// are no more detractors than middle raters (penalty about 0) while 5s are
/// far more promoters (a large reward).
pub fn published_speed(truth: f64, outage: bool, u: f64) -> u8 {
    if truth > SPEED_DELIGHT {
        5
    } else {
        let shares = if outage {
            &SPEED_OUTAGE
        } else {
            &SPEED_OTHERWISE
        };
        1 + quantile(u, shares) as u8
    }
}

/// The published installation rating, a *basic*: 1–2 mark a real failure
/// (true value at or below [`INSTALL_CUTS`]`[1]`, mostly late installations)
/// and go with detractors; otherwise the rating 3–5 is `u` read through
/// [`INSTALL_OTHERWISE`] and says nothing more. So 1–2 raters are far more
/// detractors than 3–4 raters (a large penalty) while 5s are no more promoters
/// than 3–4s (reward about 0).
pub fn published_install(truth: f64, u: f64) -> u8 {
    if truth > INSTALL_CUTS[1] {
        3 + quantile(u, &INSTALL_OTHERWISE) as u8
    } else {
        rate(truth, &INSTALL_CUTS[..1])
    }
}

/// The index `i` where `u` (in [0, 1)) falls among the shares `p` (summing
/// to 1): the first whose running total exceeds `u`.
fn quantile(u: f64, p: &[f64]) -> usize {
    let mut total = 0.0;
    for (i, w) in p.iter().enumerate() {
        total += w;
        if u < total {
            return i;
        }
    }
    p.len() - 1
}

/// 1 + the number of cut points below `x`: an ordinal rating.
fn rate(x: f64, cuts: &[f64]) -> u8 {
    1 + cuts.iter().filter(|c| x > **c).count() as u8
}

/// Appends one CSV field, quoted when it holds a comma, quote or line break.
fn push_field(buf: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push('"');
        for ch in s.chars() {
            if ch == '"' {
                buf.push('"');
            }
            buf.push(ch);
        }
        buf.push('"');
    } else {
        buf.push_str(s);
    }
}

// ---------------------------------------------------------------------------
// Survey

/// Persona codes as written in the `persona` column.
pub const PERSONAS: [&str; 4] = ["enterprise", "new", "mover", "porter"];
/// Channel codes.
pub const CHANNELS: [&str; 4] = ["web", "app", "shop", "phone"];
/// Region codes.
pub const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
/// Ticket categories.
pub const CATEGORIES: [&str; 6] = ["billing", "installation", "fault", "move", "other", "sales"];

const PERSONA_MIX: [f64; 4] = [0.18, 0.36, 0.26, 0.20];
/// Channel mix per persona (enterprise customers call their account line).
const CHANNEL_MIX: [[f64; 4]; 4] = [
    [0.25, 0.15, 0.05, 0.55],
    [0.40, 0.25, 0.25, 0.10],
    [0.35, 0.30, 0.15, 0.20],
    [0.30, 0.20, 0.25, 0.25],
];
const REGION_MIX: [f64; 4] = [0.27, 0.31, 0.22, 0.20];

/// Latent satisfaction shifts.
const PERSONA_EFFECT: [f64; 4] = [0.40, 0.12, -0.05, -0.50];
const CHANNEL_EFFECT: [f64; 4] = [0.08, 0.18, 0.0, -0.18];
const REGION_EFFECT: [f64; 4] = [0.0, 0.08, 0.03, -0.15];

/// Post-stratification: the sample over-represents new subscribers (invited
/// right after installation) and under-represents enterprise customers.
const PERSONA_WEIGHT: [f64; 4] = [1.45, 0.80, 0.95, 1.10];
const REGION_WEIGHT: [f64; 4] = [1.05, 0.92, 1.00, 1.10];

/// Share of each persona installed in the last 90 days (asked the installation questions).
const RECENT_INSTALL: [f64; 4] = [0.45, 0.96, 0.92, 0.88];

/// Survey responses per month of year: more after the January and September
/// moving peaks, fewer in August.
fn survey_season(index: u32) -> f64 {
    match year_month(index).1 {
        1 => 1.10,
        8 => 0.85,
        9 => 1.15,
        _ => 1.0,
    }
}

/// The latent shift of a month: flat in 2024, the improvement programme
/// through 2025, and the north outage from 2 December 2025.
fn month_effect(index: u32, day: u32, region: usize) -> f64 {
    let mut e = -0.10 + PROGRAMME_LATENT * programme(index);
    if after_outage(index, day, region) {
        e -= OUTAGE_LATENT;
    }
    e
}

/// Generates every survey row, month by month, into `sink`. Returns the row
/// count and who answered (for the CRM extract).
pub fn generate_survey(
    opts: &Options,
    sink: &mut dyn SurveySink,
) -> io::Result<(usize, crm::Customers)> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut keys = RowKeys {
        comments: comments::stream_key(opts.seed),
        attributes: attribute_key(opts.seed),
        who: crm::Customers::new(opts.rows, opts.seed),
    };
    let counts = allocate(opts.rows, opts.months, survey_season);
    let mut line = String::with_capacity(512);
    let mut comment = String::with_capacity(256);
    let mut id = 0usize;
    let mut days: Vec<u32> = Vec::new();
    for (index, &count) in (0..opts.months).zip(&counts) {
        let (year, month) = year_month(index);
        sink.begin_month(year, month)?;
        let dim = days_in_month(year, month);
        days.clear();
        days.extend((0..count).map(|_| rng.random_range(1..=dim)));
        days.sort_unstable();
        for &day in &days {
            id += 1;
            line.clear();
            survey_row(
                &mut rng,
                index,
                (year, month, day),
                id,
                &mut keys,
                &mut line,
                &mut comment,
            );
            sink.row(line.as_bytes())?;
        }
    }
    Ok((id, keys.who))
}

fn survey_row(
    rng: &mut ChaCha8Rng,
    index: u32,
    (year, month, day): (i32, u32, u32),
    id: usize,
    keys: &mut RowKeys,
    line: &mut String,
    comment: &mut String,
) {
    let persona = pick(rng, &PERSONA_MIX);
    let channel = pick(rng, &CHANNEL_MIX[persona]);
    let region = pick(rng, &REGION_MIX);

    let weight = (PERSONA_WEIGHT[persona] * REGION_WEIGHT[region] * (0.12 * normal(rng)).exp())
        .clamp(0.5, 2.0);

    // Latent satisfaction.
    let outage = after_outage(index, day, region);
    let mu = PERSONA_EFFECT[persona]
        + CHANNEL_EFFECT[channel]
        + REGION_EFFECT[region]
        + month_effect(index, day, region);
    let g = mu + normal(rng);

    // Installation: on time less often in the west (engineer shortage), for
    // number porters (the port date drives the slot) and in the north after
    // the outage (engineers on repairs); more often as the 2025 programme
    // goes on.
    let installed = rng.random_bool(RECENT_INSTALL[persona]);
    let mut p_on_time: f64 = 0.84 + PROGRAMME_ON_TIME * programme(index);
    if region == 3 {
        p_on_time -= 0.12;
    }
    if persona == 3 {
        p_on_time -= 0.05;
    }
    if outage {
        p_on_time -= OUTAGE_ON_TIME;
    }
    let on_time = rng.random_bool(p_on_time.clamp(0.0, 1.0));
    let install_shift = match (installed, on_time) {
        (true, true) => 0.25,
        (true, false) => -1.2,
        (false, _) => 0.0,
    };

    // Attribute "true" values, then the outcome.
    let t_price = 0.45 * g + 0.85 * normal(rng) - if persona == 3 { 0.15 } else { 0.0 };
    let t_speed = 0.55 * g + 0.80 * normal(rng) - if outage { OUTAGE_SPEED } else { 0.0 };
    let t_install = 0.40 * g + 0.75 * normal(rng) + install_shift;
    let t_support = 0.55 * g + 0.80 * normal(rng);
    let r = 0.10 * t_price
        + 0.38 * t_speed
        + 0.12 * t_install
        + 0.34 * t_support
        + 0.20 * g
        + 0.65 * normal(rng);

    let recommend = (7.95 + 2.05 * r).round().clamp(0.0, 10.0) as u8;
    let a_price = rate(t_price, &[-1.6, -0.75, -0.05, 1.05]);
    // What speed and installation ratings would be if they followed their
    // true values across the whole scale: only the v0.1 verbatim replay
    // below reads these (it must make the same main-stream draws as before).
    let legacy_speed = rate(t_speed, &[-1.9, -1.05, -0.35, 0.85]);
    let legacy_install = rate(t_install, &[-1.7, -1.0, -0.35, 0.8]);
    // The published ones: speed a delighter, installation a basic, their
    // uninformative part drawn from the row's own attribute stream.
    let mut arng = attribute_stream(&keys.attributes, id);
    let (u_speed, u_install) = (arng.random::<f64>(), arng.random::<f64>());
    let a_speed = published_speed(t_speed, outage, u_speed);
    let a_install = published_install(t_install, u_install);
    let a_support = rate(t_support, &[-1.45, -0.85, -0.2, 0.95]);
    let csat_install = rate(t_install + 0.35 * normal(rng), &[-1.75, -1.05, -0.55, 0.55]);
    // Ease (CES 2.0), asked after the last support contact: "The company
    // made it easy for me to handle my issue", 1 = strongly disagree … 7 =
    // strongly agree (higher is better). Number porters find it harder: a
    // port needs the old provider, the number database and us.
    let ease = (4.95 + 1.25 * (0.85 * t_support + 0.45 * normal(rng))
        - if persona == 3 { PORTER_EASE } else { 0.0 })
    .round()
    .clamp(1.0, 7.0) as u8;

    // Blanks: each question skipped now and then; installation questions
    // only for customers installed in the last 90 days.
    let (price_rating, support_rating, ease_rating) = (a_price, a_support, ease);
    let ask = |rng: &mut ChaCha8Rng, skip: f64| !rng.random_bool(skip);
    let recommend = ask(rng, 0.04).then_some(recommend);
    let csat_install = (installed && ask(rng, 0.06)).then_some(csat_install);
    let ease = ask(rng, 0.08).then_some(ease);
    let a_price = ask(rng, 0.06).then_some(a_price);
    let a_speed = ask(rng, 0.05).then_some(a_speed);
    let a_install = ask(rng, 0.07).then_some(a_install);
    let a_support = ask(rng, 0.06).then_some(a_support);
    let on_time = installed.then_some(on_time);

    // PII: fake addresses (example.com) and Ofcom drama numbers (07700 900xxx).
    let has_email = rng.random_bool(0.88);
    let has_phone = rng.random_bool(0.80);
    let phone_tail = rng.random_range(0..1000u32);

    // Verbatims: detractors write more often than promoters.
    let p_comment = match recommend {
        Some(0..=6) => 0.40,
        Some(7..=8) => 0.24,
        Some(_) => 0.27,
        None => 0.15,
    };
    // Whether there is a comment is still decided here, on the main stream;
    // its text comes from the row's own comment stream.
    comment.clear();
    if rng.random_bool(p_comment) {
        let legacy = LegacyLived {
            persona,
            channel,
            outage,
            installed,
            on_time: on_time == Some(true),
            price: price_rating,
            speed: legacy_speed,
            install: legacy_install,
            support: support_rating,
        };
        replay_legacy_comment_draws(rng, recommend.unwrap_or(7), &legacy);
        let lived = comments::Lived {
            score: recommend,
            persona,
            channel,
            region,
            outage,
            installed,
            on_time: on_time == Some(true),
            price: price_rating,
            // What they lived, on the whole scale (as before the plant):
            // the published speed and installation ratings are partly
            // drawn at random, the comment is not.
            speed: legacy_speed,
            install: legacy_install,
            support: support_rating,
            // The comments think in effort (1 = very low … 7 = very high).
            effort: 8 - ease_rating,
        };
        let mut crng = comments::row_stream(&keys.comments, id);
        comments::write_comment(&mut crng, &lived, id, phone_tail, comment);
    }

    // Who answered: the customer id comes from its own stream.
    let customer = keys.who.answer(persona, region, index, recommend);

    // The line.
    let _ = write!(
        line,
        "R{id:06},{customer},{year:04}-{month:02}-{day:02},{},{},{},{weight:.2},",
        PERSONAS[persona], CHANNELS[channel], REGIONS[region]
    );
    for v in [
        recommend,
        csat_install,
        ease,
        a_price,
        a_speed,
        a_install,
        a_support,
    ] {
        if let Some(v) = v {
            let _ = write!(line, "{v}");
        }
        line.push(',');
    }
    match on_time {
        Some(true) => line.push_str("yes"),
        Some(false) => line.push_str("no"),
        None => {}
    }
    line.push(',');
    push_field(line, comment);
    line.push(',');
    if has_email {
        let _ = write!(line, "user{id}@example.com");
    }
    line.push(',');
    if has_phone {
        let _ = write!(line, "+44 7700 900{phone_tail:03}");
    }
    line.push('\n');
}

/// What a respondent lived through, as the v0.1 verbatim picker saw it.
struct LegacyLived {
    persona: usize,
    channel: usize,
    outage: bool,
    installed: bool,
    on_time: bool,
    price: u8,
    speed: u8,
    install: u8,
    support: u8,
}

/// When a v0.1 verbatim fitted a respondent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fits {
    Anyone,
    Late,
    OnTime,
    PoorInstall,
    Enterprise,
    Mover,
    Porter,
    Shop,
    Outage,
    SlowSpeed,
    FastSpeed,
    PoorSupport,
    GoodSupport,
    PoorPrice,
    GoodPrice,
}

impl Fits {
    fn holds(self, l: &LegacyLived) -> bool {
        match self {
            Fits::Anyone => true,
            Fits::Late => l.installed && !l.on_time,
            Fits::OnTime => l.installed && l.on_time,
            Fits::PoorInstall => l.install <= 2,
            Fits::Enterprise => l.persona == 0,
            Fits::Mover => l.persona == 2,
            Fits::Porter => l.persona == 3,
            Fits::Shop => l.channel == 2,
            Fits::Outage => l.outage,
            Fits::SlowSpeed => l.speed <= 2,
            Fits::FastSpeed => l.speed >= 4,
            Fits::PoorSupport => l.support <= 2,
            Fits::GoodSupport => l.support >= 4,
            Fits::PoorPrice => l.price <= 2,
            Fits::GoodPrice => l.price >= 4,
        }
    }
}

/// A number the v0.1 verbatims drew to fill a placeholder.
#[derive(Clone, Copy)]
enum Draw {
    /// `{days}`: 3–21.
    Days,
    /// `{fee}`: 5 × 6–15.
    Fee,
    /// `{mins}`: 5 × 4–18.
    Mins,
    /// `{name}`: one of 8 names.
    Name,
}

/// The v0.1 verbatim pools (detractors, passives, promoters), reduced to
/// what decided the draws: each verbatim's fit and its placeholders' draws.
const LEGACY_DETRACTOR: [(Fits, &[Draw]); 20] = [
    (Fits::Late, &[]),
    (Fits::SlowSpeed, &[]),
    (Fits::Late, &[Draw::Days]),
    (Fits::PoorPrice, &[]),
    (Fits::Shop, &[Draw::Fee]),
    (Fits::PoorSupport, &[Draw::Mins]),
    (Fits::Porter, &[]),
    (Fits::PoorSupport, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Mover, &[]),
    (Fits::PoorSupport, &[]),
    (Fits::SlowSpeed, &[]),
    (Fits::Outage, &[]),
    (Fits::PoorPrice, &[]),
    (Fits::PoorInstall, &[]),
];
const LEGACY_PASSIVE: [(Fits, &[Draw]); 13] = [
    (Fits::Anyone, &[]),
    (Fits::Late, &[Draw::Mins]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::Shop, &[]),
    (Fits::FastSpeed, &[]),
    (Fits::Mover, &[]),
    (Fits::Porter, &[Draw::Days]),
    (Fits::Outage, &[]),
];
const LEGACY_PROMOTER: [(Fits, &[Draw]); 14] = [
    (Fits::OnTime, &[Draw::Name]),
    (Fits::Anyone, &[]),
    (Fits::FastSpeed, &[]),
    (Fits::Porter, &[]),
    (Fits::Mover, &[]),
    (Fits::GoodSupport, &[Draw::Name]),
    (Fits::GoodPrice, &[]),
    (Fits::Anyone, &[]),
    (Fits::Anyone, &[]),
    (Fits::FastSpeed, &[]),
    (Fits::Shop, &[]),
    (Fits::Enterprise, &[]),
    (Fits::Anyone, &[]),
    (Fits::Enterprise, &[]),
];

/// Makes, on the main stream, exactly the draws the v0.1 verbatim picker
/// made (which verbatim, then its placeholders' numbers) and throws them
/// away. The comment text now comes from its own stream ([`comments`]), and
/// this replay keeps every later draw of the main stream, so every score of
/// every row, where it was: the committed scores and the narrative page's
/// numbers did not move when the comments were rewritten.
fn replay_legacy_comment_draws(rng: &mut ChaCha8Rng, score: u8, lived: &LegacyLived) {
    let pool: &[(Fits, &[Draw])] = match score {
        0..=6 => &LEGACY_DETRACTOR,
        7..=8 => &LEGACY_PASSIVE,
        _ => &LEGACY_PROMOTER,
    };
    let specific = pool
        .iter()
        .filter(|(f, _)| *f != Fits::Anyone && f.holds(lived))
        .count();
    let generic = pool.iter().filter(|(f, _)| *f == Fits::Anyone).count();
    let (want_specific, mut k) = if specific > 0 && rng.random_bool(0.6) {
        (true, rng.random_range(0..specific))
    } else {
        (false, rng.random_range(0..generic))
    };
    for (f, draws) in pool {
        let candidate = if want_specific {
            *f != Fits::Anyone && f.holds(lived)
        } else {
            *f == Fits::Anyone
        };
        if !candidate {
            continue;
        }
        if k > 0 {
            k -= 1;
            continue;
        }
        // The types of v0.1's integer literals (i32) and name index (usize):
        // the same types make the same draws.
        for d in *draws {
            match d {
                Draw::Days => {
                    let _: i32 = rng.random_range(3..=21);
                }
                Draw::Fee => {
                    let _: i32 = rng.random_range(6..=15);
                }
                Draw::Mins => {
                    let _: i32 = rng.random_range(4..=18);
                }
                Draw::Name => {
                    let _: usize = rng.random_range(0..8);
                }
            }
        }
        return;
    }
}

// ---------------------------------------------------------------------------
// Tickets

const TICKET_CHANNEL_MIX: [f64; 4] = [0.23, 0.22, 0.10, 0.45];
/// Category mix: billing, installation, fault, move, other, and sales
/// (pre-sale enquiries: coverage, packages, prices, orders).
const TICKET_CATEGORY_MIX: [f64; 6] = [0.22, 0.17, 0.22, 0.08, 0.06, 0.25];
/// First-response time: median minutes and log-sd per channel.
const RESPONSE_MEDIAN: [f64; 4] = [40.0, 28.0, 12.0, 6.0];
const RESPONSE_SIGMA: [f64; 4] = [1.0, 1.0, 0.8, 0.9];
/// First-contact resolution rate per category.
const FCR: [f64; 6] = [0.82, 0.58, 0.62, 0.70, 0.80, 0.74];
/// Ticket volume by calendar month: the January and September moving and
/// switching peaks, April's price-rise letters (billing), a quiet summer
/// and a quieter Christmas.
const TICKET_SEASON: [f64; 12] = [
    1.12, 0.98, 1.00, 1.10, 0.94, 0.92, 0.93, 0.88, 1.16, 1.04, 1.00, 0.90,
];

/// Ticket volume of a month, before sampling: a growing customer base, the
/// season, a month's own noise (`noise`, a standard normal drawn once per
/// month) and the December 2025 outage's extra tickets.
fn ticket_weight(index: u32, noise: f64) -> f64 {
    let season = TICKET_SEASON[year_month(index).1 as usize - 1];
    let growth = 1.0 + TICKET_GROWTH * f64::from(index);
    let outage = if index == OUTAGE_MONTH {
        1.0 + OUTAGE_TICKETS
    } else {
        1.0
    };
    season * growth * outage * (TICKET_NOISE * noise).exp()
}

/// Generates every ticket row into `w`. Returns the row count.
pub fn generate_tickets(opts: &Options, w: &mut dyn Write) -> io::Result<usize> {
    // A second, independent stream: the ticket count never shifts the survey.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x7469_636b_6574_7321);
    let noise: Vec<f64> = (0..opts.months).map(|_| normal(&mut rng)).collect();
    let counts = allocate(opts.tickets, opts.months, |i| {
        ticket_weight(i, noise[i as usize])
    });
    let mut line = String::with_capacity(128);
    let mut id = 0usize;
    // (day, minute of the day, opened because of the outage)
    let mut stamps: Vec<(u32, u32, bool)> = Vec::new();
    for (index, &count) in (0..opts.months).zip(&counts) {
        let (year, month) = year_month(index);
        let dim = days_in_month(year, month);
        let r = programme(index);
        // The outage's extra tickets: the month's count above its season.
        let extra = if index == OUTAGE_MONTH {
            count - (count as f64 / (1.0 + OUTAGE_TICKETS)).round() as usize
        } else {
            0
        };
        stamps.clear();
        for i in 0..count {
            let caused = i < extra;
            let day = if caused {
                rng.random_range(OUTAGE_DAYS.0..=OUTAGE_DAYS.1 + 2)
            } else {
                rng.random_range(1..=dim)
            };
            // Contact-centre hours: mostly 08:00–21:59, a few overnight.
            let hour = if rng.random_bool(0.94) {
                rng.random_range(8..22)
            } else {
                rng.random_range(0..24)
            };
            stamps.push((day, hour * 60 + rng.random_range(0..60), caused));
        }
        stamps.sort_unstable();
        for &(day, minute, caused) in &stamps {
            id += 1;
            let channel = pick(&mut rng, &TICKET_CHANNEL_MIX);
            let region = if caused {
                OUTAGE_REGION
            } else {
                pick(&mut rng, &REGION_MIX)
            };
            let mut cat_mix = TICKET_CATEGORY_MIX;
            if caused {
                cat_mix[2] += 1.5;
            }
            if region == 3 {
                cat_mix[1] += 0.10;
            }
            match month {
                // The mid-contract price rise is announced in April.
                4 => cat_mix[0] += 0.12,
                // New customers shop around after Christmas and in September.
                1 | 9 => cat_mix[5] += 0.10,
                _ => {}
            }
            let category = pick(&mut rng, &cat_mix);
            let mut median = RESPONSE_MEDIAN[channel] * (1.10 - 0.20 * r);
            // The north's queue during the outage and its backlog (2–8 December).
            if index == OUTAGE_MONTH
                && region == OUTAGE_REGION
                && (OUTAGE_DAYS.0..=OUTAGE_DAYS.1 + 4).contains(&day)
            {
                median *= 2.0;
            }
            let minutes = (median.ln() + RESPONSE_SIGMA[channel] * normal(&mut rng)).exp();
            let minutes = (minutes * 10.0).round().max(1.0) / 10.0;
            let mut p_fcr = FCR[category] + 0.05 * r;
            if minutes > 60.0 {
                p_fcr -= 0.10;
            }
            let fcr = rng.random_bool(p_fcr.clamp(0.0, 1.0));

            line.clear();
            let _ = writeln!(
                line,
                "T{id:06},{year:04}-{month:02}-{day:02}T{:02}:{:02}:00,{},{},{},{minutes:.1},{}",
                minute / 60,
                minute % 60,
                CHANNELS[channel],
                REGIONS[region],
                CATEGORIES[category],
                if fcr { "yes" } else { "no" },
            );
            w.write_all(line.as_bytes())?;
        }
    }
    Ok(id)
}
