//! insta snapshots pin the JSON the builders and helpers produce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::{
    BuiltinTool, CacheControl, CacheTtl, ContentBlock, CustomTool, Effort, Extra, Message,
    MessageCreateParams, MessageParam, ServiceTierRequest, SystemPrompt, TextBlock, ThinkingConfig,
    ThinkingDisplay, ToolChoice, ToolResultBlock,
};
use serde_json::json;

#[test]
fn minimal_request() {
    let p = MessageCreateParams::builder("claude-haiku-4-5", 256)
        .user("Hello")
        .build();
    insta::assert_json_snapshot!(p);
}

#[test]
fn full_request() {
    let mut cached_system = TextBlock::new("You are a weather bot.");
    cached_system.cache_control = Some(CacheControl::ephemeral_with_ttl(CacheTtl::OneHour));
    let web_search: BuiltinTool =
        serde_json::from_value(json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 3}))
            .unwrap();
    let p = MessageCreateParams::builder("claude-sonnet-4-5", 2048)
        .system(SystemPrompt::Blocks(vec![ContentBlock::Text(cached_system)]))
        .user("Weather in Paris and Rome?")
        .assistant(vec![ContentBlock::text("Checking both.")])
        .user(vec![ContentBlock::Text(TextBlock::new("Celsius please."))])
        .tool(CustomTool::new(
            "get_weather",
            "Current weather for a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        ))
        .tool(web_search)
        .tool_choice(ToolChoice::any().with_disable_parallel_tool_use(true))
        .thinking(ThinkingConfig::adaptive().display(ThinkingDisplay::Omitted))
        .effort(Effort::Medium)
        .json_schema(json!({"type": "object", "properties": {"answer": {"type": "string"}}}))
        .temperature(0.2)
        .top_p(0.9)
        .top_k(20)
        .stop_sequence("END")
        .stream(true)
        .user_id("user-42")
        .cache_control(CacheControl::ephemeral())
        .service_tier(ServiceTierRequest::StandardOnly)
        .extra("inference_geo", json!("eu"))
        .build();
    insta::assert_json_snapshot!(p);
}

#[test]
fn tool_choice_and_thinking_constructors() {
    insta::assert_json_snapshot!(json!([
        ToolChoice::auto(),
        ToolChoice::any(),
        ToolChoice::tool("get_weather").with_disable_parallel_tool_use(false),
        ToolChoice::none().with_disable_parallel_tool_use(true),
        ThinkingConfig::enabled(1024).display(ThinkingDisplay::Summarized),
        ThinkingConfig::disabled().display(ThinkingDisplay::Summarized),
        ThinkingConfig::adaptive(),
    ]));
}

#[test]
fn multi_turn_from_a_response() {
    let response: Message = serde_json::from_value(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Two cities.", "signature": "sig"},
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 50, "output_tokens": 30}
    }))
    .unwrap();
    assert!(response.wants_tool_results());
    let ids: Vec<String> = response.tool_uses().map(|t| t.id.clone()).collect();
    let mut failed = ToolResultBlock::error(ids[1].clone(), "Rome is unavailable");
    failed.cache_control = Some(CacheControl::ephemeral());
    let next = MessageCreateParams::builder("claude-sonnet-4-5", 1024)
        .user("Weather in Paris and Rome?")
        .message(response.to_param())
        .message(MessageParam::tool_result_blocks([
            ToolResultBlock::new(ids[0].clone(), "18°C"),
            failed,
        ]))
        .build();
    insta::assert_json_snapshot!(next);
    // into_param moves the same blocks.
    assert_eq!(response.clone().into_param(), response.to_param());
    let simple = MessageParam::tool_results([("toolu_1", "ok"), ("toolu_2", "also ok")]);
    assert_eq!(simple.blocks().len(), 2);
    assert!(simple.extra == Extra::new());
}

#[test]
fn block_constructors_and_cache_control() {
    let cc = CacheControl::ephemeral_with_ttl(CacheTtl::FiveMinutes);
    let blocks = vec![
        ContentBlock::text("Describe these.").cached(cc.clone()),
        ContentBlock::image_base64("image/png", "iVBORw0KGgo="),
        ContentBlock::image_url("https://example.com/cat.jpg"),
        ContentBlock::pdf_base64("JVBERi0xLjQ="),
        ContentBlock::text_document("Plain text.").cached(cc.clone()),
    ];
    assert_eq!(blocks[0].cache_control(), Some(&cc));
    assert_eq!(blocks[1].cache_control(), None);
    let mut thinking: ContentBlock =
        serde_json::from_value(json!({"type": "thinking", "thinking": "t", "signature": "s"})).unwrap();
    assert!(
        !thinking.set_cache_control(cc.clone()),
        "thinking blocks cannot be cached"
    );
    assert_eq!(thinking.cache_control(), None);
    insta::assert_json_snapshot!(MessageParam::user(blocks));
}
