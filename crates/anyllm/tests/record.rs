//! Record through the real client, then replay the recording: the recorded
//! exchange equals the original traffic and keeps no credentials.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{Client, MapEnv, MessageCreateParams};
use anyllm_fixtures::{load, project_fixtures_dir};
use anyllm_testkit::{json_diff, RecordingTransport, ReplayTransport};

#[tokio::test]
async fn a_recording_replays_like_the_original() {
    let dir = project_fixtures_dir();
    let originals = [
        "anthropic/demo.json",
        "anthropic/demo_stream.json",
        "gemini/demo_stream.json",
    ]
    .map(|f| load(&dir, f).unwrap());
    let upstream = ReplayTransport::new(originals.to_vec());
    let recorder = RecordingTransport::new(Arc::new(upstream.clone()), "mixed", "mixed");
    let client = Client::builder()
        .env(MapEnv::new([
            ("ANTHROPIC_API_KEY", "sk-ant-SECRET"),
            ("GEMINI_API_KEY", "g-SECRET"),
        ]))
        .transport(Arc::new(recorder.clone()))
        .api_base("gemini", "http://replay")
        .build()
        .unwrap();
    for ex in &originals {
        let mut params: MessageCreateParams =
            serde_json::from_value(ex.request.body.clone()).unwrap_or_else(|_| {
                serde_json::from_str(&std::fs::read_to_string(dir.join("demo_request.json")).unwrap())
                    .unwrap()
            });
        if ex.provider == "gemini" {
            params.model = "gemini:gemini-2.5-flash".into();
        }
        if ex.stream {
            client
                .messages(&params)
                .stream()
                .await
                .unwrap()
                .final_message()
                .await
                .unwrap();
        } else {
            client.messages(&params).await.unwrap();
        }
    }
    upstream.replay().assert_clean();

    let recorded = recorder.exchanges();
    assert_eq!(recorded.len(), 3);
    for (rec, orig) in recorded.iter().zip(&originals) {
        assert_eq!(rec.request.path, orig.request.path);
        assert_eq!(json_diff(&orig.request.body, &rec.request.body), None);
        assert_eq!(rec.response.status, orig.response.status);
        assert_eq!(rec.response.body, orig.response.body);
        assert_eq!(rec.stream, orig.stream);
        let text = serde_json::to_string(rec).unwrap();
        assert!(!text.contains("SECRET"), "{text}");
    }
    // The recording is itself a fixture: it replays cleanly.
    let again = ReplayTransport::new(recorded);
    let client = Client::builder()
        .env(MapEnv::new([("ANTHROPIC_API_KEY", "k")]))
        .transport(Arc::new(again.clone()))
        .build()
        .unwrap();
    let params: MessageCreateParams = serde_json::from_value(originals[0].request.body.clone()).unwrap();
    client.messages(&params).await.unwrap();
    again.replay().assert_clean();
}
