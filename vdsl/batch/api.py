"""`Runtime.batch`: plan, read the rows, submit — the Python entry point to batch jobs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BatchError
from .job import BatchJob, BatchSession, submit
from .jobs import BatchStatus
from .plan import Destination, parse_destination, plan_batch
from .prepare import Prepared, Preparer
from .rows import read_rows

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["find_run", "start"]


def start(runtime: Runtime, function: str, rows: str | Path | Iterable[Mapping[str, Any]], *,
          dest: str, client: str | None = None, display_name: str | None = None,
          skip_bad_rows: bool = False, input_format: str | None = None,
          poll: float = 30.0, run: str | None = None,
          warn: Callable[[str], None] | None = None,
          on_prepared: Callable[[Prepared], None] | None = None) -> BatchJob:
    """Submit a batch job for `function` over `rows` and return it (not waiting).
    `warn` sees the plan's warnings (an unconfirmed model); `on_prepared` the row report."""
    if isinstance(rows, bytes):
        raise BatchError("rows must be a file path or an iterable of argument mappings")
    env = runtime._environment(None)
    plan = plan_batch(runtime.project, function, client=client, env=env)
    for message in plan.warnings:
        (warn or _log_warning)(message)
    destination = parse_destination(dest)
    session, project = runtime.batch_session(plan)
    preparer = Preparer(plan, base_dir=runtime._base_dir, fetch=_fetcher(runtime),
                        table=not isinstance(destination, Destination))
    job = submit(session, plan, read_rows(rows, runtime.project, plan.fn, input_format),
                 dest=destination, run=run or uuid.uuid4().hex, project=project,
                 display_name=display_name, skip_bad_rows=skip_bad_rows, preparer=preparer,
                 on_prepared=on_prepared, warn=warn or _log_warning)
    job.poll = poll
    return job


def _log_warning(message: str) -> None:
    logging.getLogger("vdsl.batch").warning("%s", message)


def _fetcher(runtime: Runtime) -> Any:
    return runtime._media.fetch  # the runtime's media policy applies to batch rows too


def find_run(session: BatchSession, project: str, location: str,
             key: str) -> BatchStatus | None:
    """The job a run created (its `vdsl-run` label), if Vertex has one."""
    for status in session.jobs.list(project, location, filter=f'labels.vdsl-run="{key}"',
                                    limit=1):
        return status
    return None


