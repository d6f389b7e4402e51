//! Streams an answer as it arrives, then prints usage from the final message:
//! `cargo run -p anyllm --example stream -- gemini:gemini-2.5-flash "Why is the sky blue?"`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use anyllm::{Client, ContentDelta, MessageParam, StreamEvent};

#[tokio::main]
async fn main() -> Result<(), anyllm::Error> {
    let mut args = std::env::args().skip(1);
    let model = args
        .next()
        .unwrap_or_else(|| "anthropic:claude-sonnet-4-5".into());
    let prompt = args.next().unwrap_or_else(|| "Write a haiku about Rust.".into());
    let client = Client::from_env()?;
    let params = anyllm::params(model, 1024, vec![MessageParam::user(prompt)]);

    let mut stream = client.messages(&params).stream().await?;
    eprintln!("request id: {:?}", stream.request_id());
    while let Some(event) = stream.next_event().await {
        if let StreamEvent::ContentBlockDelta(d) = event? {
            if let ContentDelta::TextDelta(t) = d.delta {
                print!("{}", t.text);
                std::io::stdout().flush().ok();
            }
        }
    }
    println!();
    if let Some(m) = stream.snapshot() {
        eprintln!("stop: {:?}, usage: {:?}", m.stop_reason, m.usage);
    }
    Ok(())
}
