//! The `sagemaker` provider: an Amazon SageMaker real-time endpoint serving
//! a chat model behind an OpenAI Chat Completions interface (the LMI, vLLM
//! and TGI Messages API containers).
//!
//! Wire shape (botocore's `sagemaker-runtime` 2017-05-13 service model,
//! operations `InvokeEndpoint` and `InvokeEndpointWithResponseStream`):
//! - `POST https://runtime.sagemaker.{region}.amazonaws.com/endpoints/{endpoint}/invocations`
//!   (`/invocations-response-stream` for streams), signed with SigV4 for the
//!   service `sagemaker`; the model string is the endpoint name;
//! - body: the OpenAI Chat body the container reads ([`SAGEMAKER_DIALECT`];
//!   its `model` is the endpoint name — override it with `extra_body` when a
//!   container checks it); reply: an OpenAI chat completion;
//! - stream: an AWS event stream of `PayloadPart` events whose bytes,
//!   concatenated, are the container's SSE body cut anywhere
//!   ([`Framing::AwsEventStreamSse`]); `ModelStreamError` /
//!   `InternalStreamFailure` exceptions end the stream as errors;
//! - optional headers: `X-Amzn-SageMaker-Target-Model` (whole calls only:
//!   the streaming operation has no such member),
//!   `X-Amzn-SageMaker-Inference-Component`, `X-Amzn-SageMaker-Custom-Attributes`;
//!   the streaming `Accept` is `X-Amzn-SageMaker-Accept`.

use std::sync::Arc;

use anyllm_provider::credentials::{aws_region, AwsCredentialsChain, SigV4Signer};
use anyllm_provider::{
    header_value, ApiFamily, Authorize, CallContext, Env, Error, Framing, KeyPolicy, MapEnv, Provider,
    ProviderInfo, StreamConverter,
};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use messages_convert::openai_chat::{self, request_body, Dialect, ResponseContext};
use messages_types::{Message, MessageCreateParams};

/// The chat dialect of the common serving containers: the generic
/// OpenAI-compatible server (vLLM-like), named `sagemaker`.
pub const SAGEMAKER_DIALECT: Dialect = Dialect::GENERIC.named("sagemaker");

const BASE_TEMPLATE: &str = "https://runtime.sagemaker.{region}.amazonaws.com";

/// The sagemaker provider's description: no key (AWS credentials sign every
/// attempt), base URL `SAGEMAKER_BASE_URL` (else the regional runtime host).
pub const SAGEMAKER_INFO: ProviderInfo = ProviderInfo::new(
    "sagemaker",
    ApiFamily::OpenAiChat,
    BASE_TEMPLATE,
    &[],
    KeyPolicy::None,
)
.with_base_url_env(Some("SAGEMAKER_BASE_URL"))
.with_settings_env(&[
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "SAGEMAKER_TARGET_MODEL",
    "SAGEMAKER_INFERENCE_COMPONENT",
    "SAGEMAKER_CUSTOM_ATTRIBUTES",
]);

/// The variables the AWS credential chain and region lookup read.
const AWS_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "HOME",
    "USERPROFILE",
];

/// A chat model on a SageMaker endpoint (see the [module docs](self)).
///
/// ```
/// use std::sync::Arc;
/// use anyllm_openai::SagemakerProvider;
/// use anyllm_provider::credentials::{AwsCredentials, AwsCredentialsChain};
/// use anyllm_provider::{CallContext, MapEnv, Provider};
/// use messages_types::MessageCreateParams;
///
/// let chain = AwsCredentialsChain::from_env(Arc::new(MapEnv::empty()))
///     .explicit(AwsCredentials::new("AKIDEXAMPLE", "secret", None));
/// let sm = SagemakerProvider::new("eu-west-1", Arc::new(chain)).with_inference_component("ic-1");
/// let params: MessageCreateParams = serde_json::from_value(serde_json::json!({
///     "model": "my-llama-endpoint", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]
/// })).unwrap();
/// let ctx = CallContext::new(sm.info().default_base_url).with_stream(true);
/// let req = sm.build_request(&params, &ctx).unwrap();
/// assert_eq!(req.uri(), "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/my-llama-endpoint/invocations-response-stream");
/// assert_eq!(req.headers()["x-amzn-sagemaker-inference-component"], "ic-1");
/// assert!(sm.authorizer(&ctx).unwrap().is_some()); // SigV4 on every attempt
/// ```
#[derive(Debug, Clone)]
pub struct SagemakerProvider {
    region: Option<String>,
    signer: Option<Arc<dyn Authorize>>,
    dialect: Dialect,
    target_model: Option<String>,
    inference_component: Option<String>,
    custom_attributes: Option<String>,
}

impl SagemakerProvider {
    /// A provider for endpoints in `region`, signing with credentials from `chain`.
    pub fn new(region: impl Into<String>, chain: Arc<AwsCredentialsChain>) -> Self {
        let region = region.into();
        Self {
            signer: Some(Arc::new(SigV4Signer::new(chain, region.clone(), "sagemaker"))),
            region: Some(region),
            dialect: SAGEMAKER_DIALECT,
            target_model: None,
            inference_component: None,
            custom_attributes: None,
        }
    }

