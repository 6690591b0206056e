"""Vertex AI `batchPredictionJobs`: create, get, list, cancel — jobs that advance through their
states over time and answer every row from the same fixtures as online calls.

Rows are answered when the job is created (each through the family's own online handler, so
fixtures, echo replies, request checks and fixture faults behave exactly as for a call), and
kept aside; the job then shows PENDING, RUNNING (with `completionStats` growing) and
SUCCEEDED as time passes, and its predictions appear in the output folder only when it ends.
The state is a function of the clock and the stored job, so another process (`vdsl batch
status` after `vdsl batch submit`) sees the same job advance.

Timing and whole-job failure come from `VDSL_EMULATOR_BATCH` (read at create):
`queued=0.2; running=1; cancelling=0.2; fail=MESSAGE` (seconds; `fail` makes the job FAIL
with that error). A single row fails when its fixture carries an error `fault`
(`fault: status=500`) or when the family handler rejects its request, as Vertex fills in the
line's `status`. Predictions are written odd rows first, then even rows: the output is not
in input order, as on Vertex.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import batch_io, errors
from .common import Context, now_rfc3339
from .reply import Reply, Request, json_reply
from .routes import Route

if TYPE_CHECKING:
    from .app import App

__all__ = ["SETTINGS_ENV", "Timeline", "serve"]

SETTINGS_ENV = "VDSL_EMULATOR_BATCH"
JOBS = "batch-jobs"
_PATH = re.compile(r"^/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)/batchPredictionJobs"
                   r"(?:/([^/:]+))?(:cancel)?$")
_FAMILY = {"google": ("gemini", "generateContent"), "anthropic": ("anthropic", "rawPredict"),
           "meta": ("openapi", "chatCompletions"), "deepseek-ai": ("openapi", "chatCompletions"),
           "qwen": ("openapi", "chatCompletions"), "openai": ("openapi", "chatCompletions")}
TERMINAL = ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED")


@dataclass(frozen=True)
class Timeline:
    """How long a job waits in each state (seconds), and an error that fails the whole job."""

    queued: float = 0.2
    running: float = 1.0
    cancelling: float = 0.2
    fail: str | None = None

    @classmethod
    def from_env(cls) -> Timeline:
        spec = os.environ.get(SETTINGS_ENV, "")
        values: dict[str, Any] = {}
        for item in filter(None, (p.strip() for p in spec.split(";"))):
            key, _, value = item.partition("=")
            key = key.strip()
            if key == "fail":
                values["fail"] = value.strip() or "the batch job failed"
            elif key in ("queued", "running", "cancelling"):
                try:
                    values[key] = max(0.0, float(value))
                except ValueError:
                    continue
        return cls(**values)


def serve(app: App, request: Request) -> Reply | None:
    """Answer a batchPredictionJobs request, or None for other paths."""
    found = _PATH.match(request.path)
    if found is None:
        return None
    denied = app.authority.check_resource(request)
    if denied is not None:
        return denied
    _, project, location, job_id, cancel = found.groups()
    parent = f"projects/{project}/locations/{location}"
    if job_id is None and request.method == "POST":
        return _create(app, request, parent)
    if job_id is None and request.method == "GET":
        return _list(app, request, parent)
    name = f"{parent}/batchPredictionJobs/{job_id}"
    doc = app.state.get(JOBS, name)
    if doc is None:
        return errors.google_error(404, f"The BatchPredictionJob does not exist: {name}")
    if cancel and request.method == "POST":
        return _cancel(app, doc)
    if not cancel and request.method == "GET":
        return json_reply(_resource(app, doc))
    return errors.google_error(404, "Method not found.")


# ---- create ---------------------------------------------------------------------------


def _create(app: App, request: Request, parent: str) -> Reply:
    body = request.json if isinstance(request.json, dict) else {}
    model = str(body.get("model") or "")
    found = re.match(r"^publishers/([^/]+)/models/([^/]+)$", model)
    if found is None:
        return errors.google_error(400, f"Invalid model: {model!r}. Expected "
                                        "publishers/PUBLISHER/models/MODEL.")
    publisher, model_id = found.groups()
    info = app.lookup(model_id if publisher not in ("meta", "deepseek-ai", "qwen", "openai")
                      else f"{publisher}/{model_id}")
    if info is None or info.retired or publisher not in _FAMILY:
        return errors.model_not_found(f"{parent}/{model}")
    if info.batch is False:
        return errors.google_error(400, f"Model {model} does not support batch prediction.",
                                   status="FAILED_PRECONDITION")
    location = parent.split("/")[3]
    source = batch_io.open_input(app, body, location)
    if isinstance(source, Reply):
        return source
    problem = batch_io.output_problem(app, body, location)
    if problem is not None:
        return problem
    return _start(app, body, parent, model, source)


def _start(app: App, body: dict[str, Any], parent: str, model: str,
           source: batch_io.JobInput) -> Reply:
    job_id = str(secrets.randbelow(9 * 10**18) + 10**18)
    name = f"{parent}/batchPredictionJobs/{job_id}"
    staged = app.state.blob_path("_batch", job_id)
    succeeded, failed = _answer_all(app, parent, model, source, staged)
    timeline = Timeline.from_env()
    doc = {"name": name, "id": job_id, "displayName": body.get("displayName") or job_id,
           "model": model, "inputConfig": body.get("inputConfig"),
           "outputConfig": body.get("outputConfig"), "labels": body.get("labels") or {},
           "createTime": now_rfc3339(), "t0": time.time(), "queued": timeline.queued,
           "running": timeline.running, "cancelling": timeline.cancelling,
           "fail": timeline.fail, "succeeded": succeeded, "failed": failed,
           "cancel_at": None, "done_at_cancel": None, "final": None,
           "input_schema": source.schema}
    app.state.put(JOBS, name, doc)
    return json_reply(_resource(app, doc))


def _answer_all(app: App, parent: str, model: str, source: batch_io.JobInput,
                staged: Path) -> tuple[int, int]:
    """Answer every input line (or table row) into the staging file; (succeeded, failed)."""
    project, location = parent.split("/")[1], parent.split("/")[3]
    _, publisher, _, model_id = model.split("/")
    succeeded = failed = 0
    with staged.open("wb") as out:
        for item in source.lines(app):
            line = _parsed(item)
            answered = _answer_line(app, line, project, location, publisher, model_id)
            if source.table is not None:
                answered = batch_io.output_row(line if isinstance(line, dict) else None,
                                               answered)
            if answered.get("status"):
                failed += 1
            else:
                succeeded += 1
            out.write(json.dumps(answered, separators=(",", ":")).encode() + b"\n")
    return succeeded, failed


def _parsed(item: bytes | dict[str, Any]) -> dict[str, Any] | str:
    """A line as a JSON object, or why it is not one."""
    if isinstance(item, dict):
        return item
    try:
        line = json.loads(item)
    except ValueError as bad:
        return f"Invalid JSON in the input line: {bad}"
    return line if isinstance(line, dict) else "The input line is not a JSON object."


def _answer_line(app: App, line: dict[str, Any] | str, project: str, location: str,
                 publisher: str, model_id: str) -> dict[str, Any]:
    if isinstance(line, str):
        return {"status": line, "request": None}
    family, method = _FAMILY[publisher]
    request_body = line.get("body") if family == "openapi" else line.get("request")
    response, error = answer(app, Route(family=family, version="v1", method=method,
                                        project=project, location=location,
                                        publisher=publisher, model=model_id), request_body)
    out: dict[str, Any] = {"status": error or "", "processed_time": _now()}
    if "custom_id" in line:
        out["custom_id"] = line["custom_id"]
    if family != "openapi":
        out["request"] = request_body
    if response is not None:
        out["response"] = response
    return out


def answer(app: App, route: Route, body: Any) -> tuple[Any, str | None]:
    """One row through the family's online handler: (response, None) or (None, error)."""
    request = Request("POST", f"/{route.version}/batch-row", headers={
        "content-type": "application/json"}, json=body)
    if not isinstance(body, dict):
        return None, "The request of the line is missing or not a JSON object."
    ctx = Context(route=route, request=request, fixtures=app.fixtures, lookup=app.lookup,
                  check_regions=app.check_regions, state=app.state)
    reply = app.family_reply(ctx)
    fault = ctx.fixture_fault
    if fault is not None and fault.status is not None and fault.status >= 400:
        return None, fault.message or errors.default_message(fault.status)
    if reply.status >= 400:
        return None, _error_text(reply)
    return json.loads(reply.body), None


