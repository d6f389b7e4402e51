//! The Anthropic provider: native, lossless pass-through of the Messages API.
