"""Each family's batch line: the online request body wrapped as batch prediction wants it,
and a prediction line read back as (row, response, error).

    gemini         {"request": {…generateContent body…, "labels": {"vdsl_row": "7"}}}
                   ← {"status": "", "processed_time": …, "request": {…}, "response": {…}}
    anthropic      {"custom_id": "row-7", "request": {…Messages body…}}
                   ← {"custom_id": "row-7", "response": {…message…}, "status": ""}
    openai_compat  {"custom_id": "row-7", "method": "POST", "url": "/v1/chat/completions",
                    "body": {…chat body…}}
                   ← {"custom_id": "row-7", "response": {…chat completion…}}

Vertex does not keep the input order in its output, so every line carries its row number:
Gemini lines have no id field, so the row goes in the request's `labels` (echoed back with the
request); the other families have `custom_id`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["BATCH_FAMILIES", "ROW_LABEL", "Prediction", "line_for", "read_prediction"]

ROW_LABEL = "vdsl_row"
_CUSTOM_PREFIX = "row-"


@dataclass(slots=True)
class Prediction:
    """One prediction line: the row it answers (None when it names none), the family's
    response object, and the error Vertex reported for the row (None when it succeeded)."""

    row: int | None
    response: Any
    error: str | None


def _gemini_line(row: int, body: dict[str, Any]) -> dict[str, Any]:
    labels = dict(body.get("labels") or {})
    labels[ROW_LABEL] = str(row)
    return {"request": {**body, "labels": labels}}


def _custom_line(row: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": f"{_CUSTOM_PREFIX}{row}", "request": body}


def _openai_line(row: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": f"{_CUSTOM_PREFIX}{row}", "method": "POST",
            "url": "/v1/chat/completions", "body": body}


BATCH_FAMILIES: dict[str, Callable[[int, dict[str, Any]], dict[str, Any]]] = {
    "gemini": _gemini_line, "anthropic": _custom_line, "openai_compat": _openai_line,
}
"""Families Vertex batch prediction serves, and how each wraps a request body."""


def line_for(family: str, row: int, body: dict[str, Any]) -> bytes:
    """The JSONL line (with its newline) for one row."""
    line = BATCH_FAMILIES[family](row, body)
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def read_prediction(text: str | bytes) -> Prediction:
    """A prediction line from any family; a line that is not a JSON object gives an error."""
    try:
        data = json.loads(text)
    except ValueError as error:
        return Prediction(None, None, f"the prediction line is not JSON: {error}")
    if not isinstance(data, dict):
        return Prediction(None, None, "the prediction line is not a JSON object")
    return Prediction(_row_of(data), _response_of(data), _error_of(data))


def _row_of(data: dict[str, Any]) -> int | None:
    custom = data.get("custom_id")
    if isinstance(custom, str) and custom.startswith(_CUSTOM_PREFIX):
        return _number(custom[len(_CUSTOM_PREFIX):])
    request = data.get("request")
    labels = request.get("labels") if isinstance(request, dict) else None
    if isinstance(labels, dict):
        return _number(labels.get(ROW_LABEL))
    return None


def _number(text: Any) -> int | None:
    if isinstance(text, str) and text.isdigit() and len(text) < 19:
        return int(text)
    return None


def _response_of(data: dict[str, Any]) -> Any:
    response = data.get("response")
    if isinstance(response, dict) and "body" in response and "choices" not in response:
        return response["body"]  # OpenAI's batch envelope: {status_code, body}
    return response


def _error_of(data: dict[str, Any]) -> str | None:
    status = data.get("status")
    error = data.get("error")
    if isinstance(status, str) and status.strip():
        return status.strip()
    if isinstance(status, dict) and status:
        return str(status.get("message") or json.dumps(status))
    if isinstance(error, dict) and error:
        return str(error.get("message") or json.dumps(error))
    if isinstance(error, str) and error.strip():
        return error.strip()
    if data.get("response") in (None, {}):
        return "the prediction line has no response"
    return None
