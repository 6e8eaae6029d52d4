//! Fault injection (issue #6): `apply` killed with SIGKILL at random moments, links that point
//! out of the tree or in circles, odd file names and contents, a 200 MB one-line file, malformed
//! structured files, files that cannot be written, files changed between read and write, and
//! concurrent runs. Every test asserts the bytes on disk afterwards.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const ACCOUNT: &str = "ab12c";

fn legacy(key: &str) -> String {
    format!("https://www.zenduty.com/api/events/{key}/")
}

fn generic(key: &str) -> String {
    format!("https://events.zenduty.com/integration/{ACCOUNT}/generic/{key}/")
}

/// The atomic writer's temporary files below `root`.
fn temp_files(root: &Path) -> Vec<PathBuf> {
    snapshot(root)
        .into_keys()
        .filter(|p| zenduty_migrate::write::is_temp_file(p))
        .collect()
}

/// A small deterministic generator (SplitMix64), so a failing kill schedule can be replayed with
/// `ZM_FAULT_SEED`.
struct Rng(u64);

impl Rng {
    fn new(default: u64) -> Rng {
        let seed = std::env::var("ZM_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        eprintln!("fault seed: {seed} (set ZM_FAULT_SEED to replay)");
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        let span = hi.saturating_sub(lo).as_micros().max(1) as u64;
        lo + Duration::from_micros(self.next() % span)
    }
}

/// `count` files in 40 directories, each holding legacy URLs among some kilobytes of other text
/// (CRLF in some, no final newline in others); returns (path, old bytes, new bytes).
fn many_files(root: &Path, count: usize) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
    let mut files = Vec::with_capacity(count);
    for i in 0..count {
        let dir = root.join(format!("svc{:02}", i % 40));
        std::fs::create_dir_all(&dir).unwrap();
        let eol = if i % 3 == 0 { "\r\n" } else { "\n" };
        let key = format!("k{i:05}-d58c08d0-75f7-4c48-8220");
        let filler = format!("# filler line {i} for the service configuration{eol}").repeat(40);
        let body = |url_a: &str, url_b: &str| {
            let mut s = format!("{filler}ZENDUTY_URL={url_a}{eol}{filler}");
            s.push_str(&format!("post(\"{url_b}\", body){eol}"));
            if i % 5 == 0 {
                s.push_str("last line without newline");
            }
            s.into_bytes()
        };
        let old = body(&legacy(&key), "https://www.zenduty.com/api/events/{}/");
        let new = body(&generic(&key), &generic("{}"));
        let path = dir.join(format!("f{i:05}.env"));
        std::fs::write(&path, &old).unwrap();
        files.push((path, old, new));
    }
    files
}

fn rewrite_all(files: &[(PathBuf, Vec<u8>, Vec<u8>)]) {
    for (path, old, _) in files {
        std::fs::write(path, old).unwrap();
    }
}

