"""`vdsl check` against the endpoint policy: plain, fallback and round-robin clients, both
policy files, and mistakes in the policy file itself (at its line, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vdsl
from vdsl.cli import main

CLIENTS = """
client<llm> EuFlash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location europe-west4
  }
}

client<llm> GlobalFlash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location global
  }
}

client<llm> UsClaude {
  provider vertex-ai
  options {
    model "claude-sonnet-4-5@20250929"
    location us-east5
  }
}

client<llm> Chain {
  provider fallback
  options {
    strategy [EuFlash, GlobalFlash]
  }
}

client<llm> Rotate {
  provider round-robin
  options {
    strategy [EuFlash, UsClaude, "vertex-ai/gemini-2.5-flash-lite"]
  }
}

function Hello(name: string) -> string {
  client Chain
  prompt #"Say hello to {{ name }}"#
}
"""


def _project(tmp_path: Path, policy: str, *, where: str = "pyproject") -> Path:
    root = tmp_path / "proj"
    (root / "llm").mkdir(parents=True)
    (root / "llm" / "main.vdsl").write_text(CLIENTS, encoding="utf-8")
    if where == "pyproject":
        (root / "pyproject.toml").write_text(
            '[project]\nname = "x"\n\n[tool.vdsl.policy]\n' + policy, encoding="utf-8")
    else:
        (root / "llm" / "vdsl.toml").write_text("[policy]\n" + policy, encoding="utf-8")
    return root / "llm"


def _codes(path: Path) -> list[tuple[str, int, str]]:
    return [(d.code, d.span.line, d.message) for d in vdsl.check(path, use_cache=False)
            if d.code.startswith("policy")]


def _line(text: str, needle: str, after: str) -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i > start and needle in line) + 1


@pytest.mark.parametrize("where", ["pyproject", "vdsl.toml"])
def test_forbid_global_is_an_error_at_the_location_line_naming_the_fallback(
        tmp_path: Path, where: str) -> None:
    path = _project(tmp_path, "forbid_global = true\n", where=where)
    found = _codes(path)
    global_line = _line(CLIENTS, "location global", "GlobalFlash {")
    errors = [f for f in found if f[0] == "policy-global-endpoint"]
    assert [(code, line) for code, line, _ in errors] == [("policy-global-endpoint",
                                                          global_line)]
    assert "GlobalFlash" in errors[0][2] and "fallback `Chain`" in errors[0][2]
    # the round-robin's shorthand member calls global unless GOOGLE_CLOUD_LOCATION is set
    shorthand = [f for f in found if f[0] == "policy-location"]
    assert len(shorthand) == 1 and "round-robin `Rotate`" in shorthand[0][2]


def test_allowed_locations_flag_every_member_of_a_round_robin(tmp_path: Path) -> None:
    path = _project(tmp_path, 'allowed_locations = ["europe-*", "eu"]\n')
    found = {(code, line) for code, line, _ in _codes(path)}
    assert ("policy-location", _line(CLIENTS, "location us-east5", "UsClaude {")) in found
    assert ("policy-location", _line(CLIENTS, "location global", "GlobalFlash {")) in found
    assert not any(line == _line(CLIENTS, "location europe-west4", "EuFlash {")
                   for _, line in found)
    messages = " ".join(m for _, _, m in _codes(path))
    assert "round-robin `Rotate`" in messages


def test_allowed_publishers_error_at_the_model_line(tmp_path: Path) -> None:
    path = _project(tmp_path, 'allowed_publishers = ["google"]\n')
    found = _codes(path)
    assert [(c, line) for c, line, _ in found] == [
        ("policy-publisher", _line(CLIENTS, "claude-sonnet", "UsClaude {"))]


def test_a_compliant_project_has_no_policy_diagnostics(tmp_path: Path) -> None:
    path = _project(tmp_path, 'allowed_locations = ["europe-west4", "global", "us-east5"]\n'
                              'allowed_publishers = ["google", "anthropic"]\n')
    assert _codes(path) == []
    vdsl.load(path)  # loads: no errors


def test_load_refuses_a_project_that_breaks_its_policy(tmp_path: Path) -> None:
    path = _project(tmp_path, "forbid_global = true\n")
    with pytest.raises(vdsl.CompileError) as info:
        vdsl.load(path)
    assert "policy" in str(info.value)


@pytest.mark.parametrize("policy, message, key", [
    ("forbid_globall = true\n", "unknown policy key `forbid_globall`", "forbid_globall"),
    ('forbid_global = "yes"\n', "`forbid_global` must be true or false", "forbid_global"),
    ('allowed_locations = "eu"\n', "must be a list of non-empty strings", "allowed_locations"),
    ("allowed_locations = [1]\n", "must be a list of non-empty strings", "allowed_locations"),
])
def test_policy_file_mistakes_are_reported_at_their_line(tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                                         policy: str, message: str,
                                                         key: str) -> None:
    path = _project(tmp_path, 'allowed_publishers = ["google", "anthropic"]\n' + policy)
    code = main(["check", str(path), "--format", "json", "--no-cache"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    (found,) = [d for d in out if d["code"] == "policy-file"]
    pyproject = tmp_path / "proj" / "pyproject.toml"
    assert found["file"] == str(pyproject.resolve())
    assert found["line"] == _line(pyproject.read_text(), key + " =", "[tool.vdsl.policy]")
    assert message in found["message"]


def test_toml_that_does_not_parse_is_a_diagnostic(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _project(tmp_path, "forbid_global = \n")
    assert main(["check", str(path), "--no-cache"]) == 1
    err = capsys.readouterr()
    assert "policy-file" in err.out and "not valid TOML" in err.out
    assert "Traceback" not in err.out + err.err


def test_the_check_cache_sees_a_changed_policy(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    path = _project(tmp_path, "forbid_global = false\n")
    assert not [d for d in vdsl.check(path) if d.code.startswith("policy")]
    pyproject = tmp_path / "proj" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("false", "true"))
    assert [d for d in vdsl.check(path) if d.code == "policy-global-endpoint"]


def test_a_nearer_vdsl_toml_wins_and_a_pyproject_without_vdsl_table_is_skipped(
        tmp_path: Path) -> None:
    path = _project(tmp_path, "forbid_global = true\n")
    (path / "pyproject.toml").write_text('[project]\nname = "inner"\n')  # no [tool.vdsl]
    assert _codes(path)  # the outer pyproject still decides
    (path / "vdsl.toml").write_text("[policy]\nforbid_global = false\n")
    assert _codes(path) == []


def test_no_policy_file_means_no_policy_checks(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    (root / "main.vdsl").write_text(CLIENTS)
    assert _codes(root) == []
