//! `scan::analyze` (+ Terraform resolution) on arbitrary bytes; the first byte picks the file
//! extension (invariants: tests/invariants/mod.rs).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((&pick, text)) = data.split_first() {
        let path = invariants::PATHS[pick as usize % invariants::PATHS.len()];
        invariants::check_analyze(path, text);
    }
});
