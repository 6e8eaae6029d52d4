//! A small span-aware JSON parser. `serde_json` gives values but no positions; the converter must
//! know the exact bytes of each `value[0]` string token to replace only that token, so this parser
//! keeps the byte range of every node and of every string's content and first character.
//! It accepts exactly RFC 8259 JSON (no comments, no trailing commas), with a depth limit so a
//! hostile file cannot overflow the stack.

use std::ops::Range;

use super::text::decode_json_string;
use super::tree::{Node, NodeKind, StrTok};

const MAX_DEPTH: usize = 200;

/// Why the text is not JSON, and where (a byte offset into the parsed text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// Parse one JSON document (surrounding whitespace allowed).
pub fn parse(text: &[u8]) -> Result<Node, JsonError> {
    let mut p = Parser { s: text, i: 0 };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(p.err("trailing characters after the JSON document"));
    }
    Ok(node)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.i,
            message: message.to_string(),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        let start = self.i;
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of JSON")),
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a string key"));
                        }
                        let key = self.string()?;
                        self.ws();
                        if self.s.get(self.i) != Some(&b':') {
                            return Err(self.err("expected `:`"));
                        }
                        self.i += 1;
                        self.ws();
                        let v = self.value(depth + 1)?;
                        let NodeKind::Str(k) = key.kind else {
                            unreachable!("string() returns strings")
                        };
                        members.push((k.value, v));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
                Ok(Node {
                    span: start..self.i,
                    kind: NodeKind::Obj(members),
                })
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                }
                Ok(Node {
                    span: start..self.i,
                    kind: NodeKind::Arr(items),
                })
            }
            Some(b'"') => self.string(),
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn word(&mut self, w: &[u8]) -> Result<Node, JsonError> {
        let start = self.i;
        if self.s[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(Node {
                span: start..self.i,
                kind: NodeKind::Other,
            })
        } else {
            Err(self.err("unexpected word"))
        }
    }

    fn number(&mut self) -> Result<Node, JsonError> {
        let start = self.i;
        let s = self.s;
        let digits = |i: &mut usize| {
            let from = *i;
            while s.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        let mut i = self.i;
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        if s.get(i) == Some(&b'0') {
            i += 1;
        } else if digits(&mut i) == 0 {
            self.i = i;
            return Err(self.err("bad number"));
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                self.i = i;
                return Err(self.err("bad number"));
            }
        }
        if let Some(b'e' | b'E') = s.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = s.get(i) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.i = i;
                return Err(self.err("bad number"));
            }
        }
        self.i = i;
        Ok(Node {
            span: start..i,
            kind: NodeKind::Other,
        })
    }

    fn string(&mut self) -> Result<Node, JsonError> {
        let start = self.i;
        let mut i = self.i + 1;
        loop {
            match self.s.get(i) {
                None => {
                    self.i = i;
                    return Err(self.err("unterminated string"));
                }
                Some(b'"') => break,
                Some(b'\\') => i += 2,
                Some(_) => i += 1,
            }
        }
        let content = start + 1..i;
        let Some(decoded) = decode_json_string(&self.s[content.clone()], content.start) else {
            self.i = start;
            return Err(self.err("bad escape or control character in string"));
        };
        let Ok(value) = String::from_utf8(decoded.text.clone()) else {
            self.i = start;
            return Err(self.err("string is not UTF-8"));
        };
        let first = value.chars().next().map(|c| decoded.raw(0..c.len_utf8()));
        self.i = i + 1;
        Ok(Node {
            span: start..self.i,
            kind: NodeKind::Str(StrTok {
                value,
                content,
                first,
            }),
        })
    }
}

/// The byte range `r` shifted by `by`.
pub fn shift(r: &Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_string_spans() {
        let text = br#" {"a" : ["\u0024.x", 1, true, null, -2.5e3]} "#;
        let node = parse(text).unwrap();
        let NodeKind::Obj(m) = &node.kind else {
            panic!()
        };
        let NodeKind::Arr(items) = &m[0].1.kind else {
            panic!()
        };
        let NodeKind::Str(s) = &items[0].kind else {
            panic!()
        };
        assert_eq!(s.value, "$.x");
        assert_eq!(&text[s.content.clone()], br"\u0024.x");
        assert_eq!(&text[s.first.clone().unwrap()], br"\u0024");
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            &b"{"[..],
            b"[1,]",
            b"{\"a\" 1}",
            b"01",
            b"\"\\x\"",
            b"[1] 2",
            b"",
            b"{'a':1}",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
            assert!(serde_json::from_slice::<serde_json::Value>(bad).is_err());
        }
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes()).is_err());
    }
}
