"""`vdsl batch`: run a function over many rows with Vertex AI batch prediction.

    plan_batch → read_rows → Preparer (render + the adapter's body + the family's batch line)
    → Storage (resumable upload) → Jobs (batchPredictionJobs) → BatchJob.wait → results
    (streamed predictions, matched to rows, parsed to typed values, in input order)

`Runtime.batch(function, rows, dest=…)` is the Python entry point; `vdsl batch` the command.
"""

from __future__ import annotations

from .job import BadRowsError, BatchJob, BatchSession, submit
from .jobs import BatchStatus
from .plan import BatchPlan, Destination, plan_batch
from .results import BatchRow, Summary

__all__ = ["BadRowsError", "BatchJob", "BatchPlan", "BatchRow", "BatchSession", "BatchStatus",
           "Destination", "Summary", "plan_batch", "submit"]
