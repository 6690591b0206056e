"""`HttpRequest`: a request ready to send, which shows itself with its secrets hidden.

What is secret: the `authorization`, `x-goog-api-key`, `api-key` and `x-api-key` headers;
every header or query parameter whose value came from an `env.VAR`; and secret values wherever
they appear (an API key, a bearer token, inline credentials). `url`, `headers`, `repr()`,
`str()`, `redacted()`, `curl()` and pickling all hide them; only `sendable()` (what the
runtime puts on the wire) and `revealed()` (an explicit request to see them) do not.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from ..errors import InvalidArgumentError

__all__ = ["REDACTED", "SECRET_HEADERS", "HttpRequest"]

REDACTED = "<redacted>"
SECRET_HEADERS = ("authorization", "x-goog-api-key", "api-key", "x-api-key")
_CURL_HEADERS = {"authorization": "Bearer $(gcloud auth print-access-token)",
                 "x-goog-api-key": "$VERTEX_API_KEY", "api-key": "$VERTEX_API_KEY",
                 "x-api-key": "$VERTEX_API_KEY"}


class HttpRequest:
    """An HTTP request. `method` and `body` (JSON data) are public; the URL and headers are
    shown redacted (`url`, `headers`) and sent as they are (`sendable()`).

    `secrets` maps secret values to the name a cURL preview shows instead (`$NAME`);
    `hidden_headers` and `hidden_params` map header and query parameter names (an `env.VAR`
    went into them) to the same kind of name.
    """

    __slots__ = ("_headers", "_hidden_headers", "_hidden_params", "_secrets", "_url", "body",
                 "method")

    def __init__(self, method: str, url: str, headers: Mapping[str, str], body: dict[str, Any],
                 secrets: Mapping[str, str] | None = None, *,
                 hidden_headers: Mapping[str, str] | None = None,
                 hidden_params: Mapping[str, str] | None = None) -> None:
        self.method = method
        self.body = body
        self._url = url
        self._headers = dict(headers)
        self._secrets = {k: v for k, v in (secrets or {}).items() if k}
        self._hidden_headers = {k.lower(): v for k, v in (hidden_headers or {}).items()}
        self._hidden_params = dict(hidden_params or {})

    # ---- what is shown --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL with secrets as `<redacted>`."""
        return self._show_url(lambda _name: REDACTED)

    @property
    def headers(self) -> dict[str, str]:
        """The headers with secret values as `<redacted>` (a copy)."""
        return self._show_headers(lambda _name: REDACTED)

    def content(self) -> bytes:
        text = json.dumps(self.body, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode()
        except UnicodeEncodeError:  # argument values were checked; a map key was not
            raise InvalidArgumentError("the request holds text with a lone surrogate, which "
                                       "cannot be sent as UTF-8") from None

    def scrub(self, text: str) -> str:
        """`text` with every secret value of this request as `<redacted>` (for logs of what
        was sent and received)."""
        return self._scrub(text, lambda _name: REDACTED)

    def redacted(self) -> dict[str, Any]:
        """`{method, url, headers, body}` with every secret replaced by `<redacted>`."""
        return {"method": self.method, "url": self.url, "headers": self.headers,
                "body": self.body}

    def revealed(self) -> dict[str, Any]:
        """`{method, url, headers, body}` with the real values: only on explicit request."""
        return {"method": self.method, "url": self._url, "headers": dict(self._headers),
                "body": self.body}

    def curl(self, *, reveal: bool = False) -> str:
        """A copy-pasteable cURL command. Secrets and a missing project appear as shell
        variables (`$NAME`, `$(gcloud auth print-access-token)`), which the shell expands;
        nothing else does. With `reveal`, the real values, every character literal."""
        if reveal:
            url, headers, word = self._url, dict(self._headers), _quote
        else:
            url, headers, word = self._show_url(lambda name: f"${name}"), self._curl_headers(), \
                _shell
        parts = [f"curl -X {self.method} {word(url)}"]
        parts += [f"-H {word(f'{key}: {value}')}" for key, value in headers.items()]
        parts.append("-d " + _quote(json.dumps(self.body, ensure_ascii=False)))
        return " \\\n  ".join(parts)

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.url}, headers={self.headers!r})"

    __str__ = __repr__

    # ---- what is sent ---------------------------------------------------------------------

    def sendable(self) -> tuple[str, dict[str, str]]:
        """The real URL and headers, for the transport."""
        return self._url, dict(self._headers)

    def add_secret(self, value: str, name: str) -> None:
        """Hide `value` (e.g. a bearer token just obtained) wherever it would be shown."""
        if value:
            self._secrets[value] = name

    def __copy__(self) -> HttpRequest:
        return self._clone(self._url, self._headers)

    def __deepcopy__(self, memo: dict[int, Any]) -> HttpRequest:
        clone = self._clone(self._url, self._headers)
        clone.body = copy.deepcopy(self.body, memo)
        return clone

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (or sent to another process), a request is its redacted form."""
        return (HttpRequest, (self.method, self.url, self.headers, self.body))

    # ---- helpers --------------------------------------------------------------------------

    def _clone(self, url: str, headers: Mapping[str, str]) -> HttpRequest:
        return HttpRequest(self.method, url, headers, self.body, self._secrets,
                           hidden_headers=self._hidden_headers,
                           hidden_params=self._hidden_params)

    def _show_url(self, replacement: Callable[[str], str]) -> str:
        base, sep, query = self._url.partition("?")
        if self._hidden_params and query:
            query = "&".join(self._hide_param(pair, replacement) for pair in query.split("&"))
        return self._scrub(base + sep + query, replacement)

    def _hide_param(self, pair: str, replacement: Callable[[str], str]) -> str:
        key, eq, _value = pair.partition("=")
        name = self._hidden_params.get(unquote_plus(key))
        return f"{key}={replacement(name)}" if eq and name else pair

    def _show_headers(self, replacement: Callable[[str], str]) -> dict[str, str]:
        return {key: self._header_value(key, value, replacement)
                for key, value in self._headers.items()}

    def _header_value(self, key: str, value: str, replacement: Callable[[str], str]) -> str:
        name = self._hidden_headers.get(key.lower())
        if name is not None:
            return replacement(name)
        if key.lower() in SECRET_HEADERS:
            return REDACTED
        return self._scrub(value, replacement)

    def _curl_headers(self) -> dict[str, str]:
        out = {}
        for key, value in self._headers.items():
            preset = _CURL_HEADERS.get(key.lower())
            out[key] = preset if preset and key.lower() not in self._hidden_headers else \
                self._header_value(key, value, lambda name: f"${name}")
        return out

    def _scrub(self, text: str, replacement: Callable[[str], str]) -> str:
        for secret, name in self._secrets.items():
            # a query value travels form-encoded
            encoded = quote_plus(secret, safe="*").replace("~", "%7E")
            text = text.replace(secret, replacement(name)).replace(encoded, replacement(name))
        return text


_SHELL_VARIABLE = re.compile(r"\$[A-Z_][A-Z0-9_]*|\$\(gcloud auth [a-z -]+\)")


def _quote(text: str) -> str:
    """One shell word, taken literally."""
    return "'" + text.replace("'", "'\\''") + "'"


def _shell(text: str) -> str:
    """One shell word in which `$NAME` and `$(gcloud auth …)` are expanded and every other
    character is literal: single-quoted runs joined with double-quoted variables."""
    out: list[str] = []
    position = 0
    for match in _SHELL_VARIABLE.finditer(text):
        if match.start() > position:
            out.append(_quote(text[position:match.start()]))
        out.append(f'"{match.group(0)}"')
        position = match.end()
    if position < len(text) or not out:
        out.append(_quote(text[position:]))
    return "".join(out)
