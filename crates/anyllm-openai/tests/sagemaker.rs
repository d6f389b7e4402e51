//! Amazon SageMaker endpoints through the real `anyllm` client against a
//! loopback server: the exact URL, SigV4 headers and body of plain, tool
//! and streamed requests (pinned by `fixtures/sagemaker/`), the documented
//! replies converted, and the stream — SSE carried in AWS event-stream
//! `PayloadPart` frames — decoding to the same events as the plain SSE
//! stream however it is cut (proptest over a recorded OpenAI stream).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load, project_fixtures_dir, recorded_dir_or_skip, Exchange};
use anyllm_openai::{SagemakerProvider, SAGEMAKER_DIALECT};
use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain};
use anyllm_provider::{Framing, StreamDecoder};
use anyllm_testkit::{CaptureServer, Captured, Reply};
use bytes::Bytes;
use messages_convert::openai_chat::{self, ResponseContext};
use messages_types::grammar::validate_stream;
use messages_types::StreamEvent;
use proptest::prelude::*;
use serde_json::{json, Value};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A test-only AWS event-stream encoder: prelude (total and headers length,
/// prelude CRC32), string headers, payload, message CRC32.
fn encode_message(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    for (name, value) in headers {
        h.push(name.len() as u8);
        h.extend_from_slice(name.as_bytes());
        h.push(7); // string
        h.extend_from_slice(&(value.len() as u16).to_be_bytes());
        h.extend_from_slice(value.as_bytes());
    }
    let total = 12 + h.len() + payload.len() + 4;
    let mut m = Vec::with_capacity(total);
    m.extend_from_slice(&(total as u32).to_be_bytes());
    m.extend_from_slice(&(h.len() as u32).to_be_bytes());
    let prelude_crc = crc32fast::hash(&m);
    m.extend_from_slice(&prelude_crc.to_be_bytes());
    m.extend_from_slice(&h);
    m.extend_from_slice(payload);
    let crc = crc32fast::hash(&m);
    m.extend_from_slice(&crc.to_be_bytes());
    m
}

fn payload_part(bytes: &[u8]) -> Vec<u8> {
    encode_message(
        &[
            (":event-type", "PayloadPart"),
            (":content-type", "application/octet-stream"),
            (":message-type", "event"),
        ],
        bytes,
    )
}

/// `sse` cut at `cuts` (byte offsets) into `PayloadPart` messages.
fn event_stream(sse: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (sse.len() + 1)).collect();
    points.push(0);
    points.push(sse.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .flat_map(|w| payload_part(&sse[w[0]..w[1]]))
        .collect()
}

fn converter(model: &str) -> Box<dyn anyllm_provider::StreamConverter> {
    Box::new(openai_chat::stream(&ResponseContext::new(
        &SAGEMAKER_DIALECT,
        model,
    )))
}

/// Decodes `body`, fed in `chunks` pieces, with `framing`.
fn decode(framing: Framing, body: &[u8], chunk: usize) -> Result<Vec<Value>, String> {
    let mut d = StreamDecoder::new(framing, converter("m")).unwrap();
    let mut events = Vec::new();
    for piece in body.chunks(chunk.max(1)) {
        d.feed(Bytes::copy_from_slice(piece));
        while d.convert_next(&mut events).map_err(|e| e.to_string())? {}
    }
    d.end_of_body();
    while d.convert_next(&mut events).map_err(|e| e.to_string())? {}
    d.finish(&mut events).map_err(|e| e.to_string())?;
    validate_stream(&events).map_err(|e| format!("{e:?}"))?;
    Ok(events.iter().map(|e| serde_json::to_value(e).unwrap()).collect())
}

fn recorded_openai_stream() -> Option<Vec<u8>> {
    let dir = recorded_dir_or_skip()?;
    let ex = load(
        &dir,
        "openai/chat_history_roundtrip_matrix__streaming_gpt_4_1_mini_normalized_single_tool.json",
    )
    .unwrap();
    assert!(ex.stream);
    Some(ex.response.body_bytes().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn payload_parts_cut_anywhere_decode_like_the_plain_stream(
        cuts in proptest::collection::vec(0usize..100_000, 0..40),
        chunk in 1usize..700,
    ) {
        let Some(sse) = recorded_openai_stream() else { return Ok(()) };
        let plain = decode(Framing::Sse, &sse, sse.len()).unwrap();
        prop_assert!(plain.iter().any(|e| e["type"] == "content_block_start"));
        let nested = decode(Framing::AwsEventStreamSse, &event_stream(&sse, &cuts), chunk).unwrap();
        prop_assert_eq!(nested, plain);
    }
}

#[test]
fn one_byte_payload_parts_and_a_model_stream_error() {
    let Some(sse) = recorded_openai_stream() else {
        return;
    };
    let every_byte: Vec<usize> = (0..sse.len()).collect();
    let plain = decode(Framing::Sse, &sse, sse.len()).unwrap();
    assert_eq!(
        decode(Framing::AwsEventStreamSse, &event_stream(&sse, &every_byte), 3).unwrap(),
        plain
    );

    // A container failure mid-stream: the events before it, then an Anthropic error event.
    let cut = sse.len() / 2;
    let mut body = event_stream(&sse[..cut], &[cut / 3]);
    body.extend(encode_message(
        &[
            (":exception-type", "ModelStreamError"),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        br#"{"Message":"CUDA out of memory","ErrorCode":"ModelError"}"#,
    ));
    let mut d = StreamDecoder::new(Framing::AwsEventStreamSse, converter("m")).unwrap();
    d.feed(Bytes::from(body));
    d.end_of_body();
    let mut events = Vec::new();
    while d.convert_next(&mut events).unwrap() {}
    let last = serde_json::to_value(events.last().unwrap()).unwrap();
    assert_eq!(last["type"], "error");
    assert_eq!(last["error"]["message"], "ModelStreamError: CUDA out of memory");

    // A corrupted message CRC is a framing error, never a panic or silent loss.
    let mut bad = payload_part(b"data: {}\n\n");
    let n = bad.len();
    bad[n - 1] ^= 0xff;
    assert!(decode(Framing::AwsEventStreamSse, &bad, 4).is_err());
}

fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), name).unwrap()
}

