//! Starting the gateways under test as separate processes (so their CPU and
//! memory can be read from `/proc/<pid>`), each pointed at the replay
//! upstream: `anyllm serve` (the release binary) and, when its virtual
//! environment exists, LiteLLM's proxy.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::client::{Conn, Target};

/// How long a gateway may take to answer its health check after start.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// One running gateway process; killed (with its descendants) when dropped.
pub struct Gateway {
    /// `anyllm` or `litellm`.
    pub name: String,
    /// The gateway's version, for the table.
    pub version: String,
    child: Child,
    /// What the load generator sends it.
    pub target: Target,
}

impl Gateway {
    /// The process id, for `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        // Descendants first (a worker of a Python server), then the process itself.
        let pid = self.child.id();
        for p in super::procstat::tree(pid).into_iter().filter(|p| *p != pid) {
            let _ = Command::new("kill").arg("-9").arg(p.to_string()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Anthropic Messages request both gateways receive, for `model`.
fn anthropic_body(model: &str, stream: bool) -> Bytes {
    let mut v = serde_json::json!({
        "model": model,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Say hello."}],
    });
    if stream {
        v["stream"] = serde_json::Value::Bool(true);
    }
    Bytes::from(v.to_string())
}

/// The same conversation sent straight to the upstream (the baseline).
pub fn direct_target(upstream: SocketAddr) -> Target {
    let body = |model: &str, stream: bool| {
        let mut v = serde_json::json!({
            "model": model,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": "Say hello."}],
        });
        if stream {
            v["stream"] = serde_json::Value::Bool(true);
            v["stream_options"] = serde_json::json!({"include_usage": true});
        }
        Bytes::from(v.to_string())
    };
    Target {
        name: "direct".into(),
        addr: upstream,
        path: "/v1/chat/completions".into(),
        whole: body("gpt-4.1-mini", false),
        stream: body("gpt-4.1-mini", true),
        idle: body("idle", true),
        whole_marker: b"chat.completion",
        stream_marker: b"[DONE]",
    }
}

fn gateway_target(name: &str, addr: SocketAddr) -> Target {
    Target {
        name: name.into(),
        addr,
        path: "/v1/messages".into(),
        whole: anthropic_body("bench", false),
        stream: anthropic_body("bench", true),
        idle: anthropic_body("bench-idle", true),
        whole_marker: b"\"type\":\"message\"",
        stream_marker: b"message_stop",
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `taskset -c CORES program` when `cores` is given, else `program`.
fn command(program: &Path, cores: Option<&str>) -> Command {
    match cores {
        Some(c) => {
            let mut cmd = Command::new("taskset");
            cmd.arg("-c").arg(c).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

async fn wait_healthy(child: &mut Child, addr: SocketAddr, path: &str, log: &Path) -> Result<(), String> {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited at start ({status}); see {}", log.display()));
        }
        if let Ok(mut conn) = Conn::open(addr).await {
            if conn.get(path).await.is_ok() {
                return Ok(());
            }
        }
        if started.elapsed() > START_TIMEOUT {
            return Err(format!(
                "no healthy reply on {path} within {START_TIMEOUT:?}; see {}",
                log.display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Starts `anyllm serve` from `binary` with a config routing the aliases
/// `bench` and `bench-idle` to the upstream; `workers` is passed as
/// `--workers N` (else the server's default: one worker thread per core).
pub async fn start_anyllm(
    binary: &Path,
    upstream: &str,
    work: &Path,
    cores: Option<&str>,
    workers: Option<u16>,
) -> Result<Gateway, String> {
    let port = free_port()?;
    let config = work.join("anyllm.toml");
    let text = format!(
        "listen = \"127.0.0.1:{port}\"\n\
         [providers.openai]\napi_key_env = \"ANYLLM_BENCH_UPSTREAM_KEY\"\napi_base = \"{upstream}/v1\"\n\
         [models.\"bench\"]\ntargets = [\"openai:gpt-4.1-mini\"]\n\
         [models.\"bench-idle\"]\ntargets = [\"openai:idle\"]\n\
         [[keys]]\nname = \"bench\"\nkey_env = \"ANYLLM_BENCH_CLIENT_KEY\"\n"
    );
    std::fs::write(&config, text).map_err(|e| format!("writing {}: {e}", config.display()))?;
    let log = work.join("anyllm.log");
    let logf = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let version = Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut cmd = command(binary, cores);
    cmd.arg("serve").arg("--config").arg(&config);
    if let Some(n) = workers {
        cmd.args(["--workers", &n.to_string()]);
    }
    let mut child = cmd
        .env("ANYLLM_BENCH_UPSTREAM_KEY", "sk-bench-upstream")
        .env("ANYLLM_BENCH_CLIENT_KEY", super::client::CLIENT_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(logf)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_healthy(&mut child, addr, "/health", &log).await?;
    Ok(Gateway {
        name: "anyllm".into(),
        version,
        child,
        target: gateway_target("anyllm", addr),
    })
}

/// The LiteLLM executable and python of a virtual environment.
pub fn litellm_paths(venv: &Path) -> (PathBuf, PathBuf) {
    (venv.join("bin").join("litellm"), venv.join("bin").join("python"))
}

/// How to create the LiteLLM environment the comparison needs.
pub fn litellm_howto(venv: &Path) -> String {
    format!(
        "python3 -m venv {v} && {v}/bin/pip install 'litellm[proxy]'\n\
         then: cargo xtask bench serve --litellm {v}",
        v = venv.display()
    )
}

/// Starts LiteLLM's proxy (`litellm --config`) with `workers` uvicorn
/// workers and the aliases `bench` and `bench-idle` on the upstream.
pub async fn start_litellm(
    venv: &Path,
    upstream: &str,
    work: &Path,
    cores: Option<&str>,
    workers: u32,
) -> Result<Gateway, String> {
    let (exe, python) = litellm_paths(venv);
    if !exe.exists() {
        return Err(format!(
            "{} not found; create it with:\n{}",
            exe.display(),
            litellm_howto(venv)
        ));
    }
    let port = free_port()?;
    let config = work.join("litellm.yaml");
    let mut text = String::from("model_list:\n");
    for (alias, model) in [("bench", "gpt-4.1-mini"), ("bench-idle", "idle")] {
        text.push_str(&format!(
            "  - model_name: {alias}\n    litellm_params:\n      model: openai/{model}\n      \
             api_base: {upstream}/v1\n      api_key: sk-bench-upstream\n"
        ));
    }
    text.push_str(&format!(
        "general_settings:\n  master_key: {}\n",
        super::client::CLIENT_KEY
    ));
    std::fs::write(&config, text).map_err(|e| format!("writing {}: {e}", config.display()))?;
    let version = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('litellm'))",
        ])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let log = work.join("litellm.log");
    let logf = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let mut child = command(&exe, cores)
        .arg("--config")
        .arg(&config)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--num_workers", &workers.to_string()])
        // Offline: the bundled model price map, no telemetry.
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env("LITELLM_TELEMETRY", "False")
        // Its /v1/messages sends `openai/` models to the Responses API by
        // default; this makes it call /chat/completions like anyllm does,
        // so both gateways talk to the same upstream endpoint.
        .env("LITELLM_USE_CHAT_COMPLETIONS_URL_FOR_ANTHROPIC_MESSAGES", "True")
        // Its aiohttp pool holds at most 500 connections per upstream host
        // (1,000 in all) by default, so at most 500 streams are open at once
        // and the rest wait; raised so the idle-stream phase can reach 10,000.
        .env("AIOHTTP_CONNECTOR_LIMIT", "30000")
        .env("AIOHTTP_CONNECTOR_LIMIT_PER_HOST", "30000")
        .stdin(Stdio::null())
        .stdout(logf.try_clone().map_err(|e| e.to_string())?)
        .stderr(logf)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", exe.display()))?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_healthy(&mut child, addr, "/health/liveliness", &log).await?;
    Ok(Gateway {
        name: "litellm".into(),
        version,
        child,
        target: gateway_target("litellm", addr),
    })
}
