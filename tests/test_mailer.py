"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1): the summary email's MIME
structure, TLS and login, one-line failures, and the rate-limited alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from test_summary import BASE_CONFIG, NOW, loaded_store

from conftest import write_config
from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon.config import Smtp
from vendorwatch.daemon.errors import ConfigError
from vendorwatch.daemon.mailer import SendError, send, send_alerts, summary_message
from vendorwatch.daemon.store import Store
from vendorwatch.daemon.summary import collect


@pytest.fixture
def setup(tmp_path):
    return loaded_store(tmp_path)


def smtp_section(server, tls: str = "none", extra: str = "") -> str:
    return f'\n[smtp]\nhost = "{server.host}"\nport = {server.port}\ntls = "{tls}"\n' + extra


def with_smtp(tmp_path, server, tls: str = "none", extra: str = "", more: str = ""):
    text = BASE_CONFIG + more + smtp_section(server, tls, extra)
    return config_mod.load(write_config(tmp_path / "smtp-config.toml", text))


def test_summary_arrives_as_text_and_html_with_the_invitation(setup, smtp_server, tmp_path):
    _, db = setup
    config = with_smtp(tmp_path, smtp_server)
    with Store.open(db) as store:
        summary = collect(store, config, None, NOW)
    send(summary_message(summary, config), config.smtp, config.summary.recipients)
    received = smtp_server.wait_for(1)[0]
    msg = received.message
    assert received.rcpt_tos == ("dana@brightleaf.example",)
    assert msg["Auto-Submitted"] == "auto-generated"  # ingest files our own mail as automatic
    assert msg["Subject"].startswith("vendorwatch: Tue 10 Nov: 1 calls")
    assert msg.get_content_type() == "multipart/mixed"
    alternative = next(
        p for p in msg.iter_parts() if p.get_content_type() == "multipart/alternative"
    )
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    titles = [
        "Calls to schedule",
        "Payments due",
        "Deliveries due",
        "quality slipped",
        "Who is waiting",
        "New vendor candidates",
    ]
    assert [html.index(t) for t in titles] == sorted(html.index(t) for t in titles)
    assert [text.index(t) for t in titles] == sorted(text.index(t) for t in titles)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    invitations = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(invitations) == 1
    assert invitations[0].get_filename().endswith(".ics")
    assert invitations[0].get_param("method") == "REQUEST"
    ics = invitations[0].get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VEVENT" in ics and "Call with PixelCraft" in ics


def test_starttls_and_login(setup, smtp_server_factory, tmp_path, monkeypatch):
    _, db = setup
    server = smtp_server_factory(username="vw", password="Sm7p-secret", starttls=True)
    monkeypatch.setenv("VW_TEST_SMTP_PW", "Sm7p-secret")
    extra = f'username = "vw"\npassword_env = "VW_TEST_SMTP_PW"\nca_file = "{server.ca_file}"\n'
    config = with_smtp(tmp_path, server, "starttls", extra)
    with Store.open(db) as store:
        message = summary_message(collect(store, config, None, NOW), config)
    send(message, config.smtp, config.summary.recipients)
    assert server.wait_for(1)[0].auth_user == "vw"


def one_line_error(call) -> str:
    with pytest.raises(SendError) as info:
        call()
    text = str(info.value)
    assert "\n" not in text
    return text


def test_failures_are_one_line_naming_host_and_port(
    setup, smtp_server_factory, tmp_path, monkeypatch
):
    _, db = setup
    server = smtp_server_factory(username="vw", password="right-pw", starttls=True)
    monkeypatch.setenv("VW_TEST_SMTP_PW", "wrong-pw-7Q")
    extra = f'username = "vw"\npassword_env = "VW_TEST_SMTP_PW"\nca_file = "{server.ca_file}"\n'
    config = with_smtp(tmp_path, server, "starttls", extra)
    with Store.open(db) as store:
        message = summary_message(collect(store, config, None, NOW), config)
    where = f"smtp {server.host}:{server.port}"

    wrong = one_line_error(lambda: send(message, config.smtp, ["dana@brightleaf.example"]))
    assert wrong.startswith(where) and "login refused for vw" in wrong
    assert "wrong-pw-7Q" not in wrong

    untrusted = replace(config.smtp, ca_file=None)
    error = one_line_error(lambda: send(message, untrusted, ["dana@brightleaf.example"]))
    assert error.startswith(where) and "certificate not trusted" in error

    plain = smtp_server_factory()
    no_tls = replace(config.smtp, host=plain.host, port=plain.port)
    error = one_line_error(lambda: send(message, no_tls, ["dana@brightleaf.example"]))
    assert "does not offer STARTTLS" in error

    port = plain.port
    plain.stop()
    refused = replace(config.smtp, host=plain.host, port=port, tls="none")
    error = one_line_error(lambda: send(message, refused, ["dana@brightleaf.example"]))
    assert error == f"smtp {plain.host}:{port}: connection refused"
    assert server.messages == [] and plain.messages == []


