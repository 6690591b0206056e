"""What every case of one run shares: the mode, the runtimes, the emulator and the cassettes.

Modes: `emulator` (offline: a case with a cassette replays it, the others get the project's
fixtures), `live` (Vertex AI, cassettes ignored) and `record` (Vertex AI, then each case's
exchanges written as its cassette). One `Runtime` serves every case whose media files live in
the same folder; a test with a `type_builder` gets its own, on the project as it extends it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    BlockedError,
    FinishReasonError,
    InvalidArgumentError,
    MediaError,
    OutputParseError,
    TimeoutError,
    TransportError,
    ValidationError,
    VdslError,
    VertexError,
)
from ..ir import ClientDecl, EnvRef, MapValue, Value
from ..project import Project
from .cassettes import (
    Cassette,
    CassetteError,
    Exchange,
    describe_request,
    first_difference,
    load_cassette,
    request_key,
    save_cassette,
)
from .plan import TestCase

if TYPE_CHECKING:
    from ..emulator import Emulator
    from ..runtime import Result, Runtime

__all__ = ["MODES", "Session", "credentials_found"]

MODES = ("emulator", "live", "record")


class Stale(Exception):
    """A cassette that no longer matches the call: the text says where they differ."""


@dataclass
class Session:
    project: Project
    mode: str
    cassette_dir: Path
    emulator: Emulator | None = None
    env: Mapping[str, str] | None = None
    _runtimes: dict[tuple[Path, int], Runtime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def runtime_for(self, case: TestCase) -> Runtime:
        from ..runtime import Runtime
        from ..typebuilder.overlay import project_for_test

        builder = case.test.type_builder
        key = (case.base_dir, id(builder) if builder is not None else 0)
        with self._lock:
            runtime = self._runtimes.get(key)
            if runtime is None:
                project = project_for_test(self.project, case.test)
                runtime = Runtime(project, self.env, base_dir=case.base_dir,
                                  endpoint=self.emulator.url if self.emulator else None)
                self._runtimes[key] = runtime
        return runtime

    def close(self) -> None:
        for runtime in self._runtimes.values():
            runtime.close()
        self._runtimes.clear()

    def cassette_path(self, case: TestCase) -> Path:
        return self.cassette_dir / f"{case.file_id}.json"

    # ---- replay ----------------------------------------------------------------------------

    def replay(self, case: TestCase, runtime: Runtime) -> Path | None:
        """Load the case's cassette into the emulator (None: it has none). Raises `Stale` when
        a recorded request differs from what vdsl sends now, `CassetteError` when unreadable."""
        path = self.cassette_path(case)
        if self.mode != "emulator" or self.emulator is None or not path.is_file():
            return None
        cassette = load_cassette(path)
        if (cassette.test, cassette.function) != (case.name, case.function):
            raise CassetteError(f"{path}: recorded for {cassette.function}::{cassette.test}, "
                                f"not {case.id}")
        _check_requests(cassette, case, runtime)
        from ..emulator import Recorded
        self.emulator.load_cassette(case.file_id,
                                    [Recorded(e.model, _answer(e)) for e in cassette.exchanges])
        return path

    # ---- record ----------------------------------------------------------------------------

    def record(self, case: TestCase, runtime: Runtime, result: Result | None,
               error: VdslError | None) -> tuple[Path | None, str]:
        """Write the case's cassette after a live call: (path, "") or (None, why not)."""
        if isinstance(error, (TransportError, TimeoutError, BlockedError)):
            what = "was blocked" if isinstance(error, BlockedError) else \
                "failed before Vertex answered"
            return None, f"not recorded: the call {what}"
        attempts = (result.attempts if result is not None
                    else list(getattr(error, "attempts", [])))
        exchanges: list[Exchange] = []
        requests: dict[str, tuple[dict[str, Any], str]] = {}
        for index, attempt in enumerate(attempts):
            answered = _answered(attempt, index == len(attempts) - 1, result, error)
            if answered is None:
                continue  # it never reached Vertex: nothing to replay
            if attempt.client not in requests:
                described = describe_request(runtime.build_request(
                    case.function, case.args, client=attempt.client))
                requests[attempt.client] = described, request_key(described)
            described, key = requests[attempt.client]
            reply, failure = answered
            model = attempt.model or _model_of(described)
            exchanges.append(Exchange(attempt.client, model, described, key, reply, failure))
        if not exchanges:
            return None, "not recorded: no request reached Vertex"
        path = self.cassette_path(case)
        save_cassette(path, Cassette(case.name, case.function, tuple(exchanges)))
        return path, ""


