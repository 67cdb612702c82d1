//! The narrow-row benchmark shape (issue 19): a whole buildable project whose survey has the
//! rows surveys really have, not the example's wide ones.
//!
//! Each row is about 88 bytes: a response id, an ISO date, three segment columns (one with
//! Chinese keys), seven small integer answers, a four-decimal weight and a short comment that is
//! blank in about half the rows and otherwise often quoted, with embedded quotes, commas and
//! newlines. The project has four indicators (two NPS, one with a `where`; CSAT top-2; CES mean),
//! the three segments and a four-attribute driver analysis — the workload `bench/run.py --shape
//! narrow` times against DuckDB computing the same aggregates (`bench/duckdb_reference.py
//! --shape narrow`).
//!
//! Only std, rand and rand_chacha are used; the output depends only on the seed and the row
//! count.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The project's definitions: the same aggregates as `bench/duckdb_reference.py --shape narrow`.
const CONFIG: &str = "\
# The narrow-row benchmark project (examples/gen/narrow.rs): four indicators, three segments,
# a four-attribute driver analysis over one CSV of short rows.
title: Narrow-row benchmark
client: Benchmark
language: en
period: month
confidence: 0.95
min_n: 30
datasets:
  survey:
    path: data/survey.csv
    date: { column: answered }
    weight: w
    segments: [region, channel, city]
    comments: comment
drivers:
  - dataset: survey
    outcome: nps
    label: Likelihood to recommend
    scale: [1, 5]
    attributes: { a1: Price, a2: Speed, a3: Installation, a4: Support }
";

const INDICATORS: &str = "\
- id: nps
  name: Net Promoter Score
  kind: kci
  dataset: survey
  metric: nps
  column: nps
  target: 20
  thresholds: { amber: 10 }
  unit: points
- id: nps-digital
  name: NPS, digital channels
  kind: kci
  dataset: survey
  metric: nps
  column: nps
  where: { channel: [web, app] }
  target: 20
  thresholds: { amber: 10 }
  unit: points
- id: csat
  name: Satisfaction
  kind: kci
  dataset: survey
  metric: csat
  column: csat
  target: 70
  thresholds: { amber: 60 }
  unit: \"%\"
- id: ces
  name: Customer effort
  kind: kci
  dataset: survey
  metric: ces
  column: ces
  mode: mean
  target: 5
  thresholds: { amber: 4.5 }
  unit: points
";

const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const CHANNELS: [&str; 3] = ["web", "app", "shop"];
const CITIES: [&str; 6] = ["北京", "上海", "广州", "深圳", "成都", "杭州"];

/// Short comments; the ones with quotes, commas or newlines are written quoted (RFC 4180).
const COMMENTS: [&str; 12] = [
    "fast and easy to set up, the app told me everything",
    "the \"fibre\" box died twice this month, had to reboot it",
    "slow, in the evenings mostly, fine in the morning",
    "engineer was late by three hours\nbut friendly and quick",
    "price went up again without any warning at all",
    "网速很快，安装师傅很专业，非常满意这次服务",
    "support said \"wait 48h\" and then nobody called back",
    "ok I suppose, nothing special to report here",
    "setup took ages, app crashed when I paid the bill",
    "客服态度好，但是等太久了，希望改进一下",
    "no complaints, works as promised every single day",
    "bill was wrong\ntwice, refund took six weeks to arrive",
];

/// What the narrow mode wrote.
pub struct NarrowSummary {
    /// Survey rows written.
    pub rows: usize,
    /// Bytes of data/survey.csv.
    pub bytes: u64,
}

/// Writes the narrow-row project under `out`: cxscore.yaml, indicators/narrow.yaml and
/// data/survey.csv with `rows` rows over `months` months from January 2025.
pub fn write_narrow_project(
    rows: usize,
    months: u32,
    seed: u64,
    out: &Path,
) -> io::Result<NarrowSummary> {
    fs::create_dir_all(out.join("indicators"))?;
    fs::create_dir_all(out.join("data"))?;
    fs::write(out.join("cxscore.yaml"), CONFIG)?;
    fs::write(out.join("indicators/narrow.yaml"), INDICATORS)?;
    let path = out.join("data/survey.csv");
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    w.write_all(b"id,answered,region,channel,city,nps,csat,ces,a1,a2,a3,a4,w,comment\n")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e61_7272_6f77);
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        line.clear();
        let month = (i as u64 * months as u64 / rows.max(1) as u64) as u32;
        let day = rng.random_range(1..=28u32);
        let region = rng.random_range(0..REGIONS.len());
        let channel = rng.random_range(0..CHANNELS.len());
        let city = rng.random_range(0..CITIES.len());
        // A latent satisfaction drives the answers, so the drivers have something to find.
        let g: f64 = rng.random::<f64>() + rng.random::<f64>() - 1.0 + 0.05 * region as f64;
        let attr = |rng: &mut ChaCha8Rng| -> u32 {
            (3.0 + 1.6 * g + rng.random::<f64>() * 2.0 - 1.0)
                .round()
                .clamp(1.0, 5.0) as u32
        };
        let (a1, a2, a3, a4) = (
            attr(&mut rng),
            attr(&mut rng),
            attr(&mut rng),
            attr(&mut rng),
        );
        let nps = (7.0 + 2.5 * g + 0.3 * (a2 + a4) as f64 - 2.4 + rng.random::<f64>() * 2.0 - 1.0)
            .round()
            .clamp(0.0, 10.0) as u32;
        let csat = attr(&mut rng);
        let ces = (4.5 + 2.0 * g + rng.random::<f64>() * 2.0 - 1.0)
            .round()
            .clamp(1.0, 7.0) as u32;
        let weight = 0.5 + rng.random::<f64>() * 1.5;
        use std::fmt::Write as _;
        let _ = write!(
            line,
            "R{:07},2025-{:02}-{:02},{},{},{},{},{},{},{},{},{},{},{:.4},",
            i + 1,
            month % 12 + 1,
            day,
            REGIONS[region],
            CHANNELS[channel],
            CITIES[city],
            nps,
            csat,
            ces,
            a1,
            a2,
            a3,
            a4,
            weight
        );
        if rng.random::<f64>() < 0.55 {
            let text = COMMENTS[rng.random_range(0..COMMENTS.len())];
            if text.contains(['"', ',', '\n']) {
                line.push('"');
                line.push_str(&text.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(text);
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    drop(w);
    Ok(NarrowSummary {
        rows,
        bytes: fs::metadata(&path)?.len(),
    })
}
