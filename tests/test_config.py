"""Bad configs give one line naming the file, the key and the fix, and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_config
from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon import paths
from vendorwatch.daemon.errors import ConfigError, SecretError
from vendorwatch.daemon.secrets import password

GOOD = """
[owner]
name = "Dana"
addresses = ["dana@brightleaf.example"]
timezone = "Europe/London"
working_hours = "09:00-17:30"

[[accounts]]
name = "work"
host = "127.0.0.1"
port = 1143
tls = "none"
username = "dana@brightleaf.example"
password_env = "VW_TEST_PASSWORD"

[[vendors]]
name = "PixelCraft"
addresses = ["ravi@pixelcraft.example"]
domains = ["pixelcraft.example"]
"""


def test_example_config_parses(monkeypatch):
    repo = Path(__file__).resolve().parents[1]
    config = config_mod.load(repo / "config.example.toml")
    assert config.accounts[0].folders == ("INBOX", "Sent")
    assert config.smtp is not None and config.smtp.port == 587
    assert config.owner.working_hours.start.hour == 9


def test_good_config(tmp_path):
    config = config_mod.load(write_config(tmp_path / "c.toml", GOOD))
    account = config.accounts[0]
    assert (account.host, account.port, account.tls) == ("127.0.0.1", 1143, "none")
    assert config.vendors[0].domains == ("pixelcraft.example",)
    assert config.database == paths.default_database()


def test_config_location_order(tmp_path, monkeypatch, vendorwatch_home):
    assert paths.config_path() == vendorwatch_home / "config.toml"
    monkeypatch.setenv("VENDORWATCH_CONFIG", str(tmp_path / "env.toml"))
    assert paths.config_path() == tmp_path / "env.toml"
    assert paths.config_path(tmp_path / "flag.toml") == tmp_path / "flag.toml"


def test_default_folders_are_none_meaning_inbox_and_sent(tmp_path):
    text = GOOD.replace("port = 1143\n", "")
    config = config_mod.load(write_config(tmp_path / "c.toml", text))
    assert config.accounts[0].folders is None
    assert config.accounts[0].port == 143


BAD_CASES = [
    ("missing key", GOOD.replace('host = "127.0.0.1"\n', ""), "accounts[work].host", "is missing"),
    (
        "wrong type",
        GOOD.replace("port = 1143", 'port = "1143"'),
        "accounts[work].port",
        "must be an integer",
    ),
    (
        "unknown key",
        GOOD.replace('tls = "none"', 'tls = "none"\nhots = "x"'),
        "accounts[work].hots",
        "unknown key",
    ),
    (
        "bad timezone",
        GOOD.replace("Europe/London", "Europe/Londn"),
        "owner.timezone",
        "unknown timezone",
    ),
    ("bad hours", GOOD.replace("09:00-17:30", "9 to 5"), "owner.working_hours", "not a range"),
    (
        "plaintext remote",
        GOOD.replace('"127.0.0.1"', '"imap.example.com"'),
        "accounts[work].tls",
        "password in clear",
    ),
    ("bad tls", GOOD.replace('tls = "none"', 'tls = "yes"'), "accounts[work].tls", "one of"),
    (
        "no secret",
        GOOD.replace('password_env = "VW_TEST_PASSWORD"\n', ""),
        "accounts[work].password_command",
        "no password",
    ),
    (
        "two secrets",
        GOOD.replace(
            'password_env = "VW_TEST_PASSWORD"', 'password_env = "A"\npassword_command = "echo x"'
        ),
        "accounts[work]",
        "conflicts",
    ),
    ("bad toml", GOOD + "\n[owner\n", None, "invalid TOML"),
    (
        "vendor without address",
        GOOD.replace('addresses = ["ravi@pixelcraft.example"]\n', "").replace(
            'domains = ["pixelcraft.example"]\n', ""
        ),
        "vendors[PixelCraft].addresses",
        "no addresses",
    ),
    (
        "bad address",
        GOOD.replace('["dana@brightleaf.example"]', '["dana"]'),
        "owner.addresses",
        "not an email address",
    ),
    (
        "bad port",
        GOOD.replace("port = 1143", "port = 70000"),
        "accounts[work].port",
        "not a TCP port",
    ),
]


@pytest.mark.parametrize("label,text,key,problem", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_config_is_one_clear_line(tmp_path, run_cli, label, text, key, problem):
    path = write_config(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        config_mod.load(path)
    message = str(info.value)
    assert str(path) in message and problem in message
    if key:
        assert key in message
    result = run_cli("--config", str(path), "status")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err
    assert str(path) in lines[0]


def test_unreadable_and_missing_config(tmp_path, run_cli):
    missing = run_cli("--config", str(tmp_path / "nope.toml"), "status")
    assert missing.code == 2 and "no such file" in missing.err
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = run_cli("--config", str(binary), "status")
    assert result.code == 2 and "not UTF-8" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_directory_as_config_is_one_line(tmp_path, run_cli):
    result = run_cli("--config", str(tmp_path), "status")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1


def test_failing_password_command_does_not_leak(tmp_path, monkeypatch):
    secret = config_mod.Secret(password_command="echo hunter2-secret; echo oops >&2; exit 3")
    with pytest.raises(SecretError) as info:
        password(secret, "accounts[work]")
    assert "exited with status 3" in str(info.value)
    assert "accounts[work].password_command" in str(info.value)
    assert "hunter2-secret" not in str(info.value)


def test_password_sources(monkeypatch):
    assert password(config_mod.Secret(password_command="printf 's3cret\\n'"), "a") == "s3cret"
    monkeypatch.setenv("VW_PW", "from-env")
    assert password(config_mod.Secret(password_env="VW_PW"), "a") == "from-env"
    monkeypatch.delenv("VW_PW")
    with pytest.raises(SecretError, match="VW_PW is not set"):
        password(config_mod.Secret(password_env="VW_PW"), "a")


def test_literal_password_in_readable_file_warns(tmp_path):
    text = GOOD.replace('password_env = "VW_TEST_PASSWORD"', 'password = "pw-Zq81x"')
    path = write_config(tmp_path / "c.toml", text)
    assert config_mod.load(path).warnings == ()
    path.chmod(0o644)
    warnings = config_mod.load(path).warnings
    assert warnings and "readable by others" in warnings[0] and "pw-Zq81x" not in warnings[0]
