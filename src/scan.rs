//! The scan pipeline: walk the tree in parallel, prefilter each file, run every detector on the
//! files that may hold a legacy reference, resolve accounts and cross-file Terraform bindings,
//! apply inline suppressions, and hand back findings sorted by path and position.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use aho_corasick::AhoCorasick;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::Error;
use crate::finding::{Finding, Kind, Status};
use crate::rules::{export, terraform};
use crate::url::{self, UrlForm};
use crate::walk::{self, Filters, WalkOptions};

/// The literals that mark a file worth parsing (SPEC 8): the vendor's name, and the key that marks
/// a rule export which need not mention the vendor.
pub const PREFILTER: [&str; 2] = ["zenduty", "rule_json"];

/// The comment that suppresses findings on its own line.
pub const IGNORE_MARK: &[u8] = b"zenduty-migrate: ignore";
const NEXT_LINE_SUFFIX: &[u8] = b"-next-line";

/// Everything one run needs to know.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub walk: WalkOptions,
    pub config: Config,
    /// `--account`.
    pub account: Option<String>,
    /// Judge the content staged in git instead of the work tree.
    pub staged: bool,
    /// Report suppression comments that suppress nothing.
    pub report_unused_suppressions: bool,
    /// Counts files as they are scanned, for a progress display (the library never prints).
    pub progress: Option<std::sync::Arc<AtomicUsize>>,
}

/// A finding placed in its file.
#[derive(Debug, Clone)]
pub struct Located {
    pub finding: Finding,
    /// 1-based line and byte column of `finding.range.start`.
    pub line: usize,
    pub col: usize,
    /// 1-based column of `finding.range.start` in characters (UTF-8 code points, counted as the
    /// bytes that do not continue a UTF-8 sequence), as SARIF and editors count.
    pub char_col: usize,
    /// The bytes at `finding.range` when the file was read.
    pub old: Vec<u8>,
}

/// The findings of one file.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: PathBuf,
    pub findings: Vec<Located>,
    /// sha256 of the bytes the findings were computed from.
    pub digest: [u8; 32],
    /// A structured parser failed on this file: it is reported, never written.
    pub blocked: bool,
}

impl FileResult {
    pub fn edits(&self) -> impl Iterator<Item = &crate::edit::Edit> {
        self.findings.iter().filter_map(|l| l.finding.edit.as_ref())
    }
}

/// The result of a scan: files with findings sorted by path, errors sorted by path.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileResult>,
    pub errors: Vec<Error>,
    pub scanned: usize,
}

impl Outcome {
    pub fn findings(&self) -> impl Iterator<Item = (&Path, &Located)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |l| (f.path.as_path(), l)))
    }
}

/// What the detectors found in one file's bytes, before placement and suppression.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub terraform: Option<terraform::TfFile>,
    /// KEY texts of legacy URLs that name a Terraform integration's key.
    pub legacy_key_texts: Vec<String>,
    pub error: Option<Error>,
}

/// Builds the case-insensitive prefilter as an Aho-Corasick automaton: the reference that
/// [`Prefilter`] is checked against. [`scan`] uses [`Prefilter`], which is about ten times faster.
pub fn prefilter() -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(PREFILTER)
        .expect("static patterns")
}

/// ASCII letters from most to least frequent in source code and prose; bytes not listed (digits,
/// punctuation) count as common.
const LETTER_RANK: &[u8] = b"etaoinsrlcdhupmfgybwvkxqjz";

/// The case-insensitive test "does this text hold one of [`PREFILTER`]?" (SPEC 8), done as
/// ripgrep does for rare literals: `memchr2` for each needle's rarest letter in both cases (a
/// vectorised scan), and a short case-insensitive comparison at each hit. Same answers as
/// [`prefilter`]'s automaton, which stepped through every byte.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Needle (lower case), offset of its rarest byte, that byte lower and upper.
    needles: Vec<(Vec<u8>, usize, u8, u8)>,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter::new(&PREFILTER)
    }
}

