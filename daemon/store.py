"""The SQLite store: the only module that knows the schema and writes SQL.

Writes happen in explicit transactions (`with store.transaction():`) so that a batch of
messages and the sync state that says they were read land together or not at all.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

from . import quality
from .errors import NotFoundError, StoreError
from .schema import APPLICATION_ID, MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class StoreWriteError(StoreError, sqlite3.OperationalError):
    """The disk is full or the database read-only: one line for the CLI (a StoreError), and
    an OperationalError, the kind `vendorwatch run` waits out and retries, since space
    freed or permissions fixed let it resume where it stopped."""


RELIABLE_ON_TIME = 0.8  # capacity view: vendors at or above this on-time rate


def _load_sqlite_utils():
    """Import sqlite-utils without the numpy it imports when installed.

    numpy only adds column types for numpy values, which vendorwatch never stores, and
    importing it costs about 0.1 s on every CLI query. Code that needs numpy later (spaCy)
    imports it normally.
    """
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
    try:
        import sqlite_utils
    finally:
        del sys.modules["numpy"]
    return sqlite_utils


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SyncState:
    uidvalidity: int | None
    last_uid: int


class Store:
    """An open vendorwatch database."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.db = _load_sqlite_utils().Database(conn)
        self._in_transaction = False
        self._unindexed: list[int] = []  # messages inserted in this transaction, for FTS

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True) -> Store:
        """Open (and if needed create and migrate) the database at `path`.

        A file that is not a vendorwatch database is refused and left untouched.
        """
        path = Path(path).expanduser()
        if not path.exists():
            if not create:
                raise StoreError(
                    f"{path}: no database yet (run `vendorwatch sync --once` or "
                    "`vendorwatch import PATH` first)"
                )
            _create_private_file(path)
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open database: {exc}") from None
        store = cls(path, conn)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _write_problem(exc, path):
                raise StoreError(f"{path}: cannot write: {_write_problem(exc, path)}") from None
            raise StoreError(
                f"{path}: not a readable SQLite database ({exc}); the file was left untouched"
            ) from None
        except StoreError:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        """Check, configure and migrate a freshly opened file. Switching a new file to WAL
        can fail at once with "locked" (SQLite does not wait there) while another process
        creates the same file: then try again until the busy timeout."""
        deadline = monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._check_ownership()
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                self._set_wal()
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self.conn.execute("PRAGMA foreign_keys = OFF")
                self.migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or monotonic() > deadline:
                    raise
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._in_transaction = False
                sleep(0.05)

    def _set_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                _chmod_private(side)

    def _check_ownership(self) -> None:
        self.conn.execute("BEGIN")  # one snapshot: another process may be creating it now
        try:
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            self.conn.execute("COMMIT")
        if app_id == APPLICATION_ID or (app_id == 0 and tables == 0):
            return
        raise StoreError(
            f"{self.path}: this SQLite file is not a vendorwatch database; "
            "it was left untouched (choose another --db path)"
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- migrations ----------------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        if "migrations" not in self.db.table_names():
            return []
        return [row["name"] for row in self.db.query("SELECT name FROM migrations ORDER BY name")]

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; returns the names applied now."""
        done = set(self.applied_migrations())
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                if name in self.applied_migrations():
                    continue  # another process opening the same new file applied it first
                if not done and not applied:
                    self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self.conn.execute(
                        "CREATE TABLE IF NOT EXISTS migrations "
                        "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                    )
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now_iso())
                )
            applied.append(name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested calls join the outer one."""
        if self._in_transaction:
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        self._in_transaction = True
        try:
            yield
            self._index_new_messages()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:  # SQLite itself rolls back on a full disk
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise self._write_error(exc) from None
            raise
        finally:
            self._in_transaction = False
            self._unindexed.clear()

    def _write_error(self, exc: sqlite3.OperationalError) -> Exception:
        """A full disk or a read-only file as one line for the user; other errors as they are.
        The batch was rolled back with the sync state that covers it, so nothing is lost."""
        problem = _write_problem(exc, self.path)
        if problem is None:
            return exc
        return StoreWriteError(
            f"{self.path}: cannot write: {problem}; nothing after the last stored batch "
            "was recorded, so the same command resumes once that is fixed"
        )

    @contextmanager
    def savepoint(self, name: str = "part") -> Iterator[None]:
        """A part of the current transaction that can fail alone: its writes are undone
        and the rest of the transaction stands."""
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def _index_new_messages(self) -> None:
        """Add this transaction's new messages to the full-text index in one statement each
        500 rows: indexing row by row from a trigger cost a third of ingest time."""
        for part, marks in _in_chunks(self._unindexed):
            self.conn.execute(
                "INSERT INTO messages_fts (rowid, subject, from_name, new_text) "
                f"SELECT id, subject, from_name, new_text FROM messages WHERE id IN ({marks})",
                part,
            )

    # -- ingest --------------------------------------------------------------------------

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` are stored already: one query per 500 instead of one per message."""
        found: set[str] = set()
        for part, marks in _in_chunks(keys):
            found.update(
                row[0]
                for row in self.conn.execute(
                    f"SELECT message_key FROM messages WHERE message_key IN ({marks})", part
                )
            )
        return found

    def thread_of_ids(self, ids: Iterable[str]) -> str | None:
        """The thread of any stored message whose Message-ID is among `ids`."""
        ids = [i for i in ids if i]
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.conn.execute(
            f"SELECT thread_id FROM messages WHERE message_id IN ({marks}) LIMIT 1", ids
        ).fetchone()
        return row[0] if row else None

    def thread_of_subject(self, subject_norm: str, counterpart: str, since_utc: str) -> str | None:
        row = self.conn.execute(
            "SELECT thread_id FROM messages WHERE subject_norm = ? AND counterpart = ? "
            "AND date_utc >= ? ORDER BY date_utc DESC LIMIT 1",
            (subject_norm, counterpart, since_utc),
        ).fetchone()
        return row[0] if row else None

    def merge_thread(self, old: str, new: str) -> int:
        """Move messages filed under a provisional thread id into the thread they belong
        to, with what was tracked and found in them."""
        if old == new:
            return 0
        for table in ("commitments", "deliveries", "invoices", "findings"):
            self.conn.execute(f"UPDATE {table} SET thread_id = ? WHERE thread_id = ?", (new, old))
        return self.conn.execute(
            "UPDATE messages SET thread_id = ? WHERE thread_id = ?", (new, old)
        ).rowcount

    def insert_message(
        self, row: dict[str, Any], raw: bytes, attachments: Iterable[dict[str, Any]] = ()
    ) -> bool:
        """Insert a message unless its key is stored already; True when it was new.

        It joins the caller's transaction (or opens one), whose commit indexes it for search.
        """
        with self.transaction():
            return self._insert_message(row, raw, attachments)

    def _insert_message(
        self, row: dict[str, Any], raw: bytes, attachments: Iterable[dict[str, Any]]
    ) -> bool:
        row = dict(row, ingested_at=now_iso())
        for key in ("to_addrs", "cc_addrs", "refs", "notes"):
            if not isinstance(row.get(key), str | None):
                row[key] = json.dumps(row[key], ensure_ascii=False)
        columns = ",".join(row)
        marks = ",".join("?" * len(row))
        cursor = self.conn.execute(
            f"INSERT OR IGNORE INTO messages ({columns}) VALUES ({marks})", list(row.values())
        )
        if cursor.rowcount == 0:
            return False
        self._unindexed.append(cursor.lastrowid)
        encoding, blob = _pack_raw(raw)
        self.conn.execute(
            "INSERT OR REPLACE INTO raw_messages (message_key, encoding, raw) VALUES (?, ?, ?)",
            (row["message_key"], encoding, blob),
        )
        attachments = list(attachments)
        if not attachments:
            return True
        self.conn.executemany(
            "INSERT INTO attachments (message_key, name, content_type, size, sha256, text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    row["message_key"],
                    a["name"],
                    a["content_type"],
                    a["size"],
                    a["sha256"],
                    a.get("text"),
                )
                for a in attachments
            ],
        )
        return True

    def raw_message(self, key: str) -> bytes | None:
        row = self.conn.execute(
            "SELECT encoding, raw FROM raw_messages WHERE message_key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return zlib.decompress(row[1]) if row[0] == "zlib" else bytes(row[1])

    def known_items(
        self, source: str, folder: str, uidvalidity: int, items: Sequence[str]
    ) -> set[str]:
        """Which of `items` in a folder are already recorded."""
        found: set[str] = set()
        for part, marks in _in_chunks(items):
            found.update(
                row[0]
                for row in self.conn.execute(
                    "SELECT item FROM locations WHERE source = ? AND folder = ? "
                    f"AND uidvalidity = ? AND item IN ({marks})",
                    (source, folder, uidvalidity, *part),
                )
            )
        return found

    def add_location(self, source: str, folder: str, uidvalidity: int, item: str, key: str) -> bool:
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO locations (source, folder, uidvalidity, item, message_key, "
            "seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            (source, folder, uidvalidity, item, key, now_iso()),
        )
        return cursor.rowcount == 1

    def record_error(
        self,
        error: str,
        *,
        key: str | None = None,
        source: str | None = None,
        folder: str | None = None,
        item: str | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO ingest_errors (message_key, source, folder, item, error, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key, source, folder, item, error, now_iso()),
        )

    # -- sync state ----------------------------------------------------------------------

    def sync_state(self, source: str, folder: str) -> SyncState | None:
        row = self.conn.execute(
            "SELECT uidvalidity, last_uid FROM sync_state WHERE source = ? AND folder = ?",
            (source, folder),
        ).fetchone()
        return SyncState(row[0], row[1]) if row else None

    def save_sync_state(
        self, source: str, folder: str, uidvalidity: int | None, last_uid: int
    ) -> None:
        self.conn.execute(
            "INSERT INTO sync_state (source, folder, uidvalidity, last_uid, last_sync) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, folder) DO UPDATE SET "
            "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, "
            "last_sync = excluded.last_sync",
            (source, folder, uidvalidity, last_uid, now_iso()),
        )

    def save_sync_error(self, source: str, folder: str, error: str | None) -> None:
        """Remember the last failure of a folder (or clear it) for `vendorwatch status`."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sync_state (source, folder, last_error, last_error_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (source, folder) DO UPDATE SET "
                "last_error = excluded.last_error, last_error_at = excluded.last_error_at",
                (source, folder, error, now_iso() if error else None),
            )

    # -- vendors -------------------------------------------------------------------------

    def save_vendors(self, vendors: Iterable[dict[str, Any]]) -> None:
        """Make the vendors table mirror the configuration."""
        with self.transaction():
            self.conn.execute("DELETE FROM vendors")
            self.conn.executemany(
                "INSERT INTO vendors (name, addresses, domains, locale, timezone) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        v["name"],
                        json.dumps(list(v["addresses"])),
                        json.dumps(list(v["domains"])),
                        v.get("locale"),
                        v.get("timezone"),
                    )
                    for v in vendors
                ],
            )

    def reassign_vendors(self, assign: Any) -> list[str]:
        """Re-run vendor matching on stored messages after the vendor list changed; returns
        the keys of the messages whose vendor changed (their tracking is redone).

        `assign(direction, from_addr, recipients) -> vendor or None` is ingest's matcher.
        """
        rows = self.conn.execute(
            "SELECT id, message_key, direction, from_addr, to_addrs, cc_addrs, vendor FROM messages"
        ).fetchall()
        changes = []
        keys = []
        for ident, key, direction, from_addr, to_addrs, cc_addrs, vendor in rows:
            recipients = [a for _, a in json.loads(to_addrs)] + [a for _, a in json.loads(cc_addrs)]
            new = assign(direction, from_addr, recipients)
            if new != vendor:
                changes.append((new, ident))
                keys.append(key)
        with self.transaction():
            self.conn.executemany("UPDATE messages SET vendor = ? WHERE id = ?", changes)
        return keys

    # -- analysis ------------------------------------------------------------------------

    def messages_for_analysis(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """The vendor messages among `keys` (automatic replies left out), oldest first."""
        rows: list[dict[str, Any]] = []
        for part, marks in _in_chunks(list(keys)):
            rows += self.query(
                "SELECT message_key, message_id, thread_id, vendor, direction, new_text, "
                "subject, date, date_utc FROM messages WHERE message_key IN (" + marks + ") "
                "AND vendor IS NOT NULL AND auto_reply IS NULL",
                tuple(part),
            )
        return sorted(rows, key=lambda r: r["date_utc"] or "")

    def thread_context(self, thread_id: str, before_utc: str | None, limit: int = 3) -> str:
        """The new text of the messages just before a point in a thread, oldest first."""
        rows = self.conn.execute(
            "SELECT new_text FROM messages WHERE thread_id = ? AND date_utc < ? "
            "ORDER BY date_utc DESC LIMIT ?",
            (thread_id, before_utc or "9999", limit),
        ).fetchall()
        return "\n\n".join(r[0] or "" for r in reversed(rows))

    def thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        """A thread's vendor messages with their stored (not dismissed) findings."""
        rows = self.query(
            "SELECT message_key, message_id, direction, new_text, lang, vendor, subject, date, "
            "utc_offset FROM messages WHERE thread_id = ? AND auto_reply IS NULL "
            "ORDER BY date_utc, id",
            (thread_id,),
        )
        found: dict[str, list[dict[str, Any]]] = {}
        for f in self.query(
            "SELECT * FROM findings WHERE thread_id = ? AND dismissed_at IS NULL "
            "AND message_key IS NOT NULL",
            (thread_id,),
        ):
            found.setdefault(f["message_key"], []).append(f)
        for row in rows:
            row["findings"] = found.get(row["message_key"], [])
        return rows

    def save_language(self, key: str, lang: str) -> None:
        self.conn.execute("UPDATE messages SET lang = ? WHERE message_key = ?", (lang, key))

    def save_finding(self, fingerprint: str, record: dict[str, Any]) -> None:
        """Insert or refresh a finding; one the owner dismissed stays dismissed."""
        record = dict(record, fingerprint=fingerprint, created_at=now_iso())
        for key in ("evidence", "notes"):
            if not isinstance(record.get(key), str | None):
                record[key] = json.dumps(record[key], ensure_ascii=False)
        columns = ",".join(record)
        marks = ",".join("?" * len(record))
        updates = ",".join(
            f"{c} = excluded.{c}" for c in record if c not in ("fingerprint", "created_at")
        )
        self.conn.execute(
            f"INSERT INTO findings ({columns}) VALUES ({marks}) ON CONFLICT (fingerprint) "
            f"DO UPDATE SET {updates} WHERE findings.dismissed_at IS NULL",
            list(record.values()),
        )

    def save_call_suggestion(self, thread_id: str, episode: int, record: dict[str, Any]) -> None:
        """Open or refresh the suggestion of a thread episode; never reopen a dismissed one."""
        record = dict(record)
        for key in ("reasons", "evidence"):
            record[key] = json.dumps(record[key], ensure_ascii=False)
        now = now_iso()
        columns = ["thread_id", "episode", *record, "created_at", "updated_at"]
        values = [thread_id, episode, *record.values(), now, now]
        updates = ",".join(f"{c} = excluded.{c}" for c in [*record, "updated_at"])
        self.conn.execute(
            f"INSERT INTO call_suggestions ({','.join(columns)}) VALUES "
            f"({','.join('?' * len(values))}) ON CONFLICT (thread_id, episode) DO UPDATE SET "
            f"{updates} WHERE call_suggestions.status = 'open'",
            values,
        )

    def resolve_call_suggestions(self, thread_id: str, before_episode: int, why: str) -> None:
        self.conn.execute(
            "UPDATE call_suggestions SET status = 'resolved', resolved_at = ?, resolution = ? "
            "WHERE thread_id = ? AND episode < ? AND status = 'open'",
            (now_iso(), why, thread_id, before_episode),
        )

    def findings(
        self,
        *,
        kind: str | None = None,
        vendor: str | None = None,
        include_dismissed: bool = False,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        where, params = ["1 = 1"], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if vendor:
            self._require_vendor(vendor)
            where.append("vendor = ? COLLATE NOCASE")
            params.append(vendor)
        if not include_dismissed:
            where.append("dismissed_at IS NULL AND resolved_at IS NULL")
        sql = (
            "SELECT id, kind, severity, vendor, subject, message_id, thread_id, date, evidence, "
            "suggestion, notes, dismissed_at, resolved_at FROM findings WHERE "
            + " AND ".join(where)
            + " ORDER BY date DESC, id DESC"
            + (" LIMIT ?" if limit else "")
        )
        if limit:
            params.append(limit)
        rows = self.query(sql, tuple(params))
        for row in rows:
            row["evidence"] = json.loads(row["evidence"] or "[]")
            row["notes"] = json.loads(row["notes"]) if row["notes"] else []
        return rows

    def call_suggestions(self, include_closed: bool = False) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT c.*, (SELECT group_concat(utc_offset) FROM (SELECT utc_offset FROM "
            "messages m WHERE m.vendor = c.vendor AND m.direction = 'in' "
            "AND m.utc_offset IS NOT NULL ORDER BY m.date_utc)) AS vendor_offsets "
            "FROM call_suggestions c "
            + ("" if include_closed else "WHERE c.status = 'open' ")
            + "ORDER BY c.score DESC, c.updated_at DESC"
        )
        for row in rows:
            row["reasons"] = json.loads(row["reasons"])
            row["evidence"] = json.loads(row["evidence"])
            offsets = row.pop("vendor_offsets")
            row["vendor_offsets"] = [int(o) for o in offsets.split(",")] if offsets else []
        return rows

    def dismiss_finding(self, ident: int) -> None:
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE findings SET dismissed_at = ? WHERE id = ? AND dismissed_at IS NULL",
                (now_iso(), ident),
            )
        if cursor.rowcount == 0 and not self.query("SELECT 1 FROM findings WHERE id = ?", (ident,)):
            raise NotFoundError(f"no finding with id {ident}")

    # -- tracking: commitments, deliveries, invoices, payments ---------------------------

    def tracking_inputs(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """The messages among `keys` that tracking reads: vendor mail (automatic replies
        left out), and other received mail, where payment notifications are found (they
        are automatic by design and name the vendor in their text, not their address)."""
        rows: list[dict[str, Any]] = []
        for part, marks in _in_chunks(list(keys)):
            rows += self.query(
                "SELECT message_key, message_id, thread_id, vendor, direction, from_addr, "
                "from_name, subject, new_text, date, date_utc FROM messages "
                "WHERE message_key IN (" + marks + ") AND (vendor IS NOT NULL AND "
                "auto_reply IS NULL OR vendor IS NULL AND direction = 'in')",
                tuple(part),
            )
        vendor_keys = [r["message_key"] for r in rows if r["vendor"]]
        for part, marks in _in_chunks(vendor_keys):
            texts: dict[str, list[tuple[str, str | None]]] = {}
            for key, name, text in self.conn.execute(
                "SELECT message_key, name, text FROM attachments WHERE message_key IN ("
                + marks
                + ") ORDER BY id",
                part,
            ):
                texts.setdefault(key, []).append((name, text))
            for row in rows:
                if row["message_key"] in texts:
                    row["attachments"] = texts[row["message_key"]]
        for row in rows:
            row.setdefault("attachments", [])
        return sorted(rows, key=lambda r: r["date_utc"] or "")

    def vendor_signals(self, vendor: str, limit: int = 5) -> dict[str, Any]:
        """What tells a vendor's country: the UTC offsets and text of their latest mail."""
        rows = self.conn.execute(
            "SELECT utc_offset, substr(coalesce(body_text, ''), 1, 4000) FROM messages "
            "WHERE vendor = ? AND direction = 'in' ORDER BY date_utc DESC LIMIT ?",
            (vendor, limit),
        ).fetchall()
        return {
            "utc_offsets": [r[0] * 60 for r in rows if r[0] is not None],
            "texts": [r[1] for r in rows],
        }

    def save_extractions(self, message_key: str, found: dict[str, list[dict[str, Any]]]) -> None:
        """Replace what was extracted from one message: analysing it again gives the same
        rows, never a second copy. Links between rows are rebuilt per thread afterwards."""
        for table in _TRACKING_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE message_key = ?", (message_key,))
            for row in found.get(table, ()):
                row = {k: _sql_value(v) for k, v in row.items()}
                self.conn.execute(
                    f"INSERT OR REPLACE INTO {table} ({','.join(row)}) "
                    f"VALUES ({','.join('?' * len(row))})",
                    list(row.values()),
                )

    def thread_tracking(self, thread_id: str) -> dict[str, list[dict[str, Any]]]:
        """A thread's messages (oldest first), commitments and deliveries, for relinking."""
        return {
            "messages": self.query(
                "SELECT message_key, direction, date, date_utc, new_text FROM messages "
                "WHERE thread_id = ? AND auto_reply IS NULL ORDER BY date_utc, id",
                (thread_id,),
            ),
            "commitments": self.query(
                "SELECT * FROM commitments WHERE thread_id = ? ORDER BY made_at, id", (thread_id,)
            ),
            "deliveries": self.query(
                "SELECT * FROM deliveries WHERE thread_id = ? ORDER BY delivered_at, id",
                (thread_id,),
            ),
        }

    def save_thread_links(
        self, commitments: Iterable[dict[str, Any]], deliveries: Iterable[dict[str, Any]]
    ) -> None:
        self.conn.executemany(
            "UPDATE commitments SET delivery_key = :delivery_key, done_on = :done_on "
            "WHERE ckey = :ckey",
            list(commitments),
        )
        self.conn.executemany(
            "UPDATE deliveries SET commitment_key = :commitment_key, due_date = :due_date, "
            "reviewed_on = :reviewed_on, revision_rounds = :revision_rounds "
            "WHERE message_key = :message_key",
            list(deliveries),
        )

    def delivery_fingerprints(self, before_utc: str | None) -> list[dict[str, Any]]:
        """Earlier deliveries with a text fingerprint, for the originality check."""
        rows = self.query(
            "SELECT d.message_key, d.message_id, d.vendor, d.delivered_on, d.items, "
            "d.fingerprint FROM deliveries d WHERE d.fingerprint IS NOT NULL "
            "AND d.delivered_at < ?",
            (before_utc or "9999",),
        )
        for row in rows:
            row["fingerprint"] = json.loads(row["fingerprint"])
            row["items"] = json.loads(row["items"])
        return rows

    def invoice_vendor(self, number: str) -> str | None:
        row = self.conn.execute(
            "SELECT vendor FROM invoices WHERE number = ? COLLATE NOCASE LIMIT 1", (number,)
        ).fetchone()
        return row[0] if row else None

    def add_mark(self, kind: str, target: str, on_date: str) -> None:
        """The owner's own record ("paid", "delivered", "reviewed"): analysis never
        overwrites it, and it wins over what the mail says."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO marks (kind, target, on_date, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, target) DO UPDATE SET on_date = excluded.on_date",
                (kind, target, on_date, now_iso()),
            )

    def mark_target(self, kind: str, ident: str, vendor: str | None = None) -> str:
        """The stable key a mark is stored under, from what the user typed: an invoice
        number or its id from `due` / `invoices` ("i3") (paid), a commitment's id from `due`
        ("c12") (delivered), or a delivery's id or Message-ID (reviewed)."""
        ident = ident.strip().strip("<>")
        if kind == "paid" and re.fullmatch(r"i\d+", ident):
            row = self.conn.execute(
                "SELECT vendor, number, ikey FROM invoices WHERE id = ?", (int(ident[1:]),)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no invoice with id {ident} (ids are in `vendorwatch due`)")
            return _invoice_target(row[0], row[1]) if row[1] else row[2]
        if kind == "paid":
            rows = self.query(
                "SELECT DISTINCT vendor, number FROM invoices WHERE number = ? COLLATE NOCASE"
                + (" AND vendor = ? COLLATE NOCASE" if vendor else ""),
                (ident, vendor) if vendor else (ident,),
            )
            if not rows:
                raise NotFoundError(f"no invoice numbered {ident!r}" + _for(vendor))
            if len(rows) > 1:
                names = ", ".join(sorted(r["vendor"] or "?" for r in rows))
                raise NotFoundError(
                    f"invoice {ident!r} exists for several vendors ({names}): add --vendor"
                )
            return _invoice_target(rows[0]["vendor"], rows[0]["number"])
        if kind == "delivered":
            number = ident[1:] if re.fullmatch(r"c\d+", ident) else ident
            row = self.conn.execute(
                "SELECT ckey FROM commitments WHERE id = ? OR ckey = ?",
                (int(number) if number.isdigit() else -1, ident),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no commitment with id {ident} (ids are in `vendorwatch due`)")
            return row[0]
        row = self.conn.execute(
            "SELECT message_key FROM deliveries WHERE id = ? OR message_id = ? OR message_key = ?",
            (int(ident) if ident.isdigit() else -1, ident, ident),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no delivery with id or Message-ID {ident}")
        return row[0]

    def _marks(self) -> dict[tuple[str, str], str]:
        return {
            (k, t): d for k, t, d in self.conn.execute("SELECT kind, target, on_date FROM marks")
        }

    def commitment_rows(
        self, vendor: str | None = None, *, lean: bool = False, open_only: bool = False
    ) -> list[dict[str, Any]]:
        """Commitments with the owner's "delivered" marks applied. `lean` reads only what
        scores and counts need (no text, no subject): the overview of every vendor reads
        them all. `open_only` leaves out what the mail says was done."""
        columns = (
            "c.id, c.ckey, c.vendor, c.kind, c.set_by, c.due_date, c.done_on, c.conditional"
            if lean
            else "c.*, m.subject"
        )
        where = [*(["c.vendor = ? COLLATE NOCASE"] if vendor else [])]
        where += ["c.done_on IS NULL"] if open_only else []
        rows = self.query(
            f"SELECT {columns} FROM commitments c "
            + ("" if lean else "LEFT JOIN messages m ON m.message_key = c.message_key ")
            + (f"WHERE {' AND '.join(where)} " if where else "")
            + "ORDER BY c.due_date, c.id",
            (vendor,) if vendor else (),
        )
        marks = self._marks()
        for row in rows:
            marked = marks.get(("delivered", row["ckey"]))
            if marked:
                row["done_on"], row["marked"] = marked, True
        return rows

    def delivery_rows(self, vendor: str | None = None, *, lean: bool = False) -> list[dict]:
        """Deliveries with the owner's "reviewed" marks applied (`lean`: for scores)."""
        columns = (
            "d.id, d.message_key, d.vendor, d.delivered_on, d.delivered_at, d.due_date, "
            "d.reviewed_on, d.revision_rounds, d.items"
            if lean
            else "d.*, m.subject"
        )
        rows = self.query(
            f"SELECT {columns} FROM deliveries d "
            + ("" if lean else "LEFT JOIN messages m ON m.message_key = d.message_key")
            + (" WHERE d.vendor = ? COLLATE NOCASE" if vendor else "")
            + " ORDER BY d.delivered_at, d.id",
            (vendor,) if vendor else (),
        )
        marks = self._marks()
        for row in rows:
            row["items"] = json.loads(row["items"] or "[]")
            marked = marks.get(("reviewed", row["message_key"]))
            if marked:
                row["reviewed_on"], row["marked"] = marked, True
        return rows

    def invoice_rows(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """One row per invoice (vendor + number; the first message that carried it), with
        its earliest payment, or the owner's "paid" mark, which wins."""
        return self._invoices_and_payments(vendor)[0]

    def payment_rows(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """Payments, each with the invoice it pays where that can be told."""
        return self._invoices_and_payments(vendor)[1]

    def _invoices_and_payments(
        self, vendor: str | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Invoices and payments matched by vendor and number; a payment that names no
        invoice pays the vendor's one open invoice of its amount issued before it, or
        their only one. Matching here, on every read, gives the same answer whatever
        order the mail arrived in."""
        where, params = (" WHERE vendor = ? COLLATE NOCASE", (vendor,)) if vendor else ("", ())
        # the first message that carried an invoice stands for it; a resend with no
        # readable date only fills gaps
        rows = self.query(
            "SELECT * FROM invoices" + where + " ORDER BY issued IS NULL, issued, id", params
        )
        all_payments = self.query(
            "SELECT * FROM payments" + where + " ORDER BY paid_on, id", params
        )
        payments: dict[str, list[dict[str, Any]]] = {}
        for p in all_payments:
            if p["invoice_number"]:
                payments.setdefault(_invoice_target(p["vendor"], p["invoice_number"]), []).append(p)
        marks = self._marks()
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            target = _invoice_target(row["vendor"], row["number"]) if row["number"] else row["ikey"]
            if target in merged:
                _fill_missing(merged[target], row)
                continue
            row["notes"] = json.loads(row["notes"]) if row["notes"] else []
            paid = payments.get(target, [])
            row["paid_on"] = paid[0]["paid_on"] if paid else None
            row["payments"] = paid
            marked = marks.get(("paid", target))
            if marked:
                row["paid_on"], row["marked"] = marked, True
            merged[target] = row
        invoices = list(merged.values())
        for p in all_payments:
            if not p["invoice_number"]:
                _guess_invoice(p, invoices)
        return invoices, all_payments

    def response_times(self, vendor: str) -> list[tuple[str, float]]:
        """(date of the vendor's answer, hours it took) for each owner message the vendor
        answered next in the same thread."""
        rows = self.conn.execute(
            "SELECT thread_id, direction, date_utc FROM messages WHERE vendor = ? "
            "AND auto_reply IS NULL AND date_utc IS NOT NULL ORDER BY thread_id, date_utc",
            (vendor,),
        ).fetchall()
        result = []
        waiting: tuple[str, datetime] | None = None
        for thread, direction, when in rows:
            at = datetime.fromisoformat(when)
            if direction == "out":
                if waiting is None or waiting[0] != thread:
                    waiting = (thread, at)
            elif waiting is not None and waiting[0] == thread:
                result.append((when, (at - waiting[1]).total_seconds() / 3600))
                waiting = None
        return result

    def due(
        self, today: date, *, include_done: bool = False, vendor: str | None = None
    ) -> list[dict[str, Any]]:
        """Deliveries, deadlines and payments with their status on `today`: open (not yet
        due), overdue, done (on time) or late (done after its date). By default only what
        still needs doing (open and overdue)."""
        if vendor:
            vendor = self._require_vendor(vendor)["name"]
        rows = []
        for c in self.commitment_rows(vendor, open_only=not include_done):
            rows.append(
                {
                    "id": f"c{c['id']}",
                    "kind": c["kind"],
                    "vendor": c["vendor"],
                    "due_date": c["due_date"],
                    "status": _status(c["due_date"], c["done_on"], today),
                    "amount": None,
                    "currency": None,
                    "invoice_number": None,
                    "message_id": c["message_id"],
                    "done_on": c["done_on"],
                    "set_by": c["set_by"],
                    "conditional": bool(c["conditional"]),
                    "marked": bool(c.get("marked")),
                    "text": c["text"],
                    "subject": c["subject"],
                }
            )
        for inv in self.invoice_rows(vendor):
            if not inv["due"]:
                continue
            rows.append(
                {
                    "id": f"i{inv['id']}",
                    "kind": "payment",
                    "vendor": inv["vendor"],
                    "due_date": inv["due"],
                    "status": _status(inv["due"], inv["paid_on"], today),
                    "amount": inv["amount"],
                    "currency": inv["currency"],
                    "invoice_number": inv["number"],
                    "message_id": inv["message_id"],
                    "done_on": inv["paid_on"],
                    "set_by": "vendor",
                    "conditional": False,
                    "marked": bool(inv.get("marked")),
                    "text": None,
                    "subject": None,
                }
            )
        if not include_done:
            rows = [r for r in rows if r["status"] in ("open", "overdue")]
        return sorted(rows, key=lambda r: (r["due_date"], r["kind"], int(r["id"][1:])))

    def invoices(
        self, today: date, *, vendor: str | None = None, unpaid: bool = False
    ) -> list[dict[str, Any]]:
        """Invoices with their state on `today`: open, overdue, paid or paid_late."""
        if vendor:
            vendor = self._require_vendor(vendor)["name"]
        rows = []
        for inv in self.invoice_rows(vendor):
            status = _status(inv["due"], inv["paid_on"], today) if inv["due"] else None
            if status is None:
                status = "paid" if inv["paid_on"] else "open"
            status = {"done": "paid", "late": "paid_late"}.get(status, status)
            if unpaid and inv["paid_on"]:
                continue
            rows.append(
                {
                    "id": f"i{inv['id']}",
                    "vendor": inv["vendor"],
                    "number": inv["number"],
                    "amount": inv["amount"],
                    "currency": inv["currency"],
                    "issued": inv["issued"],
                    "terms": inv["terms"],
                    "due": inv["due"],
                    "paid_on": inv["paid_on"],
                    "status": status,
                    "message_id": inv["message_id"],
                    "notes": inv["notes"],
                    "message_key": inv["message_key"],
                    "marked": bool(inv.get("marked")),
                }
            )
        return sorted(rows, key=lambda r: (r["due"] or r["issued"] or "", int(r["id"][1:])))

    def capacity(
        self,
        today: date,
        *,
        timezone: str = "UTC",
        hours: tuple[time, time] = (time(9), time(17, 30)),
        days: int = 7,
    ) -> dict[str, Any]:
        """The weekly view of mistake 4: reliable vendors with no open work (room to give
        them more) and the owner's own load from the mail of the last `days` days."""
        zone = ZoneInfo(timezone)
        since = datetime.combine(today - timedelta(days=days - 1), time(), zone)
        sent = self.conn.execute(
            "SELECT date_utc FROM messages WHERE direction = 'out' AND auto_reply IS NULL "
            "AND date_utc >= ?",
            (since.astimezone(UTC).isoformat(),),
        ).fetchall()
        outside = 0
        for (when,) in sent:
            local = datetime.fromisoformat(when).astimezone(zone)
            if local.weekday() >= 5 or not hours[0] <= local.time() < hours[1]:
                outside += 1
        alone = self.query(
            "SELECT thread_id, min(subject) AS subject, sum(direction = 'out') AS sent, "
            "sum(direction = 'in') AS received, max(date) AS last FROM messages "
            "WHERE auto_reply IS NULL AND thread_id IN (SELECT DISTINCT thread_id FROM "
            "messages WHERE direction = 'out' AND date_utc >= ?) GROUP BY thread_id "
            "HAVING sent >= 3 AND received <= 1 ORDER BY sent DESC LIMIT 10",
            (since.astimezone(UTC).isoformat(),),
        )
        idle = [
            {
                "vendor": v["name"],
                "on_time_rate": v["on_time_rate"],
                "last_contact": v["last_contact"],
            }
            for v in self.vendors_overview(today)
            if v["on_time_scored"] >= quality.MIN_WINDOW
            and v["on_time_rate"] >= RELIABLE_ON_TIME
            and v["open_deliveries"] == 0
            and v["open_deadlines"] == 0
        ]
        return {
            "days": days,
            "reliable_vendors_without_work": idle,
            "sent": len(sent),
            "sent_outside_hours": outside,
            "threads_carried_alone": alone,
        }

    def resolve_findings(self, kinds: Sequence[str], active: Iterable[str]) -> int:
        """Close the findings of `kinds` that no longer hold (paid, delivered, reviewed)."""
        active = set(active)
        marks = ",".join("?" * len(kinds))
        stale = [
            ident
            for ident, fingerprint in self.conn.execute(
                f"SELECT id, fingerprint FROM findings WHERE kind IN ({marks}) "
                "AND resolved_at IS NULL",
                tuple(kinds),
            )
            if fingerprint not in active
        ]
        now = now_iso()
        self.conn.executemany(
            "UPDATE findings SET resolved_at = ? WHERE id = ?", [(now, i) for i in stale]
        )
        return len(stale)

    # -- queries -------------------------------------------------------------------------

    def query(self, sql: str, params: dict[str, Any] | tuple = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def messages(
        self, *, vendor: str | None = None, thread: str | None = None, limit: int | None = 50
    ) -> list[dict[str, Any]]:
        where, params = ["1 = 1"], {}
        if vendor:
            self._require_vendor(vendor)
            where.append("vendor = :vendor COLLATE NOCASE")
            params["vendor"] = vendor
        if thread:
            where.append("thread_id = :thread")
            params["thread"] = thread
        sql = (
            "SELECT message_id, thread_id, vendor, direction, date, subject, lang, "
            "from_addr AS 'from', parse_error FROM messages WHERE "
            + " AND ".join(where)
            + " ORDER BY date_utc DESC, id DESC"
            + (" LIMIT :limit" if limit else "")
        )
        if limit:
            params["limit"] = limit
        return self.query(sql, params)

    def vendors_overview(self, today: date | None = None) -> list[dict[str, Any]]:
        """Each vendor with contact, open work, unpaid invoices and on-time rate (None when
        no dated delivery has been scored yet: "no data", not 100%)."""
        today = today or date.today()
        work = self._work_counts(today)
        unpaid = _group([i for i in self.invoice_rows() if not i["paid_on"]], "vendor")
        rows = self.query(
            # with one max(), SQLite takes the bare m.date from the latest message
            "SELECT v.name, v.addresses, v.domains, count(m.id) AS messages, "
            "max(m.date_utc) AS last_utc, m.date AS last_contact "
            "FROM vendors v LEFT JOIN messages m ON m.vendor = v.name "
            "AND m.auto_reply IS NULL GROUP BY v.name ORDER BY last_utc DESC, v.name"
        )
        result = []
        for row in rows:
            name = row["name"]
            counts = work.get(name, {})
            scored = counts.get("scored", 0) + counts.get("missed", 0)
            result.append(
                {
                    "name": name,
                    "addresses": json.loads(row["addresses"]),
                    "domains": json.loads(row["domains"]),
                    "messages": row["messages"],
                    "open_deliveries": counts.get("open_deliveries", 0),
                    "open_deadlines": counts.get("open_deadlines", 0),
                    "unpaid_invoices": len(unpaid.get(name, ())),
                    "unpaid_totals": _totals(unpaid.get(name, ())),
                    "on_time_rate": counts.get("on_time", 0) / scored if scored else None,
                    "on_time_scored": scored,
                    "last_contact": row["last_contact"],
                }
            )
        return result

    def _work_counts(self, today: date) -> dict[str, dict[str, int]]:
        """Per vendor: open promises and deadlines, and the on-time score of
        `quality.on_time_events` (deliveries against their date, promises passed with
        nothing delivered), counted in SQL: the overview of every vendor must stay fast
        on a large database. tests/test_tracking_store.py checks both agree."""
        counts: dict[str, dict[str, int]] = {}
        for vendor, open_deliveries, open_deadlines, missed in self.conn.execute(
            "SELECT c.vendor, "
            "sum(c.kind = 'delivery' AND c.done_on IS NULL AND k.target IS NULL), "
            "sum(c.kind = 'request_deadline' AND c.set_by = 'owner' AND c.done_on IS NULL "
            "    AND k.target IS NULL), "
            "sum(c.done_on IS NULL AND k.target IS NULL AND NOT c.conditional "
            "    AND NOT (c.set_by = 'vendor' AND c.kind = 'request_deadline') "
            "    AND c.due_date < ?) "
            "FROM commitments c LEFT JOIN marks k ON k.kind = 'delivered' AND k.target = c.ckey "
            "GROUP BY c.vendor",
            (today.isoformat(),),
        ):
            counts[vendor] = {
                "open_deliveries": open_deliveries,
                "open_deadlines": open_deadlines,
                "missed": missed,
            }
        for vendor, scored, on_time in self.conn.execute(
            "SELECT vendor, sum(due_date IS NOT NULL), "
            "sum(due_date IS NOT NULL AND delivered_on <= due_date) FROM deliveries "
            "GROUP BY vendor"
        ):
            counts.setdefault(vendor, {}).update(scored=scored, on_time=on_time)
        return counts

    def vendor_candidates(self, known: Iterable[str], owner: Iterable[str]) -> list[dict]:
        """Correspondents who look like vendors: mail both ways, about work, not configured.

        `work_messages` counts their messages that use the vocabulary of commissioned
        work (invoice, draft, deadline...): a friend arranging dinner has none.
        """
        known_set = {k.lower() for k in known}
        owner_set = {o.lower() for o in owner}
        rows = self.query(
            "SELECT counterpart AS address, "
            "sum(direction = 'in') AS received, sum(direction = 'out') AS sent, "
            "count(DISTINCT thread_id) AS threads, max(date) AS last_contact, "
            "max(CASE WHEN direction = 'in' THEN from_name END) AS name "
            "FROM messages WHERE vendor IS NULL AND auto_reply IS NULL "
            "AND counterpart IS NOT NULL GROUP BY counterpart "
            "HAVING received > 0 AND sent > 0 ORDER BY threads DESC, received + sent DESC"
        )
        result = []
        for row in rows:
            address = row["address"]
            domain = address.rsplit("@", 1)[-1]
            if address in known_set or address in owner_set or domain in known_set:
                continue
            if _machine_address(address):
                continue
            texts = self.conn.execute(
                "SELECT coalesce(subject, '') || ' ' || substr(coalesce(new_text, ''), 1, 600) "
                "FROM messages WHERE counterpart = ? AND +vendor IS NULL "
                "ORDER BY date_utc DESC LIMIT 20",
                (address,),
            ).fetchall()
            row["work_messages"] = sum(1 for (text,) in texts if _WORK_WORDS.search(text))
            if row["work_messages"]:
                result.append(row)
        result.sort(key=lambda r: (-r["work_messages"], -r["threads"]))
        return result

    def vendor(self, name: str, today: date | None = None, window_days: int = 90) -> dict[str, Any]:
        """One vendor's history: a dated timeline of messages, commitments, deliveries,
        invoices, payments and findings, and the quality figures with their trend."""
        today = today or date.today()
        name = self._require_vendor(name)["name"]
        summary = next(v for v in self.vendors_overview(today) if v["name"] == name)
        commitments = self.commitment_rows(name)
        deliveries = self.delivery_rows(name)
        timeline = self.query(
            "SELECT date, 'message' AS kind, direction, subject AS what, message_id, thread_id "
            "FROM messages WHERE vendor = ? ORDER BY date_utc, id",
            (name,),
        )
        for c in commitments:
            status = _status(c["due_date"], c["done_on"], today)
            timeline.append(
                _event(c, "commitment", f"{c['kind']} due {c['due_date']} ({status}): {c['text']}")
            )
        for d in deliveries:
            review = f"reviewed {d['reviewed_on']}" if d["reviewed_on"] else "not reviewed"
            rounds = f", {d['revision_rounds']} revision round(s)" if d["revision_rounds"] else ""
            timeline.append(
                _event(
                    d,
                    "delivery",
                    f"{', '.join(d['items']) or d['evidence'] or 'delivered'} ({review}{rounds})",
                )
            )
        for inv in self.invoices(today, vendor=name):
            money = f"{inv['currency'] or ''} {inv['amount'] or '?'}".strip()
            timeline.append(
                _event(
                    inv,
                    "invoice",
                    f"{inv['number'] or '(no number)'} {money}, due {inv['due'] or '?'} "
                    f"({inv['status']})",
                )
            )
        for p in self.payment_rows(name):
            timeline.append(
                _event(p, "payment", f"{p['invoice_number'] or 'payment'} paid {p['paid_on']}")
            )
        for f in self.findings(vendor=name):
            first = f["evidence"][0]["sentence"] if f["evidence"] else ""
            timeline.append(_event(f, "finding", f"{f['kind']}: {first}"))
        timeline.sort(key=lambda e: (str(e["date"] or "")[:10], _KIND_ORDER.get(e["kind"], 9)))
        threads = self.query(
            "SELECT thread_id, (SELECT subject FROM messages f WHERE f.thread_id = "
            "m.thread_id ORDER BY f.date_utc LIMIT 1) AS subject, count(*) AS messages, "
            "min(date) AS first, max(date) AS last FROM messages m WHERE vendor = ? "
            "GROUP BY thread_id ORDER BY max(date_utc) DESC",
            (name,),
        )
        figures = quality.summary(
            commitments, deliveries, self.response_times(name), today, window_days
        )
        return dict(summary, quality=figures, threads=threads, timeline=timeline)

    def _require_vendor(self, name: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM vendors WHERE name = ? COLLATE NOCASE", (name,))
        if not rows:
            names = [r["name"] for r in self.query("SELECT name FROM vendors ORDER BY name")]
            hint = f" (known: {', '.join(names)})" if names else " (no vendors configured)"
            raise NotFoundError(f"no vendor named {name!r}{hint}")
        return rows[0]

    def status(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT s.source AS account, s.folder, s.uidvalidity, s.last_uid, s.last_sync, "
            "(SELECT count(*) FROM locations l WHERE l.source = s.source "
            " AND l.folder = s.folder) AS messages, "
            "(SELECT count(*) FROM ingest_errors e WHERE e.source = s.source "
            " AND e.folder = s.folder) AS errors, "
            "s.last_error, s.last_error_at FROM sync_state s ORDER BY s.source, s.folder"
        )

    def search(self, text: str, limit: int = 50) -> list[dict[str, Any]]:
        query = _fts_query(text)
        if not query:
            return []
        return self.query(
            "SELECT m.message_id, m.thread_id, m.vendor, m.direction, m.date, m.subject, "
            "snippet(messages_fts, 2, '[', ']', '…', 12) AS snippet "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit),
        )

    def counts(self) -> dict[str, int]:
        return {
            "messages": self.conn.execute("SELECT count(*) FROM messages").fetchone()[0],
            "locations": self.conn.execute("SELECT count(*) FROM locations").fetchone()[0],
            "errors": self.conn.execute("SELECT count(*) FROM ingest_errors").fetchone()[0],
        }

    # -- daily summary and alerts --------------------------------------------------------

    def summary_record(self, day: date) -> dict[str, Any] | None:
        """What happened to a day's summary: status, recipients, claimed_at, sent_at, error."""
        rows = self.query("SELECT * FROM summaries WHERE day = ?", (day.isoformat(),))
        if not rows:
            return None
        rows[0]["recipients"] = json.loads(rows[0]["recipients"])
        return rows[0]

    def summary_sent(self, day: date) -> bool:
        """True when the day's summary went out, or was skipped as quiet: the day is done."""
        row = self.conn.execute(
            "SELECT status FROM summaries WHERE day = ?", (day.isoformat(),)
        ).fetchone()
        return row is not None and row[0] in ("sent", "skipped")

    def claim_summary(self, day: date, now: datetime, retry_after: timedelta) -> bool:
        """Take the right to send a day's summary; False when it is done or taken.

        The check and the write happen in one IMMEDIATE transaction, so of two processes
        only one gets True. A failed attempt, or a claim whose sender vanished, can be
        taken again once `retry_after` has passed since it was claimed.
        """
        stamp = now.astimezone(UTC).isoformat(timespec="seconds")
        with self.transaction():
            row = self.conn.execute(
                "SELECT status, claimed_at FROM summaries WHERE day = ?", (day.isoformat(),)
            ).fetchone()
            if row is None:
                self.conn.execute(
                    "INSERT INTO summaries (day, status, claimed_at) VALUES (?, 'sending', ?)",
                    (day.isoformat(), stamp),
                )
                return True
            status, claimed_at = row
            if status in ("sent", "skipped"):
                return False
            if now - datetime.fromisoformat(claimed_at) < retry_after:
                return False
            self.conn.execute(
                "UPDATE summaries SET status = 'sending', claimed_at = ?, "
                "attempts = attempts + 1 WHERE day = ?",
                (stamp, day.isoformat()),
            )
            return True

    def record_summary(
        self,
        day: date,
        recipients: Sequence[str],
        sent_at: datetime,
        status: str = "sent",
    ) -> None:
        """Record a day's summary as sent (or skipped as quiet): it is never sent again."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO summaries (day, status, recipients, claimed_at, sent_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET status = "
                "excluded.status, recipients = excluded.recipients, sent_at = excluded.sent_at, "
                "error = NULL",
                (
                    day.isoformat(),
                    status,
                    json.dumps(list(recipients)),
                    sent_at.astimezone(UTC).isoformat(timespec="seconds"),
                    sent_at.astimezone(UTC).isoformat(timespec="seconds"),
                ),
            )

    def release_summary(self, day: date, error: str) -> None:
        """A send failed: keep the attempt and its one-line error; a later claim may retry."""
        with self.transaction():
            self.conn.execute(
                "UPDATE summaries SET status = 'failed', error = ? WHERE day = ? "
                "AND status = 'sending'",
                (error, day.isoformat()),
            )

    def last_vendor_messages(
        self, since: datetime, as_of: datetime, older_than: datetime
    ) -> list[dict[str, Any]]:
        """The latest message (automatic replies left out) of each vendor thread as of
        `as_of`, for the threads where it is between `since` and `older_than`: the reply
        that ends a wait is the latest message, so a wait dies with it."""
        return self.query(
            "SELECT thread_id, vendor, direction, message_id, subject, date, date_utc, "
            "new_text FROM (SELECT *, row_number() OVER (PARTITION BY thread_id "
            "ORDER BY date_utc DESC, id DESC) AS rn FROM messages WHERE vendor IS NOT NULL "
            "AND auto_reply IS NULL AND date_utc >= ? AND date_utc <= ?) WHERE rn = 1 "
            "AND date_utc <= ? ORDER BY date_utc, id",
            tuple(
                t.astimezone(UTC).isoformat(timespec="seconds") for t in (since, as_of, older_than)
            ),
        )

    def alert_candidates(
        self, severities: Sequence[str], created_since: datetime, dated_since: date
    ) -> list[dict[str, Any]]:
        """Open findings of these severities, new since `created_since` and about mail
        from `dated_since` on (a backfill of old mail alerts nobody), not yet alerted."""
        marks = ",".join("?" * len(severities))
        rows = self.query(
            "SELECT f.fingerprint, f.kind, f.severity, f.vendor, f.subject, f.message_id, "
            "f.date, f.evidence, f.suggestion FROM findings f WHERE f.dismissed_at IS NULL "
            f"AND f.resolved_at IS NULL AND f.severity IN ({marks}) AND f.created_at >= ? "
            "AND substr(f.date, 1, 10) >= ? AND NOT EXISTS "
            "(SELECT 1 FROM alerts a WHERE a.fingerprint = f.fingerprint) ORDER BY f.date, f.id",
            (
                *severities,
                created_since.astimezone(UTC).isoformat(timespec="seconds"),
                dated_since.isoformat(),
            ),
        )
        for row in rows:
            row["evidence"] = json.loads(row["evidence"] or "[]")
        return rows

    def claim_alerts(
        self, fingerprints: Sequence[str], batch: str, at: datetime, limit: int
    ) -> list[str]:
        """Claim findings for one alert email unless the hour's `limit` of emails is spent;
        returns the fingerprints claimed (none when over the limit or all taken)."""
        stamp = at.astimezone(UTC).isoformat(timespec="seconds")
        since = (at - timedelta(hours=1)).astimezone(UTC).isoformat(timespec="seconds")
        with self.transaction():
            used = self.conn.execute(
                "SELECT count(DISTINCT batch) FROM alerts WHERE sent_at >= ?", (since,)
            ).fetchone()[0]
            if used >= limit:
                return []
            claimed = []
            for fingerprint in fingerprints:
                cursor = self.conn.execute(
                    "INSERT OR IGNORE INTO alerts (fingerprint, batch, sent_at) VALUES (?, ?, ?)",
                    (fingerprint, batch, stamp),
                )
                if cursor.rowcount:
                    claimed.append(fingerprint)
            return claimed

    def release_alerts(self, batch: str) -> None:
        """The alert email of `batch` failed: its findings may be alerted again."""
        with self.transaction():
            self.conn.execute("DELETE FROM alerts WHERE batch = ?", (batch,))


def _write_problem(exc: sqlite3.DatabaseError, path: Path) -> str | None:
    """What a failed write means for the user, or None when it is not a storage problem."""
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full (free some space)"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only (make it and its directory writable)"
    if "unable to open" in text or "disk i/o" in text:
        for place in (path, path.parent):
            if place.exists() and not os.access(place, os.W_OK):
                return f"{place} is read-only (make it writable)"
        return f"{exc} (is the disk full, or the directory read-only?)"
    return None


def _in_chunks(values: Sequence[Any], size: int = 500) -> Iterator[tuple[list[Any], str]]:
    """Slices of `values` with their "?,?,..." placeholders: SQLite caps bound parameters."""
    for start in range(0, len(values), size):
        part = list(values[start : start + size])
        yield part, ",".join("?" * len(part))


def _statements(sql: str) -> Iterator[str]:
    """Split a migration into statements without executescript, which would commit."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def _create_private_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"{path}: cannot create database: {exc.strerror}") from None


def _chmod_private(path: Path) -> None:
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def _pack_raw(raw: bytes) -> tuple[str, bytes]:
    if len(raw) < 256:
        return "identity", raw
    return "zlib", zlib.compress(raw, 1)


def _fts_query(text: str) -> str:
    """Quote each word so user text is never read as FTS5 syntax."""
    words = [w for w in text.replace('"', " ").split() if w]
    return " ".join(f'"{w}"' for w in words)


_WORK_WORDS = re.compile(
    r"\b(invoice|quote|quotation|estimate|deliver\w*|draft|drafts|deadline|brief|proposal|"
    r"revision\w*|contract|rate|rates|budget|payment|files|mockups?|design|project|milestone|"
    r"deposit|factura|fatura|rechnung|facture|faktura|orçamento|presupuesto)\b",
    re.IGNORECASE,
)


def _machine_address(address: str) -> bool:
    local = address.split("@")[0]
    return any(
        token in local
        for token in (
            "noreply",
            "no-reply",
            "donotreply",
            "do-not-reply",
            "mailer-daemon",
            "postmaster",
            "notifications",
            "bounce",
        )
    )


_TRACKING_TABLES = ("commitments", "deliveries", "invoices", "payments")


def _sql_value(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    return str(value)  # dates and Decimals: ISO text and exact decimal strings


def _invoice_target(vendor: str | None, number: str) -> str:
    return f"{(vendor or '').lower()}\x1f{number.strip().upper()}"


def _fill_missing(row: dict[str, Any], other: dict[str, Any]) -> None:
    """A second message about the same invoice (a reminder) only fills what was missing."""
    for key in ("amount", "currency", "issued", "terms", "due"):
        if row.get(key) is None and other.get(key) is not None:
            row[key] = other[key]


def _for(vendor: str | None) -> str:
    return f" for vendor {vendor!r}" if vendor else ""


def _status(due: str, done_on: str | None, today: date) -> str:
    if done_on:
        return "done" if done_on <= due else "late"
    return "overdue" if due < today.isoformat() else "open"


def _group(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def _totals(invoices: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Unpaid amounts per currency, as exact decimal strings."""
    totals: dict[str, Decimal] = {}
    for inv in invoices:
        if inv["amount"] is not None:
            currency = inv["currency"] or "?"
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(inv["amount"])
    return {currency: f"{amount:.2f}" for currency, amount in sorted(totals.items())}


_KIND_ORDER = {"message": 0, "commitment": 1, "delivery": 2, "invoice": 3, "payment": 4}


def _event(row: dict[str, Any], kind: str, what: str) -> dict[str, Any]:
    """One line of a vendor's timeline, dated by when it happened or is due."""
    when = {
        "commitment": row.get("made_at"),
        "delivery": row.get("delivered_on"),
        "invoice": row.get("issued"),
        "payment": row.get("paid_on"),
    }.get(kind) or row.get("date")
    return {
        "date": when,
        "kind": kind,
        "direction": None,
        "what": what,
        "message_id": row.get("message_id"),
        "thread_id": row.get("thread_id"),
    }


def _guess_invoice(payment: dict[str, Any], invoices: list[dict[str, Any]]) -> None:
    open_ = [
        i
        for i in invoices
        if i["vendor"] == payment["vendor"]
        and not i["paid_on"]
        and (i["issued"] or "") <= payment["paid_on"]
    ]
    same = [i for i in open_ if payment["amount"] and i["amount"] == payment["amount"]]
    chosen = same[0] if len(same) == 1 else open_[0] if len(open_) == 1 else None
    if chosen is not None:
        payment["invoice_number"] = chosen["number"] or f"i{chosen['id']}"
        chosen["paid_on"] = payment["paid_on"]
        chosen["payments"].append(payment)
