//! A deliberately small lexer: it only has to tell comments (and Python docstrings) from code, so
//! that a `unique_id` mentioned in prose never counts as a read. Strings are tracked only so that a
//! `#` or `//` inside one is not taken for a comment, and so that interpolations (`${}`, `#{}`,
//! `$()`) nested in strings are code again. Anything it does not understand degrades to "code",
//! which can only cost recall in comments, never a panic: every index is bounds-checked.

use std::ops::Range;

use memchr::memmem;

use super::Lang;

/// How a string literal ends and what it may contain.
#[derive(Clone, Copy)]
struct StrKind {
    quote: u8,
    /// Opening bytes of an interpolation and the byte that closes it.
    interp: Option<(&'static [u8], u8)>,
    /// Whether a newline ends the literal (keeps damage local when we mis-lex).
    stops_at_newline: bool,
    escapes: bool,
}

/// An interpolation we are inside: code until `close` at depth 0, then back to the string.
struct Frame {
    kind: StrKind,
    close: u8,
    open: u8,
    depth: usize,
}

enum StrEnd {
    /// The literal ended; continue with code at this index.
    Done(usize),
    /// An interpolation opened; code resumes at this index.
    Interp(usize, u8),
}

fn scan_str(t: &[u8], mut i: usize, k: StrKind) -> StrEnd {
    while i < t.len() {
        let c = t[i];
        if k.escapes && c == b'\\' {
            i += 2;
            continue;
        }
        if c == k.quote {
            return StrEnd::Done(i + 1);
        }
        if c == b'\n' && k.stops_at_newline {
            return StrEnd::Done(i + 1);
        }
        if let Some((open, close)) = k.interp {
            if t[i..].starts_with(open) {
                return StrEnd::Interp(i + open.len(), close);
            }
        }
        i += 1;
    }
    StrEnd::Done(t.len())
}

fn line_end(t: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', t.get(i..).unwrap_or_default()).map_or(t.len(), |k| i + k)
}

fn at_line_start(t: &[u8], i: usize) -> bool {
    t[..i]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b == b' ' || b == b'\t')
}

/// Parse a heredoc opener at `i` (which points at `<<`); returns the delimiter.
fn heredoc_delim(t: &[u8], i: usize, lang: Lang) -> Option<Vec<u8>> {
    let mut j = i + 2;
    if t.get(j) == Some(&b'<') {
        return None; // `<<<` here-string
    }
    if matches!(t.get(j), Some(b'-') | Some(b'~')) {
        j += 1;
    }
    if lang == Lang::Shell {
        while matches!(t.get(j), Some(b' ') | Some(b'\t')) {
            j += 1;
        }
    }
    let q = match t.get(j) {
        Some(&q @ (b'\'' | b'"')) => {
            j += 1;
            Some(q)
        }
        _ => None,
    };
    let s = j;
    while t
        .get(j)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        j += 1;
    }
    let word = &t[s..j];
    let first = *word.first()?;
    if first.is_ascii_digit() {
        return None;
    }
    // Ruby's `<<` is also the append operator: only SHOUTY or quoted delimiters are heredocs.
    if lang == Lang::Ruby && q.is_none() && !word.iter().all(|b| !b.is_ascii_lowercase()) {
        return None;
    }
    if let Some(q) = q {
        if t.get(j) != Some(&q) {
            return None;
        }
    }
    Some(word.to_vec())
}

/// Skip heredoc bodies that start after the newline at `nl`; returns where code resumes.
fn skip_heredocs(t: &[u8], nl: usize, delims: &mut Vec<Vec<u8>>) -> usize {
    let mut i = nl + 1;
    for d in delims.drain(..) {
        loop {
            if i >= t.len() {
                return t.len();
            }
            let e = line_end(t, i);
            let line = t[i..e].trim_ascii();
            i = (e + 1).min(t.len());
            if line == d.as_slice() {
                break;
            }
        }
    }
    i
}

/// Scan a string literal starting after its quote; push a frame if an interpolation opens.
fn enter(t: &[u8], at: usize, k: StrKind, stack: &mut Vec<Frame>) -> usize {
    match scan_str(t, at, k) {
        StrEnd::Done(e) => e,
        StrEnd::Interp(e, close) => {
            let open = if close == b')' { b'(' } else { b'{' };
            stack.push(Frame {
                kind: k,
                close,
                open,
                depth: 0,
            });
            e
        }
    }
}

