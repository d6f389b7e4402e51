//! Pure, I/O-free conversion between the Anthropic Messages format and each provider's native API.
