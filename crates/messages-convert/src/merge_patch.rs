//! The one rule for a caller's provider-specific extras (`extra_body`):
//! JSON Merge Patch ([RFC 7396](https://www.rfc-editor.org/rfc/rfc7396)).
//!
//! Objects merge key by key, recursively; any other value (string, number,
//! array, `true`/`false`) replaces what the conversion produced; `null`
//! removes the key. So `{"generationConfig": {"seed": 7}}` adds a seed to
//! Gemini's converted generation settings without clobbering them, and
//! `{"stream_options": null}` drops a field the conversion set. Hand-written:
//! the algorithm is the RFC's eight lines, no crate needed.

use serde_json::{Map, Value};

use crate::ConvertError;

/// Applies `patch` to `target` (RFC 7396).
///
/// ```
/// use serde_json::json;
/// let mut body = json!({"generationConfig": {"maxOutputTokens": 64, "topK": 3}, "tools": [1]});
/// messages_convert::merge_patch(&mut body, &json!({"generationConfig": {"seed": 7, "topK": null}, "tools": [2]}));
/// assert_eq!(body, json!({"generationConfig": {"maxOutputTokens": 64, "seed": 7}, "tools": [2]}));
/// ```
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(target) = target {
                merge_patch_map(target, patch);
            }
        }
        other => *target = other.clone(),
    }
}

/// Applies the object `patch` to the object `target` (RFC 7396): the form a
/// request body and `extra_body` take.
///
/// ```
/// use serde_json::{json, Map, Value};
/// let mut body: Map<String, Value> = serde_json::from_value(json!({"a": 1, "b": {"c": 2}})).unwrap();
/// let patch: Map<String, Value> = serde_json::from_value(json!({"a": null, "b": {"d": 3}})).unwrap();
/// messages_convert::merge_patch::merge_patch_map(&mut body, &patch);
/// assert_eq!(Value::Object(body), json!({"b": {"c": 2, "d": 3}}));
/// ```
pub fn merge_patch_map(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else if let Some(existing) = target.get_mut(key) {
            merge_patch(existing, value);
        } else {
            let mut fresh = Value::Null;
            merge_patch(&mut fresh, value);
            target.insert(key.clone(), fresh);
        }
    }
}

/// Serializes a native request `body` with `patch` (a call's
/// `extra_body`) applied by [`merge_patch_map`]. Without a patch the body is
/// serialized directly, with no intermediate `Value`. A body that is not a
/// JSON object cannot take a patch: [`ConvertError::Invalid`].
///
/// ```
/// use serde_json::{json, Map, Value};
/// let patch: Map<String, Value> = serde_json::from_value(json!({"b": {"d": 3}})).unwrap();
/// let bytes = messages_convert::merge_patch::to_vec_with_patch(&json!({"b": {"c": 2}}), &patch).unwrap();
/// assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!({"b": {"c": 2, "d": 3}}));
/// ```
pub fn to_vec_with_patch<T: serde::Serialize + ?Sized>(
    body: &T,
    patch: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    let encode = |e: serde_json::Error| ConvertError::Invalid {
        what: "request",
        message: e.to_string(),
    };
    if patch.is_empty() {
        return serde_json::to_vec(body).map_err(encode);
    }
    let mut value = serde_json::to_value(body).map_err(encode)?;
    let Value::Object(map) = &mut value else {
        return Err(ConvertError::Invalid {
            what: "request",
            message: "extra_body needs a JSON object request body".to_owned(),
        });
    };
    merge_patch_map(map, patch);
    serde_json::to_vec(&value).map_err(encode)
}

/// Serializes a request body with `params_extra` (unknown top-level fields
/// of the Anthropic request, inserted as given) and then `extra` (the call's
/// `extra_body`, applied as a JSON Merge Patch,
/// [`merge_patch_map`]) — the one rule
/// of every family's `request_body`. Without unknown fields the body goes
/// through [`to_vec_with_patch`]
/// (serialized directly when there is no patch either); with them, one JSON
/// value is built and patched in place.
pub(crate) fn body_with_extras<T: serde::Serialize>(
    req: &T,
    params_extra: &Map<String, Value>,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, ConvertError> {
    if params_extra.is_empty() {
        return to_vec_with_patch(req, extra);
    }
    let encode = |e: serde_json::Error| ConvertError::Invalid {
        what: "request",
        message: e.to_string(),
    };
    let mut value = serde_json::to_value(req).map_err(encode)?;
    let Value::Object(map) = &mut value else {
        return Err(ConvertError::Invalid {
            what: "request",
            message: "unknown top-level fields need a JSON object request body".to_owned(),
        });
    };
    for (k, v) in params_extra {
        map.insert(k.clone(), v.clone());
    }
    merge_patch_map(map, extra);
    serde_json::to_vec(&value).map_err(encode)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::merge_patch;
    use serde_json::json;

    /// The examples of RFC 7396, appendix A.
    #[test]
    fn rfc_7396_appendix_a() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "b"}), json!({"b": "c"}), json!({"a": "b", "b": "c"})),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (json!({"a": "b", "b": "c"}), json!({"a": null}), json!({"b": "c"})),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (json!({"a": [{"b": "c"}]}), json!({"a": [1]}), json!({"a": [1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (json!({"e": null}), json!({"a": 1}), json!({"e": null, "a": 1})),
            (json!([1, 2]), json!({"a": "b", "c": null}), json!({"a": "b"})),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (mut target, patch, want) in cases {
            merge_patch(&mut target, &patch);
            assert_eq!(target, want, "patch {patch}");
        }
    }
}
