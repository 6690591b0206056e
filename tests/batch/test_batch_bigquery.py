"""BigQuery as a batch destination, against the emulator: the input table's rows and schema per
family, the dataset's region, errors that name the permission or the dataset, load jobs (in
chunks, polled, refused), the manifest kept in a table, and output rows vdsl cannot read."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from vdsl.batch import BatchJob, plan_batch
from vdsl.batch import places as places_module
from vdsl.batch.bigquery import BigQuery, TableRef
from vdsl.batch.lines import TABLE_SCHEMAS
from vdsl.batch.prepare import Preparer
from vdsl.emulator import Emulator
from vdsl.errors import BatchError
from vdsl.runtime import Runtime, StaticToken

TABLES = "bq://batch-proj.batch_data"
ARGS = {"n": 7, "word": "seven"}


def rows_for(count: int) -> list[dict[str, object]]:
    return [{"n": i, "word": f"w{i}"} for i in range(1, count + 1)]


def _client(emulator: Emulator, http: httpx.Client) -> BigQuery:
    return BigQuery(http, StaticToken(emulator.issue_token()), emulator.url,
                    sleep=lambda s: None)


def _make_dataset(emulator: Emulator, name: str, location: str) -> None:
    response = httpx.post(f"{emulator.url}/bigquery/v2/projects/batch-proj/datasets",
                          json={"datasetReference": {"datasetId": name}, "location": location},
                          headers={"authorization": f"Bearer {emulator.issue_token()}"})
    assert response.status_code == 200, response.text


def test_input_rows_are_the_family_lines_with_the_row_number_and_no_labels(
        runtime: Runtime) -> None:
    for client, columns in (("Flash", ["vdsl_row", "request"]),
                            ("Haiku", ["vdsl_row", "custom_id", "request"]),
                            ("Llama", ["vdsl_row", "custom_id", "method", "url", "body"])):
        plan = plan_batch(runtime.project, "Describe", client=client, env={})
        row = json.loads(Preparer(plan, table=True).line(7, dict(ARGS)))
        online = runtime.build_request("Describe", ARGS, client=client).body
        assert list(row) == columns == [c["name"] for c in TABLE_SCHEMAS[plan.family]]
        assert row["vdsl_row"] == 7
        assert row.get("request", row.get("body")) == online     # no labels trick
        if client != "Flash":
            assert row["custom_id"] == "row-7"
        if client == "Llama":
            assert (row["method"], row["url"]) == ("POST", "/v1/chat/completions")


def test_the_job_reads_an_input_table_loaded_with_a_typed_schema(runtime: Runtime,
                                                                 emulator: Emulator) -> None:
    job = runtime.batch("Describe", rows_for(3), dest=TABLES, poll=0.05)
    status = job.status()
    assert status.input_uris == [f"{TABLES}.vdsl_{job.manifest().run}_input"]
    request = next(r for r in emulator.requests if r.path.endswith("/batchPredictionJobs"))
    body = request.body
    assert body["inputConfig"] == {"instancesFormat": "bigquery",
                                   "bigquerySource": {"inputUri": status.input_uris[0]}}
    assert body["outputConfig"] == {"predictionsFormat": "bigquery", "bigqueryDestination": {
        "outputUri": f"{TABLES}.vdsl_{job.manifest().run}_output"}}
    table = job.session.bigquery.table(TableRef.parse(status.input_uris[0]))
    assert table is not None and table["numRows"] == "3"
    assert [(f["name"], f["type"]) for f in table["schema"]["fields"]] == \
        [("vdsl_row", "INTEGER"), ("request", "JSON")]
    job.wait(timeout=30)
    final = job.status()
    assert final.output_table == f"{TABLES}.vdsl_{job.manifest().run}_output"
    output = job.session.bigquery.table(TableRef.parse(final.output_table))
    assert output is not None
    assert [f["name"] for f in output["schema"]["fields"]] == \
        ["vdsl_row", "request", "response", "status", "processed_time"]


def test_results_need_only_the_job_name(runtime: Runtime, emulator: Emulator) -> None:
    job = runtime.batch("Describe", rows_for(4), dest=TABLES, poll=0.05)
    job.wait(timeout=30)
    fresh = BatchJob(job.session, job.name)   # no project, no manifest in hand
    assert [(r.row, r.value.n) for r in fresh.results()] == [(i, i) for i in range(1, 5)]
    assert fresh.manifest().function == "Describe"


def test_a_large_manifest_is_kept_in_parts(runtime: Runtime,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places_module, "MANIFEST_PART", 100)
    job = runtime.batch("Describe", rows_for(2), dest=TABLES, poll=0.05)
    ref = TableRef.parse(job.status().input_uris[0].replace("_input", "_manifest"))
    parts = list(job.session.bigquery.rows(ref, ["part", "text"]))
    assert len(parts) > 10
    job.wait(timeout=30)
    fresh = BatchJob(job.session, job.name)
    assert fresh.manifest().sources == job.manifest().sources
    assert [r.ok for r in fresh.results()] == [True, True]


def test_a_dataset_in_another_region_is_refused_before_anything_is_uploaded(
        runtime: Runtime, emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    _make_dataset(emulator, "in_europe", "europe-west4")
    emulator.clear_requests()
    with pytest.raises(BatchError, match=r"(?s)`batch-proj.in_europe` is in `europe-west4` and "
                                         r"the job runs in `us-central1`.*bq mk --dataset "
                                         r"--location=us-central1"):
        runtime.batch("Describe", rows_for(2), dest="bq://batch-proj.in_europe")
    assert [r.method for r in emulator.requests] == ["GET"]        # only datasets.get
    _make_dataset(emulator, "in_region", "us-central1")
    with caplog.at_level(logging.WARNING, logger="vdsl.batch"):
        runtime.batch("Describe", rows_for(1), dest="bq://batch-proj.in_region")
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="vdsl.batch"):
        runtime.batch("Describe", rows_for(1), dest="bq://batch-proj.multi")   # US multi-region
    assert "a multi-region dataset may be refused" in caplog.text


def test_missing_and_denied_datasets_name_the_dataset_and_the_permission(
        runtime: Runtime) -> None:
    with pytest.raises(BatchError, match=r"(?s)404.*dataset `batch-proj.no_such_data` exists "
                                         r"\(bq mk --dataset"):
        runtime.batch("Describe", rows_for(2), dest="bq://batch-proj.no_such_data")
    with pytest.raises(BatchError, match=r"(?s)403.*`bigquery.datasets.get` permission"):
        runtime.batch("Describe", rows_for(2), dest="bq://batch-proj.forbidden_data")
    with pytest.raises(BatchError, match=r"(?s)403.*`bigquery.tables.create` permission on "
                                         r"dataset `batch-proj.readonly_data`"):
        runtime.batch("Describe", rows_for(2), dest="bq://batch-proj.readonly_data")


def test_each_bigquery_operation_names_its_permission(emulator: Emulator,
                                                      tmp_path: Path) -> None:
    ref = TableRef("batch-proj", "forbidden_x", "t")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"a": 1}\n', encoding="utf-8")
    schema = [{"name": "a", "type": "INTEGER", "mode": "NULLABLE"}]
    with httpx.Client() as http:
        bq = _client(emulator, http)
        with pytest.raises(BatchError, match="`bigquery.tables.create` permission"):
            bq.create_table(ref, schema)
        with pytest.raises(BatchError, match="`bigquery.jobs.create` and "
                                             "`bigquery.tables.updateData` permission"):
            bq.load(ref, rows, schema, location="US", job_id="j1")
        with pytest.raises(BatchError, match="`bigquery.tables.getData` permission"):
            list(bq.rows(ref, ["a"]))


def test_a_load_goes_up_in_chunks_is_polled_until_done_and_replaces_the_table(
        emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "load=0.3")
    ref = TableRef("batch-proj", "loads", "big")
    schema = [{"name": "n", "type": "INTEGER", "mode": "REQUIRED"},
              {"name": "doc", "type": "JSON", "mode": "NULLABLE"}]
    path = tmp_path / "rows.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(3000):
            out.write(json.dumps({"n": n, "doc": {"text": "x" * 300, "n": [n]}}) + "\n")
    with httpx.Client() as http:
        bq = BigQuery(http, StaticToken(emulator.issue_token()), emulator.url)
        bq.create_table(ref, schema)
        emulator.clear_requests()
        job = bq.load(ref, path, schema, location="US", job_id="load-1", chunk=256 * 1024)
        puts = [r for r in emulator.requests if r.method == "PUT"]
        polls = [r for r in emulator.requests if r.method == "GET"]
        assert len(puts) == -(-path.stat().st_size // (256 * 1024)) and polls
        assert job["status"]["state"] == "DONE" and "errorResult" not in job["status"]
        read = list(bq.rows(ref, ["n", "doc"], page_rows=700))
        assert [int(r["n"]) for r in read] == list(range(3000))
        assert json.loads(read[5]["doc"]) == {"text": "x" * 300, "n": [5]}
        bq.load(ref, path, schema, location="US", job_id="load-2")       # WRITE_TRUNCATE
        assert bq.table(ref)["numRows"] == "3000"                       # type: ignore[index]


@pytest.mark.parametrize("line, reason", [
    ('{"n": 1, "zzz": 2}', "No such field: zzz"),
    ('{"doc": {}}', "Missing required field: n"),
    ('{"n": "seven"}', "Could not convert value to INTEGER"),
    ("not json", "Parser terminated"),
])
def test_a_refused_load_says_why(emulator: Emulator, tmp_path: Path, line: str,
                                 reason: str) -> None:
    ref = TableRef("batch-proj", "loads", "refused")
    schema = [{"name": "n", "type": "INTEGER", "mode": "REQUIRED"},
              {"name": "doc", "type": "JSON", "mode": "NULLABLE"}]
    path = tmp_path / "rows.jsonl"
    path.write_text('{"n": 0}\n' + line + "\n", encoding="utf-8")
    with httpx.Client() as http:
        bq = _client(emulator, http)
        bq.create_table(ref, schema, exist_ok=True)
        with pytest.raises(BatchError, match=f"could not load the rows into .*{reason}"):
            bq.load(ref, path, schema, location="US", job_id="bad")
        assert bq.table(ref)["numRows"] == "0"                          # type: ignore[index]


def test_output_rows_vdsl_cannot_read_are_errors_or_unmatched(runtime: Runtime,
                                                              emulator: Emulator) -> None:
    job = runtime.batch("Describe", rows_for(4), dest=TABLES, poll=0.05)
    job.wait(timeout=30)
    output = TableRef.parse(str(job.status().output_table))
    state = emulator.app.state
    blob = state.blob_path("_bq", f"{output.project}:{output.dataset}.{output.table}")
    rows = [json.loads(line) for line in blob.read_text(encoding="utf-8").splitlines()]
    by_row = {r["vdsl_row"]: r for r in rows}
    by_row[2]["response"] = None
    by_row[2]["status"] = "quota"                       # a row Vertex failed
    by_row[3]["vdsl_row"] = 99                          # a row that names no input row
    blob.write_text("".join(json.dumps(r) + "\n" for r in by_row.values()), encoding="utf-8")
    results = {r.row: r for r in job.results()}
    assert results[1].ok and results[4].ok
    assert results[2].error == "quota" and not results[2].ok
    assert results[3].missing
    assert job.summary is not None and job.summary.unmatched == 1 and not job.summary.complete


def test_a_dataset_uri_is_checked() -> None:
    from vdsl.batch.plan import BigQueryDataset, parse_destination
    assert parse_destination("bq://my-proj.my_data") == BigQueryDataset("my-proj", "my_data")
    for bad in ("bq://p.d", "bq://my-proj", "bq://my-proj.my-data", "bq://my-proj.d.t",
                "bq://My-Proj.data"):
        with pytest.raises(BatchError, match="not a BigQuery dataset"):
            parse_destination(bad)