/// Byte ranges of comments (and Python docstrings) in `t`, sorted and disjoint.
pub(super) fn comment_ranges(lang: Lang, t: &[u8]) -> Vec<Range<usize>> {
    let hash = matches!(lang, Lang::Python | Lang::Ruby | Lang::Shell);
    let slash = matches!(lang, Lang::Js | Lang::Go);
    let dq = StrKind {
        quote: b'"',
        interp: match lang {
            Lang::Ruby => Some((b"#{", b'}')),
            Lang::Shell => Some((b"$(", b')')),
            _ => None,
        },
        stops_at_newline: lang != Lang::Shell,
        escapes: true,
    };
    let sq = StrKind {
        quote: b'\'',
        interp: None,
        stops_at_newline: lang != Lang::Shell,
        // In shell a single-quoted string has no escapes at all.
        escapes: lang != Lang::Shell,
    };
    let bt = StrKind {
        quote: b'`',
        interp: match lang {
            Lang::Js => Some((b"${", b'}')),
            _ => None,
        },
        stops_at_newline: false,
        escapes: lang != Lang::Go,
    };

    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut heredocs: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    let n = t.len();
    while i < n {
        let c = t[i];
        if let Some(f) = stack.last_mut() {
            if c == f.open {
                f.depth += 1;
            } else if c == f.close {
                if f.depth == 0 {
                    let k = f.kind;
                    stack.pop();
                    i = enter(t, i + 1, k, &mut stack);
                    continue;
                }
                f.depth -= 1;
            }
        }
        match c {
            b'\n' if !heredocs.is_empty() && stack.is_empty() => {
                i = skip_heredocs(t, i, &mut heredocs);
            }
            b'#' if hash => {
                let word_start = i == 0
                    || matches!(
                        t[i - 1],
                        b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&' | b'('
                    );
                if lang == Lang::Shell && !word_start {
                    i += 1;
                    continue;
                }
                let e = line_end(t, i);
                out.push(i..e);
                i = e;
            }
            b'/' if slash && t.get(i + 1) == Some(&b'/') => {
                let e = line_end(t, i);
                out.push(i..e);
                i = e;
            }
            b'/' if slash && t.get(i + 1) == Some(&b'*') => {
                let e = memmem::find(&t[i + 2..], b"*/").map_or(n, |k| i + 2 + k + 2);
                out.push(i..e);
                i = e;
            }
            b'=' if lang == Lang::Ruby && t[i..].starts_with(b"=begin") && at_line_start(t, i) => {
                let e = memmem::find(&t[i..], b"\n=end").map_or(n, |k| line_end(t, i + k + 1));
                out.push(i..e);
                i = e;
            }
            b'<' if matches!(lang, Lang::Shell | Lang::Ruby) && t.get(i + 1) == Some(&b'<') => {
                if let Some(d) = heredoc_delim(t, i, lang) {
                    heredocs.push(d);
                }
                i += 2;
            }
            b'"' | b'\'' if lang == Lang::Python && t[i..].starts_with(&[c, c, c]) => {
                let close = [c, c, c];
                let mut j = i + 3;
                let end = loop {
                    match t.get(j) {
                        None => break n,
                        Some(b'\\') => j += 2,
                        Some(_) if t[j..].starts_with(&close) => break j + 3,
                        Some(_) => j += 1,
                    }
                };
                // A triple-quoted string that is a statement of its own is documentation.
                let mut s = i;
                while s > 0 && matches!(t[s - 1], b'r' | b'R' | b'u' | b'U') {
                    s -= 1;
                }
                if at_line_start(t, s) {
                    out.push(i..end.min(n));
                }
                i = end.min(n);
            }
            b'"' => i = enter(t, i + 1, dq, &mut stack),
            // Go runes and Ruby char literals (`'x'`) lex as short strings, which is harmless.
            b'\'' => i = enter(t, i + 1, sq, &mut stack),
            b'`' if matches!(lang, Lang::Js | Lang::Go) => i = enter(t, i + 1, bt, &mut stack),
            _ => i += 1,
        }
    }
    out
}

/// Sorted, disjoint comment ranges with an O(log n) membership test.
pub(super) struct Comments(Vec<Range<usize>>);

impl Comments {
    pub(super) fn new(lang: Lang, t: &[u8]) -> Self {
        Comments(comment_ranges(lang, t))
    }

    pub(super) fn contains(&self, pos: usize) -> bool {
        let k = self.0.partition_point(|r| r.end <= pos);
        self.0.get(k).is_some_and(|r| r.start <= pos)
    }
}
