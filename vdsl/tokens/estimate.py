"""A local token estimate, for families Vertex offers no count endpoint for (Llama, DeepSeek,
Mistral, Jamba) and for compile-time checks, where nothing is sent.

The rule, chosen to err high rather than low: ASCII text counts one token per 4 characters
(rounded up, per text part), every other character one token (CJK and emoji often take one
or more), each media part 258 tokens (Gemini's figure for one image or PDF page; a floor
for longer media), and 4 tokens per message for its role and framing. It is an estimate:
exact counts come from `runtime.count_tokens` where a family has an endpoint.
"""

from __future__ import annotations

import math

from ..render import RenderedPrompt
from ..render.messages import TextPart

__all__ = ["MEDIA_TOKENS", "MESSAGE_TOKENS", "estimate_prompt", "estimate_text"]

MEDIA_TOKENS = 258
MESSAGE_TOKENS = 4


def estimate_text(text: str) -> int:
    """Tokens in one run of text (see the module docstring)."""
    if not text:
        return 0
    ascii_chars = len(text.encode("ascii", "ignore"))
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def estimate_prompt(prompt: RenderedPrompt) -> int:
    """Tokens in every message of a rendered prompt (system included)."""
    total = 0
    for message in prompt.messages:
        total += MESSAGE_TOKENS
        for part in message.parts:
            total += estimate_text(part.text) if isinstance(part, TextPart) else MEDIA_TOKENS
    return total
