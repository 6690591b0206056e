"""Where a job's input, manifest and predictions live: a Cloud Storage folder or a BigQuery
dataset. `place_for(dest)` gives the place to submit to; `read_manifest` and `predictions`
find them again from the job alone (its input and output configuration), so `vdsl batch
results JOB` needs nothing else.

    Cloud Storage  gs://B/P/RUN/input.jsonl, gs://B/P/RUN/manifest.json,
                   gs://B/P/RUN/output/prediction-model-…/prediction*.jsonl
    BigQuery       bq://PROJECT.DATASET.vdsl_RUN_input (the lines as rows, with vdsl_row),
                   bq://…vdsl_RUN_manifest (the manifest's text, in parts),
                   bq://…vdsl_RUN_output (the predictions: the input columns, response, status)
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import jsontext
from ..errors import BatchError
from .bigquery import TableRef
from .jobs import DONE_STATES, BatchStatus
from .lines import TABLE_SCHEMAS, Prediction, prediction_of, read_prediction
from .manifest import MANIFEST_NAME, Manifest
from .plan import BatchPlan, BigQueryDataset, Destination

if TYPE_CHECKING:
    from .job import BatchSession

__all__ = ["Place", "place_for", "predictions", "read_manifest"]

MANIFEST_PART = 1_000_000
"""Characters of the manifest per row of its BigQuery table."""
MAX_MANIFEST = 64 * 1024 * 1024
_MANIFEST_SCHEMA = [{"name": "part", "type": "INTEGER", "mode": "REQUIRED"},
                    {"name": "text", "type": "STRING", "mode": "REQUIRED"}]
_OUTPUT_COLUMNS = ("vdsl_row", "custom_id", "response", "status", "error")


class Place(Protocol):
    """Where one job's files go."""

    table: bool
    """Whether the input is a BigQuery table (rows) rather than a JSONL file (lines)."""

    def check(self, session: BatchSession, plan: BatchPlan,
              warn: Callable[[str], None]) -> None: ...
    def input_uri(self, run: str) -> str: ...
    def output_uri(self, run: str) -> str: ...
    def upload(self, session: BatchSession, plan: BatchPlan, run: str, path: Path) -> None: ...
    def save_manifest(self, session: BatchSession, manifest: Manifest) -> None: ...
    def configs(self, manifest: Manifest) -> dict[str, Any]: ...


def place_for(dest: Destination | BigQueryDataset) -> Place:
    return TablePlace(dest) if isinstance(dest, BigQueryDataset) else StoragePlace(dest)


class StoragePlace:
    """A Cloud Storage folder: `gs://BUCKET/PREFIX/RUN/…`."""

    table = False

    def __init__(self, dest: Destination) -> None:
        self.dest = dest

    def check(self, session: BatchSession, plan: BatchPlan,
              warn: Callable[[str], None]) -> None:
        """Nothing to ask first: the upload's answer names a missing or denied bucket."""

    def input_uri(self, run: str) -> str:
        return self.dest.child(run).uri("input.jsonl")

    def output_uri(self, run: str) -> str:
        return self.dest.child(run).uri("output")

    def upload(self, session: BatchSession, plan: BatchPlan, run: str, path: Path) -> None:
        session.storage.upload_file(self.input_uri(run), path)

    def save_manifest(self, session: BatchSession, manifest: Manifest) -> None:
        session.storage.upload_bytes(self.dest.child(manifest.run).uri(MANIFEST_NAME),
                                     manifest.to_json())

    def configs(self, manifest: Manifest) -> dict[str, Any]:
        return {"inputConfig": {"instancesFormat": "jsonl",
                                "gcsSource": {"uris": [manifest.input_uri]}},
                "outputConfig": {"predictionsFormat": "jsonl",
                                 "gcsDestination": {"outputUriPrefix": manifest.output_uri}}}


class TablePlace:
    """A BigQuery dataset: tables `vdsl_RUN_input`, `vdsl_RUN_manifest`, `vdsl_RUN_output`."""

    table = True

    def __init__(self, dest: BigQueryDataset) -> None:
        self.dest = dest
        self.location: str | None = None

    def check(self, session: BatchSession, plan: BatchPlan,
              warn: Callable[[str], None]) -> None:
        """The dataset exists and is where the job runs (batch prediction reads and writes
        tables in the job's own region)."""
        found = session.bigquery.dataset(self.dest.project, self.dest.dataset)
        self.location = str(found.get("location") or "")
        where = dataset_region_problem(self.location, plan.location)
        if where is None:
            return
        problem, fatal = where
        message = (f"BigQuery dataset `{self.dest.project}.{self.dest.dataset}` is in "
                   f"`{self.location}` and the job runs in `{plan.location}`: {problem}")
        if fatal:
            raise BatchError(message + f"; use a dataset in {plan.location} (bq mk --dataset "
                             f"--location={plan.location} {self.dest.project}:DATASET)")
        warn(message)

    def input_uri(self, run: str) -> str:
        return self.dest.uri(f"vdsl_{run}_input")

    def output_uri(self, run: str) -> str:
        return self.dest.uri(f"vdsl_{run}_output")

    def upload(self, session: BatchSession, plan: BatchPlan, run: str, path: Path) -> None:
        self._table(session, TableRef.parse(self.input_uri(run)), TABLE_SCHEMAS[plan.family],
                    path, run)

    def save_manifest(self, session: BatchSession, manifest: Manifest) -> None:
        text = manifest.to_json().decode()
        with tempfile.TemporaryDirectory(prefix="vdsl-batch-") as tmp:
            path = Path(tmp) / "manifest.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for part, start in enumerate(range(0, max(len(text), 1), MANIFEST_PART)):
                    out.write(json.dumps({"part": part,
                                          "text": text[start:start + MANIFEST_PART]}) + "\n")
            self._table(session, _manifest_table(manifest.input_uri), _MANIFEST_SCHEMA, path,
                        manifest.run)

    def _table(self, session: BatchSession, ref: TableRef, schema: list[dict[str, str]],
               path: Path, run: str) -> None:
        """Create the table (kept if an interrupted submit of this run made it) and load the
        file into it, replacing whatever it held."""
        labels = {"vdsl": "batch", "vdsl-run": run[:63]}
        session.bigquery.create_table(ref, schema, labels, exist_ok=True)
        session.bigquery.load(ref, path, schema, location=self.location or "",
                              job_id=f"vdsl_{ref.table}_{secrets.token_hex(4)}")

    def configs(self, manifest: Manifest) -> dict[str, Any]:
        return {"inputConfig": {"instancesFormat": "bigquery",
                                "bigquerySource": {"inputUri": manifest.input_uri}},
                "outputConfig": {"predictionsFormat": "bigquery",
                                 "bigqueryDestination": {"outputUri": manifest.output_uri}}}


