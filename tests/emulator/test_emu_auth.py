"""Auth like Google, driven by google-auth for real: JWT grant, metadata server, token checks."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import google.auth.transport.requests
import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from emu_helpers import claude_body, claude_path, gemini_body, gemini_path, openapi_path
from google.auth import compute_engine
from google.auth.compute_engine import _metadata
from google.oauth2 import service_account

from vdsl.emulator import Emulator

SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def _credentials(emulator: Emulator, tmp_path: Path, **kw: Any) -> Any:
    path = emulator.service_account_file(tmp_path)
    return service_account.Credentials.from_service_account_file(str(path), scopes=[SCOPE], **kw)


def _call(emulator: Emulator, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(emulator.url + gemini_path(), json=gemini_body(), headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(key: rsa.RSAPrivateKey, claims: dict[str, Any]) -> str:
    head = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(sig)}"


@pytest.fixture
def signer(emulator: Emulator) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    emulator.register_service_account("sa@p.iam.gserviceaccount.com", pem)
    return key


def _grant(emulator: Emulator, assertion: str) -> httpx.Response:
    return httpx.post(emulator.url + "/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})


def _claims(emulator: Emulator, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "sa@p.iam.gserviceaccount.com", "aud": f"{emulator.url}/token",
              "scope": SCOPE, "iat": now, "exp": now + 3600}
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def test_google_auth_service_account_flow(emulator: Emulator, tmp_path: Path) -> None:
    creds = _credentials(emulator, tmp_path)
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token and creds.expiry is not None
    reply = _call(emulator, creds.token)
    assert reply.status_code == 200, reply.text
    grant = next(r for r in emulator.requests if r.path == "/token")
    assert grant.body["assertion"] == ["<redacted>"]


def test_self_signed_jwt_is_accepted_as_bearer(emulator: Emulator, tmp_path: Path) -> None:
    creds = _credentials(emulator, tmp_path, always_use_jwt_access=True)
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token.count(".") == 2
    assert _call(emulator, creds.token).status_code == 200
    assert not any(r.path == "/token" for r in emulator.requests)


def test_refresh_after_tokens_expire(emulator: Emulator, tmp_path: Path) -> None:
    creds = _credentials(emulator, tmp_path)
    request = google.auth.transport.requests.Request()
    creds.refresh(request)
    old = creds.token
    emulator.expire_tokens()
    assert _call(emulator, old).status_code == 401
    creds.refresh(request)
    assert creds.token != old
    assert _call(emulator, creds.token).status_code == 200


def test_token_lifetime_is_configurable(tmp_path: Path) -> None:
    with Emulator(token_lifetime=120) as emu:
        reply = emu.service_account_file(tmp_path)
        creds = service_account.Credentials.from_service_account_file(str(reply), scopes=[SCOPE])
        creds.refresh(google.auth.transport.requests.Request())
        grant = httpx.post(emu.url + "/_emulator/token").json()
        assert grant["expires_in"] == 120


def test_jwt_signed_by_another_key_is_refused(emulator: Emulator, signer: Any) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    reply = _grant(emulator, _jwt(stranger, _claims(emulator)))
    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}


def test_jwt_with_wrong_audience_is_refused(emulator: Emulator, signer: Any) -> None:
    reply = _grant(emulator, _jwt(signer, _claims(emulator, aud="https://evil.example/token")))
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_grant"
    assert "audience" in reply.json()["error_description"]


@pytest.mark.parametrize("times", [{"exp": 1}, {"iat": 10**10, "exp": 10**10 + 60},
                                   {"exp": int(time.time()) + 7200}])
def test_jwt_with_bad_times_is_refused(emulator: Emulator, signer: Any,
                                       times: dict[str, int]) -> None:
    reply = _grant(emulator, _jwt(signer, _claims(emulator, **times)))
    assert reply.status_code == 400
    assert "short-lived token" in reply.json()["error_description"]


def test_jwt_from_unknown_account_is_refused(emulator: Emulator, signer: Any) -> None:
    reply = _grant(emulator, _jwt(signer, _claims(emulator, iss="nobody@p.iam")))
    assert reply.json()["error"] == "invalid_grant"


def test_jwt_without_scope_is_refused(emulator: Emulator, signer: Any) -> None:
    reply = _grant(emulator, _jwt(signer, _claims(emulator, scope=None)))
    assert reply.json() == {"error": "invalid_scope",
                            "error_description": "Empty or missing scope not allowed."}


def test_token_without_cloud_platform_scope_gets_403(emulator: Emulator, signer: Any) -> None:
    grant = _grant(emulator, _jwt(signer, _claims(
        emulator, scope="https://www.googleapis.com/auth/userinfo.email")))
    assert grant.status_code == 200
    reply = _call(emulator, grant.json()["access_token"])
    assert reply.status_code == 403
    assert reply.json()["error"]["status"] == "PERMISSION_DENIED"


def test_unsupported_grant_type(emulator: Emulator) -> None:
    reply = httpx.post(emulator.url + "/token", data={"grant_type": "password"})
    assert reply.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("token", [None, "ya29.made-up", "a.b.c"])
def test_missing_or_unknown_token_gets_401(emulator: Emulator, token: str | None) -> None:
    reply = _call(emulator, token)
    assert reply.status_code == 401
    error = reply.json()["error"]
    assert error["status"] == "UNAUTHENTICATED" and error["code"] == 401


def test_expired_token_gets_401(emulator: Emulator) -> None:
    assert _call(emulator, emulator.issue_token(lifetime=-1)).status_code == 401


def test_every_family_checks_the_token(emulator: Emulator) -> None:
    calls = [(claude_path(), claude_body()),
             (openapi_path(), {"model": "meta/llama-3.3-70b-instruct-maas",
                               "messages": [{"role": "user", "content": "hi"}]})]
    for path, body in calls:
        assert httpx.post(emulator.url + path, json=body).status_code == 401


def test_metadata_server_with_compute_engine_credentials(
        emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    hostport = emulator.url.removeprefix("http://")
    monkeypatch.setenv("GCE_METADATA_HOST", hostport)
    monkeypatch.setenv("GCE_METADATA_IP", hostport)
    # google-auth reads GCE_METADATA_HOST at import time; point the loaded module at us too.
    monkeypatch.setattr(_metadata, "_GCE_METADATA_HOST", hostport)
    request = google.auth.transport.requests.Request()
    assert _metadata.ping(request)
    creds = compute_engine.Credentials()
    creds.refresh(request)
    assert creds.service_account_email.endswith("gserviceaccount.com")
    assert _call(emulator, creds.token).status_code == 200
    assert _metadata.get_project_id(request) == "vdsl-emulator"


def test_metadata_requires_the_flavor_header(emulator: Emulator) -> None:
    path = "/computeMetadata/v1/instance/service-accounts/default/token"
    assert httpx.get(emulator.url + path).status_code == 403
    ok = httpx.get(emulator.url + path, headers={"Metadata-Flavor": "Google"})
    assert ok.status_code == 200 and ok.headers["metadata-flavor"] == "Google"
    assert ok.json()["token_type"] == "Bearer"


def test_express_mode_takes_an_api_key(emulator: Emulator) -> None:
    path = "/v1/publishers/google/models/gemini-2.5-flash:generateContent"
    by_query = httpx.post(f"{emulator.url}{path}?key={emulator.api_key}", json=gemini_body())
    by_header = httpx.post(emulator.url + path, json=gemini_body(),
                           headers={"x-goog-api-key": emulator.api_key})
    assert by_query.status_code == by_header.status_code == 200
    assert httpx.post(emulator.url + path, json=gemini_body()).status_code == 401
    logged = emulator.requests[0]
    assert logged.query["key"] == ["<redacted>"]
    assert logged.headers.get("x-goog-api-key") is None
    assert emulator.requests[1].headers["x-goog-api-key"] == "<redacted>"


def test_invalid_api_key_gets_400(emulator: Emulator) -> None:
    path = "/v1/publishers/google/models/gemini-2.5-flash:generateContent?key=AIza-wrong"
    reply = httpx.post(emulator.url + path, json=gemini_body())
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == "API key not valid. Please pass a valid API key."


def test_api_key_on_a_partner_model_is_refused(emulator: Emulator) -> None:
    reply = httpx.post(f"{emulator.url}{claude_path()}?key={emulator.api_key}",
                       json=claude_body())
    assert reply.status_code == 401
    assert reply.json()["error"]["message"].startswith("API keys are not supported by this API")


def test_express_mode_serves_only_gemini_models(emulator: Emulator) -> None:
    path = "/v1/publishers/google/models/gemini-1.0-pro:generateContent"
    reply = httpx.post(emulator.url + path, json=gemini_body(),
                       headers={"x-goog-api-key": emulator.api_key})
    assert reply.status_code == 404


def test_lax_mode_accepts_any_caller() -> None:
    with Emulator(require_auth=False) as emu:
        assert _call(emu, None).status_code == 200
        assert _call(emu, "anything").status_code == 200
        express = "/v1/publishers/google/models/gemini-2.5-flash:generateContent?key=whatever"
        assert httpx.post(emu.url + express, json=gemini_body()).status_code == 200
        partner = httpx.post(f"{emu.url}{claude_path()}?key=k", json=claude_body())
        assert partner.status_code == 401
