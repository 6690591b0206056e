"""Closing the async httpx clients of a runtime, from wherever `close()` is called.

A runtime keeps one `httpx.AsyncClient` per event loop. `await runtime.aclose()` closes them
properly. A plain `close()` has to manage without awaiting:

* the client's loop is running in another thread: its `aclose()` runs there and we wait;
* the loop is idle (not running, not closed): `aclose()` runs on it (in a helper thread if
  this thread is busy running another loop);
* the loop is the one running in this very thread (`close()` called from a coroutine, or by
  `with Runtime(...)` inside one): `aclose()` is stepped through right here. Closing a
  connection only closes its transport and yields to the loop (`sleep(0)`) — it never waits
  for I/O — so the sockets are closed before `close()` returns;
* the loop is closed: nothing can run on it any more; its client and sockets go with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

import httpx

__all__ = ["close_async_client"]

_WAIT_S = 5.0
_MAX_STEPS = 10_000


def close_async_client(loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
    """Close `client` (which belongs to `loop`) without awaiting; see the module docstring."""
    if loop.is_closed():
        return
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if loop is here:
        # best effort when called outside any task (from a loop callback)
        with contextlib.suppress(Exception):
            _step_through(client.aclose())
    elif loop.is_running():
        future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
        try:
            future.result(_WAIT_S)
        except Exception:  # noqa: BLE001 - closing is best effort once the loop misbehaves
            future.cancel()
    elif here is None:
        loop.run_until_complete(client.aclose())
    else:
        helper = threading.Thread(target=loop.run_until_complete, args=(client.aclose(),),
                                  daemon=True)
        helper.start()
        helper.join(_WAIT_S)


def _step_through(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that only yields bare `sleep(0)` suspensions to its end, here and now.
    If it waits on anything real, hand what is left to the loop as a task."""
    for _ in range(_MAX_STEPS):
        try:
            awaited = coroutine.send(None)
        except StopIteration:
            return
        if awaited is not None:  # a real future: the rest has to run on the loop
            asyncio.ensure_future(_resume(coroutine, awaited))
            return
    coroutine.close()


async def _resume(coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
    """Finish, inside a task, a coroutine suspended on `awaited` (a future, or None for a
    bare yield), resuming it the way a task would once the future is done."""
    while True:
        if awaited is None:
            await asyncio.sleep(0)
        else:
            await asyncio.wait([awaited])
        try:
            awaited = coroutine.send(None)
        except StopIteration:
            return
