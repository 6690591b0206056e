"""`vdsl test` on a project with passing, failing, erroring and skipped tests: the exact
verdicts, JUnit counts and messages, annotations, JSON and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from vt_project import EXPECTED, MIXED

from vdsl.cli import main


def line_of(needle: str) -> int:
    return MIXED[:MIXED.index(needle)].count("\n") + 1


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["test", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_junit_counts_and_messages(mixed: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "out" / "junit.xml"
    code, _out, _err = _run(capsys, str(mixed), "--emulator", "--junit", str(report))
    assert code == 1  # a test failed
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "10", "failures": "3", "errors": "3", "skipped": "1"}
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert {k: suites["FR"].get(k) for k in ("tests", "failures", "errors")} == \
        {"tests": "1", "failures": "0", "errors": "1"}
    cases = {f"{c.get('classname')}::{c.get('name')}": c for c in root.iter("testcase")}
    assert set(cases) == set(EXPECTED)
    outcome = {name: next((child.tag for child in case), "passed")
               for name, case in cases.items()}
    assert outcome == {name: {"failed": "failure", "errored": "error"}.get(status, status)
                       for name, status in EXPECTED.items()}
    messages = {name: case[0].get("message") for name, case in cases.items() if len(case)}
    assert messages["F::AssertFails"] == "@@assert `child` failed: {{ this.age < 18 }}"
    assert messages["F::CheckFails"] == "@@check `child` failed: {{ _.result.age < 18 }}"
    assert messages["F::FieldAssertFails"].startswith("assertion `positive` failed at `age`")
    assert messages["F::ParseFails"].startswith("could not parse the output as `Person`")
    assert "no json here at all" in (cases["F::ParseFails"][0].text or "")
    assert messages["FR::ServerError"].startswith("Vertex AI returned 500 INTERNAL")
    assert (cases["FR::ServerError"][0].text or "").count(": 500 ") == 3  # three attempts
    assert messages["F::BadExpression"].startswith("@@assert `weird` could not be evaluated")
    assert messages["F::Skipped"] == "waiting for the new model"
    assert cases["F::Pass"].get("file") == str(mixed / "main.vdsl")
    assert cases["F::Pass"].get("line") == str(line_of("test Pass"))


def test_exit_codes_follow_the_worst_outcome(mixed: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, str(mixed), "-k", "F::Pass", "-k", "Skipped")[0] == 0
    assert _run(capsys, str(mixed), "-k", "ServerError", "-k", "ParseFails")[0] == 3
    assert _run(capsys, str(mixed), "-k", "::AssertFails", "-k", "ParseFails")[0] == 1


def test_full_format_points_at_the_failing_assert(mixed: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, err = _run(capsys, str(mixed), "-k", "F::AssertFails", "-k", "FieldCheckFails")
    assert "error[test-failed]: F::AssertFails: @@assert `child` failed" in out
    assert f"--> {mixed / 'main.vdsl'}:{line_of('@@assert(child')}:3" in out
    assert "@@assert(child, {{ this.age < 18 }})" in out
    assert 'value: {"name": "Alice Smith", "age": 30}' in out
    assert "warning[test-check-failed]: F::FieldCheckFails: @check `long_name` failed" in out
    assert "2 tests: 1 passed, 1 failed" in out
    assert err.splitlines()[0] == ("vdsl test: 2 tests · emulator (no Google credentials found; "
                                   "--live calls Vertex AI, --record records cassettes) · "
                                   f"replies from {mixed / 'emulator.yaml'} · 2 at a time")


def test_github_annotations_and_step_summary(mixed: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _code, out, _err = _run(capsys, str(mixed), "--emulator", "--format", "github")
    lines = [line for line in out.splitlines() if line.startswith("::")]
    main_file = mixed / "main.vdsl"
    where = f"::error file={main_file},line={line_of('@@assert(child')},col=3"
    assert any(line.startswith(where) for line in lines)
    assert sum(line.startswith("::error") for line in lines) == 6
    assert sum(line.startswith("::warning") for line in lines) == 1
    text = summary.read_text()
    assert "### vdsl test" in text and "| total | 3 | 3 | 3 | 1 |" in text


def test_json_report(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = _run(capsys, str(mixed), "--format", "json")
    data = json.loads(out)
    assert data["summary"]["mode"] == "emulator"
    assert {k: data["summary"][k] for k in ("tests", "passed", "failed", "errored",
                                            "skipped")} == \
        {"tests": 10, "passed": 3, "failed": 3, "errored": 3, "skipped": 1}
    by_id = {t["id"]: t for t in data["tests"]}
    assert {i: t["status"] for i, t in by_id.items()} == EXPECTED
    passed = by_id["F::ContextAndChecks"]
    assert passed["checks"] == {"quick": True}
    assert passed["value"] == {"name": "Alice Smith", "age": 30}
    assert passed["input_tokens"] == 20 and passed["output_tokens"] == 10
    assert by_id["F::FieldCheckFails"]["failed_field_checks"] == [
        {"where": "name", "name": "long_name", "expression": "this|length > 4"}]
    assert data["summary"]["requests"] == 11  # 8 calls answered, the 500 three times


def test_the_summary_table(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = _run(capsys, str(mixed), "--format", "concise")
    table = out[out.index("function"):].splitlines()
    assert table[0].split() == ["function", "passed", "failed", "errored", "skipped", "time",
                                "tokens", "in", "/", "out", "cost"]
    assert table[1].split()[:5] == ["F", "3", "3", "2", "1"]
    assert table[2].split()[:5] == ["FR", "0", "0", "1", "0"]
    assert table[4].split()[:5] == ["total", "3", "3", "3", "1"]
    assert table[5].startswith("10 tests: 3 passed, 3 failed, 3 errored, 1 skipped in ")
