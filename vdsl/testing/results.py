"""The report model of a test run: one `CaseResult` per planned case, and the `Report`.

Every output of `vdsl test` (progress lines, diagnostics at file:line, the summary table,
JSON, JUnit XML, GitHub annotations) is a renderer of this model; failures become
`Diagnostic`s so they print exactly as `vdsl check` prints problems.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Label, Severity
from ..source import Span
from .plan import TestCase

__all__ = ["CaseResult", "FieldCheck", "Report", "Status"]


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class FieldCheck:
    """A field-level `@check` of the return type that failed: reported, not fatal."""

    where: str
    name: str
    expression: str


@dataclass
class CaseResult:
    """How one case ended. `kind` says why it failed, errored or was skipped (`assert`,
    `check`, `field-assert`, `parse`, `provider`, `arguments`, `stale`, `constraint`, …)."""

    case: TestCase
    status: Status
    kind: str = ""
    message: str = ""
    detail: str = ""
    span: Span | None = None
    """Where in the test block the reason is (a failed `@@assert`); the block by default."""
    seconds: float = 0.0
    latency_ms: float | None = None
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    value: Any = None
    checks: dict[str, bool] = field(default_factory=dict)
    field_checks: tuple[FieldCheck, ...] = ()
    notes: tuple[str, ...] = ()
    cassette: Path | None = None
    """The cassette this case was replayed from or recorded to."""

    @property
    def where(self) -> Span:
        return self.span or self.case.span

    def diagnostics(self) -> list[Diagnostic]:
        """This case's problems in the one diagnostic model (none when all went well)."""
        out = []
        if self.status in (Status.FAILED, Status.ERRORED):
            code = {"stale": "test-stale"}.get(self.kind, f"test-{self.status.value}")
            notes = tuple(n for n in (self.detail, *self.notes) if n)
            out.append(Diagnostic(code, Severity.ERROR, f"{self.case.id}: {self.message}",
                                  (Label(self.where, self.kind),), _HELP.get(self.kind), notes))
        for check in self.field_checks:
            out.append(Diagnostic(
                "test-check-failed", Severity.WARNING,
                f"{self.case.id}: @check `{check.name}` failed on `{check.where}`",
                (Label(self.case.span, "reported only"),),
                notes=(f"{{{{ {check.expression} }}}}",)))
        return out


_HELP = {
    "stale": "the request changed since the cassette was recorded: record it again with "
             "`vdsl test --record` (calls Vertex), or undo the change",
    "parse": "the reply does not fit the return type; see the reply above, or loosen the type",
    "arguments": "the test's `args` do not fit the function's parameters",
    "constraint": "an @@check/@@assert expression must give true or false",
}


@dataclass
class Report:
    """A whole run: the results in plan order, how it ran, and how long it took."""

    results: list[CaseResult]
    mode: str
    jobs: int
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(r.status is status for r in self.results)

    @property
    def counts(self) -> dict[Status, int]:
        found = Counter(r.status for r in self.results)
        return {status: found.get(status, 0) for status in Status}

    @property
    def input_tokens(self) -> int:
        return sum(r.input_tokens for r in self.results)

    @property
    def output_tokens(self) -> int:
        return sum(r.output_tokens for r in self.results)

    @property
    def cost(self) -> float | None:
        costs = [r.cost for r in self.results if r.cost is not None]
        return sum(costs) if costs else None

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.results)

    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics()]

    @property
    def exit_code(self) -> int:
        """1 when a test failed; 3 when none failed but one could not be judged (a provider
        error, an unparseable reply, a stale cassette); 0 otherwise."""
        if self.count(Status.FAILED):
            return 1
        return 3 if self.count(Status.ERRORED) else 0
