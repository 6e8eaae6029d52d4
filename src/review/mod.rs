//! Review-only detectors (SPEC 4). They never rewrite anything: they point a human at code whose
//! behaviour changes when the legacy API Integration is retired, even after its URL is migrated.
//!
//! - `legacy-response` ([`response`]): code that reads fields only the legacy response body has
//!   (`unique_id`, `integration_object`, `creation_date`, the alert `status`) or checks for its
//!   `201 Created`, on the response of a POST to a Zenduty events endpoint. The Generic Integration
//!   answers `{"message": "success", "trace_id": "..."}`, so such code breaks silently.
//! - `legacy-sdk` ([`sdk`]): calls of the vendor SDKs' event functions, which hard-code the legacy
//!   `/api/events/<key>/` path.
//!
//! Both are heuristics tuned for precision: a false alarm in a fleet-wide audit costs more trust
//! than a miss, so each finding needs corroborating evidence in the same file (an import of the
//! SDK; a Zenduty URL bound to the very POST whose response is read). Comments never count.
//!
//! Cost: a few literal prefilters, then a fixed set of regexes (linear in the file), plus bounded
//! local scans (parens, statements) around each hit.

mod lex;
mod response;
mod sdk;

use std::ops::Range;
use std::path::Path;

use crate::finding::Finding;

/// The languages these detectors understand. JS covers TypeScript and JSX too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    Js,
    Go,
    Ruby,
    Shell,
}

/// Guidance for `legacy-response` findings on field reads.
pub const RESPONSE_MESSAGE: &str =
    "reads the legacy response body; the Generic Integration answers \
{\"message\": \"success\", \"trace_id\": \"...\"}: poll GET \
https://events.zenduty.com/api/alert/status/<trace_id> for the alert";

/// Guidance for `legacy-response` findings on a `201 Created` check (the legacy success code).
pub const STATUS_MESSAGE: &str =
    "expects the legacy 201 Created response; the Generic Integration \
answers {\"message\": \"success\", \"trace_id\": \"...\"}: poll GET \
https://events.zenduty.com/api/alert/status/<trace_id> for the alert";

/// Guidance for `legacy-sdk` findings.
pub fn sdk_message(lang: &str, function: &str) -> String {
    format!(
        "the {lang} SDK's {function} posts to the legacy /api/events endpoint; send to the Generic \
         Integration URL instead (POST the same body to \
         https://events.zenduty.com/integration/<account>/generic/<key>/) and poll GET \
         https://events.zenduty.com/api/alert/status/<trace_id>"
    )
}

/// Review-only findings in one file, sorted by `range.start`.
pub fn find(path: &Path, text: &[u8]) -> Vec<Finding> {
    let Some((lang, lang_name)) = lang_of(path, text) else {
        return Vec::new();
    };
    let cx = Ctx::new(lang, lang_name, text);
    let mut out = Vec::new();
    sdk::find(&cx, &mut out);
    response::find(&cx, &mut out);
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.kind).cmp(&(b.range.start, b.range.end, b.kind))
    });
    out.dedup_by(|a, b| a.range == b.range && a.kind == b.kind);
    out
}

/// The language from the extension, or from the shebang of an extensionless script.
fn lang_of(path: &Path, text: &[u8]) -> Option<(Lang, &'static str)> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("py" | "pyw") => Some((Lang::Python, "Python")),
        Some("js" | "mjs" | "cjs" | "jsx") => Some((Lang::Js, "JavaScript")),
        Some("ts" | "tsx" | "mts" | "cts") => Some((Lang::Js, "TypeScript")),
        Some("go") => Some((Lang::Go, "Go")),
        Some("rb") => Some((Lang::Ruby, "Ruby")),
        Some("sh" | "bash" | "zsh") => Some((Lang::Shell, "shell")),
        Some(_) => None,
        None => shebang(text),
    }
}

fn shebang(text: &[u8]) -> Option<(Lang, &'static str)> {
    let rest = text.strip_prefix(b"#!")?;
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    // `#!/usr/bin/env -S bash -e` and `#!/bin/sh` alike: the interpreter is the first word that
    // is not `env` or an option, taken after its last `/`.
    let interp = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit(|&b| b == b'/').next().unwrap_or(w))
        .find(|w| *w != b"env" && !w.starts_with(b"-"))?;
    match interp {
        b"sh" | b"bash" | b"zsh" | b"dash" | b"ksh" | b"ash" => Some((Lang::Shell, "shell")),
        _ => None,
    }
}

/// Per-file context shared by both detectors.
pub(crate) struct Ctx<'a> {
    pub(crate) lang: Lang,
    pub(crate) lang_name: &'static str,
    pub(crate) text: &'a [u8],
    comments: lex::Comments,
    pub(crate) line_starts: Vec<usize>,
}

