"""The runtime enforces the endpoint policy before any request, and a 403 that names an
organization-policy constraint gets a hint naming it (not the IAM one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import vdsl
from vdsl.emulator import Emulator
from vdsl.emulator.orgpolicy import OrgPolicy
from vdsl.errors import PolicyError, VertexError
from vdsl.policy import Policy
from vdsl.runtime import Runtime, StaticToken

SOURCE = """
client<llm> Anywhere {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location env.VERTEX_LOCATION
  }
}

client<llm> Eu {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location europe-west4
  }
}

client<llm> Chain {
  provider fallback
  options {
    strategy [Anywhere, Eu]
  }
}

function Hello(name: string) -> string {
  client Chain
  prompt #"Say hello to {{ name }}"#
}
"""


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def _runtime(emu: Emulator, policy: Policy | None, location: str) -> Runtime:
    project = vdsl.loads(SOURCE)
    return Runtime(project, env={"VERTEX_LOCATION": location}, endpoint=emu.url,
                   auth=StaticToken(emu.issue_token()), policy=policy)


def test_a_forbidden_location_is_never_sent_and_the_fallback_moves_on(emulator: Emulator
                                                                     ) -> None:
    with _runtime(emulator, Policy(forbid_global=True, source="test"), "global") as rt:
        result = rt.complete("Hello", {"name": "Ada"})
    assert result.client == "Eu"
    assert [r.path.split("/locations/")[1].split("/")[0] for r in emulator.requests] == [
        "europe-west4"]
    assert "forbids the global endpoint" in (result.attempts[0].error or "")


def test_a_single_forbidden_client_raises_policy_error(emulator: Emulator) -> None:
    policy = Policy(allowed_locations=("europe-*",), source="test")
    with _runtime(emulator, policy, "us-central1") as rt, pytest.raises(PolicyError) as info:
        rt.complete("Hello", {"name": "Ada"}, client="Anywhere")
    assert "us-central1" in str(info.value) and "allowed_locations" in str(info.value)
    assert emulator.requests == []


def test_allowed_publishers_are_enforced_on_the_request(emulator: Emulator) -> None:
    policy = Policy(allowed_publishers=("anthropic",), source="test")
    with _runtime(emulator, policy, "europe-west4") as rt, pytest.raises(PolicyError):
        rt.complete("Hello", {"name": "Ada"}, client="Eu")
    assert emulator.requests == []


def test_without_a_policy_the_call_goes_through(emulator: Emulator) -> None:
    with _runtime(emulator, None, "global") as rt:
        assert rt.complete("Hello", {"name": "Ada"}).client == "Anywhere"


def test_an_org_policy_403_gets_a_hint_naming_the_constraint() -> None:
    with Emulator(org_policy=OrgPolicy(deny_global=True)) as emu, \
            _runtime(emu, None, "global") as rt, pytest.raises(VertexError) as info:
        rt.complete("Hello", {"name": "Ada"}, client="Anywhere")
    error = info.value
    assert error.status == 403 and error.vertex_status == "PERMISSION_DENIED"
    assert "constraints/gcp.restrictEndpointUsage" in error.hint
    assert "aiplatform.endpoints.predict" not in error.hint
    assert "[tool.vdsl.policy]" in error.hint


def test_the_org_policy_emulator_still_serves_regional_endpoints() -> None:
    with Emulator(org_policy=OrgPolicy(deny_global=True)) as emu, \
            _runtime(emu, None, "global") as rt:
        assert rt.complete("Hello", {"name": "Ada"}).client == "Eu"  # fallback after the 403


def test_a_plain_403_keeps_the_iam_hint(emulator: Emulator) -> None:
    emulator.script([403])
    with _runtime(emulator, None, "europe-west4") as rt, pytest.raises(VertexError) as info:
        rt.complete("Hello", {"name": "Ada"}, client="Eu")
    assert "aiplatform.endpoints.predict" in info.value.hint


CACHE_SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1 }
}
function Ask(doc: string, q: string) -> string {
  client Flash
  prompt #"{{ _.role("system") }}{{ doc }}{{ _.role("user") }}{{ q }}"#
}
"""


def test_resource_calls_obey_the_policy_too(emulator: Emulator) -> None:
    rt = Runtime(vdsl.loads(CACHE_SOURCE), env={}, endpoint=emulator.url,
                 auth=StaticToken(emulator.issue_token()),
                 policy=Policy(allowed_locations=("europe-*",), source="test"))
    with rt, pytest.raises(PolicyError, match="us-central1"):
        rt.create_cache("Ask", {"doc": "x " * 5000, "q": "?"})
    assert emulator.requests == []


def test_a_resource_locations_refusal_gets_its_hint() -> None:
    with Emulator(org_policy=OrgPolicy(allowed_locations=("europe-*",))) as emu, Runtime(
            vdsl.loads(CACHE_SOURCE), env={}, endpoint=emu.url,
            auth=StaticToken(emu.issue_token())) as rt, pytest.raises(VertexError) as info:
        rt.create_cache("Ask", {"doc": "x " * 5000, "q": "?"})
    assert info.value.status == 400
    assert "constraints/gcp.resourceLocations" in info.value.hint


def test_a_generated_client_carries_and_enforces_the_policy(tmp_path: Path, emulator: Emulator,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import importlib
    import sys

    from vdsl.codegen import GenerateOptions, generate
    project_dir = tmp_path / "llm"
    project_dir.mkdir()
    (project_dir / "main.vdsl").write_text(SOURCE, encoding="utf-8")
    (project_dir / "vdsl.toml").write_text('[policy]\nallowed_locations = ["europe-*"]\n',
                                           encoding="utf-8")
    files = generate(vdsl.load(project_dir), GenerateOptions(package="policy_client"))
    assert "POLICY" in files["_sources.py"]
    for rel, text in files.items():
        (tmp_path / "policy_client" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "policy_client" / rel).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("VERTEX_LOCATION", "us-central1")
    monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", emulator.url)
    try:
        client = importlib.import_module("policy_client")
        client._runtime.core.runtime_options["auth"] = StaticToken(emulator.issue_token())
        with pytest.raises(PolicyError, match="us-central1"):
            client.b.with_options(client="Anywhere").Hello("Ada")
        assert emulator.requests == []
        assert client.b.Hello("Ada") is not None   # the fallback's Eu client is allowed
        assert [r.path.split("/locations/")[1].split("/")[0] for r in emulator.requests] == [
            "europe-west4"]
    finally:
        for name in [m for m in sys.modules if m.startswith("policy_client")]:
            del sys.modules[name]

