//! The command line: clap definitions, printing, and the mapping of outcomes to exit codes.
//!
//! Exit codes (SPEC §3): 0 success; 1 the project or its data is invalid; 2
//! usage error (clap's own); 3 the `--fail-on` gate tripped. stdout carries
//! data (`check --format json`), stderr diagnostics and the summary line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::metrics::computed::{Computed, Status};
use crate::pipeline;
use crate::project::model::Language;
use crate::site::format::number;

/// cxscore: customer-experience scorecards as code. Definitions in YAML, data
/// in CSV, one command to a static site of scorecards and charts.
#[derive(Debug, Parser)]
#[command(name = "cxscore", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site: validate, compute every indicator, render, write atomically.
    Build {
        /// The project folder (holding cxscore.yaml).
        #[arg(default_value = ".")]
        project: PathBuf,
        /// Where to write the site (default: PROJECT/_site). Replaced atomically.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// A previous run's metrics.json to compare with (overrides `baseline:` of cxscore.yaml).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Print per-stage timings.
        #[arg(short, long)]
        verbose: bool,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
        /// Also print report.html to report.pdf with a headless Chromium (found on
        /// PATH, or named by CXSCORE_CHROMIUM). Without one the site is still
        /// written and the build exits 1 saying how to install it.
        #[arg(long)]
        pdf: bool,
        /// The site's language, overriding `language:` in cxscore.yaml.
        #[arg(long, value_enum, value_name = "LANG")]
        language: Option<Lang>,
        /// Read every data file again, neither using nor updating the build
        /// cache in PROJECT/.cxscore/cache (also: CXSCORE_NO_CACHE=1).
        #[arg(long)]
        no_cache: bool,
    },
    /// Validate and compute; write nothing. Exit 3 when the gate trips.
    Check {
        /// The project folder (holding cxscore.yaml).
        #[arg(default_value = ".")]
        project: PathBuf,
        /// Exit with code 3 when any indicator's overall status is this level or worse
        /// (`red`, `amber`), or, with `coverage`, when there is any coverage warning.
        #[arg(long, value_name = "LEVEL")]
        fail_on: Option<Gate>,
        /// How to print findings: text (for people), json (for machines), github (Actions annotations).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Serve the site on 127.0.0.1, rebuild on every change and reload open pages.
    Serve {
        /// The project folder (holding cxscore.yaml).
        #[arg(default_value = ".")]
        project: PathBuf,
        /// The port on 127.0.0.1 (0: any free port; the URL is printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Open the site in `$BROWSER`, or else the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Create a new, buildable project in DIR (which must be new or empty).
    Init {
        /// The folder to create.
        dir: PathBuf,
        /// The language of the project's words and of its site.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        language: Lang,
    },
    /// Write the JSON Schema of every YAML file of a project, for editors.
    Schema {
        /// Where to write the schemas (default: ./.cxscore/schema, where `init` puts them).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Work on the codebook of comment topics (topics/*.yaml).
    #[command(subcommand)]
    Topics(TopicsCommand),
}

/// The subcommands of `topics`.
#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// Print the words and two-word phrases that best tell detractors'
    /// comments from promoters' (the start of a codebook); write nothing.
    Suggest {
        /// The project folder (holding cxscore.yaml).
        #[arg(default_value = ".")]
        project: PathBuf,
        /// The dataset to read (default: the first, by id, with comments and an NPS indicator).
        #[arg(long, value_name = "ID")]
        dataset: Option<String>,
        /// How many terms each list shows at most.
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
    },
}

/// The `--fail-on` level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Gate {
    /// Trip on red only.
    Red,
    /// Trip on amber or red.
    Amber,
    /// Trip on any coverage warning (SPEC §10: a stage or moment of truth
    /// without an indicator, a red indicator without an open action).
    Coverage,
}

/// `init --language` and `build --language`: the languages the theme speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    #[value(name = "zh-CN")]
    ZhCn,
}

