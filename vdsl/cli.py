"""The `vdsl` command: thin wrappers over the public API that print and pick an exit code.

Exit codes: 0 ok, 1 diagnostics (or failed checks), 2 usage, 3 provider/runtime error.
Each subcommand imports what it needs when it runs, so `vdsl --version` and `vdsl check` stay
quick (no HTTP or auth libraries are imported for them).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

OK, DIAGNOSTICS, USAGE, RUNTIME = 0, 1, 2, 3

_DESCRIPTION = """\
vdsl compiles .vdsl files (BAML syntax) for Google Vertex AI: it checks them, renders prompts
and requests, calls functions, and runs an offline Vertex emulator.

Exit status, for every command: 0 ok; 1 diagnostics or a failed check; 2 usage (a bad
option, or a path that does not exist); 3 a provider or runtime error. Errors are one line
on stderr, `error: …` (or `error[code]: …`). `vdsl COMMAND --help` explains each command."""

_RUN_EPILOG = """\
Credentials (first found): options.query_params.key (an API key), options.credentials,
options.credentials_content, GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_APPLICATION_CREDENTIALS_CONTENT,
Application Default Credentials (gcloud auth application-default login, or the metadata
server), gcloud auth print-access-token. The project: options.project_id, GOOGLE_CLOUD_PROJECT,
then the credentials'. VDSL_VERTEX_ENDPOINT=http://127.0.0.1:PORT sends every call to an
emulator (`vdsl emulator`); VDSL_LOG=debug logs each request (secrets redacted).
Exit status: 0 ok, 1 compile errors (with --test: a failed @@check/@@assert of the test), 2 usage,
3 the call failed (the error says why and what to do). Examples:
  vdsl run samples/resume ExtractResume --test ExtractJane --emulator
  vdsl run src/llm Classify --args '{"text": "refund please"}' --format json"""

_CHECK_EPILOG = """\
Every error in every file is reported at once, with file:line:col.
Exit status: 0 when there are no errors (warnings allowed), 1 when there are errors,
2 for usage mistakes (a missing path, an unknown option).

