#!/usr/bin/env python3
"""The official `anthropic` Python SDK against a running `anyllm serve`.

Driven by `crates/anyllm-server/tests/sdk.rs`, which starts the gateway on
127.0.0.1 with replay upstreams (the project's OpenAI and Anthropic demo
fixtures) and passes its URL as argv[1]. Aliases (see that test's config):
`fast` -> openai:gpt-4.1-mini (replayed), `busy` -> an upstream answering 529.
Client keys: `client-key-a` (no limit), `client-key-b` (1 request a minute).
Exits non-zero with a message on the first failed check.
"""

import sys

import anthropic
from sdk_gateway_common import expect, gateway_client

BASE = sys.argv[1]
SYSTEM = "You are a concise assistant. Answer in one sentence."
MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]


def client(key="client-key-a"):
    return gateway_client(BASE, key)


c = client()

msg = c.messages.create(model="fast", max_tokens=200, system=SYSTEM, messages=MESSAGES)
assert msg.model == "fast", msg.model
assert msg.content[0].type == "text" and "sky" in msg.content[0].text, msg
assert msg.stop_reason == "end_turn", msg.stop_reason

with c.messages.stream(model="fast", max_tokens=200, system=SYSTEM, messages=MESSAGES) as stream:
    text = "".join(stream.text_stream)
    final = stream.get_final_message()
assert text and text == final.content[0].text, (text, final)
assert final.model == "fast", final.model

counted = c.messages.count_tokens(model="claude-haiku-4-5", system=SYSTEM, messages=MESSAGES)
assert counted.input_tokens == 24, counted

expect(anthropic.AuthenticationError, lambda: client("wrong").messages.create(
    model="fast", max_tokens=10, messages=MESSAGES))
expect(anthropic.NotFoundError, lambda: c.messages.create(
    model="nosuch:model", max_tokens=10, messages=MESSAGES))
e = expect(anthropic.APIStatusError, lambda: c.messages.create(
    model="busy", max_tokens=10, messages=MESSAGES))
assert e.status_code == 529 and e.body["error"]["type"] == "overloaded_error", (e.status_code, e.body)

limited = client("client-key-b")
expect(anthropic.NotFoundError, lambda: limited.messages.create(
    model="nosuch:model", max_tokens=10, messages=MESSAGES))
e = expect(anthropic.RateLimitError, lambda: limited.messages.create(
    model="fast", max_tokens=10, messages=MESSAGES))
assert e.response.headers.get("retry-after"), e.response.headers
assert e.response.headers.get("request-id", "").startswith("req_")

print("sdk_against_gateway: all checks passed")
