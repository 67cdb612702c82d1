#!/bin/sh
# Runs one fuzz target for a number of seconds: fuzz/run.sh TARGET SECONDS
# Targets: project_yaml, csv_scan, markdown. New inputs go to fuzz/work/TARGET
# (not committed); the seeds in fuzz/corpus/TARGET are read, never written.
# Crashes land in fuzz/artifacts/TARGET. Needs a nightly toolchain and cargo-fuzz.
# Built with AddressSanitizer unless FUZZ_SANITIZER says otherwise (CI's smoke run: none).
set -eu
cd "$(dirname "$0")/.."
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS}"
mkdir -p "fuzz/work/$target"
exec cargo +nightly fuzz run --sanitizer "${FUZZ_SANITIZER:-address}" "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
