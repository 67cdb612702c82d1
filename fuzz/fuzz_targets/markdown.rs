//! Fuzz target: arbitrary bytes through `cxscore::fuzzing::markdown` (see its docs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cxscore::fuzzing::markdown(data);
});
