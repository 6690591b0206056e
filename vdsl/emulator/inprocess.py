"""The in-process emulator: `with Emulator() as emu: …` for tests, benchmarks and samples.

It owns an `EmulatorServer` on a real loopback socket, served from a daemon thread, and
exposes the knobs tests need: fixtures, scripted faults, credentials, and the request log.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

from ..providers.catalog import ModelInfo
from .app import App
from .auth import CLOUD_PLATFORM, Authority, generate_service_account
from .cassettes import Recorded
from .faults import Fault, parse_fault
from .fixtures import Fixture, load_fixtures, parse_fixture
from .hosts import HostCheck, is_loopback_bind
from .orgpolicy import OrgPolicy
from .requestlog import LoggedRequest, RequestLog
from .server import MAX_BODY_BYTES, EmulatorServer
from .state import StateStore

__all__ = ["Emulator"]


class Emulator:
    """A loopback Vertex AI on a real socket, for tests, benchmarks and samples.

        with Emulator() as emu:
            creds_path = emu.service_account_file(tmp_path)   # google-auth works against it
            httpx.post(f"{emu.url}/v1/projects/p/locations/us-central1/publishers/google/"
                       "models/gemini-2.5-flash:generateContent", ...)
            assert emu.requests[-1].body["contents"][0]["role"] == "user"

    `require_auth=True` (the default here) checks credentials like Google; the CLI defaults
    to accepting any caller, since offline users have no service account. `state_dir` keeps
    the resources it creates (batch jobs, buckets, caches) between processes; without it they
    live in a temporary folder removed on `stop()`. `org_policy` makes it refuse what a
    locked-down organization refuses (the global endpoint, resources outside some locations).
    A `host` other than loopback needs `require_auth=True`; `allowed_hosts` names the Host
    headers answered besides IP addresses and `localhost` (see `hosts.py`).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, require_auth: bool = True,
                 fixtures: str | Path | list[Fixture] | None = None, token_lifetime: int = 3600,
                 check_regions: bool = False, max_body_bytes: int = MAX_BODY_BYTES,
                 log_limit: int = 10_000, project_id: str = "vdsl-emulator",
                 state_dir: str | Path | None = None,
                 org_policy: OrgPolicy | None = None,
                 allowed_hosts: tuple[str, ...] = ()) -> None:
        if not require_auth and not is_loopback_bind(host):
            raise ValueError(f"binding {host} makes the emulator reachable from other "
                             "machines; that needs strict auth (--strict-auth)")
        self.host, self._port = host, port
        self._host_check = HostCheck(allowed_hosts)
        self.project_id = project_id
        self.app = App(authority=Authority(require_auth=require_auth,
                                           token_lifetime=token_lifetime,
                                           project_id=project_id),
                       log=RequestLog(log_limit), check_regions=check_regions,
                       state=StateStore(state_dir), org_policy=org_policy or OrgPolicy())
        self.api_key = "AIza-emu-" + secrets.token_urlsafe(16)
        self.app.authority.add_api_key(self.api_key)
        self._max_body = max_body_bytes
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        if isinstance(fixtures, str | Path):
            self.load_fixtures(fixtures)
        for fixture in fixtures if isinstance(fixtures, list) else []:
            self.app.fixtures.add(fixture)

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self (port 0 picks a free port)."""
        if self._server is not None:
            return self
        self._server = EmulatorServer((self.host, self._port), self.app, self._max_body,
                                      self._host_check)
        self.app.authority.token_uri = f"{self.url}/token"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="vdsl-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close open keep-alive connections, release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.state.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:8790 (what VDSL_VERTEX_ENDPOINT should hold)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment that points vdsl (and google-auth's metadata lookup) at this emulator."""
        hostport = self.url.removeprefix("http://")
        return {"VDSL_VERTEX_ENDPOINT": self.url, "GCE_METADATA_HOST": hostport,
                "GCE_METADATA_IP": hostport}

    # --- request log -------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request received so far (secrets redacted), oldest first."""
        return self.app.log.entries()

    def clear_requests(self) -> None:
        self.app.log.clear()

    # --- replies and faults ------------------------------------------------------------

    def add_fixture(self, reply: str | dict[str, Any] = "", *, model: str | None = None,
                    prompt: str | None = None, regex: str | None = None,
                    fault: str | dict[str, Any] | Fault | None = None,
                    times: int | None = None) -> None:
        """Answer matching requests with `reply` (text, or a mapping as in fixture files)."""
        entry: dict[str, Any] = {"reply": reply, "model": model, "prompt": prompt,
                                 "regex": regex, "times": times}
        fixture = parse_fixture({k: v for k, v in entry.items() if v is not None})
        if fault is not None:
            fixture.answer = replace(fixture.answer, fault=parse_fault(fault))
        self.app.fixtures.add(fixture)

    def load_fixtures(self, path: str | Path) -> int:
        """Add every fixture of a JSON/YAML file; returns how many."""
        loaded = load_fixtures(path)
        for fixture in loaded:
            self.app.fixtures.add(fixture)
        return len(loaded)

    def clear_fixtures(self) -> None:
        self.app.fixtures.clear()

    def load_cassette(self, name: str, exchanges: list[Recorded]) -> None:
        """Answer requests that carry `x-vdsl-cassette: name` with these recorded replies, in
        order (and a 409 naming the cassette as stale once they run out)."""
        self.app.cassettes.load(name, exchanges)

    def script(self, faults: list[Fault | str | dict[str, Any] | int | None]) -> None:
        """Queue faults for the next Vertex calls, in order (None or Fault() = normal reply)."""
        self.app.script.extend(list(faults))

    def clear_script(self) -> None:
        self.app.script.clear()

    def add_model(self, info: ModelInfo) -> None:
        """Serve a model the catalog does not list (e.g. a brand-new id)."""
        self.app.extra_models[info.id] = info
        self.app.extra_models[info.base_id] = info

    # --- credentials -------------------------------------------------------------------

    def register_service_account(self, client_email: str, public_key_pem: str | bytes) -> None:
        self.app.authority.register_service_account(client_email, public_key_pem)

    def service_account_file(self, directory: str | Path,
                             client_email: str = "vdsl-test@vdsl-emulator.iam.gserviceaccount.com"
                             ) -> Path:
        """Write a fresh service-account key JSON (token_uri → this emulator); return its path."""
        info, public_pem = generate_service_account(f"{self.url}/token", client_email,
                                                    self.project_id)
        self.register_service_account(client_email, public_pem)
        path = Path(directory) / f"{client_email.split('@')[0]}-key.json"
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    def issue_token(self, scopes: tuple[str, ...] = (CLOUD_PLATFORM,),
                    lifetime: float | None = None) -> str:
        """An access token the emulator accepts (lifetime ≤ 0: already expired)."""
        return self.app.authority.issue_token(scopes=scopes, lifetime=lifetime)

    def expire_tokens(self) -> None:
        """Expire every token issued so far (the next call with one gets a 401)."""
        self.app.authority.expire_tokens()

    def add_api_key(self, key: str) -> None:
        self.app.authority.add_api_key(key)
