"""The database on a full disk or made read-only: one clear line, no state past what was
stored, and the next sync resumes once the disk is writable again.

Two ways to fill the disk: SQLite's own limit (`PRAGMA max_page_count` on vendorwatch's
connection, so SQLite answers SQLITE_FULL exactly as on a full disk), which runs anywhere;
and, when the tests run as root and `mount` works, a real 1 MB tmpfs that
later grows with `mount -o remount`. Read-only likewise: a read-only connection anywhere,
and a tmpfs remounted read-only (as root, file modes do not stop writes) or, when not
root, the file and its directory without write permission.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, write_config
from servers.dovecot import Dovecot
from servers.plugin import seeded_dovecot
from vendorwatch.daemon.store import Store

sys.path.insert(0, str(REPO / "bench"))

pytestmark = pytest.mark.imap

PASSWORD_ENV = "VW_STORAGE_PASSWORD"
OWNER = "owner@test.example"
MESSAGES = 400
ROOM_PAGES = 80  # what the injected limit leaves for mail: about 320 KB, a part of the mailbox
NO_HANG_SECONDS = 120


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    with seeded_dovecot(MESSAGES, seed=31, owner=OWNER) as dovecot:
        yield dovecot


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch, server: Dovecot) -> None:
    monkeypatch.setenv(PASSWORD_ENV, server.password)


def config_for(directory: Path, db: Path, server: Dovecot, folders=("INBOX", "Sent")) -> Path:
    lines = [
        "[owner]",
        f'addresses = ["{OWNER}"]',
        "",
        "[[accounts]]",
        'name = "test"',
        f'host = "{server.host}"',
        f"port = {server.port}",
        'tls = "none"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        "timeout = 10",
        "batch_size = 40",
        "folders = [" + ", ".join(f'"{f}"' for f in folders) + "]",
        "",
        "[storage]",
        f'database = "{db}"',
        "",
        "[sync]",
        "analysis = false",
    ]
    directory.mkdir(parents=True, exist_ok=True)
    return write_config(directory / f"config-{len(folders)}.toml", "\n".join(lines) + "\n")


def sync_process(config: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=NO_HANG_SECONDS)


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and not line.startswith("sync: ")]


def assert_store_error(code: int, err: str, *expected: str) -> None:
    """Exit status 3 (a storage problem) and one line on stderr that names the cause."""
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == 3, err
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert any(text in lines[0] for text in expected), lines[0]
    print(lines[0])  # shown with -s: what a user reads


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def assert_state_not_ahead(db: Path) -> None:
    """Every UID a folder's sync state covers has its message stored (UIDs here are dense)."""
    for folder, last_uid, stored in rows(
        db,
        "SELECT s.folder, s.last_uid, (SELECT count(*) FROM locations l WHERE "
        "l.folder = s.folder AND CAST(l.item AS INTEGER) <= s.last_uid) "
        "FROM sync_state s WHERE s.folder != '*'",
    ):
        assert stored == last_uid, f"{folder}: state at UID {last_uid} with {stored} stored"


def assert_exact(db: Path, server: Dovecot, folders=("INBOX", "Sent")) -> None:
    ids = [r[0] for r in rows(db, "SELECT message_id FROM messages")]
    wanted = {i for f in folders for i in server.message_ids(f)}
    assert len(ids) == len(set(ids)) == len(wanted) and set(ids) == wanted


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def pages_limited(room: int) -> Iterator[None]:
    """Every database vendorwatch opens may grow by only `room` pages: SQLITE_FULL after."""
    real = Store.open.__func__

    def limited(cls, path, *, create: bool = True) -> Store:
        store = real(cls, path, create=create)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + room}")
        return store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "open", classmethod(limited))
        yield


