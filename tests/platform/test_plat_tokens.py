"""Token counts per family (Vertex's endpoints, or the local estimate), the
`max_input_tokens` budget checked before sending (through fallbacks, sync and async), and
`vdsl check`'s warnings for test prompts that cannot fit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vdsl
from vdsl.emulator import Emulator
from vdsl.errors import BudgetError
from vdsl.runtime import Runtime
from vdsl.tokens.estimate import estimate_text

Make = Callable[..., Runtime]

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1 %(flash)s }
}
client<llm> Sonnet {
  provider vertex-ai
  options { model "claude-sonnet-4-5@20250929", location us-east5 }
}
client<llm> Llama {
  provider vertex-ai
  options { model "meta/llama-3.3-70b-instruct-maas", location us-central1 }
}
client<llm> Chain {
  provider fallback
  options { strategy [Flash, Sonnet] }
}
function Echo(text: string) -> string {
  client Chain
  prompt #"
    {{ _.role("system") }} Repeat the text.
    {{ _.role("user") }} {{ text }}
  "#
}
"""


def _source(flash: str = "") -> str:
    return SOURCE % {"flash": flash}


def test_gemini_counts_with_count_tokens(runtime_for: Make, emulator: Emulator) -> None:
    count = runtime_for(_source(", safetySettings [{ category HARM_CATEGORY_HARASSMENT, "
                                "threshold BLOCK_NONE }]")).count_tokens(
        "Echo", {"text": "x" * 400}, client="Flash")
    request = emulator.requests[-1]
    assert request.path.endswith("/gemini-2.5-flash:countTokens")
    assert set(request.body) == {"system_instruction", "contents"}  # no safetySettings
    assert (count.method, count.client, count.context_window) == ("endpoint", "Flash",
                                                                  1_048_576)
    assert count.input_tokens == 105  # the emulator: 4 characters a token, texts joined


def test_claude_counts_with_count_tokens_raw_predict(runtime_for: Make,
                                                     emulator: Emulator) -> None:
    count = runtime_for(_source()).count_tokens("Echo", {"text": "hello"}, client="Sonnet")
    request = emulator.requests[-1]
    assert request.path.endswith("/publishers/anthropic/models/count-tokens:rawPredict")
    assert request.body["model"] == "claude-sonnet-4-5@20250929"
    assert "max_tokens" not in request.body and request.body["system"]
    assert count.method == "endpoint" and count.input_tokens > 0


def test_families_without_an_endpoint_are_estimated_locally(runtime_for: Make,
                                                            emulator: Emulator) -> None:
    count = runtime_for(_source()).count_tokens("Echo", {"text": "x" * 400}, client="Llama")
    assert emulator.requests == []
    assert count.method == "estimate" and count.input_tokens >= 100


def test_the_function_client_s_first_member_is_counted(runtime_for: Make) -> None:
    assert runtime_for(_source()).count_tokens("Echo", {"text": "x"}).client == "Flash"


def test_a_budget_refuses_before_sending_and_the_fallback_moves_on(
        runtime_for: Make, emulator: Emulator) -> None:
    rt = runtime_for(_source(", max_input_tokens 50"))
    result = rt.complete("Echo", {"text": "x" * 400})
    assert result.client == "Sonnet"
    paths = [r.path.rsplit("/", 1)[-1] for r in emulator.requests]
    assert paths == ["gemini-2.5-flash:countTokens", "claude-sonnet-4-5@20250929:rawPredict"]
    assert "max_input_tokens 50" in (result.attempts[0].error or "")


def test_a_budget_error_says_what_was_counted(runtime_for: Make) -> None:
    rt = runtime_for(_source(", max_input_tokens 50"))
    with pytest.raises(BudgetError) as info:
        rt.complete("Echo", {"text": "x" * 400}, client="Flash")
    assert (info.value.limit, info.value.method) == (50, "endpoint")
    assert info.value.tokens == 105


