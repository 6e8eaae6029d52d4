//! `zenduty-migrate`: find legacy Zenduty API Integration endpoints and alert rules in a
//! repository, show the change as a unified diff, and apply it atomically.
//!
//! The library never prints: results flow as [`finding::Finding`]s into a `report` writer chosen
//! by the CLI, and all output goes through writers handed in by [`cli::run`].

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod config;
pub mod diff;
pub mod edit;
pub mod error;
pub mod finding;
pub mod report;
pub mod review;
pub mod rules;
pub mod scan;
pub mod url;
pub mod walk;
pub mod write;
