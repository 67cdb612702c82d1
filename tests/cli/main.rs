//! One integration test binary: the real `cxscore` on fixture projects.
//!
//! Every test copies a fixture from `tests/fixtures/` into a fresh temporary
//! folder, optionally edits files there, and runs the real binary.

mod build;
mod cache;
mod harness;
mod hostile;
mod hostile_bad;
mod invalid;
mod kill;
mod numbers;
mod parallel;
mod site;
mod statistics;
mod verbose;
mod workflow;
mod workflow_baseline;
