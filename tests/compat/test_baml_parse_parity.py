"""Parsing parity with BAML: the deliberate differences are real, and there are no others.

Runs only where baml-py is available (`VDSL_BAML_PYTHON`, or baml-py importable here);
skipped in CI. Two checks:

* every row of `tests/outputs/baml_differences.py` — vdsl's side is tested there — really is
  parsed differently by BAML;
* the differential run (`parse_parity.py`): 60 random schemas × 20 messy replies and 6
  streamed prefixes each, parsed by both; every disagreement must be explained by one of
  the documented differences (for whole replies, only when vdsl returned exactly the value
  the reply was written from). The agreement figure is printed (`-s` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "outputs"))

import parse_parity as pp
from baml_differences import DIFFERENCES, SCHEMA

PYTHON = pp.baml_python()
if PYTHON is None:
    pytest.skip("BAML not available (install baml-py or set VDSL_BAML_PYTHON)",
                allow_module_level=True)


def _cases() -> tuple[str, list[pp.Case]]:
    targets = sorted({d.target for d in DIFFERENCES})
    fns = {t: f"Diff{i}" for i, t in enumerate(targets)}
    source = SCHEMA + "".join(
        f'function {fn}(x: string) -> {t} {{\n  client "vertex-ai/gemini-2.5-flash"\n'
        '  prompt #"{{ x }}"#\n}\n' for t, fn in fns.items())
    cases = [pp.Case(str(i), fns[d.target], d.reply, d.partial, d.value, pp.Schema(),
                     ("string",), None, 1.0)  # type: ignore[arg-type]
             for i, d in enumerate(DIFFERENCES)]
    return source, cases


def test_each_deliberate_difference_is_one_with_baml() -> None:
    assert PYTHON is not None
    source, cases = _cases()
    baml = pp.baml_results(PYTHON, source, cases)
    vdsl = pp.vdsl_results(source, cases)
    same = [DIFFERENCES[int(c.id)].name for c in cases if pp.same(vdsl[c.id], baml[c.id])]
    assert not same, f"BAML parses these like vdsl (not differences): {same}"


def test_generated_replies_agree_or_differ_only_on_purpose() -> None:
    assert PYTHON is not None
    cases, vdsl, baml, why = pp.report(PYTHON, 60)
    whole = [c for c in cases if not c.partial]
    assert len(whole) >= 1000
    agree = len(cases) - len(why)
    print(f"\n{len(cases)} replies ({len(cases) - len(whole)} streamed prefixes): {agree} agree "
          f"with baml-py ({100 * agree / len(cases):.1f} %)")
    documented = {d.name for d in DIFFERENCES}
    unexplained = {cid: (vdsl[cid], baml[cid]) for cid, name in why.items() if name is None}
    assert not unexplained, list(unexplained.items())[:5]
    names = {part for name in why.values() if name for part in name.split(" + ")}
    assert names <= documented, names - documented
