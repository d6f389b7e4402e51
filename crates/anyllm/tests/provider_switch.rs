//! Reasoning that survives a change of provider (issue 11): one conversation
//! moves Anthropic → Gemini → OpenRouter (OpenAI-compatible) → Anthropic,
//! with tool calls and thinking, through the real client over loopback. Each
//! turn's reply (as the client returns it) is appended to the conversation
//! and sent to the next provider; the replay servers answer only when the
//! native request body equals the one written here, so every request pins
//! the signature rule (`messages_convert::signature`):
//!
//! * Gemini gets Anthropic's thinking as unsigned thought text, never its signature;
//! * OpenRouter gets every earlier thinking text as `reasoning`, but no
//!   `reasoning_details` for signatures it did not mint;
//! * Anthropic gets its own thinking block back unchanged, and no thinking
//!   block another family minted (Gemini's, OpenRouter's);
//! * each family's own signature comes back to it without the `anyllm.` prefix
//!   (checked on the Gemini and OpenRouter native requests by the unit and
//!   conversion tests; here each family gets the turn after another's).
//!
//! The exchanges are hand-written. Their shapes follow the recorded traffic
//! in `../shared/fixtures/recorded` (Anthropic `thinking` + `tool_use`
//! replies and SSE events, Gemini `streamGenerateContent` chunks with
//! `thought` parts and a `thoughtSignature` on the `functionCall` part,
//! OpenRouter completions with `reasoning` and `reasoning_details`
//! `reasoning.text` entries carrying the upstream signature).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::{Client, MapEnv, Message, MessageCreateParams, StopReason};
use anyllm_fixtures::{Exchange, QueryParam};
use anyllm_testkit::{exchange, ReplayServer};
use messages_types::{ContentBlock, MessageParam};
use serde_json::{json, Value};

const ANTHROPIC_SIG: &str = "EqMBCkYIBxgCKkBAnthropicTurn1==";

fn tools() -> Value {
    json!([{"name": "get_weather", "description": "Current weather for a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])
}

fn params(model: &str, messages: &[Value]) -> MessageCreateParams {
    serde_json::from_value(json!({
        "model": model, "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": tools(), "messages": messages,
    }))
    .unwrap()
}

fn assistant(m: &Message) -> Value {
    serde_json::to_value(MessageParam {
        role: m.role.clone(),
        content: messages_types::MessageContent::Blocks(m.content.clone()),
        extra: Default::default(),
    })
    .unwrap()
}

fn sse(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| match e.get("type").and_then(Value::as_str) {
            Some(t) if e.get("candidates").is_none() => format!("event: {t}\ndata: {e}\n\n"),
            _ => format!("data: {e}\n\n"),
        })
        .collect()
}

// ---- The four exchanges -------------------------------------------------

fn user1() -> Value {
    json!({"role": "user", "content": "What's the weather in Paris, and should I take an umbrella?"})
}
fn result1() -> Value {
    json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "14°C, light rain"}]})
}
fn result2() -> Value {
    json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_gemini_r2_0", "content": "16°C, dry"}]})
}
fn user4() -> Value {
    json!({"role": "user", "content": "Thanks! And Lyon?"})
}

