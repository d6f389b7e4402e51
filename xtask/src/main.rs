//! Project automation, run as `cargo xtask <command>`.

fn main() -> std::process::ExitCode {
    let cmd = std::env::args().nth(1).unwrap_or_default();
    eprintln!("xtask: unknown command `{cmd}` (commands arrive with their issues)");
    std::process::ExitCode::from(2)
}