def _error_text(reply: Reply) -> str:
    try:
        data = json.loads(reply.body)
        data = data[0] if isinstance(data, list) else data
        return str(data["error"]["message"])
    except (ValueError, KeyError, TypeError, IndexError):
        return reply.body[:300].decode("utf-8", "replace")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# ---- the job as time passes -----------------------------------------------------------


def _state(doc: dict[str, Any], now: float) -> tuple[str, int]:
    """(state, rows processed) at `now`."""
    total = int(doc["succeeded"]) + int(doc["failed"])
    elapsed = now - float(doc["t0"])
    if doc["cancel_at"] is not None:
        waited = now - float(doc["cancel_at"])
        state = "JOB_STATE_CANCELLING" if waited < float(doc["cancelling"]) else \
            "JOB_STATE_CANCELLED"
        return state, int(doc["done_at_cancel"])
    if elapsed < float(doc["queued"]):
        return "JOB_STATE_PENDING", 0
    running = float(doc["running"])
    if elapsed < float(doc["queued"]) + running:
        return "JOB_STATE_RUNNING", int(total * (elapsed - float(doc["queued"])) / running)
    if doc["fail"] or (total and not int(doc["succeeded"])):
        return "JOB_STATE_FAILED", 0 if doc["fail"] else total
    return "JOB_STATE_SUCCEEDED", total


