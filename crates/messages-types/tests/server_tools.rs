//! The typed server-tool views agree with the raw JSON in every fixture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{handwritten, parse_stream, recorded_documents, Doc};
use messages_types::{BuiltinTool, ContentBlock, Message, MessageCreateParams, StreamEvent, Tool};
use serde_json::json;

fn blocks(doc: &Doc) -> Vec<ContentBlock> {
    match doc {
        Doc::Request(v) => {
            let r: MessageCreateParams = serde_json::from_value(v.clone()).unwrap();
            r.messages.iter().flat_map(|m| m.blocks()).collect()
        }
        Doc::Response(v) => serde_json::from_value::<Message>(v.clone()).unwrap().content,
        Doc::Stream(body) => parse_stream(body)
            .into_iter()
            .filter_map(|e| match e {
                StreamEvent::ContentBlockStart(s) => Some(s.content_block),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn web_search_results_and_errors_read_from_every_fixture() {
    let (mut results, mut errors, mut outputs) = (0, 0, 0);
    for (name, doc) in recorded_documents().into_iter().chain(handwritten()) {
        for b in blocks(&doc) {
            match &b {
                ContentBlock::WebSearchToolResult(r) if r.content.is_array() => {
                    let typed = r.web_search_results().unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(serde_json::to_value(&typed).unwrap(), r.content, "{name}");
                    results += typed.len();
                }
                ContentBlock::WebSearchToolResult(r)
                | ContentBlock::WebFetchToolResult(r)
                | ContentBlock::CodeExecutionToolResult(r)
                | ContentBlock::BashCodeExecutionToolResult(r)
                | ContentBlock::TextEditorCodeExecutionToolResult(r)
                | ContentBlock::ToolSearchToolResult(r) => {
                    if r.content_type().is_some_and(|t| t.ends_with("_error")) {
                        assert!(r.error_code().is_some(), "{name}");
                        errors += 1;
                    } else if r.execution_output().is_some() {
                        outputs += 1;
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        results >= 4 && errors >= 3 && outputs >= 2,
        "{results} {errors} {outputs}"
    );
}

#[test]
fn builtin_tool_constructors() {
    let tools: Vec<Tool> = vec![
        BuiltinTool::web_search().with("max_uses", json!(5)).into(),
        BuiltinTool::web_fetch().into(),
        BuiltinTool::code_execution().into(),
        BuiltinTool::bash().into(),
        BuiltinTool::text_editor().into(),
        BuiltinTool::memory().into(),
    ];
    let server: Vec<bool> = tools
        .iter()
        .map(|t| matches!(t, Tool::Builtin(b) if b.is_server_tool()))
        .collect();
    assert_eq!(server, [true, true, true, false, false, false]);
    insta::assert_json_snapshot!(tools);
}
