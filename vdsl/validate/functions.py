"""Functions, tests and generators: required fields, references, and test arguments."""

from __future__ import annotations

import difflib

from ..ir import (
    ArrayValue,
    FunctionDecl,
    GeneratorDecl,
    MapValue,
    StringValue,
    TestDecl,
    type_to_str,
)
from .clients import check_client_ref
from .context import Context
from .options import check_spaces
from .testargs import check_test_args
from .types import is_optional

FUNCTION_FIELDS = ("client", "prompt")
EXPRESSION_WORDS = ("let", "for", "while", "if", "return", "assert", "match")
TEST_FIELDS = ("functions", "args")
GENERATOR_FIELDS = ("output_type", "output_dir", "version", "default_client_mode",
                    "module_format", "on_generate", "client_package_name", "project")
OUTPUT_TYPES = ("python/pydantic", "python/pydantic/v1", "typescript", "typescript/react",
                "ruby/sorbet", "go", "rust", "rest/openapi")


def check(ctx: Context) -> None:
    for fn in ctx.program.functions:
        _check_function(ctx, fn)
    for test in ctx.program.tests:
        _check_test(ctx, test)
    for generator in ctx.program.generators:
        _check_generator(ctx, generator)


def _check_function(ctx: Context, fn: FunctionDecl) -> None:
    if _is_workflow(fn):
        ctx.diags.error("unsupported-syntax",
                        f"the body of `{fn.name}` is BAML's expression language (a workflow "
                        "function), which vdsl does not support", fn.entries[0].span,
                        help="a function body holds `client` and `prompt` entries")
        return
    for entry in fn.entries:
        if entry.key in EXPRESSION_WORDS:
            ctx.diags.error("unsupported-syntax",
                            f"`{entry.key}` statements (BAML's expression language) are not "
                            "supported", entry.span,
                            help="a function body holds `client` and `prompt` entries")
        elif entry.key not in FUNCTION_FIELDS:
            close = difflib.get_close_matches(entry.key, FUNCTION_FIELDS, n=1)
            ctx.diags.error("unknown-field", f"Unknown field `{entry.key}` in function",
                            entry.key_span, help=f"did you mean `{close[0]}`?" if close else
                            "a function has `client` and `prompt`")
    missing = [f for f in FUNCTION_FIELDS if fn.entry(f) is None]
    if missing:
        fields = " and ".join(f"`{m}`" for m in missing)
        example = {"client": 'client "vertex-ai/gemini-2.5-flash"',
                   "prompt": 'prompt #"…"#'}
        ctx.diags.error("missing-field",
                        f"Missing {fields} field{'s' * (len(missing) > 1)} in function "
                        f"`{fn.name}`", fn.name_span,
                        help="add to the block: " + "; ".join(example[m] for m in missing))
    if fn.return_type is None:
        ctx.diags.error("missing-return-type", f"No return type specified for `{fn.name}`",
                        fn.signature_span or fn.name_span,
                        help=f"write `-> <type>` after the parameters, e.g. "
                             f"`function {fn.name}(…) -> string`")
    for param in fn.params:
        if param.type is None:
            ctx.diags.error("missing-param-type", f"No type specified for argument `{param.name}`",
                            param.span, help=f"e.g. `{param.name}: string`")
    client = fn.entry("client")
    if client is not None:
        if isinstance(client.value, StringValue):
            check_client_ref(ctx, client.value.value, client.value.span)
        else:
            ctx.diags.error("invalid-value", "`client` must name a client", client.span)
    prompt = fn.entry("prompt")
    if prompt is not None and not isinstance(prompt.value, StringValue):
        ctx.diags.error("invalid-value", "`prompt` must be a string, usually `#\"…\"#`",
                        prompt.span)


def _is_workflow(fn: FunctionDecl) -> bool:
    """A body with neither `client` nor `prompt` whose lines are not misspellings of them is an
    expression-language body that happened to parse as entries (`x + 1` reads as key `x`)."""
    if not fn.entries or fn.entry("client") is not None or fn.entry("prompt") is not None:
        return False
    return not any(difflib.get_close_matches(e.key, FUNCTION_FIELDS, n=1, cutoff=0.6)
                   for e in fn.entries)