impl Prefilter {
    pub fn new(needles: &[&str]) -> Prefilter {
        let needles = needles
            .iter()
            .map(|n| {
                let n = n.to_ascii_lowercase().into_bytes();
                let rank = |b: u8| LETTER_RANK.iter().position(|&r| r == b).unwrap_or(0);
                let at = (0..n.len()).max_by_key(|&i| rank(n[i])).unwrap_or(0);
                let b = n[at];
                (n, at, b, b.to_ascii_uppercase())
            })
            .collect();
        Prefilter { needles }
    }

    /// The longest needle, less one: how far a chunked search must overlap its chunks.
    pub fn overlap(&self) -> usize {
        self.needles.iter().map(|n| n.0.len()).max().unwrap_or(1) - 1
    }

    /// Does `text` hold any needle, in any ASCII letter case?
    pub fn is_match(&self, text: &[u8]) -> bool {
        self.needles.iter().any(|(needle, at, lo, up)| {
            memchr::memchr2_iter(*lo, *up, text).any(|i| {
                i >= *at
                    && text.len() - (i - at) >= needle.len()
                    && text[i - at..i - at + needle.len()].eq_ignore_ascii_case(needle)
            })
        })
    }
}

/// Run every detector on one file's bytes.
pub fn analyze(path: &Path, text: &[u8], config: &Config, account: Option<&str>) -> Analysis {
    let mut analysis = Analysis::default();
    url_findings(text, config, account, &mut analysis);
    analysis.findings.extend(crate::review::find(path, text));
    match extension(path).as_deref() {
        Some("tf") => match terraform::analyze(path, text) {
            Ok(tf) => analysis.terraform = Some(tf),
            Err(e) => analysis.error = Some(e),
        },
        Some("json" | "yaml" | "yml") => match export::analyze(path, text, config) {
            Ok(found) => analysis.findings.extend(found),
            Err(e) => analysis.error = Some(e),
        },
        _ => {}
    }
    analysis
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// The account for a key text: `[accounts]`, then `--account`, then the config's `account`.
pub fn resolve_account<'a>(
    key_text: Option<&str>,
    config: &'a Config,
    account: Option<&'a str>,
) -> Option<&'a str> {
    key_text
        .and_then(|k| config.account_for_key(k))
        .or(account)
        .or_else(|| config.default_account())
}

fn url_findings(text: &[u8], config: &Config, account: Option<&str>, out: &mut Analysis) {
    for m in url::find(text) {
        let key_text = m
            .key
            .as_ref()
            .map(|k| String::from_utf8_lossy(&text[k.clone()]).into_owned());
        let literal = m.key_is_literal(text);
        let resolved = resolve_account(key_text.as_deref(), config, account);
        match &m.form {
            UrlForm::Legacy => {
                let kind = if m.key.is_some() {
                    Kind::LegacyUrl
                } else {
                    Kind::LegacyBaseUrl
                };
                if let Some(k) = &key_text {
                    if k.contains("integration_key") {
                        out.legacy_key_texts.push(k.clone());
                    }
                }
                let new_key = key_text
                    .as_deref()
                    .filter(|_| literal)
                    .and_then(|k| config.keys.get(k))
                    .map(String::as_bytes);
                let mut secrets = key_secrets(text, &m);
                secrets.extend(new_key.map(<[u8]>::to_vec));
                let mut finding = match resolved {
                    Some(acct) => Finding::rewrite(
                        kind,
                        m.range.clone(),
                        url::rewrite(text, &m, acct, new_key),
                    ),
                    None => Finding {
                        kind,
                        status: Status::Unresolved,
                        range: m.range.clone(),
                        new: None,
                        message: "no account for this key: pass --account, or set `account` or an \
                                  `[accounts]` entry in zenduty-migrate.toml"
                            .into(),
                        secrets: Vec::new(),
                        edit: None,
                    },
                };
                finding.secrets = secrets;
                out.findings.push(finding);
            }
            UrlForm::Generic {
                account: acct_range,
            } => {
                // A placeholder in the account position (API docs) is not a wrong account.
                if !m.account_is_literal(text) {
                    continue;
                }
                let Ok(found) = std::str::from_utf8(&text[acct_range.clone()]) else {
                    continue;
                };
                if let Some(expected) = resolved {
                    if expected != found {
                        let mut f = Finding::review(
                            Kind::WrongAccount,
                            m.range.clone(),
                            format!(
                                "the URL's account is {found:?}, but this key resolves to {expected:?}"
                            ),
                        );
                        f.secrets = key_secrets(text, &m);
                        out.findings.push(f);
                    }
                }
            }
        }
    }
}

