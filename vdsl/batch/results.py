"""Predictions → one typed result per input row, in input order, with nothing lost quietly.

Vertex writes predictions in no particular order, possibly over several files. Each line is
read (streamed), matched to its row by the row number it carries, and kept in a temporary
SQLite file keyed by row; then rows are read back 1…N. A row Vertex answered is parsed with
the same reply parser and output parser as an online call; a row Vertex failed keeps Vertex's
error; a row left out when the job was submitted keeps why; a row with no prediction at all is
reported `missing` — the file always has one line per input row, and the summary says how
complete it is.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import VdslError
from ..project import Project
from ..providers import adapter_for
from ..providers.base import Usage
from ..providers.catalog import BATCH_PRICE_FACTOR, estimate_cost
from ..runtime.calls import returns_string
from ..runtime.result import to_json
from .lines import Prediction, read_prediction
from .manifest import Manifest

__all__ = ["BatchRow", "Collector", "Summary"]

RAW_LIMIT = 4000
"""Characters of a failed row's raw reply kept in its result line."""
_USAGE = ("input_tokens", "output_tokens", "thinking_tokens", "cached_tokens", "total_tokens",
          "pages")
"""`Usage` fields, in its own order: one column each in the rows file."""
_NO_USAGE = (None,) * len(_USAGE)


@dataclass
class BatchRow:
    """One input row's outcome: `value` when `ok`, else `error` (and the `raw` reply, if any).
    `missing` marks a row for which the job produced no prediction at all."""

    row: int
    ok: bool
    value: Any = None
    usage: Usage | None = None
    error: str | None = None
    raw: str | None = None
    finish_reason: str | None = None
    missing: bool = False

    def to_dict(self) -> dict[str, Any]:
        if self.ok:
            return {"row": self.row, "ok": True, "value": to_json(self.value),
                    "usage": self.usage.to_dict() if self.usage else None}
        out: dict[str, Any] = {"row": self.row, "ok": False, "error": self.error,
                               "raw": self.raw}
        if self.missing:
            out["missing"] = True
        return out


@dataclass
class Summary:
    """Counts over all rows, tokens, and the estimated cost at batch prices."""

    rows: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    missing: int = 0
    unmatched: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    state: str = ""

    @property
    def complete(self) -> bool:
        """Every row has a prediction (or was left out on purpose at submit)."""
        return self.missing == 0

    def add(self, row: BatchRow, cost: float | None) -> None:
        if row.ok:
            self.ok += 1
        elif row.missing:
            self.missing += 1
        else:
            self.failed += 1
        if row.usage is not None:
            self.input_tokens += row.usage.input_tokens or 0
            self.output_tokens += (row.usage.output_tokens or 0) + \
                (row.usage.thinking_tokens or 0)
        if cost is not None:
            self.cost = (self.cost or 0.0) + cost

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "failed": self.failed,
                "skipped": self.skipped, "missing": self.missing, "unmatched": self.unmatched,
                "complete": self.complete, "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "state": self.state,
                "estimated_cost_usd": round(self.cost, 6) if self.cost is not None else None}


class Collector:
    """Gathers prediction lines (`add_lines`), then yields every row in order (`rows`)."""

    def __init__(self, manifest: Manifest, project: Project, state: str = "") -> None:
        self.manifest = manifest
        self.project = project
        self.fn = project.function(manifest.function)
        self.adapter = adapter_for(manifest.model)
        self.summary = Summary(rows=manifest.rows, skipped=len(manifest.bad), state=state)
        self._text_only = returns_string(self.fn)
        self._folder = tempfile.TemporaryDirectory(prefix="vdsl-batch-")
        self._db = sqlite3.connect(Path(self._folder.name) / "rows.sqlite")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(f"CREATE TABLE p (row INTEGER PRIMARY KEY, error TEXT, text TEXT, "
                         f"finish TEXT, usage INTEGER, {', '.join(_USAGE)})")

    def add_lines(self, lines: Iterable[bytes]) -> None:
        """Prediction lines (JSONL), in any order."""
        self.add_predictions(read_prediction(line) for line in lines if line.strip())

    def add_predictions(self, predictions: Iterable[Prediction]) -> None:
        """Predictions (from lines or table rows), in any order."""
        batch: list[tuple[Any, ...]] = []
        for prediction in predictions:
            entry = self._entry(prediction)
            if entry is None:
                self.summary.unmatched += 1
            else:
                batch.append(entry)
            if len(batch) >= 5000:
                self._insert(batch)
        self._insert(batch)

    def _insert(self, batch: list[tuple[Any, ...]]) -> None:
        if batch:
            marks = ", ".join("?" * (5 + len(_USAGE)))
            self._db.executemany(f"INSERT OR IGNORE INTO p VALUES ({marks})", batch)
            batch.clear()

    def _entry(self, prediction: Prediction) -> tuple[Any, ...] | None:
        row = prediction.row
        if row is None or not 1 <= row <= self.manifest.rows:
            return None
        if prediction.error is not None:
            raw = None if prediction.response is None else json.dumps(prediction.response)
            return (row, prediction.error, _clip(raw), None, 0, *_NO_USAGE)
        try:
            completion = self.adapter.parse_response(prediction.response)
        except VdslError as error:
            return (row, str(error), _clip(json.dumps(prediction.response)), None, 0,
                    *_NO_USAGE)
        usage = completion.usage
        counts = _NO_USAGE if usage is None else tuple(getattr(usage, k) for k in _USAGE)
        return (row, None, completion.text, completion.finish_reason, usage is not None,
                *counts)

    def rows(self) -> Iterator[BatchRow]:
        """Every input row, 1…N, each exactly once."""
        bad = {b.row: b for b in self.manifest.bad}
        cursor = self._db.execute(f"SELECT row, error, text, finish, usage, {', '.join(_USAGE)} "
                                  "FROM p ORDER BY row")
        found = next(cursor, None)
        for number in range(1, self.manifest.rows + 1):
            while found is not None and found[0] < number:
                found = next(cursor, None)
            if number in bad:
                yield BatchRow(number, False, error=f"not submitted: {bad[number].where}: "
                                                    f"{bad[number].error}")
            elif found is not None and found[0] == number:
                yield self._outcome(found)
            else:
                yield self._missing(number)

    def _outcome(self, found: tuple[Any, ...]) -> BatchRow:
        row, error, text, finish, has_usage = found[:5]
        if error is not None:
            result = BatchRow(row, False, error=error, raw=text)
            self.summary.add(result, None)
            return result
        counts = Usage(*found[5:]) if has_usage else None
        try:
            value = text if self._text_only else self._parse(text or "")
        except VdslError as failure:
            result = BatchRow(row, False, usage=counts, error=str(failure), raw=_clip(text),
                              finish_reason=finish)
        else:
            result = BatchRow(row, True, value, counts, finish_reason=finish)
        cost = estimate_cost(self.manifest.model, counts) if counts else None
        self.summary.add(result, cost * BATCH_PRICE_FACTOR if cost is not None else None)
        return result

    def _parse(self, text: str) -> Any:
        from ..outputs import parse_output
        return parse_output(self.project, self.fn.name, text)

    def _missing(self, row: int) -> BatchRow:
        state = self.summary.state or "in an unknown state"
        result = BatchRow(row, False, error=f"missing: the job ({state}) wrote no prediction "
                                            "for this row", missing=True)
        self.summary.add(result, None)
        return result

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= RAW_LIMIT:
        return text
    return text[:RAW_LIMIT] + f"… ({len(text) - RAW_LIMIT} more characters)"

