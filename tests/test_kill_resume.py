"""kill -9 at random points of a 5,000-message backfill, 20 times, then resume: the end
state equals one clean sync, row for row.

Each batch is stored in one transaction together with the sync state that covers it, so
whatever instant the process dies at (starting up, migrating, fetching, parsing in the
workers, inside the write transaction) the database holds whole batches and a state that
does not run ahead of them. This test kills the whole process group (the parse workers
too) at seeded random moments: a third at a random time after start, the rest a random
delay after the stored count passes a random mark, so kills land all along the backfill.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, write_config
from servers.dovecot import Dovecot
from servers.plugin import seeded_dovecot

sys.path.insert(0, str(REPO / "bench"))
import mailgen  # noqa: E402

pytestmark = [pytest.mark.imap, pytest.mark.slow]

MESSAGES = 5_000
KILLS = 20
SEED = 20_261_127
PASSWORD_ENV = "VW_KILL_PASSWORD"
OWNER = "owner@test.example"
FOLDERS = ("INBOX", "Sent")
NO_HANG_SECONDS = 300
# Columns that record when a row was written, the only ones allowed to differ.
WRITE_TIMES = {"ingested_at", "seen_at", "last_sync", "at", "created_at", "updated_at"}


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    """Seeded once for the module: 5,000 generated messages split into INBOX and Sent."""
    with seeded_dovecot(MESSAGES, seed=21, owner=OWNER) as dovecot:
        yield dovecot


def config_for(directory: Path, server: Dovecot) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["[owner]", f'addresses = ["{OWNER}"]', ""]
    for vendor in mailgen.vendor_config(0):
        lines += [
            "[[vendors]]",
            f'name = "{vendor["name"]}"',
            "addresses = [" + ", ".join(f'"{a}"' for a in vendor["addresses"]) + "]",
            "domains = [" + ", ".join(f'"{d}"' for d in vendor["domains"]) + "]",
            "",
        ]
    lines += [
        "[[accounts]]",
        'name = "test"',
        f'host = "{server.host}"',
        f"port = {server.port}",
        'tls = "none"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        "timeout = 30",
        "batch_size = 100",
        "folders = [" + ", ".join(f'"{f}"' for f in FOLDERS) + "]",
        "",
        "[storage]",
        f'database = "{directory / "vw.db"}"',
        "",
        "[sync]",
        "analysis = false",
    ]
    return write_config(directory / "config.toml", "\n".join(lines) + "\n")


def command(config: Path) -> list[str]:
    return [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"]


def environment(server: Dovecot) -> dict[str, str]:
    return dict(os.environ, **{PASSWORD_ENV: server.password})


def stored_count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created or not migrated yet
        return 0


def kill_at_random(config: Path, server: Dovecot, rng: random.Random, mark: int) -> str:
    """Start a sync and SIGKILL its process group at a random moment; says when."""
    proc = subprocess.Popen(
        command(config),
        env=environment(server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    db = config.parent / "vw.db"
    if rng.random() < 1 / 3:
        delay = rng.uniform(0.05, 1.5)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        when = f"{delay:.2f} s after start"
    else:
        deadline = time.monotonic() + NO_HANG_SECONDS
        while proc.poll() is None and stored_count(db) < mark:
            assert time.monotonic() < deadline, "the sync made no progress"
            time.sleep(0.01)
        delay = rng.uniform(0, 0.3)
        time.sleep(delay)
        when = f"{delay:.2f} s after {mark} stored"
    finished = proc.poll() is not None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return when + (" (had already finished)" if finished else "")


def table(db: Path, name: str) -> list[tuple]:
    """Every row of a table without its write-time columns, in primary key order;
    blobs as their hash so a failure prints something readable."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        kept = [c for c in columns if c not in WRITE_TIMES]
        rows = conn.execute(f"SELECT {', '.join(kept)} FROM {name} ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()
    return [
        tuple(hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v for v in row)
        for row in rows
    ]


def check_intact(db: Path) -> None:
    """SQLite's own checks, and no folder state ahead of its stored locations."""
    if not db.exists():
        return
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "sync_state" not in tables:
            return
        behind = conn.execute(
            "SELECT s.folder, s.last_uid, (SELECT count(*) FROM locations l "
            "WHERE l.folder = s.folder AND CAST(l.item AS INTEGER) <= s.last_uid) "
            "FROM sync_state s WHERE s.folder != '*'"
        ).fetchall()
        orphans = conn.execute(
            "SELECT count(*) FROM locations l LEFT JOIN messages m USING (message_key) "
            "WHERE m.id IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0
    for folder, last_uid, stored in behind:
        # UIDs are dense from 1 on this server, so the state covers exactly `last_uid`
        assert stored == last_uid, f"{folder}: state at UID {last_uid}, {stored} stored"


def fts_matches(db: Path, word: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", (word,)
        ).fetchone()[0]
    finally:
        conn.close()


def test_kill_9_twenty_times_then_resume_equals_one_clean_sync(tmp_path, server):
    rng = random.Random(SEED)
    clean = config_for(tmp_path / "clean", server)
    done = subprocess.run(
        command(clean),
        env=environment(server),
        capture_output=True,
        text=True,
        timeout=NO_HANG_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    clean_db = clean.parent / "vw.db"
    assert stored_count(clean_db) == MESSAGES

    killed = config_for(tmp_path / "killed", server)
    killed_db = killed.parent / "vw.db"
    marks = sorted(rng.sample(range(1, MESSAGES), KILLS))
    history = []
    for mark in marks:
        history.append(kill_at_random(killed, server, rng, mark))
        check_intact(killed_db)
        print(f"kill {len(history)}: {history[-1]}, {stored_count(killed_db)} stored")
    assert stored_count(killed_db) < MESSAGES, f"no kill interrupted the end: {history}"
    resumed = subprocess.run(
        command(killed),
        env=environment(server),
        capture_output=True,
        text=True,
        timeout=NO_HANG_SECONDS,
    )
    assert resumed.returncode == 0, resumed.stderr

    for name in ("messages", "raw_messages", "attachments", "locations", "ingest_errors"):
        assert table(killed_db, name) == table(clean_db, name), f"{name} differs; kills: {history}"
    state = "sync_state"
    assert table(killed_db, state) == table(clean_db, state)
    for word in ("invoice", "draft", "payment"):
        assert fts_matches(killed_db, word) == fts_matches(clean_db, word)
