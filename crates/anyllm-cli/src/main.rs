//! The `anyllm` command: Anthropic Messages requests to any provider.
//!
//! ```text
//! anyllm messages [--provider NAME] [--api-base URL] [--api-key KEY] [--stream]
//!                 [--output json|sse|text] [FILE|-]
//! anyllm count-tokens [--provider NAME] [--api-base URL] [--api-key KEY] [FILE|-]
//! anyllm providers [--json]
//! anyllm chat -m provider:model [--system TEXT] [--max-tokens N] PROMPT
//! anyllm serve [--config FILE] [--listen ADDR] [--allow-unauthenticated] [--workers N]
//! ```
//!
//! Errors exit with status 1 and an Anthropic-shaped error JSON on stderr;
//! usage errors exit with status 2.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod commands;
mod output;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let rt = match runtime(&cli.command) {
        Ok(rt) => rt,
        Err(e) => {
            output::print_error(&anyllm::Error::Runtime(e.to_string()));
            return ExitCode::from(1);
        }
    };
    match rt.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`anyllm … | head -1`): stop quietly.
        Err(anyllm::Error::Runtime(m)) if m == commands::STDOUT_CLOSED => ExitCode::SUCCESS,
        Err(e) => {
            output::print_error(&e);
            ExitCode::from(1)
        }
    }
}

/// `anyllm serve` runs on a multi-threaded runtime: `--workers N` threads,
/// else tokio's default (`TOKIO_WORKER_THREADS`, else one per available
/// core). The other commands make one call at a time: a current-thread runtime.
fn runtime(command: &args::Command) -> std::io::Result<tokio::runtime::Runtime> {
    match command {
        args::Command::Serve(a) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            if let Some(n) = a.workers {
                builder.worker_threads(usize::from(n));
            }
            builder.enable_all().build()
        }
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
}
