"""Dated commitments in one message: a vendor's delivery promise, or a deadline set for the
other side.

"I'll send the drafts by Friday" from the vendor is a promise the tracker holds them to; "we need
it by the 15th" from the owner is a deadline. Both need one calendar date, so a sentence counts
only when `dates.find_dates` resolves an expression in it; vague timing ("soon", "in about two
weeks") never does.

Why cue words and not a parser: the sentences are short, multilingual and often broken English,
and the decision is about a few signals that word lists catch well (`data/commit_lexicon.txt`):

- a date after "by", "until", "para", "até", "bis", "sampai", "până" (or "within 48 hours", or
  "Friday at the latest") is a limit;
- a vendor sentence that hands something over ("send", "kirim", "liefere", "te lo paso") or
  sets a limit is a delivery promise; with a request to the owner and no first-person subject
  it is the vendor's request deadline;
- an owner sentence counts when it asks ("please", "could you", "we need", "bitte") and sets a
  limit or names the handing over, or when it puts a limit on the work with no "I"/"we" doing
  it ("Final files by the 23rd"); the owner's own plans ("I'll review it by Friday") are not;
- not commitments: calls and meetings (a call word, a clock time without a limit, "Monday or
  Tuesday"), invoice due dates and payment terms (tracked as invoices), being away ("on holiday
  until 29 September"), standing rules ("reply within 24 hours on weekdays"), the past ("I sent
  it on Monday", a date before the message), and "today" said without a limit.

Pure: text in, commitments out; no spaCy. Bad input gives an empty list.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources

from .dates import DateMention, find_dates

MAX_CHARS = 50_000
MAX_DATES_PER_SENTENCE = 12  # more is a table or a list flattened into one line, not a promise


@dataclass(frozen=True)
class Commitment:
    """One dated promise or deadline, with the sentence that carries it."""

    kind: str  # "delivery" (a vendor's promise) | "request_deadline" (asked of the other side)
    by: str  # "vendor" | "owner": who set it
    due: date
    text: str  # the whole sentence that carries the date, whitespace collapsed
    span: str  # the date expression
    conditional: bool = False


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------


def _read_sections() -> dict[str, list[str]]:
    source = resources.files("vendorwatch.nlp").joinpath("data", "commit_lexicon.txt")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in source.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), [])
        elif current is not None and line:
            current.extend(t.strip().lower() for t in line.split("|") if t.strip())
    return sections


def _term(term: str) -> str:
    words = []
    for word in term.split():
        if word == "*":
            words.append(r"\w+")
        elif word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"\w*")
        else:
            words.append(re.escape(word))
    return r"\s+".join(words)


def _compile(terms: Iterable[str], anchor: str = "") -> re.Pattern[str]:
    body = "|".join(_term(t) for t in sorted(set(terms), key=len, reverse=True))
    left = "" if terms and all(t.startswith("'") for t in terms) else r"(?<![\w'])"
    if anchor == "end":
        return re.compile(rf"(?<![\w'])(?:{body})[\s,]*(?:the\s+)?$", re.I)
    if anchor == "start":
        return re.compile(rf"^[\s,]*(?:{body})(?!\w)", re.I)
    return re.compile(rf"{left}(?:{body})(?![\w])", re.I)


@dataclass(frozen=True)
class _Cues:
    deliver: re.Pattern[str]
    request: re.Pattern[str]
    need: re.Pattern[str]
    deadline_word: re.Pattern[str]
    deadline_before: re.Pattern[str]
    deadline_after: re.Pattern[str]
    call: re.Pattern[str]
    payment: re.Pattern[str]
    away: re.Pattern[str]
    recurring: re.Pattern[str]
    past: re.Pattern[str]
    future: re.Pattern[str]
    alternative: re.Pattern[str]
    condition: re.Pattern[str]
    first_person: re.Pattern[str]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    s = _read_sections()
    future_terms = [t for t in s["future"] if not t.startswith("'")]
    return _Cues(
        deliver=_compile(s["deliver"]),
        request=_compile(s["request"]),
        need=re.compile(  # "I need to clean up the layers" is the speaker's own to-do
            _compile(s["need"]).pattern + r"(?!\s+(?:to|\w+(?:ar|er|ir))(?!\w))", re.I
        ),
        deadline_word=_compile(s["deadline_word"]),
        deadline_before=_compile(s["deadline_before"], "end"),
        deadline_after=_compile(s["deadline_after"], "start"),
        call=_compile(s["call"]),
        payment=_compile(s["payment"]),
        away=_compile(s["away"]),
        recurring=_compile(s["recurring"]),
        past=_compile(s["past"]),
        future=re.compile(
            _compile(future_terms).pattern
            + r"|'ll(?!\w)|(?<!\w)\w{3,}(?:ré|rá|remos|rán|rei|rão)(?!\w)",
            re.I,
        ),
        alternative=re.compile(rf"^[\s,]*(?:{'|'.join(map(_term, s['alternative']))})\s", re.I),
        condition=_compile(s["condition"]),
        first_person=_compile(s["first_person"]),
    )


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

_HEADER = re.compile(
    r"^\s*(?:from|sent|to|cc|subject|date|de la|de|trimis|către|catre|subiect|von|gesendet|an"
    r"|betreff|datum|enviado|para|asunto|assunto|dari|dikirim|kepada|envoyé|objet)\s*:",
    re.I,
)
_CUT = re.compile(
    r"^\s*(?:_{5,}|-{2,}\s*original message|-{5,}\s*forwarded message|-{5,}\s*$)", re.I
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•–]\s+|\d{1,2}[.)]\s+|[a-z][)]\s+)")
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(¿¡]?[^\s\w]*[A-Z0-9ÁÉÍÓÚÂÊÔÃÕÄÖÜÎȘȚ])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|mr|mrs|ms|dr|vs|approx|no|nr|ca|z\.b|p\.s)\.)$", re.I
)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of the new text, up to a quoted header block."""
    spans = []
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        nxt = next((x for x in lines[i + 1 : i + 4] if x.strip()), "")
        if _CUT.match(line) or (_HEADER.match(line) and _HEADER.match(nxt)):
            break
        spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs, with every list item, quote-free, as a block of its own."""
    blocks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip() or line.lstrip().startswith(">"):
            current = _flush(blocks, current)
            continue
        mark = _LIST_MARK.match(line)
        if mark:
            current = _flush(blocks, current)
            current = (start + mark.end(), end)
        elif current is not None and _line_ends_statement(text[current[0] : current[1]], line):
            blocks.append(current)
            current = (start, end)
        else:
            current = (current[0], end) if current else (start, end)
    _flush(blocks, current)
    return blocks


def _flush(blocks: list[tuple[int, int]], current: tuple[int, int] | None) -> None:
    if current is not None:
        blocks.append(current)
    return None


def _line_ends_statement(block: str, next_line: str) -> bool:
    """A line ending in ":", or a short one followed by a capitalised line, is a statement of
    its own ("Jatuh tempo: 30 April 2025" above "Jumlah: Rp 4.500.000"); otherwise the line
    break is a wrap inside a sentence (format=flowed, or a hand-broken line)."""
    last = block.rsplit("\n", 1)[-1].rstrip()
    if last.endswith(":"):
        return True
    starts_upper = next_line.lstrip()[:1].isupper() or next_line.lstrip()[:1].isdigit()
    return len(last) < 45 and starts_upper and not last.endswith((",", "-"))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a message's new text."""
    spans = []
    for b_start, b_end in _blocks(text):
        block = text[b_start:b_end]
        start = 0
        for cut in _BOUNDARY.finditer(block):
            if _ABBREVIATION.search(block[: cut.start()]):
                continue
            spans.append((b_start + start, b_start + cut.start()))
            start = cut.end()
        spans.append((b_start + start, b_end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --------------------------------------------------------------------------------------------
# Judging one sentence
# --------------------------------------------------------------------------------------------

_CLOCK = re.compile(
    r"(?<![\w.:])\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|h|hs|uhr|wib|wita|wit)(?!\w)"
    r"|(?<![\w.:])\d{1,2}:\d{2}(?!\d)"
    r"|(?<!\w)(?:at|um|a las|às|as|jam|pukul|la ora|à|alle)\s+\d{1,2}(?!\s*(?:/|\.\d|%))(?!\w)",
    re.I,
)
_BY_THEN = re.compile(
    r"(?<!\w)(?:by then|until then|para entonces|até lá|bis dahin|sampai saat itu"
    r"|până atunci)(?!\w)",
    re.I,
)
_WITHIN_START = re.compile(
    r"^(?:within|in|inside|dentro|en|em|nos|nas|innerhalb|binnen|dalam|în|in decurs|sous|dans"
    r"|d'ici|entro|tra|fra)(?!\w)",
    re.I,
)
_END_OF_START = re.compile(r"^(?:end|eow|eom|eod|fin|final|fim|ende|akhir|sfârșit|sfarsit)", re.I)


def _is_limit(text: str, s: int, mention: DateMention, by_then: bool) -> bool:
    cues = _cues()
    before = text[max(s, mention.start - 60) : mention.start]
    after = text[mention.end : mention.end + 30]
    return bool(
        cues.deadline_before.search(before)
        or _WITHIN_START.match(mention.text)
        or cues.deadline_after.match(after)
        or by_then
    )


def _offers_options(text: str, mentions: list[DateMention]) -> bool:
    """ "Monday or Tuesday evening": two dates joined by "or" are options for a meeting."""
    cues = _cues()
    return any(
        cues.alternative.match(text[a.end : b.start] + " ")
        for a, b in zip(mentions, mentions[1:], strict=False)
    )


def _in_condition(text: str, s: int, mention: DateMention) -> bool:
    """ "If I get the copy by tomorrow, I'll deliver by Monday": the first date is the
    condition's, the promise is the second. A date is inside a condition when an "if" comes
    before it in the sentence with no comma in between."""
    before = text[max(s, mention.start - 200) : mention.start]
    ends = [found.end() for found in _cues().condition.finditer(before)]
    return bool(ends) and "," not in before[ends[-1] :]


def _choose(text: str, s: int, usable: list[DateMention], limits: list[DateMention]) -> DateMention:
    """The promised or asked-for date: a limit outside a condition, else any limit, else the
    first date."""
    limit_ids = {id(m) for m in limits}
    for m in usable:
        if id(m) in limit_ids and not _in_condition(text, s, m):
            return m
    return next((m for m in usable if id(m) in limit_ids), usable[0])


def _owner_sets_deadline(sentence: str, asks: bool, delivers: bool, is_limit: bool) -> bool:
    """The owner asks for something by a date ("Could you send it by Friday?"), names a
    deadline ("the deadline is the 20th"), or states a limit about the work, not about
    themselves ("Final files by the 23rd, as printing starts on the 2nd"; but "I'll review
    it by Friday" is the owner's own plan)."""
    cues = _cues()
    names_deadline = bool(cues.deadline_word.search(sentence))
    if asks or names_deadline:
        return is_limit or names_deadline or delivers
    return is_limit and not cues.first_person.search(sentence)


def _judge(
    text: str, span: tuple[int, int], mentions: list[DateMention], sent: datetime, direction: str
) -> Commitment | None:
    s, e = span
    sentence = text[s:e]
    cues = _cues()
    if any(cue.search(sentence) for cue in (cues.call, cues.payment, cues.away, cues.recurring)):
        return None
    if cues.past.search(sentence) and not cues.future.search(sentence):
        return None
    if _offers_options(text, mentions):
        return None
    by_then = bool(_BY_THEN.search(sentence))
    today = sent.date()
    limits = [m for m in mentions if _is_limit(text, s, m, by_then)]
    limit_ids = {id(m) for m in limits}
    # the owner asking for something today ("Can you check it today, please?") sets a
    # deadline; "today" said otherwise (a plan, a status) does not
    asks_today = direction == "out" and bool(cues.request.search(sentence))
    usable = [
        m
        for m in mentions
        if m.value > today
        or (id(m) in limit_ids or asks_today and not _names_the_day(text, m))
        and m.value >= today
    ]
    if not usable:
        return None
    chosen = _choose(text, s, usable, limits)
    is_limit = id(chosen) in limit_ids or asks_today and chosen.value == today
    if _CLOCK.search(sentence) and not is_limit:
        return None  # "Does Monday at 8am my time work?" proposes a time to talk
    delivers = bool(cues.deliver.search(sentence))
    needs = bool(cues.need.search(sentence))
    asks = needs or bool(cues.request.search(sentence))
    if direction == "out":
        if not _owner_sets_deadline(sentence, asks, delivers, is_limit):
            return None
        kind, by = "request_deadline", "owner"
    else:
        if not (delivers or is_limit):
            return None
        vendor_asks = needs or (asks and not cues.first_person.search(sentence))
        kind = "request_deadline" if vendor_asks else "delivery"
        by = "vendor"
    return Commitment(
        kind=kind,
        by=by,
        due=chosen.value,
        text=" ".join(_strip_mark(sentence).split()),
        span=" ".join(chosen.text.split()),
        conditional=bool(cues.condition.search(sentence)),
    )


def _names_the_day(text: str, mention: DateMention) -> bool:
    """ "a habit for today", "the plan of today": the day is what the sentence talks
    about, not when something is due."""
    before = text[max(0, mention.start - 8) : mention.start].casefold().split()
    return bool(before) and before[-1] in _ABOUT_THE_DAY


_ABOUT_THE_DAY = frozenset({"for", "of", "from", "since", "para", "de", "für", "von", "untuk"})


def _strip_mark(sentence: str) -> str:
    mark = _LIST_MARK.match(sentence)
    return sentence[mark.end() :] if mark else sentence


def extract_commitments(
    text: str, sent: datetime, direction: str, day_first: bool | None = None
) -> list[Commitment]:
    """The dated commitments in the NEW text of one message (quotes and signature removed).

    `direction` is "in" for the vendor's side and "out" for the owner; `sent` is the message's
    aware Date (dates resolve in the sender's calendar); `day_first` orders numeric dates.
    """
    if (
        not isinstance(text, str)
        or not isinstance(sent, datetime)
        or direction not in {"in", "out"}
    ):
        return []
    text = text[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'").replace("\r", " ")
    mentions = find_dates(text, sent, day_first)
    found = []
    starts = [m.start for m in mentions]
    for span in sentences(text):
        first = bisect.bisect_left(starts, span[0])
        last = bisect.bisect_left(starts, span[1], lo=first)
        inside = [m for m in mentions[first:last] if m.end <= span[1]][:MAX_DATES_PER_SENTENCE]
        if inside and (commitment := _judge(text, span, inside, sent, direction)):
            found.append(commitment)
    return found
