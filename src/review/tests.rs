use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::finding::Kind;

/// `(matched text, kind)` for each finding.
fn run(name: &str, src: &str) -> Vec<(String, Kind)> {
    find(Path::new(name), src.as_bytes())
        .into_iter()
        .map(|f| (src[f.range.clone()].to_string(), f.kind))
        .collect()
}

fn texts(name: &str, src: &str) -> Vec<String> {
    run(name, src).into_iter().map(|(t, _)| t).collect()
}

#[test]
fn python_reads_after_legacy_post() {
    let src = r#"
import requests
URL = "https://www.zenduty.com/api/events/K1/"
r = requests.post(URL, json={"message": "m"})
print(r.json()["unique_id"], r.json().get('creation_date'))
assert r.status_code == 201
"#;
    assert_eq!(
        texts("a.py", src),
        [
            r#"["unique_id"]"#,
            ".get('creation_date'",
            "status_code == 201"
        ]
    );
    assert!(run("a.py", src)
        .iter()
        .all(|(_, k)| *k == Kind::LegacyResponse));
}

#[test]
fn transitive_binding_through_a_base_url() {
    let src = r#"
ZD_BASE = "https://events.zenduty.com/api/events"
def send(key, body):
    url = f"{ZD_BASE}/{key}/"
    resp = session.post(url, json=body)
    return resp.json()["integration_object"]
"#;
    assert_eq!(texts("a.py", src), [r#"["integration_object"]"#]);
}

#[test]
fn json_escaped_and_multiline_urls_count() {
    let src = "url = (\n    \"https:\\/\\/events.zenduty.com\\/api\\/events\\/\"\n    + key\n)\nr = requests.post(url)\nr.json()[\"unique_id\"]\n";
    assert_eq!(texts("a.py", src), [r#"["unique_id"]"#]);
}

#[test]
fn reads_beyond_the_window_do_not_count() {
    let mut src =
        String::from("URL = \"https://www.zenduty.com/api/events/K1/\"\nr = requests.post(URL)\n");
    src.push_str(&"x = 1\n".repeat(45));
    src.push_str("print(data[\"unique_id\"])\n");
    assert!(texts("a.py", &src).is_empty());
}

#[test]
fn a_post_without_zenduty_evidence_does_not_count() {
    let src = "import requests  # zenduty is paged elsewhere\nr = requests.post(url)\nr.json()[\"unique_id\"]\n";
    assert!(texts("a.py", src).is_empty());
    // A Zenduty URL only in a comment is not evidence either.
    let src = "# https://www.zenduty.com/api/events/K/\nr = requests.post(url)\nr.json()[\"unique_id\"]\n";
    assert!(texts("a.py", src).is_empty());
}

#[test]
fn zenduty_rest_api_is_not_the_events_endpoint() {
    // `POST /api/incidents/` really does answer with a `unique_id`.
    let src = r#"
ZENDUTY_URL = "https://www.zenduty.com"
r = requests.post(ZENDUTY_URL + "/api/incidents/", json=body)
print(r.json()["unique_id"])
"#;
    assert!(texts("a.py", src).is_empty());
}

#[test]
fn reassigned_url_uses_the_binding_in_effect() {
    let src = r#"
url = "https://www.zenduty.com/api/events/K/"
requests.post(url, json=a)
url = os.environ["TICKETS"]
r = requests.post(url, json=b)
r.json()["unique_id"]
"#;
    assert!(texts("a.py", src).is_empty());
}

#[test]
fn js_forms() {
    let src = r#"
const url = "https://events.zenduty.com/integration/ab12c/generic/K/";
const res = await axios.post(url, body);
const a = res.data.unique_id, b = res.data["creation_date"], c = res.data.status;
res.data.unique_id = "x";
"#;
    assert_eq!(
        texts("a.ts", src),
        [".unique_id", r#"["creation_date"]"#, ".data.status"]
    );
}

#[test]
fn js_http_status_is_not_the_alert_status() {
    let src = r#"
const r = await fetch("https://www.zenduty.com/api/events/K/", { method: "POST" });
if (r.status !== 200) throw new Error(String(r.status));
"#;
    assert!(texts("a.js", src).is_empty());
}

#[test]
fn js_fetch_without_post_is_a_get() {
    let src = r#"
const r = await fetch("https://www.zenduty.com/api/events/K/");
console.log((await r.json()).unique_id);
"#;
    assert!(texts("a.js", src).is_empty());
}

#[test]
fn template_literal_interpolation_is_code_and_comments_are_not() {
    let src = "const r = await axios.post(`https://www.zenduty.com/api/events/${k}/`, b);\n\
               // console.log(r.data.unique_id)\n\
               /* r.data.creation_date */\n\
               log(`id=${r.data.unique_id} // not a comment`);\n";
    assert_eq!(texts("a.js", src), [".unique_id"]);
}

#[test]
fn python_docstrings_and_comments_are_ignored() {
    let src = "r = requests.post(\"https://www.zenduty.com/api/events/K/\")\n\
               \"\"\"\nr.json()[\"unique_id\"]\n\"\"\"\n\
               # r.json()[\"unique_id\"]\n\
               s = '#'; print(r.json()[\"creation_date\"])\n";
    assert_eq!(texts("a.py", src), [r#"["creation_date"]"#]);
}

#[test]
fn go_struct_tags_follow_their_type() {
    let src = "package p\nimport \"net/http\"\n\
               type zd struct {\n\tID string `json:\"unique_id\"`\n}\n\
               type other struct {\n\tID string `json:\"unique_id\"`\n}\n\
               func f() {\n\tresp, _ := http.Post(\"https://www.zenduty.com/api/events/K/\", \"application/json\", nil)\n\
               \tvar out zd\n\t_ = resp\n}\n";
    let got = find(Path::new("a.go"), src.as_bytes());
    assert_eq!(got.len(), 1);
    assert_eq!(&src[got[0].range.clone()], "json:\"unique_id\"");
    assert!(got[0].range.start < src.find("type other").unwrap());
}

#[test]
fn go_anonymous_struct_after_post() {
    let src = "package p\nfunc f() {\n\treq, _ := http.NewRequest(\"POST\", \"https://www.zenduty.com/api/events/K/\", b)\n\
               \tvar out struct {\n\t\tID string `json:\"unique_id\"`\n\t}\n}\n";
    assert_eq!(texts("a.go", src), ["json:\"unique_id\""]);
}

#[test]
fn ruby_forms() {
    let src = r#"
uri = URI.parse("https://www.zenduty.com/api/events/#{key}/")
res = Net::HTTP.post(uri, body, headers)
data = JSON.parse(res.body)
data.dig("unique_id")
data.fetch(:creation_date)
res.is_a?(Net::HTTPCreated)
"#;
    assert_eq!(
        texts("a.rb", src),
        [
            ".dig(\"unique_id",
            ".fetch(:creation_date",
            "Net::HTTPCreated"
        ]
    );
}

#[test]
fn ruby_faraday_connection_with_host_elsewhere() {
    let src = r#"
conn = Faraday.new(url: "https://www.zenduty.com")
res = conn.post("/api/events/#{key}/", body.to_json)
JSON.parse(res.body)["unique_id"]
"#;
    assert_eq!(texts("a.rb", src), [r#"["unique_id"]"#]);
}

#[test]
fn shell_pipeline_and_later_jq() {
    let src =
        "#!/bin/bash\nR=$(curl -fsS --data-raw \"$B\" https://www.zenduty.com/api/events/$K/)\n\
               echo \"$R\" | jq -r --arg x y '.creation_date'\n";
    assert_eq!(texts("ci", src), [".creation_date"]);
    // Without a shebang an extensionless file is not a script.
    assert!(texts("ci", &src[12..]).is_empty());
}

#[test]
fn shell_get_and_fail_flags_are_not_posts() {
    // `-f` and `-D` are not `-F` and `-d`.
    let src = "curl -f -D - https://www.zenduty.com/api/events/K/ | jq .unique_id\n";
    assert!(texts("a.sh", src).is_empty());
    let src = "curl -F file=@a https://www.zenduty.com/api/events/K/ | jq .unique_id\n";
    assert_eq!(texts("a.sh", src), [".unique_id"]);
}

#[test]
fn shell_status_needs_the_http_code() {
    let src = "curl -s -d @a https://www.zenduty.com/api/events/K/\n[ \"$n\" = 201 ] && echo ok\n";
    assert!(texts("a.sh", src).is_empty());
}

#[test]
fn python_sdk() {
    let src = r#"
from zenduty import EventsApi, ApiClient
events_api = EventsApi(ApiClient(TOKEN))
events_api.create_event(KEY, body)
self.events_api.create_event(KEY, body)
calendar.create_event(body)
"#;
    let got = run("a.py", src);
    assert_eq!(
        got.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        [
            "events_api.create_event(KEY, body)",
            "self.events_api.create_event(KEY, body)"
        ]
    );
    assert!(got.iter().all(|(_, k)| *k == Kind::LegacySdk));
    let f = &find(Path::new("a.py"), src.as_bytes())[0];
    assert!(f
        .message
        .starts_with("the Python SDK's EventsApi.create_event posts to the legacy"));
}

#[test]
fn sdk_needs_its_import() {
    let src = "api = EventsApi(ApiClient(T))\napi.create_event(K, b)\n";
    assert!(texts("a.py", src).is_empty());
    let src = "# import zenduty\napi = EventsApi(ApiClient(T))\napi.create_event(K, b)\n";
    assert!(texts("a.py", src).is_empty());
    let src = "const e = new EventsApi(c);\ne.createEvent(k, p);\n";
    assert!(texts("a.js", src).is_empty());
}

#[test]
fn go_sdk_message_and_range() {
    let src = "package main\nimport zd \"github.com/Zenduty/zenduty-go-sdk/client\"\nfunc main() {\n\tc.Events.SendAlert(k, &zd.AlertPayload{Message: \"m\"})\n}\n";
    let got = find(Path::new("m.go"), src.as_bytes());
    assert_eq!(got.len(), 1);
    assert_eq!(
        &src[got[0].range.clone()],
        "c.Events.SendAlert(k, &zd.AlertPayload{Message: \"m\"})"
    );
    assert!(got[0]
        .message
        .starts_with("the Go SDK's Events.SendAlert posts"));
}

#[test]
fn unknown_languages_and_empty_input() {
    assert!(find(
        Path::new("README.md"),
        b"requests.post(\"https://www.zenduty.com/api/events/K/\").json()[\"unique_id\"]"
    )
    .is_empty());
    assert!(find(Path::new("a.py"), b"").is_empty());
    assert!(find(Path::new("noext"), b"").is_empty());
}

#[test]
fn shebang_detection() {
    assert_eq!(shebang(b"#!/bin/sh\n").map(|l| l.0), Some(Lang::Shell));
    assert_eq!(
        shebang(b"#!/usr/bin/env -S bash -e\n").map(|l| l.0),
        Some(Lang::Shell)
    );
    assert_eq!(
        shebang(b"#!/usr/bin/env zsh").map(|l| l.0),
        Some(Lang::Shell)
    );
    assert_eq!(shebang(b"#!/usr/bin/env python3\n"), None);
    assert_eq!(shebang(b"echo hi\n"), None);
}

#[test]
fn non_utf8_bytes_are_fine() {
    let mut src =
        b"URL = \"https://www.zenduty.com/api/events/K/\"\n\xff\xfe r = requests.post(URL)\n"
            .to_vec();
    src.extend_from_slice(b"x = r.json()[\"unique_id\"] \xc3\x28\n");
    let got = find(Path::new("a.py"), &src);
    assert_eq!(got.len(), 1);
}

#[test]
fn large_input_is_linear() {
    // Many POSTs and many reads: must stay fast (bounded local scans only).
    let chunk =
        "r = requests.post(\"https://www.zenduty.com/api/events/K/\", json={\"a\": [(((\"\n\
                 x = r.json()[\"unique_id\"]\n";
    let src = chunk.repeat(5_000);
    let t = std::time::Instant::now();
    let got = find(Path::new("a.py"), src.as_bytes());
    // Generous for unoptimised test builds; release runs this in a few milliseconds.
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
    let _ = got;
}

fn check_bounds(name: &str, bytes: &[u8]) {
    let got = find(Path::new(name), bytes);
    for w in got.windows(2) {
        assert!(w[0].range.start <= w[1].range.start);
    }
    for f in got {
        assert!(f.range.start <= f.range.end && f.range.end <= bytes.len());
    }
}

const NAMES: [&str; 8] = [
    "a.py", "a.js", "a.ts", "a.go", "a.rb", "a.sh", "script", "a.md",
];

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512), n in 0usize..8) {
        check_bounds(NAMES[n], &bytes);
    }

    #[test]
    fn never_panics_on_code_like_soup(
        parts in proptest::collection::vec(prop::sample::select(vec![
            "requests.post(", "axios.post(", "fetch(", "{method:'POST'}", "http.Post(", "curl -d x ",
            "| jq '.unique_id'", "[\"unique_id\"]", ".unique_id", "`json:\"unique_id\"`", "status_code == 201",
            "\"https://www.zenduty.com/api/events/K/\"", "url = ", "\n", "(", ")", "{", "}", "\"", "'", "`",
            "#", "//", "/*", "*/", "\"\"\"", "${", "#{", "$(", "<<EOF\n", "EOF\n", "=begin\n", "=end\n",
            "import zenduty\n", "EventsApi(", ").create_event(", ".Events.SendAlert(", "\\", "type T struct {",
            "#!/bin/sh\n", "\u{00e9}", "\u{ff}",
        ]), 0..64),
        n in 0usize..8,
    ) {
        let s: String = parts.concat();
        check_bounds(NAMES[n], s.as_bytes());
    }
}

#[test]
fn reads_must_be_rooted_in_the_response() {
    let src = r#"
import requests
ZENDUTY_URL = "https://events.zenduty.com/api/events/K/"
def f(items, body):
    r = requests.post(ZENDUTY_URL, json=body)
    for item in items:
        print(item["unique_id"])
    x = {"unique_id": r.headers.get("x-id")}
    alert = r.json()
    return alert["unique_id"]
"#;
    assert_eq!(texts("a.py", src), [r#"["unique_id"]"#]);
    assert!(find(Path::new("a.py"), src.as_bytes())[0].range.start > src.find("alert =").unwrap());
}

#[test]
fn shell_reads_only_the_captured_output() {
    let src =
        "resp=$(curl -s -X POST \"$ZENDUTY_WEBHOOK_URL\" -d @a.json)\nother=$(cat cache.json)\n\
               echo \"$other\" | jq -r .unique_id\necho \"$resp\" | jq -r .unique_id\n";
    let got = find(Path::new("a.sh"), src.as_bytes());
    assert_eq!(got.len(), 1);
    assert!(got[0].range.start > src.find("echo \"$resp\"").unwrap());
}
