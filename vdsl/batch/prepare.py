"""Rows → the job's input file: each row checked, rendered and built into the same request body
an online call sends (the adapter's own `body`), then wrapped as its family's batch line.

Rows stream through: the file is written as rows are read, so memory does not grow with the
number of rows. A bad row (arguments that do not fit the parameters, a template error, media
that cannot be read) is recorded with where it came from and never reaches the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import VdslError
from ..render.messages import MediaPart
from ..render.prompt import PromptRenderer
from ..runtime.media import Fetch, resolve_media
from .lines import line_for
from .plan import BatchPlan
from .rows import Row

__all__ = ["BadRow", "Prepared", "Preparer"]


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row left out of the job: its number, where it came from, and why."""

    row: int
    where: str
    error: str

    def to_list(self) -> list[object]:
        return [self.row, self.where, self.error]


@dataclass
class Prepared:
    """What preparing the rows produced: how many rows, which were bad, the bytes written."""

    rows: int = 0
    submitted: int = 0
    bytes: int = 0
    bad: list[BadRow] = field(default_factory=list)


class Preparer:
    """Builds batch lines for one plan. `fetch` downloads URL media for families that must
    inline it (Claude); None leaves URLs as the client's media handler says."""

    def __init__(self, plan: BatchPlan, *, base_dir: str | Path | None = None,
                 fetch: Fetch | None = None) -> None:
        self.plan = plan
        self._fetch = fetch
        self._media_options = plan.adapter.media_options(plan.options)
        self._renderer = PromptRenderer(plan.project, plan.fn.name, client=plan.client,
                                        base_dir=base_dir,
                                        default_remap=plan.adapter.DEFAULT_REMAP)

    def line(self, row: int, args: dict[str, object]) -> bytes:
        """One row's JSONL line; raises a VdslError subclass when the row is bad."""
        plan = self.plan
        prompt = self._renderer.render(args)
        if any(isinstance(p, MediaPart) for m in prompt.messages for p in m.parts):
            prompt = resolve_media(prompt, self._media_options, self._fetch)
        body = plan.adapter.body(prompt, plan.options, False)
        return line_for(plan.family, row, body)

    def write(self, rows: Iterable[Row], out: IO[bytes], *,
              on_row: Callable[[Prepared], None] | None = None) -> Prepared:
        """Write every good row's line to `out`; bad rows are collected, not raised."""
        report = Prepared()
        for row in rows:
            report.rows += 1
            if row.error is None and row.args is not None:
                try:
                    data = self.line(row.number, row.args)
                except VdslError as error:
                    report.bad.append(BadRow(row.number, row.where, str(error)))
                else:
                    out.write(data)
                    report.submitted += 1
                    report.bytes += len(data)
            else:
                report.bad.append(BadRow(row.number, row.where, row.error or "no arguments"))
            if on_row is not None:
                on_row(report)
        return report
