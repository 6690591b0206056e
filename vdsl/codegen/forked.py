"""Run independent parts of `vdsl generate` on several cores.

A forked child starts with the parent's memory (the project, the type plan) at no cost and
sends back only text, so on Linux a large package is built and printed in two halves at once.
Only `vdsl generate` asks for it, and only a process with no other thread forks (a forked
copy of a program with other threads running may inherit a held lock). Anything unusual — no `fork`, one core, a child
that fails or sends nothing usable — runs the part in this process instead: the output is the
same either way.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable

Part = Callable[[], dict[str, str]]

__all__ = ["Part", "run_parts"]


def run_parts(parts: list[Part], parallel: bool) -> dict[str, str]:
    """The union of every part's files; parts after the first in forked children when
    `parallel` and the platform allows it."""
    if not parallel or len(parts) < 2 or not _can_fork():
        return _merge(part() for part in parts)
    children = [_start(part) for part in parts[1:]]
    files = parts[0]()
    for (pid, reader), part in zip(children, parts[1:], strict=True):
        files.update(_collect(pid, reader, part))
    return files


def _can_fork() -> bool:
    """Linux, more than one core, and no other thread (whose locks a child could inherit)."""
    return (sys.platform == "linux" and hasattr(os, "fork") and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1)


def _start(part: Part) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit code
        os.close(reader)
        status = 1
        try:
            data = pickle.dumps(part(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int, part: Part) -> dict[str, str]:
    with os.fdopen(reader, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if status == 0:
        try:
            files = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a broken message: compute it here instead
            files = None
        if isinstance(files, dict):
            return files
    return part()


def _merge(parts: Iterable[dict[str, str]]) -> dict[str, str]:
    files: dict[str, str] = {}
    for part in parts:
        files.update(part)
    return files
