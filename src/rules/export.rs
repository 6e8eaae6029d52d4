//! JSON and YAML exports of alert rules (an integration object beside `alert_rules` or
//! `transformers`), converted when the integration is an API Integration (SPEC 3).
//!
//! Both formats are read into the positioned [`Node`] tree (JSON by [`super::json`], YAML by
//! [`super::yaml`]), so one set of rules decides what an export is and what changes; only the
//! escaping of a replaced scalar depends on the format and the scalar's quoting style. Converting
//! an export also marks its integration Generic, which is what makes a second run a no-op.

use std::ops::Range;
use std::path::Path;

use super::convert::{convert_text, Codec, Item};
use super::text::{self, Decoded};
use super::tree::{self, Node, NodeKind, Outcome, Root, StrTok};
use super::{json, yaml};
use crate::config::{line_col, Config};
use crate::edit::{splice, Edit};
use crate::error::Error;
use crate::finding::{Finding, Kind};

/// The vendor's names of the integration's application kinds.
const API_NAME: &str = "API";
const GENERIC_NAME: &str = "Generic Integration";
/// Keys that hold an integration's rules in exports.
const RULE_LISTS: [&str; 2] = ["alert_rules", "transformers"];

/// How a scalar is written in the file, which decides how replaced text is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A JSON string, or a YAML double-quoted scalar (same escapes for what we write).
    Double,
    /// A YAML single-quoted scalar.
    Single,
    /// A YAML plain scalar.
    Plain,
    /// A YAML literal block scalar (`|`), with its indentation and clip chomping.
    Block { indent: usize, clip: bool },
    /// A YAML folded block scalar (`>`): read, never edited.
    Folded,
}

impl Codec for Style {
    fn encode(self, s: &str) -> String {
        match self {
            Style::Double => text::json_escape(s),
            Style::Single => text::yaml_single_escape(s),
            Style::Plain | Style::Block { .. } | Style::Folded => s.to_string(),
        }
    }

    fn decode(self, raw: &[u8], base: usize) -> Option<Decoded> {
        match self {
            Style::Double => text::decode_yaml_double(raw, base),
            Style::Single => text::decode_yaml_single(raw, base),
            Style::Plain => Some(text::decode_raw(raw, base)),
            Style::Block { indent, clip } => Some(yaml::decode_literal(raw, base, indent, clip)),
            Style::Folded => None,
        }
    }
}

/// JSON text held inside a scalar of some style: escape for JSON first, then for the scalar.
#[derive(Clone, Copy)]
struct Nested(Style);

impl Codec for Nested {
    fn encode(self, s: &str) -> String {
        self.0.encode(&text::json_escape(s))
    }

    fn decode(self, raw: &[u8], base: usize) -> Option<Decoded> {
        self.0.decode(raw, base)
    }
}

/// A parsed document: its tree and how to tell each string token's style.
struct Doc<'a> {
    text: &'a [u8],
    tree: Node,
    yaml: bool,
    /// YAML block scalars.
    blocks: Vec<yaml::Block>,
}

impl Doc<'_> {
    fn style(&self, tok: &StrTok) -> Style {
        if !self.yaml {
            return Style::Double;
        }
        match tok.content.start.checked_sub(1).map(|i| self.text[i]) {
            Some(b'"') => Style::Double,
            Some(b'\'') => Style::Single,
            _ => match self.blocks.iter().find(|b| b.content == tok.content) {
                Some(b) if b.literal => Style::Block {
                    indent: b.indent,
                    clip: b.clip,
                },
                Some(_) => Style::Folded,
                None => Style::Plain,
            },
        }
    }
}

