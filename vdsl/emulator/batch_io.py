"""Where an emulated batch job reads its rows and writes its predictions: a JSONL object in
Cloud Storage, or a BigQuery table.

    input   inputConfig {instancesFormat: jsonl, gcsSource {uris: [gs://…]}}
            inputConfig {instancesFormat: bigquery, bigquerySource {inputUri: bq://P.D.T}}
    output  outputConfig {predictionsFormat: jsonl, gcsDestination {outputUriPrefix}}
              → PREFIX/prediction-model-TIME/predictions.jsonl, outputInfo.gcsOutputDirectory
            outputConfig {predictionsFormat: bigquery, bigqueryDestination {outputUri}}
              → bq://P.D.T (or bq://P.D.predictions_TIME), outputInfo.bigqueryOutputDataset
                and .bigqueryOutputTable; the input table's columns are copied (MaaS drops
                `method` and `url`), with `response` (JSON), `status` and `processed_time`.

The dataset of a table must be where the job runs (its region, or the US/EU multi-region
that holds it), as batch prediction asks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import bigquery, errors
from .reply import Reply
from .storage import object_path, write_object

if TYPE_CHECKING:
    from .app import App

__all__ = ["JobInput", "open_input", "output_problem", "write_output"]

OUTPUT_COLUMNS = [{"name": "response", "type": "JSON", "mode": "NULLABLE"},
                  {"name": "status", "type": "STRING", "mode": "NULLABLE"},
                  {"name": "processed_time", "type": "TIMESTAMP", "mode": "NULLABLE"}]
DROPPED = ("method", "url")
"""Input columns a MaaS (OpenAI-style) job leaves out of its output table."""


@dataclass
class JobInput:
    """The rows of a job: raw JSONL lines (`path`) or table rows (`table`)."""

    path: Any = None
    table: tuple[str, str, str] | None = None
    schema: list[dict[str, Any]] = field(default_factory=list)

    def lines(self, app: App) -> Iterator[bytes | dict[str, Any]]:
        if self.table is not None:
            yield from bigquery.read_rows(app, *self.table)
            return
        with self.path.open("rb") as source:
            for raw in source:
                if raw.strip():
                    yield raw


def open_input(app: App, body: dict[str, Any], location: str) -> JobInput | Reply:
    """The job's input, or the error Vertex answers the create request with."""
    config = body.get("inputConfig") or {}
    if config.get("instancesFormat") == "bigquery":
        return _table_input(app, str((config.get("bigquerySource") or {}).get("inputUri")),
                            location)
    uris = (config.get("gcsSource") or {}).get("uris") or []
    uri = uris[0] if len(uris) == 1 else None
    if config.get("instancesFormat") != "jsonl" or not isinstance(uri, str) or \
            not uri.startswith("gs://"):
        return errors.google_error(400, "inputConfig must have instancesFormat jsonl and one "
                                        "gcsSource uri, or instancesFormat bigquery and a "
                                        "bigquerySource inputUri.")
    bucket, _, name = uri[5:].partition("/")
    path = object_path(app, bucket, name)
    if path is None:
        return _precondition(f"Failed to read the input file {uri}: No such object.")
    return JobInput(path=path)


def _table_input(app: App, uri: str, location: str) -> JobInput | Reply:
    parsed = bigquery.parse_table(uri)
    project, dataset, table = parsed or ("", "", None)
    if table is None:
        return errors.google_error(400, f"Invalid BigQuery input uri: {uri!r}. Expected "
                                        "bq://project.dataset.table.")
    problem = _dataset_problem(app, project, dataset, location)
    if problem is not None:
        return problem
    schema = bigquery.table_schema(app, project, dataset, table)
    if schema is None:
        return _precondition(f"Failed to read the input table {uri}: Not found: Table "
                             f"{project}:{dataset}.{table}.")
    names = {f["name"] for f in schema}
    if "request" not in names and "body" not in names:
        return _precondition(f"The input table {uri} has no `request` column.")
    return JobInput(table=(project, dataset, table), schema=schema)


def output_problem(app: App, body: dict[str, Any], location: str) -> Reply | None:
    """Why the job cannot write where it is told to (None when it can)."""
    config = body.get("outputConfig") or {}
    if config.get("predictionsFormat") == "bigquery":
        uri = str((config.get("bigqueryDestination") or {}).get("outputUri"))
        parsed = bigquery.parse_table(uri)
        if parsed is None:
            return errors.google_error(400, f"Invalid BigQuery output uri: {uri!r}.")
        project, dataset, table = parsed
        problem = _dataset_problem(app, project, dataset, location)
        if problem is None and table and bigquery.table_schema(app, project, dataset, table):
            return _precondition(f"The output table {uri} already exists; name a new table "
                                 "or a dataset.")
        return problem
    output = (config.get("gcsDestination") or {}).get("outputUriPrefix")
    if not isinstance(output, str) or not output.startswith("gs://"):
        return errors.google_error(400, "outputConfig.gcsDestination.outputUriPrefix or "
                                        "bigqueryDestination.outputUri is required.")
    return None


def _dataset_problem(app: App, project: str, dataset: str, location: str) -> Reply | None:
    where = bigquery.dataset_location(app, project, dataset)
    if where is None:
        return _precondition(f"Not found: Dataset {project}:{dataset}.")
    multi = {"us": "us-", "eu": "europe-"}.get(where.lower())
    if where.lower() != location.lower() and not (multi and location.startswith(multi)):
        return _precondition(f"The BigQuery dataset {project}:{dataset} is in {where}; it must "
                             f"be in the same region as the batch prediction job ({location}).")
    return None


def _precondition(message: str) -> Reply:
    return errors.google_error(400, message, status="FAILED_PRECONDITION")


def output_row(line: dict[str, Any] | None, answer: dict[str, Any]) -> dict[str, Any]:
    """A BigQuery output row: the input row's columns, then the prediction's."""
    row = {k: v for k, v in (line or {}).items() if k not in DROPPED}
    row.update(response=answer.get("response"), status=answer.get("status") or "",
               processed_time=answer.get("processed_time"))
    return row


def write_output(app: App, doc: dict[str, Any], lines: Iterable[bytes]) -> dict[str, str]:
    """Write the job's predictions where its outputConfig says; returns its `outputInfo`."""
    config = doc["outputConfig"]
    stamp = datetime.now(UTC)
    if config.get("predictionsFormat") == "bigquery":
        parsed = bigquery.parse_table(str(config["bigqueryDestination"]["outputUri"]))
        assert parsed is not None
        project, dataset, table = parsed
        table = table or f"predictions_{stamp.strftime('%Y_%m_%dT%H_%M_%S_%f')}"
        columns = [f for f in doc.get("input_schema") or [] if f["name"] not in DROPPED]
        bigquery.write_table(app, project, dataset, table, columns + OUTPUT_COLUMNS,
                             (json.loads(line) for line in lines))
        return {"bigqueryOutputDataset": f"bq://{project}.{dataset}",
                "bigqueryOutputTable": table}
    prefix = str(config["gcsDestination"]["outputUriPrefix"]).rstrip("/")
    folder = f"{prefix}/prediction-model-{stamp.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"
    bucket, _, base = folder[5:].partition("/")
    name = f"{base}/predictions.jsonl"
    with app.state.blob_path(bucket, name).open("wb") as out:
        for line in lines:
            out.write(line)
    write_object(app, bucket, name, "application/jsonl")
    return {"gcsOutputDirectory": folder}
