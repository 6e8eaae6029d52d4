//! The command line: clap definitions, turning flags into a validated [`scan::Options`], running
//! `scan`, `diff`, `apply` and `init`, and mapping the outcome to exit codes 0, 1 and 2. All output
//! goes through the writers in [`Io`], so tests run the whole CLI in-process.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::config::{self, Config, InitSettings};
use crate::diff::{self, Style};
use crate::error::Error;
use crate::finding::Status;
use crate::report::{self, ErrorRecord, Format, Message, Summary};
use crate::scan::{self, Options, Outcome};
use crate::walk::WalkOptions;
use crate::write;

#[derive(Debug, Parser)]
#[command(
    name = "zenduty-migrate",
    version,
    about = "Move a repository off Zenduty's retired API Integration onto the Generic Integration",
    long_about = "Finds legacy Zenduty API Integration endpoints (https://events.zenduty.com/api/events/<key>/) \
and alert rules kept as code, prints the exact change as a unified diff, and applies it atomically.\n\n\
Exit codes: 0 nothing found / nothing left to do, 1 findings or changes pending, 2 error.",
    after_help = "Examples:\n  zenduty-migrate scan --account ab12c\n  zenduty-migrate diff --account ab12c > m.patch\n  zenduty-migrate apply --account ab12c"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every finding; change nothing (exit 1 when anything is found).
    Scan(ScanArgs),
    /// Print the unified diff `apply` would write; change nothing (exit 1 when changes are pending).
    Diff(DiffArgs),
    /// Print the diff, then write it atomically (exit 1 when something legacy remains).
    Apply(ApplyArgs),
    /// Write or update zenduty-migrate.toml, keeping its comments and layout.
    Init(InitArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Files or directories to scan (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Account identifier of the Generic Integration URLs (1 to 64 letters and digits).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Config file (default: the nearest zenduty-migrate.toml or .zenduty-migrate.toml upwards).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Only scan files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Never scan files matching this glob (repeatable; gitignore syntax).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not respect .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (nothing is ever written outside the scanned paths).
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Only files staged in git, judged by their staged content.
    #[arg(long)]
    pub staged: bool,
    /// Show integration keys in full (they are secrets: masked to 4 characters by default).
    #[arg(long)]
    pub show_keys: bool,
    /// Go on when some references have no account (they are reported, not rewritten).
    #[arg(long)]
    pub skip_unresolved: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print only findings, diffs and errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also report `zenduty-migrate: ignore` comments that suppress nothing.
    #[arg(long)]
    pub report_unused_suppressions: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub common: Common,
    /// Mask integration keys in the diff too (the patch then no longer applies).
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ApplyFormat {
    /// The diff, then a summary.
    #[default]
    Text,
    /// The record of what was written: each path, sha256 before and after, every edit.
    Json,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub common: Common,
    /// Mask integration keys in the printed diff.
    #[arg(long)]
    pub redact: bool,
    /// Write files that have uncommitted changes in git.
    #[arg(long)]
    pub allow_dirty: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write zenduty-migrate.toml in (default: the current directory).
    pub dir: Option<PathBuf>,
    /// Config file to write instead.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Default account identifier.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The Generic Integration's application id (needed to convert Terraform integrations).
    #[arg(long, value_name = "ID")]
    pub generic_application: Option<String>,
}

/// Where output goes, and whether each stream is a terminal.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

/// Exit statuses.
const OK: u8 = 0;
const FOUND: u8 = 1;
const FAILED: u8 = 2;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let stdout_tty = stdout.is_terminal();
    let stderr_tty = stderr.is_terminal();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let code = run(
        std::env::args_os(),
        &mut Io {
            stdout: &mut out,
            stderr: &mut err,
            stdout_tty,
            stderr_tty,
        },
    );
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => ExitCode::from(FAILED),
        _ => code,
    }
}

/// A writer that turns a closed pipe into a sink: once the reader has gone (`| head`), output is
/// dropped but the run goes on to the end, so `apply` never stops half-way through its writes and
/// the exit code still says what was found.
struct PipeTolerant<'a> {
    inner: &'a mut dyn Write,
    closed: bool,
}

