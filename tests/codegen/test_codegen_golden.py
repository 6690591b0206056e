"""Golden packages: each case's generated files, compared file by file with
`expected_client/<case>/`. `VDSL_UPDATE_GOLDENS=1 pytest tests/codegen` rewrites them."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from codegen_helpers import CASES, GOLDEN, files_for, options_for, projects_in

import vdsl
from vdsl.codegen import GenerateOptions, generate

UPDATE = os.environ.get("VDSL_UPDATE_GOLDENS") == "1"


def _on_disk(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_files_match_the_golden_package(case: str) -> None:
    files = files_for(case)
    directory = GOLDEN / case
    if UPDATE:
        shutil.rmtree(directory, ignore_errors=True)
        for rel, text in files.items():
            (directory / rel).parent.mkdir(parents=True, exist_ok=True)
            (directory / rel).write_text(text, encoding="utf-8")
    expected = _on_disk(directory)
    assert sorted(files) == sorted(expected), "files differ (VDSL_UPDATE_GOLDENS=1 to accept)"
    for rel, text in files.items():
        if text != expected[rel]:
            diff = "".join(difflib.unified_diff(expected[rel].splitlines(True),
                                                text.splitlines(True), f"expected/{rel}",
                                                f"generated/{rel}"))
            pytest.fail(f"{case}/{rel} differs (VDSL_UPDATE_GOLDENS=1 to accept):\n{diff}")


@pytest.mark.parametrize("case", ["every_type", "resume", "chunked"])
def test_output_is_byte_identical_across_runs_and_locations(case: str, tmp_path: Path) -> None:
    first = files_for(case)
    assert files_for(case) == first
    copy = tmp_path / "elsewhere" / case
    shutil.copytree(CASES[case], copy)
    options = GenerateOptions(**({"chunk_size": 4} if case == "chunked" else {}))
    assert generate(vdsl.load(copy), options) == first


def test_every_python_file_compiles_and_ends_with_one_newline() -> None:
    for case in CASES:
        for rel, text in files_for(case).items():
            if rel.endswith(".py"):
                compile(text, rel, "exec")
                assert text.endswith("\n") and not text.endswith("\n\n"), rel
                assert "\t" not in text and " \n" not in text, rel


def test_no_machine_paths_or_timestamps_leak_into_the_package() -> None:
    for rel, text in files_for("resume").items():
        assert str(Path.home()) not in text or str(Path.home()) == "/", rel
        assert str(CASES["resume"].resolve()) not in text, rel


@pytest.mark.parametrize("case", sorted(CASES))
def test_building_in_a_forked_process_gives_the_same_files(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`vdsl generate` builds the clients of a large project in a forked process
    (`codegen/forked.py`); every golden case, built that way, is byte for byte the same."""
    from vdsl.codegen import forked, python
    expected = files_for(case)  # first: every module the child runs is imported already
    monkeypatch.setattr(python, "PARALLEL_FROM", 0)
    monkeypatch.setattr(forked, "_can_fork", lambda: True)
    project = vdsl.load(CASES[case])
    assert generate(project, options_for(case, "vdsl_client"), parallel=True) == expected


def test_a_part_that_fails_in_the_child_is_built_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from vdsl.codegen import forked
    monkeypatch.setattr(forked, "_can_fork", lambda: True)
    parent = os.getpid()

    def only_here() -> dict[str, str]:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return {"b.py": "b"}
    assert forked.run_parts([lambda: {"a.py": "a"}, only_here], parallel=True) == \
        {"a.py": "a", "b.py": "b"}


def test_a_generated_client_beside_the_samples_is_not_a_case(tmp_path: Path) -> None:
    """README's `vdsl generate samples/resume` writes samples/generated/; the suite (README's
    second command) must not take it for a project."""
    (tmp_path / "resume").mkdir()
    (tmp_path / "resume" / "main.vdsl").write_text("class A {\n  x int\n}\n", encoding="utf-8")
    (tmp_path / "generated" / "vdsl_client").mkdir(parents=True)
    (tmp_path / "generated" / "vdsl_client" / "types.py").write_text("", encoding="utf-8")
    assert projects_in(tmp_path) == {"resume": tmp_path / "resume"}
