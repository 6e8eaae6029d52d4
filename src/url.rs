//! The legacy endpoint URL grammar (SPEC 2.1) and the rewrite to the Generic form (SPEC 2.2).
//! Works on raw bytes; knows nothing of files, config or accounts.
//!
//! [`find`] locates every `zenduty.com` with a case-insensitive Aho-Corasick search and parses by
//! hand from there, so cost is linear in the text and untouched stretches are only skimmed.
//!
//! Where a URL ends is decided by the byte after it: whitespace, quotes, brackets, `<`/`>`, a
//! backslash that is not an escaped slash, non-ASCII bytes and the like end it; a run of `.,;:!?`
//! right before such a byte (or the end) is prose punctuation and is left out. When the KEY segment
//! cannot be delimited (an unbalanced `{`, a second path segment, ...), the match falls back to
//! the base URL `host/api/events/`: rewriting just that prefix keeps every byte after it, which is
//! always faithful.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// Legacy or already-migrated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlForm {
    /// `host/api/events[/KEY][/]`.
    Legacy,
    /// `host/integration/ACCOUNT/generic[/KEY][/]`; `account` is the byte range of ACCOUNT.
    Generic { account: Range<usize> },
}

/// One URL found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlMatch {
    /// The whole URL: scheme (if any), host, path, query and fragment.
    pub range: Range<usize>,
    pub form: UrlForm,
    /// The KEY segment; `None` for a base URL.
    pub key: Option<Range<usize>>,
    /// Slashes are written `\/` (JSON-escaped).
    pub escaped_slashes: bool,
    /// A slash follows the key (or, for a base URL, `/api/events`).
    pub trailing_slash: bool,
    /// No slash follows the key in the URL, but the code appends one right after the string
    /// (`'…/events/${KEY}' + '/'`): the rewrite must not add a second.
    pub code_appends_slash: bool,
    /// Query and fragment, kept as they are (may be empty).
    pub suffix: Range<usize>,
}

impl UrlMatch {
    /// Is the key a literal (a secret), rather than a placeholder?
    ///
    /// Literal means URL-token bytes only (`[A-Za-z0-9._~-]`) and not a documentation stand-in
    /// such as `YOUR_KEY`. Doubtful cases count as literal, so that they get redacted.
    pub fn key_is_literal(&self, text: &[u8]) -> bool {
        let Some(key) = self.key.as_ref().and_then(|k| text.get(k.clone())) else {
            return false;
        };
        !key.is_empty() && key.iter().all(|&b| is_lit(b)) && !is_doc_placeholder(key)
    }

    /// Is the account of a Generic match a literal identifier (SPEC 2.3: 1 to 64 of
    /// `[A-Za-z0-9]`), rather than a placeholder such as `<account_identifier>` or `{ACCOUNT}`?
    /// Always false for a legacy match.
    pub fn account_is_literal(&self, text: &[u8]) -> bool {
        let UrlForm::Generic { account } = &self.form else {
            return false;
        };
        let Some(acc) = text.get(account.clone()) else {
            return false;
        };
        (1..=64).contains(&acc.len())
            && acc.iter().all(u8::is_ascii_alphanumeric)
            && !contains_ci(acc, b"account")
    }
}

/// Every legacy or Generic events URL in `text`, in order, non-overlapping.
pub fn find(text: &[u8]) -> Vec<UrlMatch> {
    let mut out = Vec::new();
    let mut last_end = 0;
    for hit in host_finder().find_iter(text) {
        if hit.start() < last_end {
            // Inside the previous URL (e.g. in a placeholder of its key).
            continue;
        }
        if let Some(mut m) = parse_at(text, hit.start()) {
            if m.key.is_some() && !m.trailing_slash && m.suffix.is_empty() {
                m.code_appends_slash = slash_concatenated(text, m.range.end);
            }
            if m.range.start >= last_end {
                last_end = m.range.end;
                out.push(m);
            }
        }
    }
    out
}

/// The Generic replacement for a legacy match: `https://events.zenduty.com/integration/ACCOUNT/
/// generic/KEY/` plus the suffix, in the match's slash-escaping style. `new_key` replaces the key
/// text (from the `[keys]` table).
pub fn rewrite(text: &[u8], m: &UrlMatch, account: &str, new_key: Option<&[u8]>) -> Vec<u8> {
    let slash: &[u8] = if m.escaped_slashes { b"\\/" } else { b"/" };
    let mut out = Vec::with_capacity(64 + m.range.len());
    out.extend_from_slice(b"https:");
    out.extend_from_slice(slash);
    out.extend_from_slice(slash);
    out.extend_from_slice(b"events.zenduty.com");
    for part in [&b"integration"[..], account.as_bytes(), b"generic"] {
        out.extend_from_slice(slash);
        out.extend_from_slice(part);
    }
    match &m.key {
        Some(k) => {
            // Key and suffix are copied as written: in an escaped context they are escaped already.
            let key = new_key.unwrap_or_else(|| text.get(k.clone()).unwrap_or_default());
            out.extend_from_slice(slash);
            out.extend_from_slice(key);
            if !m.code_appends_slash {
                out.extend_from_slice(slash);
            }
        }
        // A base URL keeps its trailing slash or lack of one: the surrounding code appends the key.
        None if m.trailing_slash => out.extend_from_slice(slash),
        None => {}
    }
    out.extend_from_slice(text.get(m.suffix.clone()).unwrap_or_default());
    out
}

/// Does the string that ends at `end` get a `/` concatenated right after it
/// (`"…" + "/"`, `'…' . '/'`, `"…" .. "/"`, `"…" & "/"`)?
fn slash_concatenated(t: &[u8], end: usize) -> bool {
    let Some(&quote) = t.get(end) else {
        return false;
    };
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return false;
    }
    let skip_spaces = |mut i: usize| {
        while t.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
            i += 1;
        }
        i
    };
    let i = skip_spaces(end + 1);
    let op_len = match (t.get(i), t.get(i + 1)) {
        (Some(b'.'), Some(b'.')) => 2,
        (Some(b'+' | b'.' | b'&'), _) => 1,
        _ => return false,
    };
    let i = skip_spaces(i + op_len);
    matches!(t.get(i), Some(b'"' | b'\'' | b'`'))
        && (t.get(i + 1) == Some(&b'/')
            || (t.get(i + 1) == Some(&b'\\') && t.get(i + 2) == Some(&b'/')))
}

const HOST: &[u8] = b"zenduty.com";

/// Longest bracketed placeholder considered; keeps a stray `{` from scanning a whole line, so the
/// total cost stays linear.
const MAX_PLACEHOLDER: usize = 256;

fn host_finder() -> &'static AhoCorasick {
    static FINDER: OnceLock<AhoCorasick> = OnceLock::new();
    FINDER.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([HOST])
            .expect("a single literal pattern always builds")
    })
}

/// Bytes of a literal path token.
fn is_lit(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Prose punctuation that may follow a URL without being part of it.
fn is_punct(b: u8) -> bool {
    matches!(b, b'.' | b',' | b';' | b':' | b'!' | b'?')
}

/// Bytes that end a URL. Everything that can continue a path segment (literal bytes, slash,
/// query/fragment marks and placeholder openers) is not a stop.
fn is_stop(b: u8) -> bool {
    !(is_lit(b) || matches!(b, b'/' | b'?' | b'#' | b'$' | b'{' | b'%' | b'@' | b':'))
}

/// Bytes a query or fragment runs on over (RFC 3986 sub-delimiters and friends, not quotes).
fn continues_suffix(b: u8) -> bool {
    is_lit(b) || b"/?#$%&+=:@!*,;".contains(&b)
}

fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
}

