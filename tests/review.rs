//! Sample-driven tests for the review-only detectors: every file under `tests/review/fire/` marks
//! each line where a finding must start with an `expect: <kind>` comment, and no other line may
//! have one; files under `tests/review/miss/` are near misses that must produce nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use zenduty_migrate::review;

fn samples(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/review")
        .join(dir);
    let mut v: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

fn found(path: &Path, text: &[u8]) -> BTreeSet<(usize, String)> {
    review::find(path, text)
        .iter()
        .map(|f| {
            let line = text[..f.range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            (line, f.kind.as_str().to_string())
        })
        .collect()
}

fn expected(text: &str) -> BTreeSet<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let at = l.find("expect: ")?;
            let kind = l[at + 8..].split_whitespace().next()?;
            Some((i + 1, kind.to_string()))
        })
        .collect()
}

#[test]
fn fire_samples_report_exactly_the_marked_lines() {
    let mut failures = Vec::new();
    let files = samples("fire");
    assert!(files.len() >= 12, "fire samples missing");
    for path in files {
        let text = fs::read(&path).expect("read sample");
        let want = expected(&String::from_utf8_lossy(&text));
        assert!(!want.is_empty(), "{}: no expect markers", path.display());
        let got = found(&path, &text);
        if got != want {
            failures.push(format!(
                "{}:\n  missing {:?}\n  unexpected {:?}",
                path.display(),
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn near_misses_report_nothing() {
    let mut failures = Vec::new();
    for path in samples("miss") {
        let text = fs::read(&path).expect("read sample");
        let got = found(&path, &text);
        if !got.is_empty() {
            failures.push(format!("{}: {:?}", path.display(), got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_are_review_only_and_sorted() {
    for path in samples("fire") {
        let text = fs::read(&path).expect("read sample");
        let fs = review::find(&path, &text);
        assert!(fs.windows(2).all(|w| w[0].range.start <= w[1].range.start));
        for f in &fs {
            assert!(f.edit.is_none() && f.new.is_none());
            assert!(f.range.start < f.range.end && f.range.end <= text.len());
            assert!(!f.message.contains('\n'));
        }
    }
}