def test_a_prompt_within_budget_is_counted_once_and_sent(runtime_for: Make,
                                                         emulator: Emulator) -> None:
    rt = runtime_for(_source(", max_input_tokens 500"))  # the same prompt is counted once
    rt.complete("Echo", {"text": "short"}, client="Flash")
    rt.complete("Echo", {"text": "short"}, client="Flash")
    methods = [r.path.rsplit(":", 1)[-1] for r in emulator.requests]
    assert methods.count("countTokens") == 1


def test_async_calls_check_the_budget_too(runtime_for: Make, emulator: Emulator) -> None:
    rt = runtime_for(_source(", max_input_tokens 50"))
    with pytest.raises(BudgetError):
        asyncio.run(rt.acomplete("Echo", {"text": "x" * 400}, client="Flash"))
    assert all(":countTokens" in r.path for r in emulator.requests)
    events = list(rt.stream("Echo", {"text": "hi"}, client="Flash"))
    assert events


@given(st.text(max_size=200), st.text(max_size=200))
def test_the_estimate_grows_with_text_and_never_exceeds_characters(a: str, b: str) -> None:
    assert estimate_text(a + b) >= max(estimate_text(a), estimate_text(b)) - 1
    assert estimate_text(a) <= len(a)
    assert estimate_text(a) >= len(a) / 4


def _check(tmp_path: Path, source: str) -> list[tuple[str, str]]:
    path = tmp_path / "main.vdsl"
    path.write_text(source)
    return [(d.code, d.message) for d in vdsl.check(path, use_cache=False)]


def test_check_warns_when_a_test_prompt_exceeds_the_context_window(tmp_path: Path) -> None:
    source = _source().replace("meta/llama-3.3-70b-instruct-maas",
                               "meta/llama-3.3-70b-instruct-maas") + """
function Short(text: string) -> string {
  client Llama
  prompt #"{{ text }}"#
}
test Huge {
  functions [Short]
  args { text "%s" }
}
""" % ("word " * 110_000)
    found = [m for c, m in _check(tmp_path, source) if c == "prompt-over-context-window"]
    assert len(found) == 1 and "128000-token context window" in found[0]


def test_check_warns_when_a_test_prompt_exceeds_the_budget(tmp_path: Path) -> None:
    source = _source(", max_input_tokens 20") + """
test Long {
  functions [Echo]
  args { text "%s" }
}
""" % ("word " * 40)
    found = [m for c, m in _check(tmp_path, source) if c == "prompt-over-budget"]
    assert len(found) == 1 and "max_input_tokens 20" in found[0]


def test_check_is_quiet_for_small_tests(tmp_path: Path) -> None:
    source = _source(", max_input_tokens 2000") + """
test Small {
  functions [Echo]
  args { text "hello" }
}
"""
    assert not [c for c, _ in _check(tmp_path, source) if c.startswith("prompt-over")]


def test_check_warns_when_a_cache_would_hold_too_few_tokens(tmp_path: Path) -> None:
    sample = (Path(__file__).resolve().parents[2] / "samples" / "manual" /
              "manual.vdsl").read_text()
    source = sample.replace("  client Flash\n", "  client CachedFlash\n")
    assert source != sample
    assert not [c for c, _ in _check(tmp_path, source) if c == "cache-below-minimum"]
    head, rest = source.split('    manual #"', 1)
    small = head + '    manual "just one line"\n' + rest.split('    "#\n', 1)[1]
    found = [m for c, m in _check(tmp_path, small) if c == "cache-below-minimum"]
    assert len(found) == 1 and "caches at least 2048" in found[0]


def test_an_api_key_goes_in_a_header_for_count_tokens_too(emulator: Emulator) -> None:
    source = _source(", project_id p, query_params { key env.VERTEX_KEY, alt json }")
    with Runtime(vdsl.loads(source), env={"VERTEX_KEY": emulator.api_key},
                 endpoint=emulator.url) as runtime:
        runtime.count_tokens("Echo", {"text": "hi"}, client="Flash")
    request = emulator.requests[-1]
    assert request.path.endswith("/gemini-2.5-flash:countTokens")
    assert request.query == {"alt": ["json"]}  # other query_params stay; `key` does not
    assert request.headers["x-goog-api-key"] == "<redacted>"  # received (the log redacts it)
