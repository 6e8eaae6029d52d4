//! `legacy-sdk`: calls of the vendor SDKs' event functions, which post to the legacy
//! `/api/events/<key>/` path whatever URL the rest of the code uses. The function names come from
//! the vendor's public SDK sources:
//!
//! | SDK | import | call |
//! |---|---|---|
//! | Python `zenduty-api` (`zenduty/api/events_api.py`) | `import zenduty`, `from zenduty import EventsApi` | `EventsApi(...).create_event(key, body)` |
//! | Python `zenduty-api` v2 (`zenduty/apiV2/events/__init__.py`) | `from zenduty.apiV2.events import EventClient` | `EventClient(client).create_event(...)` |
//! | Go `github.com/Zenduty/zenduty-go-sdk` (`client/events.go`) | the module path | `client.Events.SendAlert(key, payload)` |
//! | JavaScript `zenduty-js` (`zenduty/api/events_api.js`) | `require('zenduty')`, `zenduty-sdk`, `zenduty-api`, `@zenduty/...` | `new EventsApi(client).createEvent(key, payload)` |
//! | Ruby gem `zenduty` (`lib/zenduty/events_api.rb`) | `require 'zenduty'` | `Zenduty::EventsApi.new(token).create_event(key, body)` |
//!
//! Precision: the SDK import must be in the file, and the method must be called on something
//! built from the SDK's events class (a variable assigned from its constructor, a chained
//! constructor, or a receiver whose name says so) so that, say, Google Calendar's
//! `service.events().insert` or an unrelated `create_event` never fires.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::{balanced_close, receiver_start, sdk_message, statement_end, Ctx, Lang};
use crate::finding::{Finding, Kind};

struct SdkRules {
    import: Regex,
    /// Group 1: a variable assigned from the events class constructor.
    ctor: Regex,
    /// The method call; the match ends at the method name.
    call: Regex,
    /// Matches the text just before the method when the receiver is a chained constructor.
    chained: Regex,
    /// Receiver names that say "the SDK's events client" on their own.
    telling: Regex,
    function: &'static str,
}

struct Rules {
    python: SdkRules,
    js: SdkRules,
    go_import: Regex,
    go_call: Regex,
    ruby: SdkRules,
}

/// Every pattern is ASCII-only (`(?-u)`): source code identifiers and punctuation are, and the
/// Unicode classes would make the capture engine several times slower on large files.
fn re(s: &str) -> Regex {
    regex::bytes::RegexBuilder::new(s)
        .unicode(false)
        .build()
        .expect("static regex is valid")
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        python: SdkRules {
            import: re(r"(?m)^[ \t]*(?:from[ \t]+zenduty(?:\.[\w.]+)?[ \t]+import\b|import[ \t]+zenduty\b)"),
            ctor: re(r"([A-Za-z_][\w.]*)\s*(?::[^=\n]{1,60})?=\s*(?:[\w.]+\.)?(?:EventsApi|EventClient)\s*\("),
            call: re(r"\.\s*create_event\b"),
            chained: re(r"(?:EventsApi|EventClient)\s*\($"),
            telling: re(r"(?i)events?_?api|event_?client|zenduty"),
            function: "EventsApi.create_event",
        },
        js: SdkRules {
            import: re(concat!(
                r#"(?:\brequire\s*\(\s*|\bfrom\s+|\bimport\s+)['"]"#,
                r#"(?:zenduty(?:-sdk|-api|-js)?|@zenduty/[\w.-]+|[^'"\n]*zenduty/api/events_api(?:\.js)?)(?:/[^'"\n]*)?['"]"#
            )),
            ctor: re(r"([A-Za-z_$][\w$.]*)\s*(?::[^=\n]{1,60})?=\s*new\s+(?:[\w$.]+\.)?EventsApi\s*\("),
            call: re(r"\.\s*createEvent\b"),
            // `new` precedes the receiver, outside the slice this is matched against.
            chained: re(r"EventsApi\s*\($"),
            telling: re(r"(?i)events?_?api|zenduty"),
            function: "EventsApi.createEvent",
        },
        go_import: re(r#"(?i)"github\.com/zenduty/zenduty-go-sdk(?:/[\w/.-]*)?""#),
        go_call: re(r"\.Events\s*\.\s*SendAlert\s*\("),
        ruby: SdkRules {
            import: re(r#"(?m)^[ \t]*require[ \t(]*['"]zenduty(?:/[\w/]*)?['"]"#),
            ctor: re(r"([@A-Za-z_][\w@.]*)\s*=\s*(?:::)?Zenduty::EventsApi\.new\b"),
            call: re(r"\.\s*create_event\b"),
            chained: re(r"Zenduty::EventsApi\.new\s*(?:\($)?"),
            telling: re(r"(?i)events?_?api|zenduty"),
            function: "Zenduty::EventsApi#create_event",
        },
    })
}

