//! anyllm built with `default-features = false, features = ["openai"]` and a
//! custom [`Transport`](anyllm::Transport): the client converts an Anthropic
//! Messages request to OpenAI Chat Completions, hands it to the transport
//! (here a function answering with a canned OpenAI reply, where a real
//! program would call its own HTTP stack), and converts the reply back.
//!
//! `cargo xtask deps` runs it and checks that its dependency tree holds no
//! hyper, rustls, ring or clap.

use std::process::ExitCode;
use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageParam};
use bytes::Bytes;
use messages_http::{transport_fn, ResponseBody};

/// A hand-written OpenAI Chat Completions reply (the shape of
/// `fixtures/openai/demo.json`).
const OPENAI_REPLY: &str = r#"{"id":"chatcmpl-custom","object":"chat.completion","created":1763800000,
"model":"gpt-4.1-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Rayleigh scattering."},
"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}"#;

/// The expected answer text.
const ANSWER: &str = "Rayleigh scattering.";

fn main() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("custom-transport: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("custom-transport: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    // Without the `default-transport` feature, a client needs a transport: a typed error says so.
    match Client::builder().env(MapEnv::empty()).build() {
        Err(anyllm::Error::InvalidConfig(m)) if m.contains("default-transport") => {}
        other => return Err(format!("expected a missing-transport error, got {other:?}")),
    }
    // The transport: sees the converted OpenAI request, answers with the canned reply.
    let transport = transport_fn(|req: http::Request<Bytes>| async move {
        let path_ok = req.uri().path() == "/v1/chat/completions";
        let body_ok = std::str::from_utf8(req.body()).is_ok_and(|b| b.contains("\"messages\""));
        let (status, body) = if path_ok && body_ok {
            (200, OPENAI_REPLY)
        } else {
            (
                400,
                r#"{"error":{"message":"unexpected request","type":"invalid_request_error"}}"#,
            )
        };
        let mut resp = http::Response::new(ResponseBody::from_bytes(body));
        *resp.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
        resp.headers_mut()
            .insert("content-type", http::HeaderValue::from_static("application/json"));
        Ok(resp)
    });
    let client = Client::builder()
        .env(MapEnv::new([("OPENAI_API_KEY", "sk-example")]))
        .transport(Arc::new(transport))
        .max_retries(0)
        .build()
        .map_err(|e| e.to_string())?;
    let params = anyllm::params(
        "openai:gpt-4.1-mini",
        64,
        vec![MessageParam::user("Why is the sky blue?")],
    );
    let message = client.messages(&params).await.map_err(|e| e.to_string())?;
    let text = message.text();
    if text != ANSWER {
        return Err(format!("expected {ANSWER:?}, got {text:?}"));
    }
    println!(
        "custom transport, openai only: {text} (stop: {:?})",
        message.stop_reason
    );
    Ok(())
}
