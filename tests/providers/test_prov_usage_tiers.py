"""Usage, estimated cost, and the Provisioned Throughput / PayGo tier headers."""

from __future__ import annotations

import pytest

from vdsl.providers import adapter_for
from vdsl.providers.base import Usage
from vdsl.providers.catalog import MODELS, estimate_cost
from vdsl.providers.options import resolve_options


def test_cost_is_list_price_per_million_tokens() -> None:
    # claude-sonnet-4-5: $3 in, $15 out, cache reads at 10%
    usage = Usage(input_tokens=100_000, output_tokens=100_000, cached_tokens=0)
    assert estimate_cost("claude-sonnet-4-5@20250929", usage) == pytest.approx(0.3 + 1.5)
    cached = Usage(input_tokens=100_000, output_tokens=0, cached_tokens=50_000)
    assert estimate_cost("claude-sonnet-4-5", cached) == pytest.approx(0.15 + 0.015)
    long = Usage(input_tokens=1_000_000, output_tokens=0, cached_tokens=0)
    assert estimate_cost("claude-sonnet-4-5", long) == pytest.approx(6.0)  # 1M-context tier


def test_thinking_tokens_bill_as_output_and_long_prompts_use_their_tier() -> None:
    usage = Usage(input_tokens=1000, output_tokens=1000, thinking_tokens=1000)
    assert estimate_cost("gemini-2.5-pro", usage) == pytest.approx((1000 * 1.25
                                                                    + 2000 * 10) / 1e6)
    long = Usage(input_tokens=300_000, output_tokens=0)
    assert estimate_cost("gemini-2.5-pro", long) == pytest.approx(300_000 * 2.5 / 1e6)


@pytest.mark.parametrize(("model", "usage"), [
    ("no-such-model", Usage(10, 10)),
    ("meta/llama-3.1-8b-instruct-maas", Usage(10, 10)),  # no published price recorded
    ("mistral-ocr-2505", Usage(pages=3)),  # per-page price not recorded
    ("gemini-2.5-flash", Usage()),
    ("gemini-2.5-flash", None),
])
def test_no_estimate_without_a_price_or_counts(model: str, usage: Usage | None) -> None:
    assert estimate_cost(model, usage) is None


def test_every_priced_model_has_both_prices() -> None:
    for info in MODELS:
        assert (info.input_price is None) == (info.output_price is None), info.id
        if info.cached_input_price is not None:
            assert info.input_price and info.cached_input_price < info.input_price


def test_usage_merge_keeps_earlier_fields_and_takes_later_ones() -> None:
    start = Usage(input_tokens=10, cached_tokens=2)
    assert start.merged(Usage(output_tokens=4)) == Usage(10, 4, None, 2, 14)  # total added up
    assert start.merged(Usage(input_tokens=11)).input_tokens == 11
    assert start.merged(None) is start
    assert Usage(pages=2).to_dict() == {"pages": 2}


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "claude-opus-4-6",
                                   "meta/llama-3.3-70b-instruct-maas", "mistral-large-2411",
                                   "mistral-ocr-2505", "jamba-1.5-mini@001"])
def test_tier_options_become_headers_for_every_family(model: str) -> None:
    options = resolve_options("C", {"model": model, "location": "us-central1",
                                    "request_type": "shared", "shared_request_type": "flex"},
                              {})
    assert adapter_for(model).extra_headers(options) == {
        "x-vertex-ai-llm-request-type": "shared",
        "x-vertex-ai-llm-shared-request-type": "flex"}
    assert "request_type" not in options.passthrough
    plain = resolve_options("C", {"model": model, "location": "us-central1"}, {})
    assert adapter_for(model).extra_headers(plain) == {}


def test_tier_values_from_env_are_resolved() -> None:
    options = resolve_options("C", {"model": "gemini-2.5-flash", "location": "global",
                                    "request_type": {"$env": "TIER"}}, {"TIER": "dedicated"})
    assert adapter_for("gemini-2.5-flash").extra_headers(options) == {
        "x-vertex-ai-llm-request-type": "dedicated"}
