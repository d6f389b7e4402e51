//! Structured output: a JSON Schema from a Rust type, rewritten with the
//! official SDK's rules, sent as `output_config.format`, and each text block
//! of the answer parsed into the type.

use messages_types::{
    ContentBlock, JsonSchemaFormat, Message, MessageCreateParams, OutputConfig, OutputFormat,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Error;

/// String formats the API's structured output accepts; any other `format` is
/// moved into the description.
pub const SUPPORTED_STRING_FORMATS: &[&str] = &[
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "uri",
    "ipv4",
    "ipv6",
    "uuid",
];

/// Rewrites a JSON Schema the way the Anthropic SDK's `transform_schema`
/// does for structured output:
///
/// * every object gets `additionalProperties: false` (and its properties are
///   rewritten recursively);
/// * `oneOf` becomes `anyOf`;
/// * a string `format` is kept only if in [`SUPPORTED_STRING_FORMATS`];
/// * `minItems` is kept only if 0 or 1;
/// * any other keyword the API does not support is moved into `description`
///   as `{key: value, …}` so the model still sees the constraint.
///
/// Kept as is: `$ref`, `$defs`/`definitions` (rewritten), `type`, `anyOf`,
/// `allOf`, `enum`, `const`, `title`, `description`, `required`, `items`,
/// `default`, `nullable`. Boolean schemas are returned unchanged; `$schema`
/// and the numeric `format`s schemars adds (`int32`, `double`, …, which only
/// restate the Rust type) are dropped.
///
/// ```
/// use serde_json::json;
/// let s = anyllm::structured::strict_schema(json!({
///     "type": "object",
///     "properties": {
///         "tags": {"type": "array", "items": {"type": "string", "format": "color"}, "minItems": 2},
///         "kind": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}
///     },
///     "required": ["tags"]
/// }));
/// assert_eq!(s["additionalProperties"], false);
/// assert_eq!(s["properties"]["tags"]["description"], r#"{minItems: 2}"#);
/// assert_eq!(s["properties"]["tags"]["items"]["description"], r#"{format: "color"}"#);
/// assert!(s["properties"]["kind"]["anyOf"].is_array());
/// assert_eq!(s["properties"]["kind"]["anyOf"][1]["description"], "{minimum: 0}");
/// ```
pub fn strict_schema(schema: Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(strict_object(map)),
        other => other,
    }
}

