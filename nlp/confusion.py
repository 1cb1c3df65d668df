"""Confusion in a thread: the other side asking what was meant, again and again.

A vendor who asks "do you mean A or B?", restates the owner's numbers differently, says "sorry, I
don't understand" or asks the same question twice is a sign that email is not converging. One quick
question in a clear thread is normal; repeated rounds are what a call would fix.

Everything here is pure and language-light on purpose: a regex sentence splitter and per-language
phrase lexicons (`data/confusion_phrases.txt`) instead of a parser, so it is fast, needs no model,
and works the same in English, Spanish, Portuguese, French, German, Polish, Ukrainian, Vietnamese,
Indonesian and Romanian. Structure (alternatives in a question, restated numbers, a quoted phrase
from an earlier message, a repeated question) carries the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from vendorwatch.nlp.findings import Evidence, Finding

MAX_CHARS = 20_000  # per message: bounds the time on a pasted log or a 1 MB body
MAX_SENTENCES = 400  # per message
MAX_SENTENCE_CHARS = 500  # longer "sentences" are run-on pastes; only their head is matched
MAX_MESSAGES = 200  # per thread: the most recent ones
MAX_THREAD_CHARS = 200_000  # per thread, after the per-message cap: the most recent messages
MAX_QUESTIONS = 40  # per message: questions checked against, and offered to, later messages
MAX_CONTEXT_QUESTIONS = 100  # earlier questions a new one is compared with (the most recent)
MAX_KEY_WORDS = 40  # words of a question kept for the fuzzy comparison
MAX_EVIDENCE = 60  # per thread finding: enough to explain, not a copy of a pasted log
SUMMARY_MEMORY_CHARS = 8_000  # messages up to this length have their summary remembered
SEARCH_MEMORY = 100_000  # (category, sentence) lexicon answers remembered, then forgotten at once
MIN_QUESTION_WORDS = 4  # "Any update?" asked twice is a chase, not a repeated clarification
REPEAT_RATIO = 0.82  # SequenceMatcher ratio of two normalised questions that count as the same
REPEAT_JACCARD = 0.7  # or: share of content words
LEXICON_PATH = Path(__file__).parent / "data" / "confusion_phrases.txt"

REPEAT_RULES = frozenset({"follows_up", "repeated_question"})  # the same point coming back
RULE_ORDER = (  # one Evidence per sentence: the most telling rule wins (repetition first)
    "repeated_question",
    "follows_up",
    "says_confused",
    "asks_meaning",
    "quotes_wording",
    "restates_numbers",
    "offers_alternatives",
)
REASONS = {
    "says_confused": "says they do not understand or are unsure what was meant",
    "asks_meaning": "asks what was meant, or asks to clarify",
    "follows_up": "chases an earlier question that is still unanswered",
    "repeated_question": "asks a question already asked in an earlier message",
    "quotes_wording": "questions words quoted from an earlier message",
    "restates_numbers": "restates earlier numbers with different ones",
    "offers_alternatives": "asks the other side to choose between alternatives",
}
HINTS = {
    "says_confused": "restate the request as short concrete steps, or settle it on a call",
    "asks_meaning": "say exactly what you meant, with an example or a number",
    "follows_up": "answer this open question first; if it keeps coming back, call",
    "repeated_question": "answer it directly this time, or settle it on a call",
    "quotes_wording": "replace the quoted words with something concrete (example, number, file)",
    "restates_numbers": "confirm the exact numbers in one line",
    "offers_alternatives": "answer with one concrete choice, or settle it on a call",
}
SUGGESTIONS = {
    "high": "Email is not converging: the same points keep coming back. Settle them on a short "
    "call, then confirm the decisions in one written list.",
    "medium": "The other side is unsure what you want. Answer each open question with one "
    "concrete choice (numbers, examples); if it comes back again, suggest a call.",
    "low": "A quick clarification: answer it directly with one concrete choice.",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_QUESTION_MARKS = ("?", "？", "؟", "¿")
_SENTENCE_END = re.compile(r"(?<=[.!?…？！؟。])[\"')\]”’»]*\s+|(?<=[.!?…])(?=[¿¡])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪–]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:e\.g|i\.e|etc|approx|vs|mr|mrs|ms|dr|no|nr|z\.b|bzw|p\.ej|ex|sr|sra)\.$", re.I
)
_NUMBER = re.compile(r"(?<![\w#/\-.,])\d[\d.,]*(?:st|nd|rd|th|º|ª)?(?![\w/\-])")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_QUOTED_SUBJECT = re.compile(  # the quote is what the question is about: '"X": do you mean…'
    r'(?:^|[\s¿(])"([^"\n]{2,60})"\s*(?:[:?,]|(?:itu|ini|means?|meant|significa|signifie|'
    r"bedeutet|oznacza|означає|nghia|la gi)(?!\w))"
    r'|(?<!\w)(?:by|con|com|par|mit|przez|під|dengan|voi|with|about|sobre|de) "([^"\n]{2,60})"'
)
_WORD = re.compile(r"\w+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_URL = re.compile(r"(?:\w+://|www\.)\S+|\S+\.\w{2,4}/\S*")


@dataclass(frozen=True)
class _Lexicon:
    """One compiled alternation per category, over folded text."""

    patterns: dict[str, re.Pattern[str]]
    found: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False)

    def search(self, category: str, text: str) -> bool:
        """Does a phrase of `category` occur in `text` (folded)?

        Remembered per sentence (up to `SEARCH_MEMORY` of them): thread risk reads the same
        messages again whenever their thread grows, and these alternations of a few hundred
        phrases are most of the cost of reading a sentence.
        """
        key = (category, text)
        hit = self.found.get(key)
        if hit is None:
            pattern = self.patterns.get(category)
            hit = pattern is not None and pattern.search(text) is not None
            if len(self.found) >= SEARCH_MEMORY:
                self.found.clear()
            self.found[key] = hit
        return hit


@dataclass(frozen=True)
class _Question:
    """A question normalised for fuzzy comparison, and the message it came from."""

    message: int
    key: str
    words: frozenset[str]

    @classmethod
    def of(cls, message: int, key: str) -> _Question:
        return cls(message, key, frozenset(key.split()))


@dataclass
class _Context:
    """What earlier messages tell us about this one: their words, numbers and questions."""

    text: str = ""  # folded, all earlier messages
    numbers: frozenset[str] = frozenset()
    questions: list[_Question] = field(default_factory=list)
    sentences: frozenset[str] = frozenset()  # normalised, to spot pasted quotes


def fold(text: str) -> str:
    """Accent-, case- and quote-insensitive form: users type "nao entendi" as often as "não"."""
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    return _COMBINING.sub("", text).casefold()


@lru_cache(maxsize=4096)
def _fold_sentence(sentence: str) -> str:
    """Sentences are folded by several rules and again as context for later messages."""
    return fold(sentence[:MAX_SENTENCE_CHARS])


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Parse the phrase file once; a broken line is skipped rather than breaking analysis."""
    grouped: dict[str, list[str]] = {}
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and _compiles(parts[2]):
            grouped.setdefault(parts[0], []).append(fold(parts[2]))
    return _Lexicon({k: _alternation(v) for k, v in grouped.items()})


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    """Whole-word alternation: no letter or digit may touch either end of a phrase.

    One boundary test around all the phrases, not one per phrase: the same matches, but the
    phrases are only tried where a word can start (five times faster on a sentence).
    """
    return re.compile("(?<!\\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + ")(?!\\w)")


