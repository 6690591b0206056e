"""Rows → the job's input file: each row checked, rendered and built into the same request body
an online call sends (the adapter's own `body`), then wrapped as its family's batch line.

Rows stream through: the file is written as rows are read, so memory does not grow with the
number of rows. A bad row (arguments that do not fit the parameters, a template error, media
that cannot be read) is recorded with where it came from and never reaches the file.

A prompt made only of text, role switches, `ctx.output_format` and parameters is rendered
without Jinja (`render.static`), with the same result; the first rows are rendered both ways
and compared, and any difference sends every row through the full renderer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import VdslError
from ..render.messages import MediaPart, RenderedPrompt
from ..render.prompt import PromptRenderer
from ..render.static import StaticPrompt
from ..runtime.media import Fetch, resolve_media
from .lines import line_for, table_row_for
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


CHECKED_ROWS = 3
"""Rows rendered both ways (static and full) and compared before the static path is trusted."""


class Preparer:
    """Builds batch lines for one plan. `fetch` downloads URL media for families that must
    inline it (Claude); None leaves URLs as the client's media handler says. `table` makes
    rows of a BigQuery input table instead of Cloud Storage JSONL lines; `static=False`
    renders every row through Jinja (for comparison)."""

    def __init__(self, plan: BatchPlan, *, base_dir: str | Path | None = None,
                 fetch: Fetch | None = None, table: bool = False, static: bool = True) -> None:
        self.plan = plan
        self._fetch = fetch
        self._media_options = plan.adapter.media_options(plan.options)
        self._renderer = PromptRenderer(plan.project, plan.fn.name, client=plan.client,
                                        base_dir=base_dir,
                                        default_remap=plan.adapter.DEFAULT_REMAP)
        self._static = StaticPrompt.build(self._renderer) if static else None
        self._unchecked = CHECKED_ROWS
        self._wrap = table_row_for if table else line_for
        self._body = plan.adapter.body
        self._options = plan.options

    @property
    def static(self) -> bool:
        """Whether rows are rendered without Jinja (see `render.static`)."""
        return self._static is not None

    def line(self, row: int, args: Mapping[str, Any]) -> bytes:
        """One row's line; raises a VdslError subclass when the row is bad."""
        prompt = self._static.render(args) if self._static is not None else None
        if prompt is None:
            prompt = self._renderer.render(args)
            if any(isinstance(p, MediaPart) for m in prompt.messages for p in m.parts):
                prompt = resolve_media(prompt, self._media_options, self._fetch)
        elif self._unchecked:
            prompt = self._check(prompt, args)
        return self._wrap(self.plan.family, row, self._body(prompt, self._options, False))

    def _check(self, prompt: RenderedPrompt, args: Mapping[str, Any]) -> RenderedPrompt:
        """The full render of the first rows, compared with the static one."""
        self._unchecked -= 1
        full = self._renderer.render(args)
        if full != prompt:
            logging.getLogger("vdsl.batch").warning(
                "%s: the static render differed from the full render; rendering every row "
                "the full way", self.plan.fn.name)
            self._static = None
        return full

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
                except (ValueError, TypeError, LookupError, RecursionError) as error:
                    # hostile values that reach past the renderer's own checks: the row is
                    # named and left out, the rest go on
                    report.bad.append(BadRow(row.number, row.where, "the row cannot be "
                                             f"rendered: {type(error).__name__}: {error}"))
                else:
                    out.write(data)
                    report.submitted += 1
                    report.bytes += len(data)
            else:
                report.bad.append(BadRow(row.number, row.where, row.error or "no arguments"))
            if on_row is not None:
                on_row(report)
        return report
