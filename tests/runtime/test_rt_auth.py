"""The runtime with real credentials: google-auth signs a JWT, the emulator verifies it and
issues a token, and calls carry it — through file paths, inline JSON and env settings."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

import vdsl
from vdsl.errors import AuthError
from vdsl.providers import auth as auth_module
from vdsl.runtime import Runtime

SOURCE = """
client<llm> Flash {{
  provider vertex-ai
  options {{
    model gemini-2.5-flash
    location us-central1
    {credentials}
  }}
}}
function Say(text: string) -> string {{
  client Flash
  prompt #"{{{{ text }}}}"#
}}
"""


@pytest.fixture(autouse=True)
def sealed(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """No real credentials can be found: HOME, gcloud config and PATH point at empty dirs."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    auth_module.clear_cache()
    yield
    auth_module.clear_cache()


def runtime_for(source: str, emulator, env: dict[str, str]) -> Runtime:  # type: ignore[no-untyped-def]
    base = {"HOME": "/nonexistent", "GCE_METADATA_HOST": "127.0.0.1:9", "NO_GCE_CHECK": "True"}
    return Runtime(vdsl.loads(source), env={**base, **env}, endpoint=emulator.url)


def test_service_account_file_in_options(emulator, tmp_path):
    key = emulator.service_account_file(tmp_path)
    runtime = runtime_for(SOURCE.format(credentials=f'credentials "{key}"'), emulator, {})
    assert runtime.call("Say", {"text": "signed"}) == "[gemini-2.5-flash] echo: signed"
    paths = [r.path for r in emulator.requests]
    assert paths[0] == "/token" and paths[1].endswith(":generateContent")
    # the project comes from the service account JSON
    assert "/projects/" + json.loads(key.read_text())["project_id"] + "/" in paths[1]
    runtime.call("Say", {"text": "again"})
    assert [r.path for r in emulator.requests].count("/token") == 1  # the token is reused


def test_inline_json_from_env_never_leaks(emulator, tmp_path, caplog):
    key = emulator.service_account_file(tmp_path)
    content = key.read_text()
    caplog.set_level(logging.DEBUG, logger="vdsl")
    runtime = runtime_for(SOURCE.format(credentials="credentials_content env.SA_JSON"), emulator,
                          {"SA_JSON": content})
    assert runtime.call("Say", {"text": "inline"}).endswith("inline")
    request = runtime.build_request("Say", {"text": "x"})
    private_key = json.loads(content)["private_key"]
    shown = caplog.text + json.dumps(request.redacted()) + request.curl()
    assert "PRIVATE KEY" not in shown and private_key[40:80] not in shown


def test_google_application_credentials_env(emulator, tmp_path):
    key = emulator.service_account_file(tmp_path)
    runtime = runtime_for(SOURCE.format(credentials=""), emulator,
                          {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert asyncio.run(runtime.acall("Say", {"text": "async"})).endswith("async")


def test_missing_credentials_against_real_vertex_lists_what_was_tried(emulator):
    runtime = Runtime(vdsl.loads(SOURCE.format(credentials="project_id p")),
                      env={"HOME": "/nonexistent", "GCE_METADATA_HOST": "127.0.0.1:9"})
    with pytest.raises(AuthError) as caught:
        runtime.call("Say", {"text": "x"})
    message = str(caught.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in message and "gcloud" in message


def test_emulator_without_credentials_uses_an_open_token(tmp_path):
    from vdsl.emulator import Emulator
    with Emulator(require_auth=False) as emu:
        runtime = Runtime(vdsl.loads(SOURCE.format(credentials="")), env={}, endpoint=emu.url)
        assert runtime.call("Say", {"text": "open"}).endswith("open")
        assert "/projects/vdsl-emulator/" in emu.requests[-1].path


def test_an_unset_env_var_in_credentials_is_an_error_naming_it(emulator):  # type: ignore[no-untyped-def]
    """BAML's rule (docs/auth.md): `credentials env.VAR` with VAR unset or empty does not fall
    through to other credentials; BAML reads the unexpanded `$VAR` as a file and fails, vdsl
    names the variable."""
    from vdsl.errors import MissingEnvError
    source = SOURCE.format(credentials="credentials env.MY_GOOGLE_CREDS")
    for env in ({}, {"MY_GOOGLE_CREDS": ""}):
        runtime = runtime_for(source, emulator, env)
        with pytest.raises(MissingEnvError) as info:
            runtime.call("Say", {"text": "x"})
        assert info.value.variable == "MY_GOOGLE_CREDS" and "Flash" in str(info.value)


FALLBACK = """
client<llm> A {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1 }
}
client<llm> B {
  provider vertex-ai
  options { model gemini-2.5-flash, location europe-west4 }
}
client<llm> C {
  provider vertex-ai
  options { model gemini-2.5-pro, location global }
}
client<llm> Chain {
  provider fallback
  options { strategy [A, B, C] }
}
function Say(text: string) -> string {
  client Chain
  prompt #"{{ text }}"#
}
"""


def test_missing_credentials_are_resolved_once_per_call_not_per_fallback_child(tmp_path):  # type: ignore[no-untyped-def]
    """Every child of the chain has the same (missing) credentials: the slow search (here a
    gcloud that fails; for real users also the metadata probe) runs once for the call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "gcloud-calls"
    gcloud = bin_dir / "gcloud"
    gcloud.write_text(f'#!/bin/sh\necho called >> "{log}"\necho "not logged in" >&2\nexit 1\n')
    gcloud.chmod(0o755)
    env = {"HOME": str(tmp_path / "home"), "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
           "PATH": f"{bin_dir}:/bin:/usr/bin", "GCE_METADATA_HOST": "127.0.0.1:9",
           "NO_GCE_CHECK": "True", "GOOGLE_CLOUD_PROJECT": "p"}
    runtime = Runtime(vdsl.loads(FALLBACK), env=env)
    with pytest.raises(AuthError) as info:
        runtime.call("Say", {"text": "x"})
    assert log.read_text().count("called") == 1
    message = str(info.value)
    assert all(f"client {name}" in message or f"{name}:" in message for name in "ABC")
    auth_module.clear_cache()
    with pytest.raises(AuthError):
        runtime.call("Say", {"text": "again"})
    assert log.read_text().count("called") == 2  # a new call searches again


def test_attempts_before_any_request_read_not_sent_in_one_line(tmp_path):  # type: ignore[no-untyped-def]
    env = {"HOME": str(tmp_path / "home"), "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
           "PATH": str(tmp_path / "nobin"), "GCE_METADATA_HOST": "127.0.0.1:9",
           "NO_GCE_CHECK": "True", "GOOGLE_CLOUD_PROJECT": "p"}
    runtime = Runtime(vdsl.loads(FALLBACK), env=env)
    with pytest.raises(AuthError) as info:
        runtime.call("Say", {"text": "x"})
    listed = str(info.value).split("attempts:\n", 1)[1].splitlines()
    assert [line.split(": not sent: ")[0] for line in listed] == ["  1. A", "  2. B", "  3. C"]
    assert all("()" not in line and "..." not in line and "…" not in line for line in listed)
    assert [a.sent for a in info.value.attempts] == [False, False, False]  # type: ignore[attr-defined]
