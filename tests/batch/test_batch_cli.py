"""`vdsl batch` in separate processes, as a user runs it: submit, then status, list and results
in later commands against the same emulator state; `run` resumes after being killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from batch_source import SOURCE

JOB = "projects/batch-proj/locations/us-central1/batchPredictionJobs/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "main.vdsl").write_text(SOURCE, encoding="utf-8")
    (folder / "emulator.yaml").write_text(
        '- regex: \'"word": "boom\'\n  reply: ""\n  fault: "status=500; message=row died"\n',
        encoding="utf-8")
    rows = "".join(json.dumps({"n": i, "word": "boom" if i == 4 else f"w{i}"}) + "\n"
                   for i in range(1, 31))
    (tmp_path / "rows.jsonl").write_text(rows, encoding="utf-8")
    return folder


def _env(tmp_path: Path, timeline: str = "queued=0.05; running=0.3") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VDSL_", "GOOGLE_"))}
    env.update(VDSL_EMULATOR_STATE=str(tmp_path / "emu"), VDSL_BATCH_STATE=str(tmp_path / "runs"),
               VDSL_EMULATOR_BATCH=timeline, VDSL_CACHE_DIR=str(tmp_path / "cache"))
    return env


def vdsl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vdsl", "batch", *args, "--emulator"],
                          check=False, capture_output=True, text=True, env=env,
                          timeout=120)


def wait_until_done(env: dict[str, str], job: str) -> dict[str, Any]:
    """`vdsl batch status --format json` until the job has ended (at most ~10 s)."""
    status: dict[str, Any] = {}
    for _ in range(40):
        result = vdsl(env, "status", job, "--format", "json")
        assert result.returncode == 0, result.stderr
        status = json.loads(result.stdout)
        if status["state"] in ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"):
            break
        time.sleep(0.25)
    return status


def test_submit_then_status_list_results_in_later_processes(project: Path,
                                                            tmp_path: Path) -> None:
    env = _env(tmp_path, "queued=4; running=0.2")
    submitted = vdsl(env, "submit", str(project), "Describe", "--input",
                     str(tmp_path / "rows.jsonl"), "--dest", "gs://any-bucket/jobs")
    assert submitted.returncode == 0, submitted.stderr
    job = submitted.stdout.strip()
    assert job.startswith(JOB) and "submitted 30 of 30 rows" in submitted.stderr
    early = vdsl(env, "results", job, "--output", str(tmp_path / "early.jsonl"))
    assert early.returncode == 3 and "results are ready when it ends" in early.stderr
    assert not (tmp_path / "early.jsonl").exists()
    assert wait_until_done(env, job)["state"] == "JOB_STATE_SUCCEEDED"
    listed = json.loads(vdsl(env, "list", "--project", "batch-proj", "--format", "json").stdout)["jobs"]
    assert [j["name"] for j in listed] == [job]
    out = tmp_path / "out.jsonl"
    results = vdsl(env, "results", job, "--output", str(out))
    assert results.returncode == 1, results.stderr          # one row failed
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["row"] for line in lines] == list(range(1, 31))
    assert lines[3] == {"row": 4, "ok": False, "error": "row died", "raw": None}
    assert lines[0]["value"] == {"n": 1, "word": "w1"} and lines[0]["usage"]["input_tokens"] > 0
    assert "30 rows: 29 ok, 1 failed, 0 skipped, 0 missing" in results.stderr


def test_a_bigquery_job_is_followed_and_collected_from_later_processes(project: Path,
                                                                       tmp_path: Path) -> None:
    env = _env(tmp_path, "queued=0.05; running=0.2")
    submitted = vdsl(env, "submit", str(project), "Describe", "--input",
                     str(tmp_path / "rows.jsonl"), "--dest", "bq://batch-proj.results_data")
    assert submitted.returncode == 0, submitted.stderr
    assert "multi-region dataset may be refused" in submitted.stderr      # a warning only
    job = submitted.stdout.strip()
    status = wait_until_done(env, job)
    assert status["state"] == "JOB_STATE_SUCCEEDED"
    assert status["output_table"].startswith("bq://batch-proj.results_data.vdsl_")
    out = tmp_path / "out.jsonl"
    results = vdsl(env, "results", job, "--output", str(out))
    assert results.returncode == 1, results.stderr          # one row failed
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["row"] for line in lines] == list(range(1, 31))
    assert lines[3] == {"row": 4, "ok": False, "error": "row died", "raw": None}
    assert lines[29]["value"] == {"n": 30, "word": "w30"}
    missing = vdsl(env, "submit", str(project), "Describe", "--input",
                   str(tmp_path / "rows.jsonl"), "--dest", "bq://batch-proj.no_such_data")
    assert missing.returncode == 3 and "no_such_data` exists" in missing.stderr


def test_cancel_from_another_process(project: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, "queued=0; running=60")
    job = vdsl(env, "submit", str(project), "Describe", "--input", str(tmp_path / "rows.jsonl"),
               "--dest", "gs://any-bucket/jobs").stdout.strip()
    cancelled = vdsl(env, "cancel", job)
    assert cancelled.returncode == 0 and "CANCELL" in cancelled.stdout
    again = vdsl(env, "cancel", job)
    assert again.returncode == 3 and "cannot be cancelled" in again.stderr


def test_bad_rows_exit_1_naming_lines_and_usage_errors_exit_2(project: Path,
                                                              tmp_path: Path) -> None:
    env = _env(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"n": 1, "word": "a"}\n{"n": "x", "word": "b"}\n' + "[" * 100_000
                   + "]" * 100_000 + "\n", encoding="utf-8")
    result = vdsl(env, "submit", str(project), "Describe", "--input", str(bad), "--dest",
                  "gs://any-bucket/jobs")
    assert result.returncode == 1 and "line 2:" in result.stderr and "Traceback" not in \
        result.stderr
    assert "line 3: not JSON: JSON nested too deeply" in result.stderr, result.stderr
    assert vdsl(env, "status", "not-a-job").returncode == 2
    for dest in ("s3://bucket/x", "gs://b/x", "bq://nope"):  # not a place a job can write to
        assert vdsl(env, "submit", str(project), "Describe", "--input", str(bad), "--dest",
                    dest).returncode == 2
    missing = vdsl(env, "submit", str(project), "Describe", "--input", str(tmp_path / "no.jsonl"),
                   "--dest", "gs://any-bucket/jobs")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (f"error[invalid-path]: {tmp_path / 'no.jsonl'}: no such "
                                      "file (--input)")
    assert vdsl(env, "submit", str(project), "Describe").returncode == 2
    assert vdsl(env, "submit", str(project), "Nope", "--input", str(bad), "--dest",
                "gs://any-bucket/jobs").returncode == 2


@pytest.mark.parametrize("dest", ["gs://any-bucket/runs", "bq://batch-proj.runs_data"],
                         ids=["storage", "bigquery"])
def test_run_resumes_after_being_killed_and_never_submits_twice(project: Path, tmp_path: Path,
                                                                dest: str) -> None:
    env = _env(tmp_path, "queued=0.2; running=2.5")
    args = [sys.executable, "-m", "vdsl", "batch", "run", str(project), "Describe", "--input",
            str(tmp_path / "rows.jsonl"), "--dest", dest, "--output",
            str(tmp_path / "out.jsonl"), "--emulator", "--poll", "0.2"]
    first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    state_dir = tmp_path / "runs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:      # wait until the job is recorded, then kill
        states = [json.loads(p.read_text()) for p in state_dir.glob("*.json")] \
            if state_dir.is_dir() else []
        if any(s.get("phase") == "submitted" for s in states):
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert not (tmp_path / "out.jsonl").exists()
    second = subprocess.run(args, check=False, env=env, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 1, second.stderr             # row 4 fails by fixture
    assert "resuming" in second.stderr and "submitted projects" not in second.stderr
    listed = json.loads(vdsl(env, "list", "--project", "batch-proj", "--format", "json").stdout)["jobs"]
    assert len(listed) == 1
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
