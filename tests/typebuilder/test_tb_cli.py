"""A test block's `type_builder { … }` applies in `vdsl render --test`, `vdsl run --test`
and prompt snapshots: what the test adds is in the prompt and in the parsed value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tb_cases import SOURCE

from vdsl.cli import main

TEST = """
test WithAddress {
  functions [Extract]
  type_builder {
    class Address {
      city string @description("The city")
    }
    dynamic class Resume {
      home Address?
    }
  }
  args { text "resume of Ann" }
}
"""
FIXTURES = """
fixtures:
  - prompt: "resume of Ann"
    reply:
      json: {"name": "Ann", "skills": [], "home": {"city": "Paris"}}
"""
ADDED = "  home: {\n    // The city\n    city: string,\n  } or null,\n}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("VDSL_VERTEX_ENDPOINT", raising=False)
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "main.vdsl").write_text(SOURCE + TEST)
    (folder / "emulator.yaml").write_text(FIXTURES)
    return folder


def test_render_test_shows_the_added_types(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["render", str(project), "Extract", "--test", "WithAddress"]) == 0
    assert ADDED in capsys.readouterr().out
    assert main(["render", str(project), "Extract", "--args", '{"text": "x"}']) == 0
    assert "home" not in capsys.readouterr().out  # only the test sees them


def test_snapshots_include_the_added_types(project: Path, tmp_path: Path) -> None:
    assert main(["render", str(project), "--snapshots", str(tmp_path / "snaps")]) == 0
    assert ADDED in (tmp_path / "snaps" / "WithAddress.Extract.txt").read_text()


def test_run_test_parses_the_added_fields(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["run", str(project), "Extract", "--test", "WithAddress", "--emulator",
                 "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["value"] == {"name": "Ann", "skills": [],
                                        "home": {"city": "Paris"}}


def test_a_bad_type_builder_is_a_check_error(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (project / "main.vdsl").write_text(SOURCE + TEST.replace("home Address?", "home Adress?"))
    assert main(["run", str(project), "Extract", "--test", "WithAddress", "--emulator"]) == 1
    assert "Type `Adress` does not exist" in capsys.readouterr().err
