//! Making one request fit one target under a
//! [`ConversionPolicy`](messages_convert::lenient::ConversionPolicy): the
//! strict beta check and the lenient relax loop, the same for every
//! provider.
//!
//! [`relax`] needs no per-family knowledge: a provider's
//! [`Provider::validate`] and [`Provider::build_request`] are pure, so it
//! runs them, and on `ConvertError::Unsupported { field }` removes that
//! field ([`messages_convert::lenient::drop_field`]) when the policy's rule
//! allows it ([`messages_convert::lenient::droppable`]), then tries again —
//! at most [`MAX_RELAX_STEPS`] times — collecting the report. A field the
//! rule keeps (a content block, `inference_geo`, …) stays the original
//! typed error.
//!
//! Betas: a target that does not carry them ([`Provider::honours_betas`] is
//! false) would ignore them silently; [`check_betas`] refuses them as
//! `Unsupported { field: "anthropic-beta: <name>" }` and [`relax`] drops
//! and reports each. The `anyllm` client's default send path keeps its
//! behaviour (betas go where the provider sends them); callers choose a
//! policy explicitly (`anyllm::Client::apply_policy`, the gateway's
//! `strict` setting).

use http::header::{HeaderMap, HeaderName};
use messages_convert::lenient::{
    drop_field, droppable, DropKind, DroppedField, LenientRequest, BETA_FIELD_PREFIX,
};
use messages_convert::ConvertError;
use messages_types::{CountTokensParams, MessageCreateParams};

use crate::{CallContext, Error, Provider};

/// The most fields one [`relax`] drops before giving up (a bound on the
/// loop: each step converts the request once, so at most this many + 1
/// conversions).
pub const MAX_RELAX_STEPS: usize = 64;

/// The header a client names its betas in.
pub const ANTHROPIC_BETA: HeaderName = HeaderName::from_static("anthropic-beta");

/// The call's beta names: [`CallContext::betas`], then those of an
/// `anthropic-beta` header, without duplicates.
///
/// ```
/// let mut ctx = anyllm_provider::CallContext::new("http://127.0.0.1:9");
/// ctx.betas.push("a".into());
/// ctx.headers.insert("anthropic-beta", "b, a".parse().unwrap());
/// assert_eq!(anyllm_provider::lenient::call_betas(&ctx), ["a", "b"]);
/// ```
pub fn call_betas(ctx: &CallContext) -> Vec<String> {
    let mut all = ctx.betas.clone();
    betas_from_headers(&ctx.headers, &mut all);
    all
}

/// Appends the beta names of every `anthropic-beta` header in `headers`
/// (comma-separated, trimmed, empty names skipped) to `betas`, skipping
/// names already there.
///
/// ```
/// let mut h = http::HeaderMap::new();
/// h.append("anthropic-beta", "a, b".parse().unwrap());
/// h.append("anthropic-beta", "b,c,".parse().unwrap());
/// let mut betas = Vec::new();
/// anyllm_provider::lenient::betas_from_headers(&h, &mut betas);
/// assert_eq!(betas, ["a", "b", "c"]);
/// ```
pub fn betas_from_headers(headers: &HeaderMap, betas: &mut Vec<String>) {
    for value in headers.get_all(ANTHROPIC_BETA) {
        for name in value.to_str().unwrap_or_default().split(',') {
            let name = name.trim();
            if !name.is_empty() && !betas.iter().any(|b| b == name) {
                betas.push(name.to_owned());
            }
        }
    }
}

/// Refuses the call's first beta when `provider` cannot honour betas:
/// `Unsupported { field: "anthropic-beta: <name>" }` (the strict policy).
///
/// ```
/// # use anyllm_provider::*;
/// # #[derive(Debug)] struct P(ProviderInfo);
/// # impl Provider for P {
/// #   fn info(&self) -> &ProviderInfo { &self.0 }
/// #   fn build_request(&self, _: &messages_types::MessageCreateParams, _: &CallContext) -> Result<http::Request<bytes::Bytes>, Error> { unimplemented!() }
/// #   fn parse_response(&self, _: &messages_types::MessageCreateParams, _: http::Response<bytes::Bytes>) -> Result<messages_types::Message, Error> { unimplemented!() }
/// #   fn stream_converter(&self, _: &messages_types::MessageCreateParams) -> Box<dyn StreamConverter> { unimplemented!() }
/// # }
/// let openai = P(ProviderInfo::new("o", ApiFamily::OpenAiChat, "http://127.0.0.1:9", &[], KeyPolicy::None));
/// let mut ctx = CallContext::new("http://127.0.0.1:9");
/// assert!(lenient::check_betas(&openai, &ctx).is_ok());
/// ctx.betas.push("context-1m-2025-08-07".into());
/// let err = lenient::check_betas(&openai, &ctx).unwrap_err();
/// assert!(err.to_string().contains("anthropic-beta: context-1m-2025-08-07"));
/// ```
pub fn check_betas(provider: &dyn Provider, ctx: &CallContext) -> Result<(), Error> {
    if provider.honours_betas() {
        return Ok(());
    }
    match call_betas(ctx).first() {
        None => Ok(()),
        Some(name) => Err(ConvertError::unsupported_because(
            provider.info().name,
            format!("{BETA_FIELD_PREFIX}{name}"),
            "the provider has no Anthropic beta features",
        )
        .into()),
    }
}

