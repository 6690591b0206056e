"""Canned replies: fixtures matched by model and prompt, else a deterministic echo.

A fixtures file (JSON or YAML) is a list of entries, or `{"fixtures": [...]}`:

    - model: gemini-2.5-flash          # catalog id or alias, or a glob like "claude-*"; optional
      prompt: "receipt"                # substring of the prompt text; optional
      regex: "Total: \\d+"             # or a regular expression (re.search); optional
      reply:                           # or just a string
        text: "..."                    # or  json: {...}  (serialised for typed outputs)
        thoughts: "..."                # Gemini thought parts / Claude thinking / reasoning_content
        finish_reason: stop            # stop | length | safety | tool_use, or a family-native value
        usage: {input_tokens: 10, output_tokens: 5, thoughts_tokens: 3}
        grounding: {webSearchQueries: [...], groundingChunks: [...]}   # Gemini groundingMetadata
      fault: "status=429; retry_after=1"   # optional, same grammar as the x-vdsl-fault header
      times: 1                         # optional: the fixture is used up after N matches

The prompt text a fixture sees is every text of the request (system and all turns) joined with
newlines. The first matching fixture wins. With no match the reply is an echo that names the
model and quotes the last user text, so runs are reproducible.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import VdslError
from ..providers import catalog
from .faults import Fault, FaultError, parse_fault

__all__ = ["Answer", "Fixture", "FixtureError", "FixtureSet", "count_tokens", "echo_answer",
           "load_fixtures"]


class FixtureError(VdslError, ValueError):
    """A fixtures file or entry that cannot be used; the message names the problem."""


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about four characters a token."""
    return math.ceil(len(text) / 4) if text else 0


@dataclass(frozen=True)
class Answer:
    """A provider-neutral reply that each family renders in its own wire shape."""

    text: str
    thoughts: str | None = None
    finish: str = "stop"
    usage: dict[str, int] = field(default_factory=dict)
    fault: Fault | None = None
    grounding: dict[str, Any] | None = None
    """Gemini `groundingMetadata` to return as is (else grounded requests get a made-up one)."""

    def input_tokens(self, prompt: str) -> int:
        return self.usage.get("input_tokens", max(1, count_tokens(prompt)))

    def output_tokens(self) -> int:
        return self.usage.get("output_tokens", count_tokens(self.text))

    def thoughts_tokens(self) -> int:
        return self.usage.get("thoughts_tokens", count_tokens(self.thoughts or ""))


