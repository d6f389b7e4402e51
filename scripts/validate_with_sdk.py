#!/usr/bin/env python3
"""Validates converted replies with the official `anthropic` Python package.

The second, independent check of issue 11: the Rust test
`messages-convert/tests/reply_vocabulary.rs` writes every message and stream
event converted from the recorded traffic to `<dir>/<family>.jsonl` (one
`{"file", "kind": "message"|"event", "value"}` object a line); this script
validates each value with the SDK's own pydantic models:

* messages with `anthropic.types.Message`, events with the
  `anthropic.types.RawMessageStreamEvent` union (a pydantic `TypeAdapter`);
* Anthropic pass-through replies (family `anthropic`) that the non-beta
  models reject are checked against the `beta` models instead
  (`BetaMessage`, `BetaRawMessageStreamEvent`): the reply is Anthropic's own;
* `ping` and `error` events are not in that union (the SDK handles them at
  the SSE layer: it skips pings and raises errors): a ping must be exactly
  `{"type": "ping"}`, an error event is validated with
  `anthropic.types.ErrorResponse`;
* an `image` block (Gemini image output, the one documented extension of the
  reply vocabulary, see docs/providers.md) is validated with
  `anthropic.types.ImageBlockParam`, then left out of the message/event
  validated with the reply models (they have no image block).

Exit status 1 when any value is rejected, or when there is nothing to check.

Usage: validate_with_sdk.py [DIR]   (default: target/sdk-validation)
"""
import json
import pathlib
import sys

import anthropic
from pydantic import TypeAdapter, ValidationError
from anthropic.types import ErrorResponse, ImageBlockParam, Message, RawMessageStreamEvent
from anthropic.types.beta import BetaMessage, BetaRawMessageStreamEvent

MESSAGE = TypeAdapter(Message)
EVENT = TypeAdapter(RawMessageStreamEvent)
BETA_MESSAGE = TypeAdapter(BetaMessage)
BETA_EVENT = TypeAdapter(BetaRawMessageStreamEvent)
IMAGE = TypeAdapter(ImageBlockParam)
ERROR = TypeAdapter(ErrorResponse)
# Families whose replies are Anthropic's own, passed through unchanged.
PASS_THROUGH = {"anthropic"}


def without_images(kind, value):
    """The value with image blocks validated and left out (the extension)."""
    if kind == "message":
        blocks = value.get("content", [])
        for b in blocks:
            if b.get("type") == "image":
                IMAGE.validate_python(b, strict=True)
        return dict(value, content=[b for b in blocks if b.get("type") != "image"])
    if value.get("type") == "content_block_start" and value["content_block"].get("type") == "image":
        IMAGE.validate_python(value["content_block"], strict=True)
        return dict(value, content_block={"type": "text", "text": ""})
    return value


def validate(family, kind, value):
    """None when the SDK accepts the value, else the validation error text."""
    try:
        value = without_images(kind, value)
    except ValidationError as e:
        return f"image block: {e}"
    if kind == "event" and value.get("type") == "ping":
        return None if value == {"type": "ping"} else f"ping with fields: {value}"
    if kind == "event" and value.get("type") == "error":
        try:
            ERROR.validate_python(value)
            return None
        except ValidationError as e:
            return str(e)
    adapter, beta = (MESSAGE, BETA_MESSAGE) if kind == "message" else (EVENT, BETA_EVENT)
    try:
        adapter.validate_python(value)
        return None
    except ValidationError as e:
        if family not in PASS_THROUGH:
            return str(e)
        try:
            beta.validate_python(value)
            return None
        except ValidationError as e2:
            return str(e2)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/sdk-validation")
    files = sorted(out.glob("*.jsonl"))
    if not files:
        print(f"validate_with_sdk: no converted values in {out}", file=sys.stderr)
        return 1
    failures, total = [], 0
    for path in files:
        family = path.stem
        counts = {"message": 0, "event": 0}
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            counts[rec["kind"]] += 1
            total += 1
            err = validate(family, rec["kind"], rec["value"])
            if err:
                failures.append(f"{family} {rec['file']} ({rec['kind']}): {err}\n  {json.dumps(rec['value'])[:600]}")
        print(f"validate_with_sdk: {family}: {counts['message']} messages, {counts['event']} events "
              f"(anthropic {anthropic.__version__})")
    if total == 0:
        print("validate_with_sdk: nothing to check", file=sys.stderr)
        return 1
    if failures:
        print(f"validate_with_sdk: {len(failures)} of {total} values rejected:", file=sys.stderr)
        for f in failures[:30]:
            print(f, file=sys.stderr)
        return 1
    print(f"validate_with_sdk: all {total} values valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
