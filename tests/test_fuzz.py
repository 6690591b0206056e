"""Property tests: mutated sources never crash the compiler, the renderer or the CLI, and
every diagnostic points inside the text it is about.

The corpus is the sample projects (`samples/**/*.vdsl|baml`) plus the valid language cases;
hypothesis deletes, duplicates and swaps characters and lines, truncates, and inserts the
characters that matter to the grammar (`{ } " # @ "# ( ) [ ] < >`, newlines, …). It also
inserts *amplifiers*: the same construct repeated from a few to thousands of times (nested
brackets, block tags and operators in a prompt, huge numbers, long runs of quotes), the class
of input that reaches recursion limits, quadratic paths and Python's integer limits.
"""

from __future__ import annotations

import contextlib
import io
import re
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

# (prefix, repeated unit, middle, closing unit, suffix): the unit k times, the middle, then
# the closing unit k times, for k from a few to thousands. Prompt amplifiers go inside a
# prompt; source amplifiers anywhere (a line start, a value).
PROMPT_AMPLIFIERS = [
    ("{{ ", "(", "x", ")", " }}"), ("{{ ", "[", "x", "]", " }}"), ("{{ ", "{1: ", "x", "}", " }}"),
    ("", "{% if x %}", "y", "{% endif %}", ""), ("", "{% for i in x %}", "y", "{% endfor %}", ""),
    ("", "{% macro m() %}", "y", "{% endmacro %}", ""), ("", "{% set v %}", "y", "{% endset %}", ""),
    ("{{ x", ".a", "", "", " }}"), ("{{ x", " + x", "", "", " }}"), ("{{ ", "not ", "x", "", " }}"),
    ("{{ x", "|e", "", "", " }}"), ("{{ x", "()", "", "", " }}"), ("{{ ", "- ", "x", "", " }}"),
    ("{{ ", "x if y else ", "z", "", " }}"), ("{{ ctx.output_format(hoist_classes=[", "x, ", "",
                                                "", "]) }}"),
    ("{{ ", "9", "", "", " }}"), ("{{ ", "", "2", " ** 9", " }}"), ("{{ '", "a", "", "", "' }}"),
]
SOURCE_AMPLIFIERS = [
    ("", "9", "", "", ""), ("-", "1", "", "", ""), ("", "(", "", ")", ""), ("", "[", "", "]", ""),
    ("", "{", "", "}", ""), ("", '"', "", "", ""), ("", "\\", "", "", ""), ("", "#", "", "", ""),
    ("", "<", "", ">", ""), ("", "@", "", "", ""), ("x ", "map<string, ", "int", ">", "\n"),
    ("x ", "", "int", "[]", "\n"), ("x ", "(", "int", ")", "\n"), ("x int", " | int", "", "", "\n"),
    ("x int", "?", "", "", "\n"), ("x ", "", "int", "[]?", "\n"), ("", "///", "", "", "\n"),
    ("", "//", "", "", "\n"), ("", "{//", "", "//}", ""), ("", '#"', "", '"#', ""),
    ("k ", "[", "1", "]", "\n"), ("k ", "{ a ", "1", "}", "\n"), ("", "@alias(", "", ")", ""),
]
VALUE_AMPLIFIERS = [
    ("", "9", "", "", ""), ("-", "1", "", "", ""), ("", "[", "1", "]", ""),
    ("", "{ a ", "1", " }", ""), ("", "[", "", "]", ""), ("", "[1, ", "1", "]", ""),
    ("", "", "1", ".5", ""), ('"', "\\\"", "", "", '"'), ("", "env.", "X", "", ""),
]
AMPLIFIERS = PROMPT_AMPLIFIERS + SOURCE_AMPLIFIERS + VALUE_AMPLIFIERS
_PROMPT_START = re.compile(r'#+"')
_NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")


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
                                   "delete_span", "amplify"]))
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
        elif op == "amplify":
            text = text[:i] + draw(amplifiers()) + text[i:]
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


@st.composite
def amplifiers(draw: st.DrawFn, kinds: list[tuple[str, str, str, str, str]] = AMPLIFIERS
               ) -> str:
    prefix, unit, middle, closing, suffix = draw(st.sampled_from(kinds))
    k = draw(st.sampled_from([2, 30, 70, 150, 400, 1200, 5000]))
    return prefix + unit * k + middle + closing * k + suffix