/// Removes every beta from `ctx` (its betas and any `anthropic-beta`
/// header), reporting each.
fn drop_betas(ctx: &mut CallContext, reason: Option<&str>) -> Vec<DroppedField> {
    let report = call_betas(ctx)
        .iter()
        .map(|name| DroppedField::beta(name, reason.map(str::to_owned)))
        .collect();
    ctx.betas.clear();
    ctx.headers.remove(ANTHROPIC_BETA);
    report
}

/// Makes `params` and `ctx` fit `provider` under the lenient policy (see
/// the module docs): drops what the target cannot express and the policy
/// allows, and returns the report — empty when the request fitted as it
/// was. Any other failure (a field the policy keeps, a validation error, a
/// missing key) is returned as the provider gave it; `params` and `ctx` may
/// then have lost some droppable fields already. More than
/// [`MAX_RELAX_STEPS`] drops is the client's request's fault: a
/// [`Error::Validation`] (an `invalid_request_error`, 400) naming the field
/// it stopped at.
pub fn relax(
    provider: &dyn Provider,
    params: &mut MessageCreateParams,
    ctx: &mut CallContext,
) -> Result<Vec<DroppedField>, Error> {
    relax_with(provider, params, ctx, |p, c| {
        provider.validate(p, c)?;
        provider.build_request(p, c).map(drop)
    })
}

