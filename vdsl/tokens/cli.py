"""`vdsl tokens`: how many input tokens a function's prompt takes, before sending it.

    vdsl tokens PATH FUNCTION --args JSON | --test NAME [--client NAME] [--format json]

Exit codes: 0 the prompt fits, 1 compile errors or a prompt over the client's
`max_input_tokens` or the model's context window, 2 usage, 3 a Vertex or configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import CompileError, InvalidArgumentError, VdslError

__all__ = ["EPILOG", "add_arguments", "run"]

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3

EPILOG = """\
Gemini and Claude prompts are counted by Vertex (countTokens, count-tokens:rawPredict), which
needs credentials as a call does (or --emulator); Llama, DeepSeek, Mistral and Jamba have no
count endpoint and get vdsl's local estimate ("method": "estimate"). The count covers the
whole prompt, a context cache's part included.

Exit status: 0 the prompt fits, 1 compile errors or the prompt is over the client's
max_input_tokens or the model's context window, 2 usage, 3 a Vertex or configuration error.
Examples:
  vdsl tokens src/llm Summarize --test LongReport
  vdsl tokens src/llm Summarize --args @report.json --format json   # {"input_tokens": …}
  vdsl tokens samples/resume ExtractResume --test ExtractJane --emulator"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", metavar="FUNCTION", help="the function whose prompt to count")
    parser.add_argument("--args", metavar="JSON",
                        help="arguments as a JSON object, or @FILE to read them from a file")
    parser.add_argument("--test", metavar="NAME", help="take the arguments from a test block")
    parser.add_argument("--client", metavar="NAME",
                        help="count for this client (default: the function's; a fallback or "
                             "round-robin: its first member)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: one line; json: {input_tokens, method, client, model, "
                             "context_window, max_input_tokens, fits}")
    parser.add_argument("--emulator", action="store_true",
                        help="count with the built-in Vertex emulator (offline)")
    parser.add_argument("--fixtures", metavar="FILE",
                        help="with --emulator: canned replies (default: the project's "
                             "emulator.yaml)")


def run(args: argparse.Namespace) -> int:
    import vdsl

    from ..emulator.fixtures import FixtureError
    from ..render.cli import UsageError, call_arguments
    from ..runtime import Runtime
    from ..runtime.cli import emulator_endpoint
    try:
        project = vdsl.load(args.path)
        call_args, base = call_arguments(project, args)
    except CompileError as error:
        from ..exits import compile_failed
        return compile_failed(error)
    except UsageError as error:
        return _error(str(error), USAGE)
    try:
        with emulator_endpoint(args) as endpoint, \
                Runtime(project, endpoint=endpoint, base_dir=base) as runtime:
            count = runtime.count_tokens(args.function, call_args, client=args.client)
    except InvalidArgumentError as error:
        return _error(str(error), USAGE)
    except (VdslError, FixtureError) as error:
        return _error(str(error), RUNTIME)
    if args.format == "json":
        print(json.dumps(count.to_dict(), indent=2))
    else:
        how = "counted by Vertex" if count.method == "endpoint" else "vdsl's estimate"
        window = f" · context window {count.context_window:,}" if count.context_window else ""
        budget = f" · max_input_tokens {count.max_input_tokens:,}" \
            if count.max_input_tokens else ""
        print(f"{count.input_tokens} input tokens · {count.model} (client {count.client}) · "
              f"{how}{window}{budget}")
    for problem in count.problems:
        print(f"error: {count.input_tokens} input tokens: {problem}", file=sys.stderr)
    return FAILED if count.problems else OK


def _error(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
