"""Closing a runtime closes every pooled connection: `aclose()`, `async with`, and `close()`
called inside a running event loop, from another thread, or for an idle loop.

Open connections are counted in /proc (this process's sockets whose peer is the emulator)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

import vdsl
from vdsl.runtime import Runtime, StaticToken

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")

SOURCE = """
client<llm> C {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
function F(x: string) -> string {
  client C
  prompt #"{{ x }}"#
}
"""


def open_connections(port: int) -> int:
    """Sockets of this process connected to `port` (the emulator) on loopback."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.startswith("socket:[") and target[8:-1] in inodes
    return count


@pytest.fixture
def runtime(emulator):  # type: ignore[no-untyped-def]
    return Runtime(vdsl.loads(SOURCE), env={}, endpoint=emulator.url,
                   auth=StaticToken(emulator.issue_token()))


async def _calls(runtime: Runtime, n: int = 4) -> None:
    await asyncio.gather(*[runtime.acall("F", {"x": str(i)}) for i in range(n)])


def test_close_inside_the_running_loop_closes_its_connections(runtime, emulator) -> None:  # type: ignore[no-untyped-def]
    async def main() -> tuple[int, int]:
        await _calls(runtime)
        before = open_connections(emulator.port)
        runtime.close()
        await asyncio.sleep(0)  # one turn of the loop: transports finish closing
        return before, open_connections(emulator.port)

    before, after = asyncio.run(main())
    assert before >= 1 and after == 0


def test_aclose_and_async_with(runtime, emulator) -> None:  # type: ignore[no-untyped-def]
    async def main() -> tuple[int, int]:
        await _calls(runtime)
        await runtime.aclose()
        first = open_connections(emulator.port)
        async with Runtime(vdsl.loads(SOURCE), env={}, endpoint=emulator.url,
                           auth=runtime._auth) as other:
            await _calls(other)
            assert open_connections(emulator.port) >= 1
        return first, open_connections(emulator.port)

    assert asyncio.run(main()) == (0, 0)


def test_close_for_an_idle_loop_and_from_another_thread(runtime, emulator) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.new_event_loop()
    loop.run_until_complete(_calls(runtime))
    assert open_connections(emulator.port) >= 1
    runtime.close()  # the loop is idle: its client is closed on it
    assert open_connections(emulator.port) == 0
    loop.close()

    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(_calls(runtime), running).result(10)
    assert open_connections(emulator.port) >= 1
    runtime.close()  # the loop runs in another thread: closed there, and waited for
    assert open_connections(emulator.port) == 0
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def test_a_closed_runtime_reconnects_when_used_again(runtime) -> None:  # type: ignore[no-untyped-def]
    runtime.call("F", {"x": "a"})
    runtime.close()
    assert runtime.call("F", {"x": "b"}).endswith("b")

    async def main() -> str:
        await runtime.aclose()
        return str(await runtime.acall("F", {"x": "c"}))

    assert asyncio.run(main()).endswith("c")
    runtime.close()
