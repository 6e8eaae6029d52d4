//! A positioned reader for the YAML that rule exports are written in: block mappings and
//! sequences, flow collections, plain, single- and double-quoted scalars on one line, and block
//! scalars. `serde_yaml` gives no positions; this reader does, and refuses (with the offset)
//! anchors, aliases, tags, multi-line flow scalars and multiple documents rather than guess.
//!
//! It is never trusted alone: [`agrees`] checks that what it read is what `serde_yaml` reads, and
//! the export converter checks the edited file against the expected values with `serde_yaml`.

use std::ops::Range;

use super::text;
use super::tree::{Node, NodeKind, StrTok};

/// The tree of a YAML document, and its block scalars.
pub struct Parsed {
    pub tree: Node,
    pub blocks: Vec<Block>,
}

/// A block scalar: its content range (from the first content character to the end of the last
/// content line), indentation, and header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub content: Range<usize>,
    pub indent: usize,
    /// `|` (literal) rather than `>` (folded).
    pub literal: bool,
    /// Clip chomping (no `-`): the value ends with one newline.
    pub clip: bool,
}

/// Decode the raw content of a literal block scalar (as [`Block::content`] delimits it) to its
/// value, with the byte map: indentation and `\r` of CRLF are dropped, chomping applied.
pub fn decode_literal(raw: &[u8], base: usize, indent: usize, clip: bool) -> text::Decoded {
    let mut d = text::decode_raw(b"", base);
    d.map.clear();
    let mut i = 0;
    let mut at_line_start = false;
    while i < raw.len() {
        if at_line_start {
            let mut n = 0;
            while n < indent && raw.get(i) == Some(&b' ') {
                i += 1;
                n += 1;
            }
            at_line_start = false;
            continue;
        }
        let b = raw[i];
        if b == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        d.text.push(b);
        d.map.push(base + i);
        at_line_start = b == b'\n';
        i += 1;
    }
    if clip {
        d.text.push(b'\n');
        d.map.push(base + raw.len());
    }
    d.map.push(base + raw.len());
    d
}

type R<T> = Result<T, usize>;

/// Read a YAML document; `Err(offset)` where it uses something this reader does not handle.
pub fn parse(text: &[u8]) -> R<Parsed> {
    let start = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut p = Reader {
        s: text,
        pos: start,
        blocks: Vec::new(),
    };
    if let Some((ls, 0)) = p.next_line(p.pos) {
        if p.s[ls..].starts_with(b"---") && ends_token(p.s.get(ls + 3)) {
            p.pos = ls + 3;
            p.eol()?;
        }
    }
    let tree = p.block_node(-1)?;
    if let Some((ls, ind)) = p.next_line(p.pos) {
        let rest = &p.s[ls + ind..];
        if !(rest.starts_with(b"...") && p.next_line(p.line_after(ls)).is_none()) {
            return Err(ls + ind);
        }
    }
    Ok(Parsed {
        tree,
        blocks: p.blocks,
    })
}

/// Is `b` the end of the text or whitespace (where YAML indicators need it after them)?
fn ends_token(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
    blocks: Vec<Block>,
}

