//! `cargo xtask demo`: the offline demo.
//!
//! Starts the replay server on 127.0.0.1, sends the one Anthropic-format
//! request of `fixtures/demo_request.json` through every registered provider
//! that has `fixtures/<provider>/demo*.json` exchanges — non-streaming and
//! streaming — and prints the unified answers side by side. Providers known
//! from the reference library but not implemented yet are listed as such.
//! No keys, no network: every answer comes from the project's fixtures (see
//! `fixtures/README.md` for the convention).

use std::fmt::Write as _;
use std::path::Path;

use anyllm::{Client, MapEnv, Message, MessageCreateParams, Provider};
use anyllm_fixtures::{load, project_fixtures_dir, Exchange};
use anyllm_testkit::ReplayServer;

/// Providers of the reference library (any-llm `messages()`); those not in
/// the registry are reported as not implemented yet.
const REFERENCE_PROVIDERS: &[&str] = &[
    "anthropic",
    "azureanthropic",
    "vertexaianthropic",
    "openai",
    "azureopenai",
    "groq",
    "deepseek",
    "mistral",
    "together",
    "fireworks",
    "openrouter",
    "xai",
    "perplexity",
    "cerebras",
    "sambanova",
    "nebius",
    "deepinfra",
    "moonshot",
    "dashscope",
    "zai",
    "minimax",
    "inception",
    "llama",
    "github",
    "huggingface",
    "databricks",
    "portkey",
    "ollama",
    "lmstudio",
    "llamacpp",
    "llamafile",
    "vllm",
    "gemini",
    "vertexai",
    "bedrock",
    "cohere",
    "watsonx",
    "sagemaker",
    // The rest of the reference list (issue 16).
    "atlascloud",
    "cascadia",
    "edenai",
    "gmi",
    "kenari",
    "meta",
    "neosantara",
    "qiniu",
    "telnyx",
    "otari",
    "azure",
];

/// Runs `cargo xtask demo`.
pub fn run(_args: &[String]) -> Result<(), String> {
    let report = report(&project_fixtures_dir())?;
    print!("{}", report.text);
    if report.failures > 0 {
        return Err(format!("{} demo call(s) failed", report.failures));
    }
    Ok(())
}

/// The demo's printed output and its failure count.
pub struct Report {
    /// What the demo prints.
    pub text: String,
    /// Calls that failed (a fixture mismatch or an error).
    pub failures: usize,
}

/// One demo call's outcome.
struct Row {
    provider: String,
    mode: &'static str,
    model: String,
    outcome: Result<Message, String>,
}

/// The model a demo fixture is for: `request.body.model`, else the
/// `models/<model>:` path segment (Gemini), else the percent-encoded
/// `/model/<id>/` segment (Bedrock).
fn demo_model(ex: &Exchange) -> Option<String> {
    if let Some(m) = ex.request.body.get("model").and_then(|m| m.as_str()) {
        return Some(m.to_owned());
    }
    if let Some(rest) = ex.request.path.strip_prefix("/model/") {
        let id = rest.split('/').next().unwrap_or(rest);
        return Some(percent_decode(id));
    }
    let rest = ex.request.path.split("/models/").nth(1)?;
    Some(rest.split(':').next().unwrap_or(rest).to_owned())
}

/// `%XX` escapes decoded (a malformed escape is kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path part of a URL (`https://api.groq.com/openai/v1` → `/openai/v1`).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    after_scheme
        .find('/')
        .and_then(|i| after_scheme.get(i..))
        .unwrap_or("")
        .trim_end_matches('/')
}

fn demo_fixtures(dir: &Path, provider: &str) -> Result<Vec<Exchange>, String> {
    let pdir = dir.join(provider);
    let Ok(entries) = std::fs::read_dir(&pdir) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("demo") && n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| load(dir, &format!("{provider}/{n}")).map_err(|e| e.to_string()))
        .collect()
}

async fn call(
    provider: &dyn Provider,
    server: &ReplayServer,
    request: &MessageCreateParams,
    ex: &Exchange,
) -> Row {
    let info = provider.info();
    let model = demo_model(ex).unwrap_or_default();
    let mode = if ex.stream { "stream" } else { "whole" };
    let outcome = async {
        let client = Client::builder()
            .env(MapEnv::empty())
            .api_key(info.name, "demo-key")
            .api_base(
                info.name,
                format!("{}{}", server.url(), url_path(info.default_base_url)),
            )
            .max_retries(0)
            .build()
            .map_err(|e| e.to_string())?;
        let mut params = request.clone();
        params.model = format!("{}:{model}", info.name);
        if ex.stream {
            let stream = client
                .messages(&params)
                .stream()
                .await
                .map_err(|e| e.to_string())?;
            stream.final_message().await.map_err(|e| e.to_string())
        } else {
            client.messages(&params).await.map_err(|e| e.to_string())
        }
    }
    .await;
    Row {
        provider: info.name.to_owned(),
        mode,
        model,
        outcome,
    }
}

