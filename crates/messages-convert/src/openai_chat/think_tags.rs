//! Splitting `<think>…</think>` reasoning out of text, for models that inline
//! it (MiniMax, SambaNova and Portkey-routed models, some local servers).
//!
//! Works on a stream: a tag cut across two chunks is held back until the next
//! chunk decides it. Whitespace right after `</think>` is dropped (the answer
//! usually starts with a blank line).
//!
//! ```
//! use messages_convert::openai_chat::think_tags::{Segment, ThinkTagSplitter};
//! let mut s = ThinkTagSplitter::new();
//! let mut out = Vec::new();
//! for chunk in ["<thi", "nk>plan</th", "ink>\n\nAnswer"] {
//!     s.feed(chunk, |seg| out.push(seg.to_owned_pair()));
//! }
//! s.finish(|seg| out.push(seg.to_owned_pair()));
//! assert_eq!(out, [("thinking", "plan".to_owned()), ("text", "Answer".to_owned())]);
//! ```

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// A piece of text, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Answer text.
    Text(&'a str),
    /// Reasoning text.
    Thinking(&'a str),
}

impl Segment<'_> {
    /// `("text" | "thinking", owned text)`, handy in tests.
    pub fn to_owned_pair(&self) -> (&'static str, String) {
        match self {
            Self::Text(t) => ("text", (*t).to_owned()),
            Self::Thinking(t) => ("thinking", (*t).to_owned()),
        }
    }
}

/// Incremental `<think>` tag splitter.
#[derive(Debug, Clone, Default)]
pub struct ThinkTagSplitter {
    inside: bool,
    skip_ws: bool,
    pending: String,
}

/// Length of the longest suffix of `s` that is a proper prefix of `tag`.
fn partial_tag_len(s: &str, tag: &str) -> usize {
    let max = (tag.len() - 1).min(s.len());
    (1..=max)
        .rev()
        .find(|&n| {
            s.as_bytes()
                .get(s.len() - n..)
                .is_some_and(|suffix| tag.as_bytes().starts_with(suffix))
        })
        .unwrap_or(0)
}

impl ThinkTagSplitter {
    /// A splitter outside any `<think>` block.
    pub fn new() -> Self {
        Self::default()
    }

    fn emit<'s>(&mut self, s: &'s str, f: &mut impl FnMut(Segment<'s>)) {
        if self.inside {
            if !s.is_empty() {
                f(Segment::Thinking(s));
            }
            return;
        }
        let s = if self.skip_ws { s.trim_start() } else { s };
        if !s.is_empty() {
            self.skip_ws = false;
            f(Segment::Text(s));
        }
    }

    /// Feeds a chunk of text; `f` receives its classified segments.
    pub fn feed(&mut self, input: &str, mut f: impl FnMut(Segment<'_>)) {
        let joined;
        let mut rest: &str = if self.pending.is_empty() {
            input
        } else {
            let mut p = std::mem::take(&mut self.pending);
            p.push_str(input);
            joined = p;
            &joined
        };
        loop {
            let tag = if self.inside { CLOSE } else { OPEN };
            if let Some(pos) = rest.find(tag) {
                let (before, after) = rest.split_at(pos);
                self.emit(before, &mut f);
                self.inside = !self.inside;
                if !self.inside {
                    self.skip_ws = true;
                }
                rest = after.get(tag.len()..).unwrap_or("");
            } else {
                let keep = partial_tag_len(rest, tag);
                let (now, later) = rest.split_at(rest.len() - keep);
                self.emit(now, &mut f);
                self.pending.push_str(later);
                return;
            }
        }
    }

    /// End of the text: flushes a held-back partial tag as plain content.
    pub fn finish(&mut self, mut f: impl FnMut(Segment<'_>)) {
        let pending = std::mem::take(&mut self.pending);
        self.emit(&pending, &mut f);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split_all(chunks: &[&str]) -> Vec<(&'static str, String)> {
        let mut s = ThinkTagSplitter::new();
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut push = |seg: Segment<'_>| {
            let (k, t) = seg.to_owned_pair();
            match out.last_mut() {
                Some((lk, lt)) if *lk == k => lt.push_str(&t),
                _ => out.push((k, t)),
            }
        };
        for c in chunks {
            s.feed(c, &mut push);
        }
        s.finish(&mut push);
        out
    }

    #[test]
    fn no_tags_is_plain_text() {
        assert_eq!(split_all(&["a < b", " <th"]), [("text", "a < b <th".to_owned())]);
    }

    #[test]
    fn thinking_then_text() {
        assert_eq!(
            split_all(&["<think>\nstep</think>\n\nDone"]),
            [("thinking", "\nstep".to_owned()), ("text", "Done".to_owned())]
        );
    }

    proptest! {
        /// Splitting the input anywhere gives the same segments.
        #[test]
        fn chunking_does_not_matter(
            pieces in proptest::collection::vec(prop_oneof![
                Just("<think>".to_owned()), Just("</think>".to_owned()), "[a-z <>/\n]{0,6}"
            ], 0..12),
            cuts in proptest::collection::vec(0usize..64, 0..6),
        ) {
            let text: String = pieces.concat();
            let whole = split_all(&[&text]);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c % (text.len() + 1)).collect();
            bounds.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for b in bounds { chunks.push(&text[last..b]); last = b; }
            chunks.push(&text[last..]);
            prop_assert_eq!(split_all(&chunks), whole);
        }
    }
}
