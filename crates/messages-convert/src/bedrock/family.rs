//! Which model family a Bedrock model id names, for the parameters Converse
//! does not have (`top_k`, `thinking`) and that go in
//! `additionalModelRequestFields` in each family's own shape.

/// The family of a Bedrock model, decided from its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelFamily {
    /// Anthropic Claude (`anthropic.…`): takes `top_k` and `thinking` as in
    /// the Anthropic API.
    Anthropic,
    /// Amazon Nova (`amazon.nova…`): takes `inferenceConfig.topK`.
    AmazonNova,
    /// Any other family, or an id that does not say (a provisioned-throughput
    /// or application-inference-profile ARN).
    Other,
}

impl ModelFamily {
    /// The family of a model id, an inference-profile id (`us.anthropic.…`,
    /// `global.…`) or an ARN whose last path segment is one of those.
    ///
    /// ```
    /// use messages_convert::bedrock::ModelFamily;
    /// assert_eq!(ModelFamily::from_model_id("anthropic.claude-3-haiku-20240307-v1:0"), ModelFamily::Anthropic);
    /// assert_eq!(ModelFamily::from_model_id("us.anthropic.claude-haiku-4-5-20251001-v1:0"), ModelFamily::Anthropic);
    /// assert_eq!(
    ///     ModelFamily::from_model_id("arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"),
    ///     ModelFamily::Anthropic,
    /// );
    /// assert_eq!(ModelFamily::from_model_id("amazon.nova-lite-v1:0"), ModelFamily::AmazonNova);
    /// assert_eq!(ModelFamily::from_model_id("us.deepseek.r1-v1:0"), ModelFamily::Other);
    /// assert_eq!(
    ///     ModelFamily::from_model_id("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"),
    ///     ModelFamily::Other,
    /// );
    /// ```
    pub fn from_model_id(model: &str) -> Self {
        // An ARN's resource is after the last `/`; a plain id has none.
        let id = model.rsplit('/').next().unwrap_or(model);
        let mut parts = id.split('.');
        let first = parts.next().unwrap_or("");
        let second = parts.next().unwrap_or("");
        let third = parts.next().unwrap_or("");
        // `provider.model` or `geo.provider.model` (inference profiles).
        let (provider, model_name) = if is_provider(first) {
            (first, second)
        } else {
            (second, third)
        };
        match provider {
            "anthropic" => Self::Anthropic,
            "amazon" if model_name.starts_with("nova") => Self::AmazonNova,
            _ => Self::Other,
        }
    }

    /// The family's name in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Anthropic => "Anthropic",
            Self::AmazonNova => "Amazon Nova",
            Self::Other => "this model family",
        }
    }
}

fn is_provider(segment: &str) -> bool {
    matches!(
        segment,
        "anthropic"
            | "amazon"
            | "meta"
            | "mistral"
            | "cohere"
            | "ai21"
            | "deepseek"
            | "writer"
            | "qwen"
            | "openai"
            | "twelvelabs"
            | "stability"
            | "luma"
    )
}
