"""The exceptions vdsl raises. Every one is a `VdslError`, so callers can catch one type.

    VdslError
    ├── CompileError            the project has errors; `.diagnostics` lists them all
    ├── InvalidArgumentError    a function was called with missing, extra or mistyped arguments
    ├── RenderError             a prompt template failed while rendering (names the file line)
    ├── MediaError              a media argument could not be read (missing file, bad base64)
    ├── OutputParseError        a model reply could not be read as the declared return type;
    │                           `.raw_text`, `.target` (the type as written) and `.reason`
    ├── ValidationError         a parsed value failed an `@assert`/`@@assert`; `.assertion`
    ├── AuthError               no usable Google credentials: `.tried` lists each source
    │                           consulted, in order; `.setting` names the one to fix
    ├── ConfigError             a client cannot be used as configured at call time
    │   ├── MissingEnvError     an `env.VAR` the client needs is not set; names VAR and client
    │   ├── PolicyError         the project's endpoint policy forbids the location/publisher
    │   ├── BudgetError         the prompt has more input tokens than `max_input_tokens`
    │   └── ClientRegistryError a `ClientRegistry` client fails the checks `vdsl check` runs;
    │                           `.diagnostics` (each names the registry entry)
    ├── TypeBuilderError        a `TypeBuilder` cannot apply: a duplicate name, a class that is
    │                           not `@@dynamic`, an unknown type, a cycle; `.diagnostics`
    ├── AbortError              an `AbortController` stopped the call or stream
    ├── FinishReasonError       the model stopped for a reason the client does not allow;
    │                           `.finish_reason`, `.raw_text` (not retried, as in BAML)
    ├── BatchError              a batch job cannot be planned, submitted or collected (a model
    │                           without batch support, bad rows, a job that failed)
    └── ProviderError           a call to Vertex failed; `.client`, `.model`, `.url` (no secrets)
        ├── VertexError         Vertex answered with an error status: `.status`,
        │   │                   `.vertex_status` (e.g. RESOURCE_EXHAUSTED), `.message`, `.hint`
        │   └── BlockedError    the prompt or the reply was blocked (`.reason`), or no candidate
        ├── TransportError      the request did not complete (connection refused, reset)
        │   └── TimeoutError    a connect, request, time-to-first-token or idle timeout passed
        └── StreamError         a stream broke off or sent something unreadable; `.partial_text`

Stages collect diagnostics instead of raising; only the outer API raises these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class VdslError(Exception):
    """Base class of every error vdsl raises for a user mistake or a provider failure."""


class ArgumentWarning(UserWarning):
    """An argument held something the function ignores (a field its class does not declare);
    BAML drops it silently, vdsl drops it and warns."""


class CompileError(VdslError):
    """The project does not compile; `diagnostics` holds every error and warning found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        if first is None:
            summary = "compilation failed"
        else:
            where = f"{first.span}: " if first.span else ""
            summary = f"{where}{first.message}"
        more = len(errors) - 1
        super().__init__(summary + (f" (and {more} more error{'s' * (more > 1)})" if more > 0
                                    else ""))


class InvalidArgumentError(VdslError):
    """Arguments do not match a function's parameters."""


class RenderError(VdslError):
    """A prompt template raised while rendering."""


class MediaError(VdslError):
    """A media value (image, audio, pdf, video) could not be read or encoded."""


class OutputParseError(VdslError):
    """A model's reply could not be parsed as the function's return type.

    `raw_text` is the reply as received, `target` the type as written in the `.vdsl` file and
    `reason` says which field failed and what was found there. `span` is where in `raw_text`
    the parser gave up (start, end), when known; `excerpt` shows that place in the reply
    (trimmed, marked with `^`), and is part of the message.
    """

    def __init__(self, raw_text: str, target: str, reason: str,
                 span: tuple[int, int] | None = None, excerpt: str = "") -> None:
        self.raw_text = raw_text
        self.target = target
        self.reason = reason
        self.span = span
        self.excerpt = excerpt
        self.summary = f"could not parse the output as `{target}`: {reason}"
        """The message without the excerpt (one line)."""
        super().__init__(self.summary + (f"\n{excerpt}" if excerpt else ""))


class ValidationError(VdslError):
    """A parsed value failed an `@assert` (or `@@assert`); `assertion` names it (None when the
    assertion has no name), `expression` holds its Jinja source and `raw_text` the reply it
    was parsed from (empty when unknown)."""

    def __init__(self, message: str, assertion: str | None = None,
                 expression: str = "", raw_text: str = "") -> None:
        self.assertion = assertion
        self.expression = expression
        self.raw_text = raw_text
        super().__init__(message)


class ConfigError(VdslError):
    """A client's options cannot be used at call time (a value of the wrong kind, no project)."""


