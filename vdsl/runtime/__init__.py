"""Calling functions: `Runtime` (sync, async, streams, request previews) and its results."""

from .auth_bridge import StaticToken
from .result import AsyncStream, Result, Stream, StreamEvent
from .runtime import Runtime

__all__ = ["AsyncStream", "Result", "Runtime", "StaticToken", "Stream", "StreamEvent"]
