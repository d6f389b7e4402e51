//! Anthropic Messages ⇄ OpenAI Chat Completions.
