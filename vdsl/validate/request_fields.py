"""A `vertex-ai` client's options, walked against its family's table (option_tables.py).

* `unknown-option` (warning): a key neither vdsl nor the family's request body knows. BAML
  sends it as is and Vertex usually rejects the request; a quoted key (`"newField" 1`) is sent
  unchecked, for fields newer than the table.
* `misspelt-option` (error): a near miss of a known key (`max_token`, `temprature`,
  `topk`): the option would be sent under the wrong name and silently do nothing (or fail).
* `invalid-option` (error): a value of the wrong type, outside its range, or not one of the
  allowed words; a body field vdsl builds from the prompt (`contents`, `messages`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from ..ir import (
    ArrayValue,
    BoolValue,
    EnvRef,
    MapEntry,
    MapValue,
    NullValue,
    NumberValue,
    StringValue,
    Value,
)
from ..source import Span
from .context import Context
from .option_tables import (
    BUILT,
    CLIENT_OPTIONS,
    FAMILY_BODIES,
    FAMILY_ONLY,
    GENERATION_CONFIG,
    Spec,
)

__all__ = ["check_request_fields", "client_family"]

FAMILY_NAMES = {"gemini": "Gemini", "anthropic": "Claude", "openai_compat": "OpenAI-compatible",
                "mistral": "Mistral", "mistral_ocr": "Mistral OCR", "ai21": "AI21 Jamba"}
_SNAKE = re.compile(r"_([a-z0-9])")
_GEMINI_SPELLINGS = {"max_tokens": "maxOutputTokens", "stop": "stopSequences",
                     "thinking": "thinkingConfig"}
"""Other families' names for a generationConfig field."""


def client_family(options: MapValue) -> str:
    """The wire format the client's model (or its `publisher` option) selects."""
    from ..errors import ConfigError
    from ..providers import family_of

    model = options.get("model")
    publisher = options.get("publisher")
    name = model.value if isinstance(model, StringValue) else ""
    try:
        return family_of(name, publisher.value if isinstance(publisher, StringValue) else None)
    except ConfigError:  # an unknown publisher: reported by the model checks
        return family_of(name)


def check_request_fields(ctx: Context, options: MapValue) -> None:
    family = client_family(options)
    body = FAMILY_BODIES[family]
    walker = _Walker(ctx, FAMILY_NAMES[family])
    for entry in options.entries:
        key = entry.key
        if key in CLIENT_OPTIONS or _quoted(entry):
            continue  # vdsl's own options are checked in clients.py
        if key in FAMILY_ONLY:
            _family_only(ctx, entry, family)
        elif key in BUILT[family]:
            ctx.diags.error("invalid-option", f"`{key}` is built from the prompt; it cannot be "
                            "set in options", entry.key_span, help="remove it")
        else:
            known = _known(key, body, family == "gemini")
            if known is None:
                walker.unknown_top(entry, body, family)
            else:
                walker.value(entry.value, body[known], known)


def _quoted(entry: MapEntry) -> bool:
    """`"key" value`: the documented escape hatch, sent unchecked."""
    return entry.key_span.end - entry.key_span.start != len(entry.key)


def _camel(key: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def _known(key: str, fields: Mapping[str, Spec], camel: bool) -> str | None:
    if key in fields:
        return key
    if camel and _camel(key) in fields:
        return _camel(key)
    return None


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def near_miss(key: str, known: list[str]) -> str | None:
    """A known key `key` was almost certainly meant to be: the same letters in another case
    or with other separators, or a character or two off a name of six letters or more."""
    for candidate in known:
        if _fold(candidate) == _fold(key):
            return candidate
    if len(key) < 6:
        return None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.85)
    return close[0] if close else None


def _family_only(ctx: Context, entry: MapEntry, family: str) -> None:
    _spec, families = FAMILY_ONLY[entry.key]
    if family not in families:
        names = " and ".join(FAMILY_NAMES[f] for f in families)
        ctx.diags.warning("unknown-option", f"`{entry.key}` is read for {names} models only; "
                          f"this {FAMILY_NAMES[family]} client ignores it", entry.key_span,
                          help="remove it")


