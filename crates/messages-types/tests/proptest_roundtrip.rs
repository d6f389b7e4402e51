//! Generated requests, messages and stream events survive a serialize/parse
//! round trip unchanged — through text (the unions' streaming path, `type`
//! first) and through `serde_json::Value` (the buffered path).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::*;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Value};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("[a-z]{1,6}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    btree_map("[a-z]{1,6}", json_value(), 0..4).prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Unknown fields: prefixed so they never collide with a modelled field.
fn extra() -> impl Strategy<Value = Extra> {
    btree_map("x_[a-z]{1,5}", json_value(), 0..2).prop_map(|m| m.into_iter().collect())
}

fn cache_control() -> impl Strategy<Value = Option<CacheControl>> {
    option::of(prop_oneof![
        Just(CacheControl::ephemeral()),
        Just(CacheControl::ephemeral_with_ttl(CacheTtl::FiveMinutes)),
        Just(CacheControl::ephemeral_with_ttl(CacheTtl::OneHour)),
        "[a-z]{1,3}".prop_map(|t| CacheControl::ephemeral_with_ttl(CacheTtl::Other(format!("{t}h")))),
    ])
}

fn nullable<T: std::fmt::Debug + Clone>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Nullable<T>> {
    prop_oneof![
        Just(Nullable::Absent),
        Just(Nullable::Null),
        s.prop_map(Nullable::Value)
    ]
}

fn citation() -> impl Strategy<Value = Citation> {
    (
        ".{0,10}",
        0u32..5,
        nullable(".{0,8}"),
        0u64..100,
        0u64..100,
        extra(),
    )
        .prop_flat_map(|(cited_text, i, title, a, b, extra)| {
            prop_oneof![
                Just(Citation::CharLocation(CharLocation {
                    cited_text: cited_text.clone(),
                    document_index: i,
                    document_title: title.clone(),
                    start_char_index: a,
                    end_char_index: b,
                    extra: extra.clone(),
                })),
                Just(Citation::PageLocation(PageLocation {
                    cited_text: cited_text.clone(),
                    document_index: i,
                    document_title: title.clone(),
                    start_page_number: a,
                    end_page_number: b,
                    extra: extra.clone(),
                })),
                Just(Citation::WebSearchResultLocation(WebSearchResultLocation {
                    cited_text: cited_text.clone(),
                    encrypted_index: "enc".into(),
                    title: title.clone(),
                    url: "https://e.x".into(),
                    extra: extra.clone(),
                })),
                Just(Citation::SearchResultLocation(SearchResultLocation {
                    cited_text,
                    search_result_index: i,
                    source: "s".into(),
                    title,
                    start_block_index: a,
                    end_block_index: b,
                    extra,
                })),
            ]
        })
}

fn text_block() -> impl Strategy<Value = TextBlock> {
    (
        ".{0,20}",
        nullable(vec(citation(), 0..3)),
        cache_control(),
        extra(),
    )
        .prop_map(|(text, citations, cache_control, extra)| TextBlock {
            text,
            citations,
            cache_control,
            extra,
        })
}

