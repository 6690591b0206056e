"""Cassettes: a test case's Vertex exchanges, recorded once (`--record`) and replayed offline.

One JSON file per case (`cassettes/<Test>.<Function>.json`) holds, for every request the call
made that Vertex answered, the client and model it went to, the request as vdsl builds it
(method, URL path with the project as `-` and no API key, JSON body; long strings such as
inline media kept as their SHA-256) with the hash of that request, and what came back: the
reply (text, thoughts, finish reason, token usage) or the error status and message. Nothing
secret is written: the request is vdsl's offline preview (no token, no key), headers are not
kept, and error messages go through the same redaction as vdsl's logs.

Replay compares each recorded request with the one vdsl builds now; any difference (a prompt,
an option, a model) makes the cassette stale, and the case is reported as such instead of
being answered with a reply recorded for another request.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..errors import VdslError
from ..providers.base import HttpRequest

__all__ = ["Cassette", "CassetteError", "Exchange", "describe_request", "first_difference",
           "load_cassette", "request_key", "save_cassette"]

FORMAT = 1
LONG_STRING = 4096
_PROJECT = re.compile(r"/projects/[^/]+/")


class CassetteError(VdslError):
    """A cassette file that cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its answer: `reply` or `error` (`{status, message}`)."""

    client: str
    model: str
    request: dict[str, Any]
    key: str
    reply: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"client": self.client, "model": self.model,
                               "request": self.request, "request_sha256": self.key}
        if self.reply is not None:
            out["reply"] = self.reply
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class Cassette:
    test: str
    function: str
    exchanges: tuple[Exchange, ...]

    def to_text(self) -> str:
        data = {"vdsl_cassette": FORMAT, "test": self.test, "function": self.function,
                "exchanges": [e.to_json() for e in self.exchanges]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONG_STRING:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"<{len(value)} characters, sha256 {digest}>"
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    return value


def describe_request(request: HttpRequest) -> dict[str, Any]:
    """The parts of a request a cassette keys on: method, path and query (no host, project
    as `-`, no API key) and the JSON body."""
    parts = urlsplit(request.url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "key"]
    url = _PROJECT.sub("/projects/-/", parts.path) + (f"?{urlencode(query)}" if query else "")
    return {"method": request.method, "url": url, "body": _shorten(request.body)}


def request_key(described: dict[str, Any]) -> str:
    text = json.dumps(described, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def first_difference(recorded: Any, now: Any, path: str = "") -> str | None:
    """Where two described requests first differ, and how, in words (None: equal)."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        for key in list(dict.fromkeys([*recorded, *now])):
            where = f"{path}.{key}" if path else str(key)
            if key not in now:
                return f"`{where}` was recorded but is no longer sent"
            if key not in recorded:
                return f"`{where}` is sent now but was not recorded"
            found = first_difference(recorded[key], now[key], where)
            if found:
                return found
        return None
    if isinstance(recorded, list) and isinstance(now, list):
        for index, (a, b) in enumerate(zip(recorded, now, strict=False)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(recorded) != len(now):
            return f"`{path}` had {len(recorded)} items when recorded, {len(now)} now"
        return None
    if recorded == now:
        return None
    if isinstance(recorded, str) and isinstance(now, str):
        return f"`{path}` changed: {_around(recorded, now)}"
    return f"`{path}` changed: recorded {_brief(recorded)}, now {_brief(now)}"


def _around(a: str, b: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a),
                                                                                   len(b)))
    start = max(0, at - 30)
    return (f"recorded {_brief(('…' if start else '') + a[start:at + 30])}, "
            f"now {_brief(('…' if start else '') + b[start:at + 30])}")


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 90 else text[:89] + "…"


def load_cassette(path: Path) -> Cassette:
    """Read a cassette (CassetteError names the file and what is wrong)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CassetteError(f"{path}: cannot read: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CassetteError(f"{path}: not a valid cassette (JSON: {exc})") from None
    except RecursionError:
        raise CassetteError(f"{path}: not a valid cassette (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("vdsl_cassette") != FORMAT:
        raise CassetteError(f"{path}: not a vdsl cassette (format {FORMAT} expected)")
    try:
        exchanges = tuple(_exchange(item) for item in data["exchanges"])
        return Cassette(str(data["test"]), str(data["function"]), exchanges)
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteError(f"{path}: not a valid cassette ({type(exc).__name__}: {exc})") \
            from None


def _exchange(item: dict[str, Any]) -> Exchange:
    reply, error = item.get("reply"), item.get("error")
    if (reply is None) == (error is None) or not isinstance(reply or error, dict):
        raise ValueError("each exchange needs a `reply` or an `error` object")
    if not isinstance(item["request"], dict):
        raise TypeError("`request` must be an object")
    return Exchange(str(item["client"]), str(item["model"]), item["request"],
                    str(item["request_sha256"]), reply, error)


def save_cassette(path: Path, cassette: Cassette) -> None:
    """Write atomically: a run interrupted halfway never leaves half a cassette."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     suffix=".tmp") as handle:
        handle.write(cassette.to_text())
    os.replace(handle.name, path)
