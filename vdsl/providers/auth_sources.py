"""Credential values → google-auth credentials.

A `credentials` option, `credentials_content`, or the `GOOGLE_APPLICATION_CREDENTIALS*`
variables hold either a JSON document (a string or a map) or a path to one. This module reads
that document and builds the google-auth credentials for its `type`: every type google-auth
knows how to refresh (service_account, authorized_user, external_account,
external_account_authorized_user, impersonated_service_account), always with the
cloud-platform scope. Nothing here talks to the network; tokens are fetched on first use.

Errors are `CredentialsProblem`s whose text never quotes the document (it holds private keys
and refresh tokens): only field names, file paths and JSON error positions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth import credentials as ga_credentials

__all__ = ["CLOUD_PLATFORM", "CredentialsProblem", "Loaded", "content_key", "file_key",
           "is_absent", "load_info", "parse_value", "read_json_file", "redact"]

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
SCOPES = [CLOUD_PLATFORM]

_SECRET_PATTERNS = (
    re.compile(r"-----BEGIN[^-]*-----.*?(-----END[^-]*-----|$)", re.DOTALL),
    re.compile(r"\bya29\.[\w.~+/-]+"),                      # OAuth access tokens
    re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"),              # JWTs (assertions, ID tokens)
    re.compile(r"\b1//[\w.~+/-]+"),                          # refresh tokens
    re.compile(r"\bAIza[\w-]{10,}"),                         # API keys
    re.compile(r"(?i)(\"?(?:access_token|refresh_token|id_token|client_secret|private_key|"
               r"assertion|key)\"?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,&}]+)"),
)


class CredentialsProblem(Exception):
    """A credential value that cannot be used; the text is safe to show."""


@dataclass(frozen=True)
class Loaded:
    """Credentials built from a document, and what may be said about them."""

    credentials: ga_credentials.Credentials
    kind: str                # "service-account", "authorized-user", …
    label: str               # "service account x@p.iam.gserviceaccount.com" (no secrets)
    project_id: str | None


def redact(text: str) -> str:
    """Remove anything that looks like a key, token or secret from `text` (error texts
    from google-auth may quote a response body)."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 2:
            text = pattern.sub(lambda m: m.group(1) + "<redacted>", text)
        else:
            text = pattern.sub("<redacted>", text)
    return text


def is_absent(value: Any) -> bool:
    """Unset, empty, or an env reference that did not resolve (`$VAR`): as in BAML."""
    if value is None:
        return True
    return isinstance(value, str) and (not value.strip() or value.strip().startswith("$"))


def parse_value(value: Any, *, json_only: bool = False) -> dict[str, Any] | Path:
    """A credential value → the JSON document it holds, or the file path it names.

    A doubly-quoted JSON string (how some hosts, e.g. Vercel, store JSON in env vars) is
    unwrapped first. A string that looks like JSON but does not parse is reported as bad
    JSON, never treated as a path: the error would otherwise quote the key as a file name.
    `json_only` settings (`*_CONTENT`) hold the document itself, never a path.
    """
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise CredentialsProblem(
            f"must be a JSON string, a file path or a map, not {type(value).__name__}")
    text = _unwrap_quoted(value.strip())
    if text.startswith(("{", "[")):
        return _json_object(text, "the JSON")
    if json_only:  # never echo the value: it is meant to be the secret itself
        raise CredentialsProblem("is not JSON (this setting holds the credentials JSON "
                                 "itself; a file path goes in `credentials` or "
                                 "GOOGLE_APPLICATION_CREDENTIALS)")
    path = Path(text).expanduser()
    if not _looks_like_path(text) and not path.exists():
        raise CredentialsProblem("is neither JSON nor the path of an existing file "
                                 "(value not shown: it may be a secret)")
    return path


def _looks_like_path(text: str) -> bool:
    """Safe to quote back in an error: a separator or a .json name, one short line
    (a pasted key or token has neither)."""
    return (("/" in text or "\\" in text or text.endswith(".json"))
            and "\n" not in text and len(text) < 1024)


