"""README stays true for a newcomer who follows it from the top: the virtualenv and the two
commands, every `vdsl …` command line it and docs/ show, its Python examples (run in order,
as one session, against the emulator it tells you to start), the outputs it prints, and a
module map that names every package. Python blocks in docs/ are valid Python whose vdsl
imports exist. Figures are not checked here: they live in docs/speed.md, from bench/."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from doc_examples import (
    DOCS,
    README,
    ROOT,
    SHELL_LANGS,
    argv_of,
    blocks,
    command_lines,
    parse_problem,
    sandbox,
)

from vdsl.cli import main
from vdsl.emulator import Emulator


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_starts_with_a_virtualenv_and_the_two_commands() -> None:
    text = _readme()
    first = blocks(README, "bash")[0]
    before = text[:text.index(first.text)]
    assert "python3 -m venv .venv" in before and ". .venv/bin/activate" in before
    assert first.text.splitlines() == [
        ("pip install -e '.[dev]' && vdsl check samples/ && vdsl run samples/resume "
         "ExtractResume --test ExtractJane --emulator"),
        "python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in command_lines(first.text):  # CI runs what README promises
        assert command in ci, command


def test_the_first_commands_work_in_a_fresh_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with sandbox(tmp_path, monkeypatch):
        for command in command_lines(blocks(README, "bash")[0].text):
            assert main(argv_of(command)) == 0, command
    value = json.loads(capsys.readouterr().out)
    assert value["name"] == "Jane Doe" and value["years_experience"] == 11


def _all_commands() -> list[tuple[str, str]]:
    return [(block.where, command) for page in [README, *DOCS]
            for block in blocks(page, *SHELL_LANGS) for command in command_lines(block.text)]


def test_every_vdsl_command_line_in_readme_and_docs_is_accepted() -> None:
    commands = _all_commands()
    assert len(commands) > 40
    refused = {f"{where}: {command}": problem for where, command in commands
               if (problem := parse_problem(argv_of(command)))}
    assert not refused


def test_the_check_example_is_what_check_prints(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    block = next(b for b in blocks(README, "") if b.text.startswith("$ vdsl check samples/"))
    command, *expected = block.text.rstrip("\n").splitlines()
    with sandbox(tmp_path, monkeypatch):
        source = Path("samples/receipts/receipts.vdsl")
        text = source.read_text(encoding="utf-8")
        assert "-> Receipt {" in text  # README: "With a typo … (`-> Reciept`)"
        source.write_text(text.replace("-> Receipt {", "-> Reciept {"), encoding="utf-8")
        assert main(argv_of(command[2:])) == 1
    out, err = capsys.readouterr()
    assert (out + err).rstrip("\n").splitlines() == expected


def test_the_parse_example_is_what_parse_prints(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The block shows `cat reply.txt` and what `vdsl parse` prints for it."""
    block = next(b for b in blocks(README, "console") if "$ vdsl parse" in b.text)
    shown = block.text.split("$ vdsl parse")
    reply = shown[0].split("$ cat reply.txt\n", 1)[1]
    command, *printed = ("vdsl parse" + shown[1]).rstrip("\n").splitlines()
    with sandbox(tmp_path, monkeypatch):
        Path("reply.txt").write_text(reply, encoding="utf-8")
        assert main(argv_of(command)) == 0
    assert json.loads(capsys.readouterr().out) == json.loads("\n".join(printed))


# ---- README's Python, run as a newcomer would -----------------------------------------------

_DRIVER = """\
import sys, time
blocks = __import__("json").loads(sys.stdin.read())
_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, 0.05))  # batch polls: don't wait 30 s
scope = {"__name__": "__readme__"}
for where, code in blocks:
    exec(compile(code, where, "exec"), scope)
    print("ran", where, flush=True)
"""


