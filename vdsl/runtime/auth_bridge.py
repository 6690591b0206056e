"""Which credentials a call uses: `providers.auth` resolves them; this adds the one rule that
belongs to the runtime — a loopback endpoint (the emulator) works without any credentials."""

from __future__ import annotations

import hashlib
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

    def invalidate(self, headers: Mapping[str, str] | None = None) -> None: ...


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

    def invalidate(self, headers: Mapping[str, str] | None = None) -> None:
        pass

    def __repr__(self) -> str:
        return f"StaticToken({self.description!r})"


EMULATOR_TOKEN = "vdsl-emulator"
AUTH_ENV = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
            "GCE_METADATA_HOST", "GCE_METADATA_IP", "HOME", "CLOUDSDK_CONFIG")
"""The environment that decides which credentials apply."""


def strategy_key(options: ClientOptions, env: Mapping[str, str]) -> tuple[str, str]:
    """What a resolved strategy depends on — the client's credential options and AUTH_ENV —
    as a digest: the cache holds no private key or API key a crash reporter could show."""
    digest = hashlib.sha256()
    for part in (repr(options.resolved.get("credentials")),
                 repr(options.resolved.get("credentials_content")), repr(options.api_key),
                 *(repr(env.get(name)) for name in AUTH_ENV)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return options.client, digest.hexdigest()


def resolve_strategy(options: ClientOptions, env: Mapping[str, str],
                     endpoint: str | None) -> AuthStrategy | None:
    """None when the client authenticates with an API key (no bearer token, as BAML does).

    For a loopback endpoint (the emulator) without explicit credentials, an open token is
    used at once: probing for ambient credentials (the metadata server) would only add delay.
    """
    if options.api_key:
        return None
    loopback = bool(endpoint) and is_loopback(endpoint or "")
    explicit = any(options.resolved.get(k) for k in ("credentials", "credentials_content")) \
        or any(env.get(name) for name in AUTH_ENV[:4])
    if loopback and not explicit:
        return _emulator_token(endpoint or "")
    from ..providers.auth import resolve_auth
    try:
        return resolve_auth(options.resolved, env, client_name=options.client)  # type: ignore[return-value]
    except AuthError:
        if loopback:
            return _emulator_token(endpoint or "")
        raise


def _emulator_token(endpoint: str) -> StaticToken:
    return StaticToken(EMULATOR_TOKEN, f"the emulator's open access ({endpoint} is a loopback "
                       "endpoint and no credentials are configured)")
