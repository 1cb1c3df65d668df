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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import NotFoundError, StoreError
from .schema import APPLICATION_ID, MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


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
            store._check_ownership()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            store._set_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            store.migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"{path}: not a readable SQLite database ({exc}); the file was left untouched"
            ) from None
        except StoreError:
            conn.close()
            raise
        return store

    def _set_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                _chmod_private(side)

    def _check_ownership(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
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
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
            self._index_new_messages()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_transaction = False
            self._unindexed.clear()

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
        """Move messages filed under a provisional thread id into the thread they belong to."""
        if old == new:
            return 0
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

    def reassign_vendors(self, assign: Any) -> int:
        """Re-run vendor matching on stored messages after the vendor list changed.

        `assign(direction, from_addr, recipients) -> vendor or None` is ingest's matcher.
        """
        rows = self.conn.execute(
            "SELECT id, direction, from_addr, to_addrs, cc_addrs, vendor FROM messages"
        ).fetchall()
        changes = []
        for ident, direction, from_addr, to_addrs, cc_addrs, vendor in rows:
            recipients = [a for _, a in json.loads(to_addrs)] + [a for _, a in json.loads(cc_addrs)]
            new = assign(direction, from_addr, recipients)
            if new != vendor:
                changes.append((new, ident))
        with self.transaction():
            self.conn.executemany("UPDATE messages SET vendor = ? WHERE id = ?", changes)
        return len(changes)

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
            where.append("dismissed_at IS NULL")
        sql = (
            "SELECT id, kind, severity, vendor, subject, message_id, thread_id, date, evidence, "
            "suggestion, notes, dismissed_at FROM findings WHERE "
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

    def vendors_overview(self) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT v.name, v.addresses, v.domains, count(m.id) AS messages, "
            "max(m.date) AS last_contact, max(m.date_utc) AS last_utc "
            "FROM vendors v LEFT JOIN messages m ON m.vendor = v.name "
            "AND m.auto_reply IS NULL GROUP BY v.name ORDER BY last_utc DESC, v.name"
        )
        result = []
        for row in rows:
            result.append(
                {
                    "name": row["name"],
                    "addresses": json.loads(row["addresses"]),
                    "domains": json.loads(row["domains"]),
                    "messages": row["messages"],
                    "open_deliveries": 0,
                    "unpaid_invoices": 0,
                    "on_time_rate": None,
                    "last_contact": row["last_contact"],
                }
            )
        return result

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

    def vendor(self, name: str) -> dict[str, Any]:
        row = self._require_vendor(name)
        summary = next(v for v in self.vendors_overview() if v["name"] == row["name"])
        timeline = self.query(
            "SELECT date, direction, 'message' AS kind, subject, message_id, thread_id "
            "FROM messages WHERE vendor = ? ORDER BY date_utc, id",
            (row["name"],),
        )
        threads = self.query(
            "SELECT thread_id, (SELECT subject FROM messages f WHERE f.thread_id = "
            "m.thread_id ORDER BY f.date_utc LIMIT 1) AS subject, count(*) AS messages, "
            "min(date) AS first, max(date) AS last FROM messages m WHERE vendor = ? "
            "GROUP BY thread_id ORDER BY max(date_utc) DESC",
            (row["name"],),
        )
        return dict(summary, threads=threads, timeline=timeline)

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
