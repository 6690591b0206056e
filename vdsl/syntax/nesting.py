"""How deeply config values nest: arrays and maps past MAX_VALUE_DEPTH are cut and reported.

Lark's LALR parser and the transformer build nested values without recursion, but what reads
them afterwards (validation, `ir.plain`, printing test arguments) walks them recursively. A
value nested deeper than MAX_VALUE_DEPTH is reported once (`value-too-deep`, where it first
goes over) and left empty, so nothing downstream meets one that deep.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import ir
from ..diagnostics import Diagnostics
from ..source import Span

__all__ = ["MAX_VALUE_DEPTH", "ValueNesting"]

MAX_VALUE_DEPTH = 64
"""Arrays and maps in a config value nest at most this deep (as call arguments do)."""


class ValueNesting:
    """The depth of every array and map built so far in one parse."""

    def __init__(self, diags: Diagnostics) -> None:
        self.diags = diags
        # id → (the value, kept alive so that its id stays its own; its depth)
        self._depths: dict[int, tuple[ir.Value, int]] = {}
        self._cut: set[int] = set()  # ids of values a too-deep value was cut out of
        self._pending = (0, False)  # (depth, cut) of the container being built

    def admit(self, span: Span, items: Sequence[ir.Value]) -> bool:
        """Whether a container of `items` may keep them (False: it is too deep; leave it
        empty). Call `remember` with the container built."""
        inner = max((self._depths[id(item)][1] for item in items if id(item) in self._depths),
                    default=0)
        self._pending = (inner + 1, any(id(item) in self._cut for item in items))
        if inner < MAX_VALUE_DEPTH:
            return True
        if not self._pending[1]:
            self.diags.error("value-too-deep", f"arrays and maps nested more than "
                             f"{MAX_VALUE_DEPTH} deep", span, help="flatten the value")
        self._pending = (1, True)
        return False

    def remember(self, value: ir.Value) -> None:
        depth, cut = self._pending
        self._depths[id(value)] = (value, depth)
        if cut:
            self._cut.add(id(value))
