"""`vdsl parse PATH FUNCTION --text FILE [--partial]` (the outputs CLI module)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from vdsl.outputs import cli

SOURCE = '''
enum Sentiment {
  POSITIVE
  NEGATIVE
}

class Review {
  stars int
  mood Sentiment
}

function Rate(text: string) -> Review {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"Rate: {{ text }} {{ ctx.output_format }}"#
}
'''


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vdsl parse")
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "main.vdsl"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def reply(tmp_path: Path, text: str) -> str:
    path = tmp_path / "reply.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_ok(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = reply(tmp_path, 'Here:\n```json\n{stars: "4", mood: "**positive**",}\n```')
    assert run([str(project), "Rate", "--text", text]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "value": {"stars": 4, "mood": "POSITIVE"}}


def test_partial(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = reply(tmp_path, '{"stars": 4')
    assert run([str(project), "Rate", "--text", text, "--partial"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "value": {"stars": None, "mood": None}}


def test_parse_failure(project: Path, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    text = reply(tmp_path, '{"stars": 4}')
    assert run([str(project), "Rate", "--text", text]) == 1
    out = capsys.readouterr()
    assert json.loads(out.out) == {
        "ok": False,
        "error": "could not parse the output as `Review`: missing required field `mood`",
        "span": [0, 12],
        "excerpt": '  reply, line 1, column 1:\n    {"stars": 4}\n    ^^^^^^^^^^^^'}
    assert out.err == ("could not parse the output as `Review`: missing required field "
                       '`mood`\n  reply, line 1, column 1:\n    {"stars": 4}\n    ^^^^^^^^^^^^\n')


def test_stdin(project: Path, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"stars": 5, "mood": "NEGATIVE"}'))
    assert run([str(project), "Rate", "--text", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == {"stars": 5, "mood": "NEGATIVE"}


def test_unknown_function(project: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(project), "Nope", "--text", reply(tmp_path, "{}")]) == 2
    assert capsys.readouterr().err == "error: unknown function `Nope` (functions: Rate)\n"


def test_missing_text_file(project: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing.txt")
    assert run([str(project), "Rate", "--text", missing]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error[invalid-path]: {missing}: ")  # one style for bad paths
    assert "Traceback" not in err


def test_compile_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.vdsl"
    bad.write_text("class {", encoding="utf-8")
    assert run([str(bad), "Rate", "--text", reply(tmp_path, "{}")]) == 1
    err = capsys.readouterr().err
    assert "bad.vdsl:1:" in err
    assert "Traceback" not in err


def test_assert_failure_is_a_parse_failure(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.vdsl"
    path.write_text('''
class Score {
  n int @assert(small, {{ this < 10 }})
}
function F(x: string) -> Score {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ x }}"#
}
''', encoding="utf-8")
    assert run([str(path), "F", "--text", reply(tmp_path, '{"n": 12}')]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False, "error": "assertion `small` failed at `n`: {{ this < 10 }}"}
