"""`vdsl test [PATH]`: run the test blocks, print what failed at file:line and a summary."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .runner import MAX_JOBS

if TYPE_CHECKING:
    from ..errors import CompileError
    from ..project import Project
    from .results import Report

__all__ = ["add_arguments", "run"]

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3

_EPILOG = """\
Each test block runs once per function it lists, through the real runtime (rendering, the
request, retries and fallbacks, parsing). A failed @@assert or @@check fails the test; a
failed field-level @check is reported and the test passes; a reply that does not fit the
return type, a provider error after every retry, or a stale cassette is an error.

Modes: --emulator replies from PATH/cassettes/<Test>.<Function>.json when recorded, else from
the project's emulator.yaml (offline; the default when no Google credentials are found);
--live calls Vertex AI; --record calls Vertex AI and writes each test's cassette (no secrets).
A cassette whose request no longer matches what vdsl sends (a changed prompt) is stale: the
test errors and says where the request changed.

Exit status: 0 every test passed (or was skipped); 1 a test failed, the project has errors,
or no test was selected; 2 usage (bad path, unknown function, no readable fixtures); 3 no
test failed but one errored. Examples:
  vdsl test samples/resume
  vdsl test src/llm --emulator --junit junit.xml --format github    # CI
  vdsl test src/llm -k 'Extract*::' -j 4 --live
  vdsl test src/llm --record -k ExtractJane                         # then commit cassettes/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("path", nargs="?", default=".", metavar="PATH",
                        help="a .vdsl/.baml file or a project folder (default: .)")
    parser.add_argument("-k", dest="patterns", action="append", default=[], metavar="PATTERN",
                        help="run only matching tests: `Fn::Test` with globs on either side "
                             "(as baml-cli -i), a glob over names, or a substring; repeatable")
    parser.add_argument("--function", dest="functions", action="append", default=[],
                        metavar="NAME", help="run only the tests of this function; repeatable")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--emulator", dest="mode", action="store_const", const="emulator",
                      help="offline: cassettes, else the project's emulator.yaml fixtures")
    mode.add_argument("--live", dest="mode", action="store_const", const="live",
                      help="call Vertex AI (cassettes are not used)")
    mode.add_argument("--record", dest="mode", action="store_const", const="record",
                      help="call Vertex AI and write each test's cassette")
    parser.add_argument("-j", "--jobs", type=int, default=10, metavar="N",
                        help=f"tests run at once (default 10, at most {MAX_JOBS})")
    parser.add_argument("--junit", type=Path, metavar="FILE",
                        help="also write JUnit XML (GitHub and GitLab test reporters read it)")
    parser.add_argument("--format", choices=("full", "concise", "json", "github"),
                        default="full",
                        help="full: failures with source excerpts and a summary table "
                             "(default); concise: one line each; json: the whole report; "
                             "github: workflow annotations at the test block")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first failure or error (the rest are skipped)")
    parser.add_argument("--fixtures", type=Path, metavar="FILE",
                        help="emulator replies (default: emulator.yaml in the project folder)")
    parser.add_argument("--cassettes", type=Path, metavar="DIR",
                        help="where cassettes are read and written (default: PATH/cassettes)")
    parser.add_argument("--list", action="store_true",
                        help="print the selected tests and exit")


def run(args: argparse.Namespace) -> int:
    from ..errors import CompileError
    from .plan import plan_cases

    if not 1 <= args.jobs <= MAX_JOBS:
        return _error(f"-j must be between 1 and {MAX_JOBS}", USAGE)
    try:
        project = _load(args.path)
    except CompileError as error:
        return _compile_errors(error)
    if _missing_functions(project):
        return FAILED
    unknown = _unknown_function(project, args.functions or ())
    if unknown:
        return _error(f"--function: {unknown}", USAGE)
    cases = plan_cases(project, patterns=args.patterns, functions=args.functions)
    if args.list:
        for case in cases:
            print(f"{case.id}\t{case.span}" + (f"\tskip: {case.skip}" if case.skip else ""))
        return OK
    if not cases:
        blocks = len(project.program.tests)
        return _error(f"no tests selected ({blocks} test block{'s' * (blocks != 1)} in "
                      f"{args.path})", FAILED)
    return _execute(project, args, len(cases))


