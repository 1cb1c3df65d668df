"""Findings that follow from tracked work and money as days pass: payments due and
overdue, promises passed with nothing delivered, deliveries nobody has checked, vendors
slipping against their own record.

Extraction (tracker.py) fills the rows when mail arrives; this recomputes, for a given
day, which of these findings hold, stores them and closes those that no longer do (paid,
delivered, reviewed, recovered). It runs after each sync or import, hourly in the
service, and before the daily summary. It reads only the store, so it never loads the
NLP stack.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from . import quality
from .config import Config
from .store import Store

TIMED_KINDS = (
    "payment_due",
    "payment_overdue",
    "delivery_late",
    "unreviewed_delivery",
    "quality_slip",
)
LATE_DELIVERY_HORIZON = timedelta(days=30)  # older missed promises stay in `due`, not in findings
UNREVIEWED_HORIZON = timedelta(days=60)


def refresh(store: Store, config: Config, today: date | None = None) -> int:
    """Store the date-dependent findings that hold on `today` (the owner's local date
    by default) and close those that no longer do; returns how many hold."""
    today = today or config.owner.today()
    active: list[tuple[str, dict[str, Any]]] = []
    invoices = store.invoice_rows()
    commitments = store.commitment_rows()
    deliveries = store.delivery_rows()
    scores = {}
    for vendor in {r["vendor"] for r in [*commitments, *deliveries] if r["vendor"]}:
        scores[vendor] = quality.summary(
            [c for c in commitments if c["vendor"] == vendor],
            [d for d in deliveries if d["vendor"] == vendor],
            store.response_times(vendor),
            today,
            config.tracking.quality_window_days,
        )
    active += _payment_findings(config, invoices, scores, today)
    active += _late_findings(commitments, today)
    active += _unreviewed_findings(config, deliveries, today)
    active += _slip_findings(scores, today)
    for fingerprint, record in active:
        store.save_finding(fingerprint, dict(record, resolved_at=None))
    store.resolve_findings(TIMED_KINDS, [f for f, _ in active])
    return len(active)


def _payment_findings(config: Config, invoices, scores, today) -> list[tuple[str, dict[str, Any]]]:
    found = []
    soon = timedelta(days=config.tracking.payment_due_days)
    for inv in invoices:
        if inv["paid_on"] or not inv["due"]:
            continue
        due = date.fromisoformat(inv["due"])
        if due > today + soon:
            continue
        overdue = (today - due).days
        label = inv["number"] or "without a number"
        money = _money(inv["amount"], inv["currency"])
        record_ = _record(inv, inv["vendor"])
        standing = _standing(inv["vendor"], scores.get(inv["vendor"]))
        if overdue > 0:
            kind, severity = "payment_overdue", "high"
            days = "day" if overdue == 1 else "days"
            sentence = f"{standing}invoice {label}{money} is {overdue} {days} overdue"
            suggestion = (
                "Pay it, or tell the vendor when it will be paid: a good vendor who is "
                "paid late starts looking for other clients."
            )
        else:
            kind, severity = "payment_due", "medium"
            when = "today" if overdue == 0 else f"on {due.isoformat()}"
            sentence = f"{standing}invoice {label}{money} is due {when}"
            suggestion = "Schedule the payment now so it arrives on time."
        found.append(
            (
                f"{kind}:{inv['vendor']}:{inv['number'] or inv['ikey']}",
                dict(
                    record_,
                    kind=kind,
                    severity=severity,
                    date=due.isoformat(),
                    evidence=[{"sentence": sentence, "rule": kind}],
                    suggestion=suggestion,
                ),
            )
        )
    return found


def _late_findings(commitments, today) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for c in commitments:
        if (
            c["done_on"]
            or c["conditional"]  # "if you send the copy by Monday": the owner may not have
            or c["set_by"] == "vendor"
            and c["kind"] == "request_deadline"
        ):
            continue
        due = date.fromisoformat(c["due_date"])
        if not today - LATE_DELIVERY_HORIZON <= due < today:
            continue
        late = (today - due).days
        whose = "promised for" if c["kind"] == "delivery" else "due"
        found.append(
            (
                f"delivery_late:{c['ckey']}",
                dict(
                    _record(c, c["vendor"]),
                    kind="delivery_late",
                    severity="medium",
                    date=due.isoformat(),
                    evidence=[
                        {
                            "sentence": c["text"],
                            "rule": f"{whose} {due.isoformat()}, nothing delivered "
                            f"{late} day{'s' if late != 1 else ''} later",
                        }
                    ],
                    suggestion="Ask for the work or a new date; if it arrived another way, "
                    f"record it: vendorwatch mark delivered {c['id']}",
                ),
            )
        )
    return found


def _unreviewed_findings(config: Config, deliveries, today) -> list[tuple[str, dict[str, Any]]]:
    found = []
    wait = timedelta(days=config.tracking.review_days)
    for d in deliveries:
        if d["reviewed_on"]:
            continue
        delivered = date.fromisoformat(d["delivered_on"])
        if not today - UNREVIEWED_HORIZON <= delivered <= today - wait:
            continue
        days = (today - delivered).days
        what = ", ".join(d["items"]) or "the delivery"
        found.append(
            (
                f"unreviewed_delivery:{d['message_key']}",
                dict(
                    _record(d, d["vendor"]),
                    kind="unreviewed_delivery",
                    severity="medium",
                    date=delivered.isoformat(),
                    evidence=[
                        {
                            "sentence": d["evidence"] or what,
                            "rule": f"delivered {days} day{'s' if days != 1 else ''} ago, "
                            "no reply from you since",
                        }
                    ],
                    suggestion=f"Check {what} and reply with approval or changes "
                    f"(or: vendorwatch mark reviewed {d['id']})",
                ),
            )
        )
    return found


def _slip_findings(scores, today) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for vendor, figures in sorted(scores.items()):
        for slip in quality.slips(figures):
            key = slip.split(" ", 1)[0]
            found.append(
                (
                    f"quality_slip:{vendor}:{key}",
                    {
                        "kind": "quality_slip",
                        "severity": "medium",
                        "vendor": vendor,
                        "date": today.isoformat(),
                        "evidence": [{"sentence": f"{vendor}: {slip}", "rule": "quality_slip"}],
                        "suggestion": "Talk with the vendor about what changed before it "
                        "costs a deadline; compare with their earlier work.",
                    },
                )
            )
    return found


def _record(row: dict[str, Any], vendor: str | None) -> dict[str, Any]:
    return {
        "vendor": vendor,
        "thread_id": row.get("thread_id"),
        "message_key": row.get("message_key"),
        "message_id": row.get("message_id"),
        "subject": row.get("subject"),
    }


def _money(amount: str | None, currency: str | None) -> str:
    if amount is None:
        return ""
    return f" ({currency + ' ' if currency else ''}{amount})"


def _standing(vendor: str | None, figures: dict[str, Any] | None) -> str:
    """ "Ravi has delivered 9/10 on time; " when there is a record to lose."""
    if not vendor or not figures or not figures["on_time"]["scored"]:
        return f"{vendor}: " if vendor else ""
    on_time = figures["on_time"]
    return f"{vendor} has delivered {on_time['on_time']}/{on_time['scored']} on time; "
