"""The emulator's request pipeline, free of sockets: Request → (Reply, Fault).

Order matters and mirrors Vertex: route (404) → fault spec → auth (401/403) → injected
status → body checks → family handler (404 model, 400 body) → fixture faults. The server
then applies the timing and transport faults (delay, chunk_delay, reset) while writing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from ..providers.catalog import ModelInfo, lookup
from . import (
    ai21,
    anthropic,
    batch,
    bigquery,
    caching,
    errors,
    gemini,
    mistral,
    openai_compat,
    storage,
)
from .auth import Authority
from .cassettes import CASSETTE_HEADER, CassetteDeck
from .common import Context
from .faults import Fault, FaultError, FaultScript, apply_content, parse_fault
from .fixtures import FixtureError, FixtureSet, parse_fixture
from .orgpolicy import OrgPolicy
from .reply import Reply, Request, json_reply, text_reply
from .requestlog import LoggedRequest, RequestLog
from .routes import Route, match_route
from .state import StateStore

__all__ = ["SERVICES", "App", "Service"]

Service = Callable[["App", Request], Reply | None]
"""A non-model API the emulator serves (Cloud Storage, batch jobs, cached contents…): it
answers the requests it owns and returns None for the rest. Register it in `SERVICES`."""

SERVICES: list[Service] = [storage.serve, bigquery.serve, batch.serve, caching.serve]

HANDLERS: dict[str, Callable[[Context], Reply]] = {
    "gemini": gemini.handle, "anthropic": anthropic.handle, "openapi": openai_compat.handle,
    "mistral": mistral.handle, "ai21": ai21.handle,
}
FAULT_HEADER = "x-vdsl-fault"
FAULT_PARAM = "vdsl_fault"


@dataclass
class App:
    """Everything the emulator knows, and `handle()` to answer one request."""

    authority: Authority = field(default_factory=Authority)
    fixtures: FixtureSet = field(default_factory=FixtureSet)
    script: FaultScript = field(default_factory=FaultScript)
    log: RequestLog = field(default_factory=RequestLog)
    extra_models: dict[str, ModelInfo] = field(default_factory=dict)
    check_regions: bool = False
    state: StateStore = field(default_factory=StateStore)
    """Resources that outlive a request (and, with a named folder, the process)."""
    on_request: Callable[[LoggedRequest, float], None] | None = None
    """Told of each answered request (redacted) and its handling time in ms: the CLI's log."""
    cassettes: CassetteDeck = field(default_factory=CassetteDeck)
    """Recorded replies (`vdsl test`), for requests that name a cassette."""
    org_policy: OrgPolicy = field(default_factory=OrgPolicy)
    """The emulated organization policy (endpoint and resource-location constraints)."""

    def lookup(self, model_id: str) -> ModelInfo | None:
        """The catalog, plus models a test added (by id or bare id)."""
        extra = self.extra_models.get(model_id) or self.extra_models.get(model_id.split("@")[0])
        return extra or lookup(model_id)

    def handle(self, request: Request) -> tuple[Reply, Fault]:
        """Answer one request; the Fault returned carries what the server must still do."""
        if request.path.startswith("/_emulator/"):
            return self._control(request), Fault()
        entry = self.log.add(request)
        started = time.monotonic()
        reply, fault = self._answer(request)
        entry.status = reply.status
        if self.on_request is not None:
            self.on_request(entry, (time.monotonic() - started) * 1000)
        return reply, fault

    def _answer(self, request: Request) -> tuple[Reply, Fault]:
        if request.path == "/token" and request.method == "POST":
            return self.authority.handle_token(request), Fault()
        if request.path.startswith("/computeMetadata/"):
            return self.authority.handle_metadata(request), Fault()
        if request.path == "/" and request.method == "GET":
            ping = text_reply("vdsl Vertex AI emulator\n", headers={"Metadata-Flavor": "Google"})
            return ping, Fault()
        for service in SERVICES:
            answer = service(self, request)
            if answer is not None:
                return answer, Fault()
        route = match_route(request.path)
        if route is None:
            return errors.google_error(404, f"The requested URL {request.path} was not found "
                                            "on this server."), Fault()
        if request.method != "POST":
            return errors.google_error(404, "Method not found."), Fault()
        try:
            fault = self._request_fault(request)
        except FaultError as exc:
            return errors.google_error(400, f"{FAULT_HEADER}: {exc}"), Fault()
        return self._vertex(route, request, fault)

    def _request_fault(self, request: Request) -> Fault:
        scripted, fault = self.script.take()
        if scripted:
            return fault or Fault()
        spec = request.header(FAULT_HEADER) or request.param(FAULT_PARAM)
        return parse_fault(spec) or Fault()

    def family_reply(self, ctx: Context) -> Reply:
        """The model family's answer to a checked request (services reuse it: batch rows)."""
        return HANDLERS.get(ctx.route.family, _unknown_publisher)(ctx)

    def _vertex(self, route: Route, request: Request, fault: Fault) -> tuple[Reply, Fault]:
        if fault.html404:
            return errors.html_not_found(request.path), fault
        denied = self.authority.check(route, request) or \
            self.org_policy.endpoint_refusal(route.project, route.location)
        if denied is not None:
            return denied, fault
        if fault.status is not None and fault.status >= 400:
            return fault_reply(fault, route, request), fault
        problem = body_problem(route, request)
        if problem is not None:
            return problem, fault
        cassette = request.header(CASSETTE_HEADER)
        ctx = Context(route=route, request=request, fixtures=self.fixtures,
                      lookup=self.lookup, check_regions=self.check_regions, state=self.state,
                      recorded=partial(self.cassettes.answer, cassette) if cassette else None)
        reply = self.family_reply(ctx)
        if ctx.fixture_fault is not None:
            fault = ctx.fixture_fault.merged(fault)
            if fault.status is not None and fault.status >= 400 and reply.status < 400:
                return fault_reply(fault, route, request), fault
        if reply.status < 400:
            reply = apply_content(reply, fault, route.family)
        return reply, fault

    # --- control API -------------------------------------------------------------------

    def _control(self, request: Request) -> Reply:
        """`/_emulator/…`: the request log, scripted faults, fixtures, tokens, health."""
        name, method = request.path.removeprefix("/_emulator/"), request.method
        if name == "requests" and method == "GET":
            return json_reply([entry.to_dict() for entry in self.log.entries()])
        if name == "requests" and method == "DELETE":
            self.log.clear()
            return json_reply({"cleared": True})
        if name == "health":
            return json_reply({"ok": True})
        if method == "POST" and name in ("script", "fixtures", "token"):
            return self._control_post(name, request.json)
        return errors.google_error(404, f"The requested URL {request.path} was not found on "
                                        "this server.")

    def _control_post(self, name: str, data: Any) -> Reply:
        try:
            if name == "script":
                self.script.extend(list(data or []))
                return json_reply({"queued": len(self.script)})
            if name == "fixtures":
                for entry in data if isinstance(data, list) else [data]:
                    self.fixtures.add(parse_fixture(entry))
                return json_reply({"fixtures": len(self.fixtures)})
            token = self.authority.issue_token()
            return json_reply({"access_token": token, "token_type": "Bearer",
                               "expires_in": self.authority.token_lifetime})
        except (FaultError, FixtureError, TypeError, ValueError, AttributeError) as exc:
            return errors.google_error(400, str(exc))


