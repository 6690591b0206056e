"""`vdsl init`: a starter project that passes every CI step out of the box.

    DIR/llm/clients.vdsl            Gemini and Claude on Vertex AI (env vars), a retry policy,
                                    a fallback client
    DIR/llm/main.vdsl               an enum, a class, a typed function, a test with
                                    @@check/@@assert, a python generator block
    DIR/llm/emulator.yaml           the test's reply, for offline runs
    DIR/prompts/                    the prompt snapshots (`vdsl render --snapshots`)
    DIR/vdsl_client/                the generated typed client (`vdsl generate`)
    DIR/.github/workflows/vdsl.yml  check → fmt --check → render --check → generate --check
                                    → test --emulator --junit
    DIR/.pre-commit-config.yaml     vdsl check and vdsl fmt before each commit

Existing files are never overwritten: each is kept and reported. The snapshots and the client
are made from the project as it then stands, so they agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .. import __version__
from ..errors import CompileError

__all__ = ["STARTER", "InitResult", "create_project"]

STARTER = {
    "llm/clients.vdsl": "llm/clients.vdsl",
    "llm/main.vdsl": "llm/main.vdsl",
    "llm/emulator.yaml": "llm/emulator.yaml",
    ".github/workflows/vdsl.yml": "workflow.yml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
}
"""Where each starter file goes in the new project → its name in the package."""
SOURCES = "llm"
SNAPSHOTS = "prompts"
VERSION_MARK = "@VDSL_VERSION@"


@dataclass
class InitResult:
    """What `create_project` did: files created, files that existed and were kept, and why
    derived files (snapshots, client) could not be made, if so."""

    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    problem: str = ""


def starter_text(name: str) -> str:
    text = resources.files(__name__).joinpath("starter", name).read_text(encoding="utf-8")
    return text.replace(VERSION_MARK, __version__)


def create_project(directory: str | Path) -> InitResult:
    """Write the starter into `directory` (created if needed). Raises OSError when a file
    cannot be written."""
    root = Path(directory)
    result = InitResult()
    for target, name in STARTER.items():
        _write_new(root / target, starter_text(name), result)
    try:
        _derived(root, result)
    except CompileError as error:
        result.problem = (f"{root / SOURCES} does not compile ({error}); prompt snapshots "
                          "and the client were not made")
    return result


def _write_new(path: Path, text: str, result: InitResult) -> None:
    if path.exists():
        result.kept.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="") as handle:  # never over a file
        handle.write(text)
    result.created.append(path)


def _derived(root: Path, result: InitResult) -> None:
    """The prompt snapshots and the generated client, for the project as it stands."""
    from ..codegen.output import GenerateError, targets
    from ..codegen.python import generate
    from ..compiler import load
    from ..render.snapshots import render_snapshots

    project = load(root / SOURCES)
    snapshots, errors = render_snapshots(project)
    if errors:
        result.problem = "prompt snapshots not made: " + "; ".join(errors)
    else:
        for name, text in snapshots.items():
            _write_new(root / SNAPSHOTS / name, text, result)
    try:  # without a generator block the client goes where `vdsl generate` run here puts it
        found = targets(project, out=None if project.program.generators else str(root))
    except GenerateError as error:
        result.problem = f"client not generated: {error}"
        return
    for target in found:
        for name, text in generate(project, target.options).items():
            _write_new(target.directory / name, text, result)
