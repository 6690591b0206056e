"""Request shapes per family against the documented batch formats, prediction lines read back,
the resumable upload in bounded memory, and progress output."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tracemalloc
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdsl.batch import plan_batch
from vdsl.batch.jobs import BatchStatus
from vdsl.batch.lines import line_for, read_prediction
from vdsl.batch.prepare import Preparer
from vdsl.batch.progress import Progress
from vdsl.batch.rows import Row
from vdsl.batch.storage import Storage
from vdsl.emulator import Emulator
from vdsl.render.messages import RenderedPrompt
from vdsl.render.static import StaticPrompt
from vdsl.runtime import Runtime, StaticToken

ARGS = {"n": 7, "word": "seven"}


def _line(runtime: Runtime, client: str) -> tuple[dict[str, object], dict[str, object]]:
    plan = plan_batch(runtime.project, "Describe", client=client, env={})
    line = json.loads(Preparer(plan).line(7, dict(ARGS)))
    online = runtime.build_request("Describe", ARGS, client=client).body
    return line, online


def test_gemini_lines_are_the_online_body_under_request_with_the_row_label(
        runtime: Runtime) -> None:
    line, online = _line(runtime, "Flash")
    assert list(line) == ["request"]
    request = line["request"]
    assert isinstance(request, dict)
    assert request.pop("labels") == {"vdsl_row": "7"}
    assert request == online and "contents" in request and "system_instruction" in request


def test_claude_lines_carry_custom_id_and_the_messages_body_without_model(
        runtime: Runtime) -> None:
    line, online = _line(runtime, "Haiku")
    assert line == {"custom_id": "row-7", "request": online}
    request = line["request"]
    assert isinstance(request, dict) and "model" not in request
    assert request["anthropic_version"] == "vertex-2023-10-16" and request["max_tokens"] > 0


def test_maas_lines_are_openai_batch_lines_with_the_model_in_the_body(
        runtime: Runtime) -> None:
    line, online = _line(runtime, "Llama")
    assert line == {"custom_id": "row-7", "method": "POST", "url": "/v1/chat/completions",
                    "body": online}
    body = line["body"]
    assert isinstance(body, dict) and body["model"] == "meta/llama-3.3-70b-instruct-maas"


def test_job_bodies_name_the_publisher_model(runtime: Runtime) -> None:
    resources = {c: plan_batch(runtime.project, "Describe", client=c, env={}).model_resource
                 for c in ("Flash", "Haiku", "Llama")}
    assert resources == {"Flash": "publishers/google/models/gemini-2.5-flash",
                         "Haiku": "publishers/anthropic/models/claude-3-5-haiku@20241022",
                         "Llama": "publishers/meta/models/llama-3.3-70b-instruct-maas"}


@settings(max_examples=200, deadline=None)
@given(row=st.integers(1, 10**12), family=st.sampled_from(["gemini", "anthropic",
                                                           "openai_compat"]),
       text=st.text(max_size=30), failed=st.booleans())
def test_every_family_line_is_matched_back_to_its_row(row: int, family: str, text: str,
                                                      failed: bool) -> None:
    sent = json.loads(line_for(family, row, {"contents": [{"parts": [{"text": text}]}]}))
    echo = {k: v for k, v in sent.items() if k in ("custom_id", "request")}
    echo.update({"status": "boom" if failed else "", "response": {"text": text}})
    prediction = read_prediction(json.dumps(echo))
    assert prediction.row == row
    assert prediction.error == ("boom" if failed else None)
    assert prediction.response == {"text": text}


def test_hostile_prediction_lines_give_errors_not_rows() -> None:
    for line in ("not json", "[1]", '{"custom_id": "row-x"}', '{"custom_id": "row-1"}',
                 '{"request": {"labels": {"vdsl_row": "99999999999999999999999"}}}'):
        prediction = read_prediction(line)
        assert prediction.row is None or prediction.error is not None


def test_a_50_mb_input_goes_up_in_chunks_without_being_held_in_memory(
        emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    line = json.dumps({"request": {"contents": [{"parts": [{"text": "x" * 1000}]}]}}) + "\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024
    with httpx.Client() as http:
        storage = Storage(http, StaticToken(emulator.issue_token()), emulator.url)
        emulator.clear_requests()
        tracemalloc.start()
        resource = storage.upload_file("gs://big-bucket/in/input.jsonl", path,
                                       chunk=4 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    puts = [r for r in emulator.requests if r.method == "PUT"]
    assert len(puts) == -(-size // (4 * 1024 * 1024))
    assert int(resource["size"]) == size
    digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
    assert resource["md5Hash"] == digest
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_an_upload_resumes_from_what_the_server_holds(emulator: Emulator,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(3 * 256 * 1024 + 11))
    with httpx.Client() as http:
        storage = Storage(http, StaticToken(emulator.issue_token()), emulator.url,
                          sleep=lambda s: None)
        session = storage._start_session("gs://b-bucket/x.bin", path.stat().st_size, "x/y")
        with path.open("rb") as handle:   # the first chunk arrives, then the client dies
            http.put(session, content=handle.read(256 * 1024), headers={
                **storage._headers(), "content-range": f"bytes 0-{256 * 1024 - 1}/"
                                                       f"{path.stat().st_size}"})
            resource = storage._send_chunks("gs://b-bucket/x.bin", session, handle,
                                            path.stat().st_size, 512 * 1024)
        assert b"".join(storage.lines("gs://b-bucket/x.bin")) != b""
    assert int(resource["size"]) == path.stat().st_size
    body = emulator.app.state.blob_path("b-bucket", "x.bin").read_bytes()
    assert body == path.read_bytes()


def _status(state: str, done: int, total: int = 100) -> BatchStatus:
    return BatchStatus("projects/p/locations/l/batchPredictionJobs/1", state, succeeded=done,
                       total=total)


def test_progress_draws_a_bar_on_a_terminal_and_plain_lines_elsewhere() -> None:
    tty, plain = io.StringIO(), io.StringIO()
    for stream, is_tty in ((tty, True), (plain, False)):
        progress = Progress(stream, tty=is_tty)
        for state, done in (("JOB_STATE_PENDING", 0), ("JOB_STATE_RUNNING", 10),
                            ("JOB_STATE_RUNNING", 50), ("JOB_STATE_SUCCEEDED", 100)):
            progress.update(_status(state, done))
        progress.close()
    assert "\r[" in tty.getvalue() and "50/100 rows · RUNNING" in tty.getvalue()
    assert "ETA" in tty.getvalue()
    assert plain.getvalue().splitlines() == ["0/100 rows · PENDING", "10/100 rows · RUNNING",
                                            "100/100 rows · SUCCEEDED"]


def test_a_static_prompt_differing_from_the_full_render_is_dropped(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    plan = plan_batch(runtime.project, "Describe", client="Flash", env={})
    expected = Preparer(plan).line(7, dict(ARGS))
    preparer = Preparer(plan)
    assert preparer.static
    real = StaticPrompt.render

    def wrong(self: StaticPrompt, args: dict[str, object]) -> RenderedPrompt | None:
        prompt = real(self, args)
        assert prompt is not None
        return RenderedPrompt(prompt.messages[1:], None, prompt.client)

    monkeypatch.setattr(StaticPrompt, "render", wrong)
    with caplog.at_level(logging.WARNING, logger="vdsl.batch"):
        assert preparer.line(7, dict(ARGS)) == expected       # the full render is used
    assert not preparer.static and "static render differed" in caplog.text
    assert preparer.line(7, dict(ARGS)) == expected


def test_rows_that_break_the_renderer_are_bad_rows_not_tracebacks(runtime: Runtime) -> None:
    plan = plan_batch(runtime.project, "Describe", client="Flash", env={})
    rows = [Row(1, 1, {"n": 1, "word": "fine"}),
            Row(2, 2, {"n": 2, "word": "\ue000vdsl-role:9\ue001"}),
            Row(3, 3, {"n": 3, "word": "x" * 5})]
    out = io.BytesIO()
    report = Preparer(plan).write(rows, out)
    assert report.rows == 3 and report.submitted + len(report.bad) == 3
    assert all(bad.where == "line 2" for bad in report.bad)
    assert len(out.getvalue().splitlines()) == report.submitted
