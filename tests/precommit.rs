//! The shipped `.pre-commit-hooks.yaml`, driven by the real pre-commit framework (from PyPI; this
//! test installs it with pip when it is missing and fails loudly if it cannot). A temporary hooks
//! repository is built from this crate's sources, so pre-commit's `language: rust` really builds
//! it with `cargo install`; a temporary project then uses it by path and rev, as another
//! repository would.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const URL: &str = "https://www.zenduty.com/api/events/d58c08d0-75f7-4c48-8220-422b51b31847/";
const NEW: &str =
    "https://events.zenduty.com/integration/ab12c/generic/d58c08d0-75f7-4c48-8220-422b51b31847/";

/// The command that runs pre-commit: on PATH, or as a module of python3 (installed if needed).
fn pre_commit() -> Vec<String> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["pre-commit"]) {
        return vec!["pre-commit".into()];
    }
    let module = ["python3", "-m", "pre_commit"];
    if !works(&module) {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "pre-commit",
            ])
            .status()
            .expect("run python3 -m pip");
        assert!(
            status.success(),
            "pre-commit is not installed and `python3 -m pip install pre-commit` failed; \
             .ci/run installs it"
        );
        assert!(works(&module), "pre-commit still cannot be run after pip");
    }
    module.iter().map(|s| s.to_string()).collect()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", std::env::temp_dir())
}

/// A git repository holding exactly what `cargo install --path .` needs, committed.
fn hooks_repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml"] {
        std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
    }
    copy_tree(&root.join("src"), &dir.path().join("src"));
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "-m", "hooks", "--no-gpg-sign"],
    );
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        dir,
        String::from_utf8(rev.stdout).unwrap().trim().to_string(),
    )
}

struct Project {
    dir: tempfile::TempDir,
    pre_commit: Vec<String>,
    home: PathBuf,
}

impl Project {
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(&self.pre_commit[0]);
        cmd.args(&self.pre_commit[1..]).args(args);
        self.env(&mut cmd).output().unwrap()
    }

    fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        // `cargo install` builds the release profile: unoptimised here (the hook's behaviour does
        // not depend on it) and in a target directory kept between runs, to keep the test
        // short. Offline: every crate of Cargo.lock is in the local registry cache after the
        // normal build (`cargo install` re-resolves without the lock file, and offline it can
        // only pick what is cached).
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit-hook");
        git_env(cmd)
            .current_dir(self.dir.path())
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_TERM_COLOR", "never")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(args);
        self.env(&mut cmd).output().unwrap()
    }
}