/// Findings (with edits) for one JSON or YAML file that may be a rule export.
pub fn analyze(path: &Path, text: &[u8], config: &Config) -> Result<Vec<Finding>, Error> {
    // Only a file that names a rule or an integration reference is an export; a broken
    // `package.json` that merely mentions the vendor is none of our business.
    let looks_like_export = ["rule_json", "application_reference"]
        .iter()
        .any(|k| memchr::memmem::find(text, k.as_bytes()).is_some());
    if !looks_like_export {
        return Ok(Vec::new());
    }
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parse_error = |offset: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line: Some(line_col(text, offset).0),
        message,
    };
    let base = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let doc = if is_json {
        let tree = json::parse(&text[base..]).map_err(|e| {
            parse_error(
                base + e.offset,
                format!("malformed JSON in a rule export: {}", e.message),
            )
        })?;
        Doc {
            text,
            tree: shift_tree(tree, base),
            yaml: false,
            blocks: Vec::new(),
        }
    } else {
        // serde_yaml is the judge of validity; our own reader only has to find positions.
        let mut documents = 0;
        for doc in serde_yaml::Deserializer::from_slice(text) {
            if let Err(e) = <serde_yaml::Value as serde::Deserialize>::deserialize(doc) {
                let offset = e.location().map_or(0, |l| l.index());
                return Err(parse_error(
                    offset,
                    format!("malformed YAML in a rule export: {e}"),
                ));
            }
            documents += 1;
        }
        if documents > 1 {
            return Ok(vec![Finding::review(
                Kind::NeedsReview,
                0..0,
                "rule export in a multi-document YAML file, which the tool does not edit; convert it by hand or split it",
            )]);
        }
        match yaml::parse(text) {
            Ok(parsed) if yaml::agrees(text, &parsed) => Doc {
                text,
                tree: parsed.tree,
                yaml: true,
                blocks: parsed.blocks,
            },
            Ok(_) => {
                return Ok(vec![Finding::review(
                    Kind::NeedsReview,
                    0..0,
                    "rule export in a YAML layout the tool cannot edit in place; convert it by hand",
                )])
            }
            Err(offset) => {
                return Ok(vec![Finding::review(
                    Kind::NeedsReview,
                    offset..offset,
                    "rule export in a YAML layout the tool cannot edit in place (anchors, tags or multi-line scalars); convert it by hand",
                )])
            }
        }
    };
    let Some(root) = Root::new(&config.rules.payload_root) else {
        return Ok(Vec::new());
    };
    let mut findings = Vec::new();
    let mut units = Vec::new();
    find_units(&doc.tree, &mut units);
    if units.is_empty() {
        let mut rules = Vec::new();
        find_rules(&doc.tree, &mut rules);
        if !rules.is_empty() {
            bare_rules(&doc, path, &rules, config, &root, &mut findings);
        }
    }
    for unit in &units {
        convert_unit(&doc, unit, config, &root, &mut findings);
    }
    verify(&doc, &mut findings);
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    Ok(findings)
}

fn shift_tree(mut node: Node, by: usize) -> Node {
    if by == 0 {
        return node;
    }
    node.span = json::shift(&node.span, by);
    node.kind = match node.kind {
        NodeKind::Str(mut s) => {
            s.content = json::shift(&s.content, by);
            s.first = s.first.map(|f| json::shift(&f, by));
            NodeKind::Str(s)
        }
        NodeKind::Arr(items) => {
            NodeKind::Arr(items.into_iter().map(|n| shift_tree(n, by)).collect())
        }
        NodeKind::Obj(m) => {
            NodeKind::Obj(m.into_iter().map(|(k, v)| (k, shift_tree(v, by))).collect())
        }
        NodeKind::Other => NodeKind::Other,
    };
    node
}

/// An integration object and its rules.
struct Unit<'a> {
    integration: &'a Node,
    rules: Vec<&'a Node>,
}

fn looks_like_integration(node: &Node) -> bool {
    [
        "application_reference",
        "application",
        "integration_key",
        "unique_id",
    ]
    .iter()
    .any(|k| node.get(k).is_some())
}

fn find_units<'a>(node: &'a Node, out: &mut Vec<Unit<'a>>) {
    match &node.kind {
        NodeKind::Obj(members) => {
            let rules: Vec<&Node> = RULE_LISTS
                .iter()
                .filter_map(|k| node.get(k))
                .flat_map(|list| match &list.kind {
                    NodeKind::Arr(items) => items.iter().collect(),
                    _ => Vec::new(),
                })
                .collect();
            let has_lists = RULE_LISTS.iter().any(|k| node.get(k).is_some());
            let integration = if looks_like_integration(node) {
                Some(node)
            } else {
                node.get("integration")
                    .filter(|i| matches!(i.kind, NodeKind::Obj(_)))
            };
            if let (true, Some(integration)) = (has_lists, integration) {
                out.push(Unit { integration, rules });
                return;
            }
            for (_, v) in members {
                find_units(v, out);
            }
        }
        NodeKind::Arr(items) => items.iter().for_each(|n| find_units(n, out)),
        _ => {}
    }
}

