"""Helpers for the auth tests: count token requests, prove a token works on Vertex."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from vdsl.emulator import Emulator

GEMINI = "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash"
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
METADATA_TOKEN = "/computeMetadata/v1/instance/service-accounts/default/token"


def token_requests(emu: Emulator) -> int:
    """How many tokens the OAuth endpoint was asked for."""
    return sum(1 for r in emu.requests if r.path == "/token")


def metadata_token_requests(emu: Emulator) -> int:
    return sum(1 for r in emu.requests
               if r.path == METADATA_TOKEN)


def vertex_status(emu: Emulator, headers: dict[str, str]) -> int:
    """Status Vertex (the emulator) gives a generateContent call with these headers."""
    response = httpx.post(f"{emu.url}{GEMINI}:generateContent", headers=headers, json=BODY)
    return response.status_code


def bearer(headers: dict[str, str]) -> str:
    return headers["authorization"].removeprefix("Bearer ")


def sa_info(emu: Emulator, directory: Path, email: str) -> dict[str, Any]:
    """A registered service-account document (as a dict) for `email`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = emu.service_account_file(directory, client_email=email)
    info: dict[str, Any] = json.loads(path.read_text())
    return info