def test_readme_python_examples_run_in_order(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block, in order, in one fresh interpreter: the runtime, TypeBuilder,
    the generated client (after README's `vdsl generate samples/resume`), batch and the
    emulator — offline, against the emulator README says to start for them."""
    python = blocks(README, "python")
    assert len(python) >= 5
    with sandbox(tmp_path, monkeypatch) as root, \
            Emulator(require_auth=False, fixtures="samples/resume/emulator.yaml") as emu:
        assert main(["generate", "samples/resume"]) == 0  # README's command, as written
        env = {**os.environ, "VDSL_VERTEX_ENDPOINT": emu.url,
               "PYTHONPATH": os.pathsep.join([str(root / "samples" / "generated"), str(ROOT)])}
        done = subprocess.run([sys.executable, "-c", _DRIVER], cwd=root, env=env, text=True,
                              check=False,
                              input=json.dumps([(b.where, b.text) for b in python]),
                              capture_output=True, timeout=240)
    ran = [line for line in done.stdout.splitlines() if line.startswith("ran ")]
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(ran) == len(python)


# ---- docs/ Python blocks: valid, and their vdsl imports exist --------------------------------

_GENERATED = ("vdsl_client",)  # packages `vdsl generate` writes, not vdsl's own


def _python_blocks() -> list[pytest.param]:  # type: ignore[valid-type]
    return [pytest.param(block, id=block.where) for page in [README, *DOCS]
            for block in blocks(page, "python")]


@pytest.mark.parametrize("block", _python_blocks())
def test_python_blocks_parse_and_import_what_exists(block) -> None:  # type: ignore[no-untyped-def]
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        tree = compile(block.text, block.where, "exec", flags=flags)
    except SyntaxError as error:
        pytest.fail(f"{block.where}: not Python: {error}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vdsl"):
            if node.module.split(".")[0] in _GENERATED:
                continue
            module = importlib.import_module(node.module)
            missing = [a.name for a in node.names if not hasattr(module, a.name)]
            assert not missing, f"{block.where}: {node.module} has no {missing}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vdsl."):
                    importlib.import_module(alias.name)


# ---- the module map and the diagnostic codes -------------------------------------------------


def test_the_module_map_names_every_package_and_module() -> None:
    text = _readme()
    table = text[text.index("| module | role |"):]
    table = table[:table.index("\n\n")]
    named = set(re.findall(r"`(vdsl/[a-z_]+(?:/|\.py))`", table))
    package = ROOT / "vdsl"
    present = {f"vdsl/{p.name}/" for p in package.iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    present |= {f"vdsl/{p.name}" for p in package.glob("*.py") if p.name != "__init__.py"}
    assert present - named == set(), "README's module map does not name these"
    assert {n for n in named if not (ROOT / n).exists()} == set(), "named but not there"


def test_every_diagnostic_code_is_in_docs_checks() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "vdsl").rglob("*.py"))
    emitted = set(re.findall(r'\.(?:error|warning)\(\s*"([a-z][a-z0-9-]*)"', source))
    page = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`", page[page.index("| area"):]))
    assert emitted - listed == set(), "codes vdsl reports that docs/checks.md does not list"
    made = {c for c in listed if f'"{c}"' in source
            or f'f"{c.rsplit("-", 1)[0]}-{{' in source}  # f"duplicate-{what}"
    assert listed - made == set(), "docs/checks.md lists codes vdsl never reports"


def test_readme_speed_figures_are_the_ones_in_docs_speed() -> None:
    """README's summary quotes docs/speed.md, which quotes bench/: one set of figures."""
    text = _readme()
    section = text[text.index("## Speed\n"):text.index("\n## ", text.index("## Speed\n") + 1)]
    figures = re.findall(r"\d[\d,.–]*\s?(?:µs|ms|s\b|calls/s|rows/s)", section)
    speed = (ROOT / "docs" / "speed.md").read_text(encoding="utf-8")
    assert len(figures) >= 10
    assert [f for f in figures if f not in speed] == []
