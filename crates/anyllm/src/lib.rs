//! One request format, the Anthropic Messages API, for every major LLM provider.
