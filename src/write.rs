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

/// Write `bytes` to `path` atomically, keeping its permissions if it exists.
pub fn write_new_or_replace(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".zenduty-migrate.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(path, e))?;
    }
    // On failure the temporary file is removed when `tmp` drops.
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
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
pub fn commit(path: &Path, original: &[u8], new: &[u8]) -> Result<(), Error> {
    let target = real_target(path)?;
    let now = std::fs::read(&target).map_err(|e| Error::io(path, e))?;
    if now != original {
        return Err(Error::Changed {
            path: path.to_path_buf(),
        });
    }
    write_new_or_replace(&target, new)
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

/// Is `path` (after resolving links) inside one of `roots`? Nothing is written outside them.
pub fn inside_roots(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else {
        return false;
    };
    roots.iter().any(|root| {
        std::fs::canonicalize(root).is_ok_and(|r| {
            if r.is_dir() {
                real.starts_with(&r)
            } else {
                real == r
            }
        })
    })
}

/// Files among `paths` that have uncommitted changes (staged, unstaged or untracked) in the git
/// work tree they belong to. Files outside any work tree are never dirty.
pub fn dirty_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    // Group by work-tree top level, found once per directory.
    let mut top_of_dir: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut by_top: BTreeMap<PathBuf, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    for path in paths {
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        let dir = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        let top = top_of_dir
            .entry(dir.clone())
            .or_insert_with(|| git_top(&dir))
            .clone();
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
                .args([
                    "status",
                    "--porcelain=v1",
                    "-z",
                    "--untracked-files=all",
                    "--",
                ])
                .args(chunk.iter().map(|(rel, _)| rel))
                .output();
            let Ok(out) = out else { continue };
            if !out.status.success() {
                continue;
            }
            let listed = parse_porcelain(&out.stdout);
            for (rel, original) in chunk {
                if listed.contains(rel) {
                    dirty.insert(original.clone());
                }
            }
        }
    }
    dirty.into_iter().collect()
}

fn git_top(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    std::fs::canonicalize(text.trim_end_matches('\n')).ok()
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

    #[test]
    fn porcelain_parsing() {
        let set = parse_porcelain(b" M a.txt\0R  new.txt\0old.txt\0?? u v.txt\0");
        assert!(set.contains(Path::new("a.txt")));
        assert!(set.contains(Path::new("new.txt")));
        assert!(set.contains(Path::new("old.txt")));
        assert!(set.contains(Path::new("u v.txt")));
    }
}
