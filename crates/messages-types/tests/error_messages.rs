//! Parse errors say what failed; error bodies parse into the error types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::{
    ErrorKind, ErrorResponse, MessageContent, MessageCreateParams, MessageParam, Nullable, SystemPrompt,
};

fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    serde_json::from_str::<T>(json).unwrap_err().to_string()
}

#[test]
fn malformed_blocks_are_named_with_their_index_and_reason() {
    let e = err::<MessageContent>(r#"[{"type":"text","text":"a"},{"type":"image","src":{}}]"#);
    assert!(
        e.starts_with("content block 1: ContentBlock `image`: missing field `source`"),
        "{e}"
    );
    let e = err::<MessageContent>(r#"[{"text":"a"}]"#);
    assert!(
        e.contains("content block 0") && e.contains("missing `type`"),
        "{e}"
    );
    let e = err::<MessageContent>(r#"[{"type":5}]"#);
    assert!(e.contains("`type` is not a string"), "{e}");
    let e = err::<MessageContent>("42");
    assert!(
        e.contains("expected a string or an array of content blocks"),
        "{e}"
    );
    let e = err::<SystemPrompt>(r#"[{"type":"text"}]"#);
    assert!(
        e.starts_with("system block 0: ContentBlock `text`: missing field `text`"),
        "{e}"
    );
    let e = err::<SystemPrompt>("{}");
    assert!(e.contains("a string or an array of text blocks"), "{e}");
    // Inside a whole request, the position of the outer error is kept once.
    let e = err::<MessageCreateParams>(
        r#"{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result"}]}]}"#,
    );
    assert!(
        e.contains("content block 0: ContentBlock `tool_result`: missing field `tool_use_id`"),
        "{e}"
    );
    assert_eq!(e.matches(" at line ").count(), 1, "{e}");
    // Both shapes of content still parse.
    let m: MessageParam = serde_json::from_str(r#"{"role":"user","content":"hi"}"#).unwrap();
    assert_eq!(m.text(), "hi");
}

#[test]
fn every_documented_error_kind_parses_and_keeps_unknown_ones() {
    for (wire, kind) in [
        ("invalid_request_error", ErrorKind::InvalidRequest),
        ("authentication_error", ErrorKind::Authentication),
        ("billing_error", ErrorKind::Billing),
        ("permission_error", ErrorKind::Permission),
        ("not_found_error", ErrorKind::NotFound),
        ("conflict_error", ErrorKind::Conflict),
        ("request_too_large", ErrorKind::RequestTooLarge),
        ("unprocessable_entity_error", ErrorKind::Unprocessable),
        ("rate_limit_error", ErrorKind::RateLimit),
        ("api_error", ErrorKind::Api),
        ("timeout_error", ErrorKind::Timeout),
        ("overloaded_error", ErrorKind::Overloaded),
        ("brand_new_error", ErrorKind::Other("brand_new_error".into())),
    ] {
        let body =
            format!(r#"{{"type":"error","error":{{"type":"{wire}","message":"m"}},"request_id":null}}"#);
        let e: ErrorResponse = serde_json::from_str(&body).unwrap();
        assert_eq!(e.error.kind, kind);
        assert_eq!(e.request_id, Nullable::Null);
        assert_eq!(serde_json::to_string(&e).unwrap(), body);
    }
    assert_eq!(ErrorKind::from_status(529), ErrorKind::Overloaded);
    assert_eq!(ErrorKind::from_status(418), ErrorKind::Api);
}
