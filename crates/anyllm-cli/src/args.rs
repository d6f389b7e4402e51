//! Command-line arguments (this interface is a stable contract).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Anthropic Messages requests to any LLM provider.
#[derive(Debug, Parser)]
#[command(name = "anyllm", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send an Anthropic Messages request body (JSON) read from FILE or stdin.
    Messages(MessagesArgs),
    /// Count the input tokens of a request body read from FILE or stdin
    /// (a `messages` body works: its generation settings are left out).
    CountTokens(CountTokensArgs),
    /// List every provider: name, API family, default base URL, key env var.
    Providers(ProvidersArgs),
    /// Stream the answer to a prompt to the terminal.
    Chat(ChatArgs),
    /// Run the Anthropic-compatible gateway (`anyllm-server`) until ctrl-c/SIGTERM.
    Serve(ServeArgs),
}

/// `anyllm serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The TOML configuration file (providers, model aliases, client keys).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The address to listen on (else the config's `listen`, else 127.0.0.1:4000).
    #[arg(long)]
    pub listen: Option<String>,
    /// Listen on a non-loopback address even without client keys.
    #[arg(long)]
    pub allow_unauthenticated: bool,
    /// Worker threads of the server's runtime (default: one per available core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,
}

/// Where to send, shared by the request commands.
#[derive(Debug, Args)]
pub struct Target {
    /// The provider (else the `provider:` prefix of the body's `model`, else anthropic).
    #[arg(long)]
    pub provider: Option<String>,
    /// The provider's base URL (as its base-URL env var would set it).
    #[arg(long)]
    pub api_base: Option<String>,
    /// The API key (else the provider's key env var).
    #[arg(long)]
    pub api_key: Option<String>,
    /// Time limit of the whole call in seconds, a stream included (default 600).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
}

/// A positive, finite number of seconds (fractions allowed).
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs > 0.0 => std::time::Duration::try_from_secs_f64(secs).map_err(|e| e.to_string()),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

/// `anyllm messages`.
#[derive(Debug, Args)]
pub struct MessagesArgs {
    /// Routing and credentials.
    #[command(flatten)]
    pub target: Target,
    /// Stream the response (also when the body has `"stream": true`).
    #[arg(long)]
    pub stream: bool,
    /// How to print a stream.
    #[arg(long, value_enum, default_value_t = OutputMode::Json)]
    pub output: OutputMode,
    /// The request body file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
}

/// How stream events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputMode {
    /// One JSON object per event per line.
    Json,
    /// Anthropic SSE framing (`event:` / `data:`).
    Sse,
    /// Only the text, as it arrives.
    Text,
}

/// `anyllm count-tokens`.
#[derive(Debug, Args)]
pub struct CountTokensArgs {
    /// Routing and credentials.
    #[command(flatten)]
    pub target: Target,
    /// The request body file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
}

/// `anyllm providers`.
#[derive(Debug, Args)]
pub struct ProvidersArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `anyllm chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The model, `provider:model`.
    #[arg(short, long)]
    pub model: String,
    /// A system prompt.
    #[arg(long)]
    pub system: Option<String>,
    /// Maximum tokens of the answer.
    #[arg(long, default_value_t = 1024)]
    pub max_tokens: u32,
    /// Routing and credentials.
    #[command(flatten)]
    pub target: Target,
    /// The prompt.
    #[arg(required = true)]
    pub prompt: Vec<String>,
}
