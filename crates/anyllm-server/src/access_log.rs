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
        let mut fields = JsonFields(Map::new());
        event.record(&mut fields);
        let line = Value::Object(fields.0).to_string();
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Installs [`StderrAccessLog`] as the process's global subscriber (once;
/// later calls and an already-installed subscriber leave things as they are).
pub fn install_stderr_access_log() {
    let _ = tracing::subscriber::set_global_default(StderrAccessLog);
}
