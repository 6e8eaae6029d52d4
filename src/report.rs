//! Output formats. Results flow as [`Message`]s into a [`Report`]; each format is one
//! implementation: `text` (one line per finding, for people), `json` (versioned schema), `sarif`
//! (2.1.0, for code scanning) and `github` (workflow annotations).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use crate::finding::{Kind, Status};
use crate::scan::Located;

/// Version of the JSON schema of `scan --format json` and `apply --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// One finding as every format sees it (keys already redacted where they must be).
#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord {
    pub kind: Kind,
    pub status: Status,
    pub path: String,
    /// 1-based line of the first byte.
    pub line: usize,
    /// 1-based byte column of the first byte.
    pub column: usize,
    /// 1-based line of the last byte.
    pub end_line: usize,
    /// 1-based byte column just past the last byte, on `end_line` (exclusive, like `byte_range`).
    pub end_column: usize,
    /// Character (code point) columns of the same start and end, for SARIF and annotations.
    #[serde(skip)]
    pub char_column: usize,
    #[serde(skip)]
    pub char_end_column: usize,
    /// Byte offsets `[start, end)` in the file.
    pub byte_range: [usize; 2],
    pub old: String,
    pub new: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `new` is exact (no key was masked), so it can be offered as a fix.
    #[serde(skip)]
    pub exact: bool,
}

/// A per-file error.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorRecord {
    pub message: String,
}

/// Totals for the one-line summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    pub files_with_findings: usize,
    pub findings: usize,
    pub rewritable: usize,
    pub unresolved: usize,
    pub needs_review: usize,
    pub errors: usize,
}

/// What flows from the engine to a report.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Message {
    Finding(FindingRecord),
    Error(ErrorRecord),
    Summary(Summary),
}

