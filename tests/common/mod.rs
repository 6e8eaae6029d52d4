//! Helpers shared by the integration tests: running the binary, copying fixtures, comparing trees.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_zenduty-migrate")
}

/// Run the binary in `dir` with `args`, colour off.
pub fn zm(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run zenduty-migrate");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stdout_bytes: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Copy a directory tree (files, permissions, symlinks as links).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        if meta.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if meta.file_type().is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&entry).unwrap(), &dest).unwrap();
        } else {
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &dest).unwrap();
        }
    }
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        let p = out[i].clone();
        if std::fs::symlink_metadata(&p).unwrap().is_dir() {
            let mut children: Vec<PathBuf> = std::fs::read_dir(&p)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            children.sort();
            out.extend(children);
        }
        i += 1;
    }
    out
}

/// A temporary copy of `fixtures/sample`.
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("sample"), dir.path());
    dir
}

/// Every file below `root` (relative path -> bytes and unix mode), `.git/` left out.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    let mut map = BTreeMap::new();
    for p in walkdir(root) {
        let rel = p.strip_prefix(root).unwrap().to_path_buf();
        if rel.components().any(|c| c.as_os_str() == ".git") {
            continue;
        }
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_file() {
            #[cfg(unix)]
            let mode = {
                use std::os::unix::fs::PermissionsExt;
                meta.permissions().mode() & 0o777
            };
            #[cfg(not(unix))]
            let mode = 0;
            map.insert(rel, (std::fs::read(&p).unwrap(), mode));
        }
    }
    map
}

pub fn assert_trees_equal(expected: &Path, actual: &Path) {
    let e = snapshot(expected);
    let a = snapshot(actual);
    let e_names: Vec<_> = e.keys().collect();
    let a_names: Vec<_> = a.keys().collect();
    assert_eq!(e_names, a_names, "file lists differ");
    for (name, (bytes, mode)) in &e {
        let (abytes, amode) = &a[name];
        assert!(
            bytes == abytes,
            "{} differs:\n--- expected\n{}\n--- actual\n{}",
            name.display(),
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(abytes)
        );
        assert_eq!(mode, amode, "{} mode differs", name.display());
    }
}

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// `git init` and commit everything (ignored files forced in, so the tree is what the test made).
pub fn git_init_commit(dir: &Path) {
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A", "-f"]);
    git(dir, &["commit", "-q", "-m", "init", "--no-gpg-sign"]);
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
