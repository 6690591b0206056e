"""The outer edge of compilation: files → sources → parse → validate → Project.

Only this module and the CLI touch the file system for compilation. `load`/`loads` raise
`CompileError` when there are errors; `check` returns the diagnostics and never raises for a
user mistake. `check` keeps the diagnostics of an unchanged project in a cache; IR is not
cached: unpickling it costs more than parsing it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .diagnostics import Diagnostic, Diagnostics
from .errors import CompileError
from .ir import Decl, Program
from .project import Project
from .source import SourceFile, Span

if TYPE_CHECKING:
    from .policy import Policy

EXTENSIONS = (".vdsl", ".baml")
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", "baml_client",
              ".vdsl_cache"}


class PathProblem(Exception):
    """A path given on the command line cannot be compiled (missing, empty, unreadable)."""


def find_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The `.vdsl`/`.baml` files named, or found below the directories named, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:  # `exists()` hides most errors, not a name too long for the file system
            present, is_file = path.exists(), path.is_file()
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise PathProblem(f"{str(path)[:200]}: not a usable path ({reason})") from None
        if not present:
            raise PathProblem(f"{path}: no such file or directory")
        if is_file:
            found.append(path)
            continue
        files = sorted(p for p in _walk(path) if p.suffix in EXTENSIONS)
        if not files:
            raise PathProblem(f"{path}: no .vdsl or .baml files in this directory")
        found.extend(files)
    return list(dict.fromkeys(found))


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in filenames:
            yield Path(dirpath) / name


def read_sources(files: Sequence[Path], diags: Diagnostics) -> list[SourceFile]:
    sources = []
    for path in files:
        where = Span(str(path), 0, 0, 1, 1, 1, 1)
        try:
            data = path.read_bytes()
        except OSError as error:
            diags.error("unreadable-file", f"{path}: cannot read: {error.strerror}", where)
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            where = Span(str(path), error.start, error.start + 1, line, 1, line, 1)
            diags.error("unreadable-file",
                        f"{path}: not UTF-8 text (invalid byte at offset {error.start})", where,
                        help="save the file as UTF-8")
            continue
        sources.append(SourceFile(str(path), text))
    return sources


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file after parsing: its declarations, syntax diagnostics, and the names of the blocks
    that failed to parse. The language server keeps these per file and re-parses only edits."""

    source: SourceFile
    decls: tuple[Decl, ...]
    diagnostics: tuple[Diagnostic, ...]
    broken: frozenset[str]


def parse_file(source: SourceFile) -> ParsedFile:
    from .syntax import parse_source

    diags = Diagnostics()
    broken: list[str] = []
    decls = parse_source(source, diags, broken)
    return ParsedFile(source, tuple(decls), tuple(diags), frozenset(broken))


def link(files: Sequence[ParsedFile]) -> Program:
    """The program the files make together (one namespace), in file order."""
    program = Program()
    for parsed in files:
        program.decls.extend(parsed.decls)
        program.broken_names.update(parsed.broken)
    return program


def validate_parsed(files: Sequence[ParsedFile], diags: Diagnostics,
                    policy: Policy | None = None) -> Program:
    """Validate the program of already parsed files; their syntax diagnostics come first.

    With a `policy`, every client is also checked against it (`policy-*` codes); when nothing
    is an error, test prompts are measured against their models' limits."""
    from .validate import run

    for parsed in files:
        diags.extend(parsed.diagnostics)
    program = link(files)
    sources = {f.source.path: f.source for f in files}
    run(program, diags, sources)
    if policy is not None:
        from .policy.check import check as check_policy
        check_policy(program, policy, diags)
    if not diags.has_errors and program.tests:
        from .tokens.checks import check as check_tokens
        check_tokens(program, sources, diags)
    return program


def compile_sources(sources: Sequence[SourceFile], *, diags: Diagnostics | None = None,
                    policy: Policy | None = None) -> tuple[Program, Diagnostics]:
    """Parse and validate; every problem ends up in the returned diagnostics."""
    diags = diags if diags is not None else Diagnostics()
    program = validate_parsed([parse_file(source) for source in sources], diags, policy)
    return program, diags


def project_policy(paths: Sequence[str | os.PathLike[str]],
                   diags: Diagnostics) -> tuple[Policy | None, str]:
    """The endpoint policy for the project at the first path (see `vdsl.policy`), and the
    text of the file it came from (part of the check cache's key)."""
    if not paths:
        return None, ""
    from .policy.files import find_policy_file
    found = find_policy_file(os.fspath(paths[0]))
    if found is None:  # most projects: the rest of `vdsl.policy` is not imported
        return None, ""
    from .policy import load_policy
    return load_policy(os.fspath(paths[0]), diags, found)


