"""`vdsl test` selection, modes, progress, bad input and exit codes."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from vt_project import MIXED

from vdsl.cli import main
from vdsl.emulator import Emulator
from vdsl.testing.progress import Progress
from vdsl.testing.results import CaseResult, Status


def _ids(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["test", *argv, "--list"]) == 0
    return [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize(("patterns", "expected"), [
    (["F::Pass"], ["F::Pass"]),
    (["::ServerError"], ["FR::ServerError"]),
    (["FR::"], ["FR::ServerError"]),
    (["*Check*"], ["F::CheckFails", "F::FieldCheckFails", "F::ContextAndChecks"]),
    (["Assert"], ["F::AssertFails", "F::FieldAssertFails"]),
    (["F::*Fails", "Skipped"], ["F::AssertFails", "F::CheckFails", "F::FieldCheckFails",
                                "F::FieldAssertFails", "F::ParseFails", "F::Skipped"]),
])
def test_k_selects_like_baml_include(mixed: Path, capsys: pytest.CaptureFixture[str],
                                     patterns: list[str], expected: list[str]) -> None:
    argv = [a for p in patterns for a in ("-k", p)]
    assert _ids(capsys, str(mixed), *argv) == expected


def test_function_filter_and_list(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _ids(capsys, str(mixed), "--function", "FR") == ["FR::ServerError"]
    assert main(["test", str(mixed), "--function", "Nope"]) == 2
    assert "--function: unknown function `Nope`" in capsys.readouterr().err
    assert main(["test", str(mixed), "--function", "FRR"]) == 2  # worded as every command
    assert "did you mean `FR`?" in capsys.readouterr().err


def test_fail_fast_skips_what_did_not_start(mixed: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    main(["test", str(mixed), "-j", "1", "--fail-fast", "--format", "json"])
    results = json.loads(capsys.readouterr().out)["tests"]
    statuses = [r["status"] for r in results]
    assert statuses[:2] == ["passed", "failed"]  # Pass, then AssertFails stops the run
    assert all(r["kind"] == "fail-fast" for r in results[2:] if r["status"] == "skipped")
    assert statuses[2:] == ["skipped"] * 8


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["-j", "0"], 2, "-j must be between 1 and 64"),
    (["-k", "Nothing"], 1, "no tests selected"),
    (["--fixtures", "{missing}"], 2, "fixtures:"),
])
def test_usage_mistakes(mixed: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                        code: int, message: str) -> None:
    argv = [a.replace("{missing}", str(mixed / "nope.yaml")) for a in argv]
    assert main(["test", str(mixed), *argv]) == code
    assert message in capsys.readouterr().err


def test_a_fixtures_file_that_does_not_parse(mixed: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (mixed / "emulator.yaml").write_text("fixtures:\n  - reply: [unclosed\n")
    assert main(["test", str(mixed), "--emulator"]) == 2
    err = capsys.readouterr().err
    assert "error: fixtures:" in err and "emulator.yaml" in err and "Traceback" not in err


def test_a_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_an_unknown_function_in_a_test_is_reported_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.vdsl").write_text(MIXED.replace("functions [FR]", "functions [FX]"))
    assert main(["test", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    line = MIXED[:MIXED.index("functions [FR]")].count("\n") + 1
    assert "error[unknown-function]: function `FX` is not defined" in err
    assert f"main.vdsl:{line}:14" in err


def test_arguments_that_do_not_fit_error_at_the_args(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # (a number would do: BAML, and vdsl, pass a test's `5` to a string as the text "5")
    (tmp_path / "main.vdsl").write_text(MIXED.replace('x "boom"', "x [1, 2]"))
    assert main(["test", str(tmp_path), "-k", "ServerError", "--format", "concise"]) == 3
    out = capsys.readouterr().out
    line = MIXED[:MIXED.index('    x "boom"')].count("\n")  # the `args {` line
    assert f"main.vdsl:{line}:3: error[test-errored] FR::ServerError: FR: argument `x`: " \
           "expected string, got list" in out


def test_without_credentials_the_default_is_the_emulator_and_it_says_so(
        mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["test", str(mixed), "-k", "F::Pass"])
    first = capsys.readouterr().err.splitlines()[0]
    assert "emulator (no Google credentials found; --live calls Vertex AI" in first


def test_with_credentials_the_default_is_live(mixed: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with Emulator(require_auth=False, fixtures=mixed / "emulator.yaml") as vertex:
        monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", vertex.url)
        assert main(["test", str(mixed), "-k", "F::Pass"]) == 0
        assert len(vertex.requests) == 1
    assert "live (using $VDSL_VERTEX_ENDPOINT; --emulator runs offline)" in \
        capsys.readouterr().err


def test_plain_progress_lines_when_not_a_terminal(mixed: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    main(["test", str(mixed), "-k", "F::Pass", "-k", "Skipped"])
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("PASSED  F::Pass (") for line in err)
    assert "SKIPPED F::Skipped — waiting for the new model" in err


def test_a_bar_on_a_terminal(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    import vdsl
    from vdsl.testing.plan import plan_cases
    cases = plan_cases(vdsl.load(mixed))
    screen = Terminal()
    progress = Progress(len(cases), screen)
    assert progress.bar
    progress(CaseResult(cases[0], Status.PASSED))
    progress(CaseResult(cases[1], Status.FAILED, message="boom"))
    progress.finish()
    text = screen.getvalue()
    assert "\r\x1b[2K[##" in text and "2/10 · 1 not passing" in text
    assert "FAILED  F::AssertFails" in text  # failures stay on screen above the bar
    monkeypatch.setenv("CI", "true")
    assert not Progress(1, Terminal()).bar


def test_type_builder_and_media_arguments(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A test's type_builder extends a @@dynamic class for that test; media files are found
    next to the test's own file (here in a sub-folder)."""
    (tmp_path / "tests").mkdir()
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    (tmp_path / "tests" / "pixel.png").write_bytes(png)
    (tmp_path / "main.vdsl").write_text(
        'class Photo {\n  caption string\n  @@dynamic\n}\n\n'
        'function Describe(img: image) -> Photo {\n  client "vertex-ai/gemini-2.5-flash"\n'
        '  prompt #"{{ img }} {{ ctx.output_format }}"#\n}\n')
    (tmp_path / "tests" / "photo.vdsl").write_text(
        'test Pixel {\n  functions [Describe]\n  type_builder {\n    dynamic class Photo {\n'
        '      colors string[]\n    }\n  }\n  args {\n    img {\n      file "pixel.png"\n    }\n'
        '  }\n  @@assert(colored, {{ this.colors|length == 2 }})\n}\n')
    (tmp_path / "emulator.yaml").write_text(
        'fixtures:\n  - prompt: "colors: string[]"\n'
        '    reply: {json: {caption: "a dot", colors: ["red", "blue"]}}\n')
    assert main(["test", str(tmp_path), "--format", "json"]) == 0, capsys.readouterr()
    (result,) = json.loads(capsys.readouterr().out)["tests"]
    assert result["value"] == {"caption": "a dot", "colors": ["red", "blue"]}


def test_help_explains_the_options_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["test", "--help"])
    text = capsys.readouterr().out
    for word in ("--emulator", "--live", "--record", "--junit", "--format", "--fail-fast",
                 "-k PATTERN", "-j N", "Exit status", "stale"):
        assert word in text, word


def test_run_with_a_test_judges_its_asserts(mixed: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`vdsl run --test` used to exit 0 when the test's @@assert failed."""
    assert main(["run", str(mixed), "F", "--test", "AssertFails", "--emulator"]) == 1
    assert "# @@assert `child`: failed" in capsys.readouterr().err
    assert main(["run", str(mixed), "F", "--test", "ContextAndChecks", "--emulator"]) == 0
    err = capsys.readouterr().err
    assert "# @@check `quick`: passed" in err and "# @@assert `uses_check`: passed" in err
