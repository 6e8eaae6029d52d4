//! `url::find` + `url::rewrite` on arbitrary bytes (invariants: tests/invariants/mod.rs).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::check_url(data));
