//! The one [`Edit`] type that travels from detectors to the writer, and [`splice`], which applies
//! a set of edits to the original bytes. Every byte outside an edit's range is copied unchanged.

use std::ops::Range;

use serde::Serialize;

/// Replace `range` of the original bytes with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    #[serde(serialize_with = "serialize_lossy")]
    pub replacement: Vec<u8>,
}

fn serialize_lossy<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

impl Edit {
    pub fn new(range: Range<usize>, replacement: impl Into<Vec<u8>>) -> Self {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    /// Shift the edit by `offset` bytes (for edits computed inside an embedded document).
    pub fn offset(mut self, offset: usize) -> Self {
        self.range = self.range.start + offset..self.range.end + offset;
        self
    }
}

/// Why a set of edits cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpliceError {
    #[error("edits overlap at bytes {first:?} and {second:?}")]
    Overlap {
        first: Range<usize>,
        second: Range<usize>,
    },
    #[error("edit at bytes {range:?} is outside the file ({len} bytes)")]
    OutOfBounds { range: Range<usize>, len: usize },
}

/// Sort `edits` by position and check they fit `len` bytes without overlapping.
///
/// Two insertions at the same offset are an overlap too: their order would be ambiguous.
pub fn check(edits: &mut [Edit], len: usize) -> Result<(), SpliceError> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    for e in edits.iter() {
        if e.range.start > e.range.end || e.range.end > len {
            return Err(SpliceError::OutOfBounds {
                range: e.range.clone(),
                len,
            });
        }
    }
    for pair in edits.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.range.start < a.range.end || (a.range == b.range && a.range.is_empty()) {
            return Err(SpliceError::Overlap {
                first: a.range.clone(),
                second: b.range.clone(),
            });
        }
    }
    Ok(())
}

/// Apply `edits` to `original`, returning the new bytes. Edits may come in any order; identical
/// duplicate edits are merged, any other overlap is an error and nothing is produced.
pub fn splice(original: &[u8], edits: &[Edit]) -> Result<Vec<u8>, SpliceError> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    check(&mut edits, original.len())?;
    let grown: usize = edits.iter().map(|e| e.replacement.len()).sum();
    let mut out = Vec::with_capacity(original.len() + grown);
    let mut cursor = 0;
    for e in &edits {
        out.extend_from_slice(&original[cursor..e.range.start]);
        out.extend_from_slice(&e.replacement);
        cursor = e.range.end;
    }
    out.extend_from_slice(&original[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_in_any_order() {
        let out = splice(
            b"hello world",
            &[Edit::new(6..11, "there"), Edit::new(0..5, "HELLO")],
        )
        .unwrap();
        assert_eq!(out, b"HELLO there");
    }

    #[test]
    fn rejects_overlap() {
        let err = splice(b"abcdef", &[Edit::new(0..3, "x"), Edit::new(2..4, "y")]).unwrap_err();
        assert!(matches!(err, SpliceError::Overlap { .. }));
    }

    #[test]
    fn rejects_out_of_bounds() {
        let err = splice(b"abc", &[Edit::new(2..9, "x")]).unwrap_err();
        assert_eq!(
            err,
            SpliceError::OutOfBounds {
                range: 2..9,
                len: 3
            }
        );
    }

    #[test]
    fn duplicate_edits_merge() {
        let e = Edit::new(1..2, "Z");
        assert_eq!(splice(b"abc", &[e.clone(), e]).unwrap(), b"aZc");
    }

    #[test]
    fn two_insertions_at_one_offset_are_an_overlap() {
        let err = splice(b"abc", &[Edit::new(1..1, "x"), Edit::new(1..1, "y")]).unwrap_err();
        assert!(matches!(err, SpliceError::Overlap { .. }));
    }
}
