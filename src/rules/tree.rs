//! The rule builder's condition tree held in `rule_json`, as a form-independent [`Node`] tree
//! with byte positions, and the conversion of its payload conditions (SPEC 3). The same walk
//! serves JSON text (quoted, heredoc, JSON strings, YAML scalars) and HCL `jsonencode({...})`
//! objects, so every form follows one set of rules.

use std::ops::Range;

use super::jsonpath::{self, Seg};

/// A string token: its value, the raw range of its content (inside the quotes) and of its first
/// character (the `$` the rebase replaces), in the coordinates of the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrTok {
    pub value: String,
    pub content: Range<usize>,
    pub first: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    Str(StrTok),
    Arr(Vec<Node>),
    /// Members in document order (duplicates kept).
    Obj(Vec<(String, Node)>),
    /// Numbers, booleans, null, and expressions that are none of the above.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: NodeKind,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&StrTok> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The field of a payload condition.
pub const PAYLOAD_FIELD: &str = "alert.payload";
/// Operators whose `value[0]` is known to be a payload JSONPath.
pub const PAYLOAD_OPERATORS: [&str; 1] = ["payloadsearch"];

/// What the conversion does with one place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Rebase this `value[0]`: replace the raw `first` character (`$`) with the payload root.
    Rebase {
        content: Range<usize>,
        first: Range<usize>,
        old: String,
        new: String,
    },
    /// Not provably a legacy payload path: a human decides.
    Review {
        range: Range<usize>,
        message: String,
    },
}

/// The payload root, parsed once.
#[derive(Debug, Clone)]
pub struct Root {
    pub text: String,
    pub segs: Vec<Seg>,
}

impl Root {
    /// None when `text` is not a JSONPath rooted at `$` made of plain steps.
    pub fn new(text: &str) -> Option<Root> {
        let segs = jsonpath::segments(text)?;
        Some(Root {
            text: text.to_string(),
            segs,
        })
    }
}

/// Walk the tree and decide every payload condition, in document order.
pub fn convert(tree: &Node, root: &Root) -> Vec<Outcome> {
    let mut out = Vec::new();
    walk(tree, root, &mut out);
    out
}

fn walk(node: &Node, root: &Root, out: &mut Vec<Outcome>) {
    match &node.kind {
        NodeKind::Obj(members) => {
            if let Some(props) = node.get("properties") {
                leaf(node, props, root, out);
            }
            // Recurse everywhere (children1 as object or array, nested groups): a leaf is
            // recognised by its `properties.field`, wherever it sits.
            for (_, v) in members {
                walk(v, root, out);
            }
        }
        NodeKind::Arr(items) => {
            for v in items {
                walk(v, root, out);
            }
        }
        _ => {}
    }
}

fn leaf(node: &Node, props: &Node, root: &Root, out: &mut Vec<Outcome>) {
    let Some(field) = props.get("field").and_then(Node::as_str) else {
        return;
    };
    if field.value != PAYLOAD_FIELD {
        return;
    }
    let operator = props.get("operator");
    match operator.and_then(Node::as_str) {
        Some(op) if PAYLOAD_OPERATORS.contains(&op.value.as_str()) => {}
        Some(op) => {
            out.push(Outcome::Review {
                range: op.content.clone(),
                message: format!(
                    "alert.payload condition with operator `{}` the tool does not know; check its payload path by hand",
                    op.value
                ),
            });
            return;
        }
        None => {
            out.push(Outcome::Review {
                range: node.span.clone(),
                message:
                    "alert.payload condition without an operator; check its payload path by hand"
                        .into(),
            });
            return;
        }
    }
    let first = match props.get("value").map(|v| &v.kind) {
        Some(NodeKind::Arr(items)) => items.first(),
        _ => None,
    };
    let Some(tok) = first.and_then(Node::as_str) else {
        out.push(Outcome::Review {
            range: props
                .get("value")
                .map_or(node.span.clone(), |v| v.span.clone()),
            message: "alert.payload condition whose value[0] is not a string; check it by hand"
                .into(),
        });
        return;
    };
    let path = tok.value.as_str();
    if !jsonpath::is_rooted(path) {
        out.push(Outcome::Review {
            range: tok.content.clone(),
            message: format!(
                "payload path `{path}` is not a JSONPath rooted at `$`; rebase it under `{}` by hand if it reads the payload",
                root.text
            ),
        });
    } else if jsonpath::is_under(path, &root.segs) {
        out.push(Outcome::Review {
            range: tok.content.clone(),
            message: format!(
                "payload path `{path}` is already under `{}`; if this legacy rule meant a key named payload, it must become `{}`",
                root.text,
                jsonpath::rebase(path, &root.text)
            ),
        });
    } else {
        let new = jsonpath::rebase(path, &root.text);
        if new == path {
            return;
        }
        out.push(Outcome::Rebase {
            content: tok.content.clone(),
            first: tok.first.clone().expect("a rooted path is not empty"),
            old: path.to_string(),
            new,
        });
    }
}

