"""What is checked between building a request and sending it: the endpoint policy, the
client's input-token budget, and the context cache the request names.

Each check may fail the attempt with a `ConfigError` subclass, which rules this client out and
lets a fallback move on to the next one. The budget and cache checks may need Vertex (a token
count, the cache's metadata); their answers are kept per runtime, so retries ask once, and an
async call moves to a worker thread only when it must ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..policy.enforce import check_request
from ..render import RenderedPrompt
from .calls import Call
from .counting import check_budget
from .features import check_cache
from .platform import Target

if TYPE_CHECKING:
    from .runtime import Runtime

__all__ = ["guard"]


def guard(rt: Runtime, call: Call, prompt: RenderedPrompt, where: Target, *,
          blocking: bool) -> None:
    """Raise when `call` must not be sent (see the module docstring)."""
    check_request(rt.policy, call.url, call.request.body, call.site.client)
    check_budget(rt, where, prompt, blocking=blocking)
    check_cache(rt, where, prompt, blocking=blocking)
