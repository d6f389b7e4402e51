//! Where a Bedrock call goes: the regional endpoint, the region it is
//! signed for, and the model id as one URL path segment. Public and free of
//! Bedrock specifics beyond the host prefix, so other AWS services with the
//! same layout (SageMaker runtime) can reuse them.

use anyllm_provider::Error;

/// The placeholder the default base URLs hold for the region.
pub const REGION_PLACEHOLDER: &str = "{region}";

/// The default endpoint of an AWS service whose host is
/// `{host_prefix}.{region}.amazonaws.com` (`.amazonaws.com.cn` in the China
/// regions).
///
/// ```
/// use anyllm_bedrock::endpoint::aws_endpoint;
/// assert_eq!(aws_endpoint("bedrock-runtime", "eu-west-3"), "https://bedrock-runtime.eu-west-3.amazonaws.com");
/// assert_eq!(aws_endpoint("bedrock-runtime", "cn-north-1"), "https://bedrock-runtime.cn-north-1.amazonaws.com.cn");
/// ```
pub fn aws_endpoint(host_prefix: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{host_prefix}.{region}.{suffix}")
}

/// `true` for a plausible region name (`us-east-1`, `eu-central-2`,
/// `us-gov-west-1`): ASCII letters, digits and `-` only, so it can go into a
/// host name.
pub fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The region in an AWS endpoint URL of the form
/// `https://{prefix}.{region}.amazonaws.com[.cn]` (including the `-fips`
/// and VPC-endpoint forms ending that way); `None` for any other host.
///
/// ```
/// use anyllm_bedrock::endpoint::region_of_endpoint;
/// assert_eq!(region_of_endpoint("https://bedrock-runtime.us-west-2.amazonaws.com").as_deref(), Some("us-west-2"));
/// assert_eq!(region_of_endpoint("http://127.0.0.1:8080"), None);
/// ```
pub fn region_of_endpoint(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':', '?']).next()?;
    let host = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let region = host.rsplit('.').next()?;
    is_region_name(region).then(|| region.to_owned())
}

/// The base URL of a call: `base` with [`REGION_PLACEHOLDER`] replaced by
/// `region` (an explicit endpoint without the placeholder is used as
/// given). A placeholder with no region is [`Error::InvalidConfig`] naming
/// what to set.
///
/// ```
/// use anyllm_bedrock::endpoint::fill_region;
/// let base = "https://bedrock-runtime.{region}.amazonaws.com";
/// assert_eq!(fill_region(base, Some("ap-south-1"), "Bedrock").unwrap(), "https://bedrock-runtime.ap-south-1.amazonaws.com");
/// assert!(fill_region(base, None, "Bedrock").unwrap_err().to_string().contains("AWS_REGION"));
/// ```
pub fn fill_region(base: &str, region: Option<&str>, service: &str) -> Result<String, Error> {
    let base = base.trim_end_matches('/');
    if !base.contains(REGION_PLACEHOLDER) {
        return Ok(base.to_owned());
    }
    let Some(region) = region else {
        return Err(Error::InvalidConfig(format!(
            "{service} needs a region: set AWS_REGION (or AWS_DEFAULT_REGION, or `region` in the \
             AWS config file's profile), or give an explicit endpoint"
        )));
    };
    if !is_region_name(region) {
        return Err(Error::InvalidConfig(format!(
            "`{region}` is not an AWS region name (lowercase letters, digits and `-`)"
        )));
    }
    if region.starts_with("cn-") {
        return Ok(base
            .replace(REGION_PLACEHOLDER, region)
            .replace(".amazonaws.com", ".amazonaws.com.cn"));
    }
    Ok(base.replace(REGION_PLACEHOLDER, region))
}

/// A model id, inference-profile id or ARN as one URL path segment: every
/// byte but the unreserved characters (`A-Z a-z 0-9 - . _ ~`) is
/// percent-encoded, so `:` becomes `%3A` and an ARN's `/` becomes `%2F` (as
/// the AWS SDKs send it). An empty id is a validation error.
///
/// ```
/// use anyllm_bedrock::endpoint::model_path_segment;
/// assert_eq!(model_path_segment("amazon.nova-lite-v1:0").unwrap(), "amazon.nova-lite-v1%3A0");
/// assert_eq!(
///     model_path_segment("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x").unwrap(),
///     "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x"
/// );
/// ```
pub fn model_path_segment(model: &str) -> Result<String, Error> {
    if model.is_empty() {
        return Err(Error::validation("model", "the Bedrock model id is empty"));
    }
    let mut out = String::with_capacity(model.len() + 8);
    for b in model.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}
