"""Query commands: the JSON contract, tables that show vendor text as text, no spaCy."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import write_config
from test_import import CONFIG, message, thread_messages, write_mbox


@pytest.fixture
def loaded(tmp_path, run_cli):
    config = write_config(tmp_path / "config.toml", CONFIG)
    msgs = thread_messages()
    evil = msgs[1]
    del evil["Subject"]
    evil["Subject"] = "Re: Landing page banner \x1b[31m<script>alert(1)</script> [bold]x[/bold]"
    mbox = write_mbox(tmp_path / "mail.mbox", msgs)
    db = tmp_path / "vw.db"
    result = run_cli("--config", str(config), "--db", str(db), "import", str(mbox))
    assert result.code == 0, result.err
    return config, db


def test_messages_json_contract(loaded, run_cli):
    config, db = loaded
    result = run_cli("messages", "--json", "--config", str(config), "--db", str(db))
    rows = json.loads(result.out)
    assert len(rows) == 6
    for field in ("message_id", "thread_id", "vendor", "direction", "date", "subject", "lang"):
        assert all(field in r for r in rows)
    assert all("<" not in (r["message_id"] or "") for r in rows)
    newest = rows[0]
    assert newest["subject"] == "Out of office" and newest["date"].startswith("2026-11-06T09:00")


def test_vendors_json_contract_and_vendor_timeline(loaded, run_cli):
    config, db = loaded
    rows = json.loads(run_cli("--config", str(config), "--db", str(db), "vendors", "--json").out)
    assert [r["name"] for r in rows] == ["PixelCraft"]
    for field in (
        "name",
        "addresses",
        "messages",
        "open_deliveries",
        "unpaid_invoices",
        "on_time_rate",
        "last_contact",
    ):
        assert field in rows[0]
    assert rows[0]["messages"] == 3  # the out-of-office reply does not count
    (record,) = json.loads(
        run_cli("--config", str(config), "--db", str(db), "vendor", "pixelcraft", "--json").out
    )
    assert record["name"] == "PixelCraft"
    assert len([e for e in record["timeline"] if e["kind"] == "message"]) == 4
    assert {"on_time_rate", "revision_rounds", "response_hours", "trend"} <= set(
        record["quality"]
    )
    missing = run_cli("--config", str(config), "--db", str(db), "vendor", "Nobody")
    assert missing.code == 1 and "no vendor named 'Nobody'" in missing.err
    assert "PixelCraft" in missing.err


def test_candidates_are_two_way_correspondents(loaded, run_cli):
    config, db = loaded
    rows = json.loads(
        run_cli("--config", str(config), "--db", str(db), "vendors", "--candidates", "--json").out
    )
    assert rows == []  # sam only arranges dinner: no work in that thread
    mbox = write_mbox(
        db.parent / "more.mbox",
        [
            message(
                "q1@brightleaf.example",
                "dana@brightleaf.example",
                "ana@studio.example",
                "Packaging design",
                "Could you quote for a packaging design?",
                "Mon, 09 Nov 2026 10:00:00 +0000",
            ),
            message(
                "q2@studio.example",
                "ana@studio.example",
                "dana@brightleaf.example",
                "Re: Packaging design",
                "Sure, the quote is attached.",
                "Mon, 09 Nov 2026 12:00:00 +0000",
            ),
        ],
    )
    run_cli("--config", str(config), "--db", str(db), "import", str(mbox))
    rows = json.loads(
        run_cli("--config", str(config), "--db", str(db), "vendors", "--candidates", "--json").out
    )
    assert [(r["address"], r["work_messages"]) for r in rows] == [("ana@studio.example", 2)]


def test_search_and_status(loaded, run_cli):
    config, db = loaded
    rows = json.loads(
        run_cli("--config", str(config), "--db", str(db), "search", "banner", "--json").out
    )
    assert rows and all("banner" in (r["subject"] + r["snippet"]).lower() for r in rows)
    status = json.loads(run_cli("--config", str(config), "--db", str(db), "status", "--json").out)
    assert status == []  # imports have no sync state; IMAP folders do


def test_table_shows_vendor_text_as_text(loaded, run_cli, monkeypatch):
    config, db = loaded
    monkeypatch.setenv("COLUMNS", "400")
    out = run_cli("--config", str(config), "--db", str(db), "messages").out
    assert "\x1b[31m" not in out
    assert "\\x1b" in out and "<script>" in out and "[bold]x[/bold]" in out
    as_json = run_cli("--config", str(config), "--db", str(db), "messages", "--json").out
    assert "\x1b" not in as_json and "\\u001b" in as_json


def test_vendor_change_in_config_rematches_stored_mail(loaded, run_cli, tmp_path):
    config, db = loaded
    text = config.read_text() + (
        '\n[[vendors]]\nname = "Sam"\naddresses = ["sam@friend.example"]\n'
    )
    config.write_text(text)
    rows = json.loads(run_cli("--config", str(config), "--db", str(db), "vendors", "--json").out)
    assert {r["name"]: r["messages"] for r in rows} == {"PixelCraft": 3, "Sam": 2}


def test_query_commands_do_not_import_spacy(loaded):
    config, db = loaded
    code = (
        "import sys\n"
        "from vendorwatch.daemon.cli import main\n"
        f"for args in (['vendors'], ['messages'], ['status'], ['search', 'x']):\n"
        f"    try:\n"
        f"        main(args + ['--json', '--config', {str(config)!r}, '--db', {str(db)!r}])\n"
        f"    except SystemExit:\n"
        f"        pass\n"
        "heavy = [m for m in ('spacy', 'langdetect', 'dateparser', 'mailparser') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
