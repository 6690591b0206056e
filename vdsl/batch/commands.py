"""What each `vdsl batch` subcommand does (the argument parsing is in `cli.py`)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .cli import FAILED, OK, RUNTIME, emit, endpoint
from .job import BatchJob, BatchSession
from .jobs import BatchStatus, parse_name
from .prepare import Prepared
from .progress import Progress
from .results import Summary
from .runstate import RunState, input_identity, run_key

__all__ = ["cancel", "listing", "results", "run_job", "status", "submit"]

EMULATOR_POLL = 0.25


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import vdsl
    return vdsl.load(args.path)


def _base_dir(path: str) -> Path:
    folder = Path(path)
    return folder if folder.is_dir() else folder.parent


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _prepared(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Bad rows are listed as they are skipped (without --skip-bad-rows the error lists them)."""
    return _list_bad if args.skip_bad_rows else None


def _list_bad(report: Prepared) -> None:
    for bad in report.bad[:20]:
        print(f"bad row: {bad.where}: {bad.error}", file=sys.stderr)
    if len(report.bad) > 20:
        print(f"bad rows: … and {len(report.bad) - 20} more", file=sys.stderr)


def submit(args: argparse.Namespace) -> int:
    from ..runtime import Runtime
    from .api import start
    project = _load(args)
    with endpoint(args, args.path) as url, \
            Runtime(project, endpoint=url, base_dir=_base_dir(args.path)) as runtime:
        job = start(runtime, args.function, args.input, dest=args.dest, client=args.client,
                    display_name=args.display_name, skip_bad_rows=args.skip_bad_rows,
                    input_format=args.input_format, warn=_warn, on_prepared=_prepared(args))
        manifest = job.manifest()
        print(f"submitted {manifest.submitted} of {manifest.rows} rows as {job.name}\n"
              f"follow it: vdsl batch status {job.name}"
              + (" --emulator" if args.emulator else ""), file=sys.stderr)
        emit(args, {"job": job.name, "rows": manifest.rows, "submitted": manifest.submitted,
                    "skipped": [b.to_list() for b in manifest.bad]}, job.name)
    return OK


def run_job(args: argparse.Namespace) -> int:
    from ..runtime import Runtime
    from .api import start
    from .plan import plan_batch
    project = _load(args)
    key = run_key(Path(args.path).resolve(), args.function, args.client,
                  input_identity(args.input), args.dest, args.display_name, args.emulator)
    state = RunState(args.state_dir or RunState.default_folder(), key)
    with endpoint(args, args.path) as url, \
            Runtime(project, endpoint=url, base_dir=_base_dir(args.path)) as runtime:
        plan = plan_batch(project, args.function, client=args.client,
                          env=runtime._environment(None))
        session, gcp_project = runtime.batch_session(plan)
        job = _resume(state, session, gcp_project, plan.location, project)
        if job is None:
            state.save(phase="submitting", started=time.time())
            job = start(runtime, args.function, args.input, dest=args.dest,
                        client=args.client, display_name=args.display_name,
                        skip_bad_rows=args.skip_bad_rows, input_format=args.input_format,
                        run=key, warn=_warn, on_prepared=_prepared(args))
            state.save(phase="submitted", job=job.name)
            print(f"submitted {job.name}", file=sys.stderr)
        else:
            print(f"resuming {job.name} (submitted earlier by this command)", file=sys.stderr)
        poll = args.poll if args.poll != 30.0 or not args.emulator else EMULATOR_POLL
        return _follow(args, job, state, poll)


def _resume(state: RunState, session: BatchSession, gcp_project: str, location: str,
            project: object) -> BatchJob | None:
    from .api import find_run
    name = state.job
    if name is None and state.phase == "submitting":
        found = find_run(session, gcp_project, location, state.key)
        name = found.name if found is not None else None
        if name is not None:
            state.save(phase="submitted", job=name)
    if name is None:
        return None
    return BatchJob(session, name, project=project)  # type: ignore[arg-type]


