"""Each step of the resolution order works on its own, and earlier steps win."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from auth_helpers import metadata_token_requests, sa_info, token_requests, vertex_status

from vdsl.emulator import Emulator
from vdsl.providers.auth import ApiKeyAuth, CredentialsAuth, resolve_auth

SA = "vdsl-test@vdsl-emulator.iam.gserviceaccount.com"


def _use(emu: Emulator, strategy: CredentialsAuth | object) -> None:
    """The strategy's token really works on Vertex (the emulator checks it)."""
    assert isinstance(strategy, CredentialsAuth)
    assert vertex_status(emu, strategy.headers()) == 200


# --- 1. API key ------------------------------------------------------------------------------


def test_api_key_means_no_bearer_even_with_credentials(env: dict[str, str], sa_file: Path) -> None:
    options = {"query_params": {"key": "AIza-test-key-123456"}, "credentials": str(sa_file)}
    strategy = resolve_auth(options, env, client_name="Flash")
    assert isinstance(strategy, ApiKeyAuth)
    assert strategy.kind == "api-key"
    assert strategy.headers() == {}
    assert strategy.key == "AIza-test-key-123456"
    assert strategy.project_id is None


def test_api_key_async_headers_are_empty(env: dict[str, str]) -> None:
    strategy = resolve_auth({"query_params": {"key": "k"}}, env, client_name="Flash")
    assert asyncio.run(strategy.aheaders()) == {}


@pytest.mark.parametrize("key", ["$VERTEX_API_KEY", "", "   ", None])
def test_unresolved_or_empty_api_key_is_absent(env: dict[str, str], emu: Emulator,
                                               sa_file: Path, key: str | None) -> None:
    options = {"query_params": {"key": key, "other": "x"}, "credentials": str(sa_file)}
    strategy = resolve_auth(options, env, client_name="Flash")
    assert strategy.kind == "service-account"


# --- 2. options.credentials ---------------------------------------------------------------------


