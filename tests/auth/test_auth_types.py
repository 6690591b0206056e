"""Credential types beyond service accounts: user ADC, impersonation, workload identity.

The emulator serves only the JWT-bearer grant, so these load and fail with a clear error
instead of getting a token. google-auth ignores the document's token URI for user
credentials and derives the IAM URL itself (a safety rule), so the tests point google-auth's
own endpoint constants at the emulator to stay on loopback.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import sa_info, token_requests

from vdsl.emulator import Emulator
from vdsl.errors import AuthError
from vdsl.providers.auth import resolve_auth

AUDIENCE = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q"
REFRESH_TOKEN = "1//0gUSER-REFRESH-TOKEN-secret"
CLIENT_SECRET = "d-FL95Q19q7MQmFpd7hHD0Ty"


@pytest.fixture
def user_info(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from google.oauth2 import credentials

    monkeypatch.setattr(credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", f"{emu.url}/token")
    return {"type": "authorized_user", "client_id": "123.apps.googleusercontent.com",
            "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
            "quota_project_id": "billing-project", "account": "dev@example.com"}


def test_authorized_user_adc_file_loads(env: dict[str, str], user_info: dict[str, Any]) -> None:
    adc = Path(env["CLOUDSDK_CONFIG"]) / "application_default_credentials.json"
    adc.write_text(json.dumps(user_info))
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.kind == "authorized-user"
    assert strategy.description == f"authorized user dev@example.com from ADC file {adc}"
    assert strategy.project_id == "billing-project"


def test_authorized_user_refresh_error_is_clear(env: dict[str, str], emu: Emulator,
                                                user_info: dict[str, Any]) -> None:
    """The emulator refuses the refresh_token grant: the error says who and what to do."""
    strategy = resolve_auth({"credentials": user_info}, env, client_name="Flash")
    with pytest.raises(AuthError) as caught:
        strategy.headers()
    message = str(caught.value)
    assert message.startswith("could not get an access token from authorized user "
                              "dev@example.com from options.credentials (map): ")
    assert "unsupported_grant_type" in message
    assert "gcloud auth application-default login" in message
    assert caught.value.setting == "options.credentials"
    assert REFRESH_TOKEN not in message and CLIENT_SECRET not in message
    assert token_requests(emu) == 1


def test_user_credentials_send_their_quota_project(env: dict[str, str],
                                                   user_info: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from google.oauth2 import credentials

    def refresh(self: Any, request: Any) -> None:
        self.token = "ya29.user-token"
        self.expiry = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) \
            + datetime.timedelta(hours=1)

    monkeypatch.setattr(credentials.Credentials, "refresh", refresh)
    strategy = resolve_auth({"credentials": user_info}, env, client_name="Flash")
    assert strategy.headers() == {"authorization": "Bearer ya29.user-token",
                                  "x-goog-user-project": "billing-project"}


def test_authorized_user_without_refresh_token_is_malformed(env: dict[str, str],
                                                           user_info: dict[str, Any]) -> None:
    del user_info["refresh_token"]
    with pytest.raises(AuthError, match="missing or empty field refresh_token") as caught:
        resolve_auth({"credentials": user_info}, env, client_name="Flash")
    assert caught.value.setting == "options.credentials"


def test_impersonated_service_account(env: dict[str, str], emu: Emulator, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth import iam

    monkeypatch.setattr(iam, "_IAM_ENDPOINT",
                        emu.url + "/v1/projects/-/serviceAccounts/{}:generateAccessToken")
    source = sa_info(emu, tmp_path / "source", "source@p.iam.gserviceaccount.com")
    info = {"type": "impersonated_service_account", "delegates": [], "source_credentials": source,
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/"
            "projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken"}
    env["GOOGLE_APPLICATION_CREDENTIALS"] = json.dumps(info)
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.kind == "impersonated"
    assert strategy.description.startswith(
        "impersonated service account target@p.iam.gserviceaccount.com from env "
        "GOOGLE_APPLICATION_CREDENTIALS")
    with pytest.raises(AuthError, match="roles/iam.serviceAccountTokenCreator"):
        strategy.headers()
    paths = [r.path for r in emu.requests]
    assert paths[0] == "/token"                # the source identity got its token …
    assert paths[1].endswith("target@p.iam.gserviceaccount.com:generateAccessToken")  # … then


def test_external_account_workload_identity(env: dict[str, str], emu: Emulator,
                                            tmp_path: Path) -> None:
    subject = tmp_path / "subject-token"
    subject.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    info = {"type": "external_account", "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": f"{emu.url}/token", "credential_source": {"file": str(subject)}}
    strategy = resolve_auth({"credentials_content": json.dumps(info)}, env, client_name="F")
    assert strategy.kind == "external-account"
    assert strategy.description.startswith(f"external account (workload identity federation) "
                                           f"for {AUDIENCE}")
    with pytest.raises(AuthError, match="unsupported_grant_type") as caught:
        strategy.headers()
    assert "eyJhbGciOiJSUzI1NiJ9" not in str(caught.value)
    exchange = next(r for r in emu.requests if r.path == "/token")
    assert exchange.body["grant_type"] == ["urn:ietf:params:oauth:grant-type:token-exchange"]


def test_external_account_with_executable_source_loads(env: dict[str, str]) -> None:
    info = {"type": "external_account", "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": "https://sts.googleapis.com/v1/token",
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/"
            "projects/-/serviceAccounts/wif@p.iam.gserviceaccount.com:generateAccessToken",
            "credential_source": {"executable": {"command": "/bin/true"}}}
    strategy = resolve_auth({"credentials": info}, env, client_name="Flash")
    assert strategy.kind == "external-account"
    assert "as wif@p.iam.gserviceaccount.com" in strategy.description


def test_external_account_authorized_user_loads(env: dict[str, str]) -> None:
    info = {"type": "external_account_authorized_user", "audience": AUDIENCE,
            "refresh_token": "refresh-secret", "client_id": "c", "client_secret": "s",
            "token_url": "https://sts.googleapis.com/v1/oauthtoken",
            "token_info_url": "https://sts.googleapis.com/v1/introspect"}
    strategy = resolve_auth({"credentials": info}, env, client_name="Flash")
    assert strategy.kind == "external-account-authorized-user"
