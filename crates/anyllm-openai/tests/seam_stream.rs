//! A provider crate plus `messages-http`, without the `anyllm` client: build
//! the request with the provider, send it through a transport (here
//! `messages-http`'s replay test transport), and read the streaming body as
//! Anthropic events with the seam's `EventStream` (framing from the
//! provider, converter from the family).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm_openai::{spec, OpenAiCompatible};
use anyllm_provider::{ApiKey, CallContext, Error, EventStream, Provider};
use messages_http::test_util::{CannedResponse, ReplayTransport};
use messages_http::Transport;
use messages_types::accumulate::MessageAccumulator;
use messages_types::{MessageCreateParams, StreamEvent};

/// A Chat Completions stream in OpenAI's documented chunk shape (text in two
/// deltas, then `finish_reason`, a usage chunk and `[DONE]`), split across
/// chunk boundaries that cut events in half.
const SSE: &[&str] = &[
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\nda",
    "ta: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
    "data: [DONE]\n\n",
];

fn params() -> MessageCreateParams {
    serde_json::from_value(serde_json::json!({
        "model": "gpt-4.1-mini", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Say hello"}]
    }))
    .unwrap()
}

async fn stream_events(chunks: &[&'static str]) -> (Vec<StreamEvent>, Option<Error>) {
    let provider = OpenAiCompatible::new(*spec("openai").unwrap());
    let params = params();
    let mut ctx = CallContext::new("http://127.0.0.1:9/v1").with_stream(true);
    ctx.api_key = Some(ApiKey::new("sk-test"));
    let request = provider.build_request(&params, &ctx).unwrap();
    let transport = ReplayTransport::new([CannedResponse::new(200, "")
        .header("content-type", "text/event-stream")
        .chunks(chunks.iter().copied())]);
    let response = transport.send(request).await.unwrap();
    let sent = &transport.requests()[0];
    assert_eq!(sent.uri(), "http://127.0.0.1:9/v1/chat/completions");

    let mut events = EventStream::for_provider(&provider, &params, response.into_body()).unwrap();
    let mut out = Vec::new();
    let mut error = None;
    while let Some(ev) = events.next_event().await {
        match ev {
            Ok(ev) => out.push(ev),
            Err(e) => error = Some(e),
        }
    }
    (out, error)
}

#[tokio::test]
async fn a_provider_crate_and_messages_http_give_anthropic_events() {
    let (events, error) = stream_events(SSE).await;
    assert!(error.is_none(), "{error:?}");
    let names: Vec<&str> = events.iter().map(StreamEvent::type_name).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let mut acc = MessageAccumulator::new();
    for ev in &events {
        acc.push(ev).unwrap();
    }
    let message = acc.finish().unwrap();
    assert_eq!(message.text(), "Hello");
    assert_eq!(message.usage.output_tokens, Some(2));
    messages_types::grammar::validate_stream(&events).unwrap();
}

/// A body that ends without `[DONE]` after its `finish_reason` is closed by
/// the converter's `finish` (a valid sequence, as through the client); one
/// cut before any `finish_reason` never said why it stopped and is a typed
/// error (issue 10); a mid-stream `{"error": …}` payload ends the stream with
/// a typed API error.
#[tokio::test]
async fn early_end_and_mid_stream_errors() {
    let cut = [SSE[0], SSE[1], SSE[2]];
    let (events, error) = stream_events(&cut).await;
    assert!(error.is_none(), "{error:?}");
    messages_types::grammar::validate_stream(&events).unwrap();
    assert_eq!(events.last().map(StreamEvent::type_name), Some("message_stop"));

    let cut_early = [SSE[0], SSE[1]];
    let (_, error) = stream_events(&cut_early).await;
    let Some(Error::Http(e)) = error else {
        panic!("expected a typed error for a stream without a finish_reason, got {error:?}");
    };
    assert!(e.to_string().contains("finish_reason"), "{e}");

    let failing = [
        // The first event whole (SSE[0] ends with the next event's first bytes).
        SSE[0].trim_end_matches("da"),
        "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n",
    ];
    let (_, error) = stream_events(&failing).await;
    let Some(Error::Http(e)) = error else {
        panic!("expected a typed API error, got {error:?}");
    };
    assert!(e.to_string().contains("Rate limit reached"), "{e}");
}
