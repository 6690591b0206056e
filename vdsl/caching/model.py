"""Context caches as values: a `CachedContent` read from Vertex, and expiry settings checked
before anything is sent (`ttl` as `90m`/`2h`/`3600s`, or an RFC 3339 `expire_time`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import InvalidArgumentError
from ..providers.cached import fingerprint_of

__all__ = ["MAX_TTL_SECONDS", "MIN_TTL_SECONDS", "CachedContent", "expiry_fields", "parse_ttl"]

MIN_TTL_SECONDS = 60
"""Vertex's shortest cache life (one minute)."""
MAX_TTL_SECONDS = 315_576_000_000
"""The longest a protobuf Duration can say (10,000 years); Vertex documents no maximum."""
_TTL = re.compile(r"^(?:(?P<d>\d{1,12})d)?(?:(?P<h>\d{1,12})h)?(?:(?P<m>\d{1,12})m)?"
                  r"(?:(?P<s>\d{1,14})s?)?$")
_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_ttl(text: str) -> int:
    """Seconds from `3600`, `3600s`, `90m`, `2h`, `1d`, `1h30m` (InvalidArgumentError when
    the text is not a duration or is out of Vertex's range)."""
    found = _TTL.match(text.strip().lower())
    if found is None or not any(found.groupdict().values()):
        raise InvalidArgumentError(f"ttl `{text}` is not a duration: write e.g. `90m`, `2h`, "
                                   "`1d`, `1h30m` or `3600s`")
    seconds = sum(int(v) * _UNITS[k] for k, v in found.groupdict().items() if v)
    if seconds < MIN_TTL_SECONDS:
        raise InvalidArgumentError(f"ttl `{text}` is {seconds} s: Vertex keeps a context cache "
                                   f"for at least {MIN_TTL_SECONDS} s (one minute)")
    if seconds > MAX_TTL_SECONDS:
        raise InvalidArgumentError(f"ttl `{text}` is longer than Vertex can record "
                                   f"({MAX_TTL_SECONDS} s)")
    return seconds


def parse_expire_time(text: str, now: datetime | None = None) -> datetime:
    """An RFC 3339 time at least a minute ahead (InvalidArgumentError otherwise)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidArgumentError(f"expire_time `{text}` is not an RFC 3339 time such as "
                                   "2030-01-31T12:00:00Z") from None
    if when.tzinfo is None:
        raise InvalidArgumentError(f"expire_time `{text}` needs a time zone (e.g. a final Z)")
    now = now or datetime.now(UTC)
    if when < now + timedelta(seconds=MIN_TTL_SECONDS):
        raise InvalidArgumentError(f"expire_time `{text}` is less than a minute from now; "
                                   "Vertex keeps a context cache for at least one minute")
    return when


def expiry_fields(ttl: str | int | None, expire_time: str | None) -> dict[str, str]:
    """The `ttl` or `expireTime` field of a create or update body ({} for Vertex's default
    of one hour). Exactly one may be given."""
    if ttl is not None and expire_time is not None:
        raise InvalidArgumentError("give either a ttl or an expire_time, not both")
    if ttl is not None:
        seconds = parse_ttl(str(ttl))
        return {"ttl": f"{seconds}s"}
    if expire_time is not None:
        when = parse_expire_time(expire_time)
        return {"expireTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    return {}


@dataclass(frozen=True)
class CachedContent:
    """A context cache as Vertex describes it (the cached prompt itself is never returned)."""

    name: str
    model: str = ""
    display_name: str = ""
    create_time: str = ""
    update_time: str = ""
    expire_time: str = ""
    total_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> CachedContent:
        data = data if isinstance(data, dict) else {}
        usage = data.get("usageMetadata") if isinstance(data.get("usageMetadata"), dict) else {}
        total = usage.get("totalTokenCount")
        return cls(str(data.get("name", "")), str(data.get("model", "")),
                   str(data.get("displayName", "")), str(data.get("createTime", "")),
                   str(data.get("updateTime", "")), str(data.get("expireTime", "")),
                   total if isinstance(total, int) else None, data)

    @property
    def id(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def fingerprint(self) -> str | None:
        """What a vdsl-made cache holds (see `vdsl.providers.cached`); None for others."""
        return fingerprint_of(self.display_name)

    @property
    def function(self) -> str | None:
        """The function a vdsl-made cache was made from."""
        if self.fingerprint is None:
            return None
        parts = self.display_name.split(" ", 2)
        return parts[2] if len(parts) == 3 else None

    def expires(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.expire_time)
        except ValueError:
            return None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, "display_name": self.display_name,
                "function": self.function, "create_time": self.create_time,
                "update_time": self.update_time, "expire_time": self.expire_time,
                "cached_tokens": self.total_tokens}
