"""Context caches through the runtime: create → call with `cached_content` → the request sends
only the rest of the prompt, usage splits cached tokens, and a stale, foreign, expired or
other-model cache is refused before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vdsl.caching.model import MAX_TTL_SECONDS, MIN_TTL_SECONDS, parse_ttl
from vdsl.emulator import Emulator
from vdsl.errors import ConfigError, InvalidArgumentError, MissingEnvError, VertexError
from vdsl.project import Project
from vdsl.runtime import Runtime

Make = Callable[..., Runtime]


def _make_cache(runtime_for: Make, manual: Project, args: dict[str, str]) -> str:
    rt = runtime_for(manual)
    cache = rt.create_cache("AnswerFromManual", args, client="CachedFlash", ttl="2h")
    assert cache.function == "AnswerFromManual" and cache.fingerprint
    return cache.name


def test_a_call_reads_the_cache_and_sends_only_the_rest(runtime_for: Make, manual: Project,
                                                        manual_args: dict[str, str],
                                                        emulator: Emulator) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    create = emulator.requests[-1].body
    assert create["systemInstruction"]["parts"][0]["text"].startswith("You answer")
    assert create["contents"][0]["parts"][0]["text"].startswith("1. Unpacking")
    assert "cache_control" not in str(create)  # the marker is not a Gemini field
    rt = runtime_for(manual, {"MANUAL_CACHE": name.rsplit("/", 1)[1]})  # a bare ID works too
    result = rt.complete("AnswerFromManual", manual_args, client="CachedFlash")
    body = emulator.requests[-1].body
    assert body["cachedContent"] == name
    assert "system_instruction" not in body
    assert [p["text"].splitlines()[0] for p in body["contents"][0]["parts"]] == [
        manual_args["question"]]
    assert result.value.section == 8
    assert result.usage is not None and result.usage.cached_tokens
    assert 0 < result.usage.cached_tokens < (result.usage.input_tokens or 0)
    uncached = runtime_for(manual).complete("AnswerFromManual", manual_args, client="Flash")
    assert result.cost is not None and uncached.cost is not None
    assert result.cost < uncached.cost  # cached tokens at the cached price


def test_the_cache_is_checked_once_per_runtime(runtime_for: Make, manual: Project,
                                               manual_args: dict[str, str],
                                               emulator: Emulator) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    rt = runtime_for(manual, {"MANUAL_CACHE": name})
    emulator.clear_requests()
    for _ in range(3):
        rt.complete("AnswerFromManual", manual_args, client="CachedFlash")
    seen = [(r.method, r.path) for r in emulator.requests]
    assert seen.count(("GET", f"/v1/{name}")) == 1
    assert sum(1 for _, path in seen if path.endswith(":generateContent")) == 3


def test_a_changed_leading_part_is_refused_not_answered_from_stale_context(
        runtime_for: Make, manual: Project, manual_args: dict[str, str],
        emulator: Emulator) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    rt = runtime_for(manual, {"MANUAL_CACHE": name})
    emulator.clear_requests()
    with pytest.raises(ConfigError, match="different leading part"):
        rt.complete("AnswerFromManual", {**manual_args, "manual": "A different manual."},
                    client="CachedFlash")
    assert not any("generateContent" in r.path for r in emulator.requests)
    # only the part after the marker may change
    rt.complete("AnswerFromManual", {**manual_args,
                                     "question": "How do I prime the pump in winter?"},
                client="CachedFlash")


def test_an_expired_cache_is_refused_before_the_call(runtime_for: Make, manual: Project,
                                                     manual_args: dict[str, str],
                                                     emulator: Emulator) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    rt = runtime_for(manual, {"MANUAL_CACHE": name})
    rt.complete("AnswerFromManual", manual_args, client="CachedFlash")
    document = emulator.app.state.get("cachedContents", name)
    assert document is not None
    document["expireTime"] = "2000-01-01T00:00:00.000000Z"
    emulator.app.state.put("cachedContents", name, document)
    fresh = runtime_for(manual, {"MANUAL_CACHE": name})
    with pytest.raises(VertexError) as info:  # Vertex forgets expired caches: a 404
        fresh.complete("AnswerFromManual", manual_args, client="CachedFlash")
    assert info.value.status == 404 and "expired" in info.value.hint
    stale = rt._memo[("cache", name)]  # a runtime that saw it alive checks the expiry itself
    rt._memo[("cache", name)] = type(stale)(**{**vars(stale), "expire_time":
                                                "2000-01-01T00:00:00Z"})
    with pytest.raises(ConfigError, match="expired"):
        rt.complete("AnswerFromManual", manual_args, client="CachedFlash")


def test_a_cache_not_made_by_vdsl_is_refused(runtime_for: Make, manual: Project,
                                             manual_args: dict[str, str],
                                             emulator: Emulator) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    document = emulator.app.state.get("cachedContents", name)
    assert document is not None
    document["displayName"] = "made elsewhere"
    emulator.app.state.put("cachedContents", name, document)
    with pytest.raises(ConfigError, match="not made by vdsl"):
        runtime_for(manual, {"MANUAL_CACHE": name}).complete(
            "AnswerFromManual", manual_args, client="CachedFlash")


def test_an_unset_cache_variable_is_a_missing_env_error(runtime_for: Make, manual: Project,
                                                        manual_args: dict[str, str]) -> None:
    with pytest.raises(MissingEnvError, match="MANUAL_CACHE"):
        runtime_for(manual).complete("AnswerFromManual", manual_args, client="CachedFlash")


def test_list_get_update_delete(runtime_for: Make, manual: Project,
                                manual_args: dict[str, str]) -> None:
    name = _make_cache(runtime_for, manual, manual_args)
    rt = runtime_for(manual)
    assert [c.name for c in rt.list_caches()] == [name]
    before = rt.get_cache(name).expires()
    after = rt.update_cache(name.rsplit("/", 1)[1], ttl="5h").expires()
    assert before is not None and after is not None and after > before
    assert rt.delete_cache(name) == name
    assert rt.list_caches() == []


def test_the_async_twins_do_the_same(runtime_for: Make, manual: Project,
                                     manual_args: dict[str, str]) -> None:
    rt = runtime_for(manual)

    async def run() -> None:
        made = await rt.acreate_cache("AnswerFromManual", manual_args, client="CachedFlash",
                                     ttl="2h")
        assert [c.name for c in await rt.alist_caches()] == [made.name]
        assert (await rt.aget_cache(made.name)).name == made.name
        later = await rt.aupdate_cache(made.name, ttl="5h")
        assert later.expires() is not None and later.expires() > made.expires()  # type: ignore[operator]
        counted = await rt.acount_tokens("AnswerFromManual", manual_args)
        assert counted.input_tokens == rt.count_tokens("AnswerFromManual", manual_args).input_tokens
        assert await rt.adelete_cache(made.name) == made.name
        assert await rt.alist_caches() == []

    asyncio.run(run())


@pytest.mark.parametrize("kwargs, error, text", [
    ({"ttl": "30s"}, InvalidArgumentError, "at least 60 s"),
    ({"ttl": "soon"}, InvalidArgumentError, "not a duration"),
    ({"ttl": "1h", "expire_time": "2099-01-01T00:00:00Z"}, InvalidArgumentError, "not both"),
    ({"expire_time": "2000-01-01T00:00:00Z"}, InvalidArgumentError, "less than a minute"),
    ({"expire_time": "tomorrow"}, InvalidArgumentError, "RFC 3339"),
    ({"client": "GroundedFlash", "args": {"manual": "tiny", "question": "q"}}, ConfigError,
     "caches at least 2048"),
])
def test_bad_creates_fail_before_sending(runtime_for: Make, manual: Project,
                                         manual_args: dict[str, str], emulator: Emulator,
                                         kwargs: dict[str, object], error: type[Exception],
                                         text: str) -> None:
    args = kwargs.pop("args", manual_args)
    emulator.clear_requests()
    with pytest.raises(error, match=text):
        runtime_for(manual).create_cache("AnswerFromManual", args, **kwargs)  # type: ignore[arg-type]
    assert not any(r.path.endswith("/cachedContents") for r in emulator.requests)


def test_a_claude_client_cannot_make_a_context_cache(runtime_for: Make) -> None:
    source = """
