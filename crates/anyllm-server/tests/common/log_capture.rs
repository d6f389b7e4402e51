//! Capturing the gateway's access-log events (`anyllm_server::access`) with a
//! `tracing` subscriber, each event reduced by a [`Collect`] visitor.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The target of the access-log lines.
pub const ACCESS_TARGET: &str = "anyllm_server::access";

/// A visitor that reduces one event to an item (or to nothing).
pub trait Collect: Visit + Default {
    /// What one event becomes.
    type Item: Clone + Send + 'static;
    /// The item for the visited event; `None` keeps nothing.
    fn finish(self) -> Option<Self::Item>;
}

/// Collects every access-log event as `C::Item`; install it with
/// `tracing::subscriber::set_default(log.clone())`.
pub struct AccessLog<C: Collect>(pub Arc<Mutex<Vec<C::Item>>>);

impl<C: Collect> Clone for AccessLog<C> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<C: Collect> Default for AccessLog<C> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<C: Collect + 'static> Subscriber for AccessLog<C> {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() == ACCESS_TARGET {
            let mut c = C::default();
            event.record(&mut c);
            if let Some(item) = c.finish() {
                self.0.lock().unwrap().push(item);
            }
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Every field as `name=value `, the value by `Debug`; strings quoted
/// (`Debug`) when `QUOTE_STRINGS`, else written as they are.
#[derive(Default)]
pub struct Text<const QUOTE_STRINGS: bool>(String);

/// Every field as `name=value ` with the value's `Debug` (strings quoted).
pub type DebugText = Text<true>;

/// Every field as `name=value `, strings unquoted, other values by `Debug`.
pub type PlainText = Text<false>;

impl<const QUOTE_STRINGS: bool> Visit for Text<QUOTE_STRINGS> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if QUOTE_STRINGS {
            self.record_debug(field, &value);
        } else {
            let _ = write!(self.0, "{}={} ", field.name(), value);
        }
    }
}

impl<const QUOTE_STRINGS: bool> Collect for Text<QUOTE_STRINGS> {
    type Item = String;
    fn finish(self) -> Option<String> {
        Some(self.0)
    }
}

/// The `event` field and every `u64` field by name.
#[derive(Default)]
pub struct Numbers {
    event: String,
    numbers: BTreeMap<String, u64>,
}

impl Visit for Numbers {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.numbers.insert(field.name().to_owned(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "event" {
            value.clone_into(&mut self.event);
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Collect for Numbers {
    type Item = (String, BTreeMap<String, u64>);
    fn finish(self) -> Option<Self::Item> {
        Some((self.event, self.numbers))
    }
}

/// The `outcome` field of the events that have one (`stream_end`).
#[derive(Default)]
pub struct Outcome(Option<String>);

impl Visit for Outcome {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "outcome" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Collect for Outcome {
    type Item = String;
    fn finish(self) -> Option<String> {
        self.0
    }
}
