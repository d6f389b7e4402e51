//! Time to first token in the access log: `ttft_ms` on the `response` line
//! of whole replies and streams, and on a stream's `stream_end` line.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyllm_testkit::ReplayServer;
use common::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One access-log event: its `event` name and its integer fields.
type Line = (String, BTreeMap<String, u64>);

/// Collects each access-log event.
#[derive(Clone, Default)]
struct Numbers(Arc<Mutex<Vec<Line>>>);

#[derive(Default)]
struct Fields {
    event: String,
    numbers: BTreeMap<String, u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.numbers.insert(field.name().to_owned(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "event" {
            value.clone_into(&mut self.event);
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for Numbers {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.target() == "anyllm_server::access"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields::default();
        event.record(&mut f);
        self.0.lock().unwrap().push((f.event, f.numbers));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

// Current-thread runtime: the gateway's tasks run on this thread, under the default subscriber.
#[tokio::test]
async fn ttft_ms_is_logged_for_whole_replies_and_streams_and_not_for_errors() {
    let lines = Numbers::default();
    let _guard = tracing::subscriber::set_default(lines.clone());
    let upstream = ReplayServer::start(vec![
        fixture("openai/demo.json"),
        fixture("openai/demo_stream.json"),
    ])
    .await
    .unwrap();
    let toml = format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n",
        upstream.url()
    );
    let gw = start(&toml).await;
    let whole = post_json(
        gw.addr,
        "/v1/messages",
        &serde_json::to_value(demo_params("fast")).unwrap(),
    )
    .await;
    assert_eq!(whole.status, 200);
    let mut params = demo_params("fast");
    params.stream = Some(true);
    let stream = post_json(gw.addr, "/v1/messages", &serde_json::to_value(&params).unwrap()).await;
    assert_eq!(stream.status, 200);
    post_json(gw.addr, "/v1/messages", &serde_json::json!({"model": "nope:x"}))
        .await
        .assert_error(400, "invalid_request_error");

    let got = lines.0.lock().unwrap().clone();
    let events: Vec<&str> = got.iter().map(|(e, _)| e.as_str()).collect();
    // The stream's end is logged before its body ends, so it is here already.
    assert_eq!(
        events,
        ["response", "response", "stream_end", "response"],
        "{got:?}"
    );
    let (_, whole_line) = &got[0];
    let ttft = whole_line["ttft_ms"];
    assert!(ttft <= whole_line["latency_ms"], "{whole_line:?}");
    let (_, stream_line) = &got[1];
    let (_, end_line) = &got[2];
    assert!(stream_line.contains_key("ttft_ms"), "{stream_line:?}");
    assert_eq!(end_line.get("ttft_ms"), stream_line.get("ttft_ms"));
    assert!(end_line["ttft_ms"] <= end_line["duration_ms"], "{end_line:?}");
    let (_, error_line) = &got[3];
    assert!(!error_line.contains_key("ttft_ms"), "{error_line:?}");
    assert_eq!(error_line["status"], 400);
}