fn apply_command(dir: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(["apply", "--account", ACCOUNT, "--allow-dirty"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn timed(mut cmd: Command) -> (i32, Duration) {
    let start = Instant::now();
    let status = cmd.status().unwrap();
    (status.code().unwrap_or(-1), start.elapsed())
}

/// Each file is exactly its old or its new content; returns how many are new.
fn old_or_new(files: &[(PathBuf, Vec<u8>, Vec<u8>)]) -> usize {
    let mut new_count = 0;
    for (path, old, new) in files {
        let now = std::fs::read(path).unwrap();
        if now == *new {
            new_count += 1;
        } else {
            assert!(
                now == *old,
                "{} is neither old nor new ({} bytes)",
                path.display(),
                now.len()
            );
        }
    }
    new_count
}

#[test]
fn sigkill_during_apply_leaves_every_file_old_or_new_and_a_rerun_finishes() {
    const FILES: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let files = many_files(dir.path(), FILES);

    // Calibrate: `diff` does everything but write; the write phase of `apply` follows it.
    let mut diff_cmd = Command::new(bin());
    diff_cmd
        .args(["diff", "--account", ACCOUNT])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let (code, before_writes) = timed(diff_cmd);
    assert_eq!(code, 1, "diff sees pending changes");
    // A run that is not killed: every file new, no temporary file left.
    let (code, full) = timed(apply_command(dir.path()));
    assert_eq!(code, 0);
    assert_eq!(old_or_new(&files), FILES);
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
    eprintln!("diff {before_writes:?}, apply {full:?} for {FILES} files");

    let mut rng = Rng::new(0x5eed_0006);
    let mut mixed = 0;
    let mut attempts = 0;
    while attempts < 10 && mixed < 2 {
        attempts += 1;
        rewrite_all(&files);
        // Mostly inside the write phase, sometimes before it.
        let delay = rng.between(before_writes.mul_f64(0.5), full.mul_f64(1.1));
        let mut child = apply_command(dir.path()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let written = old_or_new(&files);
        let temps = temp_files(dir.path());
        eprintln!(
            "attempt {attempts}: killed after {delay:?} ({status}): {written} of {FILES} new, \
             {} temporary files",
            temps.len()
        );
        if (written == 0 || written == FILES) && temps.is_empty() {
            // Killed before the first write or after the last: nothing to recover.
            continue;
        }
        if written > 0 && written < FILES {
            mixed += 1;
        }
        // A temporary file left by the kill holds a prefix of some new content, never a file's
        // only copy; the rerun neither scans nor trips over it, and finishes the migration.
        for t in &temps {
            let bytes = std::fs::read(dir.path().join(t)).unwrap();
            assert!(
                files.iter().any(|(_, _, new)| new.starts_with(&bytes)),
                "{} holds something else",
                t.display()
            );
        }
        let rerun = zm(
            dir.path(),
            &["apply", "--account", ACCOUNT, "--allow-dirty"],
        );
        assert_eq!(rerun.code, 0, "{}", rerun.stderr);
        assert!(
            !rerun.stdout.contains(zenduty_migrate::write::TEMP_PREFIX),
            "a temporary file was scanned"
        );
        assert_eq!(
            old_or_new(&files),
            FILES,
            "the rerun completes the migration"
        );
        assert_eq!(
            temp_files(dir.path()),
            temps,
            "the rerun left temporary files"
        );
        if mixed <= 1 {
            let scan = zm(dir.path(), &["scan", "--account", ACCOUNT]);
            assert_eq!(scan.code, 0, "{}", scan.stdout);
        }
        for t in temps {
            std::fs::remove_file(dir.path().join(t)).unwrap();
        }
    }
    assert!(
        mixed > 0,
        "no kill landed inside the write phase in {attempts} attempts"
    );
}

/// Run the binary with a deadline: a hang fails the test instead of blocking it.
fn zm_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("zenduty-migrate {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stdout_bytes: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_outside_the_tree_is_kept_and_never_written_through() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.env");
    let text = format!("Z={}\n", legacy("K1"));
    std::fs::write(&target, &text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    symlink(&target, dir.path().join("link.env")).unwrap();
    // A link inside the tree to a file inside the tree: with --follow the file is rewritten
    // and the link stays a link.
    std::fs::write(dir.path().join("real.env"), &text).unwrap();
    symlink("real.env", dir.path().join("inner-link.env")).unwrap();

    let walked = zm(dir.path(), &["apply", "--account", ACCOUNT]);
    assert_eq!(walked.code, 0, "{}", walked.stderr);
    let named = zm(dir.path(), &["apply", "--account", ACCOUNT, "link.env"]);
    // Named on the command line (as pre-commit names a staged link): read, never written through.
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert!(named.stderr.contains("outside"), "{}", named.stderr);
    std::fs::write(dir.path().join("real.env"), &text).unwrap();
    let followed = zm(dir.path(), &["apply", "--account", ACCOUNT, "--follow"]);
    assert_eq!(followed.code, 2, "{}", followed.stderr);
    assert!(followed.stderr.contains("link.env"), "{}", followed.stderr);
    assert!(followed.stderr.contains("outside"), "{}", followed.stderr);

    assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
    assert!(is_link(&dir.path().join("link.env")));
    assert!(is_link(&dir.path().join("inner-link.env")));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.env")).unwrap(),
        format!("Z={}\n", generic("K1"))
    );
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
    assert_eq!(temp_files(outside.path()), Vec::<PathBuf>::new());
}

#[cfg(unix)]
#[test]
fn link_loops_do_not_hang_and_the_other_files_are_processed() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    symlink("loop-b", root.join("loop-a")).unwrap();
    symlink("loop-a", root.join("loop-b")).unwrap();
    symlink("self", root.join("self")).unwrap();
    std::fs::create_dir(root.join("d")).unwrap();
    symlink("..", root.join("d/up")).unwrap();
    symlink(".", root.join("d/here")).unwrap();
    let text = format!("Z={}\n", legacy("K1"));
    let file = root.join("d/a.env");
    for follow in [false, true] {
        std::fs::write(&file, &text).unwrap();
        let mut args = vec!["apply", "--account", ACCOUNT];
        if follow {
            args.push("--follow");
        }
        let out = zm_within(root, &args, Duration::from_secs(60));
        if follow {
            // The loops are reported (and make the run an error), the real file is still done.
            assert_eq!(out.code, 2, "{}", out.stderr);
            assert!(out.stderr.to_lowercase().contains("loop"), "{}", out.stderr);
        } else {
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            format!("Z={}\n", generic("K1")),
            "follow={follow}"
        );
        for link in ["loop-a", "loop-b", "self", "d/up", "d/here"] {
            assert!(is_link(&root.join(link)), "{link} is no longer a link");
        }
    }
}

#[cfg(unix)]
#[test]
fn odd_names_and_contents_keep_every_byte_outside_the_urls() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (l, g) = (legacy("K1"), generic("K1"));
    // (file name, old bytes, new bytes)
    let mut cases: Vec<(PathBuf, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut case = |name: &[u8], old: Vec<u8>, new: Vec<u8>| {
        cases.push((PathBuf::from(std::ffi::OsStr::from_bytes(name)), old, new));
    };
    let both = |pattern: &str| {
        (
            pattern.replace("URL", &l).into_bytes(),
            pattern.replace("URL", &g).into_bytes(),
        )
    };
    let (o, n) = both("Z=URL\n");
    case(b"caf\xe9-\xff.env", o, n);
    case(b"empty.env", Vec::new(), Vec::new());
    case(b"empty.json", Vec::new(), Vec::new());
    let (o, n) = both("a\nZ=URL");
    case(b"no-final-newline.env", o, n);
    let (o, n) = both("a\r\nZ=URL\r\nb\nc=URL\rd\n\r\nURL");
    case(b"mixed-endings.txt", o, n);
    let (o, n) = both("\u{feff}URL\n");
    case(b"bom.txt", o, n);
    let (o, n) = both("\u{feff}{\"url\": \"URL\"}\r\n");
    case(b"bom.json", o, n);
    let (mut o, mut n) = both("# caf\u{e9}\nZ=URL\n");
    // Latin-1 bytes around the URL.
    o.extend_from_slice(b"\xe9t\xe9\n");
    n.extend_from_slice(b"\xe9t\xe9\n");
    o.insert(0, 0xe9);
    n.insert(0, 0xe9);
    case(b"latin1.sh", o, n);
    for (name, old, _) in &cases {
        std::fs::write(root.join(name), old).unwrap();
    }
    let out = zm(root, &["apply", "--account", ACCOUNT]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for (name, _, new) in &cases {
        let now = std::fs::read(root.join(name)).unwrap();
        assert!(
            now == *new,
            "{:?}:\n{:?}\nexpected\n{:?}",
            name,
            String::from_utf8_lossy(&now),
            String::from_utf8_lossy(new)
        );
    }
    let again = zm(root, &["apply", "--account", ACCOUNT]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "", "a second apply printed a diff");
    assert_eq!(temp_files(root), Vec::<PathBuf>::new());
}

#[test]
fn a_200_mb_single_line_file_with_a_url_at_its_end() {
    const SIZE: usize = 200 << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.min.js");
    // Minified-looking text with a near miss every 64 KiB, and the URL as its last bytes.
    let unit = b"var a=1,b=\"x\";function f(){return a+b};";
    let mut block = Vec::with_capacity(1 << 16);
    while block.len() + unit.len() < (1 << 16) - 40 {
        block.extend_from_slice(unit);
    }
    block.extend_from_slice(b"\"https://zenduty.com/api/events-archive\";");
    // The URL follows `;u=` so that it starts a token, whatever byte the filler ends with.
    let (l, g) = (
        format!(";u={}", legacy("K1")),
        format!(";u={}", generic("K1")),
    );
    let body = SIZE - l.len();
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut left = body;
        while left > 0 {
            let n = left.min(block.len());
            f.write_all(&block[..n]).unwrap();
            left -= n;
        }
        f.write_all(l.as_bytes()).unwrap();
        f.flush().unwrap();
    }
    let start = Instant::now();
    let out = zm(
        dir.path(),
        &["apply", "--account", ACCOUNT, "--format", "json", "--quiet"],
    );
    eprintln!("apply of a 200 MB line took {:?}", start.elapsed());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["files"][0]["path"], "bundle.min.js", "{}", out.stdout);
    assert_eq!(doc["files"][0]["edits"].as_array().unwrap().len(), 1);

    // Compare in blocks, without holding a second copy.
    use std::io::Read;
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.len() as usize, body + g.len());
    let mut f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).unwrap());
    let mut buf = vec![0; block.len()];
    let mut left = body;
    while left > 0 {
        let n = left.min(block.len());
        f.read_exact(&mut buf[..n]).unwrap();
        assert!(buf[..n] == block[..n], "bytes before the URL changed");
        left -= n;
    }
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).unwrap();
    assert_eq!(String::from_utf8(tail).unwrap(), g);
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
}

