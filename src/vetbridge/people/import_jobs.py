"""Web imports as background tasks: the page stores the upload and queues the import; the
task runs the same importer as the command line (`people_import`, `memorial_import`) with
its progress stored (`core/progress.py`), then keeps the report on the `ImportJob`; the
status page polls the progress and then shows the report. See docs/tasks.md.

The registry's and the memorial's imports share this; each app has its own task (in its
`tasks.py`) that hands its importer to `run_import_job`, so the registry never imports the
memorial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.accounts.scoping import require
from vetbridge.core.exceptions import ApplicationError, NotFoundError
from vetbridge.core.models import JobProgress
from vetbridge.core.progress import Reporter, progress_create, progress_enqueue

from .importer import ImportReport
from .models import ImportJob
from .registration import store_import_file

KINDS: dict[str, Capability] = {
    "people": Capability.PEOPLE_IMPORT,
    "memorial": Capability.MEMORIAL_EDIT,
}
CREATED_KEPT = 200  # the report keeps (and links) the first people created
REJECTED_KEPT = 2000  # and the first rejections (the counts cover all of them)
WEB_CHUNK = 2000  # rows per write round of a web import: its progress moves every 2,000 rows


@dataclass
class JobReport:
    """The stored report of an import job, as `_import_report.html` reads it."""

    total_rows: int = 0
    imported: int = 0
    rejected_rows: int = 0
    error_count: int = 0
    committed: bool = False
    suspected_duplicates: int = 0
    batch: int | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, report: ImportReport) -> JobReport:
        return cls(
            total_rows=report.total_rows,
            imported=report.imported,
            rejected_rows=report.rejected_rows,
            error_count=report.error_count,
            committed=report.committed,
            suspected_duplicates=report.suspected_duplicates,
            batch=report.batch_id,
            rejected=[e.as_dict() for e in report.rejected[:REJECTED_KEPT]],
            created_ids=list(report.created_ids[:CREATED_KEPT]),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobReport:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def import_task(kind: str) -> Any:
    """The task that runs a web import of this kind, as its app declares it in
    `AppConfig.import_tasks` (the registry's people, the memorial's list of the fallen)."""
    for config in apps.get_app_configs():
        path = getattr(config, "import_tasks", {}).get(kind)
        if path:
            return import_string(path)
    raise LookupError(f"no import task for {kind!r}")


def import_job_start(
    *, actor: User, kind: str, data: bytes, source: str, keep_valid: bool
) -> ImportJob:
    """Store the upload privately (under its hash), record the job and queue its task.
    The size limit of web uploads is checked here, at once; every other check runs in
    the task, row by row, as on the command line."""
    require(actor, KINDS[kind])
    if len(data) > settings.VETBRIDGE_IMPORT_MAX_BYTES:
        raise ApplicationError(
            _("The file is too large (%(size)s bytes; the limit is %(max)s).")
            % {"size": len(data), "max": settings.VETBRIDGE_IMPORT_MAX_BYTES}
        )
    _digest, name = store_import_file(data=data)
    with transaction.atomic():
        progress = progress_create(kind=f"{kind}.import", actor=actor)
        job = ImportJob.objects.create(
            kind=kind,
            source=source[:200],
            file=name,
            keep_valid=keep_valid,
            progress=progress,
            created_by=actor,
        )
        progress.subject = f"import:{job.pk}"
        progress.save(update_fields=["subject"])
    task = import_task(kind)
    progress_enqueue(progress, task, job_id=job.pk)  # after the commit: a worker sees the job
    job.refresh_from_db()
    return job


def run_import_job(
    job_id: int, report: Reporter, importer: Callable[..., ImportReport]
) -> dict[str, Any]:
    """The body of an import task: read the stored file, run `importer` with a progress
    callback (percent of the file's rows written), keep the report on the job."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with default_storage.open(job.file, "rb") as fh:
        data = fh.read()
    expected = max(1, data.count(b"\n"))  # rows in the file, near enough for a percentage
    written = 0
    report(2, _("checking the rows"))

    def progress(n: int) -> None:
        nonlocal written
        written += n
        report(5 + 90 * min(written, expected) // expected, _("writing"))

    result = importer(
        actor=job.created_by,
        data=data,
        keep_valid=job.keep_valid,
        source=job.source,
        progress=progress,
        chunk=WEB_CHUNK,
    )
    stored = JobReport.of(result).as_dict()
    ImportJob.objects.filter(pk=job.pk).update(report=stored, batch_id=result.batch_id)
    return stored


def import_job_get(*, user: User, kind: str, job_id: int) -> ImportJob:
    """The job, for its author or an administrator holding the import capability."""
    require(user, KINDS[kind])
    job = ImportJob.objects.select_related("progress", "batch").filter(pk=job_id, kind=kind).first()
    if job is None or (job.created_by_id != user.pk and user.role != Role.ADMIN):
        raise NotFoundError(_("This import does not exist."))
    return job


def job_report(job: ImportJob) -> JobReport | None:
    """The report once the task has finished and kept one (None before, or on failure)."""
    progress: JobProgress | None = job.progress
    if not job.report or (progress is not None and not progress.finished):
        return None
    return JobReport.from_dict(job.report)
