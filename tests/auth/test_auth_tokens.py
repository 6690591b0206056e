"""Tokens: cached, refreshed before expiry, after a 401, and once for many concurrent callers."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from auth_helpers import bearer, metadata_token_requests, token_requests, vertex_status

from vdsl.emulator import Emulator
from vdsl.errors import AuthError
from vdsl.providers import auth, auth_tokens
from vdsl.providers.auth import AuthStrategy, resolve_auth


def _strategy(env: dict[str, str], sa_file: Path) -> AuthStrategy:
    return resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")


class Clock:
    """Replaces the token cache's clock; starts at real time, moves only when told."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auth_tokens, "_clock", fake)
    return fake


# --- caching and expiry --------------------------------------------------------------------------


def test_token_is_reused_until_shortly_before_expiry(env: dict[str, str], emu: Emulator,
                                                     sa_file: Path, clock: Clock) -> None:
    strategy = _strategy(env, sa_file)
    first = strategy.headers()
    clock.now += 3600 - auth_tokens.REFRESH_MARGIN - 5     # still fresh
    assert strategy.headers() == first
    assert token_requests(emu) == 1
    clock.now += 10                                          # inside the margin: refresh
    second = strategy.headers()
    assert bearer(second) != bearer(first)
    assert token_requests(emu) == 2
    assert vertex_status(emu, second) == 200


def test_short_lived_tokens_refresh_at_three_quarters_of_their_life(
        env: dict[str, str], tmp_path: Path, clock: Clock) -> None:
    with Emulator(token_lifetime=40) as emu:
        strategy = _strategy(env, emu.service_account_file(tmp_path))
        strategy.headers()
        clock.now += 29
        strategy.headers()
        assert token_requests(emu) == 1
        clock.now += 2
        strategy.headers()
        assert token_requests(emu) == 2


def test_real_expiry_with_a_two_second_token(env: dict[str, str], tmp_path: Path) -> None:
    """No fake clock: the emulator's tokens really expire, and vdsl never sends a dead one."""
    with Emulator(token_lifetime=2) as emu:
        strategy = _strategy(env, emu.service_account_file(tmp_path))
        first = strategy.headers()
        assert vertex_status(emu, first) == 200
        time.sleep(2.2)
        assert vertex_status(emu, first) == 401              # the old token is dead …
        second = strategy.headers()
        assert bearer(second) != bearer(first)               # … and was not reused
        assert vertex_status(emu, second) == 200


def test_same_credentials_from_two_settings_share_one_token(env: dict[str, str], emu: Emulator,
                                                           sa_file: Path) -> None:
    text = sa_file.read_text()
    env["GOOGLE_APPLICATION_CREDENTIALS_CONTENT"] = text
    a = resolve_auth({"credentials": text}, env, client_name="A")
    b = resolve_auth({}, env, client_name="B")
    assert a is not b and a.setting != b.setting
    assert a.headers() == b.headers()
    assert token_requests(emu) == 1


def test_strategies_are_cached_per_source(env: dict[str, str], emu: Emulator,
                                          sa_file: Path) -> None:
    first = _strategy(env, sa_file)
    assert _strategy(env, sa_file) is first
    assert resolve_auth({"credentials": str(sa_file)}, env, client_name="Other") is first


def test_a_rewritten_key_file_is_a_new_credential(env: dict[str, str], emu: Emulator,
                                                  sa_file: Path) -> None:
    first = _strategy(env, sa_file)
    first.headers()
    emu.service_account_file(sa_file.parent)   # same path, new key, new mtime and size
    second = _strategy(env, sa_file)
    assert second is not first
    assert vertex_status(emu, second.headers()) == 200


# --- after a 401 ---------------------------------------------------------------------------------


