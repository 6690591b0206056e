"""`vdsl cache`: Gemini context caches for a project's prompts.

    vdsl cache create PATH FUNCTION --args JSON | --test NAME [--ttl 2h | --expire-time T]
    vdsl cache list   PATH [--client NAME]
    vdsl cache get    PATH NAME
    vdsl cache update PATH NAME --ttl 2h | --expire-time T
    vdsl cache delete PATH NAME

Every subcommand takes `--client`, `--emulator` (`--fixtures`) and `--format text|json`.
Exit codes: 0 ok, 1 compile errors, 2 usage (bad arguments, a TTL out of range, an unknown
function), 3 Vertex or configuration errors (a model without caching, credentials, 404).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import CompileError, InvalidArgumentError, VdslError

__all__ = ["EPILOG", "add_arguments", "run"]

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3

EPILOG = """\
A context cache holds the static leading part of a prompt (system instruction, documents,
media) in Vertex for a while, so calls send only the rest and pay the cached rate for the
part they reuse. The cache ends at the last part written under a role marked `cache_control`
(`{{ _.role("user", cache_control={"type": "ephemeral"}) }}`, with
`allowed_role_metadata ["cache_control"]`), or before the last message. A client reads it with
`cached_content NAME` (or `cached_content env.VAR`); vdsl checks at each call that the cache
still holds what the prompt would put there.

Exit status: 0 ok, 1 compile errors, 2 usage (bad arguments, a TTL under a minute), 3 a
Vertex or configuration error (a model without caching, too few tokens to cache, a 404).
Examples:
  vdsl cache create src/llm AnswerFromManual --test Pump --ttl 2h     # prints the name
  vdsl cache list src/llm --format json
  vdsl cache update src/llm 1234567890 --ttl 30m
  vdsl cache delete src/llm projects/p/locations/us-central1/cachedContents/1234567890
  vdsl cache create samples/manual AnswerFromManual --test PrimingQuestion \\
      --client CachedFlash --emulator                                 # offline"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = _action(sub, "create", "cache the leading part of a function's prompt; prints "
                                    "the cache's name")
    create.add_argument("function", metavar="FUNCTION", help="the function whose prompt to cache")
    create.add_argument("--args", metavar="JSON",
                        help="arguments as a JSON object, or @FILE to read them from a file")
    create.add_argument("--test", metavar="NAME", help="take the arguments from a test block")
    _expiry(create)
    _action(sub, "list", "list the unexpired caches in the client's project and location")
    for name, what in (("get", "show one cache"), ("delete", "delete a cache")):
        _action(sub, name, what).add_argument("name", metavar="NAME",
                                              help="the cache's name or ID")
    update = _action(sub, "update", "give a cache a new expiry")
    update.add_argument("name", metavar="NAME", help="the cache's name or ID")
    _expiry(update)


def _action(sub: Any, name: str, help_: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_,
                                                     epilog=EPILOG, formatter_class=argparse
                                                     .RawDescriptionHelpFormatter)
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("--client", metavar="NAME",
                        help="the client whose model, project, location and credentials to use "
                             "(default: " + ("the function's client)" if name == "create" else
                                            "the first client in the project that can cache)"))
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: names and a summary; json: the caches as objects")
    parser.add_argument("--emulator", action="store_true",
                        help="use the built-in Vertex emulator (offline); its caches persist "
                             "between commands ($VDSL_EMULATOR_STATE or the cache folder)")
    parser.add_argument("--fixtures", metavar="FILE",
                        help="with --emulator: canned replies (default: the project's "
                             "emulator.yaml)")
    return parser


def _expiry(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--ttl", metavar="DURATION",
                       help="how long to keep it: 90m, 2h, 1d, 1h30m or 3600s (at least a "
                            "minute; default one hour)")
    group.add_argument("--expire-time", metavar="RFC3339",
                       help="when it expires, e.g. 2030-01-31T12:00:00Z")


def run(args: argparse.Namespace) -> int:
    import vdsl

    from ..emulator.fixtures import FixtureError
    from ..render.cli import UsageError, call_arguments
    from ..runtime import Runtime
    from ..runtime.cli import emulator_endpoint
    try:
        project = vdsl.load(args.path)
        call = call_arguments(project, args) if args.action == "create" else ({}, None)
        _check_times(args)  # a bad duration is a usage error before any credentials are asked
    except CompileError as error:
        from ..exits import compile_failed
        return compile_failed(error)
    except (UsageError, InvalidArgumentError) as error:
        return _error(str(error), USAGE)
    try:
        with emulator_endpoint(args) as endpoint, \
                Runtime(project, endpoint=endpoint, base_dir=call[1]) as runtime:
            return _act(runtime, args, call[0])
    except InvalidArgumentError as error:
        return _error(str(error), USAGE)
    except (VdslError, FixtureError) as error:
        return _error(str(error), RUNTIME)


def _check_times(args: argparse.Namespace) -> None:
    from .model import parse_expire_time, parse_ttl
    if getattr(args, "ttl", None) is not None:
        parse_ttl(args.ttl)
    if getattr(args, "expire_time", None) is not None:
        parse_expire_time(args.expire_time)


def _act(runtime: Any, args: argparse.Namespace, call_args: dict[str, Any]) -> int:
    action = args.action
    if action == "create":
        cache = runtime.create_cache(args.function, call_args, client=args.client,
                                     ttl=args.ttl, expire_time=args.expire_time)
        return _show([cache], args.format, single=True)
    if action == "list":
        return _show(runtime.list_caches(client=args.client), args.format, single=False)
    if action == "get":
        return _show([runtime.get_cache(args.name, client=args.client)], args.format, True)
    if action == "update":
        cache = runtime.update_cache(args.name, ttl=args.ttl, expire_time=args.expire_time,
                                     client=args.client)
        return _show([cache], args.format, single=True)
    name = runtime.delete_cache(args.name, client=args.client)
    print(json.dumps({"deleted": name}) if args.format == "json" else f"deleted {name}")
    return OK


def _show(caches: list[Any], fmt: str, single: bool) -> int:
    if fmt == "json":
        data = caches[0].to_dict() if single else {"caches": [c.to_dict() for c in caches]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return OK
    if single:
        cache = caches[0]
        print(cache.name)
        print(f"# {cache.model.rsplit('/', 1)[-1]} · {cache.total_tokens} cached tokens · "
              f"expires {cache.expire_time}"
              + (f" · made from {cache.function}" if cache.function else ""), file=sys.stderr)
        return OK
    for cache in caches:
        print("\t".join((cache.name, cache.model.rsplit("/", 1)[-1], cache.expire_time,
                         f"{cache.total_tokens} tokens", cache.function or "-")))
    if not caches:
        print("no context caches", file=sys.stderr)
    return OK


def _error(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
