"""Call suggestions as the user sees them: fresh proposed slots and .ics invitations."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vendorwatch.nlp.slots import propose, vendor_zone

from .config import Config
from .store import Store

REASON_WORDS = {
    "ambiguity": "instructions that can be read more than one way",
    "language_barrier": "a language barrier",
    "confusion": "the vendor is unsure what was meant",
}


def suggestions(
    store: Store, config: Config, now: datetime | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Open call suggestions with three slots computed from now (stored ones go stale)."""
    now = now or datetime.now(UTC)
    vendors = {v.name: v for v in config.vendors}
    rows = []
    for row in store.call_suggestions(include_closed):
        vendor = vendors.get(row["vendor"] or "")
        tz = vendor_zone(row["vendor_offsets"], vendor.timezone if vendor else None)
        hours = (config.owner.working_hours.start, config.owner.working_hours.end)
        slots = propose(now, config.owner.timezone, hours, tz)
        rows.append(
            {
                "vendor": row["vendor"],
                "subject": row["subject"],
                "thread_id": row["thread_id"],
                "message_id": row["message_id"],
                "reasons": row["reasons"],
                "score": row["score"],
                "evidence": row["evidence"],
                "proposed_slots": [s.as_dict() for s in slots],
                "status": row["status"],
                "why": "Suggested because of "
                + ", ".join(REASON_WORDS.get(r, r) for r in row["reasons"])
                + ".",
            }
        )
    return rows


def write_ics(rows: list[dict[str, Any]], folder: Path, config: Config) -> list[Path]:
    """One invitation file per suggestion, at its first proposed slot."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for row in rows:
        invitation = ics_invitation(row, config)
        if invitation is None:
            continue
        name, data = invitation
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        written.append(path)
    return written


def ics_invitation(row: dict[str, Any], config: Config) -> tuple[str, bytes] | None:
    """(file name, .ics bytes) inviting to a suggestion's first slot; None without slots.

    The CLI writes these to files and the daily summary attaches them to its email.
    """
    from icalendar import Calendar, Event, vCalAddress, vText

    if not row["proposed_slots"]:
        return None
    slot = row["proposed_slots"][0]
    cal = Calendar()
    cal.add("prodid", "-//vendorwatch//call suggestion//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    uid = hashlib.sha256(f"{row['thread_id']}|{slot['start']}".encode()).hexdigest()[:24]
    event.add("uid", f"{uid}@vendorwatch")
    event.add("summary", f"Call with {row['vendor']}: {row['subject']}")
    event.add("dtstart", datetime.fromisoformat(slot["start"]))
    event.add("dtend", datetime.fromisoformat(slot["end"]))
    event.add("dtstamp", datetime.now(UTC))
    lines = [row["why"], ""] + [f"- {e['sentence']} ({e['rule']})" for e in row["evidence"]]
    others = [s["start"] for s in row["proposed_slots"][1:]]
    if others:
        lines += ["", "Other times that suit both sides: " + ", ".join(others)]
    event.add("description", "\n".join(lines))
    if config.owner.addresses:
        organizer = vCalAddress(f"mailto:{config.owner.addresses[0]}")
        organizer.params["cn"] = vText(config.owner.name or config.owner.addresses[0])
        event["organizer"] = organizer
    cal.add_component(event)
    return f"call-{_slug(row['vendor'] or 'vendor')}-{uid[:8]}.ics", cal.to_ical()


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40] or "x"
