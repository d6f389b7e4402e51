"""Shared by the scripts that drive the official `anthropic` SDK against a
running gateway (`sdk_against_gateway.py`, `sdk_recorded_traffic.py`): the
client they use and the check that a call raises the SDK's typed exception.
"""

import anthropic


def gateway_client(base, key="client-key-a"):
    """An SDK client for the gateway at `base`: no retries, 20 s timeout."""
    return anthropic.Anthropic(base_url=base, api_key=key, max_retries=0, timeout=20)


def expect(exc_type, fn):
    """Calls `fn`, which must raise `exc_type`; returns the exception."""
    try:
        fn()
    except exc_type as e:
        return e
    except Exception as e:  # noqa: BLE001 - report the wrong type
        raise SystemExit(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}")
    raise SystemExit(f"expected {exc_type.__name__}, got a reply")
