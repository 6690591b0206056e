"""`vdsl emulator` / `python -m vdsl.emulator`: announce, serve, stop cleanly on a signal."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from emu_helpers import gemini_body, gemini_path

from vdsl.emulator.cli import DEFAULT_PORT, add_arguments

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "vdsl.emulator", "--port", "0", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("Vertex emulator listening on http://127.0.0.1:"), first
    url = first.rsplit(" ", 1)[1].strip()
    assert proc.stdout.readline().strip() == f"export VDSL_VERTEX_ENDPOINT={url}"
    return proc, url


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_until_signalled_then_exits_zero(sig: signal.Signals) -> None:
    proc, url = _start()
    try:
        reply = httpx.post(url + gemini_path(), json=gemini_body(), timeout=10)
        assert reply.status_code == 200  # lax auth by default: no token needed
    finally:
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "stopped" in out


def test_strict_auth_and_fixtures(tmp_path: Path) -> None:
    fixtures = tmp_path / "f.yaml"
    fixtures.write_text("- prompt: sky\n  reply: Rayleigh scattering\n")
    proc, url = _start("--strict-auth", "--fixtures", str(fixtures))
    try:
        assert httpx.post(url + gemini_path(), json=gemini_body()).status_code == 401
        token = httpx.post(url + "/_emulator/token").json()["access_token"]
        reply = httpx.post(url + gemini_path(), json=gemini_body(),
                           headers={"Authorization": f"Bearer {token}"})
        assert reply.json()["candidates"][0]["content"]["parts"][0]["text"] == \
               "Rayleigh scattering"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_bad_fixtures_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"colour": "red"}]')
    result = subprocess.run([sys.executable, "-m", "vdsl.emulator", "--port", "0", "--fixtures",
                             str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=30,
                            check=False)
    assert result.returncode == 2 and "unknown fixture keys: colour" in result.stderr


def test_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.strict_auth) == ("127.0.0.1", DEFAULT_PORT, False)


def test_each_request_prints_one_redacted_line_unless_quiet() -> None:
    import re
    proc, url = _start()
    try:
        httpx.post(url + gemini_path() + "?key=AIza-secret-key", json=gemini_body(),
                   headers={"Authorization": "Bearer ya29.secret-token"}, timeout=10)
        httpx.post(url + "/v1/nowhere", json={}, timeout=10)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    lines = [line for line in out.splitlines() if re.match(r"\d\d:\d\d:\d\d ", line)]
    assert len(lines) == 2, out
    assert re.fullmatch(r"\d\d:\d\d:\d\d POST /v1/projects/.+:generateContent 200 \d+ ms",
                        lines[0])
    assert lines[1].endswith(" 404 " + lines[1].rsplit(" ", 2)[1] + " ms")
    assert "secret" not in out
    quiet, url = _start("--quiet")
    try:
        httpx.post(url + gemini_path(), json=gemini_body(), timeout=10)
    finally:
        quiet.send_signal(signal.SIGINT)
        out, _ = quiet.communicate(timeout=10)
    assert not any(re.match(r"\d\d:\d\d:\d\d ", line) for line in out.splitlines())


def test_org_policy_flags() -> None:
    proc, url = _start("--deny-global-endpoint", "--allowed-location", "europe-*")
    try:
        denied = httpx.post(url + gemini_path(location="global"), json=gemini_body())
        assert denied.status_code == 403
        assert "constraints/gcp.restrictEndpointUsage" in denied.json()["error"]["message"]
        assert httpx.post(url + gemini_path(), json=gemini_body()).status_code == 200
        cache = httpx.post(url + "/v1/projects/p/locations/us-central1/cachedContents",
                           json={"model": "publishers/google/models/gemini-2.5-flash"})
        assert cache.status_code == 400 and "resourceLocations" in cache.text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
