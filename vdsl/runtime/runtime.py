"""`Runtime`: call a project's functions on Vertex AI (or the emulator).

    render → resolve media → adapter.body/url → auth → httpx → adapter.parse → typed value

Building a request needs no credentials and no network (`build_request`), so CI can diff
requests without a Google account. The runtime owns I/O; adapters stay pure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections import ChainMap
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import httpx
from typing_extensions import Unpack

from .. import jsontext
from ..call_options import CallOptions
from ..errors import (
    AuthError,
    BlockedError,
    ConfigError,
    InvalidArgumentError,
    StreamError,
)
from ..ir import FunctionDecl
from ..policy import Policy
from ..project import Project
from ..providers import adapter_for
from ..providers.base import Completion, HttpRequest
from ..providers.catalog import estimate_cost
from ..providers.endpoints import ENDPOINT_ENV, build_url, is_loopback
from ..providers.options import ClientOptions, resolve_options
from ..render import render_prompt
from ..render.clients import client_info
from ..render.prompt import find_function
from .abort import armed
from .attempts import Attempt, Attempts
from .auth_bridge import AuthStrategy, resolve_strategy, strategy_key
from .background import Background
from .calling import acomplete_plan, complete_plan
from .calls import (
    Call,
    check_finish,
    check_headers,
    http_failure,
    located,
    outgoing_request,
    returns_string,
)
from .calls import NeedsThread as _NeedsThread
from .failures import CallSite, transport_error
from .features import shape_options
from .fetcher import MediaFetcher
from .guards import guard
from .media import resolve_media
from .netpolicy import MediaPolicy
from .observe import Observation, aobserving, observing, tracing
from .plan import Node, RoundRobin
from .plan import build as build_plan
from .platform import Target
from .resources import PlatformMethods
from .result import AsyncStream, Result, Stream
from .settings import CallSettings, resolve
from .streaming import abortable, astream_plan, stream_plan
from .transport import Gate, Pool, cap, httpx_timeout, read_limit_name

if TYPE_CHECKING:
    from ..batch import BatchJob, BatchPlan, BatchSession

log = logging.getLogger("vdsl.runtime")

class Runtime(PlatformMethods):
    """Calls the functions of a compiled `Project`.

    `env` replaces `os.environ` for `env.VAR` lookups and credentials (None: the process
    environment, read at each call). `endpoint` sends every Vertex request to another base URL
    (default: `$VDSL_VERTEX_ENDPOINT`), e.g. the emulator. `auth` forces one auth strategy.
    `max_in_flight` caps the requests this runtime has open at once (None: no cap).
    `on_attempt` is called with each `Attempt` (client, model, status, error, latency), for
    tracing. `policy` (default: the project's, from `[tool.vdsl.policy]`) is checked before
    every request. `sleep`/`asleep` replace the waits between retries (tests use a fake clock);
    `seed` makes round-robin starts and retry jitter reproducible. `media` says how media URLs
    are downloaded (default: public addresses only, `VDSL_MEDIA_ALLOW` applied; see
    `MediaPolicy`).

    `close()`, `await aclose()`, `with Runtime(…)` and `async with Runtime(…)` close every
    pooled connection at once.
    """

    def __init__(self, project: Project, env: Mapping[str, str] | None = None, *,
                 endpoint: str | None = None, auth: AuthStrategy | None = None,
                 base_dir: str | Path | None = None, max_in_flight: int | None = None,
                 on_attempt: Callable[[Attempt], None] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 asleep: Callable[[float], Awaitable[None]] | None = None,
                 seed: int | None = None, policy: Policy | None = None,
                 media: MediaPolicy | None = None) -> None:
        self.project = project
        self.policy = policy if policy is not None else project.policy
        self._memo: dict[tuple[object, ...], Any] = {}
        self._gate = Gate(max_in_flight)
        self._on_attempt = on_attempt
        self._sleep = sleep or time.sleep
        self._asleep = asleep or asyncio.sleep
        self._rotation = RoundRobin(seed)
        self._rng = random.Random(seed)
        self._plans: dict[str, Node] = {}
        self._strategies: dict[tuple[object, ...], AuthStrategy | None] = {}
        self._env = dict(env) if env is not None else None
        self._endpoint = endpoint
        self._auth = auth
        self._pool = Pool()
        self._media = MediaFetcher(media or MediaPolicy.from_env(self._environment(None)))
        self._base_dir = base_dir
        self._bg = Background()  # a loop thread for abortable sync calls, started on use
        _configure_logging()

    # ---- public API (per-call options: `baml_options={...}` and/or `CallOptions` keywords)

    def call(self, function: str, args: Mapping[str, Any] | None = None, *,
             baml_options: CallOptions | None = None, **options: Unpack[CallOptions]) -> Any:
        """Call `function` and return its typed value."""
        return self.complete(function, args, baml_options=baml_options, **options).value

    def complete(self, function: str, args: Mapping[str, Any] | None = None, *,
                 baml_options: CallOptions | None = None,
                 **options: Unpack[CallOptions]) -> Result:
        """Call `function`; the value with the text, thoughts, finish reason, usage and the
        attempts made (retries and fallbacks follow the client's plan)."""
        settings = resolve(self.project, baml_options, options)
        if settings.abort is not None:  # abortable: run where a task can be cancelled
            settings.abort.check()
            return self._bg.run(self._acomplete(function, args or {}, settings))
        observation = settings.observe(function, "call")
        with observing(observation):
            return complete_plan(self, function, args or {}, settings, observation)

    async def acall(self, function: str, args: Mapping[str, Any] | None = None, *,
                    baml_options: CallOptions | None = None,
                    **options: Unpack[CallOptions]) -> Any:
        return (await self.acomplete(function, args, baml_options=baml_options,
                                     **options)).value

    async def acomplete(self, function: str, args: Mapping[str, Any] | None = None, *,
                        baml_options: CallOptions | None = None,
                        **options: Unpack[CallOptions]) -> Result:
        settings = resolve(self.project, baml_options, options)
        return await self._acomplete(function, args or {}, settings)

    async def _acomplete(self, function: str, args: Mapping[str, Any],
                         settings: CallSettings) -> Result:
        observation = settings.observe(function, "call")
        async with aobserving(observation), armed(settings.abort):
            return await acomplete_plan(self, function, args, settings, observation)

    def stream(self, function: str, args: Mapping[str, Any] | None = None, *,
               baml_options: CallOptions | None = None,
               **options: Unpack[CallOptions]) -> Stream:
        """Events as the reply arrives (text deltas, partial values), then `.result()`.

        A stream that fails before its first event is retried or falls back like a call; one
        that fails later raises, with the text received so far on the error."""
        settings = resolve(self.project, baml_options, options)
        find_function(settings.project, function)
        if settings.abort is not None:
            settings.abort.check()
            events = astream_plan(self, function, args or {}, settings)
            return Stream(self._bg.iterate(abortable(events, settings.abort)))
        return Stream(stream_plan(self, function, args or {}, settings))

    def astream(self, function: str, args: Mapping[str, Any] | None = None, *,
                baml_options: CallOptions | None = None,
                **options: Unpack[CallOptions]) -> AsyncStream:
        settings = resolve(self.project, baml_options, options)
        find_function(settings.project, function)
        events = astream_plan(self, function, args or {}, settings)
        return AsyncStream(events if settings.abort is None else
                           abortable(events, settings.abort))

    def build_request(self, function: str, args: Mapping[str, Any] | None = None, *,
                      stream: bool = False, baml_options: CallOptions | None = None,
                      **options: Unpack[CallOptions]) -> HttpRequest:
        """The exact HTTP request a call would send, built offline: no credentials, no
        network; the auth header (or key) and media downloads show as placeholders."""
        settings = resolve(self.project, baml_options, options)
        return self._prepare(function, args or {}, settings.client, settings.env,
                             settings.headers, stream=stream, preview=True,
                             settings=settings).request

    def plan(self, function: str, client: str | None = None,
             project: Project | None = None) -> Node:
        """The client plan a call of `function` follows (retries, fallbacks, round-robin)."""
        project = project or self.project
        ref = client or find_function(project, function).client or ""
        plans: dict[str, Node] = self._plans if project is self.project else \
            project.__dict__.setdefault("_vdsl_plans", {})
        plan = plans.get(ref)
        if plan is None:
            plan = plans[ref] = build_plan(project, ref)
        return plan

    def parse(self, function: str, text: str, partial: bool = False, *,
              baml_options: CallOptions | None = None,
              **options: Unpack[CallOptions]) -> Any:
        """Read a model reply as `function`'s return type (with the call's TypeBuilder)."""
        project = resolve(self.project, baml_options, options).project
        fn = find_function(project, function)
        if not isinstance(text, str):
            raise InvalidArgumentError(f"{function}: the reply to parse is a string, got "
                                       f"{type(text).__name__}")
        return self._parse_value(fn, text, partial, project)

    def batch(self, function: str, rows: Any, *, dest: str, client: str | None = None,
              display_name: str | None = None, skip_bad_rows: bool = False,
              input_format: str | None = None, poll: float = 30.0) -> BatchJob:
        """Run `function` over `rows` as a Vertex AI batch prediction job; returns the
        submitted `BatchJob` (`.status()`, `.wait()`, `.results()` with typed values).

        `rows` is an iterable of argument mappings, or the path of a JSONL/CSV file; `dest`
        a Cloud Storage folder `gs://BUCKET/PREFIX` or a BigQuery dataset
        `bq://PROJECT.DATASET` for the input, manifest and output."""
        from ..batch.api import start
        return start(self, function, rows, dest=dest, client=client,
                     display_name=display_name, skip_bad_rows=skip_bad_rows,
                     input_format=input_format, poll=poll)

    def batch_session(self, plan: BatchPlan) -> tuple[BatchSession, str]:
        """The HTTP client, credentials and Google Cloud project batch jobs for `plan` use
        (the same as the plan's client uses for calls)."""
        from ..batch import BatchSession
        environ = self._environment(None)
        override = self._endpoint or environ.get(ENDPOINT_ENV) or None
        _AUTH_FAILURES.set(None)  # not part of a call: search afresh
        auth = self._auth or self._strategy(plan.options, environ, override, blocking=True)
        project = self._project(plan.options, environ, auth, override, preview=False)
        if not project:
            raise ConfigError(f"client `{plan.client}`: no Google Cloud project: set "
                              "options.project_id or GOOGLE_CLOUD_PROJECT")
        session = BatchSession(self._pool.sync(), auth, override, project=project,
                               sleep=self._sleep)
        return session, project

    def close(self) -> None:
        """Close every pooled connection (Vertex and media downloads, sync and async) now;
        inside a running event loop too. The runtime reconnects if it is used again."""
        self._bg.close(lambda: self._pool.async_().aclose())
        self._pool.close()
        self._media.close()

    async def aclose(self) -> None:
        """`close()` for async code: awaits the connections of the running loop."""
        await self._pool.aclose()
        self._media.close()
        await asyncio.to_thread(self._bg.close)  # the abortable calls' loop, if one runs

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- plans ---------------------------------------------------------------------------

    def _attempts(self, function: str, settings: CallSettings,
                  observation: Observation | None = None) -> Attempts:
        _AUTH_FAILURES.set({})  # a new call: credentials are searched for afresh
        return Attempts(self.plan(function, settings.client, settings.project),
                        self._rotation, on_attempt=self._on_attempt, rng=self._rng,
                        observer=observation)

    # ---- building ------------------------------------------------------------------------

    def _environment(self, extra: Mapping[str, str | None] | None) -> Mapping[str, str]:
        """Read, not copied, when nothing is unset: a call looks up a handful of names
        (copying `os.environ` cost ~0.1 ms per call)."""
        base: Mapping[str, str] = self._env if self._env is not None else os.environ
        if not extra:
            return base
        if all(value is not None for value in extra.values()):
            return ChainMap(dict(extra), base)  # type: ignore[arg-type]
        env = dict(base)
        for name, value in extra.items():
            if value is None:  # BAML: a None value unsets the variable
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def _prepare(self, function: str, args: Mapping[str, Any], client: str | None,
                 env: Mapping[str, str | None] | None, headers: Mapping[str, str] | None, *,
                 stream: bool, preview: bool = False, fetch: bool = True,
                 settings: CallSettings | None = None) -> Call:
        seen = settings.project if settings is not None else self.project
        fn = find_function(seen, function)
        info = client_info(seen, client or fn.client or "")
        if info.provider != "vertex-ai":
            raise ConfigError(f"client `{info.name}`: provider `{info.provider}` cannot be "
                              "called; vdsl calls vertex-ai clients")
        environ = self._environment(env)
        options = resolve_options(info.name, info.options, environ, preview=preview)
        adapter = adapter_for(options.model, options.resolved.get("publisher"))
        prompt = render_prompt(seen, fn.name, args, client=info.name,
                               base_dir=self._base_dir, default_remap=adapter.DEFAULT_REMAP)
        fetcher = None if preview else self._media.fetch if fetch else _defer
        prompt = resolve_media(prompt, adapter.media_options(options), fetcher)
        wire_stream = stream and options.supports_streaming and adapter.SUPPORTS_STREAMING
        override = self._endpoint or environ.get(ENDPOINT_ENV) or None
        auth = None if preview else self._auth or self._strategy(options, environ, override,
                                                                  blocking=fetch)
        express = bool(options.api_key) and adapter.SUPPORTS_API_KEY and not (
            options.project_id or environ.get("GOOGLE_CLOUD_PROJECT"))
        project = None if express else self._project(options, environ, auth, override, preview)
        where = Target(options, adapter, project, auth, override, environ, express)
        shape_options(self, fn, where, prompt, preview=preview, blocking=fetch)
        url = build_url(options, resource=adapter.resource(options.model),
                        rpc=adapter.method(options, wire_stream), project=project,
                        express=express, override=override)
        check_headers(options.headers, headers or {}, info.name)
        request = outgoing_request(options, adapter.extra_headers(options), headers, url,
                                   adapter.body(prompt, options, wire_stream), preview)
        site = CallSite(info.name, options.model, options.location or "", request.url,
                        auth.description if auth else "")
        call = Call(fn, options, adapter, request, site, auth, wire_stream, seen, prompt,
                    record=settings is not None and bool(settings.collectors or tracing()))
        if not preview:
            guard(self, call, prompt, where, blocking=fetch)
        return call

    def _strategy(self, options: ClientOptions, env: Mapping[str, str], override: str | None,
                  *, blocking: bool) -> AuthStrategy | None:
        """Resolved once per client and credential settings; resolving may read files or
        probe the metadata server, so async calls do it in a worker thread."""
        key = strategy_key(options, env)
        if key in self._strategies:
            return self._strategies[key]
        failures = _AUTH_FAILURES.get()
        same = key[1:]  # the credential settings, whichever client has them
        if failures is not None and same in failures:
            raise _again(failures[same], options.client)
        if not blocking:
            raise _NeedsThread("auth")
        try:
            strategy = resolve_strategy(options, env, override)
        except AuthError as exc:
            if failures is not None:  # once per call, not once per fallback child
                failures[same] = (options.client, exc)
            raise
        self._strategies[key] = strategy
        return strategy

    def _project(self, options: ClientOptions, env: Mapping[str, str],
                 auth: AuthStrategy | None, override: str | None, preview: bool) -> str | None:
        if options.base_url and not preview:
            return None
        project = options.project_id or env.get("GOOGLE_CLOUD_PROJECT") or (
            auth.project_id if auth else None)
        if project:
            return project
        if override and is_loopback(override):
            return "vdsl-emulator"
        return options.project_placeholder if preview else None

    # ---- sending --------------------------------------------------------------------------

    def _headers(self, call: Call) -> dict[str, str]:
        headers = call.headers()
        if call.auth is not None and "authorization" in headers:
            headers.update(call.auth.headers())
            call.hide_token(headers)
        return headers

    def _send(self, call: Call, remaining: float | None = None) -> httpx.Response:
        timeout = cap(httpx_timeout(call.options.timeouts, stream=False), remaining)
        started = time.monotonic()
        for attempt in (1, 2):
            log.debug("POST %s (client %s, auth %s)", call.site.url, call.site.client,
                      call.site.auth or "api key")
            headers = self._headers(call)
            call.sent = True
            try:
                with self._gate.sync():
                    response = self._pool.post(call.url, headers,
                                               call.request.content(), timeout)
            except httpx.HTTPError as error:
                raise transport_error(error, call.site,
                                      read_limit_name(call.options.timeouts)) from None
            call.response = response
            log.debug("%s in %.0f ms", response.status_code, (time.monotonic() - started) * 1e3)
            if response.status_code == 401 and attempt == 1 and call.auth is not None:
                call.auth.invalidate(headers)  # a token revoked early: refresh once and retry
                continue
            if response.status_code >= 400:
                raise http_failure(response, call)
            return response
        raise AssertionError("unreachable")

    async def _asend(self, call: Call, remaining: float | None = None) -> bytes:
        http = self._pool.async_transport()
        timeout = cap(httpx_timeout(call.options.timeouts, stream=False), remaining)
        for attempt in (1, 2):
            headers = call.headers()
            if call.auth is not None and "authorization" in headers:
                headers.update(await call.auth.aheaders())
                call.hide_token(headers)
            call.sent = True
            try:
                async with self._gate.async_():
                    response = await http.post(call.url, headers,
                                               call.request.content(), timeout)
            except httpx.HTTPError as error:
                raise transport_error(error, call.site,
                                      read_limit_name(call.options.timeouts)) from None
            call.response = response
            if response.status_code == 401 and attempt == 1 and call.auth is not None:
                call.auth.invalidate(headers)
                continue
            if response.status_code >= 400:
                raise http_failure(response, call)
            return response.content
        raise AssertionError("unreachable")

    async def _aprepare(self, function: str, args: Mapping[str, Any], client: str | None,
                        env: Mapping[str, str | None] | None,
                        headers: Mapping[str, str] | None, *, stream: bool,
                        settings: CallSettings | None = None) -> Call:
        """Build on the event loop; only a prompt that must download media moves to a thread."""
        try:
            return self._prepare(function, args, client, env, headers, stream=stream,
                                 fetch=False, settings=settings)
        except _NeedsThread:
            return await asyncio.to_thread(self._prepare, function, args, client, env, headers,
                                           stream=stream, settings=settings)

    # ---- reading --------------------------------------------------------------------------

    def _parse(self, call: Call, content: bytes) -> Completion:
        try:
            data = jsontext.loads(content)
        except ValueError:
            raise StreamError(f"client `{call.site.client}`: Vertex sent a reply that is not "
                              "JSON", partial_text=content[:200].decode("utf-8", "replace"),
                              **call.site.where()) from None
        try:
            return call.adapter.parse_response(data)
        except BlockedError as error:
            raise located(error, call) from None

    def _finish(self, call: Call, completion: Completion) -> Result:
        call.completion = completion
        check_finish(call, completion)
        text = completion.text
        if completion.structured is not None and not returns_string(call.fn):
            text = json.dumps(completion.structured)  # e.g. OCR pages for a class
        value = self._parse_value(call.fn, text, False, call.project)
        return Result(value, completion.text, completion.thoughts, completion.finish_reason,
                      completion.usage, call.site.client, call.options.model,
                      cost=estimate_cost(call.options.model, completion.usage)
                      if completion.usage else None, grounding=completion.grounding)

    def _parse_value(self, fn: FunctionDecl, text: str, partial: bool,
                     project: Project | None = None) -> Any:
        if returns_string(fn):
            return text
        try:
            from ..outputs import parse_output
        except ImportError:  # typed parsing not available: the raw text
            return text
        return parse_output(project or self.project, fn.name, text, partial=partial)


_AUTH_FAILURES: ContextVar[dict[tuple[object, ...], tuple[str, AuthError]] | None] = \
    ContextVar("vdsl_auth_failures", default=None)
"""Credential searches that failed during the current call, by credential settings."""


def _again(failure: tuple[str, AuthError], client: str) -> AuthError:
    """The failure another client of this call met with the same credential settings."""
    first, error = failure
    shown = f"client {client}" if first == client else (
        f"client {client} (the same credential settings as client {first}, searched once "
        "for this call)")
    return AuthError(str(error).replace(f"client {first}", shown, 1), tried=error.tried,
                     setting=error.setting)


def _defer(url: str) -> tuple[bytes, str | None]:
    raise _NeedsThread(url)


def _configure_logging() -> None:
    level = os.environ.get("VDSL_LOG", "").lower()
    if level in ("debug", "info") and not logging.getLogger("vdsl").handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("vdsl %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("vdsl").addHandler(handler)
        logging.getLogger("vdsl").setLevel(logging.DEBUG if level == "debug" else logging.INFO)

