//! Every recorded Anthropic exchange replayed through the real client over
//! loopback HTTP: the body sent equals the recorded request (JSON-equal),
//! the returned `Message` equals the recorded response, a stream's events
//! equal the recorded events and `final_message()` equals their
//! accumulation; recorded errors come back typed with status, type, message
//! and request id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyllm::types::accumulate::MessageAccumulator;
use anyllm::{Client, MapEnv, MessageCreateParams, RequestOptions, StreamEvent};
use anyllm_fixtures::{load_all, recorded_dir_or_skip, Exchange, Filter};
use anyllm_testkit::{json_diff, MatchRules, ReplayServer};
use serde_json::Value;

fn sse_data(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|block| {
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            (!data.is_empty()).then(|| serde_json::from_str(&data.join("\n")).unwrap())
        })
        .collect()
}

fn betas(e: &Exchange) -> Vec<String> {
    e.request
        .headers
        .get("anthropic-beta")
        .and_then(Value::as_str)
        .map(|b| b.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

fn client(server: &ReplayServer) -> Client {
    Client::builder()
        .env(MapEnv::empty())
        .api_key("anthropic", "sk-ant-test")
        .api_base("anthropic", server.url())
        .max_retries(0)
        .build()
        .unwrap()
}

fn check_error(e: &Exchange, err: &anyllm::Error) {
    let rec: Value = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
    assert_eq!(err.status(), Some(e.response.status), "{}: status", e.file);
    assert_eq!(
        err.kind().as_str(),
        rec["error"]["type"].as_str().unwrap(),
        "{}: error type",
        e.file
    );
    let body = err.to_error_response();
    assert_eq!(
        body.error.message,
        rec["error"]["message"].as_str().unwrap(),
        "{}: message",
        e.file
    );
    let want_id = e
        .response
        .header("request-id")
        .map(str::to_owned)
        .or_else(|| rec["request_id"].as_str().map(str::to_owned));
    assert_eq!(
        err.request_id().map(str::to_owned),
        want_id,
        "{}: request id",
        e.file
    );
    assert!(
        matches!(err, anyllm::Error::Http(_)),
        "{}: not an API error: {err}",
        e.file
    );
}

async fn replay_one(e: &Exchange) {
    // Besides method, path and body, the version and beta headers must equal the recording.
    let rules = MatchRules::default().require_headers(["anthropic-version", "anthropic-beta"]);
    let server = ReplayServer::start_with_rules(vec![e.clone()], rules)
        .await
        .unwrap();
    let client = client(&server);
    let params: MessageCreateParams = serde_json::from_value(e.request.body.clone()).unwrap();
    let mut opts = RequestOptions::new();
    opts.betas = betas(e);
    if e.stream {
        match client.messages(&params).options(opts.clone()).stream().await {
            Ok(mut stream) => {
                let recorded = sse_data(e.response.body.as_deref().unwrap());
                let mut got = Vec::new();
                let mut failure = None;
                while let Some(ev) = stream.next_event().await {
                    match ev {
                        Ok(ev) => got.push(ev),
                        Err(err) => {
                            failure = Some(err);
                            break;
                        }
                    }
                }
                let recorded_error = recorded.iter().any(|v| v["type"] == "error");
                assert_eq!(failure.is_some(), recorded_error, "{}: {failure:?}", e.file);
                let expected: Vec<&Value> = recorded.iter().filter(|v| v["type"] != "error").collect();
                assert_eq!(got.len(), expected.len(), "{}: event count", e.file);
                for (i, (g, want)) in got.iter().zip(expected.iter()).enumerate() {
                    let g = serde_json::to_value(g).unwrap();
                    if let Some(d) = json_diff(want, &g) {
                        panic!("{}: event {i} differs: {d}", e.file);
                    }
                }
                if !recorded_error {
                    // final_message() equals the accumulation of the recorded events.
                    let mut acc = MessageAccumulator::new();
                    for v in &recorded {
                        acc.push(&serde_json::from_value::<StreamEvent>(v.clone()).unwrap())
                            .unwrap();
                    }
                    let want = serde_json::to_value(acc.finish().unwrap()).unwrap();
                    let stream = client
                        .messages(&params)
                        .options(opts.clone())
                        .stream()
                        .await
                        .unwrap();
                    let fin = serde_json::to_value(stream.final_message().await.unwrap()).unwrap();
                    if let Some(d) = json_diff(&want, &fin) {
                        panic!("{}: final_message differs: {d}", e.file);
                    }
                }
            }
            Err(err) => {
                assert_ne!(e.response.status, 200, "{}: {err}", e.file);
                check_error(e, &err);
            }
        }
    } else {
        match client.messages(&params).options(opts.clone()).await {
            Ok(msg) => {
                assert_eq!(e.response.status, 200, "{}", e.file);
                let want: Value = serde_json::from_str(e.response.body.as_deref().unwrap()).unwrap();
                let got = serde_json::to_value(&msg).unwrap();
                if let Some(d) = json_diff(&want, &got) {
                    panic!("{}: message differs: {d}", e.file);
                }
            }
            Err(err) => {
                assert_ne!(e.response.status, 200, "{}: {err}", e.file);
                check_error(e, &err);
            }
        }
    }
    let mismatches = server.replay().mismatches();
    assert!(
        mismatches.is_empty(),
        "{}: request differs: {mismatches:?}",
        e.file
    );
    assert!(server.replay().served() >= 1, "{}: nothing sent", e.file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_anthropic_exchange_replays_exactly() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("anthropic-messages")).unwrap();
    assert!(all.len() > 300, "expected the recorded anthropic exchanges");
    let (mut whole, mut streams, mut errors) = (0, 0, 0);
    for e in &all {
        replay_one(e).await;
        match (e.stream, e.response.status) {
            (_, s) if s != 200 => errors += 1,
            (true, _) => streams += 1,
            (false, _) => whole += 1,
        }
    }
    assert!(
        whole > 150 && streams > 100 && errors > 15,
        "{whole} {streams} {errors}"
    );
}

#[test]
fn every_recorded_request_that_got_a_200_passes_validation() {
    let Some(dir) = recorded_dir_or_skip() else { return };
    let all = load_all(&dir, &Filter::api("anthropic-messages")).unwrap();
    let mut n = 0;
    for e in all.iter().filter(|e| e.response.status == 200) {
        let params: MessageCreateParams = serde_json::from_value(e.request.body.clone()).unwrap();
        if let Err(err) = anyllm::validate::validate(&params, &betas(e)) {
            panic!("{}: {err}", e.file);
        }
        n += 1;
    }
    assert!(n > 300);
}
