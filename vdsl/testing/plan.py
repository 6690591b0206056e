"""Which test cases a run holds: one per (test block, function it names), in file order.

A run is a plan of cases, built before anything is called (as a client's plan is data in
`runtime/plan.py`): selection (`-k`, `--function`) and `@@skip` are decided here, so the
executor only runs what the plan says and every report can list the whole plan.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ir import FunctionDecl, StringValue, TestDecl
from ..project import Project
from ..render.snapshots import test_arguments
from ..source import Span

__all__ = ["TestCase", "matches", "plan_cases", "skip_reason"]


@dataclass(frozen=True)
class TestCase:
    """One function of one test block: the unit that passes, fails, errors or is skipped."""

    __test__ = False  # not a pytest class

    test: TestDecl
    function: str
    args: dict[str, Any] = field(hash=False, compare=False)
    """The test's `args` for this function, as plain data."""
    base_dir: Path = field(hash=False, compare=False)
    """Where relative media files (`{ file "…" }`) are looked up: the test's folder."""
    skip: str | None = None

    @property
    def name(self) -> str:
        return self.test.name

    @property
    def id(self) -> str:
        """`Function::Test`, as BAML names a test case."""
        return f"{self.function}::{self.test.name}"

    @property
    def file_id(self) -> str:
        """`Test.Function`: names this case's snapshot and cassette files."""
        return f"{self.test.name}.{self.function}"

    @property
    def span(self) -> Span:
        """The test block's name: where reports point."""
        return self.test.name_span


def skip_reason(test: TestDecl) -> str | None:
    """Why `@@skip` / `@@skip("reason")` skips this test, or None."""
    for attr in test.block_attrs:
        if attr.name == "skip":
            given = [a.value for a in attr.args if isinstance(a, StringValue)]
            return given[0] if given else "@@skip"
    return None


def matches(case: TestCase, pattern: str) -> bool:
    """Whether `-k pattern` selects `case`.

    `Fn::Test` globs each side, as baml-cli's `-i` does (`Fn::` is every test of Fn, `::Test`
    that test in every function). Otherwise a pattern with `*?[` is a glob over the function,
    the test or `Fn::Test`, and a plain word a substring of `Fn::Test`.
    """
    if "::" in pattern:
        fn_glob, test_glob = pattern.split("::", 1)
        return (fnmatch.fnmatchcase(case.function, fn_glob or "*")
                and fnmatch.fnmatchcase(case.name, test_glob or "*"))
    if any(ch in pattern for ch in "*?["):
        return any(fnmatch.fnmatchcase(text, pattern) for text in (case.function, case.name,
                                                                   case.id))
    return pattern in case.id


def plan_cases(project: Project, *, patterns: Sequence[str] = (),
               functions: Sequence[str] = ()) -> list[TestCase]:
    """Every selected case, in file order. Unknown `functions` raise KeyError (a usage
    mistake the CLI reports)."""
    for name in functions:
        project.function(name)
    cases = []
    for test in project.program.tests:
        reason = skip_reason(test)
        for fn_name, _span in test.function_names:
            fn = project.find(fn_name)
            args, base = test_arguments(test, fn if isinstance(fn, FunctionDecl) else None)
            case = TestCase(test, fn_name, args, base, reason)
            if functions and fn_name not in functions:
                continue
            if patterns and not any(matches(case, p) for p in patterns):
                continue
            cases.append(case)
    return cases
