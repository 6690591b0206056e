"""Authentication like Google: an OAuth token endpoint, a metadata server, and token checks.

The token endpoint takes the service-account JWT grant google-auth sends (docs/wire.md,
"Tokens and auth on the wire"), verifies it (RS256 against the registered public key, `aud`, `scope`, `iat`/`exp`)
and issues opaque access tokens that expire. Every Vertex call then needs a live token, a
self-signed JWT from a registered key, or (Gemini only) an API key. The metadata server
hands out tokens to `google.auth.compute_engine.Credentials`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import errors
from .reply import Reply, Request, json_reply, text_reply
from .routes import Route

__all__ = ["CLOUD_PLATFORM", "Authority", "generate_service_account"]

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_JWT_LIFETIME = 3600
CLOCK_SKEW = 300
SELF_SIGNED_AUDIENCES = ("https://aiplatform.googleapis.com/",
                         "https://aiplatform.googleapis.com")


@dataclass(frozen=True)
class TokenInfo:
    principal: str
    scopes: tuple[str, ...]
    expiry: float


class JwtError(Exception):
    """Why an assertion was refused: `(oauth error code, Google's description)`."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class Authority:
    """Who may call: registered service-account keys, issued tokens, API keys."""

    def __init__(self, *, require_auth: bool = True, token_lifetime: int = 3600,
                 project_id: str = "vdsl-emulator",
                 metadata_email: str = "default@vdsl-emulator.iam.gserviceaccount.com") -> None:
        self.require_auth = require_auth
        self.token_lifetime = token_lifetime
        self.project_id = project_id
        self.metadata_email = metadata_email
        self.token_uri = ""
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._tokens: dict[str, TokenInfo] = {}
        self._api_keys: set[str] = set()
        self._lock = threading.Lock()

    # --- registration ------------------------------------------------------------------

    def register_service_account(self, client_email: str, public_key_pem: str | bytes) -> None:
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise TypeError("service-account keys must be RSA")
        self._keys[client_email] = key

    def add_api_key(self, key: str) -> None:
        self._api_keys.add(key)

    def issue_token(self, principal: str = "test@vdsl-emulator.iam.gserviceaccount.com",
                    scopes: tuple[str, ...] = (CLOUD_PLATFORM,),
                    lifetime: float | None = None) -> str:
        """Mint an access token directly (lifetime ≤ 0 gives an already-expired token)."""
        token = "ya29.emu-" + secrets.token_urlsafe(24)
        life = self.token_lifetime if lifetime is None else lifetime
        with self._lock:
            self._tokens[token] = TokenInfo(principal, tuple(scopes), time.time() + life)
        return token

    def expire_tokens(self) -> None:
        """Make every issued token expired (tests of refresh after a 401)."""
        with self._lock:
            self._tokens = {t: TokenInfo(i.principal, i.scopes, 0.0)
                            for t, i in self._tokens.items()}

    # --- token endpoint ----------------------------------------------------------------

    def handle_token(self, request: Request) -> Reply:
        """POST /token: the OAuth 2.0 JWT-bearer grant, answered like oauth2.googleapis.com."""
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant != JWT_GRANT:
            return errors.oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
        assertion = form.get("assertion")
        if not assertion:
            return errors.oauth_error("invalid_request", "Missing required parameter: assertion")
        try:
            claims = self.verify_jwt(assertion, audiences=self._token_audiences())
        except JwtError as exc:
            return errors.oauth_error(exc.code, exc.description)
        scopes = tuple(str(claims.get("scope", "")).split())
        if not scopes:
            return errors.oauth_error("invalid_scope", "Empty or missing scope not allowed.")
        token = self.issue_token(claims["iss"], scopes)
        return json_reply({"access_token": token, "expires_in": self.token_lifetime,
                           "token_type": "Bearer"})

    def _token_audiences(self) -> tuple[str, ...]:
        return (self.token_uri, "https://oauth2.googleapis.com/token")

    def verify_jwt(self, assertion: str, audiences: tuple[str, ...] | None) -> dict[str, Any]:
        """Check signature, issuer, audience (unless None) and lifetime; return the claims."""
        try:
            head_b64, body_b64, sig_b64 = assertion.split(".")
            header = json.loads(_b64decode(head_b64))
            claims = json.loads(_b64decode(body_b64))
            signature = _b64decode(sig_b64)
        except ValueError:
            raise JwtError("invalid_grant", "Invalid JWT: could not decode assertion.") from None
        if header.get("alg") != "RS256":
            raise JwtError("invalid_grant", "Invalid JWT Signature.")
        key = self._keys.get(str(claims.get("iss")))
        if key is None:
            raise JwtError("invalid_grant", "Invalid grant: account not found")
        try:
            key.verify(signature, f"{head_b64}.{body_b64}".encode(),
                       padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise JwtError("invalid_grant", "Invalid JWT Signature.") from None
        _check_lifetime(claims)
        if audiences is not None and claims.get("aud") not in audiences:
            raise JwtError("invalid_grant", "Invalid JWT: Failed audience check. The right "
                           f"audience is {audiences[0]}")
        return claims

    # --- metadata server ---------------------------------------------------------------

    def handle_metadata(self, request: Request) -> Reply:
        """GET /computeMetadata/v1/…: the GCE metadata server subset google-auth uses."""
        if request.header("metadata-flavor") != "Google":
            return text_reply("Missing required header: Metadata-Flavor\n", 403)
        path = request.path.removeprefix("/computeMetadata/v1/")
        account = "instance/service-accounts/"
        if path.startswith(account):
            return self._metadata_account(path.removeprefix(account), request)
        values = {"project/project-id": self.project_id,
                  "project/numeric-project-id": "123456789012",
                  "universe/universe-domain": "googleapis.com"}
        if path in values:
            return _metadata_text(values[path])
        return _metadata_text("Not Found\n", 404)

    def _metadata_account(self, rest: str, request: Request) -> Reply:
        name, _, leaf = rest.partition("/")
        if name not in ("default", self.metadata_email):
            return _metadata_text("Not Found\n", 404)
        if leaf == "token":
            scopes = tuple((request.param("scopes") or CLOUD_PLATFORM).split(","))
            token = self.issue_token(self.metadata_email, scopes)
            return _metadata_json({"access_token": token, "expires_in": self.token_lifetime,
                                   "token_type": "Bearer"})
        if leaf == "email":
            return _metadata_text(self.metadata_email)
        if leaf == "":
            return _metadata_json({"aliases": ["default"], "email": self.metadata_email,
                                   "scopes": [CLOUD_PLATFORM]})
        return _metadata_text("Not Found\n", 404)

    # --- checks on Vertex calls --------------------------------------------------------

    def check(self, route: Route, request: Request) -> Reply | None:
        """None when the caller may proceed; else Vertex's 400/401/403 reply."""
        key = request.param("key") or request.header("x-goog-api-key")
        bearer = _bearer(request.header("authorization"))
        gemini = route.family == "gemini" and route.publisher == "google"
        if key and not bearer and not gemini:
            return _unauthenticated(errors.API_KEY_NOT_SUPPORTED, "CREDENTIALS_MISSING")
        if key and (route.express or not bearer):
            return self._check_key(key)
        if route.express:
            return None if not self.require_auth else _unauthenticated(
                errors.MISSING_CREDENTIALS, "CREDENTIALS_MISSING")
        if not self.require_auth:
            return None
        if bearer is None:
            return _unauthenticated(errors.MISSING_CREDENTIALS, "CREDENTIALS_MISSING")
        return self._check_bearer(bearer)

    def check_resource(self, request: Request) -> Reply | None:
        """Non-model resources (storage, jobs, caches) take an OAuth token, never an API key."""
        if not self.require_auth:
            return None
        bearer = _bearer(request.header("authorization"))
        if bearer is None:
            return _unauthenticated(errors.MISSING_CREDENTIALS, "CREDENTIALS_MISSING")
        return self._check_bearer(bearer)

    def _check_key(self, key: str) -> Reply | None:
        if not self.require_auth or key in self._api_keys:
            return None
        return errors.google_error(400, errors.API_KEY_INVALID,
                                   details=[errors.error_info("API_KEY_INVALID")])

    def _check_bearer(self, token: str) -> Reply | None:
        info = self._tokens.get(token)
        if info is None and token.count(".") == 2:
            info = self._self_signed(token)
        if info is None or info.expiry <= time.time():
            return _unauthenticated(errors.DEFAULT_MESSAGES[401], "ACCESS_TOKEN_EXPIRED"
                                    if info else "ACCESS_TOKEN_TYPE_UNSUPPORTED")
        if CLOUD_PLATFORM not in info.scopes:
            return errors.google_error(403, errors.INSUFFICIENT_SCOPES, details=[
                errors.error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT")])
        return None

    def _self_signed(self, token: str) -> TokenInfo | None:
        """A self-signed JWT used directly as the bearer (AIP-4111), when its key is known.

        google-auth sends one with either a `scope` claim or the API as `aud`.
        """
        try:
            claims = self.verify_jwt(token, audiences=None)
        except JwtError:
            return None
        if claims.get("aud") not in SELF_SIGNED_AUDIENCES and not claims.get("scope"):
            return None
        scopes = tuple(str(claims.get("scope") or CLOUD_PLATFORM).split())
        return TokenInfo(str(claims["iss"]), scopes, float(claims["exp"]))


def _check_lifetime(claims: dict[str, Any]) -> None:
    now = time.time()
    try:
        iat, exp = float(claims["iat"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        iat, exp = 0.0, 0.0
    if iat > now + CLOCK_SKEW or exp < now or exp - iat > MAX_JWT_LIFETIME + 1:
        raise JwtError("invalid_grant", (
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim."))


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _unauthenticated(message: str, reason: str) -> Reply:
    challenge = 'Bearer realm="https://accounts.google.com/"'
    return errors.google_error(401, message, details=[errors.error_info(reason)],
                               headers={"WWW-Authenticate": challenge})


def _metadata_text(text: str, status: int = 200) -> Reply:
    return text_reply(text, status, "application/text", {"Metadata-Flavor": "Google"})


def _metadata_json(payload: dict[str, Any]) -> Reply:
    return json_reply(payload, headers={"Metadata-Flavor": "Google"})


def generate_service_account(token_uri: str, client_email: str,
                             project_id: str) -> tuple[dict[str, str], str]:
    """A fresh RSA key as a service-account JSON dict, plus its public key PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    info = {
        "type": "service_account", "project_id": project_id,
        "private_key_id": secrets.token_hex(20), "private_key": private_pem,
        "client_email": client_email, "client_id": str(secrets.randbelow(10**20)),
        "token_uri": token_uri, "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    }
    return info, public_pem