fn strict_object(mut src: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    src.remove("$schema");
    if let Some(r) = src.remove("$ref") {
        out.insert("$ref".into(), r);
    }
    for defs_key in ["$defs", "definitions"] {
        if let Some(Value::Object(defs)) = src.remove(defs_key) {
            let defs = defs
                .into_iter()
                .map(|(k, v)| (k, strict_schema(v)))
                .collect::<Map<_, _>>();
            out.insert(defs_key.into(), Value::Object(defs));
        }
    }
    let any_of = src.remove("anyOf").or_else(|| src.remove("oneOf"));
    if let Some(Value::Array(items)) = any_of {
        out.insert(
            "anyOf".into(),
            Value::Array(items.into_iter().map(strict_schema).collect()),
        );
    }
    if let Some(Value::Array(items)) = src.remove("allOf") {
        out.insert(
            "allOf".into(),
            Value::Array(items.into_iter().map(strict_schema).collect()),
        );
    }
    let ty = src.remove("type");
    let is = |name: &str| match &ty {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    };
    let (is_object, is_string, is_array) = (is("object"), is("string"), is("array"));
    let is_numeric = is("number") || is("integer");
    if let Some(t) = ty {
        out.insert("type".into(), t);
    }
    for keep in [
        "title",
        "description",
        "enum",
        "const",
        "default",
        "nullable",
        "required",
    ] {
        if let Some(v) = src.remove(keep) {
            out.insert(keep.into(), v);
        }
    }
    if is_object || src.contains_key("properties") {
        let props = match src.remove("properties") {
            Some(Value::Object(p)) => p
                .into_iter()
                .map(|(k, v)| (k, strict_schema(v)))
                .collect::<Map<_, _>>(),
            _ => Map::new(),
        };
        out.insert("properties".into(), Value::Object(props));
        src.remove("additionalProperties");
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    if !is_string && is_numeric {
        // schemars' `int32` / `uint64` / `double`… restate the Rust type; the
        // API has no numeric formats, and they would only clutter the description.
        src.remove("format");
    }
    if is_string {
        match src.remove("format") {
            Some(Value::String(f)) if SUPPORTED_STRING_FORMATS.contains(&f.as_str()) => {
                out.insert("format".into(), Value::String(f));
            }
            Some(f) => {
                src.insert("format".into(), f);
            }
            None => {}
        }
    }
    if is_array || src.contains_key("items") {
        if let Some(items) = src.remove("items") {
            out.insert("items".into(), strict_schema(items));
        }
        match src.remove("minItems") {
            Some(n) if n.as_u64().is_some_and(|n| n <= 1) => {
                out.insert("minItems".into(), n);
            }
            Some(n) => {
                src.insert("minItems".into(), n);
            }
            None => {}
        }
    }
    if !src.is_empty() {
        let rest = src
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let description = match out.get("description") {
            Some(Value::String(d)) => format!("{d}\n\n{{{rest}}}"),
            _ => format!("{{{rest}}}"),
        };
        out.insert("description".into(), Value::String(description));
    }
    out
}

/// The strict JSON Schema of `T` (schemars 1, then [`strict_schema`]).
///
/// ```
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct Weather { city: String, celsius: f64 }
/// let s = anyllm::structured::schema_for::<Weather>();
/// assert_eq!(s["type"], "object");
/// assert_eq!(s["additionalProperties"], false);
/// ```
pub fn schema_for<T: schemars::JsonSchema>() -> Value {
    let schema = schemars::schema_for!(T);
    strict_schema(schema.to_value())
}

/// Sets `output_config.format` to `T`'s strict schema — unless the params
/// already carry a format (`output_config.format` or the beta
/// `output_format`), which then passes through untouched.
pub fn apply_output_format<T: schemars::JsonSchema>(params: &mut MessageCreateParams) {
    let has_format =
        params.output_format.is_some() || params.output_config.as_ref().is_some_and(|c| c.format.is_some());
    if has_format {
        return;
    }
    let cfg = params.output_config.get_or_insert_with(OutputConfig::default);
    cfg.format = Some(OutputFormat::JsonSchema(JsonSchemaFormat {
        schema: schema_for::<T>(),
        extra: Map::new(),
    }));
}

/// One text block of a structured answer, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTextBlock<T> {
    /// The block's index in `message.content`.
    pub index: usize,
    /// The block's text (the JSON as the model wrote it).
    pub text: String,
    /// The text parsed into `T`.
    pub parsed_output: T,
}

/// A [`Message`] whose text blocks were parsed into `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedMessage<T> {
    /// The message as received.
    pub message: Message,
    /// Every text block, parsed, in order.
    pub parsed_blocks: Vec<ParsedTextBlock<T>>,
}

impl<T> ParsedMessage<T> {
    /// The first text block's parsed value (what the SDK calls `parsed_output`).
    pub fn parsed_output(&self) -> Option<&T> {
        self.parsed_blocks.first().map(|b| &b.parsed_output)
    }

    /// The first parsed value, by value.
    pub fn into_parsed_output(self) -> Option<T> {
        self.parsed_blocks.into_iter().next().map(|b| b.parsed_output)
    }
}