fn find_rules<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.kind {
        NodeKind::Obj(members) => {
            if node.get("rule_json").is_some() {
                out.push(node);
                return;
            }
            members.iter().for_each(|(_, v)| find_rules(v, out));
        }
        NodeKind::Arr(items) => items.iter().for_each(|n| find_rules(n, out)),
        _ => {}
    }
}

fn str_at<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a StrTok> {
    let mut n = node;
    for k in keys {
        n = n.get(k)?;
    }
    n.as_str()
}

/// The edits and reviews one rule object needs.
fn rule_items(doc: &Doc, rule: &Node, root: &Root) -> Vec<Item> {
    let mut items = Vec::new();
    let label = str_at(rule, &["description"])
        .or_else(|| str_at(rule, &["name"]))
        .map_or_else(
            || "alert rule".to_string(),
            |d| format!("alert rule `{}`", d.value),
        );
    match rule.get("rule_json") {
        Some(Node {
            kind: NodeKind::Str(tok),
            ..
        }) => {
            let style = doc.style(tok);
            let raw = &doc.text[tok.content.clone()];
            let Some(decoded) = style.decode(raw, 0) else {
                items.push(Item::Review {
                    range: tok.content.clone(),
                    message: format!("{label}: rule_json is written in a way the tool cannot edit in place; convert it by hand"),
                });
                return items;
            };
            match json::parse(&decoded.text) {
                Err(e) => {
                    let at = tok.content.start + decoded.map[e.offset.min(decoded.text.len())];
                    let (line, col) = line_col(doc.text, at);
                    items.push(Item::Review {
                        range: tok.content.clone(),
                        message: format!("{label}: rule_json is not valid JSON ({} at {line}:{col}); fix it, then run again", e.message),
                    });
                }
                Ok(tree) => match convert_text(Nested(style), &decoded, &tree, root, raw) {
                    Ok(new) => items.extend(
                        new.into_iter()
                            .map(|i| Item::shifted(i, tok.content.start, &label)),
                    ),
                    Err(message) => items.push(Item::Review {
                        range: tok.content.clone(),
                        message: format!("{label}: {message}"),
                    }),
                },
            }
        }
        Some(
            tree @ Node {
                kind: NodeKind::Obj(_),
                ..
            },
        ) => {
            for o in tree::convert(tree, root) {
                items.push(match o {
                    Outcome::Rebase {
                        content,
                        first,
                        old,
                        new,
                    } => {
                        let style = doc.style(&StrTok {
                            value: String::new(),
                            content: content.clone(),
                            first: None,
                        });
                        let mut replacement = style.encode(&root.text).into_bytes();
                        replacement.extend_from_slice(&doc.text[first.end..content.end]);
                        let ok = style
                            .decode(&replacement, 0)
                            .is_some_and(|d| d.text == new.as_bytes())
                            && (style != Style::Plain || yaml::plain_ok(&new));
                        Item::rebase_or_review(&label, content, replacement, old, new, ok)
                    }
                    Outcome::Review { range, message } => Item::Review {
                        range,
                        message: format!("{label}: {message}"),
                    },
                });
            }
        }
        _ => {}
    }
    if let Some(Node {
        kind: NodeKind::Arr(actions),
        ..
    }) = rule.get("actions")
    {
        for action in actions {
            let Some(value) = str_at(action, &["value"]) else {
                continue;
            };
            let raw = String::from_utf8_lossy(&doc.text[value.content.clone()]).into_owned();
            for r in tree::payload_placeholders(&raw) {
                items.push(Item::Review {
                    message: format!(
                        "{label}: {}",
                        tree::placeholder_message(&raw[r.clone()], &root.text)
                    ),
                    range: json::shift(&r, value.content.start),
                });
            }
        }
    }
    items
}