client<llm> C {
  provider vertex-ai
  options { model "claude-sonnet-4-5@20250929", location us-east5 }
}
function F(a: string, b: string) -> string {
  client C
  prompt #"{{ _.role("system") }}{{ a }}{{ _.role("user") }}{{ b }}"#
}
"""
    with pytest.raises(ConfigError, match="cache_control"):
        runtime_for(source).create_cache("F", {"a": "x", "b": "y"})


@given(st.integers(MIN_TTL_SECONDS, MAX_TTL_SECONDS))
def test_ttl_forms_agree(seconds: int) -> None:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    spelled = "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"),
                                              (secs, "s")) if n)
    assert parse_ttl(spelled) == parse_ttl(f"{seconds}s") == parse_ttl(str(seconds)) == seconds


@given(st.text(max_size=30))
def test_ttl_parsing_never_raises_anything_but_a_usage_error(text: str) -> None:
    try:
        seconds = parse_ttl(text)
    except InvalidArgumentError:
        return
    assert MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS


def test_auto_finds_the_cache_made_for_this_prompt_or_calls_without_one(
        runtime_for: Make, manual: Project, manual_args: dict[str, str],
        emulator: Emulator) -> None:
    source = next(iter(manual.sources.values())).text.replace(
        "cached_content env.MANUAL_CACHE", "cached_content auto")
    import vdsl
    project = vdsl.loads(source)
    rt = runtime_for(project)
    uncached = rt.complete("AnswerFromManual", manual_args, client="CachedFlash")
    assert "cachedContent" not in emulator.requests[-1].body
    assert not (uncached.usage and uncached.usage.cached_tokens)
    name = runtime_for(project).create_cache("AnswerFromManual", manual_args,
                                             client="CachedFlash").name
    fresh = runtime_for(project)
    assert fresh.build_request("AnswerFromManual", manual_args,
                               client="CachedFlash").body.get("cachedContent") is None
    cached = fresh.complete("AnswerFromManual", manual_args, client="CachedFlash")
    assert emulator.requests[-1].body["cachedContent"] == name
    assert cached.usage is not None and cached.usage.cached_tokens
    other = fresh.complete("AnswerFromManual", {**manual_args, "manual": "Another manual."},
                           client="CachedFlash")  # a different leading part: no cache, no error
    assert "cachedContent" not in emulator.requests[-1].body and other.value


def test_async_and_streamed_calls_read_the_cache_too(runtime_for: Make, manual: Project,
                                                     manual_args: dict[str, str],
                                                     emulator: Emulator) -> None:
    import asyncio
    name = _make_cache(runtime_for, manual, manual_args)
    rt = runtime_for(manual, {"MANUAL_CACHE": name})
    result = asyncio.run(rt.acomplete("AnswerFromManual", manual_args, client="CachedFlash"))
    assert result.usage is not None and result.usage.cached_tokens
    streamed = rt.stream("AnswerFromManual", manual_args, client="CachedFlash").result()
    assert emulator.requests[-1].body["cachedContent"] == name
    assert streamed.usage is not None and streamed.usage.cached_tokens
