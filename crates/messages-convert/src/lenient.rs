//! The lenient conversion policy: which fields a conversion may drop, with
//! a structured report, when the caller asks for it instead of the strict
//! default.
//!
//! The default everywhere is [`ConversionPolicy::Strict`]: a field the target
//! cannot express is [`ConvertError::Unsupported`] naming it. Clients such as
//! Claude Code always send some (Anthropic platform features, betas), so a
//! caller may opt into [`ConversionPolicy::Lenient`]: the field is removed
//! from the request and reported as a [`DroppedField`] — never silently.
//!
//! The mechanism is the same for every family (there is no per-family list):
//! the relax loop (`anyllm_provider::lenient::relax`) converts, and on
//! `Unsupported { field }` asks [`droppable`] whether that path may go; if
//! so, [`drop_field`] removes it and the conversion is tried again.
//!
//! # What lenient may drop
//!
//! Request settings and annotations that do not change the conversation the
//! model sees (its messages, system prompt and tools stay whole):
//!
//! | path | kind | why it can go |
//! |---|---|---|
//! | `top_k` | [`DropKind::Feature`] | a sampling hint; the reply stays a valid reply |
//! | `metadata`, `metadata.user_id` | [`DropKind::Feature`] | an abuse-tracking id, not read by the model |
//! | `service_tier` | [`DropKind::Feature`] | a capacity preference |
//! | `container` | [`DropKind::Feature`] | Anthropic code-execution container reuse |
//! | `mcp_servers` | [`DropKind::Feature`] | Anthropic's MCP connector (a platform feature) |
//! | `context_management` | [`DropKind::Feature`] | Anthropic's context editing (server-side trimming) |
//! | `thinking` (only when the target refuses it: it has no way to reason on request) | [`DropKind::Feature`] | a request to reason first; the reply stays a valid reply, without thinking blocks, within `max_tokens` |
//! | `cache_control` (top level or `….cache_control` on a block / tool) | [`DropKind::Annotation`] | a caching hint |
//! | `….citations` (a document's or search result's citation switch) | [`DropKind::Annotation`] | the model still reads the document; only citation spans are not returned |
//! | `anthropic-beta: <name>` (and `betas`: all of them) | [`DropKind::Beta`] | a beta the target cannot honour (see [`BETA_FIELD_PREFIX`]) |
//! | an unknown top-level field (kept in `extra`) | [`DropKind::UnknownField`] | not part of `messages`, `system` or `tools`, which are parsed in full |
//!
//! # What stays an error even when lenient
//!
//! - Anything inside `messages`, `system` or `tools` other than the
//!   annotations above: a content block, a message, a role, a tool, a
//!   document source (`messages[2].content[0]`, `tools[1]`, `….source`).
//!   The model must see what the client sent; answering a conversation with
//!   a block missing would answer a different question. [`drop_field`]
//!   never removes an array element, so no path can do it.
//! - `inference_geo`: a data-residency constraint. Dropping it would send
//!   the data where the client said it must not go; a report afterwards
//!   cannot undo that.
//! - `stop_sequences`, `tool_choice` (and `disable_parallel_tool_use`),
//!   `output_config` / `output_format`, `max_tokens`: the client relies on
//!   them to read the reply (where it stops, how many tool calls it gets,
//!   its schema, its budget).
//! - Thinking blocks in `messages`: blocks like any other; each family's
//!   documented signature rule decides what is sent of them.
//! - Tool settings such as a web search's `allowed_domains`: a restriction.
//!
//! Fields a family maps by a documented rule (e.g. `cache_control` where a
//! provider caches automatically, `metadata.user_id` where it is a hint with
//! no counterpart) are not errors in strict mode either, so they are not in
//! the report: the report lists exactly what strict mode would have refused.
//!
//! ```
//! use messages_convert::lenient::{droppable, drop_field, DropKind};
//! let mut params: messages_types::MessageCreateParams = serde_json::from_value(serde_json::json!({
//!     "model": "m", "max_tokens": 8, "context_management": {"edits": []},
//!     "messages": [{"role": "user", "content": [
//!         {"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral"}}]}]
//! })).unwrap();
//! assert_eq!(droppable(&params, "context_management"), Some(DropKind::Feature));
//! assert!(drop_field(&mut params, "context_management").unwrap());
//! assert!(params.context_management.is_none());
//! let path = "messages[0].content[0].cache_control";
//! assert_eq!(droppable(&params, path), Some(DropKind::Annotation));
//! assert!(drop_field(&mut params, path).unwrap());
//! assert_eq!(droppable(&params, "messages[0].content[0]"), None, "a block is never dropped");
//! assert_eq!(droppable(&params, "inference_geo"), None);
//! ```

