"""Gemini context caches (`cachedContents`), kept in the emulator's state so they outlive a
process: `vdsl cache create` then `vdsl cache list` behave as against Vertex.

    POST   /v1/projects/P/locations/L/cachedContents       → the CachedContent (name, times, usage)
    GET    …/cachedContents[?pageSize&pageToken]            → {cachedContents, nextPageToken}
    GET    …/cachedContents/ID                              → the CachedContent
    PATCH  …/cachedContents/ID?updateMask=ttl|expireTime    → new expiry
    DELETE …/cachedContents/ID                              → {}

The cached system instruction, contents and tools are stored but never returned (input-only on
Vertex). A cache past its expiry is gone (404), as on Vertex. Refusals follow Vertex: a model
without caching, fewer tokens than the model's minimum ("The cached content is of N tokens.
The minimum token count to start caching is M."), a TTL under a minute, a location the
organization's `resourceLocations` policy forbids. `use_cache` serves generateContent's
`cachedContent`. Texts for a not-found cache and for a model without caching are best guesses.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import errors
from .common import count_tokens, join_texts
from .gemini_checks import normalize
from .reply import Reply, Request, json_reply

if TYPE_CHECKING:
    from .app import App
    from .state import StateStore

__all__ = ["CachedPrompt", "serve", "use_cache"]

COLLECTION = "cachedContents"
DEFAULT_TTL = 3600
MIN_TTL = 60
PAGE_SIZE = 100
MEDIA_TOKENS = 258
IN_CACHE = ("systemInstruction", "contents", "tools", "toolConfig")
_PATH = re.compile(r"^/(?P<version>v1|v1beta1)/(?P<parent>projects/(?P<project>[^/]+)/locations/"
                   r"(?P<location>[^/]+))/cachedContents(?:/(?P<id>[^/:]+))?$")
_MODEL = re.compile(r"^(?:projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/)?"
                    r"publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:]+)$")
_DURATION = re.compile(r"^(\d{1,12})(?:\.\d{1,9})?s$")
NOT_ALLOWED_WITH_CACHE = ("CachedContent can not be used with GenerateContent request setting "
                          "system_instruction, tools or tool_config. Proposed fix: move those "
                          "values to CachedContent from GenerateContent request.")


def serve(app: App, request: Request) -> Reply | None:
    """The `cachedContents` API (registered in `app.SERVICES`); None for other paths."""
    found = _PATH.match(request.path)
    if found is None:
        return None
    denied = app.authority.check_resource(request) or \
        app.org_policy.endpoint_refusal(found["project"], found["location"])
    if denied is not None:
        return denied
    name = f"{found['parent']}/cachedContents/{found['id']}" if found["id"] else None
    handlers = {("POST", False): _create, ("GET", False): _list, ("GET", True): _get,
                ("PATCH", True): _patch, ("DELETE", True): _delete}
    handler = handlers.get((request.method, name is not None))
    if handler is None:
        return errors.google_error(404, "Method not found.")
    return handler(app, request, found.groupdict(), name)


def _create(app: App, request: Request, where: dict[str, str], _name: str | None) -> Reply:
    if not isinstance(request.json, dict):
        return errors.invalid_json("Expected a JSON object.")
    body = normalize(request.json)
    problem = _model_problem(app, body.get("model"), where) or \
        app.org_policy.location_refusal(where["project"], where["location"],
                                        "CreateCachedContent")
    if problem is not None:
        return problem
    expiry = _expiry(body, datetime.now(UTC))
    if isinstance(expiry, Reply):
        return expiry
    info = app.lookup(_MODEL.match(str(body["model"]))["model"])  # type: ignore[index]
    tokens = _tokens({k: body[k] for k in IN_CACHE if k in body})
    if info is not None and info.cache_min_tokens and tokens < info.cache_min_tokens:
        return errors.google_error(400, f"The cached content is of {tokens} tokens. The "
                                        "minimum token count to start caching is "
                                        f"{info.cache_min_tokens}.")
    now = _stamp(datetime.now(UTC))
    name = f"{where['parent']}/cachedContents/{secrets.randbelow(10**19)}"
    document = {"name": name, "model": body["model"], "createTime": now, "updateTime": now,
                "expireTime": _stamp(expiry), "usageMetadata": _usage(body, tokens),
                **({"displayName": body["displayName"]} if body.get("displayName") else {}),
                "_content": {k: body[k] for k in IN_CACHE if k in body}}
    app.state.put(COLLECTION, name, document)
    return json_reply(_public(document))


def _model_problem(app: App, model: Any, where: dict[str, str]) -> Reply | None:
    found = _MODEL.match(model) if isinstance(model, str) else None
    if found is None:
        return errors.google_error(400, "CachedContent.model must name a publisher model: "
                                        "projects/P/locations/L/publishers/google/models/M")
    if found["location"] not in (None, where["location"]):
        return errors.google_error(400, f"The model location {found['location']} does not "
                                        f"match the cached content location "
                                        f"{where['location']}.")
    info = app.lookup(found["model"])
    if info is None or info.retired or info.publisher != found["publisher"]:
        return errors.model_not_found(f"{where['parent']}/publishers/{found['publisher']}/"
                                      f"models/{found['model']}")
    if not info.caching:
        return errors.google_error(400, f"Model {found['model']} does not support cached "
                                        "content.")
    return None


def _expiry(body: dict[str, Any], now: datetime) -> datetime | Reply:
    ttl, expire = body.get("ttl"), body.get("expireTime", body.get("expire_time"))
    if ttl is not None and expire is not None:
        return errors.google_error(400, "Only one of ttl and expire_time may be set.")
    if ttl is not None:
        found = _DURATION.match(ttl) if isinstance(ttl, str) else None
        if found is None:
            return errors.invalid_json(f"Invalid value at 'cached_content.ttl' "
                                       f"(type.googleapis.com/google.protobuf.Duration), "
                                       f"\"{ttl}\"")
        seconds = int(found.group(1))
        if seconds < MIN_TTL:
            return errors.google_error(400, f"ttl {ttl} is too short: the minimum is 1 minute.")
        return now + timedelta(seconds=min(seconds, 10**10))
    if expire is not None:
        try:
            when = datetime.fromisoformat(str(expire))
        except ValueError:
            return errors.invalid_json(f"Invalid value at 'cached_content.expire_time' "
                                       f"(type.googleapis.com/google.protobuf.Timestamp), "
                                       f"\"{expire}\"")
        if when.tzinfo is None or when < now + timedelta(seconds=MIN_TTL):
            return errors.google_error(400, "expire_time must be at least 1 minute from now.")
        return when
    return now + timedelta(seconds=DEFAULT_TTL)


def _list(app: App, request: Request, where: dict[str, str], _name: str | None) -> Reply:
    prefix = where["parent"] + "/"
    live = [_public(d) for d in _live(app.state) if d["name"].startswith(prefix)]
    try:
        start = int(request.param("pageToken") or 0)
        size = max(1, min(int(request.param("pageSize") or PAGE_SIZE), 1000))
    except ValueError:
        return errors.google_error(400, "Invalid page token or page size.")
    page: dict[str, Any] = {"cachedContents": live[start:start + size]}
    if start + size < len(live):
        page["nextPageToken"] = str(start + size)
    return json_reply(page if page["cachedContents"] else {})


def _get(app: App, request: Request, where: dict[str, str], name: str | None) -> Reply:
    document = _find(app.state, name or "")
    return json_reply(_public(document)) if document else _not_found(name or "")


def _patch(app: App, request: Request, where: dict[str, str], name: str | None) -> Reply:
    document = _find(app.state, name or "")
    if document is None:
        return _not_found(name or "")
    body = request.json if isinstance(request.json, dict) else {}
    mask = {_camel(m.strip()) for m in (request.param("updateMask") or ",".join(body)).split(",")
            if m.strip()}
    if not mask or not mask <= {"ttl", "expireTime"}:
        return errors.google_error(400, "Only expire_time or ttl can be updated "
                                        f"(update_mask: {', '.join(sorted(mask)) or 'empty'}).")
    expiry = _expiry({k: v for k, v in body.items() if _camel(k) in mask},
                     datetime.now(UTC))
    if isinstance(expiry, Reply):
        return expiry
    document.update(expireTime=_stamp(expiry), updateTime=_stamp(datetime.now(UTC)))
    app.state.put(COLLECTION, document["name"], document)
    return json_reply(_public(document))


def _delete(app: App, request: Request, where: dict[str, str], name: str | None) -> Reply:
    if _find(app.state, name or "") is None:
        return _not_found(name or "")
    app.state.delete(COLLECTION, name or "")
    return json_reply({})


class CachedPrompt:
    """A cache a generateContent call names: what it holds, and its token count."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.name: str = document["name"]
        self.model: str = document["model"].rsplit("/", 1)[-1]
        self.content: dict[str, Any] = document.get("_content") or {}
        self.tokens: int = (document.get("usageMetadata") or {}).get("totalTokenCount", 0)


