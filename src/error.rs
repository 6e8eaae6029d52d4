//! Errors that stop a run (usage, config, dirty tree) and errors that concern one file (I/O,
//! parse, verification); the latter are reported and the run goes on.

use std::path::PathBuf;

use crate::edit::SpliceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{col}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Splice {
        path: PathBuf,
        #[source]
        source: SpliceError,
    },
    #[error("{}: not written: {message}", path.display())]
    Verify { path: PathBuf, message: String },
    #[error("{}: not written: the file changed on disk since it was read", path.display())]
    Changed { path: PathBuf },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
