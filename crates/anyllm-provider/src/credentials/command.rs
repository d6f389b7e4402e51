//! [`CommandToken`]: a token printed by a command (`gcloud auth print-access-token`).

use std::fmt;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use messages_http::{BoxFuture, Error, SecretString};

use super::{AccessToken, ResolveContext, ResolveIdentity};

/// The most bytes read from each of the command's outputs.
const OUTPUT_LIMIT: u64 = 64 * 1024;

/// How much of the command's standard error an error message shows.
const STDERR_SHOWN: usize = 400;

/// Runs a command whose standard output is an access token (by default
/// `gcloud auth print-access-token`).
///
/// The command gets no standard input (so it cannot wait for a prompt) and
/// is killed when it has not finished within the timeout (30 seconds by
/// default). As a resolver it runs on a thread of its own, never on an async
/// runtime's worker thread, and the token counts as valid for
/// [`valid_for`](Self::valid_for) (45 minutes by default, below the hour a
/// Google token lasts). Its standard output (the token) never appears in an
/// error; its standard error does, shortened and with every long token-like
/// word replaced by `[redacted]`.
///
/// ```
/// use anyllm_provider::credentials::CommandToken;
/// # #[cfg(unix)] {
/// let source = CommandToken::new("echo", ["ya29.from-command"]);
/// assert_eq!(source.run_blocking().unwrap().expose(), "ya29.from-command");
/// # }
/// ```
#[derive(Clone)]
pub struct CommandToken {
    program: String,
    args: Vec<String>,
    valid_for: Duration,
    timeout: Duration,
}

impl fmt::Debug for CommandToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandToken")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("valid_for", &self.valid_for)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl CommandToken {
    /// `gcloud auth print-access-token`.
    pub fn gcloud() -> Self {
        Self::new("gcloud", ["auth", "print-access-token"])
    }

    /// Any command whose standard output is the token.
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            valid_for: Duration::from_secs(45 * 60),
            timeout: Duration::from_secs(30),
        }
    }

    /// How long a printed token counts as valid.
    pub fn valid_for(mut self, d: Duration) -> Self {
        self.valid_for = d;
        self
    }

    /// How long the command may run before it is killed and the call fails.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The program run.
    pub fn program(&self) -> &str {
        &self.program
    }

    fn failure(&self, what: impl fmt::Display) -> Error {
        Error::credentials(format!("command `{}`", self.program), what.to_string())
    }

    /// Runs the command on the calling thread (it blocks up to the timeout:
    /// never call it on an async runtime's worker thread; the
    /// [`ResolveIdentity`] implementation runs it on a thread of its own).
    pub fn run_blocking(&self) -> Result<SecretString, Error> {
        let deadline = Instant::now() + self.timeout;
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.failure(format_args!("could not run it: {e}")))?;
        let stdout = read_pipe(child.stdout.take());
        let stderr = read_pipe(child.stderr.take());
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                outcome => {
                    // Timed out, or the wait failed: stop the command either way.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(match outcome {
                        Err(e) => self.failure(format_args!("waiting for it failed: {e}")),
                        _ => self.failure(format_args!("no answer within {:?}", self.timeout)),
                    });
                }
            }
        };
        let remaining = || deadline.saturating_duration_since(Instant::now());
        let collect = |rx: &mpsc::Receiver<Vec<u8>>| rx.recv_timeout(remaining()).unwrap_or_default();
        if !status.success() {
            // stderr may help (e.g. "not logged in"); stdout may hold a token and is not shown.
            let stderr = collect(&stderr);
            return Err(self.failure(format_args!(
                "failed ({status}): {}",
                redact_stderr(&String::from_utf8_lossy(&stderr))
            )));
        }
        let token = String::from_utf8_lossy(&collect(&stdout)).trim().to_owned();
        if token.is_empty() {
            return Err(self.failure("printed no token"));
        }
        Ok(SecretString::new(token))
    }
}

impl ResolveIdentity for CommandToken {
    type Identity = AccessToken;

    fn resolve<'a>(&'a self, _cx: &'a ResolveContext) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let this = self.clone();
            std::thread::Builder::new()
                .name("anyllm-token-command".to_owned())
                .spawn(move || {
                    let _ = tx.send(this.run_blocking());
                })
                .map_err(|e| self.failure(format_args!("could not start a thread for it: {e}")))?;
            let token = rx
                .await
                .map_err(|_| self.failure("its thread ended without an answer"))??;
            let expires_at = tokio::time::Instant::now() + self.valid_for;
            Ok(AccessToken::new(token, Some(expires_at)))
        })
    }
}

/// Reads a child's pipe on a thread of its own, so a full pipe never blocks
/// the child and a pipe held open (by a grandchild) never blocks the caller.
fn read_pipe<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            // A read error leaves what was read so far; the caller judges it.
            let _ = pipe.take(OUTPUT_LIMIT).read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    } else {
        let _ = tx.send(Vec::new());
    }
    rx
}

/// `true` for a word that may be a credential: long, made only of the
/// characters of OAuth tokens, JWTs and base64, and with a digit or both
/// letter cases (so `gcloud.auth.print-access-token` or
/// `GOOGLE_APPLICATION_CREDENTIALS` stay readable).
fn looks_secret(word: &str) -> bool {
    let has = |f: fn(&char) -> bool| word.chars().any(|c| f(&c));
    word.len() >= 20
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '~' | '+' | '/' | '='))
        && (has(char::is_ascii_digit) || (has(char::is_ascii_lowercase) && has(char::is_ascii_uppercase)))
}

/// The command's standard error as an error message may show it: long
/// token-like words replaced by `[redacted]`, white space folded, at most
/// [`STDERR_SHOWN`] characters.
fn redact_stderr(stderr: &str) -> String {
    let mut out = String::new();
    for word in stderr.split_whitespace() {
        let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if !out.is_empty() {
            out.push(' ');
        }
        if looks_secret(core) {
            out.push_str("[redacted]");
        } else {
            out.push_str(word);
        }
    }
    match out.char_indices().nth(STDERR_SHOWN) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_is_redacted_and_shortened() {
        let shown = redact_stderr(
            "ERROR: (gcloud.auth.print-access-token) token ya29.a0AfB_byC9xQ-very-long-token-value expired\n\
             see https://cloud.google.com/sdk/docs/authorizing \"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\"",
        );
        assert_eq!(
            shown,
            "ERROR: (gcloud.auth.print-access-token) token [redacted] expired \
             see https://cloud.google.com/sdk/docs/authorizing [redacted]"
        );
        let long = "word ".repeat(500);
        assert_eq!(redact_stderr(&long).chars().count(), STDERR_SHOWN + 1);
    }
}
