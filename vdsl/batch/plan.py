"""A batch job's plan: which function, client, model and wire format, where the files go.

Everything a job needs that does not depend on the rows is decided and checked here, before
a row is read: a batch job runs one model (a fallback or round-robin client must name one
member with `--client`), through OAuth (API keys do not reach batch jobs), for a family and
model Vertex batch prediction serves (the catalog's `batch` flag), into Cloud Storage
(`gs://BUCKET/PREFIX`) or BigQuery (`bq://PROJECT.DATASET`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from ..errors import BatchError
from ..ir import ClientDecl, FunctionDecl
from ..project import Project
from ..providers import Adapter, adapter_for
from ..providers.catalog import MODELS, lookup
from ..providers.options import ClientOptions, resolve_options
from ..render.clients import STRATEGY_PROVIDERS, resolve_client
from ..render.prompt import find_function
from .lines import BATCH_FAMILIES

__all__ = ["BatchPlan", "BigQueryDataset", "Destination", "parse_destination", "plan_batch"]

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
PROJECT_ID = r"(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
"""A Google Cloud project id (optionally domain-scoped, `example.com:proj`)."""
DATASET_ID = r"[A-Za-z0-9_]{1,1024}"
_DATASET = re.compile(rf"^bq://({PROJECT_ID})\.({DATASET_ID})$")


@dataclass(frozen=True)
class Destination:
    """A Cloud Storage folder: `gs://BUCKET/PREFIX`."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> Destination:
        if not uri.startswith("gs://"):
            raise BatchError(f"not a Cloud Storage folder gs://BUCKET/PREFIX: {uri!r}")
        bucket, _, prefix = uri[5:].partition("/")
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise BatchError(f"`{bucket}` is not a valid Cloud Storage bucket name")
        return cls(bucket, prefix.strip("/"))

    def uri(self, name: str = "") -> str:
        path = "/".join(p for p in (self.prefix, name) if p)
        return f"gs://{self.bucket}/{path}"

    def child(self, name: str) -> Destination:
        return Destination(self.bucket, "/".join(p for p in (self.prefix, name) if p))


@dataclass(frozen=True)
class BigQueryDataset:
    """A BigQuery dataset: `bq://PROJECT.DATASET`. A job's input, manifest and output are
    tables in it, named after the run (`vdsl_RUN_input`, `…_manifest`, `…_output`)."""

    project: str
    dataset: str

    @classmethod
    def parse(cls, uri: str) -> BigQueryDataset:
        found = _DATASET.match(uri)
        if found is None:
            raise BatchError(f"not a BigQuery dataset bq://PROJECT.DATASET: {uri!r} (a project "
                             "id is 6-30 lowercase letters, digits and hyphens; a dataset "
                             "name letters, digits and underscores)")
        return cls(found.group(1), found.group(2))

    def uri(self, table: str = "") -> str:
        return f"bq://{self.project}.{self.dataset}" + (f".{table}" if table else "")


def parse_destination(uri: str) -> Destination | BigQueryDataset:
    """`--dest`: a Cloud Storage folder or a BigQuery dataset."""
    if uri.startswith("bq://"):
        return BigQueryDataset.parse(uri)
    if uri.startswith("gs://"):
        return Destination.parse(uri)
    raise BatchError(f"--dest must be a Cloud Storage folder gs://BUCKET/PREFIX or a BigQuery "
                     f"dataset bq://PROJECT.DATASET, got {uri!r}")


def split_uri(uri: str) -> tuple[str, str]:
    """`gs://bucket/a/b` → (`bucket`, `a/b`)."""
    if not uri.startswith("gs://"):
        raise BatchError(f"not a Cloud Storage URI: {uri!r}")
    bucket, _, name = uri[5:].partition("/")
    return bucket, name


def object_path(name: str) -> str:
    return quote(name, safe="")


@dataclass
class BatchPlan:
    """What one batch job runs: the function, its client's options and adapter, the model."""

    project: Project
    fn: FunctionDecl
    client: str
    options: ClientOptions
    adapter: Adapter
    family: str
    model_resource: str
    """`publishers/{publisher}/models/{id}`, as batchPredictionJobs takes it."""
    location: str
    warnings: list[str] = field(default_factory=list)


def plan_batch(project: Project, function: str, *, client: str | None = None,
               env: Mapping[str, str]) -> BatchPlan:
    """Check that `function` can run as a batch job with `client` (default: its own)."""
    fn = find_function(project, function)
    ref = client or fn.client
    if not ref:
        raise BatchError(f"{fn.name}: the function has no client")
    _one_model(project, ref)
    info = resolve_client(project, ref)
    if info.provider != "vertex-ai":
        raise BatchError(f"client `{info.name}`: provider `{info.provider}` cannot run batch "
                         "jobs; vdsl runs vertex-ai clients")
    options = resolve_options(info.name, info.options, env)
    adapter = adapter_for(options.model, options.resolved.get("publisher"))
    warnings = _check_model(info.name, options, adapter.family)
    if options.api_key:
        raise BatchError(f"client `{info.name}` authenticates with an API key; batch jobs and "
                         "Cloud Storage need OAuth credentials (remove query_params.key)")
    if options.base_url:
        raise BatchError(f"client `{info.name}` sets base_url; batch jobs go to Vertex's own "
                         "batchPredictionJobs endpoint (remove base_url, or pick another client)")
    if not options.location:
        raise BatchError(f"client `{info.name}`: options.location is required for batch jobs")
    return BatchPlan(project, fn, info.name, options, adapter, adapter.family,
                     _resource(options, adapter.family), options.location, warnings)


def _one_model(project: Project, ref: str) -> None:
    decl = project.find(ref)
    if isinstance(decl, ClientDecl) and (decl.provider or "") in STRATEGY_PROVIDERS:
        raise BatchError(f"client `{ref}` is a {decl.provider} client; a batch job runs one "
                         "model: pass --client (client=…) with one of its members")


def _check_model(client: str, options: ClientOptions, family: str) -> list[str]:
    model = options.model
    if family not in BATCH_FAMILIES:
        raise BatchError(f"client `{client}`: model `{model}` ({family}) has no batch "
                         f"prediction on Vertex AI; batch serves {_supported()}")
    info = lookup(model)
    if info is None:
        return [(f"model `{model}` is not in vdsl's catalog: whether Vertex batch serves it "
                "is not checked")]
    if info.retired:
        raise BatchError(f"client `{client}`: model `{model}` is retired on Vertex AI")
    if info.batch is False:
        raise BatchError(f"client `{client}`: model `{model}` does not support batch "
                         f"prediction on Vertex AI; models that do: {_supported()}")
    if info.batch is None:
        return [(f"model `{model}`: batch support is likely but not confirmed in Google's "
                "batch pages")]
    return []


def _supported() -> str:
    return ", ".join(m.id for m in MODELS if m.batch and not m.retired)


def _resource(options: ClientOptions, family: str) -> str:
    model = options.model
    if model.startswith("publishers/"):
        return model
    info = lookup(model)
    if family == "openai_compat":
        publisher, _, name = (info.id if info else model).partition("/")
        return f"publishers/{publisher}/models/{name}" if name else \
            f"publishers/{options.resolved.get('publisher') or 'meta'}/models/{publisher}"
    publisher = info.publisher if info else ("anthropic" if family == "anthropic" else "google")
    return f"publishers/{publisher}/models/{info.id if info else model}"