def test_credentials_file_path(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    strategy = resolve_auth({"credentials": str(sa_file)}, env, client_name="Flash")
    assert strategy.kind == "service-account"
    assert strategy.setting == "options.credentials"
    assert strategy.description == f"service account {SA} from options.credentials " \
                                   f"(file {sa_file})"
    assert strategy.project_id == "vdsl-emulator"
    _use(emu, strategy)
    assert token_requests(emu) == 1


def test_credentials_json_string(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    strategy = resolve_auth({"credentials": sa_file.read_text()}, env, client_name="Flash")
    assert strategy.description == f"service account {SA} from options.credentials (JSON)"
    _use(emu, strategy)


def test_credentials_doubly_quoted_json_string(env: dict[str, str], emu: Emulator,
                                               sa_file: Path) -> None:
    """How Vercel stores JSON in an env var: a JSON string whose value is the JSON."""
    quoted = json.dumps(sa_file.read_text())
    strategy = resolve_auth({"credentials": quoted}, env, client_name="Flash")
    assert strategy.kind == "service-account"
    _use(emu, strategy)


def test_credentials_doubly_quoted_path(env: dict[str, str], emu: Emulator,
                                        sa_file: Path) -> None:
    strategy = resolve_auth({"credentials": json.dumps(str(sa_file))}, env, client_name="F")
    assert f"(file {sa_file})" in strategy.description


def test_credentials_map(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    info = json.loads(sa_file.read_text())
    strategy = resolve_auth({"credentials": info}, env, client_name="Flash")
    assert strategy.description.endswith("from options.credentials (map)")
    _use(emu, strategy)


def test_credentials_home_relative_path(env: dict[str, str], emu: Emulator, sa_file: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(sa_file.parent))
    strategy = resolve_auth({"credentials": f"~/{sa_file.name}"}, env, client_name="Flash")
    _use(emu, strategy)


# --- 3. credentials_content ----------------------------------------------------------------------


def test_credentials_content(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    options = {"credentials_content": sa_file.read_text()}
    strategy = resolve_auth(options, env, client_name="Flash")
    assert strategy.setting == "options.credentials_content"
    assert strategy.description.endswith("from options.credentials_content (JSON)")
    _use(emu, strategy)


# --- 4./5. GOOGLE_APPLICATION_CREDENTIALS[_CONTENT] -------------------------------------------------


def test_env_gac_path(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(sa_file)
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.setting == "env GOOGLE_APPLICATION_CREDENTIALS"
    assert strategy.description.endswith(f"from env GOOGLE_APPLICATION_CREDENTIALS "
                                         f"(file {sa_file})")
    _use(emu, strategy)


def test_env_gac_json(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    env["GOOGLE_APPLICATION_CREDENTIALS"] = sa_file.read_text()
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.description.endswith("from env GOOGLE_APPLICATION_CREDENTIALS (JSON)")
    _use(emu, strategy)


def test_env_gac_content(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    env["GOOGLE_APPLICATION_CREDENTIALS_CONTENT"] = sa_file.read_text()
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.setting == "env GOOGLE_APPLICATION_CREDENTIALS_CONTENT"
    _use(emu, strategy)


def test_only_the_given_env_is_consulted(env: dict[str, str], sa_file: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The Runtime's env override wins over the process environment."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(sa_file))
    with pytest.raises(Exception, match="no Google Cloud credentials"):
        resolve_auth({}, env, client_name="Flash")
    assert resolve_auth({}, os.environ, client_name="Flash").kind == "service-account"


# --- 6. ADC file ----------------------------------------------------------------------------------


def test_adc_file_in_cloudsdk_config(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    adc = Path(env["CLOUDSDK_CONFIG"]) / "application_default_credentials.json"
    adc.write_text(sa_file.read_text())
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.description.endswith(f"from ADC file {adc}")
    _use(emu, strategy)


def test_adc_file_under_home(env: dict[str, str], emu: Emulator, sa_file: Path) -> None:
    del env["CLOUDSDK_CONFIG"]
    adc = Path(env["HOME"]) / ".config" / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir(parents=True)
    adc.write_text(sa_file.read_text())
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.setting == f"ADC file {adc}"
    _use(emu, strategy)


# --- 7. metadata server ------------------------------------------------------------------------


def test_metadata_server(env: dict[str, str], emu: Emulator) -> None:
    env.update(emu.env())
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.kind == "metadata-server"
    host = emu.env()["GCE_METADATA_HOST"]
    assert strategy.description == (f"metadata server {host} "
                                     "(service account default@vdsl-emulator.iam.gserviceaccount.com)")
    assert strategy.project_id == "vdsl-emulator"
    _use(emu, strategy)
    _use(emu, strategy)
    assert metadata_token_requests(emu) == 1


def test_metadata_strategy_is_cached_without_a_new_probe(env: dict[str, str],
                                                         emu: Emulator) -> None:
    env.update(emu.env())
    first = resolve_auth({}, env, client_name="A")
    emu.clear_requests()
    assert resolve_auth({}, env, client_name="B") is first
    assert emu.requests == []


def test_no_gce_check_skips_the_metadata_server(env: dict[str, str], emu: Emulator) -> None:
    env.update(emu.env(), NO_GCE_CHECK="true")
    with pytest.raises(Exception, match=r"metadata server .*: skipped \(NO_GCE_CHECK=true\)"):
        resolve_auth({}, env, client_name="Flash")


# --- 8. gcloud ---------------------------------------------------------------------------------


def _fake_gcloud(env: dict[str, str], script: str) -> Path:
    path = Path(env["PATH"]) / "gcloud"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-in for gcloud")
def test_gcloud_print_access_token(env: dict[str, str], emu: Emulator) -> None:
    token = emu.issue_token()
    gcloud = _fake_gcloud(env, f'[ "$1 $2" = "auth print-access-token" ] && echo {token}\n')
    strategy = resolve_auth({}, env, client_name="Flash")
    assert strategy.kind == "gcloud"
    assert strategy.description == f"gcloud auth print-access-token ({gcloud})"
    _use(emu, strategy)


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-in for gcloud")
def test_gcloud_that_fails_is_reported_in_the_tried_list(env: dict[str, str]) -> None:
    _fake_gcloud(env, "echo 'ERROR: (gcloud.auth.print-access-token) You do not currently "
                      "have an active account selected.' >&2\nexit 1\n")
    with pytest.raises(Exception, match="no Google Cloud credentials") as caught:
        resolve_auth({}, env, client_name="Flash")
    last = caught.value.tried[-1]  # type: ignore[attr-defined]
    assert last.startswith("gcloud auth print-access-token: ")
    assert "exited with status 1" in last
    assert "You do not currently have an active account selected" in last


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-in for gcloud")
def test_gcloud_failure_names_its_error_line_not_its_advice(env: dict[str, str]) -> None:
    """gcloud prints the problem first and advice after it; the tried list shows the problem
    (it showed the last line: "to select an already authenticated account to use.")."""
    advice = ("ERROR: (gcloud.auth.print-access-token) You do not currently have an active "
              "account selected.\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new "
              "credentials.\n\nIf you have already logged in with a different account, "
              "run:\n\n  $ gcloud config set account ACCOUNT\n\nto select an already "
              "authenticated account to use.\n")
    _fake_gcloud(env, f"printf '%s' '{advice}' >&2\nexit 1\n")
    with pytest.raises(Exception, match="no Google Cloud credentials") as caught:
        resolve_auth({}, env, client_name="Flash")
    last = caught.value.tried[-1]  # type: ignore[attr-defined]
    assert ("exited with status 1: You do not currently have an active account selected."
            in last), last
    assert "to select an already" not in last


# --- precedence -------------------------------------------------------------------------------


def test_each_step_beats_the_ones_after_it(env: dict[str, str], emu: Emulator,
                                           tmp_path: Path) -> None:
    docs = {name: sa_info(emu, tmp_path / name, f"{name}@p.iam.gserviceaccount.com")
            for name in ("opt", "content", "gac", "gaccontent", "adc")}
    adc = Path(env["CLOUDSDK_CONFIG"]) / "application_default_credentials.json"
    adc.write_text(json.dumps(docs["adc"]))
    env.update(emu.env(), GOOGLE_APPLICATION_CREDENTIALS=json.dumps(docs["gac"]),
               GOOGLE_APPLICATION_CREDENTIALS_CONTENT=json.dumps(docs["gaccontent"]))
    options = {"credentials": docs["opt"], "credentials_content": json.dumps(docs["content"])}
    steps = [("options.credentials", "opt@", lambda: options.pop("credentials")),
             ("options.credentials_content", "content@",
              lambda: options.pop("credentials_content")),
             ("env GOOGLE_APPLICATION_CREDENTIALS", "gac@",
              lambda: env.pop("GOOGLE_APPLICATION_CREDENTIALS")),
             ("env GOOGLE_APPLICATION_CREDENTIALS_CONTENT", "gaccontent@",
              lambda: env.pop("GOOGLE_APPLICATION_CREDENTIALS_CONTENT")),
             (f"ADC file {adc}", "adc@", adc.unlink)]
    for setting, email, remove in steps:
        strategy = resolve_auth(options, env, client_name="Flash")
        assert strategy.setting == setting
        assert f"service account {email}" in strategy.description
        remove()
    assert resolve_auth(options, env, client_name="Flash").kind == "metadata-server"


@pytest.mark.parametrize("value", ["$GOOGLE_CREDS", "", "  "])
def test_unresolved_credentials_fall_through(env: dict[str, str], emu: Emulator,
                                             sa_file: Path, value: str) -> None:
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(sa_file)
    strategy = resolve_auth({"credentials": value, "credentials_content": value}, env,
                            client_name="Flash")
    assert strategy.setting == "env GOOGLE_APPLICATION_CREDENTIALS"