/// A vLLM-style stream (OpenAI chunks, usage on the last one), per the
/// container's OpenAI-compatible server.
const VLLM_SSE: &str = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733990600,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n\
data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733990600,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi there!\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n\
data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733990600,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null}]}\n\n\
data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733990600,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":16,\"completion_tokens\":4}}\n\n\
data: [DONE]\n\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_tool_and_streamed_invocations_signed_with_sigv4() {
    let plain_fx = fixture("sagemaker/invocations.json");
    let tool_fx = fixture("sagemaker/invocations_tools.json");
    let replies = (plain_fx.clone(), tool_fx.clone());
    let server = CaptureServer::start(move |_, req: &Captured| {
        if req.path_and_query.ends_with("invocations-response-stream") {
            let body = event_stream(VLLM_SSE.as_bytes(), &[5, 100, 101, 400, 777]);
            return Reply::new(200, "application/vnd.amazon.eventstream", body);
        }
        let ex = if req.json().get("tools").is_some() {
            &replies.1
        } else {
            &replies.0
        };
        Reply::json(200, ex.response.body.clone().unwrap())
    })
    .await
    .unwrap();
    let chain = AwsCredentialsChain::from_env(Arc::new(MapEnv::empty())).explicit(AwsCredentials::new(
        "AKIDEXAMPLE",
        SECRET,
        Some("session-token-value".into()),
    ));
    let provider = SagemakerProvider::new("us-west-2", Arc::new(chain))
        .with_target_model("model-a.tar.gz")
        .with_inference_component("ic-llama")
        .with_custom_attributes("trace=1");
    assert!(!format!("{provider:?}").contains(SECRET));
    let client = Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(provider))
        .api_base("sagemaker", server.url())
        .max_retries(0)
        .build()
        .unwrap();
    let params = |v: Value| -> MessageCreateParams { serde_json::from_value(v).unwrap() };

    let msg = client
        .messages(&params(
            json!({"model": "sagemaker:my-llama-endpoint", "max_tokens": 64,
            "messages": [{"role": "user", "content": "Say hi."}]}),
        ))
        .await
        .unwrap();
    let msg = serde_json::to_value(&msg).unwrap();
    assert_eq!(msg["content"], json!([{"type": "text", "text": "Hi there!"}]));
    assert_eq!(msg["usage"]["input_tokens"], 12);

    let tool = client
        .messages(&params(json!({"model": "sagemaker:my-llama-endpoint", "max_tokens": 256,
            "messages": [{"role": "user", "content": "Weather in Paris?"}],
            "tools": [{"name": "get_weather", "description": "Current weather",
                       "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
            "tool_choice": {"type": "auto"}})))
        .await
        .unwrap();
    let tool = serde_json::to_value(&tool).unwrap();
    assert_eq!(tool["stop_reason"], "tool_use");
    assert_eq!(tool["content"][0]["input"], json!({"city": "Paris"}));

    let mut stream = client
        .messages(&params(
            json!({"model": "sagemaker:my-llama-endpoint", "max_tokens": 64,
            "messages": [{"role": "user", "content": "Say hi."}]}),
        ))
        .stream()
        .await
        .unwrap();
    let mut events: Vec<StreamEvent> = Vec::new();
    while let Some(ev) = stream.next_event().await {
        events.push(ev.unwrap());
    }
    validate_stream(&events).unwrap();
    let text: String = events
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .filter_map(|v| v["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "Hi there!");

    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].path_and_query, plain_fx.request.path);
    assert_eq!(seen[0].json(), plain_fx.request.body);
    assert_eq!(seen[1].path_and_query, tool_fx.request.path);
    assert_eq!(seen[1].json(), tool_fx.request.body);
    assert_eq!(
        seen[2].path_and_query,
        "/endpoints/my-llama-endpoint/invocations-response-stream"
    );
    assert_eq!(seen[2].json()["stream"], true);
    for (i, r) in seen.iter().enumerate() {
        let auth = r.header("authorization").unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                && auth.contains("/us-west-2/sagemaker/aws4_request")
                && auth.contains("Signature="),
            "{auth}"
        );
        assert!(r.header("x-amz-date").is_some());
        assert_eq!(r.header("x-amz-security-token"), Some("session-token-value"));
        assert_eq!(r.header("x-amzn-sagemaker-inference-component"), Some("ic-llama"));
        assert_eq!(r.header("x-amzn-sagemaker-custom-attributes"), Some("trace=1"));
        let stream = i == 2;
        assert_eq!(r.header("x-amzn-sagemaker-target-model").is_some(), !stream);
        assert_eq!(r.header("x-amzn-sagemaker-accept").is_some(), stream);
        for (_, v) in r.headers.iter() {
            assert!(!v.to_str().unwrap_or("").contains(SECRET));
        }
    }
}