fn leaf_block() -> impl Strategy<Value = ContentBlock> {
    prop_oneof![
        text_block().prop_map(ContentBlock::Text),
        (
            prop_oneof![
                ("image/(png|jpeg)", "[A-Za-z0-9+/]{0,12}").prop_map(|(m, d)| ImageSource::Base64(
                    Base64Source {
                        media_type: m,
                        data: d,
                        extra: Extra::new()
                    }
                )),
                "https://[a-z]{1,8}\\.com/[a-z]{0,5}".prop_map(|u| ImageSource::Url(UrlSource {
                    url: u,
                    extra: Extra::new()
                })),
                "file_[a-z0-9]{4}".prop_map(|f| ImageSource::File(FileSource {
                    file_id: f,
                    extra: Extra::new()
                })),
            ],
            cache_control()
        )
            .prop_map(|(source, cache_control)| ContentBlock::Image(ImageBlock {
                source,
                cache_control,
                extra: Extra::new()
            })),
        (
            "toolu_[a-z0-9]{4}",
            "[a-z_]{1,8}",
            json_object(),
            cache_control(),
            extra()
        )
            .prop_map(|(id, name, input, cache_control, extra)| {
                ContentBlock::ToolUse(ToolUseBlock {
                    id,
                    name,
                    input,
                    cache_control,
                    extra,
                })
            }),
        (".{0,12}", "[A-Za-z0-9]{0,12}", extra()).prop_map(|(thinking, signature, extra)| {
            ContentBlock::Thinking(ThinkingBlock {
                thinking,
                signature,
                extra,
            })
        }),
        "[A-Za-z0-9]{1,12}".prop_map(|data| ContentBlock::RedactedThinking(RedactedThinkingBlock {
            data,
            extra: Extra::new()
        })),
        ("srvtoolu_[a-z0-9]{3}", json_object()).prop_map(|(id, input)| ContentBlock::ServerToolUse(
            ServerToolUseBlock {
                id,
                name: "web_search".into(),
                input,
                cache_control: None,
                extra: Extra::new()
            }
        )),
        ("srvtoolu_[a-z0-9]{3}", json_value(), 0..6usize).prop_map(|(tool_use_id, content, which)| {
            let b = ServerToolResultBlock {
                tool_use_id,
                content,
                cache_control: None,
                extra: Extra::new(),
            };
            match which {
                0 => ContentBlock::WebSearchToolResult(b),
                1 => ContentBlock::WebFetchToolResult(b),
                2 => ContentBlock::CodeExecutionToolResult(b),
                3 => ContentBlock::BashCodeExecutionToolResult(b),
                4 => ContentBlock::TextEditorCodeExecutionToolResult(b),
                _ => ContentBlock::ToolSearchToolResult(b),
            }
        }),
        ("file_[a-z0-9]{4}", cache_control()).prop_map(|(file_id, cache_control)| {
            ContentBlock::ContainerUpload(ContainerUploadBlock {
                file_id,
                cache_control,
                extra: Extra::new(),
            })
        }),
        ("future_[a-z]{1,6}", json_object()).prop_map(|(t, mut obj)| {
            obj.as_object_mut()
                .unwrap()
                .insert("type".into(), Value::String(t));
            ContentBlock::Unknown(obj)
        }),
    ]
}

fn content() -> impl Strategy<Value = MessageContent> {
    prop_oneof![
        ".{0,20}".prop_map(MessageContent::Text),
        vec(leaf_block(), 0..4).prop_map(MessageContent::Blocks),
    ]
}

fn block() -> impl Strategy<Value = ContentBlock> {
    prop_oneof![
        4 => leaf_block(),
        1 => ("toolu_[a-z0-9]{3}", option::of(content()), option::of(any::<bool>()), cache_control()).prop_map(|(tool_use_id, content, is_error, cache_control)| {
            ContentBlock::ToolResult(ToolResultBlock { tool_use_id, content, is_error, cache_control, extra: Extra::new() })
        }),
        1 => (content(), option::of(".{0,6}"), option::of(any::<bool>())).prop_map(|(c, title, enabled)| {
            ContentBlock::Document(DocumentBlock {
                source: DocumentSource::Content(ContentSource { content: c, extra: Extra::new() }),
                title, context: None,
                citations: enabled.map(|e| CitationsConfig { enabled: Some(e), extra: Extra::new() }),
                cache_control: None, extra: Extra::new(),
            })
        }),
        1 => (vec(text_block(), 0..3), ".{0,6}").prop_map(|(content, title)| ContentBlock::SearchResult(SearchResultBlock {
            source: "kb://x".into(), title, content, citations: None, cache_control: None, extra: Extra::new(),
        })),
    ]
}

fn message_param() -> impl Strategy<Value = MessageParam> {
    (
        prop_oneof![Just(Role::User), Just(Role::Assistant)],
        prop_oneof![
            ".{0,20}".prop_map(MessageContent::Text),
            vec(block(), 0..4).prop_map(MessageContent::Blocks),
        ],
        extra(),
    )
        .prop_map(|(role, content, extra)| MessageParam { role, content, extra })
}

fn tool() -> impl Strategy<Value = Tool> {
    prop_oneof![
        (
            "[a-z_]{1,8}",
            option::of(".{0,10}"),
            json_object(),
            option::of(any::<bool>()),
            any::<bool>(),
            cache_control()
        )
            .prop_map(
                |(name, description, input_schema, strict, typed, cache_control)| Tool::Custom(CustomTool {
                    kind: typed.then(|| "custom".to_owned()),
                    name,
                    description,
                    input_schema,
                    cache_control,
                    strict,
                    extra: Extra::new(),
                })
            ),
        (
            "(web_search_20250305|bash_20250124|memory_20250818|future_tool_2030)",
            "[a-z_]{1,8}",
            extra()
        )
            .prop_map(|(kind, name, extra)| Tool::Builtin(BuiltinTool {
                kind,
                name,
                cache_control: None,
                extra
            })),
    ]
}