/// The secrets a URL's key holds: the key itself when it is a literal, and literal defaults
/// inside placeholders (`${ZD_KEY:-d58c08d0-...}`), which are real keys too.
pub fn key_secrets(text: &[u8], m: &url::UrlMatch) -> Vec<Vec<u8>> {
    let Some(range) = &m.key else {
        return Vec::new();
    };
    let key = &text[range.clone()];
    if m.key_is_literal(text) {
        return vec![key.to_vec()];
    }
    // Runs of 8 or more token characters with a digit, and a lower-case letter or a dash, look
    // like keys (UUIDs, tokens); `ZD_KEY2` and other upper-case variable names do not.
    key.split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .filter(|run| {
            run.len() >= 8
                && run.iter().any(u8::is_ascii_digit)
                && run.iter().any(|b| b.is_ascii_lowercase() || *b == b'-')
        })
        .map(<[u8]>::to_vec)
        .collect()
}

/// Every secret in a text's URLs (legacy and Generic, suppressed or not), for `--redact`.
pub fn text_secrets(text: &[u8]) -> Vec<Vec<u8>> {
    url::find(text)
        .iter()
        .flat_map(|m| key_secrets(text, m))
        .collect()
}

/// Line starts of a text, for turning offsets into line numbers.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &[u8]) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        Lines { starts }
    }

    /// 1-based line and column of `offset`.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let idx = self.starts.partition_point(|&s| s <= offset) - 1;
        (idx + 1, offset - self.starts[idx] + 1)
    }

    /// Byte range of 1-based line `line` (without its newline).
    pub fn range(&self, line: usize, len: usize) -> Range<usize> {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(len, |&s| s - 1);
        start..end
    }

    /// Offset of the start of 0-based line `index`.
    pub fn start(&self, index: usize) -> usize {
        self.starts[index]
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }
}

/// Place findings in the text, drop suppressed ones, and (if asked) add unused suppressions.
pub fn locate(text: &[u8], findings: Vec<Finding>, report_unused: bool) -> Vec<Located> {
    let lines = Lines::new(text);
    // line number -> (suppression comment line, used?)
    let mut suppressed: BTreeMap<usize, (usize, usize, bool)> = BTreeMap::new();
    for at in memchr::memmem::find_iter(text, IGNORE_MARK) {
        let after = &text[at + IGNORE_MARK.len()..];
        let (line, col) = lines.locate(at);
        let next = after.starts_with(NEXT_LINE_SUFFIX);
        let target = if next { line + 1 } else { line };
        suppressed.insert(target, (line, col, false));
    }
    let mut located: Vec<Located> = findings
        .into_iter()
        .filter_map(|finding| {
            let (line, col) = lines.locate(finding.range.start);
            if let Some(entry) = suppressed.get_mut(&line) {
                entry.2 = true;
                return None;
            }
            let old = text[finding.range.clone()].to_vec();
            let char_col = char_column(text, finding.range.start, col);
            Some(Located {
                finding,
                line,
                col,
                char_col,
                old,
            })
        })
        .collect();
    if report_unused {
        for (line, col, used) in suppressed.into_values() {
            if !used {
                let start = lines.range(line, text.len()).start + col - 1;
                located.push(Located {
                    finding: Finding::review(
                        Kind::UnusedSuppression,
                        start..start + IGNORE_MARK.len(),
                        "this suppression comment no longer matches any finding; remove it",
                    ),
                    line,
                    col,
                    char_col: char_column(text, start, col),
                    old: IGNORE_MARK.to_vec(),
                });
            }
        }
    }
    located.sort_by_key(|l| (l.finding.range.start, l.finding.range.end, l.finding.kind));
    located
}

