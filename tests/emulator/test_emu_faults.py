"""Fault injection: header/query grammar, scripted sequences, fixtures, and socket-level faults."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from emu_helpers import claude_body, claude_path, gemini_body, gemini_path, openapi_path, sse_data

from vdsl.emulator import Emulator, Fault, FaultError, parse_fault

SSE = gemini_path(method="streamGenerateContent") + "?alt=sse"
LONG = "one two three four five six seven eight nine ten"


def test_grammar() -> None:
    assert parse_fault("status=429; retry_after=2; array") == Fault(status=429, retry_after=2,
                                                                     array=True)
    assert parse_fault("truncate") == Fault(truncate=1)
    assert parse_fault("reset") == Fault(reset=-1)
    assert parse_fault("reset=3; chunk_delay=0.01") == Fault(reset=3, chunk_delay=0.01)
    assert parse_fault('{"status": 503, "message": "busy"}') == Fault(status=503, message="busy")
    assert parse_fault("503") == Fault(status=503)
    assert parse_fault("") is None
    assert Fault(status=500).merged(Fault(delay=0.5)) == Fault(status=500, delay=0.5)


@pytest.mark.parametrize("spec", ["bogus=1", "status=abc", "{not json"])
def test_grammar_errors(spec: str) -> None:
    with pytest.raises(FaultError):
        parse_fault(spec)


def test_bad_fault_header_is_a_400(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "nope"})
    assert reply.status_code == 400 and "x-vdsl-fault" in reply.json()["error"]["message"]


def test_status_with_retry_after_and_quota_message(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(),
                        headers={"x-vdsl-fault": "status=429; retry_after=2"})
    assert reply.status_code == 429 and reply.headers["retry-after"] == "2"
    error = reply.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("Quota exceeded for aiplatform.googleapis.com/"
                                       "generate_content_requests_per_minute_per_project_per_"
                                       "base_model with base model: gemini-2.5-flash.")


def test_array_wrapped_error_for_claude(client: httpx.Client) -> None:
    reply = client.post(claude_path("claude-3-5-sonnet-v2@20241022"), json=claude_body(),
                        headers={"x-vdsl-fault": "status=429; array"})
    body = reply.json()
    assert isinstance(body, list) and len(body) == 1
    assert "base model: anthropic-claude-3-5-sonnet-v2." in body[0]["error"]["message"]


def test_anthropic_envelope_on_request(client: httpx.Client) -> None:
    reply = client.post(claude_path(), json=claude_body(),
                        headers={"x-vdsl-fault": "status=529; envelope=anthropic; message=busy"})
    assert reply.status_code == 529
    assert reply.json()["error"] == {"type": "overloaded_error", "message": "busy"}


def test_fault_by_query_parameter(client: httpx.Client) -> None:
    reply = client.post(gemini_path() + "?vdsl_fault=status%3D503", json=gemini_body())
    assert reply.status_code == 503 and reply.json()["error"]["status"] == "UNAVAILABLE"


def test_auth_is_checked_before_faults(anon: httpx.Client) -> None:
    reply = anon.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "503"})
    assert reply.status_code == 401


def test_scripted_sequence(client: httpx.Client, emulator: Emulator) -> None:
    emulator.script([503, "status=503", None])
    statuses = [client.post(gemini_path(), json=gemini_body()).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]


def test_script_over_http(client: httpx.Client) -> None:
    client.post("/_emulator/script", json=[{"status": 500}])
    assert client.post(gemini_path(), json=gemini_body()).status_code == 500
    assert client.post(gemini_path(), json=gemini_body()).status_code == 200


def test_fixture_fault(client: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fixture("never sent", prompt="boom", fault="status=500; message=kaput")
    bad = client.post(gemini_path(), json=gemini_body("boom now"))
    assert bad.status_code == 500 and bad.json()["error"]["message"] == "kaput"
    assert client.post(gemini_path(), json=gemini_body("fine")).status_code == 200


def test_html_404(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "html404"})
    assert reply.status_code == 404 and reply.headers["content-type"].startswith("text/html")
    assert "<title>Error 404 (Not Found)!!1</title>" in reply.text


def test_delay_before_first_byte(client: httpx.Client) -> None:
    start = time.monotonic()
    client.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "delay=0.15"})
    assert time.monotonic() - start >= 0.15


def test_delay_between_chunks(client: httpx.Client) -> None:
    start = time.monotonic()
    reply = client.post(SSE, json=gemini_body(LONG), headers={"x-vdsl-fault": "chunk_delay=0.05"})
    assert len(sse_data(reply.text)) == 3
    assert time.monotonic() - start >= 0.1


def test_reset_mid_body(client: httpx.Client) -> None:
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "reset"})
    assert client.post(gemini_path(), json=gemini_body()).status_code == 200


def test_reset_mid_stream(client: httpx.Client) -> None:
    received: list[str] = []
    with (pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
          client.stream("POST", SSE, json=gemini_body(LONG),
                        headers={"x-vdsl-fault": "reset=2"}) as stream):
        received.extend(line for line in stream.iter_lines() if line.startswith("data: "))
    assert len(received) <= 2


def test_truncated_claude_stream_lacks_message_stop(client: httpx.Client) -> None:
    reply = client.post(claude_path(method="streamRawPredict"), json=claude_body(stream=True),
                        headers={"x-vdsl-fault": "truncate"})
    assert reply.status_code == 200
    assert "message_delta" in reply.text and "message_stop" not in reply.text


def test_truncated_openai_stream_lacks_done(client: httpx.Client) -> None:
    body = {"model": "meta/llama-3.3-70b-instruct-maas", "stream": True,
            "messages": [{"role": "user", "content": "hi"}]}
    reply = client.post(openapi_path(), json=body, headers={"x-vdsl-fault": "truncate"})
    assert "[DONE]" not in reply.text and sse_data(reply.text)


def test_truncated_gemini_stream_lacks_finish(client: httpx.Client) -> None:
    reply = client.post(SSE, json=gemini_body(LONG), headers={"x-vdsl-fault": "truncate"})
    assert "finishReason" not in reply.text and len(sse_data(reply.text)) == 2


def test_malformed_chunk(client: httpx.Client) -> None:
    reply = client.post(SSE, json=gemini_body(LONG), headers={"x-vdsl-fault": "malformed=1"})
    data = sse_data(reply.text)
    json.loads(data[0]), json.loads(data[2])
    with pytest.raises(ValueError):
        json.loads(data[1])


def test_malformed_plain_body(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(), headers={"x-vdsl-fault": "malformed"})
    with pytest.raises(ValueError):
        reply.json()


def test_error_inside_a_claude_stream(client: httpx.Client) -> None:
    reply = client.post(claude_path(method="streamRawPredict"), json=claude_body(stream=True),
                        headers={"x-vdsl-fault": "stream_error=529; stream_error_after=2"})
    assert reply.status_code == 200
    assert reply.text.count("event: ") == 3
    error = json.loads(sse_data(reply.text)[-1])
    assert error["type"] == "error" and error["error"]["type"] == "overloaded_error"


def test_error_inside_a_gemini_stream_is_bare_json(client: httpx.Client) -> None:
    reply = client.post(SSE, json=gemini_body(LONG), headers={"x-vdsl-fault": "stream_error=503"})
    tail = reply.text.split("\n\n", 1)[1]
    assert not tail.startswith("data:")
    assert json.loads(tail)["error"]["code"] == 503
