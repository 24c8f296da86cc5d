"""Background tasks of reparation (django-tasks; a worker runs them: `vetbridge manage
db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from vetbridge.core.progress import progress_tracking


@task()
def revaluation_task(*, on: str, actor_id: int, progress_id: int) -> dict[str, object]:
    """Revalue every French pension in payment on `on`; messages in the officer's language."""
    from vetbridge.accounts.models import User

    from .revaluation import revalue

    actor = User.objects.get(pk=actor_id)
    with (
        translation.override(actor.language or settings.LANGUAGE_CODE),
        progress_tracking(progress_id) as report,
    ):
        result = revalue(on=on, actor=actor, progress=report, sample=0)
    return result.as_dict()
