"""`vendorwatch check` against a real aiosmtpd server (and Dovecot, in test_sync_imap)."""

from __future__ import annotations

from conftest import write_config


def smtp_config(tmp_path, server, tls: str, extra: str = "") -> str:
    text = (
        "[smtp]\n"
        f'host = "{server.host}"\nport = {server.port}\ntls = "{tls}"\n'
        'username = "vw"\npassword_env = "VW_TEST_SMTP_PASSWORD"\n' + extra
    )
    return str(write_config(tmp_path / "smtp.toml", text))


def test_check_smtp_with_starttls_and_login(tmp_path, smtp_server_factory, run_cli, monkeypatch):
    server = smtp_server_factory(username="vw", password="smtp-Pw-77", starttls=True)
    monkeypatch.setenv("VW_TEST_SMTP_PASSWORD", "smtp-Pw-77")
    config = smtp_config(tmp_path, server, "starttls", f'ca_file = "{server.ca_file}"\n')
    result = run_cli("--config", config, "check")
    assert result.code == 0, result.out + result.err
    assert "ok   smtp" in result.out and "smtp-Pw-77" not in result.out + result.err
    assert server.messages == []  # a check sends nothing


def test_check_smtp_wrong_password_and_missing_starttls(
    tmp_path, smtp_server_factory, run_cli, monkeypatch
):
    server = smtp_server_factory(username="vw", password="right-pw", starttls=True)
    monkeypatch.setenv("VW_TEST_SMTP_PASSWORD", "wrong-pw-Q1")
    config = smtp_config(tmp_path, server, "starttls", f'ca_file = "{server.ca_file}"\n')
    result = run_cli("--config", config, "check")
    assert result.code == 1
    assert "login refused" in result.out and "wrong-pw-Q1" not in result.out + result.err
    plain = smtp_server_factory()
    config = smtp_config(tmp_path, plain, "starttls")
    result = run_cli("--config", config, "check")
    assert result.code == 1 and "does not offer STARTTLS" in result.out


def test_check_smtp_untrusted_certificate(tmp_path, smtp_server_factory, run_cli, monkeypatch):
    server = smtp_server_factory(username="vw", password="pw", starttls=True)
    monkeypatch.setenv("VW_TEST_SMTP_PASSWORD", "pw")
    result = run_cli("--config", smtp_config(tmp_path, server, "starttls"), "check")
    assert result.code == 1 and "certificate not trusted" in result.out
