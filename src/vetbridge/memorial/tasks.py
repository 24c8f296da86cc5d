"""Background tasks of the memorial (django-tasks; a worker runs them: `vetbridge manage
db_worker`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django_tasks import task

from vetbridge.core.progress import progress_tracking


@task()
def memorial_import_task(*, job_id: int, progress_id: int) -> dict[str, Any]:
    """A web import of a list of the fallen (`people.import_jobs.import_job_start`);
    messages in the language of the editor who started it."""
    from vetbridge.people.import_jobs import run_import_job
    from vetbridge.people.models import ImportJob

    from .services import memorial_import

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    language = (job.created_by.language if job.created_by else "") or settings.LANGUAGE_CODE
    with translation.override(language), progress_tracking(progress_id) as report:
        return run_import_job(job_id, report, memorial_import)
