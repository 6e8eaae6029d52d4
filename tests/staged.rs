//! `--staged`: only files staged in git, judged by their staged content; the plain
//! `.git/hooks/pre-commit` of the README; inline suppressions in several comment syntaxes.

mod common;

use std::process::Command;

use common::*;

const LEGACY: &str = "https://www.zenduty.com/api/events/K1/";

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository with one committed file and four kinds of change to others.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "zenduty-migrate.toml", "account = \"ab12c\"\n");
    write(p, "committed.sh", &format!("curl {LEGACY}\n"));
    git_init_commit(p);
    // Staged with a legacy URL, then removed from the work tree: the staged copy counts.
    write(p, "staged_bad.sh", &format!("# zenduty\nurl={LEGACY}\n"));
    git(p, &["add", "staged_bad.sh"]);
    write(p, "staged_bad.sh", "# zenduty\nurl=fixed\n");
    // Staged clean, then a legacy URL added in the work tree only: not reported.
    write(p, "staged_clean.sh", "# zenduty\nurl=none\n");
    git(p, &["add", "staged_clean.sh"]);
    write(p, "staged_clean.sh", &format!("# zenduty\nurl={LEGACY}\n"));
    // Never staged: not reported.
    write(p, "untracked.sh", &format!("curl {LEGACY}\n"));
    // Staged in a subdirectory.
    write(p, "sub/dir/x.env", &format!("Z={LEGACY}\n"));
    git(p, &["add", "sub/dir/x.env"]);
    dir
}

#[test]
fn staged_reports_only_staged_files_by_their_staged_content() {
    let dir = repo();
    let out = zm(dir.path(), &["scan", "--staged", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("staged_bad.sh".to_string(), 2),
            ("sub/dir/x.env".to_string(), 1)
        ]
    );
    // Without --staged the work tree is judged.
    let tree = zm(dir.path(), &["scan"]);
    for path in [
        "committed.sh",
        "staged_clean.sh",
        "untracked.sh",
        "sub/dir/x.env",
    ] {
        assert!(tree.stdout.contains(path), "{path}: {}", tree.stdout);
    }
    assert!(!tree.stdout.contains("staged_bad.sh"));
    // Paths narrow the staged set; a subdirectory as the working directory works too.
    let narrowed = zm(dir.path(), &["scan", "--staged", "sub"]);
    assert_eq!(narrowed.code, 1);
    assert!(
        narrowed.stdout.starts_with("sub/dir/x.env:1:3: legacy-url"),
        "{}",
        narrowed.stdout
    );
    let inside = zm(
        &dir.path().join("sub"),
        &["scan", "--staged", "--account", "ab12c"],
    );
    assert_eq!(inside.code, 1, "{}", inside.stderr);
    assert!(
        inside.stdout.starts_with("dir/x.env:1:3:"),
        "{}",
        inside.stdout
    );
    // Nothing staged: exit 0.
    git(dir.path(), &["commit", "-q", "-m", "more", "--no-gpg-sign"]);
    let none = zm(dir.path(), &["scan", "--staged"]);
    assert_eq!(none.code, 0, "{}", none.stdout);
}

#[test]
fn staged_outside_git_is_an_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = zm(dir.path(), &["scan", "--staged"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--staged"), "{}", out.stderr);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
}

#[test]
fn the_plain_git_hook_of_the_readme_blocks_and_then_lets_through() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "zenduty-migrate.toml", "account = \"ab12c\"\n");
    git_init_commit(p);
    let hook = p.join(".git/hooks/pre-commit");
    // The README's hook, with the binary under test in place of the installed one.
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec {} scan --staged --quiet\n", bin()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let commit = || {
        Command::new("git")
            .args(["commit", "-q", "-m", "c", "--no-gpg-sign"])
            .current_dir(p)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    write(p, "notify.sh", &format!("curl {LEGACY}\n"));
    git(p, &["add", "notify.sh"]);
    let refused = commit();
    assert!(!refused.status.success());
    // git sends a hook's output to stderr.
    let shown = String::from_utf8_lossy(&refused.stderr);
    assert!(shown.contains("notify.sh:1:6: legacy-url"), "{shown}");
    let fix = zm(p, &["apply", "--allow-dirty", "--quiet", "notify.sh"]);
    assert_eq!(fix.code, 0, "{}", fix.stderr);
    git(p, &["add", "notify.sh"]);
    let ok = commit();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn suppressions_work_in_any_comment_syntax_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "zenduty-migrate.toml", "account = \"ab12c\"\n");
    let files = [
        ("a.sh", format!("curl {LEGACY} # zenduty-migrate: ignore\n")),
        (
            "b.js",
            format!("// zenduty-migrate: ignore-next-line\nfetch('{LEGACY}')\n"),
        ),
        (
            "c.html",
            format!("<a href=\"{LEGACY}\"><!-- zenduty-migrate: ignore --></a>\n"),
        ),
        (
            "d.c",
            format!("/* zenduty-migrate: ignore-next-line */\nchar *u = \"{LEGACY}\";\n"),
        ),
        (
            "e.sql",
            format!("-- zenduty-migrate: ignore-next-line\nSELECT '{LEGACY}';\n"),
        ),
        (
            "f.ini",
            format!("url = {LEGACY} ; zenduty-migrate: ignore\n"),
        ),
        (
            "g.bat",
            format!("REM zenduty-migrate: ignore-next-line\nset U={LEGACY}\n"),
        ),
    ];
    for (name, text) in &files {
        write(p, name, text);
    }
    let out = zm(p, &["scan"]);
    assert_eq!(out.code, 0, "suppressed findings reported:\n{}", out.stdout);
    // The next line only: a suppression does not reach two lines down.
    write(
        p,
        "h.py",
        &format!("# zenduty-migrate: ignore-next-line\n\nu = '{LEGACY}'\n"),
    );
    let out = zm(p, &["scan", "--report-unused-suppressions"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines[0].starts_with("h.py:1:3: unused-suppression"),
        "{}",
        out.stdout
    );
    assert!(
        lines[1].starts_with("h.py:3:6: legacy-url"),
        "{}",
        out.stdout
    );
    let plain = zm(p, &["scan"]);
    assert_eq!(plain.stdout.lines().count(), 2, "{}", plain.stdout);
}