/// `{{ ... }}` placeholders in an action value that read the payload: `{{$.x}}`,
/// `{{ payload.x }}`, `{{alert.payload.x}}`. Returns byte ranges in `value`.
pub fn payload_placeholders(value: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = value[from..].find("{{").map(|i| i + from) {
        let Some(close) = value[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let inner = value[open + 2..close].trim_start();
        let names_payload = inner.starts_with('$')
            || ["payload", "alert.payload"].iter().any(|p| {
                inner.strip_prefix(p).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with(['.', '[', ' ', '|', '}'])
                })
            });
        if names_payload {
            found.push(open..close + 2);
        }
        from = close + 2;
    }
    found
}

/// Tell the payload placeholder of an action value, for review messages.
pub fn placeholder_message(placeholder: &str, root: &str) -> String {
    format!(
        "action value placeholder `{placeholder}` reads the alert payload, which the Generic Integration nests under `{root}`; update it by hand"
    )
}

#[cfg(test)]
mod tests {
    use super::super::json;
    use super::*;

    fn outcomes(text: &str) -> Vec<Outcome> {
        convert(
            &json::parse(text.as_bytes()).unwrap(),
            &Root::new("$.payload").unwrap(),
        )
    }

    #[test]
    fn rebases_only_value0_of_payload_leaves() {
        let text = r#"{"type":"group","children1":{"a":{"type":"rule","path":["x","a"],"properties":{"field":"alert.payload","operator":"payloadsearch","value":["$.severity","$.x"],"operatorOptions":{"ploperator":"regex_equal"}}},"b":{"type":"rule","properties":{"field":"alert.message","operator":"equal","value":["$.y"]}}},"properties":{"conjunction":"AND","not":false}}"#;
        let o = outcomes(text);
        assert_eq!(o.len(), 1);
        let Outcome::Rebase {
            content, old, new, ..
        } = &o[0]
        else {
            panic!("{o:?}")
        };
        assert_eq!(&text[content.clone()], "$.severity");
        assert_eq!(old, "$.severity");
        assert_eq!(new, "$.payload.severity");
    }

    #[test]
    fn children_as_array_and_nested_groups() {
        let text = r#"{"type":"group","children1":[{"type":"group","children1":{"c":{"type":"rule","properties":{"field":"alert.payload","operator":"payloadsearch","value":["$..host","h"]}}}}]}"#;
        assert!(matches!(&outcomes(text)[..], [Outcome::Rebase { .. }]));
    }

    #[test]
    fn review_cases() {
        let leaf = |op: &str, v: &str| {
            format!(
                r#"{{"type":"rule","properties":{{"field":"alert.payload","operator":"{op}","value":[{v},"1"]}}}}"#
            )
        };
        for (op, v) in [
            ("payloadcontains", "\"$.a\""),
            ("payloadsearch", "\"severity\""),
            ("payloadsearch", "\"$.payload.a\""),
            ("payloadsearch", "\"$['payload']\""),
            ("payloadsearch", "3"),
        ] {
            let o = outcomes(&leaf(op, v));
            assert!(
                matches!(&o[..], [Outcome::Review { .. }]),
                "{op} {v}: {o:?}"
            );
        }
    }

    #[test]
    fn placeholders() {
        let v = "sev {{$.severity}} host {{ payload.host }} msg {{ alert.message }} {{alert.payload.x}} {{payloads}}";
        let found: Vec<&str> = payload_placeholders(v).into_iter().map(|r| &v[r]).collect();
        assert_eq!(
            found,
            [
                "{{$.severity}}",
                "{{ payload.host }}",
                "{{alert.payload.x}}"
            ]
        );
    }
}