impl From<Lang> for Language {
    fn from(l: Lang) -> Language {
        match l {
            Lang::En => Language::En,
            Lang::ZhCn => Language::ZhCn,
        }
    }
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: error: message; hint` lines.
    Text,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
}

/// Exit code: the project or its data is invalid.
const INVALID: u8 = 1;
/// Exit code: a usage error (clap's own, and a request the project cannot answer).
const USAGE: u8 = 2;
/// Exit code: the `--fail-on` gate tripped.
const GATE: u8 = 3;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build {
            project,
            out,
            baseline,
            verbose,
            quiet,
            pdf,
            language,
            no_cache,
        } => {
            let options = pipeline::BuildOptions {
                language: language.map(Language::from),
                baseline,
                no_cache,
                cache_read_only: false,
            };
            build(&project, out.as_deref(), &options, verbose, quiet, pdf)
        }
        Command::Check {
            project,
            fail_on,
            format,
        } => check(&project, fail_on, format),
        Command::Serve {
            project,
            port,
            open,
        } => match crate::serve::serve(&project, port, open) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(INVALID)
            }
        },
        Command::Init { dir, language } => init(&dir, language),
        Command::Schema { out } => schema(out.as_deref()),
        Command::Topics(TopicsCommand::Suggest {
            project,
            dataset,
            top,
        }) => suggest(&project, crate::suggest::Options { dataset, top }),
    }
}

/// `topics suggest`: the lists on stdout; the project's problems, a usage
/// error or the summary on stderr. Exit 1 as `check` for an invalid project,
/// 2 when the dataset asked for (or any) cannot be compared.
fn suggest(project: &Path, options: crate::suggest::Options) -> ExitCode {
    use crate::suggest::{report, SuggestError};
    let mut diags = Diagnostics::new();
    let result = crate::suggest::suggest(project, &options, &mut diags);
    print_text(&diags.sorted(), false);
    match result {
        Ok(found) => {
            print_line(report::lists(&found).trim_end());
            eprintln!("{}", report::summary(&found));
            ExitCode::SUCCESS
        }
        Err(SuggestError::Invalid) => {
            eprintln!("error: {} problem(s) found", diags.error_count());
            ExitCode::from(INVALID)
        }
        Err(SuggestError::Usage { message, hint }) => {
            eprintln!("error: {message}\nhint: {hint}");
            ExitCode::from(USAGE)
        }
    }
}

fn init(dir: &Path, language: Lang) -> ExitCode {
    let tag = match language {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    match crate::init::init(dir, tag) {
        Ok(files) => {
            eprintln!(
                "created a new {tag} project in {} ({} files)",
                dir.display(),
                files.len()
            );
            eprintln!(
                "next: `cxscore serve {0}` to see it live, or `cxscore build {0}`",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("hint: name a new folder, e.g. `cxscore init my-project`");
            ExitCode::from(INVALID)
        }
    }
}

fn schema(out: Option<&Path>) -> ExitCode {
    let dir = out.unwrap_or(Path::new(crate::schema::SCHEMA_DIR));
    match crate::schema::write_schemas(dir) {
        Ok(files) => {
            for f in files {
                print_line(&f.display().to_string());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the schemas into {}: {e}",
                dir.display()
            );
            ExitCode::from(INVALID)
        }
    }
}

fn build(
    project: &Path,
    out: Option<&Path>,
    options: &pipeline::BuildOptions,
    verbose: bool,
    quiet: bool,
    pdf: bool,
) -> ExitCode {
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    crate::progress::enable(!quiet);
    let result = pipeline::build_with(project, out, options, &mut diags);
    print_text(&diags.sorted(), quiet);
    match result {
        Ok(Some(report)) => {
            if verbose {
                print_timings(&report);
            }
            if !quiet {
                eprintln!(
                    "built {} pages, {} indicators, {} rows ({} rejected) in {:.2} s → {}",
                    report.pages,
                    report.indicators,
                    number(report.rows as f64, 0),
                    number(report.rejected as f64, 0),
                    started.elapsed().as_secs_f64(),
                    report.out.display()
                );
                if let Some(changes) = &report.changes {
                    eprintln!("{}", changes_line(changes));
                }
            }
            if pdf {
                return print_pdf(&report.out, quiet);
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!(
                "error: {} problem(s) found; nothing was written, the previous site is untouched",
                diags.error_count()
            );
            ExitCode::from(INVALID)
        }
        Err(e) => {
            eprintln!("{}", e.report_line());
            eprintln!("nothing was written; the previous site is untouched");
            ExitCode::from(INVALID)
        }
    }
}

/// `build -v`: each stage's wall time; under `render`, each template's pages
/// and time summed over the threads that rendered them (slowest first).
fn print_timings(report: &pipeline::BuildReport) {
    for (stage, took) in &report.timings {
        eprintln!("  {stage}: {:.3} s", took.as_secs_f64());
        if *stage == "render" && !report.templates.is_empty() {
            eprintln!("    per template, CPU time summed across threads (a page's views and charts included):");
            for t in &report.templates {
                let charts = if t.charts.is_zero() {
                    String::new()
                } else {
                    format!(" (charts {:.3} s)", t.charts.as_secs_f64())
                };
                eprintln!(
                    "    {}: {} {}, {:.3} s{charts}",
                    t.template,
                    t.pages,
                    t.unit(),
                    t.time.as_secs_f64()
                );
            }
        }
    }
}

/// One line on the comparison with the baseline, for the summary.
fn changes_line(changes: &crate::baseline::Changes) -> String {
    use crate::baseline::ChangeKind;
    let count = |k: ChangeKind| changes.indicators.iter().filter(|c| c.kind == k).count();
    let significant = (changes.indicators.iter())
        .filter(|c| c.significant == Some(true))
        .count();
    format!(
        "since {}: {significant} significant changes, {} new, {} redefined, {} removed (whats-changed.html)",
        changes.baseline,
        count(ChangeKind::Added),
        count(ChangeKind::Redefined),
        changes.removed.len()
    )
}

/// `build --pdf`, after the site is written: exit 1 when no PDF could be made.
fn print_pdf(site: &Path, quiet: bool) -> ExitCode {
    let html = site.join(crate::site::pages::report::PATH);
    let pdf = site.join("report.pdf");
    let printed = crate::site::pdf::find_browser()
        .ok_or(crate::site::pdf::PdfError::NoBrowser)
        .and_then(|browser| crate::site::pdf::print(&browser, &html, &pdf));
    match printed {
        Ok(()) => {
            if !quiet {
                eprintln!("printed {}", pdf.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(INVALID)
        }
    }
}

fn check(project: &Path, fail_on: Option<Gate>, format: Format) -> ExitCode {
    let mut diags = Diagnostics::new();
    crate::progress::enable(format == Format::Text);
    let checked = pipeline::check(project, &mut diags);
    let all = diags.sorted();
    let tripped: Vec<&str> = checked
        .as_ref()
        .map(|c| gate_failures(&c.computed, fail_on))
        .unwrap_or_default();
    match format {
        Format::Text => {
            print_text(&all, false);
            if let Some(c) = &checked {
                eprintln!(
                    "checked {} indicators on the window {}: {}",
                    c.computed.indicators.len(),
                    c.computed.project.window.label,
                    status_summary(&c.computed)
                );
            }
            for id in &tripped {
                if fail_on == Some(Gate::Coverage) {
                    eprintln!("gate: coverage gap `{id}` (--fail-on coverage)");
                } else {
                    eprintln!("gate: indicator `{id}` is at or below the --fail-on level");
                }
            }
        }
        Format::Json => print_line(&json_report(
            &all,
            checked.as_ref().map(|c| &c.computed),
            &tripped,
        )),
        Format::Github => {
            for d in &all {
                print_line(&github_annotation(d, project));
            }
        }
    }
    if checked.is_none() || diags.has_errors() {
        ExitCode::from(INVALID)
    } else if !tripped.is_empty() {
        ExitCode::from(GATE)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes a line of data to stdout. A reader that closed the pipe early
/// (`cxscore check --format json | head`) wanted no more: that is not an
/// error, and never a panic (which `println!` would be).
fn print_line(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Ids of indicators whose status on the window is at or worse than the gate;
/// with `--fail-on coverage`, the ids of the coverage gaps.
fn gate_failures(computed: &Computed, gate: Option<Gate>) -> Vec<&str> {
    let Some(gate) = gate else { return Vec::new() };
    if gate == Gate::Coverage {
        return computed.coverage.iter().map(|c| c.id.as_str()).collect();
    }
    computed
        .indicators
        .iter()
        .filter(|i| {
            matches!(
                (gate, i.estimate.status),
                (_, Status::Red) | (Gate::Amber, Status::Amber)
            )
        })
        .map(|i| i.id.as_str())
        .collect()
}

fn status_summary(computed: &Computed) -> String {
    let count = |s: Status| {
        computed
            .indicators
            .iter()
            .filter(|i| i.estimate.status == s)
            .count()
    };
    format!(
        "{} green, {} amber, {} red, {} suppressed, {} without target",
        count(Status::Green),
        count(Status::Amber),
        count(Status::Red),
        count(Status::Suppressed),
        count(Status::None)
    )
}

fn print_text(all: &[Diagnostic], quiet: bool) {
    for d in all {
        if quiet && d.severity == Severity::Warning {
            continue;
        }
        eprintln!("{d}");
    }
}

fn json_report(all: &[Diagnostic], computed: Option<&Computed>, tripped: &[&str]) -> String {
    let findings: Vec<serde_json::Value> = all
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.location.file.to_string_lossy().replace('\\', "/"),
                "line": d.location.line,
                "column": d.location.column,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    let statuses: Vec<serde_json::Value> = computed
        .map(|c| {
            c.indicators
                .iter()
                .map(|i| serde_json::json!({ "id": i.id, "window": i.window.label, "status": i.estimate.status, "value": i.estimate.value }))
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({ "findings": findings, "indicators": statuses, "gate_failures": tripped })
        .to_string()
}

/// A GitHub Actions annotation; its message must not contain raw newlines or `%`.
///
/// GitHub places annotations by paths from the repository root, where CI runs:
/// a project-relative path gets the PROJECT argument in front
/// (`example-project/indicators/core.yaml`) when that names the file.
fn github_annotation(d: &Diagnostic, project: &Path) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let in_project = project.join(&d.location.file);
    let shown = if d.location.file.is_relative() && in_project.exists() {
        in_project
            .strip_prefix(".")
            .unwrap_or(&in_project)
            .to_path_buf()
    } else {
        d.location.file.clone()
    };
    let file = escape(&shown.to_string_lossy().replace('\\', "/")).replace(',', "%2C");
    let mut props = format!("file={file}");
    if d.location.line > 0 {
        props.push_str(&format!(",line={}", d.location.line));
    }
    if d.location.column > 0 {
        props.push_str(&format!(",col={}", d.location.column));
    }
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str("; ");
        message.push_str(h);
    }
    format!("::{level} {props}::{}", escape(&message))
}
