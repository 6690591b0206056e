"""`vdsl parse`: read a saved model reply as a function's return type.

    vdsl parse PATH FUNCTION --text FILE [--partial]

Prints `{"ok": true, "value": …}` on stdout, or `{"ok": false, "error": "…", "span": [start,
end] | null, "excerpt": "…"}` — the reply around the place the parser gave up, marked with
`^`, which also goes to stderr. Exit codes: 0 parsed, 1 the reply did not fit (or the project
does not compile), 2 usage (unknown function, unreadable file). `--text -` reads the reply
from stdin.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import CompileError, OutputParseError, ValidationError, VdslError
from ..exits import bad_path, compile_failed, error, os_reason
from ..project import Project

__all__ = ["add_arguments", "run"]

OK, FAILED, USAGE = 0, 1, 2


_EPILOG = """\
Prints {"ok": true, "value": …} when the reply fits the function's return type, else
{"ok": false, "error": …} (docs/parsing.md has the rules).
Exit status: 0 parsed; 1 the reply does not fit (or compile errors); 2 usage (a bad path,
function or --text file).
Examples:
  vdsl parse samples/support_tickets ClassifyTicket --text reply.txt
  cat partial.txt | vdsl parse src/llm ExtractResume --text - --partial"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", metavar="FUNCTION", help="the function whose return type the reply is for")
    parser.add_argument("--text", metavar="FILE", required=True,
                        help="the model's reply, as a file (`-` for stdin)")
    parser.add_argument("--partial", action="store_true",
                        help="the text is a prefix of a streamed reply: print the partial value "
                             "(the shape a stream gives: fields not seen yet null, lists [])")


def run(args: argparse.Namespace) -> int:
    try:
        project = _load(args.path)
    except CompileError as exc:
        return compile_failed(exc)
    except (OSError, VdslError) as exc:
        return _usage(str(exc))
    missing = _unknown_function(project, args.function)
    if missing:
        return _usage(missing)
    try:
        text = _read(args.text)
    except OSError as exc:
        return bad_path(args.text, os_reason(exc), "--text")
    except UnicodeDecodeError as exc:
        return bad_path(args.text, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                                   f"offset {exc.start})", "--text")
    from . import parse_output, to_plain
    try:
        value = parse_output(project, args.function, text, partial=args.partial)
    except OutputParseError as exc:
        print(json.dumps({"ok": False, "error": exc.summary,
                          "span": list(exc.span) if exc.span else None,
                          "excerpt": exc.excerpt}, ensure_ascii=False))
        print(str(exc), file=sys.stderr)
        return FAILED
    except ValidationError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
        return FAILED
    print(json.dumps({"ok": True, "value": to_plain(value)}, ensure_ascii=False, indent=2))
    return OK


def _load(path: str) -> Project:
    import vdsl
    return vdsl.load(path)


def _unknown_function(project: Project, name: str) -> str | None:
    """Why `name` cannot be parsed for (an unknown function, with a did-you-mean, as `vdsl
    run` says it; or one without a return type), else None."""
    from ..errors import InvalidArgumentError
    from ..render.prompt import find_function
    try:
        function = find_function(project, name)
    except InvalidArgumentError as exc:
        return str(exc)
    return None if function.return_type is not None else f"`{name}` has no return type"


def _read(name: str) -> str:
    if name == "-":
        raw = getattr(sys.stdin, "buffer", None)  # a text stream without bytes is text already
        return raw.read().decode("utf-8") if raw is not None else sys.stdin.read()
    return Path(name).read_bytes().decode("utf-8")


def _usage(message: str) -> int:
    return error(message, USAGE)
