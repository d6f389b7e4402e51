//! Server-Sent Events, per the WHATWG HTML "event stream interpretation" rules.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::FrameDecoder;
use crate::FramingError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many distinct event types the parser remembers.
const MAX_NAMES: usize = 16;

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

/// A borrowed view of a dispatched event, valid until the parser is used
/// again. No allocation and no reference counting: the fastest way to read
/// events (e.g. to deserialize `data` straight into typed values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEventRef<'a> {
    /// The `event:` field; `None` means the default type `message`.
    pub event: Option<&'a str>,
    /// The `data:` lines joined with `\n`.
    pub data: &'a [u8],
    /// The last event id seen so far in the stream.
    pub id: Option<&'a str>,
    /// A `retry:` reconnection delay received since the previous event.
    pub retry: Option<Duration>,
}

impl SseEventRef<'_> {
    /// The event type: the `event:` field or `"message"`.
    pub fn event_type(&self) -> &str {
        self.event.unwrap_or("message")
    }

    /// An owned copy.
    pub fn to_owned_event(&self) -> SseEvent {
        SseEvent {
            event: self.event.map(str::to_owned),
            data: Bytes::copy_from_slice(self.data),
            id: self.id.map(str::to_owned),
            retry: self.retry,
        }
    }
}

/// Where the data of the pending event is.
#[derive(Debug, Default)]
enum Data {
    #[default]
    Empty,
    /// `front[a..b]`: a single line inside the front chunk of the queue.
    Range(usize, usize),
    /// A single line held elsewhere (a line that spanned chunks, or a range
    /// whose chunk was released).
    Shared(Bytes),
    /// Several lines, joined in `data_buf`.
    Buf,
}

/// Where a line lives.
enum Origin<'a> {
    /// In the front chunk, from this offset.
    Front(usize),
    /// In this buffer, whole.
    Whole(&'a Bytes),
}

/// The fields of the event being assembled (the spec's buffers).
#[derive(Debug)]
struct EventState {
    /// The event type of the pending event: an index into `names`, `None`
    /// for the default (the spec's empty event type buffer).
    event: Option<usize>,
    /// Event types seen recently. Streams repeat a handful of names, so an
    /// `event:` line is usually a lookup here, not a copy and a UTF-8 check.
    names: Vec<Box<str>>,
    /// The index in `names` of the last `event:` value.
    last_name: usize,
    data: Data,
    data_buf: Vec<u8>,
    pending: usize,
    last_id: Option<String>,
    retry: Option<Duration>,
    limits: SseLimits,
    /// An event was dispatched; its buffers are cleared on the next call.
    ready: bool,
}

impl EventState {
    fn new(limits: SseLimits) -> Self {
        Self {
            event: None,
            names: Vec::new(),
            last_name: 0,
            data: Data::Empty,
            data_buf: Vec::new(),
            pending: 0,
            last_id: None,
            retry: None,
            limits,
            ready: false,
        }
    }