/// 1-based character column of `offset`, whose byte column is `col`.
fn char_column(text: &[u8], offset: usize, col: usize) -> usize {
    let prefix = &text[offset + 1 - col..offset];
    1 + prefix.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// sha256 of some bytes.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Is this content binary (holds a NUL byte)?
pub fn is_binary(text: &[u8]) -> bool {
    memchr::memchr(0, text).is_some()
}

/// The first read of a file asks for this much; files up to [`WHOLE_FILE`] are read whole in one
/// pass, larger ones are prefiltered in windows of this size.
const READ_CHUNK: usize = 256 << 10;
/// Files up to this size are read whole before the prefilter runs (the common case: one pass).
const WHOLE_FILE: usize = 8 << 20;
/// A buffer grown past this by one file is dropped after it.
const KEEP_BUFFER: usize = 1 << 20;

/// A reusable read buffer. `data` is kept initialised up to its full length, so reading into it
/// never zeroes memory again (zeroing the spare room before each read cost a third of the scan).
struct ReadBuf {
    data: Vec<u8>,
    len: usize,
}

impl ReadBuf {
    fn new() -> ReadBuf {
        ReadBuf {
            data: vec![0; READ_CHUNK],
            len: 0,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.data[..self.len]
    }

    /// Read until `limit` bytes are held or the file ends; true at the end of the file. Plain
    /// reads into spare room: no `stat` or `lseek` per file (which `read_to_end` does).
    fn fill(&mut self, file: &mut std::fs::File, limit: usize) -> std::io::Result<bool> {
        loop {
            if self.len >= limit {
                return Ok(false);
            }
            if self.data.len() == self.len {
                let grown = (self.len * 2).max(READ_CHUNK).min(limit);
                self.data.resize(grown, 0);
            }
            let end = self.data.len().min(limit);
            match file.read(&mut self.data[self.len..end]) {
                Ok(0) => return Ok(true),
                Ok(n) => self.len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Keep only the last `keep` bytes, moved to the front.
    fn keep_tail(&mut self, keep: usize) {
        let from = self.len.saturating_sub(keep);
        self.data.copy_within(from..self.len, 0);
        self.len -= from;
    }
}

/// Read `path` into `buf` if it passes the prefilter; false (and `buf` unspecified) if it does
/// not. Files up to [`WHOLE_FILE`] are read whole, once. A larger file is searched window by
/// window in bounded memory, so memory stays flat whatever the file sizes, and read whole only
/// when a window matches: a candidate must be in memory whole for the detectors.
fn read_candidate(path: &Path, buf: &mut ReadBuf, matcher: &Prefilter) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    buf.len = 0;
    let mut file = std::fs::File::open(path)?;
    if buf.fill(&mut file, WHOLE_FILE)? {
        return Ok(matcher.is_match(buf.bytes()));
    }
    if !matcher.is_match(buf.bytes()) {
        // Slide a window over the rest; keep an overlap so no needle straddles two windows.
        let keep = matcher.overlap();
        loop {
            buf.keep_tail(keep);
            let at_end = buf.fill(&mut file, keep + WHOLE_FILE)?;
            if matcher.is_match(buf.bytes()) {
                break;
            }
            if at_end {
                return Ok(false);
            }
        }
        file.seek(SeekFrom::Start(0))?;
        buf.len = 0;
    }
    buf.fill(&mut file, usize::MAX)?;
    Ok(true)
}

struct Collected {
    files: Vec<FileResult>,
    errors: Vec<Error>,
    terraform: Vec<(terraform::TfFile, [u8; 32])>,
    legacy_key_texts: Vec<String>,
}

/// Scan every file the options name.
pub fn scan(opts: &Options) -> Result<Outcome, Error> {
    let filters = Filters::new(&opts.walk)?;
    let matcher = Prefilter::default();
    let scanned = AtomicUsize::new(0);
    let collected = Mutex::new(Collected {
        files: Vec::new(),
        errors: Vec::new(),
        terraform: Vec::new(),
        legacy_key_texts: Vec::new(),
    });
    let account = opts.account.as_deref();
    // One file looked at, whether or not it passes the prefilter.
    let count = || {
        scanned.fetch_add(1, Ordering::Relaxed);
        if let Some(progress) = &opts.progress {
            progress.fetch_add(1, Ordering::Relaxed);
        }
    };
    // `text` has passed the prefilter.
    let handle = |path: PathBuf, text: &[u8]| {
        count();
        if is_binary(text) {
            return;
        }
        // A detector bug must not take the whole run down (SPEC 7: never a panic): the file is
        // reported, never written, and the other files go on.
        let analysis = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyze(&path, text, &opts.config, account)
        }))
        .unwrap_or_else(|_| Analysis {
            error: Some(Error::Parse {
                path: path.clone(),
                line: None,
                message: "internal error: a detector panicked on this file (please report it); \
                          it is not written"
                    .into(),
            }),
            ..Analysis::default()
        });
        let blocked = analysis.error.is_some();
        let digest_bytes = digest(text);
        let located = locate(text, analysis.findings, opts.report_unused_suppressions);
        let mut c = collected.lock().expect("no panics while locked");
        c.legacy_key_texts.extend(analysis.legacy_key_texts);
        if let Some(e) = analysis.error {
            c.errors.push(e);
        }
        if let Some(tf) = analysis.terraform {
            c.terraform.push((tf, digest_bytes));
        }
        if !located.is_empty() || blocked {
            c.files.push(FileResult {
                path,
                findings: located,
                digest: digest_bytes,
                blocked,
            });
        }
    };
    if opts.staged {
        let staged = walk::staged_files(&opts.walk.roots)?;
        let next = AtomicUsize::new(0);
        let jobs = opts.walk.jobs.max(1);
        std::thread::scope(|s| {
            for _ in 0..jobs.min(staged.len().max(1)) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = staged.get(i) else { break };
                    if filters.excluded(path, false) || !filters.included(path) {
                        continue;
                    }
                    match walk::staged_content(path) {
                        Ok(text) if matcher.is_match(&text) => handle(path.clone(), &text),
                        Ok(_) => count(),
                        Err(e) => collected.lock().expect("unpoisoned").errors.push(e),
                    }
                });
            }
        });
    } else {
        walk::walk(&opts.walk, &filters, || {
            let mut buf = ReadBuf::new();
            let handle = &handle;
            let collected = &collected;
            let matcher = &matcher;
            let count = &count;
            move |entry: Result<PathBuf, Error>| match entry {
                Ok(path) => {
                    match read_candidate(&path, &mut buf, matcher) {
                        Ok(true) => handle(path, buf.bytes()),
                        Ok(false) => count(),
                        Err(e) => collected
                            .lock()
                            .expect("unpoisoned")
                            .errors
                            .push(Error::io(path, e)),
                    }
                    // Keep one large file from pinning its buffer for the rest of the walk.
                    if buf.data.len() > KEEP_BUFFER {
                        buf = ReadBuf::new();
                    }
                }
                Err(e) => collected.lock().expect("unpoisoned").errors.push(e),
            }
        });
    }
    let mut c = collected.into_inner().expect("unpoisoned");
    resolve_terraform(&mut c, opts);
    c.files.sort_by(|a, b| a.path.cmp(&b.path));
    // Overlapping roots (`. a.env`) reach a file twice: keep it once.
    c.files.dedup_by(|a, b| a.path == b.path);
    c.errors.sort_by_key(|e| e.to_string());
    Ok(Outcome {
        files: c.files,
        errors: c.errors,
        scanned: scanned.into_inner(),
    })
}

