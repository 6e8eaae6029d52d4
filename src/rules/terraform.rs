//! Terraform `zenduty_integrations` and `zenduty_alertrules` (SPEC 3): facts gathered per file,
//! then resolved across the whole tree, because a rule's integration may live in another file and
//! an integration is also legacy when its `integration_key` builds a legacy URL anywhere.
//!
//! [`analyze`] parses one file with `hcl-edit` (which keeps byte spans) and precomputes, for each
//! rule, the exact edits its `rule_json` would need in whichever form it is written (quoted
//! string, heredoc, `jsonencode({...})`). [`resolve`] then decides which integrations are API
//! Integrations and turns the precomputed edits into findings: rewrites when the integration and
//! all its rules can move together, review findings otherwise.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;

use super::convert::{convert_text, Codec, Item};
use super::json;
use super::text::{self, Decoded};
use super::tree::{self, Node, NodeKind, Outcome, Root, StrTok};
use crate::config::{line_col, Config};
use crate::error::Error;
use crate::finding::{Finding, Kind};

const INTEGRATION: &str = "zenduty_integrations";
const ALERT_RULE: &str = "zenduty_alertrules";

/// What one `.tf` file declares about Zenduty integrations and alert rules.
#[derive(Debug, Clone, Default)]
pub struct TfFile {
    pub path: PathBuf,
    integrations: Vec<TfIntegration>,
    rules: Vec<TfRule>,
}

#[derive(Debug, Clone)]
struct TfIntegration {
    name: String,
    /// Where to report the integration when its `application` cannot be edited.
    at: Range<usize>,
    application: Option<Application>,
}

#[derive(Debug, Clone)]
enum Application {
    /// A quoted string without interpolation: its decoded value and raw content range.
    Literal {
        value: String,
        content: Range<usize>,
    },
    /// Any other expression (`var.api_app`, a data source...): replaced as a whole.
    Expr { span: Range<usize> },
}

#[derive(Debug, Clone)]
struct TfRule {
    name: String,
    at: Range<usize>,
    binding: Binding,
    rule_json: Option<RuleJson>,
    /// `{{ ... }}` placeholders in action values that read the payload: (range, text).
    placeholders: Vec<(Range<usize>, String)>,
}

/// The `rule_json` of a rule, kept as raw bytes: what it needs depends on the configured payload
/// root, which only [`resolve`] knows.
#[derive(Debug, Clone)]
enum RuleJson {
    /// JSON text in `raw`, which sits at `offset` in the file on line `line`.
    Text {
        form: Form,
        offset: usize,
        line: usize,
        raw: Vec<u8>,
    },
    /// A `jsonencode({...})` object; `node` positions are file offsets into `raw` + `offset`.
    Object {
        node: Node,
        offset: usize,
        raw: Vec<u8>,
    },
    /// Not something the tool can read (a variable, `file(...)`, a template).
    Opaque { range: Range<usize> },
}

#[derive(Debug, Clone)]
enum Binding {
    /// `zenduty_integrations.NAME.unique_id` (or `.id`, with an optional index).
    Integration(String),
    /// Anything else: a literal id, a variable, a module output.
    Unknown {
        span: Range<usize>,
        text: String,
    },
    Missing,
}

/// Gather the facts of one `.tf` file. Invalid HCL is an error naming the file.
pub fn analyze(path: &Path, text: &[u8]) -> Result<TfFile, Error> {
    let parse_err = |line: Option<usize>, message: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    // Terraform reads UTF-8 with an optional BOM; hcl-edit wants neither the BOM nor bytes.
    let base = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let src = std::str::from_utf8(&text[base..]).map_err(|e| {
        let (line, _) = line_col(text, base + e.valid_up_to());
        parse_err(Some(line), "not valid UTF-8, so not valid HCL".into())
    })?;
    let body = hcl_edit::parser::parse_body(src).map_err(|e| {
        parse_err(
            Some(e.location().line()),
            format!("invalid HCL: {}", e.message()),
        )
    })?;
    let mut file = TfFile {
        path: path.to_path_buf(),
        ..TfFile::default()
    };
    let cx = Cx { text, base };
    collect(&body, &cx, &mut file);
    Ok(file)
}

/// The file bytes and the offset at which the parsed text starts (after a BOM).
struct Cx<'a> {
    text: &'a [u8],
    base: usize,
}

