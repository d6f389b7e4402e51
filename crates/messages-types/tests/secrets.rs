//! Credentials a request may carry (an MCP server's `authorization_token`)
//! never show in `Debug`, and still go on the wire unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::{CountTokensParams, MessageCreateParams};
use serde_json::json;

const TOKEN: &str = "mcp-secret-token-123";

fn body() -> serde_json::Value {
    json!({
        "model": "m", "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
        "mcp_servers": [{"type": "url", "url": "https://mcp.example.com/sse", "name": "ex",
                         "authorization_token": TOKEN}]
    })
}

#[test]
fn mcp_authorization_tokens_are_redacted_in_debug() {
    let params: MessageCreateParams = serde_json::from_value(body()).unwrap();
    let debug = format!("{params:?} {params:#?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert_eq!(serde_json::to_value(&params).unwrap(), body());

    let mut count = body();
    count.as_object_mut().unwrap().remove("max_tokens");
    let params: CountTokensParams = serde_json::from_value(count.clone()).unwrap();
    let debug = format!("{params:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert_eq!(serde_json::to_value(&params).unwrap(), count);
}
