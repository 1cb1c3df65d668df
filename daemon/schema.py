"""The database schema as named migrations, applied in order, each in one transaction
together with the row that records it.

Only store.py imports this module. A migration is never edited once released: a change
to the schema is a new migration appended to `MIGRATIONS`.
"""

from __future__ import annotations

APPLICATION_ID = 0x56574348  # "VWCH": marks a file as a vendorwatch database

M001_INITIAL = """
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    message_id TEXT,
    thread_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    vendor TEXT,
    counterpart TEXT,
    from_addr TEXT,
    from_name TEXT,
    to_addrs TEXT NOT NULL DEFAULT '[]',
    cc_addrs TEXT NOT NULL DEFAULT '[]',
    subject TEXT,
    subject_norm TEXT,
    date TEXT,
    date_utc TEXT,
    utc_offset INTEGER,
    in_reply_to TEXT,
    refs TEXT NOT NULL DEFAULT '[]',
    body_text TEXT,
    new_text TEXT,
    lang TEXT,
    size INTEGER,
    auto_reply TEXT,
    truncated TEXT,
    parse_error TEXT,
    notes TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id);
CREATE INDEX messages_vendor_date ON messages (vendor, date_utc);
CREATE INDEX messages_date ON messages (date_utc);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_subject ON messages (subject_norm, counterpart);
CREATE INDEX messages_counterpart ON messages (counterpart);

CREATE TABLE raw_messages (
    message_key TEXT PRIMARY KEY REFERENCES messages (message_key),
    encoding TEXT NOT NULL,
    raw BLOB NOT NULL
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL REFERENCES messages (message_key),
    name TEXT,
    content_type TEXT,
    size INTEGER,
    sha256 TEXT,
    text TEXT
);
CREATE INDEX attachments_message ON attachments (message_key);

CREATE TABLE locations (
    source TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    item TEXT NOT NULL,
    message_key TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (source, folder, uidvalidity, item)
);
CREATE INDEX locations_message ON locations (message_key);

CREATE TABLE sync_state (
    source TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,
    last_sync TEXT,
    last_error TEXT,
    last_error_at TEXT,
    PRIMARY KEY (source, folder)
);

CREATE TABLE ingest_errors (
    id INTEGER PRIMARY KEY,
    message_key TEXT,
    source TEXT,
    folder TEXT,
    item TEXT,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE vendors (
    name TEXT PRIMARY KEY,
    addresses TEXT NOT NULL DEFAULT '[]',
    domains TEXT NOT NULL DEFAULT '[]',
    locale TEXT,
    timezone TEXT
);

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, from_name, new_text, content='messages', content_rowid='id'
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, from_name, new_text)
    VALUES (new.id, new.subject, new.from_name, new.new_text);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, from_name, new_text)
    VALUES ('delete', old.id, old.subject, old.from_name, old.new_text);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF subject, from_name, new_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, from_name, new_text)
    VALUES ('delete', old.id, old.subject, old.from_name, old.new_text);
    INSERT INTO messages_fts (rowid, subject, from_name, new_text)
    VALUES (new.id, new.subject, new.from_name, new.new_text);
END;
"""

M002_ANALYSIS = """
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    vendor TEXT,
    thread_id TEXT,
    message_key TEXT,
    message_id TEXT,
    subject TEXT,
    date TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    suggestion TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    dismissed_at TEXT
);
CREATE INDEX findings_kind ON findings (kind, date);
CREATE INDEX findings_thread ON findings (thread_id);
CREATE INDEX findings_vendor ON findings (vendor, date);

CREATE TABLE call_suggestions (
    id INTEGER PRIMARY KEY,
    thread_id TEXT NOT NULL,
    episode INTEGER NOT NULL,
    vendor TEXT,
    subject TEXT,
    message_id TEXT,
    reasons TEXT NOT NULL DEFAULT '[]',
    score REAL NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    proposed_slots TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    UNIQUE (thread_id, episode)
);
CREATE INDEX call_suggestions_status ON call_suggestions (status);
"""

# Subject threading asks for the latest message of a subject and party: with the date in
# the index that is one index step instead of a sort of every match.
M003_SUBJECT_INDEX = """
DROP INDEX messages_subject;
CREATE INDEX messages_subject ON messages (subject_norm, counterpart, date_utc);
DROP INDEX messages_counterpart;
CREATE INDEX messages_counterpart ON messages (counterpart, date_utc);
"""

