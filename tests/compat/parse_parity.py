"""Differential parsing against baml-py: the same messy replies, parsed by both.

`corpus()` builds one project of random schemas (`tests/outputs/messy.py`) and, for each,
messy replies of random values — whole replies and streamed prefixes. `baml_results()` parses
them with BAML (through `baml_parse_driver.py`, run by a python that has baml-py),
`vdsl_results()` with vdsl. `explain()` names the deliberate difference behind a
disagreement (docs/parsing.md lists each, with its reason), or None: an unexplained
disagreement is a bug on one side or the other.

    VDSL_BAML_PYTHON=/path/to/python python tests/compat/parse_parity.py [N]   # a report
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DRIVER = HERE / "baml_parse_driver.py"
sys.path.insert(0, str(HERE.parent / "outputs"))

from messy import (
    Schema,
    Style,
    Type,
    make_schema,
    make_value,
    renamed,
    render,
    type_text,
)


@dataclass
class Case:
    id: str
    fn: str
    text: str
    partial: bool
    value: Any
    """The value the reply was written from."""
    schema: Schema
    top: Type
    style: Style
    cut: float
    """For a streamed prefix: the fraction of the reply it holds."""

    def variant(self, features: tuple[str, ...]) -> Case:
        """The same value written without some of the style's slips (same cut); the
        `content` slip is strings holding brackets, quotes or backslashes."""
        style = self.style.without(*(f for f in features if f != "content"))
        value = _plain_strings(self.value) if "content" in features else self.value
        text = _write(self.id, self.schema, self.top, value, style, self.cut, self.partial)
        return Case(f"{self.id}~{'+'.join(features)}", self.fn, text, self.partial,
                    value, self.schema, self.top, style, self.cut)


_SPECIAL = str.maketrans({c: "_" for c in '{}[]"\\'})


def _plain_strings(value: Any) -> Any:
    """The value with brackets, quotes and backslashes in its strings replaced."""
    if isinstance(value, str):
        return value.translate(_SPECIAL)
    if isinstance(value, list):
        return [_plain_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_strings(v) for k, v in value.items()}
    return value


def corpus(schemas: int = 60, replies: int = 20, prefixes: int = 6,
           seed: int = 20260101) -> tuple[str, list[Case]]:
    """(project source, cases): `schemas` × (`replies` whole replies + `prefixes` prefixes).
    Recursive aliases are left out: baml-py 0.226.3 fails on them (docs/parsing.md)."""
    rng = random.Random(seed)
    parts: list[str] = []
    cases: list[Case] = []
    for i in range(schemas):
        schema, top = make_schema(rng, json_alias=False)
        schema, top = renamed(schema, top, f"S{i}")
        fn = f"Parse{i}"
        parts.append(schema.source() + f'function {fn}(x: string) -> {type_text(top)} {{\n'
                     '  client "vertex-ai/gemini-2.5-flash"\n  prompt #"{{ x }}"#\n}\n')
        for j in range(replies + prefixes):
            cid = f"{i}.{j}"
            value = make_value(random.Random(f"{seed}:{cid}:value"), schema, top)
            style = Style.draw(random.Random(f"{seed}:{cid}:style"))
            cut = random.Random(f"{seed}:{cid}:cut").random()
            partial = j >= replies
            text = _write(cid, schema, top, value, style, cut, partial)
            cases.append(Case(cid, fn, text, partial, value, schema, top, style, cut))
    return "\n".join(parts), cases


def _write(cid: str, schema: Schema, top: Type, value: Any, style: Style, cut: float,
           partial: bool) -> str:
    text = render(random.Random(f"{cid}:render"), schema, top, value, style)
    return text[:max(1, round(cut * len(text)))] if partial else text


def baml_python() -> str | None:
    configured = os.environ.get("VDSL_BAML_PYTHON")
    if configured:
        return configured
    try:
        import baml_py  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def baml_results(python: str, source: str, cases: list[Case]) -> dict[str, Any]:
    job = {"source": source, "cases": [{"id": c.id, "fn": c.fn, "text": c.text,
                                        "partial": c.partial} for c in cases]}
    env = {**os.environ, "BAML_LOG": "off"}
    proc = subprocess.run([python, str(DRIVER)], input=json.dumps(job), capture_output=True,
                          text=True, env=env, timeout=900, check=False)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"baml parse driver failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout)
    if "$generate_error" in out:
        raise RuntimeError(out["$generate_error"])
    return out


def vdsl_results(source: str, cases: list[Case]) -> dict[str, Any]:
    import vdsl
    from vdsl.errors import OutputParseError
    from vdsl.outputs import parse_output, to_plain

    project = vdsl.loads(source)
    out: dict[str, Any] = {}
    for c in cases:
        try:
            value = to_plain(parse_output(project, c.fn, c.text, c.partial))
        except OutputParseError as exc:
            out[c.id] = {"error": exc.summary}
            continue
        out[c.id] = {"error": "no partial yet"} if c.partial and value is None \
            else {"value": value}
    return out


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Both failed (BAML's "no partial" is an error too), or both gave equal values."""
    if "error" in a or "error" in b:
        return "error" in a and "error" in b
    return _norm(a["value"]) == _norm(b["value"])


