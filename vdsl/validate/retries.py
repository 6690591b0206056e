"""`retry_policy` blocks: `max_retries`, the strategy and its fields, `options`.

Unknown keys inside a strategy are ignored by BAML (a `mutliplier` typo shipped in its own
project template), so they are warnings here that say which default applies instead; the
other strategy's fields (`multiplier` on `constant_delay`) are errors, as in BAML.
"""

from __future__ import annotations

import difflib

from ..ir import MapValue, NumberValue, RetryPolicyDecl, StringValue, Value
from ..source import Span
from .context import Context
from .fields import span_of, unknown_key
from .options import check_spaces

RETRY_FIELDS = ("max_retries", "strategy", "options")
STRATEGY_FIELDS = {"constant_delay": ("type", "delay_ms"),
                   "exponential_backoff": ("type", "delay_ms", "multiplier", "max_delay_ms")}
STRATEGY_DEFAULTS = {"delay_ms": "200", "multiplier": "1.5", "max_delay_ms": "10000"}


def check_retry_policy(ctx: Context, policy: RetryPolicyDecl) -> None:
    for entry in policy.entries:
        if entry.key not in RETRY_FIELDS:
            unknown_key(ctx, entry.key, entry.key_span, RETRY_FIELDS, "retry_policy")
    check_spaces(ctx, ((e.key, e.value) for e in policy.entries))
    max_retries = policy.get("max_retries")
    if policy.entry("max_retries") is None:
        ctx.diags.error("missing-field", "Missing `max_retries` property", policy.name_span,
                        help="e.g. `max_retries 3`")
    elif not (isinstance(max_retries, NumberValue) and isinstance(max_retries.value, int)
              and max_retries.value >= 0):
        ctx.diags.error("invalid-value", "`max_retries` must be a whole number ≥ 0",
                        span_of(policy.name_span, max_retries))
    strategy = policy.get("strategy")
    if policy.entry("strategy") is not None:
        _check_retry_strategy(ctx, policy, strategy)
    options = policy.get("options")
    if policy.entry("options") is not None and not isinstance(options, MapValue):
        ctx.diags.error("invalid-value", "`options` must be a map", span_of(policy.name_span,
                                                                          options))
    elif isinstance(options, MapValue):
        jitter = options.get("jitter")  # BAML accepts any keys here; vdsl reads `jitter`
        if jitter is not None and not (isinstance(jitter, NumberValue)
                                       and 0 <= jitter.value <= 1):
            ctx.diags.error("invalid-value", "`jitter` is a fraction between 0 and 1 "
                            "(0.1 spreads each wait by ±10%)", jitter.span)


def _check_retry_strategy(ctx: Context, policy: RetryPolicyDecl, strategy: Value | None) -> None:
    if not isinstance(strategy, MapValue):
        ctx.diags.error("invalid-value", "`strategy` must be a map with a `type`",
                        span_of(policy.name_span, strategy),
                        help="e.g. `strategy { type exponential_backoff }`")
        return
    kind = strategy.get("type")
    if not isinstance(kind, StringValue):
        ctx.diags.error("missing-field", "the retry strategy needs a `type`", strategy.span,
                        help="`type constant_delay` or `type exponential_backoff`")
        return
    fields = STRATEGY_FIELDS.get(kind.value)
    if fields is None:
        close = difflib.get_close_matches(kind.value, list(STRATEGY_FIELDS), n=1)
        ctx.diags.error("invalid-value", f"unknown retry strategy `{kind.value}`", kind.span,
                        help=(f"did you mean `{close[0]}`? " if close else "")
                        + "use `constant_delay` or `exponential_backoff`")
        return
    known = {key for keys in STRATEGY_FIELDS.values() for key in keys}
    for entry in strategy.entries:
        if entry.key in known and entry.key not in fields:
            # another strategy's field: BAML refuses it ("not supported for constant_delay")
            ctx.diags.error("unknown-field", f"The `{entry.key}` option is not supported for "
                            f"the `{kind.value}` strategy", entry.key_span,
                            help="fields: " + ", ".join(f"`{f}`" for f in fields))
        elif entry.key not in fields:
            _ignored_strategy_field(ctx, entry.key, entry.key_span, kind.value, fields)
        elif entry.key != "type" and not (isinstance(entry.value, NumberValue)
                                          and entry.value.value >= 0):
            ctx.diags.error("invalid-value", f"`{entry.key}` must be a non-negative number",
                            entry.value.span)


def _ignored_strategy_field(ctx: Context, key: str, span: Span, kind: str,
                            fields: tuple[str, ...]) -> None:
    """BAML ignores unknown keys in a retry strategy (a `mutliplier` typo shipped in its own
    project template), so vdsl must accept them too; it says so, and what is used instead."""
    close = difflib.get_close_matches(key, fields, n=1)
    default = STRATEGY_DEFAULTS.get(close[0]) if close else None
    help_ = (f"did you mean `{close[0]}`? " if close else "") + (
        f"without it the policy uses the default `{close[0]} {default}`; " if default else "")
    ctx.diags.warning("ignored-field",
                      f"`{key}` is not a field of the `{kind}` strategy; it is ignored", span,
                      help=help_ + "fields: " + ", ".join(f"`{f}`" for f in fields))
