"""Runs a plan of cases, `jobs` at a time, and gathers the `Report`.

Cases run in worker threads: every call is network-bound (Vertex, or the emulator on
loopback), and the runtime is safe to share. With `fail_fast`, the cases not yet started when
one fails or errors are reported as skipped. `on_result` sees each result as it finishes
(progress); the report keeps plan order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from .execute import run_case
from .plan import TestCase
from .results import CaseResult, Report, Status
from .session import Session

__all__ = ["MAX_JOBS", "run_plan"]

MAX_JOBS = 64


def run_plan(session: Session, cases: Sequence[TestCase], *, jobs: int = 10,
             fail_fast: bool = False,
             on_result: Callable[[CaseResult], None] | None = None) -> Report:
    """Run every case (at most `jobs` at once) and report them in plan order."""
    jobs = max(1, min(jobs, MAX_JOBS, len(cases) or 1))
    stop = threading.Event()
    started = time.monotonic()

    def one(case: TestCase) -> CaseResult:
        if stop.is_set():
            result = CaseResult(case, Status.SKIPPED, "fail-fast",
                                "not run: --fail-fast stopped the run after a failure")
        else:
            result = run_case(session, case)
            if fail_fast and result.status in (Status.FAILED, Status.ERRORED):
                stop.set()
        if on_result is not None:
            on_result(result)
        return result

    if jobs == 1:
        results = [one(case) for case in cases]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="vdsl-test") as pool:
            futures = [pool.submit(one, case) for case in cases]
            try:
                results = [future.result() for future in futures]
            except BaseException:
                stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return Report(results, session.mode, jobs, time.monotonic() - started)
