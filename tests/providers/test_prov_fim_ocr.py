"""Codestral fill-in-the-middle (`{{ _.suffix() }}`) and Mistral OCR (a `pdf`/`image`
parameter in, markdown per page out): bodies, call-time errors and round trips."""

from __future__ import annotations

import pytest
from prov_helpers import FILL, PDF, PNG, check_golden, client, preview

from vdsl.errors import ConfigError, MediaError
from vdsl.providers.catalog import lookup
from vdsl.providers.mistral_ocr import MistralOcrAdapter
from vdsl.render import RenderedPrompt
from vdsl.render.messages import SUFFIX_MARK

CODESTRAL = lookup("codestral-2501")
OCR = lookup("mistral-ocr-2505")
assert CODESTRAL is not None and OCR is not None
FIB = {"before": "def fib(n):\n    ", "after": "\n\nprint(fib(10))"}


def test_suffix_marker_renders_as_an_opaque_mark_in_one_text_part() -> None:
    import vdsl
    from vdsl.render import render_prompt
    project = vdsl.loads(client(CODESTRAL) + FILL)
    prompt = render_prompt(project, "Fill", FIB)
    assert isinstance(prompt, RenderedPrompt) and len(prompt.messages) == 1
    assert prompt.messages[0].text == FIB["before"] + SUFFIX_MARK + FIB["after"]


def test_fim_body_is_model_prompt_suffix_with_whitespace_kept() -> None:
    source = client(CODESTRAL, "max_tokens 64\n    temperature 0") + FILL
    request = preview(source).build_request("Fill", FIB)
    assert request.body == {"model": "codestral-2501", "max_tokens": 64, "temperature": 0,
                            "prompt": "def fib(n):\n    ", "suffix": "\n\nprint(fib(10))"}
    assert request.url.endswith("/publishers/mistralai/models/codestral-2501:rawPredict")
    stream = preview(source).build_request("Fill", FIB, stream=True)
    assert stream.body == {**request.body, "stream": True}
    check_golden("codestral-fim.json", {"call": request.redacted(),
                                        "stream": stream.redacted()})


def test_fim_client_option_is_not_sent_and_requires_the_marker() -> None:
    source = client(CODESTRAL, "fim true") + FILL
    assert "fim" not in preview(source).build_request("Fill", FIB).body
    chat = source + """
function Chat(q: string) -> string {
  client C
  prompt #"{{ q }}"#
}
"""
    import vdsl
    from vdsl.errors import CompileError
    with pytest.raises(CompileError, match="no `\\{\\{ _.suffix\\(\\) \\}\\}` marker"):
        vdsl.loads(chat)


@pytest.mark.parametrize(("prompt", "match"), [
    ('{{ before }}{{ _.suffix() }}{{ after }}{{ _.suffix() }}', "exactly one"),
    ('{{ _.role("user") }}{{ before }}{{ _.role("assistant") }}{{ _.suffix() }}{{ after }}',
     "no `_.role"),
])
def test_malformed_fim_prompts_fail_at_call_time(prompt: str, match: str) -> None:
    source = client(CODESTRAL) + FILL.replace("{{ before }}{{ _.suffix() }}{{ after }}", prompt)
    with pytest.raises(ConfigError, match=match):
        preview(source).build_request("Fill", FIB)


def test_marker_on_a_non_codestral_mistral_model_fails_at_call_time() -> None:
    # `vdsl check` rejects this (fim-unsupported); a runtime built around the check still says why.
    from vdsl.providers.mistral import MistralAdapter
    from vdsl.providers.options import resolve_options
    from vdsl.render import ChatMessage, TextPart
    prompt = RenderedPrompt((ChatMessage("user", (TextPart(f"a{SUFFIX_MARK}b"),)),))
    options = resolve_options("C", {"model": "mistral-large-2411", "location": "x"}, {})
    with pytest.raises(ConfigError, match="only Codestral"):
        MistralAdapter().body(prompt, options, False)


READ = """
function Read(document: pdf) -> string {
  client C
  prompt #"Read this. {{ document }}"#
}
class Page {
  index int
  markdown string
}
class Scanned {
  pages Page[]
}
function Scan(photo: image) -> Scanned {
  client C
  prompt #"{{ photo }}"#
}
"""
DOC = {"document": {"base64": PDF, "media_type": "application/pdf"}}
PHOTO = {"photo": {"base64": PNG, "media_type": "image/png"}}