# ------------------------------------------------------------------------------- sentences


def split_sentences(text: str) -> list[str]:
    """Sentences of one message, list markers dropped; wrapped lines (format=flowed) re-joined."""
    if not isinstance(text, str) or not text.strip():
        return []
    sentences: list[str] = []
    for paragraph in _paragraphs(text[:MAX_CHARS]):
        sentences.extend(_split_paragraph(paragraph))
        if len(sentences) >= MAX_SENTENCES:
            break
    return sentences[:MAX_SENTENCES]


def _paragraphs(text: str) -> list[str]:
    """Blank lines and list items start a paragraph; quoted (">") lines are not the sender's."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line or line.startswith(">") or _LIST_MARKER.match(line):
            if current:
                paragraphs.append(" ".join(current))
            current = [_LIST_MARKER.sub("", line)] if line and not line.startswith(">") else []
            continue
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return [p for p in paragraphs if p]


def _split_paragraph(paragraph: str) -> list[str]:
    pieces = [p.strip() for p in _SENTENCE_END.split(paragraph) if p and p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def is_question(sentence: str) -> bool:
    """A "?" (or "¿", "？", "؟") outside links: "View.jsp?id=1" is no question."""
    if not any(mark in sentence for mark in _QUESTION_MARKS):
        return False
    return any(mark in _URL.sub(" ", sentence) for mark in _QUESTION_MARKS)


# ------------------------------------------------------------------------------- rules


def _numbers(sentence: str) -> set[str]:
    """Amounts, counts and days, normalised ("1,200" == "1.200" == "1200"); years left out."""
    found = set()
    for token in _NUMBER.findall(sentence):
        token = re.sub(r"(?:st|nd|rd|th|º|ª)$", "", token).rstrip(".,")
        if _THOUSANDS.fullmatch(token):
            token = re.sub(r"[.,\s]", "", re.sub(r"[.,]\d{1,2}$", "", token))
        token = re.sub(r"[.,]0+$", "", token)
        if token and not _YEAR.fullmatch(token):
            found.add(token)
    return found


def _offers_alternatives(folded: str, lex: _Lexicon) -> bool:
    """A question joining two non-empty options with "or" (not "or not", not a call time)."""
    if not is_question(folded) or lex.search("scheduling", folded):
        return False
    choice = lex.search("decision_verb", folded)
    if not choice and (
        _opens_with(lex, "request_opener", folded) or _opens_with(lex, "existential", folded)
    ):
        return False
    stop = lex.patterns.get("not_alternative")
    cleaned = stop.sub(" _ ", folded) if stop else folded
    portuguese = lex.search("pt_hint", cleaned)
    for category, initial_ok in (("or_word", True), ("or_word_inner", False)):
        pattern = lex.patterns.get(category)
        if pattern and any(
            _real_alternative(cleaned, m, initial_ok, portuguese, choice)
            for m in pattern.finditer(cleaned)
        ):
            return True
    return False


def _opens_with(lex: _Lexicon, category: str, folded: str) -> bool:
    """Does the question (after a "Name," or "Also," and after a "...:" lead-in) open so?"""
    pattern = lex.patterns.get(category)
    if pattern is None:
        return False
    clause = folded.rsplit(":", 1)[-1] if _WORD.search(folded.rsplit(":", 1)[-1]) else folded
    clause = clause.lstrip(" ¿¡\"'-–—")
    head, comma, rest = clause.partition(",")
    if comma and len(head.split()) <= 2:
        clause = rest.lstrip()
    return pattern.match(clause) is not None


def _real_alternative(
    text: str, match: re.Match[str], initial_ok: bool, portuguese: bool, choice: bool
) -> bool:
    """Options on both sides of "or", and not a list of nouns ("goods, materials, or products")."""
    if match.group(0) == "o" and portuguese:  # Portuguese "o" is "the"
        return False
    before = text[: match.start()]
    after = text[match.end() :].split("?", 1)[0]
    if not _WORD.search(after) or not (_WORD.search(before) or initial_ok):
        return False
    return choice or not _enumeration(before)


def _enumeration(before: str) -> bool:
    """Two commas in the clause before "or" (a greeting's comma aside) make it a list."""
    clause = re.split(r"[:;—–(¿]", before)[-1]
    head, _, rest = clause.partition(",")
    commas = clause.count(",") - (1 if len(head.split()) <= 2 and rest else 0)
    return commas >= 2


def _restates_numbers(sentence: str, folded: str, ctx: _Context, lex: _Lexicon) -> bool:
    """A question that repeats some earlier numbers but changes or adds others."""
    asks = is_question(sentence) or lex.search("confirm_marker", folded)
    if not ctx.numbers or not asks or lex.search("scheduling", folded):
        return False
    numbers = _numbers(sentence)
    return bool(numbers & ctx.numbers) and bool(numbers - ctx.numbers)


def _quotes_wording(folded: str, ctx: _Context) -> bool:
    """A question about a phrase in quotes that an earlier message used ("kind of like us")."""
    if not ctx.text or not is_question(folded):
        return False
    for match in _QUOTED_SUBJECT.finditer(folded):
        quoted = (match.group(1) or match.group(2) or "").strip()
        if _WORD.search(quoted) and quoted in ctx.text:
            return True
    return False


def _repeat_source(folded: str, ctx: _Context, lex: _Lexicon) -> int | None:
    """Index of the earlier message that asked this question already, if any."""
    key = _question_key(folded, lex) if ctx.questions else ""
    if not key:
        return None
    question = _Question.of(-1, key)
    return next((q.message for q in ctx.questions if _same_question(question, q)), None)


def _sentence_rule(sentence: str, ctx: _Context, lex: _Lexicon) -> str | None:
    """The most telling rule that fires on one sentence, or None."""
    folded = _fold_sentence(sentence)
    checks = {
        "says_confused": lambda: lex.search("says_confused", folded),
        "asks_meaning": lambda: lex.search("asks_meaning", folded),
        "follows_up": lambda: lex.search("follows_up", folded),
        "repeated_question": lambda: _repeat_source(folded, ctx, lex) is not None,
        "quotes_wording": lambda: _quotes_wording(folded, ctx),
        "restates_numbers": lambda: _restates_numbers(sentence, folded, ctx, lex),
        "offers_alternatives": lambda: _offers_alternatives(folded, lex),
    }
    return next((rule for rule in RULE_ORDER if checks[rule]()), None)


def _evidence(sentence: str, rule: str) -> Evidence:
    shown = " ".join(sentence.split())
    if len(shown) > 300:
        shown = shown[:299] + "…"
    return Evidence(shown, rule, REASONS[rule], HINTS[rule])


# ------------------------------------------------------------------------------- context

CONTEXT_MESSAGES = 30  # quoted wording is looked up in the last 30 earlier messages only


@dataclass(frozen=True)
class _Summary:
    """What a later message may refer back to in one message; computed once per message."""

    folded: str
    numbers: frozenset[str]
    sentences: frozenset[str]
    questions: tuple[str, ...]


def _question_key(folded: str, lex: _Lexicon) -> str:
    """Normalised question for fuzzy comparison; "" if too short or just a chase or a call time."""
    if not is_question(folded) or lex.search("scheduling", folded) or lex.search("status", folded):
        return ""
    words = [w for w in _WORD.findall(folded) if len(w) > 2 or w.isdigit()][:MAX_KEY_WORDS]
    return " ".join(words) if len(words) >= MIN_QUESTION_WORDS else ""


def _same_question(a: _Question, b: _Question) -> bool:
    """Mostly the same words, or the same wording with small edits ("be sent" / "go out")."""
    overlap = len(a.words & b.words) / max(1, len(a.words | b.words))
    if overlap >= REPEAT_JACCARD:
        return True
    if overlap < REPEAT_JACCARD / 2:  # cheap reject before the quadratic comparison
        return False
    matcher = SequenceMatcher(None, a.key, b.key, autojunk=False)
    return matcher.quick_ratio() >= REPEAT_RATIO and matcher.ratio() >= REPEAT_RATIO


def _summarise(text: str) -> _Summary:
    """What later messages may refer back to; remembered for the texts of ordinary length,
    since thread risk reads the same messages again whenever their thread grows."""
    if len(text) <= SUMMARY_MEMORY_CHARS:
        return _summarise_cached(text)
    return _summarise_text(text)


@lru_cache(maxsize=2048)
def _summarise_cached(text: str) -> _Summary:
    return _summarise_text(text)


def forget_texts() -> None:
    """Forget remembered summaries and phrase answers (for benchmarks re-reading texts)."""
    _summarise_cached.cache_clear()
    _fold_sentence.cache_clear()
    _lexicon().found.clear()


def _summarise_text(text: str) -> _Summary:
    lex = _lexicon()
    text = text[:MAX_CHARS] if isinstance(text, str) else ""
    numbers: set[str] = set()
    sentences: set[str] = set()
    questions: list[str] = []
    for sentence in split_sentences(text):
        numbers |= _numbers(sentence)
        sentences.add(_plain(sentence))
        key = _question_key(_fold_sentence(sentence), lex)
        if key and len(questions) < MAX_QUESTIONS:
            questions.append(key)
    return _Summary(fold(text), frozenset(numbers), frozenset(sentences), tuple(questions))


def _context(summaries: Sequence[_Summary], question_from: Iterable[int] | None = None) -> _Context:
    """Context from earlier messages; questions only from `question_from` (one side) if given."""
    allowed = set(range(len(summaries))) if question_from is None else set(question_from)
    numbers: set[str] = set()
    sentences: set[str] = set()
    questions: list[_Question] = []
    for i, summary in enumerate(summaries):
        numbers |= summary.numbers
        sentences |= summary.sentences
        if i in allowed:
            questions.extend(_Question.of(i, q) for q in summary.questions)
    text = " \n ".join(s.folded for s in summaries[-CONTEXT_MESSAGES:])
    recent = questions[-MAX_CONTEXT_QUESTIONS:]
    return _Context(text, frozenset(numbers), recent, frozenset(sentences))


def _plain(sentence: str) -> str:
    return " ".join(_WORD.findall(_fold_sentence(sentence)))


def _drop_pasted(sentences: list[str], ctx: _Context) -> list[str]:
    """Drop a quote the parser missed: a run of 2+ sentences copied from earlier messages.

    A run made only of questions is kept: a vendor pasting their unanswered questions again is
    exactly the repetition we look for, while a real quote carries statements along.
    """
    seen = [len(s) > 15 and _plain(s) in ctx.sentences for s in sentences] if ctx.sentences else []
    keep: list[str] = []
    i = 0
    while i < len(sentences):
        j = i
        while j < len(seen) and seen[j]:
            j += 1
        run = sentences[i:j]
        if len(run) >= 2 and not all(is_question(s) for s in run):
            i = j
            continue
        keep.extend(run or sentences[i : i + 1])
        i = max(j, i + 1)
    return keep


def _message_evidence(text: str, ctx: _Context) -> list[Evidence]:
    lex = _lexicon()
    found = []
    asked = 0
    for sentence in _drop_pasted(split_sentences(text), ctx):
        asked += is_question(sentence)
        rule = _sentence_rule(
            sentence, ctx if asked <= MAX_QUESTIONS else _without_questions(ctx), lex
        )
        if rule == "repeated_question":
            source = _repeat_source(_fold_sentence(sentence), ctx, lex)
            found.append(_repeat_evidence(sentence, source or 0))
        elif rule:
            found.append(_evidence(sentence, rule))
    return found


def _without_questions(ctx: _Context) -> _Context:
    """Past MAX_QUESTIONS questions in one message, stop the pairwise repeat check (a paste)."""
    return replace(ctx, questions=[])


def _repeat_evidence(sentence: str, source: int) -> Evidence:
    reason = f"asks again what message {source + 1} asked"
    return replace(_evidence(sentence, "repeated_question"), reason=reason)


# ------------------------------------------------------------------------------- public API


def clarification_sentences(text: str, earlier: Sequence[str] = ()) -> list[Evidence]:
    """Sentences of one message's new text that ask what was meant, one Evidence each.

    Without `earlier` only the phrase and alternatives rules can fire; with it (the new texts of
    the earlier messages of the thread) also restated numbers, quoted wording and repeats.
    """
    try:
        texts = [t for t in list(earlier) if isinstance(t, str)]
        summaries = [_summarise(t) for t in texts[_first_read([("", t) for t in texts]) :]]
        return _message_evidence(text, _context(summaries))
    except (TypeError, ValueError, RecursionError):  # analysis must never take the daemon down
        return []


def is_clarification_request(text: str, earlier: Sequence[str] = ()) -> bool:
    """Does this message ask what the other side meant or wanted (the label of the eval)?"""
    return bool(clarification_sentences(text, earlier))


def repeated_questions(questions_by_message: Sequence[Sequence[str]]) -> list[Evidence]:
    """The same question (normalised, fuzzy) asked again in a later message of one side."""
    lex = _lexicon()
    earlier: list[_Question] = []
    found: list[Evidence] = []
    for i, questions in enumerate(list(questions_by_message)[:MAX_MESSAGES]):
        asked = []
        for question in list(questions)[:MAX_QUESTIONS]:
            key = (
                _question_key(fold(question[:MAX_SENTENCE_CHARS]), lex) if _is_str(question) else ""
            )
            if not key:
                continue
            current = _Question.of(i, key)
            match = next((q for q in earlier if _same_question(current, q)), None)
            if match is not None:
                found.append(_repeat_evidence(question, match.message))
            asked.append(current)
        earlier = (earlier + asked)[-MAX_CONTEXT_QUESTIONS:]
    return found


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def thread_confusion(messages: Sequence[tuple[str, str]]) -> Finding | None:
    """Confusion across a thread: how many messages asked what was meant, and whether it repeats.

    `messages` are (direction "in"/"out", new text), oldest first. Both sides count: the owner
    asking what a vendor's phrase meant is confusion too. Severity: one message is "low" (a quick
    question is normal), two messages or an explicit "I don't understand" is "medium", three or
    more, or a repeated/chased question across two rounds, is "high".
    """
    items = [m for m in list(messages) if _valid_item(m)]
    first = _first_read(items)
    capped = items[first:]
    summaries: list[_Summary] = []
    evidence: list[Evidence] = []
    asking = 0
    for i, (direction, text) in enumerate(capped):
        same_side = [j for j in range(i) if capped[j][0] == direction]
        found = _message_evidence(text, _context(summaries, same_side))
        asking += bool(found)
        evidence.extend(_labelled(e, first + i, direction) for e in found)
        summaries.append(_summarise(text))
    if not evidence:
        return None
    severity = _severity(asking, {e.rule for e in evidence})
    notes = _notes(capped, first, len(evidence))
    shown = tuple(evidence[:MAX_EVIDENCE])
    return Finding("confusion", severity, shown, SUGGESTIONS[severity], notes)


def _first_read(items: Sequence[tuple[str, str]]) -> int:
    """Index of the oldest message read: the newest ones win within the thread's budget."""
    budget = MAX_THREAD_CHARS
    first = len(items)
    while first > 0 and len(items) - first < MAX_MESSAGES:
        budget -= min(len(items[first - 1][1]), MAX_CHARS)
        if budget < 0:
            break
        first -= 1
    return first


def _valid_item(item: object) -> bool:
    return isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[1], str)


def _labelled(evidence: Evidence, index: int, direction: str) -> Evidence:
    side = "vendor" if direction == "in" else "owner"
    return replace(evidence, reason=f"message {index + 1} ({side}): {evidence.reason}")


def _severity(messages_asking: int, rules: set[str]) -> str:
    repeated = bool(rules & REPEAT_RULES)
    if messages_asking >= 3 or (messages_asking >= 2 and repeated):
        return "high"
    if messages_asking >= 2 or "says_confused" in rules:
        return "medium"
    return "low"


def _notes(items: Sequence[tuple[str, str]], skipped: int, found: int) -> tuple[str, ...]:
    notes = []
    if found > MAX_EVIDENCE:
        notes.append(f"{found} sentences flagged, the first {MAX_EVIDENCE} shown")
    if any(len(text) > MAX_CHARS for _, text in items):
        notes.append(f"text cut at {MAX_CHARS:,} characters")
    if skipped:
        notes.append(f"the {skipped} oldest messages were not read (thread too long)")
    return tuple(notes)
