//! Alert rules and integrations kept as code (SPEC 3): the rule-builder tree inside `rule_json`,
//! Terraform modules, and JSON/YAML rule exports.
//!
//! STUB: the interface the rest of the crate relies on.

pub mod export;
pub mod terraform;
