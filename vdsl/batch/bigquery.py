"""BigQuery through its REST API, on the runtime's httpx client and credentials: the part a
batch job needs.

* `dataset` (datasets.get): that it exists, and its location (batch prediction needs the
  dataset in the job's region);
* `create_table` (tables.insert with a schema) and `load` (a load job whose data goes up
  through the resumable upload endpoint as newline-delimited JSON, then polled until DONE):
  the rows are streamed from the prepared file, never held in memory;
* `table` (tables.get) and `rows` (tabledata.list, page by page, only the columns asked
  for): reading a table in constant memory.

Why a load job and not `tabledata.insertAll`: a load is free, atomic (every row or none),
resumable, and its rows are at once visible to every reader, while streamed rows cost money,
sit in a streaming buffer and come in requests of at most 10 MB. Why not
`google-cloud-bigquery`: it brings its own auth session, `requests` and protobuf/gRPC
dependencies, while batch needs five REST calls on the client vdsl already has.

Errors name what failed and what to do: a 403 names the IAM permission (`bigquery.
datasets.get`, `bigquery.tables.create`, `bigquery.jobs.create`, `bigquery.tables.getData`),
a 404 names the dataset or table.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import BatchError
from ..runtime.auth_bridge import AuthStrategy
from .plan import DATASET_ID, PROJECT_ID
from .upload import CHUNK, Uploader, response_json, send

__all__ = ["BIGQUERY_HOST", "BigQuery", "TableRef"]

BIGQUERY_HOST = "https://bigquery.googleapis.com"
PAGE_ROWS = 500
"""Rows per tabledata.list page: one page is what is held in memory while reading."""
LOAD_TIMEOUT = 3600.0
_PERMISSIONS = {
    "dataset": ("bigquery.datasets.get", "BigQuery Data Viewer (roles/bigquery.dataViewer)"),
    "create": ("bigquery.tables.create", "BigQuery Data Editor (roles/bigquery.dataEditor)"),
    "load": ("bigquery.jobs.create` and `bigquery.tables.updateData",
             "BigQuery Job User (roles/bigquery.jobUser) and BigQuery Data Editor"),
    "read": ("bigquery.tables.getData", "BigQuery Data Viewer (roles/bigquery.dataViewer)"),
}
_TABLE = re.compile(rf"^bq://({PROJECT_ID})\.({DATASET_ID})\.([A-Za-z0-9_$-]{{1,1024}})$")


@dataclass(frozen=True)
class TableRef:
    """One table: `bq://PROJECT.DATASET.TABLE`."""

    project: str
    dataset: str
    table: str

    @classmethod
    def parse(cls, uri: str) -> TableRef:
        found = _TABLE.match(uri)
        if found is None:
            raise BatchError(f"not a BigQuery table: {uri!r} (expected bq://PROJECT.DATASET."
                             "TABLE)")
        return cls(*found.groups())

    @property
    def uri(self) -> str:
        return f"bq://{self.project}.{self.dataset}.{self.table}"

    @property
    def reference(self) -> dict[str, str]:
        return {"projectId": self.project, "datasetId": self.dataset, "tableId": self.table}


class BigQuery:
    """Datasets, tables, load jobs and table data, over one httpx client."""

    def __init__(self, http: httpx.Client, auth: AuthStrategy | None,
                 base: str = BIGQUERY_HOST, *, sleep: Any = time.sleep) -> None:
        self._http = http
        self._auth = auth
        self.base = base.rstrip("/")
        self._sleep = sleep

    def dataset(self, project: str, dataset: str) -> dict[str, Any]:
        """The dataset resource (its `location`), or BatchError when it cannot be read."""
        url = f"{self.base}/bigquery/v2/projects/{project}/datasets/{dataset}"
        return response_json(self._request("GET", url, f"bq://{project}.{dataset}", "dataset"))

    def create_table(self, ref: TableRef, schema: list[dict[str, str]],
                     labels: dict[str, str] | None = None, *,
                     exist_ok: bool = False) -> dict[str, Any]:
        """tables.insert; with `exist_ok` a table already there is no error (409)."""
        url = f"{self.base}/bigquery/v2/projects/{ref.project}/datasets/{ref.dataset}/tables"
        body = {"tableReference": ref.reference, "schema": {"fields": schema},
                "labels": labels or {}}
        try:
            return response_json(self._request("POST", url, ref.uri, "create", json=body,
                                               conflict_ok=exist_ok))
        except _Conflict:
            return {}

    def load(self, ref: TableRef, path: str | Path, schema: list[dict[str, str]], *,
             location: str, job_id: str, chunk: int = CHUNK,
             timeout: float = LOAD_TIMEOUT) -> dict[str, Any]:
        """Load a newline-delimited JSON file into `ref` with a load job (replacing what the
        table held); returns the job when it is DONE, or BatchError with BigQuery's reasons
        when the load failed."""
        size = Path(path).stat().st_size
        job = {"jobReference": {"projectId": ref.project, "jobId": job_id,
                                "location": location},
               "configuration": {"load": {
                   "destinationTable": ref.reference, "sourceFormat": "NEWLINE_DELIMITED_JSON",
                   "schema": {"fields": schema}, "createDisposition": "CREATE_NEVER",
                   "writeDisposition": "WRITE_TRUNCATE", "ignoreUnknownValues": False}}}
        url = f"{self.base}/upload/bigquery/v2/projects/{ref.project}/jobs?uploadType=resumable"
        response = self._request(
            "POST", url, ref.uri, "load", content=json.dumps(job).encode(),
            headers={"content-type": "application/json; charset=UTF-8",
                     "x-upload-content-type": "application/octet-stream",
                     "x-upload-content-length": str(size)})
        session = response.headers.get("location")
        if not session:
            raise BatchError(f"BigQuery gave no upload session for the load into {ref.uri}")
        uploader = Uploader(self._http, self._headers,
                            lambda refused: _bigquery_error(refused, ref.uri, "load"),
                            self._sleep)
        done = uploader.send_file(session, path, f"the rows for {ref.uri}", chunk)
        return self._finished(done, ref, location, timeout)

    def _finished(self, job: dict[str, Any], ref: TableRef, location: str,
                  timeout: float) -> dict[str, Any]:
        reference = job.get("jobReference") or {}
        job_id = str(reference.get("jobId") or "")
        url = (f"{self.base}/bigquery/v2/projects/{ref.project}/jobs/{job_id}")
        deadline = time.monotonic() + timeout
        wait = 0.25
        while (job.get("status") or {}).get("state") != "DONE":
            if not job_id or time.monotonic() > deadline:
                raise BatchError(f"the load job into {ref.uri} did not finish in {timeout:g} s"
                                 + (f" (job {job_id})" if job_id else ""))
            self._sleep(wait)
            wait = min(wait * 2, 5.0)
            job = response_json(self._request("GET", url, ref.uri, "load",
                                              params={"location": location}))
        failure = (job.get("status") or {}).get("errorResult")
        if failure:
            raise BatchError(f"BigQuery could not load the rows into {ref.uri}: "
                             f"{_load_errors(job)}")
        return job

    def table(self, ref: TableRef) -> dict[str, Any] | None:
        """The table resource (schema, numRows), or None when there is no such table."""
        url = (f"{self.base}/bigquery/v2/projects/{ref.project}/datasets/{ref.dataset}/"
               f"tables/{ref.table}")
        try:
            return response_json(self._request("GET", url, ref.uri, "read", missing_ok=True))
        except _Missing:
            return None

    def rows(self, ref: TableRef, columns: list[str],
             page_rows: int = PAGE_ROWS) -> Iterator[dict[str, Any]]:
        """The table's rows as {column: value} (values as tabledata.list sends them: text,
        or None), one page at a time. Pass `columns` in the table's own order: that is the
        order of the cells in each row."""
        url = (f"{self.base}/bigquery/v2/projects/{ref.project}/datasets/{ref.dataset}/"
               f"tables/{ref.table}/data")
        token: str | None = None
        while True:
            params = {"maxResults": str(page_rows), "selectedFields": ",".join(columns)}
            if token:
                params["pageToken"] = token
            page = response_json(self._request("GET", url, ref.uri, "read", params=params))
            for row in page.get("rows") or []:
                cells = row.get("f") if isinstance(row, dict) else None
                if isinstance(cells, list):
                    yield {name: cell.get("v") if isinstance(cell, dict) else None
                           for name, cell in zip(columns, cells, strict=False)}
            token = page.get("pageToken")
            if not token:
                return

    # ---- plumbing ---------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return self._auth.headers() if self._auth is not None else {}

    def _request(self, method: str, url: str, what: str, op: str, *,
                 missing_ok: bool = False, conflict_ok: bool = False,
                 **kw: Any) -> httpx.Response:
        headers = {**self._headers(), **kw.pop("headers", {})}
        response = send(self._http, method, url, headers=headers, sleep=self._sleep,
                        failure=f"BigQuery request for {what} failed", **kw)
        if response.status_code == 404 and missing_ok:
            raise _Missing()
        if response.status_code == 409 and conflict_ok:
            raise _Conflict()
        if response.status_code >= 400:
            raise _bigquery_error(response, what, op)
        return response


class _Missing(Exception):
    """A 404 the caller treats as "there is none"."""


class _Conflict(Exception):
    """A 409 the caller treats as "it is already there"."""


def _load_errors(job: dict[str, Any]) -> str:
    status = job.get("status") or {}
    reasons = [str(e.get("message") or e.get("reason")) for e in status.get("errors") or []
               if isinstance(e, dict)]
    first = status.get("errorResult") or {}
    reasons = reasons or [str(first.get("message") or first.get("reason") or "(no reason)")]
    shown = "; ".join(reasons[:5])
    return shown + (f"; … and {len(reasons) - 5} more" if len(reasons) > 5 else "")


def _bigquery_error(response: httpx.Response, what: str, op: str) -> BatchError:
    """A BigQuery error in words: what failed, the server's message, what to do."""
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:300].strip() or "(no message)"
    status = response.status_code
    dataset = ".".join(what.removeprefix("bq://").split(".")[:2])
    if status == 403:
        permission, role = _PERMISSIONS.get(op, _PERMISSIONS["read"])
        hint = (f"the caller needs the `{permission}` permission on dataset `{dataset}` "
                f"(role {role}); the Vertex AI service agent needs read and write access to "
                "the dataset too")
    elif status == 404:
        hint = (f"check that dataset `{dataset}` exists (bq mk --dataset --location=REGION "
                f"{dataset.replace('.', ':', 1)}) and that the name is right")
    elif status == 401:
        hint = "the credentials were refused; check that they are valid and not expired"
    else:
        hint = ""
    return BatchError(f"BigQuery answered {status} for {op} of {what}: {message}"
                      + (f"\nhint: {hint}" if hint else ""))
