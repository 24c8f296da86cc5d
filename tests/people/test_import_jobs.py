"""Web imports run as background tasks: the page stores the upload, queues the task and
sends the browser to the job's page, which polls the progress and then shows the report
(tests run the immediate backend, so the task has run when the redirect is followed)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from vetbridge.accounts.models import AuditAction, AuditLog, User
from vetbridge.accounts.roles import Role
from vetbridge.core.models import JobProgress, JobStatus
from vetbridge.core.progress import progress_create
from vetbridge.memorial.models import MemorialRecord
from vetbridge.people import import_jobs
from vetbridge.people.models import ImportBatch, ImportJob, Person

pytestmark = pytest.mark.django_db

HEADER = "external_id,surname,given_name,patronymic,birth_date,sex,status\n"
GOOD = "J1,Коваленко,Ігор,,1985-03-02,M,ua_combatant\nJ2,Бойко,Олена,,1990-05-02,F,\n"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, content: bytes, keep_valid: bool = False):
    data = {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")}
    if keep_valid:
        data["keep_valid"] = "on"
    return client.post(url, data)


def test_people_upload_is_queued_then_the_job_page_shows_the_report(world):
    admin = world["users"]["admin"]
    client = _client(admin)
    response = _post(client, "/people/import/", (HEADER + GOOD).encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/import/{job.pk}/"
    assert job.kind == "people" and job.created_by == admin and job.source == "list.csv"
    with default_storage.open(job.file, "rb") as fh:  # the upload, kept privately
        assert fh.read() == (HEADER + GOOD).encode()
    assert job.progress.status == JobStatus.DONE and job.progress.percent == 100
    assert job.progress.kind == "people.import" and job.progress.subject == f"import:{job.pk}"
    batch = ImportBatch.objects.get()
    assert job.batch == batch and job.report["imported"] == 2 and job.report["committed"]
    # One audit entry for the import (the batch), none per row.
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    report = page.context["report"]
    assert (report.total_rows, report.imported, report.rejected_rows, report.error_count) == (
        2,
        2,
        0,
        0,
    )
    for person in Person.objects.filter(import_batch=batch):
        assert f'href="/people/{person.pk}/"' in html
    assert 'id="import-progress"' in html and "hx-get" not in html  # finished: no polling


def test_rejected_rows_are_reported_and_nothing_is_written_unless_keep_valid(world):
    client = _client(world["users"]["admin"])
    bad = "J3,,Петро,,1980-02-30,X,\n"
    page = client.get(_post(client, "/people/import/", (HEADER + GOOD + bad).encode())["Location"])
    report = page.context["report"]
    assert (report.total_rows, report.imported, report.rejected_rows, report.error_count) == (
        3,
        0,
        1,
        3,
    )
    assert not report.committed and not Person.objects.filter(external_id="J1").exists()
    assert 'href="#col-sex"' in page.content.decode()
    page = client.get(
        _post(client, "/people/import/", (HEADER + GOOD + bad).encode(), keep_valid=True)[
            "Location"
        ]
    )
    assert page.context["report"].imported == 2
    assert Person.objects.filter(external_id__in=["J1", "J2"]).count() == 2


def test_a_file_level_problem_fails_the_job_with_the_reason_in_the_users_language(world):
    admin = world["users"]["admin"]
    client = _client(admin)
    response = _post(client, "/people/import/", b"surname,given_name\n\xd0\x91,I\n")
    job = ImportJob.objects.get()
    assert job.progress.status == JobStatus.FAILED and not job.report
    with translation.override(admin.language):
        from django.utils.translation import gettext

        expected = gettext("Missing column(s): %(cols)s. Expected: %(expected)s.").split("%")[0]
    assert job.progress.error.startswith(expected)
    page = client.get(response["Location"])
    assert page.context["report"] is None and job.progress.error in page.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_progress_partial_polls_while_queued_and_asks_for_a_refresh_when_done(world):
    admin = world["users"]["admin"]
    client = _client(admin)
    waiting = ImportJob.objects.create(
        kind="people",
        file="imports/x.csv",
        created_by=admin,
        progress=progress_create(kind="people.import"),
    )
    url = f"/people/import/{waiting.pk}/progress/"
    response = client.get(url)
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert f'hx-get="{url}"' in response.content.decode()
    assert "<progress" in response.content.decode()
    JobProgress.objects.filter(pk=waiting.progress_id).update(status=JobStatus.DONE, percent=100)
    response = client.get(url)
    assert response["HX-Refresh"] == "true" and "hx-get" not in response.content.decode()


def test_progress_moves_with_the_rows_written(world, monkeypatch):
    seen: list[tuple[int, str]] = []
    real = import_jobs.run_import_job

    def spy(job_id, report, importer):
        def recording(percent, step=""):
            seen.append((percent, step))
            report(percent, step)

        return real(job_id, recording, importer)

    monkeypatch.setattr(import_jobs, "WEB_CHUNK", 2)
    monkeypatch.setattr(import_jobs, "run_import_job", spy)
    rows = "".join(f"P{i},Мельник,Іван,,1980-01-01,M,\n" for i in range(8))
    import_jobs.import_job_start(
        actor=world["users"]["admin"],
        kind="people",
        data=(HEADER + rows).encode(),
        source="p.csv",
        keep_valid=False,
    )
    percents = [p for p, _step in seen]
    assert percents[0] == 2 and len(percents) == 5  # checking, then 4 chunks of 2 rows
    assert percents == sorted(percents) and 80 < percents[-1] <= 95


def test_memorial_upload_runs_as_a_task_and_links_the_records(world):
    editor = world["users"]["memorial_editor"]
    client = _client(editor)
    data = "external_id,surname,given_name,death_date\nMJ1,Шевчук,Остап,2023-01-01\n"
    response = _post(client, "/memorial/desk/import/", data.encode())
    job = ImportJob.objects.get()
    assert response["Location"] == f"/memorial/desk/import/{job.pk}/" and job.kind == "memorial"
    record = MemorialRecord.objects.get(person__external_id="MJ1")
    html = client.get(response["Location"]).content.decode()
    assert f'href="/memorial/desk/{record.pk}/"' in html
    assert client.get(f"/memorial/desk/import/{job.pk}/progress/")["HX-Refresh"] == "true"


def test_a_job_is_seen_by_its_author_and_administrators_only(world, make_user):
    editor = world["users"]["memorial_editor"]
    other = make_user(Role.MEMORIAL_EDITOR, username="editor2")
    job = import_jobs.import_job_start(
        actor=editor,
        kind="memorial",
        source="m.csv",
        keep_valid=False,
        data="external_id,surname,given_name,death_date\nMJ2,Шевчук,Остап,2023-01-01\n".encode(),
    )
    url = f"/memorial/desk/import/{job.pk}/"
    assert _client(editor).get(url).status_code == 200
    assert _client(world["users"]["admin"]).get(url).status_code == 200
    assert _client(other).get(url).status_code == 404
    assert _client(other).get(url + "progress/").status_code == 404
    # Nor through the other kind's pages.
    assert _client(world["users"]["admin"]).get(f"/people/import/{job.pk}/").status_code == 404


def test_an_upload_over_the_web_limit_is_refused_on_the_form(world, settings):
    settings.VETBRIDGE_IMPORT_MAX_BYTES = 10
    response = _post(_client(world["users"]["admin"]), "/people/import/", (HEADER + GOOD).encode())
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_every_import_kind_finds_the_task_its_app_declares():
    """The registry declares its import task in its AppConfig as the memorial does; the job
    service has no special case for either."""
    from vetbridge.memorial.tasks import memorial_import_task
    from vetbridge.people.import_jobs import KINDS, import_task
    from vetbridge.people.tasks import people_import_task

    assert {kind: import_task(kind) for kind in KINDS} == {
        "people": people_import_task,
        "memorial": memorial_import_task,
    }
    with pytest.raises(LookupError):
        import_task("pensions")