#[test]
fn region_endpoint_names_and_env() {
    let env = MapEnv::new([
        ("AWS_REGION", "ap-south-1"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
        ("SAGEMAKER_INFERENCE_COMPONENT", "ic-2"),
    ]);
    let p = SagemakerProvider::from_env(&env);
    let ctx = anyllm_provider::CallContext::new(anyllm_provider::Provider::info(&p).default_base_url);
    let mut params: MessageCreateParams = serde_json::from_value(json!({"model": "ep-1", "max_tokens": 8,
        "messages": [{"role": "user", "content": "Hi"}]}))
    .unwrap();
    let req = anyllm_provider::Provider::build_request(&p, &params, &ctx).unwrap();
    assert_eq!(
        req.uri(),
        "https://runtime.sagemaker.ap-south-1.amazonaws.com/endpoints/ep-1/invocations"
    );
    assert_eq!(req.headers()["x-amzn-sagemaker-inference-component"], "ic-2");
    assert!(!format!("{p:?}").contains("s3cr3t"));
    params.model = "bad/../name".into();
    assert!(anyllm_provider::Provider::build_request(&p, &params, &ctx).is_err());
    let no_region = SagemakerProvider::from_env(&MapEnv::empty());
    params.model = "ep-1".into();
    let err = anyllm_provider::Provider::build_request(&no_region, &params, &ctx).unwrap_err();
    assert!(err.to_string().contains("AWS_REGION"), "{err}");
    assert!(anyllm_provider::Provider::authorizer(&no_region, &ctx).is_err());
}
