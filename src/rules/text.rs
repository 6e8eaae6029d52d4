//! Byte-exact decoding of the string forms `rule_json` hides in (HCL quoted strings, heredocs,
//! JSON strings, YAML quoted scalars), each with a map from decoded bytes back to raw bytes, and
//! the matching encoders. The map is what lets an edit found in the decoded JSON land on the exact
//! raw bytes of the file, so the rest of the string keeps its escaping byte for byte.

use std::ops::Range;

/// Text decoded from a raw region of a file, with the raw offset of every decoded byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: Vec<u8>,
    /// `map[i]` is the raw offset where decoded byte `i` comes from; `map[text.len()]` is the
    /// raw end. Every byte of a multi-byte character decoded from one escape maps to its start.
    pub map: Vec<usize>,
}

impl Decoded {
    /// The raw range of decoded range `r` (which must fall on character boundaries).
    pub fn raw(&self, r: Range<usize>) -> Range<usize> {
        self.map[r.start]..self.map[r.end]
    }

    fn push(&mut self, bytes: &[u8], raw_at: usize) {
        for &b in bytes {
            self.text.push(b);
            self.map.push(raw_at);
        }
    }

    fn push_char(&mut self, c: char, raw_at: usize) {
        let mut buf = [0u8; 4];
        self.push(c.encode_utf8(&mut buf).as_bytes(), raw_at);
    }
}

fn hex(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    let s = std::str::from_utf8(bytes).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decode the inside of an HCL quoted string (`raw` excludes the quotes; `base` is its offset in
/// the file). `$${` and `%%{` are HCL's escapes for literal `${` and `%{`.
pub fn decode_hcl_quoted(raw: &[u8], base: usize) -> Option<Decoded> {
    let mut d = Decoded {
        text: Vec::with_capacity(raw.len()),
        map: Vec::with_capacity(raw.len() + 1),
    };
    let mut i = 0;
    while i < raw.len() {
        let at = base + i;
        match raw[i] {
            b'\\' => {
                let e = *raw.get(i + 1)?;
                let simple = match e {
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'"' => Some(b'"'),
                    b'\\' => Some(b'\\'),
                    _ => None,
                };
                if let Some(b) = simple {
                    d.push(&[b], at);
                    i += 2;
                } else {
                    let n = match e {
                        b'u' => 4,
                        b'U' => 8,
                        _ => return None,
                    };
                    let c = char::from_u32(hex(raw.get(i + 2..i + 2 + n)?)?)?;
                    d.push_char(c, at);
                    i += 2 + n;
                }
            }
            b'$' | b'%' if raw.get(i + 1) == Some(&raw[i]) && raw.get(i + 2) == Some(&b'{') => {
                d.push(&raw[i..i + 1], at);
                i += 2;
            }
            b => {
                d.push(&[b], at);
                i += 1;
            }
        }
    }
    d.map.push(base + raw.len());
    Some(d)
}

/// Decode a heredoc body: backslashes are literal there, only `$${` and `%%{` are escapes.
pub fn decode_heredoc(raw: &[u8], base: usize) -> Decoded {
    let mut d = Decoded {
        text: Vec::with_capacity(raw.len()),
        map: Vec::with_capacity(raw.len() + 1),
    };
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if (b == b'$' || b == b'%') && raw.get(i + 1) == Some(&b) && raw.get(i + 2) == Some(&b'{') {
            d.push(&[b], base + i);
            i += 2;
        } else {
            d.push(&[b], base + i);
            i += 1;
        }
    }
    d.map.push(base + raw.len());
    d
}

/// Text that is taken as it is (YAML plain and block scalars): the identity map.
pub fn decode_raw(raw: &[u8], base: usize) -> Decoded {
    Decoded {
        text: raw.to_vec(),
        map: (base..=base + raw.len()).collect(),
    }
}

/// Decode the inside of a JSON string (`raw` excludes the quotes).
pub fn decode_json_string(raw: &[u8], base: usize) -> Option<Decoded> {
    let mut d = Decoded {
        text: Vec::with_capacity(raw.len()),
        map: Vec::with_capacity(raw.len() + 1),
    };
    let mut i = 0;
    while i < raw.len() {
        let at = base + i;
        match raw[i] {
            b'\\' => {
                let e = *raw.get(i + 1)?;
                let simple = match e {
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'b' => Some(8),
                    b'f' => Some(12),
                    b'"' => Some(b'"'),
                    b'\\' => Some(b'\\'),
                    b'/' => Some(b'/'),
                    _ => None,
                };
                if let Some(b) = simple {
                    d.push(&[b], at);
                    i += 2;
                    continue;
                }
                if e != b'u' {
                    return None;
                }
                let hi = hex(raw.get(i + 2..i + 6)?)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A surrogate pair: both escapes make one character.
                    if raw.get(i + 6..i + 8)? != b"\\u" {
                        return None;
                    }
                    let lo = hex(raw.get(i + 8..i + 12)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                    d.push_char(c, at);
                    i += 12;
                } else {
                    d.push_char(char::from_u32(hi)?, at);
                    i += 6;
                }
            }
            b if b < 0x20 => return None,
            b => {
                d.push(&[b], at);
                i += 1;
            }
        }
    }
    d.map.push(base + raw.len());
    Some(d)
}

/// Decode the inside of a YAML single-quoted scalar on one line (`''` is a quote).
pub fn decode_yaml_single(raw: &[u8], base: usize) -> Option<Decoded> {
    let mut d = Decoded {
        text: Vec::with_capacity(raw.len()),
        map: Vec::with_capacity(raw.len() + 1),
    };
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\'' if raw.get(i + 1) == Some(&b'\'') => {
                d.push(b"'", base + i);
                i += 2;
            }
            // Line folding would change the text; such scalars are not edited.
            b'\'' | b'\n' | b'\r' => return None,
            b => {
                d.push(&[b], base + i);
                i += 1;
            }
        }
    }
    d.map.push(base + raw.len());
    Some(d)
}