impl Write for PipeTolerant<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Run the CLI with these arguments; returns the exit code.
pub fn run<I, T>(args: I, io: &mut Io) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut stdout = PipeTolerant {
        inner: &mut *io.stdout,
        closed: false,
    };
    let mut stderr = PipeTolerant {
        inner: &mut *io.stderr,
        closed: false,
    };
    let io = &mut Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_tty: io.stdout_tty,
        stderr_tty: io.stderr_tty,
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { FAILED } else { OK };
            let rendered = if e.use_stderr() && io.stderr_tty {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let stream: &mut dyn Write = if e.use_stderr() { io.stderr } else { io.stdout };
            let _ = write!(stream, "{rendered}");
            return ExitCode::from(code);
        }
    };
    match dispatch(cli, io) {
        Ok(code) => ExitCode::from(code),
        // Writers turn a closed pipe into a sink; this is a last guard.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(OK),
        Err(Failure::Io(e)) => {
            let _ = writeln!(io.stderr, "zenduty-migrate: error: {e}");
            ExitCode::from(FAILED)
        }
        Err(Failure::Run(e)) => {
            let _ = writeln!(io.stderr, "zenduty-migrate: error: {e}");
            if let Some(hint) = hint(&e) {
                let _ = writeln!(io.stderr, "  hint: {hint}");
            }
            ExitCode::from(FAILED)
        }
    }
}

enum Failure {
    Io(io::Error),
    Run(Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Run(e)
    }
}

fn hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::Config { .. } => Some("run `zenduty-migrate init` to write a commented template"),
        Error::Usage(m) if m.starts_with("--account") => Some(
            "the account identifier is the segment after /integration/ in the Generic \
             Integration URL the vendor shows",
        ),
        Error::Usage(m) if m.starts_with("--staged") => {
            Some("--staged reads git's index: run it inside a git work tree, or drop --staged")
        }
        Error::Usage(m) if m.ends_with("no such file or directory") => {
            Some("paths are relative to the current directory; with no path, `.` is scanned")
        }
        Error::Usage(m) if m.starts_with("bad exclude") || m.starts_with("bad include") => {
            Some("globs use gitignore syntax, as in `vendor/**` or `*.lock`")
        }
        _ => None,
    }
}

fn dispatch(cli: Cli, io: &mut Io) -> Result<u8, Failure> {
    match cli.command {
        Command::Scan(args) => cmd_scan(args, io),
        Command::Diff(args) => cmd_change(args.common, args.redact, Mode::Diff, io),
        Command::Apply(args) => {
            let mode = Mode::Apply {
                allow_dirty: args.allow_dirty,
                json: args.format == ApplyFormat::Json,
            };
            cmd_change(args.common, args.redact, mode, io)
        }
        Command::Init(args) => cmd_init(args, io),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "zenduty-migrate", io.stdout);
            Ok(OK)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(io.stdout)?;
            Ok(OK)
        }
    }
}

/// A validated plan for one run.
struct Plan {
    options: Options,
    color_stdout: bool,
    show_keys: bool,
    skip_unresolved: bool,
    quiet: bool,
}

fn use_color(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn plan(common: Common, io: &Io) -> Result<Plan, Error> {
    if let Some(account) = &common.account {
        if !config::valid_account(account) {
            return Err(Error::Usage(format!(
                "--account {account:?} is not an account identifier (1 to 64 letters and digits)"
            )));
        }
    }
    let roots = if common.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        common.paths.clone()
    };
    if !common.staged {
        for root in &roots {
            if std::fs::symlink_metadata(root).is_err() {
                return Err(Error::Usage(format!(
                    "{}: no such file or directory",
                    root.display()
                )));
            }
        }
    }
    let config_path = match &common.config {
        Some(path) => Some(path.clone()),
        None => config::discover(&roots[0]).map(|p| PathBuf::from(display_path(&p))),
    };
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let exclude_base = config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut exclude = config.scan.exclude.clone();
    exclude.extend(common.exclude.iter().cloned());
    let walk = WalkOptions {
        roots,
        exclude,
        exclude_base,
        include: common.include.clone(),
        no_ignore: common.no_ignore,
        follow_links: common.follow,
        jobs: common.jobs.unwrap_or(0),
    };
    Ok(Plan {
        options: Options {
            walk,
            config,
            account: common.account,
            staged: common.staged,
            report_unused_suppressions: false,
            progress: None,
        },
        color_stdout: use_color(common.color, io.stdout_tty),
        show_keys: common.show_keys,
        skip_unresolved: common.skip_unresolved,
        quiet: common.quiet,
    })
}