/// Cross-file Terraform resolution: merge its findings into the files they belong to.
///
/// A module is a directory. Its `.tf` files that were not scanned (a pre-commit batch, a file
/// named on the command line) are read for their facts only, so an integration never moves
/// without the rules beside it: when part of a conversion falls in such a file, the module is
/// reported, not edited.
fn resolve_terraform(c: &mut Collected, opts: &Options) {
    if c.terraform.is_empty() {
        return;
    }
    c.legacy_key_texts.sort();
    c.legacy_key_texts.dedup();
    c.terraform.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    c.terraform.dedup_by(|a, b| a.0.path == b.0.path);
    let digests: HashMap<PathBuf, [u8; 32]> = c
        .terraform
        .iter()
        .map(|(tf, d)| (tf.path.clone(), *d))
        .collect();
    let mut facts: Vec<terraform::TfFile> = c.terraform.iter().map(|(tf, _)| tf.clone()).collect();
    let outside = module_siblings(&digests, opts, &mut facts);
    let mut by_path: BTreeMap<PathBuf, Vec<Finding>> = BTreeMap::new();
    for (path, finding) in terraform::resolve(&facts, &c.legacy_key_texts, &opts.config) {
        by_path.entry(path).or_default().push(finding);
    }
    let incomplete: HashMap<PathBuf, PathBuf> = by_path
        .iter()
        .filter(|(path, findings)| {
            outside.contains(*path) && findings.iter().any(|f| f.edit.is_some())
        })
        .map(|(path, _)| (module_dir(path), path.clone()))
        .collect();
    let mut index: HashMap<PathBuf, usize> = c
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    for (path, mut findings) in by_path {
        let Some(digest_bytes) = digests.get(&path).copied() else {
            continue;
        };
        if let Some(other) = incomplete.get(&module_dir(&path)) {
            for f in findings.iter_mut().filter(|f| f.edit.is_some()) {
                f.status = Status::NeedsReview;
                f.edit = None;
                f.message = format!(
                    "not converted: this module's conversion also changes {}, which is outside \
                     the scanned paths; run on the whole directory ({})",
                    other.display(),
                    f.message
                );
            }
        }
        let text = if opts.staged {
            walk::staged_content(&path)
        } else {
            std::fs::read(&path).map_err(|e| Error::io(&path, e))
        };
        let text = match text {
            Ok(t) if digest(&t) == digest_bytes => t,
            Ok(_) => {
                c.errors.push(Error::Changed { path });
                continue;
            }
            Err(e) => {
                c.errors.push(e);
                continue;
            }
        };
        let located = locate(&text, findings, false);
        if located.is_empty() {
            continue;
        }
        match index.get(&path) {
            Some(&i) => {
                let file = &mut c.files[i];
                file.findings.extend(located);
                file.findings
                    .sort_by_key(|l| (l.finding.range.start, l.finding.range.end, l.finding.kind));
            }
            None => {
                index.insert(path.clone(), c.files.len());
                c.files.push(FileResult {
                    path,
                    findings: located,
                    digest: digest_bytes,
                    blocked: false,
                });
            }
        }
    }
}

