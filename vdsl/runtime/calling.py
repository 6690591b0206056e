"""A call's way through its client plan (sync and async): prepare, send, read, and on a
failure let `Attempts` decide whether to wait and try the next client. Streams have the same
loop in `streaming.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import VdslError
from .result import Result

if TYPE_CHECKING:
    from .observe import Observation
    from .runtime import Runtime
    from .settings import CallSettings

__all__ = ["acomplete_plan", "complete_plan"]


def complete_plan(rt: Runtime, function: str, args: Mapping[str, Any], settings: CallSettings,
                  observation: Observation | None) -> Result:
    attempts = rt._attempts(function, settings, observation)
    for leaf, wait in attempts:
        if wait:
            rt._sleep(wait)
        attempts.begin()
        call = None
        try:
            call = rt._prepare(function, args, leaf, settings.env, settings.headers,
                               stream=False, settings=settings)
            response = rt._send(call, attempts.remaining())
            result = rt._finish(call, rt._parse(call, response.content))
        except VdslError as error:
            attempts.failure(leaf, error, call)
            continue
        result.attempts = attempts.success(leaf, call.options.model, call)
        if observation is not None:
            observation.end(result, None)
        return result
    raise attempts.exhausted()


async def acomplete_plan(rt: Runtime, function: str, args: Mapping[str, Any],
                         settings: CallSettings, observation: Observation | None) -> Result:
    attempts = rt._attempts(function, settings, observation)
    for leaf, wait in attempts:
        if wait:
            await rt._asleep(wait)
        attempts.begin()
        call = None
        try:
            call = await rt._aprepare(function, args, leaf, settings.env, settings.headers,
                                      stream=False, settings=settings)
            content = await rt._asend(call, attempts.remaining())
            result = rt._finish(call, rt._parse(call, content))
        except VdslError as error:
            attempts.failure(leaf, error, call)
            continue
        except asyncio.CancelledError:
            attempts.cancelled(leaf, call)
            raise
        result.attempts = attempts.success(leaf, call.options.model, call)
        if observation is not None:
            observation.end(result, None)
        return result
    raise attempts.exhausted()
