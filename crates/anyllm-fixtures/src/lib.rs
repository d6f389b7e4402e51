//! Loading recorded provider exchanges.
//!
//! The recorded traffic lives outside the repository, at
//! `../shared/fixtures/recorded/` relative to the workspace root (override with
//! the `ANYLLM_RECORDED_DIR` environment variable). Each file is one HTTP
//! exchange: the request the client sent and the raw response it got.
//!
//! Tests call [`recorded_dir_or_skip`]: when the directory is missing it returns
//! `None` (the test then skips with a message) — except under `CI=true`, where a
//! missing directory is a hard failure, so CI can never pass by skipping.
//!
//! ```no_run
//! use anyllm_fixtures::{load_all, recorded_dir_or_skip, Filter};
//! let Some(dir) = recorded_dir_or_skip() else { return };
//! let exchanges = load_all(&dir, &Filter::api("anthropic-messages")).unwrap();
//! assert!(!exchanges.is_empty());
//! ```

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One recorded HTTP exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// Where it was recorded.
    #[serde(default)]
    pub origin: String,
    /// Provider folder name (`anthropic`, `openai`, `gemini`, …).
    pub provider: String,
    /// Wire API (`anthropic-messages`, `openai-chat`, `openai-responses`, `gemini`,
    /// `ollama-chat`, `cohere-chat`, `bedrock-converse`).
    pub api: String,
    /// Whether the request asked for a stream.
    #[serde(default)]
    pub stream: bool,
    /// The request as sent.
    pub request: RecordedRequest,
    /// The response as received.
    pub response: RecordedResponse,
    /// Path of the file this was read from (relative to the recorded dir).
    #[serde(skip)]
    pub file: String,
}

/// A recorded request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method.
    #[serde(default)]
    pub method: String,
    /// Path, e.g. `/v1/messages`.
    pub path: String,
    /// Query parameters in order.
    #[serde(default)]
    pub query: Vec<QueryParam>,
    /// Headers (secrets redacted).
    #[serde(default)]
    pub headers: serde_json::Map<String, Value>,
    /// The JSON body.
    #[serde(default)]
    pub body: Value,
}

/// One query parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryParam {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A recorded response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: serde_json::Map<String, Value>,
    /// Body as text (JSON, SSE or NDJSON).
    #[serde(default)]
    pub body: Option<String>,
    /// Binary body (AWS event stream), base64.
    #[serde(default)]
    pub body_base64: Option<String>,
}

impl RecordedResponse {
    /// The raw body bytes (decoding `body_base64` when that is what was recorded).
    pub fn body_bytes(&self) -> Result<Vec<u8>, FixtureError> {
        if let Some(b) = &self.body_base64 {
            return base64::engine::general_purpose::STANDARD
                .decode(b.as_bytes())
                .map_err(|e| FixtureError::Base64(e.to_string()));
        }
        Ok(self.body.clone().unwrap_or_default().into_bytes())
    }

    /// A header value as a string (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }
}

/// Errors loading fixtures.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// File system error.
    #[error("reading {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file that is not a valid exchange.
    #[error("parsing {path}: {source}")]
    Json {
        /// The path.
        path: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// A bad `body_base64`.
    #[error("bad base64 body: {0}")]
    Base64(String),
}

/// Which exchanges to load.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this wire API.
    pub api: Option<String>,
    /// Only this provider folder.
    pub provider: Option<String>,
    /// Only streaming (`Some(true)`) or only whole (`Some(false)`) exchanges.
    pub stream: Option<bool>,
    /// Only this HTTP status class: `Some(true)` for 2xx, `Some(false)` for the rest.
    pub success: Option<bool>,
}

impl Filter {
    /// Every exchange of one wire API.
    pub fn api(api: &str) -> Self {
        Self {
            api: Some(api.to_owned()),
            ..Self::default()
        }
    }

    /// Every exchange of one provider folder.
    pub fn provider(provider: &str) -> Self {
        Self {
            provider: Some(provider.to_owned()),
            ..Self::default()
        }
    }

    fn matches(&self, e: &Exchange) -> bool {
        self.api.as_deref().is_none_or(|a| a == e.api)
            && self.provider.as_deref().is_none_or(|p| p == e.provider)
            && self.stream.is_none_or(|s| s == e.stream)
            && self
                .success
                .is_none_or(|s| s == (200..300).contains(&e.response.status))
    }
}

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    // crates/anyllm-fixtures -> workspace root
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The recorded-fixtures directory: `$ANYLLM_RECORDED_DIR`, else
/// `<workspace>/../shared/fixtures/recorded`.
pub fn recorded_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ANYLLM_RECORDED_DIR") {
        return PathBuf::from(d);
    }
    workspace_root().join("../shared/fixtures/recorded")
}

/// The project's own fixtures directory (`<workspace>/fixtures`).
pub fn project_fixtures_dir() -> PathBuf {
    workspace_root().join("fixtures")
}

/// `true` when running under CI (`CI=true` or `CI=1`).
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// The recorded dir if it exists. When it is missing: under CI this panics
/// (a test that needs fixtures must fail, never skip); elsewhere it prints a
/// note and returns `None` so the caller can return early.
#[allow(clippy::panic)]
pub fn recorded_dir_or_skip() -> Option<PathBuf> {
    let dir = recorded_dir();
    if dir.join("INDEX.tsv").is_file() {
        return Some(dir);
    }
    if in_ci() {
        panic!(
            "recorded fixtures missing at {} (required under CI=true)",
            dir.display()
        );
    }
    eprintln!("note: recorded fixtures missing at {}; skipping", dir.display());
    None
}

/// Loads one exchange file.
pub fn load(dir: &Path, relative: &str) -> Result<Exchange, FixtureError> {
    let path = dir.join(relative);
    let text = std::fs::read_to_string(&path).map_err(|source| FixtureError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut e: Exchange = serde_json::from_str(&text).map_err(|source| FixtureError::Json {
        path: path.display().to_string(),
        source,
    })?;
    e.file = relative.to_owned();
    Ok(e)
}

/// Loads every exchange listed in `INDEX.tsv` that matches `filter`, in index order.
pub fn load_all(dir: &Path, filter: &Filter) -> Result<Vec<Exchange>, FixtureError> {
    let index_path = dir.join("INDEX.tsv");
    let index = std::fs::read_to_string(&index_path).map_err(|source| FixtureError::Io {
        path: index_path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for line in index.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(file), Some(provider), Some(api)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        if filter.api.as_deref().is_some_and(|a| a != api)
            || filter.provider.as_deref().is_some_and(|p| p != provider)
        {
            continue;
        }
        let e = load(dir, file)?;
        if filter.matches(&e) {
            out.push(e);
        }
    }
    Ok(out)
}