fn tool_choice() -> impl Strategy<Value = ToolChoice> {
    (0..5usize, option::of(any::<bool>())).prop_map(|(k, d)| {
        let c = match k {
            0 => ToolChoice::auto(),
            1 => ToolChoice::any(),
            2 => ToolChoice::tool("f"),
            3 => ToolChoice::none(),
            _ => ToolChoice::Unknown(json!({"type": "future_choice", "k": 1})),
        };
        match d {
            Some(d) => c.with_disable_parallel_tool_use(d),
            None => c,
        }
    })
}

fn finite() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |f| f.is_finite())
}

prop_compose! {
    fn request()(
        model in "[a-z0-9-]{1,20}",
        max_tokens in any::<u32>(),
        messages in vec(message_param(), 0..4),
        system in option::of(prop_oneof![
            ".{0,10}".prop_map(SystemPrompt::Text),
            vec(text_block().prop_map(ContentBlock::Text), 0..3).prop_map(SystemPrompt::Blocks),
        ]),
        temperature in option::of(finite()),
        top_p in option::of(finite()),
        top_k in option::of(any::<u32>()),
        stop_sequences in option::of(vec(".{0,5}", 0..3)),
        stream in option::of(any::<bool>()),
        tools in option::of(vec(tool(), 0..3)),
        tool_choice in option::of(tool_choice()),
        thinking in option::of(prop_oneof![
            (1024u32..100_000).prop_map(ThinkingConfig::enabled),
            Just(ThinkingConfig::adaptive().display(ThinkingDisplay::Omitted)),
            Just(ThinkingConfig::disabled()),
        ]),
        effort in option::of(prop_oneof![Just(Effort::Low), Just(Effort::Max), Just(Effort::Other("ultra".into()))]),
        cache_control in cache_control(),
        extra in extra(),
    ) -> MessageCreateParams {
        let mut b = MessageCreateParams::builder(model, max_tokens).messages(messages);
        if let Some(s) = system { b = b.system(s); }
        if let Some(t) = temperature { b = b.temperature(t); }
        if let Some(t) = top_p { b = b.top_p(t); }
        if let Some(t) = top_k { b = b.top_k(t); }
        for s in stop_sequences.into_iter().flatten() { b = b.stop_sequence(s); }
        if let Some(s) = stream { b = b.stream(s); }
        for t in tools.into_iter().flatten() { b = b.tool(t); }
        if let Some(c) = tool_choice { b = b.tool_choice(c); }
        if let Some(t) = thinking { b = b.thinking(t); }
        if let Some(e) = effort { b = b.effort(e); }
        if let Some(c) = cache_control { b = b.cache_control(c); }
        let mut p = b.build();
        p.extra = extra;
        p
    }
}

fn usage() -> impl Strategy<Value = Usage> {
    (
        option::of(any::<u64>()),
        option::of(any::<u64>()),
        option::of(any::<u64>()),
        option::of("(standard|priority)"),
        extra(),
    )
        .prop_map(
            |(input_tokens, output_tokens, cache_read_input_tokens, service_tier, extra)| Usage {
                input_tokens,
                output_tokens,
                cache_read_input_tokens,
                service_tier,
                extra,
                ..Usage::default()
            },
        )
}

fn stop_reason() -> impl Strategy<Value = StopReason> {
    prop_oneof![
        Just(StopReason::EndTurn),
        Just(StopReason::MaxTokens),
        Just(StopReason::StopSequence),
        Just(StopReason::ToolUse),
        Just(StopReason::PauseTurn),
        Just(StopReason::Refusal),
        Just(StopReason::ModelContextWindowExceeded),
        "[a-z_]{1,10}".prop_map(|s| StopReason::from(s.as_str())),
    ]
}

prop_compose! {
    fn message()(
        id in "msg_[a-z0-9]{4}",
        content in vec(leaf_block(), 0..5),
        stop_reason in option::of(stop_reason()),
        stop_sequence in option::of(".{0,4}"),
        stop_details in nullable(Just(StopDetails { kind: "refusal".into(), category: Some("cyber".into()), explanation: None, extra: Extra::new() })),
        usage in usage(),
        extra in extra(),
    ) -> Message {
        Message { id, kind: "message".into(), role: Role::Assistant, model: "m".into(), content, stop_reason, stop_sequence, stop_details, container: None, usage, extra }
    }
}

