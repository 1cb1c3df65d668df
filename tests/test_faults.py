"""Network faults between vendorwatch and a real Dovecot: nothing lost, nothing doubled.

A fault proxy (servers/faultproxy.py) resets the connection in the middle of a FETCH
literal, stalls, trickles bytes one at a time or cuts the line after N bytes. Each fault
goes through `vendorwatch sync --once` in its own process (so a hang is caught by a
timeout instead of freezing the run). The faulted run either ends with one error line
that says what happened or finishes; its database never claims more than it stored;
and once the line is healthy again, another sync leaves exactly the server's messages.
"""

from __future__ import annotations

import os
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
from servers.faultproxy import FaultProxy
from servers.plugin import seeded_dovecot

sys.path.insert(0, str(REPO / "bench"))
import mailgen  # noqa: E402

pytestmark = pytest.mark.imap

PASSWORD_ENV = "VW_FAULT_PASSWORD"
OWNER = "owner@test.example"
INBOX_MESSAGES = 240
SMALL_MESSAGES = 12
NO_HANG_SECONDS = 120  # a run still going after this is a hang, whatever the machine
TIMEOUT = 2  # the account's `timeout` key: seconds for each socket operation


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    """One Dovecot for the module: INBOX and Sent from generated mail, a small folder."""
    with seeded_dovecot(INBOX_MESSAGES, seed=11, owner=OWNER) as dovecot:
        dovecot.create_folder("Small")
        dovecot.append_many("Small", list(mailgen.generate(SMALL_MESSAGES, seed=12)))
        yield dovecot


@pytest.fixture(scope="module")
def proxy(server: Dovecot) -> Iterator[FaultProxy]:
    with FaultProxy(server.host, server.port) as fault_proxy:
        yield fault_proxy


@pytest.fixture
def line(proxy: FaultProxy) -> Iterator[FaultProxy]:
    """The proxy in pass mode with fresh counters; back to pass after the test."""
    proxy.set_mode("pass")
    proxy.reset_counters()
    yield proxy
    proxy.set_mode("pass")


def config_for(tmp_path: Path, proxy: FaultProxy, server: Dovecot, folders: tuple[str, ...]):
    lines = [
        "[owner]",
        f'addresses = ["{OWNER}"]',
        "",
        "[[accounts]]",
        'name = "test"',
        f'host = "{proxy.host}"',
        f"port = {proxy.port}",
        'tls = "none"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        f"timeout = {TIMEOUT}",
        "batch_size = 40",
        "folders = [" + ", ".join(f'"{f}"' for f in folders) + "]",
        "",
        "[storage]",
        f'database = "{tmp_path / "vw.db"}"',
        "",
        "[sync]",
        "analysis = false",
    ]
    return write_config(tmp_path / "config.toml", "\n".join(lines) + "\n")


