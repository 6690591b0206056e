"""Where generated packages go (generator blocks, `--out`), and writing or checking them.

A `generator` block with `output_type "python/pydantic"` names a directory relative to the
file that holds it; the package (default `vdsl_client`) is created inside it. Without a
generator block the package goes to `--out` or the current directory. `version` must match
the installed vdsl: a package generated for another version would fail its import check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..ir import GeneratorDecl, StringValue
from ..project import Project
from .python import GenerateOptions, generate
from .writer import HEADER

__all__ = ["GenerateError", "Target", "check_files", "targets", "write_files"]

_MARK = HEADER.split("(")[0]


class GenerateError(Exception):
    """A generator block that cannot be honoured (a clear message, no traceback)."""


@dataclass(frozen=True)
class Target:
    directory: Path
    """The package directory (its parent is the output directory)."""
    options: GenerateOptions


def _text(decl: GeneratorDecl, key: str) -> str | None:
    value = decl.get(key)
    return value.value if isinstance(value, StringValue) else None


def _refuse_secrets(project: Project) -> None:
    """The package embeds the sources: a secret written into them would ship with it."""
    from ..validate.options import literal_secrets
    for client in project.program.clients:
        for setting, value in literal_secrets(client.options) if client.options else ():
            raise GenerateError(
                f"{value.span}: client `{client.name}` has a secret written into the file "
                f"({setting}); the generated package embeds the sources, so it would contain "
                "it. Read it from the environment instead (e.g. `env.VERTEX_API_KEY`)")


def targets(project: Project, *, out: str | None = None, package: str | None = None,
            mode: str | None = None) -> list[Target]:
    """One target per python/pydantic generator block (or one default target)."""
    _refuse_secrets(project)
    blocks = [g for g in project.program.generators
              if (_text(g, "output_type") or "python/pydantic") == "python/pydantic"]
    found: list[Target] = []
    for block in blocks:
        version = _text(block, "version")
        where = f"{block.span.file}:{block.span.line}"
        if version is not None and version != __version__:
            raise GenerateError(
                f"{where}: generator `{block.name}` asks for version \"{version}\", but vdsl "
                f"{__version__} is installed; set `version \"{__version__}\"` in the "
                f"generator block, or install vdsl=={version}")
        base = Path(block.span.file).parent
        directory = Path(out) if out else base / (_text(block, "output_dir") or "..")
        name = package or "vdsl_client"
        found.append(Target(Path(os.path.normpath(directory / name)),
                            GenerateOptions(package=name, mode=mode or _text(
                                block, "default_client_mode") or "sync")))
    if not found:
        name = package or "vdsl_client"
        found.append(Target(Path(out or ".") / name,
                            GenerateOptions(package=name, mode=mode or "sync")))
    return list({t.directory: t for t in found}.values())


def _existing(directory: Path) -> dict[str, Path]:
    """Files under the package directory that vdsl generated (by their first line)."""
    out: dict[str, Path] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.rglob("*.py")):
        try:
            with open(path, encoding="utf-8") as handle:
                first = handle.readline()
        except (OSError, UnicodeDecodeError):
            continue
        if first.startswith(_MARK):
            out[path.relative_to(directory).as_posix()] = path
    return out


def check_files(directory: Path, files: dict[str, str]) -> list[str]:
    """What differs on disk: `changed: path`, `missing: path`, `stale: path`."""
    problems: list[str] = []
    for rel, text in files.items():
        path = directory / rel
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            problems.append(f"missing: {path}")
            continue
        if current != text:
            problems.append(f"changed: {path}")
    problems.extend(f"stale: {path}" for rel, path in _existing(directory).items()
                    if rel not in files)
    return problems


def write_files(directory: Path, files: dict[str, str]) -> list[str]:
    """Write what changed and remove generated files that are no longer generated; the
    paths written or removed."""
    touched: list[str] = []
    stale = [p for rel, p in _existing(directory).items() if rel not in files]
    for rel, text in files.items():
        path = directory / rel
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        touched.append(str(path))
    for path in stale:
        path.unlink()
        touched.append(str(path))
    return touched


def generate_target(project: Project, target: Target) -> dict[str, str]:
    return generate(project, target.options)
