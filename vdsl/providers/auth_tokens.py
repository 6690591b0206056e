"""One credential's access token: cached, refreshed early, fetched by one caller at a time.

Every caller that finds the token stale joins a single in-flight refresh (a
`concurrent.futures.Future`), whether it is a thread (`get`) or an asyncio task (`aget`), in
any event loop. The refresh itself runs in the first caller's thread, or for tasks in a
short-lived worker thread, so google-auth's blocking HTTP never runs on an event loop and a
cancelled task does not abort a refresh others are waiting for.

A token is refreshed `min(REFRESH_MARGIN, lifetime / 4)` before it expires: google-auth's own
threshold for real one-hour tokens, and still a usable token for short-lived ones (the
emulator's, in tests) instead of a refresh on every call.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from google.auth import exceptions

from .auth_sources import Loaded, redact
from .google_transport import HttpxRequest

__all__ = ["REFRESH_MARGIN", "Token", "TokenSource", "describe_failure"]

REFRESH_MARGIN = 225.0
"""Seconds before expiry to refresh (google-auth's `REFRESH_THRESHOLD`, 3 min 45 s)."""

logger = logging.getLogger("vdsl.auth")


def _clock() -> float:
    """Wall-clock seconds; tests move time by replacing this function."""
    return time.time()


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float | None     # epoch seconds; None: google-auth gave no expiry
    refresh_at: float | None

    def fresh(self, now: float) -> bool:
        return self.refresh_at is None or now < self.refresh_at

    def __repr__(self) -> str:
        return f"<Token expires_at={self.expires_at}>"


class TokenSource:
    """google-auth credentials plus the token they last produced."""

    def __init__(self, loaded: Loaded) -> None:
        self._credentials = loaded.credentials
        self.kind = loaded.kind
        self.label = loaded.label
        self.project_id = loaded.project_id
        quota = getattr(loaded.credentials, "quota_project_id", None)
        self.quota_project_id: str | None = quota if isinstance(quota, str) else None
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._inflight: Future[Token] | None = None
        self.refreshes = 0
        self.had_token = False
        """Whether a token was ever obtained (a failure is then a failed *refresh*)."""

    def __repr__(self) -> str:
        return f"<TokenSource {self.label!r}>"

    def cached(self) -> Token | None:
        """The current token if it is not due for refresh (no locking: one read)."""
        token = self._token
        return token if token is not None and token.fresh(_clock()) else None

    def get(self) -> Token:
        future, mine = self._claim()
        if mine:
            self._refresh_into(future)
        return future.result()

    async def aget(self) -> Token:
        future, mine = self._claim()
        if mine:
            threading.Thread(target=self._refresh_into, args=(future,), daemon=True,
                             name="vdsl-auth-refresh").start()
        return await asyncio.wrap_future(future)

    def invalidate(self, used: str | None = None) -> None:
        with self._lock:
            if self._token is not None and (used is None or self._token.value == used):
                self._token = None

    def _claim(self) -> tuple[Future[Token], bool]:
        """The in-flight refresh to wait for, and whether this caller must run it."""
        with self._lock:
            token = self._token
            future: Future[Token] = Future()
            if token is not None and token.fresh(_clock()):
                future.set_result(token)
                return future, False
            if self._inflight is not None:
                return self._inflight, False
            future.set_running_or_notify_cancel()  # a waiter's cancel must not cancel it
            self._inflight = future
            return future, True

    def _refresh_into(self, future: Future[Token]) -> None:
        try:
            token = self._refresh()
        except BaseException as exc:  # noqa: BLE001 - handed to every waiter
            with self._lock:
                self._inflight = None
            future.set_exception(exc)
            return
        with self._lock:
            self._token = token
            self._inflight = None
            self.had_token = True
        future.set_result(token)

    def _refresh(self) -> Token:
        started = _clock()
        self._credentials.refresh(HttpxRequest())
        self.refreshes += 1
        value = self._credentials.token
        if not isinstance(value, str) or not value:
            raise exceptions.RefreshError("the credentials produced no access token")
        token = _token(value, self._credentials.expiry, started)
        left = "no expiry" if token.expires_at is None else \
            f"expires in {token.expires_at - started:.0f}s"
        logger.debug("auth: new access token for %s (%s)", self.label, left)
        return token


def _token(value: str, expiry: Any, now: float) -> Token:
    if not isinstance(expiry, datetime.datetime):
        return Token(value, None, None)
    if expiry.tzinfo is None:  # google-auth: naive UTC
        expiry = expiry.replace(tzinfo=datetime.UTC)
    expires_at = expiry.timestamp()
    margin = min(REFRESH_MARGIN, max(expires_at - now, 0.0) / 4)
    return Token(value, expires_at, expires_at - margin)


def describe_failure(exc: BaseException) -> str:
    """A refresh failure as one safe line: google-auth's reason without the response body
    it attaches (`RefreshError(message, response_dict)`), secrets redacted."""
    if isinstance(exc, exceptions.RefreshError | exceptions.TransportError) and exc.args:
        text = str(exc.args[0])
    else:
        text = f"{type(exc).__name__}: {exc.args[0] if exc.args else ''}".rstrip(": ")
    return redact(text.strip().rstrip(".")) or type(exc).__name__
