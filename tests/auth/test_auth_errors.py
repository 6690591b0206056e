"""Errors a user can act on: each names the setting, says what is wrong, and what to do."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from vdsl.emulator import Emulator
from vdsl.errors import AuthError, VdslError
from vdsl.providers.auth import resolve_auth


def _error(options: dict[str, object], env: dict[str, str]) -> AuthError:
    with pytest.raises(AuthError) as caught:
        resolve_auth(options, env, client_name="Flash")
    return caught.value


def test_missing_everything_lists_each_step_in_order(env: dict[str, str]) -> None:
    error = _error({}, env)
    assert isinstance(error, VdslError)
    adc = Path(env["CLOUDSDK_CONFIG"]) / "application_default_credentials.json"
    metadata = env["GCE_METADATA_HOST"]
    assert error.tried == [
        "options.query_params.key: not set",
        "options.credentials: not set",
        "options.credentials_content: not set",
        "env GOOGLE_APPLICATION_CREDENTIALS: not set",
        "env GOOGLE_APPLICATION_CREDENTIALS_CONTENT: not set",
        f"ADC file {adc}: not found",
        f"metadata server {metadata}: no answer from {metadata}",
        "gcloud auth print-access-token: gcloud is not on PATH",
    ]
    message = str(error)
    assert message.startswith("no Google Cloud credentials found for client Flash. "
                              "Tried, in order:\n  1. options.query_params.key: not set\n")
    assert "  8. gcloud auth print-access-token: gcloud is not on PATH" in message
    assert "gcloud auth application-default login" in message
    assert error.setting is None


def test_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    error = _error({"credentials": str(path)}, env)
    assert str(error) == f"client Flash: options.credentials: file {path} does not exist"
    assert error.setting == "options.credentials"
    assert error.tried[-1] == f"options.credentials: file {path} does not exist"


def test_gac_pointing_at_a_missing_file_does_not_fall_through(env: dict[str, str],
                                                              emu: Emulator) -> None:
    env.update(emu.env(), GOOGLE_APPLICATION_CREDENTIALS="/no/such/key.json")
    error = _error({}, env)
    assert error.setting == "env GOOGLE_APPLICATION_CREDENTIALS"
    assert "file /no/such/key.json does not exist" in str(error)


def test_directory_instead_of_file(env: dict[str, str], tmp_path: Path) -> None:
    error = _error({"credentials": str(tmp_path)}, env)
    assert f"{tmp_path} is a directory, not a credentials file" in str(error)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root reads any file; no POSIX modes on Windows")
def test_unreadable_file(env: dict[str, str], sa_file: Path) -> None:
    sa_file.chmod(0)
    error = _error({"credentials": str(sa_file)}, env)
    assert str(error) == (f"client Flash: options.credentials: cannot read file {sa_file}: "
                          "Permission denied")


def test_unreadable_file_via_oserror(env: dict[str, str], sa_file: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The same message when running as root (where chmod 0 does not stop reads)."""
    def deny(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", deny)
    error = _error({"credentials": str(sa_file)}, env)
    assert str(error).endswith(f"cannot read file {sa_file}: Permission denied")


def test_file_that_is_not_json(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text('{"type": "service_account",\n  "private_key": oops}')
    error = _error({"credentials": str(path)}, env)
    assert str(error) == (f"client Flash: options.credentials: file {path} is not valid JSON "
                          "(Expecting value at line 2 column 18)")


def test_json_string_that_does_not_parse_is_not_taken_for_a_path(env: dict[str, str]) -> None:
    error = _error({"credentials": '{"type": "service_account", "private_key": '}, env)
    assert "the JSON is not valid JSON" in str(error)
    assert "private_key" not in str(error) and "does not exist" not in str(error)


def test_json_that_is_not_an_object(env: dict[str, str]) -> None:
    error = _error({"credentials_content": "[1, 2]"}, env)
    assert str(error).endswith("options.credentials_content: the JSON is a JSON list, "
                               "not an object")


def test_content_setting_given_a_path(env: dict[str, str], sa_file: Path) -> None:
    env["GOOGLE_APPLICATION_CREDENTIALS_CONTENT"] = str(sa_file)
    error = _error({}, env)
    assert error.setting == "env GOOGLE_APPLICATION_CREDENTIALS_CONTENT"
    assert "is not JSON (this setting holds the credentials JSON itself" in str(error)
    assert str(sa_file) not in str(error)


@pytest.mark.parametrize("secret", ["AIzaSyD-not-a-path-0123456789", "hunter2"])
def test_a_non_path_non_json_value_is_not_echoed(env: dict[str, str], secret: str) -> None:
    error = _error({"credentials": secret}, env)
    assert secret not in str(error) and secret not in repr(error.tried)
    assert "is neither JSON nor the path of an existing file" in str(error)


def test_wrong_value_type(env: dict[str, str]) -> None:
    error = _error({"credentials": ["a", "b"]}, env)
    assert str(error).endswith("options.credentials: must be a JSON string, a file path or "
                               "a map, not list")


def test_service_account_missing_fields(env: dict[str, str], sa_file: Path) -> None:
    info = json.loads(sa_file.read_text())
    del info["client_email"], info["token_uri"]
    error = _error({"credentials": info}, env)
    assert str(error).endswith("malformed service_account credentials: missing or empty "
                               "fields client_email, token_uri")


def test_service_account_bad_private_key(env: dict[str, str], sa_file: Path) -> None:
    info = json.loads(sa_file.read_text())
    info["private_key"] = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    error = _error({"credentials": info}, env)
    assert str(error).endswith("malformed service_account credentials: private_key is not a "
                               "valid PEM RSA private key")


@pytest.mark.parametrize(("info", "found"), [
    ({"client_email": "x"}, 'there is no "type" field'),
    ({"type": "api_key"}, "\"type\" is 'api_key'"),
])
def test_unknown_credential_type(env: dict[str, str], info: dict[str, str], found: str) -> None:
    error = _error({"credentials": info}, env)
    assert f"{found}; expected one of authorized_user, external_account" in str(error)


def test_malformed_adc_file(env: dict[str, str], emu: Emulator) -> None:
    env.update(emu.env())  # a metadata server is there, but a broken ADC file wins
    adc = Path(env["CLOUDSDK_CONFIG"]) / "application_default_credentials.json"
    adc.write_text("{}")
    error = _error({}, env)
    assert error.setting == f"ADC file {adc}"
    assert 'there is no "type" field' in str(error)


def test_refresh_failure_names_the_setting(env: dict[str, str], emu: Emulator,
                                           sa_file: Path) -> None:
    """A key the token endpoint no longer accepts: the error says whose key, set where."""
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    emu.app.authority._keys.clear()
    with pytest.raises(AuthError) as caught:
        strategy.headers()
    assert str(caught.value) == (
        "could not get an access token from service account "
        f"vdsl-test@vdsl-emulator.iam.gserviceaccount.com from options.credentials (file "
        f"{sa_file}): invalid_grant: Invalid grant: account not found. To fix: check that the "
        "key still exists and is enabled, and that the clock is right (set by "
        "options.credentials).")
    assert caught.value.setting == "options.credentials"


def test_token_endpoint_down(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    emu.stop()
    with pytest.raises(AuthError, match=r"ConnectError calling http://127\.0\.0\.1:\d+/token") \
            as caught:
        strategy.headers()
    assert "clock" not in str(caught.value)  # a network problem, not the key's
    assert "could not be reached: check the network" in str(caught.value)


def test_a_dns_failure_gets_a_dns_hint(env: dict[str, str], sa_file: Path) -> None:
    """The failure google-auth reports when the token host does not resolve (built here,
    not provoked: tests open no socket beyond loopback)."""
    import httpx
    from google.auth import exceptions
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    cause = httpx.ConnectError("[Errno -2] Name or service not known")
    try:
        try:
            raise cause
        except httpx.ConnectError as exc:
            raise exceptions.TransportError(
                "ConnectError calling https://oauth2.googleapis.com/token: [Errno -2] Name or "
                "service not known") from exc
    except exceptions.TransportError as wrapped:
        error = strategy._failure(wrapped)  # type: ignore[attr-defined]
    assert "host name did not resolve: check DNS" in str(error) and "clock" not in str(error)


def test_unauthorized_hint_names_the_strategy(env: dict[str, str], sa_file: Path) -> None:
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    assert strategy.unauthorized_hint() == (
        "Vertex AI rejected the credentials (auth strategy service-account: "
        f"{strategy.description}); check that the key still exists and is enabled, and that "
        "the clock is right.")
    key = resolve_auth({"query_params": {"key": "k"}}, env, client_name="Flash")
    assert "options.query_params.key" in key.unauthorized_hint()


def test_credentials_need_no_network_until_first_use(env: dict[str, str], emu: Emulator,
                                                     sa_file: Path) -> None:
    resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    assert emu.requests == []


def test_expired_token_that_cannot_refresh(env: dict[str, str], emu: Emulator, sa_file: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from vdsl.providers import auth_tokens

    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    strategy.headers()
    emu.app.authority._keys.clear()                    # the key is revoked meanwhile
    later = auth_tokens._clock() + 3600
    monkeypatch.setattr(auth_tokens, "_clock", lambda: later)
    with pytest.raises(AuthError) as caught:
        strategy.headers()
    assert str(caught.value).startswith(
        "could not refresh the expired access token from service account "
        "vdsl-test@vdsl-emulator.iam.gserviceaccount.com from options.credentials (file ")
    assert str(caught.value).endswith("(set by options.credentials).")