impl Cx<'_> {
    fn span(&self, s: &impl Span) -> Option<Range<usize>> {
        s.span().map(|r| r.start + self.base..r.end + self.base)
    }
}

fn collect(body: &Body, cx: &Cx, file: &mut TfFile) {
    for block in body.blocks() {
        if block.ident.value().as_str() != "resource" || block.labels.len() != 2 {
            continue;
        }
        let name = block.labels[1].as_str().to_string();
        let at = cx
            .span(&block.ident)
            .or_else(|| cx.span(block))
            .unwrap_or(0..0);
        match block.labels[0].as_str() {
            INTEGRATION => file.integrations.push(TfIntegration {
                application: application(block, cx),
                name,
                at,
            }),
            ALERT_RULE => {
                let rule = rule(block, name, at, cx);
                file.rules.push(rule);
            }
            _ => {}
        }
    }
}

fn application(block: &Block, cx: &Cx) -> Option<Application> {
    let attr = block.body.get_attribute("application")?;
    let span = cx.span(&attr.value)?;
    if let Expression::String(_) = &attr.value {
        let content = span.start + 1..span.end - 1;
        if let Some(d) = text::decode_hcl_quoted(&cx.text[content.clone()], content.start) {
            if let Ok(value) = String::from_utf8(d.text) {
                return Some(Application::Literal { value, content });
            }
        }
    }
    Some(Application::Expr { span })
}

fn binding(block: &Block, cx: &Cx) -> Binding {
    let Some(attr) = block.body.get_attribute("integration_id") else {
        return Binding::Missing;
    };
    let span = cx.span(&attr.value).unwrap_or(0..0);
    let unknown = || Binding::Unknown {
        text: String::from_utf8_lossy(&cx.text[span.clone()]).into_owned(),
        span: span.clone(),
    };
    let Expression::Traversal(t) = &attr.value else {
        return unknown();
    };
    let Expression::Variable(root) = &t.expr else {
        return unknown();
    };
    if root.value().as_str() != INTEGRATION {
        return unknown();
    }
    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
    // `zenduty_integrations.NAME[.INDEX].unique_id`: two or three operators, checked before the
    // middle is sliced.
    if !(2..=3).contains(&ops.len()) {
        return unknown();
    }
    let (Some(TraversalOperator::GetAttr(name)), Some(TraversalOperator::GetAttr(last))) =
        (ops.first(), ops.last())
    else {
        return unknown();
    };
    let middle_ok = ops[1..ops.len() - 1].iter().all(|o| {
        matches!(
            o,
            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)
        )
    });
    if !middle_ok {
        return unknown();
    }
    match last.value().as_str() {
        "unique_id" | "id" => Binding::Integration(name.value().as_str().to_string()),
        _ => unknown(),
    }
}

fn rule(block: &Block, name: String, at: Range<usize>, cx: &Cx) -> TfRule {
    let rule_json = block
        .body
        .get_attribute("rule_json")
        .and_then(|attr| rule_json(&attr.value, cx));
    let mut placeholders = Vec::new();
    for actions in block.body.get_blocks("actions") {
        let Some(value) = actions.body.get_attribute("value") else {
            continue;
        };
        let Some(span) = cx.span(&value.value) else {
            continue;
        };
        let raw = String::from_utf8_lossy(&cx.text[span.clone()]).into_owned();
        for r in tree::payload_placeholders(&raw) {
            placeholders.push((r.start + span.start..r.end + span.start, raw[r].to_string()));
        }
    }
    TfRule {
        binding: binding(block, cx),
        name,
        at,
        rule_json,
        placeholders,
    }
}

/// How the payload root is written inside one `rule_json` form.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// JSON inside an HCL quoted string.
    Quoted,
    /// JSON inside a heredoc.
    Heredoc,
    /// An HCL object inside `jsonencode(...)`: the path is a plain HCL string.
    Jsonencode,
}

impl Codec for Form {
    fn encode(self, s: &str) -> String {
        match self {
            Form::Quoted => text::hcl_escape(&text::json_escape(s)),
            Form::Heredoc => text::heredoc_escape(&text::json_escape(s)),
            Form::Jsonencode => text::hcl_escape(s),
        }
    }

    fn decode(self, raw: &[u8], base: usize) -> Option<Decoded> {
        match self {
            Form::Quoted | Form::Jsonencode => text::decode_hcl_quoted(raw, base),
            Form::Heredoc => Some(text::decode_heredoc(raw, base)),
        }
    }
}

