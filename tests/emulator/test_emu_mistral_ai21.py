"""Mistral (chat, Codestral FIM, OCR) and AI21 Jamba on rawPredict / streamRawPredict."""

from __future__ import annotations

import json

import httpx
from emu_helpers import partner_path, sse_data

from vdsl.emulator import Emulator

PDF = "data:application/pdf;base64,JVBERi0xLjQK"


def _chat(model: str, text: str = "Bonjour", **extra: object) -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def test_mistral_chat(client: httpx.Client) -> None:
    reply = client.post(partner_path("mistralai", "mistral-large-2411"),
                        json=_chat("mistral-large-2411"))
    data = reply.json()
    assert data["id"].startswith("cmpl-") and data["model"] == "mistral-large-2411"
    assert data["choices"][0]["message"]["content"] == "[mistral-large-2411] echo: Bonjour"


def test_mistral_stream(client: httpx.Client) -> None:
    reply = client.post(partner_path("mistralai", "mistral-small-2503", "streamRawPredict"),
                        json=_chat("mistral-small-2503", stream=True))
    data = sse_data(reply.text)
    assert data[-1] == "[DONE]"
    assert json.loads(data[-2])["choices"][0]["finish_reason"] == "stop"


def test_mistral_needs_model_in_body(client: httpx.Client) -> None:
    reply = client.post(partner_path("mistralai", "mistral-large-2411"),
                        json={"messages": [{"role": "user", "content": "x"}]})
    assert reply.status_code == 400


def test_codestral_fill_in_the_middle(client: httpx.Client) -> None:
    body = {"model": "codestral-2501", "prompt": "def fib(n):\n    ", "suffix": "\nprint(fib(3))"}
    reply = client.post(partner_path("mistralai", "codestral-2501"), json=body)
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"].startswith("# [codestral-2501]")
    other = client.post(partner_path("mistralai", "mistral-large-2411"),
                        json={**body, "model": "mistral-large-2411"})
    assert other.status_code == 400


def test_ocr(client: httpx.Client) -> None:
    body = {"model": "mistral-ocr-2505", "document": {"type": "document_url",
                                                       "document_url": PDF}, "pages": [0, 1]}
    data = client.post(partner_path("mistralai", "mistral-ocr-2505"), json=body).json()
    assert [p["index"] for p in data["pages"]] == [0, 1]
    assert data["usage_info"] == {"pages_processed": 2, "doc_size_bytes": 9}
    assert "application/pdf" in data["pages"][0]["markdown"]


def test_ocr_refuses_remote_urls_streams_and_chat(client: httpx.Client) -> None:
    path = partner_path("mistralai", "mistral-ocr-2505")
    remote = {"model": "mistral-ocr-2505",
              "document": {"type": "document_url", "document_url": "https://x.test/a.pdf"}}
    assert client.post(path, json=remote).status_code == 400
    local = {**remote, "document": {"type": "image_url", "image_url": PDF}}
    stream = partner_path("mistralai", "mistral-ocr-2505", "streamRawPredict")
    assert client.post(stream, json=local).status_code == 400
    assert client.post(path, json=_chat("mistral-ocr-2505")).status_code == 400


def test_ocr_fixture_supplies_markdown(client: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fixture("# Invoice 7", model="mistral-ocr-2505")
    body = {"model": "mistral-ocr-2505", "document": {"type": "image_url", "image_url": PDF}}
    data = client.post(partner_path("mistralai", "mistral-ocr-2505"), json=body).json()
    assert data["pages"][0]["markdown"] == "# Invoice 7"


def test_jamba_chat_and_stream(client: httpx.Client) -> None:
    path = partner_path("ai21", "jamba-1.5-mini@001")
    data = client.post(path, json=_chat("jamba-1.5-mini@001")).json()
    assert data["object"] == "chat.completion"
    assert data["choices"][0]["message"]["content"] == "[jamba-1.5-mini@001] echo: Bonjour"
    stream = client.post(partner_path("ai21", "jamba-1.5-large@001", "streamRawPredict"),
                         json=_chat("jamba-1.5-large@001", stream=True))
    assert sse_data(stream.text)[-1] == "[DONE]"


def test_jamba_global_and_unknown_publisher_are_404(client: httpx.Client) -> None:
    body = _chat("jamba-1.5-mini@001")
    assert client.post(partner_path("ai21", "jamba-1.5-mini@001", location="global"),
                       json=body).status_code == 404
    assert client.post(partner_path("acme", "rocket-1"), json=body).status_code == 404
