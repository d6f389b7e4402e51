//! Properties of the structured-output schema rewrite over generated
//! schemas: idempotent, every object closed, no `oneOf`, only supported
//! string formats and `minItems` ≤ 1 left, and nothing silently lost (every
//! dropped keyword reappears in a description).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::structured::{strict_schema, SUPPORTED_STRING_FORMATS};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string"})),
        prop::sample::select(vec!["date-time", "email", "uuid", "color", "hex", "uri"])
            .prop_map(|f| json!({"type": "string", "format": f})),
        (0u64..5).prop_map(|n| json!({"type": "integer", "minimum": n, "format": "int32"})),
        Just(json!({"type": "number", "multipleOf": 0.5})),
        Just(json!({"type": "boolean", "description": "flag"})),
        Just(json!({"type": "string", "pattern": "^x+$", "maxLength": 4})),
        Just(json!({"enum": ["a", "b"], "type": "string"})),
        Just(json!(true)),
    ]
}

fn schema() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec(("[a-d]{1,3}", inner.clone()), 0..4),
                any::<bool>()
            )
                .prop_map(|(props, extra)| {
                    let props: Map<String, Value> = props.into_iter().collect();
                    json!({"type": "object", "properties": props,
                           "additionalProperties": extra, "minProperties": 1})
                }),
            (inner.clone(), 0u64..4)
                .prop_map(|(items, min)| json!({"type": "array", "items": items, "minItems": min})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"oneOf": v})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"anyOf": v})),
            prop::collection::vec(inner, 1..3).prop_map(|v| json!({"allOf": v})),
        ]
    })
}

fn check(v: &Value, path: &str) -> Result<(), TestCaseError> {
    let Value::Object(m) = v else { return Ok(()) };
    prop_assert!(!m.contains_key("oneOf"), "{path}: oneOf left");
    let is = |t: &str| match m.get("type") {
        Some(Value::String(s)) => s == t,
        _ => false,
    };
    if is("object") {
        prop_assert_eq!(
            m.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{}",
            path
        );
    }
    if let Some(f) = m.get("format").and_then(Value::as_str) {
        prop_assert!(SUPPORTED_STRING_FORMATS.contains(&f), "{path}: format {f}");
    }
    if let Some(n) = m.get("minItems") {
        prop_assert!(n.as_u64().unwrap() <= 1, "{path}: minItems {n}");
    }
    for k in ["minProperties", "pattern", "maxLength", "multipleOf", "minimum"] {
        prop_assert!(!m.contains_key(k), "{path}: {k} left");
    }
    for (k, child) in m {
        match child {
            Value::Object(o) if k == "properties" || k == "$defs" => {
                for (name, s) in o {
                    check(s, &format!("{path}.{k}.{name}"))?;
                }
            }
            Value::Array(a) => {
                for (i, s) in a.iter().enumerate() {
                    check(s, &format!("{path}.{k}[{i}]"))?;
                }
            }
            Value::Object(_) => check(child, &format!("{path}.{k}"))?,
            _ => {}
        }
    }
    Ok(())
}

/// Counts occurrences of a moved keyword in the input and in descriptions of the output.
fn count_key(v: &Value, key: &str) -> usize {
    match v {
        Value::Object(m) => {
            let here = usize::from(m.contains_key(key));
            here + m.values().map(|c| count_key(c, key)).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(|c| count_key(c, key)).sum(),
        _ => 0,
    }
}

fn count_in_descriptions(v: &Value, key: &str) -> usize {
    match v {
        Value::Object(m) => {
            let here = m
                .get("description")
                .and_then(Value::as_str)
                .map_or(0, |d| d.matches(&format!("{key}: ")).count());
            here + m
                .iter()
                .filter(|(k, _)| *k != "description")
                .map(|(_, c)| count_in_descriptions(c, key))
                .sum::<usize>()
        }
        Value::Array(a) => a.iter().map(|c| count_in_descriptions(c, key)).sum(),
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_rewrite_is_strict_idempotent_and_lossless(s in schema()) {
        let once = strict_schema(s.clone());
        check(&once, "$")?;
        prop_assert_eq!(&strict_schema(once.clone()), &once);
        for key in ["pattern", "maxLength", "multipleOf", "minProperties", "minimum"] {
            prop_assert_eq!(count_key(&s, key), count_in_descriptions(&once, key), "{}", key);
        }
    }
}