use messages_types::{
    ContentBlock, CountTokensParams, Extra, MessageContent, MessageCreateParams, MessageParam, SystemPrompt,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ConvertError;

/// How a conversion treats a field the target cannot express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionPolicy {
    /// Refuse with [`ConvertError::Unsupported`] naming the field (the default).
    #[default]
    Strict,
    /// Drop the fields [`droppable`] allows and report them; refuse the rest.
    Lenient,
}

/// What kind of field a lenient conversion dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DropKind {
    /// A top-level request feature (`top_k`, `context_management`, …).
    Feature,
    /// An annotation on the request or one of its blocks or tools
    /// (`cache_control`, a document's `citations` switch).
    Annotation,
    /// A beta feature (`anthropic-beta`) the target cannot honour.
    Beta,
    /// A top-level field this library does not know.
    UnknownField,
}

/// One field a lenient conversion dropped: the report entry.
///
/// Serialized as `{"path": "context_management", "kind": "feature"}`, plus
/// `"reason"` when the conversion gave one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedField {
    /// The Anthropic-format path (`context_management`,
    /// `messages[2].content[0].cache_control`), or
    /// `anthropic-beta: <name>` for a beta.
    pub path: String,
    /// What kind of field it was.
    pub kind: DropKind,
    /// Why the target could not express it, when the conversion said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl DroppedField {
    /// A report entry for a beta named `name`: path `anthropic-beta: <name>`.
    ///
    /// ```
    /// let d = messages_convert::lenient::DroppedField::beta("interleaved-thinking-2025-05-14", None);
    /// assert_eq!(d.path, "anthropic-beta: interleaved-thinking-2025-05-14");
    /// ```
    pub fn beta(name: &str, reason: Option<String>) -> Self {
        Self {
            path: format!("{BETA_FIELD_PREFIX}{name}"),
            kind: DropKind::Beta,
            reason,
        }
    }
}

/// The prefix of the field name of a beta: `anthropic-beta: <name>` (the
/// header a client sends it in, then the beta's name).
pub const BETA_FIELD_PREFIX: &str = "anthropic-beta: ";

/// The top-level request features lenient may drop (see the module docs).
const DROPPABLE_FEATURES: &[&str] = &[
    "top_k",
    "metadata",
    "metadata.user_id",
    "service_tier",
    "container",
    "mcp_servers",
    "context_management",
    "thinking",
];

/// The last path segments that name a droppable annotation.
const ANNOTATIONS: &[&str] = &["cache_control", "citations"];

/// The top-level fields never dropped even when they are unknown to a
/// family: the conversation and the settings the client reads the reply by.
const KEPT: &[&str] = &[
    "model",
    "max_tokens",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
    "output_format",
    "stop_sequences",
    "inference_geo",
    "stream",
    "temperature",
    "top_p",
];

/// A request a lenient conversion can fit: the Messages request
/// ([`MessageCreateParams`]) and the count-tokens request
/// ([`CountTokensParams`]), which share the conversation's shape.
pub trait LenientRequest: Serialize + DeserializeOwned {
    /// The top-level fields the type does not model.
    fn extra(&self) -> &Extra;
    /// The same, to remove from.
    fn extra_mut(&mut self) -> &mut Extra;
    /// Clears the top-level droppable field `path` when the type models it:
    /// `Some(was_there)`, `None` when it does not model `path`.
    fn take_modelled(&mut self, path: &str) -> Option<bool>;
    /// The conversation.
    fn messages_mut(&mut self) -> &mut [MessageParam];
    /// The system prompt.
    fn system_mut(&mut self) -> Option<&mut SystemPrompt>;
}

