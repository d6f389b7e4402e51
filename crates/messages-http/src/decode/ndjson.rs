//! Newline-delimited JSON (Ollama's streaming format).

use bytes::{Bytes, BytesMut};

use super::FrameDecoder;
use crate::FramingError;

/// The synchronous NDJSON splitter: yields each non-blank line (without its
/// `\n` / `\r\n`) as a slice of the received bytes. A final line without a
/// newline is yielded at end of input. Parsing the JSON is the caller's job.
///
/// ```
/// use messages_http::NdjsonParser;
/// let mut p = NdjsonParser::new();
/// p.feed(b"{\"a\":1}\r\n\n  \n{\"b\"");
/// assert_eq!(&p.next_line().unwrap().unwrap()[..], b"{\"a\":1}");
/// assert!(p.next_line().unwrap().is_none());
/// p.feed(b":2}");
/// p.finish();
/// assert_eq!(&p.next_line().unwrap().unwrap()[..], b"{\"b\":2}");
/// assert!(p.next_line().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct NdjsonParser {
    buf: BytesMut,
    scan: usize,
    max_line: usize,
    eof: bool,
    failed: bool,
}

impl Default for NdjsonParser {
    fn default() -> Self {
        Self::with_max_line(16 * 1024 * 1024)
    }
}

impl NdjsonParser {
    /// A parser accepting lines up to 16 MiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser accepting lines up to `max_line` bytes.
    pub fn with_max_line(max_line: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            scan: 0,
            max_line,
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

    /// The next non-blank line, or `None` when more input is needed (or the
    /// input is exhausted). After an error the parser yields nothing more.
    pub fn next_line(&mut self) -> Result<Option<Bytes>, FramingError> {
        while !self.failed {
            let found = self
                .buf
                .get(self.scan..)
                .and_then(|rest| memchr::memchr(b'\n', rest));
            let line = match found {
                Some(i) => {
                    let end = self.scan + i;
                    self.scan = 0;
                    let mut line = self.buf.split_to(end + 1).freeze();
                    line.truncate(end);
                    line
                }
                None if self.eof && !self.buf.is_empty() => {
                    self.scan = 0;
                    self.buf.split().freeze()
                }
                None => {
                    self.scan = self.buf.len();
                    if self.buf.len() > self.max_line {
                        break;
                    }
                    return Ok(None);
                }
            };
            if line.len() > self.max_line {
                break;
            }
            let trimmed = trim(&line);
            if trimmed.0 < trimmed.1 {
                return Ok(Some(line.slice(trimmed.0..trimmed.1)));
            }
        }
        if self.failed {
            return Ok(None);
        }
        self.failed = true;
        self.buf = BytesMut::new();
        Err(FramingError::LineTooLong { limit: self.max_line })
    }
}

/// Bounds of `line` without surrounding ASCII whitespace (including `\r`).
fn trim(line: &[u8]) -> (usize, usize) {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    (start, end.max(start))
}

impl FrameDecoder for NdjsonParser {
    type Item = Bytes;

    fn feed(&mut self, chunk: &[u8]) {
        NdjsonParser::feed(self, chunk);
    }

    fn feed_bytes(&mut self, chunk: Bytes) {
        NdjsonParser::feed_bytes(self, chunk);
    }

    fn next_frame(&mut self) -> Result<Option<Bytes>, FramingError> {
        self.next_line()
    }

    fn finish(&mut self) {
        NdjsonParser::finish(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_and_limit() {
        let mut p = NdjsonParser::with_max_line(4);
        p.feed(b"{}\n12345");
        assert_eq!(&p.next_line().unwrap().unwrap()[..], b"{}");
        assert_eq!(p.next_line(), Err(FramingError::LineTooLong { limit: 4 }));
        assert_eq!(p.next_line(), Ok(None));
    }

    #[test]
    fn blank_and_whitespace_lines_skipped() {
        let mut p = NdjsonParser::new();
        p.feed(b"\n\r\n \t \n{\"x\":1}\n");
        p.finish();
        assert_eq!(&p.next_line().unwrap().unwrap()[..], b"{\"x\":1}");
        assert_eq!(p.next_line(), Ok(None));
    }
}
