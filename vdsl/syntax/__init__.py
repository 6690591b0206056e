"""Syntax stage: text → IR declarations (Lark LALR), syntax errors → diagnostics."""

from .parser import grammar_text, parse_source, split_blocks

__all__ = ["grammar_text", "parse_source", "split_blocks"]
