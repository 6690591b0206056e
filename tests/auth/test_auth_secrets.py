"""No secret (private key, access token, refresh token, API key, credential document)
appears in an error, a repr, or any log record, even at DEBUG."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from auth_helpers import bearer

from vdsl.emulator import Emulator
from vdsl.errors import AuthError
from vdsl.providers.auth import resolve_auth
from vdsl.providers.auth_sources import redact

API_KEY = "AIzaSyTEST-secret-api-key-0123456789"


def _private_key_lines(sa_file: Path) -> list[str]:
    pem = json.loads(sa_file.read_text())["private_key"]
    return [line for line in pem.splitlines() if line and "-----" not in line]


def _assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger: vdsl.auth, google.auth, httpx, httpcore
    return caplog


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)


def test_service_account_flow_leaks_nothing(env: dict[str, str], emu: Emulator, sa_file: Path,
                                            debug_log: pytest.LogCaptureFixture) -> None:
    strategy = resolve_auth({"credentials": sa_file.read_text()}, env, client_name="Flash")
    headers = strategy.headers()
    asyncio.run(strategy.aheaders())
    secrets = [bearer(headers), *_private_key_lines(sa_file)]
    _assert_clean(repr(strategy), secrets)
    _assert_clean(strategy.description, secrets)
    _assert_clean(_all_log_text(debug_log), secrets)
    chosen = [r.getMessage() for r in debug_log.records if r.name == "vdsl.auth"]
    assert ("client Flash: auth strategy service-account: service account "
            "vdsl-test@vdsl-emulator.iam.gserviceaccount.com from options.credentials (JSON)"
            ) in chosen


def test_api_key_leaks_nothing(env: dict[str, str], debug_log: pytest.LogCaptureFixture) -> None:
    strategy = resolve_auth({"query_params": {"key": API_KEY}}, env, client_name="Flash")
    assert API_KEY not in repr(strategy) and API_KEY not in strategy.description
    assert API_KEY not in _all_log_text(debug_log)
    assert "auth strategy api-key" in _all_log_text(debug_log)


def test_malformed_documents_are_not_quoted(env: dict[str, str], sa_file: Path,
                                            debug_log: pytest.LogCaptureFixture) -> None:
    text = sa_file.read_text()
    info = json.loads(text)
    secrets = _private_key_lines(sa_file)
    broken = [text[:-3],                                            # truncated JSON
              json.dumps({**info, "client_email": ""}),              # missing field
              json.dumps({**info, "private_key": info["private_key"][:200]}),  # bad key
              json.dumps({**info, "type": "serviceaccount"})]       # unknown type
    for value in broken:
        for options in ({"credentials": value}, {"credentials_content": value}):
            with pytest.raises(AuthError) as caught:
                resolve_auth(options, env, client_name="Flash")
            _assert_clean(str(caught.value), secrets)
            _assert_clean(repr(caught.value.tried), secrets)
    _assert_clean(_all_log_text(debug_log), secrets)


def test_refresh_errors_leak_nothing(env: dict[str, str], emu: Emulator, sa_file: Path,
                                     debug_log: pytest.LogCaptureFixture) -> None:
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    emu.app.authority._keys.clear()
    with pytest.raises(AuthError) as caught:
        strategy.headers()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    secrets = _private_key_lines(sa_file)
    _assert_clean(str(caught.value), secrets)
    _assert_clean(_all_log_text(debug_log), secrets)


def test_the_emulator_saw_the_token_but_the_log_did_not(env: dict[str, str], emu: Emulator,
                                                        sa_file: Path,
                                                        debug_log: pytest.LogCaptureFixture
                                                        ) -> None:
    env.update(emu.env())
    strategy = resolve_auth({}, env, client_name="Flash")   # metadata server
    token = bearer(strategy.headers())
    assert token.startswith("ya29.")
    assert token not in _all_log_text(debug_log) and token not in repr(strategy)


@pytest.mark.parametrize(("text", "kept"), [
    ("invalid_grant: Invalid JWT Signature.", "invalid_grant: Invalid JWT Signature."),
    ("token ya29.a0AfH6SMBx-secret_1 rejected", "token <redacted> rejected"),
    ("assertion=eyJhbGciOi.eyJpc3Mi.c2ln&x=1", "assertion=<redacted>&x=1"),
    ('{"access_token": "opaque-token-value", "expires_in": 3599}',
     '{"access_token": <redacted>, "expires_in": 3599}'),
    ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "<redacted>"),
    ("refresh 1//0gABCDEF-ghi", "refresh <redacted>"),
    ("key AIzaSyABCDEFGHIJKLMN01", "key <redacted>"),
])
def test_redact(text: str, kept: str) -> None:
    assert redact(text) == kept
