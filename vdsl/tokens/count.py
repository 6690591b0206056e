"""`runtime.count_tokens`: how many input tokens a function's prompt takes, for one client.

The prompt is rendered exactly as a call renders it (same client, roles, media), then counted
by Vertex's endpoint where the family has one (Gemini `countTokens`, Claude
`count-tokens:rawPredict`), else by vdsl's estimate (`vdsl.tokens.estimate`). The count is of
the whole prompt, a context cache's part included (it is input the model reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..providers.catalog import lookup

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime

__all__ = ["TokenCount", "count_tokens"]


@dataclass(frozen=True)
class TokenCount:
    """The input tokens of one prompt for one client, and the limits that apply to it."""

    input_tokens: int
    method: str
    """`endpoint` (counted by Vertex) or `estimate` (vdsl's local estimate)."""
    client: str
    model: str
    context_window: int | None = None
    max_input_tokens: int | None = None

    @property
    def problems(self) -> list[str]:
        """Why this prompt would not be sent or would not fit (empty when it is fine)."""
        found = []
        if self.max_input_tokens is not None and self.input_tokens > self.max_input_tokens:
            found.append(f"more than the client's max_input_tokens ({self.max_input_tokens})")
        if self.context_window is not None and self.input_tokens > self.context_window:
            found.append(f"more than {self.model}'s context window ({self.context_window})")
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens, "method": self.method,
                "client": self.client, "model": self.model,
                "context_window": self.context_window,
                "max_input_tokens": self.max_input_tokens, "fits": not self.problems}


def count_tokens(rt: Runtime, function: str, args: Mapping[str, Any], *,
                 client: str | None = None, env: Mapping[str, str] | None = None) -> TokenCount:
    from ..render.prompt import find_function
    from ..runtime.counting import count_prompt
    from ..runtime.platform import render_for, target
    fn = find_function(rt.project, function)
    where = target(rt, client or fn.client or "", env)
    prompt = render_for(rt, where, fn.name, args)
    tokens, method = count_prompt(rt, where, prompt)
    info = lookup(where.options.model)
    return TokenCount(tokens, method, where.client, where.options.model,
                      info.context_window if info else None, where.options.max_input_tokens)
