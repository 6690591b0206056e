"""End to end against the emulator: rows → job → typed results in input order, through Cloud
Storage and through BigQuery tables."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from vdsl.batch import BadRowsError, BatchJob
from vdsl.batch.bigquery import TableRef
from vdsl.emulator import Emulator
from vdsl.errors import BatchError, InvalidArgumentError
from vdsl.runtime import Runtime

DEST = "gs://batch-bucket/runs"
TABLES = "bq://batch-proj.batch_data"
BOTH = pytest.mark.parametrize("dest", [DEST, TABLES], ids=["storage", "bigquery"])


def rows_for(count: int) -> list[dict[str, object]]:
    return [{"n": i, "word": f"w{i}"} for i in range(1, count + 1)]


def _written_order(job: BatchJob) -> list[int]:
    """The row numbers in the order the job wrote its predictions."""
    status = job.status()
    if status.output_table is not None:
        ref = TableRef.parse(status.output_table)
        return [int(row["vdsl_row"]) for row in job.session.bigquery.rows(ref, ["vdsl_row"])]
    assert status.output_dir is not None
    lines: list[dict[str, Any]] = []
    for uri in job.session.storage.names(status.output_dir):
        lines += [json.loads(line) for line in job.session.storage.lines(uri)]
    return [int(line["request"]["labels"]["vdsl_row"]) for line in lines]


@BOTH
def test_a_thousand_rows_come_back_typed_and_in_input_order(runtime: Runtime, dest: str) -> None:
    job = runtime.batch("Describe", rows_for(1000), dest=dest, poll=0.05)
    assert job.wait(timeout=60).state == "JOB_STATE_SUCCEEDED"
    results = list(job.results())
    assert [r.row for r in results] == list(range(1, 1001))
    assert all(r.ok for r in results)
    assert [(r.value.n, r.value.word) for r in results] == \
        [(i, f"w{i}") for i in range(1, 1001)]
    assert type(results[0].value).__name__ == "Item"
    assert job.summary is not None and job.summary.ok == 1000 and job.summary.complete
    assert job.summary.cost is not None and job.summary.cost > 0
    # the emulator wrote predictions out of order, as Vertex may: the order came from vdsl
    order = _written_order(job)
    assert sorted(order) == list(range(1, 1001)) and order != sorted(order)


@BOTH
def test_five_failing_rows_are_reported_with_the_rest_typed(runtime: Runtime,
                                                            emulator: Emulator, dest: str) -> None:
    emulator.add_fixture("", regex=r'"word": "boom', fault="status=500; message=backend died")
    rows = rows_for(40)
    failing = {3, 11, 19, 27, 35}
    for n in failing:
        rows[n - 1]["word"] = f"boom{n}"
    job = runtime.batch("Describe", rows, dest=dest, poll=0.05)
    job.wait(timeout=30)
    results = list(job.results())
    assert {r.row for r in results if not r.ok} == failing
    assert all("backend died" in (r.error or "") for r in results if not r.ok)
    assert all(r.value.n == r.row for r in results if r.ok)
    assert job.summary is not None and (job.summary.ok, job.summary.failed) == (35, 5)


@BOTH
def test_a_cancelled_job_reports_its_missing_rows(runtime: Runtime, dest: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=0; running=30; cancelling=0.05")
    job = runtime.batch("Describe", rows_for(20), dest=dest, poll=0.05)
    while job.status().processed < 2:
        time.sleep(0.1)
    assert job.cancel().state in ("JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED")
    final = job.wait(timeout=10)
    assert final.state == "JOB_STATE_CANCELLED"
    results = list(job.results())
    assert len(results) == 20 and [r.row for r in results] == list(range(1, 21))
    missing = [r for r in results if r.missing]
    assert missing and all(not r.ok and "missing" in (r.error or "") for r in missing)
    assert job.summary is not None and not job.summary.complete
    assert job.summary.missing == len(missing) and job.summary.ok == 20 - len(missing)


@BOTH
def test_a_failed_job_says_why_and_every_row_is_missing(runtime: Runtime, dest: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=0; running=0.1; fail=quota exhausted")
    job = runtime.batch("Describe", rows_for(5), dest=dest, poll=0.05)
    status = job.wait(timeout=10)
    assert status.state == "JOB_STATE_FAILED" and status.error == "quota exhausted"
    results = list(job.results())
    assert [r.missing for r in results] == [True] * 5


def test_results_before_the_job_ends_are_refused(runtime: Runtime,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=30")
    job = runtime.batch("Describe", rows_for(3), dest=DEST)
    with pytest.raises(BatchError, match="PENDING: its results are ready when it ends"):
        list(job.results())


@BOTH
def test_csv_and_jsonl_inputs_give_the_same_results(runtime: Runtime, tmp_path: Path,
                                                    dest: str) -> None:
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows_for(12)), encoding="utf-8")
    csv = tmp_path / "rows.csv"
    csv.write_text("word,n\n" + "".join(f"w{i},{i}\n" for i in range(1, 13)), encoding="utf-8")
    values = []
    for path in (jsonl, csv):
        job = runtime.batch("Describe", path, dest=dest, poll=0.05)
        job.wait(timeout=30)
        values.append([(r.row, r.value.n, r.value.word) for r in job.results()])
    assert values[0] == values[1] == [(i, i, f"w{i}") for i in range(1, 13)]


def test_bad_rows_are_named_by_line_and_nothing_is_uploaded(runtime: Runtime,
                                                           emulator: Emulator,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("n,word\n1,a\nabc,b\n3\n4,d\n", encoding="utf-8")
    emulator.clear_requests()
    with pytest.raises(BadRowsError) as caught:
        runtime.batch("Describe", path, dest=DEST)
    message = str(caught.value)
    assert "line 3:" in message and "line 4:" in message and "nothing was submitted" in message
    assert [b.row for b in caught.value.bad] == [2, 3]
    assert emulator.requests == []


@BOTH
def test_skipped_bad_rows_keep_their_place_in_the_results(runtime: Runtime, tmp_path: Path,
                                                          dest: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"n": 1, "word": "a"}\n\n{"n": "two", "word": "b"}\nnot json\n'
                    '{"n": 4, "word": "d", "extra": 1}\n{"n": 5, "word": "e"}\n',
                    encoding="utf-8")
    job = runtime.batch("Describe", path, dest=dest, skip_bad_rows=True, poll=0.05)
    job.wait(timeout=30)
    results = [r.to_dict() for r in job.results()]
    assert [r["row"] for r in results] == [1, 2, 3, 4, 5]
    assert [r["ok"] for r in results] == [True, False, False, False, True]
    assert "line 3" in results[1]["error"] and "expected int" in results[1]["error"]
    assert "line 4" in results[2]["error"] and "not JSON" in results[2]["error"]
    assert "unexpected argument `extra`" in results[3]["error"]
    assert results[4]["value"] == {"n": 5, "word": "e"}


def test_models_without_batch_and_strategy_clients_are_refused_before_any_request(
        runtime: Runtime, emulator: Emulator) -> None:
    emulator.clear_requests()
    with pytest.raises(BatchError, match="mistral-large-2411.*no batch prediction"):
        runtime.batch("Describe", rows_for(1), dest=DEST, client="Mistral")
    with pytest.raises(BatchError, match="fallback client; a batch job runs one model"):
        runtime.batch("Describe", rows_for(1), dest=DEST, client="Both")
    with pytest.raises(BatchError, match="not a BigQuery dataset bq://PROJECT.DATASET"):
        runtime.batch("Describe", rows_for(1), dest="bq://p.d")
    with pytest.raises(BatchError, match="gs://BUCKET/PREFIX or a BigQuery dataset"):
        runtime.batch("Describe", rows_for(1), dest="s3://bucket/x")
    with pytest.raises(InvalidArgumentError, match="unknown function"):
        runtime.batch("Nope", rows_for(1), dest=DEST)
    assert emulator.requests == []


def test_a_denied_or_missing_bucket_names_the_problem(runtime: Runtime) -> None:
    with pytest.raises(BatchError, match="(?s)403.*`storage.objects.create` permission on bucket "
                                         "`forbidden-bucket`"):
        runtime.batch("Describe", rows_for(2), dest="gs://forbidden-bucket/x")
    with pytest.raises(BatchError, match="(?s)404.*bucket `no-such-bucket` exists"):
        runtime.batch("Describe", rows_for(2), dest="gs://no-such-bucket/x")


@BOTH
@pytest.mark.parametrize("client", ["Haiku", "Llama"])
def test_partner_families_round_trip(runtime: Runtime, client: str, dest: str) -> None:
    job = runtime.batch("Describe", rows_for(6), dest=dest, client=client, poll=0.05)
    job.wait(timeout=30)
    assert [(r.row, r.ok, r.value.n) for r in job.results()] == \
        [(i, True, i) for i in range(1, 7)]
