"""`vdsl fmt`: in place, --check, --diff, stdin, refusals and exit codes."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from vdsl.cli import main

UGLY = "class  A{\n   x   int\n}\n"
CANONICAL = "class A {\n  x int\n}\n"
BROKEN = "class B {\n  y int\n"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.vdsl").write_text(UGLY)
    (tmp_path / "sub" / "b.baml").write_text(CANONICAL.replace("A", "B"))
    (tmp_path / "notes.txt").write_text(UGLY)
    return tmp_path


def test_rewrites_in_place_and_keeps_permissions(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    os.chmod(root / "a.vdsl", 0o640)
    assert main(["fmt", str(root)]) == 0
    assert (root / "a.vdsl").read_text() == CANONICAL
    assert stat.S_IMODE((root / "a.vdsl").stat().st_mode) == 0o640
    assert (root / "notes.txt").read_text() == UGLY
    assert "1 file reformatted, 1 already formatted" in capsys.readouterr().err
    assert main(["fmt", "--check", str(root)]) == 0


def test_check_lists_files_and_writes_nothing(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert main(["fmt", "--check", str(root)]) == 1
    out = capsys.readouterr().out
    assert out == f"would reformat: {root / 'a.vdsl'}\n"
    assert (root / "a.vdsl").read_text() == UGLY


def test_diff_prints_a_unified_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    assert main(["fmt", "--diff", "a.vdsl"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/a.vdsl\n+++ b/a.vdsl\n")
    assert "-class  A{\n" in out and "+class A {\n" in out
    assert (root / "a.vdsl").read_text() == UGLY


def test_syntax_errors_are_reported_and_the_file_is_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    (root / "broken.vdsl").write_text(BROKEN)
    assert main(["fmt", str(root)]) == 1
    err = capsys.readouterr().err
    assert "error[syntax]" in err and f"{root / 'broken.vdsl'}:2:" in err
    assert "not formatted" in err
    assert (root / "broken.vdsl").read_text() == BROKEN
    assert (root / "a.vdsl").read_text() == CANONICAL  # the others are still formatted


def test_a_missing_path_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.vdsl").write_bytes(b"class A {\n  x \xff\n}\n")
    assert main(["fmt", str(tmp_path)]) == 1
    assert "not UTF-8" in capsys.readouterr().err


def test_standard_input_to_standard_output(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(UGLY))
    assert main(["fmt", "-"]) == 0
    assert capsys.readouterr().out == CANONICAL
    monkeypatch.setattr("sys.stdin", io.StringIO(BROKEN))
    assert main(["fmt", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "error[syntax]" in captured.err


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fmt", "--help"])
    text = capsys.readouterr().out
    for word in ("--check", "--diff", "Exit status", "standard input"):
        assert word in text


def test_worker_processes_give_the_same_results(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Large projects are formatted by worker processes: same output, same order."""
    from vdsl.fmt import files

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.vdsl").write_text(UGLY.replace("A", name.upper()))
    (tmp_path / "broken.vdsl").write_text(BROKEN)
    assert main(["fmt", "--check", str(tmp_path)]) == 1
    serial = capsys.readouterr()
    monkeypatch.setattr(files, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(files.os, "cpu_count", lambda: 2)
    assert main(["fmt", "--check", str(tmp_path)]) == 1
    parallel = capsys.readouterr()
    assert parallel.out == serial.out and parallel.err == serial.err
    assert parallel.out.count("would reformat") == 3 and "error[syntax]" in parallel.err


def test_files_vdsl_check_found_clean_are_not_parsed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """CI runs `vdsl check` before `vdsl fmt --check`: its cache already says every file
    parses, so fmt skips the parse (and still formats, and still refuses a broken file)."""
    from vdsl import fmt

    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.vdsl").write_text(UGLY)
    parsed: list[str] = []
    real = fmt.syntax_errors
    monkeypatch.setattr(fmt, "syntax_errors",
                        lambda text, path: parsed.append(path) or real(text, path))
    assert main(["check", str(project)]) == 0
    assert main(["fmt", "--check", str(project)]) == 1
    assert parsed == []
    (project / "b.vdsl").write_text(BROKEN)  # not what check saw: everything is parsed
    assert main(["fmt", "--check", str(project)]) == 1
    assert sorted(Path(p).name for p in parsed) == ["a.vdsl", "b.vdsl"]
    assert "error[syntax]" in capsys.readouterr().err
