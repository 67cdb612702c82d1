//! The `cxscore` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cxscore::cli::Cli::parse();
    cxscore::cli::run(args)
}
