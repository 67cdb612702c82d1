//! The one integration test binary: the real `cxscore` on fixture projects.
//!
//! Most tests copy a fixture from `tests/fixtures/` into a fresh temporary
//! folder, optionally edit files there, and run the real binary. Two modules
//! check what the others rely on: `example_data` (the committed example data is
//! what the generator writes) and `reference` (every published number of
//! `tests/fixtures/reference` against an independent computation).

mod actions_numbers;
mod actions_site;
mod build;
mod cache;
mod dimensions_site;
mod drivers_reference;
mod example_data;
mod example_zh;
mod formats;
mod harness;
mod hostile;
mod hostile_bad;
mod invalid;
mod journey_site;
mod kill;
mod lookup_numbers;
mod numbers;
mod parallel;
mod reference;
mod report_site;
mod schema_descriptions;
mod site;
mod sql_server;
mod sql_source;
mod statistics;
mod suggest;
mod survey_numbers;
mod topics_numbers;
mod topics_site;
mod value_numbers;
mod verbose;
mod workbook;
mod workflow;
mod workflow_baseline;