/// A tree with one broken structured file and one good file, both holding a legacy URL.
fn broken_tree(name: &str, broken: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join(name);
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, broken).unwrap();
    let good = dir.path().join("deploy.sh");
    std::fs::write(&good, format!("curl -X POST {}\n", legacy("K1"))).unwrap();
    (dir, bad, good)
}

fn assert_broken_file_refused(name: &str, broken: &str) {
    let (dir, bad, good) = broken_tree(name, broken);
    for command in ["scan", "diff", "apply"] {
        let mut args = vec![command, "--account", ACCOUNT];
        if command == "apply" {
            args.push("--allow-dirty");
        }
        let out = zm(dir.path(), &args);
        assert_eq!(
            out.code, 2,
            "{command} {name}: {}\n{}",
            out.stderr, out.stdout
        );
        assert!(
            out.stderr.contains(name),
            "{command}: the message names {name}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        if command == "diff" {
            assert!(out.stdout.contains("deploy.sh"), "{}", out.stdout);
            assert!(
                !out.stdout.contains(name),
                "a diff for {name}: {}",
                out.stdout
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        broken,
        "{name} was written"
    );
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        format!("curl -X POST {}\n", generic("K1")),
        "the other file was not processed"
    );
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn a_broken_json_rule_export_is_named_left_intact_and_the_others_are_written() {
    let broken = format!(
        "{{\n  \"name\": \"x\",\n  \"application_reference\": {{ \"name\": \"API\" }},\n  \
         \"webhook\": \"{}\",\n  \"alert_rules\": [ {{ \"rule_json\": \"{{}}\" }}, ]\n}}\n",
        legacy("K1")
    );
    assert_broken_file_refused("exports/broken.json", &broken);
}

#[test]
fn a_broken_yaml_rule_export_is_named_left_intact_and_the_others_are_written() {
    let broken = format!(
        "application_reference:\n  name: API\nwebhook: {}\nalert_rules:\n  - rule_json: \"{{\n    \
         bad: [unclosed\n",
        legacy("K1")
    );
    assert_broken_file_refused("exports/broken.yaml", &broken);
}

#[test]
fn invalid_terraform_is_named_left_intact_and_the_others_are_written() {
    let broken = format!(
        "resource \"zenduty_integrations\" \"api\" {{\n  name = \"api\"\n  \
         application = \"27c9800c-2856-490d-8119-790be1308dd4\"\n}}\n\nlocals {{\n  \
         url = \"{}\"\n  broken = [1, 2\n",
        legacy("K1")
    );
    assert_broken_file_refused("terraform/main.tf", &broken);
}

/// SPEC 7's re-parse rule protects files that parsed; a JSON or YAML file that did not parse
/// before (JSON with comments, a Helm template) and is not a rule export still gets its URLs
/// rewritten: a URL substitution keeps every other byte, so it cannot break the file further,
/// and refusing would leave the legacy endpoint in exactly the files that hold it most.
#[test]
fn a_url_in_json_with_comments_or_a_helm_template_is_still_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let jsonc = "{\n  // the alerting endpoint\n  \"url\": \"URL\",\n}\n";
    let helm = "{{- if .Values.alerts }}\nurl: \"URL{{ .Values.key }}/\"\n{{- end }}\n";
    for (name, text) in [("settings.json", jsonc), ("templates/alerts.yaml", helm)] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            text.replace("URL", "https://www.zenduty.com/api/events/"),
        )
        .unwrap();
    }
    let out = zm(dir.path(), &["apply", "--account", ACCOUNT]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let base = format!("https://events.zenduty.com/integration/{ACCOUNT}/generic/");
    for (name, text) in [("settings.json", jsonc), ("templates/alerts.yaml", helm)] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            text.replace("URL", &base),
            "{name}"
        );
    }
}

