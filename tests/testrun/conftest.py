"""A project with passing, failing, erroring and skipped tests, and its emulator replies."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

MIXED = '''\
client<llm> G {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id env.GOOGLE_CLOUD_PROJECT
  }
}

retry_policy Quick {
  max_retries 2
  strategy {
    type constant_delay
    delay_ms 10
  }
}

client<llm> GR {
  provider vertex-ai
  retry_policy Quick
  options {
    model gemini-2.5-flash
    location us-central1
  }
}

class Person {
  name string @check(long_name, {{ this|length > 4 }})
  age int @assert(positive, {{ this > 0 }})
}

function F(x: string) -> Person {
  client G
  prompt #"Tell me about {{ x }}. {{ ctx.output_format }}"#
}

function FR(x: string) -> Person {
  client GR
  prompt #"Tell me about {{ x }}. {{ ctx.output_format }}"#
}

test Pass {
  functions [F]
  args {
    x "alice"
  }
  @@assert(adult, {{ this.age > 18 }})
}

test AssertFails {
  functions [F]
  args {
    x "alice"
  }
  @@assert(child, {{ this.age < 18 }})
}

test CheckFails {
  functions [F]
  args {
    x "alice"
  }
  @@check(child, {{ _.result.age < 18 }})
}

test FieldCheckFails {
  functions [F]
  args {
    x "bob"
  }
}

test FieldAssertFails {
  functions [F]
  args {
    x "negative"
  }
}

test ParseFails {
  functions [F]
  args {
    x "garbage"
  }
}

test ServerError {
  functions [FR]
  args {
    x "boom"
  }
}

test ContextAndChecks {
  functions [F]
  args {
    x "alice"
  }
  @@check(quick, {{ _.latency_ms < 600000 }})
  @@assert(uses_check, {{ _.checks.quick and x == "alice" and this.name == _.result.name }})
}

test BadExpression {
  functions [F]
  args {
    x "alice"
  }
  @@assert(weird, {{ this.age + "a" }})
}

test Skipped {
  functions [F]
  args {
    x "alice"
  }
  @@skip("waiting for the new model")
}
'''

FIXTURES = '''\
fixtures:
  - prompt: "about alice."
    reply:
      json: {name: "Alice Smith", age: 30}
      usage: {input_tokens: 20, output_tokens: 10}
  - prompt: "about bob."
    reply: {json: {name: "Bob", age: 40}}
  - prompt: "about negative."
    reply: {json: {name: "Negative", age: -3}}
  - prompt: "about garbage."
    reply: "no json here at all"
  - prompt: "about boom."
    reply: "x"
    fault: "status=500"
'''

EXPECTED = {
    "F::Pass": "passed", "F::AssertFails": "failed", "F::CheckFails": "failed",
    "F::FieldCheckFails": "passed", "F::FieldAssertFails": "failed",
    "F::ParseFails": "errored", "FR::ServerError": "errored",
    "F::ContextAndChecks": "passed", "F::BadExpression": "errored", "F::Skipped": "skipped",
}


@pytest.fixture(autouse=True)
def _quiet_environment(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials, no endpoint, no CI markers, a private cache: every run is offline."""
    home = tmp_path_factory.mktemp("home")
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
                 "VDSL_VERTEX_ENDPOINT", "GCE_METADATA_HOST", "GOOGLE_CLOUD_PROJECT",
                 "CLOUDSDK_CONFIG", "GITHUB_STEP_SUMMARY", "VDSL_EMULATOR_STATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vdsl-cache"))


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "main.vdsl").write_text(MIXED)
    (root / "emulator.yaml").write_text(FIXTURES)
    return root