def _execute(project: Project, args: argparse.Namespace, total: int) -> int:
    from ..emulator.fixtures import FixtureError
    from . import run_tests
    from .progress import Progress
    from .session import credentials_found

    mode, why = _mode(project, args.mode, credentials_found)
    replies = f" · {_replies(project, args)}" if mode == "emulator" else ""
    print(f"vdsl test: {total} test{'s' * (total != 1)} · {mode}{why}{replies} · "
          f"{min(args.jobs, total)} at a time", file=sys.stderr)
    progress = Progress(total)
    try:
        report = run_tests(project, mode=mode, patterns=args.patterns, functions=args.functions,
                           jobs=args.jobs, fail_fast=args.fail_fast, fixtures=args.fixtures,
                           cassettes=args.cassettes, on_result=progress)
    except FixtureError as error:
        return _error(f"fixtures: {error}", USAGE)
    except OSError as error:  # the fixtures file named cannot be read
        return _error(f"fixtures: cannot read {error.filename}: {error.strerror}", USAGE)
    finally:
        progress.finish()
    _print(report, project, args.format)
    if args.junit is not None and not _write_junit(report, args.junit):
        return RUNTIME
    return report.exit_code


def _replies(project: Project, args: argparse.Namespace) -> str:
    """Where the emulator's replies come from: recorded cassettes first, then fixtures (or an
    echo of the prompt, which a typed function cannot parse: say so before it fails)."""
    from ..emulator.session import describe_fixtures, project_fixture_files
    root = Path(project.root or args.path)
    cassettes = Path(args.cassettes) if args.cassettes else (
        root if root.is_dir() else root.parent) / "cassettes"
    files = [Path(args.fixtures)] if args.fixtures else project_fixture_files(root)
    recorded = f"cassettes in {cassettes}, else " if cassettes.is_dir() else ""
    return recorded + describe_fixtures(files)


def _mode(project: Project, chosen: str | None,
          found: Callable[[Project, Mapping[str, str]], str | None]) -> tuple[str, str]:
    if chosen is not None:
        return chosen, ""
    source = found(project, os.environ)
    if source is None:
        return "emulator", (" (no Google credentials found; --live calls Vertex AI, --record "
                            "records cassettes)")
    return "live", f" (using {source}; --emulator runs offline)"


def _print(report: Report, project: Project, fmt: str) -> None:
    from ..diagnostics import render, render_github
    from .report import render_json, render_markdown, render_summary

    if fmt == "json":
        print(render_json(report))
        return
    diagnostics = report.diagnostics()
    if fmt == "github":
        if diagnostics:
            print(render_github(diagnostics))
        _step_summary(render_markdown(report))
    elif diagnostics:
        print(render(diagnostics, fmt, project.sources) + "\n")
    print(render_summary(report))


def _step_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        pass  # the summary page is a nicety; the annotations and exit code carry the result


def _write_junit(report: Report, path: Path) -> bool:
    from .junit import render_junit
    try:
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_junit(report), encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {path}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _load(path: str) -> Project:
    from .. import compiler
    return compiler.load(path)


def _compile_errors(error: CompileError) -> int:
    from ..cli import _sources_for
    from ..diagnostics import render
    diagnostics = error.diagnostics
    if any(d.code == "invalid-path" for d in diagnostics):
        from ..exits import compile_failed
        return compile_failed(error)
    print(render(diagnostics, "full", _sources_for(diagnostics)), file=sys.stderr)
    return FAILED


def _missing_functions(project: Project) -> bool:
    """A test naming a function that does not exist: `vdsl check` warns (BAML skips it), but
    a test run cannot run it, so here it is an error at the name."""
    import dataclasses

    from ..cli import _sources_for
    from ..diagnostics import Severity, render
    missing = [dataclasses.replace(d, severity=Severity.ERROR,
                                   message=d.message.split(";", 1)[0])
               for d in project.diagnostics if d.code == "unknown-function"]
    if missing:
        print(render(missing, "full", _sources_for(missing)), file=sys.stderr)
    return bool(missing)


def _unknown_function(project: Project, names: Sequence[str]) -> str | None:
    """The first of `names` that is not a function, said as every command says it."""
    from ..errors import InvalidArgumentError
    from ..render.prompt import find_function
    for name in names:
        try:
            find_function(project, name)
        except InvalidArgumentError as exc:
            return str(exc)
    return None


def _error(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
