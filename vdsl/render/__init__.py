"""Prompt rendering: a function plus arguments → provider-neutral messages (BAML semantics).

Modules:

    environment.py    the project's Jinja environment, cache of compiled templates, globals
    sandbox.py        the sandbox prompts run in: immutable values, a budget on every render
    budget.py         the render limits (output, steps, time, integer size, call depth)
    prechecks.py      what a method call or filter would build, checked before it runs
    args.py           argument checking: JSON/Python values → template values
    values.py         class instances, enum values, minijinja-style printing, render state
    roles.py          marker splitting, allowed/default/merge/remap roles, system prompt
    messages.py       RenderedPrompt, ChatMessage, TextPart, MediaPart
    output_format.py  `ctx.output_format` text, byte for byte as BAML
    schema.py         output types resolved (aliases expanded, recursion found)
    clients.py        which (leaf) client a prompt renders for
    snapshots.py      prompt snapshots for CI
    cli.py            `vdsl render`
"""

from .budget import RenderLimits
from .messages import ChatMessage, MediaPart, Part, RenderedPrompt, TextPart
from .output_format import OutputFormatError, RenderOptions, render_output_format
from .prompt import render_prompt, set_render_limits
from .roles import RoleConfig

__all__ = [
    "ChatMessage",
    "MediaPart",
    "OutputFormatError",
    "Part",
    "RenderLimits",
    "RenderOptions",
    "RenderedPrompt",
    "RoleConfig",
    "TextPart",
    "render_output_format",
    "render_prompt",
    "set_render_limits",
]