class _Walker:
    """Type, range and key checks of one client's option values, reported where they are."""

    def __init__(self, ctx: Context, family: str) -> None:
        self.ctx = ctx
        self.family = family

    def unknown_top(self, entry: MapEntry, body: Mapping[str, Spec], family: str) -> None:
        known = sorted(set(body) | set(CLIENT_OPTIONS) | {k for k, (_, fams) in
                                                           FAMILY_ONLY.items() if family in fams})
        hint = None
        if family == "gemini":
            spelling = near_miss(entry.key, list(_GEMINI_SPELLINGS)) or entry.key
            nested = _known(_GEMINI_SPELLINGS.get(spelling, entry.key),
                            GENERATION_CONFIG.fields or {}, True)
            if nested is not None:
                hint = (f"Gemini takes it inside generationConfig: `generationConfig "
                        f"{{ {nested} … }}`")
        elif entry.key in ("generationConfig", "generation_config", "safetySettings"):
            hint = f"`{entry.key}` is Gemini's; a {self.family} client sets its fields at the " \
                   "top level of options"
        self.unknown(entry.key, entry.key_span, known, f"{self.family} request", hint)

    def unknown(self, key: str, span: Span, known: list[str], where: str,
                hint: str | None = None) -> None:
        meant = near_miss(key, known)
        if meant is not None:
            self.ctx.diags.error("misspelt-option", f"`{key}` is not a field of the {where}; "
                                 f"did you mean `{meant}`?", span,
                                 help=f"as written it is sent under the wrong name; quote the "
                                      f"key (`\"{key}\"`) if the name is really meant")
            return
        close = difflib.get_close_matches(key, known, n=2, cutoff=0.6)
        help_ = hint or (("did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
                          if close else "known fields: " + ", ".join(f"`{k}`" for k in known))
                         + f"; for a field newer than vdsl, quote the key (`\"{key}\" …`) to "
                         "send it unchecked")
        self.ctx.diags.warning(
            "unknown-option", f"`{key}` is not a field of the {where}; it is sent as is and "
            "Vertex may reject the request", span, help=help_)

    def value(self, value: Value, spec: Spec, name: str) -> None:
        if isinstance(value, (EnvRef, NullValue)) or spec.kind == "any":
            return
        kinds = (spec.kind, *spec.also)
        if isinstance(value, MapValue) and "map" in kinds:
            self.map(value, spec if spec.kind == "map" else Spec("map"), name)
        elif isinstance(value, ArrayValue) and "list" in kinds:
            for item in value.items:
                if spec.items is not None:
                    self.value(item, spec.items, f"{name}[]")
        elif not self.scalar(value, spec, kinds, name):
            self.ctx.diags.error("invalid-option", f"`{_leaf(name)}` must be "
                                 f"{_describe(kinds)}, not {_what(value)}", value.span,
                                 help=spec.note or _quote_help(value, kinds))

    def scalar(self, value: Value, spec: Spec, kinds: tuple[str, ...], name: str) -> bool:
        if isinstance(value, BoolValue):
            return "bool" in kinds
        if isinstance(value, NumberValue):
            if "number" in kinds or ("int" in kinds and isinstance(value.value, int)):
                self.range(value, spec, name)
                return True
            return False
        if isinstance(value, StringValue) and "string" in kinds:
            if spec.choices and value.value not in spec.choices:
                close = difflib.get_close_matches(value.value, spec.choices, n=1)
                self.ctx.diags.error("invalid-option", f"unknown value `{value.value}` for "
                                     f"`{_leaf(name)}`", value.span,
                                     help=(f"did you mean `{close[0]}`? " if close else "")
                                     + "one of: " + ", ".join(spec.choices))
            return True
        return False

    def range(self, value: NumberValue, spec: Spec, name: str) -> None:
        low, high = spec.minimum, spec.maximum
        if (low is not None and value.value < low) or (high is not None and value.value > high):
            bounds = (f"between {_n(low)} and {_n(high)}" if low is not None and high is not None
                      else f"at least {_n(low)}" if low is not None else f"at most {_n(high)}")
            self.ctx.diags.error("invalid-option", f"`{_leaf(name)}` must be {bounds} for "
                                 f"{self.family} models, not {value.text}", value.span)

    def map(self, value: MapValue, spec: Spec, name: str) -> None:
        present = {_camel(e.key) if spec.camel else e.key for e in value.entries}
        for required in spec.required:
            if required not in present:
                self.ctx.diags.error("invalid-option", f"`{name}` needs `{required}`",
                                     value.span, help=spec.note or None)
        for entry in value.entries:
            if spec.values is not None:
                self.value(entry.value, spec.values, f"{name}.{entry.key}")
                continue
            if spec.fields is None or _quoted(entry):
                continue
            known = _known(entry.key, spec.fields, spec.camel)
            if known is None:
                self.unknown(entry.key, entry.key_span, sorted(spec.fields), f"`{name}` map")
            else:
                self.value(entry.value, spec.fields[known], f"{name}.{known}")


def _leaf(name: str) -> str:
    return name.removesuffix("[]")


def _n(x: float | None) -> str:
    return str(int(x)) if x is not None and float(x).is_integer() else str(x)


_KIND_WORDS = {"string": "a string", "int": "a whole number", "number": "a number",
               "bool": "true or false", "list": "a list `[…]`", "map": "a map `{ … }`"}


def _describe(kinds: tuple[str, ...]) -> str:
    return " or ".join(_KIND_WORDS[k] for k in kinds)


def _what(value: Value) -> str:
    if isinstance(value, StringValue):
        return f"the text `{value.value}`" if len(value.value) < 40 else "text"
    if isinstance(value, NumberValue):
        return f"the number {value.text}"
    if isinstance(value, BoolValue):
        return "true/false"
    if isinstance(value, ArrayValue):
        return "a list"
    return "a map"


def _quote_help(value: Value, kinds: tuple[str, ...]) -> str | None:
    if isinstance(value, StringValue) and ("int" in kinds or "number" in kinds):
        return "write the number unquoted: BAML sends a quoted or non-numeric value as a " \
               "JSON string"
    return None
