"""`vendorwatch import` and the ingest pipeline on files: threads, direction, vendors."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import SHARED, write_config
from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon.importer import import_path
from vendorwatch.daemon.parse import normalize_subject, parse
from vendorwatch.daemon.store import Store

CONFIG = """
[owner]
name = "Dana Whitfield"
addresses = ["dana@brightleaf.example"]
timezone = "Europe/London"

[[vendors]]
name = "PixelCraft"
addresses = ["ravi@pixelcraft.example"]
domains = ["pixelcraft.example"]
"""


def message(
    mid: str,
    sender: str,
    to: str,
    subject: str,
    body: str,
    date: str,
    parent: EmailMessage | None = None,
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if mid:
        msg["Message-ID"] = f"<{mid}>"
    if parent is not None:
        msg["In-Reply-To"] = parent["Message-ID"]
        refs = (parent.get("References", "") + " " + parent["Message-ID"]).strip()
        msg["References"] = refs
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def thread_messages() -> list[EmailMessage]:
    first = message(
        "a1@brightleaf.example",
        "Dana <dana@brightleaf.example>",
        "Ravi <ravi@pixelcraft.example>",
        "Landing page banner",
        "Please send three banner options by Friday.",
        "Mon, 02 Nov 2026 10:00:00 +0000",
    )
    reply = message(
        "b1@pixelcraft.example",
        "Ravi <ravi@pixelcraft.example>",
        "dana@brightleaf.example",
        "Re: Landing page banner",
        "Sure, will do.\n\nOn Mon, 2 Nov 2026 at 10:00, Dana <dana@brightleaf.example> "
        "wrote:\n> Please send three banner options",
        "Mon, 02 Nov 2026 16:05:00 +0530",
        parent=first,
    )
    colleague = message(
        "c1@pixelcraft.example",
        "Anita <anita@pixelcraft.example>",
        "dana@brightleaf.example",
        "RE: Landing page banner",
        "Attached are the options.",
        "Thu, 05 Nov 2026 11:00:00 +0530",
        parent=reply,
    )
    no_id = message(
        "",
        "Sam <sam@friend.example>",
        "dana@brightleaf.example",
        "Dinner?",
        "Are we still on for Friday?",
        "Tue, 03 Nov 2026 19:00:00 +0000",
    )
    no_id_reply = message(
        "d1@brightleaf.example",
        "dana@brightleaf.example",
        "sam@friend.example",
        "Re: Dinner?",
        "Yes!",
        "Tue, 03 Nov 2026 20:00:00 +0000",
    )
    ooo = message(
        "e1@pixelcraft.example",
        "ravi@pixelcraft.example",
        "dana@brightleaf.example",
        "Out of office",
        "I am away until Monday.",
        "Fri, 06 Nov 2026 09:00:00 +0530",
        Auto_Submitted="auto-replied",
    )
    return [first, reply, colleague, no_id, no_id_reply, ooo]


@pytest.fixture
def config(tmp_path):
    return config_mod.load(write_config(tmp_path / "config.toml", CONFIG))


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path)
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


def test_import_mbox_threads_direction_vendor(tmp_path, config):
    mbox = write_mbox(tmp_path / "mail.mbox", thread_messages())
    with Store.open(tmp_path / "vw.db") as store:
        result = import_path(mbox, config, store)
        assert (result.stored, result.duplicates, len(result.errors)) == (6, 0, 0)
        rows = {r["subject"]: r for r in store.query("SELECT * FROM messages")}
        banner = [r for r in rows.values() if "banner" in r["subject"].lower()]
        assert {r["thread_id"] for r in banner} == {"a1@brightleaf.example"}
        assert {r["vendor"] for r in banner} == {"PixelCraft"}
        assert rows["Landing page banner"]["direction"] == "out"
        assert rows["Re: Landing page banner"]["direction"] == "in"
        assert rows["Re: Landing page banner"]["utc_offset"] == 330
        assert (
            "Dana <dana@brightleaf.example> wrote"
            not in rows["Re: Landing page banner"]["new_text"]
        )
        # no Message-ID: a stable hash key, threaded with its reply by subject
        assert rows["Dinner?"]["message_key"].startswith("sha256:")
        assert rows["Re: Dinner?"]["thread_id"] == rows["Dinner?"]["thread_id"]
        assert rows["Out of office"]["auto_reply"] == "Auto-Submitted: auto-replied"
        # importing again stores nothing twice
        again = import_path(mbox, config, store)
        assert (again.stored, again.skipped) == (0, 6)
        assert store.counts()["messages"] == 6


def test_reply_arriving_before_its_parent_joins_one_thread(tmp_path, config):
    msgs = thread_messages()[:3]
    first = write_mbox(tmp_path / "late.mbox", [msgs[2], msgs[1]])
    second = write_mbox(tmp_path / "early.mbox", [msgs[0]])
    with Store.open(tmp_path / "vw.db") as store:
        import_path(first, config, store)
        import_path(second, config, store)
        threads = {r["thread_id"] for r in store.query("SELECT thread_id FROM messages")}
        assert threads == {"a1@brightleaf.example"}


def test_in_reply_to_chain_without_references_merges(tmp_path, config):
    a = message(
        "x1@b.example",
        "dana@brightleaf.example",
        "ravi@pixelcraft.example",
        "Logo",
        "Make a logo.",
        "Mon, 02 Nov 2026 10:00:00 +0000",
    )
    b = message(
        "x2@p.example",
        "ravi@pixelcraft.example",
        "dana@brightleaf.example",
        "Re: Logo",
        "Ok.",
        "Mon, 02 Nov 2026 11:00:00 +0000",
    )
    b["In-Reply-To"] = "<x1@b.example>"
    c = message(
        "x3@b.example",
        "dana@brightleaf.example",
        "ravi@pixelcraft.example",
        "Re: Logo",
        "Thanks.",
        "Mon, 02 Nov 2026 12:00:00 +0000",
    )
    c["In-Reply-To"] = "<x2@p.example>"
    with Store.open(tmp_path / "vw.db") as store:
        import_path(write_mbox(tmp_path / "1.mbox", [c]), config, store)
        import_path(write_mbox(tmp_path / "2.mbox", [b]), config, store)
        import_path(write_mbox(tmp_path / "3.mbox", [a]), config, store)
        threads = {r["thread_id"] for r in store.query("SELECT thread_id FROM messages")}
        assert threads == {"x1@b.example"}


def test_same_message_in_two_sources_is_stored_once(tmp_path, config):
    msgs = thread_messages()
    maildir = mailbox.Maildir(tmp_path / "md", create=True)
    for msg in msgs[:2]:
        maildir.add(msg)
    mbox = write_mbox(tmp_path / "m.mbox", msgs[:2])
    with Store.open(tmp_path / "vw.db") as store:
        one = import_path(tmp_path / "md", config, store)
        two = import_path(mbox, config, store)
        assert (one.stored, two.stored, two.duplicates) == (2, 0, 2)
        assert store.counts() == {"messages": 2, "locations": 4, "errors": 0}


def test_oversized_message_keeps_headers_and_text(tmp_path, config):
    msg = message(
        "big@p.example",
        "ravi@pixelcraft.example",
        "dana@brightleaf.example",
        "Big delivery",
        "Here are the files.",
        "Mon, 02 Nov 2026 10:00:00 +0000",
    )
    msg.add_attachment(
        b"\0" * 3_000_000, maintype="application", subtype="zip", filename="files.zip"
    )
    small = config_mod.parse({"sync": {"max_message_bytes": 1_000_000}}, tmp_path / "c.toml")
    small = config_mod.Config(**{**vars(config), "sync": small.sync})
    with Store.open(tmp_path / "vw.db") as store:
        import_path(write_mbox(tmp_path / "big.mbox", [msg]), small, store)
        row = store.query("SELECT * FROM messages")[0]
        assert row["subject"] == "Big delivery"
        assert "Here are the files." in row["new_text"]
        assert "over the 1 MB cap" in row["truncated"]


def test_subject_normalisation():
    assert normalize_subject("Re: AW: WG: Fwd: TR: RV: Enc: Logo  draft") == "logo draft"
    assert normalize_subject("RE[2]: Logo") == "logo"
    assert normalize_subject("SV: VS: Odp: Logo") == "logo"
    assert normalize_subject("Regarding the logo") == "regarding the logo"


def test_unparseable_input_is_a_record_with_the_reason():
    parsed = parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert parsed.parse_error and "Outlook .msg" in parsed.parse_error
    parsed = parse(b"")
    assert parsed.parse_error and parsed.key.startswith("sha256:")


def corpus_files() -> list[Path]:
    if not (SHARED / "corpora").is_dir():
        return []
    return sorted(
        p
        for p in (SHARED / "corpora").rglob("*")
        if p.is_file() and p.suffix not in (".md", ".py") and not p.name.startswith(".")
    )


@pytest.mark.skipif(not corpus_files(), reason="../shared/corpora not present")
def test_every_corpus_message_goes_through_import(tmp_path, config, run_cli):
    """No crash on malformed MIME; unparseable ones are one line each and still stored."""
    root = SHARED / "corpora"
    db = tmp_path / "corpus.db"
    result = run_cli("--db", str(db), "import", str(root))
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    files = corpus_files()
    with Store.open(db) as store:
        assert store.counts()["locations"] == len(files)
        errors = store.query("SELECT item, error FROM ingest_errors")
    failed = {e["item"] for e in errors}
    assert "mail-parser/mail_outlook_1" in failed
    for line in result.err.strip().splitlines():
        if ": " in line and "/" in line.split(":")[0]:
            assert any(item in line for item in failed)


def test_a_message_whose_analysis_fails_is_stored_with_the_error(tmp_path, config, monkeypatch):
    """A bug on one message must not stop the mail: the others are analysed, it is stored
    unanalysed with an ingest error that says why."""
    from vendorwatch.nlp.analyze import Analyzer

    real = Analyzer.analyze

    def analyze(self, items):
        if any("BOOM" in item.text for item in items):
            raise ValueError("a bug in a rule")
        return real(self, items)

    monkeypatch.setattr(Analyzer, "analyze", analyze)
    msgs = thread_messages()
    bad = message(
        "boom@pixelcraft.example",
        "Ravi <ravi@pixelcraft.example>",
        "dana@brightleaf.example",
        "Status",
        "Hi Dana,\n\nBOOM goes the parser on this one.\n",
        "Fri, 06 Nov 2026 10:00:00 +0530",
    )
    mbox = write_mbox(tmp_path / "mail.mbox", [*msgs, bad])
    with Store.open(tmp_path / "vw.db") as store:
        result = import_path(mbox, config, store)
        assert result.stored == len(msgs) + 1
        langs = {
            r["message_id"]: r["lang"]
            for r in store.query("SELECT message_id, lang FROM messages WHERE vendor IS NOT NULL")
        }
        assert langs["boom@pixelcraft.example"] is None
        assert sum(lang is not None for lang in langs.values()) >= 2
        (error,) = store.query("SELECT message_key, error FROM ingest_errors")
        assert error["message_key"] == "boom@pixelcraft.example"
        assert error["error"] == "analysis failed: ValueError: a bug in a rule"
