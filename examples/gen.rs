//! Seeded generator of the example project's data.
//!
//! ```text
//! cargo run --release --example gen -- [--rows N] [--tickets N] [--out DIR]
//!                                      [--seed S] [--months M] [--single-file]
//! ```
//!
//! With no arguments it rewrites exactly the committed data in
//! `example-project/data/`: `survey/2024-01.csv` … `survey/2025-12.csv` (24
//! months), `tickets.csv` and `crm.csv` (the CRM extract: one row per
//! customer of a base of 10 customers per 9 survey rows). `--months M` counts
//! from January 2024. `--single-file` writes `DIR/survey.csv` (one file, the
//! same rows in the same order), `DIR/tickets.csv` and `DIR/crm.csv` instead,
//! for benchmarks: `--rows 2000000 --single-file --out /tmp/big`. `--narrow` writes
//! instead a whole benchmark project of short survey rows (~88 bytes: see `gen/narrow.rs`)
//! under DIR: `--narrow --rows 2000000 --months 12 --out /tmp/narrow`.
//!
//! `--zh` writes the Chinese example's survey instead
//! (`example-project-zh/data/survey.csv`, GBK; `--out`, `--rows` and `--seed`
//! apply, defaults 6000 rows and seed 2025): see `gen/zh.rs`.

#[path = "gen/lib.rs"]
mod generator;
#[path = "gen/narrow.rs"]
mod narrow;
#[path = "gen/zh.rs"]
mod zh;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
usage: gen [--rows N] [--tickets N] [--out DIR] [--seed S] [--months M] [--single-file]

  --rows N        survey rows in total (default 14400; the CRM base: 10 per 9 rows)
  --tickets N     ticket rows in total (default 7200)
  --out DIR       output folder (default: example-project/data of this crate)
  --seed S        random seed (default 2034)
  --months M      months of data from January 2024 (default 24: to December 2025)
  --single-file   write DIR/survey.csv (one file) instead of DIR/survey/YYYY-MM.csv
  --zh            write the Chinese example's GBK survey (default DIR: example-project-zh/data,
                  default rows 6000, default seed 2025)
  --narrow        write a benchmark project of ~88-byte survey rows under DIR (issue 19)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("gen: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Io(e)) => {
            eprintln!("gen: {e}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Io(std::io::Error),
}

fn run() -> Result<(), Failure> {
    let mut opts = generator::Options::default();
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-project/data");
    let mut single = false;
    let mut chinese = false;
    let (mut rows, mut seed, mut out_set) = (None, None, false);
    let mut narrow = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--rows" => rows = Some(number(&value("--rows")?, "--rows")?),
            "--tickets" => opts.tickets = number(&value("--tickets")?, "--tickets")?,
            "--seed" => seed = Some(number(&value("--seed")?, "--seed")?),
            "--months" => {
                opts.months = number(&value("--months")?, "--months")?;
                if opts.months == 0 {
                    return Err(Failure::Usage("--months must be at least 1".into()));
                }
            }
            "--out" => {
                out = PathBuf::from(value("--out")?);
                out_set = true;
            }
            "--single-file" => single = true,
            "--zh" => chinese = true,
            "--narrow" => narrow = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(Failure::Usage(format!("unknown argument `{other}`"))),
        }
    }

    let start = Instant::now();
    if chinese {
        if !out_set {
            out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-project-zh/data");
        }
        let (rows, seed) = (rows.unwrap_or(zh::ZH_ROWS), seed.unwrap_or(zh::ZH_SEED));
        let summary = zh::write_zh_data(&out, seed, rows).map_err(Failure::Io)?;
        eprintln!(
            "gen: {} survey rows (GBK) in {} ({:.2} s, seed {seed})",
            summary.rows,
            summary.path.display(),
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    if let Some(rows) = rows {
        opts.rows = rows;
    }
    if let Some(seed) = seed {
        opts.seed = seed;
    }
    if narrow {
        let written = narrow::write_narrow_project(opts.rows, opts.months, opts.seed, &out)
            .map_err(Failure::Io)?;
        eprintln!(
            "gen: narrow project, {} survey rows ({:.1} bytes a row) under {} ({:.2} s, seed {})",
            written.rows,
            written.bytes as f64 / written.rows.max(1) as f64,
            out.display(),
            start.elapsed().as_secs_f64(),
            opts.seed
        );
        return Ok(());
    }
    let summary = if single {
        generator::write_single_file(&opts, &out)
    } else {
        generator::write_project_data(&opts, &out)
    }
    .map_err(Failure::Io)?;
    eprintln!(
        "gen: {} survey rows, {} tickets and {} customers in {} files under {} ({:.2} s, seed {})",
        summary.survey_rows,
        summary.ticket_rows,
        summary.crm_rows,
        summary.files.len(),
        out.display(),
        start.elapsed().as_secs_f64(),
        opts.seed
    );
    Ok(())
}

fn number<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, Failure> {
    text.parse()
        .map_err(|_| Failure::Usage(format!("{name}: `{text}` is not a whole number")))
}
