"""Background tasks of the policy lab (django-tasks; a worker runs them: `vetbridge manage
db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from vetbridge.core.progress import progress_tracking


@task()
def simulation_task(*, run_id: int, progress_id: int) -> int:
    """Simulate one stored run; messages (a failure's reason) in the language of its author."""
    from .models import SimulationRun
    from .services import run_execute

    author = SimulationRun.objects.select_related("created_by").get(pk=run_id).created_by
    language = getattr(author, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language), progress_tracking(progress_id) as report:
        run_execute(run_id=run_id, progress=report)
    return run_id