/// An output format.
pub trait Report {
    fn message(&mut self, out: &mut dyn Write, message: Message) -> io::Result<()>;
    /// Called once at the end (after the summary message).
    fn finish(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// Show a key as at most its first four characters.
pub fn mask_key(key: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(key);
    let head: String = text.chars().take(4).collect();
    format!("{head}…").into_bytes()
}

/// Mask every secret in `text` unless keys may be shown. Returns the display text and whether it
/// is exact.
pub fn redact(text: &[u8], secrets: &[Vec<u8>], show_keys: bool) -> (String, bool) {
    let mut bytes = text.to_vec();
    let mut exact = true;
    if !show_keys {
        for secret in secrets.iter().filter(|s| s.len() > 4) {
            let masked = mask_key(secret);
            let mut out = Vec::with_capacity(bytes.len());
            let mut rest = &bytes[..];
            while let Some(i) = memchr::memmem::find(rest, secret) {
                out.extend_from_slice(&rest[..i]);
                out.extend_from_slice(&masked);
                rest = &rest[i + secret.len()..];
                exact = false;
            }
            out.extend_from_slice(rest);
            bytes = out;
        }
    }
    (String::from_utf8_lossy(&bytes).into_owned(), exact)
}

/// Build the record of one located finding.
pub fn record(path: &str, l: &Located, show_keys: bool) -> FindingRecord {
    let f = &l.finding;
    let (old, old_exact) = redact(&l.old, &f.secrets, show_keys);
    let (new, new_exact) = match &f.new {
        Some(n) => {
            let (t, e) = redact(n, &f.secrets, show_keys);
            (Some(t), e)
        }
        None => (None, true),
    };
    let newlines = memchr::memchr_iter(b'\n', &l.old).count();
    let (end_column, char_end_column) = if newlines == 0 {
        (l.col + l.old.len(), l.char_col + char_len(&l.old))
    } else {
        let last = &l.old[memchr::memrchr(b'\n', &l.old).map_or(0, |i| i + 1)..];
        (1 + last.len(), 1 + char_len(last))
    };
    FindingRecord {
        kind: f.kind,
        status: f.status,
        path: path.to_string(),
        line: l.line,
        column: l.col,
        end_line: l.line + newlines,
        end_column,
        char_column: l.char_col,
        char_end_column,
        byte_range: [f.range.start, f.range.end],
        old,
        new,
        message: f.message.clone(),
        exact: old_exact && new_exact,
    }
}

fn char_len(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// The output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub fn reporter(self, color: bool, quiet: bool) -> Box<dyn Report> {
        match self {
            Format::Text => Box::new(Text { color, quiet }),
            Format::Json => Box::new(Json::default()),
            Format::Sarif => Box::new(Sarif::default()),
            Format::Github => Box::new(Github { quiet }),
        }
    }
}

/// `path:line:col: kind: old -> new`, then a one-line summary.
pub struct Text {
    pub color: bool,
    pub quiet: bool,
}

impl Report for Text {
    fn message(&mut self, out: &mut dyn Write, message: Message) -> io::Result<()> {
        let (bold, yellow, red, reset) = if self.color {
            ("\x1b[1m", "\x1b[33m", "\x1b[31m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        match message {
            Message::Finding(f) => {
                let status = match f.status {
                    Status::Rewritable => String::new(),
                    Status::Unresolved => " (unresolved)".into(),
                    Status::NeedsReview => " (review)".into(),
                };
                write!(
                    out,
                    "{bold}{}:{}:{}{reset}: {yellow}{}{status}{reset}: {}",
                    f.path,
                    f.line,
                    f.column,
                    f.kind.as_str(),
                    one_line(&f.old)
                )?;
                if let Some(new) = &f.new {
                    write!(out, " -> {}", one_line(new))?;
                }
                if !f.message.is_empty() {
                    write!(out, " ({})", f.message)?;
                }
                writeln!(out)
            }
            Message::Error(e) => writeln!(out, "{red}error{reset}: {}", e.message),
            Message::Summary(s) => {
                if self.quiet {
                    return Ok(());
                }
                writeln!(out, "{}", summary_line(&s))
            }
        }
    }
}

/// The one-line summary shared by every command.
pub fn summary_line(s: &Summary) -> String {
    if s.findings == 0 {
        return format!(
            "no legacy Zenduty references in {} files scanned{}",
            s.files_scanned,
            errors_suffix(s.errors)
        );
    }
    format!(
        "{} findings in {} files ({} rewritable, {} unresolved, {} to review), {} files scanned{}",
        s.findings,
        s.files_with_findings,
        s.rewritable,
        s.unresolved,
        s.needs_review,
        s.files_scanned,
        errors_suffix(s.errors)
    )
}

fn errors_suffix(errors: usize) -> String {
    match errors {
        0 => String::new(),
        1 => ", 1 error".into(),
        n => format!(", {n} errors"),
    }
}

/// Multi-line snippets (heredocs) shown on one line.
fn one_line(text: &str) -> String {
    if text.contains('\n') {
        let first = text.lines().next().unwrap_or("");
        format!("{first}…")
    } else {
        text.to_string()
    }
}

/// One JSON document: `{"version", "findings", "errors", "summary"}`.
#[derive(Default)]
pub struct Json {
    findings: Vec<FindingRecord>,
    errors: Vec<ErrorRecord>,
    summary: Summary,
}

impl Report for Json {
    fn message(&mut self, _out: &mut dyn Write, message: Message) -> io::Result<()> {
        match message {
            Message::Finding(f) => self.findings.push(f),
            Message::Error(e) => self.errors.push(e),
            Message::Summary(s) => self.summary = s,
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let doc = json!({
            "tool": "zenduty-migrate",
            "version": SCHEMA_VERSION,
            "findings": self.findings,
            "errors": self.errors,
            "summary": self.summary,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, then the
/// summary as a plain line (a log line, not an annotation) unless quiet.
pub struct Github {
    pub quiet: bool,
}

fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

impl Report for Github {
    fn message(&mut self, out: &mut dyn Write, message: Message) -> io::Result<()> {
        match message {
            Message::Finding(f) => {
                let level = match f.status {
                    Status::NeedsReview => "warning",
                    _ => "error",
                };
                let mut text = match &f.new {
                    Some(new) => format!("{} -> {}", f.old, new),
                    None => f.old.clone(),
                };
                if !f.message.is_empty() {
                    text.push_str(&format!(" ({})", f.message));
                }
                writeln!(
                    out,
                    "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                    github_escape_property(&f.path),
                    f.line,
                    f.char_column,
                    f.end_line,
                    f.char_end_column,
                    github_escape_property(&format!("zenduty-migrate {}", f.kind.as_str())),
                    github_escape_data(&text)
                )
            }
            Message::Error(e) => writeln!(
                out,
                "::error title=zenduty-migrate::{}",
                github_escape_data(&e.message)
            ),
            Message::Summary(s) => {
                if self.quiet {
                    return Ok(());
                }
                writeln!(out, "{}", summary_line(&s))
            }
        }
    }
}

/// Short description and help of each kind, for SARIF rules and docs.
pub fn kind_help(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::LegacyUrl => (
            "Legacy Zenduty API Integration endpoint",
            "Alerts must be posted to the Generic Integration: https://events.zenduty.com/integration/<account>/generic/<key>/. Run `zenduty-migrate apply` to rewrite it.",
        ),
        Kind::LegacyBaseUrl => (
            "Legacy Zenduty API Integration base URL",
            "The key is appended by the surrounding code; the base becomes https://events.zenduty.com/integration/<account>/generic. Run `zenduty-migrate apply`.",
        ),
        Kind::WrongAccount => (
            "Generic Integration URL with the wrong account",
            "The account in this Generic URL differs from the account configured for its key. Check `account` and `[accounts]` in zenduty-migrate.toml.",
        ),
        Kind::LegacyAlertRule => (
            "Legacy alert-rule payload path",
            "Under the Generic Integration, rules see the whole request body; payload paths are rebased under $.payload. Run `zenduty-migrate apply`.",
        ),
        Kind::ApiIntegration => (
            "Integration still declared as an API Integration",
            "The next `terraform apply` would revert the vendor's conversion. Set `[terraform] generic_application` and run `zenduty-migrate apply`.",
        ),
        Kind::NeedsReview => (
            "Legacy reference that needs a human",
            "The tool cannot prove this is safe to rewrite. Convert it by hand, or add `zenduty-migrate: ignore` on the line.",
        ),
        Kind::LegacyResponse => (
            "Code reading the legacy response body",
            "The Generic Integration answers {\"message\": \"success\", \"trace_id\": \"...\"}; poll GET https://events.zenduty.com/api/alert/status/<trace_id> for the alert.",
        ),
        Kind::LegacySdk => (
            "Vendor SDK call to the legacy events endpoint",
            "This SDK call posts to /api/events/<key>/. POST the same body to the Generic Integration URL instead and poll the alert status by trace_id.",
        ),
        Kind::UnusedSuppression => (
            "Suppression comment that matches nothing",
            "Remove the `zenduty-migrate: ignore` comment.",
        ),
    }
}

/// SARIF 2.1.0 as GitHub code scanning reads it: one run, one rule per finding kind (with help
/// text), one location per result with a repository-relative URI, a stable partial fingerprint,
/// and a fix wherever the rewrite is exact (no key masked in it).
#[derive(Default)]
pub struct Sarif {
    results: Vec<serde_json::Value>,
    notifications: Vec<serde_json::Value>,
    /// How often each (kind, path, old text) was seen, to tell identical findings apart.
    seen: std::collections::HashMap<(Kind, String, String), usize>,
}

/// The key of this tool's partial fingerprint in SARIF results.
pub const SARIF_FINGERPRINT: &str = "zenduty-migrate/v1";

fn sarif_level(kind: Kind, status: Status) -> &'static str {
    match (kind, status) {
        (Kind::UnusedSuppression, _) => "note",
        (_, Status::NeedsReview) => "warning",
        _ => "error",
    }
}

impl Report for Sarif {
    fn message(&mut self, _out: &mut dyn Write, message: Message) -> io::Result<()> {
        match message {
            Message::Finding(f) => {
                let rule_index = Kind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0);
                let mut text = match &f.new {
                    Some(new) => format!("{}: {} -> {}", kind_help(f.kind).0, f.old, new),
                    None => format!("{}: {}", kind_help(f.kind).0, f.old),
                };
                if !f.message.is_empty() {
                    text.push_str(&format!(" ({})", f.message));
                }
                let region = json!({
                    "startLine": f.line,
                    "startColumn": f.char_column,
                    "endLine": f.end_line,
                    "endColumn": f.char_end_column,
                });
                let location = json!({
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&f.path),
                        "region": region,
                    }
                });
                // Stable across runs while the finding stays in its file, whatever line it moves
                // to; the text is the masked one, so no key goes into the hash.
                let ordinal = self
                    .seen
                    .entry((f.kind, f.path.clone(), f.old.clone()))
                    .and_modify(|n| *n += 1)
                    .or_insert(0);
                let fingerprint = hex(&crate::scan::digest(
                    format!("{}\0{}\0{}\0{}", f.kind.as_str(), f.path, f.old, ordinal).as_bytes(),
                ));
                let mut result = json!({
                    "ruleId": f.kind.as_str(),
                    "ruleIndex": rule_index,
                    "level": sarif_level(f.kind, f.status),
                    "message": { "text": text },
                    "locations": [location],
                    "partialFingerprints": { SARIF_FINGERPRINT: fingerprint },
                    "properties": { "status": f.status },
                });
                if let (Some(new), true) = (&f.new, f.exact) {
                    result["fixes"] = json!([{
                        "description": { "text": "Rewrite to the Generic Integration" },
                        "artifactChanges": [{
                            "artifactLocation": artifact_location(&f.path),
                            "replacements": [{
                                "deletedRegion": region,
                                "insertedContent": { "text": new },
                            }],
                        }],
                    }]);
                }
                self.results.push(result);
            }
            Message::Error(e) => self.notifications.push(json!({
                "level": "error",
                "message": { "text": e.message },
            })),
            Message::Summary(_) => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<serde_json::Value> = Kind::ALL
            .iter()
            .map(|k| {
                let (short, help) = kind_help(*k);
                let level = match k {
                    Kind::UnusedSuppression => "note",
                    Kind::NeedsReview | Kind::LegacyResponse | Kind::LegacySdk => "warning",
                    _ => "error",
                };
                json!({
                    "id": k.as_str(),
                    "name": rule_name(*k),
                    "shortDescription": { "text": short },
                    "fullDescription": { "text": help },
                    "help": { "text": help, "markdown": help },
                    "helpUri": format!("{INFORMATION_URI}#finding-kinds"),
                    "defaultConfiguration": { "level": level },
                    "properties": { "tags": ["zenduty", "migration"], "precision": "very-high" },
                })
            })
            .collect();
        let mut run = json!({
            "tool": { "driver": {
                "name": "zenduty-migrate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": self.results,
            "invocations": [{
                "executionSuccessful": self.notifications.is_empty(),
                "toolExecutionNotifications": self.notifications,
            }],
        });
        // Relative URIs are relative to the directory the tool ran in.
        if let Some(base) = std::env::current_dir().ok().and_then(|d| dir_file_uri(&d)) {
            run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": base } });
        }
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

const INFORMATION_URI: &str = "https://github.com/zenduty-migrate/zenduty-migrate";
const SRCROOT: &str = "%SRCROOT%";

/// A rule's `name`: the kind in PascalCase, as SARIF suggests for rule names.
fn rule_name(kind: Kind) -> String {
    kind.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative path becomes a URI reference below `%SRCROOT%`; an absolute one a `file:` URI.
fn artifact_location(path: &str) -> serde_json::Value {
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri(path)) })
    } else {
        json!({ "uri": uri(path), "uriBaseId": SRCROOT })
    }
}

/// `file:` URI of a directory, ending in `/` as SARIF requires of a base.
fn dir_file_uri(dir: &std::path::Path) -> Option<String> {
    let text = dir.to_str()?;
    if !text.starts_with('/') {
        return None;
    }
    let mut uri = format!("file://{}", uri(text));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A relative path as a SARIF URI reference (percent-encoding what URIs cannot hold).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_to_four_characters() {
        let (shown, exact) = redact(
            b"https://x/api/events/d58c08d0-75f7/",
            &[b"d58c08d0-75f7".to_vec()],
            false,
        );
        assert_eq!(shown, "https://x/api/events/d58c…/");
        assert!(!exact);
        let (shown, exact) = redact(b"K/d58c08d0", &[b"d58c08d0".to_vec()], true);
        assert_eq!(shown, "K/d58c08d0");
        assert!(exact);
    }

    #[test]
    fn github_escapes() {
        assert_eq!(github_escape_property("a,b:c%"), "a%2Cb%3Ac%25");
        assert_eq!(github_escape_data("a\nb"), "a%0Ab");
    }

    #[test]
    fn uri_escapes_spaces() {
        assert_eq!(uri("dir/a b.txt"), "dir/a%20b.txt");
    }
}
