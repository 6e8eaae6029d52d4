//! End-to-end tests of the binary on temporary copies of `fixtures/sample`: exit codes, output,
//! and the bytes written, compared with the golden tree in `fixtures/expected`.

mod common;

use std::path::Path;

use common::*;

#[test]
fn apply_gives_the_golden_tree_byte_for_byte() {
    let dir = sample_copy();
    let out = zm(dir.path(), &["apply", "--allow-dirty"]);
    assert_eq!(out.code, 1, "review findings remain: {}", out.stderr);
    assert_trees_equal(&fixture("expected"), dir.path());
}

#[test]
fn second_apply_changes_nothing_and_scan_finds_nothing_rewritable() {
    let dir = sample_copy();
    zm(dir.path(), &["apply", "--allow-dirty"]);
    let before = snapshot(dir.path());
    let again = zm(dir.path(), &["apply", "--allow-dirty"]);
    assert_eq!(again.stdout, "", "second apply printed a diff");
    assert_eq!(snapshot(dir.path()), before);
    let scan = zm(dir.path(), &["scan", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let rewritable: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "rewritable")
        .collect();
    assert!(rewritable.is_empty(), "{rewritable:#?}");
}

#[test]
fn diff_applied_with_git_apply_equals_apply() {
    let dir = sample_copy();
    git_init_commit(dir.path());
    let diff = zm(dir.path(), &["diff"]);
    assert_eq!(diff.code, 1, "changes pending: {}", diff.stderr);
    std::fs::write(dir.path().join("m.patch"), &diff.stdout_bytes).unwrap();
    let status = std::process::Command::new("git")
        .args(["apply", "--whitespace=nowarn", "m.patch"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(dir.path().join("m.patch")).unwrap();
    assert_trees_equal(&fixture("expected"), dir.path());
}

#[test]
fn diff_changes_nothing() {
    let dir = sample_copy();
    let before = snapshot(dir.path());
    zm(dir.path(), &["diff"]);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn scan_output_is_sorted_masks_keys_and_ends_with_a_summary() {
    let dir = sample_copy();
    let out = zm(dir.path(), &["scan"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let summary = lines.last().unwrap();
    assert!(summary.contains("findings in"), "{summary}");
    assert!(!out.stdout.contains("d58c08d0-75f7"), "key shown in full");
    assert!(out.stdout.contains("d58c…"), "{}", out.stdout);
    let config_line = lines
        .iter()
        .find(|l| l.starts_with("config.json:3:"))
        .expect("escaped JSON URL found");
    assert!(config_line.contains(": legacy-url: "), "{config_line}");
    let paths: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let shown = zm(dir.path(), &["scan", "--show-keys"]);
    assert!(shown
        .stdout
        .contains("d58c08d0-75f7-4c48-8220-422b51b31847"));
}

#[test]
fn scan_skips_ignored_excluded_and_binary_files() {
    let dir = sample_copy();
    let out = zm(dir.path(), &["scan", "--show-keys"]);
    for absent in ["build/", "node_modules/", "vendor/", "logo.bin"] {
        assert!(
            !out.stdout.contains(absent),
            "{absent} scanned:\n{}",
            out.stdout
        );
    }
    for present in [".env:", ".github/workflows/deploy.yml:", ".gitlab-ci.yml:"] {
        assert!(
            out.stdout.contains(present),
            "{present} missing:\n{}",
            out.stdout
        );
    }
}

#[test]
fn jobs_do_not_change_the_output() {
    let dir = sample_copy();
    let one = zm(dir.path(), &["scan", "--format", "json", "--jobs", "1"]);
    let many = zm(dir.path(), &["scan", "--format", "json", "--jobs", "8"]);
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn named_paths_are_read_even_when_ignored_but_excludes_still_apply() {
    let dir = sample_copy();
    let ignored = zm(dir.path(), &["scan", "--show-keys", "build/generated.env"]);
    assert_eq!(ignored.code, 1);
    assert!(
        ignored.stdout.contains("ignored-by-gitignore"),
        "{}",
        ignored.stdout
    );
    let excluded = zm(dir.path(), &["scan", "vendor/lib/legacy.sh"]);
    assert_eq!(excluded.code, 0, "{}", excluded.stdout);
    let binary = zm(dir.path(), &["scan", "docs/logo.bin"]);
    assert_eq!(binary.code, 0);
    assert_eq!(binary.stderr, "");
}

#[test]
fn unresolved_references_stop_diff_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.sh"),
        "curl https://www.zenduty.com/api/events/$KEY/\n",
    )
    .unwrap();
    let scan = zm(dir.path(), &["scan"]);
    assert_eq!(scan.code, 1);
    assert!(scan.stdout.contains("(unresolved)"), "{}", scan.stdout);
    let diff = zm(dir.path(), &["diff"]);
    assert_eq!(diff.code, 2);
    assert!(diff.stderr.contains("a.sh:1:6"), "{}", diff.stderr);
    assert_eq!(diff.stdout, "");
    let apply = zm(dir.path(), &["apply", "--skip-unresolved"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    let with_account = zm(dir.path(), &["apply", "--account", "ab12c"]);
    assert_eq!(with_account.code, 0, "{}", with_account.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.sh")).unwrap(),
        "curl https://events.zenduty.com/integration/ab12c/generic/$KEY/\n"
    );
}

#[test]
fn bad_account_and_bad_config_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = zm(dir.path(), &["scan", "--account", "not-valid!"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--account"), "{}", bad.stderr);
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "account = \"ab12c\"\n\n[scan]\nexclude = 3\n",
    )
    .unwrap();
    let cfg = zm(dir.path(), &["scan"]);
    assert_eq!(cfg.code, 2);
    assert!(
        cfg.stderr.contains("zenduty-migrate.toml:4:"),
        "{}",
        cfg.stderr
    );
}

#[test]
fn dirty_files_block_apply_but_the_diff_is_still_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.sh");
    std::fs::write(&file, "curl https://www.zenduty.com/api/events/$KEY/\n").unwrap();
    git_init_commit(dir.path());
    std::fs::write(
        &file,
        "curl https://www.zenduty.com/api/events/$KEY/\n# edited\n",
    )
    .unwrap();
    let out = zm(dir.path(), &["apply", "--account", "ab12c"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("uncommitted"), "{}", out.stderr);
    assert!(out.stderr.contains("a.sh"), "{}", out.stderr);
    assert!(out
        .stdout
        .contains("+curl https://events.zenduty.com/integration/ab12c/generic/$KEY/"));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("/api/events/"));
    let allowed = zm(
        dir.path(),
        &["apply", "--account", "ab12c", "--allow-dirty"],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
}

#[test]
fn clean_tree_scans_with_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing about zenduty here\n").unwrap();
    let out = zm(dir.path(), &["scan"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with("no legacy Zenduty references"),
        "{}",
        out.stdout
    );
    let diff = zm(dir.path(), &["diff", "--account", "ab12c"]);
    assert_eq!(diff.code, 0);
    let apply = zm(dir.path(), &["apply", "--account", "ab12c"]);
    assert_eq!(apply.code, 0);
}

#[test]
fn apply_json_records_hashes_and_edits() {
    let dir = tempfile::tempdir().unwrap();
    let text = "url: https://www.zenduty.com/api/events/d58c08d0-75f7-4c48-8220-422b51b31847/\n";
    std::fs::write(dir.path().join("a.yaml"), text).unwrap();
    let out = zm(
        dir.path(),
        &["apply", "--account", "ab12c", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let file = &doc["files"][0];
    assert_eq!(file["path"], "a.yaml");
    assert_eq!(file["sha256_before"], sha256_hex(text.as_bytes()));
    let after = std::fs::read(dir.path().join("a.yaml")).unwrap();
    assert_eq!(file["sha256_after"], sha256_hex(&after));
    assert_eq!(file["edits"][0]["kind"], "legacy-url");
    assert!(
        !out.stdout.contains("d58c08d0-75f7"),
        "keys are masked in the record"
    );
}

#[test]
fn init_writes_then_updates_keeping_comments() {
    let dir = tempfile::tempdir().unwrap();
    let out = zm(dir.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = dir.path().join("zenduty-migrate.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("# my own comment\n");
    std::fs::write(&path, &text).unwrap();
    let out = zm(dir.path(), &["init", "--account", "ab12c"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let updated = std::fs::read_to_string(&path).unwrap();
    assert!(updated.contains("# my own comment"));
    assert!(updated.contains("account = \"ab12c\""), "{updated}");
}

#[test]
fn broken_pipe_is_success() {
    let dir = sample_copy();
    let mut child = std::process::Command::new(bin())
        .args(["scan", "--show-keys"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    // Either the tool finished writing before the pipe closed (1: findings) or it saw EPIPE (0).
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    let bash = zm(dir.path(), &["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("zenduty-migrate"));
    let man = zm(dir.path(), &["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH"));
}

#[test]
fn symlinks_are_not_followed_or_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.env");
    let text = "Z=https://www.zenduty.com/api/events/K1/\n";
    std::fs::write(&target, text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, dir.path().join("link.env")).unwrap();
    let out = zm(dir.path(), &["apply", "--account", "ab12c"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let followed = zm(dir.path(), &["apply", "--account", "ab12c", "--follow"]);
    assert_eq!(followed.code, 2, "{}", followed.stderr);
    assert!(followed.stderr.contains("outside"), "{}", followed.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
    assert!(std::fs::symlink_metadata(dir.path().join("link.env"))
        .unwrap()
        .file_type()
        .is_symlink());
    let _ = Path::new(".");
}

#[test]
fn generic_urls_are_left_alone_unless_their_account_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "account = \"ab12c\"\n[accounts]\n\"K9\" = \"xy98z\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.env"),
        "OK=https://events.zenduty.com/integration/ab12c/generic/K1/\n\
         DOC=https://events.zenduty.com/integration/<account_identifier>/generic/<integration-key>/\n\
         WRONG=https://events.zenduty.com/integration/ab12c/generic/K9/\n",
    )
    .unwrap();
    let out = zm(dir.path(), &["scan"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let findings: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("a.env"))
        .collect();
    assert_eq!(findings.len(), 1, "{}", out.stdout);
    assert!(
        findings[0].starts_with("a.env:3:7: wrong-account"),
        "{}",
        findings[0]
    );
    assert!(findings[0].contains("xy98z"), "{}", findings[0]);
    let apply = zm(dir.path(), &["apply"]);
    assert_eq!(apply.code, 1, "a wrong account is left for a human");
    assert_eq!(apply.stdout, "");
}

#[test]
fn a_closed_stdout_does_not_stop_apply_half_way() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        std::fs::write(
            dir.path().join(format!("f{i:03}.env")),
            "Z=https://www.zenduty.com/api/events/$KEY/\n",
        )
        .unwrap();
    }
    let mut child = std::process::Command::new(bin())
        .args(["apply", "--account", "ab12c"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    for i in 0..400 {
        let text = std::fs::read_to_string(dir.path().join(format!("f{i:03}.env"))).unwrap();
        assert!(
            text.contains("/integration/ab12c/generic/"),
            "f{i:03}.env not written"
        );
    }
}

#[test]
fn an_integration_never_moves_without_the_rules_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "account = \"ab12c\"\n[terraform]\ngeneric_application = \"3f1b6c2e-8d4a-4f7b-9e2c-5a6d7e8f9a0b\"\n",
    )
    .unwrap();
    let integ = "resource \"zenduty_integrations\" \"api\" {\n  name        = \"api\"\n  application = \"27c9800c-2856-490d-8119-790be1308dd4\"\n}\n";
    let rules = "resource \"zenduty_alertrules\" \"sev\" {\n  integration_id = zenduty_integrations.api.unique_id\n  rule_json      = \"{\\\"type\\\":\\\"group\\\",\\\"children1\\\":{\\\"a\\\":{\\\"type\\\":\\\"rule\\\",\\\"properties\\\":{\\\"field\\\":\\\"alert.payload\\\",\\\"operator\\\":\\\"payloadsearch\\\",\\\"value\\\":[\\\"$.severity\\\",\\\"1\\\"]}}}}\"\n}\n";
    std::fs::write(dir.path().join("integ.tf"), integ).unwrap();
    std::fs::write(dir.path().join("rules.tf"), rules).unwrap();
    // Only the integration's file is named (a pre-commit batch): nothing moves, it is reported.
    let part = zm(dir.path(), &["apply", "integ.tf"]);
    assert_eq!(part.code, 1, "{}", part.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("integ.tf")).unwrap(),
        integ
    );
    let scan = zm(dir.path(), &["scan", "integ.tf"]);
    assert!(scan.stdout.contains("rules.tf"), "{}", scan.stdout);
    // The whole module moves together.
    let whole = zm(dir.path(), &["apply"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    assert!(std::fs::read_to_string(dir.path().join("integ.tf"))
        .unwrap()
        .contains("3f1b6c2e"));
    assert!(std::fs::read_to_string(dir.path().join("rules.tf"))
        .unwrap()
        .contains("$.payload.severity"));
}

#[test]
fn overlapping_roots_report_and_write_a_file_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.env"),
        "Z=https://www.zenduty.com/api/events/$K/\n",
    )
    .unwrap();
    let scan = zm(dir.path(), &["scan", "--account", "ab12c", ".", "a.env"]);
    assert_eq!(
        scan.stdout
            .lines()
            .filter(|l| l.starts_with("a.env:"))
            .count(),
        1,
        "{}",
        scan.stdout
    );
    let apply = zm(dir.path(), &["apply", "--account", "ab12c", ".", "a.env"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert_eq!(apply.stdout.matches("diff --git").count(), 1);
}

#[test]
fn the_dirty_guard_reads_names_literally_and_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(":b.env");
    std::fs::write(&odd, "Z=https://www.zenduty.com/api/events/$K/\n").unwrap();
    git_init_commit(dir.path());
    std::fs::write(
        &odd,
        "Z=https://www.zenduty.com/api/events/$K/\n# local change\n",
    )
    .unwrap();
    let out = zm(dir.path(), &["apply", "--account", "ab12c"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains(":b.env"), "{}", out.stderr);
    assert!(std::fs::read_to_string(&odd)
        .unwrap()
        .contains("/api/events/"));
    // `.git/` is never scanned, even when named.
    std::fs::write(
        dir.path().join(".git/description"),
        "https://www.zenduty.com/api/events/$K/\n",
    )
    .unwrap();
    let git_dir = zm(
        dir.path(),
        &["apply", "--account", "ab12c", "--allow-dirty", ".git"],
    );
    assert_eq!(git_dir.code, 0, "{}", git_dir.stderr);
    assert!(std::fs::read_to_string(dir.path().join(".git/description"))
        .unwrap()
        .contains("/api/events/"));
}

#[cfg(unix)]
#[test]
fn a_repository_git_refuses_to_read_blocks_apply() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.env");
    std::fs::write(&file, "Z=https://www.zenduty.com/api/events/$K/\n").unwrap();
    git_init_commit(dir.path());
    std::fs::write(&file, "Z=https://www.zenduty.com/api/events/$K/\n# local\n").unwrap();
    // Owned by another user: git answers "dubious ownership" instead of a status.
    let chown = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let out = zm(dir.path(), &["apply", "--account", "ab12c"]);
    let _ = std::process::Command::new("chown")
        .args(["-R", "root"])
        .arg(dir.path())
        .status();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("uncommitted"), "{}", out.stderr);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("/api/events/"));
}

#[test]
fn keys_are_masked_everywhere_they_appear() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.env"),
        "A=https://www.zenduty.com/api/events/suppressedkey0123/ # zenduty-migrate: ignore\n\
         B=https://events.zenduty.com/integration/ab12c/generic/migratedkey4567/\n\
         C=https://www.zenduty.com/api/events/${ZD_KEY:-e77d08d0-75f7-4c48-8220-422b51b31847}/\n\
         D=https://www.zenduty.com/api/events/literalkey89ab/\n",
    )
    .unwrap();
    let secrets = [
        "suppressedkey0123",
        "migratedkey4567",
        "e77d08d0-75f7-4c48-8220-422b51b31847",
        "literalkey89ab",
    ];
    let diff = zm(dir.path(), &["diff", "--account", "ab12c", "--redact"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let scan = zm(
        dir.path(),
        &["scan", "--account", "ab12c", "--format", "json"],
    );
    for secret in secrets {
        assert!(
            !diff.stdout.contains(secret),
            "{secret} in the redacted diff:\n{}",
            diff.stdout
        );
        assert!(
            !scan.stdout.contains(secret),
            "{secret} in the scan:\n{}",
            scan.stdout
        );
    }
    let exact = zm(dir.path(), &["diff", "--account", "ab12c"]);
    assert!(exact
        .stdout
        .contains("e77d08d0-75f7-4c48-8220-422b51b31847"));
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "[accounts]\n\"e77d08d0-75f7-4c48-8220-422b51b31847\" = \"bad-acct\"\n",
    )
    .unwrap();
    let bad = zm(dir.path(), &["scan"]);
    assert_eq!(bad.code, 2);
    assert!(!bad.stderr.contains("e77d08d0-75f7"), "{}", bad.stderr);
}

#[cfg(unix)]
#[test]
fn patches_name_odd_files_so_git_apply_finds_them() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let names: [&[u8]; 3] = [b"caf\xe9.env", b"tab\there.env", b"quote\"d.env"];
    for name in names {
        std::fs::write(
            dir.path().join(std::ffi::OsStr::from_bytes(name)),
            "Z=https://www.zenduty.com/api/events/$K/\n",
        )
        .unwrap();
    }
    git_init_commit(dir.path());
    let diff = zm(dir.path(), &["diff", "--account", "ab12c"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let patch = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(patch.path(), &diff.stdout_bytes).unwrap();
    let out = std::process::Command::new("git")
        .arg("apply")
        .arg(patch.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in names {
        let text =
            std::fs::read_to_string(dir.path().join(std::ffi::OsStr::from_bytes(name))).unwrap();
        assert!(
            text.contains("/integration/ab12c/generic/$K/"),
            "{:?} not patched",
            name
        );
    }
}
