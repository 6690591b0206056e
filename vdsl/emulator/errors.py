"""Error bodies as Vertex sends them.

Two envelopes exist on Vertex (docs/wire.md, "Errors"): google.rpc.Status for everything the
platform rejects (auth, routing, quota, unknown models, Gemini validation), and Anthropic's
`{"type": "error", ...}` envelope for Claude bodies that got past Vertex. Messages reuse the
real texts where they are known, so client code that matches on them is exercised.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

from .reply import Reply, json_reply, text_reply

STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
    404: "NOT_FOUND", 409: "ABORTED", 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
"""HTTP status → google.rpc status name (google/rpc/code.proto)."""

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
         "cookie or other valid authentication credential. See "
         "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    499: "The operation was cancelled.",
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    503: "The service is currently unavailable.",
    504: "Deadline expired before operation could complete.",
}

MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
API_KEY_NOT_SUPPORTED = (
    "API keys are not supported by this API. Expected OAuth2 access token or other "
    "authentication credentials that assert a principal. See "
    "https://cloud.google.com/docs/authentication"
)
API_KEY_INVALID = "API key not valid. Please pass a valid API key."
INSUFFICIENT_SCOPES = "Request had insufficient authentication scopes."

ANTHROPIC_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
    403: "permission_error", 404: "not_found_error", 413: "request_too_large",
    429: "rate_limit_error", 500: "api_error", 504: "timeout_error", 529: "overloaded_error",
}

_counter = itertools.count(1)


def status_name(code: int) -> str:
    """The google.rpc status for an HTTP code (UNKNOWN for codes Google does not map)."""
    if code in STATUS_NAMES:
        return STATUS_NAMES[code]
    return "INTERNAL" if code >= 500 else "FAILED_PRECONDITION" if code >= 400 else "OK"


def google_payload(code: int, message: str | None = None, status: str | None = None,
                   details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": message or DEFAULT_MESSAGES.get(code, "Unknown error."),
        "status": status or status_name(code),
    }
    if details:
        error["details"] = details
    return {"error": error}


def google_error(code: int, message: str | None = None, *, status: str | None = None,
                 details: list[dict[str, Any]] | None = None, array: bool = False,
                 headers: dict[str, str] | None = None) -> Reply:
    """A google.rpc error reply; `array=True` gives the `[{"error": …}]` form Vertex also uses."""
    payload: Any = google_payload(code, message, status, details)
    return json_reply([payload] if array else payload, code, headers)


def error_info(reason: str, **metadata: str) -> dict[str, Any]:
    """A google.rpc.ErrorInfo detail."""
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
            "domain": "googleapis.com", "metadata": {"service": "aiplatform.googleapis.com",
                                                     **metadata}}


def field_violation(field: str, description: str) -> dict[str, Any]:
    """A google.rpc.BadRequest detail naming one bad field."""
    return {"@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": description}]}


def request_id() -> str:
    """A Claude-on-Vertex style request id (`req_vrtx_…`), unique per process."""
    digest = hashlib.sha256(str(next(_counter)).encode()).hexdigest()[:24]
    return f"req_vrtx_{digest}"


def anthropic_payload(code: int, message: str, kind: str | None = None,
                      req_id: str | None = None) -> dict[str, Any]:
    error_type = kind or ANTHROPIC_TYPES.get(code, "api_error")
    return {"type": "error", "error": {"type": error_type, "message": message},
            "request_id": req_id or request_id()}


def anthropic_error(code: int, message: str, kind: str | None = None) -> Reply:
    """Anthropic's envelope, with the `request-id` header Vertex adds to Claude replies."""
    rid = request_id()
    return json_reply(anthropic_payload(code, message, kind, rid), code, {"request-id": rid})


def model_not_found(name: str) -> Reply:
    """Vertex's 404 for an unknown, retired, or not-here model (`name`: the full model path)."""
    return google_error(404, (
        f"Publisher Model `{name}` was not found or your project does not have access to it. "
        "Please ensure you are using a valid model version. For more information, see: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"))


def quota_message(publisher: str, model: str) -> str:
    """The real 429 text; partner models are named `{publisher}-{model}` without `@version`."""
    base = model.split("@", 1)[0].split("/")[-1]
    if publisher == "google":
        metric = "generate_content_requests_per_minute_per_project_per_base_model"
    else:
        metric, base = "online_prediction_requests_per_base_model", f"{publisher}-{base}"
    return (f"Quota exceeded for aiplatform.googleapis.com/{metric} with base model: {base}. "
            "Please submit a quota increase request. "
            "https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.")


def invalid_json(detail: str) -> Reply:
    return google_error(400, f"Invalid JSON payload received. {detail}")


def html_not_found(path: str) -> Reply:
    """The HTML page Google's front end serves for a path no API owns (e.g. a wrong host)."""
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        "  <meta name=viewport content=\"initial-scale=1, minimum-scale=1, "
        "width=device-width\">\n  <title>Error 404 (Not Found)!!1</title>\n"
        "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
        "  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n"
        f"  <p>The requested URL <code>{_escape(path)}</code> was not found on this server.  "
        "<ins>That\u2019s all we know.</ins>\n"
    )
    return text_reply(page, 404, "text/html")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def oauth_error(error: str, description: str, code: int = 400) -> Reply:
    """Google's OAuth token-endpoint error body."""
    return json_reply({"error": error, "error_description": description}, code)


def default_message(code: int) -> str:
    return DEFAULT_MESSAGES.get(code, "Unknown error.")


def stream_error_chunk(kind: str, code: int, message: str) -> bytes:
    """An error inside an already-started stream, in that stream's form.

    kind: `anthropic` (named `error` event), `gemini-sse` (bare JSON lines, as python-genai
    expects), `json-array` (one more array element), `sse` (a data-only event).
    """
    if kind == "anthropic":
        data = json.dumps(anthropic_payload(code, message))
        return f"event: error\ndata: {data}\n\n".encode()
    payload = google_payload(code, message)
    if kind == "gemini-sse":
        return (json.dumps(payload, indent=2) + "\n").encode()
    if kind == "json-array":
        return (",\r\n" + json.dumps(payload)).encode()
    return f"data: {json.dumps(payload)}\n\n".encode()
