"""Soak: 2,000 calls at concurrency 32 with 10% injected faults (seeded). Every call ends with
its own answer or with a clear error after its policy is exhausted; none hangs or is lost, and
no connection is left checked out."""

from __future__ import annotations

import asyncio
import random

from vdsl.errors import TransportError, VertexError

CALLS = 2000
CONCURRENCY = 32


def test_soak(runtime, emulator):
    rng = random.Random(20261122)
    faults = ["status=503", "status=429", "status=500", "reset=0"]
    emulator.script([rng.choice(faults) if rng.random() < 0.10 else None
                     for _ in range(int(CALLS * 1.3))])

    connectors: list[object] = []

    async def main() -> list[object]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> object:
            async with gate:
                try:
                    return await runtime.acall("Say", {"text": f"call {i}"})
                except (VertexError, TransportError) as error:
                    return error
        results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(CALLS))), 300)
        session = runtime._pool.async_()._transport._session  # aiohttp's, under httpx's API
        connectors.append(session.connector)
        return results

    outcomes = asyncio.run(main())
    assert len(outcomes) == CALLS
    answers = [o for o in outcomes if isinstance(o, str)]
    errors = [o for o in outcomes if not isinstance(o, str)]
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, str):
            assert outcome == f"[gemini-2.5-flash] echo: call {i}"
        else:  # only after the whole policy: 3 attempts, all failed
            assert len(outcome.attempts) == 3 and not any(a.ok for a in outcome.attempts)
    assert len(answers) >= CALLS * 0.99
    assert len(errors) + len(answers) == CALLS
    # every request the emulator saw was an attempt of some call
    attempts = sum(1 for _ in emulator.requests)
    assert attempts >= CALLS
    connector = connectors[0]  # the pool was used, and every connection went back to it
    assert connector._conns and not connector._acquired
