"""Which credentials a call uses: `providers.auth` resolves them; this adds the one rule that
belongs to the runtime — a loopback endpoint (the emulator) works without any credentials."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ..errors import AuthError
from ..providers.endpoints import is_loopback
from ..providers.options import ClientOptions


class AuthStrategy(Protocol):
    kind: str
    description: str
    project_id: str | None

    def headers(self) -> dict[str, str]: ...

    async def aheaders(self) -> dict[str, str]: ...

    def invalidate(self) -> None: ...


class StaticToken:
    """A fixed bearer token: for the emulator when no credentials exist, and for tests."""

    kind = "static-token"
    project_id: str | None = None

    def __init__(self, token: str, description: str = "a fixed access token") -> None:
        self._token = token
        self.description = description

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._token}"}

    async def aheaders(self) -> dict[str, str]:
        return self.headers()

    def invalidate(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"StaticToken({self.description!r})"


EMULATOR_TOKEN = "vdsl-emulator"


def resolve_strategy(options: ClientOptions, env: Mapping[str, str],
                     endpoint: str | None) -> AuthStrategy | None:
    """None when the client authenticates with an API key (no bearer token, as BAML does)."""
    if options.api_key:
        return None
    from ..providers.auth import resolve_auth
    try:
        return resolve_auth(options.resolved, env, client_name=options.client)  # type: ignore[return-value]
    except AuthError:
        if endpoint and is_loopback(endpoint):
            return StaticToken(EMULATOR_TOKEN, "the emulator's open access (no credentials "
                               f"found; {endpoint} is a loopback endpoint)")
        raise
