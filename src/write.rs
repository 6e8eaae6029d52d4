//! Writing files safely: the changed-on-disk check, the re-parse check for structured files, the
//! dirty-tree guard, and atomic replacement (temporary file in the same directory, permissions
//! copied, flushed, renamed over the original). A failure leaves the original untouched.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::edit::{self, Edit};
use crate::error::Error;
use crate::scan::digest;

/// The name prefix and suffix of the atomic writer's temporary files. A run killed with SIGKILL
/// may leave one behind (the original is intact); the walker never scans them.
pub const TEMP_PREFIX: &str = ".zenduty-migrate.";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Is this the name of one of the atomic writer's temporary files?
pub fn is_temp_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX))
}

/// Write `bytes` to `path` atomically, keeping its permissions if it exists.
pub fn write_new_or_replace(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic(path, path, bytes, || Ok(()))
}

/// Write `bytes` to a temporary file beside `target`, flush it, copy `target`'s permissions, run
/// `last_check` (the temporary file is removed if it fails), then rename it over `target`.
/// Errors name `shown`.
fn write_atomic(
    target: &Path,
    shown: &Path,
    bytes: &[u8],
    last_check: impl FnOnce() -> Result<(), Error>,
) -> Result<(), Error> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io(shown, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(shown, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(shown, e))?;
    if let Ok(meta) = std::fs::metadata(target) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(shown, e))?;
    }
    // On failure the temporary file is removed when `tmp` drops.
    last_check()?;
    tmp.persist(target).map_err(|e| Error::io(shown, e.error))?;
    Ok(())
}

