"""Compare BAML's and vdsl's request for one real-world case and say what kind of result it is.

Outcomes:

* `same`          — identical;
* `deliberate`    — identical once the README's deliberate differences are applied (the rules
  in `parity_helpers.DELIBERATE`, and a test's `null` read as BAML reads it), whatever order
  BAML printed objects in;
* `hash-order`    — BAML keeps class fields and map entries of Python arguments in hash order
  (the same prompt built twice differs); vdsl keeps the order given (README "Deterministic
  order"). Counted here: vdsl's request is one BAML built on another of its sixteen tries, or
  it is identical once the entries of every printed object are put in one order (only the
  order of `"key": value` entries inside a `{…}` that parses as a printed value is forgiven —
  keys, values, separators and whitespace must still match);
* `baml-random`   — BAML's builds of the same case differ in a way sorting printed objects
  cannot undo (a template that loops over a map, whose order is random in BAML), none of
  them is vdsl's, and vdsl's request has the same lines as BAML's, in another order;
* `differs`       — a real difference (url, headers or body);
* `vdsl-error`    — BAML built a request, vdsl refused the call;
* `baml-error`    — vdsl built a request, BAML refused the call (a failure: vdsl would send
  what BAML refuses);
* `both-error`    — both refused (e.g. generated arguments that break an `@assert`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parity_helpers import compare

AGREE = ("same", "hash-order")
EXPLAINED = (*AGREE, "deliberate", "baml-random")


class _Printed:
    """A parser for values as BAML prints them: objects with quoted keys, lists, strings,
    and bare words (numbers, true/false/null, enum values)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def ws(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in " \t\n\r":
            i += 1
        return i

    def string(self, i: int) -> int:
        if i >= len(self.text) or self.text[i] != '"':
            raise ValueError
        i += 1
        while i < len(self.text) and self.text[i] not in '"\n':
            i += 2 if self.text[i] == "\\" else 1
        if i >= len(self.text) or self.text[i] != '"':
            raise ValueError
        return i + 1

    def value(self, i: int) -> tuple[int, str]:
        c = self.text[i] if i < len(self.text) else ""
        if c == "{":
            return self.obj(i)
        if c == "[":
            return self.seq(i)
        if c == '"':
            end = self.string(i)
            return end, self.text[i:end]
        m = re.compile(r"[^,\n\]}{\[\"]+").match(self.text, i)
        if not m or not m.group(0).strip():
            raise ValueError
        return m.end(), m.group(0)

    def _items(self, i: int, close: str, keyed: bool) -> tuple[int, list[str], list[str]]:
        items, seps = [], []
        start = i
        i = self.ws(i)
        seps.append(self.text[start:i])
        while i < len(self.text) and self.text[i] != close:
            if keyed:
                key_end = self.string(i)
                j = self.ws(key_end)
                if self.text[j:j + 1] != ":":
                    raise ValueError
                value_at = self.ws(j + 1)
                j, inner = self.value(value_at)
                items.append(self.text[i:value_at] + inner)
            else:
                j, inner = self.value(i)
                items.append(inner)
            start = j
            j = self.ws(j)
            if self.text[j:j + 1] == ",":
                j = self.ws(j + 1)
            elif self.text[j:j + 1] != close:
                raise ValueError
            seps.append(self.text[start:j])
            i = j
        if i >= len(self.text):
            raise ValueError
        return i + 1, items, seps

    def obj(self, i: int) -> tuple[int, str]:
        end, items, seps = self._items(i + 1, "}", keyed=True)
        items = sorted(items)
        return end, "{" + seps[0] + "".join(a + b for a, b in zip(items, seps[1:])) + "}"

    def seq(self, i: int) -> tuple[int, str]:
        end, items, seps = self._items(i + 1, "]", keyed=False)
        return end, "[" + seps[0] + "".join(a + b for a, b in zip(items, seps[1:])) + "]"


def canonical(text: str) -> str:
    """`text` with the entries of every printed object sorted (see the module docstring)."""
    out, i, parser = [], 0, _Printed(text)
    while i < len(text):
        if text[i] == "{":
            try:
                end, value = parser.obj(i)
            except (ValueError, IndexError):
                end, value = i + 1, "{"
            out.append(value)
            i = end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _canonical_body(value: Any) -> Any:
    if isinstance(value, str):
        return canonical(value)
    if isinstance(value, list):
        return [_canonical_body(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical_body(v) for k, v in value.items()}
    return value


TRANSPORT_NOTES = frozenset({"api_key_header"})
"""Deliberate differences in how a request travels, not in what it says: every API-key
request has one (the key in a header, not the URL), so it would hide the figure this harness
exists for. A request that differs only by these is `same` (the note is kept)."""


def _kind(notes: list[str], otherwise: str) -> str:
    return "deliberate" if set(notes) - TRANSPORT_NOTES else otherwise


def classify(source: str, fn: str, baml: dict[str, Any],
             vdsl: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """(outcome, differences, deliberate notes) for one case."""
    if "error" in baml or "error" in vdsl:
        if "error" in baml and "error" in vdsl:
            return "both-error", [], []
        kind = "vdsl-error" if "error" in vdsl else "baml-error"
        return kind, [f"baml={baml.get('error', '-')!r} vdsl={vdsl.get('error', '-')!r}"], []
    theirs = {k: v for k, v in baml.items() if k != "bodies"}
    diffs, notes = compare(source, fn, theirs, vdsl)
    if not diffs:
        return _kind(notes, "same"), [], notes
    texted = vdsl.get("null_as_text")
    if isinstance(texted, dict) and "body" in texted:
        # README: "`null` in a test block is null" (BAML passes the text "null" to anything
        # that takes a string). Forgiven only when reading the nulls BAML's way gives BAML's
        # request exactly.
        rest, more = compare(source, fn, theirs, texted)
        if not rest:
            return "deliberate", [], [*more, "test_null_is_text"]
    bodies = baml.get("bodies") or [baml["body"]]
    for body in bodies[1:]:  # BAML built vdsl's request on another try: its order is random
        rest, more = compare(source, fn, {**theirs, "body": body}, vdsl)
        if not rest:
            return _kind(more, "hash-order"), [], more
    mine = {**vdsl, "body": _canonical_body(vdsl["body"])}
    rest, more = compare(source, fn, {**theirs, "body": _canonical_body(baml["body"])}, mine)
    if not rest:
        return _kind(more, "hash-order"), [], more
    random = len({json.dumps(_canonical_body(b)) for b in bodies}) > 1
    if random and _lines(baml["body"]) == _lines(vdsl["body"]):
        return "baml-random", diffs, notes
    return "differs", diffs, notes


def _lines(value: Any) -> list[str]:
    """Every line of every string in a body, sorted: the same lines in another order."""
    if isinstance(value, str):
        return sorted(value.split("\n"))
    if isinstance(value, list):
        return sorted(line for v in value for line in _lines(v))
    if isinstance(value, dict):
        return sorted(line for v in value.values() for line in _lines(v))
    return [json.dumps(value)]
