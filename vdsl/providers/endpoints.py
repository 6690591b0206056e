"""Vertex AI URLs: which host for a location, which path for a family, where `base_url`,
express mode, `query_params` and `VDSL_VERTEX_ENDPOINT` come in (docs/wire.md,
"Common to all families"). The API key (`key`) is the one query parameter that never goes
into the URL: the runtime sends it as a header."""

from __future__ import annotations

from urllib.parse import quote_plus, urlsplit, urlunsplit

from ..errors import ConfigError
from .options import ClientOptions

API_VERSION = "v1"
GLOBAL_HOST = "aiplatform.googleapis.com"
MULTI_REGIONS = ("us", "eu")
ENDPOINT_ENV = "VDSL_VERTEX_ENDPOINT"


def host_for(location: str) -> str:
    if location == "global":
        return GLOBAL_HOST
    if location in MULTI_REGIONS:
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


def build_url(options: ClientOptions, *, resource: str, rpc: str, project: str | None,
              express: bool = False, override: str | None = None) -> str:
    """The full URL.

    `resource` is the family's path below the location (`publishers/google/models/m`,
    `endpoints/openapi`); `rpc` what follows it (`:generateContent`, `/chat/completions`).
    """
    model = options.model
    if options.base_url:
        tail = model if "/models/" in resource else ""
        url = options.base_url.rstrip("/") + (f"/{tail}" if tail else "") + rpc
    elif model.startswith("projects/"):
        url = f"https://{GLOBAL_HOST if express else host_for(_location(options))}" \
              f"/{API_VERSION}/{model}{rpc}"
    elif express:
        url = f"https://{GLOBAL_HOST}/{API_VERSION}/{resource}{rpc}"
    else:
        location = _location(options)
        if not project:
            raise ConfigError(
                f"client `{options.client}`: no Google Cloud project: set options.project_id "
                "or GOOGLE_CLOUD_PROJECT, or use credentials that carry a project")
        url = (f"https://{host_for(location)}/{API_VERSION}/projects/{project}/locations/"
               f"{location}/{resource}{rpc}")
    # the API key travels in the `x-goog-api-key` header, never in the URL (URLs get logged)
    url = append_query(url, {k: v for k, v in options.query_params.items() if k != "key"})
    return redirect(url, override) if override else url


def _location(options: ClientOptions) -> str:
    if not options.location:
        raise ConfigError(f"client `{options.client}`: options.location is required "
                          "(e.g. `location us-central1` or `location global`)")
    return options.location


def append_query(url: str, params: dict[str, str]) -> str:
    """`query_params` appended form-encoded, as BAML does (`a b` → `a+b`, `~` → `%7E`)."""
    if not params:
        return url
    query = "&".join(f"{form_quote(k)}={form_quote(v)}" for k, v in params.items())
    return url + ("&" if "?" in url else "?") + query


def form_quote(text: str) -> str:
    """application/x-www-form-urlencoded: only letters, digits and `*-._` stay as they are."""
    return quote_plus(text, safe="*").replace("~", "%7E")


def redirect(url: str, override: str) -> str:
    """Send `url` to another scheme and host (the emulator), keeping its path and query."""
    target = urlsplit(override if "://" in override else f"http://{override}")
    parts = urlsplit(url)
    base_path = target.path.rstrip("/")
    return urlunsplit((target.scheme, target.netloc, base_path + parts.path, parts.query, ""))


def is_loopback(url: str) -> bool:
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")
