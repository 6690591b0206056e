"""`vdsl generate [PATH] [--out DIR] [--check]`: write (or check) the typed client package."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]

_EPILOG = """\
Generator blocks (`generator python { output_type "python/pydantic" output_dir "../"
version "0.1.0" default_client_mode sync }`) say where the package goes, relative to the file
that holds them; without one, it goes to --out or the current directory.
Exit status: 0 written (or up to date); 1 compile errors, a project that cannot be
generated, or with --check a stale package; 2 usage (a bad path or option); 3 a file could
not be written.
Examples:
  vdsl generate samples/resume                 # → per the generator block
  vdsl generate src/llm --out src              # → src/vdsl_client/
  vdsl generate src/llm --out src --check      # CI: exit 1 if src/vdsl_client is stale"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("path", nargs="?", default=".", metavar="PATH",
                        help="a .vdsl/.baml file or a project directory (default: .)")
    parser.add_argument("--out", metavar="DIR",
                        help="directory to create the package in (overrides output_dir)")
    parser.add_argument("--package", metavar="NAME",
                        help="package name (default: vdsl_client)")
    parser.add_argument("--mode", choices=("sync", "async"),
                        help="which client `b` is (overrides default_client_mode)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the files on disk differ from what "
                             "would be generated, listing them")


def run(args: argparse.Namespace) -> int:
    from .. import compiler
    from ..cli import DIAGNOSTICS, OK, RUNTIME, USAGE, _sources_for
    from ..diagnostics import render
    from ..errors import CompileError
    from ..exits import PATH_CODES, compile_failed
    from ..exits import error as print_error
    from .names import identifier
    from .output import GenerateError, check_files, targets, write_files
    from .python import generate

    if args.package is not None and identifier(args.package) != args.package:
        return print_error(f"--package {args.package!r} is not a Python identifier", USAGE)
    try:
        project = compiler.load(args.path)
    except CompileError as error:
        diagnostics = error.diagnostics
        if any(d.code in PATH_CODES for d in diagnostics):
            return compile_failed(error)
        print(render(diagnostics, "full", _sources_for(diagnostics)), file=sys.stderr)
        return DIAGNOSTICS
    try:
        found = targets(project, out=args.out, package=args.package, mode=args.mode)
    except GenerateError as failure:
        return print_error(str(failure), DIAGNOSTICS)
    status = OK
    for target in found:
        files = generate(project, target.options, parallel=True)
        if args.check:
            problems = check_files(target.directory, files)
            for problem in problems:
                print(problem)
            if problems:
                print(f"{target.directory} is out of date: run `vdsl generate`",
                      file=sys.stderr)
                status = DIAGNOSTICS
            continue
        try:
            touched = write_files(target.directory, files)
        except OSError as failure:  # a read-only or missing place: say where, not a traceback
            reason = (failure.strerror or str(failure)).lower()
            return print_error(f"cannot write {failure.filename or target.directory}: {reason}",
                               RUNTIME)
        print(f"Generated {target.directory} ({len(files)} files, {len(touched)} changed)",
              file=sys.stderr)
    return status