/// Paths as shown and as written in patch headers: relative to the current directory when they
/// are below it, so `git apply` finds them.
fn display_path(path: &Path) -> String {
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = path.strip_prefix(&cwd) {
                return rel.to_string_lossy().into_owned();
            }
        }
    }
    path.to_string_lossy().into_owned()
}

/// [`display_path`]'s path as raw bytes (a patch must name a non-UTF-8 file exactly).
fn path_bytes(path: &Path) -> Vec<u8> {
    let shown: PathBuf = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).unwrap_or(path).to_path_buf(),
        _ => path.to_path_buf(),
    };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        shown.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        shown.to_string_lossy().into_owned().into_bytes()
    }
}

fn summarize(outcome: &Outcome) -> Summary {
    let mut s = Summary {
        files_scanned: outcome.scanned,
        files_with_findings: outcome
            .files
            .iter()
            .filter(|f| !f.findings.is_empty())
            .count(),
        errors: outcome.errors.len(),
        ..Summary::default()
    };
    for (_, l) in outcome.findings() {
        s.findings += 1;
        match l.finding.status {
            Status::Rewritable => s.rewritable += 1,
            Status::Unresolved => s.unresolved += 1,
            Status::NeedsReview => s.needs_review += 1,
        }
    }
    s
}

fn cmd_scan(args: ScanArgs, io: &mut Io) -> Result<u8, Failure> {
    let mut plan = plan(args.common, io)?;
    plan.options.report_unused_suppressions = args.report_unused_suppressions;
    let show = progress_wanted(io, plan.quiet) && args.format == Format::Text;
    let outcome = scan_with_progress(&plan.options, io.stderr, show.then_some(PROGRESS_DELAY))?;
    let color = plan.color_stdout && args.format == Format::Text;
    let mut reporter = args.format.reporter(color, plan.quiet);
    for (path, l) in outcome.findings() {
        let rec = report::record(&display_path(path), l, plan.show_keys);
        reporter.message(io.stdout, Message::Finding(rec))?;
    }
    for e in &outcome.errors {
        let msg = ErrorRecord {
            message: e.to_string(),
        };
        if args.format == Format::Text {
            writeln!(io.stderr, "zenduty-migrate: error: {}", msg.message)?;
        } else {
            reporter.message(io.stdout, Message::Error(msg))?;
        }
    }
    let summary = summarize(&outcome);
    let code = if !outcome.errors.is_empty() {
        FAILED
    } else if summary.findings > 0 {
        FOUND
    } else {
        OK
    };
    reporter.message(io.stdout, Message::Summary(summary))?;
    reporter.finish(io.stdout)?;
    Ok(code)
}

/// A scan shorter than this shows no progress line.
const PROGRESS_DELAY: Duration = Duration::from_millis(300);
/// How often the progress line is redrawn.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// A progress line only for a person watching: stderr is a terminal, not `--quiet`, not in CI,
/// not a dumb terminal. (Callers also rule out machine formats.)
fn progress_wanted(io: &Io, quiet: bool) -> bool {
    io.stderr_tty
        && !quiet
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
        && std::env::var_os("TERM").is_none_or(|v| v != "dumb")
}

