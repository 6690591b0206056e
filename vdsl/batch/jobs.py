"""Vertex AI `batchPredictionJobs`: create, get, list and cancel, and a job's status in
vdsl's terms (state, rows done and failed, the error, where the output is)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..errors import BatchError, TransportError, VertexError
from ..providers.endpoints import API_VERSION, host_for, redirect
from ..runtime.auth_bridge import AuthStrategy

__all__ = ["JOB_NAME", "TERMINAL_STATES", "BatchStatus", "Jobs"]

JOB_NAME = re.compile(r"^projects/([^/]+)/locations/([^/]+)/batchPredictionJobs/([^/:?#]+)$")
TERMINAL_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED",
                             "JOB_STATE_PARTIALLY_SUCCEEDED", "JOB_STATE_EXPIRED"})
DONE_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED"})
_TIMEOUT = httpx.Timeout(60.0)
_RETRIES = 4


@dataclass
class BatchStatus:
    """Where a batch job stands. Counts come from Vertex's `completionStats`; `total` is the
    number of rows vdsl submitted (a job label), None for jobs vdsl did not create."""

    name: str
    state: str
    display_name: str = ""
    model: str = ""
    create_time: str = ""
    update_time: str = ""
    succeeded: int = 0
    failed: int = 0
    incomplete: int = 0
    total: int | None = None
    error: str | None = None
    output_dir: str | None = None
    """The Cloud Storage folder of the predictions (a job writing to Cloud Storage)."""
    output_table: str | None = None
    """The BigQuery table of the predictions, `bq://PROJECT.DATASET.TABLE`."""
    input_uris: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_resource(cls, data: Mapping[str, Any]) -> BatchStatus:
        stats = data.get("completionStats") or {}
        labels = {str(k): str(v) for k, v in (data.get("labels") or {}).items()}
        error = data.get("error") or {}
        inputs = data.get("inputConfig") or {}
        source = inputs.get("gcsSource") or {}
        table = (inputs.get("bigquerySource") or {}).get("inputUri")
        return cls(
            name=str(data.get("name", "")), state=str(data.get("state", "JOB_STATE_UNSPECIFIED")),
            display_name=str(data.get("displayName", "")), model=str(data.get("model", "")),
            create_time=str(data.get("createTime", "")),
            update_time=str(data.get("updateTime", "")),
            succeeded=_int(stats.get("successfulCount")), failed=_int(stats.get("failedCount")),
            incomplete=_int(stats.get("incompleteCount")),
            total=_int(labels["vdsl-rows"]) if labels.get("vdsl-rows", "").isdigit() else None,
            error=str(error.get("message") or error.get("code")) if error else None,
            output_dir=(data.get("outputInfo") or {}).get("gcsOutputDirectory"),
            output_table=_output_table(data),
            input_uris=[str(u) for u in source.get("uris") or []] + ([str(table)] if table
                                                                    else []),
            labels=labels)

    @property
    def done(self) -> bool:
        """The job has stopped (successfully or not)."""
        return self.state in TERMINAL_STATES

    @property
    def short_state(self) -> str:
        return self.state.removeprefix("JOB_STATE_")

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "display_name": self.display_name,
                "model": self.model, "create_time": self.create_time,
                "update_time": self.update_time, "succeeded": self.succeeded,
                "failed": self.failed, "incomplete": self.incomplete, "total": self.total,
                "error": self.error, "output_dir": self.output_dir,
                "output_table": self.output_table}


def _output_table(data: Mapping[str, Any]) -> str | None:
    """`bq://PROJECT.DATASET.TABLE` of a BigQuery job's predictions: what `outputInfo` names,
    else the table the job was told to write."""
    info = data.get("outputInfo") or {}
    dataset, table = info.get("bigqueryOutputDataset"), info.get("bigqueryOutputTable")
    if isinstance(dataset, str) and isinstance(table, str) and dataset and table:
        return f"{dataset.rstrip('/')}.{table}"
    uri = ((data.get("outputConfig") or {}).get("bigqueryDestination") or {}).get("outputUri")
    if isinstance(uri, str) and uri.startswith("bq://") and uri.count(".") >= 2:
        return uri
    return None


def _int(value: Any) -> int:
    try:
        return int(value)  # int64 fields arrive as JSON strings
    except (TypeError, ValueError):
        return 0


def parse_name(name: str) -> tuple[str, str, str]:
    """(project, location, id) of a job's resource name, or BatchError."""
    found = JOB_NAME.match(name.strip())
    if found is None:
        raise BatchError(f"not a batch job name: {name!r} (expected projects/P/locations/L/"
                         "batchPredictionJobs/ID, as `vdsl batch submit` prints)")
    return found.group(1), found.group(2), found.group(3)


