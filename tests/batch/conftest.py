"""A live emulator (strict auth), fast batch timelines, and a project whose echo replies are
per-row JSON (the prompt's user turn is the row as JSON), so typed results can be checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import vdsl
from vdsl.emulator import Emulator
from vdsl.runtime import Runtime, StaticToken

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options { model gemini-2.5-flash
            location us-central1
            project_id batch-proj }
}
client<llm> Haiku {
  provider vertex-ai
  options { model "claude-3-5-haiku@20241022"
            location us-east5
            project_id batch-proj }
}
client<llm> Llama {
  provider vertex-ai
  options { model "meta/llama-3.3-70b-instruct-maas"
            location us-central1
            project_id batch-proj }
}
client<llm> Mistral {
  provider vertex-ai
  options { model mistral-large-2411
            location us-central1
            project_id batch-proj }
}
client<llm> Both {
  provider fallback
  options { strategy [Flash, Haiku] }
}
class Item {
  n int
  word string
}
function Describe(n: int, word: string) -> Item {
  client Flash
  prompt #"
    {{ _.role("system") }}
    Return the item.
    {{ _.role("user") }}
    {"n": {{ n }}, "word": "{{ word }}"}
  "#
}
function Label(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
"""


@pytest.fixture(autouse=True)
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=0.05; running=0.2; cancelling=0.05")


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def runtime(emulator: Emulator) -> Iterator[Runtime]:
    project = vdsl.loads(SOURCE)
    with Runtime(project, env={}, endpoint=emulator.url,
                 auth=StaticToken(emulator.issue_token())) as rt:
        yield rt