/// Run the scan; with `delay`, show a throttled `scanning: N files` line on `stderr` once the
/// scan has taken that long, and erase it when the scan ends. The scan runs on its own thread
/// and counts files through [`Options::progress`]; only this thread prints.
fn scan_with_progress(
    options: &Options,
    stderr: &mut dyn Write,
    delay: Option<Duration>,
) -> Result<Outcome, Error> {
    let Some(delay) = delay else {
        return scan::scan(options);
    };
    let counter = Arc::new(AtomicUsize::new(0));
    let mut options = options.clone();
    options.progress = Some(Arc::clone(&counter));
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        let options = &options;
        s.spawn(move || {
            let _ = tx.send(scan::scan(options));
        });
        let mut next = Instant::now() + delay;
        let mut shown = false;
        loop {
            match rx.recv_timeout(next.saturating_duration_since(Instant::now())) {
                Ok(outcome) => {
                    if shown {
                        let _ = write!(stderr, "\r\x1b[2K");
                        let _ = stderr.flush();
                    }
                    return outcome;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let n = counter.load(Ordering::Relaxed);
                    let _ = write!(stderr, "\r\x1b[2Kscanning: {n} files");
                    let _ = stderr.flush();
                    shown = true;
                    next = Instant::now() + PROGRESS_INTERVAL;
                }
                // The scan thread panicked: the scope re-raises its panic.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Usage("the scan stopped unexpectedly".into()))
                }
            }
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Diff,
    Apply { allow_dirty: bool, json: bool },
}

