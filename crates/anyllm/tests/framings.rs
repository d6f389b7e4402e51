//! The client's stream pipeline with every framing a provider can declare
//! (SSE is covered by the recorded replays): NDJSON and the AWS event stream,
//! through a provider registered at run time, plus the converter's `finish`
//! hook and a provider's mid-stream exception.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use anyllm::{
    ApiFamily, CallContext, Client, Error, KeyPolicy, MapEnv, Message, MessageCreateParams, Provider,
    ProviderInfo, StreamEvent,
};
use anyllm_fixtures::{load, project_fixtures_dir};
use anyllm_provider::messages_convert::ConvertError;
use anyllm_provider::{Frame, Framing, StreamConverter};
use bytes::Bytes;
use messages_http::{
    transport_fn, EventStreamHeader, EventStreamHeaderValue, EventStreamMessage, ResponseBody,
};
use serde_json::Value;

const INFO: ProviderInfo = ProviderInfo::new(
    "framed",
    ApiFamily::Other("test"),
    "http://framed.invalid",
    &[],
    KeyPolicy::None,
);

#[derive(Debug)]
struct Framed(Framing);

/// Parses each payload as an Anthropic event; `finish` adds `message_stop`
/// when the body did not carry it.
struct Conv {
    stopped: bool,
}

impl StreamConverter for Conv {
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        let payload = match frame {
            Frame::Line(l) => l,
            Frame::AwsEvent {
                message_type: "exception",
                payload,
                ..
            } => {
                // A provider's mid-stream error is an Anthropic `error`
                // event; the stream ends with it as a typed error.
                let typed = Error::Http(messages_http::Error::from_stream_error(payload)).to_error_response();
                out.push(StreamEvent::error(typed.error.kind, typed.error.message));
                return Ok(());
            }
            Frame::AwsEvent { payload, .. } => payload,
            Frame::Sse { data, .. } => data,
            other => panic!("unexpected frame {other:?}"),
        };
        let ev: StreamEvent = serde_json::from_slice(payload).unwrap();
        self.stopped |= matches!(ev, StreamEvent::MessageStop(_));
        out.push(ev);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ConvertError> {
        if !self.stopped {
            out.push(serde_json::from_str(r#"{"type":"message_stop"}"#).unwrap());
        }
        Ok(())
    }
}

impl Provider for Framed {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }
    fn build_request(
        &self,
        params: &MessageCreateParams,
        ctx: &CallContext,
    ) -> Result<http::Request<Bytes>, Error> {
        ctx.json_post(
            &ctx.url("/x"),
            http::HeaderMap::new(),
            serde_json::to_vec(params).unwrap(),
        )
    }
    fn parse_response(
        &self,
        _params: &MessageCreateParams,
        response: http::Response<Bytes>,
    ) -> Result<Message, Error> {
        Ok(serde_json::from_slice(response.body()).unwrap())
    }
    fn framing(&self) -> Framing {
        self.0
    }
    fn stream_converter(&self, _params: &MessageCreateParams) -> Box<dyn StreamConverter> {
        Box::new(Conv { stopped: false })
    }
}

fn demo_events() -> Vec<Value> {
    let ex = load(&project_fixtures_dir(), "anthropic/demo_stream.json").unwrap();
    ex.response
        .body
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

fn aws(message_type: &str, event_type: &str, payload: &Value) -> Vec<u8> {
    let s = |v: &str| EventStreamHeaderValue::String(v.to_owned());
    let type_header = if message_type == "exception" {
        ":exception-type"
    } else {
        ":event-type"
    };
    EventStreamMessage {
        headers: vec![
            EventStreamHeader {
                name: ":message-type".into(),
                value: s(message_type),
            },
            EventStreamHeader {
                name: type_header.into(),
                value: s(event_type),
            },
            EventStreamHeader {
                name: ":content-type".into(),
                value: s("application/json"),
            },
        ],
        payload: Bytes::from(payload.to_string()),
    }
    .encode()
}

async fn stream_through(framing: Framing, body: Vec<u8>, chunk: usize) -> (Vec<Value>, Option<Error>) {
    let body = Bytes::from(body);
    let t = transport_fn(move |_req: http::Request<Bytes>| {
        let chunks: Vec<Bytes> = (0..body.len())
            .step_by(chunk)
            .map(|s| body.slice(s..(s + chunk).min(body.len())))
            .collect();
        async move { Ok(http::Response::new(ResponseBody::from_chunks(chunks))) }
    });
    let client = Client::builder()
        .env(MapEnv::empty())
        .register(Arc::new(Framed(framing)))
        .transport(Arc::new(t))
        .build()
        .unwrap();
    let params = anyllm::params("framed:m", 10, vec![anyllm::MessageParam::user("x")]);
    let mut s = client.messages(&params).stream().await.unwrap();
    let mut events = Vec::new();
    let mut err = None;
    while let Some(e) = s.next_event().await {
        match e {
            Ok(e) => events.push(serde_json::to_value(e).unwrap()),
            Err(e) => err = Some(e),
        }
    }
    (events, err)
}

#[tokio::test]
async fn ndjson_framing_and_the_finish_hook() {
    let want = demo_events();
    // The body omits the final message_stop: the converter's finish() adds it.
    let body: String = want[..want.len() - 1].iter().map(|v| format!("{v}\n")).collect();
    for chunk in [1, 7, 4096] {
        let (got, err) = stream_through(Framing::Ndjson, body.clone().into_bytes(), chunk).await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(got, want, "chunk {chunk}");
    }
}

#[tokio::test]
async fn aws_event_stream_framing_and_exceptions() {
    let want = demo_events();
    let body: Vec<u8> = want
        .iter()
        .flat_map(|v| aws("event", v["type"].as_str().unwrap(), v))
        .collect();
    for chunk in [3, 50, 1 << 16] {
        let (got, err) = stream_through(Framing::AwsEventStream, body.clone(), chunk).await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(got, want, "chunk {chunk}");
    }
    // An exception after two events ends the stream with a typed error.
    let mut body: Vec<u8> = want[..2]
        .iter()
        .flat_map(|v| aws("event", v["type"].as_str().unwrap(), v))
        .collect();
    body.extend(aws(
        "exception",
        "throttlingException",
        &serde_json::json!({"message": "Too many requests", "__type": "ThrottlingException"}),
    ));
    let (got, err) = stream_through(Framing::AwsEventStream, body, 64).await;
    assert_eq!(got.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.kind().as_str(), "rate_limit_error", "{err}");
    assert!(err
        .to_error_response()
        .error
        .message
        .contains("Too many requests"));
}