impl<T: DeserializeOwned> ParsedMessage<T> {
    /// Parses every text block of `message` into `T`. A block that is not
    /// valid JSON of that shape (e.g. cut by `max_tokens`) is an error naming
    /// the block.
    ///
    /// ```
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct A { n: u32 }
    /// let msg: anyllm::Message = serde_json::from_value(serde_json::json!({
    ///   "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
    ///   "content": [{"type": "text", "text": "{\"n\": 7}"}],
    ///   "stop_reason": "end_turn", "stop_sequence": null,
    ///   "usage": {"input_tokens": 1, "output_tokens": 1}})).unwrap();
    /// let p = anyllm::ParsedMessage::<A>::parse(msg).unwrap();
    /// assert_eq!(p.parsed_output(), Some(&A { n: 7 }));
    /// ```
    pub fn parse(message: Message) -> Result<Self, Error> {
        let mut parsed_blocks = Vec::new();
        for (index, block) in message.content.iter().enumerate() {
            if let ContentBlock::Text(t) = block {
                let parsed_output = serde_json::from_str::<T>(&t.text).map_err(|e| {
                    Error::Convert(messages_convert::ConvertError::Decode {
                        what: "structured output",
                        message: format!("content[{index}]: {e}"),
                        excerpt: messages_convert::error::excerpt(t.text.as_bytes(), 200),
                    })
                })?;
                parsed_blocks.push(ParsedTextBlock {
                    index,
                    text: t.text.clone(),
                    parsed_output,
                });
            }
        }
        Ok(Self {
            message,
            parsed_blocks,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::json;

    #[test]
    fn rewrites_follow_the_sdk_rules() {
        let s = strict_schema(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Root",
            "type": "object",
            "description": "A root.",
            "additionalProperties": true,
            "properties": {
                "when": {"type": "string", "format": "date-time"},
                "pattern": {"type": "string", "pattern": "^a+$", "maxLength": 9},
                "one": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 1, "maxItems": 3},
                "either": {"oneOf": [{"type": "string"}, {"type": "null"}]},
                "both": {"allOf": [{"$ref": "#/$defs/Item"}]},
                "maybe": {"type": ["object", "null"], "properties": {"x": {"type": "integer"}}},
                "anything": true,
                "kind": {"type": "string", "enum": ["a", "b"]},
                "fixed": {"const": 3}
            },
            "required": ["when"],
            "$defs": {"Item": {"type": "object", "properties": {"n": {"type": "number", "minimum": 1}}}}
        }));
        assert!(s.get("$schema").is_none());
        assert_eq!(s["title"], "Root");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"], json!(["when"]));
        let p = &s["properties"];
        assert_eq!(p["when"], json!({"type": "string", "format": "date-time"}));
        assert_eq!(p["pattern"]["description"], r#"{maxLength: 9, pattern: "^a+$"}"#);
        assert_eq!(p["one"]["minItems"], 1);
        assert_eq!(p["one"]["description"], "{maxItems: 3}");
        assert_eq!(p["one"]["items"], json!({"$ref": "#/$defs/Item"}));
        assert_eq!(p["either"]["anyOf"][1], json!({"type": "null"}));
        assert!(p["either"].get("oneOf").is_none());
        assert_eq!(p["both"]["allOf"][0]["$ref"], "#/$defs/Item");
        assert_eq!(p["maybe"]["additionalProperties"], false);
        assert_eq!(p["anything"], true);
        assert_eq!(p["kind"]["enum"], json!(["a", "b"]));
        assert_eq!(p["fixed"]["const"], 3);
        let item = &s["$defs"]["Item"];
        assert_eq!(item["additionalProperties"], false);
        assert_eq!(item["properties"]["n"]["description"], "{minimum: 1}");
    }

    #[test]
    fn an_existing_description_keeps_its_text() {
        let s = strict_schema(json!({"type": "integer", "description": "Age.", "maximum": 150}));
        assert_eq!(s["description"], "Age.\n\n{maximum: 150}");
    }

    #[derive(schemars::JsonSchema, serde::Deserialize)]
    #[allow(dead_code)]
    enum Shape {
        Circle { radius: f64 },
        Square { side: f64 },
    }

    #[derive(schemars::JsonSchema, serde::Deserialize)]
    #[allow(dead_code)]
    struct Drawing {
        /// What it shows.
        title: String,
        shapes: Vec<Shape>,
        author: Option<String>,
        #[schemars(email)]
        contact: String,
    }

    #[test]
    fn schema_of_a_rust_type() {
        insta::assert_json_snapshot!(schema_for::<Drawing>());
    }
}