impl LenientRequest for MessageCreateParams {
    fn extra(&self) -> &Extra {
        &self.extra
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn take_modelled(&mut self, path: &str) -> Option<bool> {
        Some(match path {
            "top_k" => self.top_k.take().is_some(),
            "metadata" => self.metadata.take().is_some(),
            "metadata.user_id" => self.metadata.as_mut().and_then(|m| m.user_id.take()).is_some(),
            "service_tier" => self.service_tier.take().is_some(),
            "container" => self.container.take().is_some(),
            "mcp_servers" => self.mcp_servers.take().is_some(),
            "context_management" => self.context_management.take().is_some(),
            "cache_control" => self.cache_control.take().is_some(),
            "thinking" => self.thinking.take().is_some(),
            _ => return None,
        })
    }
    fn messages_mut(&mut self) -> &mut [MessageParam] {
        &mut self.messages
    }
    fn system_mut(&mut self) -> Option<&mut SystemPrompt> {
        self.system.as_mut()
    }
}

/// The count-tokens request models only `thinking` of the droppable
/// top-level features: the others are in its `extra`.
impl LenientRequest for CountTokensParams {
    fn extra(&self) -> &Extra {
        &self.extra
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
    fn take_modelled(&mut self, path: &str) -> Option<bool> {
        (path == "thinking").then(|| self.thinking.take().is_some())
    }
    fn messages_mut(&mut self) -> &mut [MessageParam] {
        &mut self.messages
    }
    fn system_mut(&mut self) -> Option<&mut SystemPrompt> {
        self.system.as_mut()
    }
}

/// Whether a lenient conversion may drop the field at `path` of `params`,
/// and as what kind; `None` when it must stay an error (see the module
/// docs for the rule).
pub fn droppable<P: LenientRequest>(params: &P, path: &str) -> Option<DropKind> {
    if DROPPABLE_FEATURES.contains(&path) {
        return Some(DropKind::Feature);
    }
    if path == "betas" || path.starts_with(BETA_FIELD_PREFIX) {
        return Some(DropKind::Beta);
    }
    if path == "cache_control" {
        return Some(DropKind::Annotation);
    }
    let segments = parse_path(path)?;
    match segments.as_slice() {
        [Segment::Key(k)] if !KEPT.contains(k) && params.extra().contains_key(*k) => {
            Some(DropKind::UnknownField)
        }
        [.., Segment::Key(last)] if segments.len() > 1 && ANNOTATIONS.contains(last) => {
            Some(DropKind::Annotation)
        }
        _ => None,
    }
}

/// Removes the field at `path` from `params`: `Ok(true)` when it was there
/// and is gone, `Ok(false)` when the path names nothing (or a field that is
/// not [`droppable`] — nothing is removed then). Never removes an array
/// element: a message, block or tool cannot be dropped by any path.
///
/// Top-level features are cleared in place, and so is an annotation of a
/// message's or the system prompt's block
/// (`messages[i].content[j].cache_control`, `system[j].citations`). Any
/// other nested annotation (on a tool, inside a tool result) goes through
/// the request's JSON form (serialize, remove, deserialize — fields this
/// crate does not model survive it, as in every round trip).
pub fn drop_field<P: LenientRequest>(params: &mut P, path: &str) -> Result<bool, ConvertError> {
    let Some(kind) = droppable(params, path) else {
        return Ok(false);
    };
    if kind == DropKind::Beta {
        return Ok(false);
    }
    if let Some(was) = params.take_modelled(path) {
        return Ok(was);
    }
    if !path.contains(['.', '[']) {
        return Ok(params.extra_mut().remove(path).is_some());
    }
    if take_block_annotation(params, path) {
        return Ok(true);
    }
    drop_nested(params, path)
}

/// Removes a modelled annotation of a message's or the system prompt's
/// block in place; `false` when the path is not of that shape or the
/// block has no such modelled annotation set (the JSON route then looks).
fn take_block_annotation<P: LenientRequest>(params: &mut P, path: &str) -> bool {
    let Some(segments) = parse_path(path) else {
        return false;
    };
    let (block, key) = match segments.as_slice() {
        [Segment::Key("messages"), Segment::Index(i), Segment::Key("content"), Segment::Index(j), Segment::Key(key)] =>
        {
            let block = params
                .messages_mut()
                .get_mut(*i)
                .and_then(|m| match &mut m.content {
                    MessageContent::Blocks(blocks) => blocks.get_mut(*j),
                    MessageContent::Text(_) => None,
                });
            (block, *key)
        }
        [Segment::Key("system"), Segment::Index(j), Segment::Key(key)] => {
            let block = params.system_mut().and_then(|s| match s {
                SystemPrompt::Blocks(blocks) => blocks.get_mut(*j),
                SystemPrompt::Text(_) => None,
            });
            (block, *key)
        }
        _ => return false,
    };
    block.is_some_and(|b| take_annotation(b, key))
}

/// Clears the modelled annotation `key` of `block`: `true` when it was set.
fn take_annotation(block: &mut ContentBlock, key: &str) -> bool {
    match key {
        "citations" => match block {
            ContentBlock::Document(b) => b.citations.take().is_some(),
            ContentBlock::SearchResult(b) => b.citations.take().is_some(),
            _ => false,
        },
        "cache_control" => {
            let slot = match block {
                ContentBlock::Text(b) => &mut b.cache_control,
                ContentBlock::Image(b) => &mut b.cache_control,
                ContentBlock::Document(b) => &mut b.cache_control,
                ContentBlock::SearchResult(b) => &mut b.cache_control,
                ContentBlock::ToolUse(b) => &mut b.cache_control,
                ContentBlock::ToolResult(b) => &mut b.cache_control,
                ContentBlock::ServerToolUse(b) => &mut b.cache_control,
                ContentBlock::WebSearchToolResult(b)
                | ContentBlock::WebFetchToolResult(b)
                | ContentBlock::CodeExecutionToolResult(b)
                | ContentBlock::BashCodeExecutionToolResult(b)
                | ContentBlock::TextEditorCodeExecutionToolResult(b)
                | ContentBlock::ToolSearchToolResult(b) => &mut b.cache_control,
                ContentBlock::ContainerUpload(b) => &mut b.cache_control,
                _ => return false,
            };
            slot.take().is_some()
        }
        _ => false,
    }
}

fn drop_nested<P: LenientRequest>(params: &mut P, path: &str) -> Result<bool, ConvertError> {
    let Some(segments) = parse_path(path) else {
        return Ok(false);
    };
    let invalid = |e: serde_json::Error| ConvertError::Invalid {
        what: "request",
        message: format!("dropping `{path}`: {e}"),
    };
    let mut value = serde_json::to_value(&*params).map_err(invalid)?;
    if !remove_key(&mut value, &segments) {
        return Ok(false);
    }
    *params = serde_json::from_value(value).map_err(invalid)?;
    Ok(true)
}

/// Removes the object key the last segment names; `false` when the path
/// does not resolve or ends in an array index.
fn remove_key(root: &mut Value, segments: &[Segment<'_>]) -> bool {
    let Some((Segment::Key(last), init)) = segments.split_last() else {
        return false;
    };
    let mut cur = root;
    for s in init {
        let next = match s {
            Segment::Key(k) => cur.get_mut(*k),
            Segment::Index(i) => cur.get_mut(*i),
        };
        match next {
            Some(v) => cur = v,
            None => return false,
        }
    }
    cur.as_object_mut().is_some_and(|o| o.remove(*last).is_some())
}

/// One step of a field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// `messages[2].content[0].cache_control` → keys and indexes; `None` when
/// the path is not of that shape.
fn parse_path(path: &str) -> Option<Vec<Segment<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        out.push(Segment::Key(key));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let index = rest.get(1..close)?.parse().ok()?;
            out.push(Segment::Index(index));
            rest = rest.get(close + 1..)?;
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> MessageCreateParams {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn paths_parse_into_keys_and_indexes() {
        assert_eq!(
            parse_path("messages[2].content[10].cache_control").unwrap(),
            [
                Segment::Key("messages"),
                Segment::Index(2),
                Segment::Key("content"),
                Segment::Index(10),
                Segment::Key("cache_control")
            ]
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a[1]b", "a b", "anthropic-beta: x"] {
            assert!(parse_path(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn classification_follows_the_documented_table() {
        let p = params(json!({"model": "m", "max_tokens": 1, "speed": "fast",
            "messages": [{"role": "user", "content": "x"}]}));
        let cases = [
            ("top_k", Some(DropKind::Feature)),
            ("metadata.user_id", Some(DropKind::Feature)),
            ("context_management", Some(DropKind::Feature)),
            ("mcp_servers", Some(DropKind::Feature)),
            ("cache_control", Some(DropKind::Annotation)),
            ("system[0].cache_control", Some(DropKind::Annotation)),
            ("tools[3].cache_control", Some(DropKind::Annotation)),
            ("messages[1].content[0].citations", Some(DropKind::Annotation)),
            ("anthropic-beta: context-1m-2025-08-07", Some(DropKind::Beta)),
            ("betas", Some(DropKind::Beta)),
            ("speed", Some(DropKind::UnknownField)),
            ("nonexistent", None),
            ("inference_geo", None),
            ("stop_sequences", None),
            ("max_tokens", None),
            ("thinking", Some(DropKind::Feature)),
            ("thinking.budget_tokens", None),
            ("messages[0].content[0].signature", None),
            ("tool_choice.disable_parallel_tool_use", None),
            ("messages[1].content[0]", None),
            ("messages[1].content[0].source", None),
            ("messages[1].role", None),
            ("tools[0]", None),
            ("tools[0].allowed_domains", None),
            ("system[0]", None),
        ];
        for (path, kind) in cases {
            assert_eq!(droppable(&p, path), kind, "{path}");
        }
    }

    #[test]
    fn nested_annotations_are_removed_and_nothing_else_changes() {
        let mut p = params(json!({"model": "m", "max_tokens": 1,
            "system": [{"type": "text", "text": "S", "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": [
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"},
                 "citations": {"enabled": true}},
                {"type": "text", "text": "Q", "cache_control": {"type": "ephemeral"}, "x-future": 1}]}]}));
        assert!(drop_field(&mut p, "system[0].cache_control").unwrap());
        assert!(drop_field(&mut p, "messages[0].content[0].citations").unwrap());
        assert!(drop_field(&mut p, "messages[0].content[1].cache_control").unwrap());
        assert!(
            !drop_field(&mut p, "messages[0].content[1].cache_control").unwrap(),
            "gone already"
        );
        assert!(!drop_field(&mut p, "messages[0].content[7].cache_control").unwrap());
        assert!(!drop_field(&mut p, "messages[0].content[0]").unwrap());
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"model": "m", "max_tokens": 1,
                "system": [{"type": "text", "text": "S"}],
                "messages": [{"role": "user", "content": [
                    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"}},
                    {"type": "text", "text": "Q", "x-future": 1}]}]})
        );
    }

    #[test]
    fn top_level_features_and_unknown_fields_are_cleared() {
        let mut p = params(json!({"model": "m", "max_tokens": 1, "top_k": 3, "speed": "fast",
            "metadata": {"user_id": "u"}, "container": "c", "service_tier": "standard_only",
            "messages": [{"role": "user", "content": "x"}]}));
        for path in ["top_k", "speed", "metadata.user_id", "container", "service_tier"] {
            assert!(drop_field(&mut p, path).unwrap(), "{path}");
        }
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"model": "m", "max_tokens": 1, "metadata": {},
                "messages": [{"role": "user", "content": "x"}]})
        );
        assert!(!drop_field(&mut p, "inference_geo").unwrap());
    }

