"""The test project: passing, failing, erroring and skipped tests, and its emulator replies."""

from __future__ import annotations

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