/// `diff` and `apply`: the scan, the unresolved check, then each file in turn.
fn cmd_change(common: Common, redact: bool, mode: Mode, io: &mut Io) -> Result<u8, Failure> {
    let plan = plan(common, io)?;
    let json_record = matches!(mode, Mode::Apply { json: true, .. });
    let show = progress_wanted(io, plan.quiet) && !json_record;
    let outcome = scan_with_progress(&plan.options, io.stderr, show.then_some(PROGRESS_DELAY))?;
    // Every error goes to stderr; the JSON record also lists them.
    let mut errors: Vec<String> = Vec::new();
    for e in &outcome.errors {
        error(io, &mut errors, e.to_string())?;
    }
    let mut failed = !outcome.errors.is_empty();
    let summary = summarize(&outcome);
    // What a human must still look at: everything not rewritable, and all of a blocked file.
    let remaining: Vec<_> = outcome
        .files
        .iter()
        .flat_map(|f| {
            f.findings
                .iter()
                .filter(move |l| f.blocked || l.finding.status != Status::Rewritable)
                .map(move |l| report::record(&display_path(&f.path), l, plan.show_keys))
        })
        .collect();
    let record = |io: &mut Io, files: Vec<serde_json::Value>, errors: &[String]| {
        write_record(io, files, &remaining, errors, &summary)
    };

    let unresolved: Vec<_> = outcome
        .findings()
        .filter(|(_, l)| l.finding.status == Status::Unresolved)
        .collect();
    if !unresolved.is_empty() && !plan.skip_unresolved {
        let count = match unresolved.len() {
            1 => "1 reference has".to_string(),
            n => format!("{n} references have"),
        };
        let mut message = format!(
            "{count} no account; pass --account, set `account` in zenduty-migrate.toml, or use \
             --skip-unresolved:"
        );
        for (path, l) in unresolved {
            let rec = report::record(&display_path(path), l, plan.show_keys);
            message.push_str(&format!(
                "\n  {}:{}:{}: {}",
                rec.path, rec.line, rec.column, rec.old
            ));
        }
        error(io, &mut errors, message)?;
        if json_record {
            record(io, Vec::new(), &errors)?;
        }
        return Ok(FAILED);
    }

    // Which files would be written: those with edits that no parser blocked, each reached by
    // one path only, and none through a link to outside the scanned paths.
    let follow = plan.options.walk.follow_links;
    let paths: Vec<&Path> = outcome.files.iter().map(|f| f.path.as_path()).collect();
    let write_here = if follow {
        write::one_path_per_file(&paths)
    } else {
        vec![true; paths.len()]
    };
    let mut targets = Vec::new();
    for (index, file) in outcome.files.iter().enumerate() {
        if file.edits().next().is_none() || file.blocked || !write_here[index] {
            continue;
        }
        if (follow || write::is_link(&file.path))
            && !write::inside_roots(&file.path, &plan.options.walk.roots)
        {
            error(
                io,
                &mut errors,
                format!(
                    "{}: not written: it links to a place outside the scanned paths",
                    file.path.display()
                ),
            )?;
            failed = true;
            continue;
        }
        targets.push(index);
    }

    // The dirty-tree guard runs before anything is written; the diff is printed either way.
    let dirty = match mode {
        Mode::Apply {
            allow_dirty: false, ..
        } if !plan.options.staged => {
            let paths: Vec<PathBuf> = targets
                .iter()
                .map(|&i| outcome.files[i].path.clone())
                .collect();
            write::dirty_files(&paths)?
        }
        _ => Vec::new(),
    };
    let writing = matches!(mode, Mode::Apply { .. }) && dirty.is_empty();

    // One file at a time: prepare (re-read, check, splice, re-parse), print its diff, write it.
    // Memory stays bounded by the largest file, and the cost is linear in files and edits.
    // Colour codes would land inside masked text: a redacted diff stays plain.
    let style = Style {
        color: plan.color_stdout && !redact,
    };
    let mut changes = 0usize;
    let mut written = 0usize;
    let mut written_edits = 0usize;
    let mut records = Vec::new();
    for &index in &targets {
        let file = &outcome.files[index];
        let edits: Vec<_> = file.edits().cloned().collect();
        let prepared = if plan.options.staged {
            walk_staged_prepare(&file.path, &file.digest, &edits)
        } else {
            write::prepare(&file.path, &file.digest, &edits)
        };
        let (original, new) = match prepared {
            Ok(pair) => pair,
            Err(e) => {
                error(io, &mut errors, e.to_string())?;
                failed = true;
                continue;
            }
        };
        changes += 1;
        if !json_record {
            let mut buf = Vec::new();
            if let Err(e) =
                diff::write_diff(&mut buf, &path_bytes(&file.path), &original, &edits, style)?
            {
                error(io, &mut errors, format!("{}: {e}", file.path.display()))?;
                failed = true;
                continue;
            }
            if redact {
                // Every key in the file, context lines included, not only the rewritten ones.
                let mut secrets = scan::text_secrets(&original);
                secrets.extend(
                    file.findings
                        .iter()
                        .flat_map(|l| l.finding.secrets.iter().cloned()),
                );
                buf = report::redact(&buf, &secrets, false).0.into_bytes();
            }
            io.stdout.write_all(&buf)?;
        }
        if !writing {
            continue;
        }
        match write::commit(&file.path, &original, &new) {
            Ok(()) => {
                written += 1;
                written_edits += edits.len();
                if json_record {
                    records.push(written_record(file, &original, &new, plan.show_keys));
                }
            }
            Err(e) => {
                error(io, &mut errors, e.to_string())?;
                failed = true;
            }
        }
    }

    match mode {
        Mode::Diff => {
            if !plan.quiet {
                writeln!(io.stderr, "{}", report::summary_line(&summary))?;
            }
            Ok(if failed {
                FAILED
            } else if changes > 0 {
                FOUND
            } else {
                OK
            })
        }
        Mode::Apply { json, .. } => {
            if !dirty.is_empty() {
                let mut message = format!(
                    "{} files have uncommitted changes; nothing was written (commit or stash \
                     them, or pass --allow-dirty):",
                    dirty.len()
                );
                for d in &dirty {
                    message.push_str(&format!("\n  {}", d.display()));
                }
                error(io, &mut errors, message)?;
                if json {
                    record(io, Vec::new(), &errors)?;
                }
                return Ok(FAILED);
            }
            if json {
                record(io, records, &errors)?;
            }
            if !plan.quiet {
                writeln!(
                    io.stderr,
                    "rewrote {written_edits} references in {written} files; {} findings left for \
                     review",
                    remaining.len()
                )?;
            }
            Ok(if failed {
                FAILED
            } else if !remaining.is_empty() {
                FOUND
            } else {
                OK
            })
        }
    }
}

