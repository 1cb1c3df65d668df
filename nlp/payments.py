"""Payments of vendor invoices, as the mail tells them.

Three voices say an invoice was paid:

- the owner ("Paid INV-12 today via Wise", "Sent PKR 18,500 just now for AS-0311"): kind
  `owner_sent`. Only completed payments count: "I'll pay on Friday", "paying now", "once it is
  approved I'll send it", "have you been paid?" and "I haven't paid yet" are not payments (an
  intention is not money that moved, and a tracker that believed it would stop warning);
- a payment provider's notification from an automated sender (PayPal, Wise, Payoneer,
  Stripe-style: "You sent USD 2,340.00 to Martín Gómez", "Your transfer to … is complete"), or
  such a confirmation pasted into an owner message: kind `notification`, with the payee and the
  amount it names. Notifications of money the owner *received* ("You received a payment",
  "… sent you $500") are his customers paying him, not him paying a vendor, and are ignored;
- the vendor confirming receipt ("payment received, thanks", "me llegó el pago", "pembayaran
  sudah masuk", "Zahlung erhalten"): kind `vendor_received`. A vendor's reminder is not a payment.

`paid_on` is the day the sentence says ("yesterday", "on Friday", "on 3 March") in the sender's
calendar, else the message's local date. The invoice number is read from the payment sentence,
then the rest of the message, then the subject; provider transfer ids ("Transfer #: T-2025…")
are not invoice numbers. Word lists: `data/payment_lexicon.txt`. Pure; never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from vendorwatch.nlp.dates import find_dates
from vendorwatch.nlp.invoices import (
    numbers_after_invoice_words,
    read_sections,
    segment,
    standalone_numbers,
    term_pattern,
)
from vendorwatch.nlp.money import find_amounts

MAX_CHARS = 50_000
MAX_PAYMENTS = 10  # per message
MAX_GAP_WORDS = 3  # "received the full payment": verb and noun this close
OWNER_SENT, NOTIFICATION, VENDOR_RECEIVED = "owner_sent", "notification", "vendor_received"


@dataclass(frozen=True)
class Payment:
    """One payment of (where it can be told) one invoice."""

    paid_on: date
    invoice_number: str | None
    amount: Decimal | None
    currency: str | None
    payee: str | None  # the receiver named in a provider notification
    provider: str | None  # "PayPal", "Wise", "Payoneer", "Stripe", "bank transfer", ...
    kind: str  # "owner_sent" | "notification" | "vendor_received"
    evidence: str  # the sentence or line


@dataclass(frozen=True)
class _Words:
    providers: dict[str, str]
    provider: re.Pattern[str]
    paid: re.Pattern[str]
    sent: re.Pattern[str]
    not_done: re.Pattern[str]
    noun: re.Pattern[str]
    received: re.Pattern[str]
    thanks_for: re.Pattern[str]
    notify_sent: re.Pattern[str]
    notify_received: re.Pattern[str]
    payee_line: re.Pattern[str]
    reference_line: re.Pattern[str]
    transfer_id: re.Pattern[str]
    automated: re.Pattern[str]
    days_back: dict[str, int]
    yesterday: re.Pattern[str]


def _pairs(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        key, _, value = line.partition("\t")
        out[key.strip()] = value.strip()
    return out


@lru_cache(maxsize=1)
def _words() -> _Words:
    s = read_sections("payment_lexicon.txt")
    raw_provider = _pairs(_raw_section("provider"))
    days = {k: int(v) for k, v in _pairs(s["yesterday"]).items()}
    labels = term_pattern(s["payee_label"]).pattern
    refs = term_pattern(s["reference_label"]).pattern
    return _Words(
        providers={k.lower(): v for k, v in raw_provider.items()},
        provider=term_pattern(list(raw_provider)),
        paid=term_pattern(s["paid_verb"]),
        sent=term_pattern(s["sent_verb"]),
        not_done=term_pattern(s["not_done"]),
        noun=term_pattern(s["payment_noun"]),
        received=term_pattern(s["received_verb"]),
        thanks_for=term_pattern(s["thanks_for"]),
        notify_sent=term_pattern(s["notify_sent"]),
        notify_received=term_pattern(s["notify_received"]),
        payee_line=re.compile(rf"^[ \t>]*(?:{labels})[ \t]*:[ \t]*(?P<value>.+)$", re.I | re.M),
        reference_line=re.compile(
            rf"^[ \t>]*(?:{refs})[ \t]*[:#][ \t]*(?P<value>.+)$", re.I | re.M
        ),
        transfer_id=term_pattern(s["transfer_id_label"]),
        automated=re.compile(
            rf"^(?:{term_pattern(s['no_reply_sender']).pattern})[\w.+-]*@", re.IGNORECASE
        ),
        days_back=days,
        yesterday=term_pattern(list(days)),
    )


def _raw_section(name: str) -> list[str]:
    """A section's lines as written (provider names keep their capitals)."""
    from vendorwatch.nlp.money import read_data_lines

    lines, inside = [], False
    for line in read_data_lines("payment_lexicon.txt"):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == f"[{name}]"
        elif inside:
            lines.append(stripped)
    return lines


