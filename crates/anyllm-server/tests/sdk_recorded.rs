//! The official `anthropic` Python SDK (2.14.0, the venv `.ci/run` creates at
//! `target/sdk-venv`) against the gateway, with upstreams replaying RECORDED
//! traffic (`../shared/fixtures/recorded`): `scripts/sdk_recorded_traffic.py`
//! drives `messages.create`, `messages.stream`, `messages.count_tokens`, tool
//! round trips with thinking through an OpenAI-compatible (DeepSeek) and a
//! Gemini alias, the SDK's typed exceptions and a fallback. The replay servers
//! answer only the recorded native request, so each SDK call must convert to
//! exactly what was recorded. Without the venv or the recordings the test is
//! skipped locally and fails under `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use anyllm_fixtures::{load, recorded_dir_or_skip, Exchange};
use anyllm_testkit::{exchange, ReplayServer};
use common::sdk::*;
use common::*;
use serde_json::{json, Value};

const DEEPSEEK: [&str; 4] = [
    "deepseek/reasoning_tool_roundtrip__nonstreaming__0.json",
    "deepseek/reasoning_tool_roundtrip__nonstreaming__1.json",
    "deepseek/reasoning_tool_roundtrip__streaming__0.json",
    "deepseek/reasoning_tool_roundtrip__streaming__1.json",
];
const GEMINI: [&str; 2] = [
    "gemini/chat_history__chat_appends_reasoning_tool_turns_to_caller_history__0.json",
    "gemini/chat_history__chat_appends_reasoning_tool_turns_to_caller_history__1.json",
];

fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The recording client's spellings of what the gateway sends: the OpenAI
/// recording echoes the streaming-only `index` inside request `tool_calls`,
/// and writes `"content": ""` on an assistant turn that only calls tools
/// (the gateway omits `content` there: optional beside `tool_calls`).
fn deepseek(dir: &std::path::Path, name: &str) -> Exchange {
    let mut ex = load(dir, name).unwrap();
    for m in ex.request.body["messages"].as_array_mut().unwrap() {
        let m = m.as_object_mut().unwrap();
        if m.contains_key("tool_calls") && m.get("content") == Some(&json!("")) {
            m.remove("content");
        }
        for call in m
            .get_mut("tool_calls")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            call.as_object_mut().unwrap().remove("index");
        }
    }
    ex
}

/// The Gemini recording client writes nulls, `"thought": false` on every
/// part, a `role` on `systemInstruction` and the OpenAPI-subset `parameters`;
/// the gateway omits them and sends `parametersJsonSchema` (same meaning on
/// the wire; the same normalisation as messages-convert's `gemini_requests` test).
fn gemini(dir: &std::path::Path, name: &str) -> Exchange {
    let mut ex = load(dir, name).unwrap();
    let body = &mut ex.request.body;
    drop_nulls(body);
    let obj = body.as_object_mut().unwrap();
    obj.remove("safetySettings");
    if let Some(si) = obj.get_mut("systemInstruction").and_then(Value::as_object_mut) {
        si.remove("role");
    }
    for tool in obj
        .get_mut("tools")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for f in tool["functionDeclarations"].as_array_mut().into_iter().flatten() {
            let f = f.as_object_mut().unwrap();
            if let Some(p) = f.remove("parameters") {
                f.insert("parametersJsonSchema".into(), p);
            }
        }
    }
    let mut parts: Vec<&mut Value> = Vec::new();
    for (key, value) in obj.iter_mut() {
        match key.as_str() {
            "contents" => {
                for c in value.as_array_mut().into_iter().flatten() {
                    parts.extend(
                        c.get_mut("parts")
                            .and_then(Value::as_array_mut)
                            .into_iter()
                            .flatten(),
                    );
                }
            }
            "systemInstruction" => {
                parts.extend(
                    value
                        .get_mut("parts")
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten(),
                );
            }
            _ => {}
        }
    }
    for part in parts.into_iter().filter_map(Value::as_object_mut) {
        if part.get("thought") == Some(&json!(false)) {
            part.remove("thought");
        }
    }
    ex
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_over_recorded_traffic() {
    let Some(dir) = recorded_dir_or_skip() else {
        return;
    };
    let Some(python) = sdk_python() else {
        return;
    };
    let deepseek_server = ReplayServer::start(DEEPSEEK.iter().map(|n| deepseek(&dir, n)).collect())
        .await
        .unwrap();
    let mut gemini_exchanges: Vec<Exchange> = GEMINI.iter().map(|n| gemini(&dir, n)).collect();
    // No countTokens call was recorded: a hand-written one (shape: Gemini's
    // `models.countTokens` reference, `{"totalTokens": n}`) over the same
    // conversation as the first recorded turn; 144 = that turn's promptTokenCount.
    let first = &gemini_exchanges[0].request.body;
    let mut count_request = json!({"generateContentRequest": {
        "model": "models/gemini-2.5-flash",
        "contents": first["contents"],
        "systemInstruction": first["systemInstruction"],
        "tools": first["tools"],
    }});
    drop_nulls(&mut count_request);
    gemini_exchanges.push(exchange(
        "POST",
        "/v1beta/models/gemini-2.5-flash:countTokens",
        count_request,
        200,
        "application/json",
        r#"{"totalTokens": 144}"#,
    ));
    let gemini_server = ReplayServer::start(gemini_exchanges).await.unwrap();
    let busy = overloaded_upstream().await;
    let toml = format!(
        r#"
max_retries = 0
[providers.deepseek]
api_key_env = "OPENAI_TEST_KEY"
api_base = "{}"
[providers.gemini]
api_key_env = "GEMINI_TEST_KEY"
api_base = "{}"
[providers.groq]
api_key_env = "OPENAI_TEST_KEY"
api_base = "{}"
[models."reasoner"]
targets = ["deepseek:deepseek-v4-flash"]
[models."gem"]
targets = ["gemini:gemini-2.5-flash"]
[models."busy"]
targets = ["groq:llama-3.3-70b-versatile"]
[models."fallback"]
targets = ["groq:llama-3.3-70b-versatile", "deepseek:deepseek-v4-flash"]
{SDK_CLIENT_KEYS}"#,
        deepseek_server.url(),
        gemini_server.url(),
        busy.url()
    );
    let gw = start(&toml).await;
    let url = format!("http://{}", gw.addr);
    let out = run_script(python, "sdk_recorded_traffic.py", vec![url.into(), dir.into()]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mismatches = format!(
        "deepseek: {:?}\ngemini: {:?}",
        deepseek_server.replay().mismatches(),
        gemini_server.replay().mismatches()
    );
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}\n{mismatches}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
    deepseek_server.replay().assert_clean();
    gemini_server.replay().assert_clean();
    // Every recording was asked for (the fallback re-asks the first turn).
    assert_eq!(deepseek_server.replay().unused(), Vec::<String>::new());
    assert_eq!(gemini_server.replay().unused(), Vec::<String>::new());
    assert_eq!(deepseek_server.replay().served(), 5);
    // `busy` once, then the fallback's first target once.
    assert_eq!(busy.requests().len(), 2);
    for key in ["sk-openai-upstream-secret", "AIza-upstream-secret"] {
        assert!(!stdout.contains(key) && !stderr.contains(key));
    }
}
