//! Property tests of the engine as a whole: the splicer never touches a byte outside its edits,
//! arbitrary bytes never make the detectors panic, and rewriting is idempotent.

use std::path::Path;

use proptest::prelude::*;
use zenduty_migrate::config::Config;
use zenduty_migrate::edit::{splice, Edit};
use zenduty_migrate::finding::Status;
use zenduty_migrate::scan;

fn config() -> Config {
    Config::parse("account = \"ab12c\"\n", Path::new("z.toml")).unwrap()
}

/// Rewritable edits of a text, as `apply` computes them.
fn edits(path: &str, text: &[u8], config: &Config) -> Vec<Edit> {
    scan::analyze(Path::new(path), text, config, None)
        .findings
        .into_iter()
        .filter(|f| f.status == Status::Rewritable)
        .filter_map(|f| f.edit)
        .collect()
}

fn url_piece() -> impl Strategy<Value = String> {
    // `select`, not string strategies: these are literals, not regexes.
    let pick = |items: &[&'static str]| prop::sample::select(items.to_vec());
    let scheme = pick(&["https://", "http://", "//", "", "HTTPS://"]);
    let host = pick(&[
        "events.zenduty.com",
        "www.zenduty.com",
        "zenduty.com",
        "WWW.Zenduty.COM",
    ]);
    let key = pick(&[
        "/d58c08d0-75f7-4c48-8220-422b51b31847",
        "/${KEY}",
        "/{{ .Values.zenduty.key | quote }}",
        "/{}",
        "/%s",
        "",
        "/$KEY",
        "/<integration-key>",
    ]);
    let slash = pick(&["/", ""]);
    let suffix = pick(&["", "?source=ci", "#frag"]);
    (scheme, host, key, slash, suffix)
        .prop_map(|(s, h, k, sl, q)| format!("{s}{h}/api/events{k}{sl}{q}"))
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    let filler = prop_oneof![
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        "[a-z =:]{0,12}",
        Just("zenduty".to_string()),
    ];
    prop::collection::vec(prop_oneof![url_piece(), filler], 0..24)
        .prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #[test]
    fn analyze_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let config = config();
        for path in ["a.txt", "a.tf", "a.json", "a.yaml", "a.py", "a.go", "a.sh"] {
            let analysis = scan::analyze(Path::new(path), &bytes, &config, None);
            for f in &analysis.findings {
                prop_assert!(f.range.start <= f.range.end && f.range.end <= bytes.len());
            }
        }
    }

    #[test]
    fn splice_touches_only_edited_ranges(
        original in prop::collection::vec(any::<u8>(), 0..512),
        cuts in prop::collection::vec((0usize..512, 0usize..8, prop::collection::vec(any::<u8>(), 0..8)), 0..8),
    ) {
        // Build non-overlapping edits from arbitrary cut points.
        let mut edits: Vec<Edit> = Vec::new();
        let mut sorted = cuts.clone();
        sorted.sort_by_key(|c| c.0);
        let mut cursor = 0;
        for (start, len, replacement) in sorted {
            let start = start.min(original.len()).max(cursor);
            let end = (start + len).min(original.len());
            if start > original.len() || (start == end && edits.iter().any(|e| e.range.start == start)) {
                continue;
            }
            edits.push(Edit::new(start..end, replacement));
            cursor = end.max(start + 1);
        }
        let out = splice(&original, &edits).unwrap();
        // Walk both buffers: every byte outside an edit is the same, in order.
        let mut o = 0;
        let mut n = 0;
        for e in &edits {
            prop_assert_eq!(&original[o..e.range.start], &out[n..n + (e.range.start - o)]);
            n += e.range.start - o;
            prop_assert_eq!(&out[n..n + e.replacement.len()], &e.replacement[..]);
            n += e.replacement.len();
            o = e.range.end;
        }
        prop_assert_eq!(&original[o..], &out[n..]);
    }

    #[test]
    fn rewriting_is_idempotent(doc in document()) {
        let config = config();
        let first = edits("a.txt", &doc, &config);
        let once = splice(&doc, &first).unwrap();
        let second = edits("a.txt", &once, &config);
        prop_assert!(second.is_empty(), "second pass wants {:?} on {:?}", second, String::from_utf8_lossy(&once));
        let rescanned = scan::analyze(Path::new("a.txt"), &once, &config, None);
        prop_assert!(rescanned.findings.iter().all(|f| f.status != Status::Rewritable));
    }
}
