//! Review-only detectors (SPEC 4): code that reads the legacy response body (`legacy-response`)
//! and vendor SDK calls that post to the legacy endpoint (`legacy-sdk`). Never rewritten.
//!
//! STUB: the interface the rest of the crate relies on.

use std::path::Path;

use crate::finding::Finding;

/// Review-only findings in one file.
pub fn find(_path: &Path, _text: &[u8]) -> Vec<Finding> {
    Vec::new()
}