class Jobs:
    """The batchPredictionJobs REST resource, on the runtime's httpx client and credentials."""

    def __init__(self, http: httpx.Client, auth: AuthStrategy | None,
                 endpoint: str | None = None, *, sleep: Any = time.sleep) -> None:
        self._http = http
        self._auth = auth
        self._endpoint = endpoint
        self._sleep = sleep

    def url(self, location: str, path: str) -> str:
        url = f"https://{host_for(location)}/{API_VERSION}/{path}"
        return redirect(url, self._endpoint) if self._endpoint else url

    def create(self, project: str, location: str, body: dict[str, Any]) -> BatchStatus:
        parent = f"projects/{project}/locations/{location}"
        data = self._call("POST", self.url(location, f"{parent}/batchPredictionJobs"),
                          json=body)
        return BatchStatus.from_resource(data)

    def get(self, name: str) -> BatchStatus:
        _, location, _ = parse_name(name)
        return BatchStatus.from_resource(self._call("GET", self.url(location, name)))

    def cancel(self, name: str) -> None:
        _, location, _ = parse_name(name)
        self._call("POST", self.url(location, f"{name}:cancel"), json={})

    def list(self, project: str, location: str, filter: str | None = None,
             limit: int | None = None) -> Iterator[BatchStatus]:
        """Jobs of a project and location, newest first as Vertex lists them."""
        url = self.url(location, f"projects/{project}/locations/{location}/batchPredictionJobs")
        token, seen = None, 0
        while True:
            params = {"pageSize": "100", **({"filter": filter} if filter else {}),
                      **({"pageToken": token} if token else {})}
            data = self._call("GET", url, params=params)
            for job in data.get("batchPredictionJobs") or []:
                yield BatchStatus.from_resource(job)
                seen += 1
                if limit is not None and seen >= limit:
                    return
            token = data.get("nextPageToken")
            if not token:
                return

    def _call(self, method: str, url: str, **kw: Any) -> dict[str, Any]:
        for attempt in range(_RETRIES + 1):
            headers = self._auth.headers() if self._auth is not None else {}
            try:
                response = self._http.request(method, url, headers=headers, timeout=_TIMEOUT,
                                              **kw)
            except httpx.HTTPError as error:
                if attempt == _RETRIES:
                    raise TransportError(f"the request to {url} failed: {error}") from None
                self._sleep(min(2.0 ** attempt, 8.0))
                continue
            if response.status_code in (429, 500, 502, 503, 504) and attempt < _RETRIES:
                self._sleep(min(2.0 ** attempt, 8.0))
                continue
            if response.status_code >= 400:
                raise _vertex_error(response, url)
            try:
                data = response.json()
            except ValueError:
                raise BatchError(f"Vertex AI sent a reply that is not JSON from {url}") from None
            return data if isinstance(data, dict) else {}
        raise AssertionError("unreachable")


def _vertex_error(response: httpx.Response, url: str) -> VertexError:
    status, vertex_status, message = response.status_code, None, response.text[:300]
    try:
        error = response.json()
        error = error[0] if isinstance(error, list) and error else error
        vertex_status = error["error"].get("status")
        message = str(error["error"].get("message", message))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        pass
    hints = {403: "the caller needs the `aiplatform.batchPredictionJobs.create` (and .get, "
                  ".list, .cancel) permission: role Vertex AI User (roles/aiplatform.user); the "
                  "Vertex AI service agent also needs read/write access to the bucket",
             404: "check the job name, the project and the location",
             401: "the credentials were refused; check that they are valid and not expired"}
    return VertexError(status, vertex_status, message, hint=hints.get(status, ""), url=url,
                       model="batchPredictionJobs")
