"""What README, docs/ and `--help` show a user, read back as data: fenced code blocks, the
`vdsl …` command lines in them, and a sandbox (a copy of the samples, private caches) to run
them in. Used by the tests that keep those examples true."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

_FENCE = re.compile(r"^(?P<fence>```|~~~)(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)"
                    r"^(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language tag, and where it starts (for messages)."""

    path: Path
    line: int
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path, *langs: str) -> list[Block]:
    """The fenced blocks of a Markdown file, in order (only `langs` when given)."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        lang = match.group("lang")
        if not langs or lang in langs:
            line = text.count("\n", 0, match.start()) + 2  # the block's first line
            found.append(Block(path, line, lang, match.group("body")))
    return found


# ---- command lines ------------------------------------------------------------------------

SHELL_LANGS = ("console", "bash", "sh", "shell", "yaml", "")
_START = re.compile(r"^\s*(?:\$\s+|-\s+run:\s+)?(?:[A-Z_]+=\S+\s+)*(?P<cmd>vdsl\s.*)$")
_SUBST = re.compile(r"\$\((?P<cmd>vdsl\s[^)]*)\)")
_OUTPUT = re.compile(r"^vdsl [\w-]+:")  # `vdsl test: 2 tests …` is what a command printed


def command_lines(text: str) -> list[str]:
    """Every `vdsl …` command in shell-like text: prompts (`$ `), YAML `- run:` steps,
    `NAME=$(vdsl …)` substitutions, `ENV=value` prefixes, `a && b` and `cat x | vdsl …` are
    read through; a trailing `\\` joins the next line."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        for part in re.split(r" && | \| (?=vdsl )", line):
            inner = _SUBST.search(part)
            match = _START.match(part)
            command = inner.group("cmd") if inner else match.group("cmd") if match else None
            if command and not _OUTPUT.match(command):
                found.append(command)
    return found


def argv_of(command: str) -> list[str]:
    """A command line as arguments: shell comments dropped; in a synopsis, `[--opt X]` keeps
    what is inside the brackets, and of alternatives (`text|json`, `[--a | --b]`) the first."""
    words = [w.rstrip("…") for w in shlex.split(command, comments=True)[1:]]  # without `vdsl`
    if ">" in words:  # `> out.json`: the shell's, not vdsl's
        words = words[:words.index(">")]
    argv: list[str] = []
    skipping = False
    for word in words:
        closes = word.endswith("]")
        if word == "|":
            skipping = True
        elif not skipping:
            if word.startswith("[") or closes:
                word = word.strip("[]")
            if re.fullmatch(r"[\w.-]+(\|[\w.-]+)+", word):  # text|json
                word = word.split("|")[0]
            if word:
                argv.append(word)
        if closes:
            skipping = False
    return argv


def parse_problem(argv: list[str]) -> str | None:
    """Why `vdsl` would refuse these arguments as a usage error (None: they parse)."""
    from vdsl.cli import _unknown_command, build_parser
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        if _unknown_command(argv) is not None:
            return err.getvalue().strip()
        try:
            build_parser(argv).parse_args(argv)
        except SystemExit as stop:
            if stop.code:
                return err.getvalue().strip().splitlines()[-1]
    return None


# ---- a sandbox to run examples in ---------------------------------------------------------


@contextlib.contextmanager
def sandbox(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding a copy of `samples/` as the working directory, with private caches
    and emulator state and no endpoint override: what a newcomer's clone looks like."""
    shutil.copytree(ROOT / "samples", tmp / "samples",
                    ignore=shutil.ignore_patterns("generated", "__pycache__"))
    monkeypatch.chdir(tmp)
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp / ".cache"))
    monkeypatch.setenv("VDSL_EMULATOR_STATE", str(tmp / ".emulator"))
    monkeypatch.setenv("VDSL_BATCH_STATE", str(tmp / ".batch"))
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)
    yield tmp
