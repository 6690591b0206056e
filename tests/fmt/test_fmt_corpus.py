"""Every sample and test project: formatting is idempotent, keeps the IR and every prompt,
and the bundled samples are already in the canonical layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fmt_helpers import ir_of

import vdsl
from vdsl.fmt import format_text, syntax_errors
from vdsl.render.snapshots import render_snapshots

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for pattern in ("samples/**/*.vdsl", "samples/**/*.baml", "tests/**/*.vdsl",
                                 "tests/**/*.baml", "vdsl/**/*.vdsl")
               for p in ROOT.glob(pattern))
PROJECTS = sorted({p.parent for p in FILES
                   if p.is_relative_to(ROOT / "samples") or "cases" in p.parts})


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_formats_to_the_same_meaning(path: Path) -> None:
    text = _text(path)
    if syntax_errors(text, str(path)):
        pytest.skip("has syntax errors on purpose (fmt refuses it; see test_fmt_cli)")
    formatted = format_text(text, str(path))
    assert format_text(formatted, str(path)) == formatted
    assert ir_of(formatted, str(path)) == ir_of(text, str(path))


def test_the_corpus_holds_files_that_change() -> None:
    """The corpus test above is worth something only if formatting changes some files."""
    changed = [p for p in FILES if not syntax_errors(_text(p), str(p))
               and format_text(_text(p), str(p)) != _text(p)]
    assert len(changed) >= 5


@pytest.mark.parametrize("folder", PROJECTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_renders_the_same_prompts(folder: Path, tmp_path: Path) -> None:
    try:
        before = vdsl.load(folder)
    except vdsl.CompileError:
        pytest.skip("a project with errors on purpose")
    copy = tmp_path / "project"
    shutil.copytree(folder, copy)
    for path in sorted(copy.rglob("*")):
        if path.suffix in (".vdsl", ".baml"):
            path.write_text(format_text(_text(path), str(path)), encoding="utf-8")
    after = vdsl.load(copy)
    assert render_snapshots(after) == render_snapshots(before)


@pytest.mark.parametrize("path", sorted((ROOT / "samples").rglob("*.vdsl")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_samples_are_already_formatted(path: Path) -> None:
    assert format_text(_text(path), str(path)) == _text(path), f"run `vdsl fmt {path}`"
