"""The commands speak with one voice, as a newcomer meets them: every command and subcommand
explains itself (what it does, every option, its exit status, examples that parse and — where
they use the bundled samples — run), names the same things the same way (PATH, FUNCTION), and
says an unknown function the same way, with a did-you-mean."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from doc_examples import argv_of, command_lines, parse_problem, sandbox

from vdsl.cli import COMMANDS, build_parser, main


def _parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command, and every subcommand of `batch` and `cache`, with its parser."""
    found = []
    for name, *_ in COMMANDS:
        command = _child(build_parser([name]), name)
        found.append((name, command))
        for sub in _subparsers(command):
            found.extend((f"{name} {child}", parser) for child, parser in sub.choices.items())
    return found


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:  # type: ignore[type-arg]
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _child(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return _subparsers(parser)[0].choices[name]  # type: ignore[no-any-return]


PARSERS = _parsers()
IDS = [name for name, _ in PARSERS]


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    return command_lines(parser.epilog or "")


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=IDS)
def test_every_command_and_subcommand_explains_itself(name: str,
                                                      parser: argparse.ArgumentParser) -> None:
    leaves = not _subparsers(parser)
    assert parser.description, f"`vdsl {name} --help` does not say what it does"
    text = parser.format_help()
    assert "Exit status" in text and _examples(parser), f"`vdsl {name} --help`"
    options = [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)]
    assert all(a.help for a in options), [a.option_strings or a.dest for a in options
                                          if not a.help]
    if leaves and name.startswith("batch ") and name not in ("batch submit", "batch run"):
        assert "ROWS" not in text, f"`vdsl {name} --help` explains rows it does not take"


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=IDS)
def test_positional_arguments_are_named_in_capitals(name: str,
                                                    parser: argparse.ArgumentParser) -> None:
    usage = parser.format_usage()
    positionals = [a for a in parser._actions
                   if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
                   and a.dest != "help"]
    for action in positionals:
        shown = action.metavar or action.dest
        assert isinstance(shown, str) and shown.isupper(), (name, shown, usage)


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=IDS)
def test_every_help_example_is_a_command_vdsl_accepts(name: str,
                                                      parser: argparse.ArgumentParser) -> None:
    problems = {ex: parse_problem(argv_of(ex)) for ex in _examples(parser)}
    assert not {ex: p for ex, p in problems.items() if p}


# Files the help examples read (`--input tickets.csv`); everything else is in samples/.
_INPUTS = {"tickets.csv": "subject,body\nCharged twice,I was charged twice for March.\n",
           "reply.txt": '{"category": "billing", urgency: HIGH, summary: "refund", '
                        'needs_human: "yes",}\n'}


def test_help_examples_on_the_samples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """What `--help` shows on the bundled samples works as shown, offline (it showed
    `vdsl cache create samples/manual Answer --test Pump`: no such function or test)."""
    examples = sorted({ex for _, parser in PARSERS for ex in _examples(parser)
                       if " samples/" in ex})
    assert len(examples) >= 6
    with sandbox(tmp_path, monkeypatch):
        for file, content in _INPUTS.items():
            Path(file).write_text(content, encoding="utf-8")
        failed = {}
        for example in examples:
            code = main(argv_of(example))
            err = capsys.readouterr().err
            if code != 0:
                failed[example] = (code, err.strip().splitlines()[-1:])
    assert not failed


# ---- one way to say an unknown function ---------------------------------------------------

_SAMPLE = str(Path(__file__).resolve().parent.parent / "samples" / "resume")


@pytest.mark.parametrize("argv", [
    ["run", _SAMPLE, "ExtractResum", "--args", "{}"],
    ["run", _SAMPLE, "ExtractResum", "--test", "ExtractJane"],
    ["render", _SAMPLE, "ExtractResum", "--args", "{}"],
    ["tokens", _SAMPLE, "ExtractResum", "--test", "ExtractJane"],
    ["parse", _SAMPLE, "ExtractResum", "--text", __file__],
    ["test", _SAMPLE, "--function", "ExtractResum"],
    ["cache", "create", _SAMPLE, "ExtractResum", "--test", "NoSuchTest"],
    ["batch", "submit", _SAMPLE, "ExtractResum", "--input", __file__, "--dest", "gs://bkt/x"],
], ids=lambda argv: argv[0] + ("-" + argv[1] if argv[0] in ("cache", "batch") else ""))
def test_an_unknown_function_is_said_one_way(argv: list[str], capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path))
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("error: ")
    assert "unknown function `ExtractResum`; did you mean `ExtractResume`?" in err[0]


