//! Golden and property tests of the alert-rule converters (`src/rules/`): Terraform modules and
//! JSON/YAML rule exports are converted with the edits the pipeline would apply, and compared
//! byte for byte with the expected files next to them (`*.expected`). `UPDATE_GOLDEN=1` rewrites
//! the expected files; review their diff before committing.

use std::path::{Path, PathBuf};

use zenduty_migrate::config::Config;
use zenduty_migrate::edit::{splice, Edit};
use zenduty_migrate::finding::{Finding, Kind, Status};
use zenduty_migrate::rules::{export, terraform};

const GENERIC_APP: &str = "3f1b6c2e-8d4a-4f7b-9e2c-5a6d7e8f9a0b";
const LEGACY_KEY: &str = "${zenduty_integrations.alertmanager.integration_key}";

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rules")
        .join(dir)
}

/// The Terraform module the sample repository ships (its goldens stay in `tests/rules`): one copy
/// of the module serves both the README's sample run and these tests.
fn module_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample/terraform/zenduty")
}

fn config(extra: &str) -> Config {
    Config::parse(extra, Path::new("zenduty-migrate.toml")).unwrap()
}

fn with_generic() -> Config {
    config(&format!(
        "[terraform]\ngeneric_application = \"{GENERIC_APP}\"\n"
    ))
}

fn edits(findings: &[&Finding]) -> Vec<Edit> {
    findings.iter().filter_map(|f| f.edit.clone()).collect()
}

fn golden(path: &Path, actual: &[u8]) {
    let expected_path = PathBuf::from(format!("{}.expected", path.display()));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, actual).unwrap();
    }
    let expected = std::fs::read(&expected_path)
        .unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
    assert!(
        expected == actual,
        "{} differs from {}:\n{}",
        path.display(),
        expected_path.display(),
        String::from_utf8_lossy(actual)
    );
}

