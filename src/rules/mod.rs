//! Alert rules and integrations kept as code (SPEC 3): the rule-builder tree inside `rule_json`
//! ([`tree`], positioned by [`json`] and decoded by [`text`]), Terraform modules ([`terraform`]),
//! and JSON/YAML rule exports ([`export`], positioned by [`yaml`] for YAML).

pub mod convert;
pub mod export;
pub mod json;
pub mod jsonpath;
pub mod terraform;
pub mod text;
pub mod tree;
pub mod yaml;
