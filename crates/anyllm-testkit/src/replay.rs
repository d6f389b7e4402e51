//! The matching core shared by [`crate::ReplayTransport`] and [`crate::ReplayServer`].

use std::sync::{Arc, Mutex, MutexGuard};

use anyllm_fixtures::{Exchange, QueryParam, RecordedRequest, RecordedResponse};
use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;

use crate::json_diff;

/// What a request must share with its recording to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRules {
    /// Query parameters never compared (credentials). Default: `key`. A
    /// recorded value of `[REDACTED]` is never compared either.
    pub ignore_query: Vec<String>,
    /// Headers whose values must equal the recorded ones (case-insensitive
    /// names). Default: none.
    pub require_headers: Vec<String>,
}

impl Default for MatchRules {
    fn default() -> Self {
        Self {
            ignore_query: vec!["key".to_owned()],
            require_headers: Vec::new(),
        }
    }
}

impl MatchRules {
    /// Also requires these headers to equal the recording.
    pub fn require_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.require_headers.extend(names.into_iter().map(Into::into));
        self
    }
}

/// A request that matched no recorded exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The request's method.
    pub method: String,
    /// The request's path and query.
    pub path: String,
    /// The first difference from the closest recorded exchange.
    pub reason: String,
    /// That exchange's file, when there was a candidate.
    pub closest: Option<String>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.method, self.path, self.reason)?;
        if let Some(c) = &self.closest {
            write!(f, " (closest recording: {c})")?;
        }
        Ok(())
    }
}

/// The response a replay sends back.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers (name, value).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

#[derive(Debug)]
struct State {
    exchanges: Vec<Exchange>,
    served: Vec<usize>,
    mismatches: Vec<Mismatch>,
    rules: MatchRules,
}

/// A set of recorded exchanges and the log of what was asked of them.
/// Cloning shares the state.
#[derive(Debug, Clone)]
pub struct Replay {
    state: Arc<Mutex<State>>,
}

/// Status of the diagnostic response sent for a request that matches no recording.
pub const MISMATCH_STATUS: u16 = 418;

impl Replay {
    /// A replay of `exchanges` with the default [`MatchRules`].
    pub fn new(exchanges: Vec<Exchange>) -> Self {
        Self::with_rules(exchanges, MatchRules::default())
    }

    /// A replay of `exchanges` with explicit rules.
    pub fn with_rules(exchanges: Vec<Exchange>, rules: MatchRules) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                exchanges,
                served: Vec::new(),
                mismatches: Vec::new(),
                rules,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another test thread panicked; the data is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers one request: the recorded response of the first exchange that
    /// matches (preferring ones not served yet), else a `418` diagnostic and a
    /// recorded [`Mismatch`].
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ReplayResponse {
        let mut st = self.lock();
        let actual_body: Result<Value, String> = if body.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Null)
        } else {
            serde_json::from_slice(body).map_err(|e| format!("request body is not JSON: {e}"))
        };
        let query = parse_query(query.unwrap_or(""));
        let mut best: Option<(usize, usize, String)> = None;
        let order: Vec<usize> = {
            let (fresh, used): (Vec<usize>, Vec<usize>) =
                (0..st.exchanges.len()).partition(|i| !st.served.contains(i));
            fresh.into_iter().chain(used).collect()
        };
        for i in order {
            let Some(ex) = st.exchanges.get(i) else { continue };
            match check(
                &ex.request,
                &st.rules,
                method,
                path,
                &query,
                headers,
                &actual_body,
            ) {
                Ok(()) => {
                    let resp = response_of(&ex.response);
                    st.served.push(i);
                    return resp;
                }
                Err((score, reason)) => {
                    if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                        best = Some((score, i, reason));
                    }
                }
            }
        }
        let (closest, reason) = match best {
            Some((_, i, reason)) => (st.exchanges.get(i).map(|e| e.file.clone()), reason),
            None => (None, "no recorded exchanges".to_owned()),
        };
        let full_path = match query.is_empty() {
            true => path.to_owned(),
            false => format!(
                "{path}?{}",
                query
                    .iter()
                    // Ignored parameters are credentials (`key`): never echoed.
                    .map(|(k, v)| match st.rules.ignore_query.contains(k) {
                        true => format!("{k}=[REDACTED]"),
                        false => format!("{k}={v}"),
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            ),
        };
        let m = Mismatch {
            method: method.to_owned(),
            path: full_path,
            reason,
            closest,
        };
        let body = serde_json::json!({
            "type": "error",
            "error": {"type": "replay_mismatch", "message": m.to_string()}
        });
        st.mismatches.push(m);
        ReplayResponse {
            status: MISMATCH_STATUS,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
        }
    }

    /// Every request that matched no recording, in arrival order.
    pub fn mismatches(&self) -> Vec<Mismatch> {
        self.lock().mismatches.clone()
    }

    /// How many requests were answered from a recording.
    pub fn served(&self) -> usize {
        self.lock().served.len()
    }

    /// The files of recorded exchanges no request matched.
    pub fn unused(&self) -> Vec<String> {
        let st = self.lock();
        st.exchanges
            .iter()
            .enumerate()
            .filter(|(i, _)| !st.served.contains(i))
            .map(|(_, e)| e.file.clone())
            .collect()
    }

    /// Panics (failing the test) listing every mismatch, if there was any.
    #[allow(clippy::panic)]
    pub fn assert_clean(&self) {
        let m = self.mismatches();
        if !m.is_empty() {
            let list: Vec<String> = m.iter().map(ToString::to_string).collect();
            panic!(
                "{} request(s) matched no recording:\n{}",
                m.len(),
                list.join("\n")
            );
        }
    }
}