fn round_trip<T>(x: &T) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(x).unwrap();
    let back: T = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
    prop_assert_eq!(&back, x);
    let value = serde_json::to_value(x).unwrap();
    let back: T = serde_json::from_value(value).unwrap();
    prop_assert_eq!(&back, x);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn requests_round_trip(p in request()) {
        round_trip(&p)?;
    }

    #[test]
    fn messages_round_trip(m in message()) {
        round_trip(&m)?;
        round_trip(&m.to_param())?;
        // A message replayed as a stream accumulates back to itself.
        let events = m.to_stream_events();
        messages_types::grammar::validate_stream(&events).unwrap();
        prop_assert_eq!(&messages_types::accumulate::accumulate(&events).unwrap(), &m);
    }

    #[test]
    fn stream_events_round_trip(m in message(), b in leaf_block(), text in ".{0,10}", index in 0usize..5) {
        let events = [
            StreamEvent::MessageStart(Box::new(MessageStartEvent { message: m, extra: Extra::new() })),
            StreamEvent::ContentBlockStart(Box::new(ContentBlockStartEvent { index, content_block: b, extra: Extra::new() })),
            StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent { index, delta: ContentDelta::TextDelta(TextDelta { text: text.clone(), extra: Extra::new() }), extra: Extra::new() }),
            StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent { index, delta: ContentDelta::InputJsonDelta(InputJsonDelta { partial_json: text, extra: Extra::new() }), extra: Extra::new() }),
            StreamEvent::ContentBlockStop(ContentBlockStopEvent { index, extra: Extra::new() }),
        ];
        for e in &events {
            round_trip(e)?;
            let text = serde_json::to_vec(e).unwrap();
            prop_assert_eq!(&StreamEvent::from_json_slice(&text).unwrap(), e);
        }
    }
}

fn any_tagged_object() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just("text".to_owned()),
            Just("ping".to_owned()),
            Just("message_stop".to_owned()),
            Just("content_block_stop".to_owned()),
            Just("text_delta".to_owned()),
            Just("char_location".to_owned()),
            "[a-z_]{1,12}",
        ],
        btree_map("[a-z_]{1,6}", json_value(), 0..5),
    )
        .prop_map(|(t, fields)| {
            let mut m: serde_json::Map<String, Value> = fields.into_iter().collect();
            m.insert("type".into(), Value::String(t));
            Value::Object(m)
        })
}

fn roundtrips_or_errors<T>(v: &Value) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    // Through a Value (buffered path) and through text in `type`-first order
    // (streaming path): both either fail or give back exactly the input.
    let mut text = String::from("{\"type\":");
    text.push_str(&v["type"].to_string());
    for (k, val) in v.as_object().unwrap() {
        if k != "type" {
            text.push(',');
            text.push_str(&Value::String(k.clone()).to_string());
            text.push(':');
            text.push_str(&val.to_string());
        }
    }
    text.push('}');
    let a = serde_json::from_value::<T>(v.clone())
        .ok()
        .map(|t| serde_json::to_value(t).unwrap());
    let b = serde_json::from_str::<T>(&text)
        .ok()
        .map(|t| serde_json::to_value(t).unwrap());
    prop_assert_eq!(a.is_some(), b.is_some(), "paths disagree on {}", text);
    for back in a.iter().chain(b.iter()) {
        prop_assert_eq!(back, v);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any object with any `type` either fails to parse with an error or comes
    /// back exactly as it went in — unknown types and fields included.
    #[test]
    fn arbitrary_tagged_objects_round_trip_exactly_or_error(v in any_tagged_object()) {
        roundtrips_or_errors::<ContentBlock>(&v)?;
        roundtrips_or_errors::<StreamEvent>(&v)?;
        roundtrips_or_errors::<ContentDelta>(&v)?;
        roundtrips_or_errors::<Citation>(&v)?;
        roundtrips_or_errors::<ToolChoice>(&v)?;
    }

    /// Arbitrary text never panics the parsers.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,64}", b in vec(any::<u8>(), 0..64)) {
        let _ = StreamEvent::from_json_str(&s);
        let _ = StreamEvent::from_json_slice(&b);
        let _ = messages_types::partial_json::parse_partial(&s, messages_types::partial_json::PartialMode::TrailingStrings);
        let _ = serde_json::from_str::<MessageCreateParams>(&s);
    }
}