/// `chattr +i` on a path, undone on drop (even when the test panics) so the temporary
/// directory can be removed.
struct Immutable(PathBuf);

impl Immutable {
    /// `None` when this filesystem or user cannot make files immutable.
    fn set(path: &Path) -> Option<Immutable> {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Make `path` unwritable: immutable where chattr works, otherwise (not root) read-only.
/// Panics when neither is possible, rather than pass without testing anything.
fn unwritable(path: &Path) -> Option<Immutable> {
    if let Some(guard) = Immutable::set(path) {
        return Some(guard);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        let still_writable = if path.is_dir() {
            tempfile::tempfile_in(path).is_ok()
        } else {
            std::fs::OpenOptions::new().write(true).open(path).is_ok()
        };
        assert!(
            !still_writable,
            "cannot make {} unwritable here: chattr +i failed and this user bypasses \
             permissions (install e2fsprogs, or run on ext4/xfs/btrfs)",
            path.display()
        );
    }
    None
}

fn assert_unwritable_is_reported(make_locked: impl Fn(&Path) -> PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let old = format!("Z={}\n", legacy("K1"));
    let new = format!("Z={}\n", generic("K1"));
    for name in ["a.env", "locked/b.env", "z.env"] {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &old).unwrap();
    }
    let locked_file = dir.path().join("locked/b.env");
    let guard = unwritable(&make_locked(dir.path()));
    let out = zm(dir.path(), &["apply", "--account", ACCOUNT]);
    drop(guard);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("locked/b.env") && out.stderr.contains("error"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&locked_file).unwrap(), old);
    for name in ["a.env", "z.env"] {
        assert_eq!(std::fs::read_to_string(dir.path().join(name)).unwrap(), new);
    }
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn an_immutable_file_fails_loudly_stays_intact_and_the_others_are_written() {
    assert_unwritable_is_reported(|root| root.join("locked/b.env"));
}

#[test]
fn a_file_in_an_immutable_directory_fails_loudly_and_the_others_are_written() {
    assert_unwritable_is_reported(|root| root.join("locked"));
}

/// Run the CLI in this thread (so a `write::seam` hook sees its prepare and commit).
fn run_in_process(args: &[&str]) -> (u8, String) {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = zenduty_migrate::cli::run(
        std::iter::once("zenduty-migrate").chain(args.iter().copied()),
        &mut zenduty_migrate::cli::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdout_tty: false,
            stderr_tty: false,
        },
    );
    let code = (0..=2u8)
        .find(|&c| std::process::ExitCode::from(c) == code)
        .unwrap_or_else(|| panic!("exit code {code:?}"));
    (code, String::from_utf8_lossy(&stderr).into_owned())
}