@contextlib.contextmanager
def read_only_connections() -> Iterator[None]:
    """vendorwatch's connections open the file read-only (SQLITE_READONLY on any write)."""
    real = sqlite3.connect

    def read_only(path, *args, **kwargs):
        kwargs["uri"] = True
        return real(f"file:{path}?mode=ro", *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("vendorwatch.daemon.store.sqlite3.connect", read_only)
        yield


def test_injected_full_disk_stops_cleanly_and_resumes(tmp_path, server, password, run_cli):
    db = tmp_path / "vw.db"
    config = config_for(tmp_path, db, server)
    assert run_cli("--config", str(config), "status").code == 3  # no database yet: fine
    with pages_limited(ROOM_PAGES):
        result = run_cli("--config", str(config), "sync", "--once")
    assert_store_error(result.code, result.err, "disk is full")
    stored = rows(db, "SELECT count(*) FROM messages")[0][0]
    assert 0 < stored < MESSAGES  # it filled up part way, as the test intends
    assert_state_not_ahead(db)
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"

    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0, result.err
    assert_exact(db, server)


def test_read_only_database_changes_nothing_and_resumes(tmp_path, server, password, run_cli):
    db = tmp_path / "vw.db"
    inbox_only = config_for(tmp_path, db, server, folders=("INBOX",))
    both = config_for(tmp_path, db, server)
    assert run_cli("--config", str(inbox_only), "sync", "--once").code == 0
    before = digest(db)
    state = rows(db, "SELECT * FROM sync_state")
    with read_only_connections():
        result = run_cli("--config", str(both), "sync", "--once")
    assert_store_error(result.code, result.err, "read-only")
    assert digest(db) == before and rows(db, "SELECT * FROM sync_state") == state

    result = run_cli("--config", str(both), "sync", "--once")
    assert result.code == 0, result.err
    assert_exact(db, server)


# -- a real small disk (root with a working `mount`) -------------------------------------


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs at tmp_path/disk; grow it with `remount(path, "size=64m")`."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(disk))
    if done.returncode != 0:
        pytest.skip(f"mount does not work here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def remount(disk: Path, option: str) -> None:
    done = _mount("-o", f"remount,{option}", str(disk))
    assert done.returncode == 0, done.stderr


def test_real_full_disk_stops_cleanly_and_resumes(tmp_path, server, password, small_disk):
    db = small_disk / "vw.db"
    config = config_for(tmp_path, db, server)
    done = sync_process(config)
    assert_store_error(done.returncode, done.stderr, "disk is full")
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    stored = rows(db, "SELECT count(*) FROM messages")[0][0]
    assert 0 < stored < MESSAGES  # the disk filled up part way through the backfill
    assert_state_not_ahead(db)

    remount(small_disk, "size=64m")
    done = sync_process(config)
    assert done.returncode == 0, done.stderr
    assert_exact(db, server)


def test_read_only_disk_changes_nothing_and_resumes(tmp_path, server, password):
    """A read-only mount as root, or a read-only file and directory for another user."""
    if os.geteuid() == 0:
        disk = tmp_path / "disk"
        disk.mkdir()
        done = _mount("-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", str(disk))
        if done.returncode != 0:
            pytest.skip(f"mount does not work here: {done.stderr.strip()}")
    else:
        disk = tmp_path / "disk"
        disk.mkdir()
    try:
        db = disk / "vw.db"
        assert sync_process(config_for(tmp_path, db, server, folders=("INBOX",))).returncode == 0
        before = digest(db)
        if os.geteuid() == 0:
            remount(disk, "ro")
        else:
            db.chmod(0o400)
            disk.chmod(0o500)
        done = sync_process(config_for(tmp_path, db, server))
        assert_store_error(done.returncode, done.stderr, "read-only")
        assert digest(db) == before
        if os.geteuid() == 0:
            remount(disk, "rw")
        else:
            disk.chmod(0o700)
            db.chmod(0o600)
        done = sync_process(config_for(tmp_path, db, server))
        assert done.returncode == 0, done.stderr
        assert_exact(db, server)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def test_daemon_on_a_full_disk_keeps_running_and_resumes(tmp_path, server, password, small_disk):
    """`vendorwatch run` reports the full disk, stays up retrying, and catches up once the
    disk has room again; its sync state never runs ahead of what it stored."""
    import signal
    import time

    db = small_disk / "vw.db"
    config = config_for(tmp_path, db, server, folders=("INBOX",))
    log_path = tmp_path / "daemon.log"
    cmd = [sys.executable, "-m", "vendorwatch.daemon", "--log-level", "info"]
    cmd += ["--config", str(config), "run"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:

        def wait(predicate, what: str) -> None:
            deadline = time.monotonic() + NO_HANG_SECONDS
            while not predicate():
                text = log_path.read_text(errors="replace")
                assert proc.poll() is None, f"the daemon exited before {what}:\n{text}"
                assert time.monotonic() < deadline, f"no {what}:\n{text}"
                time.sleep(0.1)

        wait(lambda: "disk is full" in log_path.read_text(errors="replace"), "full disk report")
        time.sleep(1)  # a retry or two against the full disk
        assert proc.poll() is None
        assert_state_not_ahead(db)
        remount(small_disk, "size=64m")
        inbox = set(server.message_ids("INBOX"))
        wait(
            lambda: {r[0] for r in rows(db, "SELECT message_id FROM messages")} == inbox,
            "catch-up after the disk grew",
        )
        assert len(rows(db, "SELECT message_id FROM messages")) == len(inbox)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    text = log_path.read_text(errors="replace")
    assert proc.returncode == 0 and "Traceback" not in text, text[-3000:]
