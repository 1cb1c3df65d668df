"""`vendorwatch run` against a real Dovecot: push, reconnects, signals, one writer, sd_notify.

The daemon runs as a subprocess (as systemd runs it), its output goes to a file, and every
wait polls the database or the log against a generous deadline: nothing here asserts on
how fast it was. A few behaviours that need shrunk intervals (IDLE renewal, the refused
login logged once) run the `Service` in-process with short `Timings`.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from conftest import write_config
from servers.faultproxy import FaultProxy
from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon import logsetup
from vendorwatch.daemon.backoff import Backoff, auth_delay
from vendorwatch.daemon.imap import ImapSource
from vendorwatch.daemon.lock import AlreadyRunning, DatabaseLock
from vendorwatch.daemon.sdnotify import Notifier
from vendorwatch.daemon.service import Service, Timings, idle_folders
from vendorwatch.daemon.store import Store

PASSWORD_ENV = "VW_TEST_IMAP_PASSWORD"
OWNER = "owner@test.example"
VENDOR = "ravi@pixelcraft.example"
DEADLINE = 60.0  # seconds; generous for a loaded 2-core CI machine
CONFUSED = (
    "Hi,\n\nSorry, I did not understand what you mean by a modern look. "
    "Could you clarify which style you want?\n\nRavi\n"
)


# -- helpers ---------------------------------------------------------------------------------


def message(
    i: int, sender: str = VENDOR, to: str = OWNER, text: str | None = None
) -> tuple[str, bytes]:
    """(Message-ID without brackets, raw bytes) of a small message."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"Landing page {i}"
    when = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    msg["Date"] = format_datetime(when + timedelta(minutes=i))
    ident = make_msgid(f"svc{i}", domain="test.example")
    msg["Message-ID"] = ident
    msg.set_content(text or f"Message {i}: the landing page draft is attached for review.\n")
    return ident.strip("<>"), msg.as_bytes()


def service_config(
    path: Path,
    server,
    *,
    vendors: tuple[tuple[str, str], ...] = (("PixelCraft", VENDOR),),
    idle: tuple[str, ...] = ("INBOX",),
    analysis: bool = True,
    port: int | None = None,
    tls: str = "none",
    extra: str = "",
) -> Path:
    lines = ["[owner]", f'addresses = ["{OWNER}"]', ""]
    for name, address in vendors:
        lines += ["[[vendors]]", f'name = "{name}"', f'addresses = ["{address}"]', ""]
    lines += [
        "[[accounts]]",
        'name = "test"',
        f'host = "{server.host}"',
        f"port = {port or server.port}",
        f'tls = "{tls}"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        'folders = ["INBOX", "Sent"]',
        "idle = [" + ", ".join(f'"{f}"' for f in idle) + "]",
        "poll_interval = 1",
        "timeout = 10",
        f'ca_file = "{server.ca_file}"' if tls != "none" else "",
        "",
        "[sync]",
        f"analysis = {'true' if analysis else 'false'}",
        extra,
    ]
    return write_config(path, "\n".join(lines) + "\n")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the daemon's database as another process would; nothing yet is []."""
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def stored_ids(db: Path) -> list[str]:
    return [row[0] for row in query(db, "SELECT message_id FROM messages")]


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


class NotifyListener:
    """A unix datagram socket standing in for systemd's notify socket (abstract name)."""

    def __init__(self) -> None:
        self.name = f"@vw-test-{uuid.uuid4().hex[:12]}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(b"\0" + self.name[1:].encode())
        self.sock.settimeout(0.05)
        self.messages: list[dict[str, str]] = []

    def drain(self) -> list[dict[str, str]]:
        while True:
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                return self.messages
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            self.messages.append(fields)

    def has(self, key: str, value: str | None = None) -> bool:
        return any(key in m and (value is None or m[key] == value) for m in self.drain())

    def close(self) -> None:
        self.sock.close()


class Daemon:
    """`vendorwatch run` as a subprocess with its log in a file."""

    def __init__(self, tmp_path: Path, config: Path, db: Path, notify: NotifyListener | None):
        self.log_path = tmp_path / f"daemon-{uuid.uuid4().hex[:6]}.log"
        self.db = db
        env = dict(os.environ)
        if notify is not None:
            env["NOTIFY_SOCKET"] = notify.name
        self.cmd = [
            sys.executable,
            "-m",
            "vendorwatch.daemon",
            "--log-level",
            "info",
            "--config",
            str(config),
            "--db",
            str(db),
            "run",
        ]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, predicate: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
        def check() -> Any:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the daemon exited ({self.proc.returncode}) before {what}:\n{self.log}"
                )
            return predicate()

        return wait_for(check, what, timeout)

    def wait_log(self, text: str, count: int = 1) -> None:
        self.wait(lambda: self.log.count(text) >= count, f"{text!r} in the log")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(DEADLINE)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@pytest.fixture
