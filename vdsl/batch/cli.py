"""`vdsl batch`: submit, follow and collect Vertex AI batch prediction jobs.

    vdsl batch submit PATH FUNCTION --input ROWS --dest gs://BUCKET/PREFIX|bq://PROJECT.DATASET
    vdsl batch status JOB | list | cancel JOB
    vdsl batch results JOB --output OUT.jsonl
    vdsl batch run PATH FUNCTION --input ROWS --dest gs://…|bq://… --output OUT.jsonl

Exit codes: 0 ok; 1 bad rows (nothing submitted), or results with failed or missing rows;
2 usage; 3 a Vertex, Cloud Storage, BigQuery, credentials or job failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import BatchError, CompileError, InvalidArgumentError, VdslError

OK, FAILED, USAGE, RUNTIME = 0, 1, 2, 3

_ROWS = """\
ROWS is JSONL (one JSON object of arguments per line) or CSV (a header naming the parameters;
cells are text for text parameters and JSON otherwise). Every row is checked and rendered
before anything is uploaded; bad rows are reported by line number and nothing is submitted
unless --skip-bad-rows. --dest is a Cloud Storage folder (the input, a manifest and the
predictions go under it as JSONL files) or a BigQuery dataset in the job's region (tables
vdsl_RUN_input, vdsl_RUN_manifest and vdsl_RUN_output)."""

_EMULATED = """\
With --emulator everything runs offline against the built-in emulator, and jobs, buckets and
tables persist between commands ($VDSL_EMULATOR_STATE, else vdsl's cache folder); any gs://
bucket or bq:// dataset works."""

EPILOG = f"""\
{_ROWS}
{_EMULATED}

Exit status: 0 ok; 1 bad rows (nothing submitted) or results with failed/missing rows;
2 usage (a bad path, --dest or job name); 3 Vertex, Cloud Storage, BigQuery, credentials
or a failed job.
Examples:
  vdsl batch submit src/llm Classify --input rows.jsonl --dest gs://my-bucket/batches
  vdsl batch submit src/llm Classify --input rows.csv --dest bq://my-proj.llm_batches
  vdsl batch status projects/my-proj/locations/us-central1/batchPredictionJobs/123
  vdsl batch results projects/…/batchPredictionJobs/123 --output results.jsonl
  vdsl batch run samples/support_tickets ClassifyTicket --input tickets.csv \\
      --dest gs://any-bucket/t --output results.jsonl --emulator"""

_JOB = "projects/my-proj/locations/us-central1/batchPredictionJobs/123"

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "submit": ("check, render and upload the rows; create the job; print its name", f"""\
{_ROWS}
{_EMULATED}

Exit status: 0 submitted (the job's name on stdout); 1 bad rows (nothing submitted); 2 usage
(a bad path, --input or --dest); 3 Vertex, Cloud Storage, BigQuery or credentials.
Examples:
  vdsl batch submit src/llm Classify --input rows.jsonl --dest gs://my-bucket/batches
  vdsl batch submit src/llm Classify --input rows.csv --dest bq://my-proj.llm_batches"""),
    "run": ("submit (or resume), wait with progress, write results", f"""\
{_ROWS}
Run again after an interruption, the same command resumes waiting for the same job
(nothing is submitted twice).
{_EMULATED}

Exit status: 0 every row ok; 1 bad rows (nothing submitted), or failed or missing rows in
the results; 2 usage (a bad path, --input or --dest); 3 Vertex, Cloud Storage, BigQuery,
credentials or a failed job.
Examples:
  vdsl batch run src/llm Classify --input rows.jsonl --dest gs://my-bucket/b --output out.jsonl
  vdsl batch run samples/support_tickets ClassifyTicket --input tickets.csv \\
      --dest gs://any-bucket/t --output results.jsonl --emulator"""),
    "status": ("print a job's state and progress", f"""\
Exit status: 0 printed (whatever the job's state); 2 usage (not a job name); 3 Vertex or
credentials (a job that does not exist: 404).
Example:
  vdsl batch status {_JOB}"""),
    "cancel": ("ask Vertex to cancel a job", f"""\
Exit status: 0 asked (the job ends as CANCELLED soon after); 2 usage (not a job name); 3 Vertex
or credentials (a job that already ended cannot be cancelled).
Example:
  vdsl batch cancel {_JOB}"""),
    "results": ("download, parse and write one line per input row", f"""\
Each line: {{"row", "ok", "value"}} or {{"row", "ok": false, "error"}}, in input order; rows with
no prediction say "missing". The file is written whole or not at all.
Exit status: 0 every row ok; 1 failed or missing rows; 2 usage (not a job name); 3 Vertex,
Cloud Storage, BigQuery, credentials, or a job that failed.
Example:
  vdsl batch results {_JOB} --output results.jsonl"""),
    "list": ("list batch jobs of a project and location", """\
Exit status: 0 listed; 2 usage; 3 Vertex or credentials.
Examples:
  vdsl batch list --location europe-west4
  vdsl batch list --all --format json"""),
}