def _follow(args: argparse.Namespace, job: BatchJob, state: RunState, poll: float) -> int:
    progress = Progress()
    try:
        status = job.wait(poll=poll, on_status=progress.update)
    except KeyboardInterrupt:
        progress.close()
        print(f"\ninterrupted: {job.name} keeps running; run the same command again to "
              "resume waiting (nothing is submitted twice)", file=sys.stderr)
        return 130
    progress.close()
    summary = job.write_results(args.output)
    state.save(phase="collected")
    return _report(args, job.name, status, summary)


def _report(args: argparse.Namespace, name: str, status: BatchStatus, summary: Summary) -> int:
    cost = f" · ~${summary.cost:.6f} at batch prices" if summary.cost is not None else ""
    text = (f"{summary.rows} rows: {summary.ok} ok, {summary.failed} failed, "
            f"{summary.skipped} skipped, {summary.missing} missing · tokens in "
            f"{summary.input_tokens} / out {summary.output_tokens}{cost} · job "
            f"{status.short_state}\nwrote {args.output}")
    if not summary.complete:
        text += (f"\nINCOMPLETE: {summary.missing} rows have no prediction (job "
                 f"{status.short_state}); their lines say \"missing\"")
    if status.error:
        text += f"\njob error: {status.error}"
    print(text, file=sys.stderr)
    emit(args, {"job": name, "output": str(args.output), **summary.to_dict()}, "")
    all_ok = summary.ok == summary.rows
    return OK if all_ok else FAILED


def _session(args: argparse.Namespace, url: str | None,
             project: str | None = None) -> BatchSession:
    return BatchSession.standalone(endpoint=url, project=project)


def status(args: argparse.Namespace) -> int:
    parse_name(args.job)
    with endpoint(args, None) as url:
        session = _session(args, url)
        try:
            found = BatchJob(session, args.job).status()
        finally:
            session.close()
    emit(args, found.to_dict(), _describe(found))
    return OK


def _describe(found: BatchStatus) -> str:
    total = f"/{found.total}" if found.total is not None else ""
    lines = [found.name, f"state: {found.short_state}",
             f"rows: {found.processed}{total} done ({found.failed} failed)"]
    if found.display_name:
        lines.insert(1, f"display name: {found.display_name}")
    if found.error:
        lines.append(f"error: {found.error}")
    if found.output_dir or found.output_table:
        lines.append(f"output: {found.output_dir or found.output_table}")
    return "\n".join(lines)


def cancel(args: argparse.Namespace) -> int:
    parse_name(args.job)
    with endpoint(args, None) as url:
        session = _session(args, url)
        try:
            found = BatchJob(session, args.job).cancel()
        finally:
            session.close()
    emit(args, found.to_dict(), f"{found.name}: {found.short_state}")
    return OK


def results(args: argparse.Namespace) -> int:
    parse_name(args.job)
    with endpoint(args, None) as url:
        session = _session(args, url)
        try:
            job = BatchJob(session, args.job)
            summary = job.write_results(args.output)
            found = job.status()
        finally:
            session.close()
    code = _report(args, args.job, found, summary)
    return code if found.state != "JOB_STATE_FAILED" else RUNTIME


def listing(args: argparse.Namespace) -> int:
    with endpoint(args, None) as url:
        session = _session(args, url, args.project)
        try:
            gcp_project = session.project()
            location = args.location or os.environ.get("GOOGLE_CLOUD_LOCATION") or \
                "us-central1"
            found = list(session.jobs.list(gcp_project, location,
                                           filter=None if args.all else 'labels.vdsl="batch"',
                                           limit=args.limit))
        finally:
            session.close()
    rows = [f"{s.name}  {s.short_state:<10} {s.processed}/{s.total if s.total is not None else '?'}"
            f"  {s.display_name}" for s in found]
    emit(args, {"jobs": [s.to_dict() for s in found]},
         "\n".join(rows) if rows else f"no batch jobs in {gcp_project}/{location}")
    return OK


