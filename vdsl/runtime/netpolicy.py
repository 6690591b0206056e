"""Which addresses a media download may connect to (server-side request forgery).

A media URL comes from a function's arguments, so from whoever supplies them. Fetched media is
inlined into the request sent to the model, which can read it back: a URL pointing at the
cloud metadata server, a loopback admin port or an intranet host would leak what it serves.
So a download may only connect to a globally routable unicast address. Refused:

    loopback      127.0.0.0/8, ::1
    unspecified   0.0.0.0, ::
    private       10/8, 172.16/12, 192.168/16, 100.64/10 (shared), fc00::/7, and the other
                  special-purpose ranges Python's `ipaddress` lists as not global
    link-local    169.254/16 (the metadata server 169.254.169.254), fe80::/10
    multicast     224/4, ff00::/8; and reserved ranges

An address is checked after name resolution, in whatever form the URL wrote it (`2130706433`,
`0x7f.1`, `0177.0.0.1` are all 127.0.0.1), including IPv4 inside IPv6 (`::ffff:10.0.0.1`,
6to4, Teredo, NAT64). The connection then goes to the address that was checked, never to the
name again, so a DNS answer that changes between check and connect (DNS rebinding) cannot
slip through; every redirect is checked the same way.

`MediaPolicy.allow` opts ranges back in: `loopback` (the emulator, a local file server in
tests), `private`, or any CIDR network (`10.1.0.0/16`). `VDSL_MEDIA_ALLOW` sets it from the
environment (`VDSL_MEDIA_ALLOW=loopback,10.1.0.0/16`); `vdsl run --emulator` allows loopback.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..errors import ConfigError, MediaError

__all__ = ["ALLOW_ENV", "IPAddress", "MediaPolicy", "refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

ALLOW_ENV = "VDSL_MEDIA_ALLOW"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30.0
MAX_REDIRECTS = 5

_NAMED: dict[str, tuple[str, ...]] = {
    "loopback": ("127.0.0.0/8", "::1/128"),
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class MediaPolicy:
    """How media URLs are downloaded (for `send_base64` handlers, Claude and Mistral OCR).

    `allow`: address ranges to permit besides public ones — `"loopback"`, `"private"` or CIDR
    strings. `max_bytes`, `timeout_s`: a download's size cap and total deadline (connecting,
    every redirect, headers and body together). `resolver(host, port)` returns the addresses
    of a name (default: the system resolver); tests pass a stub, so that no name is looked up.
    """

    allow: tuple[str, ...] = ()
    max_bytes: int = MAX_BYTES
    timeout_s: float = TIMEOUT_S
    max_redirects: int = MAX_REDIRECTS
    resolver: Resolver | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        self.networks()  # a bad entry fails here, not at the first download

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MediaPolicy:
        """The default policy with `VDSL_MEDIA_ALLOW` (comma-separated) applied."""
        raw = (os.environ if environ is None else environ).get(ALLOW_ENV, "")
        return cls(allow=tuple(part.strip() for part in raw.split(",") if part.strip()))

    def allowing(self, *entries: str) -> MediaPolicy:
        """This policy with more ranges allowed (`vdsl run --emulator` adds `loopback`)."""
        return replace(self, allow=tuple(dict.fromkeys((*self.allow, *entries))))

    def networks(self) -> tuple[Network, ...]:
        out: list[Network] = []
        for entry in self.allow:
            for cidr in _NAMED.get(entry.lower(), (entry,)):
                try:
                    out.append(ipaddress.ip_network(cidr, strict=False))
                except ValueError:
                    raise ConfigError(f"media policy: `{entry}` is not `loopback`, `private` "
                                      f"or a network such as 10.1.0.0/16 (set by {ALLOW_ENV} "
                                      "or MediaPolicy(allow=…))") from None
        return tuple(out)

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses `host` stands for, each allowed; MediaError naming the first that is
        not (a name with one forbidden address is refused whole)."""
        found = _literal(host)
        candidates = [found] if found is not None else self._resolve(host, port)
        allowed = self.networks()
        for address in candidates:
            reason = refusal(address, allowed)
            if reason:
                shown = host if str(address) == host.strip("[]") else f"{host} ({address})"
                raise MediaError(f"media download refused: {shown} is a {reason} address; "
                                 f"allow it with {ALLOW_ENV} or MediaPolicy(allow=…) if this "
                                 "is intended")
        return candidates

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        resolver = self.resolver or _system_resolver
        try:
            names = resolver(host, port)
        except OSError as error:
            raise MediaError(f"media download failed: cannot resolve {host}: "
                             f"{error.strerror or error}") from None
        addresses = [ipaddress.ip_address(name.split("%", 1)[0]) for name in names]
        if not addresses:
            raise MediaError(f"media download failed: {host} has no address")
        return list(dict.fromkeys(addresses))


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _literal(host: str) -> IPAddress | None:
    """`host` as an address if it is one in any notation a resolver accepts (dotted, one
    decimal, octal or hex number, shortened `127.1`), without asking any resolver."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    if not bare or not (bare[0].isdigit()):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def refusal(address: IPAddress, allowed: Sequence[Network] = ()) -> str | None:
    """Why a download may not connect to `address` (e.g. "link-local"), or None."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    inner = _embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner, allowed)
        return f"{reason} (IPv4 {inner} inside IPv6)" if reason else None
    for reason, test in _REASONS:
        if test(address):
            return reason
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


_REASONS: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("loopback", lambda a: a.is_loopback),
    ("unspecified", lambda a: a.is_unspecified),
    ("link-local (the cloud metadata server lives there)", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("private", lambda a: a.is_private),
    ("non-public", lambda a: not a.is_global),
)