    /// Interprets one line; returns `true` when it dispatched an event.
    #[inline(always)]
    fn line(&mut self, line: &[u8], front: &[u8], origin: Origin<'_>) -> Result<bool, FramingError> {
        let Some(&first) = line.first() else {
            return Ok(self.dispatch());
        };
        if first == b':' {
            return Ok(false);
        }
        // Fast paths for the two fields nearly every line carries.
        if let Some(v) = line.strip_prefix(b"data:") {
            let skip = 5 + usize::from(v.first() == Some(&b' '));
            self.data_line(line, skip, front, origin)?;
            return Ok(false);
        }
        if let Some(v) = line.strip_prefix(b"event:") {
            self.event_line(v.strip_prefix(b" ").unwrap_or(v))?;
            return Ok(false);
        }
        let (name, value_start) = match memchr::memchr(b':', line) {
            Some(c) => (
                line.get(..c).unwrap_or_default(),
                if line.get(c + 1) == Some(&b' ') {
                    c + 2
                } else {
                    c + 1
                },
            ),
            None => (line, line.len()),
        };
        let value_start = value_start.min(line.len());
        let value = line.get(value_start..).unwrap_or_default();
        match name {
            b"data" => self.data_line(line, value_start, front, origin)?,
            b"event" => self.event_line(value)?,
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
        Ok(false)
    }

    /// A `data` line whose value starts at `value_start`.
    #[inline(always)]
    fn data_line(
        &mut self,
        line: &[u8],
        value_start: usize,
        front: &[u8],
        origin: Origin<'_>,
    ) -> Result<(), FramingError> {
        let value_start = value_start.min(line.len());
        let value = line.get(value_start..).unwrap_or_default();
        self.pending += value.len() + 1;
        self.check_size()?;
        match &self.data {
            Data::Empty => {
                self.data = match origin {
                    Origin::Front(at) => Data::Range(at + value_start, at + line.len()),
                    Origin::Whole(b) => Data::Shared(b.slice(value_start..)),
                };
            }
            Data::Range(a, b) => {
                let prev = front.get(*a..*b).unwrap_or_default();
                self.data_buf.clear();
                self.data_buf.extend_from_slice(prev);
                self.data_buf.push(b'\n');
                self.data_buf.extend_from_slice(value);
                self.data = Data::Buf;
            }
            Data::Shared(prev) => {
                self.data_buf.clear();
                self.data_buf.extend_from_slice(prev);
                self.data_buf.push(b'\n');
                self.data_buf.extend_from_slice(value);
                self.data = Data::Buf;
            }
            Data::Buf => {
                self.data_buf.push(b'\n');
                self.data_buf.extend_from_slice(value);
            }
        }
        Ok(())
    }

    /// An `event` line with this value.
    #[inline]
    fn event_line(&mut self, value: &[u8]) -> Result<(), FramingError> {
        self.pending += value.len();
        self.check_size()?;
        if value.is_empty() {
            self.event = None;
            return Ok(());
        }
        // Streams mostly repeat the previous name: try it first.
        let last = self.names.get(self.last_name).filter(|n| n.as_bytes() == value);
        let at = match last
            .map(|_| self.last_name)
            .or_else(|| self.names.iter().position(|n| n.as_bytes() == value))
        {
            Some(at) => at,
            None => {
                // Bounded: an unusual stream just starts the cache over (only
                // the pending event refers to it, and this line replaces that).
                if self.names.len() >= MAX_NAMES {
                    self.names.clear();
                }
                self.names.push(String::from_utf8_lossy(value).into());
                self.names.len() - 1
            }
        };
        self.event = Some(at);
        self.last_name = at;
        Ok(())
    }

    fn check_size(&self) -> Result<(), FramingError> {
        if self.pending > self.limits.max_event {
            return Err(FramingError::EventTooLarge {
                limit: self.limits.max_event,
            });
        }
        Ok(())
    }

    /// The blank-line step: `true` when there is an event to hand out.
    fn dispatch(&mut self) -> bool {
        self.pending = 0;
        if matches!(self.data, Data::Empty) {
            self.event = None;
            return false;
        }
        self.ready = true;
        true
    }

    /// Clears the buffers of an event that was handed out.
    fn clear_ready(&mut self) {
        if self.ready {
            self.ready = false;
            self.data = Data::Empty;
            self.event = None;
            self.retry = None;
        }
    }

    /// The front chunk is about to be released: keep a range into it alive.
    fn release(&mut self, front: &Bytes) {
        if let Data::Range(a, b) = self.data {
            self.data = Data::Shared(front.slice(a.min(b)..b.min(front.len())));
        }
    }

    fn event_name(&self) -> Option<&str> {
        self.event.and_then(|at| self.names.get(at)).map(|n| &**n)
    }

    fn view<'a>(&'a self, front: &'a [u8]) -> SseEventRef<'a> {
        let data: &[u8] = match &self.data {
            Data::Empty => &[],
            Data::Range(a, b) => front.get(*a..*b).unwrap_or_default(),
            Data::Shared(b) => b,
            Data::Buf => &self.data_buf,
        };
        SseEventRef {
            event: self.event_name(),
            data,
            id: self.last_id.as_deref(),
            retry: self.retry,
        }
    }

    fn take(&mut self, front: Option<&Bytes>) -> SseEvent {
        let data = match std::mem::take(&mut self.data) {
            Data::Empty => Bytes::new(),
            Data::Range(a, b) => front
                .map(|f| f.slice(a.min(b).min(f.len())..b.min(f.len())))
                .unwrap_or_default(),
            Data::Shared(b) => b,
            Data::Buf => Bytes::copy_from_slice(&self.data_buf),
        };
        let ev = SseEvent {
            event: self.event_name().map(str::to_owned),
            data,
            id: self.last_id.clone(),
            retry: self.retry,
        };
        self.clear_ready();
        ev
    }
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
    /// Received chunks not yet fully parsed; parsing is at `pos` in the front one.
    queue: VecDeque<Bytes>,
    pos: usize,
    /// The start of a line that continues in a later chunk.
    carry: BytesMut,
    /// The first bytes of the stream, held until a BOM can be ruled out.
    head: Vec<u8>,
    bom_checked: bool,
    skip_lf: bool,
    eof: bool,
    failed: bool,
    flush_on_eof: bool,
    state: EventState,
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
            queue: VecDeque::new(),
            pos: 0,
            carry: BytesMut::new(),
            head: Vec::new(),
            bom_checked: false,
            skip_lf: false,
            eof: false,
            failed: false,
            flush_on_eof: true,
            state: EventState::new(limits),
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
        self.state.last_id.as_deref()
    }