/// Which structured format a path holds, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Toml,
    Hcl,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => Format::Json,
            "yaml" | "yml" => Format::Yaml,
            "toml" => Format::Toml,
            "tf" | "hcl" | "tfvars" => Format::Hcl,
            _ => return None,
        })
    }

    /// Does `bytes` parse in this format? `Err` holds the parser's message.
    pub fn parse(self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Format::Json => serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
                .map(drop)
                .map_err(|e| e.to_string()),
            Format::Yaml => {
                for doc in serde_yaml::Deserializer::from_slice(bytes) {
                    <serde::de::IgnoredAny as serde::Deserialize>::deserialize(doc)
                        .map_err(|e| e.to_string())?;
                }
                Ok(())
            }
            Format::Toml => {
                let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
                text.parse::<toml_edit::DocumentMut>()
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            Format::Hcl => {
                let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
                hcl_edit::parser::parse_body(text)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// The new content for a file: re-read it, check it is what was scanned, splice, and check that a
/// structured file that parsed before still parses.
pub fn prepare(
    path: &Path,
    expected: &[u8; 32],
    edits: &[Edit],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    seam::reach(seam::Point::Prepare, path);
    let original = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if digest(&original) != *expected {
        return Err(Error::Changed {
            path: path.to_path_buf(),
        });
    }
    let new = edit::splice(&original, edits).map_err(|source| Error::Splice {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(format) = Format::of(path) {
        if format.parse(&original).is_ok() {
            if let Err(message) = format.parse(&new) {
                return Err(Error::Verify {
                    path: path.to_path_buf(),
                    message: format!("the edited file would not parse as {format:?}: {message}"),
                });
            }
        }
    }
    Ok((original, new))
}

/// Write `new` over `path` if the file still holds exactly `original`.
///
/// The comparison is made after the new content is written and flushed to the temporary file,
/// right before the rename, so the window in which a concurrent change can be lost is only the
/// re-read and the rename; a change seen there is reported and the temporary file removed.
pub fn commit(path: &Path, original: &[u8], new: &[u8]) -> Result<(), Error> {
    seam::reach(seam::Point::Commit, path);
    let target = real_target(path)?;
    write_atomic(&target, path, new, || {
        seam::reach(seam::Point::Rename, path);
        let now = std::fs::read(&target).map_err(|e| Error::io(path, e))?;
        if now != original {
            return Err(Error::Changed {
                path: path.to_path_buf(),
            });
        }
        Ok(())
    })
}

/// Fault injection for tests: a hook called at fixed points of [`prepare`] and [`commit`] on the
/// calling thread (the CLI prepares and commits on its main thread), so a test can change, remove
/// or lock a file at the worst moment. Without an installed hook a point costs one thread-local
/// lookup.
#[doc(hidden)]
pub mod seam {
    use std::cell::RefCell;
    use std::path::Path;

    /// Where the hook is called.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Point {
        /// `prepare`, before it re-reads the file the scan saw.
        Prepare,
        /// `commit`, before anything is written.
        Commit,
        /// `commit`, after the temporary file is written and flushed, before the last re-read
        /// and the rename.
        Rename,
    }

    type Hook = Box<dyn FnMut(Point, &Path)>;

    thread_local! {
        static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
    }

    /// Removes the hook when dropped.
    pub struct Installed(());

    impl Drop for Installed {
        fn drop(&mut self) {
            HOOK.with(|h| h.borrow_mut().take());
        }
    }

    /// Install `hook` on this thread until the returned guard drops.
    pub fn install(hook: impl FnMut(Point, &Path) + 'static) -> Installed {
        HOOK.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
        Installed(())
    }

    pub(crate) fn reach(point: Point, path: &Path) {
        HOOK.with(|h| {
            if let Some(hook) = h.borrow_mut().as_mut() {
                hook(point, path);
            }
        });
    }
}

/// The file to replace: `path` itself, or (for a link that was followed on purpose) the file it
/// points to, so the link stays a link.
fn real_target(path: &Path) -> Result<PathBuf, Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.file_type().is_symlink() {
        return std::fs::canonicalize(path).map_err(|e| Error::io(path, e));
    }
    Ok(path.to_path_buf())
}

/// Is `path` itself a symbolic link?
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Is `path` (after resolving links) inside one of `roots`? Nothing is written outside them.
///
/// A root directory counts where it really is (links resolved: naming a directory scans it); a
/// root that is a link to a file counts as the link itself, so nothing is ever written through a
/// link named on the command line (pre-commit names every staged file, links included).
pub fn inside_roots(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else {
        return false;
    };
    roots.iter().any(|root| {
        if is_link(root) && !root.is_dir() {
            return false;
        }
        std::fs::canonicalize(root).is_ok_and(|r| {
            if r.is_dir() {
                real.starts_with(&r)
            } else {
                real == r
            }
        })
    })
}

/// With links followed, one file can be reached by several paths, and writing it twice would
/// report the second as changed on disk. For each of `paths`, is it the one to write? Per real
/// file, the first path that goes through no link wins, else the first path.
pub fn one_path_per_file(paths: &[&Path]) -> Vec<bool> {
    // Paths that cannot be resolved are kept: they fail, and are reported, on their own.
    let mut keep = vec![true; paths.len()];
    let mut chosen: BTreeMap<PathBuf, (usize, bool)> = BTreeMap::new();
    for (i, path) in paths.iter().enumerate() {
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        let direct = std::path::absolute(path).is_ok_and(|a| a == real);
        match chosen.get_mut(&real) {
            None => {
                chosen.insert(real, (i, direct));
            }
            Some(first) if direct && !first.1 => {
                keep[first.0] = false;
                *first = (i, true);
            }
            Some(_) => keep[i] = false,
        }
    }
    keep
}

/// Files among `paths` that have uncommitted changes (staged, unstaged or untracked) in the git
/// work tree they belong to. Files outside any work tree are never dirty. When git cannot answer
/// for a file that is in a work tree (git missing, "dubious ownership", a broken repository), the
/// guard cannot be kept: that is an error, not a clean bill.
pub fn dirty_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    // Group by work-tree top level, found once per directory.
    let mut top_of_dir: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut by_top: BTreeMap<PathBuf, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    for path in paths {
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        let dir = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        let top = match top_of_dir.get(&dir) {
            Some(top) => top.clone(),
            None => {
                let top = git_top(&dir)?;
                top_of_dir.insert(dir.clone(), top.clone());
                top
            }
        };
        if let Some(top) = top {
            if let Ok(rel) = real.strip_prefix(&top) {
                by_top
                    .entry(top.clone())
                    .or_default()
                    .push((rel.to_path_buf(), path.clone()));
            }
        }
    }
    let mut dirty = BTreeSet::new();
    for (top, files) in by_top {
        for chunk in files.chunks(512) {
            let out = Command::new("git")
                .arg("-C")
                .arg(&top)
                // File names are names, never pathspec magic (`:b.env`, `*.env`).
                .arg("--literal-pathspecs")
                .args([
                    "status",
                    "--porcelain=v1",
                    "-z",
                    "--untracked-files=all",
                    "--",
                ])
                .args(chunk.iter().map(|(rel, _)| rel))
                .output();
            let out = out.map_err(|e| guard_error(&top, &e.to_string()))?;
            if !out.status.success() {
                return Err(guard_error(&top, &String::from_utf8_lossy(&out.stderr)));
            }
            let listed = parse_porcelain(&out.stdout);
            for (rel, original) in chunk {
                if listed.contains(rel) {
                    dirty.insert(original.clone());
                }
            }
        }
    }
    Ok(dirty.into_iter().collect())
}

fn guard_error(dir: &Path, why: &str) -> Error {
    Error::Usage(format!(
        "cannot check {} for uncommitted changes, so nothing was written: {} (fix git, or pass \
         --allow-dirty)",
        dir.display(),
        why.trim()
    ))
}

/// The work tree `dir` is in, `None` when it is in none.
fn git_top(dir: &Path) -> Result<Option<PathBuf>, Error> {
    let in_a_repo = dir.ancestors().any(|d| d.join(".git").exists());
    let out = match Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
    {
        Ok(out) => out,
        Err(_) if !in_a_repo => return Ok(None),
        Err(e) => return Err(guard_error(dir, &format!("cannot run git: {e}"))),
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !in_a_repo || stderr.contains("not a git repository") {
            return Ok(None);
        }
        return Err(guard_error(dir, &stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(std::fs::canonicalize(text.trim_end_matches('\n')).ok())
}

/// Paths named by `git status --porcelain=v1 -z` (for renames, both names).
fn parse_porcelain(out: &[u8]) -> BTreeSet<PathBuf> {
    let mut set = BTreeSet::new();
    let mut fields = out.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let Some(entry) = fields.next() {
        if entry.len() < 4 {
            continue;
        }
        let rename = matches!(entry[0], b'R' | b'C');
        set.insert(PathBuf::from(crate::walk::bytes_to_os(&entry[3..])));
        if rename {
            if let Some(from) = fields.next() {
                set.insert(PathBuf::from(crate::walk::bytes_to_os(from)));
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_permissions_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.sh");
        std::fs::write(&path, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
        }
        write_new_or_replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o751);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn prepare_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"abc").unwrap();
        let expected = digest(b"abX");
        let err = prepare(&path, &expected, &[Edit::new(0..1, "z")]).unwrap_err();
        assert!(matches!(err, Error::Changed { .. }));
    }

    #[test]
    fn prepare_refuses_an_edit_that_breaks_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, b"{\"a\": \"x\"}").unwrap();
        let err = prepare(&path, &digest(b"{\"a\": \"x\"}"), &[Edit::new(7..8, "\"")]).unwrap_err();
        assert!(matches!(err, Error::Verify { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn one_path_per_file_prefers_the_path_without_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.env");
        std::fs::write(&real, b"x").unwrap();
        let link = dir.path().join("a-link.env");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let gone = dir.path().join("gone.env");
        let keep = one_path_per_file(&[&link, &real, &gone]);
        assert_eq!(keep, [false, true, true]);
    }

    #[test]
    fn commit_refuses_a_change_made_after_the_temporary_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"old").unwrap();
        let hooked = path.clone();
        let _hook = seam::install(move |point, p| {
            if point == seam::Point::Rename && p == hooked {
                std::fs::write(p, b"theirs").unwrap();
            }
        });
        let err = commit(&path, b"old", b"new").unwrap_err();
        assert!(matches!(err, Error::Changed { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file left"
        );
    }

    #[test]
    fn temporary_file_names() {
        assert!(is_temp_file(Path::new("d/.zenduty-migrate.Ab12.tmp")));
        assert!(!is_temp_file(Path::new(".zenduty-migrate.toml")));
        assert!(!is_temp_file(Path::new("x.tmp")));
    }

    #[test]
    fn porcelain_parsing() {
        let set = parse_porcelain(b" M a.txt\0R  new.txt\0old.txt\0?? u v.txt\0");
        assert!(set.contains(Path::new("a.txt")));
        assert!(set.contains(Path::new("new.txt")));
        assert!(set.contains(Path::new("old.txt")));
        assert!(set.contains(Path::new("u v.txt")));
    }
}
