#!/usr/bin/env python3
"""The official `anthropic` Python SDK against `anyllm serve`, upstreams replaying RECORDED traffic.

Driven by `crates/anyllm-server/tests/sdk_recorded.rs`, which starts the gateway on
127.0.0.1 in front of replay servers holding real recorded exchanges and passes
argv[1] = the gateway URL, argv[2] = the recorded-fixtures directory.

The replay servers answer only the exact native request that was recorded, so every
Anthropic request below is DERIVED from the recorded native request (system prompt,
user turn, tool definition, token limits), and the second turn of each tool round
trip sends back the gateway's own reply content (thinking, text, tool_use) plus the
tool result the recording carries. Aliases (see the test's config):

- `reasoner` -> deepseek:deepseek-v4-flash (OpenAI-compatible, `reasoning_content`)
- `gem`      -> gemini:gemini-2.5-flash (thought parts, thought signatures)
- `busy`     -> groq: an upstream answering 529
- `fallback` -> [the 529 upstream, deepseek]

Client keys: `client-key-a` (no limit), `client-key-b` (1 request a minute).
Exits non-zero with a message on the first failed check.
"""

import json
import os
import sys

import anthropic
from sdk_gateway_common import expect, gateway_client

BASE = sys.argv[1]
RECORDED = sys.argv[2]


def recorded(name):
    with open(os.path.join(RECORDED, name), encoding="utf-8") as f:
        return json.load(f)


def check(cond, what):
    if not cond:
        raise SystemExit(f"check failed: {what}")


def client(key="client-key-a"):
    return gateway_client(BASE, key)


def blocks(msg, kind):
    return [b for b in msg.content if b.type == kind]


# ---- the conversations, derived from the recorded native requests ----------


def from_openai_chat(first, second):
    """An OpenAI-compatible tool round trip: (request kwargs, tool result text)."""
    body = first["request"]["body"]
    system = next(m["content"] for m in body["messages"] if m["role"] == "system")
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    tools = [
        {
            "name": t["function"]["name"],
            "description": t["function"]["description"],
            "input_schema": t["function"]["parameters"],
        }
        for t in body["tools"]
    ]
    check(body["thinking"] == {"type": "enabled"}, "the recording has thinking on")
    kwargs = dict(
        max_tokens=body["max_tokens"],
        system=system,
        messages=[{"role": "user", "content": user}],
        tools=tools,
        # DeepSeek takes no budget; Anthropic's request needs one.
        thinking={"type": "enabled", "budget_tokens": 1024},
    )
    result = next(m for m in second["request"]["body"]["messages"] if m["role"] == "tool")
    return kwargs, result["content"]


def from_gemini(first, second):
    """A Gemini tool round trip: (request kwargs, tool result text)."""
    body = first["request"]["body"]
    gc = body["generationConfig"]
    user = body["contents"][0]["parts"][0]["text"]
    tools = [
        {"name": f["name"], "description": f["description"], "input_schema": f["parameters"]}
        for t in body["tools"]
        for f in t["functionDeclarations"]
    ]
    kwargs = dict(
        max_tokens=gc["maxOutputTokens"],
        system=body["systemInstruction"]["parts"][0]["text"],
        messages=[{"role": "user", "content": user}],
        tools=tools,
        thinking={"type": "enabled", "budget_tokens": gc["thinkingConfig"]["thinkingBudget"]},
    )
    part = second["request"]["body"]["contents"][-1]["parts"][0]
    return kwargs, part["functionResponse"]["response"]["result"]


