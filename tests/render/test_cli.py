"""`vdsl render` and `vdsl check` prompt diagnostics, from source text (vdsl.loads/load)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

import vdsl
from vdsl.render import render_prompt
from vdsl.render.cli import add_arguments, run

SOURCE = '''
client<llm> Gem {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    remap_roles { assistant "model" }
  }
}

enum Color {
  RED
  GREEN @alias("verde") @description("the green one")
  BLUE @skip
}

class Person {
  name string
  age int? @description("Age in years")
}

function Pick(p: Person, img: image) -> Color {
  client Gem
  prompt #"
    {{ _.role("system") }}
    You pick colors. Client: {{ ctx.client.provider }}.
    {{ _.role("user") }}
    {{ p.name }} sent {{ img }}
    {{ _.role("assistant") }}
    Thinking.
    {{ ctx.output_format }}
  "#
}

test PickTest {
  functions [Pick]
  args {
    p { name "Ann" }
    img { file "pixel.png" }
  }
}
'''


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    (tmp_path / "pixel.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "main.vdsl"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


def test_render_from_source_text() -> None:
    project = vdsl.loads(SOURCE)
    out = render_prompt(project, "Pick", {"p": {"name": "Bo"},
                                          "img": {"url": "https://x.test/a.png"}})
    assert [m.role for m in out.messages] == ["system", "user", "model"]
    assert out.messages[0].text == "You pick colors. Client: vertex-ai."
    assert out.messages[2].text == ("Thinking.\nAnswer with any of the categories:\nColor\n----\n"
                                    "- RED\n- verde: the green one")


def test_cli_json(project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(str(project_file), "Pick", "--args",
               '{"p": {"name": "Bo"}, "img": {"url": "https://x.test/a.png"}}', "--format", "json")
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["system"] == 0
    assert data["messages"][1]["parts"] == [{"type": "text", "text": "Bo sent"},
                                            {"type": "image", "url": "https://x.test/a.png"}]


def test_cli_text_from_test_block(project_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(str(project_file), "Pick", "--test", "PickTest") == 0
    out = capsys.readouterr().out
    assert "── system (system prompt) ──\nYou pick colors." in out
    assert "[image image/png: base64, 8 bytes, sha256 " in out


@pytest.mark.parametrize("argv,code,message", [
    (["Nope", "--args", "{}"], 2, "error: unknown function `Nope`"),
    (["Pick", "--args", "[1]"], 2, "error: --args must be a JSON object"),
    (["Pick", "--args", '{"p": "Ann", "img": {"url": "u"}}'], 2,
     "error: Pick: argument `p`: expected Person, got string"),
    (["Pick", "--args", '{"p": {"name": "A"}, "img": {"url": "u"}}', "--client", "Nope"], 2,
     "error: unknown client `Nope`"),
    (["Pick", "--test", "Missing"], 2, "error: unknown test `Missing`"),
])
def test_cli_errors(project_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                    code: int, message: str) -> None:
    assert cli(str(project_file), *argv) == code
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err


def test_snapshots_write_check_and_diff(project_file: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    snaps = tmp_path / "snaps"
    assert cli(str(project_file), "--snapshots", str(snaps)) == 0
    assert [p.name for p in snaps.iterdir()] == ["PickTest.Pick.txt"]
    first = (snaps / "PickTest.Pick.txt").read_text()
    assert first.startswith("# test: PickTest\n# function: Pick\n# client: Gem\n\n")
    assert cli(str(project_file), "--snapshots", str(snaps), "--check") == 0
    project_file.write_text(SOURCE.replace("You pick colors.", "You choose colors."))
    capsys.readouterr()
    assert cli(str(project_file), "--snapshots", str(snaps), "--check") == 1
    captured = capsys.readouterr()
    assert "-You pick colors. Client: vertex-ai.\n+You choose colors. Client: vertex-ai." in captured.out
    assert (snaps / "PickTest.Pick.txt").read_text() == first  # --check never writes


def test_check_jinja_syntax_error_at_file_line(tmp_path: Path) -> None:
    source = SOURCE.replace("{{ ctx.output_format }}", "{{ ctx.output_format }}\n    {% if x %}")
    diags = [d for d in _check(source, tmp_path) if d.code == "jinja-syntax"]
    assert len(diags) == 1 and diags[0].is_error
    assert diags[0].span.line == 32  # the prompt's last line: where Jinja found the open `if`
    assert diags[0].message.startswith("Error parsing jinja template: syntax error:")


def test_check_warnings_and_option_errors(tmp_path: Path) -> None:
    source = SOURCE.replace("{{ p.name }} sent", "{{ nme }} sent").replace(
        "{{ ctx.output_format }}", "{{ ctx.output_format(prefx=\"x\") }}")
    by_code = {d.code: d for d in _check(source, tmp_path)}
    undefined = by_code["undefined-prompt-variable"]
    assert (undefined.span.line, undefined.is_error) == (28, False)
    option = by_code["output-format-option"]
    assert option.span.line == 31 and option.is_error
    assert "did you mean `prefix`?" in (option.help or "")


def _check(source: str, folder: Path) -> list:
    path = folder / "check.vdsl"
    path.write_text(source, encoding="utf-8")
    return list(vdsl.check(path))


def test_check_template_string_arity(tmp_path: Path) -> None:
    source = SOURCE + '''
template_string Two(a: string, b: string) #"{{ a }} {{ b }}"#

function UsesTwo(x: string) -> string {
  client Gem
  prompt #"{{ Two(x, x, x) }}"#
}
'''
    diags = [d for d in _check(source, tmp_path) if d.code == "template-string-arity"]
    assert [d.message for d in diags] == [
        "template_string Two takes 2 arguments (a, b); got 3"]