# --------------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:and|but|so|y|pero|e|mas|und|aber|dan|tapi|și|si|dar|et|mais|ma)\b",
    re.IGNORECASE,
)
_ADJECTIVE_PAID = re.compile(
    r"\b(?:a|an|the|our|your|my|their|this|that|get|getting|got|be|being)\s+paid\b", re.I
)
_NAME = re.compile(  # "Ravi Kumar", "Martín Gómez", "J. van Dijk": on one line
    r"(?P<name>[A-ZÀ-Ý](?:[\w'’-]*|\.)"
    r"(?:[ \t]+(?:[A-ZÀ-Ý](?:[\w'’-]*|\.)|de|da|del|dos|van|von|bin|binti|la|le)){0,5})"
)


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]


def _done(clause: str, verb: re.Pattern[str]) -> bool:
    """The clause states a completed act with `verb`: no intention, condition or denial."""
    if not verb.search(clause) or _words().not_done.search(clause):
        return False
    return not (verb is _words().paid and _only_adjective_paid(clause))


def _only_adjective_paid(clause: str) -> bool:
    hits = list(_words().paid.finditer(clause))
    return bool(hits) and all(
        h.group(0).lower() == "paid" and _ADJECTIVE_PAID.search(clause[: h.end()]) for h in hits
    )


def _ids(chunk: str) -> list[str]:
    """Invoice numbers in a chunk of text, in order; provider transfer ids left out."""
    found: dict[str, str] = {}
    candidates = numbers_after_invoice_words(chunk) + standalone_numbers(chunk)
    for start, _end, token in sorted(candidates):
        head = chunk[max(0, start - 24) : start]
        line_head = head.rsplit("\n", 1)[-1]
        if _words().transfer_id.search(line_head):
            continue
        found.setdefault(token.upper(), token)
    return list(found.values())


def _provider(chunk: str) -> str | None:
    words = _words()
    match = words.provider.search(chunk)
    if match:
        return words.providers.get(re.sub(r"\s+", " ", match.group(0).lower()))
    via = re.search(
        r"\b(?:via|through|using|with|on|por|mit|lewat|melalui|prin)\s+([A-Z][\w-]{2,})", chunk
    )
    return via.group(1) if via else None


def _sender_provider(sender: str) -> str | None:
    domain = sender.rpartition("@")[2].lower()
    known = _provider(domain.replace(".", " "))
    if known:
        return known
    label = domain.split(".")[0] if domain else ""
    if not label or label in {"gmail", "googlemail", "outlook", "hotmail", "yahoo", "mail"}:
        return None
    return label.capitalize()


def _paid_on(clause: str, sent: datetime) -> date:
    """The day a payment clause names, never after the message; else the message's day."""
    today = sent.date()
    words = _words()
    back = words.yesterday.search(clause)
    if back:
        return today - timedelta(days=words.days_back.get(back.group(0).lower(), 1))
    for mention in find_dates(clause, sent):
        value = mention.value
        if value <= today:
            return value
        if (value - today).days <= 7 and not re.search(r"\d", mention.text):
            return value - timedelta(days=7)  # "on Friday" in a past-tense sentence
    return today


def _first_amount(chunk: str) -> tuple[Decimal | None, str | None]:
    found = find_amounts(chunk)
    if not found:
        return None, None
    money = found[0][2]
    return money.amount, money.currency


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:300]


# --------------------------------------------------------------------------------------------
# The three voices
# --------------------------------------------------------------------------------------------