impl<'a> Ctx<'a> {
    fn new(lang: Lang, lang_name: &'static str, text: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        Ctx {
            lang,
            lang_name,
            text,
            comments: lex::Comments::new(lang, text),
            line_starts,
        }
    }

    pub(crate) fn in_comment(&self, pos: usize) -> bool {
        self.comments.contains(pos)
    }

    /// The byte range of the line holding `pos` (without its newline).
    pub(crate) fn line_range(&self, pos: usize) -> Range<usize> {
        let l = self.line(pos);
        let start = self.line_starts[l];
        let end = self
            .line_starts
            .get(l + 1)
            .map_or(self.text.len(), |&s| s - 1);
        start..end.max(start)
    }

    /// Zero-based line of a byte offset.
    pub(crate) fn line(&self, pos: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= pos)
            .saturating_sub(1)
    }
}

/// Bytes a bounded local scan may look at; keeps every scan O(1) per hit.
const SCAN_LIMIT: usize = 4096;
/// Bounds of one statement (an assignment's right-hand side, a call without parentheses).
const STATEMENT_LIMIT: usize = 2048;
const STATEMENT_LINES: usize = 16;

/// Skip a quoted literal starting at `i` (the quote); returns the index after it.
fn skip_quote(t: &[u8], i: usize, end: usize) -> usize {
    let q = t[i];
    let mut j = i + 1;
    while j < end {
        match t[j] {
            b'\\' => j += 2,
            c if c == q => return j + 1,
            b'\n' if q != b'`' => return j + 1,
            _ => j += 1,
        }
    }
    end
}

/// Index just after the bracket that closes the one at `open`, if found within [`SCAN_LIMIT`].
pub(crate) fn balanced_close(t: &[u8], open: usize) -> Option<usize> {
    let end = t.len().min(open.saturating_add(SCAN_LIMIT));
    let mut depth = 0usize;
    let mut j = open;
    while j < end {
        match t[j] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            b'"' | b'\'' | b'`' => {
                j = skip_quote(t, j, end);
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// Index of the bracket that opens the one closing at `close` (scanning back, quotes ignored).
pub(crate) fn balanced_open(t: &[u8], close: usize) -> Option<usize> {
    let stop = close.saturating_sub(SCAN_LIMIT);
    let mut depth = 0usize;
    let mut j = close + 1;
    while j > stop {
        j -= 1;
        match t[j] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// End of the statement starting at `start`: the first newline outside brackets that is not
/// continued by a trailing `\`, `+`, `,` or `|`. Bounded by [`STATEMENT_LIMIT`] bytes and
/// [`STATEMENT_LINES`] lines, so unbalanced brackets cannot make it run away.
pub(crate) fn statement_end(t: &[u8], start: usize) -> usize {
    let end = t.len().min(start.saturating_add(STATEMENT_LIMIT));
    let mut depth = 0isize;
    let mut lines = 0;
    let mut j = start;
    while j < end {
        match t[j] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'"' | b'\'' | b'`' => {
                j = skip_quote(t, j, end);
                continue;
            }
            b'\n' => {
                lines += 1;
                let before = t[start..j].trim_ascii_end();
                let continued = matches!(before.last(), Some(b'\\' | b'+' | b',' | b'|'));
                if (depth <= 0 && !continued) || lines >= STATEMENT_LINES {
                    return j;
                }
            }
            _ => {}
        }
        j += 1;
    }
    end
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'@'
}

pub(crate) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Dotted identifiers (`a`, `self.url`, `@uri`) in `t[range]`, as byte ranges.
pub(crate) fn tokens(t: &[u8], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let end = range.end.min(t.len());
    let mut i = range.start.min(end);
    std::iter::from_fn(move || {
        while i < end {
            // `$VAR` (shell, PHP-ish) is the identifier `VAR`.
            let prev_ok = i == 0 || t[i - 1] == b'$' || !(is_ident(t[i - 1]) || t[i - 1] == b'.');
            if is_ident_start(t[i]) && prev_ok {
                let s = i;
                i += 1;
                loop {
                    while i < end && is_ident(t[i]) {
                        i += 1;
                    }
                    if i + 1 < end && t[i] == b'.' && is_ident_start(t[i + 1]) && t[i + 1] != b'@' {
                        i += 1;
                        continue;
                    }
                    break;
                }
                return Some(s..i);
            }
            i += 1;
        }
        None
    })
}

/// The receiver expression (dotted names, call chains, subscripts) that ends just before `dot`.
/// Returns its start. For `a.b(x)[0].c` ending at `.c` it returns the start of `a`.
pub(crate) fn receiver_start(t: &[u8], dot: usize) -> usize {
    let mut j = dot;
    loop {
        while j > 0 && matches!(t[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        if j > 0 && matches!(t[j - 1], b')' | b']') {
            match balanced_open(t, j - 1) {
                Some(o) => j = o,
                None => return j,
            }
        }
        let s = j;
        while j > 0 && (is_ident(t[j - 1]) || t[j - 1] == b'@' || t[j - 1] == b':') {
            j -= 1;
        }
        // Continue through `a.b` only when an identifier was consumed, so the loop always moves.
        if j > 0 && t[j - 1] == b'.' && j != s {
            j -= 1;
            continue;
        }
        return j;
    }
}

#[cfg(test)]
mod tests;
