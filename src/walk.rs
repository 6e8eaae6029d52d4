//! Which files a run looks at: a parallel, gitignore-aware walk of the roots (hidden files
//! included, `.git/` never), paths named on the command line read even where ignore files would
//! skip them, and the config's and command line's excludes applied to every path alike. Also the
//! list of files staged in git, for `--staged`.

use std::path::{Path, PathBuf};
use std::process::Command;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::error::Error;

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub roots: Vec<PathBuf>,
    /// gitignore-style globs, anchored at `exclude_base`, never scanned.
    pub exclude: Vec<String>,
    pub exclude_base: PathBuf,
    /// Globs a file must match (any of them) to be scanned; empty means every file.
    pub include: Vec<String>,
    /// Ignore `.gitignore`, `.ignore` and git's excludes.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Worker threads; 0 picks from the machine.
    pub jobs: usize,
}

/// Path filters shared by every walker thread.
pub struct Filters {
    exclude: Gitignore,
    include: Option<globset::GlobSet>,
    include_base: PathBuf,
    /// The current directory, read once: `absolute` per file would ask the kernel every time.
    cwd: Option<PathBuf>,
}

impl Filters {
    pub fn new(opts: &WalkOptions) -> Result<Filters, Error> {
        let base = absolute(&opts.exclude_base);
        let mut builder = GitignoreBuilder::new(&base);
        for glob in &opts.exclude {
            builder
                .add_line(None, glob)
                .map_err(|e| Error::Usage(format!("bad exclude glob {glob:?}: {e}")))?;
        }
        let exclude = builder
            .build()
            .map_err(|e| Error::Usage(format!("bad exclude globs: {e}")))?;
        let include = if opts.include.is_empty() {
            None
        } else {
            let mut set = globset::GlobSetBuilder::new();
            for glob in &opts.include {
                let g = globset::GlobBuilder::new(glob)
                    .literal_separator(glob.contains('/'))
                    .build()
                    .map_err(|e| Error::Usage(format!("bad include glob {glob:?}: {e}")))?;
                set.add(g);
            }
            Some(
                set.build()
                    .map_err(|e| Error::Usage(format!("bad include globs: {e}")))?,
            )
        };
        Ok(Filters {
            exclude,
            include,
            include_base: absolute(Path::new(".")),
            cwd: std::env::current_dir().ok(),
        })
    }

    /// `absolute(path)`, with the current directory read once.
    fn absolute(&self, path: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) if path.is_relative() => absolute(&cwd.join(path)),
            _ => absolute(path),
        }
    }

    /// Is this path excluded (itself or through one of its parent directories)?
    pub fn excluded(&self, path: &Path, is_dir: bool) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let abs = self.absolute(path);
        if !abs.starts_with(self.exclude.path()) {
            return false;
        }
        self.exclude
            .matched_path_or_any_parents(&abs, is_dir)
            .is_ignore()
    }

    /// Does a file pass `--include`?
    pub fn included(&self, path: &Path) -> bool {
        let Some(set) = &self.include else {
            return true;
        };
        let abs = self.absolute(path);
        let rel = abs.strip_prefix(&self.include_base).unwrap_or(&abs);
        set.is_match(rel) || path.file_name().is_some_and(|n| set.is_match(n))
    }
}

/// `path` made absolute without resolving links (so excludes match what the user typed).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Walk every root in parallel. `make_visitor` is called once per worker thread; its visitor gets
/// each regular file (or an error naming a place that could not be read).
pub fn walk<F, V>(opts: &WalkOptions, filters: &Filters, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Result<PathBuf, Error>) + Send,
{
    let Some((first, rest)) = opts.roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    let threads = if opts.jobs == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get().min(12))
    } else {
        opts.jobs
    };
    builder
        .hidden(false)
        .require_git(false)
        .git_ignore(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .follow_links(opts.follow_links)
        .threads(threads)
        .filter_entry(|entry| entry.file_name() != ".git");
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.clone(),
                        _ => PathBuf::from("."),
                    };
                    // A loop or unreadable directory: say so and go on.
                    visit(Err(Error::Parse {
                        path,
                        line: None,
                        message: err.to_string(),
                    }));
                    return WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            let path = entry.path();
            if file_type.is_dir() {
                if entry.depth() > 0 && filters.excluded(path, true) {
                    return WalkState::Skip;
                }
                return WalkState::Continue;
            }
            // Not following links: a link is neither read nor written.
            if !file_type.is_file() {
                return WalkState::Continue;
            }
            // The atomic writer's temporary files (left behind only by a killed run) never count.
            if crate::write::is_temp_file(path) {
                return WalkState::Continue;
            }
            // `.git/` is pruned below the roots; a root inside it (`apply .git`, `*` globs that
            // pick up `.git`) is refused the same way.
            if path.components().any(|c| c.as_os_str() == ".git") {
                return WalkState::Continue;
            }
            if filters.excluded(path, false) || !filters.included(path) {
                return WalkState::Continue;
            }
            visit(Ok(clean(path)));
            WalkState::Continue
        })
    });
}

/// `./a/b` -> `a/b`, for display and patches.
pub fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Files staged in the git index below `roots` (added, copied, modified or renamed), as paths
/// relative to the current directory, with the git top-level directory they belong to.
pub fn staged_files(roots: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut cmd = Command::new("git");
    cmd.args([
        "diff",
        "--cached",
        "--name-only",
        "-z",
        "--diff-filter=ACMR",
        "--relative",
        "--",
    ]);
    cmd.args(roots);
    let out = cmd
        .output()
        .map_err(|e| Error::Usage(format!("--staged needs git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "--staged: git diff --cached failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(bytes_to_os(p)))
        .collect())
}

/// The staged (index) content of `path`.
pub fn staged_content(path: &Path) -> Result<Vec<u8>, Error> {
    let mut spec = std::ffi::OsString::from(":./");
    spec.push(path.as_os_str());
    let out = Command::new("git")
        .arg("cat-file")
        .arg("blob")
        .arg(&spec)
        .output()
        .map_err(|e| Error::io(path, e))?;
    if !out.status.success() {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: None,
            message: format!(
                "cannot read the staged content: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(out.stdout)
}

#[cfg(unix)]
pub fn bytes_to_os(bytes: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_os_string()
}

#[cfg(not(unix))]
pub fn bytes_to_os(bytes: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(bytes).into_owned().into()
}