#[test]
fn pre_commit_runs_both_hooks_from_another_repository() {
    let started = std::time::Instant::now();
    let pre_commit = pre_commit();
    let (hooks, rev) = hooks_repo();
    let home = tempfile::tempdir().unwrap();
    let project = Project {
        dir: tempfile::tempdir().unwrap(),
        pre_commit,
        home: home.path().to_path_buf(),
    };
    git(project.dir.path(), &["init", "-q"]);
    project.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: zenduty-migrate\n      \
             - id: zenduty-migrate-fix\n        stages: [manual]\n",
            hooks.path().display()
        ),
    );
    project.write(
        "zenduty-migrate.toml",
        "account = \"ab12c\"\n[scan]\nexclude = [\"vendor/**\"]\n",
    );
    project.write("app.env", &format!("# alerts\nZD_URL={URL}\n"));
    project.write("vendor/lib.sh", &format!("curl {URL}\n"));
    project.write("clean.txt", "nothing about zenduty\n");
    std::fs::write(project.path("logo.bin"), b"zenduty\0\x01\x02/api/events/\0").unwrap();
    // Many files in two directories, so pre-commit runs the fixing hook in parallel batches.
    for i in 0..40 {
        let dir = if i % 2 == 0 { "svc/a" } else { "svc/b" };
        project.write(
            &format!("{dir}/f{i:02}.yaml"),
            &format!("n: {i}\nurl: \"{URL}\"\n"),
        );
    }
    assert!(project.git(&["add", "-A"]).status.success());

    // Installing the hook environment builds the tool with cargo from the hooks repository.
    let install = project.run(&["install-hooks"]);
    assert!(install.status.success(), "{}", show(&install));
    let built = started.elapsed();

    // The blocking hook fails on the staged legacy URL; the excluded and binary files are not
    // reported, though pre-commit passes them.
    let blocked = project.run(&[
        "run",
        "zenduty-migrate",
        "--files",
        "vendor/lib.sh",
        "app.env",
        "logo.bin",
        "clean.txt",
    ]);
    let text = show(&blocked);
    assert_eq!(blocked.status.code(), Some(1), "{text}");
    assert!(text.contains("app.env:2:8: legacy-url"), "{text}");
    assert!(
        !text.contains("vendor/lib.sh"),
        "excluded file reported:\n{text}"
    );
    assert!(!text.contains("logo.bin"), "{text}");
    assert!(!text.contains("d58c08d0-75f7"), "key shown:\n{text}");

    // The same block through git: `pre-commit install`, then a commit is refused.
    let installed = project.run(&["install"]);
    assert!(installed.status.success(), "{}", show(&installed));
    let commit = project.git(&["commit", "-q", "-m", "add", "--no-gpg-sign"]);
    assert!(
        !commit.status.success(),
        "commit went through:\n{}",
        show(&commit)
    );

    // The fixing hook rewrites every staged file (in parallel batches) but not the excluded one;
    // pre-commit fails the run because files changed, as it does for every fixer.
    let fixed = project.run(&[
        "run",
        "--hook-stage",
        "manual",
        "zenduty-migrate-fix",
        "--all-files",
    ]);
    let text = show(&fixed);
    assert_eq!(fixed.status.code(), Some(1), "{text}");
    assert!(text.contains("files were modified by this hook"), "{text}");
    assert_eq!(project.read("app.env"), format!("# alerts\nZD_URL={NEW}\n"));
    for i in 0..40 {
        let dir = if i % 2 == 0 { "svc/a" } else { "svc/b" };
        assert_eq!(
            project.read(&format!("{dir}/f{i:02}.yaml")),
            format!("n: {i}\nurl: \"{NEW}\"\n")
        );
    }
    assert_eq!(project.read("vendor/lib.sh"), format!("curl {URL}\n"));
    let leftovers: Vec<_> = std::fs::read_dir(project.path("svc/a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".yaml"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Fixed and staged: the blocking hook passes on every file, and the commit goes through.
    assert!(project.git(&["add", "-A"]).status.success());
    let passed = project.run(&["run", "zenduty-migrate", "--all-files"]);
    assert!(passed.status.success(), "{}", show(&passed));
    let again = project.run(&[
        "run",
        "--hook-stage",
        "manual",
        "zenduty-migrate-fix",
        "--all-files",
    ]);
    assert!(
        again.status.success(),
        "second fix changed something:\n{}",
        show(&again)
    );
    let commit = project.git(&["commit", "-q", "-m", "add", "--no-gpg-sign"]);
    assert!(commit.status.success(), "{}", show(&commit));
    eprintln!(
        "pre-commit test: hook built in {:.0?}, whole test {:.0?}",
        built,
        started.elapsed()
    );
}

/// pre-commit runs a hook in parallel batches on disjoint file lists: two `apply` processes at
/// once in one repository both succeed and every file ends right.
#[test]
fn concurrent_applies_on_disjoint_files_are_safe() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zenduty-migrate.toml"),
        "account = \"ab12c\"\n",
    )
    .unwrap();
    let mut batches = [Vec::new(), Vec::new()];
    for i in 0..200 {
        let name = format!("d{}/f{i:03}.env", i % 3);
        std::fs::create_dir_all(dir.path().join(format!("d{}", i % 3))).unwrap();
        std::fs::write(dir.path().join(&name), format!("A{i}={URL}\n")).unwrap();
        batches[i % 2].push(name);
    }
    git_init_commit(dir.path());
    for round in 0..3 {
        let children: Vec<_> = batches
            .iter()
            .map(|files| {
                Command::new(bin())
                    .args(["apply", "--quiet", "--jobs", "2"])
                    .args(files)
                    .current_dir(dir.path())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    for i in 0..200 {
        let name = format!("d{}/f{i:03}.env", i % 3);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&name)).unwrap(),
            format!("A{i}={NEW}\n"),
            "{name}"
        );
    }
    for d in 0..3 {
        let count = std::fs::read_dir(dir.path().join(format!("d{d}")))
            .unwrap()
            .count();
        assert_eq!(
            count,
            (0..200).filter(|i| i % 3 == d).count(),
            "stray files"
        );
    }
}