/// Decodes `%XX` escapes (for comparing `/model/a%3A0` with `/model/a:0`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'%') {
            if let Some(hex) = s.get(i + 1..i + 3) {
                if let Ok(v) = u8::from_str_radix(hex, 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        if let Some(c) = b.get(i) {
            out.push(*c);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn compared_query<'a>(
    rules: &MatchRules,
    q: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(&'a str, &'a str)> {
    let mut v: Vec<_> = q
        .filter(|(k, v)| !rules.ignore_query.iter().any(|i| i == k) && *v != "[REDACTED]")
        .collect();
    v.sort_unstable();
    v
}

type CheckError = (usize, String);

fn check(
    rec: &RecordedRequest,
    rules: &MatchRules,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Result<Value, String>,
) -> Result<(), CheckError> {
    let rec_method = if rec.method.is_empty() {
        "POST"
    } else {
        rec.method.as_str()
    };
    if !rec_method.eq_ignore_ascii_case(method) {
        return Err((0, format!("method: expected {rec_method}, got {method}")));
    }
    if percent_decode(&rec.path) != percent_decode(path) {
        return Err((1, format!("path: expected {}, got {path}", rec.path)));
    }
    let want = compared_query(
        rules,
        rec.query
            .iter()
            .map(|QueryParam { name, value }| (name.as_str(), value.as_str())),
    );
    let got = compared_query(rules, query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if want != got {
        return Err((2, format!("query: expected {want:?}, got {got:?}")));
    }
    for name in &rules.require_headers {
        let expected = rec
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str());
        let actual = headers.get(name.as_str()).and_then(|v| v.to_str().ok());
        if expected != actual {
            return Err((3, format!("header {name}: expected {expected:?}, got {actual:?}")));
        }
    }
    let body = body.as_ref().map_err(|e| (4, e.clone()))?;
    match json_diff(&rec.body, body) {
        None => Ok(()),
        Some(d) => Err((5, format!("body differs at {d}"))),
    }
}

fn response_of(r: &RecordedResponse) -> ReplayResponse {
    let headers = r
        .headers
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect();
    ReplayResponse {
        status: r.status,
        headers,
        body: Bytes::from(r.body_bytes().unwrap_or_default()),
    }
}

/// Builds an exchange by hand (for tests that do not read recorded files).
///
/// ```
/// let ex = anyllm_testkit::exchange("POST", "/v1/messages", serde_json::json!({}), 200,
///     "application/json", "{}");
/// assert_eq!(ex.response.status, 200);
/// ```
pub fn exchange(
    method: &str,
    path: &str,
    request_body: Value,
    status: u16,
    content_type: &str,
    response_body: &str,
) -> Exchange {
    let mut resp_headers = serde_json::Map::new();
    resp_headers.insert("content-type".into(), Value::String(content_type.to_owned()));
    Exchange {
        origin: "hand-written".into(),
        provider: String::new(),
        api: String::new(),
        stream: content_type.starts_with("text/event-stream"),
        request: RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            headers: serde_json::Map::new(),
            body: request_body,
        },
        response: RecordedResponse {
            status,
            headers: resp_headers,
            body: Some(response_body.to_owned()),
            body_base64: None,
        },
        file: format!("{method} {path}"),
    }
}
