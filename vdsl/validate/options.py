"""Checks on what a `vertex-ai` client passes through to the request body (BAML copies it
verbatim and Vertex rejects it later), and the unquoted-value slip."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ..ir import ArrayValue, EnvRef, MapValue, StringValue, Value
from .context import Context

GENERATION_CONFIG = (
    "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences",
    "presencePenalty", "frequencyPenalty", "responseMimeType", "responseSchema",
    "responseJsonSchema", "seed", "responseLogprobs", "logprobs", "thinkingConfig",
    "responseModalities", "mediaResolution", "speechConfig", "audioTimestamp", "routingConfig",
    "enableAffectiveDialog", "imageConfig", "modelConfig")
SAFETY_CATEGORIES = (
    "HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_CIVIC_INTEGRITY", "HARM_CATEGORY_IMAGE_HATE",
    "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT", "HARM_CATEGORY_IMAGE_HARASSMENT",
    "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT", "HARM_CATEGORY_JAILBREAK")
SAFETY_THRESHOLDS = (
    "HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE",
    "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF")
SAFETY_FIELDS = ("category", "threshold", "method")
_SNAKE = re.compile(r"_([a-z])")


def _camel(key: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def check_passthrough(ctx: Context, options: MapValue) -> None:
    config = options.entry("generationConfig") or options.entry("generation_config")
    if config is not None:
        _check_generation_config(ctx, config.value)
    safety = options.entry("safetySettings") or options.entry("safety_settings")
    if safety is not None:
        _check_safety(ctx, safety.value)


def _check_generation_config(ctx: Context, value: Value) -> None:
    if isinstance(value, EnvRef):
        return
    if not isinstance(value, MapValue):
        ctx.diags.error("invalid-option", "`generationConfig` must be a map", value.span,
                        help="e.g. `generationConfig { temperature 0.2 maxOutputTokens 1024 }`")
        return
    for entry in value.entries:
        if _camel(entry.key) not in GENERATION_CONFIG:
            close = difflib.get_close_matches(_camel(entry.key), GENERATION_CONFIG, n=1)
            ctx.diags.warning("unknown-generation-config",
                              f"`{entry.key}` is not a Vertex generationConfig field",
                              entry.key_span, help=f"did you mean `{close[0]}`?" if close else
                              "Vertex will reject the request")


def _check_safety(ctx: Context, value: Value) -> None:
    if isinstance(value, EnvRef):
        return
    if isinstance(value, MapValue):
        ctx.diags.error("invalid-option",
                        "`safetySettings` must be a list of { category, threshold } maps",
                        value.span, help="wrap it in brackets: `safetySettings [ { category … "
                        "threshold … } ]` (Vertex rejects a single map)")
        return
    if not isinstance(value, ArrayValue):
        ctx.diags.error("invalid-option", "`safetySettings` must be a list", value.span)
        return
    for item in value.items:
        if not isinstance(item, MapValue):
            ctx.diags.error("invalid-option", "each safety setting is a map "
                            "{ category …, threshold … }", item.span)
            continue
        _check_safety_item(ctx, item)


def _check_safety_item(ctx: Context, item: MapValue) -> None:
    for entry in item.entries:
        if entry.key not in SAFETY_FIELDS:
            ctx.diags.error("invalid-option", f"`{entry.key}` is not a safety setting field",
                            entry.key_span, help="fields: category, threshold, method")
    for key, allowed in (("category", SAFETY_CATEGORIES), ("threshold", SAFETY_THRESHOLDS)):
        value = item.get(key)
        if value is None:
            ctx.diags.error("invalid-option", f"safety setting without `{key}`", item.span)
        elif isinstance(value, StringValue) and value.value not in allowed:
            close = difflib.get_close_matches(value.value, allowed, n=1)
            ctx.diags.error("invalid-option", f"unknown safety {key} `{value.value}`",
                            value.span, help=f"did you mean `{close[0]}`?" if close
                            else "known values: " + ", ".join(allowed))


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
