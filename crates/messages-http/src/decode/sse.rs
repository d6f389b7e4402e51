//! Server-Sent Events, per the WHATWG HTML "event stream interpretation" rules.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

use super::FrameDecoder;
use crate::FramingError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field; `None` means the default type `message`.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`. For a single-line event this is a
    /// slice of the received bytes, not a copy.
    pub data: Bytes,
    /// The last event id seen so far in the stream (ids persist across events).
    pub id: Option<String>,
    /// A `retry:` reconnection delay received since the previous event.
    pub retry: Option<Duration>,
}

impl SseEvent {
    /// An event of the default type with this data.
    pub fn new(data: impl Into<Bytes>) -> Self {
        Self {
            data: data.into(),
            ..Self::default()
        }
    }

    /// The event type: the `event:` field or `"message"`.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }

    /// The data as text.
    pub fn data_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.data)
    }
}

/// Size limits of an [`SseParser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseLimits {
    /// Longest line accepted (bytes, without its line end). Default 16 MiB.
    pub max_line: usize,
    /// Largest event accepted (sum of its `data` and `event` values). Default 32 MiB.
    pub max_event: usize,
}

impl Default for SseLimits {
    fn default() -> Self {
        Self {
            max_line: 16 * 1024 * 1024,
            max_event: 32 * 1024 * 1024,
        }
    }
}

impl SseLimits {
    /// Limits with these values.
    pub fn new(max_line: usize, max_event: usize) -> Self {
        Self { max_line, max_event }
    }
}

#[derive(Debug, Default)]
enum Data {
    #[default]
    Empty,
    Shared(Bytes),
    Owned(BytesMut),
}

/// The synchronous SSE parser: feed bytes, pull events.
///
/// Implements the WHATWG rules: `event`, `data` (several lines joined with
/// `\n`), `id` (ignored when it contains NUL; persists across events), `retry`
/// (ASCII digits only), comment lines (`:`), unknown fields ignored, one
/// optional space after the colon, LF / CR / CRLF line ends (a CR at the end
/// of one chunk and an LF at the start of the next are one line end), a
/// leading BOM skipped, and an event dispatched on a blank line only when it
/// has data. UTF-8 split across chunks needs no care: bytes are kept as bytes.
///
/// One deliberate leniency: at a *clean* end of input an event whose final
/// blank line is missing is still dispatched, because real servers end
/// streams that way (a recorded Anthropic stream ends `data: {"type":
/// "message_stop"}\n` with no blank line, and dropping it loses the end of the
/// message). The spec's behaviour, discarding it, is available with
/// [`flush_on_eof(false)`](Self::flush_on_eof). A broken connection is not a
/// clean end: the byte stream's error is reported instead.
///
/// ```
/// use messages_http::SseParser;
/// let mut p = SseParser::new();
/// p.feed(b"\xEF\xBB\xBFdata: a\r");
/// assert!(p.next_event().unwrap().is_none());
/// p.feed(b"\ndata:b\r\n\r\n: comment\n");
/// let ev = p.next_event().unwrap().unwrap();
/// assert_eq!(&ev.data[..], b"a\nb");
/// assert_eq!(ev.event_type(), "message");
/// assert!(p.next_event().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct SseParser {
    buf: BytesMut,
    /// Start of the unprocessed bytes in `buf`.
    pos: usize,
    /// Where the search for the next line end resumes (≥ `pos`).
    scan: usize,
    skip_lf: bool,
    bom_checked: bool,
    eof: bool,
    failed: bool,
    flush_on_eof: bool,
    event: Option<String>,
    data: Data,
    pending: usize,
    last_id: Option<String>,
    retry: Option<Duration>,
    limits: SseLimits,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::with_limits(SseLimits::default())
    }
}

impl SseParser {
    /// A parser with default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser with these limits.
    pub fn with_limits(limits: SseLimits) -> Self {
        Self {
            buf: BytesMut::new(),
            pos: 0,
            scan: 0,
            skip_lf: false,
            bom_checked: false,
            eof: false,
            failed: false,
            flush_on_eof: true,
            event: None,
            data: Data::Empty,
            pending: 0,
            last_id: None,
            retry: None,
            limits,
        }
    }

