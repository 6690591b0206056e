"""`vdsl lsp`: run the language server on stdin/stdout (needs the `vdsl[lsp]` extra)."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]

_EPILOG = """\
Editors start it themselves; point yours at the command `vdsl lsp` for .vdsl and .baml files
(docs/editors.md: VS Code, Neovim, Helix). It speaks the Language Server Protocol over stdio:
live diagnostics for the whole project a file belongs to, hover, go to definition, find
references, completion, quick fixes, formatting (with `vdsl fmt`) and the custom request
`vdsl/renderPrompt` (rendered messages and the request, offline).
Needs the extra: pip install 'vdsl[lsp]'.
Exit status: 0 after the editor's shutdown/exit, 2 when the extra is not installed.
Examples (what an editor runs):
  vdsl lsp
  vdsl lsp --log-file /tmp/vdsl-lsp.log     # when something looks wrong"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("--stdio", action="store_true",
                        help="talk over stdin/stdout (the default and only transport; accepted "
                             "because some editors pass it)")
    parser.add_argument("--log-file", metavar="FILE",
                        help="write the server's log here (default: none; stdout carries the "
                             "protocol, so nothing else is printed there)")


def run(args: argparse.Namespace) -> int:
    from ..cli import OK, USAGE

    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as error:
        print(f"vdsl lsp needs the language-server extra ({error}): pip install 'vdsl[lsp]'",
              file=sys.stderr)
        return USAGE
    if args.log_file:
        import logging
        logging.basicConfig(filename=args.log_file, level=logging.INFO,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from .server import build_server

    build_server().start_io()
    return OK