def imap_env(monkeypatch, dovecot):
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return dovecot


@pytest.fixture
def start_daemon(tmp_path):
    started: list[Daemon] = []

    def start(config: Path, notify: NotifyListener | None = None) -> Daemon:
        daemon = Daemon(tmp_path, config, tmp_path / "vw.db", notify)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


@pytest.fixture
def notify():
    listener = NotifyListener()
    yield listener
    listener.close()


# -- the daemon as a subprocess --------------------------------------------------------------


def test_new_mail_is_stored_and_analysed_sent_polled_and_sigterm_exits_cleanly(
    tmp_path, imap_env, start_daemon, notify, run_cli, smtp_server
):
    server = imap_env
    summary = (  # due since midnight: the scheduler sends today's summary once caught up
        f'[summary]\ntime = "00:00"\nrecipients = ["{OWNER}"]\n\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\ntls = "none"\n'
    )
    config = service_config(tmp_path / "config.toml", server, extra=summary)
    daemon = start_daemon(config, notify)
    daemon.wait(lambda: notify.has("READY", "1"), "READY=1 on the notify socket")
    assert notify.has("STATUS")

    ident, raw = message(1, text=CONFUSED)
    server.append("INBOX", raw)
    row = daemon.wait(
        lambda: query(
            tmp_path / "vw.db",
            "SELECT vendor, lang FROM messages WHERE message_id = ? AND lang IS NOT NULL",
            (ident,),
        ),
        "the vendor message, analysed",
    )
    assert row == [("PixelCraft", "en")]
    kinds = {k for (k,) in query(tmp_path / "vw.db", "SELECT kind FROM findings")}
    assert "confusion" in kinds

    sent_id, sent_raw = message(2, sender=OWNER, to=VENDOR)
    server.append("Sent", sent_raw)
    daemon.wait(lambda: sent_id in stored_ids(tmp_path / "vw.db"), "the Sent message (polled)")

    # a burst while CLI queries read: no "database is locked", nothing lost or doubled
    burst = [message(i) for i in range(100, 140)]
    errors: list[str] = []
    done = threading.Event()

    def append() -> None:
        server.append_many("INBOX", [raw for _, raw in burst])
        done.set()

    appender = threading.Thread(target=append)
    appender.start()
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and daemon.proc.poll() is None and len(errors) < 3:
        if done.is_set() and len(stored_ids(tmp_path / "vw.db")) >= 42:
            break
        result = run_cli("--config", str(config), "--db", str(tmp_path / "vw.db"), "messages")
        if result.code != 0:
            errors.append(result.err)
    appender.join()
    assert errors == []
    ids = daemon.wait(
        lambda: (ids := stored_ids(tmp_path / "vw.db")) and len(ids) >= 42 and ids,
        "the burst stored",
    )
    assert sorted(ids) == sorted([ident, sent_id] + [i for i, _ in burst])

    daemon.wait(lambda: smtp_server.messages, "the daily summary from the scheduler")
    assert smtp_server.messages[0].rcpt_tos == (OWNER,)

    assert daemon.stop(signal.SIGTERM) == 0, daemon.log
    assert notify.has("STOPPING", "1")
    assert "Traceback" not in daemon.log


def test_survives_a_cut_line_and_a_server_restart_and_ctrl_c_exits_cleanly(
    tmp_path, imap_env, start_daemon
):
    server = imap_env
    db = tmp_path / "vw.db"
    with FaultProxy(server.host, server.port) as proxy:
        config = service_config(tmp_path / "config.toml", server, port=proxy.port, analysis=False)
        daemon = start_daemon(config)
        first, raw = message(1)
        server.append("INBOX", raw)
        daemon.wait(lambda: first in stored_ids(db), "the first message")

        # the line closes under the daemon in IDLE (no BYE): seen when the EXISTS is due
        warned = daemon.log.count("reconnecting with backoff")
        proxy.set_mode("cut", after=1)
        second, raw = message(2)
        server.append("INBOX", raw)
        daemon.wait(lambda: daemon.log.count("reconnecting with backoff") > warned, "the cut seen")
        proxy.set_mode("pass")
        daemon.wait(lambda: second in stored_ids(db), "the message sent while the line was cut")

        # the server shuts down (BYE), refuses connections a while, and comes back
        warned = daemon.log.count("reconnecting with backoff")
        server.stop(graceful=True)
        daemon.wait(
            lambda: daemon.log.count("reconnecting with backoff") > warned, "the restart seen"
        )
        server.start()  # same port, same mail
        later = [message(i) for i in range(3, 6)]
        for _, raw in later:
            server.append("INBOX", raw)
        daemon.wait(lambda: len(stored_ids(db)) >= 5, "the messages appended after the restart")

        ids = stored_ids(db)
        assert sorted(ids) == sorted([first, second] + [i for i, _ in later])  # each once
        assert daemon.stop(signal.SIGINT) == 0, daemon.log
    assert "connected again" in daemon.log and "Traceback" not in daemon.log


