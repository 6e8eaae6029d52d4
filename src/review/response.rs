//! `legacy-response`: reads of legacy-only response fields, or a `201 Created` check, on the
//! response of a POST that goes to a Zenduty events endpoint (legacy or already Generic).
//!
//! The evidence chain, all in one file and outside comments:
//! 1. HTTP calls are found per language and classified as POST or as some other request;
//! 2. a POST is *Zenduty-bound* when its own call text holds a Zenduty events URL, an identifier
//!    assigned one (transitively: `url = f"{ZD_BASE}/{key}/"`), or an identifier whose name says it
//!    holds one (`ZENDUTY_WEBHOOK_URL`); a call that also names another absolute URL is not;
//! 3. each field read is attributed to the nearest HTTP call that starts before it (so a GET to
//!    `/api/alert/status/` in between takes the read away), must lie after that call's arguments
//!    (a read inside the arguments is building the request), and within 40 lines of it.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;
use regex::bytes::Regex;

use super::{
    balanced_close, statement_end, tokens, Ctx, Lang, RESPONSE_MESSAGE, SCAN_LIMIT, STATUS_MESSAGE,
};
use crate::finding::{Finding, Kind};

/// How far (in lines) after the POST a read may be and still count as reading its response.
const WINDOW_LINES: usize = 40;

/// Identifier fragments that, next to `zenduty`, say "this holds the endpoint".
const URLISH: [&str; 5] = ["url", "endpoint", "webhook", "uri", "hook"];

/// Receivers whose `.get(`/`.put(`... is an HTTP request (not a dict or header lookup).
const HTTP_RECEIVERS: [&str; 15] = [
    "requests",
    "httpx",
    "session",
    "sess",
    "s",
    "client",
    "http",
    "httpclient",
    "_session",
    "_client",
    "axios",
    "got",
    "ky",
    "superagent",
    "conn",
];

/// Receivers whose `.post(` declares a server route rather than sending a request.
const ROUTE_RECEIVERS: [&str; 8] = [
    "app",
    "router",
    "bp",
    "blueprint",
    "server",
    "fastify",
    "route",
    "express",
];

#[derive(Clone, Copy)]
enum CallRule {
    /// Always a POST; group 1 (if any) is the receiver, checked against [`ROUTE_RECEIVERS`].
    Post,
    /// An HTTP request other than POST if group 1 is a known HTTP receiver.
    OtherIfReceiver,
    /// Some other HTTP request.
    Other,
    /// POST iff the arguments set the method to POST; otherwise `Other` if `fetch_like`.
    MethodArg {
        fetch_like: bool,
    },
    /// Group 1 is the method string.
    StrMethod,
    Curl,
    Wget,
}

#[derive(Clone, Copy)]
enum ReadRule {
    /// `.field`, `["field"]`, `.get("field")`: must follow an expression and not be assigned to.
    Access,
    /// Group 1 is the field of a destructuring assignment.
    Destructure,
    /// A comparison with the legacy success code.
    Status201,
    /// Shell: a comparison with 201, counted only after a curl that writes out the HTTP code.
    ShellStatus,
}

struct LangRules {
    calls: Vec<(Regex, CallRule)>,
    reads: Vec<(Regex, ReadRule)>,
    method_post: Regex,
}

struct Rules {
    zd_url: Regex,
    abs_url: Regex,
    assign: Regex,
    api_events_path: Regex,
    go_tag: Regex,
    go_type: Regex,
    jq_field: Regex,
    jq: Regex,
    result_assign: Regex,
    result_destructure: Regex,
    go_decode: Regex,
    curl_post: Regex,
    wget_post: Regex,
    python: LangRules,
    js: LangRules,
    go: LangRules,
    ruby: LangRules,
    shell: LangRules,
}

/// Every pattern is ASCII-only (`(?-u)`): source code identifiers and punctuation are, and the
/// Unicode classes would make the capture engine several times slower on large files.
fn re(s: &str) -> Regex {
    regex::bytes::RegexBuilder::new(s)
        .unicode(false)
        .build()
        .expect("static regex is valid")
}

