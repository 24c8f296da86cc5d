"""Background tasks of the registry (django-tasks; a worker runs them: `vetbridge manage
db_worker`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django_tasks import task

from vetbridge.core.progress import progress_tracking


@task()
def people_import_task(*, job_id: int, progress_id: int) -> dict[str, Any]:
    """A web import of people (`import_jobs.import_job_start`); messages in the language of
    the user who started it."""
    from .import_jobs import run_import_job
    from .importer import people_import
    from .models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    language = (job.created_by.language if job.created_by else "") or settings.LANGUAGE_CODE
    with translation.override(language), progress_tracking(progress_id) as report:
        return run_import_job(job_id, report, people_import)