def sync_once(config: Path, server: Dovecot) -> subprocess.CompletedProcess[str]:
    """`vendorwatch sync --once` in a fresh process; a run that never ends fails the test."""
    env = dict(os.environ, **{PASSWORD_ENV: server.password})
    cmd = [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"]
    try:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=NO_HANG_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sync --once still running after {NO_HANG_SECONDS} s: it hung", False)


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the user reads about the failure: stderr without the progress lines."""
    return [
        line for line in done.stderr.splitlines() if line.strip() and not line.startswith("sync: ")
    ]


def assert_one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = error_lines(done)
    assert len(lines) == 1, done.stderr
    assert "account test" in lines[0], lines[0]
    assert any(text in lines[0] for text in expected), lines[0]
    print(lines[0])  # shown with -s: what a user reads
    return lines[0]


def db_rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def assert_consistent(db: Path, server: Dovecot, folders: tuple[str, ...]) -> None:
    """Whatever happened: no duplicate, nothing the server lacks, and no folder's sync state
    past a UID whose message is not stored (else the next sync would skip it for ever)."""
    if not db.exists():
        return
    ids = [r[0] for r in db_rows(db, "SELECT message_id FROM messages")]
    assert len(ids) == len(set(ids))
    wanted = {i for f in folders for i in server.message_ids(f)}
    assert set(ids) <= wanted
    state = dict(db_rows(db, "SELECT folder, last_uid FROM sync_state WHERE folder != '*'"))
    for folder, last_uid in state.items():
        stored = {
            int(r[0]) for r in db_rows(db, f"SELECT item FROM locations WHERE folder = '{folder}'")
        }
        covered = {uid for uid in server.uids(folder) if uid <= last_uid}
        assert covered <= stored, f"{folder}: sync state {last_uid} is past unstored UIDs"


def assert_exact(db: Path, server: Dovecot, folders: tuple[str, ...]) -> None:
    ids = [r[0] for r in db_rows(db, "SELECT message_id FROM messages")]
    wanted = {i for f in folders for i in server.message_ids(f)}
    assert len(ids) == len(set(ids)) == len(wanted)
    assert set(ids) == wanted


def recover(tmp_path: Path, config: Path, server: Dovecot, folders: tuple[str, ...]) -> None:
    """With the line healthy again, one more sync leaves exactly the server's messages."""
    done = sync_once(config, server)
    assert done.returncode == 0, done.stderr
    assert_exact(tmp_path / "vw.db", server, folders)


BOTH = ("INBOX", "Sent")


def test_reset_in_the_middle_of_a_fetch_literal(tmp_path, server, line):
    config = config_for(tmp_path, line, server, BOTH)
    line.set_mode("reset")
    done = sync_once(config, server)
    assert line.faults >= 1
    assert_one_line_error(done, "connection reset", "closed the connection")
    assert_consistent(tmp_path / "vw.db", server, BOTH)
    line.set_mode("pass")
    recover(tmp_path, config, server, BOTH)


def test_reset_after_a_first_clean_part_resumes_exactly(tmp_path, server, line):
    """A first sync stores part of the mailbox, the next is reset, the third completes."""
    config = config_for(tmp_path, line, server, ("Small",))
    assert sync_once(config, server).returncode == 0
    config = config_for(tmp_path, line, server, BOTH)
    line.set_mode("reset")
    assert_one_line_error(sync_once(config, server), "connection reset", "closed the connection")
    assert_consistent(tmp_path / "vw.db", server, (*BOTH, "Small"))
    line.set_mode("pass")
    done = sync_once(config, server)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in db_rows(tmp_path / "vw.db", "SELECT message_id FROM messages")]
    wanted = {i for f in (*BOTH, "Small") for i in server.message_ids(f)}
    assert len(ids) == len(set(ids)) == len(wanted) and set(ids) == wanted


def test_stalled_server_at_connect_times_out(tmp_path, server, line):
    config = config_for(tmp_path, line, server, BOTH)
    line.set_mode("stall")
    done = sync_once(config, server)
    assert line.faults >= 1
    assert_one_line_error(done, "timed out")
    line.set_mode("pass")
    recover(tmp_path, config, server, BOTH)


def test_stall_in_the_middle_of_a_fetch_times_out(tmp_path, server, line):
    config = config_for(tmp_path, line, server, BOTH)
    line.set_mode("stall", in_literal=True)
    done = sync_once(config, server)
    assert line.faults >= 1
    assert_one_line_error(done, "timed out")
    assert_consistent(tmp_path / "vw.db", server, BOTH)
    line.set_mode("pass")
    recover(tmp_path, config, server, BOTH)


def test_one_byte_at_a_time_still_syncs_exactly(tmp_path, server, line):
    folders = ("Small",)
    config = config_for(tmp_path, line, server, folders)
    line.set_mode("trickle")
    done = sync_once(config, server)
    assert done.returncode == 0, done.stderr
    assert_exact(tmp_path / "vw.db", server, folders)


@pytest.mark.parametrize(
    "after",
    [
        pytest.param(12, id="in-greeting"),
        pytest.param(400, id="after-login"),
        pytest.param(30_000, id="mid-fetch"),
        pytest.param(150_000, id="later-batch"),
    ],
)
def test_line_cut_after_n_bytes(tmp_path, server, line, after):
    config = config_for(tmp_path, line, server, BOTH)
    line.set_mode("cut", after=after)
    done = sync_once(config, server)
    assert line.faults >= 1
    assert_one_line_error(done, "closed the connection", "connection reset", "EOF")
    assert_consistent(tmp_path / "vw.db", server, BOTH)
    line.set_mode("pass")
    recover(tmp_path, config, server, BOTH)


# -- the same faults under the running daemon (`vendorwatch run`) ----------------------------

