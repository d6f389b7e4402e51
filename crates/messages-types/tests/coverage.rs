//! Fails when a variant of a wire union is exercised by no fixture (recorded
//! traffic plus `fixtures/types/`). Adding a variant to the crate without a
//! fixture that carries it makes this test fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{handwritten, parse_stream, recorded_documents, Doc};
use messages_types::{
    Citation, ContentBlock, ContentDelta, CountTokensParams, DocumentSource, ImageSource, Message,
    MessageContent, MessageCreateParams, OutputFormat, StopReason, StreamEvent, ThinkingConfig, Tool,
    ToolChoice,
};

#[derive(Default)]
struct Seen(BTreeMap<&'static str, BTreeSet<String>>);

impl Seen {
    fn add(&mut self, union: &'static str, t: &str) {
        self.0.entry(union).or_default().insert(t.to_owned());
    }

    fn content(&mut self, c: &MessageContent) {
        if let MessageContent::Blocks(blocks) = c {
            blocks.iter().for_each(|b| self.block(b));
        }
    }

    fn block(&mut self, b: &ContentBlock) {
        self.add("ContentBlock", b.type_name());
        match b {
            ContentBlock::Text(t) => {
                for c in t.citations.as_ref().into_iter().flatten() {
                    self.citation(c);
                }
            }
            ContentBlock::Image(i) => self.add("ImageSource", i.source.type_name()),
            ContentBlock::Document(d) => {
                self.add("DocumentSource", d.source.type_name());
                if let DocumentSource::Content(c) = &d.source {
                    self.content(&c.content);
                }
            }
            ContentBlock::ToolResult(r) => {
                if let Some(c) = &r.content {
                    self.content(c);
                }
            }
            _ => {}
        }
    }

    fn citation(&mut self, c: &Citation) {
        self.add("Citation", c.type_name());
        assert!(c.cited_text().is_some(), "every citation kind has cited_text");
        assert_eq!(
            c.url().is_some(),
            matches!(c, Citation::WebSearchResultLocation(_))
        );
    }

    fn tools(
        &mut self,
        tools: &Option<Vec<Tool>>,
        choice: &Option<ToolChoice>,
        thinking: &Option<ThinkingConfig>,
    ) {
        for t in tools.iter().flatten() {
            match t {
                Tool::Custom(c) => self.add(
                    "Tool",
                    if c.kind.is_some() {
                        "custom (explicit type)"
                    } else {
                        "custom (no type)"
                    },
                ),
                Tool::Builtin(b) => self.add(
                    "Tool",
                    if b.is_server_tool() {
                        "server tool"
                    } else {
                        "client-run Anthropic tool"
                    },
                ),
            }
        }
        if let Some(c) = choice {
            self.add("ToolChoice", c.type_name());
        }
        if let Some(t) = thinking {
            self.add("ThinkingConfig", t.type_name());
        }
    }

    fn request(&mut self, r: &MessageCreateParams) {
        if let Some(messages_types::SystemPrompt::Blocks(b)) = &r.system {
            b.iter().for_each(|b| self.block(b));
        }
        r.messages.iter().for_each(|m| self.content(&m.content));
        self.tools(&r.tools, &r.tool_choice, &r.thinking);
        for f in r
            .output_config
            .iter()
            .filter_map(|o| o.format.as_ref())
            .chain(r.output_format.as_ref())
        {
            self.add("OutputFormat", f.type_name());
        }
    }

    fn message(&mut self, m: &Message) {
        m.content.iter().for_each(|b| self.block(b));
        if let Some(r) = &m.stop_reason {
            self.add("StopReason", r.as_str());
        }
    }

    fn event(&mut self, e: &StreamEvent) {
        self.add("StreamEvent", e.type_name());
        match e {
            StreamEvent::MessageStart(s) => self.message(&s.message),
            StreamEvent::ContentBlockStart(s) => self.block(&s.content_block),
            StreamEvent::ContentBlockDelta(d) => {
                self.add("ContentDelta", d.delta.type_name());
                if let ContentDelta::CitationsDelta(c) = &d.delta {
                    self.citation(&c.citation);
                }
            }
            StreamEvent::MessageDelta(d) => {
                if let Some(r) = d.delta.stop_reason.as_ref() {
                    self.add("StopReason", r.as_str());
                }
            }
            _ => {}
        }
    }

    fn doc(&mut self, doc: &Doc) {
        match doc {
            Doc::Request(v) => self.request(&serde_json::from_value(v.clone()).unwrap()),
            Doc::CountTokensRequest(v) => {
                let r: CountTokensParams = serde_json::from_value(v.clone()).unwrap();
                r.messages.iter().for_each(|m| self.content(&m.content));
                self.tools(&r.tools, &r.tool_choice, &r.thinking);
            }
            Doc::Response(v) => self.message(&serde_json::from_value(v.clone()).unwrap()),
            Doc::Stream(body) => parse_stream(body).iter().for_each(|e| self.event(e)),
            Doc::CountTokensResponse(_) | Doc::Error(_) => {}
        }
    }

    fn missing(&self, union: &'static str, known: &[&str]) -> Vec<String> {
        let seen = self.0.get(union).cloned().unwrap_or_default();
        known
            .iter()
            .filter(|k| !seen.contains(**k))
            .map(|k| format!("{union}::{k}"))
            .collect()
    }
}

const STOP_REASONS: &[&str] = &[
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
];

#[test]
fn every_variant_appears_in_some_fixture() {
    let mut seen = Seen::default();
    let mut recorded = Seen::default();
    for (_, doc) in recorded_documents() {
        recorded.doc(&doc);
        seen.doc(&doc);
    }
    for (_, doc) in handwritten() {
        seen.doc(&doc);
    }
    // Every StopReason the crate names is a documented wire value.
    for r in STOP_REASONS {
        assert!(!matches!(StopReason::from(*r), StopReason::Other(_)), "{r}");
    }
    let mut missing = Vec::new();
    missing.extend(seen.missing("ContentBlock", ContentBlock::KNOWN_TYPES));
    missing.extend(seen.missing("Citation", Citation::KNOWN_TYPES));
    missing.extend(seen.missing("ContentDelta", ContentDelta::KNOWN_TYPES));
    missing.extend(seen.missing("StreamEvent", StreamEvent::KNOWN_TYPES));
    missing.extend(seen.missing("ImageSource", ImageSource::KNOWN_TYPES));
    missing.extend(seen.missing("DocumentSource", DocumentSource::KNOWN_TYPES));
    missing.extend(seen.missing("ThinkingConfig", ThinkingConfig::KNOWN_TYPES));
    missing.extend(seen.missing("ToolChoice", ToolChoice::KNOWN_TYPES));
    missing.extend(seen.missing("OutputFormat", OutputFormat::KNOWN_TYPES));
    missing.extend(seen.missing("StopReason", STOP_REASONS));
    missing.extend(seen.missing(
        "Tool",
        &[
            "custom (explicit type)",
            "custom (no type)",
            "server tool",
            "client-run Anthropic tool",
        ],
    ));
    // What the recorded traffic alone covers, for the record.
    for (union, kinds) in &recorded.0 {
        eprintln!("recorded {union}: {kinds:?}");
    }
    assert!(
        missing.is_empty(),
        "variants exercised by no fixture: {missing:?}"
    );
}