fn rule_json(expr: &Expression, cx: &Cx) -> Option<RuleJson> {
    let span = cx.span(expr)?;
    let text_at = |form: Form, region: Range<usize>| RuleJson::Text {
        form,
        offset: region.start,
        line: line_col(cx.text, region.start).0,
        raw: cx.text[region].to_vec(),
    };
    Some(match expr {
        Expression::String(_) => text_at(Form::Quoted, span.start + 1..span.end - 1),
        Expression::HeredocTemplate(h) if h.template.iter().all(|e| e.is_literal()) => {
            let raw = &cx.text[span.clone()];
            let first_nl = memchr::memchr(b'\n', raw)?;
            let last_nl = memchr::memrchr(b'\n', raw)?;
            text_at(
                Form::Heredoc,
                span.start + first_nl + 1..span.start + last_nl + 1,
            )
        }
        Expression::FuncCall(f)
            if f.name.namespace.is_empty()
                && f.name.name.value().as_str() == "jsonencode"
                && f.args.len() == 1 =>
        {
            RuleJson::Object {
                node: hcl_node(f.args.get(0)?, cx),
                offset: span.start,
                raw: cx.text[span].to_vec(),
            }
        }
        _ => RuleJson::Opaque { range: span },
    })
}

/// Every edit and review a rule needs if it is bound to an API Integration, for payload `root`.
fn rule_items(rule: &TfRule, root: &Root) -> Vec<Item> {
    let address = format!("{ALERT_RULE}.{}", rule.name);
    let mut items = Vec::new();
    match &rule.rule_json {
        None => {}
        Some(RuleJson::Opaque { range }) => items.push(Item::Review {
            range: range.clone(),
            message: format!("{address}: rule_json is not a literal JSON string, heredoc or jsonencode object; rebase its alert.payload paths under `{}` where it is defined", root.text),
        }),
        Some(RuleJson::Text {
            form,
            offset,
            line,
            raw,
        }) => text_items(*form, *offset, *line, raw, &address, root, &mut items),
        Some(RuleJson::Object { node, offset, raw }) => {
            let at = |r: &Range<usize>| &raw[r.start - offset..r.end - offset];
            for o in tree::convert(node, root) {
                items.push(match o {
                    Outcome::Rebase {
                        content,
                        first,
                        old,
                        new,
                    } => {
                        let mut replacement = Form::Jsonencode.encode(&root.text).into_bytes();
                        replacement.extend_from_slice(at(&(first.end..content.end)));
                        // The new literal must decode to exactly the new path.
                        let ok = text::decode_hcl_quoted(&replacement, 0)
                            .is_some_and(|d| d.text == new.as_bytes());
                        Item::rebase_or_review(&address, content, replacement, old, new, ok)
                    }
                    Outcome::Review { range, message } => Item::Review {
                        range,
                        message: format!("{address}: {message}"),
                    },
                });
            }
        }
    }
    for (range, placeholder) in &rule.placeholders {
        items.push(Item::Review {
            range: range.clone(),
            message: format!(
                "{address}: {}",
                tree::placeholder_message(placeholder, &root.text)
            ),
        });
    }
    items
}

/// Convert JSON text `raw` (at `offset` in the file, on `line`) written in `form`.
fn text_items(
    form: Form,
    offset: usize,
    line: usize,
    raw: &[u8],
    address: &str,
    root: &Root,
    items: &mut Vec<Item>,
) {
    let region = offset..offset + raw.len();
    let Some(decoded) = form.decode(raw, 0) else {
        items.push(Item::Review {
            range: region,
            message: format!(
                "{address}: rule_json has an escape the tool cannot read; check it by hand"
            ),
        });
        return;
    };
    let tree = match json::parse(&decoded.text) {
        Ok(t) => t,
        Err(e) => {
            let at = decoded.map[e.offset.min(decoded.text.len())];
            let line = line + memchr::memchr_iter(b'\n', &raw[..at]).count();
            items.push(Item::Review {
                range: region,
                message: format!(
                    "{address}: rule_json is not valid JSON ({} on line {line}); fix it, then run again",
                    e.message
                ),
            });
            return;
        }
    };
    match convert_text(form, &decoded, &tree, root, raw) {
        Ok(new_items) => items.extend(
            new_items
                .into_iter()
                .map(|item| Item::shifted(item, offset, address)),
        ),
        Err(message) => items.push(Item::Review {
            range: region,
            message: format!("{address}: {message}"),
        }),
    }
}

