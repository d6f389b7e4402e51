//! `cargo xtask fuzz`.

/// Runs `cargo xtask fuzz`.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("`fuzz` is being built in this session".to_owned())
}