def _owner_sent(text: str, sent: datetime, subject: str) -> list[Payment]:
    words = _words()
    payments: list[Payment] = []
    for s in segment(text):
        sentence = text[s.start : s.end]
        if sentence.rstrip().endswith("?") or _pasted_notice(sentence):
            continue
        clause = next((c for c in _clauses(sentence) if _done(c, words.paid)), None)
        if clause is None:
            clause = next((c for c in _clauses(sentence) if _done(c, words.sent)), None)
            has_money = find_amounts(sentence) or _ids(sentence) or _provider(sentence)
            if clause is None or not (has_money or words.noun.search(sentence)):
                continue
        payments.extend(_payments_of(sentence, clause, text, sent, subject, OWNER_SENT))
    return payments


def _pasted_notice(sentence: str) -> bool:
    """ "You sent: 1,100.00 EUR" in the owner's mail is a provider speaking, not the owner."""
    cue = _words().notify_sent.search(sentence)
    return bool(cue and re.search(r"\byou|\byour", cue.group(0), re.I))


def _vendor_received(text: str, sent: datetime, subject: str) -> list[Payment]:
    payments: list[Payment] = []
    for s in segment(text):
        sentence = text[s.start : s.end]
        if sentence.rstrip().endswith("?"):
            continue
        clause = next((c for c in _clauses(sentence) if _acknowledges(c)), None)
        if clause is None and _thanks_for_payment(sentence):
            clause = sentence
        if clause is not None:
            payments.extend(_payments_of(sentence, clause, text, sent, subject, VENDOR_RECEIVED))
    return payments


def _acknowledges(clause: str) -> bool:
    """ "payment received", "recibí el pago": a receipt verb within a few words of the noun."""
    words = _words()
    if words.not_done.search(clause):
        return False
    for verb in words.received.finditer(clause):
        for noun in words.noun.finditer(clause):
            lo, hi = sorted((verb, noun), key=lambda m: m.start())
            if len(clause[lo.end() : hi.start()].split()) <= MAX_GAP_WORDS:
                return True
    return False


def _thanks_for_payment(sentence: str) -> bool:
    words = _words()
    for thanks in words.thanks_for.finditer(sentence):
        tail = sentence[thanks.end() : thanks.end() + 40]
        noun = words.noun.search(tail)
        if noun and len(tail[: noun.start()].split()) <= 2:
            return True
    return False


def _payments_of(
    sentence: str, clause: str, text: str, sent: datetime, subject: str, kind: str
) -> list[Payment]:
    numbers = _ids(sentence) or _ids(text) or _ids(subject or "")
    amount, currency = _first_amount(sentence)
    base = Payment(
        paid_on=_paid_on(clause, sent),
        invoice_number=None,
        amount=amount,
        currency=currency,
        payee=None,
        provider=_provider(sentence),
        kind=kind,
        evidence=_one_line(sentence),
    )
    return [replace(base, invoice_number=n) for n in numbers] or [base]


def _notification(
    text: str, sent: datetime, sender: str, subject: str, kind: str = NOTIFICATION
) -> Payment | None:
    """A provider's "you sent … to …" message (or one pasted into the owner's mail)."""
    words = _words()
    whole = f"{subject}\n{text}"
    cue = words.notify_sent.search(whole)
    if cue is None:
        return None
    strong = re.search(r"\byou\b|\byour\b", cue.group(0), re.I)
    if words.notify_received.search(whole) and not strong:
        return None
    amount, currency = _notification_amount(text) or _notification_amount(subject) or (None, None)
    payee = _payee(text) or _payee(subject)
    if amount is None and payee is None:
        return None
    numbers = _reference_ids(text) or _ids(text) or _ids(subject)
    line = next((ln for ln in whole.splitlines() if words.notify_sent.search(ln)), cue.group(0))
    return Payment(
        paid_on=sent.date(),
        invoice_number=numbers[0] if numbers else None,
        amount=amount,
        currency=currency,
        payee=payee,
        provider=_provider(whole) or _sender_provider(sender),
        kind=kind,
        evidence=_one_line(line),
    )


