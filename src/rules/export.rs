//! JSON and YAML exports of alert rules (an integration object beside `alert_rules` or
//! `transformers`), converted when the integration is an API Integration (SPEC 3).
//!
//! STUB: the interface the rest of the crate relies on.

use std::path::Path;

use crate::config::Config;
use crate::error::Error;
use crate::finding::Finding;

/// Findings (with edits) for one JSON or YAML file that may be a rule export.
pub fn analyze(_path: &Path, _text: &[u8], _config: &Config) -> Result<Vec<Finding>, Error> {
    Ok(Vec::new())
}
