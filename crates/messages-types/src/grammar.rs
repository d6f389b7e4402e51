//! The event grammar of an Anthropic Messages stream, as a validator.
//!
//! Converters that synthesize Anthropic streams from other providers' chunks
//! use it in tests (and may use it at run time) to prove their output is a
//! stream the official SDKs accept:
//!
//! * `message_start` first, exactly once;
//! * content blocks started with indexes 0, 1, 2, … in order, no gaps, each once;
//! * deltas only for started, not yet stopped blocks, with a delta kind that
//!   fits the block (`text_delta`/`citations_delta` → `text`,
//!   `input_json_delta` → `tool_use`/`server_tool_use`,
//!   `thinking_delta`/`signature_delta` → `thinking`; blocks that arrive whole,
//!   such as `redacted_thinking` or `*_tool_result`, take no delta);
//! * every block stopped exactly once;
//! * `message_delta` (at least one) only after every block stopped, and no
//!   block started after it;
//! * `message_stop` last;
//! * `ping` anywhere before the end; an `error` event ends the stream.
//!
//! Several blocks may be open at the same time with their deltas interleaved
//! (routed by index): converted parallel tool calls need it. Anthropic itself
//! never does this — its blocks are strictly sequential.
//!
//! Event, block and delta types this crate does not know are accepted
//! (forward compatibility): an unknown event is skipped, an unknown delta or
//! any delta to a block of unknown type is accepted.
//!
//! ```
//! use messages_types::grammar::{validate_stream, Violation};
//! use messages_types::StreamEvent;
//!
//! let parse = |s: &str| serde_json::from_str::<StreamEvent>(s).unwrap();
//! let start = parse(r#"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{}}}"#);
//! let block = parse(r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#);
//! let delta = parse(r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#);
//! let stop = parse(r#"{"type":"content_block_stop","index":0}"#);
//! let mdelta = parse(r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}"#);
//! let mstop = parse(r#"{"type":"message_stop"}"#);
//!
//! let good = [start.clone(), block.clone(), delta.clone(), stop.clone(), mdelta.clone(), mstop.clone()];
//! assert!(validate_stream(&good).is_ok());
//!
//! let no_stop = [start, block, delta, mdelta, mstop];
//! let err = validate_stream(&no_stop).unwrap_err();
//! assert_eq!(err.position, 3);
//! assert!(matches!(err.violation, Violation::BlocksStillOpen { .. }));
//! ```

use crate::content::ContentBlock;
use crate::stream::{ContentDelta, StreamEvent};

/// How an event broke the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// The first event (pings aside) was not `message_start`.
    #[error("the stream must begin with message_start")]
    NotStarted,
    /// A second `message_start`.
    #[error("message_start may appear only once")]
    DuplicateMessageStart,
    /// A block started with an index other than the next one.
    #[error("block index {found} started, expected {expected}")]
    UnexpectedBlockIndex {
        /// The next index.
        expected: usize,
        /// The index received.
        found: usize,
    },
    /// A delta or stop for an index never started.
    #[error("block {index} was never started")]
    NoSuchBlock {
        /// The index received.
        index: usize,
    },
    /// A delta or stop for a block already stopped.
    #[error("block {index} was already stopped")]
    BlockStopped {
        /// The index received.
        index: usize,
    },
    /// A delta kind that does not fit its block kind.
    #[error("{delta} does not apply to a {block} block (index {index})")]
    DeltaMismatch {
        /// The block index.
        index: usize,
        /// The delta type.
        delta: String,
        /// The block type.
        block: String,
    },
    /// A block started after `message_delta`.
    #[error("content block started after message_delta")]
    BlockAfterMessageDelta,
    /// `message_delta` or `message_stop` while blocks are open.
    #[error("blocks {open:?} are still open")]
    BlocksStillOpen {
        /// The open indexes.
        open: Vec<usize>,
    },
    /// `message_stop` without a `message_delta` before it.
    #[error("message_stop without a message_delta before it")]
    MissingMessageDelta,
    /// An event after `message_stop` or `error`.
    #[error("event after the end of the stream")]
    AfterEnd,
    /// The stream ended without `message_stop` (or `error`).
    #[error("the stream ended without message_stop")]
    Unterminated,
}

/// A grammar violation at one event of a stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event #{position} ({event}): {violation}")]
pub struct GrammarError {
    /// 0-based position of the offending event (the event count at `finish`).
    pub position: usize,
    /// Its type (`end of stream` at `finish`).
    pub event: String,
    /// What was wrong.
    pub violation: Violation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    ToolInput,
    Thinking,
    /// Arrives whole: takes no known delta.
    Whole,
    /// A type this crate does not know: takes anything.
    Unknown,
}

#[derive(Debug, Clone)]
struct Block {
    kind: Kind,
    type_name: String,
    open: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    BeforeStart,
    Blocks,
    AfterMessageDelta,
    Ended,
}

/// Checks a stream one event at a time. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct EventGrammar {
    phase: Phase,
    blocks: Vec<Block>,
    seen: usize,
}

impl Default for EventGrammar {
    fn default() -> Self {
        Self::new()
    }
}

impl EventGrammar {
    /// A validator expecting `message_start`.
    pub fn new() -> Self {
        Self {
            phase: Phase::BeforeStart,
            blocks: Vec::new(),
            seen: 0,
        }
    }

    /// `true` once the stream reached `message_stop` or an `error` event.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Number of events pushed so far.
    pub fn events_seen(&self) -> usize {
        self.seen
    }

