"""One case, run for real and judged: render → request → retries → parse → constraints.

The verdict follows baml-cli 0.226.3 where it is sound: a failed `@@assert` or `@@check` fails
the test; a failed field-level `@check` is reported and the test still passes; a failed
field-level `@assert` fails it. Where the test could not reach a verdict it errors instead of
failing (baml-cli fails some of these): a reply that does not parse into the return type, a
provider error after every retry and fallback, arguments that do not fit, an `@@check`/
`@@assert` that cannot be evaluated, a stale cassette.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import (
    FinishReasonError,
    InvalidArgumentError,
    MediaError,
    OutputParseError,
    RenderError,
    ValidationError,
    VdslError,
    VertexError,
)
from ..outputs.models import to_plain
from .cassettes import CassetteError
from .constraints import evaluate_test, failed_field_checks
from .plan import TestCase
from .results import CaseResult, FieldCheck, Status
from .session import Session, Stale

if TYPE_CHECKING:
    from ..runtime import Result

__all__ = ["run_case"]

RAW_SHOWN = 600


def run_case(session: Session, case: TestCase) -> CaseResult:
    """Run one case and say how it ended; never raises for a problem of the case itself."""
    if case.skip is not None:
        return CaseResult(case, Status.SKIPPED, "skip", case.skip)
    started = time.monotonic()
    runtime = session.runtime_for(case)
    headers: dict[str, str] | None = None
    try:
        cassette = session.replay(case, runtime)
    except Stale as stale:
        path = session.cassette_path(case)
        return _errored(case, "stale", f"cassette {path} is stale: {stale}", "", started,
                        cassette=path)
    except (CassetteError, InvalidArgumentError, MediaError) as exc:
        return _errored(case, "cassette" if isinstance(exc, CassetteError) else "arguments",
                        str(exc), "", started)
    if cassette is not None:
        from ..emulator import CASSETTE_HEADER
        headers = {CASSETTE_HEADER: case.file_id}
    result: Result | None = None
    error: VdslError | None = None
    try:
        result = runtime.complete(case.function, case.args, headers=headers)
    except VdslError as exc:
        error = exc
    recorded, why_not = (session.record(case, runtime, result, error)
                         if session.mode == "record" else (None, ""))
    outcome = _judge(case, result, started) if result is not None else \
        _from_error(case, error, started)  # type: ignore[arg-type]
    outcome.cassette = recorded or cassette
    if why_not:
        outcome.notes += (why_not,)
    return outcome


def _judge(case: TestCase, result: Result, started: float) -> CaseResult:
    latency = result.attempts[-1].latency_ms if result.attempts else 0.0
    verdict = evaluate_test(case.test, result.value, case.args, latency)
    outcome = _measured(CaseResult(case, Status.PASSED), result, started)
    outcome.latency_ms = latency
    outcome.checks = verdict.checks
    outcome.field_checks = tuple(FieldCheck(*found) for found in failed_field_checks(
        result.value))
    broken, failed = verdict.broken, verdict.failed
    if broken is not None:
        outcome.status, outcome.kind, outcome.span = Status.ERRORED, "constraint", broken.span
        outcome.message = f"{broken.label} could not be evaluated: {broken.error}"
    elif failed is not None:
        outcome.status, outcome.kind, outcome.span = Status.FAILED, failed.level, failed.span
        shown = f": {{{{ {failed.expression} }}}}" if failed.name else ""  # unnamed: in label
        outcome.message = f"{failed.label} failed{shown}"
        outcome.detail = "value: " + _json(outcome.value)
    return outcome


def _measured(outcome: CaseResult, result: Result, started: float) -> CaseResult:
    outcome.seconds = time.monotonic() - started
    outcome.requests = len(result.attempts)
    usage = result.usage
    outcome.input_tokens = (usage.input_tokens or 0) if usage else 0
    outcome.output_tokens = (usage.output_tokens or 0) if usage else 0
    outcome.cost = result.cost
    outcome.value = to_plain(result.value, bare=True)
    return outcome


def _from_error(case: TestCase, error: VdslError, started: float) -> CaseResult:
    attempts = getattr(error, "attempts", [])
    if isinstance(error, ValidationError):
        outcome = CaseResult(case, Status.FAILED, "field-assert", _first_line(error))
    elif isinstance(error, (InvalidArgumentError, MediaError)):
        outcome = CaseResult(case, Status.ERRORED, "arguments", _first_line(error),
                             span=_args_span(case))
    elif isinstance(error, (OutputParseError, FinishReasonError)):
        kind = "parse" if isinstance(error, OutputParseError) else "finish-reason"
        outcome = CaseResult(case, Status.ERRORED, kind, _first_line(error),
                             "reply: " + _clip(error.raw_text))
    elif isinstance(error, VertexError) and error.status == 409 and _is_stale(error):
        outcome = CaseResult(case, Status.ERRORED, "stale", error.message)
    else:
        kind = "render" if isinstance(error, RenderError) else "provider"
        first, _, rest = str(error).partition("\n")
        outcome = CaseResult(case, Status.ERRORED, kind, first, rest.strip())
    outcome.seconds = time.monotonic() - started
    outcome.requests = len(attempts)
    return outcome


def _errored(case: TestCase, kind: str, message: str, detail: str, started: float,
             **extra: Any) -> CaseResult:
    return CaseResult(case, Status.ERRORED, kind, message, detail,
                      seconds=time.monotonic() - started, **extra)


def _is_stale(error: VertexError) -> bool:
    from ..emulator.cassettes import STALE_MARK
    return error.message.startswith(STALE_MARK)


def _args_span(case: TestCase):  # type: ignore[no-untyped-def]
    entry = case.test.entry("args")
    return entry.span if entry is not None else None


def _first_line(error: Exception) -> str:
    return str(error).split("\n", 1)[0]


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= RAW_SHOWN else text[:RAW_SHOWN] + f"… ({len(text)} characters)"


def _json(value: Any) -> str:
    import json
    return _clip(json.dumps(value, ensure_ascii=False, default=str))
