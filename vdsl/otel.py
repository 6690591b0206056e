"""OpenTelemetry traces for vdsl calls (install the extra: `pip install 'vdsl[otel]'`).

    import vdsl.otel
    vdsl.otel.instrument()                       # the global tracer provider, or pass one
    vdsl.otel.instrument(provider, capture_content=True)   # prompts and replies too

Each function call (or stream) gets a span, `vdsl {function}`, and each request it makes a
child span, `{operation} {model}` (e.g. `generate_content gemini-2.5-flash`), with the GenAI
semantic-convention attributes: `gen_ai.operation.name`, `gen_ai.system` /
`gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`,
`gen_ai.usage.input_tokens` / `output_tokens`, `gen_ai.response.finish_reasons`,
`error.type`, `server.address` / `server.port`, plus `vdsl.client` and the call's `tags`.
Prompts and replies (`gen_ai.input.messages`, `gen_ai.output.messages`) are recorded only
with `capture_content=True` or `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.

Nothing here is imported by vdsl itself: without `instrument()`, OpenTelemetry is never
loaded and calls pay nothing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ConfigError
from .runtime.observe import set_tracer

if TYPE_CHECKING:
    from .runtime.calls import Call
    from .runtime.collector import FunctionLog, LLMCall

__all__ = ["instrument", "uninstrument"]

SYSTEM = "vertex_ai"
PROVIDER = "gcp.vertex_ai"
CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


def instrument(tracer_provider: Any = None, *, capture_content: bool | None = None) -> None:
    """Trace every vdsl call from now on, with `tracer_provider` (default: the global one).
    `capture_content` records prompts and replies (default: the env variable above)."""
    try:
        from opentelemetry import trace
    except ImportError:
        raise ConfigError("OpenTelemetry is not installed: pip install 'vdsl[otel]'") from None
    from . import __version__
    if capture_content is None:
        capture_content = os.environ.get(CONTENT_ENV, "").lower() in ("1", "true", "yes")
    tracer = trace.get_tracer("vdsl", __version__, tracer_provider=tracer_provider)
    set_tracer(_Tracer(tracer, capture_content))


def uninstrument() -> None:
    """Stop tracing."""
    set_tracer(None)


def _operation(call: Call | None) -> str:
    family = getattr(call.adapter, "family", "") if call is not None else ""
    return "generate_content" if family == "gemini" else "chat"


class _Tracer:
    def __init__(self, tracer: Any, capture_content: bool) -> None:
        from opentelemetry import trace
        self._trace = trace
        self._tracer = tracer
        self._content = capture_content

    def start(self, function: str, kind: str, tags: Mapping[str, str]) -> Any:
        span = self._tracer.start_span(f"vdsl {function}", kind=self._trace.SpanKind.INTERNAL)
        span.set_attribute("vdsl.function", function)
        span.set_attribute("vdsl.kind", kind)
        span.set_attribute("gen_ai.system", SYSTEM)
        span.set_attribute("gen_ai.provider.name", PROVIDER)
        for key, value in tags.items():
            span.set_attribute(f"vdsl.tag.{key}", value)
        return span

    def attempt(self, parent: Any, record: LLMCall, call: Call | None) -> None:
        operation = _operation(call)
        end_ns = time.time_ns()
        start_ns = end_ns - int((record.timing.duration_ms or 0) * 1e6)
        span = self._tracer.start_span(
            f"{operation} {record.model}", context=self._trace.set_span_in_context(parent),
            kind=self._trace.SpanKind.CLIENT, start_time=start_ns)
        for key, value in self._attempt_attributes(operation, record, call).items():
            span.set_attribute(key, value)
        if record.error is not None:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, record.error))
        span.end(end_time=end_ns)

    def _attempt_attributes(self, operation: str, record: LLMCall, call: Call | None
                            ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "gen_ai.operation.name": operation, "gen_ai.system": SYSTEM,
            "gen_ai.provider.name": PROVIDER, "gen_ai.request.model": record.model,
            "vdsl.client": record.client_name, "vdsl.stream": record.stream,
        }
        if record.usage.input_tokens is not None:
            out["gen_ai.usage.input_tokens"] = record.usage.input_tokens
        if record.usage.output_tokens is not None:
            out["gen_ai.usage.output_tokens"] = record.usage.output_tokens
        if record.http_request is not None:
            url = urlsplit(record.http_request.url)
            out["server.address"] = url.hostname or ""
            out["server.port"] = url.port or (443 if url.scheme == "https" else 80)
        if record.http_response is not None:
            out["http.response.status_code"] = record.http_response.status
        completion = call.completion if call is not None else None
        if completion is not None:
            out["gen_ai.response.model"] = completion.model or record.model
            if completion.finish_reason:
                out["gen_ai.response.finish_reasons"] = [completion.finish_reason]
        if record.error is not None:
            status = record.http_response.status if record.http_response else None
            out["error.type"] = str(status) if status and status >= 400 else \
                record.error.split(":", 1)[0][:100]
        if self._content and call is not None:
            out.update(_content(call))
        return out

    def end(self, span: Any, log: FunctionLog, error: BaseException | None) -> None:
        selected = log.selected_call
        usage = log.usage
        if selected is not None:
            span.set_attribute("gen_ai.request.model", selected.model)
            span.set_attribute("gen_ai.response.model", selected.model)
            span.set_attribute("vdsl.client", selected.client_name)
        if usage.input_tokens is not None:
            span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
        if usage.output_tokens is not None:
            span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
        span.set_attribute("vdsl.attempts", len(log.calls))
        if error is not None and not isinstance(error, GeneratorExit):
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, log.error))
        span.end()


def _content(call: Call) -> dict[str, str]:
    """The prompt and the reply as GenAI `input/output.messages` JSON (media as references)."""
    out: dict[str, str] = {}
    if call.prompt is not None:
        messages = []
        for message in call.prompt.messages:
            parts = [{"type": "text", "content": p.text} if hasattr(p, "text") else
                     {"type": getattr(p, "kind", "media"),
                      "mime_type": getattr(p, "media_type", None)} for p in message.parts]
            messages.append({"role": message.role, "parts": parts})
        out["gen_ai.input.messages"] = json.dumps(messages, ensure_ascii=False)
    if call.completion is not None:
        out["gen_ai.output.messages"] = json.dumps([{
            "role": "assistant", "parts": [{"type": "text", "content": call.completion.text}],
            "finish_reason": call.completion.finish_reason or ""}], ensure_ascii=False)
    return out
