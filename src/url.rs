//! The legacy endpoint URL grammar (SPEC 2.1) and the rewrite to the Generic form (SPEC 2.2).
//! Works on raw bytes; knows nothing of files, config or accounts.
//!
//! STUB: the interface the rest of the crate relies on. Replaced by the real matcher.

use std::ops::Range;

/// Legacy or already-migrated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlForm {
    /// `host/api/events[/KEY][/]`.
    Legacy,
    /// `host/integration/ACCOUNT/generic[/KEY][/]`; `account` is the byte range of ACCOUNT.
    Generic { account: Range<usize> },
}

/// One URL found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlMatch {
    /// The whole URL: scheme (if any), host, path, query and fragment.
    pub range: Range<usize>,
    pub form: UrlForm,
    /// The KEY segment; `None` for a base URL.
    pub key: Option<Range<usize>>,
    /// Slashes are written `\/` (JSON-escaped).
    pub escaped_slashes: bool,
    /// A slash follows the key (or, for a base URL, `/api/events`).
    pub trailing_slash: bool,
    /// Query and fragment, kept as they are (may be empty).
    pub suffix: Range<usize>,
}

impl UrlMatch {
    /// Is the key a literal (a secret), rather than a placeholder?
    pub fn key_is_literal(&self, text: &[u8]) -> bool {
        self.key.as_ref().is_some_and(|k| {
            text[k.clone()]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        })
    }
}

/// Every legacy or Generic events URL in `text`, in order, non-overlapping.
pub fn find(_text: &[u8]) -> Vec<UrlMatch> {
    Vec::new()
}

/// The Generic replacement for a legacy match: `https://events.zenduty.com/integration/ACCOUNT/
/// generic/KEY/` plus the suffix, in the match's slash-escaping style. `new_key` replaces the key
/// text (from the `[keys]` table).
pub fn rewrite(text: &[u8], m: &UrlMatch, account: &str, new_key: Option<&[u8]>) -> Vec<u8> {
    let _ = (text, m, account, new_key);
    Vec::new()
}
