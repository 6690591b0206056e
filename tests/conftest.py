"""Suite-wide settings. In CI (`CI` set) hypothesis runs derandomized: the same examples
every run, so a red build always points at a reproducible case; locally it keeps exploring."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
