"""BigQuery's REST API, the part vdsl uses: datasets.get/insert, tables.insert/get, load jobs
through the resumable upload endpoint (newline-delimited JSON), jobs.get and tabledata.list.
A table is a document (schema, row count, labels) with its rows in a blob file, one JSON
object per line, so tables outlive the process as a dataset does; batch jobs read and write
them through `read_rows` and `write_table`.

Every dataset exists, in the US multi-region (BigQuery's default location), unless
`datasets.insert` made it somewhere else — except names that ask for a failure, answered as
BigQuery does: `no_such_…` is 404, `forbidden_…` is 403 for everything and `readonly_…` is
403 for writes, each naming the permission. A load job is DONE when its upload completes, or
`load` seconds later (`VDSL_EMULATOR_BATCH="load=0.5"`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bigquery_rows import checked_rows
from .reply import Reply, Request, json_reply
from .storage import gcs_error, receive_chunk

if TYPE_CHECKING:
    from .app import App

__all__ = ["DEFAULT_LOCATION", "dataset_location", "parse_table", "read_rows", "serve",
           "table_schema", "write_table"]

DEFAULT_LOCATION = "US"
DATASETS, TABLES, JOBS, UPLOADS = "bq-datasets", "bq-tables", "bq-jobs", "bq-uploads"
EMULATOR_ACCOUNT = "vdsl-emulator@vdsl-emulator.iam.gserviceaccount.com"
_BASE = r"^/bigquery/v2/projects/([^/]+)"
_DATASET = re.compile(_BASE + r"/datasets/([^/]+)$")
_DATASETS = re.compile(_BASE + r"/datasets$")
_TABLES = re.compile(_BASE + r"/datasets/([^/]+)/tables$")
_TABLE = re.compile(_BASE + r"/datasets/([^/]+)/tables/([^/]+)$")
_DATA = re.compile(_BASE + r"/datasets/([^/]+)/tables/([^/]+)/data$")
_JOB = re.compile(_BASE + r"/jobs/([^/]+)$")
_UPLOAD = re.compile(r"^/upload/bigquery/v2/projects/([^/]+)/jobs$")
_URI = re.compile(r"^bq://((?:[a-z0-9.-]+:)?[a-z][a-z0-9-]*)\.([A-Za-z0-9_]+)"
                  r"(?:\.([A-Za-z0-9_$-]+))?$")
MAX_PAGE = 10_000


def serve(app: App, request: Request) -> Reply | None:
    """Answer a BigQuery request, or None when the path is not BigQuery's."""
    path = request.path
    if not path.startswith(("/bigquery/v2/", "/upload/bigquery/v2/")):
        return None
    denied = app.authority.check_resource(request)
    if denied is not None:
        return denied
    if (found := _UPLOAD.match(path)) is not None:
        return _upload(app, request, found.group(1))
    if (found := _JOB.match(path)) and request.method == "GET":
        return _job(app, found.group(1), found.group(2))
    if (found := _DATASETS.match(path)) and request.method == "POST":
        return _insert_dataset(app, request, found.group(1))
    for pattern, method, handler in _ROUTES:
        found = pattern.match(path)
        if found is not None and request.method == method:
            project, dataset = found.group(1), found.group(2)
            problem = _dataset_problem(app, project, dataset, _PERMISSIONS[handler])
            return problem or handler(app, request, *found.groups())
    return bq_error(404, f"Not found: URL {path}", "notFound")


def bq_error(status: int, message: str, reason: str) -> Reply:
    """BigQuery's JSON error body (the same shape as Cloud Storage's)."""
    return gcs_error(status, message, reason)


def _dataset_problem(app: App, project: str, dataset: str, permission: str) -> Reply | None:
    if dataset.startswith("no_such_"):
        return bq_error(404, f"Not found: Dataset {project}:{dataset}", "notFound")
    writes = permission not in ("bigquery.datasets.get", "bigquery.tables.get",
                                "bigquery.tables.getData")
    if dataset.startswith("forbidden_") or (dataset.startswith("readonly_") and writes):
        return bq_error(403, f"Access Denied: Dataset {project}:{dataset}: Permission "
                             f"{permission} denied on dataset {project}:{dataset} (or it may "
                             f"not exist). (caller {EMULATOR_ACCOUNT})", "accessDenied")
    return None


