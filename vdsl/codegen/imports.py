"""The imports of one generated module: recorded while its code is built, printed sorted."""

from __future__ import annotations

import ast

from .writer import name

__all__ = ["Imports"]


class Imports:
    """`use(module, name)` records an import and returns the local name to write. A helper
    whose name a user type already takes is imported as `_Name` (user names never start
    with `_`)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self._runtime: dict[str, dict[str, str]] = {}
        self._typing: dict[str, dict[str, str]] = {}

    def use(self, module: str, ident: str, *, typing_only: bool = False,
            local: str | None = None) -> ast.Name:
        local = local or ("_" + ident if ident in self.taken else ident)
        if not typing_only:
            self._typing.get(module, {}).pop(ident, None)
        if typing_only and ident in self._runtime.get(module, {}):
            return name(local)
        table = self._typing if typing_only else self._runtime
        table.setdefault(module, {})[ident] = local
        return name(local)

    def module(self, package: str, module: str, *, typing_only: bool = False) -> ast.Name:
        """`from package import module`."""
        return self.use(package, module, typing_only=typing_only)

    def statements(self, used: set[str] | None = None) -> list[ast.stmt]:
        """The import statements; with `used`, only the names the code refers to."""
        def keep(table: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
            if used is None:
                return table
            return {m: {n: local for n, local in names.items() if local in used}
                    for m, names in table.items()}

        typing = {m: names for m, names in keep(self._typing).items() if names}
        if typing:
            self.use("typing", "TYPE_CHECKING")
        runtime = keep(self._runtime)
        if typing:
            runtime.setdefault("typing", {})["TYPE_CHECKING"] = "TYPE_CHECKING"
        body: list[ast.stmt] = [_import_from("__future__", {"annotations": "annotations"})]
        body.extend(_group(runtime))
        if typing:
            body.append(ast.If(test=name("TYPE_CHECKING"), body=_group(typing), orelse=[]))
        return body


def _group(table: dict[str, dict[str, str]]) -> list[ast.stmt]:
    def key(module: str) -> tuple[int, str]:
        return (2 if module.startswith(".") else 1 if module.startswith("vdsl") else 0, module)
    return [_import_from(m, table[m]) for m in sorted(table, key=key) if table[m]]


def _import_from(module: str, names: dict[str, str]) -> ast.ImportFrom:
    level = len(module) - len(module.lstrip("."))
    aliases = [ast.alias(name=n, asname=None if local == n else local)
               for n, local in sorted(names.items())]
    return ast.ImportFrom(module=module.lstrip(".") or None, names=aliases, level=level)
