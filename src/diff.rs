//! Unified diffs built straight from the original bytes and the edits: each edit's lines become a
//! hunk (with three lines of context, neighbouring hunks merged), so the patch is exact for CRLF,
//! non-UTF-8 and no-final-newline files and costs time linear in the edited lines.

use std::io::{self, Write};
use std::ops::Range;

use crate::edit::{self, Edit, SpliceError};
use crate::scan::Lines;

const CONTEXT: usize = 3;

/// Styling of a diff for a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

/// A block of whole original lines `[first, last]` (0-based) and the bytes that replace them.
struct Block {
    first: usize,
    last: usize,
    new: Vec<u8>,
}

/// Write the unified diff that turns `original` into `original` with `edits` applied.
/// `path` is the path's bytes as they go in the `a/` and `b/` headers (quoted as git does when
/// they hold odd bytes). Writes nothing when there are no edits.
pub fn write_diff(
    out: &mut dyn Write,
    path: &[u8],
    original: &[u8],
    edits: &[Edit],
    style: Style,
) -> io::Result<Result<(), SpliceError>> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    if let Err(e) = edit::check(&mut edits, original.len()) {
        return Ok(Err(e));
    }
    if edits.is_empty() {
        return Ok(Ok(()));
    }
    let lines = Lines::new(original);
    let line_count = line_total(original, &lines);
    let line_span = |i: usize| -> Range<usize> {
        // Line i (0-based) with its terminator.
        let start = lines.start(i);
        let end = if i + 1 < line_count {
            lines.start(i + 1)
        } else {
            original.len()
        };
        start..end
    };
    // Group edits into blocks of whole lines; adjacent lines join one block so a run of changed
    // lines reads as all removals, then all additions.
    let mut blocks: Vec<(usize, usize, Vec<Edit>)> = Vec::new();
    for e in edits {
        let first = (lines.locate(e.range.start).0 - 1).min(line_count.saturating_sub(1));
        let last_offset = if e.range.end > e.range.start {
            e.range.end - 1
        } else {
            e.range.start
        };
        let last = (lines.locate(last_offset).0 - 1).min(line_count.saturating_sub(1));
        match blocks.last_mut() {
            Some((_, block_last, group)) if first <= *block_last + 1 => {
                *block_last = (*block_last).max(last);
                group.push(e);
            }
            _ => blocks.push((first, last, vec![e])),
        }
    }
    let blocks: Vec<Block> = blocks
        .into_iter()
        .map(|(first, last, group)| {
            let span = line_span(first).start..line_span(last).end;
            let local: Vec<Edit> = group
                .into_iter()
                .map(|e| {
                    Edit::new(
                        e.range.start - span.start..e.range.end - span.start,
                        e.replacement,
                    )
                })
                .collect();
            let new = edit::splice(&original[span.clone()], &local).expect("checked above");
            Block { first, last, new }
        })
        .collect();

    let (red, green, cyan, bold, reset) = if style.color {
        ("\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    let (a, b) = (header_path(b"a/", path), header_path(b"b/", path));
    out.write_all(bold.as_bytes())?;
    out.write_all(b"diff --git ")?;
    out.write_all(&a)?;
    out.write_all(b" ")?;
    out.write_all(&b)?;
    writeln!(out, "{reset}")?;
    out.write_all(bold.as_bytes())?;
    out.write_all(b"--- ")?;
    out.write_all(&a)?;
    writeln!(out, "{reset}")?;
    out.write_all(bold.as_bytes())?;
    out.write_all(b"+++ ")?;
    out.write_all(&b)?;
    writeln!(out, "{reset}")?;

    // Merge blocks whose context would touch into hunks.
    let mut i = 0;
    let mut shift: isize = 0; // new line number minus old line number before the hunk
    while i < blocks.len() {
        let mut j = i;
        while j + 1 < blocks.len() && blocks[j + 1].first <= blocks[j].last + 1 + 2 * CONTEXT {
            j += 1;
        }
        let start = blocks[i].first.saturating_sub(CONTEXT);
        let end = (blocks[j].last + CONTEXT).min(line_count - 1);
        let mut body: Vec<u8> = Vec::new();
        let (mut old_len, mut new_len) = (0usize, 0usize);
        let mut cursor = start;
        for block in &blocks[i..=j] {
            for l in cursor..block.first {
                push_line(&mut body, b' ', &original[line_span(l)], "", "");
                old_len += 1;
                new_len += 1;
            }
            for l in block.first..=block.last {
                push_line(&mut body, b'-', &original[line_span(l)], red, reset);
                old_len += 1;
            }
            for line in split_lines(&block.new) {
                push_line(&mut body, b'+', line, green, reset);
                new_len += 1;
            }
            cursor = block.last + 1;
        }
        for l in cursor..=end {
            push_line(&mut body, b' ', &original[line_span(l)], "", "");
            old_len += 1;
            new_len += 1;
        }
        let new_start = (start as isize + shift) as usize;
        writeln!(
            out,
            "{cyan}@@ -{} +{} @@{reset}",
            range_header(start, old_len),
            range_header(new_start, new_len)
        )?;
        out.write_all(&body)?;
        shift += new_len as isize - old_len as isize;
        i = j + 1;
    }
    Ok(Ok(()))
}

/// Number of lines, not counting the empty "line" after a final newline.
fn line_total(text: &[u8], lines: &Lines) -> usize {
    if text.last() == Some(&b'\n') {
        lines.count() - 1
    } else {
        lines.count()
    }
}

/// `prefix` + `path`, in double quotes with C escapes when the path holds a quote, a backslash,
/// a control byte or a non-ASCII byte, as git writes (and `git apply` reads) such names.
fn header_path(prefix: &[u8], path: &[u8]) -> Vec<u8> {
    let odd = |b: u8| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b);
    let mut out = Vec::with_capacity(prefix.len() + path.len() + 2);
    if !path.iter().any(|&b| odd(b)) {
        out.extend_from_slice(prefix);
        out.extend_from_slice(path);
        return out;
    }
    out.push(b'"');
    out.extend_from_slice(prefix);
    for &b in path {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b if odd(b) => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            b => out.push(b),
        }
    }
    out.push(b'"');
    out
}

