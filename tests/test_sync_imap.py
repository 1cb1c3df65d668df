"""`vendorwatch sync` against a real Dovecot on 127.0.0.1: read-only and exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from conftest import write_config
from vendorwatch.daemon.store import Store

PASSWORD_ENV = "VW_TEST_IMAP_PASSWORD"


def make_raw(i: int, folder: str = "INBOX", size: int = 0) -> bytes:
    msg = EmailMessage()
    owner, vendor = "owner@test.example", "ravi@pixelcraft.example"
    sender, to = (owner, vendor) if folder == "Sent" else (vendor, owner)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"Banner draft {i}"
    when = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    msg["Date"] = format_datetime(when + timedelta(minutes=i))
    msg["Message-ID"] = make_msgid(f"m{i}", domain="test.example")
    msg.set_content(f"Message {i}: please review the attached banner draft by Friday.\n")
    if size:
        msg.add_attachment(
            os.urandom(size), maintype="application", subtype="zip", filename="big.zip"
        )
    return msg.as_bytes()


def imap_config(
    tmp_path: Path,
    server,
    *,
    folders=("INBOX", "Sent"),
    tls="none",
    ca_file: str | None = None,
    extra: str = "",
) -> Path:
    lines = [
        "[owner]",
        'addresses = ["owner@test.example"]',
        "",
        "[[vendors]]",
        'name = "PixelCraft"',
        'addresses = ["ravi@pixelcraft.example"]',
        "",
        "[[accounts]]",
        'name = "test"',
        f'host = "{server.host}"',
        f"port = {server.port}",
        f'tls = "{tls}"',
        f'username = "{server.user}"',
        f'password_env = "{PASSWORD_ENV}"',
        "timeout = 10",
        "batch_size = 50",
    ]
    if folders is not None:
        lines.append("folders = [" + ", ".join(f'"{f}"' for f in folders) + "]")
    if ca_file:
        lines.append(f'ca_file = "{ca_file}"')
    lines += ["", "[storage]", f'database = "{tmp_path / "vw.db"}"', extra]
    return write_config(tmp_path / "config.toml", "\n".join(lines) + "\n")


@pytest.fixture
def imap_env(monkeypatch, dovecot):
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return dovecot


def stored_ids(tmp_path: Path) -> list[str]:
    with Store.open(tmp_path / "vw.db", create=False) as store:
        return [r["message_id"] for r in store.query("SELECT message_id FROM messages")]


def test_full_then_incremental_sync_changes_no_flag(tmp_path, imap_env, run_cli):
    server = imap_env
    server.append_many("INBOX", [make_raw(i) for i in range(120)])
    server.append_many("Sent", [make_raw(i, "Sent") for i in range(1000, 1030)])
    flags_before = {f: server.flags(f) for f in ("INBOX", "Sent")}
    config = imap_config(tmp_path, server)

    first = run_cli("--config", str(config), "sync", "--once")
    assert first.code == 0, first.err
    assert "test/INBOX: 120 new" in first.out and "test/Sent: 30 new" in first.out
    ids = stored_ids(tmp_path)
    assert len(ids) == len(set(ids)) == 150
    assert set(ids) == set(server.message_ids("INBOX")) | set(server.message_ids("Sent"))
    assert {f: server.flags(f) for f in ("INBOX", "Sent")} == flags_before  # \Seen stays unset

    server.append_many("INBOX", [make_raw(i) for i in range(200, 210)])
    second = run_cli("--config", str(config), "sync", "--once")
    assert second.code == 0
    assert "test/INBOX: 10 new, 0 already stored" in second.out
    assert "test/Sent: 0 new" in second.out
    assert len(stored_ids(tmp_path)) == 160

    status = run_cli("--config", str(config), "status", "--json")
    import json

    rows = {r["folder"]: r for r in json.loads(status.out)}
    assert rows["INBOX"]["messages"] == 130 and rows["Sent"]["messages"] == 30
    assert rows["INBOX"]["last_error"] is None


def test_default_folders_find_special_use_sent(tmp_path, imap_env, run_cli):
    imap_env.append("Sent", make_raw(1, "Sent"))
    imap_env.append("INBOX", make_raw(2))
    config = imap_config(tmp_path, imap_env, folders=None)
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0, result.err
    assert "test/INBOX: 1 new" in result.out and "test/Sent: 1 new" in result.out


def test_uidvalidity_change_rescans_without_duplicates(tmp_path, imap_env, run_cli):
    server = imap_env
    raws = [make_raw(i) for i in range(40)]
    server.create_folder("Projects")
    server.append_many("Projects", raws)
    config = imap_config(tmp_path, server, folders=("Projects",))
    assert run_cli("--config", str(config), "sync", "--once").code == 0
    old = server.uidvalidity("Projects")
    server.delete_folder("Projects")
    server.create_folder("Projects")
    assert server.uidvalidity("Projects") != old
    server.append_many("Projects", raws + [make_raw(99)])
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0, result.err
    assert "test/Projects: 1 new, 40 already stored" in result.out
    ids = stored_ids(tmp_path)
    assert len(ids) == len(set(ids)) == 41


def test_same_message_in_two_folders_is_stored_once(tmp_path, imap_env, run_cli):
    server = imap_env
    server.create_folder("All Mail")
    raws = [make_raw(i, "Sent") for i in range(5)]
    server.append_many("Sent", raws)
    server.append_many("All Mail", raws)
    config = imap_config(tmp_path, server, folders=("Sent", "All Mail"))
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0
    assert "test/All Mail: 0 new, 5 already stored" in result.out
    assert len(stored_ids(tmp_path)) == 5


def test_oversized_message_is_stored_in_part(tmp_path, imap_env, run_cli):
    imap_env.append("INBOX", make_raw(1, size=3_000_000))
    config = imap_config(
        tmp_path, imap_env, folders=("INBOX",), extra="[sync]\nmax_message_bytes = 1000000\n"
    )
    assert run_cli("--config", str(config), "sync", "--once").code == 0
    with Store.open(tmp_path / "vw.db") as store:
        row = store.query("SELECT subject, new_text, truncated, size FROM messages")[0]
    assert row["subject"] == "Banner draft 1" and "please review" in row["new_text"]
    assert "over the 1 MB cap" in row["truncated"] and row["size"] > 3_000_000


def test_wrong_password_is_one_line_without_the_secret(tmp_path, imap_env, run_cli, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "wrong-pw-Xy7")
    config = imap_config(tmp_path, imap_env)
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 1
    assert "login refused" in result.err and "wrong-pw-Xy7" not in result.err + result.out
    assert "Traceback" not in result.err


def test_connection_refused_is_one_line(tmp_path, imap_env, run_cli):
    config = imap_config(tmp_path, imap_env)
    imap_env.stop()
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 1
    assert "connection refused" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_kill_9_mid_sync_then_resume_is_exact(tmp_path, imap_env):
    server = imap_env
    server.append_many("INBOX", [make_raw(i) for i in range(1500)])
    config = imap_config(tmp_path, server, folders=("INBOX",))
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"]
    for _ in range(3):
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (tmp_path / "vw.db").exists() and _count(tmp_path) > 0:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = stored_ids(tmp_path)
    assert len(ids) == len(set(ids))
    assert set(ids) == set(server.message_ids("INBOX"))


def _count(tmp_path: Path) -> int:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{tmp_path / 'vw.db'}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_ssl_with_ca_file_verifies(tmp_path, monkeypatch, dovecot_ssl, run_cli):
    monkeypatch.setenv(PASSWORD_ENV, dovecot_ssl.password)
    dovecot_ssl.append("INBOX", make_raw(1))
    trusted = imap_config(
        tmp_path, dovecot_ssl, folders=("INBOX",), tls="ssl", ca_file=dovecot_ssl.ca_file
    )
    result = run_cli("--config", str(trusted), "sync", "--once")
    assert result.code == 0, result.err
    untrusted = imap_config(tmp_path, dovecot_ssl, folders=("INBOX",), tls="ssl")
    result = run_cli("--config", str(untrusted), "sync", "--once")
    assert result.code == 1
    assert "certificate not trusted" in result.err and "ca_file" in result.err


def test_starttls_with_ca_file(tmp_path, monkeypatch, dovecot_starttls, run_cli):
    monkeypatch.setenv(PASSWORD_ENV, dovecot_starttls.password)
    dovecot_starttls.append("INBOX", make_raw(1))
    config = imap_config(
        tmp_path,
        dovecot_starttls,
        folders=("INBOX",),
        tls="starttls",
        ca_file=dovecot_starttls.ca_file,
    )
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0, result.err
    assert "test/INBOX: 1 new" in result.out


def test_starttls_required_but_not_offered_is_an_error(tmp_path, imap_env, run_cli):
    config = imap_config(tmp_path, imap_env, folders=("INBOX",), tls="starttls")
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 1
    assert "does not offer STARTTLS" in result.err


def test_check_reports_each_account(tmp_path, imap_env, run_cli):
    config = imap_config(tmp_path, imap_env)
    result = run_cli("--config", str(config), "check")
    assert result.code == 0, result.out + result.err
    assert "ok   account test" in result.out and imap_env.password not in result.out


def test_password_never_in_logs_output_or_database(tmp_path, imap_env):
    """Debug logging, a wrong password and a good one: the secret appears nowhere."""
    imap_env.append("INBOX", make_raw(1))
    config = imap_config(tmp_path, imap_env, folders=("INBOX",))
    outputs = []
    for secret in ("wrong-Zq9-secret", imap_env.password):
        env = dict(os.environ, **{PASSWORD_ENV: secret})
        for args in (("--log-level", "debug", "sync", "--once"), ("check",), ("status",)):
            # a fresh process, so the debug log handler writes to the captured stderr
            done = subprocess.run(
                [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            outputs.append((secret, done.stdout + done.stderr))
    assert any("DEBUG" in text for _, text in outputs)  # the log really was at debug level
    for secret, text in outputs:
        assert secret not in text
    database = b"".join(p.read_bytes() for p in tmp_path.glob("vw.db*"))
    assert imap_env.password.encode() not in database
    assert b"wrong-Zq9-secret" not in database


def test_ctrl_c_mid_sync_says_how_to_resume(tmp_path, imap_env):
    server = imap_env
    server.append_many("INBOX", [make_raw(i) for i in range(1500)])
    config = imap_config(tmp_path, server, folders=("INBOX",))
    cmd = [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (tmp_path / "vw.db").exists() and _count(tmp_path) > 0:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the sync finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "resume" in err and "Traceback" not in err
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = stored_ids(tmp_path)
    assert len(ids) == len(set(ids)) and set(ids) == set(server.message_ids("INBOX"))
