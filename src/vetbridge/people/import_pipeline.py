"""The row checks of a large import on the second core.

`people_import` and `memorial_import` of a file of at least `PIPELINE_MIN` lines (and a
machine with more than one core) read the file in a second process (a fresh interpreter,
`python -m vetbridge.people.import_pipeline`, talking over two pipes with
`multiprocessing`'s connections: nothing is inherited, no database connection or thread
state crosses over, and unlike `multiprocessing`'s `spawn` the importing program's main
module is not run again) while the importing process writes. The caller names the checker
the second process runs (one of `CHECKERS`: `importer.people_chunks` over
`importer.iter_people_rows`, `memorial.services.memorial_chunks` over
`memorial.services.iter_memorial_rows`): the same checks, the same messages in the same
language, the same line numbers, the same order as the single-process path. It sends the
checked rows chunk by chunk as columns of plain values (`registration.PeopleChunk`: lists
of strings and integers pickle about ten times faster than objects); the importing process
writes each chunk while the next is being checked. The checking process needs Django's
settings and translations, never the database.

All or nothing, one audit entry, the progress callback and the web task are those of the
single-process paths; only the order of the work changes. If the importing process dies
(`kill -9`), the checking process finds its pipe closed and ends; if the checking process
dies, the import fails and its transaction rolls back.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PIPELINE_MIN = 50_000  # lines from which the checks run in their own process
# The checkers a checking process may run: `checker(data, *, chunk, **options)` yields
# tuples of plain values (one per chunk of `chunk` rows) in file order, and raises
# `ApplicationError` for a file-level problem.
CHECKERS = frozenset(
    {
        "vetbridge.people.importer:people_chunks",
        "vetbridge.memorial.services:memorial_chunks",
    }
)


def wanted(data: bytes) -> bool:
    """Whether a file is worth a second process (its start costs about a second)."""
    return (os.cpu_count() or 1) > 1 and data.count(b"\n") >= PIPELINE_MIN


def _check_in_process(conn: Connection, job: Connection) -> None:
    """The checking process: the chunks the caller's checker yields, then "end"."""
    settings_module, language, checker, data, options, chunk = job.recv()
    job.close()
    gc.disable()  # a process of its own that ends with the file: no cyclic garbage to collect
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django

        django.setup()
        from django.utils import translation

        from vetbridge.core.exceptions import ApplicationError

        if language:
            translation.activate(language)
        try:
            for item in _checker(checker)(data, chunk=chunk, **options):
                conn.send(("rows", item))
        except ApplicationError as exc:  # a file-level problem, in the importer's language
            conn.send(("file", str(exc.message)))
            return
        conn.send(("end",))
    except (BrokenPipeError, ConnectionResetError):  # the importing process is gone
        return
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send(("crash", traceback.format_exc()))
        raise
    finally:
        conn.close()


def _checker(path: str) -> Callable[..., Iterable[tuple[Any, ...]]]:
    """The checking function named `module:function`, only from one of CHECKERS."""
    if path not in CHECKERS:
        raise ValueError(f"not an import checker: {path}")
    module, name = path.split(":")
    checker: Callable[..., Iterable[tuple[Any, ...]]] = getattr(
        importlib.import_module(module), name
    )
    return checker


def _settings_module() -> str:
    """The settings module this process started from (under `override_settings` too)."""
    from django.conf import UserSettingsHolder, settings

    held: Any = getattr(settings, "_wrapped", None)
    while isinstance(held, UserSettingsHolder):
        held = held.default_settings
    module = getattr(held, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        raise RuntimeError("the import pipeline needs settings from a module")
    return str(module)


class CheckedChunks:
    """The chunks of checked rows, from a process of their own; a context manager (the
    process is ended on the way out, whatever happened). `checker` (one of CHECKERS) is
    run there over the file with `chunk` and `options`; iterating yields the tuples it
    yields (for `people_chunks`: lines, PeopleChunk, [(line, field, reason)], rows read);
    a file-level problem raises `ApplicationError` with the checking process's message."""

    def __init__(self, data: bytes, *, checker: str, chunk: int, **options: Any) -> None:
        from django.conf import settings
        from django.utils import translation

        if checker not in CHECKERS:
            raise ValueError(f"not an import checker: {checker}")
        if options.get("max_bytes") is None:  # resolved here: overridden settings stay here
            options["max_bytes"] = settings.VETBRIDGE_IMPORT_MAX_BYTES
        rows_read, rows_write = os.pipe()  # checked rows, child to parent
        job_read, job_write = os.pipe()  # the job, parent to child
        import vetbridge

        env = dict(os.environ)
        src = str(Path(vetbridge.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
            [sys.executable, "-m", __name__, str(rows_write), str(job_read)],
            pass_fds=(rows_write, job_read),
            env=env,
        )
        os.close(rows_write)  # the child's ends: an EOF here once the child is gone
        os.close(job_read)
        self._recv = Connection(rows_read, writable=False)
        with Connection(job_write, readable=False) as job:
            job.send(
                (_settings_module(), translation.get_language(), checker, data, options, chunk)
            )

    def __enter__(self) -> CheckedChunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._recv.close()  # a child still sending finds the pipe closed and ends
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()  # stopped before the end of the file (an error)
            self._process.wait()

    def __iter__(self) -> Iterator[Any]:
        from vetbridge.core.exceptions import ApplicationError

        while True:
            try:
                message = self._recv.recv()
            except EOFError as exc:
                raise RuntimeError("the import's checking process ended unexpectedly") from exc
            if message[0] == "rows":
                yield message[1]
            elif message[0] == "end":
                return
            elif message[0] == "file":
                raise ApplicationError(message[1])
            else:
                raise RuntimeError(f"the import's checking process failed:\n{message[1]}")


if __name__ == "__main__":
    _check_in_process(
        Connection(int(sys.argv[1]), readable=False), Connection(int(sys.argv[2]), writable=False)
    )
