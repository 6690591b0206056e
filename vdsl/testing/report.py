"""Renderers of a `Report`: the summary table, one-line results, JSON, and the Markdown
summary GitHub Actions shows on a run's page. JUnit XML is in `junit.py`; failures at
file:line go through `vdsl.diagnostics.render`."""

from __future__ import annotations

import json
from typing import Any

from .results import CaseResult, Report, Status

__all__ = ["render_json", "render_line", "render_markdown", "render_summary", "summary_line"]

_MARK = {Status.PASSED: "PASSED ", Status.FAILED: "FAILED ", Status.ERRORED: "ERROR  ",
         Status.SKIPPED: "SKIPPED"}


def render_line(result: CaseResult) -> str:
    """`PASSED  Fn::Test (0.05 s)`, plus the reason for the others."""
    why = f" — {result.message}" if result.status is not Status.PASSED and result.message else ""
    took = f" ({result.seconds:.2f} s)" if result.status is not Status.SKIPPED else ""
    return f"{_MARK[result.status]} {result.case.id}{took}{why}"


def _tokens(n_in: int, n_out: int) -> str:
    return f"{n_in:,} / {n_out:,}" if n_in or n_out else "-"


def _cost(cost: float | None) -> str:
    return f"${cost:.6f}" if cost is not None else "-"


def _rows(report: Report) -> list[list[str]]:
    by_function: dict[str, list[CaseResult]] = {}
    for result in report.results:
        by_function.setdefault(result.case.function, []).append(result)
    rows = []
    for name, results in by_function.items():
        partial = Report(results, report.mode, report.jobs, sum(r.seconds for r in results))
        rows.append(_row(name, partial))
    rows.append(_row("total", report))
    return rows


def _row(name: str, report: Report) -> list[str]:
    counts = report.counts
    return [name, *(str(counts[s]) for s in Status), f"{report.seconds:.2f} s",
            _tokens(report.input_tokens, report.output_tokens), _cost(report.cost)]


_HEADER = ["function", "passed", "failed", "errored", "skipped", "time", "tokens in / out",
           "cost"]


def render_summary(report: Report) -> str:
    """A table per function, a total row (wall time), and one line that says it all."""
    rows = [_HEADER, *_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        if index == len(rows) - 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n" + summary_line(report)


def summary_line(report: Report) -> str:
    counts = report.counts
    parts = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    total = len(report.results)
    return f"{total} test{'s' * (total != 1)}: {parts or 'none'} in {report.seconds:.2f} s"


def render_json(report: Report) -> str:
    """`{summary, tests: [...]}`: every case with its status, reason, timing, tokens, value."""
    counts = report.counts
    summary = {"mode": report.mode, "jobs": report.jobs, "seconds": round(report.seconds, 4),
               "tests": len(report.results), **{s.value: counts[s] for s in Status},
               "requests": report.requests, "input_tokens": report.input_tokens,
               "output_tokens": report.output_tokens, "cost_usd": report.cost}
    return json.dumps({"summary": summary, "tests": [_case(r) for r in report.results]},
                      indent=2, ensure_ascii=False, default=str)


def _case(result: CaseResult) -> dict[str, Any]:
    span = result.where
    out: dict[str, Any] = {
        "id": result.case.id, "test": result.case.name, "function": result.case.function,
        "status": result.status.value, "file": span.file, "line": span.line,
        "column": span.column, "seconds": round(result.seconds, 4)}
    if result.kind:
        out["kind"] = result.kind
    if result.message:
        out["message"] = result.message
    if result.detail:
        out["detail"] = result.detail
    if result.status in (Status.PASSED, Status.FAILED) and result.requests:
        latency = round(result.latency_ms, 1) if result.latency_ms is not None else None
        out.update(value=result.value, latency_ms=latency, checks=result.checks,
                   input_tokens=result.input_tokens, output_tokens=result.output_tokens,
                   cost_usd=result.cost)
    if result.field_checks:
        out["failed_field_checks"] = [vars(c) for c in result.field_checks]
    if result.notes:
        out["notes"] = list(result.notes)
    if result.cassette is not None:
        out["cassette"] = str(result.cassette)
    return out


def render_markdown(report: Report) -> str:
    """The summary as a Markdown table (for `$GITHUB_STEP_SUMMARY`), then what went wrong."""
    rows = _rows(report)
    lines = ["### vdsl test", "", "| " + " | ".join(_HEADER) + " |",
             "|" + "---|" * len(_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", summary_line(report)]
    bad = [r for r in report.results if r.status in (Status.FAILED, Status.ERRORED)]
    if bad:
        lines += [""] + [f"- **{r.status.value}** `{r.case.id}` ({r.where}): "
                         f"{_md(r.message)}" for r in bad]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
