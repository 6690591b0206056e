"""The manifest written next to a job's input: what the job is, so results can be read anywhere.

`vdsl batch results JOB` runs without the project folder (another machine, a later day): the
manifest holds the function, client and model, how many rows there were, which rows were
left out and why, and the project's source files as they were when the job was submitted, so
replies are parsed with the types the prompts were written for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import jsontext
from ..errors import BatchError, CompileError
from ..project import Project
from .prepare import BadRow

__all__ = ["MANIFEST_NAME", "Manifest", "check_no_secrets"]

MANIFEST_NAME = "manifest.json"
VERSION = 1


@dataclass
class Manifest:
    """One submitted batch: its function and model, its rows, and the project's sources."""

    function: str
    client: str
    model: str
    family: str
    rows: int
    submitted: int
    input_uri: str
    output_uri: str
    run: str
    bad: list[BadRow] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = {"version": VERSION, "function": self.function, "client": self.client,
                "model": self.model, "family": self.family, "rows": self.rows,
                "submitted": self.submitted, "input_uri": self.input_uri,
                "output_uri": self.output_uri, "run": self.run,
                "bad": [b.to_list() for b in self.bad], "sources": self.sources}
        return json.dumps(data, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Manifest:
        try:
            raw: Any = jsontext.loads(data)
            bad = [BadRow(int(r), str(w), str(e)) for r, w, e in raw["bad"]]
            return cls(str(raw["function"]), str(raw["client"]), str(raw["model"]),
                       str(raw["family"]), int(raw["rows"]), int(raw["submitted"]),
                       str(raw["input_uri"]), str(raw["output_uri"]), str(raw["run"]), bad,
                       {str(k): str(v) for k, v in raw["sources"].items()})
        except (ValueError, KeyError, TypeError) as error:
            raise BatchError(f"{where} is not a vdsl batch manifest ({error})") from None

    def project(self) -> Project:
        """The project as it was when the job was submitted."""
        from ..codegen.client import compile_embedded
        try:
            return compile_embedded(self.sources)
        except CompileError as error:
            raise BatchError(f"the sources saved with the job no longer compile: {error}") \
                from None


def check_no_secrets(project: Project) -> None:
    """Refuse a project with an API key or credentials written into its files: the manifest
    carries the sources into the bucket (as `vdsl generate` refuses to embed them)."""
    from ..validate.options import literal_secrets
    for client in project.program.clients:
        for setting, _ in literal_secrets(client.options) if client.options else ():
            raise BatchError(f"client `{client.name}` has a secret written in its `{setting}` "
                             "option; the job's manifest stores the project's sources, so "
                             "move the secret to env.VAR first")
