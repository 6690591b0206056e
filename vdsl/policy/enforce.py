"""The runtime's side of the endpoint policy: every request is checked before it is sent.

The check reads the request itself (the `locations/{loc}` of its URL, its publisher), so it
holds whatever chose the location: a literal, `env.VAR`, a shorthand's
`GOOGLE_CLOUD_LOCATION`, a client registered at run time, or a redirect to the emulator
(`VDSL_VERTEX_ENDPOINT` keeps the path).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import PolicyError
from .check import location_from_url
from .config import Policy

__all__ = ["check_request"]

_PUBLISHER = re.compile(r"/publishers/([^/:]+)/")


def check_request(policy: Policy | None, url: str, body: Mapping[str, Any] | None,
                  client: str) -> None:
    """Raise `PolicyError` when `policy` forbids the request about to go to `url`."""
    if policy is None or not policy.restricts:
        return
    path = url.split("?", 1)[0]
    location = location_from_url(path)
    if location is None and "/projects/" not in path and "/publishers/" in path:
        location = "global"  # express mode: only the global host serves it
    if location is not None:
        problem = policy.location_problem(location)
        if problem:
            raise PolicyError(f"client `{client}`: not sent: {problem}")
    publisher = _publisher(path, body)
    problem = policy.publisher_problem(publisher) if publisher else None
    if problem:
        raise PolicyError(f"client `{client}`: not sent: {problem}")


def _publisher(path: str, body: Mapping[str, Any] | None) -> str | None:
    found = _PUBLISHER.search(path)
    if found:
        return found.group(1)
    model = (body or {}).get("model")
    if path.endswith("/chat/completions") and isinstance(model, str) and "/" in model:
        return model.split("/", 1)[0]  # the OpenAI-style route names it in the body
    return None
