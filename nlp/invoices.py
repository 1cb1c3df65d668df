"""Invoices a vendor sends: number, amount, currency, issue date, terms and due date.

One `Invoice` per invoice number, merging what the message text says with what an attached
invoice (TXT, CSV or the text layer of a PDF) says; the attached document wins where both speak
and a disagreement is kept as a note. The message is one FROM the vendor side; the caller
decides that.

How a message is read:

- an invoice number is the token right after an invoice word in any of the languages of
  `data/invoice_lexicon.txt` ("Invoice TPL-2025-014", "No. Invoice: PR/2025/017", "Rechnung Nr.
  7", "factura CC-2025-0042"), or the id in the name of an attached invoice
  ("Invoice_TPL-2025-014.pdf");
- the amount is chosen among the amounts near the invoice: a "total"/"amount due" line or the
  result of a sum ("= USD 2,340.00") beats a line item, and a unit price ("USD 45 per hour",
  "× COP 2.400") is never the amount. Two currencies at the same rank leave the amount empty
  with a note rather than pick one;
- `issued` is the invoice's own date ("Invoice date: 06-Feb-2025"), else the message's local
  date; `due` is the stated due date ("due 30 April", "zahlbar bis 07.04.2025", "due 16/06"),
  else the terms applied to `issued` ("Net 15" = issued + 15 days, "due on receipt" = issued,
  "payment within 7 days"). A numeric date whose day/month order is unknown takes the reading
  that makes sense (an issue date near the message, a due date not before the issue date);
- not invoices: a pro forma, a quote, a receipt, an order confirmation, "I will invoice you
  next week". A message that only points back at an invoice already sent (a reminder, "did you
  get INV-12?", "INV-12 is overdue") is returned with `reminder=True`, with no issue date and no
  due date computed from its terms, so a tracker never mistakes it for a second invoice; a
  vendor's thanks for a payment is left to `nlp.payments` and gives no invoice here.

Pure: text in, records out; bad input gives [] or a record with notes, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from vendorwatch.nlp.dates import add_business_days, find_dates, parse_date
from vendorwatch.nlp.money import Money, find_amounts, read_data_lines, to_decimal

MAX_CHARS = 50_000  # per text or attachment: a message or an invoice, not a book
MAX_SENTENCE_CHARS = 1_000  # a longer run without punctuation (a pasted log) is cut in pieces
MAX_SENTENCES = 1_500  # per text: what an invoice or a message says is near its top
MAX_ATTACHMENTS = 20
MAX_INVOICES = 20  # per message
MAX_TERM_DAYS = 366


@dataclass(frozen=True)
class Invoice:
    """One invoice as the vendor states it; `notes` say what could not be read."""

    number: str | None
    amount: Decimal | None
    currency: str | None
    issued: date | None
    terms: str | None  # "net 30", "due on receipt", "7 days", "due date"
    due: date | None
    source: str  # "text" or the attachment's name
    notes: tuple[str, ...] = ()
    reminder: bool = False  # points back at an invoice already sent; not a new one


# --------------------------------------------------------------------------------------------
# Word lists and text structure (shared with nlp.payments and nlp.deliveries)
# --------------------------------------------------------------------------------------------


def read_sections(name: str) -> dict[str, list[str]]:
    """A packaged word list with `[section]` headers: section -> lower-cased terms."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in read_data_lines(name):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = sections.setdefault(stripped[1:-1], [])
        elif current is not None:
            current.append(stripped.lower())
    return sections


def term_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """Any of `terms`, case-insensitive, on word boundaries where a term starts/ends with a
    letter or digit; a space inside a term matches any run of whitespace. (One boundary check
    in front of the whole alternation, not one per term: several times faster on long text.)"""
    word_start, other = [], []
    for term in sorted(set(terms), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in term.split())
        body += r"(?!\w)" if term[-1:].isalnum() else ""
        (word_start if term[:1].isalnum() else other).append(body)
    parts = []
    if word_start:
        parts.append(r"(?<!\w)(?:" + "|".join(word_start) + ")")
    if other:
        parts.append("(?:" + "|".join(other) + ")")
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A sentence's span in the text, the logical line and the paragraph it belongs to."""

    start: int
    end: int
    line: int
    para: int


