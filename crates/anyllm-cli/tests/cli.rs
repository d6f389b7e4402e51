//! The `anyllm` command, spawned as a process against the replay server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use anyllm_fixtures::{load, project_fixtures_dir, Exchange};
use anyllm_testkit::{json_diff, ReplayServer};
use serde_json::Value;

fn fixture(name: &str) -> Exchange {
    load(&project_fixtures_dir(), &format!("anthropic/{name}")).unwrap()
}

/// Runs `anyllm args…` with `stdin`, a clean environment and a fake key.
fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anyllm"));
    cmd.args(args)
        .env_clear()
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // A command that fails before reading its input closes the pipe early.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn body_of(e: &Exchange) -> String {
    e.request.body.to_string()
}

fn stderr_json(out: &Output) -> Value {
    let s = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!s.contains("panicked") && !s.contains("backtrace"), "{s}");
    let line = s.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {s}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

const KEY: (&str, &str) = ("ANTHROPIC_API_KEY", "sk-ant-test");

#[test]
fn messages_prints_the_message_as_one_json_line() {
    let ex = fixture("demo.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(&["messages", "--api-base", &server.url()], &body_of(&ex), &[KEY]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    let got: Value = serde_json::from_str(text.trim_end()).unwrap();
    let want: Value = serde_json::from_str(ex.response.body.as_deref().unwrap()).unwrap();
    assert_eq!(json_diff(&want, &got), None);
    server.replay().assert_clean();
}

#[test]
fn messages_reads_a_file_and_the_base_url_env_var() {
    let ex = fixture("demo.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let dir = std::env::temp_dir().join(format!("anyllm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("req.json");
    // `anthropic:` prefix routes explicitly and is stripped before sending.
    let mut body = ex.request.body.clone();
    body["model"] = Value::String(format!("anthropic:{}", body["model"].as_str().unwrap()));
    std::fs::write(&file, body.to_string()).unwrap();
    let url = server.url();
    let out = run(
        &["messages", file.to_str().unwrap()],
        "",
        &[KEY, ("ANTHROPIC_BASE_URL", url.as_str())],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    server.replay().assert_clean();
    let _ = std::fs::remove_dir_all(dir);
}

fn recorded_events(ex: &Exchange) -> Vec<Value> {
    let events: Vec<Value> = ex
        .response
        .body
        .as_deref()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    // The per-event comparisons below would pass vacuously on an empty fixture.
    assert!(events.len() > 4, "{}: too few recorded events", ex.file);
    events
}

#[test]
fn stream_json_prints_every_event_as_a_json_line() {
    let ex = fixture("demo_stream.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    // `"stream": true` in the body streams without `--stream`.
    let out = run(&["messages", "--api-base", &server.url()], &body_of(&ex), &[KEY]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want = recorded_events(&ex);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(json_diff(w, g), None);
    }
    server.replay().assert_clean();
}

#[test]
fn stream_sse_reproduces_anthropic_framing() {
    let ex = fixture("demo_stream.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(
        &[
            "messages",
            "--stream",
            "--output",
            "sse",
            "--api-base",
            &server.url(),
        ],
        &body_of(&ex),
        &[KEY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let blocks: Vec<&str> = text.split("\n\n").filter(|b| !b.is_empty()).collect();
    let want = recorded_events(&ex);
    assert_eq!(blocks.len(), want.len());
    for (b, w) in blocks.iter().zip(&want) {
        let (event, data) = b.split_once('\n').unwrap();
        assert_eq!(event, format!("event: {}", w["type"].as_str().unwrap()));
        let data: Value = serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(json_diff(w, &data), None);
    }
}

#[test]
fn stream_text_prints_only_the_text() {
    let ex = fixture("demo_stream.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(
        &[
            "messages",
            "--stream",
            "--output",
            "text",
            "--api-base",
            &server.url(),
        ],
        &body_of(&ex),
        &[KEY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want: String = recorded_events(&ex)
        .iter()
        .filter_map(|v| v["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(stdout(&out), format!("{want}\n"));
}

#[test]
fn chat_streams_the_answer_text() {
    let ex = fixture("demo_stream.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(
        &[
            "chat",
            "-m",
            "anthropic:claude-haiku-4-5",
            "--max-tokens",
            "200",
            "--system",
            "You are a concise assistant. Answer in one sentence.",
            "--api-base",
            &server.url(),
            "Why is the sky blue?",
        ],
        "",
        &[KEY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).starts_with("The sky looks blue"));
    server.replay().assert_clean();
}

#[test]
fn count_tokens_prints_the_count() {
    let ex = fixture("count_tokens.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(
        &["count-tokens", "--api-base", &server.url(), "-"],
        &body_of(&ex),
        &[KEY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["input_tokens"], 24);
    // The body of a `messages` call counts too: its generation settings,
    // which the endpoint refuses, are not sent (the replay checks the body).
    let mut body = ex.request.body.clone();
    body["max_tokens"] = 256.into();
    body["stream"] = true.into();
    body["temperature"] = 0.5.into();
    let out = run(
        &["count-tokens", "--api-base", &server.url()],
        &body.to_string(),
        &[KEY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.replay().served(), 2);
    server.replay().assert_clean();
}

#[test]
fn an_api_error_exits_1_with_an_anthropic_error_on_stderr() {
    let ex = fixture("error_authentication.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(&["messages", "--api-base", &server.url()], &body_of(&ex), &[KEY]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr_json(&out);
    assert_eq!(err["type"], "error");
    assert_eq!(err["error"]["type"], "authentication_error");
    assert_eq!(err["error"]["message"], "invalid x-api-key");
    assert_eq!(err["status"], 401);
    assert_eq!(err["request_id"], "req_01DemoAuthFail");
}

#[test]
fn a_mid_stream_error_exits_1_after_the_events_before_it() {
    let ex = fixture("stream_overloaded_error.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(&["messages", "--api-base", &server.url()], &body_of(&ex), &[KEY]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 4);
    let err = stderr_json(&out);
    assert_eq!(err["error"]["type"], "overloaded_error");
    assert_eq!(err["error"]["message"], "Overloaded");
    assert_eq!(err["request_id"], "req_01DemoOverload");
}

#[test]
fn a_missing_key_names_the_env_var_and_sends_nothing() {
    let ex = fixture("demo.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let out = run(&["messages", "--api-base", &server.url()], &body_of(&ex), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert_eq!(err["error"]["type"], "authentication_error");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ANTHROPIC_API_KEY"));
    assert_eq!(server.replay().served(), 0);
    assert!(server.replay().mismatches().is_empty());
}

#[test]
fn validation_errors_name_the_field_and_send_nothing() {
    let ex = fixture("demo.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let body = r#"{"model":"claude-haiku-4-5","max_tokens":100,"messages":[],"thinking":{"type":"enabled","budget_tokens":10}}"#;
    let out = run(&["messages", "--api-base", &server.url()], body, &[KEY]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert!(err["error"]["message"].as_str().unwrap().contains("`messages`"));
    assert_eq!(server.replay().served(), 0);
    assert!(server.replay().mismatches().is_empty());
}

#[test]
fn an_unknown_provider_lists_the_known_ones() {
    let out = run(
        &["messages"],
        r#"{"model":"nope:m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
        &[KEY],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("unknown provider `nope`") && msg.contains("anthropic"),
        "{msg}"
    );
}

#[test]
fn invalid_json_is_an_error_not_a_panic() {
    let out = run(&["messages"], "{not json", &[KEY]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert_eq!(err["error"]["type"], "invalid_request_error");
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["messages", "--output", "xml"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["frobnicate"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["chat"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn providers_lists_every_provider() {
    let out = run(&["providers", "--json"], "", &[]);
    assert!(out.status.success());
    let list: Vec<Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    let anthropic = list.iter().find(|p| p["name"] == "anthropic").unwrap();
    assert_eq!(anthropic["api_family"], "anthropic-messages");
    assert_eq!(anthropic["default_base_url"], "https://api.anthropic.com");
    assert_eq!(anthropic["key_env"][0], "ANTHROPIC_API_KEY");
    let out = run(&["providers"], "", &[]);
    assert!(out.status.success());
    let table = stdout(&out);
    assert!(table.starts_with("NAME"));
    assert!(table
        .lines()
        .any(|l| l.starts_with("anthropic") && l.contains("ANTHROPIC_API_KEY")));
}

fn demo_request(model: &str) -> String {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(project_fixtures_dir().join("demo_request.json")).unwrap(),
    )
    .unwrap();
    v["model"] = Value::String(model.to_owned());
    v.to_string()
}

#[test]
fn the_same_anthropic_request_goes_to_other_providers() {
    let openai = load(&project_fixtures_dir(), "openai/demo.json").unwrap();
    let gemini = load(&project_fixtures_dir(), "gemini/demo_stream.json").unwrap();
    let server = ReplayServer::start_background(vec![openai, gemini]).unwrap();

    // --provider with a bare model; the answer is an Anthropic message.
    let base = format!("{}/v1", server.url());
    let out = run(
        &["messages", "--provider", "openai", "--api-base", &base],
        &demo_request("gpt-4.1-mini"),
        &[("OPENAI_API_KEY", "sk-test")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let msg: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(msg["type"], "message");
    assert_eq!(msg["role"], "assistant");
    assert_eq!(msg["stop_reason"], "end_turn");
    assert!(msg["content"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("The sky looks blue"));

    // `gemini:` prefix, streamed as Anthropic SSE.
    let out = run(
        &[
            "messages",
            "--stream",
            "--output",
            "sse",
            "--api-key",
            "g-key",
            "--api-base",
            &server.url(),
        ],
        &demo_request("gemini:gemini-2.5-flash"),
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.starts_with("event: message_start\ndata: "), "{text}");
    assert!(text.contains("event: content_block_delta\n"));
    assert!(
        text.trim_end().ends_with(r#"data: {"type":"message_stop"}"#),
        "{text}"
    );
    server.replay().assert_clean();
}

#[test]
fn providers_include_the_openai_family_and_gemini() {
    let out = run(&["providers", "--json"], "", &[]);
    let list: Vec<Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    for (name, family, env) in [
        ("openai", "openai-chat", "OPENAI_API_KEY"),
        ("groq", "openai-chat", "GROQ_API_KEY"),
        ("gemini", "gemini", "GEMINI_API_KEY"),
        ("cohere", "cohere-chat", "COHERE_API_KEY"),
    ] {
        let p = list
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(p["api_family"], family);
        assert_eq!(p["key_env"][0], env);
    }
    // `ollama` is the native API; its OpenAI-compatible endpoint is `ollama-openai`.
    let family_of = |name: &str| {
        list.iter()
            .find(|p| p["name"] == name)
            .map(|p| p["api_family"].clone())
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(family_of("ollama"), "ollama-chat");
    assert_eq!(family_of("ollama-openai"), "openai-chat");
}

#[test]
fn providers_include_the_anthropic_compatible_and_reference_rows() {
    let out = run(&["providers", "--json"], "", &[]);
    let list: Vec<Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    let find = |name: &str| {
        list.iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    for s in anyllm::anthropic::compatible::COMPATIBLE {
        let p = find(s.name);
        assert_eq!(p["api_family"], "anthropic-messages", "{}", s.name);
        assert_eq!(p["base_url_env"], s.base_url_env, "{}", s.name);
    }
    let deepseek = find("deepseek-anthropic");
    assert_eq!(deepseek["default_base_url"], "https://api.deepseek.com/anthropic");
    assert_eq!(deepseek["base_url_env_aliases"][0], "DEEPSEEK_ANTHROPIC_API_BASE");
    // Every OpenAI-compatible row, the issue-16 ones included.
    for row in anyllm::openai::PROVIDERS {
        assert_eq!(find(row.name)["api_family"], "openai-chat", "{}", row.name);
    }
    assert_eq!(find("azure")["base_url_env"], "AZURE_INFERENCE_ENDPOINT");
    assert_eq!(find("telnyx")["base_url_env_aliases"][0], "TELNYX_API_BASE");
    let table = stdout(&run(&["providers"], "", &[]));
    assert!(table
        .lines()
        .any(|l| l.starts_with("anthropic-compatible") && l.contains("$ANTHROPIC_COMPATIBLE_BASE_URL")));
}

#[test]
fn help_and_version_exit_0() {
    for args in [&["--help"][..], &["--version"][..], &["messages", "--help"][..]] {
        let out = run(args, "", &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let ex = fixture("demo_stream.json");
    let server = ReplayServer::start_background(vec![ex.clone()]).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyllm"))
        .args(["messages", "--api-base", &server.url()])
        .env_clear()
        .env(KEY.0, KEY.1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is written
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body_of(&ex).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_connection_failure_is_an_api_error_not_a_panic() {
    // A port that was just free: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ex = fixture("demo.json");
    let base = format!("http://127.0.0.1:{port}");
    let out = run(&["messages", "--api-base", &base], &body_of(&ex), &[KEY]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert_eq!(err["error"]["type"], "api_error");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("connection"),
        "{err}"
    );
    assert!(err.get("status").is_none());
}

#[test]
fn count_tokens_through_another_provider() {
    let ex = load(&project_fixtures_dir(), "gemini/count_tokens.json").unwrap();
    let server = ReplayServer::start_background(vec![ex]).unwrap();
    let body = r#"{"model":"gemini:gemini-2.5-flash",
        "system":"You are a concise assistant. Answer in one sentence.",
        "messages":[{"role":"user","content":"Why is the sky blue?"}]}"#;
    let out = run(
        &["count-tokens", "--api-base", &server.url()],
        body,
        &[("GEMINI_API_KEY", "g-test")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["input_tokens"], 19);
    server.replay().assert_clean();
    // A provider without a count-tokens endpoint says so.
    let out = run(
        &["count-tokens", "--api-base", &server.url()],
        r#"{"model":"groq:m","messages":[{"role":"user","content":"x"}]}"#,
        &[("GROQ_API_KEY", "k")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    assert!(
        err["error"]["message"].as_str().unwrap().contains("count_tokens"),
        "{err}"
    );
}

/// A loopback SSE server that starts a message, then sends a text delta
/// every 50 ms for as long as the client stays.
fn endless_stream_server() -> String {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = conn.read(&mut buf);
                let start = concat!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n",
                    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                );
                if conn.write_all(start.as_bytes()).is_err() {
                    return;
                }
                // Bounded: 20 minutes at most, far beyond the test's timeout.
                for _ in 0..24_000 {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    let delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"more \"}}\n\n";
                    if conn.write_all(delta.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn the_timeout_flag_ends_a_stream_that_never_stops() {
    let url = endless_stream_server();
    let body = r#"{"model":"claude-haiku-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let out = run(
        &["messages", "--api-base", &url, "--timeout", "1.5"],
        body,
        &[KEY],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).lines().count() >= 3,
        "events were printed before the deadline"
    );
    let err = stderr_json(&out);
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("timed out (request)"), "{err}");

    // Not a positive number: a usage error, nothing sent.
    let out = run(&["messages", "--api-base", &url, "--timeout", "0"], body, &[KEY]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn providers_include_the_responses_family() {
    let out = run(&["providers", "--json"], "", &[]);
    let list: Vec<Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    for (name, env) in [
        ("openai-responses", "OPENAI_API_KEY"),
        ("xai-responses", "XAI_API_KEY"),
        ("azureopenai-responses", "AZURE_OPENAI_API_KEY"),
        ("openrouter-responses", "OPENROUTER_API_KEY"),
        (
            "openai-responses-compatible",
            "OPENAI_RESPONSES_COMPATIBLE_API_KEY",
        ),
    ] {
        let p = list
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(p["api_family"], "openai-responses", "{name}");
        assert_eq!(p["key_env"][0], env, "{name}");
    }
}

#[test]
fn providers_list_the_cloud_platforms_with_their_env_vars() {
    let out = run(&["providers", "--json"], "", &[]);
    let list: Vec<Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    for (name, family, env) in [
        ("vertexaianthropic", "anthropic-messages", "GOOGLE_CLOUD_PROJECT"),
        ("azureanthropic", "anthropic-messages", "AZURE_ANTHROPIC_RESOURCE"),
        ("watsonx", "openai-chat", "WATSONX_PROJECT_ID"),
        ("sagemaker", "openai-chat", "AWS_REGION"),
    ] {
        let p = list
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(p["api_family"], family);
        assert!(
            p["settings_env"].as_array().unwrap().iter().any(|v| v == env),
            "{p}"
        );
    }
    let table = stdout(&run(&["providers"], "", &[]));
    assert!(table.lines().any(|l| l.starts_with("watsonx")
        && l.contains("WATSONX_API_KEY")
        && l.contains("WATSONX_PROJECT_ID")));
    assert!(table
        .lines()
        .any(|l| l.starts_with("sagemaker") && l.contains("AWS_REGION")));
}

#[test]
fn serve_refuses_a_public_address_without_client_keys() {
    let out = run(&["serve", "--listen", "0.0.0.0:0"], "", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_json(&out);
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains("--allow-unauthenticated"), "{msg}");
}

#[test]
fn serve_answers_health_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyllm"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    sock.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    sock.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.to_ascii_lowercase().contains("request-id: req_"), "{reply}");
    // The access-log line of that request, as JSON on stderr.
    let mut log = String::new();
    stderr.read_line(&mut log).unwrap();
    let log: Value = serde_json::from_str(&log).unwrap_or_else(|e| panic!("{e}: {log}"));
    assert_eq!(log["event"], "response");
    assert_eq!(log["route"], "/health");
    assert_eq!(log["status"], 200);
    // SIGTERM to the child we started, by its id: it stops by itself.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("anyllm serve did not stop on SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