    /// The region from `AWS_REGION` / `AWS_DEFAULT_REGION` / the profile,
    /// credentials from the AWS chain (keys, then the shared files), and the
    /// optional headers from `SAGEMAKER_TARGET_MODEL`,
    /// `SAGEMAKER_INFERENCE_COMPONENT` and `SAGEMAKER_CUSTOM_ATTRIBUTES`.
    /// The AWS variables are read now; the shared files when a call needs
    /// credentials. Without a region, calls fail with a typed configuration error.
    pub fn from_env(env: &dyn Env) -> Self {
        let snapshot = MapEnv::new(AWS_VARS.iter().filter_map(|k| env.var(k).map(|v| (*k, v))));
        let region = aws_region(&snapshot);
        let chain = Arc::new(AwsCredentialsChain::from_env(Arc::new(snapshot)));
        let mut p = match region {
            Some(r) => Self::new(r, chain),
            None => Self {
                region: None,
                signer: None,
                dialect: SAGEMAKER_DIALECT,
                target_model: None,
                inference_component: None,
                custom_attributes: None,
            },
        };
        p.target_model = env.var("SAGEMAKER_TARGET_MODEL");
        p.inference_component = env.var("SAGEMAKER_INFERENCE_COMPONENT");
        p.custom_attributes = env.var("SAGEMAKER_CUSTOM_ATTRIBUTES");
        p
    }

    /// `X-Amzn-SageMaker-Target-Model` (a multi-model endpoint's model artifact; whole calls only).
    pub fn with_target_model(mut self, model: impl Into<String>) -> Self {
        self.target_model = Some(model.into());
        self
    }

    /// `X-Amzn-SageMaker-Inference-Component` (an endpoint hosting inference components).
    pub fn with_inference_component(mut self, component: impl Into<String>) -> Self {
        self.inference_component = Some(component.into());
        self
    }

    /// `X-Amzn-SageMaker-Custom-Attributes` (passed to the container as is).
    pub fn with_custom_attributes(mut self, attributes: impl Into<String>) -> Self {
        self.custom_attributes = Some(attributes.into());
        self
    }

    /// Another chat dialect (e.g. `top_k` for a vLLM container).
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    fn region(&self) -> Result<&str, Error> {
        self.region
            .as_deref()
            .ok_or_else(|| Error::InvalidConfig("SageMaker needs an AWS region: set AWS_REGION".to_owned()))
    }

    fn url(&self, endpoint: &str, ctx: &CallContext) -> Result<String, Error> {
        // SageMaker endpoint names: letters, digits and `-` (up to 63).
        let ok = !endpoint.is_empty()
            && endpoint.len() <= 63
            && endpoint.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return Err(Error::validation(
                "model",
                "a SageMaker endpoint name may only hold letters, digits and `-` (at most 63)",
            ));
        }
        let base = if ctx.base_url.contains("{region}") {
            let region = self.region()?;
            if !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(Error::InvalidConfig("invalid AWS region".to_owned()));
            }
            ctx.base_url.replace("{region}", region)
        } else {
            ctx.base_url.clone()
        };
        let op = if ctx.stream {
            "invocations-response-stream"
        } else {
            "invocations"
        };
        Ok(format!(
            "{}/endpoints/{endpoint}/{op}",
            base.trim_end_matches('/')
        ))
    }

    fn headers(&self, ctx: &CallContext) -> Result<HeaderMap, Error> {
        let mut h = HeaderMap::new();
        if ctx.stream {
            h.insert(
                HeaderName::from_static("x-amzn-sagemaker-accept"),
                HeaderValue::from_static("text/event-stream"),
            );
        } else {
            h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        let optional = [
            (
                "x-amzn-sagemaker-target-model",
                self.target_model.as_deref().filter(|_| !ctx.stream),
            ),
            (
                "x-amzn-sagemaker-inference-component",
                self.inference_component.as_deref(),
            ),
            (
                "x-amzn-sagemaker-custom-attributes",
                self.custom_attributes.as_deref(),
            ),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                h.insert(HeaderName::from_static(name), header_value(name, value)?);
            }
        }
        Ok(h)
    }

    fn response_context<'a>(&'a self, params: &'a MessageCreateParams) -> ResponseContext<'a> {
        ResponseContext {
            dialect: &self.dialect,
            stop_sequences: params.stop_sequences.as_deref().unwrap_or_default(),
            model: &params.model,
        }
    }
}

impl Provider for SagemakerProvider {
    fn info(&self) -> &ProviderInfo {
        &SAGEMAKER_INFO
    }

    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        let url = self.url(&params.model, ctx)?;
        let body = request_body(params, &self.dialect, ctx.stream, &ctx.extra_body)?;
        ctx.json_post(&url, self.headers(ctx)?, body)
    }

    fn parse_response(
        &self,
        params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        Ok(openai_chat::response(
            response.body(),
            &self.response_context(params),
        )?)
    }

    /// SSE inside AWS event-stream `PayloadPart`s.
    fn framing(&self) -> Framing {
        Framing::AwsEventStreamSse
    }

    fn stream_converter(&self, params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(openai_chat::stream(&self.response_context(params)))
    }

    /// The SigV4 signer (service `sagemaker`), on every attempt.
    fn authorizer(&self, _ctx: &CallContext) -> Result<Option<Arc<dyn Authorize>>, Error> {
        self.region()?;
        Ok(self.signer.clone())
    }
}
