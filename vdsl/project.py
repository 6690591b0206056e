"""A compiled project: the program plus what later stages need to look things up fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic
from .ir import ClientDecl, Decl, FunctionDecl, Program, TemplateStringDecl, TestDecl
from .source import SourceFile

if TYPE_CHECKING:
    from .policy import Policy


@dataclass
class Project:
    """The result of `vdsl.load`/`vdsl.loads`: a validated program (no errors) and its sources.

    `diagnostics` holds the warnings that compilation produced; `policy` the endpoint policy
    found beside the project (`vdsl.policy`), which the runtime enforces.
    """

    program: Program
    sources: dict[str, SourceFile]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    root: str | None = None
    _by_name: dict[str, Decl] = field(default_factory=dict, repr=False)
    policy: Policy | None = None

    def __post_init__(self) -> None:
        for decl in self.program.decls:
            if not isinstance(decl, TestDecl):
                self._by_name.setdefault(decl.name, decl)

    def find(self, name: str) -> Decl | None:
        """The class, enum, alias, function, client, retry policy or template named `name`."""
        return self._by_name.get(name)

    def function(self, name: str) -> FunctionDecl:
        decl = self._by_name.get(name)
        if not isinstance(decl, FunctionDecl):
            raise KeyError(name)
        return decl

    def client(self, name: str) -> ClientDecl:
        decl = self._by_name.get(name)
        if not isinstance(decl, ClientDecl):
            raise KeyError(name)
        return decl

    def template_string(self, name: str) -> TemplateStringDecl:
        decl = self._by_name.get(name)
        if not isinstance(decl, TemplateStringDecl):
            raise KeyError(name)
        return decl

    def test(self, name: str, function: str | None = None) -> TestDecl:
        """The test named `name`; names are unique per function, so `function` picks among
        tests of the same name (the first one that lists it)."""
        named = [decl for decl in self.program.tests if decl.name == name]
        if function is not None:
            for decl in named:
                if any(fn == function for fn, _span in decl.function_names):
                    return decl
        if named:
            return named[0]
        raise KeyError(name)

    @property
    def functions(self) -> list[FunctionDecl]:
        return self.program.functions
