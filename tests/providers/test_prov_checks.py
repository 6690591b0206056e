"""`vdsl check` with the model catalog: what Vertex would reject is found at compile time."""

from __future__ import annotations

from pathlib import Path

import pytest

import vdsl


def client(model: str, options: str = "", name: str = "C", location: str = "us-east5") -> str:
    return f"""
client<llm> {name} {{
  provider vertex-ai
  options {{
    model "{model}"
    location {location}
    project_id p
    {options}
  }}
}}
"""


def fn(params: str = "text: string", client_name: str = "C", prompt: str = "{{ text }}") -> str:
    return f"""
function F({params}) -> string {{
  client {client_name}
  prompt #"{prompt}"#
}}
"""


def diagnose(tmp_path: Path, source: str) -> list[tuple[str, str, str]]:
    path = tmp_path / "main.vdsl"
    path.write_text(source, encoding="utf-8")
    return [(d.severity.value if hasattr(d.severity, "value") else str(d.severity), d.code,
             d.message + " | " + (d.help or "")) for d in vdsl.check(str(path), use_cache=False)]


def codes(found: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return sorted((severity, code) for severity, code, _ in found)


CASES = [
    ("typo-did-you-mean", client("claude-sonet-4@20250514") + fn(),
     [("warning", "unknown-model")], "did you mean `claude-sonnet-4@20250514`"),
    ("unknown-by-pattern", client("claude-next-9") + fn(),
     [("warning", "unknown-model")], "anthropic format"),
    ("retired", client("gemini-1.0-pro", location="us-central1") + fn(),
     [("error", "retired-model")], "retired"),
    ("retired-1.5", client("gemini-1.5-pro-002", location="us-central1") + fn(),
     [("error", "retired-model")], "did you mean"),
    ("gemini-2.0-known", client("gemini-2.0-flash-001", location="global") + fn(), [], ""),
    ("shorthand-typo", fn(client_name='"vertex-ai/gemini-2.5-flsh"'),
     [("warning", "unknown-model")], "did you mean `gemini-2.5-flash`"),
    ("shorthand-retired", fn(client_name='"vertex-ai/gemini-1.5-flash"'),
     [("error", "retired-model")], "retired"),
    ("global-without-endpoint", client("claude-3-haiku@20240307", location="global") + fn(),
     [("error", "no-global-endpoint")], "us-east5, europe-west1, asia-southeast1"),
    ("multi-region", client("meta/llama-3.3-70b-instruct-maas", location="eu") + fn(),
     [("error", "no-multi-region-endpoint")], "us-central1"),
    ("unlisted-region", client("meta/llama-3.3-70b-instruct-maas", location="asia-east1")
     + fn(), [("warning", "unlisted-region")], "listed regions: us-central1"),
    ("api-key-on-partner", client("mistral-large-2411", 'query_params { key env.KEY }',
                                  location="europe-west4") + fn(),
     [("error", "api-key-unsupported")], "Gemini models only"),
    ("api-key-on-gemini-ok", client("gemini-2.5-flash", 'query_params { key env.KEY }',
                                    location="global") + fn(), [], ""),
    ("thinking-unsupported", client("claude-3-5-haiku@20241022",
                                    "thinking { type enabled, budget_tokens 2048 }") + fn(),
     [("warning", "thinking-unsupported")], "does not think"),
    ("gemini-thinking-unsupported", client(
        "meta/llama-3.3-70b-instruct-maas", "generationConfig { thinkingConfig { "
        "thinkingBudget 128 } }", location="us-central1") + fn(),
     [("warning", "thinking-unsupported"), ("warning", "unknown-option")], ""),
    ("thinking-budget-over-max", client("claude-sonnet-4@20250514", "max_tokens 2000\n"
                                        "    thinking { type enabled, budget_tokens 4096 }")
     + fn(), [("error", "thinking-budget")], "below max_tokens"),
    ("thinking-budget-too-small", client("claude-sonnet-4@20250514",
                                         "thinking { type enabled, budget_tokens 100 }") + fn(),
     [("error", "invalid-option")], "at least 1024"),
    ("max-tokens-over-limit", client("claude-3-haiku@20240307", "max_tokens 100000") + fn(),
     [("warning", "max-tokens-over-limit")], "at most 4096"),
    ("bad-request-type", client("gemini-2.5-flash", 'request_type "dedicatd"',
                                location="us-central1") + fn(),
     [("error", "invalid-option")], "dedicated, shared"),
    ("pt-on-global", client("gemini-2.5-flash", "request_type dedicated", location="global")
     + fn(), [("warning", "tier-unavailable")], "global endpoint"),
    ("flex-on-partner", client("claude-opus-4-6", "shared_request_type flex") + fn(),
     [("warning", "tier-unavailable")], "Gemini models only"),
    ("tiers-ok", client("gemini-2.5-flash", "request_type shared\n    shared_request_type flex",
                        location="global") + fn(), [], ""),
    ("image-to-text-model", client("meta/llama-3.3-70b-instruct-maas",
                                   location="us-central1")
     + fn("photo: image", prompt="{{ photo }}"), [("error", "unsupported-input")],
     "it accepts: text"),
    ("audio-to-claude", client("claude-opus-4-6") + fn("clip: audio?", prompt="{{ clip }}"),
     [("error", "unsupported-input")], "text, image, pdf"),
    ("unconfirmed-pdf-is-a-warning", client("claude-3-haiku@20240307")
     + fn("doc: pdf[]", prompt="{{ doc }}"), [("warning", "unsupported-input")],
     "unconfirmed"),
    ("gemini-takes-video", client("gemini-2.5-pro", location="us-central1")
     + fn("v: video", prompt="{{ v }}"), [], ""),
    ("fallback-member-by-member",
     client("gemini-2.5-flash", name="A", location="us-central1")
     + client("jamba-1.5-mini@001", name="B", location="us-central1")
     + 'client<llm> Chain {\n  provider fallback\n  options { strategy [A, B, '
       '"vertex-ai/claude-opus-4-6"] }\n}\n'
     + fn("photo: image", client_name="Chain", prompt="{{ photo }}"),
     [("error", "unsupported-input")], "fallback `Chain`"),
    ("ocr-needs-document", client("mistral-ocr-2505", location="europe-west4") + fn(),
     [("error", "ocr-needs-document")], "pdf"),
    ("ocr-with-pdf-ok", client("mistral-ocr-2505", location="europe-west4")
     + fn("d: pdf", prompt="{{ d }}"), [], ""),
    ("fim-marker-on-wrong-model", client("mistral-large-2411", location="europe-west4")
     + fn(prompt="{{ text }}{{ _.suffix() }}"), [("error", "fim-unsupported")],
     "Codestral"),
    ("fim-option-without-marker", client("codestral-2501", "fim true",
                                         location="europe-west4") + fn(),
     [("error", "fim-without-suffix")], "_.suffix()"),
    ("fim-option-on-wrong-model", client("mistral-large-2411", "fim true",
                                         location="europe-west4")
     + fn(prompt="{{ text }}{{ _.suffix() }}"),
     [("error", "fim-unsupported"), ("error", "fim-unsupported")], "Codestral"),
    ("fim-ok", client("codestral-2501", "fim true", location="europe-west4")
     + fn(prompt="{{ text }}{{ _.suffix() }}"), [], ""),
    ("bad-publisher", client("my-model", "publisher acme", location="us-central1") + fn(),
     [("error", "invalid-option"), ("warning", "unknown-model")], "one of: google"),
]


@pytest.mark.parametrize(("source", "expected", "text"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_catalog_checks(tmp_path: Path, source: str, expected: list[tuple[str, str]],
                        text: str) -> None:
    found = diagnose(tmp_path, source)
    assert codes(found) == sorted(expected), found
    assert not found or any(text in message for _, _, message in found), found
