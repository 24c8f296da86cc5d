"""Backups that restore: the database and the private media files in one verified archive.

Archive (`vetbridge-backup-<UTC time>.tar.gz`):
    manifest.json      format, created time, Vetbridge version, database vendor, applied
                       migrations, row count of every table, sha256 and size of every part
    database.sqlite3   SQLite: a page-by-page copy made with the online backup API
    database.pgdump    PostgreSQL: `pg_dump -Fc` of a snapshot shared with the row counts
    media/...          every file under MEDIA_ROOT (claim documents, memorial photos...)

Restore refuses an archive that is unreadable, incomplete, altered (any sha256 differs), made
for the other database vendor, or made by a newer Vetbridge (migrations this code does not
know). It never half-restores: the database is rebuilt in a temporary place (a file beside
the target, or a temporary PostgreSQL database) and checked (integrity, the row count of every
table) while the media files are unpacked beside MEDIA_ROOT; only then are both swapped in
(SQLite: one backup-API copy, a single transaction; PostgreSQL: database renames; media: a
directory rename, undone if the database swap fails).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump / pg_restore with argument lists, never a shell)
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
PG_PART = "database.pgdump"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


# ---------------------------------------------------------------- helpers


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    ):
        return str(candidate)
    raise BackupError(f"{name} not found (install the PostgreSQL client tools)")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any], name: str | None = None) -> list[str]:
    args = ["--dbname", str(name or db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[:800]}")


def _table_counts(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    out: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        out.setdefault(app, []).append(name)
    return out


def _sqlite_facts(path: Path) -> tuple[dict[str, int], dict[str, list[str]], str]:
    """Row counts, applied migrations and integrity of a SQLite file."""
    conn = sqlite3.connect(path)
    try:
        cur = conn.cursor()
        integrity = cur.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = _table_counts(cur, tables, lambda t: '"' + t.replace('"', '""') + '"')
        migrations = _migrations(cur) if "django_migrations" in tables else {}
        return counts, migrations, str(integrity)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the archive cannot be read: {exc}") from exc
    finally:
        conn.close()


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# ---------------------------------------------------------------- backup


def create_backup(output_dir: Path, *, actor: Any = None) -> Path:
    """Write one archive into `output_dir` and return its path (audited)."""
    from vetbridge import __version__
    from vetbridge.accounts.audit import audit_record
    from vetbridge.accounts.models import AuditAction

    output_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"database vendor {vendor} is not supported")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            part = work / SQLITE_PART
            connection.ensure_connection()
            raw = connection.connection
            dest = sqlite3.connect(part)
            try:
                raw.backup(dest)  # online: a consistent copy while others keep working
            finally:
                dest.close()
            counts, migrations, _integrity = _sqlite_facts(part)
        else:
            part = work / PG_PART
            counts, migrations = _pg_dump(part)
        parts = [{"path": part.name, "sha256": sha256_file(part), "size": part.stat().st_size}]
        media: list[dict[str, Any]] = [
            {
                "path": "media/" + f.relative_to(media_root).as_posix(),
                "sha256": sha256_file(f),
                "size": f.stat().st_size,
            }
            for f in _media_files(media_root)
        ]
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "vetbridge_version": __version__,
            "database_vendor": vendor,
            "migrations": migrations,
            "table_counts": counts,
            "database": parts[0],
            "media": media,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        final = output_dir / f"vetbridge-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
        partial = final.with_name(final.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:  # gzip's own default
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(part, arcname=part.name)
            for item in media:
                tar.add(media_root / item["path"].removeprefix("media/"), arcname=item["path"])
        partial.replace(final)  # a half-written archive never carries the final name
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="backup",
            object_id=final.name[:64],
            summary=f"{final.name} {vendor} {len(media)} files",
            changes={
                "sha256": sha256_file(final),
                "tables": len(counts),
                "rows": sum(counts.values()),
            },
        )
    return final


def _pg_dump(part: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """pg_dump of the snapshot in which the row counts are taken (the same data exactly)."""
    db = connection.settings_dict
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        tables = connection.introspection.table_names(cur)
        counts = _table_counts(cur, tables, connection.ops.quote_name)
        migrations = _migrations(cur)
        _run(
            [
                pg_binary("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                "--file",
                str(part),
                *_pg_args(db),
            ],
            _pg_env(db),
        )
    return counts, migrations


# ---------------------------------------------------------------- restore


def _safe_extract(archive: Path, into: Path) -> list[str]:
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed below)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive.name} is not a readable backup archive ({exc})") from exc
    names: list[str] = []
    try:
        with tar:
            for member in tar.getmembers():
                name = member.name
                if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
                    raise BackupError(f"unexpected entry in the archive: {name[:200]}")
                names.append(name)
            tar.extractall(into, filter="data")
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive.name} is damaged or truncated ({exc})") from exc
    return names


def verify_archive(
    archive: Path,
    into: Path,
    vendor_here: str | None = None,
) -> dict[str, Any]:
    """Unpack into `into` and check everything against the manifest; return the manifest."""
    names = _safe_extract(archive, into)
    if MANIFEST not in names:
        raise BackupError("the archive has no manifest.json: not a Vetbridge backup")
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        parts = [manifest["database"], *manifest["media"]]
        vendor = manifest["database_vendor"]
        manifest["migrations"], manifest["table_counts"]  # noqa: B018 (must be present)
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"the manifest is not valid ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"archive format {manifest.get('format')} is not supported "
            f"(this version reads format {FORMAT})"
        )
    if vendor_here and vendor != vendor_here:
        raise BackupError(f"the archive holds a {vendor} database; this database is {vendor_here}")
    expected_part = SQLITE_PART if vendor == "sqlite" else PG_PART
    if manifest["database"].get("path") != expected_part:
        raise BackupError("the manifest names the wrong database part")
    listed = {p["path"] for p in parts}
    extra = set(names) - listed - {MANIFEST}
    if extra:
        raise BackupError(f"files not in the manifest: {', '.join(sorted(extra)[:5])}")
    for p in parts:
        path = into / p["path"]
        if not path.is_file():
            raise BackupError(f"missing from the archive: {p['path']}")
        if sha256_file(path) != p["sha256"]:
            raise BackupError(
                f"checksum mismatch for {p['path']}: the archive is corrupt or was altered"
            )
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "the archive was made by a newer Vetbridge (migrations unknown to "
            f"this version: {', '.join(unknown[:5])}); restore with that version"
        )


def _check_counts(manifest: dict[str, Any], counts: dict[str, int]) -> None:
    if counts != manifest["table_counts"]:
        diff = sorted(
            t
            for t in set(counts) | set(manifest["table_counts"])
            if counts.get(t) != manifest["table_counts"].get(t)
        )
        raise BackupError(
            f"the restored database does not match the manifest (tables "
            f"{', '.join(diff[:5])}); nothing was changed"
        )


@contextmanager
def _media_swap(staged: Path, media_root: Path) -> Iterator[None]:
    """Put the staged media in place; put the old files back if the block fails."""
    previous = media_root.with_name(media_root.name + ".pre-restore")
    if previous.exists():
        shutil.rmtree(previous)
    had_old = media_root.exists()
    if had_old:
        media_root.rename(previous)
    staged.rename(media_root)
    try:
        yield
    except BaseException:
        shutil.rmtree(media_root, ignore_errors=True)
        if had_old:
            previous.rename(media_root)
        raise
    if had_old:
        shutil.rmtree(previous, ignore_errors=True)


def restore_backup(
    archive: Path,
    *,
    actor: Any = None,
    database: dict[str, Any] | None = None,
    media_root: Path | None = None,
) -> dict[str, Any]:
    """Restore `archive` into the database (default: Django's) and MEDIA_ROOT; audited.

    `database` is a Django settings dict for restoring elsewhere (e.g. a new SQLite file or a
    new PostgreSQL database name on the same server)."""
    db = dict(database or connection.settings_dict)
    vendor = (
        "sqlite"
        if db["ENGINE"].endswith("sqlite3")
        else "postgresql"
        if "postgresql" in db["ENGINE"]
        else db["ENGINE"]
    )
    media_root = Path(media_root or settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = verify_archive(archive, work, vendor)
        _check_migrations(manifest)
        staged_media = work / "media"
        staged_media.mkdir(exist_ok=True)
        if vendor == "sqlite":
            _restore_sqlite(work / SQLITE_PART, db, manifest, staged_media, media_root)
        else:
            _restore_pg(work / PG_PART, db, manifest, staged_media, media_root)
    _audit_restore(archive, manifest, db, actor)
    return manifest


def _restore_sqlite(
    part: Path, db: dict[str, Any], manifest: dict[str, Any], staged_media: Path, media_root: Path
) -> None:
    target = str(db["NAME"])
    if target == ":memory:" or target.startswith("file::memory:"):
        raise BackupError("cannot restore into an in-memory database")
    counts, _migr, integrity = _sqlite_facts(part)
    if integrity != "ok":
        raise BackupError(f"the database in the archive fails its integrity check: {integrity}")
    _check_counts(manifest, counts)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with _media_swap(staged_media, media_root):
        source = sqlite3.connect(part)
        dest = sqlite3.connect(target, timeout=30)
        try:
            # One backup-API copy: the target changes in a single transaction, or not at all.
            source.backup(dest)
        except sqlite3.Error as exc:
            raise BackupError(f"writing {target} failed: {exc}; nothing was changed") from exc
        finally:
            dest.close()
            source.close()
    if connection.settings_dict.get("NAME") == target:
        connection.close()  # the next query sees the restored file


def _pg_connect(db: dict[str, Any], name: str) -> Any:
    import psycopg

    kwargs = {
        k: v
        for k, v in {
            "host": db.get("HOST"),
            "port": db.get("PORT"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }.items()
        if v
    }
    return psycopg.connect(dbname=name, autocommit=True, **kwargs)


def _restore_pg(
    part: Path, db: dict[str, Any], manifest: dict[str, Any], staged_media: Path, media_root: Path
) -> None:
    from psycopg import sql

    target = str(db["NAME"])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    temp_name = f"{target[:40]}_restore_{stamp}"
    old_name = f"{target[:40]}_pre_restore_{stamp}"
    admin = _pg_connect(db, "postgres")
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(temp_name)))
        try:
            _run(
                [
                    pg_binary("pg_restore"),
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    *_pg_args(db, temp_name),
                    str(part),
                ],
                _pg_env(db),
            )
            with _pg_connect(db, temp_name) as conn, conn.cursor() as cur:
                cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                tables = [r[0] for r in cur.fetchall()]
                counts = _table_counts(cur, tables, lambda t: sql.Identifier(t).as_string(cur))
            _check_counts(manifest, counts)
        except BaseException:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(temp_name)))
            raise
        exists = (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone()
            is not None
        )
        if connection.settings_dict.get("NAME") == target:
            connections.close_all()
        with _media_swap(staged_media, media_root):
            if exists:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [target],
                )
                admin.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(target), sql.Identifier(old_name)
                    )
                )
            try:
                admin.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(temp_name), sql.Identifier(target)
                    )
                )
            except BaseException:
                if exists:
                    admin.execute(
                        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            sql.Identifier(old_name), sql.Identifier(target)
                        )
                    )
                raise
        if exists:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(old_name)))
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f"PostgreSQL refused the restore: {exc}") from exc
    finally:
        admin.close()


def _audit_restore(archive: Path, manifest: dict[str, Any], db: dict[str, Any], actor: Any) -> None:
    """Restoring Django's own database records it in the restored database itself; restoring
    elsewhere (a drill) records it in Django's database, naming the target."""
    from vetbridge.accounts.audit import audit_entry
    from vetbridge.accounts.models import AuditAction, User

    here = db.get("NAME") == connection.settings_dict.get("NAME") and db.get(
        "HOST"
    ) == connection.settings_dict.get("HOST")
    entry = audit_entry(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="backup",
        object_id=archive.name[:64],
        summary=f"restore {archive.name} ({manifest['created_at']})"
        + ("" if here else f" into {db.get('NAME')}"),
        changes={
            "sha256": sha256_file(archive),
            "rows": sum(manifest["table_counts"].values()),
            "files": len(manifest["media"]),
            "database": str(db.get("NAME")),
        },
    )
    # The acting account may not exist in the restored database: its name is kept.
    if entry.actor_id and not User.objects.filter(pk=entry.actor_id).exists():
        entry.actor = None
    with transaction.atomic():
        entry.save()
