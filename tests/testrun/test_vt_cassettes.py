"""Record and replay: `--record` writes a cassette per test (no secrets), `--emulator`
replays it offline with the same verdicts, and a request that changed is reported as stale,
never answered with a reply recorded for another request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from vt_project import EXPECTED, FIXTURES

from vdsl.cli import main
from vdsl.emulator import Emulator


@pytest.fixture
def vertex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A stand-in for Vertex AI (on loopback) that `--live` and `--record` call."""
    fixtures = tmp_path / "vertex.yaml"
    fixtures.write_text(FIXTURES)
    with Emulator(require_auth=False, fixtures=fixtures) as emulator:
        monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", emulator.url)
        yield emulator


def _statuses(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, dict[str, object]]:
    main(["test", *argv, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    return {t["id"]: {k: t.get(k) for k in ("status", "kind", "message", "value")}
            for t in data["tests"]}


def _record(mixed: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    live = _statuses(capsys, str(mixed), "--record")
    (mixed / "emulator.yaml").unlink()  # from now on only the cassettes can answer
    return live


def test_record_then_replay_gives_the_same_results_offline(
        mixed: Path, vertex: Emulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    live = _record(mixed, capsys)
    assert {i: r["status"] for i, r in live.items()} == EXPECTED
    cassettes = sorted(p.name for p in (mixed / "cassettes").glob("*.json"))
    assert cassettes == sorted(f"{i.split('::')[1]}.{i.split('::')[0]}.json"
                               for i, s in EXPECTED.items() if s != "skipped")
    calls = len(vertex.requests)
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT")
    replayed = _statuses(capsys, str(mixed), "--emulator")
    assert replayed == live
    assert len(vertex.requests) == calls  # nothing reached "Vertex" again


def test_a_cassette_keeps_each_exchange_and_no_secret(mixed: Path, vertex: Emulator,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _record(mixed, capsys)
    server_error = json.loads((mixed / "cassettes" / "ServerError.FR.json").read_text())
    assert [e["error"]["status"] for e in server_error["exchanges"]] == [500, 500, 500]
    assert server_error["exchanges"][0]["error"]["message"] == "Internal error encountered."
    passed = json.loads((mixed / "cassettes" / "Pass.F.json").read_text())
    (exchange,) = passed["exchanges"]
    assert exchange["request"]["url"] == ("/v1/projects/-/locations/us-central1/publishers/"
                                          "google/models/gemini-2.5-flash:generateContent")
    assert exchange["reply"]["text"] == '{"name": "Alice Smith", "age": 30}'
    assert exchange["reply"]["usage"] == {"input_tokens": 20, "output_tokens": 10}
    for path in (mixed / "cassettes").glob("*.json"):
        text = path.read_text().lower()
        assert "authorization" not in text and "bearer" not in text
        assert "vdsl-emulator-" not in text and vertex.url.lower() not in text


def test_an_api_key_never_reaches_a_cassette(tmp_path: Path, vertex: Emulator,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "express"
    root.mkdir()
    (root / "main.vdsl").write_text(
        'client<llm> K {\n  provider vertex-ai\n  options {\n    model gemini-2.5-flash\n    location global\n'
        '    query_params {\n      key env.GEMINI_KEY\n    }\n  }\n}\n\n'
        'function Hi(x: string) -> string {\n  client K\n  prompt #"hi {{ x }}"#\n}\n\n'
        'test One {\n  functions [Hi]\n  args {\n    x "there"\n  }\n}\n')
    monkeypatch.setenv("GEMINI_KEY", vertex.api_key)
    assert _statuses(capsys, str(root), "--record")["Hi::One"]["status"] == "passed"
    text = (root / "cassettes" / "One.Hi.json").read_text()
    assert vertex.api_key not in text and "key=" not in text


def test_a_changed_prompt_makes_the_cassette_stale(mixed: Path, vertex: Emulator,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _record(mixed, capsys)
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT")
    source = mixed / "main.vdsl"
    source.write_text(source.read_text().replace(
        'function F(x: string) -> Person {\n  client G\n  prompt #"Tell me about',
        'function F(x: string) -> Person {\n  client G\n  prompt #"Please tell me about'))
    code = main(["test", str(mixed), "--emulator", "-k", "F::Pass", "--junit",
                 str(mixed / "junit.xml"), "--format", "concise"])
    out = capsys.readouterr().out
    assert code == 3
    assert "error[test-stale] F::Pass: cassette" in out
    assert "`body.contents[0].parts[0].text` changed" in out
    assert '"Tell me about alice.' in out and '"Please tell me about alice.' in out
    assert "<error" in (mixed / "junit.xml").read_text()
    replayed = _statuses(capsys, str(mixed), "--emulator")
    assert all(r["kind"] == "stale" for i, r in replayed.items() if i.startswith("F::")
               and EXPECTED[i] != "skipped")
    assert replayed["FR::ServerError"]["status"] == "errored"  # FR's prompt did not change
    assert replayed["FR::ServerError"]["kind"] == "provider"


def test_more_requests_than_recorded_is_stale(mixed: Path, vertex: Emulator,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The request did not change, but the call now makes more of them (one more retry):
    the emulator answers the extra one with a stale error, not with a made-up reply."""
    _record(mixed, capsys)
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT")
    source = mixed / "main.vdsl"
    source.write_text(source.read_text().replace("max_retries 2", "max_retries 3"))
    result = _statuses(capsys, str(mixed), "--emulator", "-k", "ServerError")["FR::ServerError"]
    assert result["kind"] == "stale"
    assert "made more requests than the 3 recorded" in str(result["message"])


def test_an_unreadable_cassette_is_an_error_of_that_test(mixed: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (mixed / "cassettes").mkdir()
    (mixed / "cassettes" / "Pass.F.json").write_text("{not json")
    (mixed / "cassettes" / "ContextAndChecks.F.json").write_text("[" * 100_000 + "]" * 100_000)
    (mixed / "cassettes" / "CheckFails.F.json").write_text(json.dumps(
        {"vdsl_cassette": 1, "test": "Other", "function": "F", "exchanges": []}))
    results = _statuses(capsys, str(mixed), "--emulator")
    assert results["F::Pass"]["kind"] == "cassette"
    assert "Pass.F.json: not a valid cassette" in str(results["F::Pass"]["message"])
    assert "recorded for F::Other, not F::CheckFails" in str(results["F::CheckFails"]["message"])
    assert "nested too deeply" in str(results["F::ContextAndChecks"]["message"])
    assert results["F::AssertFails"]["status"] == "failed"  # the others run as before


def test_live_ignores_cassettes(mixed: Path, vertex: Emulator,
                                capsys: pytest.CaptureFixture[str]) -> None:
    (mixed / "cassettes").mkdir()
    (mixed / "cassettes" / "Pass.F.json").write_text("{not json")
    (mixed / "cassettes" / "ContextAndChecks.F.json").write_text("[" * 100_000 + "]" * 100_000)
    assert _statuses(capsys, str(mixed), "--live", "-k", "F::Pass")["F::Pass"]["status"] == \
        "passed"
