"""End-to-end figures for tracking (issue 4) on a labeled folder, through the product's
own pipeline: `vendorwatch import` into a temporary database, then the store's rows and
statuses compared with the labels.

Prints, for all / dev / held-back threads (eval.dataset.split): precision and recall of
finding commitments, invoices, payments and deliveries at all; accuracy of commitment due
dates and kinds, of invoice number / amount / currency / issue and due dates, of payment ->
invoice matching, of each delivery's on-time status, and of each invoice's state on the
day of the folder's last message.

    python eval/tracking.py [FOLDER] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import DEFAULT, parts_of, prf  # noqa: E402
from product import imported  # noqa: E402

from vendorwatch.daemon.store import Store  # noqa: E402


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


class Tally:
    """Counts for one figure over one part of the set."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.right = self.total = 0

    def compare(self, wanted: set, got: set, what: str, where: str, verbose: bool) -> None:
        """Count labeled items found, missed and found falsely (printed with -v)."""
        self.tp += len(wanted & got)
        self.fn += len(wanted - got)
        self.fp += len(got - wanted)
        if verbose:
            for item in sorted(wanted - got, key=str):
                print(f"  {what} missed {where}: {item}")
            for item in sorted(got - wanted, key=str):
                print(f"  {what} false {where}: {item}")

    def found(self) -> str:
        p, r, _ = prf(self.tp, self.fp, self.fn)
        return f"P{p:.2f} R{r:.2f} ({self.tp}/{self.tp + self.fn})"

    def accuracy(self) -> str:
        if not self.total:
            return "n/a"
        return f"{self.right}/{self.total} = {self.right / self.total:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    labels = json.loads((args.folder / "labels.json").read_text())
    parts = parts_of(labels)
    with imported(args.folder, labels) as store:
        as_of = last_day(store)
        observed = collect(store, as_of)
    observed["label_payments"] = {}
    for thread in labels:  # a payment can sit in another thread (and part) than its invoice
        for p in thread.get("payments", []):
            observed["label_payments"].setdefault(norm(p["invoice"]), []).append(p["paid_on"])
    print(f"tracking, statuses as of {as_of}")
    print(f"{'figure':34} {'all':>18} {'dev':>18} {'held':>18}")
    for name, measure in FIGURES.items():
        values = []
        for part, ids in parts.items():
            threads = [t for t in labels if t["thread_id"] in ids]
            values.append(measure(threads, observed, args.verbose and part == "all"))
        print(f"{name:34} " + " ".join(f"{v:>18}" for v in values))


def last_day(store: Store) -> date:
    row = store.query("SELECT date FROM messages ORDER BY date_utc DESC LIMIT 1")
    return date.fromisoformat(row[0]["date"][:10])


def collect(store: Store, as_of: date) -> dict:
    where = {
        r["message_key"]: r["item"] for r in store.query("SELECT message_key, item FROM locations")
    }

    def place(key: str) -> tuple[str, int]:
        thread_dir, _, name = where[key].partition("/")
        return thread_dir, int(name.split(".")[0])

    commitments = [dict(c, at=place(c["message_key"])) for c in store.commitment_rows()]
    deliveries = [dict(d, at=place(d["message_key"])) for d in store.delivery_rows()]
    invoices = [dict(i, at=place(i["message_key"])) for i in store.invoices(as_of)]
    payments = [dict(p, at=place(p["message_key"])) for p in store.payment_rows()]
    by_key = {c["ckey"]: c for c in commitments}
    return {
        "commitments": commitments,
        "deliveries": deliveries,
        "invoices": invoices,
        "payments": payments,
        "by_key": by_key,
        "as_of": as_of,
    }


def _commitments_found(threads, observed, verbose) -> str:
    tally = Tally()
    for thread in threads:
        tid = thread["thread_id"]
        ours = [c for c in observed["commitments"] if c["at"][0] == tid]
        used: set[int] = set()
        for want in thread.get("commitments", []):
            match = _match_commitment(want, tid, ours, used)
            if match is None:
                tally.fn += 1
                if verbose:
                    print(f"  commitment missed {tid}/{want['n']}: {want['due']} {want['text']}")
            else:
                tally.tp += 1
                used.add(match["id"])
        for c in ours:
            if c["id"] not in used:
                tally.fp += 1
                if verbose:
                    print(f"  commitment false {tid}/{c['at'][1]}: {c['due_date']} {c['text']}")
    return tally.found()


def _match_commitment(want, tid, ours, used):
    same = [c for c in ours if c["at"] == (tid, want["n"]) and c["id"] not in used]
    for c in same:
        if norm(c["text"]) == norm(want["text"]) or norm(want["text"]) in norm(c["text"]):
            return c
    return next((c for c in same if c["due_date"] == want["due"]), None)


def _commitment_accuracy(field: str) -> Callable:
    def measure(threads, observed, verbose) -> str:
        tally = Tally()
        for thread in threads:
            tid = thread["thread_id"]
            ours = [c for c in observed["commitments"] if c["at"][0] == tid]
            used: set[int] = set()
            for want in thread.get("commitments", []):
                match = _match_commitment(want, tid, ours, used)
                if match is None:
                    continue
                used.add(match["id"])
                tally.total += 1
                got = match["due_date"] if field == "due" else match["kind"]
                ok = got == want[field]
                tally.right += ok
                if verbose and not ok:
                    print(f"  commitment {field} {tid}/{want['n']}: want {want[field]} got {got}")
        return tally.accuracy()

    return measure