/// The `apply --format json` entry of one written file.
fn written_record(
    file: &scan::FileResult,
    original: &[u8],
    new: &[u8],
    show_keys: bool,
) -> serde_json::Value {
    let path = display_path(&file.path);
    let edits: Vec<_> = file
        .findings
        .iter()
        .filter(|l| l.finding.edit.is_some())
        .map(|l| {
            let rec = report::record(&path, l, show_keys);
            json!({
                "kind": rec.kind,
                "line": rec.line,
                "column": rec.column,
                "end_line": rec.end_line,
                "end_column": rec.end_column,
                "byte_range": rec.byte_range,
                "old": rec.old,
                "new": rec.new,
            })
        })
        .collect();
    json!({
        "path": path,
        "sha256_before": hex(&scan::digest(original)),
        "sha256_after": hex(&scan::digest(new)),
        "edits": edits,
    })
}

/// Print an error on stderr and keep it for the JSON record.
fn error(io: &mut Io, errors: &mut Vec<String>, message: String) -> io::Result<()> {
    writeln!(io.stderr, "zenduty-migrate: error: {message}")?;
    errors.push(message);
    Ok(())
}

/// The `apply --format json` record (README, "JSON schema").
fn write_record(
    io: &mut Io,
    files: Vec<serde_json::Value>,
    remaining: &[report::FindingRecord],
    errors: &[String],
    summary: &Summary,
) -> io::Result<()> {
    let errors: Vec<_> = errors
        .iter()
        .map(|message| ErrorRecord {
            message: message.clone(),
        })
        .collect();
    // Errors found while preparing and writing count too.
    let summary = Summary {
        errors: errors.len(),
        ..summary.clone()
    };
    let doc = json!({
        "tool": "zenduty-migrate",
        "version": report::SCHEMA_VERSION,
        "files": files,
        "remaining": remaining,
        "errors": errors,
        "summary": summary,
    });
    serde_json::to_writer_pretty(&mut *io.stdout, &doc).map_err(io::Error::from)?;
    writeln!(io.stdout)
}

/// `--staged` judges the index content: check the work tree still holds it before writing.
fn walk_staged_prepare(
    path: &Path,
    expected: &[u8; 32],
    edits: &[crate::edit::Edit],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    write::prepare(path, expected, edits).map_err(|e| match e {
        Error::Changed { path } => Error::Verify {
            path,
            message: "the work tree differs from the staged content".into(),
        },
        other => other,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn cmd_init(args: InitArgs, io: &mut Io) -> Result<u8, Failure> {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    let path = match args.config {
        Some(p) => p,
        None => config::FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .unwrap_or_else(|| dir.join(config::FILE_NAMES[0])),
    };
    config::init(
        &path,
        &InitSettings {
            account: args.account,
            generic_application: args.generic_application,
        },
    )?;
    writeln!(io.stderr, "wrote {}", path.display())?;
    Ok(OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(root: &Path) -> Options {
        Options {
            walk: WalkOptions {
                roots: vec![root.to_path_buf()],
                exclude_base: root.to_path_buf(),
                ..WalkOptions::default()
            },
            ..Options::default()
        }
    }

    #[test]
    fn progress_line_is_drawn_then_erased() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..50 {
            std::fs::write(dir.path().join(format!("f{i}.txt")), "zenduty\n").unwrap();
        }
        let mut err = Vec::new();
        let outcome =
            scan_with_progress(&options(dir.path()), &mut err, Some(Duration::ZERO)).unwrap();
        assert_eq!(outcome.scanned, 50);
        let err = String::from_utf8(err).unwrap();
        assert!(err.starts_with("\r\x1b[2Kscanning: "), "{err:?}");
        assert!(err.ends_with("\r\x1b[2K"), "{err:?}");
    }

    #[test]
    fn no_progress_without_a_terminal_or_when_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let mut err = Vec::new();
        scan_with_progress(&options(dir.path()), &mut err, None).unwrap();
        assert!(err.is_empty());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let io = Io {
            stdout: &mut out,
            stderr: &mut err,
            stdout_tty: false,
            stderr_tty: false,
        };
        assert!(!progress_wanted(&io, false));
        let io = Io {
            stderr_tty: true,
            ..io
        };
        assert!(!progress_wanted(&io, true));
    }
}