/// The rule tree of a `jsonencode({...})` argument, with HCL string literals as string tokens.
fn hcl_node(expr: &Expression, cx: &Cx) -> Node {
    let span = cx.span(expr).unwrap_or(0..0);
    let kind = match expr {
        Expression::String(_) => hcl_str(&span, cx).map_or(NodeKind::Other, NodeKind::Str),
        Expression::Array(a) => NodeKind::Arr(a.iter().map(|e| hcl_node(e, cx)).collect()),
        Expression::Object(o) => NodeKind::Obj(
            o.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(_) => return None,
                    };
                    Some((key, hcl_node(v.expr(), cx)))
                })
                .collect(),
        ),
        Expression::Parenthesis(p) => return hcl_node(p.inner(), cx),
        _ => NodeKind::Other,
    };
    Node { span, kind }
}

fn hcl_str(span: &Range<usize>, cx: &Cx) -> Option<StrTok> {
    let content = span.start + 1..span.end - 1;
    let d = text::decode_hcl_quoted(&cx.text[content.clone()], content.start)?;
    let value = String::from_utf8(d.text.clone()).ok()?;
    let first = value.chars().next().map(|c| d.raw(0..c.len_utf8()));
    Some(StrTok {
        value,
        content,
        first,
    })
}

/// Why an integration is an API Integration.
fn api_reason(
    integration: &TfIntegration,
    from_urls: &BTreeSet<String>,
    config: &Config,
) -> Option<&'static str> {
    let tf = &config.terraform;
    if let Some(Application::Literal { value, .. }) = &integration.application {
        // Already converted (by us or by hand): never again, whatever else says legacy.
        if tf.generic_application.as_deref() == Some(value.as_str()) {
            return None;
        }
        if *value == tf.api_application {
            return Some("its application is the API Integration's");
        }
    }
    let address = format!("{INTEGRATION}.{}", integration.name);
    if tf.api_integrations.contains(&address) {
        return Some("it is listed in [terraform] api_integrations");
    }
    if from_urls.contains(&integration.name) {
        return Some("its integration_key builds a legacy events URL");
    }
    None
}

