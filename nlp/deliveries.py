"""Deliveries (a vendor handing work over) and revision requests (the owner asking for changes).

A delivery is a vendor-side message that hands over work *now*: an attachment that is not an
invoice, or a link, a file name or a pull request next to handover wording ("attached are the
final files", "here is the draft: https://…", "First cut is up", "adjunto", "segue em anexo",
"terlampir", "anbei"), or wording that says the work is in place without anything to attach
("I've deployed the fix", "merged", "the report is in the shared folder").

Not deliveries: a promise ("I'll send the drafts by Friday"), a condition ("once you confirm"),
a denial ("not uploaded yet"), a question, an invoice alone ("Attached is invoice 12"), a
calendar link. Each handover sentence is judged clause by clause, so "Attached is the report;
the rest will follow on Monday" is a delivery and "I will attach the report" is not.

`revision_request` is the owner's side: the first sentence asking for a change to delivered
work ("could you tighten the intro", "please make the cloud lighter", "- Bring the music down
3 dB"), None for approval and thanks. Word lists: `data/delivery_lexicon.txt`. Pure; never raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vendorwatch.nlp.invoices import (
    number_in_name,
    numbers_after_invoice_words,
    read_sections,
    segment,
    term_pattern,
)

MAX_CHARS = 50_000
MAX_ITEMS = 50
_CLAUSE_BREAK = re.compile(
    r"[;()\[\]—–]|,\s|\s-\s|\b(?:but|pero|mas|aber|tapi|dar|mais|ma)\b", re.I
)
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_PULL_REQUEST = re.compile(r"\b(?:PR|MR|pull request|merge request)\s*[#!]\s?\d+\b", re.I)
_FILE = re.compile(
    r"(?<![\w/.-])[\w][\w -]{0,60}?\.(?:svg|png|jpe?g|gif|pdf|docx?|xlsx?|csv|txt|md|zip|ai|psd|"
    r"fig|sketch|mp3|wav|m4a|mp4|mov|pptx?|key|json|srt|po|xliff|apk|ipa)\b",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s*")


@dataclass(frozen=True)
class Delivery:
    """A message that hands work over: the sentence that says so and what was handed over."""

    evidence: str
    items: tuple[str, ...]  # attachment names, links, file names and pull requests


@dataclass(frozen=True)
class _Words:
    handover: re.Pattern[str]
    sentence_start: re.Pattern[str]
    done: re.Pattern[str]
    finished: re.Pattern[str]
    place: re.Pattern[str]
    not_now: re.Pattern[str]
    invoice: re.Pattern[str]
    meeting: tuple[str, ...]
    not_work: tuple[str, ...]
    change: re.Pattern[str]
    request: re.Pattern[str]
    more_less: re.Pattern[str]
    interim: re.Pattern[str]


@lru_cache(maxsize=1)
def _words() -> _Words:
    s = read_sections("delivery_lexicon.txt")
    place = term_pattern(s["place"]).pattern
    return _Words(
        handover=term_pattern(s["handover"]),
        sentence_start=re.compile(rf"^\W*(?:{term_pattern(s['sentence_start']).pattern})", re.I),
        done=term_pattern(s["done_without_item"]),
        finished=term_pattern(s["finished"]),
        place=re.compile(
            r"\b(?:is|are|'s|now|has\s+been|have\s+been|est[áa]n?|ist|sind|sudah|este|sunt|est)"
            r"\s+(?:\w+\s+){0,2}(?:in|on|into|en|na|no|im|in\s+der|di|în|dans|nella)\s+"
            rf"(?:[\w'-]+\s+){{0,3}}(?:{place})",
            re.IGNORECASE,
        ),
        not_now=term_pattern(s["not_now"]),
        invoice=term_pattern(s["invoice"]),
        meeting=tuple(s["meeting_link"]),
        not_work=tuple(s["not_work_file"]),
        change=term_pattern(s["change_verb"]),
        request=term_pattern(s["request"]),
        more_less=term_pattern(s["more_less"]),
        interim=term_pattern(s["interim"]),
    )


# --------------------------------------------------------------------------------------------
# Deliveries
# --------------------------------------------------------------------------------------------


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]


def _is_now(clause: str, cue: re.Match[str]) -> bool:
    """The cue's clause is not a promise, condition or denial (the cue itself aside:
    "you can find it here" is a handover although "can" is a modal)."""
    rest = clause[: cue.start()] + " " + clause[cue.end() :]
    return not _words().not_now.search(rest)


def _handover_clause(sentence: str) -> str | None:
    """The clause of `sentence` that hands something over now, if any."""
    words = _words()
    if sentence.rstrip().endswith("?"):
        return None
    for clause in _clauses(sentence):
        if words.invoice.search(clause):
            continue
        for pattern in (words.handover, words.done, words.finished):
            cue = pattern.search(clause)
            if cue and _is_now(clause, cue):
                return clause
        place = words.place.search(clause)
        if place and _is_now(clause, place):
            return clause
    calm = not (words.invoice.search(sentence) or words.not_now.search(sentence) or "?" in sentence)
    start = words.sentence_start.search(_LIST_MARK.sub("", sentence))
    if calm and (start or _file_links(sentence)):
        return sentence  # "Ini 3 sketsa: <link>", "I did the first part: <link to a .wav>"
    return None


def _file_links(chunk: str) -> list[str]:
    """Links straight to a file of work (".../report.pdf", ".../mix-v1.wav")."""
    return [link for link in _LINK.findall(chunk) if _FILE.search(link.rsplit("/", 1)[-1])]


def _in_place(sentence: str) -> bool:
    """A clause says the work is deployed, live, merged or in the shared folder; or the
    sentence says it is finished and promises nothing more ("All 30 are done")."""
    words = _words()
    for clause in _clauses(sentence):
        for cue in (words.done.search(clause), words.place.search(clause)):
            if cue and _is_now(clause, cue) and not words.invoice.search(clause):
                return True
    finished = words.finished.search(sentence)
    return bool(
        finished
        and "?" not in sentence
        and not words.invoice.search(sentence)
        and not words.not_now.search(sentence[: finished.start()] + sentence[finished.end() :])
    )


def _items_in(chunk: str) -> list[str]:
    words = _words()
    links = [m.group(0).rstrip(".,;:!") for m in _LINK.finditer(chunk)]
    links = [link for link in links if not any(m in link.lower() for m in words.meeting)]
    pulls = [re.sub(r"\s+", " ", m.group(0)) for m in _PULL_REQUEST.finditer(chunk)]
    files = [m.group(0).strip() for m in _FILE.finditer(chunk) if "/" not in m.group(0)]
    files = [f for f in files if not any(f in link for link in links)]
    return links + pulls + files


def _work_attachments(names: Sequence[str], text: str) -> list[str]:
    """Attachment names that are work, not an invoice, a calendar invite or a logo."""
    words = _words()
    invoice_numbers = {n.upper() for _s, _e, n in numbers_after_invoice_words(text)}
    kept = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        lowered = name.lower()
        if any(marker in lowered for marker in words.not_work):
            continue
        if words.invoice.search(name.replace("_", " ")):
            continue
        number = number_in_name(name)
        if number and number.upper() in invoice_numbers:
            continue
        kept.append(name)
    return kept


def detect_delivery(text: str, attachment_names: Sequence[str], direction: str) -> Delivery | None:
    """The delivery a vendor-side message makes, or None."""
    if direction != "in":
        return None
    text = text[:MAX_CHARS] if isinstance(text, str) else ""
    try:
        names = list(attachment_names or [])
    except TypeError:
        names = []
    attachments = _work_attachments(names, text)
    sentences = [text[s.start : s.end] for s in segment(text)]
    evidence, items = None, list(attachments)
    for index, sentence in enumerate(sentences):
        clause = _handover_clause(sentence)
        if clause is None:
            continue
        found = _items_in(sentence) + _list_below(sentences, index)
        strong = _in_place(sentence)
        if found or attachments or strong:
            evidence = evidence or sentence
            items.extend(found)
    if evidence is None and attachments and not any(s.strip() for s in sentences):
        evidence = "(attachments only)"
    if evidence is None:
        return None
    unique = list(dict.fromkeys(items))[:MAX_ITEMS]
    return Delivery(evidence=re.sub(r"\s+", " ", evidence).strip()[:300], items=tuple(unique))


def _list_below(sentences: list[str], index: int) -> list[str]:
    """ "Here are the files:" followed by a list of links or file names."""
    if not sentences[index].rstrip().endswith(":"):
        return []
    found: list[str] = []
    for sentence in sentences[index + 1 : index + 21]:
        if not _LIST_MARK.match(sentence) and not _items_in(sentence):
            break
        found.extend(_items_in(sentence))
    return found


# --------------------------------------------------------------------------------------------
# Revision requests
# --------------------------------------------------------------------------------------------


_LEAD_WORDS = frozenset("maybe also just then and please pls kindly y e und dan și et".split())
_AND = frozenset("and then y e und dan și et".split())


def _change_at(body: str) -> list[int]:
    """Where change verbs start, and "make" when a comparison follows ("make it lighter")."""
    words = _words()
    starts = [m.start() for m in words.change.finditer(body)]
    for make in re.finditer(r"\bmake\b", body, re.IGNORECASE):
        if words.more_less.search(body[make.end() : make.end() + 60]):
            starts.append(make.start())
    return sorted(starts)


def _asks_for_change(sentence: str) -> bool:
    """A change verb used as a request: leading the sentence ("Bring the music down"), right
    after a request marker ("please make it lighter", "could you tighten"), or joined by "and"
    to a requested action ("could you run two sessions and add them to the report")."""
    words = _words()
    body = _LIST_MARK.sub("", sentence).strip()
    request = words.request.search(body)
    for start in _change_at(body):
        before = re.findall(r"[\w'’]+", body[:start].lower())
        if all(w in _LEAD_WORDS for w in before):
            return True
        if request and request.start() < start:
            gap = re.findall(r"[\w'’]+", body[request.end() : start])
            if len(gap) <= 3 or (before and before[-1] in _AND):
                return True
    return False


def revision_request(text: str) -> str | None:
    """The owner's first sentence asking for changes to delivered work, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:MAX_CHARS]
    for s in segment(text):
        sentence = text[s.start : s.end]
        if _asks_for_change(sentence):
            return re.sub(r"\s+", " ", _LIST_MARK.sub("", sentence)).strip()
    return None


def interim(text: str) -> bool:
    """Whether a delivery hands work over as a trial or a part, asking for the go-ahead
    ("I did the first 20 minutes as a test: can you listen before I continue?"): such a
    delivery does not meet a deadline set for the finished work."""
    if not isinstance(text, str) or not text.strip():
        return False
    return bool(_words().interim.search(text[:MAX_CHARS]))