@dataclass
class Fixture:
    """One canned reply and the requests it answers."""

    answer: Answer
    model: str | None = None
    contains: str | None = None
    regex: re.Pattern[str] | None = None
    times: int | None = None
    used: int = 0

    def matches(self, model_id: str, prompt: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.model is not None and not _model_matches(self.model, model_id):
            return False
        if self.contains is not None and self.contains not in prompt:
            return False
        return self.regex is None or self.regex.search(prompt) is not None


def _model_matches(pattern: str, model_id: str) -> bool:
    info = catalog.lookup(model_id)
    names = {model_id, info.id, info.base_id} if info else {model_id}
    if any(ch in pattern for ch in "*?["):
        return any(fnmatch.fnmatchcase(name, pattern) for name in names)
    wanted = catalog.lookup(pattern)
    return (wanted is not None and info is not None and wanted.id == info.id) or pattern in names


class FixtureSet:
    """Fixtures in match order; safe to use from many server threads."""

    def __init__(self, fixtures: list[Fixture] | None = None) -> None:
        self._fixtures = list(fixtures or [])
        self._lock = threading.Lock()

    def add(self, fixture: Fixture) -> None:
        with self._lock:
            self._fixtures.append(fixture)

    def clear(self) -> None:
        with self._lock:
            self._fixtures.clear()

    def match(self, model_id: str, prompt: str) -> Answer | None:
        """The first matching fixture's answer (counting its use), or None."""
        with self._lock:
            for fixture in self._fixtures:
                if fixture.matches(model_id, prompt):
                    fixture.used += 1
                    return fixture.answer
        return None

    def __len__(self) -> int:
        return len(self._fixtures)


def echo_answer(model_id: str, last_user_text: str) -> Answer:
    """The default reply: names the model and quotes the last user text."""
    return Answer(text=f"[{model_id}] echo: {last_user_text}")


def parse_answer(reply: Any) -> Answer:
    """A fixture's `reply` (string or mapping) as an Answer."""
    if isinstance(reply, str):
        return Answer(text=reply)
    if not isinstance(reply, dict):
        raise FixtureError(f"fixture reply must be a string or a mapping, got {reply!r}")
    text = reply.get("text")
    if "json" in reply:
        text = json.dumps(reply["json"])
    usage = reply.get("usage") or {}
    if not isinstance(usage, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in usage.values()):
        raise FixtureError(f"fixture usage must map token counts to integers, got {usage!r}"[:300])
    for key in ("thoughts", "finish_reason", "finish"):
        if reply.get(key) is not None and not isinstance(reply[key], str):
            raise FixtureError(f"fixture {key} must be text, got {reply[key]!r}"[:300])
    grounding = reply.get("grounding")
    if grounding is not None and not isinstance(grounding, dict):
        raise FixtureError(f"fixture grounding must be a mapping (groundingMetadata), got "
                           f"{grounding!r}")
    return Answer(text=str(text or ""), thoughts=reply.get("thoughts"),
                  finish=str(reply.get("finish_reason", reply.get("finish", "stop"))),
                  usage=usage, grounding=grounding)


def parse_fixture(entry: dict[str, Any]) -> Fixture:
    """One fixture-file entry as a Fixture (raises FixtureError naming the problem)."""
    if not isinstance(entry, dict):
        raise FixtureError(f"a fixture must be a mapping, got {entry!r}")
    unknown = set(entry) - {"model", "prompt", "contains", "regex", "reply", "fault", "times"}
    if unknown:
        raise FixtureError(f"unknown fixture keys: {', '.join(sorted(unknown))}")
    answer = parse_answer(entry.get("reply", ""))
    try:
        fault = parse_fault(entry.get("fault"))
    except FaultError as exc:
        raise FixtureError(f"fixture fault: {exc}") from None
    if fault is not None:
        answer = replace(answer, fault=fault)
    try:
        regex = re.compile(entry["regex"]) if entry.get("regex") else None
    except (re.error, TypeError) as exc:
        raise FixtureError(f"fixture regex {entry['regex']!r}: {exc}") from None
    for key in ("model", "prompt", "contains"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise FixtureError(f"fixture {key} must be text, got {entry[key]!r}"[:300])
    times = entry.get("times")
    if times is not None and not isinstance(times, int):
        raise FixtureError(f"fixture times must be an integer, got {times!r}")
    return Fixture(answer=answer, model=entry.get("model"),
                   contains=entry.get("prompt", entry.get("contains")), regex=regex, times=times)


def _one_line(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(exc).split())


class _Loader(yaml.SafeLoader):
    """YAML without aliases: `*name` reuses a value without copying it, so a few lines can
    stand for a billion list items once a reply is written out. Fixtures never need one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in fixture files",
                self.peek_event().start_mark)
        return super().compose_node(parent, index)


def load_fixtures(path: str | Path) -> list[Fixture]:
    """Read a JSON or YAML fixtures file (chosen by suffix; YAML also reads JSON)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise FixtureError(f"{path}: cannot read: {(reason or str(exc)).lower()}") from None
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.load(text, _Loader)
    except (ValueError, yaml.YAMLError) as exc:
        raise FixtureError(f"{path}: not valid JSON/YAML: {_one_line(exc)}") from None
    except RecursionError:
        raise FixtureError(f"{path}: nested too deeply to read") from None
    if isinstance(data, dict):
        unknown = sorted(str(k) for k in data if k != "fixtures")
        if unknown:
            raise FixtureError(f"{path}: unknown top-level keys: {', '.join(unknown)} (the file "
                               "is a list of fixtures, or `fixtures: [...]`)")
        data = data.get("fixtures", [])
    if not isinstance(data, list):
        raise FixtureError(f"{path}: expected a list of fixtures or {{'fixtures': [...]}}")
    return [parse_fixture(entry) for entry in data]
