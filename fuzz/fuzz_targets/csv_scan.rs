//! Fuzz target: arbitrary bytes through `cxscore::fuzzing::csv_scan` (see its docs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cxscore::fuzzing::csv_scan(data);
});