def test_ocr_body_for_pdf_and_image_ignores_prompt_text() -> None:
    runtime = preview(client(OCR, "include_image_base64 false") + READ)
    pdf = runtime.build_request("Read", DOC).body
    assert pdf == {"model": "mistral-ocr-2505",
                   "document": {"type": "document_url",
                                "document_url": f"data:application/pdf;base64,{PDF}"},
                   "include_image_base64": False}
    image = runtime.build_request("Scan", PHOTO).body
    assert image["document"] == {"type": "image_url",
                                 "image_url": f"data:image/png;base64,{PNG}"}
    check_golden("mistral-ocr-image.json", runtime.build_request("Scan", PHOTO).redacted())


def test_ocr_without_a_document_is_a_clear_error() -> None:
    from vdsl.providers.options import resolve_options
    from vdsl.render import ChatMessage, TextPart
    prompt = RenderedPrompt((ChatMessage("user", (TextPart("no document here"),)),))
    options = resolve_options("C", {"model": "mistral-ocr-2505", "location": "x"}, {})
    with pytest.raises(MediaError, match="exactly one document"):
        MistralOcrAdapter().body(prompt, options, False)


def test_ocr_reply_is_markdown_text_plus_structured_pages() -> None:
    reply = {"pages": [{"index": 0, "markdown": "# Title"}, {"index": 1, "markdown": "body"}],
             "model": "mistral-ocr-2505", "usage_info": {"pages_processed": 2}}
    completion = MistralOcrAdapter().parse_response(reply)
    assert completion.text == "# Title\n\nbody" and completion.structured == reply
    assert completion.usage is not None and completion.usage.pages == 2
    assert completion.finish_reason == "stop"
    assert not MistralOcrAdapter.SUPPORTS_STREAMING and MistralOcrAdapter.INLINE_MEDIA


def test_fim_round_trip(make_runtime, emulator) -> None:
    emulator.add_fixture({"text": "return n if n < 2 else fib(n-1) + fib(n-2)"},
                         prompt="def fib")
    runtime = make_runtime(client(CODESTRAL, "fim true") + FILL)
    assert runtime.call("Fill", FIB) == "return n if n < 2 else fib(n-1) + fib(n-2)"
    assert emulator.requests[-1].body["suffix"] == FIB["after"]
    stream = runtime.stream("Fill", FIB)
    assert "".join(e.delta for e in stream) == "return n if n < 2 else fib(n-1) + fib(n-2)"


def test_ocr_round_trip_string_result(make_runtime, emulator) -> None:
    emulator.add_fixture({"text": "# Invoice 42"}, model="mistral-ocr-2505")
    result = make_runtime(client(OCR) + READ).complete("Read", DOC)
    assert result.value == "# Invoice 42"
    assert emulator.requests[-1].body["document"]["type"] == "document_url"


def test_ocr_structured_reply_parses_into_a_pages_class() -> None:
    import json
    reply = {"pages": [{"index": 0, "markdown": "# A", "images": [], "dimensions": {}}],
             "model": "mistral-ocr-2505", "usage_info": {"pages_processed": 1}}
    completion = MistralOcrAdapter().parse_response(reply)
    value = preview(client(OCR) + READ).parse("Scan", json.dumps(completion.structured))
    assert [(p.index, p.markdown) for p in value.pages] == [(0, "# A")]


def test_fim_prompt_with_a_non_fim_client_override_is_refused_before_sending(
        emulator, make_runtime) -> None:  # type: ignore[no-untyped-def]
    """The gap marker never reaches another model: a `client=` override that cannot do
    fill-in-the-middle is a usage error, and nothing is sent."""
    from vdsl.errors import InvalidArgumentError
    gemini = lookup("gemini-2.5-flash")
    assert gemini is not None
    runtime = make_runtime(client(CODESTRAL) + client(gemini, name="Flash") + FILL)
    sent = len(emulator.requests)
    with pytest.raises(InvalidArgumentError, match="fill-in-the-middle.*`Flash`"):
        runtime.call("Fill", FIB, client="Flash")
    with pytest.raises(InvalidArgumentError, match="fill-in-the-middle"):
        runtime.build_request("Fill", FIB, client="Flash")
    assert len(emulator.requests) == sent
    assert runtime.call("Fill", FIB)  # its own Codestral client still works


def test_render_shows_the_fim_gap_in_words(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from vdsl.cli import main
    gemini = lookup("gemini-2.5-flash")
    assert gemini is not None
    path = tmp_path / "fim.vdsl"
    path.write_text(client(CODESTRAL) + client(gemini, name="Flash") + FILL, encoding="utf-8")
    args = ["render", str(path), "Fill", "--args", '{"before": "a = ", "after": "\\nb = 2"}']
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "a = \n── fill-in-the-middle gap; the suffix follows ──\n\nb = 2" in out
    assert "vdsl-suffix" not in out and "\ue000" not in out
    assert main([*args, "--client", "Flash"]) == 2
    assert "does not do; use a Codestral client" in capsys.readouterr().err