def _unwrap_quoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            inner = json.loads(text)
        except ValueError:
            return text
        if isinstance(inner, str):
            return inner.strip()
    return text


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # position only: exc.doc is the secret itself
        raise CredentialsProblem(
            f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise CredentialsProblem(f"{what} is a JSON {type(data).__name__}, not an object")
    return data


def file_key(path: Path) -> tuple[str, int, int]:
    """(absolute path, mtime, size): a changed file is a new credential."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise CredentialsProblem(f"file {path} does not exist") from None
    except OSError as exc:
        raise CredentialsProblem(f"cannot read file {path}: {exc.strerror}") from None
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def read_json_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialsProblem(f"file {path} does not exist") from None
    except IsADirectoryError:
        raise CredentialsProblem(f"{path} is a directory, not a credentials file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise CredentialsProblem(f"cannot read file {path}: {reason}") from None
    return _json_object(text, f"file {path}")


def content_key(info: Mapping[str, Any]) -> str:
    """A digest of the document, so equal credentials share one token; not reversible."""
    canonical = json.dumps(info, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_info(info: Mapping[str, Any]) -> Loaded:
    """Build google-auth credentials for the document's `type`."""
    kind = info.get("type")
    loader = _LOADERS.get(kind) if isinstance(kind, str) else None
    if loader is None:
        known = ", ".join(sorted(_LOADERS))
        found = f'"type" is {kind!r}' if isinstance(kind, str) else 'there is no "type" field'
        raise CredentialsProblem(f"{found}; expected one of {known}")
    try:
        return loader(dict(info))
    except CredentialsProblem:
        raise
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise CredentialsProblem(f"malformed {kind} credentials: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return redact(text)


def _require(info: Mapping[str, Any], kind: str, *fields: str) -> None:
    missing = [f for f in fields if not isinstance(info.get(f), str) or not info[f].strip()]
    if missing:
        raise CredentialsProblem(f"malformed {kind} credentials: missing or empty field"
                                 f"{'s' * (len(missing) > 1)} {', '.join(missing)}")


def _service_account(info: dict[str, Any]) -> Loaded:
    from google.oauth2 import service_account

    _require(info, "service_account", "client_email", "private_key", "token_uri")
    _check_private_key(info["private_key"])
    creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    email = info["client_email"]
    return Loaded(creds, "service-account", f"service account {email}", info.get("project_id"))


def _check_private_key(pem: str) -> None:
    """Fail at load time, with a clear message, instead of at the first token request."""
    from google.auth import crypt

    try:
        crypt.RSASigner.from_string(pem)
    except (ValueError, TypeError, IndexError):
        raise CredentialsProblem("malformed service_account credentials: private_key is not "
                                 "a valid PEM RSA private key") from None


def _authorized_user(info: dict[str, Any]) -> Loaded:
    from google.oauth2 import credentials as user_credentials

    _require(info, "authorized_user", "client_id", "client_secret", "refresh_token")
    creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
    account = info.get("account") or ""
    label = f"authorized user {account}".strip()
    return Loaded(creds, "authorized-user", label, info.get("quota_project_id"))


def _external_account(info: dict[str, Any]) -> Loaded:
    """Workload identity federation: AWS, an executable, or a file/URL subject token."""
    _require(info, "external_account", "audience", "subject_token_type", "token_url")
    source = info.get("credential_source")
    creds: ga_credentials.Credentials
    if info["subject_token_type"] == "urn:ietf:params:aws:token-type:aws4_request":
        from google.auth import aws
        creds = aws.Credentials.from_info(info, scopes=SCOPES)
    elif isinstance(source, Mapping) and source.get("executable") is not None:
        from google.auth import pluggable
        creds = pluggable.Credentials.from_info(info, scopes=SCOPES)
    else:
        from google.auth import identity_pool
        creds = identity_pool.Credentials.from_info(info, scopes=SCOPES)
    target = _impersonation_target(info.get("service_account_impersonation_url"))
    label = "external account (workload identity federation)"
    label += f" as {target}" if target else f" for {info['audience']}"
    return Loaded(creds, "external-account", label, info.get("quota_project_id"))


def _external_authorized_user(info: dict[str, Any]) -> Loaded:
    from google.auth import external_account_authorized_user as ext_user

    _require(info, "external_account_authorized_user", "audience", "token_url")
    info.setdefault("scopes", SCOPES)
    creds = ext_user.Credentials.from_info(info)
    return Loaded(creds, "external-account-authorized-user",
                  f"external account authorized user for {info['audience']}",
                  info.get("quota_project_id"))


def _impersonated(info: dict[str, Any]) -> Loaded:
    from google.auth import impersonated_credentials

    _require(info, "impersonated_service_account", "service_account_impersonation_url")
    if not isinstance(info.get("source_credentials"), Mapping):
        raise CredentialsProblem("malformed impersonated_service_account credentials: "
                                 "missing field source_credentials")
    cls = impersonated_credentials.Credentials
    creds = cls.from_impersonated_service_account_info(info, scopes=SCOPES)
    target = _impersonation_target(info["service_account_impersonation_url"]) or "?"
    return Loaded(creds, "impersonated", f"impersonated service account {target}",
                  info.get("quota_project_id"))


def _impersonation_target(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    match = re.search(r"/serviceAccounts/([^/:]+):generateAccessToken", url)
    return match.group(1) if match else None


_LOADERS: dict[str, Callable[[dict[str, Any]], Loaded]] = {
    "service_account": _service_account,
    "authorized_user": _authorized_user,
    "external_account": _external_account,
    "external_account_authorized_user": _external_authorized_user,
    "impersonated_service_account": _impersonated,
}
