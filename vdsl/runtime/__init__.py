"""Calling functions: `Runtime` (sync, async, streams, request previews) and its results."""

from .auth_bridge import StaticToken
from .netpolicy import MediaPolicy
from .result import AsyncStream, Result, Stream, StreamEvent
from .runtime import Runtime

__all__ = ["AsyncStream", "MediaPolicy", "Result", "Runtime", "StaticToken", "Stream",
           "StreamEvent"]
