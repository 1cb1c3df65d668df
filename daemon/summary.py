"""The daily summary: what needs the owner today, most urgent first.

`collect` reads the store into a `DailySummary` (plain data, also the `--json` output);
`render_text` and `render_html` turn it into the two parts of the email. Everything a
vendor wrote is data: the HTML escapes it and the text strips terminal escapes and control
characters, so a subject holding `<script>` or an escape sequence shows as harmless text.

A section that cannot be built (a query failing on a damaged database, say) becomes a
note in the summary instead of stopping the other sections.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vendorwatch.nlp.confusion import is_question, split_sentences

from .config import Config
from .store import Store

log = logging.getLogger("vendorwatch.summary")

MAX_ITEMS = 10  # per section; the rest is counted and left to the CLI
MAX_QUOTES = 3
WAIT_HORIZON = timedelta(days=30)  # a thread silent longer than this is over, not waiting
CANDIDATE_WINDOW = timedelta(days=14)  # candidates with recent mail only (weekly: all)
QUOTE_CHARS = 300
FIELD_CHARS = 200

# Sections 1-6 decide whether a day is quiet; the weekly capacity view does not.
URGENT = ("calls", "payments", "deliveries", "quality", "waiting", "candidates")
SUBJECT_WORDS = {  # what a count means in the subject line
    "calls": "calls to schedule",
    "payments": "payments",
    "deliveries": "deliveries",
    "quality": "vendors slipping",
    "waiting": "waiting",
    "candidates": "new vendors",
}
TITLES = {
    "calls": "Calls to schedule",
    "payments": "Payments due and overdue",
    "deliveries": "Deliveries due, late and unreviewed",
    "quality": "Vendors whose quality slipped",
    "waiting": "Who is waiting on whom",
    "candidates": "New vendor candidates",
    "capacity": "This week: your capacity",
}
MORE_HINTS = {
    "calls": "vendorwatch calls",
    "payments": "vendorwatch due",
    "deliveries": "vendorwatch due",
    "quality": "vendorwatch findings --kind quality_slip",
    "waiting": "vendorwatch messages",
    "candidates": "vendorwatch vendors --candidates",
}
QUIET = "Nothing needs you today: no calls, payments, late work or unanswered questions."
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# An owner's message that expects an answer: a question, or a request phrased as one.
_REQUEST = re.compile(
    r"\b(please|pls|kindly|could you|can you|would you|will you|let me know|let us know|"
    r"get back to me|send (?:me|us|over)|i need|we need|confirm)\b",
    re.IGNORECASE,
)
_NOT_REQUEST = re.compile(r"\bplease (?:find|see)\b", re.IGNORECASE)
# CSI / OSC escape sequences first (so their parameters go too), then any control character
# and the bidirectional overrides that can make text read differently than it is.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Item:
    """One thing to act on. `headline` and `quotes` may hold vendor text."""

    headline: str
    detail: str = ""
    quotes: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    vendor: str | None = None
    subject: str | None = None
    kind: str | None = None
    message_id: str | None = None


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    more: int = 0  # items left out of the email (MAX_ITEMS)
    note: str = ""  # why the section is partial or missing

    @property
    def count(self) -> int:
        return len(self.items) + self.more


@dataclass
class DailySummary:
    day: date
    as_of: datetime
    owner: str
    sections: list[Section]
    weekly: bool = False
    invitations: list[tuple[str, bytes]] = field(default_factory=list)
    title: str = ""  # default: "vendorwatch summary for <day>"; alerts set their own
    intro: str = ""  # default: the greeting

    @property
    def quiet(self) -> bool:
        """Nothing to act on: the weekly view alone does not make a day busy, and a section
        that could not be built is not "nothing" (its note must reach the owner)."""
        return not any(s.count or s.note for s in self.sections if s.key != "capacity")

    @property
    def heading(self) -> str:
        return self.title or f"vendorwatch summary for {self.day:%A %d %B %Y}"

    @property
    def opening(self) -> str:
        if self.intro:
            return self.intro
        greeting = f"Good morning{', ' + self.owner if self.owner else ''}."
        if self.quiet:
            return f"{greeting} {QUIET}"
        return f"{greeting} Most urgent first."

    def as_dicts(self) -> list[dict[str, Any]]:
        """One object per section, for `vendorwatch summary --json`."""
        return [
            {
                "day": self.day.isoformat(),
                "section": s.key,
                "title": s.title,
                "count": s.count,
                "more": s.more,
                "note": s.note,
                "items": [asdict(i) for i in s.items],
            }
            for s in self.sections
        ]


# ---------------------------------------------------------------------------- collecting


def scheduled_at(day: date, config: Config) -> datetime:
    """When the summary of `day` is due, in the owner's zone.

    zoneinfo semantics decide the DST edge cases: a time the spring change skips is
    taken an hour later, and a time that happens twice in autumn is its first occurrence.
    """
    zone = ZoneInfo(config.owner.timezone)
    return datetime.combine(day, config.summary.time, tzinfo=zone)


def local_day(now: datetime, config: Config) -> date:
    return now.astimezone(ZoneInfo(config.owner.timezone)).date()


def collect(
    store: Store, config: Config, day: date | None = None, now: datetime | None = None
) -> DailySummary:
    """The summary of `day` (default: the owner's today) as of `now`.

    For another day it is built as of that day's summary time, so `--date` shows what
    the email of that morning would have said (messages that came later are left out).
    """
    now = (now or datetime.now(UTC)).astimezone(ZoneInfo(config.owner.timezone))
    today = now.date()
    day = day or today
    as_of = now if day == today else scheduled_at(day, config)
    weekly = WEEKDAYS[day.weekday()] == config.summary.weekly_day
    summary = DailySummary(day, as_of, config.owner.name, [], weekly)
    builders: list[tuple[str, Callable[[], list[Item]]]] = [
        ("calls", lambda: _calls(store, config, as_of, summary.invitations)),
        ("payments", lambda: _payments(store, config, day)),
        ("deliveries", lambda: _deliveries(store, config, day)),
        ("quality", lambda: _quality(store)),
        ("waiting", lambda: _waiting(store, config, as_of)),
        ("candidates", lambda: _candidates(store, config, as_of, weekly)),
    ]
    if weekly:
        builders.append(("capacity", lambda: _capacity(store, config, day)))
    for key, build in builders:
        summary.sections.append(_section(key, build))
    return summary


def _section(key: str, build: Callable[[], list[Item]]) -> Section:
    section = Section(key, TITLES[key])
    try:
        items = build()
    except Exception as exc:  # one broken section must not cost the owner the others
        log.warning("summary section %s failed: %s: %s", key, type(exc).__name__, exc)
        section.note = f"could not be built ({type(exc).__name__}); see the daemon log"
        return section
    section.items = items[:MAX_ITEMS]
    section.more = max(0, len(items) - MAX_ITEMS)
    return section


def _calls(
    store: Store, config: Config, as_of: datetime, invitations: list[tuple[str, bytes]]
) -> list[Item]:
    from .calls import ics_invitation, suggestions

    items = []
    for row in suggestions(store, config, as_of):
        slots = [_slot_text(s) for s in row["proposed_slots"]]
        items.append(
            Item(
                headline=_headline(row["vendor"], row["subject"]),
                detail=row["why"],
                quotes=_quotes(e.get("sentence") for e in row["evidence"]),
                facts=["Proposed: " + "; ".join(slots)] if slots else ["No slot found"],
                vendor=row["vendor"],
                subject=row["subject"],
                kind="call",
                message_id=row["message_id"],
            )
        )
        if len(items) <= MAX_ITEMS:
            invitation = ics_invitation(row, config)
            if invitation is not None:
                invitations.append(invitation)
    return items


def _slot_text(slot: dict[str, Any]) -> str:
    start = datetime.fromisoformat(slot["start"])
    end = datetime.fromisoformat(slot["end"])
    theirs = datetime.fromisoformat(slot["vendor_start"])
    text = f"{start:%a %d %b %H:%M}-{end:%H:%M} (theirs {theirs:%H:%M}"
    return text + (", outside their usual hours)" if slot.get("stretched") else ")")


def _payments(store: Store, config: Config, day: date) -> list[Item]:
    return _tracked(store, config, day, ("payment_overdue", "payment_due"), ("payment",))


def _deliveries(store: Store, config: Config, day: date) -> list[Item]:
    kinds = ("delivery_late", "unreviewed_delivery")
    return _tracked(store, config, day, kinds, ("delivery", "request_deadline"))


def _tracked(
    store: Store,
    config: Config,
    day: date,
    finding_kinds: tuple[str, ...],
    due_kinds: tuple[str, ...],
) -> list[Item]:
    """The tracker's findings (in the order of `finding_kinds`), then what `Store.due`
    lists as overdue or due within `reminder_days` that no finding covers yet.

    A `due` row enriches the finding about the same message with its date and amount.
    """
    due_rows = [r for r in store.due(day) if r.get("kind") in due_kinds]
    by_message = {r["message_id"]: r for r in due_rows if r.get("message_id")}
    items: list[Item] = []
    covered: set[str] = set()
    for kind in finding_kinds:
        for finding in _findings(store, kind):
            row = by_message.get(finding.get("message_id"))
            items.append(_finding_item(finding, _due_facts(row) if row else []))
            covered.add(finding.get("message_id") or "")
    horizon = day + timedelta(days=config.summary.reminder_days)
    extra = [
        r
        for r in due_rows
        if (r.get("message_id") or "") not in covered
        and (r.get("status") == "overdue" or _date(r.get("due_date")) <= horizon)
    ]
    extra.sort(key=lambda r: (r.get("status") != "overdue", str(r.get("due_date") or "")))
    return items + [_due_item(r) for r in extra]


def _findings(store: Store, kind: str) -> list[dict[str, Any]]:
    """Open findings of a kind, earliest date first (the longest overdue, the soonest due).

    The tracker resolves the ones that stopped holding (paid, delivered, reviewed)."""
    return sorted(store.findings(kind=kind), key=lambda r: str(r.get("date") or ""))


def _finding_item(finding: dict[str, Any], facts: list[str]) -> Item:
    evidence = [e for e in finding.get("evidence") or [] if isinstance(e, dict)]
    # tracking rules are sentences ("delivered 4 days ago, no reply from you since"),
    # analysis rules are identifiers ("vague_time"): only the former tell the owner more
    told = [e["rule"] for e in evidence if " " in str(e.get("rule") or "")]
    return Item(
        headline=_headline(finding.get("vendor"), finding.get("subject")),
        detail=finding.get("suggestion") or finding["kind"].replace("_", " "),
        quotes=_quotes(e.get("sentence") for e in evidence),
        facts=[*told[:MAX_QUOTES], *facts],
        vendor=finding.get("vendor"),
        subject=finding.get("subject"),
        kind=finding["kind"],
        message_id=finding.get("message_id"),
    )


def _due_item(row: dict[str, Any]) -> Item:
    kind = str(row.get("kind") or "").replace("_", " ")
    number = row.get("invoice_number")
    subject = row.get("subject") or (f"invoice {number}" if number else None)
    return Item(
        headline=_headline(row.get("vendor"), subject),
        detail=f"{kind} {row.get('status')}",
        quotes=_quotes([row.get("text")]),
        facts=_due_facts(row),
        vendor=row.get("vendor"),
        subject=subject,
        kind=f"{row.get('kind')}_{row.get('status')}",
        message_id=row.get("message_id"),
    )


def _due_facts(row: dict[str, Any]) -> list[str]:
    parts = []
    if row.get("due_date"):
        parts.append(f"due {str(row['due_date'])[:10]}")
    if row.get("amount") is not None:
        parts.append(f"{row.get('currency') or ''} {row['amount']}".strip())
    if row.get("invoice_number"):
        parts.append(f"invoice {row['invoice_number']}")
    return [", ".join(parts)] if parts else []


def _quality(store: Store) -> list[Item]:
    return [_finding_item(f, []) for f in _findings(store, "quality_slip")]


def _waiting(store: Store, config: Config, as_of: datetime) -> list[Item]:
    """Questions the owner has not answered and requests the vendor has not, each older
    than `reminder_days`. Automatic replies never end a wait (the store leaves them out)."""
    wait = timedelta(days=config.summary.reminder_days)
    zone = ZoneInfo(config.owner.timezone)
    on_owner: list[Item] = []
    on_vendor: list[Item] = []
    for row in store.last_vendor_messages(as_of - WAIT_HORIZON, as_of, as_of - wait):
        sentences = split_sentences(row.get("new_text") or "")
        sent = datetime.fromisoformat(row["date_utc"]).astimezone(zone)
        days = (as_of.astimezone(zone).date() - sent.date()).days
        if row["direction"] == "in":
            asked = [s for s in sentences if is_question(s)]
            if asked:
                on_owner.append(_wait_item(row, f"asked you {days} days ago", asked, "question"))
        else:
            asked = [s for s in sentences if _expects_answer(s)]
            if asked:
                on_vendor.append(
                    _wait_item(
                        row, f"has not answered your request of {days} days ago", asked, "request"
                    )
                )
    return on_owner + on_vendor


def _expects_answer(sentence: str) -> bool:
    if is_question(sentence):
        return True
    return bool(_REQUEST.search(sentence)) and not _NOT_REQUEST.search(sentence)


def _wait_item(row: dict[str, Any], what: str, asked: list[str], kind: str) -> Item:
    return Item(
        headline=_headline(row.get("vendor"), row.get("subject")),
        detail=f"{row.get('vendor')} {what}",
        quotes=_quotes(asked),
        vendor=row.get("vendor"),
        subject=row.get("subject"),
        kind=f"waiting_{kind}",
        message_id=row.get("message_id"),
    )


def _candidates(store: Store, config: Config, as_of: datetime, weekly: bool) -> list[Item]:
    known = [a for v in config.vendors for a in (*v.addresses, *v.domains)]
    owner = list(config.owner.addresses) + [a.username for a in config.accounts]
    since = as_of - CANDIDATE_WINDOW
    items = []
    for row in store.vendor_candidates(known, owner):
        last = _datetime(row.get("last_contact"))
        if not weekly and (last is None or last < since):
            continue
        name = row.get("name") or row["address"]
        items.append(
            Item(
                headline=f"{name} <{row['address']}>" if row.get("name") else row["address"],
                detail=f"{row['threads']} thread(s), {row['work_messages']} message(s) about work",
                facts=["Add them to [[vendors]] in the config to track them"],
                kind="vendor_candidate",
            )
        )
    return items


def _capacity(store: Store, config: Config, day: date) -> list[Item]:
    """The weekly view of the work the owner still does personally (mistake 4)."""
    hours = (config.owner.working_hours.start, config.owner.working_hours.end)
    view = store.capacity(day, timezone=config.owner.timezone, hours=hours)
    days = view.get("days", 7)
    items = [
        Item(
            headline=f"You sent {view.get('sent', 0)} messages in the last {days} days",
            detail=f"{view.get('sent_outside_hours', 0)} of them outside your working hours",
            kind="capacity_load",
        )
    ]
    alone = view.get("threads_carried_alone") or []
    if alone:
        items.append(
            Item(
                headline="Threads you carried alone (work you could hand over)",
                facts=[
                    f"{clean(t.get('subject') or '(no subject)')}: {t.get('sent')} sent, "
                    f"{t.get('received')} received"
                    for t in alone
                ],
                kind="capacity_alone",
            )
        )
    idle = view.get("reliable_vendors_without_work") or []
    if idle:
        items.append(
            Item(
                headline="Reliable vendors with no open work (room to give them more)",
                facts=[
                    f"{v.get('vendor')}: on time {_percent(v.get('on_time_rate'))}" for v in idle
                ],
                kind="capacity_idle",
            )
        )
    return items


def _percent(rate: Any) -> str:
    try:
        return f"{float(rate) * 100:.0f}%"
    except (TypeError, ValueError):
        return "n/a"


def _headline(vendor: str | None, subject: str | None) -> str:
    vendor = vendor or "(unknown vendor)"
    return f"{vendor}: {subject}" if subject else vendor


def _quotes(sentences: Iterable[str | None]) -> list[str]:
    out = []
    for sentence in sentences:
        if sentence and sentence.strip() and sentence not in out:
            out.append(_cut(sentence.strip(), QUOTE_CHARS))
        if len(out) == MAX_QUOTES:
            break
    return out


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return date.max


def _datetime(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


# ----------------------------------------------------------------------------- rendering


def subject_line(summary: DailySummary, prefix: str) -> str:
    """Our own words only: vendor text never reaches a header."""
    when = f"{summary.day:%a %d %b}"
    if summary.quiet:
        return f"{prefix}: {when}: nothing needs you today"
    counts = [f"{s.count} {SUBJECT_WORDS[s.key]}" for s in _urgent(summary) if s.count]
    return f"{prefix}: {when}: " + ", ".join(counts)


def _urgent(summary: DailySummary) -> list[Section]:
    return [s for s in summary.sections if s.key in URGENT]


def clean(text: Any, limit: int = FIELD_CHARS) -> str:
    """Vendor text for the plain-text part and the terminal: escape sequences and control
    characters removed, one line, cut to `limit` characters."""
    if text is None:
        return ""
    value = _ESCAPES.sub("", str(text))
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    value = _CONTROL.sub("", value)
    return _cut(" ".join(value.split()), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_text(summary: DailySummary) -> str:
    lines = [clean(summary.heading), "", clean(summary.opening, 1000), ""]
    for section in summary.sections:
        if not section.count and not section.note:
            continue
        lines.append(f"== {section.title} ({section.count}) ==")
        if section.note:
            lines.append(f"   ({section.note})")
        for item in section.items:
            lines.append(f"* {clean(item.headline)}")
            if item.detail:
                lines.append(f"  {clean(item.detail, QUOTE_CHARS)}")
            lines += [f'  > "{clean(q, QUOTE_CHARS)}"' for q in item.quotes]
            lines += [f"  {clean(f, QUOTE_CHARS)}" for f in item.facts]
        if section.more:
            lines.append(f"  ... and {section.more} more: {MORE_HINTS.get(section.key, '')}")
        lines.append("")
    if summary.invitations:
        lines.append(f"Attached: {len(summary.invitations)} call invitation(s) (.ics).")
    lines.append(f"-- vendorwatch, as of {summary.as_of:%Y-%m-%d %H:%M %Z}")
    return "\n".join(lines) + "\n"


def render_html(summary: DailySummary) -> str:
    e = _escape
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="utf-8"><title>{e(summary.heading)}</title></head>',
        '<body style="font-family:sans-serif;max-width:46em;line-height:1.4">',
        f'<h1 style="font-size:1.3em">{e(summary.heading)}</h1>',
        f"<p>{e(summary.opening)}</p>",
    ]
    for section in summary.sections:
        if not section.count and not section.note:
            continue
        parts.append(
            f'<h2 id="{e(section.key)}" style="font-size:1.1em">{e(section.title)} '
            f"({section.count})</h2>"
        )
        if section.note:
            parts.append(f"<p><em>{e(section.note)}</em></p>")
        parts.append("<ul>")
        for item in section.items:
            parts.append(_html_item(item))
        parts.append("</ul>")
        if section.more:
            parts.append(
                f"<p>… and {section.more} more: <code>{e(MORE_HINTS.get(section.key, ''))}"
                "</code></p>"
            )
    if summary.invitations:
        parts.append(f"<p>Attached: {len(summary.invitations)} call invitation(s) (.ics).</p>")
    parts.append(
        f'<p style="color:#666;font-size:0.9em">vendorwatch, as of '
        f"{e(f'{summary.as_of:%Y-%m-%d %H:%M %Z}')}</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def _html_item(item: Item) -> str:
    e = _escape
    inner = [f"<strong>{e(item.headline)}</strong>"]
    if item.detail:
        inner.append(f"<br>{e(item.detail)}")
    for quote in item.quotes:
        inner.append(
            '<blockquote style="margin:0.3em 0 0.3em 1em;color:#444">'
            f"&ldquo;{e(quote)}&rdquo;</blockquote>"
        )
    for fact in item.facts:
        inner.append(f"<br>{e(fact)}")
    return '<li style="margin-bottom:0.8em">' + "".join(inner) + "</li>"


def _escape(text: Any) -> str:
    """HTML-escaped, with control characters dropped (they have no business in HTML)."""
    return html.escape(_CONTROL.sub("", _ESCAPES.sub("", "" if text is None else str(text))))