# A trigger indexed each new message on its own, a third of the cost of storing it; the
# store now indexes all the messages of a transaction in one statement before it commits.
M004_FTS_PER_TRANSACTION = """
DROP TRIGGER messages_ai;
"""

# Issue-4 tracking. Extraction rows are per message (replaced when the message is analysed
# again); the links between them (delivery -> commitment, review, revisions) are per thread
# and rebuilt from the thread's messages in date order, so late or out-of-order mail (Sent
# is synced after INBOX) ends in the same state. The owner's marks live apart and win.
M005_TRACKING = """
CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    ckey TEXT NOT NULL UNIQUE,
    message_key TEXT NOT NULL,
    message_id TEXT,
    thread_id TEXT NOT NULL,
    vendor TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('delivery', 'request_deadline')),
    set_by TEXT NOT NULL CHECK (set_by IN ('vendor', 'owner')),
    due_date TEXT NOT NULL,
    text TEXT NOT NULL,
    span TEXT,
    conditional INTEGER NOT NULL DEFAULT 0,
    made_at TEXT,
    delivery_key TEXT,
    done_on TEXT
);
CREATE INDEX commitments_thread ON commitments (thread_id);
CREATE INDEX commitments_vendor_due ON commitments (vendor, due_date);
CREATE INDEX commitments_message ON commitments (message_key);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    message_id TEXT,
    thread_id TEXT NOT NULL,
    vendor TEXT,
    delivered_on TEXT NOT NULL,
    delivered_at TEXT,
    evidence TEXT,
    items TEXT NOT NULL DEFAULT '[]',
    fingerprint TEXT,
    commitment_key TEXT,
    due_date TEXT,
    reviewed_on TEXT,
    revision_rounds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_thread ON deliveries (thread_id);
CREATE INDEX deliveries_vendor ON deliveries (vendor, delivered_on);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    ikey TEXT NOT NULL UNIQUE,
    message_key TEXT NOT NULL,
    message_id TEXT,
    thread_id TEXT,
    vendor TEXT,
    number TEXT,
    amount TEXT,
    currency TEXT,
    issued TEXT,
    terms TEXT,
    due TEXT,
    source TEXT,
    notes TEXT
);
CREATE INDEX invoices_vendor_number ON invoices (vendor, number);
CREATE INDEX invoices_message ON invoices (message_key);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    pkey TEXT NOT NULL UNIQUE,
    message_key TEXT NOT NULL,
    message_id TEXT,
    vendor TEXT,
    invoice_number TEXT,
    paid_on TEXT NOT NULL,
    amount TEXT,
    currency TEXT,
    payee TEXT,
    provider TEXT,
    kind TEXT,
    evidence TEXT
);
CREATE INDEX payments_vendor ON payments (vendor, invoice_number);
CREATE INDEX payments_message ON payments (message_key);

CREATE TABLE marks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('paid', 'delivered', 'reviewed')),
    target TEXT NOT NULL,
    on_date TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (kind, target)
);

ALTER TABLE findings ADD COLUMN resolved_at TEXT;
"""

# The daily summary of a day is claimed (status 'sending') in a transaction before it is
# sent, so two processes never both send it; alerts remember which findings went out and
# when, for the hourly rate limit.
M006_SUMMARIES = """
CREATE TABLE summaries (
    day TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped', 'failed')),
    recipients TEXT NOT NULL DEFAULT '[]',
    claimed_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    error TEXT
);

CREATE TABLE alerts (
    fingerprint TEXT PRIMARY KEY,
    batch TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX alerts_sent_at ON alerts (sent_at);
"""

# The vendors overview counts each vendor's mail and finds the latest: with these columns
# in one index it never reads the messages table (0.07 -> 0.01 s on 100,000 messages).
M007_VENDOR_CONTACT_INDEX = """
CREATE INDEX messages_vendor_contact ON messages (vendor, auto_reply, date_utc, date);
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("001_initial", M001_INITIAL),
    ("002_analysis", M002_ANALYSIS),
    ("003_subject_index", M003_SUBJECT_INDEX),
    ("004_fts_per_transaction", M004_FTS_PER_TRANSACTION),
    ("005_tracking", M005_TRACKING),
    ("006_summaries", M006_SUMMARIES),
    ("007_vendor_contact_index", M007_VENDOR_CONTACT_INDEX),
]