/// Names `N` of every `zenduty_integrations.N[...].integration_key` in the legacy key texts.
fn integrations_in_keys(legacy_key_texts: &[String]) -> BTreeSet<String> {
    let needle = format!("{INTEGRATION}.");
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut names = BTreeSet::new();
    for key in legacy_key_texts {
        let b = key.as_bytes();
        for at in memchr::memmem::find_iter(b, needle.as_bytes()) {
            if at > 0 && (ident(b[at - 1]) || b[at - 1] == b'.') {
                continue;
            }
            let start = at + needle.len();
            let mut i = start;
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            if i == start {
                continue;
            }
            let name = &key[start..i];
            // Skip one index (`[0]`, `["a"]`, `[each.key]`) as Terraform allows with count/for_each.
            if b.get(i) == Some(&b'[') {
                match b[i..].iter().position(|&c| c == b']') {
                    Some(n) => i += n + 1,
                    None => continue,
                }
            }
            if key[i..].starts_with(".integration_key") {
                let end = i + ".integration_key".len();
                if !b.get(end).is_some_and(|&c| ident(c)) {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

struct Resolved {
    reason: &'static str,
    /// The edit of `application`, when the integration can be converted.
    edit: Option<(Range<usize>, Vec<u8>)>,
}

/// Decide, across every `.tf` file, which integrations are API Integrations and produce the
/// findings (with edits where the conversion is complete). `legacy_key_texts` holds the KEY text
/// of every legacy URL found anywhere in the scanned tree.
pub fn resolve(
    files: &[TfFile],
    legacy_key_texts: &[String],
    config: &Config,
) -> Vec<(PathBuf, Finding)> {
    let from_urls = integrations_in_keys(legacy_key_texts);
    let generic = config.terraform.generic_application.as_deref();
    let root_text = config.rules.payload_root.as_str();
    let root = Root::new(root_text);
    let root_ok = root.is_some();
    let mut out = Vec::new();

    // Terraform addresses are per module, and a module is a directory.
    let mut known: HashMap<(PathBuf, String), Option<Resolved>> = HashMap::new();
    for file in files {
        let dir = module_dir(&file.path);
        for integ in &file.integrations {
            let address = format!("{INTEGRATION}.{}", integ.name);
            let resolved = api_reason(integ, &from_urls, config).map(|reason| {
                let edit = match (generic, &integ.application) {
                    (Some(g), Some(Application::Literal { content, .. })) if root_ok => {
                        Some((content.clone(), text::hcl_escape(g).into_bytes()))
                    }
                    (Some(g), Some(Application::Expr { span })) if root_ok => {
                        Some((span.clone(), format!("\"{}\"", text::hcl_escape(g)).into_bytes()))
                    }
                    _ => None,
                };
                let finding = match (&edit, &integ.application) {
                    (Some((range, replacement)), _) => {
                        let mut f = Finding::rewrite(Kind::ApiIntegration, range.clone(), replacement.clone());
                        f.message = format!("{address} is an API Integration ({reason}); it becomes a Generic Integration");
                        f
                    }
                    (None, None) => Finding::review(
                        Kind::ApiIntegration,
                        integ.at.clone(),
                        format!("{address} is an API Integration ({reason}) but has no application attribute; set application to the Generic Integration's id by hand"),
                    ),
                    (None, Some(app)) => {
                        let range = match app {
                            Application::Literal { content, .. } => content.clone(),
                            Application::Expr { span } => span.clone(),
                        };
                        let why = if root_ok {
                            "set [terraform] generic_application to convert it and its alert rules together"
                        } else {
                            "[rules] payload_root is not a plain JSONPath rooted at `$`, so its alert rules cannot be converted"
                        };
                        Finding::review(
                            Kind::ApiIntegration,
                            range,
                            format!("{address} is an API Integration ({reason}); {why}"),
                        )
                    }
                };
                out.push((file.path.clone(), finding));
                Resolved { reason, edit }
            });
            known.insert((dir.clone(), integ.name.clone()), resolved);
        }
    }

    for file in files {
        let dir = module_dir(&file.path);
        for rule in &file.rules {
            let items = match &root {
                Some(root) => rule_items(rule, root),
                None => Vec::new(),
            };
            if items.is_empty() {
                continue;
            }
            let address = format!("{ALERT_RULE}.{}", rule.name);
            let target = match &rule.binding {
                Binding::Integration(name) => known.get(&(dir.clone(), name.clone())),
                _ => None,
            };
            let Some(target) = target else {
                let (range, what) = match &rule.binding {
                    Binding::Integration(name) => (
                        rule.at.clone(),
                        format!("integration_id names {INTEGRATION}.{name}, which is not declared in this module"),
                    ),
                    Binding::Unknown { span, text } => (
                        span.clone(),
                        format!("integration_id `{text}` does not resolve to a {INTEGRATION} resource in this module"),
                    ),
                    Binding::Missing => (rule.at.clone(), "it has no integration_id".to_string()),
                };
                out.push((
                    file.path.clone(),
                    Finding::review(
                        Kind::NeedsReview,
                        range,
                        format!("{address}: {what}; if it belongs to an API Integration, its alert.payload paths must be rebased under `{root_text}`"),
                    ),
                ));
                continue;
            };
            let Some(resolved) = target else {
                continue; // bound to a Generic Integration: already right
            };
            let integration = match &rule.binding {
                Binding::Integration(name) => format!("{INTEGRATION}.{name}"),
                _ => unreachable!("only integration bindings resolve"),
            };
            for item in items {
                let finding = match item {
                    Item::Rebase {
                        range,
                        replacement,
                        old,
                        new,
                    } => {
                        if resolved.edit.is_some() {
                            let mut f = Finding::rewrite(Kind::LegacyAlertRule, range, replacement);
                            f.message = format!("{address}: payload path `{old}` becomes `{new}` ({integration} becomes a Generic Integration)");
                            f
                        } else {
                            let mut f = Finding::review(
                                Kind::LegacyAlertRule,
                                range,
                                format!("{address}: payload path `{old}` must become `{new}` when {integration} is converted ({}); set [terraform] generic_application", resolved.reason),
                            );
                            f.new = Some(replacement);
                            f
                        }
                    }
                    Item::Review { range, message } => {
                        Finding::review(Kind::NeedsReview, range, message)
                    }
                };
                out.push((file.path.clone(), finding));
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.0, a.1.range.start, a.1.range.end).cmp(&(&b.0, b.1.range.start, b.1.range.end))
    });
    out
}

fn module_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