def _norm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---- deliberate differences ------------------------------------------------------------------

FEATURE_DIFFERENCES = {
    "names": "declared names alongside aliases",
    "python": "Python literals",
    "single_escapes": "escapes in single-quoted strings",
    "unquoted_keys": "unquoted keys",
    "raw_quotes": "unescaped quotes inside strings",
    "bare_values": "unquoted values with commas or spaces",
    "missing_commas": "missing commas between fields",
    "comments": "comments between values",
    "trailing_commas": "trailing commas",
    "fancy_numbers": "numbers with grouping, currency and signs",
    "fancy_enums": "enum values by case, alias or without accents",
    "key_case": "keys in another case or spacing",
    "raw_newlines": "raw new lines inside strings",
    "content": "strings holding brackets, quotes or backslashes",
}
"""A slip of the reply's style → the deliberate difference it shows (docs/parsing.md)."""


def explain(python: str, source: str, cases: list[Case], vd: dict[str, Any],
            bm: dict[str, Any]) -> dict[str, str | None]:
    """For each disagreement: the deliberate differences behind it (" + "-joined), or None.

    A difference counts as explained when vdsl returned exactly the value the reply was
    written from (whole replies), and the same reply written without some of its slips
    makes BAML and vdsl agree — those slips are what BAML reads differently. Slips are
    dropped one at a time, keeping a drop only when it is needed (the smallest set found
    greedily). A few streaming shapes are explained directly (`_partial_shape`)."""
    out: dict[str, str | None] = {}
    pending: dict[str, tuple[Case, list[str], int]] = {}
    for c in cases:
        if same(vd[c.id], bm[c.id]):
            continue
        out[c.id] = _partial_shape(c, vd[c.id], bm[c.id])
        slips = [f for f in FEATURE_DIFFERENCES if getattr(c.style, f, False)
                 or f == "content" and _plain_strings(c.value) != c.value]
        exact = c.partial or vd[c.id].get("value", object()) == c.value
        if out[c.id] is None and exact and slips:
            pending[c.id] = (c, slips, 0)
    # round 0: without every slip (does removing slips explain it at all?); then greedily
    # put each slip back while agreement holds — the ones that cannot go back are the cause
    first = {cid: c.variant(tuple(slips)) for cid, (c, slips, _) in pending.items()}
    agreed = _agree(python, source, list(first.values()))
    causes = {cid: list(slips) for cid, (c, slips, _) in pending.items() if first[cid].id
              in agreed}
    for _ in range(max((len(v) for v in causes.values()), default=0)):
        trial = {cid: pending[cid][0].variant(tuple(s[1:])) for cid, s in causes.items()
                 if s}
        ok = _agree(python, source, list(trial.values()))
        for cid, variant in trial.items():
            head, rest = causes[cid][0], causes[cid][1:]
            causes[cid] = rest + ([] if variant.id in ok else [head])
    for cid, slips in causes.items():
        out[cid] = " + ".join(sorted(FEATURE_DIFFERENCES[f] for f in slips)) or None
    return out


