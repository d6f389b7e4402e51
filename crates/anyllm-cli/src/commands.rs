//! The commands' logic.

use std::io::{Read, Write};
use std::path::Path;

use anyllm::{Client, Error, MessageCreateParams, MessageParam, RequestOptions};

use crate::args::{ChatArgs, Cli, Command, MessagesArgs, OutputMode, ProvidersArgs, ServeArgs, Target};
use crate::output;

/// Runs one command.
pub async fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Messages(a) => messages(a).await,
        Command::CountTokens(a) => count_tokens(&a.target, a.file.as_deref()).await,
        Command::Providers(a) => providers(&a),
        Command::Chat(a) => chat(a).await,
        Command::Serve(a) => serve(a).await,
    }
}

fn read_body(file: Option<&Path>) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    match file {
        Some(p) if p.as_os_str() != "-" => {
            buf = std::fs::read(p)
                .map_err(|e| Error::InvalidConfig(format!("reading {}: {e}", p.display())))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Error::InvalidConfig(format!("reading stdin: {e}")))?;
        }
    }
    Ok(buf)
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        let field = if e.is_data() {
            // serde's message names the missing/invalid field.
            "body"
        } else {
            "body (JSON syntax)"
        };
        Error::validation(field, e.to_string())
    })
}

fn options(t: &Target) -> RequestOptions {
    let mut o = RequestOptions::new();
    o.provider = t.provider.clone();
    o.api_base = t.api_base.clone();
    o.api_key = t.api_key.clone().map(anyllm::ApiKey::new);
    o.timeout = t.timeout;
    o
}

/// The error text of a closed stdout (`anyllm … | head -1`): not a failure.
pub const STDOUT_CLOSED: &str = "stdout closed";

fn io_err(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Error::Runtime(STDOUT_CLOSED.to_owned());
    }
    Error::Runtime(format!("writing output: {e}"))
}

async fn messages(a: MessagesArgs) -> Result<(), Error> {
    let params: MessageCreateParams = parse(&read_body(a.file.as_deref())?)?;
    let opts = options(&a.target);
    let client = Client::from_env()?;
    let stdout = std::io::stdout();
    if a.stream || params.stream == Some(true) {
        // Printed, not kept: the stream holds no message.
        let mut stream = client
            .messages(&params)
            .options(opts)
            .stream()
            .await?
            .without_accumulation();
        let mut out = stdout.lock();
        let mut wrote_text = false;
        while let Some(ev) = stream.next_event().await {
            let ev = ev?;
            match a.output {
                OutputMode::Json => output::json_line(&mut out, &ev),
                OutputMode::Sse => output::sse_event(&mut out, &ev),
                OutputMode::Text => {
                    wrote_text = true;
                    output::text_of(&mut out, &ev)
                }
            }
            .map_err(io_err)?;
        }
        if wrote_text {
            writeln!(out).map_err(io_err)?;
        }
        return Ok(());
    }
    let message = client.messages(&params).options(opts).await?;
    output::json_line(&mut stdout.lock(), &message).map_err(io_err)
}

/// Fields of a `messages` body that only generation uses: the count-tokens
/// endpoint refuses them ("Extra inputs are not permitted"), so a body
/// written for `anyllm messages` is counted without them.
const GENERATION_ONLY: &[&str] = &[
    "max_tokens",
    "stream",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "metadata",
    "service_tier",
];

async fn count_tokens(t: &Target, file: Option<&Path>) -> Result<(), Error> {
    let mut params: anyllm::CountTokensParams = parse(&read_body(file)?)?;
    for field in GENERATION_ONLY {
        params.extra.remove(*field);
    }
    let client = Client::from_env()?;
    let resp = client.count_tokens(&params).options(options(t)).await?;
    output::json_line(&mut std::io::stdout().lock(), &resp).map_err(io_err)
}

fn providers(a: &ProvidersArgs) -> Result<(), Error> {
    let registry = anyllm::Registry::builtin();
    let mut out = std::io::stdout().lock();
    if a.json {
        let list: Vec<serde_json::Value> = registry
            .providers()
            .iter()
            .map(|p| {
                let i = p.info();
                serde_json::json!({
                    "name": i.name,
                    "api_family": i.family.as_str(),
                    "default_base_url": i.default_base_url,
                    "key_env": i.key_env,
                    "base_url_env": i.base_url_env,
                    "base_url_env_aliases": i.base_url_env_aliases,
                    "key_required": i.key_policy == anyllm::KeyPolicy::Required,
                    "settings_env": i.settings_env,
                })
            })
            .collect();
        return output::json_line(&mut out, &list).map_err(io_err);
    }
    let rows: Vec<[String; 5]> = registry
        .providers()
        .iter()
        .map(|p| {
            let i = p.info();
            [
                i.name.to_owned(),
                i.family.as_str().to_owned(),
                match (i.default_base_url, i.base_url_env) {
                    ("", Some(env)) => format!("(from ${env})"),
                    ("", None) => "-".to_owned(),
                    (url, _) => url.to_owned(),
                },
                match i.key_env.first() {
                    Some(k) => (*k).to_owned(),
                    None => "-".to_owned(),
                },
                if i.settings_env.is_empty() {
                    String::new()
                } else {
                    i.settings_env.join(", ")
                },
            ]
        })
        .collect();
    let header = ["NAME", "API", "DEFAULT BASE URL", "KEY ENV VAR", "OTHER ENV VARS"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.len());
        }
    }
    for row in std::iter::once(&header).chain(rows.iter()) {
        let [a, b, c, d, e] = row;
        let [wa, wb, wc, wd, _] = widths;
        let line = format!("{a:wa$}  {b:wb$}  {c:wc$}  {d:wd$}  {e}");
        writeln!(out, "{}", line.trim_end()).map_err(io_err)?;
    }
    Ok(())
}

async fn chat(a: ChatArgs) -> Result<(), Error> {
    let mut params = anyllm::params(
        &a.model,
        a.max_tokens,
        vec![MessageParam::user(a.prompt.join(" "))],
    );
    params.system = a.system.map(Into::into);
    let client = Client::from_env()?;
    let mut stream = client
        .messages(&params)
        .options(options(&a.target))
        .stream()
        .await?
        .without_accumulation();
    let mut out = std::io::stdout().lock();
    while let Some(ev) = stream.next_event().await {
        output::text_of(&mut out, &ev?).map_err(io_err)?;
    }
    writeln!(out).map_err(io_err)
}

/// `anyllm serve`: the gateway of `anyllm-server`, until ctrl-c/SIGTERM.
async fn serve(a: ServeArgs) -> Result<(), Error> {
    let config = match &a.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::InvalidConfig(format!("reading {}: {e}", path.display())))?;
            anyllm_server::Config::from_toml(&text).map_err(|e| Error::InvalidConfig(e.to_string()))?
        }
        None => anyllm_server::Config::default(),
    };
    // One JSON access-log line per request on stderr.
    anyllm_server::access_log::install_stderr_access_log();
    anyllm_server::run(config, a.listen, a.allow_unauthenticated)
        .await
        .map_err(|e| Error::InvalidConfig(e.to_string()))
}