# ---- datasets and tables -------------------------------------------------------------


def dataset_location(app: App, project: str, dataset: str) -> str | None:
    """Where a dataset is (None when it does not exist)."""
    if dataset.startswith("no_such_"):
        return None
    doc = app.state.get(DATASETS, f"{project}:{dataset}")
    return str(doc["location"]) if doc else DEFAULT_LOCATION


def _get_dataset(app: App, request: Request, project: str, dataset: str) -> Reply:
    return json_reply({"kind": "bigquery#dataset", "id": f"{project}:{dataset}",
                       "datasetReference": {"projectId": project, "datasetId": dataset},
                       "location": dataset_location(app, project, dataset)})


def _insert_dataset(app: App, request: Request, project: str) -> Reply:
    body = request.json if isinstance(request.json, dict) else {}
    dataset = str((body.get("datasetReference") or {}).get("datasetId") or "")
    if not re.match(r"^[A-Za-z0-9_]{1,1024}$", dataset):
        return bq_error(400, "Invalid dataset ID.", "invalid")
    location = str(body.get("location") or DEFAULT_LOCATION)
    app.state.put(DATASETS, f"{project}:{dataset}", {"location": location})
    return _get_dataset(app, request, project, dataset)


def _insert_table(app: App, request: Request, project: str, dataset: str) -> Reply:
    body = request.json if isinstance(request.json, dict) else {}
    table = str((body.get("tableReference") or {}).get("tableId") or "")
    fields = ((body.get("schema") or {}).get("fields")) or []
    if not re.match(r"^[A-Za-z0-9_$-]{1,1024}$", table) or not isinstance(fields, list):
        return bq_error(400, "Invalid table ID or schema.", "invalid")
    key = f"{project}:{dataset}.{table}"
    if app.state.get(TABLES, key) is not None:
        return bq_error(409, f"Already Exists: Table {key}", "duplicate")
    doc = _table_doc(project, dataset, table, fields, dict(body.get("labels") or {}))
    app.state.put(TABLES, key, doc)
    app.state.blob_path("_bq", key).write_bytes(b"")
    return json_reply(doc)


def _table_doc(project: str, dataset: str, table: str, fields: list[Any],
               labels: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "bigquery#table", "id": f"{project}:{dataset}.{table}",
            "tableReference": {"projectId": project, "datasetId": dataset, "tableId": table},
            "schema": {"fields": fields}, "numRows": "0", "labels": labels,
            "creationTime": str(int(time.time() * 1000))}


def _get_table(app: App, request: Request, project: str, dataset: str, table: str) -> Reply:
    doc = app.state.get(TABLES, f"{project}:{dataset}.{table}")
    if doc is None:
        return bq_error(404, f"Not found: Table {project}:{dataset}.{table}", "notFound")
    return json_reply(doc)


def table_schema(app: App, project: str, dataset: str, table: str) -> list[dict[str, Any]] | None:
    doc = app.state.get(TABLES, f"{project}:{dataset}.{table}")
    return list(doc["schema"]["fields"]) if doc else None


def parse_table(uri: str) -> tuple[str, str, str | None] | None:
    """`bq://P.D[.T]` → (P, D, T or None)."""
    found = _URI.match(uri)
    return (found.group(1), found.group(2), found.group(3)) if found else None


def read_rows(app: App, project: str, dataset: str, table: str) -> Iterator[dict[str, Any]]:
    """A table's rows, as stored (JSON values, numbers as numbers)."""
    path = app.state.blob_path("_bq", f"{project}:{dataset}.{table}")
    if path.is_file():
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def write_table(app: App, project: str, dataset: str, table: str,
                fields: list[dict[str, Any]], rows: Iterable[dict[str, Any]]) -> int:
    """Create (or replace) a table holding `rows`; returns how many there are."""
    key = f"{project}:{dataset}.{table}"
    count = 0
    with app.state.blob_path("_bq", key).open("wb") as out:
        for row in rows:
            out.write(json.dumps(row, separators=(",", ":")).encode() + b"\n")
            count += 1
    doc = _table_doc(project, dataset, table, fields, {})
    doc["numRows"] = str(count)
    app.state.put(TABLES, key, doc)
    return count


