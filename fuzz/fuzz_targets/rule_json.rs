//! The `rule_json` converter (`rules::tree`) on arbitrary JSON text, directly and inside a JSON
//! rule export (invariants: tests/invariants/mod.rs).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::check_rule_json(data));
