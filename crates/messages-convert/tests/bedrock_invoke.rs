//! Claude through InvokeModel: the Anthropic request bodies of every recorded
//! Anthropic exchange go out unchanged except for Bedrock's documented
//! differences, and every recorded Anthropic stream wrapped into
//! InvokeModelWithResponseStream `chunk` frames (`{"bytes": base64}`, encoded
//! by the test's own frame encoder) decodes to the same events.

#![cfg(feature = "bedrock")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bedrock_support;

use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use base64::Engine as _;
use messages_convert::bedrock::invoke::{
    decode_stream_message, invoke_body, invoke_body_from_map, InvokeStreamConverter, InvokeStreamPart,
    ANTHROPIC_VERSION,
};
use messages_http::SseParser;
use messages_types::grammar::validate_stream;
use messages_types::{ErrorKind, MessageCreateParams, StreamEvent};
use serde_json::{json, Value};

use bedrock_support::{decode_frames, encode_frames, Frame};

fn anthropic(stream: bool) -> Vec<Exchange> {
    let Some(dir) = recorded_dir_or_skip() else {
        return Vec::new();
    };
    let mut filter = Filter::api("anthropic-messages");
    filter.stream = Some(stream);
    filter.success = Some(true);
    let all = load_all(&dir, &filter).unwrap();
    assert!(!all.is_empty(), "no recorded anthropic exchanges");
    all
}

/// The `data` payloads of an SSE body.
fn sse_data(body: &[u8]) -> Vec<Vec<u8>> {
    let mut parser = SseParser::new();
    parser.feed(body);
    parser.finish();
    let mut out = Vec::new();
    while let Some(ev) = parser.next_event().unwrap() {
        if !ev.data.is_empty() {
            out.push(ev.data.to_vec());
        }
    }
    out
}

fn chunk_frame(data: &[u8]) -> Frame {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    Frame::event("chunk", serde_json::to_vec(&json!({ "bytes": b64 })).unwrap())
}

#[test]
fn recorded_anthropic_streams_survive_chunk_framing() {
    let mut streams = 0;
    let mut total_events = 0;
    for e in anthropic(true) {
        let body = e.response.body_bytes().unwrap();
        let payloads = sse_data(&body);
        let direct: Vec<StreamEvent> = payloads
            .iter()
            .map(|p| serde_json::from_slice(p).unwrap_or_else(|err| panic!("{}: {err}", e.file)))
            .collect();
        let frames: Vec<Frame> = payloads.iter().map(|p| chunk_frame(p)).collect();
        let wire = encode_frames(&frames);
        // Feed in uneven pieces, as a network would.
        let pieces: Vec<&[u8]> = wire.chunks(997).collect();
        let decoded = decode_frames(pieces);
        assert_eq!(decoded.len(), payloads.len(), "{}", e.file);
        let mut conv = InvokeStreamConverter::new();
        let mut events = Vec::new();
        for (f, p) in decoded.iter().zip(&payloads) {
            assert_eq!(
                decode_stream_message(&f.message_type, &f.name, &f.payload).unwrap(),
                InvokeStreamPart::Event(p.clone()),
                "{}",
                e.file
            );
            conv.push(&f.message_type, &f.name, &f.payload, &mut events)
                .unwrap();
        }
        let direct: Vec<StreamEvent> = direct.iter().map(minted_event).collect();
        assert_eq!(events, direct, "{}", e.file);
        validate_stream(&events).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        total_events += events.len();
        streams += 1;
    }
    if streams > 0 {
        assert_eq!(streams, 122, "recorded anthropic streams");
        assert!(total_events > 1000);
    }
}

