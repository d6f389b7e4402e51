//! Printing events and errors.

use std::io::Write;

use anyllm::StreamEvent;

/// Prints an error as Anthropic-shaped JSON on stderr:
/// `{"type":"error","error":{"type":…,"message":…},"request_id":…,"status":…}`.
pub fn print_error(e: &anyllm::Error) {
    let mut v = serde_json::to_value(e.to_error_response()).unwrap_or_else(
        |_| serde_json::json!({"type": "error", "error": {"type": "api_error", "message": e.to_string()}}),
    );
    if let (Some(status), Some(obj)) = (e.status(), v.as_object_mut()) {
        obj.insert("status".into(), status.into());
    }
    let _ = writeln!(std::io::stderr(), "{v}");
}

/// Writes one value as a JSON line.
pub fn json_line<W: Write, T: serde::Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes one event in Anthropic SSE framing.
pub fn sse_event<W: Write>(out: &mut W, ev: &StreamEvent) -> std::io::Result<()> {
    write!(out, "event: {}\ndata: ", ev.type_name())?;
    serde_json::to_writer(&mut *out, ev)?;
    out.write_all(b"\n\n")?;
    out.flush()
}

/// Writes the text of a text delta, if the event is one.
pub fn text_of<W: Write>(out: &mut W, ev: &StreamEvent) -> std::io::Result<()> {
    if let StreamEvent::ContentBlockDelta(d) = ev {
        if let anyllm::ContentDelta::TextDelta(t) = &d.delta {
            out.write_all(t.text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}
