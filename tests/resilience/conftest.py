"""Chaos fixtures: a strict emulator, and runtimes whose waits go to a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import vdsl
from vdsl.emulator import Emulator
from vdsl.runtime import Runtime, StaticToken


def leaf(name: str, model: str, policy: str = "", extra: str = "") -> str:
    retry = f"\n  retry_policy {policy}" if policy else ""
    return f"""
client<llm> {name} {{
  provider vertex-ai{retry}
  options {{
    model {model}
    location us-central1
    project_id chaos
    {extra}
  }}
}}
"""


SOURCE = """
retry_policy Exp {
  max_retries 2
  strategy { type exponential_backoff, delay_ms 100, multiplier 2, max_delay_ms 1000 }
}
retry_policy Once {
  max_retries 1
  strategy { type constant_delay, delay_ms 50 }
}
""" + leaf("A", "gemini-2.5-flash", "Exp") + leaf("B", "gemini-2.5-pro") \
    + leaf("C", "gemini-2.5-flash-lite") + leaf("Fast", "gemini-2.5-flash", "Exp",
                                                 "http { request_timeout_ms 200 }") + """
client<llm> Chain {
  provider fallback
  options { strategy [A, B] }
}
client<llm> Spread {
  provider round-robin
  options { strategy [B, C, "vertex-ai/gemini-2.5-flash"], start 0 }
}
client<llm> SpreadRetry {
  provider round-robin
  retry_policy Once
  options { strategy [B, C, "vertex-ai/gemini-2.5-flash"], start 0 }
}
client<llm> Bounded {
  provider fallback
  options { strategy [B, C], http { total_timeout_ms 400 } }
}
function Say(text: string) -> string {
  client A
  prompt #"{{ text }}"#
}
"""


class FakeClock:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))

    async def asleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def runtime(emulator: Emulator, clock: FakeClock) -> Iterator[Runtime]:
    with Runtime(vdsl.loads(SOURCE), env={}, endpoint=emulator.url,
                 auth=StaticToken(emulator.issue_token()), sleep=clock.sleep,
                 asleep=clock.asleep, seed=7) as rt:
        yield rt
