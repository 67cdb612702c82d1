//! Test-only builders: a hand-made [`Project`] over CSV text in a temp folder.
//!
//! The compute stage takes a validated project; building one through the YAML
//! loader would couple these tests to another stage, so they build the model
//! types directly.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tempfile::TempDir;

use crate::diag::{Diagnostics, Location};
use crate::metrics::computed::{Computed, IndicatorResult};
use crate::project::model::*;

/// A column reference written at `indicators/test.yaml:line:5`.
pub fn col(name: &str, line: u32) -> ColumnRef {
    ColumnRef {
        name: name.into(),
        location: Location::at("indicators/test.yaml", line, 5),
    }
}

/// A project in a temp folder with one dataset `survey`.
pub struct Kit {
    /// Holds the folder alive.
    pub _dir: TempDir,
    /// The project under test.
    pub project: Project,
}

impl Kit {
    /// A project whose dataset `survey` reads the given files (name, bytes).
    pub fn new(files: &[(&str, &[u8])]) -> Kit {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("data")).expect("data dir");
        let mut paths: Vec<PathBuf> = Vec::new();
        for (name, bytes) in files {
            let p = root.join("data").join(name);
            std::fs::write(&p, bytes).expect("write csv");
            paths.push(p);
        }
        paths.sort();
        let dataset = Dataset::plain("survey", paths, Location::at("cxscore.yaml", 3, 3));
        let config = Config {
            title: "Test".into(),
            client: None,
            language: Language::En,
            theme: "default".into(),
            period: Period::Month,
            confidence: 0.95,
            min_n: 0.0,
            min_n_comments: 0,
            nps_interval: NpsInterval::Wald,
            datasets: BTreeMap::from([("survey".to_string(), dataset)]),
            drivers: Vec::new(),
            baseline: None,
            brand: Default::default(),
            // The engine's tests check numbers on every row; window tests set their own.
            report: crate::project::report::Report {
                window: crate::project::report::WindowKind::All,
                ..crate::project::report::Report::default_for(Period::Month)
            },
            value_at_stake: None,
            followup: None,
            workbook: true,
        };
        let project = Project {
            root,
            config,
            personas: Vec::new(),
            journeys: Vec::new(),
            indicators: Vec::new(),
            topics: Vec::new(),
            pages: Vec::new(),
            actions: Vec::new(),
        };
        Kit { _dir: dir, project }
    }

    /// The dataset, to adjust.
    pub fn dataset(&mut self) -> &mut Dataset {
        self.project
            .config
            .datasets
            .get_mut("survey")
            .expect("survey")
    }

    /// Adds an indicator on `survey` reading `column` (written at line `line`).
    pub fn indicator(
        &mut self,
        id: &str,
        metric: Metric,
        column: Option<&str>,
        line: u32,
    ) -> &mut Indicator {
        let composite = matches!(metric, Metric::Composite { .. });
        self.project.indicators.push(Indicator {
            id: id.into(),
            name: id.into(),
            kind: Kind::Kci,
            dataset: (!composite).then(|| "survey".into()),
            metric,
            column: column.map(|c| col(c, line)),
            filter: Vec::new(),
            numeric: Vec::new(),
            target: None,
            amber: None,
            direction: Direction::Higher,
            unit: None,
            measurement: None,
            basis: None,
            owner: None,
            description: None,
            location: Location::at("indicators/test.yaml", line, 3),
            benchmark: None,
            min_change: 0.0,
            dimension: None,
        });
        self.project.indicators.last_mut().expect("just pushed")
    }

    /// Adds a persona matching `column` ∈ `values`.
    pub fn persona(&mut self, id: &str, column: &str, values: &[&str]) {
        self.project.personas.push(Persona {
            id: id.into(),
            name: id.into(),
            matcher: RowMatch {
                column: col(column, 1),
                values: values.iter().map(|v| v.to_string()).collect(),
            },
            summary: String::new(),
            profile: Vec::new(),
            goals: Vec::new(),
            pain_points: Vec::new(),
            motivations: Vec::new(),
            ladder: None,
            location: Location::at(format!("personas/{id}.yaml"), 1, 1),
        });
        self.project.personas.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// Adds a topic coding the dataset's comments.
    pub fn topic(&mut self, id: &str, group: Option<&str>, keywords: &[&str], exclude: &[&str]) {
        let id_ = self.project.config.datasets.keys().next().cloned();
        self.project.topics.push(crate::project::topics::Topic {
            id: id.into(),
            name: format!("Topic {id}"),
            group: group.map(str::to_string),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            patterns: Vec::new(),
            exclude: exclude.iter().map(|k| k.to_string()).collect(),
            datasets: id_.into_iter().collect(),
            location: Location::at("topics/t.yaml", 1, 1),
        });
    }

    /// Runs the compute stage; returns the result and every diagnostic as printed.
    pub fn run(&self) -> (Computed, Vec<String>) {
        let mut diags = Diagnostics::new();
        let c = crate::metrics::compute(&self.project, &mut diags);
        (c, diags.sorted().iter().map(ToString::to_string).collect())
    }
}

/// The result of indicator `id`.
pub fn result<'a>(c: &'a Computed, id: &str) -> &'a IndicatorResult {
    c.indicators
        .iter()
        .find(|r| r.id == id)
        .expect("indicator result")
}

/// An estimate of `value` with `n` rows (effective n the same) and `variance`, for tests of tests.
pub fn est(value: f64, n: f64, variance: f64) -> crate::metrics::computed::Estimate {
    crate::metrics::computed::Estimate {
        value: Some(value),
        n: n as u64,
        effective_n: n,
        ci_low: None,
        ci_high: None,
        status: crate::metrics::computed::Status::None,
        variance: Some(variance),
        se: None,
    }
}
