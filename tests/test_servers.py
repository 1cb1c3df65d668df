"""The test servers themselves, against real Dovecot and aiosmtpd.

If these fail, every sync test built on them is meaningless, so they check exactly what those
tests assume: UIDs and UIDVALIDITY behave like a real server, TLS verification is real, restart
keeps the mail, IDLE fires, and nothing is left running afterwards.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import ssl
import tempfile
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from servers import dovecot as dovecot_module
from servers.dovecot import MAX_BASE_DIR_LEN, Dovecot, DovecotError, DovecotNotFound
from servers.plugin import ALLOW_SKIP_ENV, new_dovecot
from servers.smtp import SmtpServer


def make_raw(i: int, body: str = "Please confirm the delivery date.") -> bytes:
    msg = EmailMessage()
    msg["From"] = "ravi@pixelcraft.example"
    msg["To"] = "owner@test.example"
    msg["Subject"] = f"Order {i}"
    msg["Message-ID"] = make_msgid(f"t{i}", domain="test.example")
    msg.set_content(f"{body}\n")
    return msg.as_bytes()


def message_id_of(raw: bytes) -> str:
    for line in raw.splitlines():
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode().strip("<>")
    raise AssertionError("no Message-ID")


def special_use(client: IMAPClient) -> dict[str, set[bytes]]:
    return {name: set(flags) for flags, _sep, name in client.list_folders()}


# -- Dovecot basics ----------------------------------------------------------------------------


def test_login_and_capabilities(dovecot: Dovecot) -> None:
    assert dovecot.host == "127.0.0.1" and dovecot.port > 0
    with dovecot.connect() as client:
        caps = set(client.capabilities())
        assert {b"IDLE", b"UIDPLUS", b"SPECIAL-USE", b"MULTIAPPEND"} <= caps
        assert b"STARTTLS" not in caps  # tls="none" must not offer it (sync tests rely on that)
        folders = special_use(client)
    assert b"\\Sent" in folders["Sent"]
    assert b"\\Drafts" in folders["Drafts"] and b"\\Trash" in folders["Trash"]
    assert "INBOX" in folders


def test_wrong_password_is_refused_at_once(dovecot: Dovecot) -> None:
    client = dovecot.connect(login=False)
    started = time.monotonic()
    with pytest.raises(LoginError):
        client.login(dovecot.user, "wrong-pw")
    assert time.monotonic() - started < 1.5  # auth_failure_delay = 0, not Dovecot's 2 s
    client.shutdown()


def test_append_returns_uid_and_message_reads_back(dovecot: Dovecot) -> None:
    raw, raw2 = make_raw(1), make_raw(2)
    when = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    uid = dovecot.append("INBOX", raw, flags=["\\Seen"], msg_time=when)
    second = dovecot.append("INBOX", raw2)
    assert second == uid + 1
    with dovecot.connect() as client:
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE"])[uid]
    assert fetched[b"BODY[]"] == raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert fetched[b"INTERNALDATE"].astimezone(UTC) == when
    assert dovecot.uids("INBOX") == [uid, second]
    assert dovecot.flags("INBOX") == {uid: ("\\Seen",), second: ()}  # no session \Recent
    assert dovecot.message_ids("INBOX") == [message_id_of(raw), message_id_of(raw2)]


def test_append_many_2000_messages(dovecot: Dovecot) -> None:
    raws = [make_raw(i) for i in range(2000)]
    started = time.perf_counter()
    uids = dovecot.append_many("INBOX", raws)
    elapsed = time.perf_counter() - started
    print(f"append_many: 2000 messages in {elapsed:.2f} s = {2000 / elapsed:,.0f} messages/s")
    assert uids == list(range(uids[0], uids[0] + 2000))
    assert dovecot.uids("INBOX") == uids
    assert dovecot.message_ids("INBOX") == [message_id_of(raw) for raw in raws]
    assert set(dovecot.flags("INBOX").values()) == {()}


def test_special_use_folders_appear_on_create(dovecot: Dovecot) -> None:
    assert "Archive" not in dovecot.folders() and "All Mail" not in dovecot.folders()
    dovecot.create_folder("Archive")
    dovecot.create_folder("All Mail")
    with dovecot.connect() as client:
        folders = special_use(client)
    assert b"\\Archive" in folders["Archive"] and b"\\All" in folders["All Mail"]
    assert dovecot.append("All Mail", make_raw(1)) == 1


def test_folder_names_real_servers_allow(dovecot: Dovecot) -> None:
    names = ["Vendors.2026", "Projects/Banner", "new", "Fournisseurs é"]
    for name in names:
        dovecot.create_folder(name)
        assert dovecot.append(name, make_raw(1)) == 1
    assert set(names) <= set(dovecot.folders())


def test_delete_and_recreate_gives_new_uidvalidity(dovecot: Dovecot) -> None:
    dovecot.create_folder("Projects")
    dovecot.append_many("Projects", [make_raw(i) for i in range(3)])
    seen = [dovecot.uidvalidity("Projects")]
    for _ in range(3):  # well within one second: Dovecot must still change it
        dovecot.delete_folder("Projects")
        dovecot.create_folder("Projects")
        seen.append(dovecot.uidvalidity("Projects"))
    assert len(set(seen)) == len(seen), seen
    assert dovecot.uids("Projects") == []
    assert dovecot.append("Projects", make_raw(9)) == 1  # UIDs start over too


def test_delete_missing_folder(dovecot: Dovecot) -> None:
    dovecot.delete_folder("Nowhere", missing_ok=True)
    with pytest.raises(IMAPClientError):
        dovecot.delete_folder("Nowhere")


def test_restart_keeps_port_and_mail(dovecot: Dovecot) -> None:
    uids = dovecot.append_many("INBOX", [make_raw(i) for i in range(5)])
    port, validity = dovecot.port, dovecot.uidvalidity("INBOX")
    dovecot.restart()
    assert dovecot.port == port
    assert dovecot.uids("INBOX") == uids and dovecot.uidvalidity("INBOX") == validity
    with dovecot.connect() as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 5


def test_stop_closes_port_and_leaves_no_process(dovecot: Dovecot) -> None:
    dovecot.append("INBOX", make_raw(1))
    dovecot.stop()
    dovecot.stop()  # twice is fine: tests stop it, then the fixture does
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dovecot.host, dovecot.port), timeout=2)
    assert dovecot_module._instance_pids(dovecot.instance_name) == []
    assert not dovecot.running


def test_graceful_stop_also_works(dovecot: Dovecot) -> None:
    dovecot.stop(graceful=True)
    assert not dovecot_module.port_open(dovecot.host, dovecot.port)
    assert dovecot_module._instance_pids(dovecot.instance_name) == []


def test_idle_reports_append_from_another_connection(dovecot: Dovecot) -> None:
    with dovecot.connect() as watcher:
        watcher.select_folder("INBOX")
        watcher.idle()
        started = time.monotonic()
        dovecot.append("INBOX", make_raw(1))
        exists = []
        while not exists and time.monotonic() - started < 10:
            responses = watcher.idle_check(timeout=1)
            exists = [r for r in responses if len(r) > 1 and r[1] == b"EXISTS"]
        watcher.idle_done()
    print(f"IDLE: EXISTS {time.monotonic() - started:.2f} s after APPEND")
    assert exists and exists[0][0] == 1


def test_session_server_is_shared_and_usable(dovecot_session: Dovecot) -> None:
    folder = f"t-{uuid.uuid4().hex[:8]}"
    dovecot_session.create_folder(folder)
    uid = dovecot_session.append(folder, make_raw(1))
    assert dovecot_session.uids(folder) == [uid]
    dovecot_session.delete_folder(folder)


# -- TLS ---------------------------------------------------------------------------------------


def test_ssl_verifies_with_ca_file_only(dovecot_ssl: Dovecot) -> None:
    assert dovecot_ssl.ca_file and Path(dovecot_ssl.ca_file).is_file()
    context = ssl.create_default_context(cafile=dovecot_ssl.ca_file)
    with IMAPClient(dovecot_ssl.host, dovecot_ssl.port, ssl=True, ssl_context=context) as client:
        client.login(dovecot_ssl.user, dovecot_ssl.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(
            dovecot_ssl.host, dovecot_ssl.port, ssl=True, ssl_context=ssl.create_default_context()
        )


def test_ssl_certificate_names_localhost_too(dovecot_ssl: Dovecot) -> None:
    context = dovecot_ssl.ssl_context()
    with socket.create_connection((dovecot_ssl.host, dovecot_ssl.port), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.recv(64).startswith(b"* OK")


def test_starttls_refuses_login_before_starttls(dovecot_starttls: Dovecot) -> None:
    assert dovecot_starttls.login_requires_tls, "127.0.0.2 unavailable: cannot enforce STARTTLS"
    plain = IMAPClient(dovecot_starttls.host, dovecot_starttls.port, ssl=False, timeout=10)
    caps = set(plain.capabilities())
    assert b"STARTTLS" in caps and b"LOGINDISABLED" in caps
    with pytest.raises(LoginError, match="PRIVACYREQUIRED|Plaintext authentication"):
        plain.login(dovecot_starttls.user, dovecot_starttls.password)
    plain.shutdown()

    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot_starttls.host, dovecot_starttls.port, ssl=False).starttls(
            ssl.create_default_context()
        )

    client = IMAPClient(dovecot_starttls.host, dovecot_starttls.port, ssl=False, timeout=10)
    client.starttls(ssl.create_default_context(cafile=dovecot_starttls.ca_file))
    client.login(dovecot_starttls.user, dovecot_starttls.password)
    client.logout()


def test_each_tls_mode_works_with_its_helpers(dovecot_tls: Dovecot) -> None:
    uid = dovecot_tls.append("INBOX", make_raw(1))
    assert dovecot_tls.login_requires_tls
    with dovecot_tls.connect() as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search("ALL") == [uid]


# -- lifecycle edge cases ----------------------------------------------------------------------


@pytest.mark.imap
def test_deep_root_and_cwd_keep_socket_paths_short(monkeypatch: pytest.MonkeyPatch) -> None:
    top = Path(tempfile.mkdtemp(prefix="vw-deep-", dir="/tmp"))
    top.chmod(0o711)
    deep = top.joinpath(*["a-directory-with-a-rather-long-name"] * 6)
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    server = new_dovecot(root=deep)
    try:
        assert len(str(server.root)) > 200 and str(server.root).startswith(str(deep))
        assert len(str(server.base_dir)) <= MAX_BASE_DIR_LEN
        server.start()
        assert server.append("INBOX", make_raw(1)) == 1
        server.restart()
        assert server.uids("INBOX") == [1]
    finally:
        server.cleanup()
        shutil.rmtree(top)
    assert not server.root.exists() and not server.base_dir.exists()


@pytest.mark.imap
@pytest.mark.skipif(os.geteuid() != 0, reason="only as root is the mail handed to nobody")
def test_root_unreachable_by_mail_user_is_a_clear_error(tmp_path: Path) -> None:
    # pytest's own tmp root is 0700: `nobody` could not reach a maildir under it.
    root = tmp_path / "servers"
    with pytest.raises(DovecotError, match="not searchable by nobody"):
        new_dovecot(root=root)
    assert list(root.iterdir()) == []  # the half-made state dir was removed


@pytest.mark.imap
def test_context_manager_cleans_up() -> None:
    server = new_dovecot()
    with server:
        root, base_dir = server.root, server.base_dir
        assert server.running and root.stat().st_mode & 0o777 == 0o711
    assert not server.running and not root.exists() and not base_dir.exists()


def test_missing_dovecot_fails_unless_skip_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_module.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(
        DovecotNotFound, match=r"^dovecot not found: apt-get install dovecot-imapd$"
    ):
        Dovecot()
    monkeypatch.delenv(ALLOW_SKIP_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install dovecot-imapd"):
        new_dovecot()
    monkeypatch.setenv(ALLOW_SKIP_ENV, "1")
    with pytest.raises(pytest.skip.Exception, match="apt-get install dovecot-imapd"):
        new_dovecot()


# -- SMTP --------------------------------------------------------------------------------------


def outgoing(subject: str = "Weekly vendor digest") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vendorwatch@test.example"
    msg["To"] = "owner@test.example"
    msg["Subject"] = subject
    msg.set_content("3 invoices unpaid.\n")
    return msg


def test_smtp_receives_without_auth(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(outgoing())
    [received] = smtp_server.wait_for(1)
    assert received.mail_from == "vendorwatch@test.example"
    assert received.rcpt_tos == ("owner@test.example",)
    assert received.message["Subject"] == "Weekly vendor digest"
    assert received.message.get_content() == "3 invoices unpaid.\n"
    assert received.content.startswith(b"From: vendorwatch@test.example") and not received.auth_user


def test_smtp_with_auth(smtp_server_factory) -> None:
    server = smtp_server_factory(username="vw", password="smtp-pw-9")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(outgoing())
        assert refused.value.smtp_code == 530
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("vw", "wrong")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.login("vw", "smtp-pw-9")
        client.send_message(outgoing("after auth"))
    [received] = server.wait_for(1)
    assert received.auth_user == "vw" and received.message["Subject"] == "after auth"


def test_smtp_starttls_then_auth(smtp_server_factory) -> None:
    server = smtp_server_factory(username="vw", password="smtp-pw-9", starttls=True)
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.ehlo()
        assert client.has_extn("starttls") and not client.has_extn("auth")
        with pytest.raises(ssl.SSLCertVerificationError):
            client.starttls(context=ssl.create_default_context())
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.starttls(context=server.ssl_context())
        client.login("vw", "smtp-pw-9")
        client.send_message(outgoing("over tls"))
    assert server.wait_for(1)[0].message["Subject"] == "over tls"


def test_smtp_wait_for_times_out_clearly(smtp_server: SmtpServer) -> None:
    with pytest.raises(TimeoutError, match="expected 1 message"):
        smtp_server.wait_for(1, timeout=0.2)
