"""One `vendorwatch run` per database: an exclusive lock on a file beside it.

Two daemons on one database would fetch and store the same mail twice over and fight
over the single SQLite writer. `flock` on `<database>.lock` is released by the kernel when
the process dies, however it dies, so a crash never leaves a stale lock behind; the pid
written into the file only serves the error message of the second daemon.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import StoreError


class AlreadyRunning(StoreError):
    """Another `vendorwatch run` holds the database."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """`acquire()` or raise `AlreadyRunning`; `release()` (or process exit) frees it."""

    def __init__(self, database: Path):
        self.database = Path(database)
        self.path = lock_path(self.database)
        self._fd: int | None = None

    def acquire(self) -> DatabaseLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the lock file: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise AlreadyRunning(
                f"{self.database}: another `vendorwatch run`{who} already uses this database; "
                "stop it first (e.g. systemctl stop vendorwatch) or pass another --db"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Unlock; the file stays (removing it would race with a daemon starting now)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> DatabaseLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