    /// Checks the next event.
    pub fn push(&mut self, event: &StreamEvent) -> Result<(), GrammarError> {
        let position = self.seen;
        self.seen += 1;
        self.step(event).map_err(|violation| GrammarError {
            position,
            event: event.type_name().to_owned(),
            violation,
        })
    }

    /// Checks that the stream is complete: it reached `message_stop` or an `error` event.
    pub fn finish(&self) -> Result<(), GrammarError> {
        if self.phase == Phase::Ended {
            Ok(())
        } else {
            Err(GrammarError {
                position: self.seen,
                event: "end of stream".to_owned(),
                violation: Violation::Unterminated,
            })
        }
    }

    fn open_blocks(&self) -> Vec<usize> {
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.open)
            .map(|(i, _)| i)
            .collect()
    }

    fn block(&mut self, index: usize) -> Result<&mut Block, Violation> {
        match self.blocks.get_mut(index) {
            None => Err(Violation::NoSuchBlock { index }),
            Some(b) if !b.open => Err(Violation::BlockStopped { index }),
            Some(b) => Ok(b),
        }
    }

    fn step(&mut self, event: &StreamEvent) -> Result<(), Violation> {
        if self.phase == Phase::Ended {
            return Err(Violation::AfterEnd);
        }
        match event {
            StreamEvent::Error(_) => {
                self.phase = Phase::Ended;
                return Ok(());
            }
            StreamEvent::Ping(_) => return Ok(()),
            StreamEvent::MessageStart(_) => {
                if self.phase != Phase::BeforeStart {
                    return Err(Violation::DuplicateMessageStart);
                }
                self.phase = Phase::Blocks;
                return Ok(());
            }
            _ if self.phase == Phase::BeforeStart => return Err(Violation::NotStarted),
            _ => {}
        }
        match event {
            StreamEvent::ContentBlockStart(s) => {
                if self.phase == Phase::AfterMessageDelta {
                    return Err(Violation::BlockAfterMessageDelta);
                }
                let expected = self.blocks.len();
                if s.index != expected {
                    return Err(Violation::UnexpectedBlockIndex {
                        expected,
                        found: s.index,
                    });
                }
                self.blocks.push(Block {
                    kind: block_kind(&s.content_block),
                    type_name: s.content_block.type_name().to_owned(),
                    open: true,
                });
                Ok(())
            }
            StreamEvent::ContentBlockDelta(d) => {
                let block = self.block(d.index)?;
                if delta_fits(block.kind, &d.delta) {
                    Ok(())
                } else {
                    Err(Violation::DeltaMismatch {
                        index: d.index,
                        delta: d.delta.type_name().to_owned(),
                        block: block.type_name.clone(),
                    })
                }
            }
            StreamEvent::ContentBlockStop(s) => {
                self.block(s.index)?.open = false;
                Ok(())
            }
            StreamEvent::MessageDelta(_) => {
                let open = self.open_blocks();
                if !open.is_empty() {
                    return Err(Violation::BlocksStillOpen { open });
                }
                self.phase = Phase::AfterMessageDelta;
                Ok(())
            }
            StreamEvent::MessageStop(_) => {
                let open = self.open_blocks();
                if !open.is_empty() {
                    return Err(Violation::BlocksStillOpen { open });
                }
                if self.phase != Phase::AfterMessageDelta {
                    return Err(Violation::MissingMessageDelta);
                }
                self.phase = Phase::Ended;
                Ok(())
            }
            // Handled above, or an event type from the future: skipped.
            StreamEvent::MessageStart(_)
            | StreamEvent::Error(_)
            | StreamEvent::Ping(_)
            | StreamEvent::Unknown(_) => Ok(()),
        }
    }
}

fn block_kind(b: &ContentBlock) -> Kind {
    match b {
        ContentBlock::Text(_) => Kind::Text,
        ContentBlock::ToolUse(_) | ContentBlock::ServerToolUse(_) => Kind::ToolInput,
        ContentBlock::Thinking(_) => Kind::Thinking,
        ContentBlock::Unknown(_) => Kind::Unknown,
        ContentBlock::Image(_)
        | ContentBlock::Document(_)
        | ContentBlock::SearchResult(_)
        | ContentBlock::ToolResult(_)
        | ContentBlock::RedactedThinking(_)
        | ContentBlock::WebSearchToolResult(_)
        | ContentBlock::WebFetchToolResult(_)
        | ContentBlock::CodeExecutionToolResult(_)
        | ContentBlock::BashCodeExecutionToolResult(_)
        | ContentBlock::TextEditorCodeExecutionToolResult(_)
        | ContentBlock::ToolSearchToolResult(_)
        | ContentBlock::ContainerUpload(_) => Kind::Whole,
    }
}

fn delta_fits(kind: Kind, delta: &ContentDelta) -> bool {
    match delta {
        ContentDelta::Unknown(_) => true,
        ContentDelta::TextDelta(_) | ContentDelta::CitationsDelta(_) => {
            matches!(kind, Kind::Text | Kind::Unknown)
        }
        ContentDelta::InputJsonDelta(_) => matches!(kind, Kind::ToolInput | Kind::Unknown),
        ContentDelta::ThinkingDelta(_) | ContentDelta::SignatureDelta(_) => {
            matches!(kind, Kind::Thinking | Kind::Unknown)
        }
    }
}

/// Checks a whole stream: every event, then that it is complete.
pub fn validate_stream(events: &[StreamEvent]) -> Result<(), GrammarError> {
    let mut g = EventGrammar::new();
    for e in events {
        g.push(e)?;
    }
    g.finish()
}