fn tf_inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .map(|p| {
            let text = std::fs::read(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    files
}

/// Run the Terraform converter over in-memory files; returns the findings per file.
fn tf_run(
    files: &[(PathBuf, Vec<u8>)],
    keys: &[String],
    config: &Config,
) -> Vec<(PathBuf, Finding)> {
    let facts: Vec<_> = files
        .iter()
        .map(|(p, t)| terraform::analyze(p, t).unwrap())
        .collect();
    terraform::resolve(&facts, keys, config)
}

fn apply(files: &[(PathBuf, Vec<u8>)], findings: &[(PathBuf, Finding)]) -> Vec<(PathBuf, Vec<u8>)> {
    files
        .iter()
        .map(|(p, t)| {
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|(fp, _)| fp == p)
                .map(|(_, f)| f)
                .collect();
            (p.clone(), splice(t, &edits(&mine)).unwrap())
        })
        .collect()
}

fn show(findings: &[(PathBuf, Finding)], texts: &[(PathBuf, Vec<u8>)]) -> String {
    let mut out = String::new();
    for (p, f) in findings {
        let text = &texts.iter().find(|(tp, _)| tp == p).unwrap().1;
        let (line, _) = zenduty_migrate::config::line_col(text, f.range.start);
        out.push_str(&format!(
            "{}:{line}: {} {:?} {:?} -> {:?}: {}\n",
            p.file_name().unwrap().to_string_lossy(),
            f.kind.as_str(),
            f.status,
            String::from_utf8_lossy(&text[f.range.clone()]),
            f.new.as_deref().map(String::from_utf8_lossy),
            f.message
        ));
    }
    out
}

#[test]
fn terraform_module_golden() {
    let goldens = fixtures("terraform/module");
    let files = tf_inputs(&module_dir());
    let findings = tf_run(&files, &[LEGACY_KEY.to_string()], &with_generic());
    let listing = show(&findings, &files);
    golden(&goldens.join("findings.txt"), listing.as_bytes());
    let out = apply(&files, &findings);
    for (p, new) in &out {
        golden(&goldens.join(p.file_name().unwrap()), new);
        // The converted file is still HCL.
        hcl_edit::parser::parse_body(std::str::from_utf8(new).unwrap()).unwrap();
    }
}

#[test]
fn terraform_only_edited_lines_change() {
    let dir = module_dir();
    let files = tf_inputs(&dir);
    let findings = tf_run(&files, &[LEGACY_KEY.to_string()], &with_generic());
    for (p, new) in apply(&files, &findings) {
        let old = &files.iter().find(|(fp, _)| *fp == p).unwrap().1;
        let old_lines: Vec<&[u8]> = old.split(|&b| b == b'\n').collect();
        let new_lines: Vec<&[u8]> = new.split(|&b| b == b'\n').collect();
        assert_eq!(old_lines.len(), new_lines.len());
        for (i, (a, b)) in old_lines.iter().zip(&new_lines).enumerate() {
            if a != b {
                let s = String::from_utf8_lossy(b);
                assert!(
                    s.contains("$.payload") || s.contains(GENERIC_APP),
                    "{}:{}: unexpected change: {s}",
                    p.display(),
                    i + 1
                );
            }
        }
    }
}

#[test]
fn terraform_second_run_changes_nothing() {
    let dir = module_dir();
    let files = tf_inputs(&dir);
    let keys = [LEGACY_KEY.to_string()];
    let config = with_generic();
    let once = apply(&files, &tf_run(&files, &keys, &config));
    let second = tf_run(&once, &keys, &config);
    assert!(
        second.iter().all(|(_, f)| f.edit.is_none()),
        "{}",
        show(&second, &once)
    );
    // Only the rule bound to an integration managed elsewhere is still reported.
    assert_eq!(second.len(), 1, "{}", show(&second, &once));
    assert_eq!(apply(&once, &second), once);
}

#[test]
fn terraform_without_generic_application_only_reports() {
    let dir = module_dir();
    let files = tf_inputs(&dir);
    let findings = tf_run(&files, &[LEGACY_KEY.to_string()], &config(""));
    assert!(findings
        .iter()
        .all(|(_, f)| f.edit.is_none() && f.status == Status::NeedsReview));
    let integrations: Vec<_> = findings
        .iter()
        .filter(|(_, f)| f.kind == Kind::ApiIntegration)
        .collect();
    assert_eq!(integrations.len(), 2);
    assert!(integrations
        .iter()
        .all(|(_, f)| f.message.contains("generic_application")));
    let rules = findings
        .iter()
        .filter(|(_, f)| f.kind == Kind::LegacyAlertRule)
        .count();
    assert_eq!(rules, 7);
    assert!(findings
        .iter()
        .filter(|(_, f)| f.kind == Kind::LegacyAlertRule)
        .all(|(_, f)| f.new.is_some() && f.message.contains("generic_application")));
}

#[test]
fn terraform_without_the_legacy_url_the_alertmanager_integration_is_generic() {
    let dir = module_dir();
    let files = tf_inputs(&dir);
    let findings = tf_run(&files, &[], &with_generic());
    assert!(!show(&findings, &files).contains("alertmanager"));
}

#[test]
fn terraform_listed_integration_and_custom_root() {
    let files = vec![(
        PathBuf::from("m/a.tf"),
        br#"resource "zenduty_integrations" "x" {
  application = "11111111-2222-4333-8444-555555555555"
}
resource "zenduty_alertrules" "r" {
  integration_id = zenduty_integrations.x[0].unique_id
  rule_json = "{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.a\",\"b\"]}}"
}
"#
        .to_vec(),
    )];
    let cfg = config(&format!(
        "[rules]\npayload_root = \"$['body']\"\n[terraform]\ngeneric_application = \"{GENERIC_APP}\"\napi_integrations = [\"zenduty_integrations.x\"]\n"
    ));
    let out = apply(&files, &tf_run(&files, &[], &cfg));
    let text = String::from_utf8(out[0].1.clone()).unwrap();
    assert!(
        text.contains(&format!("application = \"{GENERIC_APP}\"")),
        "{text}"
    );
    assert!(text.contains(r#"[\"$['body'].a\",\"b\"]"#), "{text}");
}

#[test]
fn terraform_rules_in_another_module_do_not_bind() {
    let files = vec![
        (
            PathBuf::from("a/main.tf"),
            br#"resource "zenduty_integrations" "x" { application = "27c9800c-2856-490d-8119-790be1308dd4" }"#.to_vec(),
        ),
        (
            PathBuf::from("b/main.tf"),
            br#"resource "zenduty_alertrules" "r" {
  integration_id = zenduty_integrations.x.unique_id
  rule_json = "{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.a\",\"b\"]}}"
}
"#
            .to_vec(),
        ),
    ];
    let findings = tf_run(&files, &[], &with_generic());
    let b: Vec<_> = findings
        .iter()
        .filter(|(p, _)| p.starts_with("b"))
        .collect();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].1.kind, Kind::NeedsReview);
    assert!(b[0].1.message.contains("not declared in this module"));
}

