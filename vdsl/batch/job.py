"""Submitting a batch and following it: `submit` (rows → input file → Cloud Storage or a
BigQuery table → job) and `BatchJob` (status, wait, cancel, results), over one `BatchSession`
(HTTP client, credentials, endpoint) shared by the jobs API, Cloud Storage and BigQuery."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from ..errors import BatchError
from ..project import Project
from ..providers.endpoints import is_loopback
from ..providers.options import ClientOptions
from ..runtime.auth_bridge import AuthStrategy, resolve_strategy
from .bigquery import BIGQUERY_HOST, BigQuery
from .jobs import BatchStatus, Jobs, parse_name
from .manifest import Manifest, check_no_secrets
from .places import Place, place_for, predictions, read_manifest
from .plan import BatchPlan, BigQueryDataset, Destination
from .prepare import BadRow, Prepared, Preparer
from .results import BatchRow, Collector, Summary
from .rows import Row
from .storage import STORAGE_HOST, Storage

__all__ = ["BadRowsError", "BatchJob", "BatchSession", "submit"]

DEFAULT_POLL = 30.0


class BadRowsError(BatchError):
    """Rows that cannot be submitted; `bad` lists each with where it came from and why."""

    def __init__(self, bad: list[BadRow], rows: int) -> None:
        self.bad = bad
        shown = "\n".join(f"  {b.where}: {b.error}" for b in bad[:20])
        more = f"\n  … and {len(bad) - 20} more" if len(bad) > 20 else ""
        super().__init__(f"{len(bad)} of {rows} rows cannot be submitted:\n{shown}{more}\n"
                         "nothing was submitted; fix them, or pass --skip-bad-rows "
                         "(skip_bad_rows=True) to submit the rest")


class BatchSession:
    """What the jobs API, Cloud Storage and BigQuery share: one httpx client and the
    credentials."""

    def __init__(self, http: httpx.Client, auth: AuthStrategy | None,
                 endpoint: str | None = None, *, project: str | None = None,
                 sleep: Callable[[float], None] = time.sleep, owns_http: bool = False) -> None:
        self.http = http
        self.auth = auth
        self.endpoint = endpoint
        self.jobs = Jobs(http, auth, endpoint, sleep=sleep)
        self.storage = Storage(http, auth, endpoint or STORAGE_HOST, sleep=sleep)
        self.bigquery = BigQuery(http, auth, endpoint or BIGQUERY_HOST, sleep=sleep)
        self.sleep = sleep
        self._project = project
        self._owns_http = owns_http

    @classmethod
    def standalone(cls, env: Mapping[str, str] | None = None, endpoint: str | None = None,
                   project: str | None = None) -> BatchSession:
        """A session with its own HTTP client and the ambient credentials (for commands that
        have no project: status, list, cancel, results)."""
        environ = dict(env if env is not None else os.environ)
        endpoint = endpoint or environ.get("VDSL_VERTEX_ENDPOINT") or None
        options = ClientOptions(client="batch", model="batch")
        auth = resolve_strategy(options, environ, endpoint)
        http = httpx.Client(timeout=None, trust_env=False)
        return cls(http, auth, endpoint, project=project, owns_http=True)

    def project(self, env: Mapping[str, str] | None = None) -> str:
        """The Google Cloud project for new jobs and listings."""
        environ = env if env is not None else os.environ
        found = self._project or environ.get("GOOGLE_CLOUD_PROJECT") or (
            self.auth.project_id if self.auth is not None else None)
        if found:
            return found
        if self.endpoint and is_loopback(self.endpoint):
            return "vdsl-emulator"
        raise BatchError("no Google Cloud project: set GOOGLE_CLOUD_PROJECT, the client's "
                         "project_id, or pass --project")

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


def submit(session: BatchSession, plan: BatchPlan, rows: Iterable[Row], *,
           dest: Destination | BigQueryDataset, run: str, project: str,
           display_name: str | None = None, skip_bad_rows: bool = False,
           preparer: Preparer | None = None,
           on_prepared: Callable[[Prepared], None] | None = None,
           warn: Callable[[str], None] | None = None) -> BatchJob:
    """Check and render every row, upload the input and the manifest, create the job."""
    check_no_secrets(plan.project)
    place = place_for(dest)
    place.check(session, plan, warn or (lambda message: None))
    preparer = preparer or Preparer(plan, table=place.table)
    with tempfile.TemporaryDirectory(prefix="vdsl-batch-") as tmp:
        path = Path(tmp) / "input.jsonl"
        with path.open("wb") as out:
            report = preparer.write(rows, out)
        if on_prepared is not None:
            on_prepared(report)
        if report.bad and not skip_bad_rows:
            raise BadRowsError(report.bad, report.rows)
        if report.submitted == 0:
            raise BatchError("no rows to submit" + (" (every row is bad)" if report.rows
                                                    else " (the input is empty)"))
        place.upload(session, plan, run, path)
    manifest = Manifest(plan.fn.name, plan.client, plan.options.model, plan.family,
                        report.rows, report.submitted, place.input_uri(run),
                        place.output_uri(run), run, report.bad,
                        {p: s.text for p, s in plan.project.sources.items()})
    place.save_manifest(session, manifest)
    status = session.jobs.create(project, plan.location, _job_body(
        plan, manifest, display_name, report.submitted, place))
    return BatchJob(session, status.name, project=plan.project, manifest=manifest,
                    status=status)


def _job_body(plan: BatchPlan, manifest: Manifest, display_name: str | None,
              submitted: int, place: Place) -> dict[str, Any]:
    name = display_name or f"vdsl-{plan.fn.name}-{manifest.run[:8]}"
    return {"displayName": name, "model": plan.model_resource, **place.configs(manifest),
            "labels": {"vdsl": "batch", "vdsl-run": manifest.run[:63],
                       "vdsl-rows": str(submitted),
                       "vdsl-function": _label(plan.fn.name)}}


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "_", text.lower())[:63]


class BatchJob:
    """A Vertex batch prediction job: `status()`, `wait()`, `cancel()`, `results()`.

    `results()` yields one `BatchRow` per input row, in input order, with typed values; it
    needs the job to have ended. After iterating, `summary` holds the counts."""

    def __init__(self, session: BatchSession, name: str, *, project: Project | None = None,
                 manifest: Manifest | None = None, status: BatchStatus | None = None,
                 poll: float = DEFAULT_POLL) -> None:
        parse_name(name)
        self.session = session
        self.name = name
        self.poll = poll
        self.summary: Summary | None = None
        self._project = project
        self._manifest = manifest
        self._last = status

    def __repr__(self) -> str:
        return f"BatchJob({self.name!r})"

    def status(self) -> BatchStatus:
        self._last = self.session.jobs.get(self.name)
        if self._last.total is None and self._manifest is not None:
            self._last.total = self._manifest.submitted
        return self._last

    def wait(self, *, poll: float | None = None, timeout: float | None = None,
             on_status: Callable[[BatchStatus], None] | None = None) -> BatchStatus:
        """Poll until the job ends; `on_status` sees every status read (for progress)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status()
            if on_status is not None:
                on_status(status)
            if status.done:
                return status
            if deadline is not None and time.monotonic() >= deadline:
                raise BatchError(f"job {self.name} is still {status.short_state} after "
                                 f"{timeout:g} s")
            self.session.sleep(poll if poll is not None else self.poll)

    def cancel(self) -> BatchStatus:
        self.session.jobs.cancel(self.name)
        return self.status()

    def manifest(self) -> Manifest:
        """The manifest vdsl wrote next to the job's input."""
        if self._manifest is None:
            self._manifest = read_manifest(self.session, self._last or self.status())
        return self._manifest

    def results(self) -> Iterator[BatchRow]:
        """Every input row's outcome, in input order (the job must have ended)."""
        status = self.status()
        if not status.done:
            raise BatchError(f"job {self.name} is {status.short_state}: its results are ready "
                             "when it ends (wait() or `vdsl batch run` waits for it)")
        manifest = self.manifest()
        project = self._project
        if project is None or project.find(manifest.function) is None:
            project = manifest.project()
        collector = Collector(manifest, project, status.short_state)
        try:
            collector.add_predictions(predictions(self.session, status))
            yield from collector.rows()
            self.summary = collector.summary
        finally:
            collector.close()

    def write_results(self, path: str | Path) -> Summary:
        """Write every row's result as a JSONL line to `path` (atomically: a file at `path`
        is always whole); returns the summary."""
        import json
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".vdsl-results-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for row in self.results():
                    out.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        assert self.summary is not None
        return self.summary
