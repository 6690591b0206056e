"""`HttpRequest` shows itself redacted everywhere and keeps the real values for sending."""

from __future__ import annotations

import copy
import json
import pickle

from vdsl.providers.base import HttpRequest

KEY = "AIza-secret-key-123"
TOKEN = "tok-from-env-456"


def _request() -> HttpRequest:
    return HttpRequest(
        "POST", "https://h/v1/m:generateContent?tenant=acme&sig=" + TOKEN,
        {"x-goog-api-key": KEY, "x-team": TOKEN, "x-plain": "visible", "authorization": "B x"},
        {"contents": []}, {KEY: "VERTEX_KEY"},
        hidden_headers={"x-team": "TEAM_TOKEN", "x-goog-api-key": "VERTEX_KEY"},
        hidden_params={"sig": "SIG"})


def test_every_way_of_showing_it_hides_the_secrets() -> None:
    request = _request()
    shown = [request.url, json.dumps(request.headers), repr(request), str(request),
             json.dumps(request.redacted()), request.curl(),
             repr(pickle.loads(pickle.dumps(request)).sendable())]
    for text in shown:
        assert KEY not in text and TOKEN not in text and "B x" not in text, text
    assert request.url == "https://h/v1/m:generateContent?tenant=acme&sig=<redacted>"
    assert request.headers == {"x-goog-api-key": "<redacted>", "x-team": "<redacted>",
                               "x-plain": "visible", "authorization": "<redacted>"}
    curl = request.curl()
    # the shell expands the variables and nothing else: 'text'"$VAR"
    assert 'sig=\'"$SIG"' in curl and 'x-team: \'"$TEAM_TOKEN"' in curl
    assert 'x-goog-api-key: \'"$VERTEX_KEY"' in curl
    assert 'authorization: Bearer \'"$(gcloud auth print-access-token)"' in curl


def test_the_real_values_are_there_for_sending_and_on_request() -> None:
    request = _request()
    url, headers = request.sendable()
    assert url.endswith("sig=" + TOKEN) and headers["x-goog-api-key"] == KEY
    assert request.revealed()["headers"]["x-team"] == TOKEN
    assert TOKEN in request.curl(reveal=True)
    for clone in (copy.copy(request), copy.deepcopy(request)):
        assert clone.sendable() == request.sendable() and repr(clone) == repr(request)


def test_a_token_added_later_is_hidden_too() -> None:
    request = HttpRequest("POST", "https://h/x", {"x-echo": "Bearer ya29.abc"}, {})
    request.add_secret("ya29.abc", "ACCESS_TOKEN")
    assert request.headers["x-echo"] == "Bearer <redacted>"