/// Turn 1, Anthropic (whole): thinking, then a tool call.
fn anthropic_turn1() -> Exchange {
    let request = json!({"model": "claude-sonnet-4-5", "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024}, "tools": tools(), "messages": [user1()]});
    let reply = json!({"id": "msg_01Turn1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "The user wants the Paris weather: call the tool.", "signature": ANTHROPIC_SIG},
            {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 410, "output_tokens": 62, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "service_tier": "standard"}});
    exchange(
        "POST",
        "/v1/messages",
        request,
        200,
        "application/json",
        &reply.to_string(),
    )
}

/// Turn 2, Gemini (streamed): Anthropic's thinking arrives as unsigned
/// thought text; Gemini thinks, then calls the tool with a thought signature.
fn gemini_turn2() -> Exchange {
    let tools = json!([{"functionDeclarations": [{"description": "Current weather for a city", "name": "get_weather",
        "parametersJsonSchema": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"}}]}]);
    let request = json!({
        "contents": [
            {"role": "user", "parts": [{"text": "What's the weather in Paris, and should I take an umbrella?"}]},
            {"role": "model", "parts": [
                {"text": "The user wants the Paris weather: call the tool.", "thought": true},
                {"functionCall": {"id": "toolu_01A", "name": "get_weather", "args": {"city": "Paris"}}}]},
            {"role": "user", "parts": [
                {"functionResponse": {"id": "toolu_01A", "name": "get_weather", "response": {"result": "14°C, light rain"}}}]}],
        "generationConfig": {"maxOutputTokens": 2048, "thinkingConfig": {"includeThoughts": true, "thinkingBudget": 1024}},
        "tools": tools});
    let chunks = [
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "Rain today; check tomorrow too.", "thought": true}]}, "index": 0}],
            "responseId": "r2", "modelVersion": "gemini-2.5-flash"}),
        json!({"candidates": [{"content": {"role": "model", "parts": [
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris tomorrow"}}, "thoughtSignature": "CiQBgemTurn2"}]},
            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 18, "thoughtsTokenCount": 40, "totalTokenCount": 178},
            "responseId": "r2", "modelVersion": "gemini-2.5-flash"}),
    ];
    let mut ex = exchange(
        "POST",
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
        request,
        200,
        "text/event-stream",
        &sse(&chunks),
    );
    ex.request.query = vec![QueryParam {
        name: "alt".into(),
        value: "sse".into(),
    }];
    ex
}

/// Turn 3, OpenRouter (whole): earlier thinking as `reasoning` text only —
/// no `reasoning_details`, since OpenRouter minted none of the signatures.
fn openrouter_turn3() -> Exchange {
    let tool_call = |id: &str, city: &str| {
        json!([{"id": id, "type": "function",
                "function": {"name": "get_weather", "arguments": json!({"city": city}).to_string()}}])
    };
    let request = json!({
        "model": "anthropic/claude-sonnet-4.5", "max_tokens": 2048, "reasoning": {"max_tokens": 1024},
        "messages": [
            {"role": "user", "content": "What's the weather in Paris, and should I take an umbrella?"},
            {"role": "assistant", "reasoning": "The user wants the Paris weather: call the tool.",
             "tool_calls": tool_call("toolu_01A", "Paris")},
            {"role": "tool", "tool_call_id": "toolu_01A", "content": "14°C, light rain"},
            {"role": "assistant", "reasoning": "Rain today; check tomorrow too.",
             "tool_calls": tool_call("toolu_gemini_r2_0", "Paris tomorrow")},
            {"role": "tool", "tool_call_id": "toolu_gemini_r2_0", "content": "16°C, dry"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]});
    let reply = json!({"id": "gen-turn3", "object": "chat.completion", "model": "anthropic/claude-sonnet-4.5",
        "provider": "Anthropic",
        "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "end_turn",
            "message": {"role": "assistant", "content": "Take an umbrella today; tomorrow is dry.",
                "reasoning": "Rain today, dry tomorrow.",
                "reasoning_details": [{"type": "reasoning.text", "text": "Rain today, dry tomorrow.",
                    "signature": "EqRouterTurn3==", "format": "anthropic-claude-v1", "index": 0}]}}],
        "usage": {"prompt_tokens": 520, "completion_tokens": 30, "total_tokens": 550}});
    exchange(
        "POST",
        "/api/v1/chat/completions",
        request,
        200,
        "application/json",
        &reply.to_string(),
    )
}

/// Turn 4, Anthropic (streamed): its own thinking block comes back
/// unchanged; Gemini's and OpenRouter's thinking blocks are left out.
fn anthropic_turn4() -> Exchange {
    let request = json!({"model": "claude-sonnet-4-5", "max_tokens": 2048, "stream": true,
        "thinking": {"type": "enabled", "budget_tokens": 1024}, "tools": tools(),
        "messages": [
            user1(),
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "The user wants the Paris weather: call the tool.", "signature": ANTHROPIC_SIG},
                {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}]},
            result1(),
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_gemini_r2_0", "name": "get_weather", "input": {"city": "Paris tomorrow"}}]},
            result2(),
            {"role": "assistant", "content": [{"type": "text", "text": "Take an umbrella today; tomorrow is dry."}]},
            user4()]});
    let events = [
        json!({"type": "message_start", "message": {"id": "msg_01Turn4", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5", "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 600, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Lyon: no tool needed yet."}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqMBTurn4=="}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Shall I check Lyon too?"}}),
        json!({"type": "content_block_stop", "index": 1}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 20}}),
        json!({"type": "message_stop"}),
    ];
    exchange(
        "POST",
        "/v1/messages",
        request,
        200,
        "text/event-stream",
        &sse(&events),
    )
}