def _notification_amount(text: str) -> tuple[Decimal, str | None] | None:
    words = _words()
    found = find_amounts(text)
    if not found:
        return None
    for start, _end, money in found:
        line_start = text.rfind("\n", 0, start) + 1
        line = text[line_start:start]
        if words.notify_sent.search(line) or re.search(r"amount|total|sent", line, re.I):
            return money.amount, money.currency
    return found[0][2].amount, found[0][2].currency


def _payee(text: str) -> str | None:
    words = _words()
    for match in words.payee_line.finditer(text):
        value = match.group("value")
        if "@" in value or "<" in value:
            continue
        name = _NAME.match(value.strip())
        if name:
            return _clean_name(name.group("name"))
    for match in re.finditer(r"\b(?:to|from)\s+", text):
        before = text[max(0, match.start() - 40) : match.start()]
        if match.group(0).startswith("from") and "receipt" not in before.lower():
            continue
        if not (words.notify_sent.search(before + match.group(0)) or find_amounts(before)):
            continue
        name = _NAME.match(text, match.end())
        if name:
            return _clean_name(name.group("name"))
    return None


def _clean_name(name: str) -> str | None:
    name = name.strip().rstrip(".,;:'’-")
    return name or None


def _reference_ids(text: str) -> list[str]:
    ids: list[str] = []
    for match in _words().reference_line.finditer(text):
        value = match.group("value")
        ids.extend(_ids(value) or [t for t in re.findall(r"\b[\w/-]*\d[\w/-]*\b", value)[:1]])
    return ids


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def is_automated(sender: str) -> bool:
    """A no-reply / notifications sender, or a known payment provider's domain."""
    sender = (sender or "").strip().lower()
    if not sender:
        return False
    domain = sender.rpartition("@")[2]
    return bool(_words().automated.match(sender)) or bool(
        _words().provider.fullmatch(domain.split(".")[0])
    )


def extract_payments(
    text: str, sent: datetime, direction: str, sender: str = "", subject: str = ""
) -> list[Payment]:
    """Payments the message states. `direction` is "out" (the owner wrote it) or "in"."""
    if not isinstance(sent, datetime):
        return []
    text = text[:MAX_CHARS] if isinstance(text, str) else ""
    sender = sender if isinstance(sender, str) else ""
    subject = subject if isinstance(subject, str) else ""
    if not text.strip() and not subject.strip():
        return []
    if direction == "out":
        payments = _owner_sent(text, sent, subject)
        pasted = _notification(text, sent, sender, "", NOTIFICATION)
        payments = _with_pasted(payments, pasted)
    elif is_automated(sender):
        payments = _automated(text, sent, sender, subject)
    else:
        payments = _vendor_received(text, sent, subject)
    return _dedupe(payments)[:MAX_PAYMENTS]


def _automated(text: str, sent: datetime, sender: str, subject: str) -> list[Payment]:
    notice = _notification(text, sent, sender, subject)
    if notice is not None:
        return [notice]
    if _words().notify_received.search(f"{subject}\n{text}"):
        return []  # the owner's own customers paying him
    return _vendor_received(text, sent, subject)  # a vendor's billing system: "payment received"


def _with_pasted(payments: list[Payment], pasted: Payment | None) -> list[Payment]:
    """A provider confirmation pasted under "paid it": it fills what the owner left out."""
    if pasted is None:
        return payments
    if not payments:
        return [pasted]
    merged = []
    for p in payments:
        same = p.invoice_number is None or pasted.invoice_number in (None, p.invoice_number)
        if same and len(payments) == 1:
            p = replace(
                p,
                invoice_number=p.invoice_number or pasted.invoice_number,
                amount=p.amount if p.amount is not None else pasted.amount,
                currency=p.currency or pasted.currency,
                payee=p.payee or pasted.payee,
                provider=p.provider or pasted.provider,
            )
        merged.append(p)
    return merged


def _dedupe(payments: list[Payment]) -> list[Payment]:
    """One payment per invoice number per message (the first sentence that says it)."""
    seen: dict[str | None, Payment] = {}
    for p in payments:
        key = p.invoice_number.upper() if p.invoice_number else None
        if key not in seen:
            seen[key] = p
        elif seen[key].amount is None and p.amount is not None:
            seen[key] = replace(seen[key], amount=p.amount, currency=p.currency)
    if None in seen and len(seen) > 1:
        del seen[None]  # "paid it" next to "paid INV-3": the same payment
    return list(seen.values())