The diagnostics of an unchanged project are cached in $VDSL_CACHE_DIR (default
~/.cache/vdsl; an empty value turns the cache off); --no-cache measures the cold path.
Examples:
  vdsl check samples/
  vdsl check src/llm --format github     # annotations in GitHub Actions
  vdsl check . --format json > diagnostics.json"""


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    from .diagnostics import FORMATS

    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a .vdsl/.baml file, or a directory (one project, searched "
                             "recursively)")
    parser.add_argument("--format", choices=FORMATS, default="full",
                        help="full: source excerpts (default); concise: one line each; json: an "
                             "array of objects; github: workflow annotations; sarif: SARIF 2.1.0")
    parser.add_argument("--no-cache", action="store_true", help="ignore and bypass the cache")
    parser.add_argument("--strict-env", action="store_true",
                        help="also report every env.VAR a client reads that is not set now "
                             "(off by default: env vars are read when a call is made)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print errors only, and no summary line")


def _run_check(args: argparse.Namespace) -> int:
    from . import compiler
    from .diagnostics import render
    from .exits import PATH_CODES, error

    diagnostics = compiler.check(*args.paths, use_cache=not args.no_cache,
                                 strict_env=os.environ if args.strict_env else None)
    paths_ok = not any(d.code in PATH_CODES for d in diagnostics)
    if not paths_ok and args.format in ("full", "concise"):
        for d in diagnostics:
            if d.code in PATH_CODES:
                error(d.message, USAGE, diagnostic=d.code)
        return USAGE
    if args.quiet:
        diagnostics = [d for d in diagnostics if d.is_error]
    sources = _sources_for(diagnostics)
    if args.format in ("json", "sarif") or diagnostics:
        print(render(diagnostics, args.format, sources))
    errors = sum(d.is_error for d in diagnostics)
    if not paths_ok:
        return USAGE
    if args.format in ("full", "concise") and not args.quiet:
        warnings = len(diagnostics) - errors
        summary = (f"{_count(errors, 'error')} and {_count(warnings, 'warning')}"
                   if diagnostics else "No problems found")
        print(("\n" if diagnostics else "") + summary, file=sys.stderr)
    return DIAGNOSTICS if errors else OK


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sources_for(diagnostics: Sequence[object]):  # type: ignore[no-untyped-def]
    from .source import SourceFile

    sources: dict[str, SourceFile] = {}
    for d in diagnostics:
        span = d.span  # type: ignore[attr-defined]
        if span is not None and span.file not in sources:
            try:
                with open(span.file, encoding="utf-8-sig") as handle:
                    sources[span.file] = SourceFile(span.file, handle.read())
            except (OSError, UnicodeDecodeError):
                pass
    return sources


def _render_arguments(parser: argparse.ArgumentParser) -> None:
    from .render.cli import add_arguments
    add_arguments(parser)


def _run_render(args: argparse.Namespace) -> int:
    from .render.cli import run
    return run(args)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    from .runtime.cli import add_arguments
    add_arguments(parser)


def _run_run(args: argparse.Namespace) -> int:
    from .runtime.cli import run
    return run(args)


def _parse_arguments(parser: argparse.ArgumentParser) -> None:
    from .outputs.cli import add_arguments
    add_arguments(parser)


def _run_parse(args: argparse.Namespace) -> int:
    from .outputs.cli import run
    return run(args)


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    from .codegen.cli import add_arguments
    add_arguments(parser)


def _run_generate(args: argparse.Namespace) -> int:
    from .codegen.cli import run
    return run(args)


def _cache_arguments(parser: argparse.ArgumentParser) -> None:
    from .caching.cli import add_arguments
    add_arguments(parser)


def _run_cache(args: argparse.Namespace) -> int:
    from .caching.cli import run
    return run(args)


def _tokens_arguments(parser: argparse.ArgumentParser) -> None:
    from .tokens.cli import add_arguments
    add_arguments(parser)


def _run_tokens(args: argparse.Namespace) -> int:
    from .tokens.cli import run
    return run(args)


def _cache_epilog() -> str:
    from .caching.cli import EPILOG
    return EPILOG


def _tokens_epilog() -> str:
    from .tokens.cli import EPILOG
    return EPILOG


def _emulator_arguments(parser: argparse.ArgumentParser) -> None:
    from .emulator.cli import add_arguments
    add_arguments(parser)


def _run_emulator(args: argparse.Namespace) -> int:
    from .emulator.cli import run
    return run(args)


def _test_arguments(parser: argparse.ArgumentParser) -> None:
    from .testing.cli import add_arguments
    add_arguments(parser)


def _run_test(args: argparse.Namespace) -> int:
    from .testing.cli import run
    return run(args)


def _fmt_arguments(parser: argparse.ArgumentParser) -> None:
    from .fmt.cli import add_arguments
    add_arguments(parser)


def _run_fmt(args: argparse.Namespace) -> int:
    from .fmt.cli import run
    return run(args)


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    from .init.cli import add_arguments
    add_arguments(parser)


def _run_init(args: argparse.Namespace) -> int:
    from .init.cli import run
    return run(args)


def _batch_arguments(parser: argparse.ArgumentParser) -> None:
    from .batch.cli import add_arguments
    add_arguments(parser)


def _run_batch(args: argparse.Namespace) -> int:
    from .batch.cli import run
    return run(args)


def _lsp_arguments(parser: argparse.ArgumentParser) -> None:
    from .lsp.cli import add_arguments
    add_arguments(parser)


def _run_lsp(args: argparse.Namespace) -> int:
    from .lsp.cli import run
    return run(args)


_Command = tuple[str, str, Callable[[argparse.ArgumentParser], None],
                 Callable[[argparse.Namespace], int], str | Callable[[], str] | None]
COMMANDS: list[_Command] = [
    ("check", "report every error and warning in .vdsl/.baml files", _check_arguments,
     _run_check, _CHECK_EPILOG),
    ("render", "print a function's rendered prompt, or keep prompt snapshots for CI",
     _render_arguments, _run_render, None),
    ("run", "call a function on Vertex AI (or, with --emulator, offline) and print the result",
     _run_arguments, _run_run, _RUN_EPILOG),
    ("parse", "read a model reply as a function's return type (typed, lenient)",
     _parse_arguments, _run_parse, None),
    ("generate", "write a typed Python client package (pydantic models, sync/async/stream)",
     _generate_arguments, _run_generate, None),
    ("emulator", "serve an offline Vertex AI emulator on 127.0.0.1", _emulator_arguments,
     _run_emulator, None),
    ("test", "run the test blocks (offline by default) and report at file:line, JUnit XML",
     _test_arguments, _run_test, None),
    ("fmt", "format .vdsl/.baml files in one canonical layout (--check for CI)",
     _fmt_arguments, _run_fmt, None),
    ("init", "create a starter project: clients, a function, a test, CI workflow",
     _init_arguments, _run_init, None),
    ("batch", "run a function over many rows with Vertex AI batch prediction (typed results)",
     _batch_arguments, _run_batch, None),
    ("cache", "create, list, update and delete Gemini context caches for a function's prompt",
     _cache_arguments, _run_cache, _cache_epilog),
    ("tokens", "count a function's input tokens (Vertex's count endpoint, or an estimate)",
     _tokens_arguments, _run_tokens, _tokens_epilog),
    ("lsp", "run the language server for editors (LSP over stdio; needs vdsl[lsp])",
     _lsp_arguments, _run_lsp, None),
]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, with the terminal's width found as `shutil.get_terminal_size`
    finds it but without importing `shutil` (argparse makes a formatter for every option it
    adds: ~2 ms of every start)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _columns() - 2 if width is None else width)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser; for a known command only that command's parser is built (and only its
    options imported), for anything else every command's (`vdsl --help` lists them)."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="vdsl", description=_DESCRIPTION,
                                     formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"vdsl {__version__}")
    # prog given: argparse would otherwise format a usage line to find it
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="vdsl")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    chosen = [command for command in COMMANDS if command[0] == wanted] or COMMANDS
    for name, help_, arguments, runner, epilog in chosen:
        if callable(epilog):  # kept in the command's own module: imported only when chosen
            epilog = epilog() if wanted == name else None
        command = sub.add_parser(name, help=help_, description=help_[:1].upper() + help_[1:],
                                 epilog=epilog, formatter_class=_Formatter)
        if wanted == name:
            arguments(command)
        command.set_defaults(run=runner)
    return parser


def _unknown_command(argv: Sequence[str]) -> int | None:
    """`vdsl chek` → a did-you-mean among the registered commands (exit 2), else None."""
    word = next((a for a in argv if not a.startswith("-")), None)
    names = [name for name, *_ in COMMANDS]
    if word is None or word in names:
        return None
    import difflib
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.5)
    from .exits import error
    return error(f"unknown command `{word}`" + (f"; did you mean `{close[0]}`?" if close else "")
                 + " (commands: " + ", ".join(names) + "; `vdsl --help` explains them)", USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    unknown = _unknown_command(argv)
    if unknown is not None:
        return unknown
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return OK
    except Exception as error:
        if os.environ.get("VDSL_DEBUG"):
            raise
        print(f"vdsl: internal error: {type(error).__name__}: {error}\n"
              "This is a bug in vdsl; rerun with VDSL_DEBUG=1 for details and report it.",
              file=sys.stderr)
        return RUNTIME


if __name__ == "__main__":
    sys.exit(main())