@st.composite
def amplified(draw: st.DrawFn) -> tuple[str, str]:
    """(corpus name, text with one or two amplifiers where they matter): inside a prompt, in
    place of a number (a config value or a test argument), or at the start of a line."""
    name = draw(st.sampled_from(NAMES))
    text = CORPUS[name]
    for _ in range(draw(st.integers(1, 2))):
        where = draw(st.sampled_from(["prompt", "number", "line"]))
        spots = ([(m.end(), m.end()) for m in _PROMPT_START.finditer(text)]
                 if where == "prompt" else
                 [m.span() for m in _NUMBER.finditer(text)] if where == "number" else
                 [(m.end(), m.end()) for m in re.finditer("\n", text)]) or [(len(text),) * 2]
        start, end = draw(st.sampled_from(spots))  # a number is replaced, the rest inserted
        kinds = (PROMPT_AMPLIFIERS if where == "prompt" else
                 VALUE_AMPLIFIERS if where == "number" else SOURCE_AMPLIFIERS)
        text = text[:start] + draw(amplifiers(kinds)) + text[end:]
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
@given(amplified())
def test_check_never_raises_on_amplified_sources(workdir: Path, case: tuple[str, str]) -> None:
    name, text = case
    path = workdir / ("amplified" + Path(name).suffix)
    path.write_text(text, "utf-8", newline="")
    diagnostics = vdsl.check(path, use_cache=False)
    _assert_located(diagnostics, path, text)


@_settings(300)
@given(st.one_of(mutations(), amplified()))
def test_loads_raises_only_compile_error(case: tuple[str, str]) -> None:
    _, text = case
    try:
        project = vdsl.loads(text, filename="m.vdsl")
    except vdsl.CompileError as error:
        assert any(d.is_error for d in error.diagnostics)
    else:
        assert not any(d.is_error for d in project.diagnostics)


@_settings(150)
@given(st.one_of(mutations(), amplified()),
       st.sampled_from(["full", "concise", "json", "github", "sarif"]))
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


@_settings(200)
@given(st.one_of(mutations(), amplified()))
def test_render_of_a_mutant_returns_or_raises_a_vdsl_error(case: tuple[str, str]) -> None:
    """Every function of a mutant that compiles renders, and builds its request (offline), with
    its test blocks' arguments (and with none), or raises a VdslError: nothing else."""
    from vdsl.render import RenderLimits, render_prompt, set_render_limits
    from vdsl.render.snapshots import test_arguments
    from vdsl.runtime import Runtime

    _, text = case
    try:
        project = vdsl.loads(text, filename="m.vdsl")
    except vdsl.CompileError:
        return
    set_render_limits(project, RenderLimits(max_seconds=5.0, max_steps=100_000))
    calls = [(fn.name, {}) for fn in project.functions]
    for test in project.program.tests:
        for name, _span in test.function_names:
            fn = project.find(name)
            if isinstance(fn, vdsl.ir.FunctionDecl):
                calls.append((name, test_arguments(test, fn)[0]))
    runtime = Runtime(project, env={})
    attempts = [(render_prompt, (project,), {}), (runtime.build_request, (), {}),
                (runtime.build_request, (), {"stream": True})]
    for name, args in calls:
        for attempt, first, extra in attempts:
            try:
                attempt(*first, name, args, **extra)  # type: ignore[operator]
            except vdsl.VdslError:
                pass


@_settings(60)
@given(amplifiers())
def test_render_arguments_are_usage_errors_not_crashes(bomb: str) -> None:
    """`vdsl render --args` of any shape: exit 0 or 2 with a message, never a traceback or
    exit 3 (`vdsl run` reads `--args` the same way)."""
    sample = ROOT / "samples" / "resume"
    for args in (bomb, '{"resume": ' + bomb + "}", '{"resume": "' + bomb.replace('"', "") + '"}',
                 '{"resume": [' + bomb.replace('"', "") + "]}"):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["render", str(sample), "ExtractResume", "--args", args])
        assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()
        assert code in (0, 2), err.getvalue()
