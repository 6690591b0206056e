"""The small multi-file project the LSP tests open, and helpers to load modules by path
(a module of its own: `conftest` is a name every test folder has)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

CLIENTS = """\
retry_policy Steady {
  max_retries 2
}

client<llm> Flash {
  provider vertex-ai
  retry_policy Steady
  options {
    model gemini-2.5-flash
    location us-central1
    project_id env.VDSL_LSP_TEST_PROJECT
    query_params { key env.VDSL_LSP_TEST_UNSET_KEY }
  }
}

client<llm> Sonnet {
  provider vertex-ai
  options {
    model "claude-sonnet-4-5@20250929"
    location us-east5
  }
}

client<llm> Both {
  provider fallback
  options {
    strategy [Flash, Sonnet]
  }
}
"""

TYPES = """\
enum Priority {
  LOW @description("Can wait")
  HIGH @alias("urgent") @description("Needs attention today")
}

/// A support ticket as the model reads it.
class Ticket {
  summary string @description("One line")
  customer_id int? @alias("customerId")
  priority Priority
}

template_string Instructions(p: Priority) #"
  Rank the ticket; {{ p }} is a hint.
"#
"""

FUNCTIONS = """\
function Triage(text: string, ticket: Ticket) -> Priority {
  client Flash
  prompt #"
    {{ _.role("system") }}
    {{ Instructions(Priority.LOW) }}
    {{ _.role("user") }}
    {{ text }} {{ ticket.summary }}
    {{ ctx.output_format }}
  "#
}

test TriageUrgent {
  functions [Triage]
  args {
    text "The site is down"
    ticket { summary "down", priority HIGH }
  }
}
"""

ROOT = Path(__file__).resolve().parents[2]


def load_module(name: str, path: Path) -> ModuleType:
    """A module of the repository by its path (tests/ and bench/ are not packages, and putting
    them on sys.path would let `tests/platform` hide the standard library's `platform`)."""
    found = sys.modules.get(name)
    if found is not None and Path(getattr(found, "__file__", "")) == path:
        return found
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


FILES = {"clients.vdsl": CLIENTS, "types.vdsl": TYPES, "functions.vdsl": FUNCTIONS}
ENV = {"VDSL_LSP_TEST_PROJECT": "project-value-123", "VDSL_LSP_TEST_KEY": "secret-key-value-456"}


def write_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vdsl.toml").write_text("")
    for name, text in FILES.items():
        (root / name).write_text(text)
    return root
