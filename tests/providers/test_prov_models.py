"""Every catalog model: its golden request (call and stream, as `vdsl render --request`
shows them) and a round trip through the emulator (call and stream)."""

from __future__ import annotations

import pytest
from prov_helpers import LIVE, call_for, check_golden, golden_name, preview, source_for

from vdsl.providers import adapter_for
from vdsl.providers.catalog import ModelInfo, estimate_cost


@pytest.mark.parametrize("info", LIVE, ids=lambda m: m.id)
def test_golden_request(info: ModelInfo) -> None:
    runtime = preview(source_for(info))
    function, args = call_for(info)
    requests = {"call": runtime.build_request(function, args).redacted()}
    if adapter_for(info.id).SUPPORTS_STREAMING:
        requests["stream"] = runtime.build_request(function, args, stream=True).redacted()
    check_golden(golden_name(info.id), requests)


@pytest.mark.parametrize("info", LIVE, ids=lambda m: m.id)
def test_round_trip_call(info: ModelInfo, make_runtime, emulator) -> None:
    runtime = make_runtime(source_for(info))
    function, args = call_for(info)
    result = runtime.complete(function, args)
    sent = emulator.requests[-1]
    assert sent.status == 200
    assert sent.body == runtime.build_request(function, args).body
    assert result.text and (result.finish_reason or "").lower() in ("stop", "end_turn")
    assert result.usage is not None
    if info.family == "mistral_ocr":
        assert result.usage.pages == 1 and "OCR of a application/pdf" in result.text
        return
    assert result.text == f"[{info.id}] echo: hello there"
    assert result.usage.input_tokens and result.usage.output_tokens
    if info.input_price is not None:
        cost = estimate_cost(info.id, result.usage)
        assert cost is not None and cost > 0


@pytest.mark.parametrize("info", [m for m in LIVE if adapter_for(m.id).SUPPORTS_STREAMING],
                         ids=lambda m: m.id)
def test_round_trip_stream(info: ModelInfo, make_runtime, emulator) -> None:
    runtime = make_runtime(source_for(info))
    stream = runtime.stream("Say", {"text": "hello there"})
    deltas = [event.delta for event in stream]
    result = stream.result()
    assert emulator.requests[-1].body == runtime.build_request(
        "Say", {"text": "hello there"}, stream=True).body
    assert "".join(deltas) == result.text == f"[{info.id}] echo: hello there"
    assert len(deltas) > 1, "the reply should arrive in pieces"
    assert (result.finish_reason or "").lower() in ("stop", "end_turn")
    assert result.usage is not None and result.usage.output_tokens
