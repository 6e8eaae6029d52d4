//! `Config::parse` on arbitrary UTF-8 (invariants: tests/invariants/mod.rs).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        invariants::check_config(text);
    }
});
