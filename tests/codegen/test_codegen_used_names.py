"""`writer.used_names` (which decides the imports a generated module keeps) finds exactly what
a plain `ast.walk` finds, on every module of every golden package: names, names inside
`_cast("…")` type strings, and nothing tripped by `None` or strings in node lists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vdsl.codegen.writer import used_names

GOLDEN = Path(__file__).parent / "expected_client"
MODULES = sorted(GOLDEN.rglob("*.py"))


def reference(body: list[ast.stmt]) -> set[str]:
    used: set[str] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id == "_cast" and isinstance(node.args[0], ast.Constant)):
                parsed = ast.parse(str(node.args[0].value), mode="eval")
                used.update(n.id for n in ast.walk(parsed) if isinstance(n, ast.Name))
    return used


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(GOLDEN).as_posix())
def test_used_names_match_a_plain_walk(path: Path) -> None:
    body = ast.parse(path.read_text("utf-8")).body
    assert used_names(body) == reference(body)


def test_odd_nodes() -> None:
    body = ast.parse("global g\nx = {**a, 'k': b}\ndef f(*, y=None): return _cast('list[T]', y)"
                     ).body
    assert used_names(body) == reference(body) == {"x", "a", "b", "_cast", "list", "T", "y"}
    assert MODULES
