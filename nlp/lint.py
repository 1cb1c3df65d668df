"""Checking a draft instruction before it is sent.

Besides the ambiguity rules, it reports as advice the figures that Boomerang's study of
40 million emails (the research behind Respondable) found to predict a useful answer:
50-125 words, one to three questions, simple wording (around a 3rd-grade reading level
was answered most), and a short subject of about three to four words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.parser import HeaderParser

from . import ambiguity, model
from .findings import Evidence

_WORD = re.compile(r"[A-Za-zÀ-ÿ']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
_HEADER_START = re.compile(r"^(subject|to|from|cc|date)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Advice:
    metric: str  # words | questions | reading_grade | subject
    value: str
    ok: bool
    message: str


@dataclass
class LintReport:
    issues: list[Evidence] = field(default_factory=list)
    advice: list[Advice] = field(default_factory=list)
    cut: bool = False


def split_message(text: str) -> tuple[str | None, str]:
    """(subject, body) when `text` starts with headers, else (None, text)."""
    if not _HEADER_START.match(text.lstrip()):
        return None, text
    head, sep, body = text.lstrip().partition("\n\n")
    headers = HeaderParser().parsestr(head + "\n")
    return (headers.get("Subject") or "").strip(), body if sep else ""


def lint(text: str, model_name: str | None = None) -> LintReport:
    subject, body = split_message(text)
    prepared, cut = model.prepare(body)
    report = LintReport(cut=cut)
    if prepared.strip():
        doc = model.load(model_name)(prepared)
        report.issues = ambiguity.ambiguous_sentences(doc)
    report.advice = advice(prepared, subject, whole_message=subject is not None)
    return report


def advice(body: str, subject: str | None, whole_message: bool) -> list[Advice]:
    words = _WORD.findall(body)
    found = [_length(len(words)), _questions(body.count("?")), _grade(body, words)]
    if whole_message:
        found.append(_subject(subject or ""))
    return found


def _length(count: int) -> Advice:
    ok = 50 <= count <= 125
    message = (
        "50-125 words get the most answers"
        if ok
        else "short messages under 50 words get fewer useful answers: add the what, how "
        "many and by when"
        if count < 50
        else "over 125 words: answers drop as length grows; cut to the essentials or use a list"
    )
    return Advice("words", str(count), ok, message)


def _questions(count: int) -> Advice:
    ok = 1 <= count <= 3
    message = (
        "1-3 questions get the most answers"
        if ok
        else "no question: ask one explicitly (e.g. 'Can you confirm by Friday?')"
        if count == 0
        else "more than 3 questions: the later ones tend to go unanswered; number them"
    )
    return Advice("questions", str(count), ok, message)


def _grade(body: str, words: list[str]) -> Advice:
    grade = reading_grade(body, words)
    ok = grade <= 6
    message = (
        "simple wording: easy to read, also for vendors working in a second language"
        if ok
        else f"hard to read (grade {grade:.0f}): shorter sentences and plainer words get more "
        "answers, and fewer misreadings by vendors working in a second language"
    )
    return Advice("reading_grade", f"{grade:.1f}", ok, message)


def _subject(subject: str) -> Advice:
    count = len(_WORD.findall(subject))
    if count == 0:
        return Advice("subject", "missing", False, "no subject: 3-4 words that name the task")
    ok = count <= 8
    message = (
        "short subject" if ok else f"{count} words: subjects of 3-4 words get the most answers"
    )
    return Advice("subject", subject, ok, message)


def reading_grade(text: str, words: list[str] | None = None) -> float:
    """Flesch-Kincaid grade level; 0 for text with no words."""
    words = words if words is not None else _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    syllables = sum(_syllables(w) for w in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    return max(0.0, round(grade, 1))


def _syllables(word: str) -> int:
    word = word.lower().strip("'")
    groups = re.findall(r"[aeiouyà-ÿ]+", word)
    count = len(groups)
    if word.endswith("e") and count > 1 and not word.endswith(("le", "ee")):
        count -= 1
    return max(1, count)