# ---- tabledata.list ------------------------------------------------------------------


def _list_data(app: App, request: Request, project: str, dataset: str, table: str) -> Reply:
    doc = app.state.get(TABLES, f"{project}:{dataset}.{table}")
    if doc is None:
        return bq_error(404, f"Not found: Table {project}:{dataset}.{table}", "notFound")
    fields = doc["schema"]["fields"]
    wanted = request.param("selectedFields")
    if wanted:
        names = [n.strip() for n in wanted.split(",")]
        unknown = [n for n in names if n not in {f["name"] for f in fields}]
        if unknown:
            return bq_error(400, f"selectedFields: field {unknown[0]} not found in the table "
                                 "schema", "invalid")
        fields = [f for f in fields if f["name"] in names]  # the table's order, not the ask's
    size = min(int(request.param("maxResults") or 1000), MAX_PAGE)
    index, offset = _token(request.param("pageToken"))
    rows, index, offset, more = _page(app, f"{project}:{dataset}.{table}", index, offset, size)
    body: dict[str, Any] = {"kind": "bigquery#tableDataList", "totalRows": doc["numRows"],
                            "rows": [{"f": [{"v": _cell(row.get(f["name"]), f)}
                                            for f in fields]} for row in rows]}
    if more:
        body["pageToken"] = f"{index}:{offset}"
    return json_reply(body)


def _token(token: str | None) -> tuple[int, int]:
    found = re.match(r"^(\d+):(\d+)$", token or "")
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _page(app: App, key: str, index: int, offset: int,
          size: int) -> tuple[list[dict[str, Any]], int, int, bool]:
    """`size` rows from byte `offset` of the table's file: (rows, next index, next offset,
    whether more follow)."""
    rows: list[dict[str, Any]] = []
    with app.state.blob_path("_bq", key).open("rb") as handle:
        handle.seek(offset)
        while len(rows) < size:
            line = handle.readline()
            if not line:
                return rows, index, handle.tell(), False
            rows.append(json.loads(line))
            index += 1
        offset = handle.tell()
        more = bool(handle.readline())
    return rows, index, offset, more


def _cell(value: Any, field: dict[str, Any]) -> Any:
    """A value as tabledata.list sends it: text (JSON columns as JSON text), or null."""
    if value is None:
        return None
    kind = str(field.get("type", "STRING")).upper()
    if kind == "JSON":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if kind in ("BOOLEAN", "BOOL"):
        return "true" if value else "false"
    return str(value)


# ---- load jobs -----------------------------------------------------------------------


def _upload(app: App, request: Request, project: str) -> Reply:
    if request.param("uploadType") != "resumable":
        return bq_error(400, "vdsl's emulator takes load jobs as resumable uploads only.",
                        "invalid")
    upload_id = request.param("upload_id")
    if upload_id is not None and request.method == "PUT":
        return receive_chunk(app, request, UPLOADS, upload_id,
                             lambda session, path: _run_load(app, session, path))
    if request.method != "POST":
        return bq_error(404, "Not found", "notFound")
    job = request.json if isinstance(request.json, dict) else {}
    load = (job.get("configuration") or {}).get("load") or {}
    target = load.get("destinationTable") or {}
    dataset = str(target.get("datasetId") or "")
    problem = _dataset_problem(app, project, dataset, "bigquery.tables.updateData")
    if problem is not None:
        return problem
    upload_id = secrets.token_urlsafe(24)
    app.state.put(UPLOADS, upload_id, {"received": 0, "project": project, "job": job})
    app.state.blob_path("_uploads", upload_id).write_bytes(b"")
    host = request.header("host") or "127.0.0.1"
    location = (f"http://{host}/upload/bigquery/v2/projects/{project}/jobs"
                f"?uploadType=resumable&upload_id={upload_id}")
    return json_reply({}, headers={"Location": location})


