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

A BigQuery input row is the same line as a table row, plus a `vdsl_row` INTEGER column: the
job copies the input table's other columns into its output table, so every prediction row
carries its row number there (`TABLE_SCHEMAS` lists each family's columns).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import jsontext

__all__ = ["BATCH_FAMILIES", "ROW_COLUMN", "ROW_LABEL", "TABLE_SCHEMAS", "Prediction",
           "line_for", "prediction_of", "read_prediction", "table_row_for"]

ROW_LABEL = "vdsl_row"
ROW_COLUMN = "vdsl_row"
_CUSTOM_PREFIX = "row-"
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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


def _table_gemini(row: int, body: dict[str, Any]) -> dict[str, Any]:
    return {ROW_COLUMN: row, "request": body}


def _table_custom(row: int, body: dict[str, Any]) -> dict[str, Any]:
    return {ROW_COLUMN: row, "custom_id": f"{_CUSTOM_PREFIX}{row}", "request": body}


def _table_openai(row: int, body: dict[str, Any]) -> dict[str, Any]:
    return {ROW_COLUMN: row, **_openai_line(row, body)}


_TABLE_ROWS: dict[str, Callable[[int, dict[str, Any]], dict[str, Any]]] = {
    "gemini": _table_gemini, "anthropic": _table_custom, "openai_compat": _table_openai,
}
_ROW = {"name": ROW_COLUMN, "type": "INTEGER", "mode": "REQUIRED"}
_ID = {"name": "custom_id", "type": "STRING", "mode": "REQUIRED"}
TABLE_SCHEMAS: dict[str, list[dict[str, str]]] = {
    "gemini": [_ROW, {"name": "request", "type": "JSON", "mode": "REQUIRED"}],
    "anthropic": [_ROW, _ID, {"name": "request", "type": "JSON", "mode": "REQUIRED"}],
    "openai_compat": [_ROW, _ID, {"name": "method", "type": "STRING", "mode": "REQUIRED"},
                      {"name": "url", "type": "STRING", "mode": "REQUIRED"},
                      {"name": "body", "type": "JSON", "mode": "REQUIRED"}],
}
"""Each family's input table: the columns batch prediction reads, and the row number."""


def line_for(family: str, row: int, body: dict[str, Any]) -> bytes:
    """The JSONL line (with its newline) for one row."""
    return _ENCODE(BATCH_FAMILIES[family](row, body)).encode() + b"\n"


def table_row_for(family: str, row: int, body: dict[str, Any]) -> bytes:
    """The row of a BigQuery input table, as a newline-delimited JSON line for a load job."""
    return _ENCODE(_TABLE_ROWS[family](row, body)).encode() + b"\n"


def read_prediction(text: str | bytes) -> Prediction:
    """A prediction line from any family; a line that is not a JSON object gives an error."""
    try:
        data = jsontext.loads(text)
    except ValueError as error:
        return Prediction(None, None, f"the prediction line is not JSON: {error}")
    if not isinstance(data, dict):
        return Prediction(None, None, "the prediction line is not a JSON object")
    return prediction_of(data)


def prediction_of(data: dict[str, Any]) -> Prediction:
    """A prediction from its fields (a JSONL line, or an output table row whose `response`
    column was read as JSON)."""
    return Prediction(_row_of(data), _response_of(data), _error_of(data))


def _row_of(data: dict[str, Any]) -> int | None:
    column = data.get(ROW_COLUMN)
    if column is not None:
        return _number(str(column))
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