#[test]
fn terraform_crlf_and_bom_are_kept() {
    let text = b"\xEF\xBB\xBFresource \"zenduty_integrations\" \"x\" {\r\n  application = \"27c9800c-2856-490d-8119-790be1308dd4\"\r\n}\r\nresource \"zenduty_alertrules\" \"r\" {\r\n  integration_id = zenduty_integrations.x.unique_id\r\n  rule_json = <<EOT\r\n{\"type\":\"rule\",\"properties\":{\"field\":\"alert.payload\",\"operator\":\"payloadsearch\",\"value\":[\"$.a\",\"b\"]}}\r\nEOT\r\n}\r\n".to_vec();
    let files = vec![(PathBuf::from("m/a.tf"), text.clone())];
    let out = apply(&files, &tf_run(&files, &[], &with_generic()));
    let expected = String::from_utf8(text)
        .unwrap()
        .replace("27c9800c-2856-490d-8119-790be1308dd4", GENERIC_APP)
        .replace("\"$.a\"", "\"$.payload.a\"");
    assert_eq!(String::from_utf8(out[0].1.clone()).unwrap(), expected);
}

#[test]
fn terraform_invalid_hcl_names_the_file_and_line() {
    let err = terraform::analyze(
        Path::new("bad.tf"),
        b"resource \"zenduty_integrations\" \"x\" {\n  application = \n}\n",
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("bad.tf:"), "{msg}");
}

#[test]
fn terraform_opaque_rule_json_is_reviewed() {
    let files = vec![(
        PathBuf::from("m/a.tf"),
        br#"resource "zenduty_integrations" "x" { application = "27c9800c-2856-490d-8119-790be1308dd4" }
resource "zenduty_alertrules" "r" {
  integration_id = zenduty_integrations.x.unique_id
  rule_json = file("${path.module}/rules/r.json")
}
"#
        .to_vec(),
    )];
    let findings = tf_run(&files, &[], &with_generic());
    assert!(findings
        .iter()
        .any(|(_, f)| f.kind == Kind::NeedsReview && f.message.contains("not a literal")));
}

fn export_golden(name: &str, config: &Config) -> Vec<Finding> {
    let path = fixtures("export").join(name);
    let text = std::fs::read(&path).unwrap();
    let findings = export::analyze(&path, &text, config).unwrap();
    let mut listing = String::new();
    for f in &findings {
        let (line, _) = zenduty_migrate::config::line_col(&text, f.range.start);
        listing.push_str(&format!(
            "{line}: {} {:?} {:?} -> {:?}: {}\n",
            f.kind.as_str(),
            f.status,
            String::from_utf8_lossy(&text[f.range.clone()]),
            f.new.as_deref().map(String::from_utf8_lossy),
            f.message
        ));
    }
    golden(
        &fixtures("export").join(format!("{name}.findings")),
        listing.as_bytes(),
    );
    let refs: Vec<&Finding> = findings.iter().collect();
    let new = splice(&text, &edits(&refs)).unwrap();
    golden(&path, &new);
    // Converting the converted file changes nothing.
    let again = export::analyze(&path, &new, config).unwrap();
    assert!(again.iter().all(|f| f.edit.is_none()), "{name}: {again:?}");
    findings
}

