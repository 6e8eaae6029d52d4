//! Every machine-readable format, parsed back: `scan --format json` and `apply --format json`
//! field by field against the README's schema, `scan --format sarif` against the published SARIF
//! 2.1.0 schema (tests/data) and GitHub code scanning's requirements, and `--format github`
//! workflow commands.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

const KEY: &str = "d58c08d0-75f7-4c48-8220-422b51b31847";

/// A small tree with a masked key, a placeholder key, a non-ASCII prefix before a URL, an odd file
/// name, a base URL and an unused suppression.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("zenduty-migrate.toml"), "account = \"ab12c\"\n").unwrap();
    std::fs::write(
        p.join(".env"),
        format!("# alerts\nZD=https://www.zenduty.com/api/events/{KEY}/\n"),
    )
    .unwrap();
    std::fs::write(
        p.join("send.py"),
        "# café → zenduty\nurl = f\"https://events.zenduty.com/api/events/{KEY}/\"\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("odd dir")).unwrap();
    std::fs::write(
        p.join("odd dir/a,b%.sh"),
        "BASE=https://www.zenduty.com/api/events\n# zenduty-migrate: ignore\n",
    )
    .unwrap();
    dir
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"))
}

#[test]
fn scan_json_has_every_documented_field() {
    let dir = tree();
    let out = zm(
        dir.path(),
        &["scan", "--format", "json", "--report-unused-suppressions"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out.stdout);
    assert_eq!(
        keys(&doc),
        set(&["tool", "version", "findings", "errors", "summary"])
    );
    assert_eq!(doc["tool"], "zenduty-migrate");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert_eq!(
        keys(&doc["summary"]),
        set(&[
            "files_scanned",
            "files_with_findings",
            "findings",
            "rewritable",
            "unresolved",
            "needs_review",
            "errors"
        ])
    );
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(doc["summary"]["findings"], findings.len());
    assert_eq!(doc["summary"]["files_with_findings"], 3);
    assert_eq!(doc["summary"]["rewritable"], 3);
    assert_eq!(doc["summary"]["needs_review"], 1);
    let paths: Vec<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [".env", "odd dir/a,b%.sh", "odd dir/a,b%.sh", "send.py"]
    );
    let required = [
        "kind",
        "status",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_range",
        "old",
        "new",
    ];
    for f in findings {
        let mut allowed = set(&required);
        allowed.insert("message");
        let k = keys(f);
        assert!(set(&required).is_subset(&k), "{f}");
        assert!(k.is_subset(&allowed), "{f}");
        let text = std::fs::read(dir.path().join(f["path"].as_str().unwrap())).unwrap();
        let range = f["byte_range"].as_array().unwrap();
        let (start, end) = (
            range[0].as_u64().unwrap() as usize,
            range[1].as_u64().unwrap() as usize,
        );
        // line and column are 1-based bytes; end_column is one past the last byte.
        let line_start = text[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + text[..start].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(f["line"], line, "{f}");
        assert_eq!(f["column"], start - line_start + 1, "{f}");
        assert_eq!(f["end_line"], line, "{f}");
        assert_eq!(f["end_column"], end - line_start + 1, "{f}");
        let old = String::from_utf8_lossy(&text[start..end]).into_owned();
        if old.contains(KEY) {
            assert_eq!(f["old"], old.replace(KEY, "d58c…"), "masked");
        } else {
            assert_eq!(f["old"], old);
        }
    }
    let env = &findings[0];
    assert_eq!(env["kind"], "legacy-url");
    assert_eq!(env["status"], "rewritable");
    assert_eq!(
        env["new"],
        "https://events.zenduty.com/integration/ab12c/generic/d58c…/"
    );
    assert!(env.get("message").is_none(), "empty message left out");
    let base = &findings[1];
    assert_eq!(base["kind"], "legacy-base-url");
    assert_eq!(
        base["new"],
        "https://events.zenduty.com/integration/ab12c/generic"
    );
    let unused = &findings[2];
    assert_eq!(unused["kind"], "unused-suppression");
    assert_eq!(unused["status"], "needs-review");
    assert_eq!(unused["new"], Value::Null);
    assert!(unused["message"].as_str().unwrap().contains("remove"));
    // The non-ASCII prefix does not shift byte columns: "url = f\"" is 8 bytes.
    let py = &findings[3];
    assert_eq!(
        (py["line"].as_u64(), py["column"].as_u64()),
        (Some(2), Some(9))
    );
    assert!(!out.stdout.contains(KEY), "key in the JSON");

    let shown = zm(dir.path(), &["scan", "--format", "json", "--show-keys"]);
    assert!(shown.stdout.contains(KEY));
}

#[test]
fn unresolved_findings_in_json_carry_a_message_and_no_new_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.sh"),
        "curl https://www.zenduty.com/api/events/$KEY/\n",
    )
    .unwrap();
    let out = zm(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(out.code, 1);
    let doc = json(&out.stdout);
    let f = &doc["findings"][0];
    assert_eq!(f["status"], "unresolved");
    assert_eq!(f["new"], Value::Null);
    assert!(f["message"].as_str().unwrap().contains("--account"));
    assert_eq!(doc["summary"]["unresolved"], 1);
}

