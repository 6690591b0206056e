"""Property tests: mutated sources never crash the compiler or the CLI, and every diagnostic
points inside the text it is about.

The corpus is the sample projects (`samples/**/*.vdsl|baml`) plus the valid language cases;
hypothesis deletes, duplicates and swaps characters and lines, truncates, and inserts the
characters that matter to the grammar (`{ } " # @ "# ( ) [ ] < >`, newlines, …).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vdsl
from vdsl import cli

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".vdsl", ".baml")


def _corpus() -> list[Path]:
    samples = sorted(p for p in (ROOT / "samples").rglob("*") if p.suffix in SUFFIXES)
    valid = sorted(p for p in (ROOT / "tests" / "language" / "cases" / "valid").rglob("*")
                   if p.suffix in SUFFIXES)
    return samples + valid if samples else valid


CORPUS = {p.relative_to(ROOT).as_posix(): p.read_text("utf-8") for p in _corpus()}
NAMES = sorted(CORPUS)

INSERTS = ["{", "}", '"', "#", "@", '"#', '#"', "\n", "(", ")", "[", "]", "<", ">", ",", ":",
           "|", "?", "@@", "//", "///", "{//", "//}", "{{", "}}", " ", "\t", "\r\n", "'",
           "\\", "-", "0", "9.", "env.", "class", "enum ", "function", "client<llm>", "test",
           "type ", "map<", "\x00", "\u00e9", "\U0001f600", "\ufeff"]



def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(corpus name, mutated text)."""
    name = draw(st.sampled_from(NAMES))
    text = CORPUS[name]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert_bytes",
                                   "delete_line", "duplicate_line", "swap_lines", "truncate",
                                   "delete_span"]))
        n = len(text)
        if n == 0:
            text = draw(st.sampled_from(INSERTS))
            continue
        i = draw(st.integers(0, n - 1))
        if op == "delete":
            text = text[:i] + text[i + 1:]
        elif op == "duplicate":
            text = text[:i] + text[i] + text[i:]
        elif op == "swap" and i + 1 < n:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(INSERTS)) + text[i:]
        elif op == "insert_bytes":
            text = text[:i] + draw(st.text(min_size=1, max_size=3)) + text[i:]
        elif op == "truncate":
            text = text[:i]
        elif op == "delete_span":
            j = draw(st.integers(i, min(n, i + 40)))
            text = text[:i] + text[j:]
        else:
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            if op == "delete_line":
                del lines[k]
            elif op == "duplicate_line":
                lines.insert(k, lines[k])
            elif op == "swap_lines" and k + 1 < len(lines):
                lines[k], lines[k + 1] = lines[k + 1], lines[k]
            text = "\n".join(lines)
    return name, text


def _assert_located(diagnostics: list[vdsl.Diagnostic], path: Path, text: str) -> None:
    lines = text.split("\n")
    for d in diagnostics:
        assert isinstance(d, vdsl.Diagnostic)
        assert d.code and d.code == d.code.lower() and " " not in d.code
        assert d.message
        span = d.span
        assert span is not None, d
        assert span.file == str(path), d
        assert 1 <= span.line <= len(lines), d
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1, d
        assert span.line <= span.end_line <= len(lines), d
        assert 1 <= span.end_column <= len(lines[span.end_line - 1]) + 1, d
        assert 0 <= span.start <= span.end <= len(text), d


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(autouse=True)
def _private_cache(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_CACHE_DIR", str(workdir / "cache"))


def test_corpus_is_clean() -> None:
    """The unmutated corpus compiles without errors (so mutations are what breaks it)."""
    assert NAMES
    for name in NAMES:
        diagnostics = vdsl.check(ROOT / name, use_cache=False)
        if name.startswith("samples/"):
            continue  # samples may land mid-way through their own work
        assert not [d for d in diagnostics if d.is_error], name


@_settings(700)
@given(mutations())
def test_check_never_raises_and_locates_every_diagnostic(workdir: Path,
                                                         case: tuple[str, str]) -> None:
    name, text = case
    path = workdir / ("mutant" + Path(name).suffix)
    path.write_text(text, "utf-8", newline="")
    diagnostics = vdsl.check(path, use_cache=False)
    assert isinstance(diagnostics, list)
    _assert_located(diagnostics, path, text.removeprefix("\ufeff"))


@_settings(300)
@given(mutations())
def test_loads_raises_only_compile_error(case: tuple[str, str]) -> None:
    _, text = case
    try:
        project = vdsl.loads(text, filename="m.vdsl")
    except vdsl.CompileError as error:
        assert any(d.is_error for d in error.diagnostics)
    else:
        assert not any(d.is_error for d in project.diagnostics)


@_settings(150)
@given(mutations(), st.sampled_from(["full", "concise", "json", "github", "sarif"]))
def test_cli_never_prints_a_traceback(workdir: Path, case: tuple[str, str], fmt: str) -> None:
    name, text = case
    path = workdir / ("cli" + Path(name).suffix)
    path.write_text(text, "utf-8", newline="")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", str(path), "--format", fmt])
    printed = out.getvalue() + err.getvalue()
    assert "Traceback" not in printed
    assert "internal error" not in printed
    assert code in (0, 1), printed


@_settings(100)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(workdir: Path, data: bytes) -> None:
    path = workdir / "bytes.vdsl"
    path.write_bytes(data)
    diagnostics = vdsl.check(path, use_cache=False)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert [d.code for d in diagnostics] == ["unreadable-file"]
        return
    _assert_located(diagnostics, path, text)