    #[test]
    fn count_tokens_requests_drop_by_the_same_rule() {
        let mut p: CountTokensParams = serde_json::from_value(json!({"model": "m",
            "context_management": {"edits": []}, "metadata": {"user_id": "u"},
            "thinking": {"type": "enabled", "budget_tokens": 1024},
            "system": [{"type": "text", "text": "S", "cache_control": {"type": "ephemeral"}}],
            "tools": [{"name": "t", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": [
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"},
                 "citations": {"enabled": true}},
                {"type": "text", "text": "Q", "cache_control": {"type": "ephemeral"}}]}]}))
        .unwrap();
        for path in [
            "context_management",
            "metadata.user_id",
            "thinking",
            "system[0].cache_control",
            "tools[0].cache_control",
            "messages[0].content[0].citations",
            "messages[0].content[1].cache_control",
        ] {
            assert!(drop_field(&mut p, path).unwrap(), "{path}");
            assert!(!drop_field(&mut p, path).unwrap(), "{path} is gone already");
        }
        assert!(!drop_field(&mut p, "messages[0].content[1]").unwrap());
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"model": "m", "metadata": {},
                "system": [{"type": "text", "text": "S"}],
                "tools": [{"name": "t", "input_schema": {"type": "object"}}],
                "messages": [{"role": "user", "content": [
                    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "D"}},
                    {"type": "text", "text": "Q"}]}]})
        );
    }

    #[test]
    fn the_report_serializes_as_documented() {
        let d = DroppedField {
            path: "context_management".into(),
            kind: DropKind::Feature,
            reason: None,
        };
        assert_eq!(
            serde_json::to_value([d, DroppedField::beta("b", Some("why".into()))]).unwrap(),
            json!([{"path": "context_management", "kind": "feature"},
                   {"path": "anthropic-beta: b", "kind": "beta", "reason": "why"}])
        );
    }
}
