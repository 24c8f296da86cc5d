"""Backup and restore: what the checks cost against the plain tools at their best.

Builds a database of N people (two spellings each) and F private files of S KB, then times:
- ours: `create_backup` (SQLite online backup API, or pg_dump -Fc of the snapshot the row
  counts are taken in; sha256 of every part; manifest) and `restore_backup` (unpack, verify
  every sha256, rebuild in a temporary place, integrity check and row counts, swap);
- the peer at its best, with no checks at all: SQLite's backup API (or `pg_dump -Fc`) and
  `tar -czf` for the backup, `tar -xzf` and a file copy (or `pg_restore` into a new database)
  for the restore.
Prints seconds, archive size, and the ratio ours/peer for each database.

    .venv/bin/python bench/backup_restore.py [--people 50000] [--files 200] [--kb 100]
        [--pg postgres://vetbridge@127.0.0.1:54330/vb_bench | none]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _setup(db_url: str, media: Path) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = str(media)


def _populate(people: int, files: int, kb: int, media: Path) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from vetbridge.people.models import Person, PersonName

    call_command("migrate", verbosity=0)
    now = timezone.now()
    for start in range(1, people + 1, 10_000):
        ids = range(start, min(start + 10_000, people + 1))
        Person.objects.bulk_create(
            [
                Person(
                    pk=i,
                    lifecycle="alive",
                    created_at=now,
                    updated_at=now,
                    birth_date=dt.date(1990, 1, 1) + dt.timedelta(days=i % 9000),
                )
                for i in ids
            ],
            batch_size=5000,
        )
        PersonName.objects.bulk_create(
            [
                PersonName(
                    person_id=i,
                    surname=f"Коваленко{i}",
                    given_name="Ігор",
                    language="uk",
                    is_preferred=True,
                    created_at=now,
                    script="Cyrl",
                )
                for i in ids
            ]
            + [
                PersonName(
                    person_id=i,
                    surname=f"Kovalenko{i}",
                    given_name="Ihor",
                    language="en",
                    is_preferred=False,
                    created_at=now,
                    script="Latn",
                )
                for i in ids
            ],
            batch_size=5000,
        )
    folder = media / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        (folder / f"doc{k:05d}.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(kb * 1024))


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(db_url: str, vendor: str, args: argparse.Namespace, work: Path) -> None:
    from django.db import connection

    from vetbridge.core.backup import create_backup, pg_binary, restore_backup

    media = work / "media"
    _populate(args.people, args.files, args.kb, media)

    archive, ours_backup = _timed(lambda: create_backup(work / "ours"))
    db = dict(connection.settings_dict)
    target = dict(db)
    if vendor == "sqlite":
        target["NAME"] = str(work / "restored.sqlite3")
    else:
        target["NAME"] = f"{db['NAME']}_restored"
    _, ours_restore = _timed(
        lambda: restore_backup(archive, database=target, media_root=work / "restored-media")
    )

    peer = work / "peer"
    peer.mkdir()
    env = dict(os.environ)

    def peer_backup() -> Path:
        if vendor == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(peer / "db.sqlite3")
            connection.connection.backup(dest)
            dest.close()
        else:
            subprocess.run(
                [
                    pg_binary("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "--no-acl",
                    "-f",
                    str(peer / "db.pgdump"),
                    "-d",
                    db["NAME"],
                    "-h",
                    db["HOST"],
                    "-p",
                    str(db["PORT"]),
                    "-U",
                    db["USER"],
                ],
                check=True,
                env=env,
            )
        out = work / "peer.tar.gz"
        subprocess.run(["tar", "-czf", str(out), "-C", str(work), "peer", "media"], check=True)
        return out

    peer_archive, peer_backup_s = _timed(peer_backup)

    def peer_restore() -> None:
        into = work / "peer-restore"
        into.mkdir()
        subprocess.run(["tar", "-xzf", str(peer_archive), "-C", str(into)], check=True)
        if vendor == "sqlite":
            shutil.copyfile(into / "peer" / "db.sqlite3", work / "peer-restored.sqlite3")
        else:
            name = f"{db['NAME']}_peer"
            base = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
            subprocess.run(["dropdb", "--if-exists", *base, name], check=True, env=env)
            subprocess.run(["createdb", *base, name], check=True, env=env)
            subprocess.run(
                [
                    pg_binary("pg_restore"),
                    "--no-owner",
                    "--no-acl",
                    "-d",
                    name,
                    *base,
                    str(into / "peer" / "db.pgdump"),
                ],
                check=True,
                env=env,
            )
            subprocess.run(["dropdb", *base, name], check=True, env=env)

    _, peer_restore_s = _timed(peer_restore)
    mb = archive.stat().st_size / 1e6
    print(
        f"{vendor:<10} people={args.people:,} files={args.files} x {args.kb} KB  "
        f"archive {mb:.1f} MB (peer {peer_archive.stat().st_size / 1e6:.1f} MB)"
    )
    print(
        f"  backup : ours {ours_backup:6.2f} s  peer {peer_backup_s:6.2f} s  "
        f"ratio {ours_backup / peer_backup_s:.2f}"
    )
    print(
        f"  restore: ours {ours_restore:6.2f} s  peer {peer_restore_s:6.2f} s  "
        f"ratio {ours_restore / peer_restore_s:.2f}  (ours verifies sha256, integrity, "
        "row counts; the peer checks nothing)"
    )
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(
            dbname="postgres", host=db["HOST"], port=db["PORT"], user=db["USER"], autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')


def child(vendor: str, db_url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="vb-bench-backup-") as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            db_url = f"sqlite:///{work / 'live.sqlite3'}"
        _setup(db_url, work / "media")
        run(db_url, vendor, args, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kb", type=int, default=100)
    parser.add_argument(
        "--pg",
        default="none",
        help="a PostgreSQL URL to use (a database that may be dropped), or none",
    )
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.pg, args)
        return
    runs = [("sqlite", "")] + ([] if args.pg == "none" else [("postgresql", args.pg)])
    for vendor, url in runs:
        if vendor == "postgresql":
            import psycopg

            name = url.rsplit("/", 1)[1]
            base = url.rsplit("/", 1)[0]
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        cmd = [
            sys.executable,
            __file__,
            "--child",
            vendor,
            "--pg",
            url or "none",
            "--people",
            str(args.people),
            "--files",
            str(args.files),
            "--kb",
            str(args.kb),
        ]
        subprocess.run(cmd, check=True)
        if vendor == "postgresql":
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
