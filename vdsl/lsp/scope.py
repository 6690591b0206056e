"""Which declarations an edit can change the diagnostics of, and checking only those.

Validation reads a declaration, what it names (types, clients, retry policies, functions,
template_strings, enums in prompts), what those name in turn, and the project's name indexes.
So after an edit of some files, the diagnostics of another file can change only when one of
its declarations reaches, through names, a name the edited files declare (before or after the
edit), or when it reports an unknown name and the set of declared names changed (its
"did you mean" may change). Those files are checked again, together with everything their
declarations reach; the other files keep their diagnostics.

A declaration's names are approximated by every identifier in its block's text: a superset,
so nothing is missed. A differential property test holds the result equal to checking the
whole project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..compiler import ParsedFile
from ..diagnostics import Diagnostic, Diagnostics
from ..ir import Decl, EnumDecl, GeneratorDecl, Program
from ..validate import GATED, Context, run_context

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["Checker", "FileUnit", "affected_files", "declared_names", "name_table", "unit"]

NAME_CODES = ("unknown-", "undefined-")
"""Diagnostic codes (prefixes) whose help is computed from the project's declared names."""


@dataclass(frozen=True, slots=True)
class FileUnit:
    """One file of the project as the scoping sees it."""

    parsed: ParsedFile
    mentions: tuple[frozenset[str], ...]
    """Per declaration: the identifiers of its block."""
    all_mentions: frozenset[str]


def unit(parsed: ParsedFile, mentions: tuple[frozenset[str], ...]) -> FileUnit:
    return FileUnit(parsed, mentions, frozenset().union(*mentions) if mentions else frozenset())


def declared_names(parsed: ParsedFile) -> frozenset[str]:
    return frozenset(d.name for d in parsed.decls) | parsed.broken


def name_table(parsed: ParsedFile) -> frozenset[tuple[str, str]]:
    """(kind, name) of every declaration, and ("broken", name) of every block that failed: the
    candidates of every "did you mean"."""
    return frozenset((d.kind, d.name) for d in parsed.decls) | {("broken", n)
                                                                 for n in parsed.broken}


def affected_files(units: Mapping[str, FileUnit], changed: Iterable[str],
                   changed_names: frozenset[str], names_differ: bool,
                   diagnostics: Mapping[str, Sequence[Diagnostic]]) -> set[str]:
    """The files whose diagnostics the edit of `changed` may have changed."""
    dirty = set(changed)
    reached = set(changed_names)
    for path in dirty & set(units):
        reached |= declared_names(units[path].parsed)
    grew = True
    while grew:
        grew = False
        for path, file in units.items():
            if path in dirty or file.all_mentions.isdisjoint(reached):
                continue
            # the whole file is checked again, so whatever reaches any of its names may change
            # too (a policy error on a client names the fallback clients that use it)
            dirty.add(path)
            reached |= declared_names(file.parsed)
            grew = True
    if names_differ:
        dirty.update(path for path, found in diagnostics.items()
                     if any(d.code.startswith(NAME_CODES) for d in found))
    return dirty & set(units)


class Checker:
    """Checks parts of one project: the declarations of some files and everything they reach,
    with the whole project's name indexes (so lookups and "did you mean" see every name).
    Built once per refresh: the indexes serve every stage."""

    def __init__(self, units: Sequence[FileUnit], full: Program) -> None:
        self.units = units
        self.full = full
        self.sources = {u.parsed.source.path: u.parsed.source for u in units}
        self.whole = Context(full, Diagnostics(), self.sources)
        self.by_name: dict[str, list[tuple[Decl, frozenset[str]]]] = {}
        for u in units:
            for decl, mentions in zip(u.parsed.decls, u.mentions, strict=True):
                self.by_name.setdefault(decl.name, []).append((decl, mentions))

    def context(self, files: set[str], diags: Diagnostics) -> Context:
        if len(files) == len(self.units):
            program = self.full
        else:
            scope = self._scope(files)
            program = Program(broken_names=set(self.full.broken_names))
            program.decls.extend(d for u in self.units for d in u.parsed.decls
                                 if id(d) in scope)
        whole = self.whole
        return Context(program, diags, self.sources, types=whole.types, clients=whole.clients,
                       functions=whole.functions, retry_policies=whole.retry_policies,
                       template_strings=whole.template_strings)

    def base(self, files: set[str], policy: Policy | None = None) -> Diagnostics:
        """Every check but the gated ones, and the endpoint policy's, for `files` (the result
        also holds diagnostics of declarations they reach in other files: callers keep those
        located in `files`)."""
        diags = Diagnostics()
        ctx = self.context(files, diags)
        run_context(ctx, gated=False)
        if policy is not None:
            from ..policy.check import check as check_policy
            check_policy(ctx.program, policy, diags)
        return diags

    def gated(self, files: set[str]) -> Diagnostics:
        """The checks that run only when every type resolves (prompts), for `files`."""
        diags = Diagnostics()
        ctx = self.context(files, diags)
        for check in GATED:
            check(ctx)
        return diags

    def tokens(self, files: set[str]) -> Diagnostics:
        """Test prompts against their models' limits (`vdsl.tokens`), for the tests of `files`."""
        from ..tokens.checks import check

        diags = Diagnostics()
        check(self.context(files, Diagnostics()).program, self.sources, diags)
        return diags

    def _scope(self, dirty: set[str]) -> set[int]:
        """ids of the declarations to check: the dirty files', what they reach, every enum
        (prompts know them all) and every generator (they decide project-wide checks)."""
        scope: set[int] = set()
        pending: list[frozenset[str]] = []
        for u in self.units:
            in_dirty = u.parsed.source.path in dirty
            for decl, mentions in zip(u.parsed.decls, u.mentions, strict=True):
                if in_dirty or isinstance(decl, (EnumDecl, GeneratorDecl)):
                    scope.add(id(decl))
                    pending.append(mentions)
        seen: set[str] = set()
        while pending:
            for name in pending.pop() - seen:
                seen.add(name)
                for decl, mentions in self.by_name.get(name, ()):
                    if id(decl) not in scope:
                        scope.add(id(decl))
                        pending.append(mentions)
        return scope