#[test]
fn apply_json_is_the_record_of_what_was_written() {
    let dir = tree();
    std::fs::write(
        dir.path().join("left.sh"),
        "curl https://www.zenduty.com/api/events/$K/ # zenduty\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "account = \"ab12c\"\n[accounts]\n\"$K\" = \"xy98z\"\n",
    )
    .unwrap();
    let before = snapshot(dir.path());
    let out = zm(dir.path(), &["apply", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out.stdout);
    assert_eq!(
        keys(&doc),
        set(&["tool", "version", "files", "remaining", "errors", "summary"])
    );
    assert_eq!(doc["tool"], "zenduty-migrate");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["remaining"], serde_json::json!([]));
    assert_eq!(doc["errors"], serde_json::json!([]));
    let files = doc["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, [".env", "left.sh", "odd dir/a,b%.sh", "send.py"]);
    for file in files {
        assert_eq!(
            keys(file),
            set(&["path", "sha256_before", "sha256_after", "edits"])
        );
        let path = Path::new(file["path"].as_str().unwrap());
        let old_bytes = &before[path].0;
        let new_bytes = std::fs::read(dir.path().join(path)).unwrap();
        assert_eq!(file["sha256_before"], sha256_hex(old_bytes));
        assert_eq!(file["sha256_after"], sha256_hex(&new_bytes));
        let edits = file["edits"].as_array().unwrap();
        assert!(!edits.is_empty());
        for e in edits {
            assert_eq!(
                keys(e),
                set(&[
                    "kind",
                    "line",
                    "column",
                    "end_line",
                    "end_column",
                    "byte_range",
                    "old",
                    "new"
                ])
            );
            let r = e["byte_range"].as_array().unwrap();
            let (s, t) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            let old = String::from_utf8_lossy(&old_bytes[s..t]).replace(KEY, "d58c…");
            assert_eq!(e["old"], old);
            let new = e["new"].as_str().unwrap().replace("d58c…", KEY);
            assert!(
                String::from_utf8_lossy(&new_bytes).contains(&new),
                "{new} not written"
            );
        }
    }
    assert!(
        std::fs::read_to_string(dir.path().join("left.sh"))
            .unwrap()
            .contains("/integration/xy98z/generic/$K/"),
        "per-key account"
    );
    assert!(!out.stdout.contains(KEY));
    assert_eq!(doc["summary"]["rewritable"], 4);
}

#[test]
fn apply_json_lists_what_remains_and_refusals_still_print_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.sh");
    std::fs::write(&file, "curl https://www.zenduty.com/api/events/$KEY/\n").unwrap();
    git_init_commit(dir.path());
    // Skipped unresolved references remain: exit 1, listed under "remaining", nothing written.
    let out = zm(
        dir.path(),
        &["apply", "--skip-unresolved", "--format", "json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out.stdout);
    assert_eq!(doc["files"], serde_json::json!([]));
    assert_eq!(doc["remaining"][0]["status"], "unresolved");
    assert_eq!(doc["remaining"][0]["path"], "a.sh");
    assert_eq!(doc["summary"]["unresolved"], 1);
    std::fs::write(
        &file,
        "curl https://www.zenduty.com/api/events/$KEY/\nedited\n",
    )
    .unwrap();
    // Dirty: nothing written, exit 2, and the record says why.
    let out = zm(
        dir.path(),
        &["apply", "--account", "ab12c", "--format", "json"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = json(&out.stdout);
    assert_eq!(doc["files"], serde_json::json!([]));
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("uncommitted") && message.contains("a.sh"),
        "{message}"
    );
    // Unresolved: exit 2, the record names the place.
    let out = zm(dir.path(), &["apply", "--allow-dirty", "--format", "json"]);
    assert_eq!(out.code, 2);
    let doc = json(&out.stdout);
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("a.sh:1:6"));
    assert_eq!(doc["remaining"][0]["status"], "unresolved");
}

fn sarif_validator() -> jsonschema::JSONSchema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::JSONSchema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .compile(&schema)
        .expect("the SARIF schema compiles offline")
}

fn assert_valid_sarif(validator: &jsonschema::JSONSchema, doc: &Value) {
    if let Err(errors) = validator.validate(doc) {
        let errors: Vec<String> = errors
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        panic!("SARIF does not validate:\n{}", errors.join("\n"));
    }
}

#[test]
fn the_schema_is_real_and_rejects_bad_sarif() {
    let validator = sarif_validator();
    let minimal = serde_json::json!({"version": "2.1.0", "runs": []});
    assert!(validator.is_valid(&minimal));
    for bad in [
        serde_json::json!({"version": "2.0.0", "runs": []}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn sarif_validates_and_meets_code_scanning_requirements() {
    let validator = sarif_validator();
    let dir = tree();
    #[cfg(unix)]
    std::os::unix::fs::symlink("missing-target", dir.path().join("broken.env")).unwrap();
    for args in [
        &["scan", "--format", "sarif", "--report-unused-suppressions"][..],
        &["scan", "--format", "sarif", "--show-keys"][..],
        &["scan", "--format", "sarif", "--follow"][..],
    ] {
        let out = zm(dir.path(), args);
        let doc = json(&out.stdout);
        assert_valid_sarif(&validator, &doc);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "zenduty-migrate");
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        for rule in rules {
            // GitHub shows these on the alert page.
            assert!(!rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty());
            assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        }
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            base.starts_with("file:///") && base.ends_with('/'),
            "{base}"
        );
        let results = run["results"].as_array().unwrap();
        assert!(results.len() >= 3, "{results:#?}");
        let mut fingerprints = BTreeSet::new();
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(ids[index], id);
            assert!(!r["message"]["text"].as_str().unwrap().is_empty());
            let locations = r["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let phys = &locations[0]["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.contains(':') && !uri.starts_with('/'),
                "relative: {uri}"
            );
            assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(phys["region"]["startLine"].as_u64().unwrap() >= 1);
            let fp = r["partialFingerprints"]["zenduty-migrate/v1"]
                .as_str()
                .unwrap();
            assert!(fingerprints.insert(fp.to_string()), "duplicate fingerprint");
        }
        let by_uri = |u: &str| {
            results
                .iter()
                .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == u)
                .unwrap_or_else(|| panic!("no result for {u}"))
        };
        let odd = by_uri("odd%20dir/a%2Cb%25.sh");
        assert_eq!(odd["ruleId"], "legacy-base-url");
        // "# café → zenduty\n" then `url = f"`: the URL starts at character column 9.
        let py = by_uri("send.py");
        let region = &py["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 9);
        assert_eq!(region["endColumn"], 9 + 44);
        let env = by_uri(".env");
        let shows_keys = args.contains(&"--show-keys");
        assert_eq!(env["fixes"].is_array(), shows_keys, "fix only when exact");
        assert_eq!(out.stdout.contains(KEY), shows_keys);
        if shows_keys {
            let replacement = &env["fixes"][0]["artifactChanges"][0]["replacements"][0];
            assert_eq!(
                replacement["insertedContent"]["text"],
                format!("https://events.zenduty.com/integration/ab12c/generic/{KEY}/")
            );
        }
        // Python f-string placeholders are not keys: the fix is exact even when masking.
        assert!(py["fixes"].is_array());
        if args.contains(&"--follow") {
            assert_eq!(out.code, 2, "{}", out.stderr);
            let invocation = &run["invocations"][0];
            assert_eq!(invocation["executionSuccessful"], false);
            assert!(
                invocation["toolExecutionNotifications"][0]["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("broken.env")
            );
        } else {
            assert_eq!(out.code, 1, "{}", out.stderr);
        }
    }
}

/// Undo GitHub's escaping of workflow command properties and data.
fn unescape(s: &str) -> String {
    s.replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

#[test]
fn github_annotations_parse() {
    let dir = tree();
    let out = zm(dir.path(), &["scan", "--format", "github"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mut annotations = Vec::new();
    let mut plain = Vec::new();
    for line in out.stdout.lines() {
        let Some(rest) = line.strip_prefix("::") else {
            plain.push(line);
            continue;
        };
        let (command, rest) = rest.split_once(' ').unwrap();
        let (props, message) = rest.split_once("::").unwrap();
        let props: std::collections::BTreeMap<&str, String> = props
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k, unescape(v))
            })
            .collect();
        annotations.push((command.to_string(), props, unescape(message)));
    }
    assert_eq!(
        plain.len(),
        1,
        "only the summary is a plain line: {plain:?}"
    );
    assert!(plain[0].contains("findings in"));
    assert_eq!(annotations.len(), 3);
    for (command, props, message) in &annotations {
        assert_eq!(command, "error");
        for key in ["file", "line", "col", "endLine", "endColumn", "title"] {
            assert!(props.contains_key(key), "{key} missing: {props:?}");
        }
        assert!(props["title"].starts_with("zenduty-migrate "));
        assert!(message.contains(" -> "), "{message}");
        assert!(!message.contains(KEY));
    }
    let files: Vec<&str> = annotations.iter().map(|a| a.1["file"].as_str()).collect();
    assert_eq!(files, [".env", "odd dir/a,b%.sh", "send.py"]);
    let py = &annotations[2].1;
    assert_eq!((py["line"].as_str(), py["col"].as_str()), ("2", "9"));
    let quiet = zm(dir.path(), &["scan", "--format", "github", "--quiet"]);
    assert!(quiet.stdout.lines().all(|l| l.starts_with("::error ")));
}

#[test]
fn the_example_workflow_uploads_the_sarif_report() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-actions/zenduty-migrate.yml");
    let doc: serde_yaml::Value = serde_yaml::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(doc["permissions"]["security-events"], "write");
    let steps = doc["jobs"]["scan"]["steps"].as_sequence().unwrap();
    let scan = steps
        .iter()
        .position(|s| {
            s["run"].as_str().is_some_and(|r| {
                r.contains("zenduty-migrate scan --format sarif > zenduty-migrate.sarif")
            })
        })
        .expect("a scan step");
    let upload = steps
        .iter()
        .position(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert!(scan < upload);
    assert_eq!(steps[upload]["with"]["sarif_file"], "zenduty-migrate.sarif");
}

#[test]
fn redact_masks_keys_in_the_diff_and_show_keys_in_findings() {
    let dir = tree();
    let exact = zm(dir.path(), &["diff"]);
    assert_eq!(exact.code, 1, "{}", exact.stderr);
    assert!(exact.stdout.contains(KEY), "the diff is exact by default");
    let redacted = zm(dir.path(), &["diff", "--redact"]);
    assert_eq!(redacted.code, 1);
    assert!(!redacted.stdout.contains(KEY), "{}", redacted.stdout);
    assert!(redacted
        .stdout
        .contains("+ZD=https://events.zenduty.com/integration/ab12c/generic/d58c…/"));
    for format in ["text", "json", "sarif", "github"] {
        let out = zm(dir.path(), &["scan", "--format", format]);
        assert!(!out.stdout.contains(KEY), "{format} shows the key");
        let shown = zm(dir.path(), &["scan", "--format", format, "--show-keys"]);
        assert!(
            shown.stdout.contains(KEY),
            "{format} hides the key with --show-keys"
        );
    }
}
