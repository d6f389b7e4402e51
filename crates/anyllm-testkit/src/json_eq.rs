//! JSON equality that compares numbers by value (`1` equals `1.0`) and
//! reports the first difference as a path.

use serde_json::Value;

/// `true` when `a` and `b` are the same JSON value: objects compared
/// key-order-insensitively, arrays in order, numbers by numeric value.
///
/// ```
/// use serde_json::json;
/// assert!(anyllm_testkit::json_eq(&json!({"a": 1, "b": [0.5]}), &json!({"b": [0.5], "a": 1.0})));
/// assert!(!anyllm_testkit::json_eq(&json!({"a": 1}), &json!({"a": 1, "b": null})));
/// ```
pub fn json_eq(a: &Value, b: &Value) -> bool {
    json_diff(a, b).is_none()
}

/// The first difference between `expected` and `actual`, as
/// `path: expected X, got Y`; `None` when equal.
///
/// ```
/// use serde_json::json;
/// let d = anyllm_testkit::json_diff(&json!({"m": [1, 2]}), &json!({"m": [1, 3]})).unwrap();
/// assert_eq!(d, "$.m[1]: expected 2, got 3");
/// ```
pub fn json_diff(expected: &Value, actual: &Value) -> Option<String> {
    diff_at("$", expected, actual)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        let mut end = 120;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s
    }
}

fn diff_at(path: &str, e: &Value, a: &Value) -> Option<String> {
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => {
                        if let Some(d) = diff_at(&format!("{path}.{k}"), ev, av) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{path}.{k}: expected {}, got nothing", short(ev))),
                }
            }
            ao.iter()
                .find(|(k, _)| !eo.contains_key(*k))
                .map(|(k, av)| format!("{path}.{k}: unexpected field {}", short(av)))
        }
        (Value::Array(ea), Value::Array(aa)) => {
            for (i, (ev, av)) in ea.iter().zip(aa.iter()).enumerate() {
                if let Some(d) = diff_at(&format!("{path}[{i}]"), ev, av) {
                    return Some(d);
                }
            }
            (ea.len() != aa.len()).then(|| format!("{path}: expected {} items, got {}", ea.len(), aa.len()))
        }
        (Value::Number(en), Value::Number(an)) => {
            let same = match (en.as_i64(), an.as_i64(), en.as_u64(), an.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => en.as_f64() == an.as_f64(),
            };
            (!same).then(|| format!("{path}: expected {en}, got {an}"))
        }
        _ => (e != a).then(|| format!("{path}: expected {}, got {}", short(e), short(a))),
    }
}
