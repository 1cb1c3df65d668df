"""Measure invoice, payment and delivery extraction on a labeled folder.

Run `python eval/money.py [FOLDER] [-v]` (default: shared/datasets/vendor-threads-dev). Only
vendor threads are read (the product analyses nothing else; the payment notifications of t13/t15
sit in vendor-labelled threads). Per message it uses what the product has: the parsed new text,
the Date header (the sender's calendar), the labelled direction, the sender, the subject and the
attachments with their extracted text (PDF text layers come from `daemon/pdftext.py` via the
parser). The vendor's day/month order comes from `nlp.locale.day_first_for` (their domain, their
UTC offsets and their own texts).

Printed for the dev and held-out parts of `dataset.split` (rules were written looking at dev):

- invoices: precision/recall of finding them (vendor-side messages, not automated senders;
  matched by message and number), then accuracy of number, amount, currency, issued and due on
  the found ones. Reminders (`reminder=True`) are not new invoices and are not counted;
- payments: precision/recall per message (a payment said at message n), and per (message,
  invoice number); the accuracy of the invoice a found payment points at and of `paid_on`;
- deliveries: precision/recall per message (vendor-side messages).

`--sample` measures the bundled demo mailbox instead (`daemon/sample/sample.mbox` with its
ground truth in `expected.json`): a second set, written separately, that no rule was tuned on.

`-v` lists every miss and false alarm.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from dataset import DEFAULT, Message, Thread, load, prf, split

from vendorwatch.daemon.parse import parse
from vendorwatch.nlp.deliveries import detect_delivery
from vendorwatch.nlp.invoices import extract_invoices
from vendorwatch.nlp.payments import extract_payments, is_automated

try:
    from vendorwatch.nlp.locale import day_first_for
except ImportError:  # the locale module is optional here
    day_first_for = None


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def line(self, name: str) -> str:
        p, r, _ = prf(self.tp, self.fp, self.fn)
        return f"  {name:<34} P={p:.2f} R={r:.2f}   tp={self.tp} fp={self.fp} fn={self.fn}"


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def line(self, name: str) -> str:
        rate = self.right / self.total if self.total else 1.0
        return f"  {name:<34} {rate:.2f}   ({self.right}/{self.total})"


@dataclass
class Report:
    invoices: Count = field(default_factory=Count)
    fields: dict[str, Accuracy] = field(default_factory=dict)
    payments_msg: Count = field(default_factory=Count)
    payments_inv: Count = field(default_factory=Count)
    payment_invoice: Accuracy = field(default_factory=Accuracy)
    paid_on: Accuracy = field(default_factory=Accuracy)
    deliveries: Count = field(default_factory=Count)
    errors: list[str] = field(default_factory=list)

    def field(self, name: str) -> Accuracy:
        return self.fields.setdefault(name, Accuracy())


def norm(number: str | None) -> str:
    return (number or "").strip().upper()


def vendor_side(thread: Thread) -> list[Message]:
    return [m for m in thread.messages if m.direction == "in"]


def day_first(thread: Thread) -> bool | None:
    """The vendor's day/month order, as the product infers it (None without nlp.locale)."""
    if day_first_for is None:
        return None
    vendor = thread.label.get("vendor") or {}
    domain = (vendor.get("email") or "").rpartition("@")[2]
    mine = [m for m in vendor_side(thread) if not is_automated(m.parsed.from_addr)]
    offsets = [int(m.parsed.date.utcoffset().total_seconds()) for m in mine if m.parsed.date]
    texts = [m.parsed.new_text or "" for m in mine]
    return day_first_for(domains=[domain] if domain else [], utc_offsets=offsets, texts=texts)


def where(thread: Thread, message: Message) -> str:
    return f"{thread.thread_id} n={message.n}"


# ---- invoices ------------------------------------------------------------------------------


def score_invoices(thread: Thread, order: bool | None, report: Report) -> None:
    for message in vendor_side(thread):
        parsed = message.parsed
        if parsed.date is None or is_automated(parsed.from_addr):
            continue
        attachments = [(a.name, a.text) for a in parsed.attachments]
        found = [
            i
            for i in extract_invoices(parsed.new_text or "", attachments, parsed.date, order)
            if not i.reminder
        ]
        wanted = [i for i in thread.label.get("invoices", []) if i["n"] == message.n]
        got = {norm(i.number): i for i in found}
        for want in wanted:
            mine = got.pop(norm(want["number"]), None)
            if mine is None:
                report.invoices.fn += 1
                report.errors.append(f"invoice FN {where(thread, message)} {want['number']}")
                continue
            report.invoices.tp += 1
            _compare_invoice(thread, message, want, mine, report)
        for extra in got.values():
            report.invoices.fp += 1
            report.errors.append(f"invoice FP {where(thread, message)} {extra.number}")


def _compare_invoice(thread, message, want, mine, report: Report) -> None:
    checks = {
        "number": mine.number == want["number"],
        "amount": mine.amount is not None and mine.amount == Decimal(want["amount"]),
        "currency": mine.currency == want["currency"],
        "issued": mine.issued is not None and mine.issued.isoformat() == want["issued"],
        "due": mine.due is not None and mine.due.isoformat() == want["due"],
    }
    values = {
        "number": mine.number,
        "amount": mine.amount,
        "currency": mine.currency,
        "issued": mine.issued,
        "due": mine.due,
    }
    for name, ok in checks.items():
        report.field(name).add(ok)
        if not ok:
            report.errors.append(
                f"invoice {name} {where(thread, message)} {want['number']}: "
                f"got {values[name]} want {want[name]}"
            )


