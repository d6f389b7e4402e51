//! The transport: hyper + rustls, SSE / NDJSON / AWS event-stream framing, retries, timeouts and typed errors.
