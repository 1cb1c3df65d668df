"""Size bombs: memory stays bounded and the message is stored, in part, with the reason.

The builders are bench/bombs.py's, at sizes that keep this quick; each case runs
`vendorwatch import` (or `sync --once`) in a fresh process whose peak RSS is measured
(bench/common.measure), and is compared with the same command on one small message.
The bounds are far below what reading the whole message would cost, so a change that
reads or expands a bomb fails here. bench/bombs.py prints the full-size figures.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import bombs  # noqa: E402
from common import measure, vendorwatch  # noqa: E402

MB = 1_000_000
CAP = 4 * MB  # max_message_bytes for the oversized cases


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bombs")


@pytest.fixture(scope="module")
def baseline(work: Path) -> int:
    """Peak RSS (MB) of importing one small message: the interpreter and libraries."""
    message = work / "small.eml"
    bombs.write(message, iter([bombs.headers("small", "hi", "text/plain") + b"\r\nhi\r\n"]))
    return run_import(work, "baseline", message)[0]


def run_import(work: Path, name: str, message: Path, cap: int | None = None):
    """(peak RSS MB, stored row, attachments) of `vendorwatch import MESSAGE`."""
    db = work / f"{name}.db"
    config = bombs.config(work, db, cap)
    env = dict(os.environ, VENDORWATCH_HOME=str(work / "home"))
    run = measure(vendorwatch("--config", str(config), "import", str(message)), env, timeout=300)
    assert run.code == 0, run.err
    stored, attachments = bombs.read_back(db)
    assert stored is not None, "the message was not stored"
    return run.rss_mb, stored, attachments


def raw_of(db: Path) -> bytes:
    from vendorwatch.daemon.store import Store

    with Store.open(db, create=False) as store:
        key = store.query("SELECT message_key FROM messages")[0]["message_key"]
        raw = store.raw_message(key)
    assert raw is not None
    return raw


def test_oversized_message_is_read_only_in_part(work, baseline):
    message = work / "big.eml"
    size = bombs.write(message, bombs.big_attachment(30 * MB))
    rss, row, _ = run_import(work, "big", message, CAP)
    assert "over the" in row["truncated"] and row["size"] == size
    assert row["subject"] == "the full video export"
    assert row["new_chars"] > 0  # the note before the attachment is there
    assert rss < baseline + 25, f"{rss} MB against {baseline} MB for a small message"


def test_message_rfc822_nested_100_deep_is_parsed(work, baseline):
    message = work / "nested100.eml"
    bombs.write(message, bombs.nested_rfc822(100))
    rss, row, _ = run_import(work, "nested100", message)
    assert row["parse_error"] is None and row["body_chars"] > 0
    assert rss < baseline + 30


def test_message_rfc822_nested_5000_deep_is_kept_with_the_reason(work, baseline):
    message = work / "nested5000.eml"
    bombs.write(message, bombs.nested_rfc822(5000))
    rss, row, _ = run_import(work, "nested5000", message)
    assert "nesting" in row["parse_error"].lower()
    assert row["subject"] == "Fwd: level 0"
    assert raw_of(work / "nested5000.db") == message.read_bytes()  # nothing lost
    assert rss < baseline + 30


def test_zip_nested_100_deep_is_one_attachment_never_expanded(work, baseline):
    message = work / "zip.eml"
    bombs.write(message, bombs.zip_message(100, 100 * MB))
    blob = bombs.nested_zip(100, 100 * MB)
    rss, row, attachments = run_import(work, "zip", message)
    assert [(a[1], a[2]) for a in attachments] == [("application/zip", len(blob))]
    assert row["parse_error"] is None
    assert rss < baseline + 30  # the 100 MB inside was never inflated


def test_html_part_over_the_cap_is_cut_at_the_source(work, baseline):
    message = work / "html-over.eml"
    bombs.write(message, bombs.big_html(12 * MB))
    rss, row, _ = run_import(work, "html_over", message, CAP)
    assert "over the" in row["truncated"] and row["body_chars"] > 0
    assert rss < baseline + 30


def test_html_part_under_a_raised_cap_is_parsed_with_its_text_cut(work, baseline):
    """Parsed whole: memory grows with the message (about 9x its size in mail-parser),
    which the size cap bounds; the text kept is cut at the body limit with a note."""
    message = work / "html-under.eml"
    size = bombs.write(message, bombs.big_html(4 * MB))
    rss, row, _ = run_import(work, "html_under", message, 64 * MB)
    assert row["truncated"] is None
    assert "body text cut" in row["notes"]
    assert rss < baseline + 15 * size / MB


def test_oversized_message_over_imap_is_fetched_in_part(work, baseline, dovecot, tmp_path):
    message = work / "big-imap.eml"
    size = bombs.write(message, bombs.big_attachment(30 * MB))
    dovecot.append("INBOX", message.read_bytes())
    db = tmp_path / "imap.db"
    config = bombs.config(tmp_path, db, CAP, imap=dovecot)
    env = dict(os.environ, VW_BOMB_PASSWORD=dovecot.password)
    run = measure(vendorwatch("--config", str(config), "sync", "--once"), env, timeout=300)
    assert run.code == 0, run.err
    conn = sqlite3.connect(db)
    try:
        truncated, stored_size = conn.execute("SELECT truncated, size FROM messages").fetchone()
    finally:
        conn.close()
    assert "over the" in truncated and stored_size >= size
    assert run.rss_mb < baseline + 25


def test_a_folder_of_large_messages_is_fetched_within_a_byte_budget(
    dovecot, tmp_path, monkeypatch, run_cli
):
    """Twelve 3 MB messages with batch_size 200: fetched a few at a time, never all."""
    from vendorwatch.daemon import imap, sync

    budget = 8 * MB
    monkeypatch.setattr(sync, "BATCH_BYTES", budget)
    fetched: list[int] = []
    real_fetch = imap.ImapSource.fetch

    def recording_fetch(self, uids):
        messages = real_fetch(self, uids)
        fetched.append(sum(len(m.raw) for m in messages))
        return messages

    monkeypatch.setattr(imap.ImapSource, "fetch", recording_fetch)
    raws = [
        b"".join(bombs.big_attachment(3 * MB)).replace(b"<big@", f"<big{i}@".encode())
        for i in range(12)
    ]
    dovecot.append_many("INBOX", raws)
    monkeypatch.setenv("VW_BOMB_PASSWORD", dovecot.password)
    config = bombs.config(tmp_path, tmp_path / "vw.db", imap=dovecot)
    result = run_cli("--config", str(config), "sync", "--once")
    assert result.code == 0, result.err
    assert max(fetched) <= budget and sum(fetched) == sum(len(raw) for raw in raws)
    conn = sqlite3.connect(tmp_path / "vw.db")
    try:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 12
    finally:
        conn.close()