def dataset_region_problem(dataset: str, region: str) -> tuple[str, bool] | None:
    """Why a dataset in `dataset` (a region or the US/EU multi-region) may not serve a job in
    `region`: (reason, whether it is certain), or None when they match."""
    if not dataset or dataset.lower() == region.lower():
        return None
    multi = {"us": "us-", "eu": "europe-"}.get(dataset.lower())
    if multi is not None and region.lower().startswith(multi):
        reason = ("Google asks for the dataset in the job's region; a multi-region dataset "
                  "may be refused when the job is created")
        return reason, False
    return "batch prediction needs the dataset in the job's region", True


# ---- reading a job back ---------------------------------------------------------------


def read_manifest(session: BatchSession, status: BatchStatus) -> Manifest:
    """The manifest vdsl saved next to the job's input."""
    source = status.input_uris[0] if status.input_uris else ""
    if source.startswith("gs://"):
        uri = source.rsplit("/", 1)[0] + "/" + MANIFEST_NAME
        return Manifest.from_json(session.storage.read(uri), uri)
    if source.startswith("bq://"):
        ref = _manifest_table(source)
        parts: list[tuple[int, str]] = []
        size = 0
        for row in session.bigquery.rows(ref, ["part", "text"]):
            text = str(row.get("text") or "")
            size += len(text)
            if size > MAX_MANIFEST:
                raise BatchError(f"{ref.uri} holds more than {MAX_MANIFEST} characters")
            part = str(row.get("part") or "")
            if not part.isdigit():
                raise BatchError(f"{ref.uri} is not a manifest vdsl wrote (part {part!r})")
            parts.append((int(part), text))
        return Manifest.from_json("".join(t for _, t in sorted(parts)).encode(), ref.uri)
    raise BatchError(f"job {status.name} reads neither Cloud Storage nor a BigQuery table "
                     "vdsl wrote; it was not submitted by vdsl")


def _manifest_table(input_uri: str) -> TableRef:
    ref = TableRef.parse(input_uri)
    if not ref.table.endswith("_input"):
        raise BatchError(f"{input_uri} is not an input table vdsl wrote")
    return TableRef(ref.project, ref.dataset, ref.table.removesuffix("_input") + "_manifest")


def predictions(session: BatchSession, status: BatchStatus) -> Iterator[Prediction]:
    """Every prediction the job wrote, streamed (JSONL files, or output table rows)."""
    source = status.input_uris[0] if status.input_uris else ""
    if source.startswith("bq://"):
        yield from _table_predictions(session, status)
        return
    for uri in _prediction_files(session, status):
        for line in session.storage.lines(uri):
            if line.strip():
                yield read_prediction(line)


def _prediction_files(session: BatchSession, status: BatchStatus) -> list[str]:
    if not status.output_dir:
        if status.state in DONE_STATES:
            raise BatchError(f"job {status.name} ended {status.short_state} but names no "
                             "output folder")
        return []
    return [uri for uri in session.storage.names(status.output_dir)
            if uri.rsplit("/", 1)[-1].startswith("prediction") and uri.endswith(".jsonl")]


def _table_predictions(session: BatchSession, status: BatchStatus) -> Iterator[Prediction]:
    table = session.bigquery.table(TableRef.parse(status.output_table)) \
        if status.output_table else None
    if table is None:
        if status.state in DONE_STATES:
            raise BatchError(f"job {status.name} ended {status.short_state} but its output "
                             f"table {status.output_table or '(none named)'} cannot be found")
        return
    ref = TableRef.parse(str(status.output_table))
    fields = [str(f.get("name")) for f in (table.get("schema") or {}).get("fields") or []]
    columns = [name for name in fields if name in _OUTPUT_COLUMNS]
    for row in session.bigquery.rows(ref, columns):
        yield _row_prediction(row)


def _row_prediction(row: dict[str, Any]) -> Prediction:
    """An output table row: `response` (and `status`/`error` when they hold JSON objects)
    arrive as JSON text."""
    response = row.get("response")
    if isinstance(response, str):
        try:
            row["response"] = jsontext.loads(response)
        except ValueError:
            prediction = prediction_of({**row, "response": None})
            return Prediction(prediction.row, None, "the response column is not JSON")
    return prediction_of(row)