_ABBREVIATIONS = frozenset(
    "no nr mr mrs ms dr st vs ca approx incl excl e.g i.e etc inc ltd co p pp bzw z.b u.a sr sra"
    " jl tel fig ref".split()
)
_LIST_ITEM = re.compile(r"\s*(?:[-*•·]|\d{1,2}[.)])\s")
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]”’]*\s+(?=[\"'“‘(¿¡]?[A-ZÀ-Ý\d])")


def _logical_lines(text: str) -> list[tuple[int, int]]:
    """Lines, with a wrapped line (format=flowed, hard-wrapped mail) joined to its next one."""
    raw = []
    pos = 0
    for line in text.split("\n"):
        raw.append((pos, pos + len(line)))
        pos += len(line) + 1
    lines: list[tuple[int, int]] = []
    for start, end in raw:
        if lines and _continues(text[lines[-1][0] : lines[-1][1]], text[start:end]):
            lines[-1] = (lines[-1][0], end)
        else:
            lines.append((start, end))
    return lines


def _continues(previous: str, line: str) -> bool:
    prev = previous.rstrip()
    nxt = line.strip()
    if not prev or not nxt or prev[-1] in ".!?:;…" or _LIST_ITEM.match(line):
        return False
    return nxt[0].islower() or nxt[0].isdigit() or nxt[0] == "(" or len(prev) >= 60


def segment(text: str) -> list[Sentence]:
    """Sentences of an e-mail text: paragraphs at blank lines, lines (wrapped ones joined), then
    sentence punctuation inside a line ("No. 5", "e.g. this" do not end a sentence)."""
    sentences: list[Sentence] = []
    para = 0
    for index, (start, end) in enumerate(_logical_lines(text)):
        if not text[start:end].strip():
            para += 1
            continue
        cut = start
        for match in _SENTENCE_END.finditer(text, start, end):
            word = re.search(r"([\w.]+)[.!?…]*$", text[cut : match.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            sentences.append(Sentence(cut, match.end(), index, para))
            cut = match.end()
        if text[cut:end].strip():
            sentences.append(Sentence(cut, end, index, para))
    kept = [s for s in sentences if text[s.start : s.end].strip()]
    return [piece for s in kept for piece in _pieces(text, s)][:MAX_SENTENCES]


def _pieces(text: str, sentence: Sentence) -> list[Sentence]:
    """A run-on "sentence" cut at whitespace into pieces of at most MAX_SENTENCE_CHARS."""
    pieces = []
    start = sentence.start
    while sentence.end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append(Sentence(start, cut, sentence.line, sentence.para))
        start = cut
    pieces.append(Sentence(start, sentence.end, sentence.line, sentence.para))
    return pieces


# --------------------------------------------------------------------------------------------
# Invoice numbers
# --------------------------------------------------------------------------------------------

_ID = r"[A-Za-z0-9](?:[A-Za-z0-9]|[-/_.](?=[A-Za-z0-9])){1,39}"
_NOT_ID = re.compile(
    r"\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?"  # a date
    r"|\d+(?:st|nd|rd|th)"  # an ordinal
    r"|\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+[.,]\d{1,2}"  # an amount
    r"|(?:19|20)\d\d",  # a year
    re.IGNORECASE,
)
# A code that stands out without an invoice word next to it: "MG-0525", "PR/2025/017",
# "NS-INV-2025-10", "INV12345".
STANDALONE_ID = re.compile(
    r"(?<![\w/#.-])(?=[A-Z0-9/_.-]*\d)"
    r"(?:[A-Z][A-Z0-9]{0,11}(?:[-/_.][A-Z0-9]{1,12}){1,5}|[A-Z]{2,6}\d{3,})"
    r"(?![\w-]|[/.][A-Za-z0-9])"
)
_STANDALONE_NOT = re.compile(r"(?:UTF|ISO|COVID|RFC|SHA|CVE|IPV|TLS|MP|HTTP|ES|EN)\b", re.I)


@dataclass(frozen=True)
class _Words:
    invoice: re.Pattern[str]
    number: re.Pattern[str]
    not_invoice: re.Pattern[str]
    reminder: re.Pattern[str]
    paid: re.Pattern[str]
    future: re.Pattern[str]
    issue: re.Pattern[str]
    total: re.Pattern[str]
    due: re.Pattern[str]
    issued_label: re.Pattern[str]
    issued_word: re.Pattern[str]
    receipt_terms: re.Pattern[str]
    payment: re.Pattern[str]
    notice: re.Pattern[str]
    within: re.Pattern[str]
    net: re.Pattern[str]


@lru_cache(maxsize=1)
def _words() -> _Words:
    s = read_sections("invoice_lexicon.txt")
    invoice_alt = term_pattern(s["invoice"]).pattern
    marker_alt = term_pattern(s["number_marker"]).pattern
    number = re.compile(
        rf"(?:{invoice_alt})(?:\s*(?:{marker_alt}))?\s*[:#(,;|\t]?\s*(?P<id>{_ID})(?![\w])",
        re.IGNORECASE,
    )
    issued = [t for t in s["issued"] if t not in {"issued", "issued on", "dated"}]
    issued_label = re.compile(
        rf"(?:^|(?<=[/|]))\s*(?:{term_pattern(issued).pattern})\s*[:.]?", re.I | re.M
    )
    units = term_pattern(s["day_unit"] + s["business_day"]).pattern
    within = re.compile(
        r"(?<!\w)(?:within|in|after|innerhalb(?:\s+von)?|binnen|dentro\s+de|en|a|em|no\s+prazo"
        r"\s+de|dalam|în|in\s+termen\s+de|sous|à|entro|net)\s+(?P<n>\d{1,3})\s*"
        rf"(?P<unit>{units})",
        re.IGNORECASE,
    )
    net = re.compile(
        r"(?<!\w)(?:net(?:to)?\s*(?P<a>\d{1,3})(?!\d)|(?P<b>\d{1,3})\s*"
        rf"(?:{term_pattern(s['day_unit']).pattern})\s+net(?:to)?(?!\w))",
        re.IGNORECASE,
    )
    return _Words(
        invoice=term_pattern(s["invoice"]),
        number=number,
        not_invoice=term_pattern(s["not_invoice"]),
        reminder=term_pattern(s["reminder"]),
        paid=term_pattern(s["paid"]),
        future=term_pattern(s["future"]),
        issue=term_pattern(s["issue"]),
        total=term_pattern(s["total"]),
        due=term_pattern(s["due"]),
        issued_label=issued_label,
        issued_word=term_pattern(["issued", "issued on", "dated"]),
        receipt_terms=term_pattern(s["receipt_terms"]),
        payment=term_pattern(s["payment_words"]),
        notice=term_pattern(s["payment_notice"]),
        within=within,
        net=net,
    )


def _valid_id(token: str, text: str, end: int) -> bool:
    if not any(ch.isdigit() for ch in token) or _NOT_ID.fullmatch(token):
        return False
    if token.isdigit() and len(token) < 2:
        return False
    following = text[end : end + 6]
    return not (token.replace(".", "").isdigit() and re.match(r"\s?[A-Z]{3}\b", following))


def numbers_after_invoice_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, number) of each "invoice <number>" in `text`."""
    found = []
    money_spans = [(s, e) for s, e, _ in find_amounts(text)]
    for match in _words().number.finditer(text):
        start, end = match.span("id")
        token = match.group("id")
        if any(s <= start < e for s, e in money_spans) or not _valid_id(token, text, end):
            continue
        found.append((start, end, token))
    for start, end, token in standalone_numbers(text):  # "INV-12", "SSL-INV-0876" say it too
        parts = re.split(r"[-/_.]|(?<=[A-Za-z])(?=\d)", token)
        if any(_words().invoice.fullmatch(p) for p in parts) and not any(
            s <= start < e for s, e, _ in found
        ):
            found.append((start, end, token))
    return sorted(found)


def standalone_numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, code) of invoice-like codes anywhere ("MG-0525", "PR/2025/017")."""
    return [
        (m.start(), m.end(), m.group(0))
        for m in STANDALONE_ID.finditer(text)
        if not _STANDALONE_NOT.match(m.group(0)) and not _NOT_ID.fullmatch(m.group(0))
    ]


def number_in_name(name: str) -> str | None:
    """The invoice number in an attachment's name ("Invoice_TPL-2025-014.pdf")."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name or "").replace("_", " ")
    after_word = numbers_after_invoice_words(stem)
    if after_word:
        return after_word[0][2]
    codes = standalone_numbers(stem)
    return codes[-1][2] if codes else None


def _key(number: str | None) -> str | None:
    return number.upper() if number else None


# --------------------------------------------------------------------------------------------
# Reading one source (the message text or one attachment)
# --------------------------------------------------------------------------------------------


@dataclass
class _Facts:
    number: str | None
    position: int
    amounts: list[tuple[float, Money]] = field(default_factory=list)
    issued: date | None = None
    due: date | None = None
    terms: tuple[str, int, bool] | None = None  # (label, days, business days)
    notes: list[str] = field(default_factory=list)
    reminder: bool = False
    paid: bool = False
    future: bool = False
    not_invoice: bool = False
    issuing: bool = False


@dataclass(frozen=True)
class _Source:
    name: str  # "text" or the attachment's name
    text: str
    document: bool  # an attached invoice: one document, no reminders
    sentences: tuple[Sentence, ...]
    amounts: tuple[tuple[int, int, Money], ...]
    line_spans: tuple[tuple[int, int], ...]


def _source(name: str, text: str, document: bool) -> _Source:
    text = text[:MAX_CHARS]
    return _Source(
        name,
        text,
        document,
        tuple(segment(text)),
        tuple(find_amounts(text)),
        tuple(_logical_lines(text)),
    )


def _occurrences(text: str, number: str) -> list[int]:
    pattern = re.compile(rf"(?<![\w/-]){re.escape(number)}(?![\w]|[/-]\w)", re.IGNORECASE)
    return [m.start() for m in pattern.finditer(text)]


def _numbers(source: _Source) -> list[tuple[int, str]]:
    """(first position, number) of each distinct invoice number in a source."""
    seen: dict[str, tuple[int, str]] = {}
    for start, _end, token in numbers_after_invoice_words(source.text):
        seen.setdefault(token.upper(), (start, token))
    if source.document and seen:  # a document's own number is its first one
        first = min(seen.values())
        return [first]
    return sorted(seen.values())


def _sentence_at(source: _Source, pos: int) -> Sentence | None:
    for sentence in source.sentences:
        if sentence.start <= pos < sentence.end:
            return sentence
    return None


def _read(
    source: _Source,
    number: str | None,
    scope: list[Sentence],
    sent: datetime,
    day_first: bool | None,
    single: bool,
) -> _Facts:
    """What `scope` (the sentences about this invoice) says about it."""
    text = source.text
    words = _words()
    with_word = [s for s in scope if words.invoice.search(text[s.start : s.end])]
    if number is None:
        mentions = with_word
    else:
        mentions = [s for s in scope if _occurrences(text[s.start : s.end], number)]
    position = mentions[0].start if mentions else (scope[0].start if scope else 0)
    facts = _Facts(number, position)
    for s in mentions:
        _flag(facts, text[s.start : s.end], number)
    mention_paras = {s.para for s in mentions}
    about = mentions if not single else list({*mentions, *with_word})
    _amounts(facts, source, scope, about, number)
    if not facts.amounts:
        _bare_total(facts, source, scope)
    _dates_and_terms(facts, source, scope, mention_paras, sent, day_first, single)
    return facts


def _flag(facts: _Facts, sentence: str, number: str | None) -> None:
    words = _words()
    cleaned = words.receipt_terms.sub(" ", sentence)
    facts.reminder |= bool(words.reminder.search(cleaned)) or (
        number is not None and sentence.rstrip().endswith("?")
    )
    facts.paid |= bool(words.paid.search(cleaned))
    facts.future |= bool(words.future.search(cleaned))
    facts.issuing |= bool(words.issue.search(cleaned))
    invoice_word = words.invoice.search(cleaned)
    if invoice_word:
        head = cleaned[max(0, invoice_word.start() - 30) : invoice_word.start()]
        facts.not_invoice |= bool(words.not_invoice.search(head))


_UNIT_BEFORE = re.compile(r"(?:(?<![A-Za-z])[x×*@]|\bat|\bje)\s*$", re.I)
_UNIT_AFTER = re.compile(
    r"\s*(?:/\s*[A-Za-z]|per\b|each\b|a\s+(?:day|week|month|word|page|hour)\b|an\s+hour\b"
    r"|por\b|pro\b|je\b|la\b|par\b|cada\b|setiap\b|per\s|x\s*\d|×)",
    re.I,
)


def _amounts(
    facts: _Facts,
    source: _Source,
    scope: list[Sentence],
    mentions: list[Sentence],
    number: str | None,
) -> None:
    """Score the amounts of the scope: totals and sums high, unit prices out."""
    text = source.text
    words = _words()
    mention_ids = {(s.start, s.end) for s in mentions}
    for start, end, money in source.amounts:
        sentence = next((s for s in scope if s.start <= start < s.end), None)
        if sentence is None:
            continue
        score = 1.0
        if (sentence.start, sentence.end) in mention_ids:
            score += 2
            if number is not None and _follows_number(text, sentence, number, start):
                score += 1
        line_start = source.line_spans[sentence.line][0]
        if words.total.search(text[line_start:start]):
            score += 3
        if re.search(r"=\s*$", text[max(0, start - 4) : start]):
            score += 2
        if _UNIT_BEFORE.search(text[max(0, start - 6) : start]) or _UNIT_AFTER.match(
            text[end : end + 16]
        ):
            score -= 10
        facts.amounts.append((score, money))


def _follows_number(text: str, sentence: Sentence, number: str, pos: int) -> bool:
    """The amount comes after this invoice's number and before any other number's."""
    before = text[sentence.start : pos]
    hits = _occurrences(before, number)
    if not hits:
        return False
    between = before[hits[-1] + len(number) :]
    return not numbers_after_invoice_words(between)


def _bare_total(facts: _Facts, source: _Source, scope: list[Sentence]) -> None:
    """ "Total: 1.900,00" with the currency named elsewhere in the document (or nowhere)."""
    text = source.text
    codes = {m.group(0) for m in re.finditer(r"\b[A-Z]{3}\b", text)} & _iso_codes()
    currency = next(iter(codes)) if len(codes) == 1 else None
    for sentence in scope:
        chunk = text[sentence.start : sentence.end]
        total = _words().total.search(chunk)
        if not total:
            continue
        match = re.search(r"[-−]?\d[\d.,' \u00a0]*\d|\d", chunk[total.end() :])
        value = to_decimal(match.group(0).lstrip("-−").strip(), currency) if match else None
        if value is not None:
            value = -value if match.group(0)[0] in "-−" else value
            facts.amounts.append((1.0, Money(value, currency)))
            return


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    return frozenset(c for line in read_data_lines("money_iso_codes.txt") for c in line.split())


# --------------------------------------------------------------------------------------------
# Dates and terms
# --------------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})(?:\2(\d{2,4}))?(?![\d/-]|\.\d)")


def _plausible_issue(value: date, today: date) -> float:
    ahead = (value - today).days
    return abs(ahead) + (100 if ahead > 2 else 0)


def _read_date(
    chunk: str,
    sent: datetime,
    day_first: bool | None,
    cost: Callable[[date], float],
    notes: list[str],
) -> date | None:
    """The first date in `chunk`; a numeric one whose day/month order is open (unknown locale,
    or the locale's reading makes no sense) takes the reading with the lowest `cost`."""
    mentions = find_dates(chunk, sent, day_first)
    if not mentions:
        mentions = find_dates(chunk, sent, None)
    if not mentions:
        _note_impossible(chunk, notes)
        return None
    mention = mentions[0]
    readings = {
        v
        for v in (parse_date(mention.text, sent, True), parse_date(mention.text, sent, False))
        if v
    }
    if len(readings) < 2:
        return mention.value
    best = min(readings, key=cost)
    if day_first is not None and cost(mention.value) >= 100 and cost(best) < 100:
        notes.append(
            f"read {mention.text.strip()} as {best.isoformat()}: the other day/month "
            "order makes no sense here"
        )
        return best
    return mention.value if day_first is not None else best


def _note_impossible(chunk: str, notes: list[str]) -> None:
    for match in _NUMERIC_DATE.finditer(chunk):
        first, second = int(match.group(1)), int(match.group(3))
        year = int(match.group(4)) if match.group(4) else 2024  # a leap year: 29/02 is possible
        year = year + 2000 if year < 100 else year
        if not (_is_day(year, second, first) or _is_day(year, first, second)):
            note = f"impossible date {match.group(0)}"
            if note not in notes:
                notes.append(note)


def _is_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _terms(chunk: str) -> tuple[str, int, bool] | None:
    words = _words()
    net = words.net.search(chunk)
    if net:
        days = int(net.group("a") or net.group("b"))
        return (f"net {days}", days, False) if days <= MAX_TERM_DAYS else None
    if words.receipt_terms.search(chunk):
        return ("due on receipt", 0, False)
    within = words.within.search(chunk)
    if within and (words.due.search(chunk) or words.payment.search(chunk)):
        days = int(within.group("n"))
        unit = within.group("unit").lower()
        business = unit not in {u.lower() for u in read_sections("invoice_lexicon.txt")["day_unit"]}
        if days <= MAX_TERM_DAYS:
            return (f"{days} {'business days' if business else 'days'}", days, business)
    return None


def _dates_and_terms(
    facts: _Facts,
    source: _Source,
    scope: list[Sentence],
    mention_paras: set[int],
    sent: datetime,
    day_first: bool | None,
    single: bool,
) -> None:
    text = source.text
    words = _words()
    today = sent.date()
    for sentence in scope:
        chunk = text[sentence.start : sentence.end]
        near = source.document or sentence.para in mention_paras
        # away from the invoice, a date must be about paying; terms ("due in 14 days") always are
        about_paying = single and bool(words.payment.search(chunk))
        if facts.terms is None and (near or single):
            facts.terms = _terms(chunk)
        if not (near or about_paying):
            continue
        if facts.issued is None:
            facts.issued = _issued(chunk, sent, day_first, today, facts.notes)
        if facts.due is None:
            facts.due = _due(chunk, sent, day_first, facts)


def _issued(
    chunk: str, sent: datetime, day_first: bool | None, today: date, notes: list[str]
) -> date | None:
    words = _words()
    label = words.issued_label.search(chunk) or words.issued_word.search(chunk)
    if not label:
        return None
    rest = chunk[label.end() :]
    stop = words.due.search(rest)
    rest = rest[: stop.start()] if stop else rest
    return _read_date(rest[:60], sent, day_first, lambda v: _plausible_issue(v, today), notes)


def _due(chunk: str, sent: datetime, day_first: bool | None, facts: _Facts) -> date | None:
    words = _words()
    for cue in words.due.finditer(chunk):
        rest = chunk[cue.start() : cue.start() + 80]
        masked = words.within.sub(lambda m: " " * len(m.group(0)), rest)
        masked = words.net.sub(lambda m: " " * len(m.group(0)), masked)
        anchor = facts.issued or sent.date()

        def cost(value: date, anchor: date = anchor) -> float:
            gap = (value - anchor).days
            return gap if gap >= 0 else 100 - gap

        value = _read_date(masked, sent, day_first, cost, facts.notes)
        if value is not None:
            return value
    return None


# --------------------------------------------------------------------------------------------
# Putting sources together
# --------------------------------------------------------------------------------------------


def _best_amount(facts: _Facts | None, notes: list[str]) -> Money | None:
    if facts is None or not facts.amounts:
        return None
    top = max(score for score, _ in facts.amounts)
    if top < 0:
        return None
    best = [money for score, money in facts.amounts if score == top]
    currencies = sorted({m.currency for m in best if m.currency})
    if len(currencies) > 1:
        notes.append(f"two currencies ({', '.join(currencies)}): amount left empty")
        return None
    return max(best, key=lambda m: abs(m.amount))


def _invoice_attachments(
    attachments: Sequence[tuple[str, str | None]], text_numbers: set[str]
) -> list[tuple[str, str | None]]:
    """Attachments that are invoices: named like one, or whose text is one."""
    words = _words()
    chosen = []
    for name, body in list(attachments)[:MAX_ATTACHMENTS]:
        name = name if isinstance(name, str) else ""
        body = body if isinstance(body, str) else None
        named = bool(words.invoice.search(name.replace("_", " ")))
        from_name = _key(number_in_name(name))
        in_text = from_name in text_numbers if from_name else False
        reads_as = bool(body and numbers_after_invoice_words(body[:3000]))
        if named or in_text or reads_as:
            chosen.append((name, body))
    return chosen


def _facts_of_text(
    text: str, sent: datetime, day_first: bool | None
) -> tuple[dict[str, _Facts], _Facts | None]:
    source = _source("text", text, document=False)
    numbers = _numbers(source)[:MAX_INVOICES]
    single = len(numbers) <= 1
    found: dict[str, _Facts] = {}
    words = _words()
    invoice_sentences = [s for s in source.sentences if words.invoice.search(text[s.start : s.end])]
    for _pos, number in numbers:
        paras = {s.para for s in source.sentences if _occurrences(text[s.start : s.end], number)}
        if single:
            paras |= {s.para for s in invoice_sentences}
        scope = (
            [s for s in source.sentences if s.para in paras]
            if not single
            else list(source.sentences)
        )
        facts = _read(source, number, scope, sent, day_first, single)
        if single:  # amounts only from the invoice's paragraphs and total lines elsewhere
            facts.amounts = [
                (score, money) for score, money in facts.amounts if score >= 3 or score > 1 and True
            ] or facts.amounts
        found[_key(number)] = facts
    unnumbered = None
    if not numbers and invoice_sentences:
        paras = {s.para for s in invoice_sentences}
        scope = [s for s in source.sentences if s.para in paras]
        unnumbered = _read(source, None, scope, sent, day_first, True)
    return found, unnumbered


def _facts_of_document(
    name: str, body: str | None, sent: datetime, day_first: bool | None
) -> _Facts:
    number = number_in_name(name)
    if body is None or not body.strip():
        facts = _Facts(number, 0)
        facts.notes.append(f"{name}: no text could be read from the attachment")
        return facts
    source = _source(name, body, document=True)
    numbers = _numbers(source)
    if numbers:
        number = numbers[0][1]
    facts = _read(source, number, list(source.sentences), sent, day_first, True)
    facts.number = number
    facts.issuing = True
    facts.reminder = facts.paid = facts.future = False
    return facts


def _merge(
    number: str | None,
    text: _Facts | None,
    doc: _Facts | None,
    doc_name: str | None,
    sent: datetime,
) -> Invoice | None:
    if doc is None and text is None:
        return None
    notes: list[str] = []
    if doc is None:
        assert text is not None
        if text.not_invoice or (text.future and not text.issuing):
            return None
        if text.paid and not text.issuing:
            return None
        if text.reminder and not text.issuing:
            return _reminder(number, text)
    for part in (doc, text):
        if part is not None:
            notes.extend(n for n in part.notes if n not in notes)
    money = _best_amount(doc, notes) or _best_amount(text, notes)
    doc_money, text_money = _best_amount(doc, []), _best_amount(text, [])
    if doc_money and text_money and doc_money != text_money:
        notes.append(
            f"the message says {text_money.amount} {text_money.currency or ''}".rstrip()
            + f", the attachment {doc_money.amount} {doc_money.currency or ''}".rstrip()
        )
    issued = (doc.issued if doc else None) or (text.issued if text else None) or sent.date()
    stated_due = (doc.due if doc else None) or (text.due if text else None)
    terms = (doc.terms if doc else None) or (text.terms if text else None)
    due = stated_due or _apply_terms(issued, terms)
    notes.extend(_money_notes(money, notes))
    if number is None:
        notes.append("no invoice number")
    if due is None:
        notes.append("no due date or terms")
    elif due < issued:
        notes.append(f"due date {due.isoformat()} is before the issue date {issued.isoformat()}")
    label = terms[0] if terms else ("due date" if stated_due else None)
    return Invoice(
        number=number,
        amount=money.amount if money else None,
        currency=money.currency if money else None,
        issued=issued,
        terms=label,
        due=due,
        source=doc_name or "text",
        notes=tuple(dict.fromkeys(notes)),
    )


def _money_notes(money: Money | None, notes: list[str]) -> list[str]:
    if money is None:
        return [] if any(n.startswith("two currencies") for n in notes) else ["no amount"]
    extra = []
    if money.amount < 0:
        extra.append("negative amount")
    if money.currency is None:
        extra.append("no currency")
    return extra


def _reminder(number: str | None, text: _Facts) -> Invoice:
    """A pointer back at an invoice already sent: what it restates, nothing computed."""
    notes = list(text.notes)
    money = _best_amount(text, notes)
    return Invoice(
        number=number,
        amount=money.amount if money else None,
        currency=money.currency if money else None,
        issued=text.issued,
        terms=text.terms[0] if text.terms else None,
        due=text.due,
        source="text",
        notes=tuple(dict.fromkeys(notes)),
        reminder=True,
    )


def _apply_terms(issued: date, terms: tuple[str, int, bool] | None) -> date | None:
    if terms is None:
        return None
    _label, days, business = terms
    try:
        return add_business_days(issued, days) if business else issued + timedelta(days=days)
    except (OverflowError, ValueError):
        return None


def extract_invoices(
    text: str,
    attachments: Sequence[tuple[str, str | None]],
    sent: datetime,
    day_first: bool | None = None,
) -> list[Invoice]:
    """The invoices a vendor-side message issues (and, with `reminder=True`, the ones it only
    points back at). `attachments` are (name, extracted text or None)."""
    if not isinstance(sent, datetime):
        return []
    text = text if isinstance(text, str) else ""
    try:
        attachments = list(attachments or [])
    except TypeError:
        attachments = []
    if _words().notice.search(text[:MAX_CHARS]):
        text = ""  # a provider's payment receipt: the invoice it names is being paid
    text_facts, unnumbered = _facts_of_text(text, sent, day_first)
    documents: dict[str | None, tuple[str, _Facts]] = {}
    for name, body in _invoice_attachments(attachments, set(text_facts)):
        facts = _facts_of_document(name, body, sent, day_first)
        documents.setdefault(_key(facts.number), (name, facts))
    keys = list(dict.fromkeys([*text_facts, *documents]))
    if None in keys and len(keys) > 1:
        keys.remove(None)  # an unnumbered document next to a numbered invoice: the same one
        lone = documents.pop(None)
        if len(keys) == 1 and keys[0] not in documents:
            documents[keys[0]] = lone
    invoices = []
    for key in keys[:MAX_INVOICES]:
        doc = documents.get(key)
        text_part = text_facts.get(key) if key is not None else unnumbered
        number = (doc[1].number if doc else None) or (text_part.number if text_part else None)
        invoice = _merge(number, text_part, doc[1] if doc else None, doc[0] if doc else None, sent)
        if invoice is not None:
            invoices.append(invoice)
    if not keys and unnumbered is not None and unnumbered.issuing and unnumbered.amounts:
        invoice = _merge(None, unnumbered, None, None, sent)
        if invoice is not None:
            invoices.append(invoice)
    return invoices