def _run_load(app: App, session: dict[str, Any], path: Path) -> Reply:
    """The upload is whole: load it into the destination table and record the job."""
    job = dict(session["job"])
    project = str(session["project"])
    reference = dict(job.get("jobReference") or {})
    reference.setdefault("jobId", "job_" + secrets.token_hex(8))
    reference.update(projectId=project, location=reference.get("location") or
                     DEFAULT_LOCATION)
    load = (job.get("configuration") or {}).get("load") or {}
    errors, rows = _load(app, project, load, path)
    path.unlink(missing_ok=True)
    status: dict[str, Any] = {"state": "DONE"}
    if errors:
        status.update(errorResult=errors[0], errors=errors)
    resource = {"kind": "bigquery#job", "id": f"{project}:{reference['location']}."
                f"{reference['jobId']}", "jobReference": reference,
                "configuration": job.get("configuration") or {}, "status": status,
                "statistics": {"load": {"outputRows": str(rows)}}}
    app.state.put(JOBS, f"{project}:{reference['jobId']}",
                  {"resource": resource, "done_at": time.time() + _load_delay()})
    return json_reply(_visible(resource, time.time() + _load_delay()))


def _load_delay() -> float:
    for item in os.environ.get("VDSL_EMULATOR_BATCH", "").split(";"):
        key, _, value = item.partition("=")
        if key.strip() == "load":
            try:
                return max(0.0, float(value))
            except ValueError:
                return 0.0
    return 0.0


def _visible(resource: dict[str, Any], done_at: float) -> dict[str, Any]:
    """The job as seen now: RUNNING until `done_at`."""
    if time.time() >= done_at:
        return resource
    return {**resource, "status": {"state": "RUNNING"}}


def _job(app: App, project: str, job_id: str) -> Reply:
    doc = app.state.get(JOBS, f"{project}:{job_id}")
    if doc is None:
        return bq_error(404, f"Not found: Job {project}:{job_id}", "notFound")
    return json_reply(_visible(doc["resource"], float(doc["done_at"])))


def _load(app: App, project: str, load: dict[str, Any],
          path: Path) -> tuple[list[dict[str, str]], int]:
    """Check every line against the schema, then write the table: ([errors], rows loaded)."""
    target = load.get("destinationTable") or {}
    dataset, table = str(target.get("datasetId") or ""), str(target.get("tableId") or "")
    key = f"{target.get('projectId') or project}:{dataset}.{table}"
    doc = app.state.get(TABLES, key)
    if doc is None and load.get("createDisposition") == "CREATE_NEVER":
        return [_error("notFound", f"Not found: Table {key}")], 0
    fields = ((load.get("schema") or {}).get("fields")) or (doc or {}).get(
        "schema", {}).get("fields") or []
    staged = path.with_name(path.name + ".rows")
    count, problem = checked_rows(path, staged, fields,
                                  bool(load.get("ignoreUnknownValues")))
    if problem is not None:
        staged.unlink(missing_ok=True)
        return [_error("invalid", "Error while reading data, error message: JSON table "
                                  "encountered too many errors, giving up. Rows: 1; errors: "
                                  "1."), _error("invalid", problem)], 0
    mode = load.get("writeDisposition") or "WRITE_APPEND"
    blob = app.state.blob_path("_bq", key)
    if mode == "WRITE_EMPTY" and doc is not None and int(doc["numRows"]):
        staged.unlink(missing_ok=True)
        return [_error("duplicate", f"Already Exists: Table {key}")], 0
    if mode == "WRITE_APPEND" and doc is not None and blob.is_file():
        with blob.open("ab") as out, staged.open("rb") as source:
            shutil.copyfileobj(source, out)
        staged.unlink()
        count += int(doc["numRows"])
    else:
        shutil.move(str(staged), str(blob))
    new = doc or _table_doc(str(target.get("projectId") or project), dataset, table, fields, {})
    new["numRows"] = str(count)
    app.state.put(TABLES, key, new)
    return [], count


def _error(reason: str, message: str) -> dict[str, str]:
    return {"reason": reason, "message": message}


_PERMISSIONS: dict[Callable[..., Reply], str] = {
    _get_dataset: "bigquery.datasets.get", _insert_table: "bigquery.tables.create",
    _get_table: "bigquery.tables.get", _list_data: "bigquery.tables.getData",
}
_ROUTES: list[tuple[re.Pattern[str], str, Callable[..., Reply]]] = [
    (_DATASET, "GET", _get_dataset), (_TABLES, "POST", _insert_table),
    (_TABLE, "GET", _get_table), (_DATA, "GET", _list_data)]
