"""`vdsl run` and `vdsl render --request/--curl`: exit codes, output, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vdsl.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(autouse=True)
def no_endpoint(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))


def test_run_sample_on_the_emulator_prints_the_typed_value(capsys):
    code = main(["run", str(SAMPLES / "resume"), "ExtractResume", "--test", "ExtractJane",
                 "--emulator", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["value"]["name"] == "Jane Doe"
    assert result["value"]["years_experience"] == 11
    assert result["usage"]["input_tokens"] == 412
    assert result["client"] == "GeminiFlash"


def test_run_stream_prints_text_as_it_arrives(capsys):
    code = main(["run", str(SAMPLES / "resilient"), "Translate", "--test", "ToFrench",
                 "--emulator", "--stream"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() == "Le build est de nouveau vert."
    assert "finish STOP" in err


@pytest.mark.parametrize("argv, code, message", [
    (["ExtractResum", "--args", "{}"], 2, "unknown function `ExtractResum`"),
    (["ExtractResume", "--args", "{not json"], 2, "--args is not valid JSON"),
    (["ExtractResume", "--args", "{}"], 2, "resume"),
])
def test_run_usage_errors(capsys, argv, code, message):
    assert main(["run", str(SAMPLES / "resume"), *argv, "--emulator"]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unreachable_vertex_is_exit_3_with_a_clear_error(capsys, monkeypatch):
    monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", "http://127.0.0.1:9")
    assert main(["run", str(SAMPLES / "resilient"), "Translate", "--test", "ToFrench"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: client `") and "Traceback" not in err


def test_render_request_and_curl_need_no_credentials(capsys, monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    assert main(["render", str(SAMPLES / "resume"), "ExtractResume", "--test", "ExtractJane",
                 "--request"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert request["method"] == "POST"
    assert request["url"].endswith("/publishers/google/models/gemini-2.5-flash:generateContent")
    assert request["headers"]["authorization"] == "<redacted>"
    assert list(request["body"]) == ["generationConfig", "system_instruction", "contents"]
    assert main(["render", str(SAMPLES / "resume"), "ExtractResume", "--test", "ExtractJane",
                 "--curl"]) == 0
    curl = capsys.readouterr().out
    assert curl.startswith("curl -X POST 'https://us-central1-aiplatform.googleapis.com/")
    assert "$(gcloud auth print-access-token)" in curl


def test_run_shows_the_reply_where_parsing_gave_up(capsys, tmp_path):
    """A reply that does not fit: exit 3, the reason, and the reply marked where it failed."""
    fixtures = tmp_path / "bad.yaml"
    fixtures.write_text('fixtures:\n  - model: gemini-2.5-flash\n    reply:\n      text: |\n'
                        '        Here: {"name": "Jane", "years": "many"}\n', encoding="utf-8")
    (tmp_path / "main.vdsl").write_text('''
class Person {
  name string
  years int
}
function Read(text: string) -> Person {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
''', encoding="utf-8")
    code = main(["run", str(tmp_path), "Read", "--args", '{"text": "x"}', "--emulator",
                 "--fixtures", str(fixtures)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "could not parse the output as `Person`: at `years`: found 'many', not a number" in err
    assert 'Here: {"name": "Jane", "years": "many"}' in err
    assert "^^^^^^" in err and "Traceback" not in err


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_curl_expands_the_project_and_token_variables_in_a_real_shell(capsys, tmp_path):
    """The preview's `$GOOGLE_CLOUD_PROJECT` and `$(gcloud …)` expand in bash; the body, with
    a `$` in the prompt text, stays literal. `curl` and `gcloud` are shell functions here that
    print their arguments, so nothing is sent anywhere."""
    source = tmp_path / "main.vdsl"
    source.write_text(
        'client<llm> C {\n  provider vertex-ai\n  options {\n    model gemini-2.5-flash\n'
        '    location us-central1\n  }\n}\n'
        'function Price(item: string) -> string {\n  client C\n'
        '  prompt #"What does {{ item }} cost in $USD? Not $(whoami)."#\n}\n', "utf-8")
    assert main(["render", str(source), "Price", "--args", '{"item": "tea"}', "--curl"]) == 0
    command = capsys.readouterr().out
    script = ('curl() { printf "%s\\n" "$@"; }\n'
              'gcloud() { printf "TOKEN"; }\n' + command)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                          check=False,
                          env={"GOOGLE_CLOUD_PROJECT": "my-proj", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    args = done.stdout.splitlines()
    assert any(a.startswith("https://") and "/projects/my-proj/locations/" in a for a in args)
    assert "authorization: Bearer TOKEN" in args
    body = json.loads(args[args.index("-d") + 1])
    assert "$USD? Not $(whoami)." in json.dumps(body)


def test_format_json_failures_print_an_error_object(capsys, monkeypatch, tmp_path):
    """A `--format json` run that fails still prints JSON on stdout (and the line on
    stderr): usage errors, compile errors and a call that failed with its attempts."""
    code = main(["run", str(SAMPLES / "resume"), "Nope", "--args", "{}", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("error: unknown function `Nope`")
    assert json.loads(out) == {"ok": False, "error": {
        "type": "InvalidArgumentError", "exit_code": 2,
        "message": "unknown function `Nope` (functions: ExtractResume)"}}
    broken = tmp_path / "broken.vdsl"
    broken.write_text("class A {\n  b Nope\n}\n")
    assert main(["render", str(broken), "F", "--args", "{}", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)["error"]
    assert data["type"] == "CompileError" and data["diagnostics"][0]["code"] == "unknown-type"
    monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", "http://127.0.0.1:9")
    assert main(["run", str(SAMPLES / "resilient"), "Translate", "--test", "ToFrench",
                 "--format", "json"]) == 3
    data = json.loads(capsys.readouterr().out)["error"]
    assert data["type"] == "TransportError" and data["exit_code"] == 3
    assert len(data["attempts"]) >= 2 and "attempts:" not in data["message"]
    assert {a["client"] for a in data["attempts"]} >= {"FlashCentral"}


def test_claude_stream_footer_has_the_total(capsys, tmp_path):
    source = tmp_path / "claude.vdsl"
    source.write_text('client<llm> C {\n  provider vertex-ai\n  options {\n'
                      '    model "claude-sonnet-4-5@20250929"\n    location us-east5\n  }\n}\n'
                      'function Say(text: string) -> string {\n  client C\n'
                      '  prompt #"{{ text }}"#\n}\n', "utf-8")
    footers = []
    for extra in ([], ["--stream"]):
        assert main(["run", str(source), "Say", "--args", '{"text": "hi"}', "--emulator",
                     *extra]) == 0
        footers.append(capsys.readouterr().err.strip().splitlines()[-1])
    assert footers[0] == footers[1] and " · total " in footers[1]
