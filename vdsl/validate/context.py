"""What every validation pass receives: the program, its sources, name indexes, and the
shared diagnostics list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..ir import (
    ClassDecl,
    ClientDecl,
    Decl,
    EnumDecl,
    FunctionDecl,
    Program,
    RetryPolicyDecl,
    TemplateStringDecl,
    TypeAliasDecl,
)
from ..source import SourceFile


@dataclass
class Context:
    program: Program
    diags: Diagnostics
    sources: Mapping[str, SourceFile]
    types: dict[str, Decl] = field(default_factory=dict)
    """Classes, enums and type aliases by name (the first declaration wins)."""
    clients: dict[str, ClientDecl] = field(default_factory=dict)
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    retry_policies: dict[str, RetryPolicyDecl] = field(default_factory=dict)
    template_strings: dict[str, TemplateStringDecl] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for decl in self.program.decls:
            if isinstance(decl, (ClassDecl, EnumDecl, TypeAliasDecl)):
                self.types.setdefault(decl.name, decl)
            elif isinstance(decl, ClientDecl):
                self.clients.setdefault(decl.name, decl)
            elif isinstance(decl, FunctionDecl):
                self.functions.setdefault(decl.name, decl)
            elif isinstance(decl, RetryPolicyDecl):
                self.retry_policies.setdefault(decl.name, decl)
            elif isinstance(decl, TemplateStringDecl):
                self.template_strings.setdefault(decl.name, decl)
