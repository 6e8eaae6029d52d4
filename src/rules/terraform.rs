//! Terraform `zenduty_integrations` and `zenduty_alertrules` (SPEC 3): facts gathered per file,
//! then resolved across the whole tree, because a rule's integration may live in another file and
//! an integration is also legacy when its `integration_key` builds a legacy URL anywhere.
//!
//! STUB: the interface the rest of the crate relies on.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Error;
use crate::finding::Finding;

/// What one `.tf` file declares about Zenduty integrations and alert rules.
#[derive(Debug, Clone, Default)]
pub struct TfFile {
    pub path: PathBuf,
}

/// Gather the facts of one `.tf` file. Invalid HCL is an error naming the file.
pub fn analyze(path: &Path, _text: &[u8]) -> Result<TfFile, Error> {
    Ok(TfFile {
        path: path.to_path_buf(),
    })
}

/// Decide, across every `.tf` file, which integrations are API Integrations and produce the
/// findings (with edits where the conversion is complete). `legacy_key_texts` holds the KEY text
/// of every legacy URL found anywhere in the scanned tree.
pub fn resolve(
    _files: &[TfFile],
    _legacy_key_texts: &[String],
    _config: &Config,
) -> Vec<(PathBuf, Finding)> {
    Vec::new()
}
