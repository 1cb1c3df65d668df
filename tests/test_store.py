"""The store: migrations from a blank file, refusal of foreign files, permissions, search."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from vendorwatch.daemon.errors import StoreError
from vendorwatch.daemon.schema import MIGRATIONS
from vendorwatch.daemon.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_migrations_from_blank_database(tmp_path):
    db = tmp_path / "new.db"
    with Store.open(db) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        tables = set(store.db.table_names())
        assert {
            "messages",
            "raw_messages",
            "locations",
            "sync_state",
            "attachments",
            "vendors",
            "ingest_errors",
            "migrations",
            "messages_fts",
        } <= tables
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store.open(db) as again:  # re-opening applies nothing twice
        assert again.migrate() == []


def test_database_and_wal_are_private(tmp_path):
    db = tmp_path / "sub" / "p.db"
    with Store.open(db) as store:
        with store.transaction():
            store.save_sync_state("a", "INBOX", 1, 5)
        assert _mode(db) == 0o600
        for suffix in ("-wal", "-shm"):
            side = tmp_path / "sub" / f"p.db{suffix}"
            if side.exists():
                assert _mode(side) == 0o600
    assert _mode(tmp_path / "sub") == 0o700


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a vendorwatch database"):
        Store.open(db)
    assert db.read_bytes() == before


def test_corrupted_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="left untouched"):
        Store.open(db)
    assert db.read_bytes() == before


def test_query_commands_do_not_create_a_database(tmp_path, run_cli):
    db = tmp_path / "absent.db"
    result = run_cli("--db", str(db), "vendors")
    assert result.code == 3 and "no database yet" in result.err
    assert not db.exists()


def test_failed_transaction_leaves_nothing(tmp_path):
    with Store.open(tmp_path / "t.db") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.save_sync_state("a", "INBOX", 1, 99)
                raise RuntimeError("boom")
        assert store.sync_state("a", "INBOX") is None


def test_search_treats_text_as_words_not_syntax(tmp_path):
    with Store.open(tmp_path / "s.db") as store:
        with store.transaction():
            store.insert_message(
                {
                    "message_key": "m1",
                    "message_id": "m1",
                    "thread_id": "m1",
                    "direction": "in",
                    "subject": "Invoice INV-2041",
                    "new_text": "Please find the invoice attached: AND OR NOT",
                },
                b"raw",
            )
        assert [r["message_id"] for r in store.search("invoice")] == ["m1"]
        assert [r["message_id"] for r in store.search('"INV-2041" OR (')] == ["m1"]
        assert store.search("   ") == []
        assert store.raw_message("m1") == b"raw"


def test_two_processes_creating_the_same_database_at_once(tmp_path):
    """The daemon's scheduler and a CLI command may open a new file together: the one
    that waits finds the migrations applied and applies nothing twice."""
    import threading

    for attempt in range(10):
        db = tmp_path / f"race{attempt}.db"
        errors: list[Exception] = []
        start = threading.Barrier(3)

        def open_it(db=db, errors=errors, start=start):
            start.wait()
            try:
                with Store.open(db) as store:
                    assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
            except Exception as exc:  # collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