impl Reader<'_> {
    /// Index of the start of the line after the one containing `p`.
    fn line_after(&self, p: usize) -> usize {
        memchr::memchr(b'\n', &self.s[p..]).map_or(self.s.len(), |i| p + i + 1)
    }

    /// From line start `p`, the next line with content (not blank, not only a comment):
    /// its start and indentation.
    fn next_line(&self, mut p: usize) -> Option<(usize, usize)> {
        while p < self.s.len() {
            let ind = self.s[p..].iter().take_while(|&&b| b == b' ').count();
            match self.s.get(p + ind) {
                None => return None,
                Some(b'\n' | b'\r' | b'#') => p = self.line_after(p),
                Some(b'\t') => {
                    // A tab before content: fine on blank lines, not as indentation.
                    let rest = &self.s[p + ind..self.line_after(p).min(self.s.len())];
                    if rest.iter().all(|b| b.is_ascii_whitespace()) {
                        p = self.line_after(p);
                    } else {
                        return Some((p, usize::MAX));
                    }
                }
                Some(_) => return Some((p, ind)),
            }
        }
        None
    }

    fn line_start(&self, p: usize) -> usize {
        memchr::memrchr(b'\n', &self.s[..p]).map_or(0, |i| i + 1)
    }

    fn null(&self, at: usize) -> Node {
        Node {
            span: at..at,
            kind: NodeKind::Other,
        }
    }

    /// Skip spaces and a comment to the end of the line, then move to the next line.
    fn eol(&mut self) -> R<()> {
        let mut p = self.pos;
        while let Some(b' ' | b'\t') = self.s.get(p) {
            p += 1;
        }
        match self.s.get(p) {
            None | Some(b'\n') => {}
            Some(b'\r') if matches!(self.s.get(p + 1), None | Some(b'\n')) => {}
            Some(b'#') if p == self.pos && p > 0 && !self.s[p - 1].is_ascii_whitespace() => {
                return Err(p)
            }
            Some(b'#') => {}
            Some(_) => return Err(p),
        }
        self.pos = self.line_after(p);
        Ok(())
    }

    fn block_node(&mut self, parent: isize) -> R<Node> {
        let Some((ls, ind)) = self.next_line(self.pos) else {
            return Ok(self.null(self.s.len()));
        };
        if ind == usize::MAX {
            return Err(ls);
        }
        if ind as isize <= parent {
            return Ok(self.null(ls));
        }
        let p = ls + ind;
        self.pos = p;
        if self.seq_entry(p) {
            self.block_seq(ind)
        } else if self.key(p)?.is_some() {
            self.block_map(ind)
        } else {
            let node = self.inline(p, parent)?;
            Ok(node)
        }
    }

    fn seq_entry(&self, p: usize) -> bool {
        self.s.get(p) == Some(&b'-') && ends_token(self.s.get(p + 1))
    }

    fn block_seq(&mut self, ind: usize) -> R<Node> {
        let start = self.pos;
        let mut items = Vec::new();
        loop {
            let mut p = self.pos + 1;
            while self.s.get(p) == Some(&b' ') {
                p += 1;
            }
            let item = match self.s.get(p) {
                None | Some(b'\n' | b'\r' | b'#') => {
                    self.pos = p;
                    self.eol()?;
                    self.block_value(ind, false)?
                }
                Some(_) => {
                    let col = p - self.line_start(p);
                    self.pos = p;
                    if self.seq_entry(p) {
                        self.block_seq(col)?
                    } else if self.key(p)?.is_some() {
                        self.block_map(col)?
                    } else {
                        self.inline(p, ind as isize)?
                    }
                }
            };
            items.push(item);
            match self.next_line(self.pos) {
                Some((ls, i)) if i == ind && self.seq_entry(ls + i) => self.pos = ls + i,
                Some((ls, i)) if i != usize::MAX && i > ind => return Err(ls + i),
                _ => break,
            }
        }
        let end = items
            .last()
            .map_or(start + 1, |n| n.span.end.max(start + 1));
        Ok(Node {
            span: start..end,
            kind: NodeKind::Arr(items),
        })
    }

    /// The value of a key or seq entry whose content starts on a later line. A mapping value may
    /// be a sequence at the mapping's own indentation.
    fn block_value(&mut self, ind: usize, in_map: bool) -> R<Node> {
        match self.next_line(self.pos) {
            Some((ls, i)) if in_map && i == ind && self.seq_entry(ls + i) => {
                self.pos = ls + i;
                self.block_seq(ind)
            }
            _ => self.block_node(ind as isize),
        }
    }

    fn block_map(&mut self, ind: usize) -> R<Node> {
        let start = self.pos;
        let mut members = Vec::new();
        let mut end = start;
        loop {
            let Some((key, after)) = self.key(self.pos)? else {
                return Err(self.pos);
            };
            let mut p = after;
            while self.s.get(p) == Some(&b' ') {
                p += 1;
            }
            let value = match self.s.get(p) {
                None | Some(b'\n' | b'\r' | b'#') => {
                    self.pos = p;
                    self.eol()?;
                    let v = self.block_value(ind, true)?;
                    if v.span.is_empty() {
                        Node {
                            span: after..after,
                            kind: NodeKind::Other,
                        }
                    } else {
                        v
                    }
                }
                Some(_) => {
                    self.pos = p;
                    self.inline(p, ind as isize)?
                }
            };
            end = end.max(value.span.end);
            members.push((key, value));
            match self.next_line(self.pos) {
                Some((ls, i)) if i == ind => {
                    if self.key(ls + i)?.is_none() {
                        break;
                    }
                    self.pos = ls + i;
                }
                Some((ls, i)) if i != usize::MAX && i > ind => return Err(ls + i),
                Some((ls, usize::MAX)) => return Err(ls),
                _ => break,
            }
        }
        Ok(Node {
            span: start..end,
            kind: NodeKind::Obj(members),
        })
    }

    /// A mapping key at `p` on a block line: its text and the index after its `:`.
    fn key(&self, p: usize) -> R<Option<(String, usize)>> {
        let s = self.s;
        let (key, mut q) = match s.get(p) {
            Some(b'"' | b'\'') => {
                let Ok(node) = self.quoted(p) else {
                    return Ok(None);
                };
                let NodeKind::Str(tok) = node.kind else {
                    return Ok(None);
                };
                (tok.value, node.span.end)
            }
            Some(
                b'[' | b'{' | b'?' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`',
            ) => return Ok(None),
            Some(_) if self.seq_entry(p) => return Ok(None),
            _ => {
                let mut q = p;
                loop {
                    match s.get(q) {
                        None | Some(b'\n' | b'\r') => return Ok(None),
                        Some(b':') if ends_token(s.get(q + 1)) => break,
                        Some(b'#') if s[q - 1] == b' ' => return Ok(None),
                        _ => q += 1,
                    }
                }
                let key = std::str::from_utf8(&s[p..q]).map_err(|_| p)?.trim_end();
                (key.to_string(), q)
            }
        };
        while s.get(q) == Some(&b' ') {
            q += 1;
        }
        if s.get(q) == Some(&b':') && ends_token(s.get(q + 1)) {
            Ok(Some((key, q + 1)))
        } else {
            Ok(None)
        }
    }

    /// A node starting at `p` on the current line; leaves `pos` at the start of the next line.
    fn inline(&mut self, p: usize, parent: isize) -> R<Node> {
        let node = match self.s[p] {
            b'"' | b'\'' => {
                let n = self.quoted(p)?;
                self.pos = n.span.end;
                self.eol()?;
                n
            }
            b'[' | b'{' => {
                let mut f = Flow { s: self.s, pos: p };
                let n = f.item()?;
                self.pos = f.pos;
                self.eol()?;
                n
            }
            b'|' | b'>' => self.block_scalar(p, parent)?,
            b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'?' => return Err(p),
            _ => {
                let end = self.plain_end(p);
                let n = scalar(self.s, p..end)?;
                self.pos = end;
                self.eol()?;
                // A plain scalar continued on the next lines is folded: not handled.
                if let Some((ls, i)) = self.next_line(self.pos) {
                    if i != usize::MAX
                        && i as isize > parent
                        && !self.seq_entry(ls + i)
                        && self.key(ls + i)?.is_none()
                    {
                        return Err(ls + i);
                    }
                }
                n
            }
        };
        Ok(node)
    }

    fn plain_end(&self, p: usize) -> usize {
        let mut q = p;
        while let Some(&b) = self.s.get(q) {
            if b == b'\n' || (b == b'#' && q > p && self.s[q - 1] == b' ') {
                break;
            }
            q += 1;
        }
        while q > p && matches!(self.s[q - 1], b' ' | b'\t' | b'\r') {
            q -= 1;
        }
        q
    }

    fn quoted(&self, p: usize) -> R<Node> {
        let q = self.s[p];
        let mut i = p + 1;
        loop {
            match self.s.get(i) {
                None | Some(b'\n' | b'\r') => return Err(p),
                Some(b'\\') if q == b'"' => i += 2,
                Some(&c) if c == q => {
                    if q == b'\'' && self.s.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        break;
                    }
                }
                Some(_) => i += 1,
            }
        }
        let content = p + 1..i;
        let raw = &self.s[content.clone()];
        let d = if q == b'"' {
            text::decode_yaml_double(raw, content.start)
        } else {
            text::decode_yaml_single(raw, content.start)
        }
        .ok_or(p)?;
        let value = String::from_utf8(d.text.clone()).map_err(|_| p)?;
        let first = value.chars().next().map(|c| d.raw(0..c.len_utf8()));
        Ok(Node {
            span: p..i + 1,
            kind: NodeKind::Str(StrTok {
                value,
                content,
                first,
            }),
        })
    }

    fn block_scalar(&mut self, p: usize, parent: isize) -> R<Node> {
        let literal = self.s[p] == b'|';
        let mut q = p + 1;
        let mut chomp = b' ';
        while let Some(&c) = self.s.get(q) {
            match c {
                b'+' | b'-' => chomp = c,
                b'0'..=b'9' => return Err(q), // explicit indentation: not handled
                _ => break,
            }
            q += 1;
        }
        self.pos = q;
        self.eol()?;
        let body_start = self.pos;
        let Some((first_ls, ind)) = self.next_line(body_start) else {
            return Err(p);
        };
        if ind == usize::MAX || ind as isize <= parent {
            return Err(p);
        }
        // Content lines: blank ones, or indented at least as much as the first.
        let mut lines = Vec::new();
        let mut ls = body_start;
        let mut last_content_end = first_ls + ind;
        while ls < self.s.len() {
            let le = memchr::memchr(b'\n', &self.s[ls..]).map_or(self.s.len(), |i| ls + i);
            let line = &self.s[ls..le];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let spaces = line.iter().take_while(|&&b| b == b' ').count();
            if spaces == line.len() {
                lines.push(&b""[..]);
            } else if spaces >= ind {
                lines.push(&line[ind..]);
                last_content_end = ls + line.len();
            } else {
                break;
            }
            ls = if le < self.s.len() { le + 1 } else { le };
        }
        self.pos = ls;
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let mut value = Vec::new();
        if literal {
            value = lines.join(&b"\n"[..]);
        } else {
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    value.push(if l.is_empty() || lines[i - 1].is_empty() {
                        b'\n'
                    } else {
                        b' '
                    });
                    if l.is_empty() && lines[i - 1].is_empty() {
                        continue;
                    }
                }
                value.extend_from_slice(l);
            }
            // Folding of blank lines: "a\n\nb" -> "a\nb".
            value = String::from_utf8_lossy(&value)
                .replace(" \n", "\n")
                .replace("\n ", "\n")
                .into_bytes();
        }
        match chomp {
            b'-' => {}
            b'+' => return Err(p), // keep: trailing blank lines matter; not handled
            _ if !lines.is_empty() => value.push(b'\n'),
            _ => {}
        }
        let content = first_ls + ind..last_content_end;
        self.blocks.push(Block {
            content: content.clone(),
            indent: ind,
            literal,
            clip: chomp == b' ' && !lines.is_empty(),
        });
        let value = String::from_utf8(value).map_err(|_| p)?;
        Ok(Node {
            span: p..last_content_end,
            kind: NodeKind::Str(StrTok {
                value,
                first: Some(content.start..content.start + 1),
                content,
            }),
        })
    }
}

/// A plain scalar's node: a string, or another type as YAML resolves it.
fn scalar(s: &[u8], r: Range<usize>) -> R<Node> {
    let t = std::str::from_utf8(&s[r.clone()]).map_err(|_| r.start)?;
    let is_string = matches!(
        serde_yaml::from_str::<serde_yaml::Value>(t),
        Ok(serde_yaml::Value::String(_))
    );
    let kind = if is_string {
        NodeKind::Str(StrTok {
            value: t.to_string(),
            first: t.chars().next().map(|c| r.start..r.start + c.len_utf8()),
            content: r.clone(),
        })
    } else {
        NodeKind::Other
    };
    Ok(Node { span: r, kind })
}

/// Flow collections (`[a, "b"]`, `{k: v}`), which may span lines.
struct Flow<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Flow<'_> {
    fn ws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'#' => {
                    while self.s.get(self.pos).is_some_and(|&b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn item(&mut self) -> R<Node> {
        let start = self.pos;
        match self.s.get(self.pos) {
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.item()?);
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.pos),
                    }
                }
                Ok(Node {
                    span: start..self.pos,
                    kind: NodeKind::Arr(items),
                })
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                        break;
                    }
                    let key = self.item()?;
                    let NodeKind::Str(k) = key.kind else {
                        return Err(key.span.start);
                    };
                    self.ws();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.pos);
                    }
                    self.pos += 1;
                    self.ws();
                    let value = match self.s.get(self.pos) {
                        Some(b',' | b'}') => Node {
                            span: self.pos..self.pos,
                            kind: NodeKind::Other,
                        },
                        _ => self.item()?,
                    };
                    members.push((k.value, value));
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.pos),
                    }
                }
                Ok(Node {
                    span: start..self.pos,
                    kind: NodeKind::Obj(members),
                })
            }
            Some(b'"' | b'\'') => {
                let r = Reader {
                    s: self.s,
                    pos: self.pos,
                    blocks: Vec::new(),
                };
                let n = r.quoted(self.pos)?;
                self.pos = n.span.end;
                Ok(n)
            }
            Some(b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'?' | b'|' | b'>') | None => {
                Err(self.pos)
            }
            Some(_) => {
                let mut q = self.pos;
                while let Some(&b) = self.s.get(q) {
                    let stop = match b {
                        b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r' => true,
                        b':' => {
                            ends_token(self.s.get(q + 1))
                                || matches!(self.s.get(q + 1), Some(b',' | b']' | b'}'))
                        }
                        b'#' => q > start && self.s[q - 1] == b' ',
                        _ => false,
                    };
                    if stop {
                        break;
                    }
                    q += 1;
                }
                let mut end = q;
                while end > start && matches!(self.s[end - 1], b' ' | b'\t') {
                    end -= 1;
                }
                if end == start {
                    return Err(start);
                }
                self.pos = q;
                scalar(self.s, start..end)
            }
        }
    }
}

/// Is `s` safe as a plain scalar in both block and flow context, reading back as itself?
pub fn plain_ok(s: &str) -> bool {
    !s.is_empty()
        && !s.contains([',', '[', ']', '{', '}', '#', '\n', '\r', '"', '\''])
        && !s.contains(": ")
        && !s.ends_with(':')
        && s.trim() == s
        && matches!(
            serde_yaml::from_str::<serde_yaml::Value>(s),
            Ok(serde_yaml::Value::String(v)) if v == s
        )
}

/// The value the tree says the document holds, as `serde_yaml` would give it. Strings whose
/// content range is in `replaced` take the replacement value instead.
pub fn to_value(
    node: &Node,
    text: &[u8],
    replaced: &dyn Fn(&Range<usize>) -> Option<String>,
) -> Option<serde_yaml::Value> {
    use serde_yaml::Value;
    Some(match &node.kind {
        NodeKind::Str(t) => Value::String(replaced(&t.content).unwrap_or_else(|| t.value.clone())),
        NodeKind::Other if node.span.is_empty() => Value::Null,
        NodeKind::Other => serde_yaml::from_slice(&text[node.span.clone()]).ok()?,
        NodeKind::Arr(items) => Value::Sequence(
            items
                .iter()
                .map(|n| to_value(n, text, replaced))
                .collect::<Option<_>>()?,
        ),
        NodeKind::Obj(members) => {
            let mut m = serde_yaml::Mapping::new();
            for (k, v) in members {
                if m.insert(Value::String(k.clone()), to_value(v, text, replaced)?)
                    .is_some()
                {
                    return None;
                }
            }
            Value::Mapping(m)
        }
    })
}

/// Does this reader read `text` exactly as `serde_yaml` does?
pub fn agrees(text: &[u8], parsed: &Parsed) -> bool {
    let Ok(theirs) = serde_yaml::from_slice::<serde_yaml::Value>(text) else {
        return false;
    };
    to_value(&parsed.tree, text, &|_| None).is_some_and(|ours| ours == theirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str) -> Parsed {
        let p = parse(src.as_bytes()).unwrap_or_else(|e| panic!("offset {e} in {src:?}"));
        assert!(agrees(src.as_bytes(), &p), "disagrees: {src}");
        p
    }

    #[test]
    fn reads_export_shapes() {
        check("integration:\n  name: api\n  application_reference:\n    name: \"API\"\nalert_rules:\n  - description: sev1\n    rule_json: '{\"type\":\"group\"}'\n    actions: []\n  - description: x # comment\n    position: 2\n");
        check("---\nlist:\n- a\n- b: 1\n  c: [1, \"two\", three]\n- - nested\n  - seq\nflow: {a: 1, \"b\": [x, y]}\nempty:\nlast: ~\n");
        check("rule_json: |\n  {\"type\": \"group\",\n   \"children1\": {}}\nnext: 1\n");
        check("rule_json: |-\n    {\"a\": 1}\n\n    {\"b\": 2}\nz: >\n  folded\n  text\n");
        check("k: \"esc \\\" \\u00e9\"\nj: 'it''s'\nurl: http://x:8/y\n");
        check("a:\r\n  b: c\r\n  d: 'e'\r\n");
        check("value:\n  - $.severity\n  - \"1\"\nother:\n  - $['service name']\n  - [\"$['a']\", x]\n");
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        for src in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: plain\n  continued\n",
            "a: \"multi\n  line\"\n",
            "a: 1\n---\nb: 2\n",
        ] {
            assert!(parse(src.as_bytes()).is_err(), "{src}");
        }
    }

    #[test]
    fn literal_block_decodes_to_its_value() {
        let src = "k: |\r\n  {\"a\":\r\n     1}\r\n\r\n  x\r\nz: 1\r\n";
        let p = check(src);
        let b = &p.blocks[0];
        let d = decode_literal(&src.as_bytes()[b.content.clone()], 0, b.indent, b.clip);
        let value = p.tree.get("k").unwrap().as_str().unwrap().value.clone();
        assert_eq!(String::from_utf8(d.text).unwrap(), value);
    }

    #[test]
    fn positions_point_at_scalar_content() {
        let src = "x:\n  name: 'API'\n";
        let p = check(src);
        let tok = p
            .tree
            .get("x")
            .unwrap()
            .get("name")
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(&src[tok.content.clone()], "API");
    }
}