def use_cache(state: StateStore | None, body: dict[str, Any], model_id: str,
              base_id: str) -> CachedPrompt | Reply:
    """The cache a generateContent body names, or Vertex's refusal."""
    if any(body.get(k) for k in ("systemInstruction", "tools", "toolConfig")):
        return errors.google_error(400, NOT_ALLOWED_WITH_CACHE)
    name = str(body.get("cachedContent"))
    document = _find(state, name) if state is not None else None
    if document is None:
        return _not_found(name)
    cached = CachedPrompt(document)
    if cached.model not in (model_id, base_id):
        return errors.google_error(400, f"Model used by GenerateContent request ({base_id}) "
                                        f"and CachedContent ({cached.model}) has to be the "
                                        "same.")
    return cached


def _find(state: StateStore | None, name: str) -> dict[str, Any] | None:
    """The live cache named `name`; an expired one is removed, as Vertex drops it."""
    document = state.get(COLLECTION, name) if state is not None else None
    if document is None or state is None:
        return None
    if _expired(document):
        state.delete(COLLECTION, name)
        return None
    return document


def _live(state: StateStore) -> list[dict[str, Any]]:
    return [d for d in state.documents(COLLECTION) if _find(state, d.get("name", ""))]


def _expired(document: dict[str, Any]) -> bool:
    try:
        expires = datetime.fromisoformat(str(document.get("expireTime")))
    except ValueError:
        return True
    return expires <= datetime.now(UTC)


def _not_found(name: str) -> Reply:
    return errors.google_error(404, f"Not found: cached content metadata for {name}.")


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if not k.startswith("_")}


def _tokens(fields: dict[str, Any]) -> int:
    """The emulator's count of a cache's content (as its countTokens counts a prompt)."""
    from .gemini import prompt_texts
    found, system = fields.get("contents"), fields.get("systemInstruction")
    contents: list[Any] = found if isinstance(found, list) else []
    texts = prompt_texts({"contents": ([system] if isinstance(system, dict) else [])
                          + contents})[0]
    media = sum(1 for c in contents if isinstance(c, dict)
                for p in c.get("parts") or [] if isinstance(p, dict) and "text" not in p)
    return count_tokens(texts) + media * MEDIA_TOKENS


def _usage(body: dict[str, Any], tokens: int) -> dict[str, Any]:
    texts = join_texts([str(p.get("text", "")) for c in body.get("contents") or []
                        if isinstance(c, dict) for p in c.get("parts") or []
                        if isinstance(p, dict)])
    return {"totalTokenCount": tokens, "textCount": len(texts)}


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
