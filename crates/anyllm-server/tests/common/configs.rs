//! Gateway configurations shared by several test files.

/// Alias `fast` to OpenAI's `gpt-4.1-mini` at `base` (`/v1` appended).
pub fn openai_config(base: &str) -> String {
    format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{base}/v1\"\n\
         [models.\"fast\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n"
    )
}

/// Alias `m`: first OpenAI's `gpt-4.1-mini` at `first` (`/v1` appended),
/// then Gemini's `gemini-2.5-flash` at `second`.
pub fn openai_then_gemini_config(first: &str, second: &str) -> String {
    format!(
        "max_retries = 0\n[providers.openai]\napi_key_env = \"OPENAI_TEST_KEY\"\napi_base = \"{first}/v1\"\n\
         [providers.gemini]\napi_key_env = \"GEMINI_TEST_KEY\"\napi_base = \"{second}\"\n\
         [models.\"m\"]\ntargets = [\"openai:gpt-4.1-mini\", \"gemini:gemini-2.5-flash\"]\n"
    )
}