#[test]
fn a_file_changed_between_read_and_write_is_not_written_and_is_reported() {
    use zenduty_migrate::write::seam::{self, Point};
    for point in [Point::Prepare, Point::Commit, Point::Rename] {
        for remove in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let victim = dir.path().join("victim.env");
            let other = dir.path().join("other.env");
            let old = format!("Z={}\n", legacy("K1"));
            std::fs::write(&victim, &old).unwrap();
            std::fs::write(&other, &old).unwrap();
            let theirs = format!("{old}# someone else's edit\n");
            let hooked = victim.clone();
            let change = theirs.clone();
            let _hook = seam::install(move |at, path| {
                if at == point && path == hooked {
                    if remove {
                        std::fs::remove_file(path).unwrap();
                    } else {
                        std::fs::write(path, &change).unwrap();
                    }
                }
            });
            let root = dir.path().to_str().unwrap();
            let (code, stderr) = run_in_process(&["apply", "--account", ACCOUNT, "--quiet", root]);
            let what = format!("{point:?}, remove={remove}");
            assert_eq!(code, 2, "{what}: {stderr}");
            assert!(stderr.contains("victim.env"), "{what}: {stderr}");
            if remove {
                assert!(!victim.exists(), "{what}: a removed file came back");
            } else {
                assert!(stderr.contains("changed on disk"), "{what}: {stderr}");
                assert_eq!(std::fs::read_to_string(&victim).unwrap(), theirs, "{what}");
            }
            assert_eq!(
                std::fs::read_to_string(&other).unwrap(),
                format!("Z={}\n", generic("K1")),
                "{what}"
            );
            assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new(), "{what}");
        }
    }
}