pub(super) fn find(cx: &Ctx, out: &mut Vec<Finding>) {
    let t = cx.text;
    // Cheap gate before any regex: one of the SDK method names must be present at all.
    let names: [&[u8]; 3] = [b"create_event", b"createEvent", b"SendAlert"];
    if !names.iter().any(|n| memchr::memmem::find(t, n).is_some()) {
        return;
    }
    let rs = rules();
    let sdk = match cx.lang {
        Lang::Python => &rs.python,
        Lang::Js => &rs.js,
        Lang::Ruby => &rs.ruby,
        Lang::Go => return go(cx, out),
        Lang::Shell => return,
    };
    if !sdk.import.find_iter(t).any(|m| !cx.in_comment(m.start())) {
        return;
    }
    let clients: HashSet<&[u8]> = sdk
        .ctor
        .captures_iter(t)
        .filter(|c| c.get(0).is_some_and(|m| !cx.in_comment(m.start())))
        .filter_map(|c| c.get(1).map(|g| g.as_bytes()))
        .collect();
    for m in sdk.call.find_iter(t) {
        let dot = m.start();
        if cx.in_comment(dot) {
            continue;
        }
        let recv = receiver_start(t, dot);
        let receiver = t[recv..dot].trim_ascii();
        let ours = clients.contains(receiver)
            || is_chained(t, sdk, recv, dot)
            || (!receiver.is_empty()
                && !receiver.contains(&b'(')
                && sdk.telling.is_match(receiver));
        if !ours {
            continue;
        }
        let end = call_end(t, m.end());
        out.push(Finding::review(
            Kind::LegacySdk,
            recv..end,
            sdk_message(cx.lang_name, sdk.function),
        ));
    }
}

/// `EventsApi(ApiClient(tok)).create_event(...)`: the receiver is the constructor call itself.
fn is_chained(t: &[u8], sdk: &SdkRules, recv: usize, dot: usize) -> bool {
    let head = t[recv..dot].trim_ascii_end();
    if head.last() != Some(&b')') {
        // Ruby without parens: `Zenduty::EventsApi.new token` is not chainable; only `.new`.
        return sdk.chained.is_match(head) && head.ends_with(b"new");
    }
    match super::balanced_open(t, recv + head.len() - 1) {
        Some(open) => sdk.chained.is_match(&t[recv..=open]),
        None => false,
    }
}

/// End of the call: its closing paren, or (Ruby without parens) the end of the statement.
fn call_end(t: &[u8], name_end: usize) -> usize {
    let mut j = name_end;
    while j < t.len() && matches!(t[j], b' ' | b'\t') {
        j += 1;
    }
    match t.get(j) {
        Some(b'(') => balanced_close(t, j).unwrap_or(j + 1),
        _ => statement_end(t, name_end).max(name_end),
    }
}

fn go(cx: &Ctx, out: &mut Vec<Finding>) {
    let t = cx.text;
    let rs = rules();
    if !rs.go_import.find_iter(t).any(|m| !cx.in_comment(m.start())) {
        return;
    }
    for m in rs.go_call.find_iter(t) {
        if cx.in_comment(m.start()) {
            continue;
        }
        let recv = receiver_start(t, m.start());
        let end = balanced_close(t, m.end() - 1).unwrap_or(m.end());
        out.push(Finding::review(
            Kind::LegacySdk,
            recv..end,
            sdk_message(cx.lang_name, "Events.SendAlert"),
        ));
    }
}
