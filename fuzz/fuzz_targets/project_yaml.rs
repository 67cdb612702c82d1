//! Fuzz target: arbitrary bytes through `cxscore::fuzzing::project_yaml` (see its docs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cxscore::fuzzing::project_yaml(data);
});