#[test]
fn concurrent_runs_on_disjoint_files_are_safe() {
    const RUNS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let files = many_files(dir.path(), 400);
    git_init_commit(dir.path());
    // Interleaved batches, as pre-commit hands them out: every run writes in every directory,
    // and each runs the dirty-tree check while the others write.
    let children: Vec<_> = (0..RUNS)
        .map(|r| {
            let mut cmd = Command::new(bin());
            cmd.args(["apply", "--account", ACCOUNT, "--quiet"])
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            for (path, _, _) in files.iter().skip(r).step_by(RUNS) {
                cmd.arg(path.strip_prefix(dir.path()).unwrap());
            }
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(old_or_new(&files), files.len());
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
}

/// A detector that panics on one file (found by the analyze fuzzer: a Terraform rule whose
/// `integration_id` is `zenduty_integrations.NAME`) must not take the run down: the file is
/// reported and left alone, the others are written. Once the detector is fixed the file is simply
/// processed.
#[test]
fn a_file_that_trips_a_detector_is_reported_and_the_others_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let tf =
        "resource \"zenduty_alertrules\" \"o\" {\n  integration_id = zenduty_integrations.e\n}\n";
    std::fs::write(dir.path().join("main.tf"), tf).unwrap();
    let old = format!("Z={}\n", legacy("K1"));
    std::fs::write(dir.path().join("a.env"), &old).unwrap();
    let out = zm(dir.path(), &["apply", "--account", ACCOUNT]);
    assert!(
        out.code == 0 || out.code == 2,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    if out.code == 2 {
        assert!(out.stderr.contains("main.tf"), "{}", out.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        tf
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.env")).unwrap(),
        format!("Z={}\n", generic("K1"))
    );
}
