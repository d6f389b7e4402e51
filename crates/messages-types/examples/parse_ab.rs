//! Interleaved A/B timing of stream-event parsing on the recorded traffic,
//! robust on a busy machine (each variant runs in turn, 60 rounds, best
//! round kept). The criterion bench (`benches/parse.rs`) is the reference;
//! this gives quick, stable relative numbers:
//!
//! `ANYLLM_RECORDED_DIR=… cargo run --release -p messages-types --example parse_ab`
//!
//! Sets: `sorted` = events as recorded (keys sorted, `type` last), `type_first`
//! = the same events re-serialized in the API's own order; `hot`/`cold` = only
//! the delta/stop events or only the others. Columns: the generic serde path,
//! `StreamEvent::from_json_slice`, a plain `serde_json::Value` parse, and for
//! the hot sets a strict derive without any forward-compatibility machinery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#![allow(clippy::enum_variant_names)]
use messages_types::StreamEvent;
use std::time::Instant;
#[allow(dead_code)]
#[derive(serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StrictEvent {
    ContentBlockDelta { index: usize, delta: StrictDelta },
    ContentBlockStop { index: usize },
}
#[allow(dead_code)]
#[derive(serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StrictDelta {
    TextDelta { text: String },
    InputJsonDelta { partial_json: String },
    ThinkingDelta { thinking: String },
    SignatureDelta { signature: String },
}
fn main() {
    let dir = anyllm_fixtures::recorded_dir();
    let ex = anyllm_fixtures::load_all(&dir, &anyllm_fixtures::Filter::api("anthropic-messages")).unwrap();
    let mut events = Vec::new();
    for e in ex.iter().filter(|e| e.stream && e.response.status == 200) {
        for line in e.response.body.as_deref().unwrap().lines() {
            if let Some(d) = line.strip_prefix("data:") {
                events.push(d.trim_start().to_owned());
            }
        }
    }
    let wire: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(&serde_json::from_str::<StreamEvent>(e).unwrap()).unwrap())
        .collect();
    let hot: Vec<String> = events
        .iter()
        .filter(|e| StreamEvent::from_json_slice_hot(e.as_bytes()).is_some())
        .cloned()
        .collect();
    let cold: Vec<String> = events
        .iter()
        .filter(|e| StreamEvent::from_json_slice_hot(e.as_bytes()).is_none())
        .cloned()
        .collect();
    let hot_tf: Vec<String> = hot
        .iter()
        .map(|e| serde_json::to_string(&serde_json::from_str::<StreamEvent>(e).unwrap()).unwrap())
        .collect();
    let cold_tf: Vec<String> = cold
        .iter()
        .map(|e| serde_json::to_string(&serde_json::from_str::<StreamEvent>(e).unwrap()).unwrap())
        .collect();
    for (name, set) in [
        ("sorted", &events),
        ("type_first", &wire),
        ("hot", &hot),
        ("cold", &cold),
        ("hot_tf", &hot_tf),
        ("cold_tf", &cold_tf),
    ] {
        let mut best = [f64::MAX; 3];
        let mut strict = f64::MAX;
        for _ in 0..60 {
            let t = Instant::now();
            for e in set.iter() {
                std::hint::black_box(serde_json::from_str::<StreamEvent>(e).unwrap());
            }
            best[0] = best[0].min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for e in set.iter() {
                std::hint::black_box(StreamEvent::from_json_slice(e.as_bytes()).unwrap());
            }
            best[1] = best[1].min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for e in set.iter() {
                std::hint::black_box(serde_json::from_str::<serde_json::Value>(e).unwrap());
            }
            best[2] = best[2].min(t.elapsed().as_secs_f64());
            if name.starts_with("hot") {
                let t = Instant::now();
                for e in set.iter() {
                    std::hint::black_box(serde_json::from_str::<StrictEvent>(e).unwrap());
                }
                strict = strict.min(t.elapsed().as_secs_f64());
            }
        }
        if name.starts_with("hot") {
            println!("strict {:.1}us", strict * 1e6);
        }
        println!(
            "{name:>10} n={:5} generic {:7.1}us  fast {:7.1}us  value {:7.1}us",
            set.len(),
            best[0] * 1e6,
            best[1] * 1e6,
            best[2] * 1e6
        );
    }
}
