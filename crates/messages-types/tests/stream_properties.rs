//! Properties of the stream machinery: chunk-split invariance of the
//! accumulator, agreement between the grammar and the accumulator on random
//! event sequences (and no panics), and the partial-JSON parser on every
//! prefix of generated documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_types::accumulate::{AccumulateError, MessageAccumulator};
use messages_types::grammar::{validate_stream, EventGrammar};
use messages_types::partial_json::{parse_partial, PartialMode};
use messages_types::{
    ContentBlock, ErrorKind, Message, StopReason, StreamEvent, ThinkingBlock, ToolUseBlock, Usage,
};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("\\PC{0,5}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Splits `s` at the given fractions, on char boundaries.
fn split(s: &str, cuts: &[f64]) -> Vec<String> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|f| {
            let mut i = ((s.len() as f64) * f) as usize;
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            i
        })
        .collect();
    points.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for p in points.into_iter().chain([s.len()]) {
        out.push(s[last..p].to_owned());
        last = p;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// However text, thinking and tool-input JSON are cut into deltas, the
    /// accumulated message is the same.
    #[test]
    fn accumulator_is_chunk_split_invariant(
        text in "\\PC{0,40}",
        thinking in "\\PC{0,40}",
        input in btree_map("[a-z]{1,5}", json_value(), 0..4),
        pretty in any::<bool>(),
        cuts in vec(0.0f64..1.0, 0..6),
    ) {
        let input = Value::Object(input.into_iter().collect());
        let input_json = if pretty { serde_json::to_string_pretty(&input).unwrap() } else { input.to_string() };
        let mut events = vec![StreamEvent::message_start(Message::new("msg_1", "m", vec![]))];
        events.push(StreamEvent::content_block_start(0, ContentBlock::Thinking(ThinkingBlock::default())));
        events.extend(split(&thinking, &cuts).into_iter().map(|t| StreamEvent::thinking_delta(0, t)));
        events.push(StreamEvent::signature_delta(0, "sig"));
        events.push(StreamEvent::content_block_stop(0));
        events.push(StreamEvent::content_block_start(1, ContentBlock::text("")));
        events.extend(split(&text, &cuts).into_iter().map(|t| StreamEvent::text_delta(1, t)));
        events.push(StreamEvent::content_block_stop(1));
        events.push(StreamEvent::content_block_start(2, ContentBlock::ToolUse(ToolUseBlock::new("toolu_1", "f", json!({})))));
        events.extend(split(&input_json, &cuts).into_iter().map(|t| StreamEvent::input_json_delta(2, t)));
        events.push(StreamEvent::content_block_stop(2));
        events.push(StreamEvent::message_delta(Some(StopReason::ToolUse), Usage::new(3, 9)));
        events.push(StreamEvent::message_stop());
        validate_stream(&events).unwrap();
        let mut acc = MessageAccumulator::new();
        for e in &events {
            acc.push(e).unwrap();
            // The live view always holds an object for the tool input.
            if let Some(ContentBlock::ToolUse(t)) = acc.snapshot().unwrap().content.get(2) {
                prop_assert!(t.input.is_object());
            }
        }
        let m = acc.finish().unwrap();
        prop_assert_eq!(m.content[0].as_thinking().unwrap().thinking.as_str(), thinking.as_str());
        prop_assert_eq!(m.text(), text);
        prop_assert_eq!(&m.content[2].as_tool_use().unwrap().input, &input);
        prop_assert_eq!(m.usage.output_tokens, Some(9));
    }

    /// Random event sequences: nothing panics, and whatever the grammar
    /// accepts, the accumulator folds without error.
    #[test]
    fn grammar_valid_streams_always_accumulate(ops in vec((0u8..10, 0usize..3, 0u8..4), 0..14)) {
        let mut events = Vec::new();
        for (op, index, kind) in ops {
            let e = match op {
                0 => StreamEvent::message_start(Message::new("m", "x", vec![])),
                1 => StreamEvent::content_block_start(index, match kind {
                    0 => ContentBlock::text(""),
                    1 => ContentBlock::ToolUse(ToolUseBlock::new("t", "f", json!({}))),
                    2 => ContentBlock::Thinking(ThinkingBlock::default()),
                    _ => ContentBlock::Unknown(json!({"type": "future_block"})),
                }),
                2 => match kind {
                    0 => StreamEvent::text_delta(index, "a"),
                    1 => StreamEvent::input_json_delta(index, "{}"),
                    2 => StreamEvent::thinking_delta(index, "b"),
                    _ => StreamEvent::signature_delta(index, "s"),
                },
                3 => StreamEvent::content_block_stop(index),
                4 => StreamEvent::message_delta(Some(StopReason::EndTurn), Usage::new(1, 1)),
                5 => StreamEvent::message_stop(),
                6 => StreamEvent::ping(),
                7 => StreamEvent::error(ErrorKind::Overloaded, "Overloaded"),
                8 => StreamEvent::content_block_stop(index),
                _ => StreamEvent::text_delta(index, "z"),
            };
            events.push(e);
        }
        let mut grammar = EventGrammar::new();
        let grammar_ok = events.iter().all(|e| grammar.push(e).is_ok()) && grammar.finish().is_ok();
        let mut acc = MessageAccumulator::new();
        let mut acc_result = Ok(());
        for e in &events {
            acc_result = acc.push(e);
            if acc_result.is_err() {
                break;
            }
        }
        if grammar_ok {
            match acc_result {
                Err(AccumulateError::Api(_)) => {}
                Err(e) => prop_assert!(false, "grammar accepted but accumulator failed: {e}"),
                Ok(()) => { acc.finish().unwrap(); }
            }
        }
    }

    /// Every prefix of a JSON document parses; the whole document parses to
    /// the same value as serde_json; values only grow as text arrives.
    #[test]
    fn partial_json_accepts_every_prefix(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        for mode in [PartialMode::Sdk, PartialMode::TrailingStrings] {
            let mut ends: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
            if ends.len() > 200 {
                let step = ends.len() / 200 + 1;
                ends = ends.into_iter().step_by(step).chain([text.len()]).collect();
            }
            for end in ends {
                let r = parse_partial(&text[..end], mode);
                prop_assert!(r.is_ok(), "prefix {:?}: {:?}", &text[..end], r);
            }
            prop_assert_eq!(parse_partial(&text, mode).unwrap(), Some(v.clone()));
        }
    }
}
