"""`vdsl check`: exit codes, every output format, path problems, and a light import graph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vdsl import cli

CLEAN = """\
class Person {
  name string
}

function Greet(p: Person) -> string {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"Say hi to {{ p.name }}"#
}
"""

BROKEN = """\
class Person {
  name strin
}

client<llm> C {
  provider openai
}
"""

WARNING_ONLY = """\
client<llm> C {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    "note" two words
  }
}
"""

JSON_KEYS = {"code", "severity", "message", "file", "line", "column", "end_line", "end_column"}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vdsl-cache"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---- exit codes --------------------------------------------------------------------------

def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(write(tmp_path, "ok.vdsl", CLEAN)))
    assert code == 0
    assert out == ""
    assert "No problems found" in err
    assert "Traceback" not in out + err


def test_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    code, out, err = run(capsys, str(path))
    assert code == 1
    assert "error[unknown-type]" in out and "error[unsupported-provider]" in out
    assert f"{path}:2:8" in out
    assert "2 errors and 0 warnings" in err


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(write(tmp_path, "warn.vdsl", WARNING_ONLY)))
    assert code == 0
    assert "warning[unquoted-value-with-spaces]" in out
    assert "0 errors and 1 warning" in err


def test_quiet_prints_errors_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(write(tmp_path, "warn.vdsl", WARNING_ONLY)), "-q")
    assert (code, out, err) == (0, "", "")


def test_nonexistent_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.vdsl"
    code, out, err = run(capsys, str(missing))
    assert code == 2
    assert "no such file or directory" in out + err
    assert str(missing) in out + err
    assert "Traceback" not in out + err


def test_nonexistent_path_among_good_ones_exits_2(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "ok.vdsl", CLEAN)
    code, _, _ = run(capsys, str(good), str(tmp_path / "missing"))
    assert code == 2


def test_empty_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("not a vdsl file")
    code, out, err = run(capsys, str(empty))
    assert code == 2
    assert "no .vdsl or .baml files" in out + err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["check"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "x.vdsl", "--format", "yaml"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "x.vdsl", "--no-such-option"])
    assert info.value.code == 2
    assert cli.main([]) == 2
    capsys.readouterr()


def test_non_utf8_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.vdsl"
    path.write_bytes("class Caf\xe9 {\n  x int\n}\n".encode("latin-1"))
    code, out, err = run(capsys, str(path), "--format", "concise")
    assert code == 1
    assert "unreadable-file" in out and "UTF-8" in out
    assert "Traceback" not in out + err


def test_unreadable_file_diagnostic_names_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """BUG: the `unreadable-file` diagnostic has no location, so `--format json` reports
    `"file": null` (and github/sarif cannot annotate the file). It should carry the path
    (line 1, column 1)."""
    path = tmp_path / "latin1.vdsl"
    path.write_bytes(b"class Caf\xe9 {\n}\n")
    code, out, _ = run(capsys, str(path), "--format", "json")
    assert code == 1
    (item,) = json.loads(out)
    assert item["code"] == "unreadable-file"
    assert item["file"] == str(path)
    assert item["line"] == 1


def test_bom_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.vdsl"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    code, _, _ = run(capsys, str(path))
    assert code == 0


# ---- formats -----------------------------------------------------------------------------

def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    code, out, err = run(capsys, str(path), "--format", "json")
    assert code == 1
    items = json.loads(out)
    assert isinstance(items, list) and len(items) == 2
    for item in items:
        assert JSON_KEYS <= set(item) <= JSON_KEYS | {"help"}
        assert item["severity"] in ("error", "warning", "note")
        assert item["file"] == str(path)
        assert all(isinstance(item[k], int) for k in ("line", "column", "end_line",
                                                      "end_column"))
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"])
    first = items[0]
    assert (first["code"], first["line"], first["column"]) == ("unknown-type", 2, 8)
    assert (first["end_line"], first["end_column"]) == (2, 13)
    assert "string" in first["help"]
    assert err == ""


def test_json_format_clean_is_empty_array(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(write(tmp_path, "ok.vdsl", CLEAN)), "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_concise_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    code, out, _ = run(capsys, str(path), "--format", "concise")
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:2:8: error[unknown-type] ")


def test_full_format_shows_source_and_carets(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    _, out, _ = run(capsys, str(path), "--format", "full")
    assert "error[unknown-type]: Type `strin` does not exist" in out
    assert f"--> {path}:2:8" in out
    assert "2 |   name strin" in out
    assert "^^^^^" in out
    assert "= help:" in out


def test_github_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    code, out, _ = run(capsys, str(path), "--format", "github")
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith(f"::error file={path},line=")
    assert "::error file=" + str(path) + ",line=2,col=8," in lines[0]
    warn = write(tmp_path, "warn.vdsl", WARNING_ONLY)
    code, out, _ = run(capsys, str(warn), "--format", "github")
    assert code == 0 and out.startswith("::warning file=")


def test_github_format_escapes_newlines(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    text = ("function F(a: string, b: int) -> string {\n  client \"vertex-ai/gemini-2.5-flash\"\n"
            "  prompt #\"{{ a }} {{ b }}\"#\n}\n\ntest t {\n  functions [F]\n  args {\n"
            "    a \"x\"\n  }\n}\n")
    path = write(tmp_path, "multi.vdsl", text)
    _, out, _ = run(capsys, str(path), "--format", "github")
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::warning file=")
    assert "%0A" in lines[0]  # the multi-line help stays on one annotation line


def test_sarif_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    code, out, _ = run(capsys, str(path), "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    (run_,) = sarif["runs"]
    assert run_["tool"]["driver"]["name"] == "vdsl"
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["unknown-type", "unsupported-provider"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 8)
    assert results[0]["level"] == "error"
    clean = write(tmp_path, "ok.vdsl", CLEAN)
    code, out, _ = run(capsys, str(clean), "--format", "sarif")
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


# ---- projects, cache ---------------------------------------------------------------------

def test_directory_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "proj/models.vdsl", "class Person {\n  name string\n}\n")
    write(tmp_path, "proj/sub/fns.baml",
          'function Greet(p: Person) -> string {\n  client "vertex-ai/gemini-2.5-flash"\n'
          '  prompt #"{{ p.name }}"#\n}\n')
    write(tmp_path, "proj/node_modules/junk.vdsl", "this is not valid at all {")
    code, out, _ = run(capsys, str(tmp_path / "proj"))
    assert code == 0, out
    write(tmp_path, "proj/dupe.vdsl", "enum Person {\n  A\n}\n")
    code, out, _ = run(capsys, str(tmp_path / "proj"), "--format", "json")
    assert code == 1
    items = json.loads(out)
    assert [i["code"] for i in items] == ["duplicate-name"]
    assert items[0]["file"].endswith("models.vdsl")  # dupe.vdsl sorts first


def test_several_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.vdsl", BROKEN)
    b = write(tmp_path, "b.vdsl", "class Other {\n  x Nope\n}\n")
    code, out, _ = run(capsys, str(a), str(b), "--format", "json")
    assert code == 1
    assert {i["file"] for i in json.loads(out)} == {str(a), str(b)}


def test_no_cache_gives_same_result(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("VDSL_CACHE_DIR", str(cache))
    path = write(tmp_path, "bad.vdsl", BROKEN)
    _, cold, _ = run(capsys, str(path), "--format", "json", "--no-cache")
    assert not cache.exists() or not any(cache.iterdir())
    _, first, _ = run(capsys, str(path), "--format", "json")
    assert any(cache.iterdir())
    _, warm, _ = run(capsys, str(path), "--format", "json")
    assert json.loads(cold) == json.loads(first) == json.loads(warm)


def test_cache_follows_edits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "edit.vdsl", BROKEN)
    assert run(capsys, str(path))[0] == 1
    path.write_text(CLEAN, "utf-8")
    assert run(capsys, str(path))[0] == 0


# ---- subprocesses ------------------------------------------------------------------------

def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["VDSL_CACHE_DIR"] = str(tmp_path / "cache")
    return env


def test_python_m_vdsl_version(tmp_path: Path) -> None:
    import vdsl
    done = subprocess.run([sys.executable, "-m", "vdsl", "--version"], check=False, capture_output=True,
                          text=True, timeout=60, env=_env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.strip() == f"vdsl {vdsl.__version__}"


def test_check_does_not_import_http_or_auth(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.vdsl", CLEAN)
    code = (
        "import sys, vdsl.cli\n"
        f"rc = vdsl.cli.main(['check', {str(path)!r}, '--no-cache'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'httpcore', 'google', 'requests', 'pydantic'))\n"
        "assert rc == 0, rc\n"
        "assert not [m for m in heavy if m == 'httpx' or m.startswith('google.auth')], heavy\n"
        "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                          timeout=60, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_check_of_simple_prompts_imports_no_parser_generator_jinja_or_renderer(
        tmp_path: Path) -> None:
    """After a machine's first run (which derives the parser tables with Lark), `vdsl check`
    of a project whose prompts the scan reads imports neither Lark, Jinja, the renderer nor
    any HTTP client."""
    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys, vdsl.cli\n"
        f"rc = vdsl.cli.main(['check', {str(root / 'samples' / 'resume')!r}, '--no-cache'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('lark', 'jinja2', 'httpx', 'aiohttp', 'google') or m.startswith('vdsl.render'))\n"
        "assert rc == 0, rc\n"
        "print(heavy)\n")
    runs = [subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                           text=True, timeout=60, env=_env(tmp_path)) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert "lark" in runs[0].stdout  # the first run derived the tables
    assert runs[1].stdout.strip() == "[]"


def test_vdsl_check_subprocess_exit_code(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.vdsl", BROKEN)
    done = subprocess.run([sys.executable, "-m", "vdsl", "check", str(path), "--format",
                           "concise"], check=False, capture_output=True, text=True, timeout=60,
                          env=_env(tmp_path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error[unknown-type]" in done.stdout


def test_strict_env_reports_unset_variables(tmp_path, monkeypatch, capsys):
    project = tmp_path / "p.vdsl"
    project.write_text('client<llm> C {\n  provider vertex-ai\n  options {\n'
                       '    model gemini-2.5-flash\n    location us-central1\n'
                       '    query_params { key env.VDSL_TEST_KEY }\n  }\n}\n')
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VDSL_TEST_KEY", raising=False)
    assert cli.main(["check", str(project)]) == 0  # read at call time: fine without the flag
    assert cli.main(["check", str(project), "--strict-env", "--format", "concise"]) == 1
    out = capsys.readouterr().out
    assert f"{project}:6:24: error[missing-env] client `C` reads env.VDSL_TEST_KEY" in out
    monkeypatch.setenv("VDSL_TEST_KEY", "set")
    assert cli.main(["check", str(project), "--strict-env"]) == 0


def test_secrets_written_into_files_are_flagged_and_never_generated(tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "p.vdsl"
    project.write_text('client<llm> C {\n  provider vertex-ai\n  options {\n'
                       '    model gemini-2.5-flash\n    location global\n'
                       '    query_params { key "AIza-literal-secret" }\n  }\n}\n'
                       'function F(x: string) -> string {\n  client C\n  prompt #"{{ x }}"#\n}\n')
    assert cli.main(["check", str(project), "--format", "concise"]) == 0
    assert "warning[literal-secret]" in capsys.readouterr().out
    assert cli.main(["generate", str(project), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "secret written into the file (options.query_params.key)" in err
    assert "AIza-literal-secret" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("before", [0, 30, 5_000, 99_990])
def test_a_long_line_is_shown_as_a_window_around_the_span(before: int) -> None:
    from vdsl.diagnostics import SNIPPET_WIDTH, Diagnostic, Label, Severity, render_full
    from vdsl.source import SourceFile

    line = "a" * before + "\tXYZ" + "b" * 100_000
    source = SourceFile("long.vdsl", line + "\n")
    span = source.span(before + 1, before + 4)
    diagnostic = Diagnostic("c", Severity.ERROR, "m", (Label(span, "", True),), None)
    out = render_full([diagnostic], {"long.vdsl": source}).splitlines()
    shown, caret = out[3].split(" | ", 1)[1], out[4].split(" | ", 1)[1]
    assert len(shown) <= SNIPPET_WIDTH + 2
    start = caret.index("^")
    assert shown[start:start + len(caret) - start] == "XYZ" and caret.endswith("^^^")


def test_output_grows_with_the_diagnostics_not_with_their_line_squared(tmp_path: Path,
                                                                      capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "attrs.vdsl"
    path.write_text('class A {\n  x int ' + '@alias("a") ' * 3000 + '\n}\n')
    assert cli.main(["check", "--no-cache", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.count("error[duplicate-attribute]") == 2999
    assert len(text) < 3000 * 600
