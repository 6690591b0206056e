"""Fixtures: files (JSON and YAML), matching by model/prompt/regex, per-family rendering."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from emu_helpers import claude_body, claude_path, gemini_body, gemini_path, openapi_path

from vdsl.emulator import Emulator, FixtureError, load_fixtures

YAML = """
fixtures:
  - model: gemini-2.5-flash
    prompt: receipt
    reply:
      json: {"total": 12.5, "currency": "EUR"}
      usage: {input_tokens: 100, output_tokens: 7}
  - model: "claude-*"
    regex: "capital of \\\\w+"
    reply:
      text: Paris
      thoughts: France's capital
      finish_reason: length
  - prompt: once
    reply: only the first time
    times: 1
"""


@pytest.fixture
def loaded(tmp_path: Path) -> Emulator:
    path = tmp_path / "fixtures.yaml"
    path.write_text(YAML)
    emu = Emulator(require_auth=False, fixtures=path)
    emu.start()
    yield emu
    emu.stop()


def test_json_reply_with_usage(loaded: Emulator) -> None:
    reply = httpx.post(loaded.url + gemini_path(), json=gemini_body("read this receipt")).json()
    assert json.loads(reply["candidates"][0]["content"]["parts"][0]["text"]) == {
        "total": 12.5, "currency": "EUR"}
    assert reply["usageMetadata"]["promptTokenCount"] == 100
    assert reply["usageMetadata"]["candidatesTokenCount"] == 7


def test_model_must_match(loaded: Emulator) -> None:
    reply = httpx.post(loaded.url + gemini_path("gemini-2.5-pro"),
                       json=gemini_body("read this receipt")).json()
    assert "echo" in reply["candidates"][0]["content"]["parts"][0]["text"]


def test_glob_model_regex_prompt_and_native_finish(loaded: Emulator) -> None:
    body = claude_body("What is the capital of France?", max_tokens=4096,
                       thinking={"type": "enabled", "budget_tokens": 1024})
    data = httpx.post(loaded.url + claude_path(), json=body).json()
    assert [b["type"] for b in data["content"]] == ["thinking", "text"]
    assert data["content"][1]["text"] == "Paris"
    assert data["stop_reason"] == "max_tokens"


def test_system_text_is_part_of_the_prompt(loaded: Emulator) -> None:
    body = {"model": "meta/llama-3.3-70b-instruct-maas",
            "messages": [{"role": "system", "content": "Parse the receipt."},
                         {"role": "user", "content": "..."}]}
    reply = httpx.post(loaded.url + openapi_path(), json=body).json()
    assert "echo" in reply["choices"][0]["message"]["content"]  # the receipt fixture is Gemini-only
    body["model"] = "google/gemini-2.5-flash"
    reply = httpx.post(loaded.url + openapi_path(), json=body).json()
    assert json.loads(reply["choices"][0]["message"]["content"])["total"] == 12.5


def test_times_limits_uses(loaded: Emulator) -> None:
    texts = [httpx.post(loaded.url + gemini_path(), json=gemini_body("once more")).json()
             ["candidates"][0]["content"]["parts"][0]["text"] for _ in range(2)]
    assert texts[0] == "only the first time" and "echo" in texts[1]


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps([{"prompt": "hi", "reply": "hello", "fault": "delay=0"}]))
    [fixture] = load_fixtures(path)
    assert fixture.answer.text == "hello" and fixture.contains == "hi"


@pytest.mark.parametrize("content", ['[{"prompt": "x", "colour": "red"}]', '{"fixtures": 3}',
                                     '[{"reply": 5}]', '["just text"]', '[{"regex": "("}]',
                                     '[{"fault": "explode"}]', '[{"times": "two"}]', '[{'])
def test_bad_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(FixtureError):
        load_fixtures(path)


def test_fixtures_over_http(client: httpx.Client) -> None:
    added = client.post("/_emulator/fixtures", json={"prompt": "ping", "reply": "pong"})
    assert added.json() == {"fixtures": 1}
    reply = client.post(gemini_path(), json=gemini_body("ping")).json()
    assert reply["candidates"][0]["content"]["parts"][0]["text"] == "pong"
    bad = client.post("/_emulator/fixtures", json={"nonsense": 1})
    assert bad.status_code == 400


def test_finish_reason_is_mapped_per_family(client: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fixture({"text": "cut", "finish_reason": "length"})
    gemini = client.post(gemini_path(), json=gemini_body()).json()
    assert gemini["candidates"][0]["finishReason"] == "MAX_TOKENS"
    body = {"model": "meta/llama-3.3-70b-instruct-maas",
            "messages": [{"role": "user", "content": "x"}]}
    assert client.post(openapi_path(), json=body).json()["choices"][0]["finish_reason"] == "length"
