"""Every file (or project directory) under cases/invalid/ yields exactly the diagnostics its
trailing `// severity[code] line:col` lines state: no more, no fewer.

A case's header comment says what it guards against.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from language_cases import cases, compare, describe, expected_for, read_expectations

import vdsl

INVALID = cases("invalid")


def _id(path: Path) -> str:
    return path.stem if path.is_file() else path.name


@pytest.mark.parametrize("case", INVALID, ids=_id)
def test_invalid_case(case: Path) -> None:
    missing, unexpected, problems = compare(case)
    actual = "\n".join(describe(d) for d in vdsl.check(str(case)))
    assert not missing and not unexpected and not problems, (
        f"missing: {sorted(missing)}\nunexpected: {sorted(unexpected)}\n"
        f"text: {problems}\nall diagnostics:\n{actual}")


@pytest.mark.parametrize("case", INVALID, ids=_id)
def test_invalid_case_has_errors(case: Path) -> None:
    """Each invalid case states at least one error, and `vdsl.load` refuses it."""
    expectations = [e for items in expected_for(case).values() for e in items]
    assert any(e.severity == "error" for e in expectations), "no expected error stated"
    with pytest.raises(vdsl.CompileError) as info:
        vdsl.load(str(case))
    assert info.value.diagnostics and all(d.span is not None for d in info.value.diagnostics)


def test_every_case_states_expectations() -> None:
    for case in INVALID:
        stated = [e for items in expected_for(case).values() for e in items]
        assert stated, f"{case} states no expected diagnostics"
        if case.is_file():
            assert read_expectations(case), f"{case} has no expectation lines"


def test_recovery_reports_each_broken_block_once() -> None:
    """Two broken blocks → two syntax errors, and later blocks are still validated."""
    case = next(c for c in INVALID if c.stem == "syntax_recovery")
    diagnostics = vdsl.check(str(case))
    syntax = [d for d in diagnostics if d.code.startswith("syntax")]
    assert len(syntax) == 2
    assert any(d.code == "unknown-type" for d in diagnostics)


def test_unknown_type_suggests_declared_names() -> None:
    case = next(c for c in INVALID if c.stem == "unknown_types")
    helps = {d.message: d.help or "" for d in vdsl.check(str(case))}
    assert "`string`" in helps["Type `strin` does not exist"]
    assert "`true`" in helps["Type `True` does not exist"]
    assert "`Dog`" in helps["Type `Dgo` does not exist"]
    assert "`Person`" in helps["Type `Persn` does not exist"]


def test_project_directory_is_one_namespace(tmp_path: Path) -> None:
    """Names clash across files of one directory, but not across separate checks."""
    case = next(c for c in INVALID if c.name == "two_file_project")
    codes = [d.code for d in vdsl.check(str(case))]
    assert codes.count("duplicate-name") == 2
    for file in sorted(case.iterdir()):
        alone = vdsl.check(str(file))
        assert not any(d.code == "duplicate-name" for d in alone), file


def test_loads_raises_compile_error_with_every_error() -> None:
    text = "class A {\n  x Strng\n  y Intt\n}\n"
    with pytest.raises(vdsl.CompileError) as info:
        vdsl.loads(text)
    error = info.value
    assert isinstance(error, vdsl.VdslError)
    assert [d.code for d in error.diagnostics] == ["unknown-type", "unknown-type"]
    assert "main.vdsl:2:5" in str(error) and "1 more error" in str(error)


@pytest.mark.parametrize("text, code", [
    ("classs X {\n}\n", "syntax-invalid-line"),
    ("enum E {\n  A,\n  B\n}\n", "syntax"),
    ("client<l> C {\n  provider vertex-ai\n}\n", "syntax-client-kind"),
    ("class A {\n  m map<string>\n}\n", "syntax-map"),
    ("class A {\n  x int\n", "syntax"),
    ("test T {\n  functions [F]\n  args {\n    p #\"open\n  }\n}\n",
     "syntax-unterminated-string"),
])
def test_syntax_codes_start_with_syntax(text: str, code: str) -> None:
    with pytest.raises(vdsl.CompileError) as info:
        vdsl.loads(text)
    codes = [d.code for d in info.value.diagnostics]
    assert code.startswith("syntax")
    assert code in codes
