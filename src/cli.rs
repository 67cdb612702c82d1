//! The command line: clap definitions and the mapping of outcomes to exit codes.

use std::process::ExitCode;

use clap::Parser;

/// cxscore: CX scorecards as code.
#[derive(Debug, Parser)]
pub struct Cli {}

/// Runs a parsed command line and returns the process exit code.
pub fn run(_cli: Cli) -> ExitCode {
    ExitCode::SUCCESS
}
