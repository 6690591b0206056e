"""Readable prompt text for people and CI snapshots (`vdsl render --snapshots DIR`).

One file per (test, function): `DIR/<test>.<function>.txt`. Output is deterministic: tests in
file order, functions in the order the test lists them, no timestamps; inline media shows its
size and a short sha256 instead of the data, so a changed image still changes the snapshot.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import VdslError
from ..ir import FunctionDecl, TestDecl, plain
from ..project import Project
from .args import TestArgs
from .messages import SUFFIX_MARK, MediaPart, RenderedPrompt, TextPart
from .prompt import render_prompt

__all__ = [
    "SnapshotResult",
    "check_snapshots",
    "format_prompt",
    "test_arguments",
    "write_snapshots",
]

SUFFIX = ".txt"


FIM_GAP = "\n── fill-in-the-middle gap; the suffix follows ──\n"
"""How `{{ _.suffix() }}` shows: the text before it is the FIM `prompt`, after it `suffix`."""


def format_prompt(prompt: RenderedPrompt) -> str:
    """Role headers, text, and media placeholders."""
    out: list[str] = []
    for i, message in enumerate(prompt.messages):
        label = message.role + (" (system prompt)" if i == prompt.system_index else "")
        meta = message.metadata
        if meta:
            label += " " + json.dumps(meta, sort_keys=True)
        out.append(f"── {label} ──")
        for part in message.parts:
            out.append(_part_text(part, meta))
        out.append("")
    return "\n".join(out)


def _part_text(part: TextPart | MediaPart, shared: dict[str, Any]) -> str:
    extra = f" {json.dumps(part.metadata, sort_keys=True)}" if part.metadata != shared else ""
    if isinstance(part, TextPart):
        return part.text.replace(SUFFIX_MARK, FIM_GAP) + extra
    mime = f" {part.media_type}" if part.media_type else ""
    if part.url is not None:
        return f"[{part.kind}{mime}: {part.url}]{extra}"
    data = part.base64 or ""
    digest = hashlib.sha256(data.encode("ascii", "replace")).hexdigest()[:12]
    size = len(data) * 3 // 4 - data[-2:].count("=")
    return f"[{part.kind}{mime}: base64, {size} bytes, sha256 {digest}…]{extra}"


def test_arguments(test: TestDecl, function: FunctionDecl | None = None,
                   ) -> tuple[dict[str, Any], Path]:
    """A test block's `args` as plain data, and the folder its relative media files are in.
    With `function`, only the arguments it has parameters for (one `args` block may serve
    several functions; BAML only warns about the others). They come as `TestArgs`, which the
    binder reads as BAML reads a test's literals (a number where a string is expected is its
    text)."""
    args = plain(test.args) if test.args is not None else {}
    assert isinstance(args, dict)
    if function is not None:
        names = {p.name for p in function.params}
        args = {k: v for k, v in args.items() if k in names}
    return TestArgs(args), Path(test.span.file).parent


test_arguments.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


@dataclass(frozen=True, slots=True)
class SnapshotResult:
    """What a snapshot run found: files written/changed, and errors by (test, function)."""

    written: tuple[str, ...] = ()
    diffs: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def render_snapshots(project: Project) -> tuple[dict[str, str], list[str]]:
    """Snapshot file name → content, for every (test, function) pair; plus render errors."""
    files: dict[str, str] = {}
    errors: list[str] = []
    from ..typebuilder import project_for_test

    for test in project.program.tests:
        seen = project_for_test(project, test)
        for fn_name, _span in test.function_names:
            fn = project.find(fn_name)
            if not isinstance(fn, FunctionDecl):
                continue  # `vdsl check` warns (unknown-function); BAML skips it too
            args, base = test_arguments(test, fn)
            try:
                prompt = render_prompt(seen, fn_name, args, base_dir=base)
            except VdslError as exc:
                errors.append(f"test {test.name}, function {fn_name}: {exc}")
                continue
            header = (f"# test: {test.name}\n# function: {fn_name}\n"
                      f"# client: {prompt.client}\n\n")
            files[f"{test.name}.{fn_name}{SUFFIX}"] = header + format_prompt(prompt)
    return files, errors


def write_snapshots(project: Project, directory: Path) -> SnapshotResult:
    files, errors = render_snapshots(project)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(name)
    return SnapshotResult(tuple(written), (), tuple(errors))


def check_snapshots(project: Project, directory: Path) -> SnapshotResult:
    """Compare without writing; a unified diff per changed, missing or stale file."""
    files, errors = render_snapshots(project)
    diffs = []
    existing = {p.name for p in directory.glob(f"*{SUFFIX}")} if directory.is_dir() else set()
    for name, content in files.items():
        path = directory / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != content:
            diffs.append(_diff(old, content, str(path), exists=path.exists()))
    for stale in sorted(existing - files.keys()):
        path = directory / stale
        diffs.append(_diff(path.read_text(encoding="utf-8"), "", str(path), exists=True))
    return SnapshotResult((), tuple(diffs), tuple(errors))


def _diff(old: str, new: str, path: str, exists: bool) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=_side("a", path) if exists else "/dev/null",
                                 tofile=_side("b", path) if new else "/dev/null")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _side(prefix: str, path: str) -> str:
    """`a/prompts/x.txt`, as git prints a relative path; an absolute path is shown as is."""
    return path if Path(path).is_absolute() else f"{prefix}/{path}"