fn convert_unit(doc: &Doc, unit: &Unit, config: &Config, root: &Root, out: &mut Vec<Finding>) {
    let integ = unit.integration;
    let tf = &config.terraform;
    let ref_name = str_at(integ, &["application_reference", "name"]);
    let application = str_at(integ, &["application"]);
    let unique_id = str_at(integ, &["unique_id"]);
    let name = str_at(integ, &["name"]).map_or_else(String::new, |n| format!(" `{}`", n.value));
    // Already Generic, by us or by the vendor's button: never again.
    if ref_name.is_some_and(|r| r.value == GENERIC_NAME)
        || application.is_some_and(|a| tf.generic_application.as_deref() == Some(a.value.as_str()))
    {
        return;
    }
    let reason = if ref_name.is_some_and(|r| r.value == API_NAME) {
        "its application_reference.name is API"
    } else if unique_id.is_some_and(|u| tf.api_integrations.contains(&u.value)) {
        "its unique_id is listed in [terraform] api_integrations"
    } else if application.is_some_and(|a| a.value == tf.api_application) {
        "its application is the API Integration's"
    } else {
        return;
    };
    let what = format!("integration{name} is an API Integration ({reason})");
    let anchor = ref_name
        .or(application)
        .or(unique_id)
        .map_or(integ.span.start..integ.span.start, |t| t.content.clone());

    // All or nothing: every marker we would change must be changeable.
    let mut blockers = Vec::new();
    if ref_name.is_none() && application.is_none() {
        blockers
            .push("it has neither application_reference.name nor application to mark it Generic");
    }
    if application.is_some() && tf.generic_application.is_none() {
        blockers
            .push("set [terraform] generic_application to convert it and its alert rules together");
    }
    let mut marker_edits = Vec::new();
    if blockers.is_empty() {
        if let Some(r) = ref_name {
            marker_edits.push((r, GENERIC_NAME.to_string()));
        }
        if let (Some(a), Some(g)) = (application, &tf.generic_application) {
            marker_edits.push((a, g.clone()));
        }
        for (tok, new) in &marker_edits {
            let style = doc.style(tok);
            let enc = style.encode(new);
            let ok = style
                .decode(enc.as_bytes(), 0)
                .is_some_and(|d| d.text == new.as_bytes())
                && (style != Style::Plain || yaml::plain_ok(new));
            if !ok {
                blockers.push("its markers cannot be rewritten in their quoting style");
            }
        }
    }
    let convertible = blockers.is_empty();
    if convertible {
        for (tok, new) in &marker_edits {
            let mut f = Finding::rewrite(
                Kind::ApiIntegration,
                tok.content.clone(),
                doc.style(tok).encode(new).into_bytes(),
            );
            f.message = format!("{what}; it becomes a Generic Integration");
            out.push(f);
        }
    } else {
        out.push(Finding::review(
            Kind::ApiIntegration,
            anchor,
            format!("{what}; {}", blockers.join("; ")),
        ));
    }
    for rule in &unit.rules {
        for item in rule_items(doc, rule, root) {
            out.push(item_finding(
                item,
                convertible,
                "when its integration is converted",
            ));
        }
    }
}

fn item_finding(item: Item, convertible: bool, when: &str) -> Finding {
    match item {
        Item::Rebase {
            range,
            replacement,
            old,
            new,
        } => {
            if convertible {
                let mut f = Finding::rewrite(Kind::LegacyAlertRule, range, replacement);
                f.message = format!("payload path `{old}` becomes `{new}`");
                f
            } else {
                let mut f = Finding::review(
                    Kind::LegacyAlertRule,
                    range,
                    format!("payload path `{old}` must become `{new}` {when}"),
                );
                f.new = Some(replacement);
                f
            }
        }
        Item::Review { range, message } => Finding::review(Kind::NeedsReview, range, message),
    }
}

/// Rules with no integration object beside them.
fn bare_rules(
    doc: &Doc,
    path: &Path,
    rules: &[&Node],
    config: &Config,
    root: &Root,
    out: &mut Vec<Finding>,
) {
    let items: Vec<Item> = rules
        .iter()
        .flat_map(|r| rule_items(doc, r, root))
        .collect();
    let rebases = items
        .iter()
        .filter(|i| matches!(i, Item::Rebase { .. }))
        .count();
    if rebases == 0 {
        // Nothing legacy-shaped left: either never legacy or already converted. Reviews of
        // paths already under the root would repeat on every run, so they are not reported.
        let real: Vec<Item> = items
            .into_iter()
            .filter(|i| matches!(i, Item::Review { message, .. } if !message.contains("is already under")))
            .collect();
        if api_rule_file(path, config) {
            out.extend(real.into_iter().map(|i| item_finding(i, false, "")));
        }
        return;
    }
    if api_rule_file(path, config) {
        out.extend(items.into_iter().map(|i| item_finding(i, true, "")));
    } else {
        let first = rules[0].span.start;
        out.push(Finding::review(
            Kind::NeedsReview,
            first..first,
            format!("rule export without an integration object ({rebases} payload path(s) would be rebased under `{}`); if its integration is an API Integration, list this file in [rules] api_rule_files", root.text),
        ));
    }
}