def test_plaintext_only_to_loopback(tmp_path, smtp_server):
    remote = Smtp(host="smtp.example.com", port=25, tls="none")
    error = one_line_error(lambda: send(summary_message_stub(), remote, ["a@b.example"]))
    assert "refusing plaintext SMTP" in error
    with pytest.raises(ConfigError, match="smtp.tls"):
        config_mod.parse({"smtp": {"host": "smtp.example.com", "tls": "none"}})


def summary_message_stub():
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "vendorwatch@brightleaf.example"
    msg.set_content("x")
    return msg


ALERTS = """
[alerts]
enabled = true
min_severity = "high"
max_per_hour = 1
"""


def save_high_finding(store: Store, key: str, day: str) -> None:
    with store.transaction():
        store.save_finding(
            f"alert:{key}",
            {
                "kind": "payment_overdue",
                "severity": "high",
                "vendor": "PixelCraft",
                "subject": "Invoice <b>37</b>",
                "message_id": f"{key}@pixelcraft.example",
                "date": day,
                "evidence": [{"sentence": f"invoice {key} is overdue", "rule": "payment_overdue"}],
                "suggestion": "Pay it.",
            },
        )


def test_alerts_are_new_high_findings_rate_limited(tmp_path, smtp_server):
    config = with_smtp(tmp_path, smtp_server, more=ALERTS)
    now = datetime.now(UTC)
    today = now.date().isoformat()
    with Store.open(tmp_path / "alerts.db") as store:
        save_high_finding(store, "old", "2025-01-01")  # a backfill of old mail: no alert
        assert send_alerts(store, config, now) == 0
        save_high_finding(store, "a", today)
        save_high_finding(store, "b", today)
        assert send_alerts(store, config, now) == 2  # one email carries both
        assert send_alerts(store, config, now) == 0  # never twice
        save_high_finding(store, "c", today)
        assert send_alerts(store, config, now + timedelta(minutes=10)) == 0  # 1 per hour
        assert send_alerts(store, config, now + timedelta(minutes=61)) == 1
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    first = messages[0].message
    assert first["X-Vendorwatch"] == "alert" and "2 finding(s)" in first["Subject"]
    html = first.get_body(("html",)).get_content()
    assert "Invoice &lt;b&gt;37&lt;/b&gt;" in html and "<b>" not in html


def test_alerts_off_by_default_and_released_when_the_send_fails(tmp_path, smtp_server):
    now = datetime.now(UTC)
    config = with_smtp(tmp_path, smtp_server)
    with Store.open(tmp_path / "alerts.db") as store:
        save_high_finding(store, "a", now.date().isoformat())
        assert send_alerts(store, config, now) == 0  # [alerts] enabled = false
        enabled = with_smtp(tmp_path, smtp_server, more=ALERTS)
        port = smtp_server.port
        smtp_server.stop()
        assert send_alerts(store, enabled, now) == 0  # refused: logged, claim released
        smtp_server.port = port
        smtp_server.start()
        assert send_alerts(store, enabled, now) == 1
    assert len(smtp_server.wait_for(1)) == 1


class RecordingClient:
    """Stands in for smtplib.SMTP in the login step alone: aiosmtpd has no XOAUTH2."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def auth(self, mechanism, authobject, initial_response_ok=True):
        self.calls.append((mechanism, authobject(None)))

    def login(self, user, password):
        self.calls.append(("LOGIN", user))


def test_xoauth2_token_and_missing_username():
    from vendorwatch.daemon.config import Secret
    from vendorwatch.daemon.mailer import _login

    smtp = Smtp(
        host="127.0.0.1",
        username="dana@brightleaf.example",
        secret=Secret(oauth2_token_command="echo tok-123"),
    )
    client = RecordingClient()
    _login(client, smtp, "smtp 127.0.0.1:587")
    assert client.calls == [
        ("XOAUTH2", "user=dana@brightleaf.example\x01auth=Bearer tok-123\x01\x01")
    ]
    no_user = replace(smtp, username=None)
    with pytest.raises(SendError, match="no username"):
        _login(RecordingClient(), no_user, "smtp 127.0.0.1:587")