/// Writes `label` and the names, wrapped at 100 columns with a hanging indent.
fn wrapped(out: &mut String, label: &str, names: &[&str]) {
    let mut line = label.to_owned();
    for (i, n) in names.iter().enumerate() {
        let piece = if i + 1 < names.len() {
            format!("{n}, ")
        } else {
            (*n).to_owned()
        };
        if line.len() + piece.len() > 100 && line.len() > label.len() {
            let _ = writeln!(out, "{}", line.trim_end());
            line = " ".repeat(label.len());
        }
        line.push_str(&piece);
    }
    let _ = writeln!(out, "{line}");
}

/// Runs the demo against the fixtures in `dir` and returns what it prints.
pub fn report(dir: &Path) -> Result<Report, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(report_async(dir))
}

async fn report_async(dir: &Path) -> Result<Report, String> {
    let request_text = std::fs::read_to_string(dir.join("demo_request.json"))
        .map_err(|e| format!("reading demo_request.json: {e}"))?;
    let request: MessageCreateParams =
        serde_json::from_str(&request_text).map_err(|e| format!("demo_request.json: {e}"))?;
    let registry = anyllm::Registry::builtin();
    let mut plan = Vec::new();
    let mut without_fixtures = Vec::new();
    for p in registry.providers() {
        let fixtures = demo_fixtures(dir, p.info().name)?;
        if fixtures.is_empty() {
            without_fixtures.push(p.info().name);
        } else {
            plan.push((p.clone(), fixtures));
        }
    }
    let all: Vec<Exchange> = plan.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
    let server = ReplayServer::start(all)
        .await
        .map_err(|e| format!("replay server: {e}"))?;
    let mut rows = Vec::new();
    for (provider, fixtures) in &plan {
        for ex in fixtures {
            rows.push(call(provider.as_ref(), &server, &request, ex).await);
        }
    }

    let mut out = String::new();
    let user = request
        .messages
        .first()
        .map(|m| m.content.text())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "anyllm offline demo — one Anthropic Messages request, every provider"
    );
    let _ = writeln!(
        out,
        "replay server: {} (recorded answers, no network, no keys)",
        server.url()
    );
    let _ = writeln!(out, "request: {user:?} (max_tokens {})\n", request.max_tokens);
    let _ = writeln!(
        out,
        "{:<18} {:<7} {:<28} {:<11} {:>9}  answer",
        "provider", "mode", "model", "stop", "in/out"
    );
    let mut failures = 0;
    for r in &rows {
        match &r.outcome {
            Ok(m) => {
                let stop = m.stop_reason.as_ref().map_or("-", |s| s.as_str());
                let tokens = format!(
                    "{}/{}",
                    m.usage.input_tokens.unwrap_or(0),
                    m.usage.output_tokens.unwrap_or(0)
                );
                let _ = writeln!(
                    out,
                    "{:<18} {:<7} {:<28} {:<11} {:>9}  {}",
                    r.provider,
                    r.mode,
                    r.model,
                    stop,
                    tokens,
                    m.text().replace('\n', " ")
                );
            }
            Err(e) => {
                failures += 1;
                let _ = writeln!(
                    out,
                    "{:<18} {:<7} {:<28} FAILED: {e}",
                    r.provider, r.mode, r.model
                );
            }
        }
    }
    // The unified answer of each provider, whole vs streamed.
    let mut agree = Vec::new();
    let mut differ = Vec::new();
    for (provider, _) in &plan {
        let name = provider.info().name;
        let texts: Vec<String> = rows
            .iter()
            .filter(|r| r.provider == name)
            .filter_map(|r| r.outcome.as_ref().ok().map(Message::text))
            .collect();
        if texts.len() >= 2 {
            if texts.windows(2).all(|w| w[0] == w[1]) {
                agree.push(name);
            } else {
                differ.push(name);
            }
        }
    }
    let _ = writeln!(out);
    if !agree.is_empty() {
        wrapped(&mut out, "whole and streamed answers identical: ", &agree);
    }
    if !differ.is_empty() {
        wrapped(&mut out, "whole and streamed answers DIFFER: ", &differ);
    }
    if !without_fixtures.is_empty() {
        wrapped(&mut out, "registered, no demo fixture: ", &without_fixtures);
    }
    let missing: Vec<&str> = REFERENCE_PROVIDERS
        .iter()
        .copied()
        .filter(|n| registry.find(n).is_none())
        .collect();
    if !missing.is_empty() {
        wrapped(&mut out, "not implemented yet: ", &missing);
    }
    for m in server.replay().mismatches() {
        let _ = writeln!(out, "fixture mismatch: {m}");
    }
    Ok(Report { text: out, failures })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_demo_answers_through_every_provider_with_fixtures() {
        let report = report(&project_fixtures_dir()).unwrap();
        let text = &report.text;
        assert_eq!(report.failures, 0, "{text}");
        assert!(!text.contains("fixture mismatch"), "{text}");
        // The Anthropic fixtures' answer, whole and streamed.
        let answer = "The sky looks blue because air molecules scatter short blue wavelengths";
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("anthropic ")).collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert!(
            rows.iter().any(|l| l.contains(" whole ") && l.contains(answer)),
            "{text}"
        );
        assert!(
            rows.iter().any(|l| l.contains(" stream ") && l.contains(answer)),
            "{text}"
        );
        assert!(
            rows.iter().all(|l| l.contains("end_turn") && l.contains("24/31")),
            "{text}"
        );
        // Every registered provider with demo fixtures has a row per fixture.
        let mut with_fixtures = 0;
        for p in anyllm::Registry::builtin().providers() {
            let name = p.info().name;
            let n = demo_fixtures(&project_fixtures_dir(), name).unwrap().len();
            with_fixtures += usize::from(n > 0);
            let got = text
                .lines()
                .filter(|l| {
                    let mut cols = l.split_whitespace();
                    cols.next() == Some(name) && matches!(cols.next(), Some("whole") | Some("stream"))
                })
                .count();
            assert_eq!(got, n, "{name}: {text}");
        }
        // anthropic, openai, groq, deepseek, mistral, openrouter, gemini at least.
        assert!(
            with_fixtures >= 7,
            "{with_fixtures} providers with demo fixtures: {text}"
        );
        assert!(
            text.contains("whole and streamed answers identical: anthropic"),
            "{text}"
        );
        assert!(!text.contains("DIFFER"), "{text}");
        // Every provider of the reference list is implemented now.
        assert!(!text.contains("not implemented yet: "), "{text}");
        // Bedrock is implemented: its rows answer, and it is no longer listed as missing.
        for name in ["bedrock", "bedrock-anthropic"] {
            let rows = text.lines().filter(|l| l.split_whitespace().next() == Some(name));
            assert_eq!(rows.filter(|l| l.contains(answer)).count(), 2, "{name}: {text}");
        }
        let missing: String = text
            .lines()
            .skip_while(|l| !l.starts_with("not implemented yet: "))
            .take_while(|l| l.starts_with("not implemented yet: ") || l.starts_with(' '))
            .collect();
        assert!(!missing.contains("bedrock"), "{missing}");
        assert!(
            text.lines()
                .all(|l| !l.starts_with("registered") || l.len() <= 100),
            "{text}"
        );
    }

    #[test]
    fn a_fixture_that_does_not_match_the_request_fails_loudly() {
        let dir = std::env::temp_dir().join(format!("anyllm-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("anthropic")).unwrap();
        let src = project_fixtures_dir();
        let mut ex: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(src.join("anthropic/demo.json")).unwrap()).unwrap();
        ex["request"]["body"]["max_tokens"] = 7.into();
        std::fs::write(dir.join("anthropic/demo.json"), ex.to_string()).unwrap();
        std::fs::copy(src.join("demo_request.json"), dir.join("demo_request.json")).unwrap();
        let report = report(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(report.failures, 1, "{}", report.text);
        assert!(report.text.contains("fixture mismatch"), "{}", report.text);
        assert!(report.text.contains("max_tokens"), "{}", report.text);
    }

    #[test]
    fn demo_model_and_url_path() {
        assert_eq!(url_path("https://api.groq.com/openai/v1"), "/openai/v1");
        assert_eq!(url_path("https://api.anthropic.com"), "");
        assert_eq!(url_path("https://api.x.ai/v1/"), "/v1");
        let mut ex = anyllm_testkit::exchange(
            "POST",
            "/v1beta/models/gemini-2.5-flash:generateContent",
            serde_json::json!({"contents": []}),
            200,
            "application/json",
            "{}",
        );
        assert_eq!(demo_model(&ex).as_deref(), Some("gemini-2.5-flash"));
        ex.request.path = "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke".into();
        assert_eq!(
            demo_model(&ex).as_deref(),
            Some("us.anthropic.claude-haiku-4-5-20251001-v1:0")
        );
        ex.request.body = serde_json::json!({"model": "gpt-4o-mini"});
        assert_eq!(demo_model(&ex).as_deref(), Some("gpt-4o-mini"));
    }
}
