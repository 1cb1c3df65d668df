"""Vendor text is data, never markup, SQL or terminal control.

Messages whose subjects, sender names and bodies carry HTML, script tags, SQL fragments,
rich markup and terminal escapes (clear screen, OSC 52 clipboard write, BEL, 8-bit CSI,
bidi overrides) are imported with analysis on; then `messages`, `vendors`, `vendor NAME`,
`search` and `findings` must print them as inert text in tables (no control character
reaches the terminal, even with colours forced on) and as valid JSON that gives the
original text back.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from conftest import write_config
from vendorwatch.daemon.store import Store

VENDOR = "ravi@pixelcraft.example"
OWNER = "owner@test.example"
CLEAR = "\x1b[2J\x1b[H"
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # OSC 52: writes "echo pwned" to the clipboard
HOSTILE_SUBJECT = f"Invoice <script>alert(1)</script> {CLEAR}'; DROP TABLE messages; --"
HOSTILE_NAME = f"Ravi {CLIPBOARD}[bold red]Admin[/bold red]"
HOSTILE_BODY = (
    "I don't understand what you mean, which version??? Which files do you want? "
    "<b>bold</b> <img src=x onerror=alert(1)> [link=https://evil.example]click[/link] "
    "\x1b[31mred\x1b[0m bell\x07 csi\x9b2J Robert'); DROP TABLE vendors;-- "
    "\u202etxt.exe deliverable unclear\n"
)
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour codes rich writes itself on a terminal


def encoded(text: str) -> str:
    """An RFC 2047 encoded word: how control characters really travel in headers."""
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def hostile_mbox(path: Path) -> Path:
    when = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    messages = []
    for i, (sender, to, subject, body) in enumerate(
        [
            (f"{encoded(HOSTILE_NAME)} <{VENDOR}>", OWNER, encoded(HOSTILE_SUBJECT), HOSTILE_BODY),
            (
                OWNER,
                VENDOR,
                encoded("Re: " + HOSTILE_SUBJECT),
                "Make it pop and do something nice, whatever works best. " + CLEAR + "\n",
            ),
        ]
    ):
        messages.append(
            f"From sender@x Mon Mar  2 09:0{i}:00 2026\n"
            f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
            f"Date: {format_datetime(when + timedelta(minutes=i))}\n"
            f"Message-ID: <hostile{i}@pixelcraft.example>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\n" + body + "\n"
        )
    path.write_bytes("".join(messages).encode())
    return path


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no table cell wraps, so a phrase can be looked for in one piece."""
    monkeypatch.setenv("COLUMNS", "400")


def strings(value: object) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile mailbox imported once, with analysis; returns the config path."""
    import os

    from vendorwatch.daemon.cli import main

    work = tmp_path_factory.mktemp("hostile")
    old_home = os.environ.get("VENDORWATCH_HOME")
    os.environ["VENDORWATCH_HOME"] = str(work / "home")
    config = write_config(
        work / "config.toml",
        "\n".join(
            [
                "[owner]",
                f'addresses = ["{OWNER}"]',
                "",
                "[[vendors]]",
                'name = "PixelCraft"',
                f'addresses = ["{VENDOR}"]',
                "",
                "[storage]",
                f'database = "{work / "vw.db"}"',
            ]
        )
        + "\n",
    )
    try:
        main(["--config", str(config), "import", str(hostile_mbox(work / "hostile.mbox"))])
    except SystemExit as exc:
        assert exc.code in (0, None)
    finally:
        if old_home is None:
            os.environ.pop("VENDORWATCH_HOME", None)
        else:
            os.environ["VENDORWATCH_HOME"] = old_home
    with Store.open(work / "vw.db", create=False) as store:
        if not store.findings():  # analysis found nothing: file one the way analysis does
            store.save_finding(
                "hostile-test",
                {
                    "kind": "confusion",
                    "severity": "medium",
                    "vendor": "PixelCraft",
                    "message_id": "hostile0@pixelcraft.example",
                    "subject": HOSTILE_SUBJECT,
                    "evidence": [{"sentence": HOSTILE_BODY, "rule": "test"}],
                    "suggestion": CLEAR + "call them",
                },
            )
    return config


SHOW_SUBJECTS = ("messages", "vendor", "search")
COMMANDS = [
    pytest.param(["messages"], id="messages"),
    pytest.param(["vendors"], id="vendors"),
    pytest.param(["vendor", "PixelCraft"], id="vendor"),
    pytest.param(["search", "DROP"], id="search"),
    pytest.param(["findings"], id="findings"),
]


def test_the_database_holds_the_text_verbatim(imported):
    db = imported.parent / "vw.db"
    with Store.open(db, create=False) as store:
        rows = {r["message_id"]: r for r in store.query("SELECT * FROM messages")}
        tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master")}
    assert {"messages", "vendors"} <= tables  # no fragment ran as SQL
    vendor_row = rows["hostile0@pixelcraft.example"]
    assert vendor_row["subject"] == HOSTILE_SUBJECT
    # a name whose encoded word decodes to control characters is kept encoded (inert)
    assert CLIPBOARD in vendor_row["from_name"] or vendor_row["from_name"].startswith("=?")
    assert "DROP TABLE vendors" in vendor_row["body_text"]
    assert vendor_row["vendor"] == "PixelCraft"


@pytest.mark.parametrize("args", COMMANDS)
def test_tables_print_no_control_character(imported, run_cli, args):
    result = run_cli("--config", str(imported), *args)
    assert result.code == 0, result.err
    assert not RAW_CONTROLS.search(result.out), repr(RAW_CONTROLS.search(result.out))
    if args[0] in SHOW_SUBJECTS:  # shown as typed, the escapes visible, not dropped
        assert "<script>alert(1)</script> \\x1b[2J\\x1b[H'; DROP" in result.out


@pytest.mark.parametrize("args", COMMANDS)
def test_tables_on_a_terminal_carry_only_colour_codes(imported, run_cli, args, monkeypatch):
    """With colours forced, rich's own SGR codes are the only escapes in the output."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run_cli("--config", str(imported), *args)
    assert result.code == 0, result.err
    rest = SGR.sub("", result.out)
    assert not RAW_CONTROLS.search(rest), repr(RAW_CONTROLS.search(rest))
    if args[0] in SHOW_SUBJECTS:
        assert "<script>alert(1)</script> \\x1b[2J" in rest  # shown as typed, not interpreted


@pytest.mark.parametrize("args", COMMANDS)
def test_json_is_valid_and_gives_the_text_back(imported, run_cli, args):
    result = run_cli("--config", str(imported), *args, "--json")
    assert result.code == 0, result.err
    assert not RAW_CONTROLS.search(result.out), repr(RAW_CONTROLS.search(result.out))
    data = json.loads(result.out)
    text = "\n".join(strings(data))
    if args[0] in SHOW_SUBJECTS:
        assert "DROP TABLE" in text and "<script>" in text and CLEAR in text
    if args[0] in ("messages", "search"):
        subjects = [row["subject"] for row in data]
        assert HOSTILE_SUBJECT in subjects or "Re: " + HOSTILE_SUBJECT in subjects