fn range_header(start0: usize, len: usize) -> String {
    let start = if len == 0 { start0 } else { start0 + 1 };
    if len == 1 {
        format!("{start}")
    } else {
        format!("{start},{len}")
    }
}

fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

fn push_line(body: &mut Vec<u8>, sign: u8, line: &[u8], on: &str, off: &str) {
    body.extend_from_slice(on.as_bytes());
    body.push(sign);
    let (content, newline) = match line.strip_suffix(b"\n") {
        Some(c) => (c, true),
        None => (line, false),
    };
    body.extend_from_slice(content);
    body.extend_from_slice(off.as_bytes());
    body.push(b'\n');
    if !newline {
        body.extend_from_slice(b"\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(original: &[u8], edits: &[Edit]) -> String {
        let mut out = Vec::new();
        write_diff(&mut out, b"f", original, edits, Style::default())
            .unwrap()
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn single_line_change_with_context() {
        let text = b"1\n2\n3\n4\nX\n6\n7\n8\n9\n";
        let d = diff(text, &[Edit::new(8..9, "Y")]);
        assert_eq!(
            d,
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-X\n+Y\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn adjacent_changed_lines_form_one_block() {
        let d = diff(
            b"a\nX\nY\nb\n",
            &[Edit::new(2..3, "1"), Edit::new(4..5, "2")],
        );
        assert!(
            d.ends_with("@@ -1,4 +1,4 @@\n a\n-X\n-Y\n+1\n+2\n b\n"),
            "{d}"
        );
    }

    #[test]
    fn odd_names_are_quoted_as_git_does() {
        assert_eq!(header_path(b"a/", b"plain/x.env"), b"a/plain/x.env");
        assert_eq!(
            header_path(b"a/", b"caf\xe9\t\"q\".env"),
            b"\"a/caf\\351\\t\\\"q\\\".env\""
        );
    }

    #[test]
    fn no_final_newline() {
        let d = diff(b"a\nX", &[Edit::new(2..3, "Y")]);
        assert!(d.ends_with("@@ -1,2 +1,2 @@\n a\n-X\n\\ No newline at end of file\n+Y\n\\ No newline at end of file\n"), "{d}");
    }

    #[test]
    fn crlf_is_kept_in_lines() {
        let d = diff(b"a\r\nX\r\n", &[Edit::new(3..4, "Y")]);
        assert!(d.contains("-X\r\n+Y\r\n"), "{d:?}");
    }

    #[test]
    fn far_apart_edits_make_two_hunks_with_shifted_numbers() {
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!("l{i}\n"));
        }
        let a = text.find("l2\n").unwrap();
        let b = text.find("l25\n").unwrap();
        let d = diff(
            text.as_bytes(),
            &[Edit::new(a..a + 2, "x\ny"), Edit::new(b..b + 3, "z")],
        );
        assert!(d.contains("@@ -1,6 +1,7 @@"), "{d}");
        assert!(d.contains("@@ -23,7 +24,7 @@"), "{d}");
    }
}
