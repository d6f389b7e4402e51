//! The AWS event-stream binary framing (`application/vnd.amazon.eventstream`),
//! used by Bedrock `ConverseStream`.
//!
//! A message is: total length (u32 BE), headers length (u32 BE), CRC32 of
//! those 8 bytes, the headers, the payload, and a CRC32 of everything before
//! it. A header is: name length (u8), name (UTF-8), value type (u8), value.

use bytes::{Buf, Bytes, BytesMut};

use super::FrameDecoder;
use crate::FramingError;

const PRELUDE: usize = 12;
const MIN_MESSAGE: usize = PRELUDE + 4;

/// A header value of an event-stream message (all ten wire types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStreamHeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6.
    ByteArray(Bytes),
    /// Type 7.
    String(String),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

impl EventStreamHeaderValue {
    /// The value if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }
}

/// One header of an event-stream message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStreamHeader {
    /// The header name (e.g. `:event-type`).
    pub name: String,
    /// The value.
    pub value: EventStreamHeaderValue,
}

/// One decoded event-stream message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventStreamMessage {
    /// Headers in wire order.
    pub headers: Vec<EventStreamHeader>,
    /// The payload (JSON for Bedrock), a slice of the received bytes.
    pub payload: Bytes,
}

impl EventStreamMessage {
    /// A string header's value by name.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| h.value.as_str())
    }

    /// `:message-type` (`event`, `exception` or `error`).
    pub fn message_type(&self) -> Option<&str> {
        self.header_str(":message-type")
    }

    /// `:event-type` (e.g. `contentBlockDelta`).
    pub fn event_type(&self) -> Option<&str> {
        self.header_str(":event-type")
    }

    /// `:exception-type` of an exception message (e.g. `throttlingException`).
    pub fn exception_type(&self) -> Option<&str> {
        self.header_str(":exception-type")
    }

    /// `:error-code` of an error message.
    pub fn error_code(&self) -> Option<&str> {
        self.header_str(":error-code")
    }

    /// Encodes the message in the wire format (for tests and recorders).
    pub fn encode(&self) -> Vec<u8> {
        let mut headers = Vec::new();
        for h in &self.headers {
            let name = h.name.as_bytes();
            headers.push(name.len().min(255) as u8);
            headers.extend_from_slice(name.get(..255).unwrap_or(name));
            match &h.value {
                EventStreamHeaderValue::Bool(true) => headers.push(0),
                EventStreamHeaderValue::Bool(false) => headers.push(1),
                EventStreamHeaderValue::Byte(v) => {
                    headers.push(2);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                EventStreamHeaderValue::Int16(v) => {
                    headers.push(3);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                EventStreamHeaderValue::Int32(v) => {
                    headers.push(4);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                EventStreamHeaderValue::Int64(v) => {
                    headers.push(5);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                EventStreamHeaderValue::ByteArray(b) => {
                    headers.push(6);
                    push_short(&mut headers, b);
                }
                EventStreamHeaderValue::String(s) => {
                    headers.push(7);
                    push_short(&mut headers, s.as_bytes());
                }
                EventStreamHeaderValue::Timestamp(v) => {
                    headers.push(8);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                EventStreamHeaderValue::Uuid(u) => {
                    headers.push(9);
                    headers.extend_from_slice(u);
                }
            }
        }
        let total = MIN_MESSAGE + headers.len() + self.payload.len();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&(total as u32).to_be_bytes());
        out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        let prelude_crc = crc32fast::hash(&out);
        out.extend_from_slice(&prelude_crc.to_be_bytes());
        out.extend_from_slice(&headers);
        out.extend_from_slice(&self.payload);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
}

fn push_short(out: &mut Vec<u8>, b: &[u8]) {
    let b = b.get(..usize::from(u16::MAX)).unwrap_or(b);
    out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    out.extend_from_slice(b);
}

/// The synchronous event-stream decoder: feed bytes, pull messages. Verifies
/// both CRCs, bounds the message size (default 16 MiB) and parses every
/// header type.
///
/// ```
/// use messages_http::{EventStreamHeader, EventStreamHeaderValue, EventStreamMessage, EventStreamParser};
/// let msg = EventStreamMessage {
///     headers: vec![EventStreamHeader {
///         name: ":event-type".into(),
///         value: EventStreamHeaderValue::String("messageStop".into()),
///     }],
///     payload: bytes::Bytes::from_static(br#"{"stopReason":"end_turn"}"#),
/// };
/// let wire = msg.encode();
/// let mut p = EventStreamParser::new();
/// p.feed(&wire[..10]);
/// assert!(p.next_message().unwrap().is_none());
/// p.feed(&wire[10..]);
/// let got = p.next_message().unwrap().unwrap();
/// assert_eq!(got, msg);
/// assert_eq!(got.event_type(), Some("messageStop"));
/// ```
#[derive(Debug)]
pub struct EventStreamParser {
    buf: BytesMut,
    max_message: usize,
    eof: bool,
    failed: bool,
}

impl Default for EventStreamParser {
    fn default() -> Self {
        Self::with_max_message(16 * 1024 * 1024)
    }
}

impl EventStreamParser {
    /// A parser accepting messages up to 16 MiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser accepting messages up to `max_message` bytes.
    pub fn with_max_message(max_message: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            max_message,
            eof: false,
            failed: false,
        }
    }

    /// Appends input bytes.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Appends input bytes, taking over the chunk's buffer without a copy
    /// when nothing is pending and the chunk is not shared.
    pub fn feed_bytes(&mut self, chunk: Bytes) {
        super::append_chunk(&mut self.buf, chunk);
    }

    /// Marks the end of input.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// The next complete message, or `None` when more input is needed (or the
    /// input is exhausted). After an error the parser yields nothing more.
    pub fn next_message(&mut self) -> Result<Option<EventStreamMessage>, FramingError> {
        if self.failed {
            return Ok(None);
        }
        let r = self.next_inner();
        if r.is_err() {
            self.failed = true;
            self.buf = BytesMut::new();
        }
        r
    }

    fn next_inner(&mut self) -> Result<Option<EventStreamMessage>, FramingError> {
        let Some(prelude) = self.buf.get(..PRELUDE) else {
            return self.need_more();
        };
        let mut p = prelude;
        let total = p.get_u32();
        let headers_len = p.get_u32();
        let prelude_crc = p.get_u32();
        let actual = crc32fast::hash(prelude.get(..8).unwrap_or(&[]));
        if actual != prelude_crc {
            return Err(FramingError::PreludeCrc {
                expected: prelude_crc,
                actual,
            });
        }
        let total_len = total as usize;
        if total_len < MIN_MESSAGE || total_len > self.max_message {
            return Err(FramingError::BadMessageLength {
                length: total,
                limit: self.max_message,
            });
        }
        let headers_len = headers_len as usize;
        if headers_len > total_len - MIN_MESSAGE {
            return Err(FramingError::BadHeader {
                reason: format!("headers length {headers_len} exceeds the message"),
            });
        }
        if self.buf.len() < total_len {
            return self.need_more();
        }
        let msg = self.buf.split_to(total_len).freeze();
        let body_end = total_len - 4;
        let (Some(covered), Some(mut crc_bytes)) = (msg.get(..body_end), msg.get(body_end..)) else {
            return Err(FramingError::Truncated { buffered: msg.len() });
        };
        let expected = crc_bytes.get_u32();
        let actual = crc32fast::hash(covered);
        if actual != expected {
            return Err(FramingError::MessageCrc { expected, actual });
        }
        let headers_end = PRELUDE + headers_len;
        let headers = parse_headers(&msg.slice(PRELUDE..headers_end))?;
        Ok(Some(EventStreamMessage {
            headers,
            payload: msg.slice(headers_end..body_end),
        }))
    }

    fn need_more(&self) -> Result<Option<EventStreamMessage>, FramingError> {
        if self.eof && !self.buf.is_empty() {
            return Err(FramingError::Truncated {
                buffered: self.buf.len(),
            });
        }
        Ok(None)
    }
}

fn bad(reason: &str) -> FramingError {
    FramingError::BadHeader {
        reason: reason.to_owned(),
    }
}

fn take(b: &mut Bytes, n: usize, what: &str) -> Result<Bytes, FramingError> {
    if b.len() < n {
        return Err(bad(what));
    }
    Ok(b.split_to(n))
}

fn parse_headers(block: &Bytes) -> Result<Vec<EventStreamHeader>, FramingError> {
    let mut b = block.clone();
    let mut out = Vec::new();
    while !b.is_empty() {
        let name_len = usize::from(take(&mut b, 1, "truncated name length")?.get_u8());
        if name_len == 0 {
            return Err(bad("empty header name"));
        }
        let name = take(&mut b, name_len, "truncated header name")?;
        let name = std::str::from_utf8(&name)
            .map_err(|_| bad("header name is not UTF-8"))?
            .to_owned();
        let ty = take(&mut b, 1, "truncated value type")?.get_u8();
        let value = match ty {
            0 => EventStreamHeaderValue::Bool(true),
            1 => EventStreamHeaderValue::Bool(false),
            2 => EventStreamHeaderValue::Byte(take(&mut b, 1, "truncated byte")?.get_i8()),
            3 => EventStreamHeaderValue::Int16(take(&mut b, 2, "truncated int16")?.get_i16()),
            4 => EventStreamHeaderValue::Int32(take(&mut b, 4, "truncated int32")?.get_i32()),
            5 => EventStreamHeaderValue::Int64(take(&mut b, 8, "truncated int64")?.get_i64()),
            6 | 7 => {
                let len = usize::from(take(&mut b, 2, "truncated value length")?.get_u16());
                let v = take(&mut b, len, "truncated value")?;
                if ty == 6 {
                    EventStreamHeaderValue::ByteArray(v)
                } else {
                    EventStreamHeaderValue::String(
                        String::from_utf8(v.to_vec()).map_err(|_| bad("string value is not UTF-8"))?,
                    )
                }
            }
            8 => EventStreamHeaderValue::Timestamp(take(&mut b, 8, "truncated timestamp")?.get_i64()),
            9 => {
                let v = take(&mut b, 16, "truncated uuid")?;
                let mut u = [0u8; 16];
                u.copy_from_slice(&v);
                EventStreamHeaderValue::Uuid(u)
            }
            other => return Err(bad(&format!("unknown value type {other}"))),
        };
        out.push(EventStreamHeader { name, value });
    }
    Ok(out)
}

impl FrameDecoder for EventStreamParser {
    type Item = EventStreamMessage;

    fn feed(&mut self, chunk: &[u8]) {
        EventStreamParser::feed(self, chunk);
    }

    fn feed_bytes(&mut self, chunk: Bytes) {
        EventStreamParser::feed_bytes(self, chunk);
    }

    fn next_frame(&mut self) -> Result<Option<EventStreamMessage>, FramingError> {
        self.next_message()
    }

    fn finish(&mut self) {
        EventStreamParser::finish(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_types() -> EventStreamMessage {
        let h = |name: &str, value| EventStreamHeader {
            name: name.into(),
            value,
        };
        EventStreamMessage {
            headers: vec![
                h("t", EventStreamHeaderValue::Bool(true)),
                h("f", EventStreamHeaderValue::Bool(false)),
                h("b", EventStreamHeaderValue::Byte(-3)),
                h("s", EventStreamHeaderValue::Int16(-300)),
                h("i", EventStreamHeaderValue::Int32(70_000)),
                h("l", EventStreamHeaderValue::Int64(-5_000_000_000)),
                h(
                    "a",
                    EventStreamHeaderValue::ByteArray(Bytes::from_static(b"\0\x01")),
                ),
                h(":event-type", EventStreamHeaderValue::String("x".into())),
                h("ts", EventStreamHeaderValue::Timestamp(1_700_000_000_000)),
                h("u", EventStreamHeaderValue::Uuid([7; 16])),
            ],
            payload: Bytes::from_static(b"{}"),
        }
    }

    #[test]
    fn round_trip_all_header_types() {
        let m = all_types();
        let mut p = EventStreamParser::new();
        p.feed(&m.encode());
        p.feed(&m.encode());
        assert_eq!(p.next_message().unwrap().unwrap(), m);
        assert_eq!(p.next_message().unwrap().unwrap(), m);
        p.finish();
        assert_eq!(p.next_message().unwrap(), None);
    }

    #[test]
    fn crc_errors() {
        let mut wire = all_types().encode();
        wire[20] ^= 1;
        let mut p = EventStreamParser::new();
        p.feed(&wire);
        assert!(matches!(p.next_message(), Err(FramingError::MessageCrc { .. })));
        let mut wire = all_types().encode();
        wire[1] ^= 1;
        let mut p = EventStreamParser::new();
        p.feed(&wire);
        assert!(matches!(p.next_message(), Err(FramingError::PreludeCrc { .. })));
    }

    #[test]
    fn size_limit_and_truncation() {
        let wire = all_types().encode();
        let mut p = EventStreamParser::with_max_message(20);
        p.feed(&wire);
        assert!(matches!(
            p.next_message(),
            Err(FramingError::BadMessageLength { .. })
        ));
        let mut p = EventStreamParser::new();
        p.feed(&wire[..wire.len() - 1]);
        p.finish();
        assert!(matches!(p.next_message(), Err(FramingError::Truncated { .. })));
    }
}