#[test]
fn export_json_golden() {
    let f = export_golden("checkout-api.json", &with_generic());
    assert_eq!(
        f.iter().filter(|f| f.kind == Kind::LegacyAlertRule).count(),
        3
    );
    assert_eq!(
        f.iter().filter(|f| f.kind == Kind::ApiIntegration).count(),
        2
    );
}

#[test]
fn export_yaml_golden() {
    let f = export_golden("alertmanager.yaml", &with_generic());
    assert_eq!(
        f.iter().filter(|f| f.kind == Kind::LegacyAlertRule).count(),
        4
    );
    let new = splice(
        &std::fs::read(fixtures("export/alertmanager.yaml")).unwrap(),
        &edits(&f.iter().collect::<Vec<_>>()),
    )
    .unwrap();
    serde_yaml::from_slice::<serde_yaml::Value>(&new).unwrap();
}

#[test]
fn export_generic_is_untouched() {
    assert!(export_golden("generic.json", &with_generic()).is_empty());
}

#[test]
fn export_without_generic_application_only_reports() {
    let path = fixtures("export/checkout-api.json");
    let text = std::fs::read(&path).unwrap();
    let f = export::analyze(&path, &text, &config("")).unwrap();
    assert!(f.iter().all(|f| f.edit.is_none()));
    assert!(f
        .iter()
        .any(|f| f.kind == Kind::ApiIntegration && f.message.contains("generic_application")));
}