/// Decode the inside of a YAML double-quoted scalar on one line. YAML's escapes are a superset
/// of JSON's; the extra ones rule JSON never needs make the scalar uneditable (None).
pub fn decode_yaml_double(raw: &[u8], base: usize) -> Option<Decoded> {
    if raw.iter().any(|&b| b == b'\n' || b == b'\r') {
        return None;
    }
    decode_json_string(raw, base)
}

/// Escape `s` for the inside of a JSON string.
pub fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Escape `s` for the inside of an HCL quoted string, template sequences included.
pub fn hcl_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Escape `s` for a heredoc body (only template sequences need it).
pub fn heredoc_escape(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// Escape `s` for the inside of a YAML single-quoted scalar.
pub fn yaml_single_escape(s: &str) -> String {
    s.replace('\'', "''")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_decode_maps_escapes_to_raw() {
        let raw = br#"{\"a\":\"$${x}\"}"#;
        let d = decode_hcl_quoted(raw, 10).unwrap();
        assert_eq!(d.text, br#"{"a":"${x}"}"#);
        // The `$` of `${x}` comes from the two raw bytes `$$`.
        let dollar = d.text.iter().position(|&b| b == b'$').unwrap();
        assert_eq!(d.raw(dollar..dollar + 1), 10 + 9..10 + 11);
    }

    #[test]
    fn hcl_unicode_escape() {
        let d = decode_hcl_quoted(br"\u00e9x", 0).unwrap();
        assert_eq!(d.text, "éx".as_bytes());
        assert_eq!(d.raw(0..2), 0..6);
    }

    #[test]
    fn json_decode_surrogates_and_bad_escapes() {
        let d = decode_json_string(br"\ud83d\ude00!", 0).unwrap();
        assert_eq!(d.text, "😀!".as_bytes());
        assert!(decode_json_string(br"\q", 0).is_none());
        assert!(decode_json_string(b"a\nb", 0).is_none());
    }

    #[test]
    fn escapes_round_trip() {
        let s = "$['a \"b\"'].${x}\\%{y}";
        let enc = hcl_escape(s);
        assert_eq!(
            decode_hcl_quoted(enc.as_bytes(), 0).unwrap().text,
            s.as_bytes()
        );
        let enc = json_escape(s);
        assert_eq!(
            decode_json_string(enc.as_bytes(), 0).unwrap().text,
            s.as_bytes()
        );
        let enc = yaml_single_escape("it's");
        assert_eq!(decode_yaml_single(enc.as_bytes(), 0).unwrap().text, b"it's");
        let enc = heredoc_escape(s);
        assert_eq!(decode_heredoc(enc.as_bytes(), 0).text, s.as_bytes());
    }
}