/// The directory a `.tf` file's module is (`.` for a bare file name).
fn module_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Add the facts of the unscanned `.tf` files in the scanned files' directories; returns their
/// paths. They are read from the work tree (the index under `--staged`, when they are in it).
fn module_siblings(
    scanned: &HashMap<PathBuf, [u8; 32]>,
    opts: &Options,
    facts: &mut Vec<terraform::TfFile>,
) -> HashSet<PathBuf> {
    let dirs: BTreeSet<PathBuf> = scanned.keys().map(|p| module_dir(p)).collect();
    let vendor = Prefilter::new(&["zenduty"]);
    let mut outside = HashSet::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| walk::clean(&e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf") && !scanned.contains_key(p))
            .collect();
        names.sort();
        for path in names {
            let text = if opts.staged {
                walk::staged_content(&path)
                    .or_else(|_| std::fs::read(&path).map_err(|e| Error::io(&path, e)))
            } else {
                std::fs::read(&path).map_err(|e| Error::io(&path, e))
            };
            let Ok(text) = text else { continue };
            if !vendor.is_match(&text) {
                continue;
            }
            if let Ok(tf) = terraform::analyze(&path, &text) {
                facts.push(tf);
                outside.insert(path);
            }
        }
    }
    outside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_locate() {
        let l = Lines::new(b"ab\ncd\n");
        assert_eq!(l.locate(0), (1, 1));
        assert_eq!(l.locate(4), (2, 2));
        assert_eq!(l.range(2, 6), 3..5);
        assert_eq!(l.count(), 3);
    }

    #[test]
    fn suppression_same_line_and_next_line() {
        let text =
            b"a X # zenduty-migrate: ignore\n# zenduty-migrate: ignore-next-line\nb X\nc X\n";
        let at = |needle: &[u8], from: usize| {
            from + memchr::memmem::find(&text[from..], needle).unwrap()
        };
        let findings = vec![
            Finding::review(Kind::LegacySdk, at(b"X", 0)..at(b"X", 0) + 1, ""),
            Finding::review(Kind::LegacySdk, at(b"b X", 0) + 2..at(b"b X", 0) + 3, ""),
            Finding::review(Kind::LegacySdk, at(b"c X", 0) + 2..at(b"c X", 0) + 3, ""),
        ];
        let located = locate(text, findings, false);
        assert_eq!(located.len(), 1);
        assert_eq!(located[0].line, 4);
    }

    #[test]
    fn unused_suppression_is_reported_on_request() {
        let text = b"nothing here # zenduty-migrate: ignore\n";
        let located = locate(text, Vec::new(), true);
        assert_eq!(located.len(), 1);
        assert_eq!(located[0].finding.kind, Kind::UnusedSuppression);
        assert_eq!((located[0].line, located[0].col), (1, 16));
        assert!(locate(text, Vec::new(), false).is_empty());
    }

    #[test]
    fn account_resolution_order() {
        let config = Config::parse(
            "account = \"cfg\"\n[accounts]\n\"K1\" = \"perkey\"\n",
            Path::new("z.toml"),
        )
        .unwrap();
        assert_eq!(
            resolve_account(Some("K1"), &config, Some("cli")),
            Some("perkey")
        );
        assert_eq!(
            resolve_account(Some("K2"), &config, Some("cli")),
            Some("cli")
        );
        assert_eq!(resolve_account(Some("K2"), &config, None), Some("cfg"));
        assert_eq!(resolve_account(None, &Config::default(), None), None);
    }

    #[test]
    fn prefilter_agrees_with_the_automaton() {
        let fast = Prefilter::default();
        let slow = prefilter();
        let cases: &[&[u8]] = &[
            b"",
            b"z",
            b"zendut",
            b"zenduty",
            b"ZENDUTY",
            b"xx ZenDuty.com",
            b"zzzenduty",
            b"zendutZ",
            b"rule_json",
            b"RULE_JSON: 1",
            b"ule_json",
            b"rule_jso",
            b"j rule_JSon",
            b"jjjjjj",
            b"json size lazy zone zen duty rule",
            b"\x00zenduty\x00",
        ];
        for &text in cases {
            assert_eq!(fast.is_match(text), slow.is_match(text), "{text:?}");
        }
        // Every position of both needles in a longer text, in mixed case.
        for needle in [&b"zEnDuTy"[..], b"RuLe_JsOn"] {
            for at in 0..40 {
                let mut text = vec![b'z'; 40];
                text.splice(at..at, needle.iter().copied());
                assert!(fast.is_match(&text));
                assert!(fast.is_match(&text[at..at + needle.len()]));
                assert!(!fast.is_match(&text[at + 1..at + needle.len()]));
            }
        }
    }

    #[test]
    fn large_files_are_searched_in_windows() {
        let dir = tempfile::tempdir().unwrap();
        let matcher = Prefilter::default();
        let mut buf = ReadBuf::new();
        let size = WHOLE_FILE * 2 + 100;
        // A needle straddling the first window's end, one in the last window, and none.
        for at in [WHOLE_FILE - 3, size - 20, usize::MAX] {
            let mut text = vec![b'a'; size];
            if at != usize::MAX {
                text[at..at + 7].copy_from_slice(b"ZENDUTY");
            }
            let path = dir.path().join("big.txt");
            std::fs::write(&path, &text).unwrap();
            let found = read_candidate(&path, &mut buf, &matcher).unwrap();
            assert_eq!(found, at != usize::MAX);
            if found {
                assert!(buf.bytes() == text.as_slice(), "read whole after a hit");
            }
        }
        let small = dir.path().join("small.txt");
        std::fs::write(&small, b"see rule_json here").unwrap();
        assert!(read_candidate(&small, &mut buf, &matcher).unwrap());
        assert_eq!(buf.bytes(), b"see rule_json here");
        std::fs::write(&small, b"").unwrap();
        assert!(!read_candidate(&small, &mut buf, &matcher).unwrap());
    }
}
