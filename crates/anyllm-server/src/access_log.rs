//! A minimal `tracing` subscriber that writes the access log
//! (`anyllm_server::access` events) to stderr as one JSON object a line —
//! what `anyllm serve` installs. Applications embedding the gateway use their
//! own subscriber instead (any `tracing-subscriber` layer sees the same events).

use std::io::Write;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The access log's `tracing` target.
pub const ACCESS_TARGET: &str = "anyllm_server::access";

/// Writes each access-log event to stderr as one JSON line; ignores everything else.
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrAccessLog;

struct JsonFields(Map<String, Value>);

impl Visit for JsonFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    /// A non-finite float (no JSON number) is `null`.
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), Value::from(format!("{value:?}")));
    }
}

impl Subscriber for StderrAccessLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == ACCESS_TARGET
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let line = json_line(event);
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// One event's fields as a JSON object, each value with its JSON type.
fn json_line(event: &Event<'_>) -> String {
    let mut fields = JsonFields(Map::new());
    event.record(&mut fields);
    Value::Object(fields.0).to_string()
}

/// Installs [`StderrAccessLog`] as the process's global subscriber (once;
/// later calls and an already-installed subscriber leave things as they are).
pub fn install_stderr_access_log() {
    let _ = tracing::subscriber::set_global_default(StderrAccessLog);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use super::*;

    /// Keeps the JSON line of each event.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<String>>>);

    impl Subscriber for Lines {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            self.0.lock().unwrap().push(json_line(event));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn every_field_keeps_its_json_type() {
        let lines = Lines::default();
        tracing::subscriber::with_default(lines.clone(), || {
            tracing::info!(
                target: ACCESS_TARGET,
                event = "response",
                status = 200u64,
                delta = -3i64,
                streaming = true,
                ratio = 0.5f64,
                odd = f64::NAN,
            );
        });
        let got = lines.0.lock().unwrap();
        let v: Value = serde_json::from_str(&got[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "event": "response", "status": 200, "delta": -3,
                "streaming": true, "ratio": 0.5, "odd": null,
            })
        );
    }
}
