"""Backups that restore: a populated database and its files, backed up, restored elsewhere,
found again record for record and byte for byte; corrupt or mismatched archives refused with
nothing changed. Runs on SQLite and on PostgreSQL (DATABASE_URL decides)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from vetbridge.core.backup import BackupError, create_backup, restore_backup
from vetbridge.core.services import input_from
from vetbridge.people.services import NameInput, PersonInput
from vetbridge.reparation.kinds import ClaimFiling

pytestmark = pytest.mark.django_db(transaction=True)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _pdf(title: str) -> bytes:
    """A small structurally valid PDF (the upload gate refuses a bare header)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\n% " + title.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


@pytest.fixture
def populated(make_user, make_person):
    """People, a claim with two documents, a published memorial record with its photo."""
    from vetbridge.memorial import services as memorial
    from vetbridge.people.services import person_create
    from vetbridge.reparation import services as claims

    admin, editor = make_user("admin"), make_user("memorial_editor")
    people = [
        make_person("Коваленко", "Ігор"),
        make_person("Шевченко", "Тарас"),
        make_person("Петренко", "Олена"),
    ]
    claim = claims.claim_file(actor=admin, person_id=people[0].pk, filing=ClaimFiling("fr_pension"))
    claims.document_add(
        actor=admin, claim_id=claim.pk, name="expertise.pdf", content=_pdf("expertise")
    )
    claims.document_add(
        actor=admin, claim_id=claim.pk, name="certificat.pdf", content=_pdf("certificat")
    )
    fallen = person_create(
        actor=None,
        data=input_from(
            PersonInput, {"lifecycle": "fallen", "lifecycle_date": dt.date(2024, 2, 1)}
        ),
        names=[input_from(NameInput, {"surname": "Бондар", "given_name": "Максим"})],
    )
    record = memorial.record_create_for(actor=editor, person_id=fallen.pk)
    memorial.record_photo_set(actor=editor, record_id=record.pk, content=_png(), source="test")
    return {"admin": admin}


def _counts_here() -> dict[str, int]:
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        out = {}
        for t in tables:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}")  # noqa: S608
            out[t] = cur.fetchone()[0]
    return out


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _target(tmp_path: Path) -> dict:
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        db["NAME"] = f"{db['NAME']}_restored"
    return db


def _counts_there(db: dict) -> dict[str, int]:
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(db["NAME"])
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        conn.close()
        return out
    import psycopg

    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or None, user=db["USER"]
    ) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _stray_row(db: dict) -> None:
    """A change made to the restored database after the restore (one row deleted)."""
    gone = "DELETE FROM django_migrations WHERE app = 'core' AND name = '0001_initial'"
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(db["NAME"])
        conn.execute(gone)
        conn.commit()
        conn.close()
        return
    import psycopg

    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or None, user=db["USER"]
    ) as conn:
        conn.execute(gone)


def _drop(db: dict) -> None:
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            host=db["HOST"],
            port=db["PORT"] or None,
            user=db["USER"],
            autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')


@pytest.fixture
def target(tmp_path):
    db = _target(tmp_path)
    _drop(db)
    yield db
    _drop(db)


