"""vdsl sends the request BAML would send (README "Deliberate differences from BAML" aside).

Runs only where BAML is available: baml-py importable here, or `VDSL_BAML_PYTHON` naming a
python that has baml-py and pydantic (e.g. `VDSL_BAML_PYTHON=/tmp/bamlvenv/bin/python`).
Otherwise (CI) the whole module is skipped. BAML's client is generated into a scratch folder
by `baml_driver.py`; nothing generated is kept.

The cases live in `cases/<name>/` (`*.baml` + `cases.json`); the comparison and the
deliberate differences (one function each) are in `parity_helpers.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import parity_helpers as ph

PYTHON = ph.baml_python()
if PYTHON is None:
    pytest.skip("BAML not available (install baml-py or set VDSL_BAML_PYTHON)",
                allow_module_level=True)

DIRS = ph.case_dirs()
IDS = [f"{d.name}/{c['id']}" for d in DIRS
       for c in json.loads((d / "cases.json").read_text())["cases"]]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    assert PYTHON is not None
    rows = ph.run_all(PYTHON, DIRS)
    return {f"{d}/{cid}": (diffs, notes) for d, cid, diffs, notes in rows}


def test_every_project_builds_on_both_sides(results: dict[str, Any]) -> None:
    broken = {k: v for k, v in results.items() if k.split("/", 1)[1].startswith("$")}
    assert not broken, broken


@pytest.mark.parametrize("case", IDS)
def test_request_matches_baml(results: dict[str, Any], case: str) -> None:
    if case not in results:
        pytest.fail(f"{case}: no result (did its project build?)")
    diffs, _notes = results[case]
    assert not diffs, "\n".join(diffs)


def test_each_deliberate_difference_is_exercised(results: dict[str, Any]) -> None:
    """Every allowance is needed by some case, so none of them hides a regression silently
    (baml_metadata_order and registry_option_order only apply when BAML's hash order happens
    to differ)."""
    used = {note for _diffs, notes in results.values() for note in notes}
    expected = {rule.__name__ for rule in ph.DELIBERATE} - {"baml_metadata_order",
                                                              "registry_option_order",
                                                              "express_mode_without_project"}
    assert expected <= used, expected - used