def _invoices_found(threads, observed, verbose) -> str:
    tally = Tally()
    for thread in threads:
        tid = thread["thread_id"]
        ours = [i for i in observed["invoices"] if i["at"][0] == tid]
        wanted = {norm(i["number"]) for i in thread.get("invoices", [])}
        got = {norm(i["number"]) for i in ours}
        tally.compare(wanted, got, "invoice", tid, verbose)
    return tally.found()


def _invoice_accuracy(field: str, ours_field: str) -> Callable:
    def measure(threads, observed, verbose) -> str:
        tally = Tally()
        for thread in threads:
            tid = thread["thread_id"]
            ours = {norm(i["number"]): i for i in observed["invoices"] if i["at"][0] == tid}
            for want in thread.get("invoices", []):
                got = ours.get(norm(want["number"]))
                if got is None:
                    continue
                tally.total += 1
                value = got[ours_field]
                if field == "amount" and value is not None:
                    value = f"{float(value):.2f}"
                ok = (value or None) == want[field]
                tally.right += ok
                if verbose and not ok:
                    print(
                        f"  invoice {field} {tid} {want['number']}: want {want[field]} got {value}"
                    )
        return tally.accuracy()

    return measure


def _found_by_message(label_key: str, what: str) -> Callable:
    """Precision and recall of finding the labeled messages of one kind (by thread and n)."""

    def measure(threads, observed, verbose) -> str:
        tally = Tally()
        for thread in threads:
            tid = thread["thread_id"]
            wanted = {item["n"] for item in thread.get(label_key, [])}
            got = {row["at"][1] for row in observed[label_key] if row["at"][0] == tid}
            tally.compare(wanted, got, what, tid, verbose)
        return tally.found()

    return measure


def _payment_matching(threads, observed, verbose) -> str:
    tally = Tally()
    for thread in threads:
        tid = thread["thread_id"]
        for want in thread.get("payments", []):
            got = [p for p in observed["payments"] if p["at"] == (tid, want["n"])]
            if not got:
                continue
            tally.total += 1
            numbers = {norm(p["invoice_number"]) for p in got}
            ok = norm(want["invoice"]) in numbers
            tally.right += ok
            if verbose and not ok:
                print(f"  payment match {tid}/{want['n']}: want {want['invoice']} got {numbers}")
    return tally.accuracy()


def _delivery_on_time(threads, observed, verbose) -> str:
    tally = Tally()
    for thread in threads:
        tid = thread["thread_id"]
        for want in thread.get("deliveries", []):
            got = next((d for d in observed["deliveries"] if d["at"] == (tid, want["n"])), None)
            if got is None:
                continue
            tally.total += 1
            on_time = None if not got["due_date"] else got["delivered_on"] <= got["due_date"]
            ok = on_time == want["on_time"]
            tally.right += ok
            if verbose and not ok:
                print(
                    f"  delivery on_time {tid}/{want['n']}: want {want['on_time']} got {on_time}"
                    f" (due {got['due_date']})"
                )
    return tally.accuracy()


def _invoice_state(threads, observed, verbose) -> str:
    """paid_on_time / paid_late / unpaid_overdue / unpaid_not_yet_due, as the README counts."""
    tally = Tally()
    as_of = observed["as_of"].isoformat()
    payments_by_number = observed["label_payments"]
    ours = {norm(i["number"]): i for i in observed["invoices"]}
    for thread in threads:
        for want in thread.get("invoices", []):
            got = ours.get(norm(want["number"]))
            if got is None:
                continue
            paid = min(payments_by_number.get(norm(want["number"]), []), default=None)
            expected = _state(want["due"], paid, as_of)
            actual = {
                "paid": "paid_on_time",
                "paid_late": "paid_late",
                "overdue": "unpaid_overdue",
                "open": "unpaid_not_yet_due",
            }[got["status"]]
            tally.total += 1
            tally.right += expected == actual
            if verbose and expected != actual:
                print(f"  invoice state {want['number']}: want {expected} got {actual}")
    return tally.accuracy()


def _state(due: str, paid: str | None, as_of: str) -> str:
    if paid:
        return "paid_on_time" if paid <= due else "paid_late"
    return "unpaid_overdue" if due < as_of else "unpaid_not_yet_due"


FIGURES: dict[str, Callable] = {
    "commitments found": _commitments_found,
    "  commitment due date": _commitment_accuracy("due"),
    "  commitment kind": _commitment_accuracy("kind"),
    "invoices found": _invoices_found,
    "  invoice amount": _invoice_accuracy("amount", "amount"),
    "  invoice currency": _invoice_accuracy("currency", "currency"),
    "  invoice issued": _invoice_accuracy("issued", "issued"),
    "  invoice due": _invoice_accuracy("due", "due"),
    "  invoice state on the last day": _invoice_state,
    "payments found": _found_by_message("payments", "payment"),
    "  payment -> invoice": _payment_matching,
    "deliveries found": _found_by_message("deliveries", "delivery"),
    "  delivery on-time status": _delivery_on_time,
}


if __name__ == "__main__":
    main()
