//! The client's stream pipeline (SSE framing → provider converter →
//! accumulation) gives the same events and final message however the body
//! is split into chunks — including splits inside multi-byte UTF-8.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load, recorded_dir_or_skip, Exchange};
use anyllm_testkit::ReplayTransport;
use proptest::prelude::*;

const STREAMS: &[&str] = &[
    "anthropic/messages_tool_args__unicode_arguments_streaming.json",
    "anthropic/messages_tool_args__nested_arguments_streaming.json",
    "anthropic/plaintext_document__streaming_document_citations_accepts_null_citation_start.json",
    "anthropic/streamed_server_tools__streamed_web_search_preserves_server_tool_blocks.json",
];

fn run(ex: &Exchange, chunk: usize) -> (Vec<serde_json::Value>, serde_json::Value) {
    let t = ReplayTransport::new(vec![ex.clone(), ex.clone()]).chunk_size(chunk);
    let client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(t.clone()))
        .build()
        .unwrap();
    let params: MessageCreateParams = serde_json::from_value(ex.request.body.clone()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async {
        let mut s = client.messages(&params).stream().await.unwrap();
        let mut events = Vec::new();
        while let Some(e) = s.next_event().await {
            events.push(serde_json::to_value(e.unwrap()).unwrap());
        }
        let fin = client
            .messages(&params)
            .stream()
            .await
            .unwrap()
            .final_message()
            .await
            .unwrap();
        (events, serde_json::to_value(fin).unwrap())
    });
    t.replay().assert_clean();
    out
}

fn exchanges() -> Option<Vec<Exchange>> {
    let dir = recorded_dir_or_skip()?;
    Some(STREAMS.iter().map(|f| load(&dir, f).unwrap()).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn events_do_not_depend_on_chunking(which in 0..STREAMS.len(), chunk in 1usize..300) {
        let Some(all) = exchanges() else { return Ok(()) };
        let ex = &all[which];
        let whole = run(ex, 1 << 20);
        let split = run(ex, chunk);
        prop_assert_eq!(&whole.0, &split.0);
        prop_assert_eq!(&whole.1, &split.1);
        prop_assert!(whole.0.len() > 4);
    }
}