const FIELDS: &str = "unique_id|integration_object|creation_date";
const FIELDS_STATUS: &str = "unique_id|integration_object|creation_date|status";

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let bracket = format!(r#"\[\s*['"](?:{FIELDS_STATUS})['"]\s*\]"#);
        Rules {
            // Legacy `/api/events` or Generic `/integration/...`, JSON-escaped too. The Generic
            // form is matched by its prefix so `".../integration/" + account + "/generic/"` counts.
            zd_url: re(concat!(
                r"(?i)(?:^|[^a-z0-9.-])(?:(?:events|www)\.)?zenduty\.com(?:\\?/)+",
                r#"(?:api(?:\\?/)+events(?:$|[^a-z0-9_-])|integration(?:\\?/))"#
            )),
            abs_url: re(r"(?i)\bhttps?:(?:\\?/){2}([a-z0-9.-]+)"),
            assign: re(concat!(
                r"(?m)^[ \t]*(?:(?:export|const|let|var|local|readonly|declare|typeset|final|static|private|public|protected)[ \t]+(?:-[A-Za-z]+[ \t]+)*)*",
                r"(@{0,2}[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*[ \t]*(?::[ \t]*[\w.\[\]<>|, ]{1,60}?[ \t]*)?",
                r"(:=|=)(?:[^=~>]|$)"
            )),
            api_events_path: re(r#"/api/events(?:/|["'`]|$)"#),
            go_tag: re(&format!(r#"json:"(?:{FIELDS})(?:,[^"`]*)?""#)),
            go_type: re(r"\btype\s+([A-Za-z_]\w*)\s+struct\s*\{"),
            jq_field: re(&format!(r#"\.\s*(?:\[\s*)?"?(?:{FIELDS_STATUS})\b"#)),
            jq: re(r"(?:^|[^\w./-])(--)?jq\b"),
            // Matched against the text between the line start and the call.
            result_assign: re(concat!(
                r"([A-Za-z_$@][\w$.@]*)(?:\s*,\s*[A-Za-z_]\w*)*\s*(?::\s*[\w.\[\]<>|, ]{1,60}?\s*)?",
                r#"(?::=|=)\s*"?(?:await\s+)?(?:\$\(\s*)?(?:\(\s*)*$"#
            )),
            result_destructure: re(r"\{([^{}]*)\}\s*(?::[^=]{1,60})?=\s*(?:await\s+)?(?:\(\s*)*$"),
            go_decode: re(r"(?:Decode|Unmarshal)\s*\([^()\n]*?&\s*([A-Za-z_]\w*)"),
            // Flags are case-sensitive (`-D` dumps headers, `-f` fails quietly); the method is not.
            curl_post: re(concat!(
                r#"(?:^|\s)(?:-X\s*|--request[\s=]+)['"]?(?i:POST)\b"#,
                r#"|(?:^|\s)-[A-Za-z]*d(?:$|[\s'"@=$])"#,
                r"|(?:^|\s)--(?:data(?:-raw|-binary|-urlencode|-ascii)?|json|form)\b",
                r"|(?:^|\s)-F\s"
            )),
            wget_post: re(r"--post-(?:data|file)\b|--method[=\s]+POST\b"),
            python: LangRules {
                calls: vec![
                    (re(r"\b([A-Za-z_][\w.]*)\.post\s*\("), CallRule::Post),
                    (
                        re(r"\b([A-Za-z_][\w.]*)\.(?:get|put|patch|delete|head|options)\s*\("),
                        CallRule::OtherIfReceiver,
                    ),
                    (
                        re(r#"\.request\s*\(\s*(?:method\s*=\s*)?['"]([A-Za-z]+)['"]"#),
                        CallRule::StrMethod,
                    ),
                    (re(r"\bRequest\s*\("), CallRule::MethodArg { fetch_like: false }),
                ],
                reads: vec![
                    (re(&bracket), ReadRule::Access),
                    (re(&format!(r#"\.get\(\s*['"](?:{FIELDS_STATUS})['"]"#)), ReadRule::Access),
                    (
                        re(r"\bstatus_code\s*(?:==|!=)\s*(?:201|(?:requests\.)?codes\.created|(?:http\.)?HTTPStatus\.CREATED)\b"),
                        ReadRule::Status201,
                    ),
                    (re(r"\b201\s*(?:==|!=)\s*[\w.]*\.status(?:_code)?\b"), ReadRule::Status201),
                    (
                        re(r"\bstatus_code\s+(?:not\s+)?in\s*[(\[{][^)\]}\n]*\b201\b"),
                        ReadRule::Status201,
                    ),
                    (re(r"\.(?:status|getcode\(\))\s*(?:==|!=)\s*201\b"), ReadRule::Status201),
                ],
                method_post: re(r#"(?i)\bmethod\s*=\s*['"]POST['"]|\bdata\s*="#),
            },
            js: LangRules {
                calls: vec![
                    (
                        re(r"([A-Za-z_$][\w$.]*)\.post\s*(?:<[^<>()]*>\s*)?\("),
                        CallRule::Post,
                    ),
                    (
                        re(r"([A-Za-z_$][\w$.]*)\.(?:get|put|patch|delete|head)\s*\("),
                        CallRule::OtherIfReceiver,
                    ),
                    (re(r"\bfetch\s*\("), CallRule::MethodArg { fetch_like: true }),
                    (
                        re(r"\b(?:axios(?:\.request)?|https?\.request|got|ky|request|\$\.ajax)\s*\("),
                        CallRule::MethodArg { fetch_like: false },
                    ),
                ],
                reads: vec![
                    (re(&bracket), ReadRule::Access),
                    (re(&format!(r"\.(?:{FIELDS})\b")), ReadRule::Access),
                    (re(r"\.data\??\.status\b"), ReadRule::Access),
                    (re(r"\.json\(\)\s*\)\s*\??\.status\b"), ReadRule::Access),
                    (
                        re(&format!(r"\{{[^{{}}=;]*?\b({FIELDS})\b[^{{}}=;]*\}}\s*=(?:[^=>]|$)")),
                        ReadRule::Destructure,
                    ),
                    (
                        re(r"\.(?:status|statusCode)\s*(?:===?|!==?)\s*201\b"),
                        ReadRule::Status201,
                    ),
                    (
                        re(r"\b201\s*(?:===?|!==?)\s*[\w$.]*\.(?:status|statusCode)\b"),
                        ReadRule::Status201,
                    ),
                ],
                method_post: re(r#"(?i)\b(?:method|type)\s*:\s*['"`]post['"`]"#),
            },
            go: LangRules {
                calls: vec![
                    (re(r"\.Post(?:Form)?\s*\("), CallRule::Post),
                    (
                        re(r"\bhttp\.NewRequest(?:WithContext)?\s*\("),
                        CallRule::MethodArg { fetch_like: true },
                    ),
                    (re(r"\b(?:http|client|httpClient|hc)\.(?:Get|Head)\s*\("), CallRule::Other),
                ],
                reads: vec![
                    (re(&bracket), ReadRule::Access),
                    (
                        re(r"\bStatusCode\s*(?:==|!=)\s*(?:201|http\.StatusCreated)\b"),
                        ReadRule::Status201,
                    ),
                    (
                        re(r"\b(?:201|http\.StatusCreated)\s*(?:==|!=)\s*[\w.]*StatusCode\b"),
                        ReadRule::Status201,
                    ),
                ],
                method_post: re(r#""POST"|\bhttp\.MethodPost\b"#),
            },
            ruby: LangRules {
                calls: vec![
                    (
                        re(r"\b(?:Net::HTTP\.post(?:_form)?|Net::HTTP::Post\.new|HTTParty\.post|Faraday\.post|RestClient\.post|Excon\.post|HTTP\.post|Typhoeus\.post)\b"),
                        CallRule::Post,
                    ),
                    (re(r"([@A-Za-z_][\w@.]*)\.post\b"), CallRule::Post),
                    (
                        re(r"\b(?:Net::HTTP\.get(?:_response)?|Net::HTTP::Get\.new|HTTParty\.get|Faraday\.get|RestClient\.get|Excon\.get|HTTP\.get)\b"),
                        CallRule::Other,
                    ),
                    (re(r"([@A-Za-z_][\w@.]*)\.get\b"), CallRule::OtherIfReceiver),
                ],
                reads: vec![
                    (re(&bracket), ReadRule::Access),
                    (re(&format!(r"\[\s*:(?:{FIELDS_STATUS})\s*\]")), ReadRule::Access),
                    (
                        re(&format!(r#"\.(?:dig|fetch)\(\s*(?:['"]|:)(?:{FIELDS_STATUS})\b"#)),
                        ReadRule::Access,
                    ),
                    (
                        re(r#"\.code(?:\.to_i)?\s*(?:==|!=)\s*['"]?201\b"#),
                        ReadRule::Status201,
                    ),
                    (re(r"\bNet::HTTPCreated\b"), ReadRule::Status201),
                    (re(r"\.status\s*(?:==|!=)\s*201\b"), ReadRule::Status201),
                ],
                method_post: re(r"$^"),
            },
            shell: LangRules {
                calls: vec![
                    (re(r"(?:^|[^\w-])curl\b"), CallRule::Curl),
                    (re(r"(?:^|[^\w-])wget\b"), CallRule::Wget),
                ],
                reads: vec![(
                    re(r#"(?:-eq|-ne|==|!=|=)\s*['"]?201\b"#),
                    ReadRule::ShellStatus,
                )],
                method_post: re(r"$^"),
            },
        }
    })
}

/// One HTTP call.
struct Call {
    start: usize,
    args_end: usize,
    post: bool,
    bound: bool,
    /// Shell: the curl writes out the HTTP status code (`-w '%{http_code}'`).
    writes_code: bool,
    /// Variables holding the response or values derived from it (bound POSTs only).
    vars: Vec<Vec<u8>>,
}

/// Where each name was assigned, and whether that assignment holds a Zenduty events URL.
#[derive(Default)]
struct Bindings(HashMap<Vec<u8>, Vec<(usize, bool)>>);

impl Bindings {
    /// The binding in effect at `pos`: the last assignment before it, else the first one after.
    fn lookup(&self, name: &[u8], pos: usize) -> Option<bool> {
        let v = self.0.get(name)?;
        let k = v.partition_point(|&(p, _)| p < pos);
        if k > 0 {
            Some(v[k - 1].1)
        } else {
            v.first().map(|&(_, b)| b)
        }
    }
}

fn urlish_name(name: &[u8]) -> bool {
    name.split(|&b| b == b'.').any(|part| {
        let lower = part.to_ascii_lowercase();
        memmem::find(&lower, b"zenduty").is_some()
            && URLISH
                .iter()
                .any(|u| memmem::find(&lower, u.as_bytes()).is_some())
    })
}

fn last_component(name: &[u8]) -> Vec<u8> {
    name.rsplit(|&b| b == b'.')
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

struct Evidence<'c> {
    cx: &'c Ctx<'c>,
    /// Start offsets of Zenduty events URLs outside comments, sorted.
    seeds: Vec<usize>,
    bindings: Bindings,
    has_host: bool,
    /// Every assignment outside comments, in file order.
    assigns: Vec<Assign>,
}

/// `name = rhs`, with the identifiers of `rhs` tokenized once (they are consulted per call).
struct Assign {
    name: Vec<u8>,
    /// Position of the `=`.
    pos: usize,
    rhs: Range<usize>,
    toks: Vec<Range<usize>>,
}

impl Evidence<'_> {
    fn seed_in(&self, r: &Range<usize>) -> bool {
        let k = self.seeds.partition_point(|&s| s < r.start);
        self.seeds.get(k).is_some_and(|&s| s < r.end)
    }

    /// Does any of the identifiers `toks` hold (or name) a Zenduty events URL, as of `at`?
    fn names_zd(&self, toks: impl IntoIterator<Item = Range<usize>>, at: usize) -> bool {
        let t = self.cx.text;
        for tok in toks {
            let name = &t[tok.clone()];
            let mut cut = name.len();
            // `url`, then `self.url`'s prefixes: `self.url.strip` -> `self.url` -> `self`.
            loop {
                match self.bindings.lookup(&name[..cut], at) {
                    Some(true) => return true,
                    Some(false) => break,
                    None => {}
                }
                match name[..cut].iter().rposition(|&b| b == b'.') {
                    Some(d) => cut = d,
                    None => {
                        if urlish_name(name) {
                            return true;
                        }
                        break;
                    }
                }
            }
        }
        false
    }

    fn other_abs_url(&self, r: &Range<usize>) -> bool {
        let hay = &self.cx.text[r.clone()];
        // Most statements hold no URL at all: skip the regex (and its capture engine) for them.
        if memmem::find(hay, b"://").is_none() && memmem::find(hay, b":\\/").is_none() {
            return false;
        }
        rules().abs_url.captures_iter(hay).any(|c| {
            let host = c
                .get(1)
                .map_or(&b""[..], |h| h.as_bytes())
                .to_ascii_lowercase();
            !(host == b"zenduty.com" || host.ends_with(b".zenduty.com"))
        })
    }

    /// Is the text of a call (receiver through arguments) sending to a Zenduty events endpoint?
    fn bound(&self, r: Range<usize>) -> bool {
        if self.seed_in(&r) {
            return true;
        }
        if self.other_abs_url(&r) {
            return false;
        }
        if self.names_zd(tokens(self.cx.text, r.clone()), r.start) {
            return true;
        }
        // `conn.post("/api/events/#{key}/")` with the host configured elsewhere in the file.
        self.has_host && rules().api_events_path.is_match(&self.cx.text[r])
    }
}

fn evidence<'c>(cx: &'c Ctx<'c>) -> Evidence<'c> {
    let rs = rules();
    let t = cx.text;
    let seeds: Vec<usize> = rs
        .zd_url
        .find_iter(t)
        .map(|m| m.start())
        .filter(|&s| !cx.in_comment(s))
        .collect();
    let has_host =
        memmem::find_iter(&t.to_ascii_lowercase(), b"zenduty.com").any(|p| !cx.in_comment(p));
    let mut ev = Evidence {
        cx,
        seeds,
        bindings: Bindings::default(),
        has_host,
        assigns: Vec::new(),
    };
    let assigns: Vec<Assign> = rs
        .assign
        .captures_iter(t)
        .filter_map(|c| {
            let name = c.get(1)?;
            let eq = c.get(2)?;
            if cx.in_comment(name.start()) {
                return None;
            }
            // Shell's `$VAR` and Ruby's `@uri` are both looked up as written, minus a `$`.
            let name = name.as_bytes();
            let name = name.strip_prefix(b"$").unwrap_or(name).to_vec();
            let rhs = eq.end()..statement_end(t, eq.end());
            Some(Assign {
                name,
                pos: eq.start(),
                toks: tokens(t, rhs.clone()).collect(),
                rhs,
            })
        })
        .collect();
    // Resolve in file order; a second pass catches names defined after their first use.
    for _ in 0..2 {
        let mut next = Bindings::default();
        for a in &assigns {
            let zd = ev.seed_in(&a.rhs)
                || (!ev.other_abs_url(&a.rhs) && ev.names_zd(a.toks.iter().cloned(), a.pos));
            next.0.entry(a.name.clone()).or_default().push((a.pos, zd));
        }
        ev.bindings = next;
    }
    ev.assigns = assigns;
    ev
}

fn lang_rules(lang: Lang) -> &'static LangRules {
    let rs = rules();
    match lang {
        Lang::Python => &rs.python,
        Lang::Js => &rs.js,
        Lang::Go => &rs.go,
        Lang::Ruby => &rs.ruby,
        Lang::Shell => &rs.shell,
    }
}

/// End of a call's arguments given the end of the regex match that found it.
fn args_end(t: &[u8], m_end: usize) -> usize {
    let mut j = m_end;
    if j > 0 && t[j - 1] == b'(' {
        j -= 1;
    } else {
        while j < t.len() && matches!(t[j], b' ' | b'\t') {
            j += 1;
        }
    }
    if t.get(j) == Some(&b'(') {
        balanced_close(t, j).unwrap_or_else(|| statement_end(t, m_end))
    } else {
        statement_end(t, m_end)
    }
}

/// End of the shell command starting at `start`: the first `|`, `;`, `&&`, `||`, unmatched `)`
/// or unescaped newline outside quotes. So `curl ... | jq .x` puts `jq` after the call.
fn shell_command_end(t: &[u8], start: usize) -> usize {
    let end = t.len().min(start.saturating_add(SCAN_LIMIT));
    let mut depth = 0usize;
    let mut j = start;
    while j < end {
        match t[j] {
            b'\\' => j += 1,
            b'\'' => {
                j = memchr::memchr(b'\'', &t[j + 1..end]).map_or(end, |k| j + 1 + k);
            }
            b'"' => {
                j += 1;
                while j < end && t[j] != b'"' {
                    if t[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return j,
            b')' => depth -= 1,
            b'|' | b';' | b'\n' if depth == 0 => return j,
            b'&' if depth == 0 && t.get(j + 1) == Some(&b'&') => return j,
            _ => {}
        }
        j += 1;
    }
    end.min(t.len())
}

fn collect_calls(cx: &Ctx, ev: &Evidence) -> Vec<Call> {
    let t = cx.text;
    let rs = rules();
    let lr = lang_rules(cx.lang);
    let mut calls = Vec::new();
    for (regex, rule) in &lr.calls {
        for c in regex.captures_iter(t) {
            let m = c.get(0).expect("group 0");
            // Skip the context byte some patterns consume before the call name.
            let start = c.get(1).map_or(m.start(), |g| g.start()).max(m.start());
            let start = match rule {
                CallRule::Curl | CallRule::Wget => m.end() - 4,
                // Go's `.Post(` has no receiver group: take `http` of `resp, err := http.Post(`.
                _ if c.get(1).is_none() && t[m.start()] == b'.' => {
                    super::receiver_start(t, m.start())
                }
                _ => start,
            };
            // `Net::HTTP.post` is found whole by its own pattern; not again as `HTTP.post`.
            if cx.in_comment(start) || (start > 0 && t[start - 1] == b':') {
                continue;
            }
            let receiver = c.get(1).map(|g| last_component(g.as_bytes()));
            let is_route = receiver
                .as_deref()
                .is_some_and(|r| ROUTE_RECEIVERS.iter().any(|x| x.as_bytes() == r))
                || (start > 0 && t[start - 1] == b'@');
            let (args_end, post) = match rule {
                CallRule::Curl | CallRule::Wget => {
                    let e = shell_command_end(t, m.end());
                    let seg = &t[m.end()..e];
                    let post = match rule {
                        CallRule::Curl => rs.curl_post.is_match(seg),
                        _ => rs.wget_post.is_match(seg),
                    };
                    (e, Some(post))
                }
                _ => {
                    let e = args_end(t, m.end());
                    let post = match rule {
                        CallRule::Post => (!is_route).then_some(true),
                        CallRule::Other => Some(false),
                        CallRule::OtherIfReceiver => receiver
                            .as_deref()
                            .is_some_and(|r| HTTP_RECEIVERS.iter().any(|x| x.as_bytes() == r))
                            .then_some(false),
                        CallRule::MethodArg { fetch_like } => {
                            if lr.method_post.is_match(&t[m.end().min(e)..e]) {
                                Some(true)
                            } else {
                                fetch_like.then_some(false)
                            }
                        }
                        CallRule::StrMethod => Some(
                            c.get(1)
                                .is_some_and(|g| g.as_bytes().eq_ignore_ascii_case(b"POST")),
                        ),
                        CallRule::Curl | CallRule::Wget => None,
                    };
                    (e, post)
                }
            };
            let Some(post) = post else { continue };
            let bound = post && ev.bound(start..args_end);
            let writes_code = post
                && matches!(rule, CallRule::Curl)
                && (memmem::find(&t[start..args_end], b"http_code").is_some()
                    || memmem::find(&t[start..args_end], b"response_code").is_some());
            let vars = if bound {
                response_vars(cx, ev, start, args_end)
            } else {
                Vec::new()
            };
            calls.push(Call {
                start,
                args_end,
                post,
                bound,
                writes_code,
                vars,
            });
        }
    }
    calls.sort_by_key(|c| (c.start, std::cmp::Reverse(c.args_end)));
    calls.dedup_by_key(|c| c.start);
    calls
}

/// Does any identifier in `r` start with one of `vars` (`resp`, `resp.json`, `$resp`)?
fn mentions(t: &[u8], r: Range<usize>, vars: &[Vec<u8>]) -> bool {
    mentions_in(t, tokens(t, r), vars)
}

fn mentions_in(t: &[u8], toks: impl IntoIterator<Item = Range<usize>>, vars: &[Vec<u8>]) -> bool {
    !vars.is_empty()
        && toks.into_iter().any(|tok| {
            let name = &t[tok];
            let root = name.split(|&b| b == b'.').next().unwrap_or(name);
            vars.iter().any(|v| v.as_slice() == root)
        })
}

/// The variables a POST's response lands in (`r = requests.post(`, `const { data } = await
/// axios.post(`, `resp, err := http.Post(`, `id=$(curl`), plus those assigned from them within the
/// window (`data = r.json()`, Go's `Decode(&out)`), in file order so chains resolve.
fn response_vars(cx: &Ctx, ev: &Evidence, start: usize, args_end: usize) -> Vec<Vec<u8>> {
    let t = cx.text;
    let rs = rules();
    let line_start = t[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |k| k + 1);
    let prefix = &t[line_start..start];
    let mut vars: Vec<Vec<u8>> = Vec::new();
    if let Some(c) = rs.result_destructure.captures(prefix) {
        let inner = c.get(1).map_or(&b""[..], |g| g.as_bytes());
        for part in inner.split(|&b| b == b',') {
            // `{ data: body }` binds `body`.
            let part = part
                .rsplit(|&b| b == b':')
                .next()
                .unwrap_or(part)
                .trim_ascii();
            let part = part.strip_prefix(b"...").unwrap_or(part);
            if !part.is_empty() && part.iter().all(|&b| super::is_ident(b)) {
                vars.push(part.to_vec());
            }
        }
    } else if let Some(c) = rs.result_assign.captures(prefix) {
        let name = c.get(1).map_or(&b""[..], |g| g.as_bytes());
        vars.push(name.strip_prefix(b"$").unwrap_or(name).to_vec());
    }
    let last_line = cx.line(args_end.saturating_sub(1)) + WINDOW_LINES;
    let window_end = cx
        .line_starts
        .get(last_line + 1)
        .copied()
        .unwrap_or(t.len());
    let from = ev.assigns.partition_point(|a| a.pos < args_end);
    for a in &ev.assigns[from..] {
        if a.pos >= window_end {
            break;
        }
        if !vars.contains(&a.name) && mentions_in(t, a.toks.iter().cloned(), &vars) {
            vars.push(a.name.clone());
        }
    }
    if cx.lang == Lang::Go {
        for c in rs
            .go_decode
            .captures_iter(&t[args_end.min(window_end)..window_end])
        {
            let (Some(m), Some(g)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let at = args_end + m.start();
            let line = cx.line_range(at);
            if mentions(t, line, &vars) {
                vars.push(g.as_bytes().to_vec());
            }
        }
    }
    vars
}

/// Is the expression in `region` the response of `call`: chained on the call itself, or rooted
/// in a variable holding it?
fn reads_response(cx: &Ctx, call: &Call, region: Range<usize>) -> bool {
    region.start <= call.start || mentions(cx.text, region, &call.vars)
}

/// The call whose response a read at `anchor` is taken to be reading, if it is a bound POST.
fn attributed<'a>(cx: &Ctx, calls: &'a [Call], anchor: usize) -> Option<&'a Call> {
    let k = calls.partition_point(|c| c.start <= anchor);
    let call = calls.get(k.checked_sub(1)?)?;
    let near = cx
        .line(anchor)
        .saturating_sub(cx.line(call.args_end.saturating_sub(1)));
    (call.post && call.bound && anchor >= call.args_end && near <= WINDOW_LINES).then_some(call)
}

/// Does an access at `r` read a value (rather than assign one, or be a list literal)?
fn is_read_access(t: &[u8], r: &Range<usize>) -> bool {
    // `x["f"]`, `x.f`, `f(x).get("f")`: an expression must precede; `["f"]` after `=` or `(` is
    // a list literal, and `...f` a spread.
    let before_ok = r.start > 0
        && matches!(t[r.start - 1], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'$' | b')' | b']' | b'}' | b'?');
    let mut j = r.end;
    while j < t.len() && matches!(t[j], b' ' | b'\t') {
        j += 1;
    }
    // `body["unique_id"] = x` builds a request body.
    let assigned = t.get(j) == Some(&b'=') && t.get(j + 1) != Some(&b'=');
    before_ok && !assigned
}

pub(super) fn find(cx: &Ctx, out: &mut Vec<Finding>) {
    let t = cx.text;
    // Cheap gates: a file without any legacy-only field or 201 cannot produce a finding.
    let lower = t.to_ascii_lowercase();
    let any_field = [
        &b"unique_id"[..],
        b"integration_object",
        b"creation_date",
        b"status",
        b"201",
    ]
    .iter()
    .any(|f| memmem::find(&lower, f).is_some());
    if !any_field {
        return;
    }
    let ev = evidence(cx);
    let calls = collect_calls(cx, &ev);
    if !calls.iter().any(|c| c.bound) {
        return;
    }
    let lr = lang_rules(cx.lang);
    let mut push = |range: Range<usize>, msg: &str| {
        out.push(Finding::review(Kind::LegacyResponse, range, msg));
    };
    for (regex, rule) in &lr.reads {
        for c in regex.captures_iter(t) {
            let m = c.get(0).expect("group 0");
            let range = match rule {
                ReadRule::Destructure => match c.get(1) {
                    Some(g) => g.range(),
                    None => continue,
                },
                _ => m.range(),
            };
            if cx.in_comment(range.start) {
                continue;
            }
            if matches!(rule, ReadRule::Access) && !is_read_access(t, &range) {
                continue;
            }
            let Some(call) = attributed(cx, &calls, range.start) else {
                continue;
            };
            // What the read is applied to: the receiver of `.field`/`["field"]`, the right-hand
            // side of a destructuring, or the line of a status comparison.
            let region = match rule {
                ReadRule::Access => super::receiver_start(t, range.start)..range.start,
                ReadRule::Destructure => m.end().saturating_sub(1)..statement_end(t, m.end()),
                ReadRule::Status201 | ReadRule::ShellStatus => cx.line_range(range.start),
            };
            if !reads_response(cx, call, region) {
                continue;
            }
            match rule {
                ReadRule::Access | ReadRule::Destructure => push(range, RESPONSE_MESSAGE),
                ReadRule::Status201 => push(range, STATUS_MESSAGE),
                ReadRule::ShellStatus if call.writes_code => push(range, STATUS_MESSAGE),
                ReadRule::ShellStatus => {}
            }
        }
    }
    match cx.lang {
        Lang::Go => go_tags(cx, &calls, &mut push),
        Lang::Shell => jq_reads(cx, &calls, &mut push),
        _ => {}
    }
}

/// Go decodes into structs: a `json:"unique_id"` tag counts when its struct type is named after a
/// bound POST (the `var out T` / `Decode(&out)` that reads the response), or, for an anonymous
/// struct, when the tag itself sits after one.
fn go_tags(cx: &Ctx, calls: &[Call], push: &mut impl FnMut(Range<usize>, &str)) {
    let t = cx.text;
    let rs = rules();
    let mut by_type: HashMap<Vec<u8>, bool> = HashMap::new();
    for m in rs.go_tag.find_iter(t) {
        if cx.in_comment(m.start()) {
            continue;
        }
        let from = m.start().saturating_sub(SCAN_LIMIT);
        let owner = rs
            .go_type
            .captures_iter(&t[from..m.start()])
            .last()
            .and_then(|c| {
                c.get(1)
                    .map(|g| (from + g.start(), from + c.get(0).map_or(0, |z| z.end())))
            })
            // A `}` at the start of a line between the declaration and the tag closed that struct.
            .filter(|&(_, body)| memmem::find(&t[body..m.start()], b"\n}").is_none());
        let fires = match owner {
            Some((name_start, body)) => {
                let name = t[name_start..body]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .copied()
                    .collect::<Vec<u8>>();
                *by_type
                    .entry(name.clone())
                    .or_insert_with(|| type_used_after_post(cx, calls, &name, name_start))
            }
            None => attributed(cx, calls, m.start()).is_some(),
        };
        if fires {
            push(m.range(), RESPONSE_MESSAGE);
        }
    }
}

fn type_used_after_post(cx: &Ctx, calls: &[Call], name: &[u8], decl: usize) -> bool {
    let t = cx.text;
    memmem::find_iter(t, name).any(|p| {
        let e = p + name.len();
        let word = (p == 0 || !(t[p - 1].is_ascii_alphanumeric() || t[p - 1] == b'_'))
            && (e >= t.len() || !(t[e].is_ascii_alphanumeric() || t[e] == b'_'));
        word && p != decl && !cx.in_comment(p) && attributed(cx, calls, p).is_some()
    })
}

/// Shell: the filter of each `jq` after a bound curl POST (same pipeline or a later line).
fn jq_reads(cx: &Ctx, calls: &[Call], push: &mut impl FnMut(Range<usize>, &str)) {
    let t = cx.text;
    let rs = rules();
    for c in rs.jq.captures_iter(t) {
        let m = c.get(0).expect("group 0");
        let jq_end = m.end();
        if cx.in_comment(jq_end - 2) {
            continue;
        }
        let Some(filter) = jq_filter(t, jq_end, c.get(1).is_some()) else {
            continue;
        };
        let Some(call) = attributed(cx, calls, jq_end - 2) else {
            continue;
        };
        // In the curl's own pipeline, or on a later line that reads the captured output.
        let between = &t[call.args_end.min(m.start())..m.start()];
        let ends_command = between
            .iter()
            .enumerate()
            .any(|(k, &b)| b == b';' || (b == b'\n' && (k == 0 || between[k - 1] != b'\\')))
            || memmem::find(between, b"&&").is_some();
        let same_pipeline = !ends_command;
        if !same_pipeline && !mentions(t, cx.line_range(m.start()), &call.vars) {
            continue;
        }
        if let Some(f) = rs.jq_field.find(&t[filter.clone()]) {
            push(
                filter.start + f.start()..filter.start + f.end(),
                RESPONSE_MESSAGE,
            );
        }
    }
}

/// The filter argument of a `jq` invocation ending at `i`; `None` for `jq -n` (no input to read)
/// or `jq -f file`. With `direct` (`gh ... --jq FILTER`) the next word is the filter.
fn jq_filter(t: &[u8], mut i: usize, direct: bool) -> Option<Range<usize>> {
    let end = t.len().min(i.saturating_add(1024));
    let mut skip_args = 0;
    loop {
        while i < end && matches!(t[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= end || matches!(t[i], b'\n' | b'|' | b';' | b')') {
            return None;
        }
        let word_start = i;
        let (range, next) = match t[i] {
            q @ (b'\'' | b'"') => {
                let close = memchr::memchr(q, &t[i + 1..end]).map_or(end, |k| i + 1 + k);
                (i + 1..close, (close + 1).min(end))
            }
            _ => {
                while i < end && !matches!(t[i], b' ' | b'\t' | b'\n' | b'|' | b';' | b')') {
                    i += 1;
                }
                (word_start..i, i)
            }
        };
        i = next;
        if skip_args > 0 {
            skip_args -= 1;
            continue;
        }
        let word = &t[range.clone()];
        if !direct && t[word_start] == b'-' {
            match word {
                b"-n" | b"--null-input" | b"-f" | b"--from-file" => return None,
                b"--arg" | b"--argjson" | b"--slurpfile" | b"--rawfile" => skip_args = 2,
                b"--indent" | b"--tab-size" => skip_args = 1,
                _ if word.len() > 1 && word[1] != b'-' && word.contains(&b'n') => return None,
                _ => {}
            }
            continue;
        }
        return Some(range);
    }
}