def follow_up(kwargs, reply, result):
    """The second turn: the reply as it came back, then the tool result."""
    (use,) = blocks(reply, "tool_use")
    messages = kwargs["messages"] + [
        {"role": "assistant", "content": reply.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": result}]},
    ]
    return dict(kwargs, messages=messages)


c = client()

# ---- messages.create: tool round trip with thinking (OpenAI-compatible) ----
DS = "deepseek/reasoning_tool_roundtrip__nonstreaming__"
ds0, ds1 = recorded(DS + "0.json"), recorded(DS + "1.json")
kwargs, result = from_openai_chat(ds0, ds1)
native = json.loads(ds0["response"]["body"])["choices"][0]["message"]

first = c.messages.create(model="reasoner", **kwargs)
check(first.model == "reasoner", f"model names the alias: {first.model}")
check(first.stop_reason == "tool_use", f"stop_reason: {first.stop_reason}")
check([b.type for b in first.content] == ["thinking", "text", "tool_use"], first.content)
check(blocks(first, "thinking")[0].thinking == native["reasoning_content"], "thinking = reasoning_content")
check(blocks(first, "text")[0].text == native["content"], "text = content")
(use,) = blocks(first, "tool_use")
check(use.name == "get_weather" and use.input == {"city": "Tokyo"}, use)
check(first.usage.input_tokens > 0 and first.usage.output_tokens == 82, first.usage)

final = c.messages.create(model="reasoner", **follow_up(kwargs, first, result))
answer = json.loads(ds1["response"]["body"])["choices"][0]["message"]
check(final.stop_reason == "end_turn", final.stop_reason)
check(blocks(final, "text")[0].text == answer["content"], "final answer = recorded content")
check(blocks(final, "thinking")[0].thinking == answer["reasoning_content"], "final thinking")

# ---- messages.stream: the streamed recording of the same round trip --------
DSS = "deepseek/reasoning_tool_roundtrip__streaming__"
dss0, dss1 = recorded(DSS + "0.json"), recorded(DSS + "1.json")
kwargs_s, result_s = from_openai_chat(dss0, dss1)
with c.messages.stream(model="reasoner", **kwargs_s) as stream:
    events = [ev.type for ev in stream]
    streamed_first = stream.get_final_message()
check("message_start" in events and events[-1] == "message_stop", events)
check(streamed_first.stop_reason == "tool_use", streamed_first.stop_reason)
check(streamed_first.model == "reasoner", streamed_first.model)
check(blocks(streamed_first, "thinking") and blocks(streamed_first, "tool_use"), streamed_first.content)

with c.messages.stream(model="reasoner", **follow_up(kwargs_s, streamed_first, result_s)) as stream:
    text = "".join(stream.text_stream)
    streamed_final = stream.get_final_message()
check(text and text == blocks(streamed_final, "text")[0].text, (text, streamed_final))
check("sunscreen" in text.lower(), text)
check(blocks(streamed_final, "thinking")[0].thinking, "streamed thinking")
check(streamed_final.stop_reason == "end_turn", streamed_final.stop_reason)

# ---- a Gemini alias: tool round trip with thoughts and thought signatures --
GM = "gemini/chat_history__chat_appends_reasoning_tool_turns_to_caller_history__"
gm0, gm1 = recorded(GM + "0.json"), recorded(GM + "1.json")
kwargs_g, result_g = from_gemini(gm0, gm1)
g_first = c.messages.create(model="gem", **kwargs_g)
check(g_first.model == "gem", g_first.model)
check(g_first.stop_reason == "tool_use", g_first.stop_reason)
check(blocks(g_first, "thinking") and blocks(g_first, "thinking")[0].thinking.startswith("**Analyzing"), g_first.content)
(g_use,) = blocks(g_first, "tool_use")
check(g_use.input == {"city": "Tokyo, Japan"}, g_use)
g_final = c.messages.create(model="gem", **follow_up(kwargs_g, g_first, result_g))
check("sunscreen" in blocks(g_final, "text")[0].text, g_final.content)
check(blocks(g_final, "thinking"), "the final Gemini turn carries its thought")

# ---- messages.count_tokens through the Gemini alias (its countTokens) ------
counted = c.messages.count_tokens(
    model="gem", system=kwargs_g["system"], messages=kwargs_g["messages"], tools=kwargs_g["tools"]
)
check(counted.input_tokens == 144, counted)

# ---- typed exceptions ------------------------------------------------------
small = dict(max_tokens=10, messages=[{"role": "user", "content": "hi"}])
e = expect(anthropic.AuthenticationError, lambda: client("wrong").messages.create(model="reasoner", **small))
check(e.status_code == 401 and e.body["error"]["type"] == "authentication_error", e.body)
e = expect(anthropic.NotFoundError, lambda: c.messages.create(model="nosuch:model", **small))
check(e.body["error"]["type"] == "not_found_error", e.body)
# 2.14.0 maps 529 to anthropic.OverloadedError (a subclass of InternalServerError).
e = expect(anthropic.OverloadedError, lambda: c.messages.create(model="busy", **small))
check(isinstance(e, anthropic.InternalServerError) and e.status_code == 529, e)
check(e.body["error"]["type"] == "overloaded_error", e.body)

limited = client("client-key-b")
expect(anthropic.NotFoundError, lambda: limited.messages.create(model="nosuch:model", **small))
e = expect(anthropic.RateLimitError, lambda: limited.messages.create(model="reasoner", **small))
check(int(e.response.headers.get("retry-after", "0")) >= 1, e.response.headers)
check(e.body["error"]["type"] == "rate_limit_error", e.body)
check(e.response.headers.get("request-id", "").startswith("req_"), e.response.headers)

# ---- fallback: the 529 target first, the recorded deepseek one second ------
raw = c.messages.with_raw_response.create(model="fallback", **kwargs)
check(raw.headers.get("anyllm-served-by") == "deepseek:deepseek-v4-flash", raw.headers)
fell_back = raw.parse()
check(fell_back.model == "fallback", fell_back.model)
check(blocks(fell_back, "tool_use")[0].input == {"city": "Tokyo"}, fell_back.content)

print("sdk_recorded_traffic: all checks passed")