# ---- payments ------------------------------------------------------------------------------


def score_payments(thread: Thread, report: Report) -> None:
    labels = thread.label.get("payments", [])
    for message in thread.messages:
        parsed = message.parsed
        if parsed.date is None:
            continue
        found = extract_payments(
            parsed.new_text or "", parsed.date, message.direction, parsed.from_addr, parsed.subject
        )
        wanted = [p for p in labels if p["n"] == message.n]
        _count_messages(report, bool(found), bool(wanted), where(thread, message), found)
        got = {norm(p.invoice_number) for p in found}
        want = {norm(p["invoice"]) for p in wanted}
        report.payments_inv.tp += len(got & want)
        report.payments_inv.fp += len(got - want)
        report.payments_inv.fn += len(want - got)
        if found and wanted:
            for label in wanted:
                match = next(
                    (p for p in found if norm(p.invoice_number) == norm(label["invoice"])), None
                )
                report.payment_invoice.add(match is not None)
                if match is None:
                    report.errors.append(
                        f"payment invoice {where(thread, message)}: got "
                        f"{[p.invoice_number for p in found]} want {label['invoice']}"
                    )
                    continue
                ok = match.paid_on.isoformat() == label["paid_on"]
                report.paid_on.add(ok)
                if not ok:
                    report.errors.append(
                        f"payment paid_on {where(thread, message)}: got {match.paid_on} "
                        f"want {label['paid_on']}"
                    )


def _count_messages(report: Report, predicted: bool, expected: bool, at: str, found) -> None:
    count = report.payments_msg
    count.tp += predicted and expected
    count.fp += predicted and not expected
    count.fn += expected and not predicted
    if predicted and not expected:
        report.errors.append(f"payment FP {at}: {found[0].kind} | {found[0].evidence[:80]}")
    if expected and not predicted:
        report.errors.append(f"payment FN {at}")


# ---- deliveries ----------------------------------------------------------------------------


def score_deliveries(thread: Thread, report: Report) -> None:
    wanted = {d["n"] for d in thread.label.get("deliveries", [])}
    for message in vendor_side(thread):
        parsed = message.parsed
        names = [a.name for a in parsed.attachments]
        found = detect_delivery(parsed.new_text or "", names, message.direction)
        expected = message.n in wanted
        count = report.deliveries
        count.tp += bool(found) and expected
        count.fp += bool(found) and not expected
        count.fn += expected and not found
        if found and not expected:
            report.errors.append(f"delivery FP {where(thread, message)}: {found.evidence[:80]}")
        if expected and not found:
            report.errors.append(f"delivery FN {where(thread, message)}")


# ---- report --------------------------------------------------------------------------------


def measure(threads: Iterable[Thread]) -> Report:
    report = Report()
    for thread in threads:
        if not thread.is_vendor:
            continue
        score_invoices(thread, day_first(thread), report)
        score_payments(thread, report)
        score_deliveries(thread, report)
    return report


def show(name: str, report: Report, verbose: bool) -> None:
    print(f"{name}:")
    print(report.invoices.line("invoices found (by number)"))
    for field_name in ("number", "amount", "currency", "issued", "due"):
        print(report.field(field_name).line(f"  invoice {field_name} accuracy"))
    print(report.payments_msg.line("payments found (by message)"))
    print(report.payments_inv.line("payments found (message + invoice)"))
    print(report.payment_invoice.line("  payment -> invoice accuracy"))
    print(report.paid_on.line("  paid_on accuracy"))
    print(report.deliveries.line("deliveries found (by message)"))
    if verbose:
        for error in report.errors:
            print(f"      {error}")


SAMPLE = Path(__file__).resolve().parents[1] / "daemon" / "sample"
VENDOR_KINDS = ("vendor", "payment_notification")


def load_sample(folder: Path = SAMPLE) -> list[Thread]:
    """The demo mailbox as labeled threads (its messages found by Message-ID)."""
    import json
    import mailbox

    expected = json.loads((folder / "expected.json").read_text())
    parsed = {}
    for item in mailbox.mbox(str(folder / "sample.mbox")):
        raw = item.as_bytes()
        message = parse(raw)
        parsed[message.message_id] = (message, raw)
    threads = []
    for spec in expected["threads"]:
        vendor_email = next((m["from"] for m in spec["messages"] if m["direction"] == "in"), "")
        label = dict(spec, is_vendor_thread=spec["kind"] in VENDOR_KINDS)
        label["vendor"] = {"name": spec.get("vendor"), "email": vendor_email}
        thread = Thread(spec["thread"], label)
        for m in spec["messages"]:
            if m["message_id"] in parsed:
                message, raw = parsed[m["message_id"]]
                thread.messages.append(Message(m["n"], m, message, raw))
        threads.append(thread)
    return threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list errors")
    parser.add_argument("--sample", action="store_true", help="measure the demo mailbox")
    args = parser.parse_args(argv)
    if args.sample:
        threads = load_sample()
        show(f"demo mailbox ({len(threads)} threads)", measure(threads), args.verbose)
        return 0
    threads = load(args.folder)
    dev, held = split(threads)
    if day_first_for is None:
        print("(nlp.locale not available: day/month order unknown, decided from the dates)")
    show(f"dev ({len(dev)} threads)", measure(dev), args.verbose)
    show(f"held-out ({len(held)} threads)", measure(held), args.verbose)
    show(f"all ({len(threads)} threads)", measure(threads), False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
