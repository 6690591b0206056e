"""OpenTelemetry (the `vdsl[otel]` extra): a span per call and one per attempt with the
GenAI semantic-convention attributes; prompts and replies only when asked for; nothing
imported unless `vdsl.otel.instrument()` is called, and a clear error without the extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

SOURCE = """
retry_policy Twice {
  max_retries 1
  strategy {
    type constant_delay
    delay_ms 1
  }
}

client<llm> Flash {
  provider vertex-ai
  retry_policy Twice
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
  }
}

function Echo(text: string) -> string {
  client Flash
  prompt #"{{ _.role("user") }} {{ text }}"#
}
"""


@pytest.fixture
def spans() -> Iterator[Any]:
    pytest.importorskip("opentelemetry.sdk", reason="the otel extra is not installed")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    import vdsl.otel

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    vdsl.otel.instrument(provider, capture_content=False)
    try:
        yield exporter
    finally:
        vdsl.otel.uninstrument()


def test_a_span_per_call_and_per_attempt(make_runtime, emulator, spans) -> None:
    emulator.script([503, None])
    result = make_runtime(SOURCE).complete("Echo", {"text": "hi"}, tags={"team": "search"})
    finished = spans.get_finished_spans()
    call = next(s for s in finished if s.name == "vdsl Echo")
    attempts = [s for s in finished if s.name == "generate_content gemini-2.5-flash"]
    assert len(finished) == 3 and len(attempts) == 2
    assert all(a.parent is not None and a.parent.span_id == call.context.span_id
               for a in attempts)
    assert all(call.start_time <= a.start_time <= a.end_time <= call.end_time
               for a in attempts)
    failed, ok = sorted(attempts, key=lambda s: s.start_time)
    assert failed.attributes["error.type"] == "503"
    assert failed.status.status_code.name == "ERROR"
    attrs = ok.attributes
    assert attrs["gen_ai.operation.name"] == "generate_content"
    assert attrs["gen_ai.system"] == "vertex_ai"
    assert attrs["gen_ai.provider.name"] == "gcp.vertex_ai"
    assert attrs["gen_ai.request.model"] == "gemini-2.5-flash"
    assert attrs["gen_ai.response.model"] == "gemini-2.5-flash"
    assert attrs["gen_ai.usage.input_tokens"] == result.usage.input_tokens  # type: ignore[union-attr]
    assert attrs["gen_ai.usage.output_tokens"] == result.usage.output_tokens  # type: ignore[union-attr]
    assert tuple(attrs["gen_ai.response.finish_reasons"]) == ("STOP",)
    assert attrs["server.address"] == "127.0.0.1" and attrs["http.response.status_code"] == 200
    assert "gen_ai.input.messages" not in attrs and "gen_ai.output.messages" not in attrs
    assert call.attributes["vdsl.tag.team"] == "search" and call.attributes["vdsl.attempts"] == 2
    assert call.status.status_code.name != "ERROR"


def test_prompts_and_replies_only_when_asked(make_runtime, spans) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    import vdsl.otel

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    vdsl.otel.instrument(provider, capture_content=True)
    result = make_runtime(SOURCE).complete("Echo", {"text": "secret plan"})
    (attempt,) = [s for s in spans.get_finished_spans() if s.name.startswith("generate")]
    sent = json.loads(attempt.attributes["gen_ai.input.messages"])
    assert sent == [{"role": "user", "parts": [{"type": "text", "content": "secret plan"}]}]
    replied = json.loads(attempt.attributes["gen_ai.output.messages"])
    assert replied[0]["parts"][0]["content"] == result.text


def test_a_failed_call_marks_its_span(make_runtime, emulator, spans) -> None:
    from vdsl.errors import VertexError
    emulator.script([403])
    with pytest.raises(VertexError):
        make_runtime(SOURCE).call("Echo", {"text": "x"})
    call = next(s for s in spans.get_finished_spans() if s.name == "vdsl Echo")
    assert call.status.status_code.name == "ERROR"
    assert call.attributes["error.type"] == "VertexError"


def test_streams_are_traced_and_uninstrument_stops(make_runtime, spans) -> None:
    import vdsl.otel
    runtime = make_runtime(SOURCE)
    list(runtime.stream("Echo", {"text": "a b c"}))
    names = [s.name for s in spans.get_finished_spans()]
    assert names.count("vdsl Echo") == 1 and names.count("generate_content gemini-2.5-flash") == 1
    vdsl.otel.uninstrument()
    runtime.call("Echo", {"text": "untraced"})
    assert len(spans.get_finished_spans()) == 2


def _run(code: str, block_otel: bool) -> str:
    prelude = (
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'opentelemetry' or name.startswith('opentelemetry.'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, _Block())\n") if block_otel else ""
    env = {**os.environ, "VDSL_CACHE_DIR": ""}
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                          text=True, check=True, env=env).stdout.strip()


CALL = (
    "import vdsl\nfrom vdsl.runtime import Runtime\n"
    f"project = vdsl.loads({SOURCE!r})\n"
    "with Runtime(project, env={}) as rt:\n"
    "    rt.build_request('Echo', {'text': 'x'})\n"
    "    rt.parse('Echo', 'y')\n"
    "print([m for m in sys.modules if m.startswith('opentelemetry')])\n")


def test_nothing_is_imported_unless_instrumented() -> None:
    assert _run("import sys\n" + CALL, block_otel=False) == "[]"


def test_without_the_extra_calls_work_and_instrument_says_what_to_install() -> None:
    out = _run(CALL + "import vdsl.otel\n"
               "try:\n    vdsl.otel.instrument()\n"
               "except vdsl.VdslError as e:\n    print(type(e).__name__, e)\n", block_otel=True)
    assert out.splitlines() == ["[]", ("ConfigError OpenTelemetry is not installed: pip install "
                                "'vdsl[otel]'")]
