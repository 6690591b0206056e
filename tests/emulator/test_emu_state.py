"""Persistent emulator state and non-model services: what `--emulator` commands build on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vdsl.emulator import Emulator
from vdsl.emulator.app import SERVICES, App
from vdsl.emulator.reply import Reply, Request, json_reply
from vdsl.emulator.session import project_emulator, project_fixture_files, state_folder
from vdsl.emulator.state import StateStore


def test_documents_survive_a_new_store_on_the_same_folder(tmp_path: Path) -> None:
    first = StateStore(tmp_path)
    first.put("jobs", "projects/p/locations/l/batchPredictionJobs/1", {"state": "RUNNING"})
    first.put("jobs", "a", {"n": 1})
    again = StateStore(tmp_path)
    assert again.get("jobs", "projects/p/locations/l/batchPredictionJobs/1") == {
        "state": "RUNNING"}
    assert again.keys("jobs") == ["a", "projects/p/locations/l/batchPredictionJobs/1"]
    assert [d for d in again.documents("jobs")] == [{"n": 1}, {"state": "RUNNING"}]
    assert again.delete("jobs", "a") and not again.delete("jobs", "a")
    assert again.get("jobs", "a") is None


@pytest.mark.parametrize("name", ["../../escape", "/etc/passwd", "..", ".", "", "a\x00b"])
def test_keys_and_blob_names_stay_inside_the_folder(tmp_path: Path, name: str) -> None:
    store = StateStore(tmp_path / "state")
    store.put("objects", name, {"k": name})
    path = store.blob_path("bucket", name)
    path.write_bytes(b"x")
    assert store.get("objects", name) == {"k": name}
    assert tmp_path / "state" in path.parents
    assert [n for n, _ in store.blobs("bucket")] == [name]
    assert {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")} == {"state"}


def test_a_bad_collection_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        StateStore(tmp_path).put("../x", "k", {})


def test_a_temporary_store_goes_when_closed() -> None:
    store = StateStore()
    store.put("c", "k", {"v": 1})
    folder = store.folder
    assert folder.is_dir()
    store.close()
    assert not folder.exists()


@pytest.fixture
def echo_service() -> Iterator[None]:
    def service(app: App, request: Request) -> Reply | None:
        if not request.path.startswith("/exampleservice/v1/"):
            return None
        denied = app.authority.check_resource(request)
        if denied is not None:
            return denied
        count = (app.state.get("counters", "hits") or {"n": 0})["n"] + 1
        app.state.put("counters", "hits", {"n": count})
        return json_reply({"hits": count})

    SERVICES.append(service)
    yield
    SERVICES.remove(service)


def test_a_service_answers_its_paths_with_auth_and_state(echo_service: None,
                                                          tmp_path: Path) -> None:
    with Emulator(state_dir=tmp_path) as emu:
        anonymous = httpx.get(f"{emu.url}/exampleservice/v1/b")
        assert anonymous.status_code == 401
        headers = {"Authorization": f"Bearer {emu.issue_token()}"}
        assert httpx.get(f"{emu.url}/exampleservice/v1/b", headers=headers).json() == {"hits": 1}
        assert httpx.get(f"{emu.url}/v1/unknown", headers=headers).status_code == 404
    with Emulator(state_dir=tmp_path) as emu:     # a second process, the same folder
        headers = {"Authorization": f"Bearer {emu.issue_token()}"}
        assert httpx.get(f"{emu.url}/exampleservice/v1/b", headers=headers).json() == {"hits": 2}


def test_project_sessions_share_state_between_commands(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VDSL_EMULATOR_STATE", raising=False)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "emulator.yaml").write_text("- reply: hello\n", encoding="utf-8")
    assert project_fixture_files(project) == [project / "emulator.yaml"]
    folder = state_folder(project)
    assert folder is not None and (tmp_path / "cache") in folder.parents
    with project_emulator(project) as emu:
        emu.app.state.put("caches", "c1", {"ttl": "60s"})
        assert not emu.app.authority.require_auth
    with project_emulator(project) as emu:
        assert emu.app.state.get("caches", "c1") == {"ttl": "60s"}
    with project_emulator(project, persistent=False) as emu:
        assert emu.app.state.get("caches", "c1") is None


def test_state_can_be_named_or_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_STATE", str(tmp_path / "named"))
    assert state_folder(tmp_path) == tmp_path / "named"
    monkeypatch.delenv("VDSL_EMULATOR_STATE")
    monkeypatch.setenv("VDSL_CACHE_DIR", "")
    assert state_folder(tmp_path) is None


def test_fixtures_beside_sources_below_the_folder_are_found(tmp_path: Path) -> None:
    (tmp_path / "llm").mkdir()
    (tmp_path / "llm" / "main.vdsl").write_text("class A {\n  x int\n}\n", encoding="utf-8")
    assert project_fixture_files(tmp_path) == []
    (tmp_path / "llm" / "emulator.yaml").write_text("- reply: hi\n", encoding="utf-8")
    assert project_fixture_files(tmp_path) == [tmp_path / "llm" / "emulator.yaml"]
    (tmp_path / "other").mkdir()   # two projects below: both files, in path order
    (tmp_path / "other" / "x.baml").write_text("class B {\n  y int\n}\n", encoding="utf-8")
    (tmp_path / "other" / "emulator.json").write_text("[]", encoding="utf-8")
    assert project_fixture_files(tmp_path) == [tmp_path / "llm" / "emulator.yaml",
                                               tmp_path / "other" / "emulator.json"]
    (tmp_path / "emulator.yml").write_text("[]\n", encoding="utf-8")   # the folder's own wins
    assert project_fixture_files(tmp_path) == [tmp_path / "emulator.yml"]


def test_a_folder_of_projects_answers_from_every_fixtures_file(tmp_path: Path) -> None:
    """`vdsl test samples/` compiles every sample as one project; each sample's replies are
    used (before, with several fixtures files none was, and typed tests got echoes)."""
    for name, reply in (("a", "alpha"), ("b", "beta")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.vdsl").write_text("class A {\n  x int\n}\n", encoding="utf-8")
        (tmp_path / name / "emulator.yaml").write_text(
            f"- prompt: ask {name}\n  reply: {reply}\n", encoding="utf-8")
    with project_emulator(tmp_path, persistent=False) as emu:
        texts = [_gemini_text(emu.url, f"please ask {name}") for name in ("a", "b")]
    assert texts == ["alpha", "beta"]


def _gemini_text(url: str, prompt: str) -> str:
    body = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    reply = httpx.post(f"{url}/v1/projects/p/locations/us-central1/publishers/google/models/"
                       "gemini-2.5-flash:generateContent", json=body, timeout=10)
    return str(reply.json()["candidates"][0]["content"]["parts"][0]["text"])