#[tokio::test]
async fn thinking_survives_anthropic_gemini_openrouter_anthropic() {
    let anthropic = ReplayServer::start(vec![anthropic_turn1(), anthropic_turn4()])
        .await
        .unwrap();
    let gemini = ReplayServer::start(vec![gemini_turn2()]).await.unwrap();
    let openrouter = ReplayServer::start(vec![openrouter_turn3()]).await.unwrap();
    let client = Client::builder()
        .env(MapEnv::empty())
        .api_key("anthropic", "sk-ant-test")
        .api_base("anthropic", anthropic.url())
        .api_key("gemini", "AIza-test")
        .api_base("gemini", gemini.url())
        .api_key("openrouter", "sk-or-test")
        .api_base("openrouter", format!("{}/api/v1", openrouter.url()))
        .max_retries(0)
        .build()
        .unwrap();

    // Turn 1: Anthropic.
    let mut conversation = vec![user1()];
    let r1 = client
        .messages(&params("anthropic:claude-sonnet-4-5", &conversation))
        .await
        .unwrap();
    assert_eq!(r1.stop_reason, Some(StopReason::ToolUse));
    conversation.extend([assistant(&r1), result1()]);

    // Turn 2: Gemini, streamed.
    let r2 = client
        .messages(&params("gemini:gemini-2.5-flash", &conversation))
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(r2.stop_reason, Some(StopReason::ToolUse));
    let sigs: Vec<&str> = r2
        .thinking()
        .map(|t| t.signature.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        sigs,
        ["anyllm.gemini.CiQBgemTurn2"],
        "Gemini's signature is minted with its prefix"
    );
    assert_eq!(r2.tool_uses().next().unwrap().id, "toolu_gemini_r2_0");
    conversation.extend([assistant(&r2), result2()]);

    // Turn 3: OpenRouter.
    let r3 = client
        .messages(&params("openrouter:anthropic/claude-sonnet-4.5", &conversation))
        .await
        .unwrap();
    assert_eq!(r3.text(), "Take an umbrella today; tomorrow is dry.");
    let sigs: Vec<&str> = r3.thinking().map(|t| t.signature.as_str()).collect();
    assert_eq!(
        sigs,
        ["anyllm.openrouter.EqRouterTurn3=="],
        "OpenRouter's signature is minted with its prefix"
    );
    conversation.extend([assistant(&r3), user4()]);

    // Turn 4: back to Anthropic, streamed.
    let r4 = client
        .messages(&params("anthropic:claude-sonnet-4-5", &conversation))
        .stream()
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(r4.text(), "Shall I check Lyon too?");
    assert!(matches!(&r4.content[0], ContentBlock::Thinking(t) if t.signature == "EqMBTurn4=="));

    // Every request matched its native body exactly, and every exchange was used.
    for server in [&anthropic, &gemini, &openrouter] {
        server.replay().assert_clean();
        assert!(
            server.replay().unused().is_empty(),
            "{:?}",
            server.replay().unused()
        );
    }
}

/// Back to the family that minted it, a signature travels without the prefix:
/// Gemini gets its thought signature, OpenRouter its `reasoning_details` signature.
#[test]
fn each_family_gets_its_own_signature_back_unprefixed() {
    let conversation = [
        user1(),
        json!({"role": "assistant", "content": [
            {"type": "thinking", "thinking": "g", "signature": "anyllm.gemini.CiQBgemTurn2"},
            {"type": "thinking", "thinking": "o", "signature": "anyllm.openrouter.EqRouterTurn3=="},
            {"type": "thinking", "thinking": "a", "signature": ANTHROPIC_SIG},
            {"type": "text", "text": "ok"}]}),
        user4(),
    ];
    let p = params("m", &conversation);
    let body = |provider: &dyn anyllm::Provider| -> Value {
        let mut ctx = anyllm::CallContext::new(provider.info().default_base_url);
        ctx.api_key = Some(anyllm::ApiKey::new("k"));
        serde_json::from_slice(provider.build_request(&p, &ctx).unwrap().body()).unwrap()
    };
    let g = body(&anyllm_gemini::GeminiProvider::new());
    assert_eq!(
        g["contents"][1]["parts"],
        json!([{"text": "g", "thought": true, "thoughtSignature": "CiQBgemTurn2"},
               {"text": "o", "thought": true}, {"text": "a", "thought": true}, {"text": "ok"}])
    );
    let o = body(&anyllm_openai::OpenAiCompatible::new(
        *anyllm_openai::spec("openrouter").unwrap(),
    ));
    assert_eq!(o["messages"][1]["reasoning"], "goa");
    assert_eq!(
        o["messages"][1]["reasoning_details"],
        json!([{"type": "reasoning.text", "text": "o", "signature": "EqRouterTurn3==", "index": 0}])
    );
    let a = body(&anyllm_anthropic::AnthropicProvider::new());
    assert_eq!(
        a["messages"][1]["content"],
        json!([{"type": "thinking", "thinking": "a", "signature": ANTHROPIC_SIG}, {"type": "text", "text": "ok"}])
    );
}
