"""A loopback Vertex AI that speaks every family's wire format (`vdsl emulator`).

Serves Gemini, Claude, the OpenAI-compatible MaaS endpoint (Llama, DeepSeek), Mistral (chat,
FIM, OCR) and AI21 Jamba on 127.0.0.1, with Google-like auth (token endpoint, metadata
server), Vertex's request checks and error bodies, fixtures, fault injection and a request
log. See docs/emulator.md.

Module map: routes (path grammar) → app (pipeline) → gemini / anthropic / openai_compat /
mistral / ai21 (checks + replies) using common, errors, fixtures, faults; auth (tokens,
metadata); cassettes (recorded replies for `vdsl test`); requestlog; server (socket, transport faults); inprocess (`Emulator`); cli.
"""

from .cassettes import CASSETTE_HEADER, Recorded
from .faults import Fault, FaultError, parse_fault
from .fixtures import Answer, Fixture, FixtureError, load_fixtures
from .inprocess import Emulator
from .requestlog import REDACTED, LoggedRequest

__all__ = ["CASSETTE_HEADER", "REDACTED", "Answer", "Emulator", "Fault", "FaultError", "Fixture", "FixtureError",
           "LoggedRequest", "Recorded", "load_fixtures", "parse_fault"]