def _unknown_publisher(ctx: Context) -> Reply:
    return errors.model_not_found(ctx.route.model_name())


def fault_reply(fault: Fault, route: Route, request: Request) -> Reply:
    """The error reply an injected status asks for, in the requested envelope."""
    code = fault.status or 500
    body = request.json if isinstance(request.json, dict) else {}
    model = route.model if route.model and route.model != "count-tokens" else body.get("model")
    publisher = route.publisher or str(body.get("model", "google/")).split("/")[0]
    message = fault.message or (errors.quota_message(publisher, str(model or "unknown"))
                                if code == 429 else errors.default_message(code))
    if fault.envelope == "anthropic":
        reply = errors.anthropic_error(code, message)
        if fault.array:
            reply = replace(reply, body=b"[" + reply.body + b"]")
        return reply
    return errors.google_error(code, message, array=fault.array)


def body_problem(route: Route, request: Request) -> Reply | None:
    """Content-type and JSON syntax errors, before any family sees the body."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if request.body and content_type and not _is_json_type(content_type):
        if content_type == "application/x-www-form-urlencoded":
            field_name = request.body[:80].decode("utf-8", "replace")
            return errors.invalid_json(f'Unknown name "{field_name}": Cannot bind query '
                                       "parameter. Field could not be found in request message.")
        return errors.google_error(400, f"Invalid Content-Type: {content_type}. "
                                        "Expected application/json.")
    if request.json_error is None:
        return None
    if route.family == "anthropic":
        return errors.anthropic_error(400, f"The request body is not valid JSON: "
                                           f"{request.json_error}")
    return errors.invalid_json(f"{request.json_error}.")


def _is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def parse_body(body: bytes) -> tuple[Any, str | None]:
    """(parsed JSON or None, why it did not parse or None)."""
    if not body.strip():
        return None, None
    try:
        return json.loads(body), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, str(exc).split(":")[0]
    except RecursionError:
        return None, "Message nested too deeply"