def _check_requests(cassette: Cassette, case: TestCase, runtime: Runtime) -> None:
    built: dict[str, dict[str, Any]] = {}
    for index, exchange in enumerate(cassette.exchanges, 1):
        if exchange.client not in built:
            try:
                built[exchange.client] = describe_request(runtime.build_request(
                    case.function, case.args, client=exchange.client))
            except (InvalidArgumentError, MediaError):
                raise  # the arguments are wrong, whatever was recorded
            except VdslError as exc:
                raise Stale(f"request {index} (client `{exchange.client}`) cannot be built "
                            f"now: {exc}") from None
        now = built[exchange.client]
        if request_key(now) != exchange.key:
            where = first_difference(exchange.request, now) or "the request changed"
            raise Stale(f"request {index} (client `{exchange.client}`) differs from the "
                        f"recording: {where}")


def _model_of(described: dict[str, Any]) -> str:
    """The model a described request goes to: in its path, or (OpenAI style) in its body."""
    found = re.search(r"/models/([^/:?]+)", described["url"])
    if found:
        return found.group(1)
    body = described.get("body")
    return str(body.get("model", "")) if isinstance(body, dict) else ""


def _answered(attempt: Any, last: bool, result: Result | None, error: VdslError | None,
              ) -> tuple[dict[str, Any] | None, dict[str, Any] | None] | None:
    """(reply, error) as a cassette keeps them, for an attempt Vertex answered; else None."""
    if attempt.ok and result is not None:
        return _reply(result), None
    if last and isinstance(error, (OutputParseError, FinishReasonError, ValidationError)) \
            and (error.raw_text or not isinstance(error, ValidationError)):
        reply: dict[str, Any] = {"text": error.raw_text}
        if isinstance(error, FinishReasonError) and error.finish_reason:
            reply["finish_reason"] = error.finish_reason
        return reply, None
    if attempt.status is not None and attempt.status >= 400:
        from ..providers.auth_sources import redact
        message = error.message if last and isinstance(error, VertexError) else \
            _VERTEX_PREFIX.sub("", str(attempt.error or ""))
        return None, {"status": attempt.status, "message": redact(message)}
    return None


_VERTEX_PREFIX = re.compile(r"^(?:Vertex AI returned \d+(?: \S+)? for client `[^`]*` "
                            r"\(model [^)]*\)|\d{3}(?: [A-Z_]+)?): ")
"""The status in front of an attempt's error text (`503 UNAVAILABLE: …`)."""


def _reply(result: Result) -> dict[str, Any]:
    reply: dict[str, Any] = {"text": result.text}
    if result.thoughts:
        reply["thoughts"] = "\n".join(result.thoughts)
    if result.finish_reason:
        reply["finish_reason"] = result.finish_reason
    usage = result.usage
    if usage is not None:
        counts = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                  "thoughts_tokens": usage.thinking_tokens}
        reply["usage"] = {k: v for k, v in counts.items() if v is not None}
    return reply


def _answer(exchange: Exchange) -> Any:
    from ..emulator import Answer, Fault
    if exchange.error is not None:
        status = int(exchange.error.get("status", 500))
        return Answer("", fault=Fault(status=status, message=str(exchange.error.get("message")
                                                                 or "") or None))
    reply = exchange.reply or {}
    usage = {k: int(v) for k, v in (reply.get("usage") or {}).items()
             if isinstance(v, int | float)}
    return Answer(str(reply.get("text", "")), reply.get("thoughts"),
                  str(reply.get("finish_reason") or "stop"), usage)


# ---- which mode by default -------------------------------------------------------------------

_CREDENTIAL_ENV = ("VDSL_VERTEX_ENDPOINT", "GOOGLE_APPLICATION_CREDENTIALS",
                   "GOOGLE_APPLICATION_CREDENTIALS_CONTENT", "GCE_METADATA_HOST")


def credentials_found(project: Project, env: Mapping[str, str]) -> str | None:
    """What would let a live run authenticate, found without touching the network: an
    endpoint override, a credentials variable, an Application Default Credentials file, or a
    client's own credentials or API key. None when there is nothing."""
    for name in _CREDENTIAL_ENV:
        if env.get(name):
            return f"${name}"
    from ..providers.auth_ambient import adc_path
    if adc_path(env).is_file():
        return "application default credentials"
    for client in project.program.clients:
        if _client_credentials(client, env):
            return f"client `{client.name}`'s credentials"
    return None


def _client_credentials(client: ClientDecl, env: Mapping[str, str]) -> bool:
    options = client.options
    if options is None:
        return False
    query = options.get("query_params")
    candidates: list[Value | None] = [options.get("credentials"),
                                      options.get("credentials_content")]
    if isinstance(query, MapValue):
        candidates.append(query.get("key"))
    return any(v is not None and (not isinstance(v, EnvRef) or bool(env.get(v.name)))
               for v in candidates)
