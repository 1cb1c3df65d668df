"""Tracking deliveries, reviews, invoices and payments from the mail, and the findings
that follow from them as days pass.

Extraction (`nlp/`) runs once per new message; its rows replace any earlier rows of that
message. The links between rows (which delivery fulfils which promise, when the owner
reviewed it, how many revision rounds followed) are rebuilt per thread from all its
messages in date order, so mail that arrives late or out of order (Sent is synced after
INBOX) ends in the same state. The findings that depend on the date are followup.py's;
the owner's marks are applied by the store's queries and always win.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from vendorwatch.nlp import originality
from vendorwatch.nlp.commitments import extract_commitments
from vendorwatch.nlp.deliveries import detect_delivery, interim, revision_request
from vendorwatch.nlp.invoices import extract_invoices
from vendorwatch.nlp.locale import day_first_for
from vendorwatch.nlp.payments import extract_payments, is_automated

from .config import Config
from .store import Store

log = logging.getLogger(__name__)

REFERENCE_SUFFIXES = (".txt", ".md", ".csv", ".text", ".markdown")
REFERENCE_MAX_BYTES = 2 * 1024 * 1024


class Tracker:
    """Runs inside the ingest transaction, after the messages of a batch are stored."""

    def __init__(self, store: Store, config: Config):
        self.store = store
        self.config = config
        self._day_first: dict[str, bool | None] = {}
        self._references: list[tuple[str, tuple[int, ...]]] | None = None

    # -- per batch -----------------------------------------------------------------------

    def track(self, keys: Sequence[str], replace: bool = False) -> set[str]:
        """Extract from the messages among `keys`; returns the threads relinked. With
        `replace` (their vendor changed), what a message no longer gives is removed."""
        threads: set[str] = set()
        rows = self.store.tracking_inputs(keys)
        if replace:
            for key in set(keys) - {r["message_key"] for r in rows}:
                self.store.save_extractions(key, {})
        for row in rows:
            found = self.extract(row)
            if found is None:
                continue
            self.store.save_extractions(row["message_key"], found)
            if row["vendor"]:
                threads.add(row["thread_id"])
            for delivery in found["deliveries"]:
                self._check_originality(row, delivery)
        for thread_id in sorted(threads):
            self.relink(thread_id)
        return threads

    def extract(self, row: dict[str, Any]) -> dict[str, list[dict[str, Any]]] | None:
        """The rows one message gives, in the store's shape; None for undated mail."""
        if not row["date"]:
            return None
        sent = datetime.fromisoformat(row["date"])
        text = row["new_text"] or ""
        vendor = row["vendor"]
        base = {"message_key": row["message_key"], "message_id": row["message_id"]}
        found: dict[str, list[dict[str, Any]]] = {
            "commitments": [],
            "invoices": [],
            "payments": [],
            "deliveries": [],
        }
        if vendor:
            day_first = self.day_first(vendor)
            found["commitments"] = self._commitments(row, text, sent, day_first, base)
            if row["direction"] == "in":
                found["invoices"] = self._invoices(row, text, sent, day_first, base)
                found["deliveries"] = self._delivery(row, text, sent, base)
        if vendor or is_automated(row["from_addr"] or ""):
            found["payments"] = self._payments(row, text, sent, base)
        return found

    def _commitments(self, row, text, sent, day_first, base) -> list[dict[str, Any]]:
        return [
            dict(
                base,
                ckey=f"{row['message_key']}#c{i}",
                thread_id=row["thread_id"],
                vendor=row["vendor"],
                kind=c.kind,
                set_by=c.by,
                due_date=c.due,
                text=c.text,
                span=c.span,
                conditional=c.conditional,
                made_at=row["date_utc"],
            )
            for i, c in enumerate(extract_commitments(text, sent, row["direction"], day_first))
        ]

    def _invoices(self, row, text, sent, day_first, base) -> list[dict[str, Any]]:
        invoices = extract_invoices(text, row["attachments"], sent, day_first)
        return [
            dict(
                base,
                ikey=f"{row['message_key']}#i{i}",
                thread_id=row["thread_id"],
                vendor=row["vendor"],
                number=inv.number,
                amount=inv.amount,
                currency=inv.currency,
                issued=inv.issued,
                terms=inv.terms,
                due=inv.due,
                source=inv.source,
                notes=list(inv.notes) or None,
            )
            for i, inv in enumerate(invoices)
            if not inv.reminder  # a chaser about an invoice already sent
        ]

    def _delivery(self, row, text, sent, base) -> list[dict[str, Any]]:
        names = [name for name, _ in row["attachments"]]
        delivery = detect_delivery(text, names, row["direction"])
        if delivery is None:
            return []
        texts = [t for name, t in row["attachments"] if t and name in delivery.items and t.strip()]
        print_ = originality.fingerprint("\n".join(texts)) if texts else None
        return [
            dict(
                base,
                thread_id=row["thread_id"],
                vendor=row["vendor"],
                delivered_on=sent.date(),
                delivered_at=row["date_utc"],
                evidence=delivery.evidence,
                items=list(delivery.items),
                fingerprint=list(print_) if print_ else None,
            )
        ]

    def _payments(self, row, text, sent, base) -> list[dict[str, Any]]:
        payments = extract_payments(
            text, sent, row["direction"], row["from_addr"] or "", row["subject"] or ""
        )
        result = []
        for i, p in enumerate(payments):
            vendor = row["vendor"] or self._payee_vendor(p.payee, p.invoice_number)
            if vendor is None:
                continue  # money that is not the owner's to a vendor (e.g. his own customers)
            number = p.invoice_number  # one that names none is matched when read
            result.append(
                dict(
                    base,
                    pkey=f"{row['message_key']}#p{i}",
                    vendor=vendor,
                    invoice_number=number,
                    paid_on=p.paid_on,
                    amount=p.amount,
                    currency=p.currency,
                    payee=p.payee,
                    provider=p.provider,
                    kind=p.kind,
                    evidence=p.evidence,
                )
            )
        return result

    def _payee_vendor(self, payee: str | None, number: str | None) -> str | None:
        """The vendor a provider notification is about: its invoice number, else the
        payee's name as configured."""
        if number:
            vendor = self.store.invoice_vendor(number)
            if vendor:
                return vendor
        if not payee:
            return None
        wanted = set(re.findall(r"\w+", payee.casefold()))
        for v in self.config.vendors:
            name = set(re.findall(r"\w+", v.name.casefold()))
            if name and (name <= wanted or len(wanted) > 1 and wanted <= name):
                return v.name
        return None

    def day_first(self, vendor: str) -> bool | None:
        """The vendor's numeric date order: the config's locale, else their signals."""
        if vendor not in self._day_first:
            configured = next((v for v in self.config.vendors if v.name == vendor), None)
            domains = list(configured.domains) if configured else []
            if configured:
                domains += [a.rsplit("@", 1)[-1] for a in configured.addresses]
            signals = self.store.vendor_signals(vendor)
            self._day_first[vendor] = day_first_for(
                configured.locale if configured else None,
                domains=domains,
                utc_offsets=signals["utc_offsets"],
                texts=signals["texts"],
            )
        return self._day_first[vendor]

    # -- per thread ----------------------------------------------------------------------

    def relink(self, thread_id: str) -> None:
        """Walk the thread in date order: each delivery fulfils the open promise due first
        (the vendor's own, else the owner's deadline); the owner's next reply reviews it,
        and a reply asking for changes is a revision round. The delivery that answers a
        revision request is the fix: it fulfils what was promised since the request, or an
        older promise only when it names the same work."""
        data = self.store.thread_tracking(thread_id)
        commitments = {
            c["ckey"]: dict(c, delivery_key=None, done_on=None) for c in data["commitments"]
        }
        deliveries = {
            d["message_key"]: dict(
                d, commitment_key=None, due_date=None, reviewed_on=None, revision_rounds=0
            )
            for d in data["deliveries"]
        }
        revision_asked = ""  # when the owner last asked for changes, if not yet answered
        for message in data["messages"]:
            if not message["date"]:
                continue  # undated mail cannot be placed in the thread's order
            when = message["date_utc"] or ""
            delivery = deliveries.get(message["message_key"])
            if delivery is not None:
                text = message["new_text"] or ""
                self._fulfil(delivery, commitments.values(), when, revision_asked, text)
                revision_asked = ""
            if message["direction"] == "out":
                for c in commitments.values():
                    # a vendor's "feedback by Friday, please" is met by the owner's reply
                    if (
                        c["set_by"] == "vendor"
                        and c["kind"] == "request_deadline"
                        and c["done_on"] is None
                        and (c["made_at"] or "") < when
                    ):
                        c["done_on"] = datetime.fromisoformat(message["date"]).date().isoformat()
                earlier = [d for d in deliveries.values() if (d["delivered_at"] or "") < when]
                day = datetime.fromisoformat(message["date"]).date().isoformat()
                for d in earlier:
                    d["reviewed_on"] = d["reviewed_on"] or day
                if earlier and revision_request(message["new_text"] or ""):
                    earlier[-1]["revision_rounds"] += 1
                    revision_asked = when
        self.store.save_thread_links(
            [
                {"ckey": c["ckey"], "delivery_key": c["delivery_key"], "done_on": c["done_on"]}
                for c in commitments.values()
            ],
            [
                {
                    k: d[k]
                    for k in (
                        "message_key",
                        "commitment_key",
                        "due_date",
                        "reviewed_on",
                        "revision_rounds",
                    )
                }
                for d in deliveries.values()
            ],
        )

    @staticmethod
    def _fulfil(
        delivery: dict[str, Any],
        commitments: Iterable[dict[str, Any]],
        when: str,
        revision_asked: str = "",
        text: str = "",
    ) -> None:
        revised = _work_words(text) if revision_asked else set()
        open_ = [
            c
            for c in commitments
            if c["done_on"] is None
            and (c["made_at"] or "") < when
            and (revision_asked <= (c["made_at"] or "") or revised & _work_of(c))
            and not (c["set_by"] == "vendor" and c["kind"] == "request_deadline")
        ]
        promises = [c for c in open_ if c["kind"] == "delivery"]
        # a trial or partial hand-over does not meet the deadline set for the finished work
        pool = promises or (
            [] if interim(text) else [c for c in open_ if c["kind"] == "request_deadline"]
        )
        if not pool:
            return
        chosen = min(pool, key=lambda c: (c["due_date"], c["made_at"] or ""))
        chosen["delivery_key"] = delivery["message_key"]
        chosen["done_on"] = delivery["delivered_on"]
        delivery["commitment_key"] = chosen["ckey"]
        delivery["due_date"] = chosen["due_date"]
        answered = [
            c
            for c in promises
            if c is not chosen
            # the same day's second promise ("on staging by Thursday", "I'll deploy
            # tomorrow"), or a new date given after the first (a rescheduled promise)
            and (
                c["due_date"] == chosen["due_date"]
                or (c["made_at"] or "") > (chosen["made_at"] or "")
                and c["due_date"] <= delivery["delivered_on"]
            )
        ]
        if chosen["kind"] == "delivery":
            # the owner's deadline that the promise answered is met too: those for the
            # same work (shared words), else the latest one set before the promise
            deadlines = sorted(
                (
                    c
                    for c in open_
                    if c["kind"] == "request_deadline"
                    and (c["made_at"] or "") <= (chosen["made_at"] or "")
                ),
                key=lambda c: c["made_at"] or "",
            )
            words = _work_of(chosen) | _work_words(text)
            same_work = [c for c in deadlines if words & _work_of(c)]
            answered += same_work or deadlines[-1:]
        for c in answered:
            c["delivery_key"] = delivery["message_key"]
            c["done_on"] = delivery["delivered_on"]

    # -- originality ---------------------------------------------------------------------

    def _check_originality(self, row: dict[str, Any], delivery: dict[str, Any]) -> None:
        print_ = delivery.get("fingerprint")
        if not print_:
            return
        best: tuple[float, str] | None = None
        for earlier in self.store.delivery_fingerprints(row["date_utc"]):
            if earlier["message_key"] == row["message_key"]:
                continue
            score = originality.similarity(tuple(print_), tuple(earlier["fingerprint"]))
            if score >= originality.NEAR_DUPLICATE and (best is None or score > best[0]):
                what = ", ".join(earlier["items"]) or "a delivery"
                best = (
                    score,
                    f"{what} delivered by {earlier['vendor']} on {earlier['delivered_on']} "
                    f"(Message-ID {earlier['message_id']})",
                )
        for name, ref in self._reference_prints():
            score = originality.similarity(tuple(print_), ref)
            if score >= originality.NEAR_DUPLICATE and (best is None or score > best[0]):
                best = (score, f"the reference file {name}")
        if best is None:
            return
        items = ", ".join(delivery["items"]) or "this delivery"
        self.store.save_finding(
            f"originality:{row['message_key']}",
            {
                "kind": "originality",
                "severity": "high",
                "vendor": row["vendor"],
                "thread_id": row["thread_id"],
                "message_key": row["message_key"],
                "message_id": row["message_id"],
                "subject": row["subject"],
                "date": row["date"],
                "evidence": [
                    {
                        "sentence": f"{items} is {best[0]:.0%} the same as {best[1]}",
                        "rule": "near_duplicate",
                    }
                ],
                "suggestion": "Compare the two before you accept or pay for this delivery.",
            },
        )

    def _reference_prints(self) -> list[tuple[str, tuple[int, ...]]]:
        if self._references is None:
            self._references = []
            folder = self.config.tracking.reference_folder
            if folder is not None:
                self._references = list(_reference_prints(folder))
        return self._references


_GENERIC = frozenset(
    "will send sent file files done here with this that your from have also them they "
    "update updated version attached link folder please thanks today tomorrow".split()
)


def _work_of(commitment: dict[str, Any]) -> set[str]:
    """The work words of a commitment, without its date ("by Monday 30 November")."""
    text = commitment["text"]
    if commitment.get("span"):
        text = text.replace(commitment["span"], " ")
    return _work_words(text)


def _work_words(text: str) -> set[str]:
    """The words that name a piece of work ("final", "trailer", "banners"), for telling
    which promise a delivery answers; generic delivery words say nothing about that."""
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.casefold()) if w not in _GENERIC}


def _reference_prints(folder: Path) -> Iterable[tuple[str, tuple[int, ...]]]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in REFERENCE_SUFFIXES:
            continue
        try:
            with path.open("rb") as handle:
                text = handle.read(REFERENCE_MAX_BYTES).decode("utf-8", "replace")
        except OSError as exc:
            log.warning("reference file %s: %s", path, exc.strerror or exc)
            continue
        print_ = originality.fingerprint(text)
        if print_:
            yield str(path), print_
