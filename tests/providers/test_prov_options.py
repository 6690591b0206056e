"""`vdsl check` on a client's options, family by family (validate/option_tables.py).

Unknown keys warn, near misses of known keys are errors at the key, wrong types and ranges are
errors at the value, and a quoted key is sent unchecked. The Gemini rules are cross-checked
against the emulator's own reading of a generateContent body (an independent encoding of what
Vertex rejects).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vdsl
from vdsl.emulator.gemini_checks import normalize, validate
from vdsl.providers.catalog import lookup
from vdsl.validate.option_tables import FAMILY_BODIES, Spec
from vdsl.validate.request_fields import near_miss

MODELS = {"gemini": ("gemini-2.5-flash", "us-central1"),
          "anthropic": ("claude-sonnet-4-5@20250929", "us-east5"),
          "openai_compat": ("meta/llama-3.3-70b-instruct-maas", "us-central1"),
          "mistral": ("codestral-2501", "europe-west4"),
          "mistral_ocr": ("mistral-ocr-2505", "europe-west4"),
          "ai21": ("jamba-1.5-mini@001", "europe-west4")}
OPTION_CODES = ("unknown-option", "misspelt-option", "invalid-option", "thinking-budget")


def client(model: str, location: str, options: str) -> str:
    return (f'client<llm> C {{\n  provider vertex-ai\n  options {{\n    model "{model}"\n'
            f"    location {location}\n{options}\n  }}\n}}\n")


def check(tmp_path: Path, source: str) -> list[vdsl.Diagnostic]:
    path = tmp_path / "main.vdsl"
    path.write_text(source, encoding="utf-8")
    return [d for d in vdsl.check(str(path), use_cache=False) if d.code in OPTION_CODES]


def found(diagnostics: list[vdsl.Diagnostic]) -> list[tuple[str, str, int]]:
    return sorted((str(d.severity.value), d.code, d.span.line) for d in diagnostics
                  if d.span is not None)


def example(spec: Spec) -> str:
    """A value in vdsl syntax that `spec` accepts."""
    if spec.kind == "map" and spec.fields:
        return "{ " + ", ".join(f"{k} {example(v)}" for k, v in spec.fields.items()) + " }"
    if spec.kind == "map" and spec.values is not None:
        return f"{{ a {example(spec.values)} }}"
    if spec.kind in ("map", "any"):
        return "{ a 1 }"
    if spec.kind == "list":
        return f"[{example(spec.items or Spec('any'))}]"
    if spec.choices:
        return spec.choices[0]
    if spec.kind in ("int", "number"):
        return str(int(spec.minimum if spec.minimum is not None else 1))
    return {"bool": "true", "string": '"x"'}[spec.kind]


@pytest.mark.parametrize("family", sorted(FAMILY_BODIES))
def test_every_field_of_the_family_table_is_accepted(tmp_path: Path, family: str) -> None:
    model, location = MODELS[family]
    body = FAMILY_BODIES[family]
    lines = "\n".join(f"    {key} {example(spec)}" for key, spec in body.items()
                      if key not in ("thinking", "max_tokens"))
    assert found(check(tmp_path, client(model, location, lines))) == []


@pytest.mark.parametrize("family", sorted(FAMILY_BODIES))
def test_a_near_miss_of_each_field_is_an_error_at_its_line(tmp_path: Path,
                                                          family: str) -> None:
    model, location = MODELS[family]
    keys = [k for k in FAMILY_BODIES[family] if len(k) >= 6]
    misspelt = [key[:-1] if key[-1] != "s" else key + "s" for key in keys]  # one letter off
    misspelt = [m for m in misspelt if m not in FAMILY_BODIES[family]]
    lines = "\n".join(f"    {m} 1" for m in misspelt)
    diagnostics = check(tmp_path, client(model, location, lines))
    by_line = {d.span.line: d for d in diagnostics if d.span is not None}
    for index, wrong in enumerate(misspelt):
        diagnostic = by_line.get(6 + index)
        assert diagnostic is not None and diagnostic.code == "misspelt-option", wrong
        assert diagnostic.is_error and "did you mean" in diagnostic.message


def test_max_token_on_claude_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    diagnostics = check(tmp_path, client("claude-sonnet-4-5@20250929", "us-east5",
                                         "    max_token 2048"))
    assert found(diagnostics) == [("error", "misspelt-option", 6)]
    assert "`max_tokens`" in diagnostics[0].message


@pytest.mark.parametrize(("model", "location", "options", "expected"), [
    ("gemini-2.5-flash", "global", "    whatever 1", [("warning", "unknown-option", 6)]),
    ("gemini-2.5-flash", "global", "    temperature 0.2", [("warning", "unknown-option", 6)]),
    ("gemini-2.5-flash", "global", "    generationConfig { temprature 0.2 }",
     [("error", "misspelt-option", 6)]),
    ("gemini-2.5-flash", "global", "    generationConfig { temperature 2.5 }",
     [("error", "invalid-option", 6)]),
    ("gemini-2.5-flash", "global", '    generationConfig { maxOutputTokens "1024" }',
     [("error", "invalid-option", 6)]),
    ("gemini-2.5-flash", "global", "    generationConfig { max_output_tokens 1024 }", []),
    ("gemini-2.5-pro", "global",
     "    generationConfig { thinkingConfig { thinkingBudget 0 } }",
     [("error", "thinking-budget", 6)]),
    ("gemini-2.5-flash-lite", "global",
     "    generationConfig { thinkingConfig { thinkingBudget 100 } }",
     [("error", "thinking-budget", 6)]),
    ("gemini-2.5-flash", "global",
     "    generationConfig { thinkingConfig { thinkingBudget 0 } }", []),
    ("gemini-2.5-flash", "global",
     "    safetySettings [{ category HARM_CATEGORY_HARASMENT, threshold OFF }]",
     [("error", "invalid-option", 6)]),
    ("gemini-2.5-flash", "global", "    contents []", [("error", "invalid-option", 6)]),
    ("claude-sonnet-4-5@20250929", "us-east5", "    temperature 1.5",
     [("error", "invalid-option", 6)]),
    ("claude-sonnet-4-5@20250929", "us-east5",
     "    thinking { type enabled, budget_tokens 100 }", [("error", "invalid-option", 6)]),
    ("claude-sonnet-4-5@20250929", "us-east5", "    thinking { type enabeld }",
     [("error", "invalid-option", 6)]),
    ("claude-sonnet-4-5@20250929", "us-east5", "    stop_sequences \"END\"",
     [("error", "invalid-option", 6)]),
    ("claude-sonnet-4-5@20250929", "us-east5", "    generationConfig { temperature 0.2 }",
     [("warning", "unknown-option", 6)]),
    ("meta/llama-3.3-70b-instruct-maas", "us-central1", "    stop \"END\"", []),
    ("gemini-2.5-flash", "global", "    anthropic_version \"vertex-2023-10-16\"",
     [("warning", "unknown-option", 6)]),
    ("gemini-2.5-flash", "global", "    locaton us-central1", [("error", "misspelt-option", 6)]),
    ("gemini-2.5-flash", "global", "    temperature env.TEMPERATURE",
     [("warning", "unknown-option", 6)]),
    ("gemini-2.5-flash", "global", "    generationConfig { temperature env.TEMPERATURE }", []),
])
def test_option_rules(tmp_path: Path, model: str, location: str, options: str,
                      expected: list[tuple[str, str, int]]) -> None:
    assert found(check(tmp_path, client(model, location, options))) == expected


def test_a_quoted_key_is_the_escape_hatch_and_is_sent_verbatim(tmp_path: Path) -> None:
    options = ('    "brandNewField" { enabled true }\n'
               '    generationConfig { "futureKnob" 3, temperature 0.1 }')
    source = client("gemini-2.5-flash", "global", options) + (
        'function F(s: string) -> string {\n  client C\n  prompt #"{{ s }}"#\n}\n')
    assert found(check(tmp_path, source)) == []
    from vdsl.runtime import Runtime
    with Runtime(vdsl.loads(source)) as runtime:
        body = runtime.build_request("F", {"s": "hi"}).body
    assert body["brandNewField"] == {"enabled": True}
    assert body["generationConfig"] == {"futureKnob": 3, "temperature": 0.1}


@pytest.mark.parametrize(("key", "known", "meant"), [
    ("max_token", ["max_tokens", "temperature"], "max_tokens"),
    ("maxTokens", ["max_tokens"], "max_tokens"),
    ("topk", ["topK", "topP"], "topK"),
    ("top_k", ["top_p"], None),
    ("seed", ["speed"], None),
])
def test_near_miss(key: str, known: list[str], meant: str | None) -> None:
    assert near_miss(key, known) == meant


# ---- differential: vdsl check vs the emulator's reading of a Gemini body -------------------

_VALUES: dict[str, Any] = {
    "temperature": st.sampled_from([0, 0.5, 2, 2.5, -1]),
    "topP": st.sampled_from([0, 0.9, 1, 1.5]),
    "candidateCount": st.sampled_from([1, 8, 0, 9]),
    "maxOutputTokens": st.sampled_from([1, 1024, 0, 70000]),
    "responseMimeType": st.sampled_from(["application/json", "text/plain", "text/xml"]),
    "seed": st.sampled_from([0, 7]),
    "thinkingConfig": st.fixed_dictionaries(
        {"thinkingBudget": st.sampled_from([-1, 0, 100, 1024, 30000])}),
}


def _vdsl_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} {_vdsl_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value) if isinstance(value, str) else str(value)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"]),
       config=st.dictionaries(st.sampled_from(sorted(_VALUES)), st.integers(), max_size=4)
       .flatmap(lambda d: st.fixed_dictionaries({k: _VALUES[k] for k in d})))
def test_gemini_config_agrees_with_the_emulator(tmp_path_factory: pytest.TempPathFactory,
                                                model: str, config: dict[str, Any]) -> None:
    """An error from `vdsl check` ⇔ the emulator answers 400 (max_tokens above the model's
    limit is only a warning in vdsl: Vertex may cap it)."""
    tmp = tmp_path_factory.mktemp("gemini")
    options = f"    generationConfig {_vdsl_value(config)}" if config else ""
    errors = [d for d in check(tmp, client(model, "global", options)) if d.is_error]
    info = lookup(model)
    assert info is not None
    compared = {k: v for k, v in config.items()
                if not (k == "maxOutputTokens" and v > info.max_output_tokens)}
    body = normalize({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                      "generationConfig": compared})
    rejected = validate(body, info, "v1") is not None
    assert bool(errors) == rejected, (config, [d.message for d in errors])


def test_the_table_knows_every_option_the_runtime_consumes() -> None:
    """What `providers.options` keeps out of the body is exactly what the check treats as
    vdsl's own options: a new consumed option cannot slip past the table."""
    from vdsl.providers.options import CONSUMED
    from vdsl.validate.option_tables import CLIENT_OPTIONS, FAMILY_ONLY
    assert set(CONSUMED) == set(CLIENT_OPTIONS) | set(FAMILY_ONLY)
