"""One rule for bad paths across commands: exit 2 and one line `error[invalid-path]: PATH: …`
on stderr, whichever command and whichever path option; bad fixtures files are usage errors
too, worded the same way by `vdsl run --emulator` and `vdsl emulator`."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdsl.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, list[str]]:
    code = main(argv)
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("argv", [
    ["check", "{missing}"],
    ["generate", "{missing}"],
    ["render", "{missing}", "F", "--args", "{{}}"],
    ["run", "{missing}", "F", "--args", "{{}}"],
    ["parse", "{missing}", "F", "--text", "{missing}"],
    ["tokens", "{missing}", "F", "--args", "{{}}"],
    ["test", "{missing}"],
    ["fmt", "{missing}"],
    ["cache", "create", "{missing}", "F", "--args", "{{}}"],
    ["batch", "submit", "{missing}", "F", "--input", "rows.jsonl", "--dest", "gs://b/p"],
])
def test_a_missing_project_path_is_exit_2_in_one_style(capsys, tmp_path, argv) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nowhere"
    code, lines = _run(capsys, [a.format(missing=missing) for a in argv])
    assert code == 2
    assert lines == [f"error[invalid-path]: {missing}: no such file or directory"]


@pytest.mark.parametrize(("argv", "option"), [
    (["parse", str(SAMPLES / "resume"), "ExtractResume", "--text", "{missing}"], "--text"),
    (["run", str(SAMPLES / "resume"), "ExtractResume", "--test", "ExtractJane", "--emulator",
      "--fixtures", "{missing}"], "--fixtures"),
    (["emulator", "--port", "0", "--fixtures", "{missing}"], "--fixtures"),
])
def test_a_missing_input_file_is_exit_2_naming_the_option(capsys, tmp_path, argv,  # type: ignore[no-untyped-def]
                                                          option) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, lines = _run(capsys, [a.format(missing=missing) for a in argv])
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"error[invalid-path]: {missing}: ")
    assert lines[0].endswith(f"({option})")


@pytest.mark.parametrize(("content", "expected"), [
    ("bogus: 1\n", "unknown top-level keys: bogus"),
    ("fixtures: [\n", "not valid JSON/YAML: line 2"),
    ("- reply: hi\n  colour: red\n", "unknown fixture keys: colour"),
    ("- reply: {text: hi, usage: {x: [1, 2]}}\n", "usage must map token counts to integers"),
    ("- reply: {text: hi, thoughts: [a]}\n", "thoughts must be text"),
    ("- model: [a]\n  reply: hi\n", "model must be text"),
    ("- regex: 5\n  reply: hi\n", "fixture regex 5"),
    ("a: &a [x, x]\nb: [*a, *a]\n", "aliases (*name) are not allowed"),
    ("- reply: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_bad_fixtures_are_usage_errors_for_run_and_emulator(capsys, tmp_path, content,  # type: ignore[no-untyped-def]
                                                            expected) -> None:
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text(content, encoding="utf-8")
    for argv in (["run", str(SAMPLES / "resume"), "ExtractResume", "--test", "ExtractJane",
                  "--emulator", "--fixtures", str(fixtures)],
                 ["emulator", "--port", "0", "--fixtures", str(fixtures)]):
        code, lines = _run(capsys, argv)
        assert code == 2, lines
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
        assert "internal error" not in lines[0]


def _commands() -> list[str]:
    from vdsl.cli import COMMANDS
    return [name for name, *_ in COMMANDS]


@pytest.mark.parametrize("name", _commands())
def test_a_misspelt_command_gets_did_you_mean(capsys, name) -> None:  # type: ignore[no-untyped-def]
    typo = name[:-2] + name[-1] if len(name) > 3 else name + "x"  # one letter dropped
    code, lines = _run(capsys, [typo, "whatever"])
    assert code == 2
    assert lines == [lines[0]] and f"did you mean `{name}`?" in lines[0]


@pytest.mark.parametrize("name", _commands())
def test_every_command_help_explains_its_options_and_exit_status(capsys, name) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from vdsl.cli import build_parser
    parser = build_parser([name])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = sub.choices[name]
    options = [a for a in command._actions if not isinstance(a, argparse._SubParsersAction)]
    assert all(action.help for action in options), [
        a.option_strings or a.dest for a in options if not a.help]
    text = command.format_help()
    assert "Exit status" in text and "Example" in text


@pytest.mark.parametrize("raw", ["x" * 5000, "a/" + "b" * 300 + "/c.vdsl"])
def test_a_path_the_file_system_cannot_hold_is_invalid_path_not_an_oserror(capsys, raw) -> None:  # type: ignore[no-untyped-def]
    import vdsl
    diags = vdsl.check(raw)
    assert [d.code for d in diags] == ["invalid-path"]
    with pytest.raises(vdsl.VdslError):
        vdsl.load(raw)
    code, lines = _run(capsys, ["check", raw])
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error[invalid-path]: ")


def test_input_files_that_are_not_utf8_are_usage_errors(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "reply.bin"
    binary.write_bytes(b"\xff\xfe\x00{}")
    resume = str(SAMPLES / "resume")
    code, lines = _run(capsys, ["parse", resume, "ExtractResume", "--text", str(binary)])
    expected = f"error[invalid-path]: {binary}: not UTF-8 text (byte 0xff at offset 0) (--text)"
    assert code == 2 and lines == [expected]
    code, lines = _run(capsys, ["render", resume, "ExtractResume", "--args", f"@{binary}"])
    assert code == 2 and len(lines) == 1 and "not UTF-8 text" in lines[0]