def _check_test(ctx: Context, test: TestDecl) -> None:
    for entry in test.entries:
        if entry.key not in TEST_FIELDS:
            ctx.diags.error("unknown-field", f'Property not known: "{entry.key}"', entry.key_span,
                            help='Did you mean one of these: "args", "functions"?')
    functions = test.get("functions")
    if test.entry("functions") is None:
        ctx.diags.error("missing-field", "Missing `functions` property", test.name_span,
                        help="e.g. `functions [ExtractResume]`")
    elif not isinstance(functions, ArrayValue):
        ctx.diags.error("invalid-value", "`functions` must be a list of function names",
                        test.entry("functions").span)  # type: ignore[union-attr]
    args = test.get("args")
    if test.entry("args") is None:
        ctx.diags.error("missing-field", "Missing `args` property", test.name_span,
                        help="e.g. `args { text \"…\" }`")
        args = None
    elif not isinstance(args, MapValue):
        ctx.diags.error("invalid-value", "`args` must be a map of argument values",
                        test.entry("args").span)  # type: ignore[union-attr]
        args = None
    for name, span in test.function_names:
        fn = ctx.functions.get(name)
        if fn is None and name not in ctx.program.broken_names:
            # A warning, as in BAML: the test just never runs for that name.
            close = difflib.get_close_matches(name, list(ctx.functions), n=1)
            ctx.diags.warning("unknown-function", f"function `{name}` is not defined; the test "
                              "does not run it", span,
                              help=f"did you mean `{close[0]}`?" if close else None)
        elif fn is not None and args is not None:
            _check_args(ctx, test, fn, args)
            check_test_args(ctx, fn, args)


def _check_args(ctx: Context, test: TestDecl, fn: FunctionDecl, args: MapValue) -> None:
    params = {p.name: p for p in fn.params}
    for entry in args.entries:
        if entry.key not in params:
            close = difflib.get_close_matches(entry.key, list(params), n=1)
            # A warning, as in BAML: one `args` block may serve several functions.
            ctx.diags.warning("unknown-argument",
                              f"`{fn.name}` has no parameter `{entry.key}`", entry.key_span,
                              help=f"did you mean `{close[0]}`?" if close else
                              "parameters: " + (", ".join(f"`{p}`" for p in params)
                                                or "(none)"))
    missing = [p for p in fn.params if args.entry(p.name) is None
               and p.type is not None and not is_optional(p.type, ctx)]
    if missing:
        suggestion = "args {\n" + "\n".join(
            f"  {p.name} {_example(p.type)}" for p in missing) + "\n}"  # type: ignore[arg-type]
        ctx.diags.warning("missing-argument",
                          f"test `{test.name}` does not give `{fn.name}` the argument"
                          f"{'s' * (len(missing) > 1)} " + ", ".join(f"`{p.name}`" for p in missing),
                          args.span, help=f"add to the test:\n{suggestion}")


def _example(t: object) -> str:
    text = type_to_str(t)  # type: ignore[arg-type]
    return {"string": '"…"', "int": "0", "float": "0.0", "bool": "false",
            "image": '{ url "https://…" }', "pdf": '{ file "doc.pdf" }',
            "audio": '{ file "clip.mp3" }', "video": '{ url "https://…" }'}.get(
        text, f"<{text}>" if not text.endswith("[]") else "[]")


def _check_generator(ctx: Context, generator: GeneratorDecl) -> None:
    for entry in generator.entries:
        if entry.key not in GENERATOR_FIELDS:
            close = difflib.get_close_matches(entry.key, GENERATOR_FIELDS, n=1)
            ctx.diags.error("unknown-field", f"Unknown field `{entry.key}` in generator",
                            entry.key_span, help=f"did you mean `{close[0]}`?" if close else None)
    check_spaces(ctx, ((e.key, e.value) for e in generator.entries))
    output_type = generator.get("output_type")
    if generator.entry("output_type") is None:
        ctx.diags.error("missing-field", "Missing `output_type` in generator",
                        generator.name_span, help='e.g. `output_type "python/pydantic"`')
    elif not isinstance(output_type, StringValue) or output_type.value not in OUTPUT_TYPES:
        shown = output_type.value if isinstance(output_type, StringValue) else "?"
        close = difflib.get_close_matches(shown, OUTPUT_TYPES, n=1)
        ctx.diags.error("invalid-value", f"unknown output_type `{shown}`",
                        generator.entry("output_type").span,  # type: ignore[union-attr]
                        help=(f"did you mean `{close[0]}`? " if close else "") + "known: "
                        + ", ".join(OUTPUT_TYPES))
    elif output_type.value != "python/pydantic":
        ctx.diags.warning("generator-ignored",
                          f"vdsl generates python/pydantic clients only; `{output_type.value}` "
                          "is ignored", output_type.span)
    mode = generator.get("default_client_mode")
    if isinstance(mode, StringValue) and mode.value not in ("sync", "async"):
        ctx.diags.error("invalid-value", "`default_client_mode` must be `sync` or `async`",
                        mode.span)
    for key in ("version", "output_dir"):
        value = generator.get(key)
        if generator.entry(key) is not None and not isinstance(value, StringValue):
            ctx.diags.error("invalid-value", f"`{key}` must be a string",
                            generator.entry(key).span,  # type: ignore[union-attr]
                            help=f'quote it: {key} "…"')
