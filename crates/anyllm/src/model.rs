//! Model addressing: `provider:model`.

/// Splits `provider:model` at the first `:`. A string without `:` has no
/// provider part.
///
/// ```
/// use anyllm::model::split_model;
/// assert_eq!(split_model("openai:gpt-4o-mini"), (Some("openai"), "gpt-4o-mini"));
/// assert_eq!(split_model("ollama:llama3:8b"), (Some("ollama"), "llama3:8b"));
/// assert_eq!(split_model("claude-sonnet-4-5"), (None, "claude-sonnet-4-5"));
/// ```
pub fn split_model(model: &str) -> (Option<&str>, &str) {
    match model.split_once(':') {
        Some((p, m)) if !p.is_empty() => (Some(p), m),
        _ => (None, model),
    }
}