def _resource(app: App, doc: dict[str, Any]) -> dict[str, Any]:
    if doc["final"] is None:
        state, done = _state(doc, time.time())
        if state in TERMINAL:
            doc = _finish(app, doc, state, done)
    state, done = (doc["final"], doc["done"]) if doc["final"] else _state(doc, time.time())
    total = int(doc["succeeded"]) + int(doc["failed"])
    ok = int(doc["succeeded"]) * done // total if total else 0
    resource: dict[str, Any] = {
        "name": doc["name"], "displayName": doc["displayName"], "model": doc["model"],
        "inputConfig": doc["inputConfig"], "outputConfig": doc["outputConfig"],
        "labels": doc["labels"], "state": state, "createTime": doc["createTime"],
        "updateTime": now_rfc3339(),
        "completionStats": {"successfulCount": str(ok), "failedCount": str(done - ok),
                            "incompleteCount": str(total - done)}}
    if doc.get("output_info"):
        resource["outputInfo"] = doc["output_info"]
    elif doc.get("output_dir"):  # a job stored by an earlier version
        resource["outputInfo"] = {"gcsOutputDirectory": doc["output_dir"]}
    if state == "JOB_STATE_FAILED":
        resource["error"] = {"code": 9, "message": doc["fail"] or "Every row failed."}
    return resource


def _finish(app: App, doc: dict[str, Any], state: str, done: int) -> dict[str, Any]:
    """The job just ended: write its predictions (all, or those done before a cancel)."""
    staged = app.state.blob_path("_batch", str(doc["id"]))
    if state != "JOB_STATE_FAILED" or not doc["fail"]:
        doc["output_info"] = batch_io.write_output(app, doc, _shuffled(staged, done))
    doc.update(final=state, done=done)
    app.state.put(JOBS, str(doc["name"]), doc)
    return doc


def _shuffled(staged: Path, limit: int) -> Iterator[bytes]:
    """Odd rows, then even rows (not input order, as on Vertex); at most `limit` lines."""
    written = 0
    for parity in (1, 0):
        with staged.open("rb") as handle:
            for index, line in enumerate(handle, 1):
                if index % 2 == parity and written < limit:
                    written += 1
                    yield line


def _cancel(app: App, doc: dict[str, Any]) -> Reply:
    state, done = (doc["final"], doc.get("done", 0)) if doc["final"] else \
        _state(doc, time.time())
    if state in TERMINAL or state == "JOB_STATE_CANCELLING":
        return errors.google_error(400, f"The BatchPredictionJob {doc['name']} is in state "
                                        f"{state} and cannot be cancelled.",
                                   status="FAILED_PRECONDITION")
    doc.update(cancel_at=time.time(), done_at_cancel=done)
    app.state.put(JOBS, str(doc["name"]), doc)
    return json_reply({})


# ---- list -----------------------------------------------------------------------------


def _list(app: App, request: Request, parent: str) -> Reply:
    wanted = _filters(request.param("filter") or "")
    jobs = [d for d in app.state.documents(JOBS) if str(d["name"]).startswith(parent + "/")]
    jobs.sort(key=lambda d: float(d["t0"]), reverse=True)
    matching = [d for d in jobs if all(_matches(d, k, v) for k, v in wanted)]
    start = int(request.param("pageToken") or 0)
    size = min(int(request.param("pageSize") or 100), 1000)
    page = matching[start:start + size]
    body: dict[str, Any] = {"batchPredictionJobs": [_resource(app, d) for d in page]}
    if start + size < len(matching):
        body["nextPageToken"] = str(start + size)
    return json_reply(body)


def _filters(text: str) -> list[tuple[str, str]]:
    """`labels.k=v AND display_name="x"` → [(key, value)] (the subset vdsl sends)."""
    out = []
    for clause in re.split(r"\s+AND\s+", text.strip()):
        key, sep, value = clause.partition("=")
        if sep:
            out.append((key.strip(), value.strip().strip('"')))
    return out


def _matches(doc: dict[str, Any], key: str, value: str) -> bool:
    if key.startswith("labels."):
        return str((doc.get("labels") or {}).get(key[7:])) == value
    if key in ("display_name", "displayName"):
        return str(doc.get("displayName")) == value
    return True
