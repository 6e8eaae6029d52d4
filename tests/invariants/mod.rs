//! The invariants the fuzz targets (`fuzz/fuzz_targets/`) and their short proptest forms
//! (`tests/fuzz_invariants.rs`) both assert. Each check panics on a violation, so a fuzzer
//! reports it as a crash and proptest shrinks it. Shared through `#[path]` by the fuzz crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zenduty_migrate::config::Config;
use zenduty_migrate::edit::{splice, Edit};
use zenduty_migrate::finding::{Finding, Status};
use zenduty_migrate::rules::{json, terraform, text, tree};
use zenduty_migrate::scan;
use zenduty_migrate::url::{self, UrlForm};
use zenduty_migrate::write::Format;

/// The Generic Integration's application id the converters are given.
pub const GENERIC_APP: &str = "3f1b6c2e-8d4a-4f7b-9e2c-5a6d7e8f9a0b";

/// Is `at` the `/` of an escaped slash `\/` (preceded by an odd run of backslashes)?
pub fn inside_escaped_slash(text: &[u8], at: usize) -> bool {
    let backslashes = text[..at.min(text.len())]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    text.get(at) == Some(&b'/') && backslashes % 2 == 1
}

/// The config the targets run with: an account, and a Generic application so that Terraform
/// integrations and rule exports are converted, not only reported.
pub fn config() -> Config {
    Config::parse(
        &format!("account = \"ab12c\"\n[terraform]\ngeneric_application = \"{GENERIC_APP}\"\n"),
        Path::new("zenduty-migrate.toml"),
    )
    .expect("the fuzz config parses")
}

/// The file names `analyze` is driven with; the first input byte picks one.
pub const PATHS: [&str; 9] = [
    "a.txt", "a.json", "a.yaml", "a.yml", "main.tf", "a.toml", "a.py", "a.sh", "a.hcl",
];

/// Every byte outside the edits is copied, in order; inside them the replacement is written.
pub fn assert_only_edits_changed(original: &[u8], edits: &[Edit], new: &[u8]) {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let (mut o, mut n) = (0, 0);
    for e in &edits {
        let keep = e.range.start - o;
        assert_eq!(
            &original[o..e.range.start],
            &new[n..n + keep],
            "bytes before edit {:?} changed",
            e.range
        );
        n += keep;
        assert_eq!(&new[n..n + e.replacement.len()], &e.replacement[..]);
        n += e.replacement.len();
        o = e.range.end;
    }
    assert_eq!(
        &original[o..],
        &new[n..],
        "bytes after the last edit changed"
    );
}

/// Ranges are in bounds, ordered and disjoint.
fn assert_disjoint(ranges: &mut [std::ops::Range<usize>], len: usize, what: &str) {
    ranges.sort_by_key(|r| (r.start, r.end));
    for r in ranges.iter() {
        assert!(
            r.start <= r.end && r.end <= len,
            "{what} {r:?} outside 0..{len}"
        );
    }
    for w in ranges.windows(2) {
        assert!(
            w[0].end <= w[1].start,
            "{what}s {:?} and {:?} overlap",
            w[0],
            w[1]
        );
    }
}

/// `url::find` and `url::rewrite`: no panic, matches in bounds and disjoint, sub-ranges inside
/// their match, the rewrite splices, only the matched bytes change, the rewritten text holds no
/// legacy URL, and rewriting again changes nothing.
pub fn check_url(text: &[u8]) {
    let matches = url::find(text);
    let mut ranges: Vec<_> = matches.iter().map(|m| m.range.clone()).collect();
    assert_disjoint(&mut ranges, text.len(), "match");
    for m in &matches {
        let inside = |r: &std::ops::Range<usize>| {
            r.start <= r.end && m.range.start <= r.start && r.end <= m.range.end
        };
        // A `/` preceded by an odd run of backslashes is the second half of an escaped slash
        // (`\/`): a URL starting there would tear the escape apart when rewritten.
        assert!(
            !inside_escaped_slash(text, m.range.start),
            "match {:?} starts inside an escaped slash",
            m.range
        );
        if let Some(k) = &m.key {
            assert!(inside(k), "key {k:?} outside match {:?}", m.range);
        }
        assert!(
            inside(&m.suffix),
            "suffix {:?} outside {:?}",
            m.suffix,
            m.range
        );
        if let UrlForm::Generic { account } = &m.form {
            assert!(inside(account), "account {account:?} outside {:?}", m.range);
        }
    }
    let edits: Vec<Edit> = matches
        .iter()
        .filter(|m| m.form == UrlForm::Legacy)
        .map(|m| Edit::new(m.range.clone(), url::rewrite(text, m, "ab12c", None)))
        .collect();
    let new = splice(text, &edits).expect("rewrites of disjoint matches splice");
    assert_only_edits_changed(text, &edits, &new);
    let legacy: Vec<_> = url::find(&new)
        .into_iter()
        .filter(|m| m.form == UrlForm::Legacy)
        .map(|m| String::from_utf8_lossy(&new[m.range]).into_owned())
        .collect();
    assert!(
        legacy.is_empty(),
        "legacy URLs left after the rewrite: {legacy:?} in {:?}",
        String::from_utf8_lossy(&new)
    );
}