    /// Whether an event left without its final blank line at a clean end of
    /// input is dispatched (`true`, the default) or discarded as the spec says
    /// (`false`).
    pub fn flush_on_eof(mut self, flush: bool) -> Self {
        self.flush_on_eof = flush;
        self
    }

    /// The last event id received (the spec's "last event ID" for reconnects).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Appends input bytes.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Marks the end of input.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Bytes buffered but not yet consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The next complete event, or `None` when more input is needed (or the
    /// input is exhausted). After an error the parser yields nothing more.
    pub fn next_event(&mut self) -> Result<Option<SseEvent>, FramingError> {
        if self.failed {
            return Ok(None);
        }
        let r = self.next_inner();
        if r.is_err() {
            self.failed = true;
            self.buf = BytesMut::new();
            self.pos = 0;
            self.scan = 0;
            self.data = Data::Empty;
        }
        r
    }

    fn next_inner(&mut self) -> Result<Option<SseEvent>, FramingError> {
        loop {
            if !self.bom_checked && !self.check_bom() {
                return Ok(None);
            }
            if self.skip_lf {
                match self.buf.get(self.pos) {
                    Some(b) => {
                        if *b == b'\n' {
                            self.pos += 1;
                        }
                        self.skip_lf = false;
                        self.scan = self.scan.max(self.pos);
                    }
                    None if self.eof => self.skip_lf = false,
                    None => {
                        self.compact();
                        return Ok(None);
                    }
                }
            }
            let found = self
                .buf
                .get(self.scan..)
                .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest));
            match found {
                Some(i) => {
                    let end = self.scan + i;
                    let mut next = end + 1;
                    if self.buf.get(end) == Some(&b'\r') {
                        match self.buf.get(next) {
                            Some(b'\n') => next += 1,
                            Some(_) => {}
                            None => self.skip_lf = true,
                        }
                    }
                    if end - self.pos > self.limits.max_line {
                        return Err(FramingError::LineTooLong {
                            limit: self.limits.max_line,
                        });
                    }
                    if let Some(ev) = self.process_line(self.pos, end, next)? {
                        return Ok(Some(ev));
                    }
                }
                None => {
                    let len = self.buf.len();
                    if len - self.pos > self.limits.max_line {
                        return Err(FramingError::LineTooLong {
                            limit: self.limits.max_line,
                        });
                    }
                    if !self.eof {
                        self.scan = len;
                        self.compact();
                        return Ok(None);
                    }
                    if self.pos < len {
                        if let Some(ev) = self.process_line(self.pos, len, len)? {
                            return Ok(Some(ev));
                        }
                    }
                    let ev = if self.flush_on_eof { self.dispatch() } else { None };
                    self.data = Data::Empty;
                    self.event = None;
                    self.buf = BytesMut::new();
                    self.pos = 0;
                    self.scan = 0;
                    return Ok(ev);
                }
            }
        }
    }

    /// Skips a leading BOM; `false` when more bytes are needed to tell.
    fn check_bom(&mut self) -> bool {
        let avail = self.buf.get(self.pos..).unwrap_or(&[]);
        if avail.len() >= BOM.len() {
            if avail.starts_with(BOM) {
                self.pos += BOM.len();
                self.scan = self.scan.max(self.pos);
            }
        } else if BOM.starts_with(avail) && !self.eof {
            return false;
        }
        self.bom_checked = true;
        true
    }

    /// Drops consumed bytes from the front of the buffer.
    fn compact(&mut self) {
        if self.pos > 0 {
            let _ = self.buf.split_to(self.pos);
            self.scan -= self.pos;
            self.pos = 0;
        }
    }

    fn advance_to(&mut self, next: usize) {
        self.pos = next;
        self.scan = next;
    }

    /// Interprets the line `buf[start..end]`; `next` is where the following
    /// line starts.
    fn process_line(
        &mut self,
        start: usize,
        end: usize,
        next: usize,
    ) -> Result<Option<SseEvent>, FramingError> {
        let Some(line) = self.buf.get(start..end) else {
            self.advance_to(next);
            return Ok(None);
        };
        if line.is_empty() {
            self.advance_to(next);
            return Ok(self.dispatch());
        }
        if line.first() == Some(&b':') {
            self.advance_to(next);
            return Ok(None);
        }
        let (name_end, value_start) = match memchr::memchr(b':', line) {
            Some(c) => {
                let v = if line.get(c + 1) == Some(&b' ') {
                    c + 2
                } else {
                    c + 1
                };
                (c, v)
            }
            None => (line.len(), line.len()),
        };
        let name = line.get(..name_end).unwrap_or(&[]);
        let value = line.get(value_start..).unwrap_or(&[]);
        match name {
            b"data" => {
                self.pending += value.len() + 1;
                if self.pending > self.limits.max_event {
                    return Err(FramingError::EventTooLarge {
                        limit: self.limits.max_event,
                    });
                }
                match &mut self.data {
                    Data::Empty => {
                        // Zero-copy: hand out a slice of the received bytes.
                        let vs = start + value_start;
                        let chunk = self.buf.split_to(next).freeze();
                        self.data = Data::Shared(chunk.slice(vs.min(end)..end));
                        self.advance_to(0);
                        return Ok(None);
                    }
                    Data::Shared(first) => {
                        let mut m = BytesMut::with_capacity(first.len() + 1 + value.len());
                        m.extend_from_slice(first);
                        m.put_u8(b'\n');
                        m.extend_from_slice(value);
                        self.data = Data::Owned(m);
                    }
                    Data::Owned(m) => {
                        m.put_u8(b'\n');
                        m.extend_from_slice(value);
                    }
                }
            }
            b"event" => {
                self.pending += value.len();
                if self.pending > self.limits.max_event {
                    return Err(FramingError::EventTooLarge {
                        limit: self.limits.max_event,
                    });
                }
                self.event = (!value.is_empty()).then(|| String::from_utf8_lossy(value).into_owned());
            }
            b"id" if !value.contains(&0) => {
                self.last_id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // All digits: only an absurd length fails to parse; ignore it then.
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()) {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
        self.advance_to(next);
        Ok(None)
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        self.pending = 0;
        let data = match std::mem::take(&mut self.data) {
            Data::Empty => {
                self.event = None;
                return None;
            }
            Data::Shared(b) => b,
            Data::Owned(m) => m.freeze(),
        };
        Some(SseEvent {
            event: self.event.take(),
            data,
            id: self.last_id.clone(),
            retry: self.retry.take(),
        })
    }
}

impl FrameDecoder for SseParser {
    type Item = SseEvent;

    fn feed(&mut self, chunk: &[u8]) {
        SseParser::feed(self, chunk);
    }

    fn next_frame(&mut self) -> Result<Option<SseEvent>, FramingError> {
        self.next_event()
    }

    fn finish(&mut self) {
        SseParser::finish(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Result<Vec<SseEvent>, FramingError> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c);
            while let Some(ev) = p.next_event()? {
                out.push(ev);
            }
        }
        p.finish();
        while let Some(ev) = p.next_event()? {
            out.push(ev);
        }
        Ok(out)
    }

    fn data(evs: &[SseEvent]) -> Vec<String> {
        evs.iter().map(|e| e.data_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn whatwg_examples() {
        // From the spec: "data: YHOO\ndata: +2\ndata: 10\n\n" → "YHOO\n+2\n10".
        let evs = parse_all(&[b"data: YHOO\ndata: +2\ndata: 10\n\n"]).unwrap();
        assert_eq!(data(&evs), ["YHOO\n+2\n10"]);
        // "data\n\ndata\ndata\n\ndata:" → "", "\n", and the last is discarded.
        let mut p = SseParser::new().flush_on_eof(false);
        p.feed(b"data\n\ndata\ndata\n\ndata:");
        p.finish();
        let mut evs = Vec::new();
        while let Some(ev) = p.next_event().unwrap() {
            evs.push(ev);
        }
        assert_eq!(data(&evs), ["", "\n"]);
        // One space after the colon is removed, no more.
        let evs = parse_all(&[b"data:test\n\ndata: test\n\ndata:  test\n\n"]).unwrap();
        assert_eq!(data(&evs), ["test", "test", " test"]);
    }

    #[test]
    fn fields_ids_retry_and_comments() {
        let evs = parse_all(&[b": hi\nid: 7\nevent: a\nretry: 250\ndata: x\n\nevent: b\ndata: y\n\nid: bad\0\nretry: 1x\ndata: z\n\n"])
            .unwrap();
        assert_eq!(evs.len(), 3);
        assert_eq!(evs[0].event.as_deref(), Some("a"));
        assert_eq!(evs[0].id.as_deref(), Some("7"));
        assert_eq!(evs[0].retry, Some(Duration::from_millis(250)));
        assert_eq!(evs[1].event_type(), "b");
        assert_eq!(evs[1].id.as_deref(), Some("7"), "ids persist");
        assert_eq!(evs[1].retry, None);
        assert_eq!(evs[2].id.as_deref(), Some("7"), "id with NUL ignored");
        assert_eq!(evs[2].retry, None, "non-digit retry ignored");
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        let evs = parse_all(&[b"event: ping\n\ndata: d\n\n"]).unwrap();
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].event, None, "event type reset after a blank block");
    }

    #[test]
    fn line_ends_cr_crlf_split() {
        let evs = parse_all(&[b"data: a\r", b"\n", b"\r", b"\ndata: b\r\rdata: c\n\n"]).unwrap();
        assert_eq!(data(&evs), ["a", "b", "c"]);
    }

    #[test]
    fn bom_split_and_only_at_start() {
        let evs = parse_all(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n"]).unwrap();
        // The second BOM is part of a field name, so that line is an unknown field.
        assert_eq!(data(&evs), ["a"]);
    }

    #[test]
    fn utf8_split_across_chunks() {
        let s = "data: héllo 🌍\n\n".as_bytes();
        let chunks: Vec<&[u8]> = s.chunks(1).collect();
        let evs = parse_all(&chunks).unwrap();
        assert_eq!(data(&evs), ["héllo 🌍"]);
    }

    #[test]
    fn eof_flushes_by_default_or_discards_when_strict() {
        assert_eq!(data(&parse_all(&[b"event: e\ndata: a\n"]).unwrap()), ["a"]);
        let mut p = SseParser::new();
        p.feed(b"data: a");
        p.finish();
        assert_eq!(&p.next_event().unwrap().unwrap().data[..], b"a");
        assert!(p.next_event().unwrap().is_none());
        let mut p = SseParser::new().flush_on_eof(false);
        p.feed(b"data: a\n");
        p.finish();
        assert!(p.next_event().unwrap().is_none());
    }

    #[test]
    fn limits() {
        let mut p = SseParser::with_limits(SseLimits::new(8, 12));
        p.feed(b"data: 0123456789");
        assert_eq!(p.next_event(), Err(FramingError::LineTooLong { limit: 8 }));
        assert_eq!(p.next_event(), Ok(None), "stays failed");

        let mut p = SseParser::with_limits(SseLimits::new(8, 10));
        p.feed(b"data: 01\ndata: 23\ndata: 45\ndata: 67\n\n");
        assert_eq!(p.next_event(), Err(FramingError::EventTooLarge { limit: 10 }));

        let mut p = SseParser::with_limits(SseLimits::new(8, 12));
        p.feed(b"data: 0123456789\n\n");
        assert_eq!(p.next_event(), Err(FramingError::LineTooLong { limit: 8 }));
    }

    #[test]
    fn single_line_data_is_zero_copy() {
        let mut p = SseParser::new();
        p.feed(b"event: x\ndata: payload\n\n");
        let ev = p.next_event().unwrap().unwrap();
        assert_eq!(&ev.data[..], b"payload");
    }
}
