"""The daily summary's content: sections in order, who waits on whom, escaping, quiet days.

Test data: a small mbox imported through the product pipeline (analysis off, so no spaCy),
then tracking findings and a call suggestion saved with the store API.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conftest import write_config
from test_import import message, write_mbox
from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon.importer import import_path
from vendorwatch.daemon.store import Store
from vendorwatch.daemon.summary import (
    clean,
    collect,
    render_html,
    render_text,
    scheduled_at,
    subject_line,
)

OWNER = "dana@brightleaf.example"
RAVI = "ravi@pixelcraft.example"
EVIL_SUBJECT = "Banner <script>alert(1)</script> <img src=x onerror=alert(2)>"
# Tue 10 Nov 2026, 09:00 in London (GMT then): the summary time (08:00) has passed
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)

BASE_CONFIG = f"""
[owner]
name = "Dana Whitfield"
addresses = ["{OWNER}"]
timezone = "Europe/London"

[[vendors]]
name = "PixelCraft"
addresses = ["{RAVI}"]
domains = ["pixelcraft.example"]

[summary]
time = "08:00"
recipients = ["{OWNER}"]
reminder_days = 3

[sync]
analysis = false
"""


def mail_threads() -> list:
    """Four vendor threads: two waits that hold, one answered, one "answered" by a robot."""
    asks_vendor = message(
        "w1@brightleaf.example",
        f"Dana <{OWNER}>",
        f"Ravi <{RAVI}>",
        "Logo files",
        "Thanks for the drafts. Could you send the final logo files as SVG?",
        "Mon, 02 Nov 2026 10:00:00 +0000",
    )
    ooo = message(
        "w2@pixelcraft.example",
        RAVI,
        OWNER,
        "Automatic reply: Logo files",
        "I am out of the office until Monday. Any questions?",
        "Mon, 02 Nov 2026 10:01:00 +0530",
        parent=asks_vendor,
        Auto_Submitted="auto-replied",
    )
    vendor_asks = message(
        "w3@pixelcraft.example",
        f"Ravi <{RAVI}>",
        OWNER,
        EVIL_SUBJECT,
        "Here is the banner. Should it use the blue palette \x1b[31mor the green one?\x1b[0m",
        "Wed, 04 Nov 2026 12:00:00 +0530",
    )
    answered_q = message(
        "w4@pixelcraft.example",
        f"Ravi <{RAVI}>",
        OWNER,
        "Brochure size",
        "Is A5 the right size for the brochure?",
        "Tue, 03 Nov 2026 09:00:00 +0530",
    )
    answer = message(
        "w5@brightleaf.example",
        OWNER,
        RAVI,
        "Re: Brochure size",
        "Yes, A5.",
        "Tue, 03 Nov 2026 15:00:00 +0000",
        parent=answered_q,
    )
    recent_q = message(
        "w6@pixelcraft.example",
        RAVI,
        OWNER,
        "Flyer",
        "Do you want a matte finish?",
        "Mon, 09 Nov 2026 09:00:00 +0530",
    )
    candidate = message(
        "c1@studio.example",
        "Ana <ana@studio.example>",
        OWNER,
        "Packaging design quote",
        "Here is my quote for the packaging design.",
        "Fri, 06 Nov 2026 10:00:00 +0000",
    )
    candidate_reply = message(
        "c2@brightleaf.example",
        OWNER,
        "ana@studio.example",
        "Re: Packaging design quote",
        "Thanks, I will look at the quote.",
        "Fri, 06 Nov 2026 11:00:00 +0000",
        parent=candidate,
    )
    return [asks_vendor, ooo, vendor_asks, answered_q, answer, recent_q, candidate, candidate_reply]


def save_tracking_findings(store: Store) -> None:
    with store.transaction():
        for kind, severity, day, sentence in [
            (
                "payment_due",
                "medium",
                "2026-11-12",
                "invoice 41 (EUR 1200.00) is due on 2026-11-12",
            ),
            ("payment_overdue", "high", "2026-11-01", "invoice 37 (EUR 800.00) is 9 days overdue"),
            ("unreviewed_delivery", "medium", "2026-11-05", "Attached are the final banners."),
            ("quality_slip", "medium", "2026-11-10", "PixelCraft: on-time rate 50% (was 90%)"),
        ]:
            store.save_finding(
                f"{kind}:test",
                {
                    "kind": kind,
                    "severity": severity,
                    "vendor": "PixelCraft",
                    "subject": f"Subject of {kind}",
                    "message_id": f"{kind}@pixelcraft.example",
                    "date": day,
                    "evidence": [{"sentence": sentence, "rule": kind}],
                    "suggestion": f"Do something about {kind}.",
                },
            )


def save_call(store: Store, thread_id: str = "t-call", subject: str = "Homepage copy") -> None:
    with store.transaction():
        store.save_call_suggestion(
            thread_id,
            0,
            {
                "vendor": "PixelCraft",
                "subject": subject,
                "message_id": "call@pixelcraft.example",
                "reasons": ["ambiguity", "confusion"],
                "score": 0.9,
                "evidence": [
                    {"sentence": "Make it pop a bit more.", "rule": "vague_terms"},
                    {"sentence": "Sorry, which version do you mean?", "rule": "confusion"},
                ],
            },
        )


@pytest.fixture
def setup(tmp_path: Path):
    return loaded_store(tmp_path)


def loaded_store(tmp_path: Path):
    """(config, db path) with the mail imported, findings and a call suggestion saved."""
    config = config_mod.load(write_config(tmp_path / "config.toml", BASE_CONFIG))
    db = tmp_path / "vw.db"
    config = config_mod._replace(config, database=db)
    with Store.open(db) as store:
        store.save_vendors(
            [{"name": "PixelCraft", "addresses": [RAVI], "domains": ["pixelcraft.example"]}]
        )
        import_path(write_mbox(tmp_path / "mail.mbox", mail_threads()), config, store)
        save_tracking_findings(store)
        save_call(store)
    return config, db


def build(setup, day: date | None = None, now: datetime = NOW):
    config, db = setup
    with Store.open(db) as store:
        return collect(store, config, day, now)


def test_sections_in_order_most_urgent_first(setup):
    summary = build(setup)
    shown = [s.key for s in summary.sections if s.count]
    assert shown == ["calls", "payments", "deliveries", "quality", "waiting", "candidates"]
    payments = next(s for s in summary.sections if s.key == "payments")
    assert [i.kind for i in payments.items] == ["payment_overdue", "payment_due"]
    calls = summary.sections[0]
    assert calls.items[0].quotes == ["Make it pop a bit more.", "Sorry, which version do you mean?"]
    assert len(summary.invitations) == 1 and summary.invitations[0][1].startswith(
        b"BEGIN:VCALENDAR"
    )
    text = render_text(summary)
    order = [text.index(f"== {s.title}") for s in summary.sections if s.count]
    assert order == sorted(order)
    assert "Proposed: " in text and text.count("(theirs ") == 3  # three slots, both clocks


def test_waiting_on_whom(setup):
    waiting = next(s for s in build(setup).sections if s.key == "waiting")
    by_subject = {i.subject: i for i in waiting.items}
    # the vendor's question, unanswered for 6 days (evil subject: the data, kept as is)
    assert by_subject[EVIL_SUBJECT].kind == "waiting_question"
    assert "asked you 6 days ago" in by_subject[EVIL_SUBJECT].detail
    # the owner's request: the out-of-office reply is not an answer
    assert by_subject["Logo files"].kind == "waiting_request"
    assert by_subject["Logo files"].quotes == ["Could you send the final logo files as SVG?"]
    assert "Brochure size" not in by_subject  # answered: the reminder died with the reply
    assert "Flyer" not in by_subject  # asked yesterday: not yet N days
    # the question items come before the requests: the owner's own debts first
    assert [i.kind for i in waiting.items] == ["waiting_question", "waiting_request"]


def test_a_reply_ends_the_wait(setup, tmp_path):
    config, db = setup
    reply = message(
        "w7@pixelcraft.example",
        RAVI,
        OWNER,
        "Re: Logo files",
        "Sure, attached.",
        "Mon, 09 Nov 2026 10:00:00 +0530",
        In_Reply_To="<w1@brightleaf.example>",
        References="<w1@brightleaf.example>",
    )
    with Store.open(db) as store:
        import_path(write_mbox(tmp_path / "reply.mbox", [reply]), config, store)
    waiting = next(s for s in build(setup).sections if s.key == "waiting")
    assert "Logo files" not in {i.subject for i in waiting.items}


def test_html_escapes_vendor_text_and_text_strips_escapes(setup):
    summary = build(setup)
    page = render_html(summary)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "\x1b" not in page
    # the only tags are ours
    tags = set(re.findall(r"<\s*([a-zA-Z0-9!]+)", page))
    assert tags <= {
        "!DOCTYPE",
        "html",
        "head",
        "meta",
        "title",
        "body",
        "h1",
        "h2",
        "p",
        "ul",
        "li",
        "strong",
        "br",
        "blockquote",
        "em",
        "code",
    }
    text = render_text(summary)
    assert "\x1b" not in text and "or the green one?" in text
    assert EVIL_SUBJECT in text  # plain text shows it as it is: text is not interpreted


def test_clean_removes_terminal_controls():
    assert clean("a\x1b[2J\x1b]0;title\x07b\x07c\u202ed\r\ne") == "abcd e"
    assert clean(None) == ""


def test_json_shape(setup):
    rows = build(setup).as_dicts()
    assert [r["section"] for r in rows][:6] == [
        "calls",
        "payments",
        "deliveries",
        "quality",
        "waiting",
        "candidates",
    ]
    assert json.dumps(rows)  # plain data
    assert rows[0]["items"][0]["vendor"] == "PixelCraft"


def test_due_rows_enrich_and_extend_findings(setup, monkeypatch):
    """A `due` row about a finding's message adds date and amount; one no finding covers
    (due within reminder_days) becomes its own item; one due later is left out."""
    config, db = setup
    rows = [
        {
            "kind": "payment",
            "vendor": "PixelCraft",
            "due_date": "2026-11-12",
            "status": "open",
            "amount": "1200.00",
            "currency": "EUR",
            "invoice_number": "41",
            "message_id": "payment_due@pixelcraft.example",
        },
        {
            "kind": "delivery",
            "vendor": "PixelCraft",
            "due_date": "2026-11-11",
            "status": "open",
            "message_id": "promise@pixelcraft.example",
            "subject": "Brochure",
            "text": "I will send the brochure by Wednesday.",
        },
        {
            "kind": "delivery",
            "vendor": "PixelCraft",
            "due_date": "2026-12-20",
            "status": "open",
            "message_id": "later@pixelcraft.example",
            "subject": "Annual report",
        },
    ]
    monkeypatch.setattr(Store, "due", lambda self, today, **kw: rows)
    summary = build(setup)
    payments = next(s for s in summary.sections if s.key == "payments")
    due_item = next(i for i in payments.items if i.kind == "payment_due")
    assert due_item.facts == ["due 2026-11-12, EUR 1200.00, invoice 41"]
    deliveries = next(s for s in summary.sections if s.key == "deliveries")
    subjects = [i.subject for i in deliveries.items]
    assert "Brochure" in subjects and "Annual report" not in subjects


def test_quiet_day_is_short(tmp_path):
    config = config_mod.load(write_config(tmp_path / "c.toml", BASE_CONFIG))
    with Store.open(tmp_path / "empty.db") as store:
        summary = collect(store, config, None, NOW)
    assert summary.quiet
    text = render_text(summary)
    assert "Nothing needs you today" in text and "==" not in text
    assert subject_line(summary, "vendorwatch").endswith("nothing needs you today")
    assert len(text.splitlines()) < 8


def test_subject_counts_and_no_vendor_text(setup):
    subject = subject_line(build(setup), "vendorwatch")
    assert subject.startswith("vendorwatch: Tue 10 Nov: 1 calls to schedule, 2 payments")
    assert "<" not in subject and "PixelCraft" not in subject


def test_weekly_capacity_on_the_weekly_day(setup):
    monday = build(setup, date(2026, 11, 9), NOW)
    assert monday.weekly and monday.sections[-1].key == "capacity"
    assert monday.sections[-1].items[0].headline.startswith("You sent ")
    assert not build(setup).weekly
    assert "capacity" not in [s.key for s in build(setup).sections]


def test_another_day_is_built_as_of_its_summary_time(setup):
    # on 5 Nov at 08:00 the question of 4 Nov was one day old: not yet listed
    earlier = build(setup, date(2026, 11, 5))
    assert earlier.as_of == scheduled_at(date(2026, 11, 5), setup[0])
    waiting = next(s for s in earlier.sections if s.key == "waiting")
    assert EVIL_SUBJECT not in {i.subject for i in waiting.items}


def test_a_broken_section_is_a_note_not_a_crash(setup, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(Store, "vendor_candidates", broken)
    summary = build(setup)
    candidates = next(s for s in summary.sections if s.key == "candidates")
    assert candidates.items == [] and "could not be built" in candidates.note
    assert "could not be built" in render_text(summary)
    assert next(s for s in summary.sections if s.key == "calls").items  # the rest stands


def test_cli_summary_print_and_json(setup, run_cli, tmp_path):
    config, db = setup
    path = str(config.path)
    result = run_cli(
        "--config", path, "--db", str(db), "summary", "--print", "--date", "2026-11-10"
    )
    assert result.code == 0, result.err
    assert "vendorwatch summary for Tuesday 10 November 2026" in result.out
    assert "== Calls to schedule (1) ==" in result.out and "\x1b" not in result.out
    result = run_cli("--config", path, "--db", str(db), "summary", "--json", "--date", "2026-11-10")
    rows = json.loads(result.out)
    assert rows[0]["section"] == "calls" and rows[0]["day"] == "2026-11-10"
    bad = run_cli("--config", path, "--db", str(db), "summary", "--date", "10/11/2026")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.err + bad.out or "%Y-%m-%d" in bad.err


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("summary", "subject", "Daily\nBcc: x@evil.example", "summary.subject"),
        ("summary", "reminder_days", 0, "summary.reminder_days"),
        ("alerts", "min_severity", "urgent", "alerts.min_severity"),
        ("alerts", "max_per_hour", -1, "alerts.max_per_hour"),
    ],
)
def test_summary_and_alert_keys_are_checked(section, key, value, expected):
    with pytest.raises(config_mod.ConfigError, match=expected):
        config_mod.parse({section: {key: value}})
    defaults = config_mod.parse({})
    assert (defaults.summary.reminder_days, defaults.alerts.enabled) == (3, False)
