"""`vdsl render`: print a function's rendered messages, or keep prompt snapshots for CI.

    vdsl render PATH FUNCTION --args '{"text": "hi"}' [--client NAME] [--format text|json]
    vdsl render PATH FUNCTION --test NAME
    vdsl render PATH FUNCTION --args … --request|--curl [--stream] [--show-secrets]
    vdsl render PATH --snapshots DIR [--check]

Exit codes: 0 ok, 1 compile errors or snapshot mismatch, 2 usage (bad arguments, unknown
function or client), 3 render/runtime failure. Errors go to stderr as `error: …`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import CompileError, InvalidArgumentError, MediaError, RenderError, VdslError
from ..exits import compile_failed, error, json_errors
from ..ir import FunctionDecl
from ..project import Project
from .prompt import find_function, render_prompt
from .snapshots import check_snapshots, format_prompt, test_arguments, write_snapshots

__all__ = ["add_arguments", "run"]

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3


_EPILOG = """\
Renders exactly what the model would receive, without calling it (no credentials needed).
Exit status: 0 ok; 1 compile errors, or with --snapshots --check a changed snapshot; 2 usage
(a bad path, function, client or argument); 3 the template or a media file failed.
Examples:
  vdsl render samples/resume ExtractResume --test ExtractJane
  vdsl render src/llm Classify --args '{"text": "refund please"}' --format json
  vdsl render src/llm Classify --args @args.json --curl     # the HTTP request, as curl
  vdsl render src/llm --snapshots prompts/ --check          # CI: exit 1 on a changed prompt"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", nargs="?", metavar="FUNCTION", help="the function to render")
    parser.add_argument("--args", metavar="JSON",
                        help="arguments as a JSON object, or @FILE to read them from a file")
    parser.add_argument("--test", metavar="NAME", help="take the arguments from a test block")
    parser.add_argument("--client", metavar="NAME", help="render for this client instead")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default): a `── role ──` header per message, then its text "
                             "and media placeholders; json, for tools: {\"messages\": "
                             "[{\"role\", \"parts\", \"metadata\"}], \"system\": the "
                             "index of the system message or null}")
    parser.add_argument("--snapshots", metavar="DIR", type=Path,
                        help="render every test block into DIR, one file per test and function")
    parser.add_argument("--check", action="store_true",
                        help="with --snapshots: compare instead of writing; exit 1 on a change")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--request", action="store_true",
                       help="print the exact HTTP request as JSON {method, url, headers, body} "
                            "(secrets and values from env. <redacted>; needs no credentials "
                            "and no network)")
    shown.add_argument("--curl", action="store_true",
                       help="print the request as a curl command (secrets and values from env. "
                            "as $VARIABLES)")
    parser.add_argument("--stream", action="store_true",
                        help="with --request/--curl: the streaming request")
    parser.add_argument("--show-secrets", action="store_true",
                        help="with --request/--curl: print the API key and the header and query "
                             "values read from env. as they are (hidden by default)")


def run(args: argparse.Namespace) -> int:
    with json_errors(args.format == "json"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        project = _load(args.path)
    except CompileError as exc:
        return compile_failed(exc)
    except (OSError, VdslError) as exc:
        return _error(str(exc), USAGE)
    if args.snapshots is not None:
        return _snapshots(project, args)
    if args.check:
        return _error("--check needs --snapshots DIR", USAGE)
    if not args.function:
        return _error("give a FUNCTION to render, or --snapshots DIR", USAGE)
    try:
        call_args, base = call_arguments(project, args)
        project = project_for_args(project, args)
        if args.request or args.curl:
            return _print_request(project, args, call_args, base)
        prompt = render_prompt(project, args.function, call_args, client=args.client,
                               base_dir=base)
    except UsageError as exc:
        return _error(str(exc), USAGE)
    except InvalidArgumentError as exc:
        return _error(str(exc), USAGE, exc)
    except (RenderError, MediaError, VdslError) as exc:
        return _error(str(exc), RUNTIME, exc)
    if args.format == "json":
        print(json.dumps(prompt.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_prompt(prompt), end="")
    return OK


class UsageError(Exception):
    """A command-line mistake: printed as `error: …`, exit 2."""


def _print_request(project: Project, args: argparse.Namespace, call_args: dict[str, Any],
                   base: Path | None) -> int:
    from ..runtime import Runtime
    runtime = Runtime(project, base_dir=base)
    request = runtime.build_request(args.function, call_args, stream=args.stream,
                                    client=args.client)
    reveal = args.show_secrets
    if args.curl:
        print(request.curl(reveal=reveal))
    else:
        shown = request.revealed() if reveal else request.redacted()
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    return OK


def _load(path: str) -> Project:
    import vdsl
    return vdsl.load(path)  # type: ignore[attr-defined, no-any-return]


def project_for_args(project: Project, args: argparse.Namespace) -> Project:
    """With `--test`, the project as that test sees it: its `type_builder { … }` applied."""
    if not args.test:
        return project
    from ..typebuilder import project_for_test
    return project_for_test(project, project.test(args.test, getattr(args, "function", None)))


def call_arguments(project: Project, args: argparse.Namespace) -> tuple[dict[str, Any],
                                                                         Path | None]:
    if args.test and args.args:
        raise UsageError("use either --args or --test, not both")
    if args.test:
        if getattr(args, "function", None):
            try:  # named before the test on the command line: a wrong one is said first
                find_function(project, args.function)
            except InvalidArgumentError as exc:
                raise UsageError(str(exc)) from None
        try:
            test = project.test(args.test, getattr(args, "function", None))
        except KeyError:
            names = ", ".join(t.name for t in project.program.tests) or "none"
            raise UsageError(f"unknown test `{args.test}` (tests: {names})") from None
        fn = project.find(getattr(args, "function", None) or "")
        return test_arguments(test, fn if isinstance(fn, FunctionDecl) else None)
    text = args.args or "{}"
    base = None
    if text.startswith("@"):
        file = Path(text[1:])
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read --args file {file}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read --args file {file}: not UTF-8 text (byte "
                             f"{exc.object[exc.start]:#04x} at offset {exc.start})") from None
        base = file.parent
    value = _json_arguments(text)
    if not isinstance(value, dict):
        raise UsageError("--args must be a JSON object of parameter names to values")
    return value, base or Path.cwd()


def _json_arguments(text: str) -> Any:
    """`--args` read as JSON; any problem (syntax, nesting past what the decoder takes, a
    number too long to convert) is a UsageError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--args is not valid JSON: {exc.msg} at line {exc.lineno} column "
                         f"{exc.colno}") from None
    except RecursionError:
        raise UsageError("--args is nested too deeply to read") from None
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise UsageError(f"--args holds a number too long to read: "
                         f"{str(exc).split(';')[0]}") from None


def _snapshots(project: Project, args: argparse.Namespace) -> int:
    directory: Path = args.snapshots
    if args.check:
        result = check_snapshots(project, directory)
        for diff in result.diffs:
            sys.stdout.write(diff)
    else:
        result = write_snapshots(project, directory)
        for name in result.written:
            print(f"wrote {directory / name}")
    for message in result.errors:
        print(f"error: {message}", file=sys.stderr)
    if result.errors:
        return RUNTIME
    if result.diffs:
        print(f"error: {len(result.diffs)} prompt snapshot(s) changed; run "
              f"`vdsl render {args.path} --snapshots {directory}` and review", file=sys.stderr)
        return FAILED
    return OK


def _error(message: str, code: int, exc: BaseException | None = None) -> int:
    return error(message, code, exc=exc)