#[test]
fn export_bare_rules_need_review_unless_listed() {
    let path = fixtures("export/bare-rules.json");
    let text = std::fs::read(&path).unwrap();
    let f = export::analyze(&path, &text, &with_generic()).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, Kind::NeedsReview);
    assert!(f[0].message.contains("api_rule_files"));

    let listed = config("[rules]\napi_rule_files = [\"**/bare-rules.json\"]\n");
    let f = export::analyze(&path, &text, &listed).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Rewritable);
    let new = splice(&text, &edits(&f.iter().collect::<Vec<_>>())).unwrap();
    assert!(String::from_utf8_lossy(&new).contains(r#"[\"$.payload.region\",\"eu\"]"#));
    assert!(export::analyze(&path, &new, &listed).unwrap().is_empty());
}

#[test]
fn export_malformed_is_a_parse_error() {
    let path = fixtures("export/malformed.json");
    let text = std::fs::read(&path).unwrap();
    let err = export::analyze(&path, &text, &with_generic()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("malformed.json:3"), "{msg}");
    // Broken YAML that looks like an export, too.
    let err = export::analyze(
        Path::new("x.yaml"),
        b"alert_rules:\n  - rule_json: '{\n bad: [\n",
        &with_generic(),
    );
    assert!(err.is_err());
    // Several documents: reported, not an error.
    let f = export::analyze(
        Path::new("x.yaml"),
        b"rule_json: '{}'\n---\nb: 1\n",
        &with_generic(),
    )
    .unwrap();
    assert_eq!(f[0].kind, Kind::NeedsReview);
    // A JSON file that is not an export is none of our business, broken or not.
    assert!(export::analyze(
        Path::new("package.json"),
        b"{ \"zenduty\": 1, }",
        &with_generic()
    )
    .unwrap()
    .is_empty());
}

/// Random rule trees, serialised with random spacing, converted through the public entry points
/// (a Terraform quoted string, and a JSON export's escaped string).
mod props {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;
    use zenduty_migrate::rules::jsonpath;

    #[derive(Debug, Clone)]
    enum T {
        Group {
            children: Vec<T>,
            as_array: bool,
        },
        Leaf {
            field: &'static str,
            operator: &'static str,
            v0: String,
            v1: String,
        },
    }

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("$".to_string()),
            Just("$[0]".to_string()),
            Just("$..host".to_string()),
            Just("$['service name']".to_string()),
            Just("$.alerts[].labels.pod".to_string()),
            Just("$.payload".to_string()),
            Just("$.payload.x".to_string()),
            Just("$['payload'].y".to_string()),
            Just("severity".to_string()),
            Just("${x}".to_string()),
            Just("".to_string()),
            "[a-z_]{1,8}".prop_map(|s| format!("$.{s}")),
            "[a-z \"\\\\$%{}/é]{0,8}".prop_map(|s| format!("$[\"{s}\"]")),
        ]
    }

    fn tree() -> impl Strategy<Value = T> {
        let leaf = (
            prop::sample::select(vec![
                "alert.payload",
                "alert.payload",
                "alert.message",
                "alert.alert_type",
            ]),
            prop::sample::select(vec![
                "payloadsearch",
                "payloadsearch",
                "payloadcontains",
                "like",
            ]),
            path(),
            "[a-z$\"\\\\{}%é\\n]{0,6}",
        )
            .prop_map(|(field, operator, v0, v1)| T::Leaf {
                field,
                operator,
                v0,
                v1,
            });
        leaf.prop_recursive(4, 24, 4, |inner| {
            (prop::collection::vec(inner, 0..4), any::<bool>())
                .prop_map(|(children, as_array)| T::Group { children, as_array })
        })
    }

    /// Serialise with spacing drawn from `ws`, cycling.
    fn write(t: &T, ws: &[&str], i: &mut usize, out: &mut String) {
        fn sp(ws: &[&str], i: &mut usize, out: &mut String) {
            out.push_str(ws[*i % ws.len()]);
            *i += 1;
        }
        let s = |v: &str| serde_json::to_string(v).unwrap();
        match t {
            T::Group { children, as_array } => {
                out.push('{');
                sp(ws, i, out);
                out.push_str("\"type\":");
                sp(ws, i, out);
                out.push_str("\"group\",");
                sp(ws, i, out);
                out.push_str("\"children1\":");
                sp(ws, i, out);
                out.push(if *as_array { '[' } else { '{' });
                for (n, c) in children.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                        sp(ws, i, out);
                    }
                    if !*as_array {
                        out.push_str(&format!("\"id{n}\":"));
                        sp(ws, i, out);
                    }
                    write(c, ws, i, out);
                }
                out.push(if *as_array { ']' } else { '}' });
                out.push_str(
                    ",\"properties\":{\"conjunction\":\"AND\",\"not\":false},\"path\":[\"$.a\"]}",
                );
            }
            T::Leaf {
                field,
                operator,
                v0,
                v1,
            } => {
                out.push_str("{\"type\":\"rule\",");
                sp(ws, i, out);
                out.push_str(&format!(
                    "\"properties\":{{\"field\":{},\"operator\":{},",
                    s(field),
                    s(operator)
                ));
                sp(ws, i, out);
                out.push_str(&format!("\"value\":[{},", s(v0)));
                sp(ws, i, out);
                out.push_str(&format!(
                    "{}],\"valueSrc\":[\"value\",\"value\"],\"operatorOptions\":{{\"ploperator\":\"regex_equal\"}}}}}}",
                    s(v1)
                ));
            }
        }
    }

    /// Every payload-search leaf's value[0], in document order, replaced by null in `v`.
    fn mask(v: &mut Value, found: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                let is_leaf = m.get("properties").is_some_and(|p| {
                    p.get("field") == Some(&Value::from("alert.payload"))
                        && p.get("operator") == Some(&Value::from("payloadsearch"))
                });
                if is_leaf {
                    if let Some(Value::Array(a)) = m.get_mut("properties").unwrap().get_mut("value")
                    {
                        if let Some(first) = a.first_mut() {
                            found.push(std::mem::replace(first, Value::Null));
                        }
                    }
                }
                for (_, c) in m.iter_mut() {
                    mask(c, found);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| mask(c, found)),
            _ => {}
        }
    }

    fn expected_path(old: &Value) -> Value {
        let root = jsonpath::segments("$.payload").unwrap();
        match old.as_str() {
            Some(p) if jsonpath::is_rooted(p) && !jsonpath::is_under(p, &root) => {
                Value::from(jsonpath::rebase(p, "$.payload"))
            }
            _ => old.clone(),
        }
    }

    fn check_conversion(old_json: &str, new_json: &str) {
        let mut old: Value = serde_json::from_str(old_json).unwrap();
        let mut new: Value = serde_json::from_str(new_json).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        mask(&mut old, &mut a);
        mask(&mut new, &mut b);
        assert_eq!(old, new, "something besides value[0] changed");
        let want: Vec<Value> = a.iter().map(expected_path).collect();
        assert_eq!(b, want);
    }

    fn tf_file(rule_json: &str) -> Vec<u8> {
        let quoted = serde_json::to_string(rule_json).unwrap(); // JSON-escape ...
                                                                // ... then turn it into HCL escaping: HCL has no `\/`, `\b`, `\f`, and needs `$${`, `%%{`.
        let hcl = quoted.replace("${", "$${").replace("%{", "%%{");
        format!(
            "resource \"zenduty_integrations\" \"x\" {{\n  application = \"27c9800c-2856-490d-8119-790be1308dd4\"\n}}\nresource \"zenduty_alertrules\" \"r\" {{\n  integration_id = zenduty_integrations.x.unique_id\n  rule_json      = {hcl}\n}}\n"
        )
        .into_bytes()
    }

    fn tf_rule_json(text: &[u8]) -> String {
        let body = hcl_edit::parser::parse_body(std::str::from_utf8(text).unwrap()).unwrap();
        let block = body.blocks().nth(1).unwrap();
        match &block.body.get_attribute("rule_json").unwrap().value {
            hcl_edit::expr::Expression::String(s) => s.value().clone(),
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn terraform_quoted_converts_once_and_only_value0(
            t in tree(),
            ws in prop::collection::vec(prop::sample::select(vec!["", " ", "\n  ", "\t", "\r\n"]), 1..6),
        ) {
            let mut json = String::new();
            write(&t, &ws, &mut 0, &mut json);
            let files = vec![(PathBuf::from("m/main.tf"), tf_file(&json))];
            prop_assert_eq!(tf_rule_json(&files[0].1), json.clone());
            let config = with_generic();
            let findings = tf_run(&files, &[], &config);
            let once = apply(&files, &findings);
            check_conversion(&json, &tf_rule_json(&once[0].1));
            let again = tf_run(&once, &[], &config);
            prop_assert!(again.iter().all(|(_, f)| f.edit.is_none()));
        }

        #[test]
        fn json_export_converts_once_and_only_value0(
            t in tree(),
            ws in prop::collection::vec(prop::sample::select(vec!["", " ", "\n", "  "]), 1..6),
        ) {
            let mut json = String::new();
            write(&t, &ws, &mut 0, &mut json);
            let export = serde_json::json!({
                "unique_id": "u1",
                "application": "27c9800c-2856-490d-8119-790be1308dd4",
                "application_reference": {"name": "API"},
                "transformers": [{"description": "r", "rule_json": json}],
            });
            let text = serde_json::to_vec_pretty(&export).unwrap();
            let path = Path::new("export.json");
            let config = with_generic();
            let f = export::analyze(path, &text, &config).unwrap();
            let new = splice(&text, &edits(&f.iter().collect::<Vec<_>>())).unwrap();
            let v: Value = serde_json::from_slice(&new).unwrap();
            check_conversion(&json, v["transformers"][0]["rule_json"].as_str().unwrap());
            let again = export::analyze(path, &new, &config).unwrap();
            prop_assert!(again.iter().all(|f| f.edit.is_none()));
        }
    }
}