/// `Config::parse` on arbitrary text: no panic, and what it accepts is valid.
pub fn check_config(text: &str) {
    if let Ok(config) = Config::parse(text, Path::new("zenduty-migrate.toml")) {
        if let Some(a) = config.default_account() {
            assert!(zenduty_migrate::config::valid_account(a), "{a:?} accepted");
        }
        for a in config.accounts.values() {
            assert!(zenduty_migrate::config::valid_account(a.get_ref()));
        }
        assert!(config.rules.payload_root.starts_with('$'));
    }
}

/// Findings of one file as the pipeline computes them: the file's own detectors, then the
/// Terraform resolution (with this file as the whole tree). `Err` when a parser refused it.
pub fn findings(path: &Path, text: &[u8], config: &Config) -> Result<Vec<Finding>, String> {
    let analysis = scan::analyze(path, text, config, None);
    if let Some(e) = analysis.error {
        return Err(e.to_string());
    }
    let mut findings = analysis.findings;
    if let Some(tf) = analysis.terraform {
        let mut keys = analysis.legacy_key_texts;
        keys.sort();
        keys.dedup();
        for (p, f) in terraform::resolve(&[tf], &keys, config) {
            assert_eq!(p, path, "a Terraform finding for another file");
            findings.push(f);
        }
    }
    Ok(findings)
}

fn rewritable(findings: &[Finding]) -> Vec<Edit> {
    findings
        .iter()
        .filter(|f| f.status == Status::Rewritable)
        .filter_map(|f| f.edit.clone())
        .collect()
}

/// `scan::analyze` over arbitrary bytes: no panic, findings and edits in bounds, the edits splice
/// (no overlap), only the edited bytes change, a structured file that parsed still parses, and a
/// second pass over the result has nothing rewritable left.
pub fn check_analyze(path: &str, text: &[u8]) {
    let path = PathBuf::from(path);
    let config = config();
    let Ok(first) = findings(&path, text, &config) else {
        // A refused file is reported and never written: nothing else to check.
        return;
    };
    for f in &first {
        assert!(
            f.range.start <= f.range.end && f.range.end <= text.len(),
            "finding {:?} outside 0..{}",
            f.range,
            text.len()
        );
        if let Some(e) = &f.edit {
            assert!(e.range.start <= e.range.end && e.range.end <= text.len());
        }
    }
    let edits = rewritable(&first);
    let new = match splice(text, &edits) {
        Ok(new) => new,
        Err(e) => panic!("the edits of {} do not splice: {e}", path.display()),
    };
    assert_only_edits_changed(text, &edits, &new);
    if let Some(format) = Format::of(&path) {
        if format.parse(text).is_ok() {
            if let Err(e) = format.parse(&new) {
                panic!(
                    "{} parsed before the edits and not after: {e}",
                    path.display()
                );
            }
        }
    }
    if edits.is_empty() {
        return;
    }
    let second = findings(&path, &new, &config)
        .unwrap_or_else(|e| panic!("the rewritten file is refused: {e}"));
    let again = rewritable(&second);
    assert!(
        again.is_empty(),
        "second pass wants {again:?} in {:?}",
        String::from_utf8_lossy(&new)
    );
}

/// The `rule_json` converter (`rules::tree`) on arbitrary JSON text: rebases only replace the `$`
/// of a `value[0]` inside the document, the rebased document still parses, converting it again
/// rebases nothing; and the same text held in a JSON rule export goes through the whole pipeline
/// with the `analyze` invariants.
pub fn check_rule_json(doc: &[u8]) {
    let root = tree::Root::new("$.payload").expect("default root");
    if let Ok(node) = json::parse(doc) {
        let mut edits = Vec::new();
        for o in tree::convert(&node, &root) {
            if let tree::Outcome::Rebase { content, first, .. } = o {
                assert!(first.end <= doc.len() && content.end <= doc.len());
                assert!(content.start <= first.start && first.end <= content.end);
                let raw = doc[first.clone()].to_ascii_lowercase();
                assert!(
                    raw == b"$" || raw == b"\\u0024",
                    "a rebase must replace a `$`, not {:?}",
                    String::from_utf8_lossy(&raw)
                );
                edits.push(Edit::new(first, text::json_escape(&root.text).into_bytes()));
            }
        }
        let new = splice(doc, &edits).expect("rebases are disjoint");
        assert_only_edits_changed(doc, &edits, &new);
        if !edits.is_empty() {
            let again = json::parse(&new).expect("a rebased rule_json parses");
            let twice = tree::convert(&again, &root)
                .into_iter()
                .filter(|o| matches!(o, tree::Outcome::Rebase { .. }))
                .count();
            assert_eq!(
                twice,
                0,
                "rebased twice: {:?}",
                String::from_utf8_lossy(&new)
            );
        }
    }
    if let Ok(s) = std::str::from_utf8(doc) {
        let export = format!(
            "{{\"unique_id\": \"u1\", \"application_reference\": {{\"name\": \"API\"}},\n \
             \"transformers\": [{{\"rule_json\": \"{}\"}}]}}\n",
            text::json_escape(s)
        );
        check_analyze("export.json", export.as_bytes());
    }
}
