"""`vdsl emulator`: run the loopback Vertex AI until interrupted.

Prints the base URL and the `export VDSL_VERTEX_ENDPOINT=…` line, then serves until SIGINT
or SIGTERM and exits 0. By default any caller is accepted (offline users have no service
account); `--strict-auth` checks credentials like Google. Binding anything but loopback
requires `--strict-auth` and prints a warning; the Host header is checked either way.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from .fixtures import FixtureError
from .hosts import is_loopback_bind
from .inprocess import Emulator
from .orgpolicy import OrgPolicy
from .requestlog import LoggedRequest

__all__ = ["DEFAULT_PORT", "add_arguments", "run"]

DEFAULT_PORT = 8790


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `vdsl emulator` (also used by `python -m vdsl.emulator`)."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default 127.0.0.1). Anything but loopback "
                             "(e.g. 0.0.0.0 in a container) exposes the emulator and its request "
                             "log to the network: it needs --strict-auth")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT})")
    parser.add_argument("--fixtures", metavar="FILE",
                        help="JSON or YAML file of canned replies (see docs/emulator.md)")
    parser.add_argument("--strict-auth", action="store_true",
                        help="require tokens issued by the emulator (default: accept any)")
    parser.add_argument("--token-lifetime", type=int, default=3600, metavar="SECONDS",
                        help="lifetime of issued access tokens (default 3600)")
    parser.add_argument("--check-regions", action="store_true",
                        help="404 models asked for outside their catalog regions")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests whose Host header is NAME (IP addresses and "
                             "localhost always are), e.g. a docker-compose service name; "
                             "repeatable")
    parser.add_argument("--deny-global-endpoint", action="store_true",
                        help="act as a project under the org policy "
                             "constraints/gcp.restrictEndpointUsage: 403 for `global`")
    parser.add_argument("--allowed-location", action="append", metavar="LOC",
                        help="act as a project under constraints/gcp.resourceLocations: "
                             "resources (cached contents) only in LOC (repeatable; globs)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print no line per request (by default each request is logged: "
                             "time, method, path, status, milliseconds; never a secret)")
    parser.epilog = _EPILOG


_EPILOG = """Each request prints one line on stdout, e.g.
  12:04:31 POST /v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent 200 3 ms
Exit status: 0 after a clean stop (Ctrl+C or SIGTERM); 2 for bad options, a port in use, or
a fixtures file that is missing or not valid (an unknown key, bad YAML/JSON).
Examples:
  vdsl emulator                                   # http://127.0.0.1:8790
  vdsl emulator --port 0 --fixtures replies.yaml  # a free port, canned replies
  vdsl emulator --strict-auth --quiet
  vdsl emulator --host 0.0.0.0 --strict-auth --allow-host emulator   # in a container"""


def _port(text: str) -> int:
    """A TCP port (0: any free one); anything else is a usage error, not a crash in bind()."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535; 0 picks a free one)")
    return port


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM. Exit 0 on a clean stop, 2 on bad options or fixtures."""
    from ..exits import USAGE, bad_path, error
    if args.fixtures and not Path(args.fixtures).is_file():
        return bad_path(args.fixtures, "no such file", "--fixtures")
    try:
        emulator = Emulator(args.host, args.port, require_auth=args.strict_auth,
                            fixtures=args.fixtures, token_lifetime=args.token_lifetime,
                            check_regions=args.check_regions,
                            allowed_hosts=tuple(args.allow_host), org_policy=OrgPolicy(
                                args.deny_global_endpoint,
                                tuple(args.allowed_location) if args.allowed_location
                                else None))
        emulator.start()
    except (OSError, FixtureError, ValueError) as exc:
        return error(str(exc), USAGE)
    if not args.quiet:
        emulator.app.on_request = _printer()
    stop = threading.Event()
    previous = _install_handlers(stop)
    try:
        _announce(emulator, args)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        _restore_handlers(previous)
    print("Vertex emulator stopped", flush=True)
    return 0


def _announce(emulator: Emulator, args: argparse.Namespace) -> None:
    if not is_loopback_bind(args.host):
        print(f"WARNING: the emulator is bound to {args.host}, not loopback: anyone who can "
              "reach this machine can call it and read its request log (every prompt sent "
              "to it). Credentials are checked (--strict-auth); stop it when you are done.",
              file=sys.stderr, flush=True)
    print(f"Vertex emulator listening on {emulator.url}")
    print(f"export VDSL_VERTEX_ENDPOINT={emulator.url}")
    auth = "strict (tokens from /token or the metadata server)" if args.strict_auth \
        else "off (any bearer token, or none, is accepted; --strict-auth to check)"
    print(f"auth: {auth}")
    if args.fixtures:
        print(f"fixtures: {args.fixtures} ({len(emulator.app.fixtures)} loaded)")
    print("Press Ctrl+C to stop.", flush=True)


def _printer() -> Callable[[LoggedRequest, float], None]:
    """One line per request; the log entry is already redacted (and the query, which may
    hold an API key, is not printed)."""
    lock = threading.Lock()

    def show(entry: LoggedRequest, ms: float) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(entry.time))
        with lock:
            print(f"{stamp} {entry.method} {entry.path} {entry.status} {ms:.0f} ms", flush=True)
    return show


def _install_handlers(stop: threading.Event) -> dict[int, object]:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_handlers(previous: dict[int, object]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]