/// [`relax`] for a count-tokens request: the same rule, tried against
/// [`Provider::build_count_tokens_request`]. A provider without a
/// count-tokens endpoint converts nothing, so nothing is dropped but the
/// betas it cannot honour.
pub fn relax_count(
    provider: &dyn Provider,
    params: &mut CountTokensParams,
    ctx: &mut CallContext,
) -> Result<Vec<DroppedField>, Error> {
    relax_with(provider, params, ctx, |p, c| {
        match provider.build_count_tokens_request(p, c) {
            Ok(_) | Err(Error::Unsupported { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    })
}

fn relax_with<P: LenientRequest>(
    provider: &dyn Provider,
    params: &mut P,
    ctx: &mut CallContext,
    attempt: impl Fn(&P, &CallContext) -> Result<(), Error>,
) -> Result<Vec<DroppedField>, Error> {
    let mut report = Vec::new();
    if !provider.honours_betas() {
        report.extend(drop_betas(
            ctx,
            Some("the provider has no Anthropic beta features"),
        ));
    }
    for _ in 0..MAX_RELAX_STEPS {
        let err = match attempt(params, ctx) {
            Ok(()) => return Ok(report),
            Err(e) => e,
        };
        let Error::Convert(ConvertError::Unsupported { field, detail, .. }) = &err else {
            return Err(err);
        };
        match droppable(params, field) {
            Some(DropKind::Beta) => {
                let dropped = drop_betas(ctx, detail.as_deref());
                if dropped.is_empty() {
                    return Err(err);
                }
                report.extend(dropped);
            }
            Some(kind) if drop_field(params, field)? => report.push(DroppedField {
                path: field.clone(),
                kind,
                reason: detail.clone(),
            }),
            _ => return Err(err),
        }
    }
    // The cap reached: one more conversion says whether the request fits.
    let err = match attempt(params, ctx) {
        Ok(()) => return Ok(report),
        Err(e) => e,
    };
    let last = match &err {
        Error::Convert(ConvertError::Unsupported { field, .. }) if droppable(params, field).is_some() => {
            field.clone()
        }
        _ => return Err(err),
    };
    Err(Error::Validation {
        field: last,
        message: format!(
            "the lenient conversion gave up after dropping {MAX_RELAX_STEPS} fields the target cannot express \
             (one more remained); send fewer of them"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiFamily, KeyPolicy, ProviderInfo, StreamConverter};
    use bytes::Bytes;
    use messages_types::{CountTokensParams, Message};

    /// Refuses the first unknown top-level field (in name order), for
    /// Messages and count-tokens requests alike; `zz` stands for a field
    /// the policy keeps (`inference_geo`).
    #[derive(Debug)]
    struct RefusesExtra(ProviderInfo);

    fn refuse(extra: &messages_types::Extra) -> Result<http::Request<Bytes>, Error> {
        match extra.keys().next() {
            Some(k) if k == "zz" => Err(ConvertError::unsupported("p", "inference_geo").into()),
            Some(k) => Err(ConvertError::unsupported_because("p", k.clone(), "no place for it").into()),
            None => Ok(http::Request::new(Bytes::new())),
        }
    }

    impl Provider for RefusesExtra {
        fn info(&self) -> &ProviderInfo {
            &self.0
        }
        fn build_request(
            &self,
            p: &MessageCreateParams,
            _: &CallContext,
        ) -> Result<http::Request<Bytes>, Error> {
            refuse(&p.extra)
        }
        fn build_count_tokens_request(
            &self,
            p: &CountTokensParams,
            _: &CallContext,
        ) -> Result<http::Request<Bytes>, Error> {
            refuse(&p.extra)
        }
        fn parse_response(
            &self,
            _: &MessageCreateParams,
            _: http::Response<Bytes>,
        ) -> Result<Message, Error> {
            Err(Error::Stream("unused".into()))
        }
        fn stream_converter(&self, _: &MessageCreateParams) -> Box<dyn StreamConverter> {
            unreachable!("unused")
        }
    }

    fn provider() -> RefusesExtra {
        RefusesExtra(ProviderInfo::new(
            "p",
            ApiFamily::OpenAiChat,
            "http://127.0.0.1:9",
            &[],
            KeyPolicy::None,
        ))
    }

    fn with_extra(n: usize) -> serde_json::Value {
        let mut v = serde_json::json!({"model": "m", "max_tokens": 1,
            "messages": [{"role": "user", "content": "x"}]});
        for i in 0..n {
            v[format!("x{i:03}")] = serde_json::json!(i);
        }
        v
    }

    #[test]
    fn giving_up_is_the_clients_invalid_request() {
        let mut params: MessageCreateParams =
            serde_json::from_value(with_extra(MAX_RELAX_STEPS + 1)).unwrap();
        let mut ctx = CallContext::new("http://127.0.0.1:9");
        let err = relax(&provider(), &mut params, &mut ctx).unwrap_err();
        assert_eq!(err.kind(), messages_http::ErrorKind::InvalidRequest, "{err}");
        let Error::Validation { field, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            field,
            &format!("x{MAX_RELAX_STEPS:03}"),
            "the field it stopped at"
        );
        assert!(message.contains("gave up after dropping 64 fields"), "{message}");

        let mut params: MessageCreateParams = serde_json::from_value(with_extra(MAX_RELAX_STEPS)).unwrap();
        let dropped = relax(&provider(), &mut params, &mut ctx).unwrap();
        assert_eq!(dropped.len(), MAX_RELAX_STEPS, "exactly the cap still fits");
        assert!(params.extra.is_empty());

        // At the cap, a field the policy keeps is still its own error.
        let mut v = with_extra(MAX_RELAX_STEPS);
        v["zz"] = serde_json::json!(1);
        let mut params: MessageCreateParams = serde_json::from_value(v).unwrap();
        let err = relax(&provider(), &mut params, &mut ctx).unwrap_err();
        assert!(err.to_string().contains("`inference_geo`"), "{err}");
    }

    #[test]
    fn count_tokens_requests_relax_by_the_same_rule() {
        let mut v = with_extra(0);
        v["context_management"] = serde_json::json!({"edits": []});
        v.as_object_mut().unwrap().remove("max_tokens");
        let mut params: CountTokensParams = serde_json::from_value(v).unwrap();
        let mut ctx = CallContext::new("http://127.0.0.1:9");
        ctx.betas.push("b1".into());
        let dropped = relax_count(&provider(), &mut params, &mut ctx).unwrap();
        let paths: Vec<&str> = dropped.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["anthropic-beta: b1", "context_management"]);
        assert!(params.extra.is_empty() && ctx.betas.is_empty());

        params
            .extra
            .insert("inference_geo".into(), serde_json::json!("us"));
        let err = relax_count(&provider(), &mut params, &mut ctx).unwrap_err();
        assert!(err.to_string().contains("`inference_geo`"), "{err}");
    }
}
