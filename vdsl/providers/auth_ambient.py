"""Credentials the machine provides: the ADC file, the metadata server, `gcloud`.

These are the last steps of the resolution order (google-auth's default chain, then the
gcloud CLI). They are implemented over google-auth's `Credentials` base class rather than
`google.auth.default()` / `google.auth.compute_engine` for three reasons:

* they consult the `env` mapping vdsl is given (a Runtime may override the process
  environment), where google-auth reads `os.environ`, and the metadata host only once, at
  import time;
* `google.auth.compute_engine` imports `requests`, which vdsl does not depend on; token
  traffic goes through the httpx transport instead;
* a machine that is not on Google Cloud is detected once a minute at most, and a probe
  that times out is not retried (google-auth waits up to 3 × 3 s on every resolution).

The metadata protocol is google-auth's (docs/wire.md, "Tokens and auth on the wire"): `Metadata-Flavor: Google` on
the request and required on the reply, `GCE_METADATA_HOST` / `GCE_METADATA_ROOT` /
`GCE_METADATA_IP` / `GCE_METADATA_TIMEOUT` / `NO_GCE_CHECK` as google-auth reads them.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from google.auth import credentials as ga_credentials
from google.auth import exceptions, transport

from .auth_sources import CLOUD_PLATFORM, redact

__all__ = ["GcloudCredentials", "MetadataCredentials", "MetadataServer", "adc_path",
           "find_gcloud"]

ADC_FILE = "application_default_credentials.json"
DEFAULT_METADATA_HOST = "metadata.google.internal"
DEFAULT_METADATA_IP = "169.254.169.254"
GCLOUD_TIMEOUT = 30.0
GCLOUD_TOKEN_TTL = 300.0
"""gcloud does not say when its token expires; ask it again after this many seconds (it
hands back its own cached token until that nears expiry, so asking is cheap)."""

NEGATIVE_PROBE_TTL = 60.0
"""Seconds a failed metadata-server probe is remembered."""

_ping_cache: dict[str, tuple[str, float]] = {}
_ping_lock = threading.Lock()


def adc_path(env: Mapping[str, str]) -> Path:
    """Where `gcloud auth application-default login` writes its file (google-auth's rule)."""
    config = env.get("CLOUDSDK_CONFIG")
    if config:
        return Path(config) / ADC_FILE
    if os.name == "nt":
        base = env.get("APPDATA") or os.path.expanduser("~")
        return Path(base) / "gcloud" / ADC_FILE
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".config" / "gcloud" / ADC_FILE


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text else default
    except ValueError:
        return default


def _utcnow() -> datetime.datetime:
    """Naive UTC, the convention of google-auth's `expiry`."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# --- metadata server ------------------------------------------------------------------


@dataclass(frozen=True)
class MetadataServer:
    """Where the metadata server is, per the environment."""

    host: str
    ping_host: str
    timeout: float
    attempts: int = 3
    disabled: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MetadataServer:
        host = env.get("GCE_METADATA_HOST") or env.get("GCE_METADATA_ROOT")
        ip = env.get("GCE_METADATA_IP") or host or DEFAULT_METADATA_IP
        return cls(host or DEFAULT_METADATA_HOST, ip,
                   timeout=_number(env.get("GCE_METADATA_TIMEOUT"), 3.0),
                   attempts=max(1, int(_number(env.get("GCE_METADATA_DETECT_RETRIES"), 3))),
                   disabled=env.get("NO_GCE_CHECK") == "true")

    @property
    def root(self) -> str:
        return f"http://{self.host}/computeMetadata/v1/"

    def unavailable(self, request: transport.Request) -> str | None:
        """None when the server answers like Google's; else why not. A negative answer is
        remembered for a minute, so a laptop does not wait for the probe on every resolve."""
        if self.disabled:
            return "skipped (NO_GCE_CHECK=true)"
        with _ping_lock:
            cached = _ping_cache.get(self.ping_host)
        if cached is not None and time.monotonic() - cached[1] < NEGATIVE_PROBE_TTL:
            return cached[0]
        reason = self._ping(request)
        with _ping_lock:
            if reason is None:
                _ping_cache.pop(self.ping_host, None)
            else:
                _ping_cache[self.ping_host] = (reason, time.monotonic())
        return reason

    def _ping(self, request: transport.Request) -> str | None:
        """Up to `attempts` tries, as google-auth; a timeout ends the probe at once (a server
        slower than the timeout is no use, and a laptop must not wait 3 x 3 s)."""
        reason = f"no answer from {self.ping_host}"
        for _ in range(self.attempts):
            try:
                response = request(url=f"http://{self.ping_host}/", method="GET",
                                   headers={"Metadata-Flavor": "Google"}, timeout=self.timeout)
            except exceptions.TransportError as exc:
                if isinstance(exc.__cause__, httpx.TimeoutException):
                    return f"no answer from {self.ping_host} within {self.timeout:g}s"
                continue
            if response.status == 200 and response.headers.get("Metadata-Flavor") == "Google":
                return None
            return f"{self.ping_host} is not a metadata server (HTTP {response.status})"
        return reason

    def get(self, request: transport.Request, path: str, query: str = "") -> str:
        """GET one value; raises `TransportError` for anything but a Google 200."""
        url = self.root + path + (f"?{query}" if query else "")
        response = request(url=url, method="GET", headers={"Metadata-Flavor": "Google"},
                           timeout=self.timeout)
        if response.status != 200 or response.headers.get("Metadata-Flavor") != "Google":
            raise exceptions.TransportError(
                f"metadata server at {self.host} answered HTTP {response.status} for {path}")
        data = response.data
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def get_optional(self, request: transport.Request, path: str) -> str | None:
        try:
            return self.get(request, path).strip() or None
        except exceptions.TransportError:
            return None


class MetadataCredentials(ga_credentials.Credentials):
    """The attached service account's tokens, from the metadata server."""

    def __init__(self, server: MetadataServer) -> None:
        super().__init__()
        self.server = server

    def refresh(self, request: transport.Request) -> None:
        path = "instance/service-accounts/default/token"
        try:
            raw = self.server.get(request, path, f"scopes={CLOUD_PLATFORM}")
            payload: dict[str, Any] = json.loads(raw)
            token, lifetime = payload["access_token"], float(payload["expires_in"])
        except exceptions.TransportError as exc:
            raise exceptions.RefreshError(str(exc)) from None
        except (ValueError, KeyError, TypeError):
            raise exceptions.RefreshError(
                f"metadata server at {self.server.host} sent an unreadable token reply"
            ) from None
        self.token = token
        self.expiry = _utcnow() + datetime.timedelta(seconds=lifetime)


# --- gcloud -----------------------------------------------------------------------------


def find_gcloud(env: Mapping[str, str]) -> str | None:
    return shutil.which("gcloud", path=env.get("PATH", os.environ.get("PATH")))


class GcloudCredentials(ga_credentials.Credentials):
    """Tokens from `gcloud auth print-access-token` (the last resort, as in BAML)."""

    def __init__(self, executable: str, env: Mapping[str, str]) -> None:
        super().__init__()
        self.executable = executable
        self._env = {**os.environ, **env}

    def refresh(self, request: transport.Request) -> None:
        try:
            done = subprocess.run([self.executable, "auth", "print-access-token"],
                                  capture_output=True, text=True, timeout=GCLOUD_TIMEOUT,
                                  env=self._env, check=False)
        except subprocess.TimeoutExpired:
            raise exceptions.RefreshError(
                f"gcloud auth print-access-token took longer than {GCLOUD_TIMEOUT:g}s") from None
        except OSError as exc:
            raise exceptions.RefreshError(f"cannot run {self.executable}: {exc.strerror}") from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token or len(token.split()) != 1:
            raise exceptions.RefreshError(_gcloud_failure(done))
        self.token = token
        self.expiry = _utcnow() + datetime.timedelta(seconds=GCLOUD_TOKEN_TTL)


def _gcloud_failure(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    # gcloud says what is wrong on its `ERROR:` line; the lines after it are advice
    # ("Please run: …  to select an already authenticated account to use.")
    said = next((line for line in lines if line.startswith("ERROR:")), lines[0] if lines else "")
    said = re.sub(r"^ERROR:\s*(\(gcloud[\w.-]*\)\s*)?", "", said)
    detail = redact(said)[:300] if said else "no output"
    return f"gcloud auth print-access-token exited with status {done.returncode}: {detail}"


def clear_caches() -> None:
    """Forget metadata-server probes (tests; a process that moved is not a use case)."""
    with _ping_lock:
        _ping_cache.clear()