def _subcommand(sub: Any, name: str) -> argparse.ArgumentParser:
    help_, epilog = SUBCOMMANDS[name]
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_, description=help_[:1].upper() + help_[1:], epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    sub = parser.add_subparsers(dest="batch_command", metavar="SUBCOMMAND")
    submit = _subcommand(sub, "submit")
    _job_inputs(submit)
    run = _subcommand(sub, "run")
    _job_inputs(run)
    _output(run)
    run.add_argument("--poll", type=float, default=30.0, metavar="SECONDS",
                     help="seconds between status checks (default 30)")
    run.add_argument("--state-dir", type=Path, metavar="DIR",
                     help="where runs are remembered for resuming (default: $VDSL_BATCH_STATE, "
                          "else batch-runs in vdsl's cache folder)")
    for name in ("status", "cancel"):
        command = _subcommand(sub, name)
        command.add_argument("job", metavar="JOB", help="the job name `vdsl batch submit` printed")
        _common(command)
    results = _subcommand(sub, "results")
    results.add_argument("job", metavar="JOB", help="the job name `vdsl batch submit` printed")
    _output(results)
    _common(results)
    listing = _subcommand(sub, "list")
    listing.add_argument("--project", help="Google Cloud project (default: GOOGLE_CLOUD_PROJECT "
                         "or the credentials' project)")
    listing.add_argument("--location", default=None,
                         help="location (default: GOOGLE_CLOUD_LOCATION, else us-central1)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--all", action="store_true", help="also jobs vdsl did not create")
    _common(listing)


def _job_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", metavar="FUNCTION", help="the function to run on every row")
    parser.add_argument("--input", required=True, metavar="ROWS",
                        help="the rows: a .jsonl or .csv file")
    parser.add_argument("--input-format", choices=("jsonl", "csv"),
                        help="the format of ROWS (default: from its name, .csv is CSV)")
    parser.add_argument("--dest", required=True,
                        metavar="gs://BUCKET/PREFIX|bq://PROJECT.DATASET",
                        help="where the input, manifest and predictions go: a Cloud Storage "
                             "folder, or a BigQuery dataset in the job's region")
    parser.add_argument("--client", metavar="NAME", help="run with this client (one model)")
    parser.add_argument("--display-name", metavar="NAME", help="the job's display name")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="submit the good rows when some are bad (they are reported, and "
                             "their result lines say why)")
    parser.add_argument("--fixtures", metavar="FILE", type=Path,
                        help="with --emulator: canned replies (default: the project's "
                             "emulator.yaml)")
    _common(parser)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", required=True, type=Path, metavar="OUT.jsonl",
                        help="where to write one result line per input row, in input order")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people; json: one JSON object on stdout")
    parser.add_argument("--emulator", action="store_true",
                        help="use the built-in emulator (offline); jobs persist between "
                             "commands")


def run(args: argparse.Namespace) -> int:
    from . import commands
    handlers = {"submit": commands.submit, "run": commands.run_job,
                "status": commands.status, "cancel": commands.cancel,
                "results": commands.results, "list": commands.listing}
    handler = handlers.get(args.batch_command or "")
    if handler is None:
        print("error: name a subcommand: submit, run, status, list, cancel, results "
              "(vdsl batch --help)", file=sys.stderr)
        return USAGE
    problem = _usage_problem(args)
    if problem is not None:
        return problem
    try:
        return handler(args)
    except CompileError as error:
        from ..exits import compile_failed
        return compile_failed(error)
    except InvalidArgumentError as error:
        return fail(str(error), USAGE)
    except VdslError as error:
        return fail(str(error), FAILED if getattr(error, "bad", None) else RUNTIME)


def _usage_problem(args: argparse.Namespace) -> int | None:
    """A job name, `--dest`, `--input` or `--fixtures` that cannot be right is a usage error
    (exit 2, as in every command), found before anything is loaded or sent."""
    from ..exits import bad_path
    from .jobs import parse_name
    from .plan import parse_destination
    path = getattr(args, "path", None)
    if path is not None and not Path(path).exists():
        return bad_path(path, "no such file or directory")
    try:
        if getattr(args, "job", None) is not None:
            parse_name(args.job)
        if getattr(args, "dest", None) is not None:
            parse_destination(args.dest)
    except BatchError as error:
        return fail(str(error), USAGE)
    for option, value in (("--input", getattr(args, "input", None)),
                          ("--fixtures", getattr(args, "fixtures", None))):
        if value is not None and not Path(value).is_file():
            reason = "a folder, not a file" if Path(value).is_dir() else "no such file"
            return bad_path(value, reason, option)
    return None


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif text:
        print(text)


@contextmanager
def endpoint(args: argparse.Namespace, path: str | None) -> Iterator[str | None]:
    """The emulator's URL with --emulator (shared state across commands), else None."""
    if not args.emulator:
        yield None
        return
    from ..emulator.fixtures import FixtureError
    from ..emulator.session import project_emulator
    try:
        with project_emulator(path, getattr(args, "fixtures", None),
                              shared_state=True) as emu:
            yield emu.url
    except FixtureError as error:
        raise BatchError(f"the fixtures cannot be read: {error}") from None
