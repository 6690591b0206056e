"""`vdsl cache` and `vdsl tokens`: separate processes share the emulator's caches, JSON
output, exit codes, and bad input as a clear message, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vdsl.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MANUAL = str(SAMPLES / "manual")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VDSL_EMULATOR_STATE", str(tmp_path / "state"))


def _vdsl(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vdsl", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)


def test_create_then_list_in_two_processes_then_call_with_the_cache(tmp_path: Path) -> None:
    made = _vdsl("cache", "create", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion",
                 "--client", "CachedFlash", "--ttl", "2h", "--emulator")
    assert made.returncode == 0, made.stderr
    name = made.stdout.strip()
    assert name.startswith("projects/") and "/cachedContents/" in name
    listed = _vdsl("cache", "list", MANUAL, "--emulator", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    caches = json.loads(listed.stdout)["caches"]
    assert [(c["name"], c["function"]) for c in caches] == [(name, "AnswerFromManual")]
    assert caches[0]["cached_tokens"] > 2048
    called = _vdsl("run", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion", "--client",
                   "CachedFlash", "--emulator", "--format", "json",
                   env={"MANUAL_CACHE": name})
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["usage"]["cached_tokens"] == caches[0]["cached_tokens"]
    gone = _vdsl("cache", "delete", MANUAL, name, "--emulator")
    assert gone.returncode == 0 and name in gone.stdout
    assert json.loads(_vdsl("cache", "list", MANUAL, "--emulator", "--format",
                            "json").stdout) == {"caches": []}


def test_update_and_get_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "create", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion",
                 "--emulator", "--format", "json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert main(["cache", "update", MANUAL, made["name"].rsplit("/", 1)[1], "--ttl", "3h",
                 "--emulator", "--format", "json"]) == 0
    updated = json.loads(capsys.readouterr().out)
    assert updated["expire_time"] > made["expire_time"]
    assert main(["cache", "get", MANUAL, made["name"], "--emulator"]) == 0
    assert capsys.readouterr().out.strip() == made["name"]


@pytest.mark.parametrize("argv, code, message", [
    (["create", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion", "--ttl", "10s"], 2,
     "at least 60 s"),
    (["create", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion", "--ttl", "soon"], 2,
     "not a duration"),
    (["create", MANUAL, "AnswerFromManal", "--test", "PrimingQuestion"], 2,
     "unknown function"),
    (["create", MANUAL, "AnswerFromManual", "--test", "Nope"], 2, "unknown test"),
    (["create", MANUAL, "AnswerFromManual", "--args", '{"manual": "x", "question": "y"}'], 3,
     "caches at least 2048"),
    (["create", str(SAMPLES / "claude"), "Summarize", "--args", '{"text": "x"}'], 3,
     "Gemini"),
    (["update", MANUAL, "123"], 3, "needs a ttl"),
    (["get", MANUAL, "../../etc"], 3, "neither a cache ID"),
    (["get", MANUAL, "42"], 3, "does not exist"),
])
def test_cache_mistakes_are_clear_errors(capsys: pytest.CaptureFixture[str], argv: list[str],
                                         code: int, message: str) -> None:
    assert main(["cache", *argv, "--emulator"]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


def test_cache_help_has_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["cache", "create", "--help"])
    out = capsys.readouterr().out
    assert "Exit status" in out and "vdsl cache create" in out and "--ttl" in out


def test_tokens_json_names_the_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion",
                 "--emulator", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input_tokens"] > 2048 and data["method"] == "endpoint"
    assert data["context_window"] == 1_048_576 and data["max_input_tokens"] == 200_000
    assert data["fits"] is True


def test_tokens_over_budget_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p"
    project.mkdir()
    source = (SAMPLES / "manual" / "manual.vdsl").read_text().replace(
        "max_input_tokens 200000", "max_input_tokens 100")
    (project / "main.vdsl").write_text(source)
    code = main(["tokens", str(project), "AnswerFromManual", "--test", "PrimingQuestion",
                 "--emulator"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "input tokens" in out and "max_input_tokens (100)" in err


def test_tokens_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", MANUAL, "AnswerFromManual", "--args", "{nope", "--emulator"]) == 2
    assert "--args is not valid JSON" in capsys.readouterr().err


def test_run_names_the_grounding_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", MANUAL, "PumpNews", "--test", "HeatPumps", "--emulator"]) == 0
    assert "# grounded in 1 source(s): energy.ec.europa.eu" in capsys.readouterr().err


def test_a_bad_duration_is_a_usage_error_before_credentials_are_needed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "none.json"))
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)
    for argv in (["create", MANUAL, "AnswerFromManual", "--test", "PrimingQuestion", "--ttl",
                  "soon"],
                 ["update", MANUAL, "123", "--expire-time", "tomorrow"]):
        assert main(["cache", *argv]) == 2
        err = capsys.readouterr().err
        assert ("not a duration" in err or "not an RFC 3339 time" in err), err
