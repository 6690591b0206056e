"""A planted API key, header token, access token and service-account private key never show
on any output surface: the CLI in every format, repr/str of every public object, logs at
DEBUG (vdsl's, httpx's, httpcore's, google-auth's), exceptions and their tracebacks, and
generated files. Only `--show-secrets` / `revealed()` print them, on request."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import pickle
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

import vdsl
from vdsl import cli
from vdsl.emulator import Emulator
from vdsl.errors import VdslError
from vdsl.runtime import Runtime, StaticToken

TEAM_TOKEN = "tok-PLANTED-team-token-7f3a9c2e"
STATIC_TOKEN = "ya29.PLANTED-access-token-51d0e8"

SOURCE = """
client<llm> Keyed {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
    query_params { key env.VERTEX_KEY }
    headers { "x-api-token" env.TEAM_TOKEN }
  }
}
client<llm> Account {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
    credentials env.SA_JSON
  }
}
function ByKey(text: string) -> string {
  client Keyed
  prompt #"{{ text }}"#
}
function ByAccount(text: string) -> string {
  client Account
  prompt #"{{ text }}"#
}
test Hello {
  functions [ByKey, ByAccount]
  args { text "hello" }
}
generator python {
  output_type "python/pydantic"
  output_dir "../out"
  version "0.1.0"
}
"""


class Planted:
    """The secrets, and every text that was shown while they were in use."""

    def __init__(self, emulator: Emulator, tmp_path: Path) -> None:
        self.emulator = emulator
        keys = tmp_path / "planted-keys"  # the key file itself is not an output surface
        keys.mkdir()
        sa = json.loads(emulator.service_account_file(keys).read_text())
        self.sa_json = json.dumps(sa)
        self.private_key_lines = [line for line in sa["private_key"].splitlines()
                                  if line and "-----" not in line]
        self.env = {"VERTEX_KEY": emulator.api_key, "TEAM_TOKEN": TEAM_TOKEN,
                    "SA_JSON": self.sa_json}
        self.shown: list[str] = []

    def secrets(self) -> list[str]:
        issued = list(self.emulator.app.authority._tokens)  # access tokens given out so far
        return [self.emulator.api_key, TEAM_TOKEN, STATIC_TOKEN, self.sa_json,
                *self.private_key_lines, *issued]

    def show(self, *objects: object) -> None:
        for obj in objects:
            self.shown += [repr(obj), str(obj)]
            if isinstance(obj, BaseException):
                self.shown.append("".join(traceback.format_exception(obj)))

    def assert_clean(self) -> None:
        text = "\n".join(self.shown)
        assert len(self.secrets()) >= 6 and len(text) > 1000
        for secret in self.secrets():
            assert secret not in text, f"a planted secret shows: {secret[:12]}…"


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Planted]:
    with Emulator() as emulator:
        for name, value in emulator.env().items():  # ADC probes go to the emulator, too
            monkeypatch.setenv(name, value)
        found = Planted(emulator, tmp_path)
        for name, value in found.env.items():
            monkeypatch.setenv(name, value)
        yield found


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger: vdsl, httpx, httpcore, google.auth
    return caplog


def _logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)


def test_python_api_surfaces(planted: Planted, all_logs: pytest.LogCaptureFixture) -> None:
    project = vdsl.loads(SOURCE)
    env = planted.env
    with Runtime(project, env=env, endpoint=planted.emulator.url) as runtime:
        for function in ("ByKey", "ByAccount"):
            result = runtime.complete(function, {"text": "hi"})
            request = runtime.build_request(function, {"text": "hi"})
            stream = runtime.stream(function, {"text": "hi"})
            events = list(stream)
            planted.show(result, result.to_dict(), result.attempts, stream.result(), *events,
                         request, request.url, request.headers, request.redacted(),
                         request.curl(), json.dumps(request.redacted()),
                         pickle.dumps(request), copy.deepcopy(request), runtime.plan(function))
            for fault in ("status=401", "status=403", "status=500", "reset"):
                with pytest.raises(VdslError) as caught:
                    runtime.call(function, {"text": "x"}, headers={"x-vdsl-fault": fault})
                planted.show(caught.value, caught.value.__dict__)
        planted.show(runtime, project, list(runtime._strategies.items()))
    broken = dict(env, SA_JSON=planted.sa_json.replace("private_key", "private_kee"))
    with Runtime(project, env=broken, endpoint="http://127.0.0.1:1") as runtime:
        for function in ("ByAccount", "ByKey"):  # bad credentials; a refused connection
            with pytest.raises(VdslError) as caught:
                runtime.call(function, {"text": "x"})
            planted.show(caught.value, caught.value.__dict__)
    planted.show(_logs(all_logs))
    planted.assert_clean()


def test_async_paths_and_static_tokens(planted: Planted, all_logs: pytest.LogCaptureFixture
                                       ) -> None:
    import asyncio

    async def main() -> None:
        async with Runtime(vdsl.loads(SOURCE), env=planted.env, endpoint=planted.emulator.url,
                           auth=StaticToken(STATIC_TOKEN)) as runtime:
            planted.show(await runtime.acomplete("ByAccount", {"text": "hi"}))
            with pytest.raises(VdslError) as caught:  # the static token is not one it issued
                await runtime.acall("ByAccount", {"text": "x"})
            planted.show(caught.value, runtime._auth)
            async for event in runtime.astream("ByKey", {"text": "hi"}):
                planted.show(event)

    with contextlib.suppress(VdslError):
        asyncio.run(main())
    planted.show(_logs(all_logs))
    planted.assert_clean()


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue() + err.getvalue()


def test_cli_formats_and_generated_files(planted: Planted, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         all_logs: pytest.LogCaptureFixture) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.vdsl").write_text(SOURCE)
    monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", planted.emulator.url)
    monkeypatch.setenv("VDSL_LOG", "debug")
    args = '{"text": "hi"}'
    runs = [("check", str(src), "--format", fmt) for fmt in
            ("full", "concise", "json", "github", "sarif")]
    runs += [("check", str(src), "--strict-env")]
    for function in ("ByKey", "ByAccount"):
        runs += [("render", str(src), function, "--args", args, *extra) for extra in
                 ((), ("--format", "json"), ("--request",), ("--curl",),
                  ("--request", "--stream"), ("--curl", "--stream"))]
        runs += [("run", str(src), function, "--args", args, *extra) for extra in
                 ((), ("--format", "json"), ("--stream",))]
        runs += [("run", str(src), function, "--test", "Hello")]
    runs += [("render", str(src), "--snapshots", str(tmp_path / "prompts"))]
    runs += [("generate", str(src), "--out", str(tmp_path / "gen"))]
    for argv in runs:
        code, printed = _cli(*argv)
        assert code in (0, 1), (argv, printed)
        planted.show(printed)
    written = [path for path in tmp_path.rglob("*") if path.is_file()
               and "planted-keys" not in path.parts and path.name != "main.vdsl"]
    assert len(written) >= 10  # the generated package and the prompt snapshots
    for path in written:
        planted.show(path.read_text("utf-8"))
    planted.show(_logs(all_logs))
    planted.assert_clean()


def test_show_secrets_prints_them_on_request(planted: Planted, tmp_path: Path) -> None:
    (tmp_path / "main.vdsl").write_text(SOURCE)
    args = ("render", str(tmp_path), "ByKey", "--args", '{"text": "hi"}')
    code, hidden = _cli(*args, "--request")
    assert code == 0
    shown = json.loads(hidden)["headers"]
    assert shown["x-api-token"] == "<redacted>" and shown["x-goog-api-key"] == "<redacted>"
    code, curl = _cli(*args, "--curl")
    assert 'x-api-token: \'"$TEAM_TOKEN"' in curl
    assert 'x-goog-api-key: \'"$VERTEX_KEY"' in curl
    code, revealed = _cli(*args, "--request", "--show-secrets")
    assert json.loads(revealed)["headers"]["x-api-token"] == TEAM_TOKEN
    code, curl = _cli(*args, "--curl", "--show-secrets")
    assert f"x-api-token: {TEAM_TOKEN}" in curl and planted.emulator.api_key in curl