#[test]
fn exceptions_end_the_invoke_stream_with_a_typed_error() {
    let frames = [
        chunk_frame(br#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}"#),
        Frame::exception("throttlingException", br#"{"message":"Too many requests, please wait before trying again."}"#.to_vec()),
        chunk_frame(br#"{"type":"message_stop"}"#),
    ];
    let decoded = decode_frames([encode_frames(&frames).as_slice()]);
    let mut conv = InvokeStreamConverter::new();
    let mut events = Vec::new();
    for f in &decoded {
        conv.push(&f.message_type, &f.name, &f.payload, &mut events)
            .unwrap();
    }
    assert_eq!(events.len(), 2, "{events:?}");
    let StreamEvent::Error(err) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(err.error.kind, ErrorKind::RateLimit);
    assert_eq!(
        err.error.message,
        "Too many requests, please wait before trying again."
    );
    validate_stream(&events).unwrap();

    let bad = decode_stream_message("event", "chunk", br#"{"bytes":"not base64!"}"#);
    assert!(bad.is_err());
    assert_eq!(
        decode_stream_message("event", "initial-response", b"{}").unwrap(),
        InvokeStreamPart::Other
    );
}

#[test]
fn recorded_anthropic_requests_go_out_with_only_the_documented_differences() {
    let mut checked = 0;
    let mut with_betas = 0;
    for e in anthropic(false).into_iter().chain(anthropic(true)) {
        let Value::Object(original) = e.request.body.clone() else {
            panic!("{}: body", e.file)
        };
        let betas: Vec<String> = e
            .request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("anthropic-beta"))
            .and_then(|(_, v)| v.as_str())
            .map(|v| {
                v.split(',')
                    .map(|b| b.trim().to_owned())
                    .filter(|b| !b.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let out = invoke_body_from_map(original.clone(), &betas);

        let mut expected = original.clone();
        expected.remove("model");
        expected.remove("stream");
        expected.insert("anthropic_version".into(), json!(ANTHROPIC_VERSION));
        if !betas.is_empty() {
            expected.insert("anthropic_beta".into(), json!(betas));
            with_betas += 1;
        }
        assert_eq!(out, expected, "{}", e.file);
        assert!(!out.contains_key("model") && !out.contains_key("stream"));

        // The typed path gives the same body.
        if let Ok(params) = serde_json::from_value::<MessageCreateParams>(Value::Object(original)) {
            let typed: Value = serde_json::from_slice(&invoke_body(&params, &betas).unwrap()).unwrap();
            assert_eq!(typed, Value::Object(expected), "{}: typed", e.file);
        }
        checked += 1;
    }
    if checked > 0 {
        assert_eq!(checked, 193 + 122);
        assert!(with_betas >= 1, "some recorded requests carry betas");
    }
}

#[test]
fn betas_merge_with_a_body_list() {
    let body = json!({"model": "m", "max_tokens": 1, "messages": [], "anthropic_beta": ["a"]});
    let Value::Object(map) = body else { unreachable!() };
    let out = invoke_body_from_map(map, &["a", "b"]);
    assert_eq!(out["anthropic_beta"], json!(["a", "b"]));
    assert_eq!(out["anthropic_version"], ANTHROPIC_VERSION);
}

/// The recorded Anthropic value as the client hands it out: thinking
/// signatures and `redacted_thinking` data minted with the Bedrock prefix
/// (`messages_convert::signature`), written here independently on the JSON.
fn mint_bedrock_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            let key = match o.get("type").and_then(|t| t.as_str()) {
                Some("thinking" | "signature_delta") => Some("signature"),
                Some("redacted_thinking") => Some("data"),
                _ => None,
            };
            if let Some(serde_json::Value::String(s)) = key.and_then(|k| o.get_mut(k)) {
                if !s.is_empty() {
                    *s = format!("anyllm.bedrock.{s}");
                }
            }
            o.values_mut().for_each(mint_bedrock_json);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(mint_bedrock_json),
        _ => {}
    }
}

fn minted_event(e: &StreamEvent) -> StreamEvent {
    let mut v = serde_json::to_value(e).unwrap();
    mint_bedrock_json(&mut v);
    serde_json::from_value(v).unwrap()
}
