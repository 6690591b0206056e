"""Fixtures for the codegen tests: importing a generated package under its own name."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from codegen_helpers import files_for, write_package


@pytest.fixture
def import_package(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """Generate a case as a uniquely named package in tmp_path and import it."""
    names: list[str] = []
    sys.path.insert(0, str(tmp_path))

    def make(case: str, package: str, **extra: object):  # type: ignore[no-untyped-def]
        write_package(tmp_path, package, files_for(case, package, **extra))
        names.append(package)
        return importlib.import_module(package)

    yield make
    sys.path.remove(str(tmp_path))
    for name in names:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