fn api_rule_file(path: &Path, config: &Config) -> bool {
    let mut builder = globset::GlobSetBuilder::new();
    for g in &config.rules.api_rule_files {
        if let Ok(glob) = globset::GlobBuilder::new(g).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    let Ok(set) = builder.build() else {
        return false;
    };
    let relative = config
        .base_dir()
        .and_then(|base| {
            let abs = std::path::absolute(path).ok()?;
            let base = std::path::absolute(base).ok()?;
            abs.strip_prefix(base).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.strip_prefix("./").unwrap_or(path).to_path_buf());
    set.is_match(&relative) || set.is_match(path)
}

/// The edited file must parse, and hold exactly the original values except the edited strings,
/// which must hold their intended new values (computed by decoding each edited token again).
/// Otherwise no edit of this file is made and every rewrite becomes a review.
fn verify(doc: &Doc, findings: &mut [Finding]) {
    let edits: Vec<Edit> = findings.iter().filter_map(|f| f.edit.clone()).collect();
    if edits.is_empty() {
        return;
    }
    let ok = splice(doc.text, &edits).ok().is_some_and(|new| {
        let replaced = |content: &Range<usize>| -> Option<String> {
            let inside: Vec<Edit> = edits
                .iter()
                .filter(|e| e.range.start >= content.start && e.range.end <= content.end)
                .map(|e| {
                    Edit::new(
                        e.range.start - content.start..e.range.end - content.start,
                        e.replacement.clone(),
                    )
                })
                .collect();
            if inside.is_empty() {
                return None;
            }
            let raw = splice(&doc.text[content.clone()], &inside).ok()?;
            let style = doc.style(&StrTok {
                value: String::new(),
                content: content.clone(),
                first: None,
            });
            let d = style.decode(&raw, 0)?;
            // A string nobody could decode gets a value no parser will produce.
            Some(String::from_utf8(d.text).unwrap_or_else(|_| "\u{0}invalid".into()))
        };
        if doc.yaml {
            let Some(expected) = yaml::to_value(&doc.tree, doc.text, &replaced) else {
                return false;
            };
            serde_yaml::from_slice::<serde_yaml::Value>(&new).is_ok_and(|v| v == expected)
        } else {
            let Some(expected) = json_value(&doc.tree, doc.text, &replaced) else {
                return false;
            };
            let base = if new.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            serde_json::from_slice::<serde_json::Value>(&new[base..]).is_ok_and(|v| v == expected)
        }
    });
    if !ok {
        for f in findings.iter_mut().filter(|f| f.edit.is_some()) {
            f.edit = None;
            f.status = crate::finding::Status::NeedsReview;
            f.message = format!(
                "{} (not rewritten: the converted file did not verify)",
                f.message
            );
        }
    }
}

fn json_value(
    node: &Node,
    text: &[u8],
    replaced: &dyn Fn(&Range<usize>) -> Option<String>,
) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match &node.kind {
        NodeKind::Str(t) => Value::String(replaced(&t.content).unwrap_or_else(|| t.value.clone())),
        NodeKind::Other => serde_json::from_slice(&text[node.span.clone()]).ok()?,
        NodeKind::Arr(items) => Value::Array(
            items
                .iter()
                .map(|n| json_value(n, text, replaced))
                .collect::<Option<_>>()?,
        ),
        NodeKind::Obj(members) => {
            let mut m = serde_json::Map::new();
            for (k, v) in members {
                // serde_json keeps the last of duplicate keys.
                m.insert(k.clone(), json_value(v, text, replaced)?);
            }
            Value::Object(m)
        }
    })
}