def test_sighup_reloads_a_good_config_and_keeps_the_old_one_on_a_bad_one(
    tmp_path, imap_env, start_daemon
):
    server = imap_env
    db = tmp_path / "vw.db"
    path = tmp_path / "config.toml"
    service_config(path, server)
    daemon = start_daemon(path)
    newcomer = "lena@acme.example"
    first, raw = message(1, sender=newcomer)
    server.append("INBOX", raw)
    daemon.wait(lambda: first in stored_ids(db), "a message from an unknown sender")
    assert query(db, "SELECT vendor FROM messages WHERE message_id = ?", (first,)) == [(None,)]

    service_config(path, server, vendors=(("PixelCraft", VENDOR), ("Acme", newcomer)))
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_log("config reloaded")
    second, raw = message(2, sender=newcomer)
    server.append("INBOX", raw)
    vendor_of = "SELECT vendor FROM messages WHERE message_id = ?"
    daemon.wait(lambda: query(db, vendor_of, (second,)) == [("Acme",)], "the new vendor applied")
    assert query(db, vendor_of, (first,)) == [("Acme",)]  # stored mail re-matched too

    path.write_text(path.read_text().replace("poll_interval = 1", "poll_intervall = 1"))
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_log("config not reloaded")
    line = next(x for x in daemon.log.splitlines() if "config not reloaded" in x)
    assert "poll_intervall" in line and str(path) in line
    third, raw = message(3, sender=newcomer)
    server.append("INBOX", raw)
    daemon.wait(lambda: query(db, vendor_of, (third,)) == [("Acme",)], "mail after a bad reload")
    assert daemon.stop() == 0, daemon.log


def test_a_storm_of_signals_never_wedges_the_daemon(tmp_path, imap_env, start_daemon, notify):
    """Signal handlers run between two bytecodes of the main thread, possibly while it
    holds a lock; one that took a lock itself hung the daemon on a SIGTERM."""
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    daemon = start_daemon(config, notify)
    daemon.wait(lambda: notify.has("READY", "1"), "the daemon ready")
    for _ in range(300):
        daemon.proc.send_signal(signal.SIGHUP)
        time.sleep(0.003)
    assert daemon.stop(signal.SIGTERM) == 0, daemon.log
    assert "config reloaded" in daemon.log


def test_signal_handlers_take_no_lock_the_main_thread_may_hold(tmp_path, imap_env):
    """Deterministic form of the hang above: a handler may run while the main thread is
    inside `stop_event.wait()` holding the event's lock."""
    path = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    config = config_mod.load(path, required=True)
    with Store.open(tmp_path / "vw.db") as store:
        service = Service(config, store)
        done = threading.Event()

        def handler_while_lock_held() -> None:
            with service.stop_event._cond:  # what Event.wait holds between its waits
                service.signalled(stop=True)
                service.signalled(reload=True)
            done.set()

        threading.Thread(target=handler_while_lock_held, daemon=True).start()
        assert done.wait(10), "a signal handler blocked on the event's lock"
        service.run()  # the flags alone stop it: returns after one tick


def test_a_second_run_on_the_same_database_is_refused(tmp_path, imap_env, start_daemon, notify):
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    daemon = start_daemon(config, notify)
    daemon.wait(lambda: notify.has("READY", "1"), "the first daemon ready")
    second = subprocess.run(daemon.cmd, capture_output=True, text=True, timeout=DEADLINE)
    assert second.returncode == 3
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pid {daemon.proc.pid}" in lines[0] and "already" in lines[0]
    assert daemon.proc.poll() is None  # the first one is untouched
    assert daemon.stop() == 0


# -- the service in-process, with short intervals ---------------------------------------------


