//! Just enough JSONPath to decide what a rule's `value[0]` is: rooted at `$` or not, already
//! under the payload root or not, and its rebased form. Not an evaluator: the vendor evaluates the
//! paths, this module only proves their shape.

/// One step of a path, normalised so `.payload`, `['payload']` and `["payload"]` compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A member by name.
    Name(String),
    /// Anything else (`..x`, `[0]`, `[*]`, `[]`, filters), by its text.
    Other(String),
}

/// Split a path rooted at `$` into segments; None when it is not such a path.
pub fn segments(path: &str) -> Option<Vec<Seg>> {
    let rest = path.strip_prefix('$')?;
    let b = rest.as_bytes();
    let mut segs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' if b.get(i + 1) == Some(&b'.') => {
                // Descendant: `..name`, `..*` or `..[...]`.
                let start = i;
                i += 2;
                if b.get(i) == Some(&b'[') {
                    i = bracket_end(b, i)?;
                } else {
                    let n = name_len(&b[i..]);
                    if n == 0 {
                        return None;
                    }
                    i += n;
                }
                segs.push(Seg::Other(rest[start..i].to_string()));
            }
            b'.' => {
                i += 1;
                let n = name_len(&b[i..]);
                if n == 0 {
                    return None;
                }
                segs.push(Seg::Name(rest[i..i + n].to_string()));
                i += n;
            }
            b'[' => {
                let end = bracket_end(b, i)?;
                let inner = rest[i + 1..end - 1].trim();
                segs.push(match quoted_name(inner) {
                    Some(name) => Seg::Name(name),
                    None => Seg::Other(rest[i..end].to_string()),
                });
                i = end;
            }
            _ => return None,
        }
    }
    Some(segs)
}

fn name_len(b: &[u8]) -> usize {
    b.iter().take_while(|&&c| c != b'.' && c != b'[').count()
}

/// The index just past the `]` matching the `[` at `i`, minding quotes and nesting.
fn bracket_end(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut j = i;
    while j < b.len() {
        let c = b[j];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    j += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            },
        }
        j += 1;
    }
    None
}

/// `'name'` or `"name"` (no escapes inside) -> name.
fn quoted_name(inner: &str) -> Option<String> {
    let q = inner.chars().next()?;
    if (q == '\'' || q == '"') && inner.len() >= 2 && inner.ends_with(q) {
        let name = &inner[1..inner.len() - 1];
        if !name.contains(q) && !name.contains('\\') {
            return Some(name.to_string());
        }
    }
    None
}

/// Is `path` a JSONPath rooted at `$` (the only shape the tool may rebase)?
pub fn is_rooted(path: &str) -> bool {
    segments(path).is_some()
}

/// Is `path` already at or under `root`? Both must be rooted paths.
pub fn is_under(path: &str, root: &[Seg]) -> bool {
    match segments(path) {
        Some(segs) => segs.len() >= root.len() && segs[..root.len()] == *root,
        None => false,
    }
}

/// The rebased path: `$` replaced by the root (`$.a` -> `$.payload.a`, `$` -> `$.payload`).
pub fn rebase(path: &str, root: &str) -> String {
    format!("{root}{}", &path[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Vec<Seg> {
        segments("$.payload").unwrap()
    }

    #[test]
    fn spec_examples_rebase() {
        for (old, new) in [
            ("$.severity", "$.payload.severity"),
            ("$['service name']", "$.payload['service name']"),
            ("$.alerts[].labels.pod", "$.payload.alerts[].labels.pod"),
            ("$..host", "$.payload..host"),
            ("$", "$.payload"),
            ("$[0]", "$.payload[0]"),
        ] {
            assert!(is_rooted(old), "{old}");
            assert!(!is_under(old, &root()), "{old}");
            assert_eq!(rebase(old, "$.payload"), new);
            assert!(is_under(new, &root()), "{new}");
        }
    }

    #[test]
    fn under_root_in_every_spelling() {
        for p in [
            "$.payload",
            "$.payload.x",
            "$.payload[0]",
            "$['payload']",
            "$[\"payload\"].a",
            "$[ 'payload' ]..x",
        ] {
            assert!(is_under(p, &root()), "{p}");
        }
        for p in ["$.payloads", "$..payload", "$.x.payload", "$[0]"] {
            assert!(!is_under(p, &root()), "{p}");
        }
    }

    #[test]
    fn not_rooted() {
        for p in [
            "severity",
            "payload.severity",
            "$severity",
            "${x}",
            "$.",
            "$['a'",
            "",
            " $.a",
        ] {
            assert!(!is_rooted(p), "{p}");
        }
    }
}
