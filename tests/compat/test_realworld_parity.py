"""Request parity on real public BAML projects (tests/compat/realworld, see its README).

Runs only where BAML is available (like test_baml_parity) and takes minutes, so select it:

    VDSL_BAML_PYTHON=/path/to/bamlvenv/bin/python VDSL_REALWORLD_MIRROR=/path/to/mirrors \
        python -m pytest tests/compat -k realworld

Projects kept under `realworld/projects/` always run; the others run when a git mirror of
their repository is found under `$VDSL_REALWORLD_MIRROR`, and are skipped otherwise. One test per project: every request BAML builds must be vdsl's, or differ
only as README's deliberate differences say, or by BAML's own random order; a whole-project
refusal must be listed in `realworld/known.py`; `vdsl generate` must not crash on it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "realworld"))

import parity_helpers as ph

PYTHON = ph.baml_python()
if PYTHON is None:
    pytest.skip("BAML not available (install baml-py or set VDSL_BAML_PYTHON)",
                allow_module_level=True)

import corpus  # after the skip: the harness is slow and needs BAML
import run

ENTRIES = corpus.load_manifest()


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    assert PYTHON is not None
    return {r.entry.slug: r for r in run.run(ENTRIES, None, PYTHON)}


@pytest.mark.parametrize("slug", [e.slug for e in ENTRIES])
def test_realworld_requests_match_baml(results: dict[str, Any], slug: str) -> None:
    result = results.get(slug)
    if result is None:
        pytest.skip("not kept here and no mirror of its repository")
    problems = run.unexplained(result)
    assert not problems, "\n".join(problems)


def test_realworld_corpus_is_measured(results: dict[str, Any]) -> None:
    """The kept projects alone make the figure: at least 50 with requests BAML builds."""
    kept = [r for r in results.values() if r.entry.vendored and r.built]
    assert len(kept) >= 50, len(kept)
