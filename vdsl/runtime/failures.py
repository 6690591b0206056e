"""Every way a call can fail, mapped in one place to vdsl's error tree, each with a hint a
user can act on (status, Vertex status, message, model, location, URL without secrets)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from .. import jsontext
from ..errors import TimeoutError, TransportError, VertexError
from ..providers.base import Adapter
from ..providers.catalog import lookup, suggest


@dataclass
class CallSite:
    """What an error message needs to say where the call went."""

    client: str
    model: str
    location: str
    url: str
    auth: str = ""

    def where(self) -> dict[str, str]:
        return {"client": self.client, "model": self.model, "url": self.url,
                "location": self.location}


def http_error(status: int, body: bytes, content_type: str, adapter: Adapter,
               site: CallSite) -> VertexError:
    text = body.decode("utf-8", "replace")
    vertex_status, message = None, ""
    try:
        data: Any = jsontext.loads(text)
    except ValueError:
        data = None
    found = adapter.error_message(data) if data is not None else None
    if found:
        vertex_status, message = found
    elif "html" in content_type or text.lstrip().lower().startswith(("<!doctype", "<html")):
        message = _html_title(text) or "an HTML error page"
        return VertexError(status, None, message, hint=_html_hint(status, site), **site.where())
    else:
        message = text.strip()[:500] or "(empty body)"
    constraint = ORG_CONSTRAINT.search(text)
    hint = _org_policy_hint(constraint.group(0), site) if constraint and status in (400, 403) \
        else _hint(status, vertex_status, message, site)
    return VertexError(status, vertex_status, message, hint=hint, **site.where())


ORG_CONSTRAINT = re.compile(r"constraints/[A-Za-z][\w.]*[\w]")
"""An organization-policy constraint named in an error body (message or details)."""


def _org_policy_hint(constraint: str, site: CallSite) -> str:
    """An org policy, not IAM, refused the request: say which one and what to change."""
    if constraint == "constraints/gcp.restrictEndpointUsage":
        what = (f"it restricts which API endpoints may be used; `{site.location}` is not "
                "allowed: pick a regional `location` (e.g. europe-west4) instead of `global`")
    elif constraint == "constraints/gcp.resourceLocations":
        what = (f"it restricts where resources may live; `{site.location}` is not an allowed "
                "location: pick one the policy allows")
    else:
        what = "ask your organization's admin which values it allows"
    return (f"the organization policy {constraint} refused this request (not a missing IAM "
            f"permission): {what}; record it in [tool.vdsl.policy] so `vdsl check` finds it "
            "before Vertex does")


def _html_title(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text, re.DOTALL | re.IGNORECASE)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def _html_hint(status: int, site: CallSite) -> str:
    if status == 404:
        return (f"an HTML 404 means the host or path is wrong, not the model: check "
                f"options.location (`{site.location}`) or options.base_url")
    return "the server answered with a web page instead of Vertex's JSON"


TRANSIENT_HINT = "a transient Vertex problem: a retry_policy retries it"


def _hint(status: int, vertex_status: str | None, message: str, site: CallSite) -> str:
    if status == 404 and ("/cachedContents" in site.url or "cached content" in message.lower()
                          or "cachedcontent" in message.lower()):
        return ("the context cache does not exist in this project and location, or it has "
                "expired: make a new one (`vdsl cache create`), or set a longer ttl")
    if status == 404:
        return _not_found_hint(site)
    if status == 403:
        return ("the caller needs the `aiplatform.endpoints.predict` permission (role Vertex AI "
                "User, roles/aiplatform.user) on the project; a partner model must also be "
                "enabled in Model Garden")
    if status == 400 and vertex_status == "FAILED_PRECONDITION":
        return ("the model is not enabled for this project (enable it in Model Garden) or the "
                "project has no billing account")
    if status == 429:
        quota = re.search(r"[Qq]uota exceeded for (?:metric: )?([\w./:-]+)", message)
        name = f" (quota {quota.group(1)})" if quota else ""
        return (f"rate limit or quota exhausted{name}: retry later (add a retry_policy) or ask "
                "for a higher quota")
    if status == 401:
        return (f"authentication failed using {site.auth or 'the configured credentials'}; "
                "check that they are valid and not expired")
    if status >= 500:
        return TRANSIENT_HINT
    return ""


def _not_found_hint(site: CallSite) -> str:
    info = lookup(site.model)
    if info is None:
        close = suggest(site.model)
        return (f"Vertex does not know model `{site.model}`"
                + (f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""))
    if info.retired:
        return f"`{site.model}` is retired on Vertex; pick a current model"
    if site.location != "global" and info.global_endpoint and site.location not in info.regions:
        return (f"`{site.model}` is not served in `{site.location}`; try `location global` or "
                f"one of: {', '.join(info.regions[:6])}")
    return (f"check the model id `{site.model}` and location `{site.location}`, and that the "
            "project has access to the model")


def transport_error(error: httpx.HTTPError, site: CallSite, timeout_name: str) -> TransportError:
    if isinstance(error, httpx.TimeoutException):
        kind = "connect_timeout_ms" if isinstance(error, httpx.ConnectTimeout) else timeout_name
        return TimeoutError(f"client `{site.client}`: {kind} passed while calling {site.model} "
                            f"at {site.url}", timeout=kind, **site.where())
    reason = str(error) or type(error).__name__
    return TransportError(f"client `{site.client}`: the request to {site.url} failed: {reason}",
                          **site.where())