    /// Appends input bytes (copied).
    pub fn feed(&mut self, chunk: &[u8]) {
        if !chunk.is_empty() {
            self.feed_bytes(Bytes::copy_from_slice(chunk));
        }
    }

    /// Appends input bytes without copying them: single-line `data` values
    /// of the events are slices of these chunks.
    pub fn feed_bytes(&mut self, chunk: Bytes) {
        if self.failed || chunk.is_empty() {
            return;
        }
        if self.bom_checked {
            self.queue.push_back(chunk);
            return;
        }
        if self.head.is_empty() && chunk.len() >= BOM.len() {
            self.bom_checked = true;
            let skip = if chunk.starts_with(BOM) { BOM.len() } else { 0 };
            self.queue.push_back(chunk.slice(skip..));
            return;
        }
        self.head.extend_from_slice(&chunk);
        if self.head.len() >= BOM.len() {
            self.release_head();
        }
    }

    fn release_head(&mut self) {
        self.bom_checked = true;
        let head = std::mem::take(&mut self.head);
        let rest = head.strip_prefix(BOM).unwrap_or(&head);
        if !rest.is_empty() {
            self.queue.push_back(Bytes::copy_from_slice(rest));
        }
    }

    /// Marks the end of input.
    pub fn finish(&mut self) {
        if !self.bom_checked {
            self.release_head();
        }
        self.eof = true;
    }

    /// Bytes buffered but not yet consumed.
    pub fn buffered(&self) -> usize {
        let queued: usize = self.queue.iter().map(Bytes::len).sum();
        queued.saturating_sub(self.pos) + self.carry.len() + self.head.len()
    }

    /// The next complete event, or `None` when more input is needed (or the
    /// input is exhausted). After an error the parser yields nothing more.
    pub fn next_event(&mut self) -> Result<Option<SseEvent>, FramingError> {
        if self.advance()? {
            Ok(Some(self.state.take(self.queue.front())))
        } else {
            Ok(None)
        }
    }

    /// Like [`next_event`](Self::next_event) but borrows the event from the
    /// parser: no allocation, no reference counting.
    ///
    /// ```
    /// use messages_http::SseParser;
    /// let mut p = SseParser::new();
    /// p.feed(b"event: delta\ndata: {\"t\":1}\n\n");
    /// let ev = p.next_event_ref().unwrap().unwrap();
    /// assert_eq!(ev.event, Some("delta"));
    /// assert_eq!(ev.data, br#"{"t":1}"#);
    /// ```
    pub fn next_event_ref(&mut self) -> Result<Option<SseEventRef<'_>>, FramingError> {
        if self.advance()? {
            let front = self.queue.front().map(|b| &b[..]).unwrap_or_default();
            Ok(Some(self.state.view(front)))
        } else {
            Ok(None)
        }
    }

    /// Parses up to the next dispatched event; `true` when one is ready.
    #[inline]
    fn advance(&mut self) -> Result<bool, FramingError> {
        if self.failed {
            return Ok(false);
        }
        self.state.clear_ready();
        let r = self.next_inner();
        if r.is_err() {
            self.failed = true;
            self.queue = VecDeque::new();
            self.carry = BytesMut::new();
            self.head = Vec::new();
            self.state.data = Data::Empty;
        }
        r
    }

    fn line_too_long(&self) -> FramingError {
        FramingError::LineTooLong {
            limit: self.state.limits.max_line,
        }
    }

    fn pop_front(&mut self) {
        if let Some(front) = self.queue.pop_front() {
            self.state.release(&front);
        }
        self.pos = 0;
    }

    fn next_inner(&mut self) -> Result<bool, FramingError> {
        let max_line = self.state.limits.max_line;
        loop {
            let Some(chunk) = self.queue.front() else {
                return self.at_end_of_queue();
            };
            let rest = chunk.get(self.pos..).unwrap_or_default();
            if rest.is_empty() {
                self.pop_front();
                continue;
            }
            if self.skip_lf {
                self.skip_lf = false;
                if rest.first() == Some(&b'\n') {
                    self.pos += 1;
                }
                continue;
            }
            if self.carry.is_empty() {
                // Lines wholly inside this chunk: one search per line, no
                // per-chunk index.
                while let Some(i) = chunk
                    .get(self.pos..)
                    .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
                {
                    let start = self.pos;
                    let end = start + i;
                    let mut next = end + 1;
                    if chunk.get(end) == Some(&b'\r') {
                        match chunk.get(next) {
                            Some(b'\n') => next += 1,
                            Some(_) => {}
                            None => self.skip_lf = true,
                        }
                    }
                    self.pos = next;
                    let line = chunk.get(start..end).unwrap_or_default();
                    if line.len() > max_line {
                        return Err(self.line_too_long());
                    }
                    if self.state.line(line, chunk, Origin::Front(start))? {
                        return Ok(true);
                    }
                    // Most events end `…\n\n`: take a blank LF line that
                    // follows at once instead of going round the loop for it.
                    if chunk.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                        if self.state.dispatch() {
                            return Ok(true);
                        }
                    }
                }
            }
            let rest = chunk.get(self.pos..).unwrap_or_default();
            if rest.is_empty() {
                continue;
            }
            let found = memchr::memchr2(b'\n', b'\r', rest);
            let Some(i) = found else {
                // The line continues in a later chunk.
                if self.carry.len() + rest.len() > max_line {
                    return Err(self.line_too_long());
                }
                self.carry.extend_from_slice(rest);
                self.pop_front();
                continue;
            };
            let start = self.pos;
            let mut next = start + i + 1;
            if rest.get(i) == Some(&b'\r') {
                match rest.get(i + 1) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            self.pos = next;
            let line = rest.get(..i).unwrap_or_default();
            let dispatched = if self.carry.is_empty() {
                if line.len() > max_line {
                    return Err(self.line_too_long());
                }
                if self.state.line(line, chunk, Origin::Front(start))? {
                    return Ok(true);
                }
                // Most events end `…\n\n`: take a blank LF line that follows
                // at once instead of going round the loop for it.
                if chunk.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                    self.state.dispatch()
                } else {
                    false
                }
            } else {
                if self.carry.len() + line.len() > max_line {
                    return Err(self.line_too_long());
                }
                self.carry.extend_from_slice(line);
                let whole = self.carry.split().freeze();
                self.state.line(&whole, chunk, Origin::Whole(&whole))?
            };
            if dispatched {
                return Ok(true);
            }
        }
    }

    /// Nothing queued: wait for more input, or at end of input finish the
    /// last line and (when lenient) the last event.
    fn at_end_of_queue(&mut self) -> Result<bool, FramingError> {
        if !self.eof {
            return Ok(false);
        }
        if !self.carry.is_empty() {
            let whole = self.carry.split().freeze();
            if self.state.line(&whole, &[], Origin::Whole(&whole))? {
                return Ok(true);
            }
        }
        self.state.pending = 0;
        if self.flush_on_eof && self.state.dispatch() {
            return Ok(true);
        }
        self.state.data = Data::Empty;
        self.state.event = None;
        Ok(false)
    }
}

