//! The fuzz targets' invariants (tests/invariants/mod.rs) in the normal suite: a short proptest
//! form of each target, and a replay of the committed fuzz corpus (`fuzz/corpus/<target>/`).

mod invariants;

use std::path::Path;

use proptest::prelude::*;

/// Text made of pieces that matter to the detectors: URL parts in every escape style, rule-export
/// and Terraform keywords, quotes, brackets, line ends, and arbitrary bytes.
fn pieces() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "https://",
            "http://",
            "//",
            "https:\\/\\/",
            "\\/\\/",
            "www.",
            "events.",
            "zenduty.com",
            "ZENDUTY.COM",
            "/api/events",
            "\\/api\\/events",
            "/",
            "\\/",
            "\\",
            "/integration/",
            "ab12c",
            "/generic",
            "d58c08d0-75f7-4c48-8220-422b51b31847",
            "${KEY}",
            "{{ .Values.k }}",
            "{}",
            "%s",
            "$KEY",
            "<key>",
            "?q=1",
            "#f",
            "\"",
            "'",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "\r\n",
            "rule_json",
            "application_reference",
            "\"name\": \"API\"",
            "payload",
            "\"alert.payload\"",
            "\"payloadsearch\"",
            "\"$.severity\"",
            "resource ",
            "\"zenduty_integrations\" \"a\" ",
            "\"zenduty_alertrules\" \"r\" ",
            "integration_id = zenduty_integrations.a.id\n",
            "= ",
            "jsonencode(",
            ")",
            "zenduty-migrate: ignore",
            "\u{feff}",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// Rule-builder trees as JSON text, with payload and other conditions.
fn rule_doc() -> impl Strategy<Value = Vec<u8>> {
    let path = prop::sample::select(vec![
        "$.severity",
        "$",
        "$..host",
        "$['a b']",
        "$.payload.x",
        "severity",
        "$.alerts[0].x",
        "",
    ]);
    let field = prop::sample::select(vec!["alert.payload", "alert.message"]);
    let op = prop::sample::select(vec!["payloadsearch", "like", "\\u0070ayloadsearch"]);
    let leaf = (field, op, path).prop_map(|(f, o, p)| {
        let p = p.replace('$', if p.len() % 2 == 0 { "\\u0024" } else { "$" });
        format!(
            "{{\"type\":\"rule\",\"properties\":{{\"field\":\"{f}\",\"operator\":\"{o}\",\
             \"value\":[\"{p}\",\"x\"]}},\"path\":[\"a\"]}}"
        )
    });
    prop::collection::vec(leaf, 0..4).prop_map(|leaves| {
        let children: Vec<String> = leaves
            .iter()
            .enumerate()
            .map(|(i, l)| format!("\"c{i}\":{l}"))
            .collect();
        format!(
            "{{\"type\":\"group\",\"children1\":{{{}}},\"properties\":{{\"conjunction\":\"AND\"}}}}",
            children.join(",")
        )
        .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn url_find_and_rewrite_hold_their_invariants(text in pieces()) {
        invariants::check_url(&text);
    }

    #[test]
    fn config_parse_never_panics(text in "([a-z_\\[\\]\\.\"= \n{}0-9,$-]|account|accounts|scan|exclude|rules|payload_root|terraform|api_integrations){0,40}") {
        invariants::check_config(&text);
    }

    #[test]
    fn analyze_holds_its_invariants(pick in 0..invariants::PATHS.len(), text in pieces()) {
        invariants::check_analyze(invariants::PATHS[pick], &text);
    }

    #[test]
    fn rule_json_conversion_holds_its_invariants(doc in rule_doc()) {
        invariants::check_rule_json(&doc);
    }
}

/// Every input in `fuzz/corpus/<target>/`, through the target's checks.
fn replay(target: &str, check: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        assert!(
            result.is_ok(),
            "{} breaks the {target} invariants",
            path.display()
        );
        count += 1;
    }
    count
}

#[test]
fn the_fuzz_corpus_holds_the_invariants() {
    let url = replay("url", invariants::check_url);
    let analyze = replay("analyze", |data| {
        if let Some((&pick, text)) = data.split_first() {
            invariants::check_analyze(
                invariants::PATHS[pick as usize % invariants::PATHS.len()],
                text,
            );
        }
    });
    let config = replay("config", |data| {
        if let Ok(text) = std::str::from_utf8(data) {
            invariants::check_config(text);
        }
    });
    let rule_json = replay("rule_json", invariants::check_rule_json);
    assert!(url > 0 && analyze > 0 && config > 0 && rule_json > 0);
}