# ---- what each command prints --------------------------------------------------------------


def test_render_json_help_names_the_keys_it_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """`render --help` said `{"role", "content": [parts]}`; the output has `parts`."""
    parser = dict(PARSERS)["render"]
    fmt = next(a for a in parser._actions if "--format" in a.option_strings)
    assert main(["render", _SAMPLE, "ExtractResume", "--test", "ExtractJane", "--format",
                 "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    keys = set(printed) | {key for message in printed["messages"] for key in message}
    assert all(f'"{key}"' in (fmt.help or "") for key in keys), (keys, fmt.help)


def test_run_stream_prints_a_typed_value_after_the_text(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An enum value is a `str`: it was taken for the streamed text and never printed."""
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path))
    tickets = str(Path(_SAMPLE).parent / "support_tickets")
    assert main(["run", tickets, "CategoryOnly", "--test", "LoginProblem", "--emulator",
                 "--stream"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["The best fit is **ACCOUNT** (login / SSO problem).", "ACCOUNT"]
    assert main(["run", tickets.replace("support_tickets", "claude"), "Summarize", "--args",
                 '{"text": "hi"}', "--emulator", "--stream"]) == 0
    streamed = capsys.readouterr().out.splitlines()
    assert len(streamed) == 1  # a string function's value is the text it streamed


def test_snapshot_diffs_name_an_absolute_folder_once(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", _SAMPLE, "--snapshots", str(tmp_path)]) == 0
    snapshot = next(tmp_path.glob("*.txt"))
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "x\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["render", _SAMPLE, "--snapshots", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert f"--- {snapshot}\n" in out and "a//" not in out


def test_a_vertex_error_without_a_client_reads_cleanly() -> None:
    from vdsl.errors import VertexError
    error = VertexError(404, "NOT_FOUND", "The BatchPredictionJob does not exist",
                        model="batchPredictionJobs")
    assert str(error) == ("Vertex AI returned 404 NOT_FOUND (batchPredictionJobs): The "
                          "BatchPredictionJob does not exist")
    named = VertexError(503, "UNAVAILABLE", "busy", client="Flash", model="gemini-2.5-flash")
    assert str(named) == ("Vertex AI returned 503 UNAVAILABLE for client `Flash` (model "
                          "gemini-2.5-flash): busy")


def _project(folder: Path, fixtures: str | None) -> Path:
    folder.mkdir()
    (folder / "main.vdsl").write_text('''client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
  }
}

enum Mood {
  UP
  DOWN
}

function Feel(text: string) -> Mood {
  client Flash
  prompt #"How does this sound? {{ text }} {{ ctx.output_format }}"#
}

test Sunny {
  functions [Feel]
  args { text "sunny" }
  @@assert({{ this == "UP" }})
}
''', encoding="utf-8")
    if fixtures is not None:
        (folder / "emulator.yaml").write_text(fixtures, encoding="utf-8")
    return folder


def test_an_unnamed_assert_is_shown_once(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """It read `@@assert {{ this == "UP" }} failed: {{ this == "UP" }}`."""
    project = _project(tmp_path / "p", "- prompt: sunny\n  reply: DOWN\n")
    assert main(["test", str(project), "--emulator", "--format", "concise"]) == 1
    out = capsys.readouterr().out
    assert 'Feel::Sunny: @@assert {{ this == "UP" }} failed\n' in out


def test_the_emulator_says_when_replies_are_echoes(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Without fixtures the reply echoes the prompt and a typed function cannot parse it;
    the user is told before the parse error, by `run --emulator` and by `test`."""
    project = _project(tmp_path / "p", None)
    assert main(["run", str(project), "Feel", "--test", "Sunny", "--emulator"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("# emulator: no emulator.yaml found: replies echo the prompt")
    main(["test", str(project), "--emulator"])
    assert "· no emulator.yaml found: replies echo the prompt" in capsys.readouterr().err
    (project / "emulator.yaml").write_text("- reply: UP\n", encoding="utf-8")
    assert main(["run", str(project), "Feel", "--test", "Sunny", "--emulator"]) == 0
    assert "# emulator:" not in capsys.readouterr().err


def test_bad_ports_and_unwritable_outputs_are_errors_not_crashes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["emulator", "--port", "99999"])
    assert stop.value.code == 2
    assert "99999 is not a port" in capsys.readouterr().err
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert main(["generate", _SAMPLE, "--out", str(blocked)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: cannot write {blocked}")
