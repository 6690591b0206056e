"""The unquoted-value slip (two entries on one line) and secrets written into a client's
options. What the options themselves may hold is checked in request_fields.py."""

from __future__ import annotations

from collections.abc import Iterable

from ..ir import MapValue, StringValue, Value
from .context import Context


def check_spaces(ctx: Context, entries: Iterable[tuple[str, Value | None]]) -> None:
    """Warn where an unquoted value holds spaces: usually two entries written on one line."""
    for key, value in entries:
        if isinstance(value, MapValue):
            check_spaces(ctx, ((e.key, e.value) for e in value.entries))
        elif isinstance(value, StringValue) and value.kind == "unquoted" and (
                " " in value.value or "\t" in value.value):
            first = value.value.split()[0]
            ctx.diags.warning(
                "unquoted-value-with-spaces",
                f"the unquoted value of `{key}` contains spaces: `{value.value}`", value.span,
                help=f"BAML reads all of it as one value; to set `{key}` to `{first}`, put "
                     "each `key value` on its own line (or separate them with commas); quote "
                     "the value if the spaces are meant")


def literal_secrets(options: MapValue) -> list[tuple[str, Value]]:
    """Secrets written into the file itself (an API key, inline credentials): (setting, value).
    A file path for `credentials` is not a secret; `env.VAR` never is."""
    found: list[tuple[str, Value]] = []
    params = options.get("query_params")
    key = params.get("key") if isinstance(params, MapValue) else None
    if isinstance(key, StringValue) and key.value:
        found.append(("options.query_params.key", key))
    credentials = options.get("credentials")
    if isinstance(credentials, MapValue) or (
            isinstance(credentials, StringValue) and credentials.value.lstrip().startswith(
                ("{", '"'))):
        found.append(("options.credentials", credentials))  # type: ignore[arg-type]
    content = options.get("credentials_content")
    if isinstance(content, StringValue) and content.value.strip():
        found.append(("options.credentials_content", content))
    return found


def check_secrets(ctx: Context, client: str, options: MapValue) -> None:
    for setting, value in literal_secrets(options):
        ctx.diags.warning("literal-secret",
                          f"client `{client}` has a secret written into the file ({setting})",
                          value.span, help="read it from the environment instead, e.g. "
                          "`env.VERTEX_API_KEY`: files are committed, and `vdsl generate` "
                          "refuses to embed secrets in a generated package")
