"""A real-world project made ready for both sides: rewritten sources and `cases.json`.

Cases: every `(function, test)` pair of the project's test blocks (read from the text, so a
project vdsl refuses still has BAML's test requests counted) and, when vdsl loads the
project, one generated argument set per variant (`argsgen.variants`) for every function. The
client `vdsl generate` would write for the project is generated and compiled too (a crash
there is reported with the project).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argsgen
import corpus
import rewrite


@dataclass
class Prepared:
    entry: corpus.Entry
    files: dict[str, str]   # the project's own sources
    folder: Path            # rewritten sources (baml_src/) and cases.json
    functions: int          # functions arguments were generated for
    refusal: str            # "" if vdsl loads the project, else its first error
    generate: str           # "ok", "-" (not loaded) or what `vdsl generate` raised


_TEST = re.compile(r"^[ \t]*test\s+(\w+)\s*\{", re.MULTILINE)
_FUNCTIONS = re.compile(r"^[ \t]*functions\s*\[([^\]]*)\]", re.MULTILINE)


def test_pairs(files: dict[str, str]) -> list[tuple[str, str]]:
    """(function, test) for every test block, read from the text (whatever vdsl thinks)."""
    pairs = []
    for text in files.values():
        masked = rewrite.mask(text)
        for found in _TEST.finditer(masked):
            end = rewrite._close(masked, found.end() - 1)
            listed = _FUNCTIONS.search(masked, found.end(), end)
            names = re.findall(r"\w+", listed.group(1)) if listed else []
            pairs += [(fn, found.group(1)) for fn in names]
    return pairs


def prepare(entry: corpus.Entry, files: dict[str, str], into: Path,
            mixed: int = 3) -> Prepared:
    """Write the project folder both sides read."""
    import vdsl
    folder = into / entry.slug
    for path, text in rewrite.rewrite_project(files).items():
        (folder / "baml_src" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "baml_src" / path).write_text(text)
    cases: list[dict[str, Any]] = []
    refusal, functions = "", 0
    try:
        project = vdsl.load(folder / "baml_src")
    except Exception as exc:  # noqa: BLE001 - recorded; BAML's test requests still count
        refusal = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        project = None
    if project is not None:
        for fn in project.functions:
            functions += 1
            for variant in argsgen.variants(mixed):
                try:
                    args = argsgen.arguments(project, fn, variant)
                except (TypeError, RecursionError) as exc:
                    refusal = refusal or f"argsgen: {exc}"
                    continue
                cases.append({"id": f"{fn.name}#{variant}", "fn": fn.name, "args": args})
    seen = set()
    for fn, test in test_pairs(files):
        if (fn, test) not in seen:
            seen.add((fn, test))
            cases.append({"id": f"{fn}::{test}", "fn": fn, "test": test,
                          "header": f"{entry.slug}/{fn}::{test}"})
    (folder / "cases.json").write_text(json.dumps({"env": rewrite.ENV, "cases": cases}))
    generated = "-" if project is None else generate_check(project)
    return Prepared(entry, files, folder, functions, refusal, generated)


def generate_check(project: Any) -> str:
    """`vdsl generate`'s files for the project, each compiled: "ok" or what failed."""
    from vdsl.codegen.python import GenerateOptions, generate
    try:
        for rel, text in generate(project, GenerateOptions(package="realworld_client")).items():
            compile(text, rel, "exec")
    except Exception as exc:  # noqa: BLE001 - reported with the project
        return f"{type(exc).__name__}: {exc}"[:200]
    return "ok"


