"""Sources and goldens shared by the provider tests: one small project per catalog model."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import vdsl
from vdsl.emulator import Emulator
from vdsl.providers.catalog import MODELS, ModelInfo
from vdsl.runtime import Runtime, StaticToken

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("VDSL_UPDATE_GOLDENS") == "1"
LIVE = [m for m in MODELS if not m.retired]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
PDF = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg=="


def client(info: ModelInfo, extra: str = "", name: str = "C") -> str:
    location = info.regions[0] if info.regions else "global"
    return f"""
client<llm> {name} {{
  provider vertex-ai
  options {{
    model "{info.id}"
    location {location}
    project_id test-project
    {extra}
  }}
}}
"""


SAY = """
function Say(text: string) -> string {
  client C
  prompt #"
    {{ _.role("system") }} Answer briefly.
    {{ _.role("user") }} {{ text }}
  "#
}
"""
READ = """
function Read(document: pdf) -> string {
  client C
  prompt #"{{ document }}"#
}
"""
FILL = """
function Fill(before: string, after: string) -> string {
  client C
  prompt #"{{ before }}{{ _.suffix() }}{{ after }}"#
}
"""


def source_for(info: ModelInfo, extra: str = "") -> str:
    """The project a model's golden request and round trip use."""
    body = READ if info.family == "mistral_ocr" else SAY
    return client(info, extra) + body + (FILL if info.fim else "")


def call_for(info: ModelInfo) -> tuple[str, dict[str, Any]]:
    """(function, args) for the model's main call."""
    if info.family == "mistral_ocr":
        return "Read", {"document": {"base64": PDF, "media_type": "application/pdf"}}
    return "Say", {"text": "hello there"}


def golden_name(model_id: str, suffix: str = "") -> str:
    return model_id.replace("/", "__").replace("@", "_at_") + suffix + ".json"


def check_golden(name: str, data: Any) -> None:
    """Compare `data` with GOLDEN/name exactly; VDSL_UPDATE_GOLDENS=1 rewrites it."""
    path = GOLDEN / name
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE:
            raise AssertionError(f"missing golden {path}; run with VDSL_UPDATE_GOLDENS=1")
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


def preview(source: str) -> Runtime:
    """A runtime for offline request building (no credentials, no network)."""
    return Runtime(vdsl.loads(source), env={})


def connect(source: str, emu: Emulator) -> Runtime:
    return Runtime(vdsl.loads(source), env={}, endpoint=emu.url,
                   auth=StaticToken(emu.issue_token()))