def test_backup_then_restore_elsewhere_finds_every_record_and_file(populated, tmp_path, target):
    from vetbridge.accounts.models import AuditLog

    before = _counts_here()
    files = _files(Path(settings.MEDIA_ROOT))
    assert len(files) == 3  # two claim documents and the memorial photo
    assert before["people_person"] >= 4 and before["reparation_claimdocument"] == 2

    archive = create_backup(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["table_counts"] == before
    assert {m["path"].removeprefix("media/"): m["sha256"] for m in manifest["media"]} == files
    assert "reparation" in manifest["migrations"]
    assert AuditLog.objects.filter(
        action="export", object_type="backup", object_id=archive.name
    ).exists()

    restored_media = tmp_path / "restored-media"
    restore_backup(archive, database=target, media_root=restored_media)

    assert _counts_there(target) == before
    assert _files(restored_media) == files
    assert AuditLog.objects.filter(
        action="import", object_type="backup", summary__contains=str(target["NAME"])
    ).exists()

    # Restoring over an existing database and media folder replaces both entirely.
    (restored_media / "stray.txt").write_bytes(b"written after the restore")
    _stray_row(target)
    assert _counts_there(target) != before
    restore_backup(archive, database=target, media_root=restored_media)
    assert _counts_there(target) == before
    assert _files(restored_media) == files


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with members changed by `change(name, data) -> data`."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def _manifest_edit(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        edit(m)
        return json.dumps(m).encode()

    return change


def test_corrupt_or_mismatched_archives_are_refused_and_nothing_changes(
    populated, tmp_path, target
):
    archive = create_backup(tmp_path / "backups")
    media = tmp_path / "live-media"
    media.mkdir()
    (media / "keep.txt").write_bytes(b"untouched")
    first = tmp_path / "first-media"
    restore_backup(archive, database=target, media_root=first)  # a restored target to keep
    target_counts = _counts_there(target)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    altered = _rewrite(
        archive, tmp_path / "altered.tar.gz", lambda n, d: d + b"x" if n.startswith("media/") else d
    )
    other_vendor = _rewrite(
        archive,
        tmp_path / "vendor.tar.gz",
        _manifest_edit(
            lambda m: m.update(
                database_vendor="postgresql" if connection.vendor == "sqlite" else "sqlite"
            )
        ),
    )
    newer = _rewrite(
        archive,
        tmp_path / "newer.tar.gz",
        _manifest_edit(lambda m: m["migrations"]["people"].append("9999_from_the_future")),
    )
    lying = _rewrite(
        archive,
        tmp_path / "counts.tar.gz",
        _manifest_edit(
            lambda m: m["table_counts"].update(people_person=m["table_counts"]["people_person"] + 1)
        ),
    )
    not_tar = tmp_path / "notes.tar.gz"
    not_tar.write_bytes(b"not an archive")

    for bad, words in (
        (truncated, "damaged or truncated"),
        (altered, "checksum mismatch"),
        (other_vendor, "database; this database is"),
        (newer, "newer Vetbridge"),
        (lying, "does not match the manifest"),
        (not_tar, "not a readable backup archive"),
    ):
        with pytest.raises(BackupError, match=words):
            restore_backup(bad, database=target, media_root=media)
        assert _files(media) == {"keep.txt": hashlib.sha256(b"untouched").hexdigest()}, bad
        assert _counts_there(target) == target_counts, bad
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore-")]
    assert not leftovers


def test_cli_backup_writes_an_archive_and_restore_refuses_a_corrupt_one(
    populated, tmp_path, capsys
):
    from vetbridge.cli import main

    assert main(["backup", "--output", str(tmp_path / "out")]) == 0
    archive = Path(capsys.readouterr().out.strip())
    assert archive.is_file() and archive.name.startswith("vetbridge-backup-")
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(archive.read_bytes()[:100])
    assert main(["restore", "--yes", str(bad)]) == 2
    assert "Nothing was changed" in capsys.readouterr().err


def test_cli_restores_over_the_live_database_it_backed_up(tmp_path):
    """The operator's path, in a separate process: migrate a fresh database, add a document
    file and a person, back up, change both, restore: the person and the file are back, the
    later change is gone, and the restore is in the restored audit log."""
    import os
    import subprocess
    import sys

    db = dict(connection.settings_dict)
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="vetbridge.config.settings.dev",
        VETBRIDGE_PRIVATE_MEDIA=str(tmp_path / "media"),
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
    )
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'live.sqlite3'}"
        cleanup = None
    else:
        name = f"{db['NAME']}_cli"
        target = dict(db, NAME=name)
        _drop(target)
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            host=db["HOST"],
            port=db["PORT"] or None,
            user=db["USER"],
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
        cleanup = target

    def run(*args: str, code: str | None = None) -> str:
        cmd = (
            [sys.executable, "-c", code] if code else [sys.executable, "-m", "vetbridge.cli", *args]
        )
        done = subprocess.run(
            cmd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,  # noqa: S603
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    setup = (
        "import django; django.setup(); from pathlib import Path; "
        "from django.conf import settings; from vetbridge.people.services import "
        "NameInput, PersonInput, person_create; person_create(actor=None, "
        "data=PersonInput(), names=[NameInput(surname='Руденко')]); "
        "p = Path(settings.MEDIA_ROOT) / 'claims' / 'a.pdf'; "
        "p.parent.mkdir(parents=True); p.write_bytes(b'%PDF-1.4 a')"
    )
    later = (
        "import django; django.setup(); from pathlib import Path; "
        "from django.conf import settings; from vetbridge.people.models import Person; "
        "Person.objects.all().delete(); "
        "(Path(settings.MEDIA_ROOT) / 'claims' / 'a.pdf').write_bytes(b'changed')"
    )
    check = (
        "import django; django.setup(); from pathlib import Path; "
        "from django.conf import settings; from vetbridge.people.models import Person; "
        "from vetbridge.accounts.models import AuditLog; "
        "print(Person.objects.count(), "
        "(Path(settings.MEDIA_ROOT) / 'claims' / 'a.pdf').read_bytes().decode(), "
        "AuditLog.objects.filter(action='import', object_type='backup').count())"
    )
    try:
        run("manage", "migrate", "--verbosity", "0")
        run(code=setup)
        archive = run("backup", "--output", str(tmp_path / "backups")).strip()
        run(code=later)
        run("restore", "--yes", archive)
        assert run(code=check).split() == ["1", "%PDF-1.4", "a", "1"]
    finally:
        if cleanup:
            _drop(cleanup)
