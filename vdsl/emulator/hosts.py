"""Who may reach the emulator: the address it binds and the Host header it accepts.

The emulator is a development tool with a control API (`/_emulator/requests` shows every
prompt sent to it). Bound to loopback only this machine reaches it; bound to another
interface it must check credentials (`--strict-auth`) and says so loudly.

A web page cannot read a loopback server of another origin, unless it makes its own domain
resolve to 127.0.0.1 (DNS rebinding): the browser then sends the page's domain in `Host`. So
a request is answered only when `Host` is an IP address, `localhost`, or a name allowed
explicitly (`--allow-host`, e.g. a container name); a request without `Host` (HTTP/1.0, raw
sockets) is not from a browser and is answered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["HostCheck", "is_loopback_bind"]


def is_loopback_bind(host: str) -> bool:
    """Whether binding `host` keeps the emulator reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HostCheck:
    """Which `Host` header values are answered (see the module docstring)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = frozenset(name.lower().rstrip(".") for name in allowed)

    def allows(self, header: str | None) -> bool:
        if header is None:
            return True
        name = _hostname(header.strip())
        if name is None:
            return False
        if name == "localhost" or name in self.allowed:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True


def _hostname(value: str) -> str | None:
    """The name in a Host header (`name`, `name:port`, `[v6]:port`), lowercased."""
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not value[end + 1:].startswith(":")):
            return None
        return value[1:end].lower()
    name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    return name.lower().rstrip(".") or None
