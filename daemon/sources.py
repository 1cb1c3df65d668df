"""What every mail source yields, so one ingest pipeline serves IMAP, Maildir and mbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a message was read: (account or "import", folder or path, UIDVALIDITY, item).

    For IMAP `item` is the UID; for files it is the Maildir key or a hash of the message.
    """

    source: str
    folder: str
    uidvalidity: int
    item: str


@dataclass
class RawMessage:
    location: Location
    raw: bytes
    size: int
    truncated: str | None = None  # why only part of the message was read


TRUNCATED_BODY_BYTES = 1024 * 1024  # what is kept of the body of an oversized message


def truncation_note(size: int, cap: int) -> str:
    return (
        f"message of {size / 1048576:.1f} MB is over the {cap / 1048576:.0f} MB cap: "
        f"stored its headers and the first {TRUNCATED_BODY_BYTES // 1024} KB of its body"
    )