/// A byte that, right before a scheme or host, makes it part of something else: a longer host
/// name, `git+https:`, `user@host`.
fn bad_before_url(b: u8) -> bool {
    is_host_char(b) || matches!(b, b'+' | b'@')
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Documentation stand-ins written with literal bytes: `YOUR_KEY`, `ZENDUTY_INTEGRATION_KEY`,
/// `your-integration-key`. Real keys are UUIDs or random tokens, never upper snake case.
fn is_doc_placeholder(key: &[u8]) -> bool {
    let upper_snake = key.contains(&b'_')
        && key.iter().filter(|b| b.is_ascii_uppercase()).count() >= 2
        && key
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    upper_snake
        || [&b"your"[..], b"integration", b"placeholder", b"changeme"]
            .iter()
            .any(|w| contains_ci(key, w))
}

/// Parse the URL around the `zenduty.com` found at `p`.
fn parse_at(t: &[u8], p: usize) -> Option<UrlMatch> {
    let prefixed = |pre: &[u8]| p >= pre.len() && t[p - pre.len()..p].eq_ignore_ascii_case(pre);
    let host_start = if prefixed(b"events.") {
        p - 7
    } else if prefixed(b"www.") {
        p - 4
    } else {
        p
    };
    // The host must end the authority: a path must follow at once (no port, no longer name).
    let host_end = p + HOST.len();
    let (esc, path) = match (t.get(host_end), t.get(host_end + 1)) {
        (Some(b'/'), _) => (false, host_end + 1),
        (Some(b'\\'), Some(b'/')) => (true, host_end + 2),
        _ => return None,
    };
    let start = url_start(t, host_start)?;
    let s = Scanner { t, esc };

    if let Some(e) = s
        .word(path, b"api")
        .and_then(|e| s.slash(e))
        .and_then(|e| s.word(e, b"events"))
    {
        let tail = s.tail(e)?;
        return Some(tail.into_match(start, UrlForm::Legacy, esc));
    }

    let acc_start = s.word(path, b"integration").and_then(|e| s.slash(e))?;
    let (acc_end, stuck) = s.segment(acc_start);
    if stuck || acc_end == acc_start {
        return None;
    }
    let e = s.slash(acc_end).and_then(|e| s.word(e, b"generic"))?;
    let tail = s.tail(e)?;
    let form = UrlForm::Generic {
        account: acc_start..acc_end,
    };
    Some(tail.into_match(start, form, esc))
}

/// Where the URL whose host starts at `h` begins (scheme included), or `None` when the host is
/// part of something else.
fn url_start(t: &[u8], h: usize) -> Option<usize> {
    let before = &t[..h];
    let sep = if before.ends_with(b"//") {
        2
    } else if before.ends_with(b"\\/\\/") {
        4
    } else {
        0
    };
    if sep == 0 {
        // Scheme-less: `notzenduty.com`, `x.zenduty.com`, `a/zenduty.com` are not this host.
        return match before.last() {
            Some(&b) if bad_before_url(b) || b == b'/' => None,
            _ => Some(h),
        };
    }
    let s = h - sep;
    for scheme in [&b"https:"[..], b"http:"] {
        if s >= scheme.len() && t[s - scheme.len()..s].eq_ignore_ascii_case(scheme) {
            let w = s - scheme.len();
            // `/` may precede (`//https://...` in a comment, archive links); a word may not.
            return match w.checked_sub(1).map(|i| t[i]) {
                Some(b) if bad_before_url(b) => None,
                _ => Some(w),
            };
        }
    }
    // `//host` at the start of a line is a line comment, not a scheme-relative URL: the URL
    // starts at the host, and the comment marker survives the rewrite.
    if sep == 2
        && t[..s]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(|&b| b == b' ' || b == b'\t')
    {
        return Some(h);
    }
    match s.checked_sub(1).map(|i| t[i]) {
        // `ftp://`, `a//host`, `///host`: not a scheme-relative URL of this host.
        Some(b) if bad_before_url(b) || b == b'/' || b == b':' => None,
        // After a byte a path segment or query runs on over (`${k}//host`, `?x=\/\/host`),
        // the rewrite's `https:` would join what precedes: leave such text alone.
        Some(b) if continues_suffix(b) || matches!(b, b')' | b']' | b'}' | b'>' | b'\\') => None,
        _ => Some(s),
    }
}

/// What follows `/api/events` (or `/generic`).
struct Tail {
    key: Option<Range<usize>>,
    trailing: bool,
    suffix: Range<usize>,
    end: usize,
}

impl Tail {
    fn into_match(self, start: usize, form: UrlForm, escaped_slashes: bool) -> UrlMatch {
        UrlMatch {
            range: start..self.end,
            form,
            key: self.key,
            escaped_slashes,
            trailing_slash: self.trailing,
            code_appends_slash: false,
            suffix: self.suffix,
        }
    }
}

/// Hand parser over the text; `esc` says slashes are written `\/`.
struct Scanner<'a> {
    t: &'a [u8],
    esc: bool,
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.t.get(i).copied()
    }

    /// After a slash at `i`, in this URL's escaping style.
    fn slash(&self, i: usize) -> Option<usize> {
        if self.esc {
            (self.at(i) == Some(b'\\') && self.at(i + 1) == Some(b'/')).then_some(i + 2)
        } else {
            (self.at(i) == Some(b'/')).then_some(i + 1)
        }
    }

    /// After the exact path word `w` at `i`.
    fn word(&self, i: usize, w: &[u8]) -> Option<usize> {
        self.t.get(i..)?.starts_with(w).then_some(i + w.len())
    }

    /// Does the URL end at `i` (end of text or a stop byte)?
    fn stop_at(&self, i: usize) -> bool {
        match self.at(i) {
            None => true,
            Some(b'\\') => !(self.esc && self.at(i + 1) == Some(b'/')),
            Some(b) => is_stop(b),
        }
    }

    fn punct_run_end(&self, i: usize) -> usize {
        i + self.t[i..].iter().take_while(|&&b| is_punct(b)).count()
    }

    /// Does the URL end at `i`, possibly after a run of prose punctuation?
    fn boundary(&self, i: usize) -> bool {
        // `,;!` are stops themselves; `.`, `:` and `?` end the URL only before a stop.
        self.stop_at(i)
            || self
                .at(i)
                .is_some_and(|b| is_punct(b) && self.stop_at(self.punct_run_end(i)))
    }

    /// Everything after `/api/events` (at `i`): `[/KEY][/][?query][#fragment]`.
    fn tail(&self, i: usize) -> Option<Tail> {
        let Some(s) = self.slash(i) else {
            // No slash: a base URL, if `/api/events` ends the segment here.
            let end = self.finish(i)?;
            return Some(Tail {
                key: None,
                trailing: false,
                suffix: i..end,
                end,
            });
        };
        let fallback = Tail {
            key: None,
            trailing: true,
            suffix: s..s,
            end: s,
        };
        let (k, stuck) = self.segment(s);
        if stuck {
            return Some(fallback);
        }
        let tail = if k == s {
            self.finish(s).map(|end| Tail {
                key: None,
                trailing: true,
                suffix: s..end,
                end,
            })
        } else if let Some(s2) = self.slash(k) {
            self.finish(s2).map(|end| Tail {
                key: Some(s..k),
                trailing: true,
                suffix: s2..end,
                end,
            })
        } else {
            self.finish(k).map(|end| Tail {
                key: Some(s..k),
                trailing: false,
                suffix: k..end,
                end,
            })
        };
        Some(tail.unwrap_or(fallback))
    }

    /// The URL ends at `i`, or after the query/fragment starting at `i`; `None` when another path
    /// segment (or something that is not a URL end) follows.
    fn finish(&self, i: usize) -> Option<usize> {
        match self.at(i) {
            Some(b'?') if self.stop_at(self.punct_run_end(i)) => Some(i), // a question, in prose
            Some(b'?') => Some(self.suffix_end(i)),
            Some(b'#') if self.at(i + 1) != Some(b'{') => Some(self.suffix_end(i)),
            _ if self.boundary(i) => Some(i),
            _ => None,
        }
    }

    /// One path segment of literals and placeholders from `i`. Returns where it ends and whether
    /// it got stuck on something that looks like an unfinished placeholder (`{` unbalanced,
    /// a bare `$`, `%`, `@` or `:`).
    fn segment(&self, i: usize) -> (usize, bool) {
        let mut j = i;
        // Punctuation runs already known to continue the segment: checks each byte once.
        let mut checked = 0;
        while let Some(b) = self.at(j) {
            if is_punct(b) && j >= checked {
                let run_end = self.punct_run_end(j);
                if self.stop_at(run_end) {
                    return (j, false);
                }
                checked = run_end;
            }
            if is_lit(b) {
                j += 1;
                continue;
            }
            let next = match b {
                b'$' => self.dollar(j),
                b'{' => self.balanced(j, b'{', b'}'),
                b'#' if self.at(j + 1) == Some(b'{') => self.balanced(j + 1, b'{', b'}'),
                b'%' => self.percent(j),
                b'@' => self
                    .name_at(j + 1)
                    .filter(|&e| self.at(e) == Some(b'@'))
                    .map(|e| e + 1),
                b':' => self.name_at(j + 1),
                // `<integration-key>` is a whole-segment stand-in; elsewhere `<` is markup
                // (`KEY</a>`), which ends the URL.
                b'<' if j == i => match self.angle(j) {
                    Some(e) => Some(e),
                    None => return (j, false),
                },
                _ => return (j, false),
            };
            match next {
                Some(e) => j = e,
                None => return (j, true),
            }
        }
        (j, false)
    }

    /// After the identifier starting at `i`, if one does.
    fn name_at(&self, i: usize) -> Option<usize> {
        if !self.at(i).is_some_and(is_name_start) {
            return None;
        }
        Some(i + self.t[i..].iter().take_while(|&&b| is_name(b)).count())
    }

    /// `${...}`, `${{ ... }}`, `$(...)`, `$NAME`, `$1`.
    fn dollar(&self, i: usize) -> Option<usize> {
        match self.at(i + 1)? {
            b'{' => self.balanced(i + 1, b'{', b'}'),
            b'(' => self.balanced(i + 1, b'(', b')'),
            b if b.is_ascii_digit() => Some(i + 2),
            _ => self.name_at(i + 1),
        }
    }

    /// `%VAR%`, `%(name)s`, `%{name}`, `%2F`, and printf verbs such as `%s`, `%-8v`, `%.3d`.
    fn percent(&self, i: usize) -> Option<usize> {
        // `%s%a%` is `%s` then `%a%`, not `%s%` then a stray `%`: a one-letter verb wins when
        // the `%` after it starts a placeholder of its own. One level of lookahead, no recursion.
        if self.at(i + 1).is_some_and(|b| b.is_ascii_lowercase())
            && self.at(i + 2) == Some(b'%')
            && self.percent_basic(i + 2).is_some()
        {
            return Some(i + 2);
        }
        self.percent_basic(i)
    }

    fn percent_basic(&self, i: usize) -> Option<usize> {
        let hex = |k: usize| self.at(k).is_some_and(|b| b.is_ascii_hexdigit());
        match self.at(i + 1)? {
            b'{' => return self.balanced(i + 1, b'{', b'}'),
            b'(' => {
                let close = self.balanced(i + 1, b'(', b')')?;
                return self.printf_verb(close);
            }
            _ => {}
        }
        let var = self
            .name_at(i + 1)
            .filter(|&e| self.at(e) == Some(b'%'))
            .map(|e| e + 1);
        let other = || {
            if hex(i + 1) && hex(i + 2) {
                Some(i + 3)
            } else {
                self.printf_verb(i + 1)
            }
        };
        match var {
            // The closing `%` may rather open `%(name)s` or `%{name}` (`%s_%(x)s`).
            Some(e) if matches!(self.at(e), Some(b'(' | b'{')) => other().or(var),
            Some(_) => var,
            None => other(),
        }
    }

    /// Flags, width and precision, then the conversion letter, from `i`.
    fn printf_verb(&self, i: usize) -> Option<usize> {
        let rest = self.t.get(i..)?;
        let mut k = rest
            .iter()
            // No `#` flag: `%a%#frag` must keep its fragment.
            .take_while(|b| matches!(b, b'-' | b'+' | b'0'..=b'9' | b'.'))
            .count();
        // Bounded like any placeholder, so `%` before a long digit run is not a verb.
        if k > 16 {
            return None;
        }
        rest.get(k).filter(|b| b.is_ascii_alphabetic())?;
        k += 1;
        Some(i + k)
    }

    /// `<...>` starting with something a stand-in starts with (not `</`, `<!`, `< `).
    fn angle(&self, i: usize) -> Option<usize> {
        let first = self.at(i + 1)?;
        if !(first.is_ascii_alphanumeric() || matches!(first, b'_' | b'%' | b'$' | b'{' | b'-')) {
            return None;
        }
        self.balanced(i, b'<', b'>')
    }

    /// After the bracket closing the one at `i`, nesting counted; never across a line end.
    fn balanced(&self, i: usize, open: u8, close: u8) -> Option<usize> {
        let limit = self.t.len().min(i.saturating_add(MAX_PLACEHOLDER));
        let mut depth = 0usize;
        for j in i..limit {
            match self.t[j] {
                b'\n' | b'\r' => return None,
                b if b == open => depth += 1,
                b if b == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// After the query and/or fragment starting with the `?` or `#` at `i`.
    fn suffix_end(&self, i: usize) -> usize {
        let mut j = i + 1;
        let mut checked = 0;
        while let Some(b) = self.at(j) {
            if is_punct(b) && j >= checked {
                let run_end = self.punct_run_end(j);
                if self.stop_at(run_end) {
                    return j;
                }
                checked = run_end;
            }
            if continues_suffix(b) {
                j += 1;
                continue;
            }
            let next = match b {
                b'\\' if self.esc && self.at(j + 1) == Some(b'/') => Some(j + 2),
                b'{' => self.balanced(j, b'{', b'}'),
                b'[' => self.balanced(j, b'[', b']'),
                b'(' => self.balanced(j, b'(', b')'),
                _ => None,
            };
            match next {
                // A bracketed group that holds another vendor URL is not this URL's query: it
                // would hide that URL on one pass and not on the next.
                Some(e) if contains_ci(&self.t[j..e], HOST) => return j,
                Some(e) => j = e,
                None => return j,
            }
        }
        j
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{splice, Edit};

    fn s(t: &[u8], r: &Range<usize>) -> String {
        String::from_utf8_lossy(&t[r.clone()]).into_owned()
    }

    /// The single match in `t`.
    fn one(t: &str) -> UrlMatch {
        let ms = find(t.as_bytes());
        assert_eq!(ms.len(), 1, "expected one match in {t:?}, got {ms:?}");
        ms.into_iter().next().unwrap()
    }

    /// Text of the single match's URL and key.
    fn url_key(t: &str) -> (String, Option<String>) {
        let m = one(t);
        let tb = t.as_bytes();
        (s(tb, &m.range), m.key.as_ref().map(|k| s(tb, k)))
    }

    fn key_of(t: &str) -> String {
        url_key(t).1.unwrap_or_else(|| panic!("no key in {t:?}"))
    }

    fn none(t: &str) {
        let ms = find(t.as_bytes());
        assert!(ms.is_empty(), "expected no match in {t:?}, got {ms:?}");
    }

    /// Rewrite every legacy match in `t` for `account`.
    fn migrate(t: &[u8], account: &str) -> Vec<u8> {
        let edits: Vec<Edit> = find(t)
            .iter()
            .filter(|m| m.form == UrlForm::Legacy)
            .map(|m| Edit::new(m.range.clone(), rewrite(t, m, account, None)))
            .collect();
        splice(t, &edits).unwrap()
    }

    fn migrated(t: &str) -> String {
        String::from_utf8(migrate(t.as_bytes(), "ab12c")).unwrap()
    }

    // --- SPEC 2.2 examples, one test per row ---

    #[test]
    fn spec_row_1_uuid_with_slash() {
        assert_eq!(
            migrated("https://events.zenduty.com/api/events/d58c08d0-75f7-4c48-8220-422b51b31847/"),
            "https://events.zenduty.com/integration/ab12c/generic/d58c08d0-75f7-4c48-8220-422b51b31847/"
        );
    }

    #[test]
    fn spec_row_2_http_mixed_case_host_no_slash() {
        assert_eq!(
            migrated("http://WWW.Zenduty.com/api/events/K1"),
            "https://events.zenduty.com/integration/ab12c/generic/K1/"
        );
    }

    #[test]
    fn spec_row_3_fstring() {
        assert_eq!(
            migrated(r#"f"https://events.zenduty.com/api/events/{ZENDUTY_INTEGRATION_KEY}/""#),
            r#"f"https://events.zenduty.com/integration/ab12c/generic/{ZENDUTY_INTEGRATION_KEY}/""#
        );
    }

    #[test]
    fn spec_row_4_format() {
        assert_eq!(
            migrated(r#""https://www.zenduty.com/api/events/{}/".format(KEY)"#),
            r#""https://events.zenduty.com/integration/ab12c/generic/{}/".format(KEY)"#
        );
    }

    #[test]
    fn spec_row_5_kestra_secret() {
        assert_eq!(
            migrated(r#"url: "https://www.zenduty.com/api/events/{{ secret('ZD_KEY') }}/""#),
            r#"url: "https://events.zenduty.com/integration/ab12c/generic/{{ secret('ZD_KEY') }}/""#
        );
    }

    #[test]
    fn spec_row_6_concatenated_base() {
        assert_eq!(
            migrated("'https://www.zenduty.com/api/events/' + key + '/'"),
            "'https://events.zenduty.com/integration/ab12c/generic/' + key + '/'"
        );
    }

    #[test]
    fn spec_row_7_base_without_slash() {
        assert_eq!(
            migrated(r#"ENDPOINT = "https://www.zenduty.com/api/events""#),
            r#"ENDPOINT = "https://events.zenduty.com/integration/ab12c/generic""#
        );
    }

    #[test]
    fn spec_row_8_query_kept() {
        assert_eq!(
            migrated("https://www.zenduty.com/api/events/K1/?source=ci"),
            "https://events.zenduty.com/integration/ab12c/generic/K1/?source=ci"
        );
    }

    // --- key syntaxes ---

    /// Each key, in a double-quoted string, with and without the trailing slash.
    fn assert_key(key: &str) {
        for (t, slash) in [
            (
                format!("x = \"https://events.zenduty.com/api/events/{key}/\"\n"),
                true,
            ),
            (
                format!("x = \"https://events.zenduty.com/api/events/{key}\"\n"),
                false,
            ),
            (
                format!("curl -X POST https://www.zenduty.com/api/events/{key}/ -d @a.json"),
                true,
            ),
            (
                format!("url: 'https://zenduty.com/api/events/{key}'"),
                false,
            ),
        ] {
            let m = one(&t);
            assert_eq!(key_of(&t), key, "in {t:?}");
            assert_eq!(m.trailing_slash, slash, "in {t:?}");
            assert_eq!(m.form, UrlForm::Legacy);
        }
    }

    #[test]
    fn literal_keys() {
        assert_key("d58c08d0-75f7-4c48-8220-422b51b31847");
        assert_key("a1B2c3");
        assert_key("K1");
    }

    #[test]
    fn shell_and_template_keys() {
        for k in [
            "${VAR}",
            "${VAR:-default}",
            "${var.name}",
            "${env:KEY}",
            "$VAR",
            "$zd_key",
        ] {
            assert_key(k);
        }
        assert_key("${{ secrets.ZENDUTY_KEY }}");
        assert_key("${ZD_KEY:-d58c08d0-75f7-4c48-8220-422b51b31847}");
    }

    #[test]
    fn brace_keys() {
        for k in ["{VAR}", "{}", "{0}", "{$var}", "{self.key}", "{cfg['key']}"] {
            assert_key(k);
        }
    }

    #[test]
    fn printf_keys() {
        for k in ["%s", "%v", "%(name)s", "%(integration_key)s", "%-8s", "%q"] {
            assert_key(k);
        }
    }

    #[test]
    fn double_brace_keys() {
        assert_key("{{ secret('ZENDUTY_INTEGRATION_KEY') }}");
        assert_key("{{ .Values.zenduty.key | quote }}");
        assert_key("{{zenduty_key}}");
        assert_key("{{ lookup('env', 'ZD_KEY') }}");
        assert_key("{{ include \"zd.key\" . }}");
    }

    #[test]
    fn other_placeholder_keys() {
        for k in [
            "#{key}",
            "#{ENV['ZD_KEY']}",
            "$(VAR)",
            "$(ZENDUTY_KEY)",
            "%VAR%",
            "@VAR@",
            ":integration_key",
            "<integration-key>",
            "<INTEGRATION_KEY>",
            "<your integration key>",
            "<%= ENV['ZD_KEY'] %>",
            "YOUR_KEY",
            "%{zd_key}",
        ] {
            assert_key(k);
        }
    }

    #[test]
    fn concatenated_keys() {
        for k in [
            "${A}-${B}",
            "prefix-{x}",
            "{a}{b}",
            "$A$B",
            "key-%s",
            "%s-%s",
            "{{ a }}.{{ b }}",
        ] {
            assert_key(k);
        }
    }

    #[test]
    fn placeholders_may_hold_slashes_spaces_and_pipes() {
        assert_key("{{ env \"a/b\" | trim }}");
        assert_key("${ var.a / 2 }");
    }

    #[test]
    fn ruby_placeholder_is_not_a_fragment() {
        let t = "\"https://www.zenduty.com/api/events/#{key}/\"";
        let m = one(t);
        assert_eq!(key_of(t), "#{key}");
        assert!(m.suffix.is_empty());
    }

    #[test]
    fn placeholder_never_crosses_a_line() {
        // The `{` never closes on its line: the KEY cannot be delimited, so only the base prefix
        // is matched and everything after it is kept.
        let t = "https://zenduty.com/api/events/{{ a\n}}/";
        let (url, key) = url_key(t);
        assert_eq!(url, "https://zenduty.com/api/events/");
        assert_eq!(key, None);
        assert_eq!(
            migrated(t),
            "https://events.zenduty.com/integration/ab12c/generic/{{ a\n}}/"
        );
    }

    #[test]
    fn key_does_not_take_the_closing_quote() {
        assert_eq!(key_of("`https://zenduty.com/api/events/${KEY}`"), "${KEY}");
        assert_eq!(key_of("'https://zenduty.com/api/events/K1'"), "K1");
        assert_eq!(key_of("\"https://zenduty.com/api/events/K1\""), "K1");
        assert_eq!(key_of("https://zenduty.com/api/events/K1\tnext"), "K1");
    }

    #[test]
    fn key_is_literal_tells_secrets_from_placeholders() {
        let lit = |t: &str| one(t).key_is_literal(t.as_bytes());
        assert!(lit(
            "https://zenduty.com/api/events/d58c08d0-75f7-4c48-8220-422b51b31847/"
        ));
        assert!(lit("https://zenduty.com/api/events/a1B2c3"));
        assert!(lit("https://zenduty.com/api/events/K1"));
        for k in [
            "${VAR}",
            "$VAR",
            "{0}",
            "%s",
            "<integration-key>",
            "YOUR_KEY",
            "ZENDUTY_INTEGRATION_KEY",
            "your-integration-key",
            ":integration_key",
        ] {
            assert!(
                !lit(&format!("\"https://zenduty.com/api/events/{k}\"")),
                "{k}"
            );
        }
        assert!(!lit("\"https://zenduty.com/api/events\""));
    }

    // --- hosts, schemes, case ---

    #[test]
    fn every_host_and_scheme() {
        for scheme in [
            "https://", "http://", "//", "", "HTTPS://", "Http://", "hTTp://",
        ] {
            for host in [
                "events.zenduty.com",
                "www.zenduty.com",
                "zenduty.com",
                "EVENTS.ZENDUTY.COM",
                "Www.ZenDuty.Com",
            ] {
                let url = format!("{scheme}{host}/api/events/K1/");
                let t = format!("see \"{url}\" here");
                let (found, key) = url_key(&t);
                assert_eq!(found, url);
                assert_eq!(key.as_deref(), Some("K1"));
                assert_eq!(
                    migrated(&t),
                    "see \"https://events.zenduty.com/integration/ab12c/generic/K1/\" here"
                );
            }
        }
    }

    #[test]
    fn scheme_less_at_text_start_and_after_separators() {
        for pre in ["", " ", "=", "\"", "(", "url:", "\n", "\u{e9}"] {
            let t = format!("{pre}zenduty.com/api/events/K1");
            assert_eq!(url_key(&t).0, "zenduty.com/api/events/K1", "{t:?}");
        }
    }

    #[test]
    fn look_alike_hosts_are_not_matches() {
        none("https://zenduty.com.example.org/api/events/K1");
        none("https://notzenduty.com/api/events/K1");
        none("https://x.events.zenduty.com/api/events/K1");
        none("https://zenduty.com:8443/api/events/K1");
        none("x.zenduty.com/api/events/K1");
        none("my-zenduty.com/api/events/K1");
        none("my_zenduty.com/api/events/K1");
        none("wwwzenduty.com/api/events/K1");
        none("eventszenduty.com/api/events/K1");
        none("https://zenduty.com./api/events/K1");
        none("https://zenduty.community/api/events/K1");
        none("user@zenduty.com/api/events/K1");
        none("ftp://zenduty.com/api/events/K1");
        none("git+https://zenduty.com/api/events/K1");
        none("xhttps://zenduty.com/api/events/K1");
        none("https://proxy.example.org/zenduty.com/api/events/K1");
        none("mail support@zenduty.com today");
    }

    #[test]
    fn other_paths_are_not_matches() {
        none("https://events.zenduty.com/api/events-archive/K1");
        none("https://events.zenduty.com/api/eventsX/K1");
        none("https://events.zenduty.com/api/events.json");
        none("https://events.zenduty.com/api/account/teams/");
        none("GET https://events.zenduty.com/api/alert/status/abc");
        none("https://www.zenduty.com/api/incidents/123/");
        none("https://www.zenduty.com/API/EVENTS/K1");
        none("https://www.zenduty.com/");
        none("https://www.zenduty.com");
        none("https://docs.zenduty.com/api/events/K1");
        none("https://events.zenduty.com/integration/ab12c/other/K1/");
        none("https://events.zenduty.com/integration/ab12c/generics/K1/");
    }

    // --- base URLs ---

    #[test]
    fn base_urls() {
        let m = one("BASE=\"https://www.zenduty.com/api/events\"");
        assert_eq!((m.key, m.trailing_slash), (None, false));
        let m = one("'https://www.zenduty.com/api/events/' + key");
        assert_eq!((m.key, m.trailing_slash), (None, true));
        let m = one("base: https://events.zenduty.com/api/events/\n");
        assert_eq!((m.key, m.trailing_slash), (None, true));
        assert_eq!(
            migrated("u = BASE_URL or 'https://events.zenduty.com/api/events/'"),
            "u = BASE_URL or 'https://events.zenduty.com/integration/ab12c/generic/'"
        );
    }

    #[test]
    fn base_url_with_query() {
        let t = "https://www.zenduty.com/api/events?x=1 ";
        let m = one(t);
        assert_eq!(m.key, None);
        assert!(!m.trailing_slash);
        assert_eq!(s(t.as_bytes(), &m.suffix), "?x=1");
        assert_eq!(
            migrated(t),
            "https://events.zenduty.com/integration/ab12c/generic?x=1 "
        );
    }

    #[test]
    fn undelimited_key_falls_back_to_the_base_prefix() {
        for (t, after) in [
            (
                "https://zenduty.com/api/events/K1/extra/path",
                "K1/extra/path",
            ),
            ("https://zenduty.com/api/events/{unclosed", "{unclosed"),
            ("https://zenduty.com/api/events/K1{", "K1{"),
            ("https://zenduty.com/api/events/K1:8080", "K1:8080"),
            ("https://zenduty.com/api/events//K1", "/K1"),
        ] {
            let m = one(t);
            assert_eq!(m.key, None, "{t}");
            assert!(m.trailing_slash, "{t}");
            assert_eq!(
                migrated(t),
                format!("https://events.zenduty.com/integration/ab12c/generic/{after}")
            );
        }
    }

    // --- escaped slashes ---

    #[test]
    fn json_escaped_slashes() {
        let t = r#"{"url":"https:\/\/www.zenduty.com\/api\/events\/d58c08d0-75f7-4c48-8220-422b51b31847\/"}"#;
        let m = one(t);
        assert!(m.escaped_slashes);
        assert!(m.trailing_slash);
        assert_eq!(key_of(t), "d58c08d0-75f7-4c48-8220-422b51b31847");
        assert_eq!(
            migrated(t),
            r#"{"url":"https:\/\/events.zenduty.com\/integration\/ab12c\/generic\/d58c08d0-75f7-4c48-8220-422b51b31847\/"}"#
        );
    }

    #[test]
    fn json_escaped_without_trailing_slash_base_and_query() {
        assert_eq!(
            migrated(r#""https:\/\/zenduty.com\/api\/events\/K1""#),
            r#""https:\/\/events.zenduty.com\/integration\/ab12c\/generic\/K1\/""#
        );
        assert_eq!(
            migrated(r#""http:\/\/www.zenduty.com\/api\/events""#),
            r#""https:\/\/events.zenduty.com\/integration\/ab12c\/generic""#
        );
        assert_eq!(
            migrated(r#""\/\/www.zenduty.com\/api\/events\/""#),
            r#""https:\/\/events.zenduty.com\/integration\/ab12c\/generic\/""#
        );
        assert_eq!(
            migrated(r#""https:\/\/zenduty.com\/api\/events\/{{ k }}\/?a=b\/c""#),
            r#""https:\/\/events.zenduty.com\/integration\/ab12c\/generic\/{{ k }}\/?a=b\/c""#
        );
    }

    #[test]
    fn escaped_key_stops_at_escaped_quote() {
        let t = r#""{\"url\": \"https:\/\/zenduty.com\/api\/events\/K1\"}""#;
        assert_eq!(key_of(t), "K1");
    }

    // --- query, fragment ---

    #[test]
    fn query_and_fragment_kept() {
        let t = "POST https://zenduty.com/api/events/K1?source=ci&x=${Y}#frag here";
        let m = one(t);
        assert_eq!(s(t.as_bytes(), &m.suffix), "?source=ci&x=${Y}#frag");
        assert!(!m.trailing_slash);
        assert_eq!(
            migrated(t),
            "POST https://events.zenduty.com/integration/ab12c/generic/K1/?source=ci&x=${Y}#frag here"
        );
        let t = "https://zenduty.com/api/events/K1/#top";
        assert_eq!(s(t.as_bytes(), &one(t).suffix), "#top");
    }

    // --- where a URL ends ---

    #[test]
    fn prose_punctuation_is_not_part_of_the_url() {
        for (t, url) in [
            (
                "see https://zenduty.com/api/events/KEY.",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "see https://zenduty.com/api/events/KEY. Then",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "at https://zenduty.com/api/events/KEY, or",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "at https://zenduty.com/api/events/KEY; or",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "is https://zenduty.com/api/events/KEY: yes",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "is it https://zenduty.com/api/events/KEY?",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "wow https://zenduty.com/api/events/KEY!",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "(see https://zenduty.com/api/events/KEY).",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "(see https://zenduty.com/api/events/KEY.)",
                "https://zenduty.com/api/events/KEY",
            ),
            (
                "see https://zenduty.com/api/events/KEY/.",
                "https://zenduty.com/api/events/KEY/",
            ),
            (
                "see https://zenduty.com/api/events.",
                "https://zenduty.com/api/events",
            ),
            (
                "see https://zenduty.com/api/events/?a=1.",
                "https://zenduty.com/api/events/?a=1",
            ),
            (
                "\"https://zenduty.com/api/events/KEY.\"",
                "https://zenduty.com/api/events/KEY",
            ),
        ] {
            assert_eq!(url_key(t).0, url, "{t:?}");
        }
        // Inner dots stay in the key.
        assert_eq!(key_of("https://zenduty.com/api/events/a.b.c ok"), "a.b.c");
        assert_eq!(
            key_of("https://zenduty.com/api/events/${a}.${b}."),
            "${a}.${b}"
        );
    }

    #[test]
    fn markdown_and_html_contexts() {
        let t = "[https://zenduty.com/api/events/K1](https://www.zenduty.com/api/events/K2/)";
        let ms = find(t.as_bytes());
        assert_eq!(ms.len(), 2);
        assert_eq!(
            s(t.as_bytes(), &ms[0].range),
            "https://zenduty.com/api/events/K1"
        );
        assert_eq!(
            s(t.as_bytes(), &ms[1].range),
            "https://www.zenduty.com/api/events/K2/"
        );
        assert_eq!(key_of("<https://zenduty.com/api/events/K1>"), "K1");
        assert_eq!(
            key_of("<a href=https://zenduty.com/api/events/K1>x</a>"),
            "K1"
        );
        assert_eq!(key_of("<td>https://zenduty.com/api/events/K1</td>"), "K1");
        assert_eq!(key_of("**https://zenduty.com/api/events/K1**"), "K1");
        assert_eq!(
            key_of("\u{201c}https://zenduty.com/api/events/K1\u{201d}"),
            "K1"
        );
        // HTML-escaped stand-in: `&` ends the URL, so only the base prefix is rewritten.
        let t = "https://zenduty.com/api/events/&lt;integration-key&gt;/";
        assert_eq!(one(t).key, None);
        assert_eq!(
            migrated(t),
            "https://events.zenduty.com/integration/ab12c/generic/&lt;integration-key&gt;/"
        );
    }

    #[test]
    fn shell_contexts() {
        assert_eq!(
            key_of("curl https://zenduty.com/api/events/$KEY;echo"),
            "$KEY"
        );
        assert_eq!(
            key_of("echo \"https://zenduty.com/api/events/$KEY\"|sh"),
            "$KEY"
        );
        assert_eq!(
            key_of("x=https://zenduty.com/api/events/$(KEY)&&y"),
            "$(KEY)"
        );
        assert_eq!(
            key_of("printf(\"https://zenduty.com/api/events/%s\\n\", k)"),
            "%s"
        );
    }

    #[test]
    fn line_comment_marker_is_not_a_scheme() {
        let t = "  //zenduty.com/api/events/K1\n";
        assert_eq!(url_key(t).0, "zenduty.com/api/events/K1");
        assert_eq!(
            migrated(t),
            "  //https://events.zenduty.com/integration/ab12c/generic/K1/\n"
        );
        // But inside a string it is a scheme-relative URL.
        let t = "src=\"//zenduty.com/api/events/K1\"";
        assert_eq!(url_key(t).0, "//zenduty.com/api/events/K1");
        assert_eq!(
            migrated(t),
            "src=\"https://events.zenduty.com/integration/ab12c/generic/K1/\""
        );
    }

    #[test]
    fn adjacent_percent_forms() {
        // Found by proptest: each of these is one key.
        assert_key("%s%a%");
        assert_key("%s_%(x)s");
        assert_key("%_%{A}");
        assert_key("%s%s");
        assert_key("%A%%B%");
        let t = "https://zenduty.com/api/events/K%a%#frag x";
        assert_eq!(key_of(t), "K%a%");
        assert_eq!(s(t.as_bytes(), &one(t).suffix), "#frag");
    }

    #[test]
    fn query_runs_on_over_sub_delimiters() {
        let t = "https://zenduty.com/api/events?source=ci;0 x";
        assert_eq!(s(t.as_bytes(), &one(t).suffix), "?source=ci;0");
    }

    #[test]
    fn scheme_relative_url_glued_to_preceding_text_is_left_alone() {
        // Rewritten to `https:`, these would merge into the text before them.
        none("${k}//zenduty.com/api/events/K1");
        none("x=//zenduty.com/api/events/K1");
        none("a?\\/\\/zenduty.com\\/api\\/events\\/K1");
        assert_eq!(
            url_key("(//zenduty.com/api/events/K1)").0,
            "//zenduty.com/api/events/K1"
        );
    }

    // --- Generic URLs ---

    #[test]
    fn generic_urls_are_found_with_their_account() {
        for (t, acc, key, literal) in [
            ("https://events.zenduty.com/integration/ab12c/generic/K1/", "ab12c", Some("K1"), true),
            ("https://www.zenduty.com/integration/xy98z/generic/K1", "xy98z", Some("K1"), true),
            (
                "https://events.zenduty.com/integration/<account_identifier>/generic/<integration-key>/",
                "<account_identifier>",
                Some("<integration-key>"),
                false,
            ),
            ("\"https://events.zenduty.com/integration/{ACCOUNT}/generic/{KEY}/\"", "{ACCOUNT}", Some("{KEY}"), false),
            ("https://events.zenduty.com/integration/${ZD_ACCOUNT}/generic/", "${ZD_ACCOUNT}", None, false),
            ("https://events.zenduty.com/integration/ACCOUNT_ID/generic", "ACCOUNT_ID", None, false),
        ] {
            let m = one(t);
            let UrlForm::Generic { account } = &m.form else {
                panic!("not generic: {t}");
            };
            assert_eq!(s(t.as_bytes(), account), acc);
            assert_eq!(m.key.as_ref().map(|k| s(t.as_bytes(), k)).as_deref(), key);
            assert_eq!(m.account_is_literal(t.as_bytes()), literal, "{t}");
            // Already migrated: nothing to rewrite.
            assert_eq!(migrated(t), t);
        }
        assert!(!one("https://zenduty.com/api/events/K1").account_is_literal(b"x"));
    }

    #[test]
    fn generic_json_escaped() {
        let t = r#""https:\/\/events.zenduty.com\/integration\/ab12c\/generic\/K1\/""#;
        let m = one(t);
        assert!(m.escaped_slashes);
        assert!(matches!(m.form, UrlForm::Generic { .. }));
    }

    // --- bytes and line ends ---

    #[test]
    fn non_utf8_bytes_around_a_url() {
        let t = b"caf\xe9 https://zenduty.com/api/events/K1 caf\xe9\n\xe9https://www.zenduty.com/api/events/K2\xe9\xff";
        let ms = find(t);
        assert_eq!(ms.len(), 2);
        assert_eq!(&t[ms[0].key.clone().unwrap()], b"K1");
        assert_eq!(&t[ms[1].key.clone().unwrap()], b"K2");
        let out = migrate(t, "ab12c");
        assert_eq!(
            out,
            b"caf\xe9 https://events.zenduty.com/integration/ab12c/generic/K1/ caf\xe9\n\xe9https://events.zenduty.com/integration/ab12c/generic/K2/\xe9\xff"
        );
    }

    #[test]
    fn crlf_line_ends() {
        let t = "a: https://zenduty.com/api/events/K1\r\nb: \"https://zenduty.com/api/events\"\r\nc: https://zenduty.com/api/events/\r\n";
        let ms = find(t.as_bytes());
        assert_eq!(ms.len(), 3);
        assert_eq!(
            s(t.as_bytes(), &ms[0].range),
            "https://zenduty.com/api/events/K1"
        );
        assert_eq!(ms[2].key, None);
        assert!(ms[2].trailing_slash);
        assert_eq!(
            migrated(t),
            "a: https://events.zenduty.com/integration/ab12c/generic/K1/\r\nb: \"https://events.zenduty.com/integration/ab12c/generic\"\r\nc: https://events.zenduty.com/integration/ab12c/generic/\r\n"
        );
    }

    #[test]
    fn several_urls_in_order() {
        let t = "a https://zenduty.com/api/events/K1 b https://events.zenduty.com/integration/x1/generic/K2/ c zenduty.com/api/events/K3";
        let ms = find(t.as_bytes());
        assert_eq!(ms.len(), 3);
        assert!(ms.windows(2).all(|w| w[0].range.end <= w[1].range.start));
        assert_eq!(ms[0].form, UrlForm::Legacy);
        assert!(matches!(ms[1].form, UrlForm::Generic { .. }));
        assert_eq!(ms[2].form, UrlForm::Legacy);
    }

    #[test]
    fn new_key_replaces_the_key() {
        let t = b"https://zenduty.com/api/events/OLD/?x=1";
        let m = &find(t)[0];
        assert_eq!(
            rewrite(t, m, "ab12c", Some(b"NEW")),
            b"https://events.zenduty.com/integration/ab12c/generic/NEW/?x=1"
        );
    }

    #[test]
    fn degenerate_inputs() {
        for t in [
            &b""[..],
            b"zenduty.com",
            b"zenduty.com/",
            b"zenduty.com\\",
            b"https://zenduty.com/api",
            b"https://zenduty.com/api/events/{",
            b"https://zenduty.com/api/events/%",
            b"https://zenduty.com/api/events/%(x",
            b"https://zenduty.com/api/events/$",
            b"https://zenduty.com/api/events/<",
            b"https://zenduty.com/api/events/?",
            b"https://zenduty.com/api/events/K?",
            b"https://zenduty.com/integration/",
            b"https://zenduty.com/integration/a/generic/",
            b"//zenduty.com/api/events",
            b"\\/\\/zenduty.com\\/api\\/events\\",
        ] {
            for m in find(t) {
                assert!(m.range.end <= t.len());
                let _ = rewrite(t, &m, "a", None);
            }
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn name() -> impl Strategy<Value = String> {
            "[A-Za-z_][A-Za-z0-9_]{0,8}"
        }

        /// One key syntax from SPEC 2.1.
        fn atom() -> BoxedStrategy<String> {
            prop_oneof![
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "[A-Za-z0-9]{1,24}",
                name().prop_map(|n| format!("${{{n}}}")),
                (name(), "[a-z0-9]{0,6}").prop_map(|(n, d)| format!("${{{n}:-{d}}}")),
                (name(), name()).prop_map(|(a, b)| format!("${{{a}.{b}}}")),
                name().prop_map(|n| format!("${{env:{n}}}")),
                name().prop_map(|n| format!("${{{{ secrets.{n} }}}}")),
                name().prop_map(|n| format!("${n}")),
                name().prop_map(|n| format!("{{{n}}}")),
                Just("{}".to_string()),
                "[0-9]".prop_map(|d| format!("{{{d}}}")),
                name().prop_map(|n| format!("{{${n}}}")),
                prop_oneof![Just("%s"), Just("%v"), Just("%d"), Just("%-8s")]
                    .prop_map(String::from),
                name().prop_map(|n| format!("%({n})s")),
                name().prop_map(|n| format!("{{{{ secret('{n}') }}}}")),
                (name(), name()).prop_map(|(a, b)| format!("{{{{ .Values.{a}.{b} | quote }}}}")),
                name().prop_map(|n| format!("#{{{n}}}")),
                name().prop_map(|n| format!("$({n})")),
                name().prop_map(|n| format!("%{n}%")),
                name().prop_map(|n| format!("@{n}@")),
                name().prop_map(|n| format!(":{n}")),
                Just("YOUR_KEY".to_string()),
            ]
            .boxed()
        }

        /// A whole KEY: one syntax, a `<...>` stand-in, or a concatenation.
        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                3 => atom(),
                1 => "[a-z]{1,8}(-[a-zA-Z_]{1,8})?".prop_map(|n| format!("<{n}>")),
                // Two `%` forms side by side are ambiguous (`%s_%a%` holds `%s_%`), so not both.
                2 => (atom(), prop_oneof![Just(""), Just("-"), Just("_"), Just(".")], atom())
                    .prop_filter("two % forms", |(a, _, b)| !(a.contains('%') && b.contains('%')))
                    .prop_map(|(a, sep, b)| format!("{a}{sep}{b}")),
            ]
        }

        /// A legacy URL, with its key, trailing slash, escaping and suffix.
        #[derive(Debug, Clone)]
        struct Url {
            text: String,
            key: Option<String>,
            trailing: bool,
            esc: bool,
            suffix: String,
        }

        fn legacy_url() -> impl Strategy<Value = Url> {
            let scheme = prop_oneof![
                Just("https://"),
                Just("http://"),
                Just("//"),
                Just(""),
                Just("HTTPS://"),
                Just("hTtP://"),
            ];
            let host = (
                prop_oneof![
                    Just("events.zenduty.com"),
                    Just("www.zenduty.com"),
                    Just("zenduty.com")
                ],
                prop::collection::vec(any::<bool>(), 18),
            )
                .prop_map(|(h, upper)| {
                    h.chars()
                        .zip(upper)
                        .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                        .collect::<String>()
                });
            let suffix = prop_oneof![
                Just(""),
                Just("?source=ci"),
                Just("#frag"),
                Just("?a=1&b=${X}#x"),
            ];
            (
                scheme,
                host,
                prop::option::weighted(0.9, key()),
                any::<bool>(),
                any::<bool>(),
                suffix,
            )
                .prop_map(|(scheme, host, key, trailing, esc, suffix)| {
                    let mut path = String::from("/api/events");
                    if let Some(k) = &key {
                        path.push('/');
                        path.push_str(k);
                    }
                    if trailing {
                        path.push('/');
                    }
                    let (scheme, path) = if esc {
                        // Keys hold no `/`, so escaping the whole path escapes only the separators.
                        (scheme.replace('/', "\\/"), path.replace('/', "\\/"))
                    } else {
                        (scheme.to_string(), path)
                    };
                    Url {
                        text: format!("{scheme}{host}{path}{suffix}"),
                        key,
                        trailing,
                        esc,
                        suffix: suffix.to_string(),
                    }
                })
        }

        /// Text built from pieces of URLs and the bytes that end or extend them.
        fn soup() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop_oneof![
                4 => prop::sample::select(vec![
                    "zenduty.com", "ZenDuty.COM", "events.", "www.", "https:", "http:", "//", "\\/",
                    "/api/events", "\\/api\\/events", "/api", "/events", "/integration/", "/generic",
                    "api", "events", "integration", "generic", "/", "{", "}", "{{", "}}", "$", "${",
                    "$(", "(", ")", "[", "]", "%", "%(", "@", ":", "<", ">", "#", "#{", "?", ".", ",",
                    ";", "!", " ", "\n", "\r\n", "'", "\"", "`", "\\", "-", "_", "K1", "a1B2", "\u{e9}",
                ])
                .prop_map(|s| s.as_bytes().to_vec()),
                1 => prop::collection::vec(any::<u8>(), 0..4),
                1 => legacy_url().prop_map(|u| u.text.into_bytes()),
                1 => Just(b"https://events.zenduty.com/integration/ab12c/generic/K1/".to_vec()),
            ];
            prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
        }

        fn arbitrary_text() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![prop::collection::vec(any::<u8>(), 0..200), soup()]
        }

        fn well_formed(t: &[u8], ms: &[UrlMatch]) -> Result<(), TestCaseError> {
            let mut last = 0;
            for m in ms {
                prop_assert!(last <= m.range.start && m.range.start < m.range.end);
                prop_assert!(m.range.end <= t.len());
                if let Some(k) = &m.key {
                    prop_assert!(m.range.start < k.start && k.end <= m.suffix.start);
                }
                prop_assert!(m.range.start < m.suffix.start || m.suffix.is_empty());
                prop_assert!(m.suffix.start <= m.suffix.end && m.suffix.end == m.range.end);
                if let UrlForm::Generic { account } = &m.form {
                    prop_assert!(m.range.start < account.start && account.end < m.suffix.start);
                }
                last = m.range.end;
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn find_is_total_and_well_formed(t in arbitrary_text()) {
                let ms = find(&t);
                well_formed(&t, &ms)?;
                for m in &ms {
                    let _ = m.key_is_literal(&t);
                    let _ = m.account_is_literal(&t);
                    let _ = rewrite(&t, m, "ab12c", None);
                }
            }

            #[test]
            fn rewrite_leaves_only_generic_urls(t in soup()) {
                let before = find(&t);
                let out = migrate(&t, "ab12c");
                let after = find(&out);
                well_formed(&out, &after)?;
                prop_assert!(
                    after.iter().all(|m| matches!(m.form, UrlForm::Generic { .. })),
                    "legacy left in {:?}", String::from_utf8_lossy(&out)
                );
                prop_assert_eq!(after.len(), before.len(), "{:?}", String::from_utf8_lossy(&out));
                // And a second run changes nothing.
                prop_assert_eq!(migrate(&out, "ab12c"), out);
            }

            #[test]
            fn generated_url_is_found_exactly(
                u in legacy_url(),
                pre in "[a-z0-9 \n]{0,12}",
                open in prop::sample::select(vec![" ", "\"", "'", "(", "\n", "= ", "`", "\u{e9}"]),
                close in prop::sample::select(vec![
                    " ", "\"", "'", ")", "\n", "\r\n", "]", ">", ". ", ", ", "`", "; ", "\u{e9}",
                ]),
                post in "[a-z0-9 \n]{0,12}",
                at_end in any::<bool>(),
            ) {
                let text = if at_end {
                    format!("{pre}{open}{}", u.text)
                } else {
                    format!("{pre}{open}{}{close}{post}", u.text)
                };
                let t = text.as_bytes();
                let url_end = pre.len() + open.len() + u.text.len();
                let ms = find(t);
                prop_assert_eq!(ms.len(), 1, "{:?} -> {:?}", text, ms);
                let m = &ms[0];
                prop_assert_eq!(&m.form, &UrlForm::Legacy);
                prop_assert_eq!(m.key.as_ref().map(|k| s(t, k)), u.key.clone());
                prop_assert_eq!(m.trailing_slash, u.trailing);
                prop_assert_eq!(m.escaped_slashes, u.esc);
                prop_assert_eq!(s(t, &m.suffix), u.suffix.clone());
                prop_assert_eq!(m.range.end, url_end);
            }
        }
    }

    #[test]
    fn a_slash_concatenated_by_the_code_is_not_added_again() {
        for (t, appended) in [
            (
                "x = 'https://events.zenduty.com/api/events/${KEY}' + \"/\"",
                true,
            ),
            (
                "$u = \"https://www.zenduty.com/api/events/$key\" . '/';",
                true,
            ),
            (
                "u = \"https://www.zenduty.com/api/events/\" .. k .. \"/\"",
                false,
            ),
            (
                "u = \"https://www.zenduty.com/api/events/K1\" + suffix",
                false,
            ),
            (
                "u = \"https://www.zenduty.com/api/events/K1/\" + '/'",
                false,
            ),
        ] {
            let m = one(t);
            assert_eq!(m.code_appends_slash, appended, "{t}");
            let new = rewrite(t.as_bytes(), &m, "ab12c", None);
            if appended {
                assert!(!new.ends_with(b"/"), "{t}");
            }
        }
        let t = "x = 'https://events.zenduty.com/api/events/${KEY}' + \"/\"";
        let m = one(t);
        assert_eq!(
            rewrite(t.as_bytes(), &m, "ab12c", None),
            b"https://events.zenduty.com/integration/ab12c/generic/${KEY}"
        );
    }
}