class MissingEnvError(ConfigError):
    """An `env.VAR` that a client needs is not set."""

    def __init__(self, variable: str, client: str, setting: str) -> None:
        self.variable = variable
        self.client = client
        super().__init__(
            f"client `{client}`: environment variable {variable} is not set (needed by "
            f"`{setting}`); export it, or pass env={{'{variable}': …}} to the runtime")


class PolicyError(ConfigError):
    """A request the project's endpoint policy forbids (`[tool.vdsl.policy]`); never sent."""


class BudgetError(ConfigError):
    """The prompt has more input tokens than the client's `max_input_tokens`; never sent.

    `tokens` is the count, `limit` the budget and `method` how it was counted (`endpoint`:
    Vertex's count-tokens API, `estimate`: vdsl's local estimate)."""

    def __init__(self, message: str, *, tokens: int, limit: int, method: str) -> None:
        self.tokens = tokens
        self.limit = limit
        self.method = method
        super().__init__(message)


class ClientRegistryError(ConfigError):
    """Clients added to a `ClientRegistry` fail the checks `vdsl check` runs on a client block.

    `diagnostics` lists every problem, located in the registry's listing of its clients (a
    pseudo-file named `<ClientRegistry>`); the message names the registry entry of each.
    """

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(message)


class TypeBuilderError(VdslError, ValueError):
    """A `TypeBuilder` that cannot be applied: a name that already exists, a property added to
    a class that is not `@@dynamic`, a type that does not exist, a dependency cycle.

    Raised before any request is sent. `diagnostics` holds the checks' findings (located in
    `<TypeBuilder>` or `<add_baml #N>` pseudo-files) when they came from them. A `ValueError`
    too, as BAML's TypeBuilder raises `ValueError` for the same mistakes.
    """

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(message)


class AbortError(VdslError):
    """The call or stream was stopped by its `AbortController` (BAML: `BamlAbortError`)."""


class FinishReasonError(VdslError):
    """The model finished for a reason the client's allow/deny list rejects."""

    def __init__(self, finish_reason: str | None, raw_text: str, client: str) -> None:
        self.finish_reason = finish_reason
        self.raw_text = raw_text
        self.client = client
        super().__init__(f"client `{client}`: the model stopped with finish reason "
                         f"{finish_reason!r}, which the client's finish_reason list rejects")


class BatchError(VdslError):
    """A batch job cannot be planned, submitted, followed or collected; the message says why."""


class ProviderError(VdslError):
    """A call to Vertex failed. `url` never carries an API key."""

    def __init__(self, message: str, *, client: str = "", model: str = "", url: str = "",
                 location: str = "") -> None:
        self.client = client
        self.model = model
        self.url = url
        self.location = location
        super().__init__(message)


class VertexError(ProviderError):
    """Vertex (or the partner model behind it) answered with an error status."""

    def __init__(self, status: int, vertex_status: str | None, message: str, *, hint: str = "",
                 client: str = "", model: str = "", url: str = "", location: str = "") -> None:
        self.status = status
        self.vertex_status = vertex_status
        self.message = message
        self.hint = hint
        label = f"{status} {vertex_status}" if vertex_status else str(status)
        where = (f" for client `{client}`" + (f" (model {model})" if model else "") if client
                 else f" ({model})" if model else "")
        text = f"Vertex AI returned {label}{where}: {message}"
        super().__init__(text + (f"\nhint: {hint}" if hint else ""), client=client, model=model,
                         url=url, location=location)


class BlockedError(VertexError):
    """No answer came back: the prompt was blocked, or the reply had no candidate."""

    def __init__(self, reason: str, message: str, **where: str) -> None:
        self.reason = reason
        super().__init__(200, None, message, **where)


class TransportError(ProviderError):
    """The HTTP exchange did not complete."""


class TimeoutError(TransportError):
    """A configured timeout passed; `.timeout` names which one (e.g. `request_timeout_ms`)."""

    def __init__(self, message: str, *, timeout: str, **where: str) -> None:
        self.timeout = timeout
        super().__init__(message, **where)


class StreamError(ProviderError):
    """A stream broke off before its final event, or sent a chunk that is not valid."""

    def __init__(self, message: str, *, partial_text: str = "", **where: str) -> None:
        self.partial_text = partial_text
        super().__init__(message, **where)


class AuthError(VdslError):
    """Google credentials could not be found, read or refreshed.

    `tried` lists every credential source consulted, in resolution order, each with what was
    found there (for example `"env GOOGLE_APPLICATION_CREDENTIALS: not set"`). `setting` names
    the option or variable to fix, when one is to blame. Messages never hold secrets.
    """

    def __init__(self, message: str, *, tried: Sequence[str] = (),
                 setting: str | None = None) -> None:
        super().__init__(message)
        self.tried = list(tried)
        self.setting = setting