class InProcess:
    def __init__(
        self, config_path: Path, db: Path, timings: Timings, notifier: Notifier | None = None
    ):
        def load() -> config_mod.Config:
            return config_mod.load(config_path, database=db, required=True)

        self.store = Store.open(db)
        self.service = Service(
            load(), self.store, timings=timings, load_config=load, notifier=notifier
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None
        self.thread.start()

    def _run(self) -> None:
        try:
            self.service.run()
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        self.service.request_stop()
        self.thread.join(DEADLINE)
        assert not self.thread.is_alive()
        for watcher in self.service.watchers:  # one may still be in a slow login, then ends
            watcher.join(DEADLINE)
            assert not watcher.is_alive()


def test_idle_is_renewed_mail_still_arrives_and_the_watchdog_is_fed(tmp_path, imap_env, notify):
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    db = tmp_path / "vw.db"
    notifier = Notifier({"NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "400000"})
    running = InProcess(config, db, Timings(idle_renew=0.3, idle_check=0.1), notifier)
    try:
        watcher = wait_for(
            lambda: next((w for w in running.service.watchers if w.folder == "INBOX"), None),
            "the INBOX watcher",
        )
        wait_for(lambda: watcher.renewals >= 3, "three IDLE renewals")
        ident, raw = message(1)
        imap_env.append("INBOX", raw)
        wait_for(lambda: ident in stored_ids(db), "mail after renewals")
        wait_for(lambda: notify.has("WATCHDOG", "1"), "a watchdog ping")
    finally:
        running.stop()
    assert running.error is None
    assert notify.has("READY", "1") and notify.has("STOPPING", "1")


def test_idle_over_tls(tmp_path, dovecot_tls, monkeypatch):
    """IDLE on a TLS socket: decrypted bytes can wait inside the TLS layer, out of
    select()'s sight; the watcher must still see the EXISTS at once."""
    monkeypatch.setenv(PASSWORD_ENV, dovecot_tls.password)
    config = service_config(
        tmp_path / "config.toml", dovecot_tls, tls=dovecot_tls.tls, analysis=False
    )
    db = tmp_path / "vw.db"
    running = InProcess(config, db, Timings(idle_check=0.1))
    try:
        wait_for(lambda: any(w.state.startswith("IDLE") for w in running.service.watchers), "IDLE")
        for i in range(3):
            ident, raw = message(i)
            dovecot_tls.append("INBOX", raw)
            wait_for(lambda ident=ident: ident in stored_ids(db), f"message {i} over TLS")
    finally:
        running.stop()
    assert running.error is None


def test_mail_announced_during_a_sync_is_not_left_for_the_next_renewal(
    tmp_path, imap_env, monkeypatch
):
    """A message that arrives between the sync's SEARCH and FETCH is announced in their
    responses, and IDLE never announces it again: the watcher must look once more."""
    first, raw = message(1)
    imap_env.append("INBOX", raw)
    second, second_raw = message(2)
    real = ImapSource.uids_after
    fired = threading.Event()

    def search_then_deliver(self, last_uid):
        found = real(self, last_uid)
        if self.current.name == "INBOX" and found and not fired.is_set():
            fired.set()
            imap_env.append("INBOX", second_raw)  # lands right after the SEARCH
        return found

    monkeypatch.setattr(ImapSource, "uids_after", search_then_deliver)
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    db = tmp_path / "vw.db"
    running = InProcess(config, db, Timings(idle_check=0.1))  # renewal: minutes away
    try:
        wait_for(lambda: {first, second} <= set(stored_ids(db)), "both messages", timeout=30)
    finally:
        running.stop()
    assert fired.is_set() and running.error is None


def test_announced_exists_sees_an_exists_that_a_search_swallowed(imap_env):
    from vendorwatch.daemon.config import Account, Secret

    imap_env.append("INBOX", message(1)[1])
    account = Account(
        "t", imap_env.host, imap_env.port, "none", imap_env.user, Secret(password=imap_env.password)
    )
    with ImapSource(account, 1 << 20) as source:
        assert source.examine("INBOX").exists == 1
        imap_env.append("INBOX", message(2)[1])
        wait_for(lambda: source.uids_after(0) and source.announced_exists() == 2, "EXISTS 2")


def test_a_refused_login_is_logged_once_and_retried_slowly(tmp_path, imap_env, monkeypatch, caplog):
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    caplog.set_level(logging.DEBUG, logger="vendorwatch.daemon.service")
    running = InProcess(config, tmp_path / "vw.db", Timings(auth_retry=0.2, idle_check=0.1))
    try:
        watchers = wait_for(lambda: running.service.watchers, "the watchers")
        wait_for(lambda: caplog.text.count("(again)") >= len(watchers), "repeated retries")
    finally:
        running.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1  # once for the account, not per connection or per attempt
    assert all("login refused" in r.getMessage() for r in errors)
    assert all("wrong-password" not in r.getMessage() for r in caplog.records)
    assert running.error is None


def test_a_reload_retries_a_refused_login_at_once(tmp_path, imap_env, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    config = service_config(tmp_path / "config.toml", imap_env, analysis=False)
    db = tmp_path / "vw.db"
    ident, raw = message(1)
    imap_env.append("INBOX", raw)
    running = InProcess(config, db, Timings(auth_retry=3600))  # next try: in an hour
    try:
        wait_for(
            lambda: (
                running.service.watchers
                and all("login refused" in w.state for w in running.service.watchers)
            ),
            "both connections refused",
        )
        monkeypatch.setenv(PASSWORD_ENV, imap_env.password)  # the password file is fixed
        running.service.request_reload()  # what `systemctl reload` sends
        wait_for(lambda: ident in stored_ids(db), "the mail after the reload")
    finally:
        running.stop()
    assert running.error is None


# -- the small modules -------------------------------------------------------------------------


def test_backoff_grows_is_capped_jittered_and_resets():
    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(7))
    delays = [backoff.next() for _ in range(8)]
    ceilings = [1, 2, 4, 8, 8, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays[3:]}) > 1  # jitter: not all the same
    backoff.reset()
    assert backoff.next() <= 1.0
    assert 90 <= auth_delay(random.Random(1), retry=100) <= 110


def test_database_lock_refuses_a_second_holder_and_names_the_pid(tmp_path):
    db = tmp_path / "vw.db"
    with DatabaseLock(db):
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            DatabaseLock(db).acquire()
    with DatabaseLock(db):  # released: free again
        pass


@pytest.mark.parametrize("abstract", [False, True])
def test_notifier_speaks_the_protocol_on_path_and_abstract_sockets(abstract):
    name = f"vw-n-{uuid.uuid4().hex[:8]}"
    path = f"/tmp/{name}.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(b"\0" + name.encode() if abstract else path)
    receiver.settimeout(5)
    env = {"NOTIFY_SOCKET": f"@{name}" if abstract else path, "WATCHDOG_USEC": "20000000"}
    try:
        notifier = Notifier(env)
        assert env == {}  # children (password commands) must not inherit them
        assert notifier.watchdog_interval == 10.0
        assert notifier.ready("watching\n2 folders")
        assert receiver.recv(4096) == b"READY=1\nSTATUS=watching 2 folders"
        assert notifier.watchdog()
        assert receiver.recv(4096) == b"WATCHDOG=1"
        notifier.close()
    finally:
        receiver.close()
        if not abstract:
            os.unlink(path)


def test_notifier_is_silent_outside_systemd_and_ignores_another_pids_watchdog():
    notifier = Notifier({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid() + 1)})
    assert not notifier.enabled and not notifier.ready() and notifier.watchdog_interval is None


def test_journald_gets_priorities_without_timestamps(tmp_path, monkeypatch):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        _log_through_configure(tmp_path, monkeypatch)
    finally:
        root.handlers[:], root.level = saved
    lines = (tmp_path / "stream").read_text().splitlines()
    assert lines[0] == "<4>WARNING vendorwatch.test: lost connection"
    assert lines[1][:4].isdigit() and lines[1].endswith("WARNING vendorwatch.test: plain")


def _log_through_configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(tmp_path / "stream", "w") as stream:
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        assert logsetup.configure(logging.INFO, stream)
        logging.getLogger("vendorwatch.test").warning("lost connection")
        monkeypatch.setenv("JOURNAL_STREAM", "1:2")
        assert not logsetup.configure(logging.INFO, stream)
        logging.getLogger("vendorwatch.test").warning("plain")


def test_idle_folders_respect_the_synced_folders():
    from vendorwatch.daemon.config import Account, Secret

    account = Account("a", "h", 993, "ssl", "u", Secret(password="x"), folders=None)
    assert idle_folders(account) == ("INBOX",)
    limited = Account(
        "a", "h", 993, "ssl", "u", Secret(password="x"), folders=("Sent",), idle=("INBOX", "Sent")
    )
    assert idle_folders(limited) == ("Sent",)