impl FrameDecoder for SseParser {
    type Item = SseEvent;

    fn feed(&mut self, chunk: &[u8]) {
        SseParser::feed(self, chunk);
    }

    fn feed_bytes(&mut self, chunk: Bytes) {
        SseParser::feed_bytes(self, chunk);
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
    fn many_distinct_event_types_overflow_the_name_cache_safely() {
        let mut input = Vec::new();
        for i in 0..(3 * MAX_NAMES) {
            // Each name twice in a row, then an event with no name, then a
            // name that is not UTF-8.
            for _ in 0..2 {
                input.extend_from_slice(format!("event: type_{i}\ndata: {i}\n\n").as_bytes());
            }
            input.extend_from_slice(b"data: plain\n\nevent: \xFF\ndata: x\n\n");
        }
        let evs = parse_all(&[&input]).unwrap();
        assert_eq!(evs.len(), 4 * 3 * MAX_NAMES);
        for (i, quad) in evs.chunks(4).enumerate() {
            let name = format!("type_{i}");
            assert_eq!(quad[0].event.as_deref(), Some(name.as_str()));
            assert_eq!(quad[1].event.as_deref(), Some(name.as_str()));
            assert_eq!(quad[2].event, None);
            assert_eq!(quad[3].event.as_deref(), Some("\u{FFFD}"));
        }
    }

    #[test]
    fn single_line_data_is_zero_copy() {
        let chunk = Bytes::from_static(b"event: x\ndata: payload\n\ndata: a\ndata: b\n\n");
        let mut p = SseParser::new();
        p.feed_bytes(chunk.clone());
        let ev = p.next_event().unwrap().unwrap();
        assert_eq!(&ev.data[..], b"payload");
        // The data points into the fed chunk: no copy was made.
        assert_eq!(ev.data.as_ptr() as usize, chunk.as_ptr() as usize + 15);
        let ev = p.next_event().unwrap().unwrap();
        assert_eq!(&ev.data[..], b"a\nb");
        let base = chunk.as_ptr() as usize;
        let at = ev.data.as_ptr() as usize;
        assert!(
            at < base || at >= base + chunk.len(),
            "multi-line data is joined in a new buffer"
        );
    }
}