def cache_dir() -> Path | None:
    configured = os.environ.get("VDSL_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vdsl"


_code_hash: str | None = None


def _code_digest() -> str:
    """Changes whenever the grammar or any vdsl module changes, so stale entries are unused."""
    global _code_hash
    if _code_hash is None:
        import hashlib  # only the cache needs it: `check --no-cache` does not load OpenSSL

        from .syntax import grammar_text
        digest = hashlib.sha256(grammar_text().encode())
        for module in sorted(Path(__file__).parent.rglob("*.py")):
            digest.update(module.read_bytes())
        _code_hash = digest.hexdigest()
    return _code_hash


def _digest(*parts: str) -> str:
    import hashlib
    digest = hashlib.sha256()
    for part in (__version__, _code_digest(), *parts):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _cache_file(kind: str, key: str) -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / f"{kind}-{key}.pickle"


def _read_cache(path: Path | None) -> object | None:
    if path is None:
        return None
    import pickle  # the cache's modules are imported only when the cache is used
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing or unreadable entry is a cache miss
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    import tempfile
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only cache directory only costs speed


def check(*paths: str | os.PathLike[str], use_cache: bool = True,
          strict_env: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """Every diagnostic for the files or directories given, in stable order.

    With `strict_env` (an environment, e.g. `os.environ`), every `env.VAR` a client reads must
    be set in it."""
    diags = Diagnostics()
    try:
        files = find_files(paths)
    except PathProblem as problem:
        diags.error("invalid-path", str(problem), None)
        return list(diags)
    sources = read_sources(files, diags)
    policy, policy_text = project_policy(paths, diags)
    if strict_env is not None:
        from .validate import env as env_check
        program, diags = compile_sources(sources, diags=diags, policy=policy)
        env_check.check(program, diags, strict_env)
        return diags.sorted()
    path = _cache_file("check", _check_key(policy_text, sources)) if use_cache else None
    cached = _read_cache(path)
    if isinstance(cached, list):
        return diags.sorted() + cached  # type: ignore[no-any-return]
    before = len(diags)
    compile_sources(sources, diags=diags, policy=policy)
    result = diags.sorted()
    if path is not None and before == 0:
        import pickle
        _write_atomic(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def _check_key(policy_text: str, sources: Sequence[SourceFile]) -> str:
    return _digest(policy_text, *(part for s in sources for part in (s.path, s.text)))


def cached_check(*paths: str | os.PathLike[str]) -> list[Diagnostic] | None:
    """What `check(*paths)` found for these files as they are now, when that is in the cache;
    None when they were not checked as they are (or cannot be read)."""
    diags = Diagnostics()
    try:
        sources = read_sources(find_files(paths), diags)
        _policy, policy_text = project_policy(paths, diags)
    except PathProblem:
        return None
    if len(diags):
        return None
    cached = _read_cache(_cache_file("check", _check_key(policy_text, sources)))
    return cached if isinstance(cached, list) else None


def load(path: str | os.PathLike[str]) -> Project:
    """Compile a file or a directory (one project, one namespace) into a `Project`."""
    diags = Diagnostics()
    try:
        files = find_files([path])
    except PathProblem as problem:
        diags.error("invalid-path", str(problem), None)
        raise CompileError(list(diags)) from None
    sources = read_sources(files, diags)
    policy, _ = project_policy([path], diags)
    return _finish(sources, diags, root=str(path), policy=policy)


def loads(text: str, filename: str = "main.vdsl", *, policy: Policy | None = None) -> Project:
    """Compile source text held in memory (with `policy`, checked against it too). A leading
    byte-order mark is dropped, as when reading a file."""
    return _finish([SourceFile(filename, text.removeprefix("\ufeff"))], Diagnostics(),
                   root=None, policy=policy)


def _finish(sources: list[SourceFile], diags: Diagnostics, root: str | None,
            policy: Policy | None = None) -> Project:
    program, diags = compile_sources(sources, diags=diags, policy=policy)
    ordered = diags.sorted()
    if diags.has_errors:
        raise CompileError(ordered)
    return Project(program, {s.path: s for s in sources}, ordered, root, policy=policy)
