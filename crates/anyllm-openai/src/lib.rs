//! OpenAI Chat Completions and the OpenAI-compatible provider family.
