"""vdsl's side of every deliberate difference from BAML (`baml_differences.py`): one test
each, and each is explained in docs/parsing.md under its name."""

from __future__ import annotations

from pathlib import Path

import pytest
from baml_differences import DIFFERENCES, SCHEMA, Difference
from outputs_cases import parse

from vdsl.errors import OutputParseError

DOCS = Path(__file__).parents[2] / "docs" / "parsing.md"


@pytest.mark.parametrize("case", DIFFERENCES, ids=[d.name for d in DIFFERENCES])
def test_deliberate_difference(case: Difference) -> None:
    if case.error is not None:
        with pytest.raises(OutputParseError) as info:
            parse(case.target, case.reply, case.partial, schema=SCHEMA)
        assert case.error in info.value.reason
    else:
        assert parse(case.target, case.reply, case.partial, schema=SCHEMA) == case.value


def test_every_difference_is_explained_in_the_docs() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("Deliberate differences from BAML"):]
    missing = [d.name for d in DIFFERENCES if f"**{d.name}**" not in section]
    assert not missing, missing
