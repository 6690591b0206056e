"""The expectation format of `cases/**`: trailing comment lines at the end of a file.

A case file ends with one line per expected diagnostic, for that file only:

    // error[unknown-type] 3:12
    // warning[unquoted-value-with-spaces] 9:32 "did you mean"

`severity[code] line:col`, optionally followed by a double-quoted text that must appear in
the diagnostic's message or help. Only the final run of such lines counts (blank lines may
follow it). `// expect: nothing` states that the file has no diagnostics at all.

A directory under `cases/invalid/` is one project (one namespace); each of its files carries
the expectations that point into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import vdsl

CASES = Path(__file__).parent / "cases"
EXTENSIONS = (".vdsl", ".baml")
_LINE = re.compile(
    r'^//\s*(?P<severity>error|warning|note)\[(?P<code>[a-z0-9-]+)\]\s+'
    r'(?P<line>\d+):(?P<col>\d+)(?:\s+"(?P<text>[^"]*)")?\s*$')
_NOTHING = re.compile(r"^//\s*expect:\s*nothing\s*$")


@dataclass(frozen=True)
class Expected:
    severity: str
    code: str
    line: int
    col: int
    text: str | None = None

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.severity, self.code, self.line, self.col)


def read_expectations(path: Path) -> list[Expected]:
    """The trailing expectation lines of one file (raises if the block is malformed)."""
    lines = path.read_text("utf-8").rstrip().split("\n")
    found: list[Expected] = []
    for raw in reversed(lines):
        line = raw.strip()
        if _NOTHING.match(line):
            continue
        match = _LINE.match(line)
        if match is None:
            break
        found.append(Expected(match["severity"], match["code"], int(match["line"]),
                              int(match["col"]), match["text"]))
    found.reverse()
    return found


def case_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in EXTENSIONS)


def cases(kind: str) -> list[Path]:
    """Each file, or each project directory, directly under `cases/<kind>/`."""
    base = CASES / kind
    return sorted(p for p in base.iterdir() if p.is_dir() or p.suffix in EXTENSIONS)


def expected_for(case: Path) -> dict[str, list[Expected]]:
    """File path (as vdsl reports it) → expectations."""
    return {str(f): read_expectations(f) for f in case_files(case)}


def actual_for(case: Path) -> list[vdsl.Diagnostic]:
    return vdsl.check(str(case))


def key(d: vdsl.Diagnostic) -> tuple[str, str, str, int, int]:
    span = d.span
    assert span is not None, f"diagnostic without a location: {d}"
    return (span.file, d.severity.value, d.code, span.line, span.column)


def describe(d: vdsl.Diagnostic) -> str:
    span = d.span
    where = f"{span.file}:{span.line}:{span.column}" if span else "?"
    return f"{where} {d.severity.value}[{d.code}] {d.message}"


def compare(case: Path) -> tuple[set[tuple], set[tuple], list[str]]:
    """(missing, unexpected, text problems) for one case."""
    diagnostics = actual_for(case)
    actual = {key(d) for d in diagnostics}
    wanted: set[tuple] = set()
    problems: list[str] = []
    for file, expectations in expected_for(case).items():
        for e in expectations:
            wanted.add((file, *e.key))
            if e.text is None:
                continue
            matching = [d for d in diagnostics if key(d) == (file, *e.key)]
            if matching and not any(e.text in d.message or e.text in (d.help or "")
                                    for d in matching):
                problems.append(f"{file} {e.code} {e.line}:{e.col}: no message or help "
                                f"contains {e.text!r}: " + "; ".join(describe(d)
                                                                    for d in matching))
    return wanted - actual, actual - wanted, problems