def test_invalidate_after_401_fetches_a_new_token(env: dict[str, str], emu: Emulator,
                                                  sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    used = strategy.headers()
    emu.expire_tokens()
    assert vertex_status(emu, used) == 401
    strategy.invalidate(used)
    fresh = strategy.headers()
    assert bearer(fresh) != bearer(used)
    assert vertex_status(emu, fresh) == 200


def test_invalidate_with_stale_headers_keeps_the_newer_token(env: dict[str, str],
                                                            emu: Emulator,
                                                            sa_file: Path) -> None:
    """Sixteen requests failing on one token cause one refresh, not sixteen."""
    strategy = _strategy(env, sa_file)
    old = strategy.headers()
    strategy.invalidate(old)
    new = strategy.headers()
    for _ in range(15):
        strategy.invalidate(old)
    assert strategy.headers() == new
    assert token_requests(emu) == 2
    strategy.invalidate()                     # no headers: drop whatever is cached
    strategy.headers()
    assert token_requests(emu) == 3


def test_metadata_token_refreshes_after_expiry(env: dict[str, str], emu: Emulator,
                                               clock: Clock) -> None:
    env.update(emu.env())
    strategy = resolve_auth({}, env, client_name="Flash")
    strategy.headers()
    clock.now += 3600
    assert vertex_status(emu, strategy.headers()) == 200
    assert metadata_token_requests(emu) == 2


# --- single flight ------------------------------------------------------------------------------


def _slow_token_endpoint(emu: Emulator) -> None:
    """Hold each token reply a moment, so concurrent callers really overlap."""
    authority = emu.app.authority
    real = authority.handle_token

    def slow(request):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        return real(request)

    authority.handle_token = slow  # type: ignore[method-assign]


def test_sixteen_threads_one_token_request(env: dict[str, str], emu: Emulator,
                                           sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    _slow_token_endpoint(emu)
    barrier = threading.Barrier(16)
    results: list[dict[str, str]] = []

    def call() -> None:
        barrier.wait()
        results.append(strategy.headers())

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16 and all(r == results[0] for r in results)
    assert token_requests(emu) == 1


def test_sixteen_tasks_one_token_request(env: dict[str, str], emu: Emulator,
                                         sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    _slow_token_endpoint(emu)

    async def main() -> list[dict[str, str]]:
        ticks = 0

        async def ticker() -> None:  # the loop keeps running while the token is fetched
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        tick_task = asyncio.create_task(ticker())
        results = await asyncio.gather(*(strategy.aheaders() for _ in range(16)))
        tick_task.cancel()
        assert ticks >= 5
        return list(results)

    results = asyncio.run(main())
    assert all(r == results[0] for r in results)
    assert token_requests(emu) == 1


def test_threads_and_tasks_together_share_one_refresh(env: dict[str, str], emu: Emulator,
                                                     sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    _slow_token_endpoint(emu)
    threads = [threading.Thread(target=strategy.headers) for _ in range(4)]
    for thread in threads:
        thread.start()

    async def main() -> None:
        await asyncio.gather(*(strategy.aheaders() for _ in range(4)))

    asyncio.run(main())
    for thread in threads:
        thread.join()
    assert token_requests(emu) == 1


def test_a_cancelled_task_does_not_break_the_refresh(env: dict[str, str], emu: Emulator,
                                                     sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    _slow_token_endpoint(emu)

    async def main() -> dict[str, str]:
        first = asyncio.create_task(strategy.aheaders())
        await asyncio.sleep(0.05)
        first.cancel()
        return await strategy.aheaders()

    headers = asyncio.run(main())
    assert vertex_status(emu, headers) == 200
    assert token_requests(emu) == 1


def test_a_failed_refresh_reaches_every_waiter_and_the_next_call_retries(
        env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    emu.app.authority._keys.clear()            # the key is "deleted": invalid_grant
    errors: list[BaseException] = []

    def call() -> None:
        try:
            strategy.headers()
        except AuthError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 8
    failed = token_requests(emu)
    assert 1 <= failed < 8
    emu.service_account_file(sa_file.parent)   # re-registers the e-mail with a new key …
    with pytest.raises(AuthError):             # … but the strategy holds the old one
        strategy.headers()
    assert token_requests(emu) == failed + 1   # retried, not a cached failure


def test_token_usable_from_two_event_loops(env: dict[str, str], emu: Emulator,
                                           sa_file: Path) -> None:
    strategy = _strategy(env, sa_file)
    first = asyncio.run(strategy.aheaders())
    strategy.invalidate()
    second = asyncio.run(strategy.aheaders())
    assert vertex_status(emu, second) == 200 and second != first


def test_clear_cache_forgets_tokens(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    _strategy(env, sa_file).headers()
    auth.clear_cache()
    _strategy(env, sa_file).headers()
    assert token_requests(emu) == 2
