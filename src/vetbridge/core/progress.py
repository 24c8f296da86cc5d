"""Progress of long jobs run as background tasks (django-tasks), shown on their pages.

A job that must not run inside a request (a simulation, a large import, a report, a
revaluation) is done in four steps:

    progress = progress_create(kind="policylab.simulation", subject=f"policylab.run:{run.pk}",
                               actor=user)
    progress_enqueue(progress, my_task, run_id=run.pk)      # outside any open transaction

    @task()
    def my_task(*, run_id: int, progress_id: int) -> None:
        with progress_tracking(progress_id) as report:
            ...
            report(40, "computing")                         # percent done, step name

`progress_tracking` marks the job running, then done, or failed with the error's text (and
re-raises, so the task's own result is failed too). Progress rows are written with
`update()` outside the job's transactions, so a page polling `progress_get` sees them at once.
See docs/tasks.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import JobProgress, JobStatus

if TYPE_CHECKING:
    from vetbridge.accounts.models import User

Reporter = Callable[[int, str], None]


def progress_create(*, kind: str, subject: str = "", actor: User | None = None) -> JobProgress:
    progress = JobProgress(kind=kind, subject=subject, created_by=actor)
    progress.full_clean()
    progress.save()
    return progress


def progress_enqueue(progress: JobProgress, task: Any, **kwargs: Any) -> JobProgress:
    """Enqueue `task(**kwargs, progress_id=…)` and remember its task id. Call it after the
    transaction that created the job's rows has committed: a worker in another process only
    sees committed rows. (With the immediate backend the task runs here and now.)"""
    result = task.enqueue(progress_id=progress.pk, **kwargs)
    JobProgress.objects.filter(pk=progress.pk).update(task_id=str(result.id)[:64])
    progress.refresh_from_db()
    return progress


def progress_report(progress_id: int, percent: int, step: str = "") -> None:
    JobProgress.objects.filter(pk=progress_id).update(
        percent=max(0, min(100, int(percent))), step=step[:120], updated_at=timezone.now()
    )


@contextmanager
def progress_tracking(progress_id: int) -> Iterator[Reporter]:
    now = timezone.now()
    JobProgress.objects.filter(pk=progress_id).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now, percent=0, error=""
    )
    last = {"percent": -1}

    def report(percent: int, step: str = "") -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            progress_report(progress_id, percent, step)

    try:
        yield report
    except Exception as exc:
        done = timezone.now()
        JobProgress.objects.filter(pk=progress_id).update(
            status=JobStatus.FAILED,
            error=(getattr(exc, "message", "") or f"{type(exc).__name__}: {exc}")[:2000],
            finished_at=done,
            updated_at=done,
        )
        raise
    done = timezone.now()
    JobProgress.objects.filter(pk=progress_id).update(
        status=JobStatus.DONE, percent=100, finished_at=done, updated_at=done
    )


def progress_get(progress_id: int) -> JobProgress:
    return JobProgress.objects.get(pk=progress_id)
