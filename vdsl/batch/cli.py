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

EPILOG = """\
ROWS is JSONL (one JSON object of arguments per line) or CSV (a header naming the parameters;
cells are text for text parameters and JSON otherwise). Every row is checked and rendered
before anything is uploaded; bad rows are reported by line number and nothing is submitted
unless --skip-bad-rows. --dest is a Cloud Storage folder (the input, a manifest and the
predictions go under it as JSONL files) or a BigQuery dataset in the job's region (tables
vdsl_RUN_input, vdsl_RUN_manifest and vdsl_RUN_output). With --emulator everything runs
offline against the built-in emulator, and jobs, buckets and tables persist between commands
($VDSL_EMULATOR_STATE, else vdsl's cache folder); any gs:// bucket or bq:// dataset works.

Exit status: 0 ok; 1 bad rows (nothing submitted) or results with failed/missing rows;
2 usage; 3 Vertex, Cloud Storage, BigQuery, credentials or a failed job.
Examples:
  vdsl batch submit src/llm Classify --input rows.jsonl --dest gs://my-bucket/batches
  vdsl batch submit src/llm Classify --input rows.csv --dest bq://my-proj.llm_batches
  vdsl batch status projects/my-proj/locations/us-central1/batchPredictionJobs/123
  vdsl batch results projects/…/batchPredictionJobs/123 --output results.jsonl
  vdsl batch run samples/support_tickets ClassifyTicket --input tickets.csv \\
      --dest gs://any-bucket/t --output results.jsonl --emulator"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    sub = parser.add_subparsers(dest="batch_command", metavar="SUBCOMMAND")
    submit = sub.add_parser("submit", help="check, render and upload the rows; create the job; "
                            "print its name", epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    _job_inputs(submit)
    run = sub.add_parser("run", help="submit (or resume), wait with progress, write results",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _job_inputs(run)
    _output(run)
    run.add_argument("--poll", type=float, default=30.0, metavar="SECONDS",
                     help="seconds between status checks (default 30)")
    run.add_argument("--state-dir", type=Path, metavar="DIR",
                     help="where runs are remembered for resuming (default: $VDSL_BATCH_STATE, "
                          "else batch-runs in vdsl's cache folder)")
    for name, help_ in (("status", "print a job's state and progress"),
                        ("cancel", "ask Vertex to cancel a job")):
        command = sub.add_parser(name, help=help_, epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_argument("job", help="the job name `vdsl batch submit` printed")
        _common(command)
    results = sub.add_parser("results", help="download, parse and write one line per input row",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    results.add_argument("job", help="the job name `vdsl batch submit` printed")
    _output(results)
    _common(results)
    listing = sub.add_parser("list", help="list batch jobs of a project and location",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    listing.add_argument("--project", help="Google Cloud project (default: GOOGLE_CLOUD_PROJECT "
                         "or the credentials' project)")
    listing.add_argument("--location", default=None,
                         help="location (default: GOOGLE_CLOUD_LOCATION, else us-central1)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--all", action="store_true", help="also jobs vdsl did not create")
    _common(listing)


def _job_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a .vdsl/.baml file or a folder of them")
    parser.add_argument("function", help="the function to run on every row")
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
    try:
        return handler(args)
    except CompileError as error:
        from ..exits import compile_failed
        return compile_failed(error)
    except InvalidArgumentError as error:
        return fail(str(error), USAGE)
    except VdslError as error:
        return fail(str(error), FAILED if getattr(error, "bad", None) else RUNTIME)


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
