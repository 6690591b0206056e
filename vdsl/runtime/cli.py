"""`vdsl run`: call a function and print its result (streams print as they arrive).

    vdsl run PATH FUNCTION --args '{"text": "hi"}' [--client NAME] [--stream] [--format json]
    vdsl run PATH FUNCTION --test NAME --emulator     # offline, against the built-in emulator

Exit codes: 0 ok, 1 compile errors (or, with --test, a failed @@check/@@assert), 2 usage (bad arguments, unknown function), 3 the call
failed (Vertex error, credentials, timeout, unparseable reply). Errors are one `error: …`
block on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..emulator.fixtures import FixtureError
from ..errors import CompileError, InvalidArgumentError, VdslError
from ..exits import bad_path, compile_failed, json_errors
from ..exits import error as print_error
from ..project import Project
from .result import Result

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", metavar="FUNCTION", help="the function to call")
    parser.add_argument("--args", metavar="JSON",
                        help="arguments as a JSON object, or @FILE to read them from a file")
    parser.add_argument("--test", metavar="NAME", help="take the arguments from a test block")
    parser.add_argument("--client", metavar="NAME", help="call with this client instead")
    parser.add_argument("--stream", action="store_true", help="print the reply as it arrives")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: the value, then usage on stderr; json: one object with the "
                             "value, finish reason, usage, client and model")
    parser.add_argument("--emulator", action="store_true",
                        help="start the built-in Vertex emulator for this call (offline; replies "
                             "come from the project's emulator.yaml, or an echo); media URLs "
                             "on loopback (127.0.0.1) may then be downloaded")
    parser.add_argument("--fixtures", metavar="FILE", type=Path,
                        help="with --emulator: canned replies (default: emulator.yaml in the "
                             "project folder, if there is one)")


def run(args: argparse.Namespace) -> int:
    with json_errors(args.format == "json"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import vdsl

    from ..render.cli import UsageError, call_arguments, project_for_args
    try:
        project = vdsl.load(args.path)
        call_args, base = call_arguments(project, args)
        project = project_for_args(project, args)
    except CompileError as error:
        return compile_failed(error)
    except UsageError as error:
        return _error(str(error), USAGE)
    if args.fixtures is not None and not args.fixtures.is_file():
        return bad_path(args.fixtures, "no such file", "--fixtures")
    try:
        with emulator_endpoint(args) as endpoint:
            return _call(project, args, call_args, base, endpoint)
    except FixtureError as error:
        return _error(str(error), USAGE, error)
    except InvalidArgumentError as error:
        return _error(str(error), USAGE, error)
    except VdslError as error:
        return _error(str(error), RUNTIME, error)


@contextmanager
def emulator_endpoint(args: argparse.Namespace) -> Iterator[str | None]:
    """The emulator's URL for `--emulator` (the project session: fixtures, kept state), else
    None (real Vertex)."""
    if not args.emulator:
        yield None
        return
    from ..emulator.session import describe_fixtures, project_emulator, project_fixture_files
    if args.fixtures is None and not project_fixture_files(args.path):
        print(f"# emulator: {describe_fixtures([])}", file=sys.stderr)
    with project_emulator(args.path, args.fixtures) as emu:
        yield emu.url


def _call(project: Project, args: argparse.Namespace, call_args: dict[str, Any],
          base: Path | None, endpoint: str | None) -> int:
    from .netpolicy import MediaPolicy
    from .runtime import Runtime
    # With the emulator everything is local: media served from this machine may be fetched.
    media = MediaPolicy.from_env().allowing("loopback") if args.emulator else None
    with Runtime(project, endpoint=endpoint, base_dir=base, media=media) as runtime:
        if args.stream:
            stream = runtime.stream(args.function, call_args, client=args.client)
            for event in stream:
                if args.format == "text" and event.delta:
                    sys.stdout.write(event.delta)
                    sys.stdout.flush()
            result = stream.result()
            if args.format == "text":
                sys.stdout.write("\n")
        else:
            result = runtime.complete(args.function, call_args, client=args.client)
    _print(result, args.format, printed=args.stream)
    return _test_verdict(project, args, call_args, result) if args.test else OK


def _test_verdict(project: Project, args: argparse.Namespace, call_args: dict[str, Any],
                  result: Result) -> int:
    """With `--test`, the test block's `@@check`/`@@assert` judge the result (exit 1 when
    one fails or cannot be evaluated), as `vdsl test` judges it."""
    from ..testing.constraints import evaluate_test

    test = project.test(args.test, args.function)
    latency = result.attempts[-1].latency_ms if result.attempts else 0.0
    verdict = evaluate_test(test, result.value, call_args, latency)
    for outcome in verdict.outcomes:
        state = "error" if outcome.error else "passed" if outcome.passed else "failed"
        print(f"# {outcome.label}: {state}" + (f" ({outcome.error})" if outcome.error else ""),
              file=sys.stderr)
    return FAILED if verdict.failed or verdict.broken else OK


def _print(result: Result, fmt: str, printed: bool) -> None:
    if fmt == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    data = result.to_dict()
    if not printed or not _is_the_text(result):
        value = data["value"]
        print(value if isinstance(value, str) else json.dumps(value, indent=2,
                                                               ensure_ascii=False))
    usage = result.usage.to_dict() if result.usage else {}
    tokens = " · ".join(f"{k.replace('_tokens', '')} {v}" for k, v in usage.items())
    cost = f" · ~${result.cost:.6f}" if result.cost is not None else ""
    print(f"# {result.client} ({result.model}) · finish {result.finish_reason}"
          + (f" · tokens: {tokens}" if tokens else "") + cost, file=sys.stderr)
    if result.grounding is not None:
        sources = ", ".join(f"{s.title or s.uri}" for s in result.grounding.sources[:5])
        print(f"# grounded in {len(result.grounding.sources)} source(s)"
              + (f": {sources}" if sources else ""), file=sys.stderr)


def _is_the_text(result: Result) -> bool:
    """A `string` reply streamed is its own value; anything else (an enum, a class, a number)
    is printed after the streamed text, as the typed value."""
    return type(result.value) is str and result.value.strip() == result.text.strip()


def _error(message: str, code: int, exc: BaseException | None = None) -> int:
    return print_error(message, code, exc=exc)