def _agree(python: str, source: str, variants: list[Case]) -> set[str]:
    """The ids of the variants on which BAML and vdsl agree."""
    if not variants:
        return set()
    bv, vv = baml_results(python, source, variants), vdsl_results(source, variants)
    return {v.id for v in variants if same(vv[v.id], bv[v.id])}


def _partial_shape(c: Case, vd: dict[str, Any], bm: dict[str, Any]) -> str | None:
    """Streaming shapes vdsl gives on purpose where BAML gives another (or none)."""
    if not c.partial or "value" not in vd:
        return None
    got, baml = vd["value"], bm.get("value")
    prose = "{" not in c.text and "[" not in c.text
    if prose and got == [] and isinstance(baml, list) and len(baml) == 1:
        return "no list item made up from prose"
    if "error" in bm and isinstance(got, dict) and _empty(got):
        return "a class streams with its shape before any JSON"
    if _consistent(got, c.value) and ("error" in bm or not _consistent(baml, c.value)
                                      or _covers(got, baml)):
        return "partials hold everything that has arrived"
    return None


def _empty(value: dict[str, Any]) -> bool:
    return all(v in (None, [], {}) for v in value.values())


def _consistent(partial: Any, final: Any) -> bool:
    """Whether a partial value is a view of the final one: what it holds is final (strings
    and lists may still be growing)."""
    if partial is None or partial == final:
        return True
    if isinstance(partial, str) and isinstance(final, str):
        return final.startswith(partial)
    if isinstance(partial, list) and isinstance(final, list):
        return len(partial) <= len(final) and all(
            _consistent(p, f) for p, f in zip(partial, final, strict=False))
    if isinstance(partial, dict) and isinstance(final, dict):
        return all(_consistent(v, final.get(k)) for k, v in partial.items())
    return False


def _covers(more: Any, less: Any) -> bool:
    """Whether the partial `more` holds at least everything the partial `less` holds (an
    empty list or map holds nothing more than None)."""
    if less is None or less == more or (more is None and less in ([], {})):
        return True
    if isinstance(less, str) and isinstance(more, str):
        return more.startswith(less)
    if isinstance(less, list) and isinstance(more, list):
        return len(more) >= len(less) and all(
            _covers(m, x) for m, x in zip(more, less, strict=False))
    if isinstance(less, dict) and isinstance(more, dict):
        return all(_covers(more.get(k), v) for k, v in less.items())
    return False


def report(python: str, schemas: int = 60) -> tuple[list[Case], dict[str, Any],
                                                    dict[str, Any], dict[str, str | None]]:
    """The corpus, both sides' results and the explanation of every disagreement."""
    source, cases = corpus(schemas)
    bm, vd = baml_results(python, source, cases), vdsl_results(source, cases)
    return cases, vd, bm, explain(python, source, cases, vd, bm)



def main(argv: list[str]) -> int:
    python = baml_python()
    if python is None:
        print("baml-py not available: set VDSL_BAML_PYTHON")
        return 2
    cases, vd, bm, why = report(python, int(argv[0]) if argv else 60)
    named: dict[str, int] = {}
    for name in why.values():
        named[name or "UNEXPLAINED"] = named.get(name or "UNEXPLAINED", 0) + 1
    total, agree = len(cases), len(cases) - len(why)
    print(f"{total} replies ({sum(c.partial for c in cases)} streamed prefixes): {agree} "
          f"agree ({100 * agree / total:.1f} %); the other {len(why)}:")
    for name, count in sorted(named.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5}  {name}")
    shown = 0
    for c in cases:
        if c.id in why and why[c.id] is None and shown < int(os.environ.get("SHOW", "10")):
            shown += 1
            print(f"--- {c.id} partial={c.partial}\n{c.text}\n  vdsl: {vd[c.id]}\n"
                  f"  baml: {bm[c.id]}\n  want: {c.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
