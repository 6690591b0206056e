"""The emulator's cachedContents API and generateContent with `cachedContent`, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from emu_helpers import PROJECT, REGION, base, gemini_body, gemini_path

from vdsl.emulator import Emulator
from vdsl.emulator.orgpolicy import OrgPolicy

MODEL = f"projects/{PROJECT}/locations/{REGION}/publishers/google/models/gemini-2.5-flash"
DOC = "The pump must be primed before the first start. " * 200  # ≈ 2,450 tokens (4 chars each)


def _cache_body(text: str = DOC, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "displayName": "manual",
            "systemInstruction": {"parts": [{"text": "Answer from the manual."}]},
            "contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def _create(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    reply = client.post(f"{base()}/cachedContents", json=_cache_body(**extra))
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def test_create_get_list_patch_delete(client: httpx.Client) -> None:
    made = _create(client, ttl="120s")
    name = made["name"]
    assert name.startswith(f"projects/{PROJECT}/locations/{REGION}/cachedContents/")
    assert set(made) >= {"model", "createTime", "updateTime", "expireTime", "usageMetadata"}
    assert "contents" not in made and "systemInstruction" not in made  # input only
    expires = datetime.fromisoformat(made["expireTime"])
    assert timedelta(seconds=110) < expires - datetime.now(UTC) <= timedelta(seconds=120)
    assert client.get(f"/v1/{name}").json() == made
    assert [c["name"] for c in client.get(f"{base()}/cachedContents").json()[
        "cachedContents"]] == [name]
    patched = client.patch(f"/v1/{name}", params={"updateMask": "ttl"},
                           json={"ttl": "7200s"}).json()
    assert datetime.fromisoformat(patched["expireTime"]) > expires + timedelta(minutes=100)
    assert client.delete(f"/v1/{name}").json() == {}
    assert client.get(f"/v1/{name}").status_code == 404
    assert client.get(f"{base()}/cachedContents").json() == {}


def test_a_call_reads_the_cache_and_reports_cached_tokens(client: httpx.Client) -> None:
    made = _create(client)
    cached = made["usageMetadata"]["totalTokenCount"]
    reply = client.post(gemini_path(), json=gemini_body("Short question?",
                                                        cachedContent=made["name"]))
    usage = reply.json()["usageMetadata"]
    assert reply.status_code == 200
    assert usage["cachedContentTokenCount"] == cached
    assert usage["promptTokenCount"] > cached
    assert usage["cacheTokensDetails"] == [{"modality": "TEXT", "tokenCount": cached}]


@pytest.mark.parametrize("field", ["systemInstruction", "tools", "toolConfig"])
def test_a_call_with_a_cache_may_not_set_what_the_cache_holds(client: httpx.Client,
                                                              field: str) -> None:
    made = _create(client)
    value: Any = {"parts": [{"text": "x"}]} if field == "systemInstruction" else \
        [{"googleSearch": {}}] if field == "tools" else {"functionCallingConfig": {}}
    reply = client.post(gemini_path(), json=gemini_body(cachedContent=made["name"],
                                                        **{field: value}))
    assert reply.status_code == 400
    assert "CachedContent can not be used with GenerateContent" in reply.json()["error"][
        "message"]


def test_a_call_must_use_the_cache_s_model(client: httpx.Client) -> None:
    made = _create(client)
    reply = client.post(gemini_path("gemini-2.5-pro"), json=gemini_body(
        cachedContent=made["name"]))
    assert reply.status_code == 400 and "has to be the same" in reply.text


def test_an_expired_cache_is_gone(emulator: Emulator, client: httpx.Client) -> None:
    made = _create(client)
    document = emulator.app.state.get("cachedContents", made["name"])
    assert document is not None
    document["expireTime"] = "2000-01-01T00:00:00.000000Z"
    emulator.app.state.put("cachedContents", made["name"], document)
    assert client.get(f"/v1/{made['name']}").status_code == 404
    call = client.post(gemini_path(), json=gemini_body(cachedContent=made["name"]))
    assert call.status_code == 404
    assert client.get(f"{base()}/cachedContents").json() == {}


@pytest.mark.parametrize("extra, status, text", [
    ({"ttl": "30s"}, 400, "minimum is 1 minute"),
    ({"ttl": "soon"}, 400, "Invalid value at 'cached_content.ttl'"),
    ({"ttl": "3600s", "expireTime": "2099-01-01T00:00:00Z"}, 400, "Only one of"),
    ({"text": "too short"}, 400, "The minimum token count to start caching is 2048"),
    ({"model": MODEL.replace("gemini-2.5-flash", "gemini-9")}, 404, "was not found"),
    ({"model": "gemini-2.5-flash"}, 400, "must name a publisher model"),
    ({"model": MODEL.replace(REGION, "europe-west4")}, 400, "does not match"),
])
def test_bad_creates_are_refused_like_vertex(client: httpx.Client, extra: dict[str, Any],
                                             status: int, text: str) -> None:
    body = _cache_body(extra.pop("text", DOC))
    body.update(extra)
    reply = client.post(f"{base()}/cachedContents", json=body)
    assert reply.status_code == status and text in reply.text, reply.text


def test_a_model_without_caching_is_refused(client: httpx.Client) -> None:
    body = _cache_body()
    body["model"] = MODEL.replace("google/models/gemini-2.5-flash",
                                  "anthropic/models/claude-sonnet-4@20250514")
    reply = client.post(f"{base()}/cachedContents", json=body)
    assert reply.status_code == 400 and "does not support cached content" in reply.text


def test_caches_need_a_token(anon: httpx.Client) -> None:
    assert anon.get(f"{base()}/cachedContents").status_code == 401


def test_listing_pages(client: httpx.Client) -> None:
    names = {_create(client)["name"] for _ in range(3)}
    first = client.get(f"{base()}/cachedContents", params={"pageSize": 2}).json()
    assert len(first["cachedContents"]) == 2 and first["nextPageToken"]
    second = client.get(f"{base()}/cachedContents", params={
        "pageSize": 2, "pageToken": first["nextPageToken"]}).json()
    assert {c["name"] for c in first["cachedContents"] + second["cachedContents"]} == names
    assert "nextPageToken" not in second


def test_caches_outlive_the_emulator_with_a_state_folder(tmp_path: Path) -> None:
    for round_ in range(2):
        with Emulator(state_dir=tmp_path) as emu, httpx.Client(
                base_url=emu.url, headers={"Authorization": f"Bearer {emu.issue_token()}"}
        ) as http:
            if round_ == 0:
                name = _create(http)["name"]
            else:
                assert [c["name"] for c in http.get(f"{base()}/cachedContents").json()[
                    "cachedContents"]] == [name]


def test_resource_locations_org_policy_refuses_a_cache_elsewhere() -> None:
    with Emulator(org_policy=OrgPolicy(allowed_locations=("europe-*",))) as emu, \
            httpx.Client(base_url=emu.url,
                         headers={"Authorization": f"Bearer {emu.issue_token()}"}) as http:
        reply = http.post(f"{base()}/cachedContents", json=_cache_body())
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["status"] == "FAILED_PRECONDITION"
    assert error["details"][0]["violations"][0]["type"] == "constraints/gcp.resourceLocations"