DAEMON_FOLDER = "Daemon"
DAEMON_DEADLINE = 90.0  # seconds for one recovery: backoff waits, timeouts, a loaded CI


class Daemon:
    """`vendorwatch run` as a subprocess, its output in a file."""

    def __init__(self, tmp_path: Path, config: Path, server: Dovecot):
        self.log_path = tmp_path / "daemon.log"
        self.db = tmp_path / "vw.db"
        env = dict(os.environ, **{PASSWORD_ENV: server.password})
        cmd = [sys.executable, "-m", "vendorwatch.daemon", "--log-level", "info"]
        cmd += ["--config", str(config), "--db", str(self.db), "run"]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, predicate, what: str, timeout: float = DAEMON_DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the daemon exited ({self.proc.returncode}) before {what}:\n{self.log}"
                )
            if predicate():
                return
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}; daemon log:\n{self.log[-3000:]}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


def daemon_config(tmp_path: Path, proxy: FaultProxy, server: Dovecot) -> Path:
    lines = [
        "[owner]",
        f'addresses = ["{OWNER}"]',
        "",
        "[[accounts]]",
        'name = "test"',
        f'host = "{proxy.host}"',
        f"port = {proxy.port}",
        'tls = "none"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        f"timeout = {TIMEOUT}",
        "batch_size = 40",
        "poll_interval = 1",
        f'folders = ["{DAEMON_FOLDER}"]',
        f'idle = ["{DAEMON_FOLDER}"]',
        "",
        "[sync]",
        "analysis = false",
    ]
    return write_config(tmp_path / "daemon.toml", "\n".join(lines) + "\n")


def daemon_holds_exactly(daemon: Daemon, server: Dovecot) -> bool:
    if not daemon.db.exists():
        return False
    try:
        ids = [r[0] for r in db_rows(daemon.db, "SELECT message_id FROM messages")]
    except sqlite3.OperationalError:  # not migrated yet
        return False
    assert len(ids) == len(set(ids)), "a message was stored twice"
    return set(ids) == set(server.message_ids(DAEMON_FOLDER))


def fault_then_heal(
    daemon: Daemon, line: FaultProxy, server: Dovecot, seed: int, mode: str, **how
) -> None:
    """Set a fault, append new mail, wait until the daemon saw it (a line in its log),
    heal the line, and wait until it holds exactly the server's mail."""
    warned = daemon.log.count("reconnecting with backoff")
    line.reset_counters()
    line.set_mode(mode, **how)
    server.append_many(DAEMON_FOLDER, list(mailgen.generate(30, seed=seed)))
    daemon.wait(lambda: line.faults >= 1, f"the {mode} fault to fire")
    daemon.wait(
        lambda: daemon.log.count("reconnecting with backoff") > warned, f"the {mode} reported"
    )
    line.set_mode("pass")
    daemon.wait(lambda: daemon_holds_exactly(daemon, server), f"recovery from {mode}")


def test_daemon_recovers_from_every_fault_with_exactly_the_servers_mail(tmp_path, server, line):
    server.create_folder(DAEMON_FOLDER)
    server.append_many(DAEMON_FOLDER, list(mailgen.generate(150, seed=41)))
    line.set_mode("reset")  # the first backfill is reset in the middle of a message
    daemon = Daemon(tmp_path, daemon_config(tmp_path, line, server), server)
    try:
        daemon.wait(lambda: line.faults >= 1, "the backfill to be reset")
        line.set_mode("pass")
        daemon.wait(lambda: daemon_holds_exactly(daemon, server), "the backfill after a reset")

        fault_then_heal(daemon, line, server, 42, "reset")
        fault_then_heal(daemon, line, server, 43, "stall", in_literal=True)
        fault_then_heal(daemon, line, server, 44, "cut", after=3000)
        line.set_mode("trickle")
        server.append_many(DAEMON_FOLDER, list(mailgen.generate(5, seed=45)))
        daemon.wait(lambda: daemon_holds_exactly(daemon, server), "mail through a trickle")
        line.set_mode("pass")
    finally:
        code = daemon.stop()
    log = daemon.log
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and "timed out waiting for the server" in log
    assert daemon_holds_exactly(daemon, server)
    print(log)  # shown with -s: what the owner's journal says about each fault
