"""Syntax stage: text → IR declarations (Lark LALR), syntax errors → diagnostics."""

from .parser import Block, grammar_text, parse_block, parse_region, parse_source, split_blocks

__all__ = ["Block", "grammar_text", "parse_block", "parse_region", "parse_source",
           "split_blocks"]
