//! Strict and lenient routes, the dropped-fields report, and the client's
//! `anthropic-beta` / `anthropic-version` headers.
//!
//! Each route has a conversion policy: `strict = true|false` at the top of
//! the configuration and per `[models."<alias>"]` (the alias's wins; the
//! default is strict). Before a target is called, the gateway fits the
//! request to it ([`anyllm::Client::apply_policy`]):
//!
//! - strict: a field the target cannot express is the typed 400
//!   `invalid_request_error` naming it, as the client library answers —
//!   including a beta the target cannot honour (`anthropic-beta: <name>`);
//! - lenient: the fields the policy allows are dropped from the request
//!   sent upstream (the rule, and what it never drops, is documented in
//!   `messages_convert::lenient`) and the reply names them in the
//!   [`DROPPED_FIELDS`] header — a JSON array of `{"path", "kind",
//!   "reason"?}` objects (the serialized [`anyllm::DroppedField`]s, non-ASCII
//!   escaped as `\uXXXX`), on whole and streamed replies alike — and in the
//!   access-log field `dropped` (the same JSON). The header is absent when
//!   nothing was dropped. Fields the policy keeps (a content block,
//!   `inference_geo`, `stop_sequences`, …) stay the typed 400.
//!
//! The client's `anthropic-beta` header (comma-separated) becomes the call's
//! betas, for every target: an Anthropic-family target sends them upstream,
//! another one refuses (strict) or drops and reports (lenient) them. The
//! `anthropic-version` header goes to Anthropic-family targets only; it
//! names the Anthropic wire version, which means nothing to other APIs
//! (their converters speak one version of their own API).
//!
//! `count_tokens` follows the route's policy too
//! ([`anyllm::Client::apply_count_policy`]): some counters convert the
//! request (Gemini's `countTokens` is a `generateContent` request), so a
//! field the target cannot express is the same typed 400 on a strict route
//! and is dropped and reported (header and access log) on a lenient one.
//! A route whose count is the local estimate converts nothing: only the
//! betas it cannot honour are refused or dropped.

use anyllm::{ApiFamily, Client, ConversionPolicy, DroppedField, RequestOptions};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::Config;

/// The response header listing what a lenient route dropped (JSON array).
pub const DROPPED_FIELDS: &str = "anyllm-dropped-fields";

const ANTHROPIC_VERSION: HeaderName = HeaderName::from_static("anthropic-version");

/// The conversion policy of a request for `model`: its alias's `strict`,
/// else the top-level one, else strict.
pub(crate) fn policy(config: &Config, model: &str) -> ConversionPolicy {
    let strict = config
        .models
        .get(model)
        .and_then(|m| m.strict)
        .or(config.strict)
        .unwrap_or(true);
    if strict {
        ConversionPolicy::Strict
    } else {
        ConversionPolicy::Lenient
    }
}

/// The client headers the gateway forwards upstream.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientHeaders {
    betas: Vec<String>,
    version: Option<HeaderValue>,
}

impl ClientHeaders {
    /// Reads `anthropic-beta` (every value, comma-separated) and `anthropic-version`.
    pub(crate) fn from_request(headers: &HeaderMap) -> Self {
        let mut betas = Vec::new();
        anyllm::lenient::betas_from_headers(headers, &mut betas);
        Self {
            betas,
            version: headers.get(ANTHROPIC_VERSION).cloned(),
        }
    }

    /// The per-call options of a Messages call to `target`: the betas for
    /// every target (the policy decides what a non-Anthropic one does with
    /// them), `anthropic-version` for Anthropic-family targets only.
    pub(crate) fn options_for(&self, client: &Client, target: &str) -> RequestOptions {
        self.options(is_anthropic(client, target), true)
    }

    /// The per-call options of a count-tokens call to `target`: the same as
    /// a Messages call's (the route's policy refuses or drops the betas a
    /// non-Anthropic counter cannot honour, as for Messages).
    pub(crate) fn count_options_for(&self, client: &Client, target: &str) -> RequestOptions {
        self.options_for(client, target)
    }

    fn options(&self, version: bool, betas: bool) -> RequestOptions {
        let mut opts = RequestOptions::new();
        if betas {
            opts.betas.clone_from(&self.betas);
        }
        if let Some(v) = self.version.as_ref().filter(|_| version) {
            opts.headers.insert(ANTHROPIC_VERSION, v.clone());
        }
        opts
    }
}

fn is_anthropic(client: &Client, target: &str) -> bool {
    client
        .route(target, None)
        .is_ok_and(|(p, _)| p.info().family == ApiFamily::AnthropicMessages)
}

/// The report as compact JSON with every non-ASCII character escaped
/// (`\uXXXX`), so it is a valid header value and a log field; `None` when
/// nothing was dropped.
pub(crate) fn report_json(dropped: &[DroppedField]) -> Option<String> {
    if dropped.is_empty() {
        return None;
    }
    let json = serde_json::to_string(dropped).ok()?;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    Some(out)
}

/// Sets [`DROPPED_FIELDS`] from a report made by [`report_json`].
pub(crate) fn set_report_header(headers: &mut HeaderMap, report: Option<&str>) {
    if let Some(v) = report.and_then(|r| HeaderValue::from_str(r).ok()) {
        headers.insert(DROPPED_FIELDS, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyllm::DroppedField;

    #[test]
    fn the_report_is_ascii_json() {
        let d: Vec<DroppedField> = serde_json::from_value(serde_json::json!([
            {"path": "context_management", "kind": "feature"},
            {"path": "anthropic-beta: caf\u{e9}-\u{1F600}", "kind": "beta", "reason": "r"}
        ]))
        .unwrap();
        let r = report_json(&d).unwrap();
        assert_eq!(
            r,
            r#"[{"path":"context_management","kind":"feature"},{"path":"anthropic-beta: caf\u00e9-\ud83d\ude00","kind":"beta","reason":"r"}]"#
        );
        let back: Vec<DroppedField> = serde_json::from_str(&r).unwrap();
        assert_eq!(back, d);
        assert!(HeaderValue::from_str(&r).is_ok());
        assert_eq!(report_json(&[]), None);
    }

    #[test]
    fn betas_are_read_from_every_header_value() {
        let mut h = HeaderMap::new();
        h.append("anthropic-beta", HeaderValue::from_static("a, b"));
        h.append("anthropic-beta", HeaderValue::from_static("b,c,"));
        h.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        let c = ClientHeaders::from_request(&h);
        assert_eq!(c.betas, ["a", "b", "c"]);
        assert_eq!(c.version.as_ref().unwrap(), "2023-06-01");
    }

    #[test]
    fn the_alias_setting_wins_over_the_top_level_one() {
        let c = Config::from_toml(
            r#"strict = false
            [models."a"]
            targets = ["openai:gpt-4.1-mini"]
            strict = true
            [models."b"]
            targets = ["openai:gpt-4.1-mini"]"#,
        )
        .unwrap();
        assert_eq!(policy(&c, "a"), ConversionPolicy::Strict);
        assert_eq!(policy(&c, "b"), ConversionPolicy::Lenient);
        assert_eq!(policy(&c, "openai:gpt-4.1-mini"), ConversionPolicy::Lenient);
        assert_eq!(policy(&Config::default(), "x"), ConversionPolicy::Strict);
    }
}
