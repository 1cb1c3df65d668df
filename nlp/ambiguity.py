"""Ambiguous instructions in the owner's messages to vendors.

A vendor who gets "make it pop, a few screens, asap" has to guess three times, and each guess
can cost a revision round. This module finds the sentences of a message that ask the vendor to
do something, then explains each ambiguous one with a rule id, a one-line reason and a rewrite
hint, so the owner can fix the brief before the vendor starts.

Two steps, both on a parsed spaCy `Doc` (from `vendorwatch.nlp.model.load()`, alone or through
`nlp.pipe`):

1. `is_instruction`: imperatives, "can you / could you / please", "I need / we'd like X",
   "it should / must", settled answers ("X is fine"), and verbless answer fragments ("Phone
   numbers, whatever looks cleanest."). Greetings, thanks and small talk never are.
2. Rules on those sentences: vague terms, vague quantities, vague time, open-ended lists,
   references the thread cannot resolve, agentless passives, comparatives without a
   reference, hedged answers; and, for the whole message, a vague brief with no deadline at
   all. Each rule reads the grammar it needs to stay quiet on clear mail: references only in
   sentences that ask for work, passives only when nobody is named to act or receive, vague
   time not after "no rush", hedge words alone ("Not sure.") are no instruction.

The word lists live in `data/` (one term per line); the code holds only grammar. Every rule is
a few token-attribute checks or one precompiled search over one sentence, because the whole
pipeline must keep up with a mailbox backfill.

Known parse slips designed around: "asap" can be tagged as a verb (vague time is matched by
the word, never by its tag, and "asap" never counts as an imperative verb); city names can
come out as PERSON (no rule here reads PERSON); comparatives like "punchier" can be tagged as
nouns (a comparative of a listed vague term is recognised by its spelling).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from vendorwatch.nlp.findings import Evidence, Finding
from vendorwatch.nlp.model import MAX_CHARS

__all__ = [
    "RULES",
    "ambiguous_pronoun",
    "ambiguous_sentences",
    "analyze_chunks",
    "analyze_instructions",
    "analyze_text",
    "candidate_chunks",
    "instruction_kind",
    "is_instruction",
    "is_request",
]

# Rule ids, most important first: the first rule that fires on a sentence leads its evidence.
RULES: tuple[str, ...] = (
    "unresolved_reference",
    "agentless_passive",
    "vague_time",
    "vague_quantity",
    "comparative",
    "open_list",
    "vague_term",
    "hedge",
    "no_deadline",
)

HINTS: dict[str, str] = {
    "unresolved_reference": "name it or attach it",
    "agentless_passive": "say who does it",
    "vague_time": "say by when: a date",
    "vague_quantity": "say how many",
    "comparative": "say than what, and by how much",
    "open_list": "list every item, or say the list is complete",
    "vague_term": "describe it with an example, a reference or a measurable target",
    "hedge": "give one firm answer",
    "no_deadline": "say by when: a date",
}

# Rules that read a settled answer ("X is fine"); the word lists would over-fire on the
# descriptions that answers also contain ("Analytics are a bit messy").
_ANSWER_RULES = frozenset({"hedge", "open_list"})

# Kinds that ask for new work (a deadline is expected); answers and fragments settle details.
_ASKS = frozenset({"please", "request", "imperative", "want", "obligation"})
_WEIGHT = {"unresolved_reference": 2, "agentless_passive": 2}
_ADDRESSEE = frozenset({"you", "u", "ya", "y'all", "yourself", "yourselves"})
_FIRST_PERSON = frozenset({"i", "we"})
_QUOTES = frozenset({'"', "“", "”", "«", "»", "„"})
_SUBORDINATE = frozenset({"advcl", "relcl", "acl", "csubj", "mark"})
_PREPOSITIONAL = frozenset({"prep", "pcomp", "pobj"})
_PURPOSE = frozenset({"so", "because", "since", "while", "although", "though"})
_COMPARATIVE_TAGS = frozenset({"JJR", "RBR"})
_EXAMPLE_MARKERS = frozenset({"e.g.", "eg", "e.g", "i.e.", "ie", "i.e"})
_FRAGMENT_POS = frozenset({"NOUN", "PROPN", "PRON", "ADJ", "ADV", "NUM", "X"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "NUM"})
_HANDOVER = frozenset({"attached", "enclosed", "below", "above", "herewith"})
_RECIPIENT_PREPS = frozenset({"to", "with", "through", "via"})
_HEDGE_VERBS = frozenset({"think", "guess", "suppose", "reckon", "assume"})
_FUTURE = frozenset({"will", "'ll", "shall", "wo"})
_WOULD = frozenset({"would", "'d"})
_DURATIONS = frozenset({"second", "minute", "hour", "day", "week", "month", "year", "moment"})
_TIME_UNITS = frozenset(
    {"hour", "hours", "hrs", "h", "day", "days", "week", "weeks", "business", "working"}
)
_DAY_WORDS = frozenset({"today", "tomorrow", "tonight", "eod", "eow", "cob", "eom", "noon"})
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs "
    "fri sat sun january february march april june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DATE_SHAPE = re.compile(r"^\d{1,4}([/.\-]\d{1,4}){1,2}\.?$|^\d{1,2}(st|nd|rd|th)$", re.I)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve fourteen fifteen twenty "
    "thirty forty fifty sixty seventy ninety hundred"
).split()
_TEXT_DATE = re.compile(
    # the text form of `_has_explicit_date`, for text that is not parsed and for the thread;
    # one word-boundary test in front of all the forms keeps it fast on long threads
    r"\b(?:(?:" + "|".join(sorted(_CALENDAR | _DAY_WORDS, key=len, reverse=True)) + r")\b"
    r"|(?<![.])\d{1,4}(?:[/.\-]\d{1,4}){1,2}\.?(?![\w/])|\d{1,2}(?:st|nd|rd|th)\b"
    r"|(?:\d+|" + "|".join(_NUMBER_WORDS) + r")[\s-]*(?:hours?|hrs|h|days?|weeks?|business"
    r"|working)\b|(?-i:May)\s+\d|\d(?:st|nd|rd|th)?\s+(?-i:May)\b"
    r"|(?:in|by|on|until|till|before|of)\s+(?-i:May)\b)",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PIECE_BREAK = re.compile(
    # where a sentence certainly starts: a blank line, a list item, or after . ! ? and space
    # before a capital, a digit or a quote (`_abbreviation` then rules out "Mr. Lee")
    r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*•·–]|\d{1,2}[.)])\s)"
    r"|(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?(?:[^\W\d_a-z]|\d))"
)
_LAST_WORD = re.compile(r"([^\W\d_]+(?:\.[^\W\d_]+)*)\.$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st vs no co jr sr inc ltd etc jan feb mar apr jun jul aug sep sept oct nov "
    "dec dept corp approx e.g i.e".split()
)
_ASKED_CHARS = 1_500  # a question this close to the end is the one the owner is answering
_CONTEXT_CHARS = 20_000  # the end of a long thread is what the vendor has in front of them


# --------------------------------------------------------------------------------------------
# Word lists (data/*.txt)
# --------------------------------------------------------------------------------------------


def _lines(name: str) -> list[str]:
    """Lower-cased terms of one data file; `#` starts a comment."""
    text = resources.files("vendorwatch.nlp").joinpath("data", name).read_text("utf-8")
    terms = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return [term for term in terms if term]


@dataclass(frozen=True)
class Lexicon:
    """Single words (matched on a token's text or lemma) and phrases (one search per sentence).

    Phrases are searched in the sentence text, case-insensitively, with any whitespace between
    words, so format=flowed line breaks and capitals do not hide them.
    """

    words: frozenset[str]
    phrases: re.Pattern[str] | None
    alternatives: tuple[str, ...] = ()  # the phrases as regular expressions, longest first

    @classmethod
    def of(cls, terms: Iterable[str]) -> Lexicon:
        words, phrases = set(), []
        for term in terms:
            if term.isalpha():
                words.add(term)
            else:
                phrases.append(term)
        if not phrases:
            return cls(frozenset(words), None)
        alternatives = tuple(
            r"\s+".join(re.escape(part) for part in phrase.split())
            for phrase in sorted(phrases, key=len, reverse=True)
        )
        return cls(frozenset(words), _whole_words(alternatives), alternatives)

    @classmethod
    def load(cls, name: str) -> Lexicon:
        return cls.of(_lines(name))

    def token_hits(self, sent: Span, present: frozenset[str] | None = None) -> Iterator[Token]:
        """Tokens whose text or lemma is a listed single word.

        `present` (the sentence's words and lemmas) skips the token loop when none is listed.
        """
        if present is not None and self.words.isdisjoint(present):
            return
        for token in sent:
            if token.lower_ in self.words or token.lemma_.lower() in self.words:
                yield token

    def phrase_hits(self, sent: Span) -> Iterator[Span]:
        """Spans of the sentence that match a listed phrase."""
        if self.phrases is None:
            return
        doc, base = sent.doc, sent.start_char
        for match in self.phrases.finditer(sent.text):
            span = doc.char_span(base + match.start(), base + match.end(), alignment_mode="expand")
            if span is not None:
                yield span


def _whole_words(alternatives: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive search for any of the phrases, as whole words."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I)


@dataclass(frozen=True)
class _Lexicons:
    terms: Lexicon
    quantities: Lexicon
    degree: frozenset[str]
    time: Lexicon
    comparative_verbs: Lexicon
    not_comparative: frozenset[str]
    references: Lexicon
    pronouns: frozenset[str]
    hedges: Lexicon
    open_lists: Lexicon
    no_rush: Lexicon
    urgent: frozenset[str]
    small_talk: re.Pattern[str]
    grammar: dict[str, frozenset[str]]


@functools.cache
def _lex() -> _Lexicons:
    """All word lists, read once per process on first use."""
    quantities = _lines("vague_quantities.txt")
    degree_at = quantities.index("a bit")  # the file lists degree words last, from "a bit" on
    small_talk = sorted(_lines("ambiguity_smalltalk.txt"), key=len, reverse=True)
    return _Lexicons(
        terms=Lexicon.load("vague_terms.txt"),
        quantities=Lexicon.of(quantities),
        degree=frozenset(quantities[degree_at:]),
        time=Lexicon.load("vague_time.txt"),
        comparative_verbs=Lexicon.load("vague_comparatives.txt"),
        not_comparative=frozenset(_lines("ambiguity_not_comparative.txt")),
        references=Lexicon.load("ambiguity_references.txt"),
        pronouns=frozenset(_lines("ambiguity_pronouns.txt")),
        hedges=Lexicon.load("ambiguity_hedges.txt"),
        open_lists=Lexicon.load("ambiguity_open_lists.txt"),
        no_rush=Lexicon.load("ambiguity_no_rush.txt"),
        urgent=frozenset(_lines("vague_time_urgent.txt")),
        small_talk=re.compile(
            r"^\W*(?:" + "|".join(re.escape(s) for s in small_talk) + r")(?!\w)", re.I
        ),
        grammar=_grammar(),
    )


def _grammar() -> dict[str, frozenset[str]]:
    """`ambiguity_grammar.txt`: closed word classes in `[section]` blocks."""
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in _lines("ambiguity_grammar.txt"):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        else:
            current.add(line)
    return {name: frozenset(words) for name, words in sections.items()}


def _g(section: str) -> frozenset[str]:
    return _lex().grammar[section]


# --------------------------------------------------------------------------------------------
# Before parsing: which sentences can carry a finding at all
# --------------------------------------------------------------------------------------------


def candidate_chunks(text: str, nlp: Language | None = None) -> list[tuple[int, str]]:
    """The pieces of a message worth parsing, as (character offset, text), in text order.

    Parsing is most of the cost of the analysis, and every rule needs a word to fire on: a
    listed vague word or phrase (in any inflection), a comparative, or a passive next to
    "must"/"need". A sentence with none of them cannot be flagged whatever its parse, so only
    the others are parsed; neighbouring ones in a paragraph are parsed together. Typical
    briefs keep a third of their words. `nlp` supplies the adjectives its lemmatizer knows
    (to tell "faster" from "order"); without it every word in -er counts.
    """
    adjectives = _adjectives(nlp) if nlp is not None else None
    chunks: list[tuple[int, int]] = []
    for start, end in _piece_spans(text):
        if not _may_carry_finding(text[start:end], adjectives):
            continue
        if chunks and not _PARAGRAPH.search(text, chunks[-1][1], start):
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return [(start, text[start:end]) for start, end in chunks]


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _piece_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, split where one certainly ends."""
    spans, start = [], 0
    for match in _PIECE_BREAK.finditer(text):
        if _abbreviation(text, match.start()):
            continue
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _abbreviation(text: str, end: int) -> bool:
    """Does the text before `end` close with an abbreviation ("Mr.", "etc.", "S.", "e.g.")?"""
    found = _LAST_WORD.search(text, max(0, end - 12), end)
    if found is None:
        return False
    word = found.group(1)
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


def _pieces(text: str) -> list[str]:
    return [text[start:end] for start, end in _piece_spans(text)]


@dataclass(frozen=True)
class _Triggers:
    """Every word and phrase some rule can fire on, for the pre-parse test."""

    words: frozenset[str]
    phrases: re.Pattern[str]


@functools.cache
def _triggers() -> _Triggers:
    lex = _lex()
    lexicons = (
        lex.terms, lex.quantities, lex.time, lex.comparative_verbs, lex.references,
        lex.hedges, lex.open_lists,
    )  # fmt: skip
    words = frozenset().union(*(x.words for x in lexicons), lex.degree, _g("comparative_forms"))
    phrases = sorted({a for x in lexicons for a in x.alternatives}, key=len, reverse=True)
    return _Triggers(words, _whole_words(phrases))


@dataclass(frozen=True)
class _Adjectives:
    base: frozenset[str]  # "fast", "good"
    irregular: frozenset[str]  # "better", "worse": inflected forms the lemmatizer lists

    def comparative(self, word: str) -> bool:
        """Can this word be a comparative ("faster", "better", "nicer")?"""
        if word in self.irregular:
            return True
        if not word.endswith("er"):
            return False  # superlatives ask for nothing vague
        return any(stem in self.base for stem in _stems(word) if stem != word)


@functools.lru_cache(maxsize=4)
def _adjectives(nlp: Language) -> _Adjectives | None:
    """Adjectives and adverbs the model's lemmatizer lists, and their irregular forms."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return None
    index, exceptions = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc", {})
    base: set[str] = set()
    irregular: set[str] = set()
    for pos in ("adj", "adv"):
        base.update(index.get(pos, ()))
        irregular.update(exceptions.get(pos, {}).keys())
    return _Adjectives(frozenset(base), frozenset(irregular))


def _may_carry_finding(piece: str, adjectives: _Adjectives | None) -> bool:
    """Does this sentence hold anything a rule can fire on? (False means: certainly not.)"""
    trig = _triggers()
    if trig.phrases.search(piece):
        return True
    words = [w.lower() for w in _WORD.findall(piece)]
    grammar = _lex().grammar
    if not grammar["passive_aux"].isdisjoint(words) and not grammar["requirement"].isdisjoint(
        words
    ):
        return True
    return any(_trigger_word(word, adjectives) for word in words)


_TRIGGER_MEMORY = 50_000
_trigger_memo: dict[tuple[str, _Adjectives | None], bool] = {}


def _trigger_word(word: str, adjectives: _Adjectives | None) -> bool:
    """A listed word in some inflection, or a comparative; remembered per word (mail repeats
    its words, and the inflection test tries a dozen spellings)."""
    key = (word, adjectives)
    found = _trigger_memo.get(key)
    if found is None:
        if any(stem in _triggers().words for stem in _stems(word)):
            found = True
        elif adjectives is None:
            found = word.endswith("er")
        else:
            found = adjectives.comparative(word)
        if len(_trigger_memo) >= _TRIGGER_MEMORY:
            _trigger_memo.clear()
        _trigger_memo[key] = found
    return found


_SUFFIXES = (
    ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"), ("es", ""), ("s", ""),
    ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"),
    ("est", ""), ("est", "e"), ("ly", ""), ("'s", ""),
)  # fmt: skip


def _stems(word: str) -> Iterator[str]:
    """The word and what it may be an inflection of ("tightened" -> tighten, "nicer" -> nice,
    "bigger" -> big): generous on purpose, it only decides what is parsed."""
    yield word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            base = word[: -len(suffix)]
            yield base + replacement
            if len(base) > 2 and base[-1] == base[-2]:
                yield base[:-1]


# --------------------------------------------------------------------------------------------
# Step 1: is this sentence an instruction?
# --------------------------------------------------------------------------------------------


def is_instruction(sent: Span) -> bool:
    """True for a sentence that asks or tells the reader to do something.

    Context-free: a settled answer to a vendor's question ("Junk is anything older than 2020")
    is only recognised by `ambiguous_sentences`, which knows whether the thread asked one.
    """
    return instruction_kind(sent) is not None


def is_request(sent: Span) -> bool:
    """Broader than `is_instruction`: also questions put to the reader and proposals ("Are
    you free Monday?", "Let's meet", "Can we talk?"). For detectors that need every sentence
    awaiting an answer; the ambiguity rules read only instructions."""
    kind = instruction_kind(sent)
    if kind is not None:
        return kind != "fragment"
    if len([t for t in sent if t.is_alpha]) < 2 or _is_small_talk(sent):
        return False
    return _asks_reader(sent) or _proposal(sent)


def _asks_reader(sent: Span) -> bool:
    """A question with "you" in it."""
    if _last_word(sent).text != "?":
        return False
    return any(t.lower_ in _ADDRESSEE or t.lower_ in ("your", "ur") for t in sent)


def _proposal(sent: Span) -> bool:
    """ "Let's ...", "can we / shall we / we could ...", "how about ..."."""
    for token in sent:
        low = token.lower_
        if low in ("lets", "let") and token.i + 1 < len(token.doc):
            if low == "lets" or token.nbor(1).lower_ in ("'s", "us"):
                return True
        if (
            low in ("how", "what")
            and token.i + 1 < len(token.doc)
            and token.nbor(1).lower_ == "about"
        ):
            return True
        if token.dep_ == "aux" and low in ("can", "could", "shall", "should", "might"):
            subj = _subject(token.head)
            if subj is not None and subj.lower_ == "we":
                return True
    return False


def instruction_kind(sent: Span, answering: bool = False) -> str | None:
    """Which kind of instruction the sentence is, or None.

    Kinds: please, request (you + modal), imperative, want (I/we need X), obligation (X
    should/must), preference (X is fine), fragment (verbless answer), answer (a statement
    replying to a question, only when `answering`).
    """
    alpha = [t for t in sent if t.is_alpha]
    if len(alpha) < 2 or _is_small_talk(sent):
        return None
    root = sent.root
    if _offer(root):
        return None
    checks = (
        ("please", _please),
        ("request", _modal_request),
        ("imperative", _imperative),
        ("want", _want),
        ("obligation", _obligation),
        ("preference", _preference),
        ("fragment", _fragment),
    )
    for kind, check in checks:
        if check(sent, root):
            return kind
    if answering and _statement(root):
        return "answer"
    return None


def _is_small_talk(sent: Span) -> bool:
    """Greeting, thanks, apology or "hope you're well", unless it also asks for something."""
    if not _lex().small_talk.match(sent.text):
        return False
    return not any(_please_token(t) for t in sent) and not _modal_request(sent, sent.root)


def _main_verbs(root: Token) -> list[Token]:
    """The root and the clauses coordinated with it: each can carry the instruction."""
    verbs = [root]
    verbs += [c for c in root.children if c.dep_ in ("conj", "parataxis", "ccomp") and c.i > root.i]
    verbs += [c for c in root.children if c.dep_ == "ccomp" and c.i < root.i]
    return verbs


def _subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)


def _is_addressee(subj: Token | None) -> bool:
    """ "you", "your team": the reader is the one asked to act."""
    if subj is None:
        return False
    if subj.lower_ in _ADDRESSEE:
        return True
    return any(c.dep_ == "poss" and c.lower_ in ("your", "ur") for c in subj.children)


def _please_token(token: Token) -> bool:
    """ "please"/"kindly" that asks, not "please find attached" or "please let me know if"."""
    if token.lower_ not in ("please", "kindly", "pls", "plz"):
        return False
    verb = token.head if token.head.pos_ in ("VERB", "AUX") else _next_verb(token)
    return verb is None or not (_handover(verb) or _conditional(verb))


def _next_verb(token: Token) -> Token | None:
    doc = token.doc
    end = min(token.i + 3, token.sent.end)
    return next((doc[i] for i in range(token.i + 1, end) if doc[i].pos_ == "VERB"), None)


def _handover(verb: Token) -> bool:
    """ "Please find attached", "see below": hands something over, asks nothing."""
    if verb.lemma_.lower() not in _g("not_request"):
        return False
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    return verb.lemma_.lower() == "find" or (nxt is not None and nxt.lower_ in _HANDOVER)


def _conditional(verb: Token) -> bool:
    """ "Let me know if ...", "shout if ...": an offer, not an instruction."""
    if verb.lemma_.lower() not in _g("conditional"):
        return False
    return any(t.lower_ in ("if", "whether") and t.dep_ == "mark" for t in verb.subtree)


def _offer(root: Token) -> bool:
    """ "If you have any questions, please ...", "if needed, ...": the reader decides whether
    to act at all, so nothing is asked of them yet."""
    for clause in root.children:
        if clause.dep_ != "advcl" or not any(c.lower_ == "if" for c in clause.children):
            continue
        subj, lemma = _subject(clause), clause.lemma_.lower()
        if subj is None and lemma in ("need", "necessary", "require", "want", "helpful"):
            return True  # "if needed", "if necessary"; "if possible" still asks
        if _is_addressee(subj) and lemma in _g("wish"):
            return True
    return False


def _please(sent: Span, root: Token) -> bool:
    return any(_please_token(t) for t in sent)


def _modal_request(sent: Span, root: Token) -> bool:
    """ "Can you / could your team / would you ...": modal before a second-person subject."""
    for token in sent:
        if token.dep_ != "aux" or token.lower_ not in _g("modal_request"):
            continue
        subj = _subject(token.head)
        if subj is None:
            continue
        if token.i < subj.i and _is_addressee(subj):
            return True  # "could you ...?", "would your team ...?"
        if token.i < subj.i and subj.lower_ == "it" and _possible(token.head):
            return True  # "would it be possible to ...?"
        if _is_addressee(subj) and token.head.lemma_ == "want":
            return True  # "you might want to ..."
    return False


def _possible(verb: Token) -> bool:
    return any(c.dep_ == "acomp" and c.lower_ in ("possible", "ok", "okay") for c in verb.children)


def _imperative(sent: Span, root: Token) -> bool:
    """A base-form verb with no subject leads the sentence, or heads it after an opener."""
    skip = _g("lead") | _lex().time.words  # "Asap fix the bug": asap is no verb nor subject
    first = next((t for t in sent if t.is_alpha and t.lower_ not in skip), None)
    for verb in (first, root):
        if verb is not None and _commands(verb):
            return True
    return False


def _commands(verb: Token) -> bool:
    """Is this base-form verb a command? ("asap" tagged VB is not; "Do you ...?" is a question.)"""
    if verb.tag_ != "VB" and not _asap_subject(verb) or verb.dep_ in ("aux", "auxpass"):
        return verb.lower_ == "do" and _negated_command(verb)
    if verb.lower_ in _lex().time.words or verb.lemma_.lower() in _g("not_imperative"):
        return False
    if _conditional(verb) or _handover(verb):
        return False
    blockers = ("nsubj", "nsubjpass", "expl", "aux", "auxpass")
    allowed = _lex().time.words | {"do", "let"}
    return not any(c.dep_ in blockers and c.lower_ not in allowed for c in verb.children)


def _asap_subject(verb: Token) -> bool:
    """ "Asap fix the bug": the parser made "Asap" the subject and "fix" a present tense."""
    subj = _subject(verb)
    return verb.tag_ == "VBP" and subj is not None and subj.lower_ in _lex().time.words


def _negated_command(do: Token) -> bool:
    """ "Don't delete anything": `do` + not, and no subject."""
    head = do.head
    has_neg = any(c.dep_ == "neg" for c in head.children)
    return has_neg and _subject(head) is None and do.i == head.sent.start


def _want(sent: Span, root: Token) -> bool:
    """ "I need X", "we'd like X", "I want you to X" (not "I want to check", the owner's own)."""
    for verb in _main_verbs(root):
        lemma = verb.lemma_.lower()
        subj = _subject(verb)
        if lemma not in _g("want") or subj is None or subj.lower_ not in _FIRST_PERSON:
            continue
        auxes = {c.lower_ for c in verb.children if c.dep_ == "aux"}
        if auxes & _FUTURE or verb.tag_ == "VBD":
            continue
        if lemma in ("like", "love", "appreciate") and not auxes & _WOULD:
            continue  # "I like the teal" is an opinion; "I'd like the teal" is a request
        if auxes & _WOULD or _wants_something(verb, subj):
            return True  # "I'd like to see the draft" asks for it; "I want to check" does not
    return False


def _wants_something(verb: Token, subj: Token) -> bool:
    for child in verb.children:
        if child.dep_ in ("dobj", "ccomp"):
            return True
        if child.dep_ == "xcomp":
            own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
            if own_subject or subj.lower_ == "we":
                return True
    return False


def _obligation(sent: Span, root: Token) -> bool:
    """ "It should pop", "the files need to be updated", "you must ..." (not the owner's own)."""
    for verb in _main_verbs(root):
        subj = _subject(verb)
        if subj is not None and subj.lower_ in _FIRST_PERSON:
            continue
        modal = any(c.dep_ == "aux" and c.lower_ in _g("obligation") for c in verb.children)
        need = verb.lemma_.lower() in ("need", "have") and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in verb.children
        )
        if (modal and verb.lemma_.lower() not in _g("expectation")) or (need and subj):
            return True
    return False


def _preference(sent: Span, root: Token) -> bool:
    """ "X is fine", "Final files by the 25th would be perfect": a settled answer."""
    for verb in _main_verbs(root):
        if verb.lemma_ != "be":
            continue
        subj = _subject(verb)
        if subj is not None and subj.lower_ in _FIRST_PERSON | _ADDRESSEE:
            continue
        if any(c.dep_ in ("acomp", "attr") and c.lower_ in _g("preference") for c in verb.children):
            return True
    return False


def _fragment(sent: Span, root: Token) -> bool:
    """A verbless answer or spec line ("Phone numbers, whatever looks cleanest."), or content
    followed by a hedging "I think" / "I guess" ("Tú, I think?")."""
    if _last_word(sent).text == ":":
        return False  # "A few questions:" introduces a list, asks nothing itself
    if root.pos_ in _FRAGMENT_POS:
        hedged = _hedge_tokens(sent)
        return any(t.pos_ in ("NOUN", "PROPN", "ADJ") and t.i not in hedged for t in sent)
    if root.lemma_.lower() in _HEDGE_VERBS and not any(c.dep_ == "ccomp" for c in root.children):
        subj = _subject(root)
        if subj is not None and subj.lower_ == "i" and subj.i > sent.start:
            return any(t.pos_ in _CONTENT_POS for t in sent[: subj.i - sent.start])
    return False


def _hedge_tokens(sent: Span) -> frozenset[int]:
    """Tokens inside hedge words and phrases: "Not sure." or "No idea." names nothing to do."""
    lex = _lex().hedges
    found = {t.i for t in lex.token_hits(sent)}
    for span in lex.phrase_hits(sent):
        found.update(range(span.start, span.end))
    return frozenset(found)


def _last_word(sent: Span) -> Token:
    return next((t for t in reversed(sent) if not t.is_space), sent[-1])


def _statement(root: Token) -> bool:
    """A statement about the work, not about the owner or the reader ("Junk is anything ...")."""
    subj = _subject(root)
    if subj is None or subj.lower_ in _FIRST_PERSON | _ADDRESSEE | {"it", "this", "that"}:
        return False
    return root.pos_ in ("AUX", "VERB") and not root.text.endswith("?")


# --------------------------------------------------------------------------------------------
# Step 2: why is this instruction ambiguous?
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    rule: str
    term: str


@dataclass(frozen=True)
class _Context:
    """What the thread already says: words it uses, whether it asked something."""

    text: str
    words: frozenset[str]
    asked: bool

    @classmethod
    def of(cls, context: str) -> _Context:
        text = context[-_CONTEXT_CHARS:]
        words = frozenset(w.lower() for w in re.findall(r"[^\W\d_]{3,}", text))
        asked = "?" in text[-_ASKED_CHARS:]
        return cls(text, words, asked)


@dataclass(frozen=True)
class _Message:
    """The whole message, read as text: what the sentences parsed may not include."""

    text: str
    dated: bool  # a real date anywhere in it
    waived: bool  # "no rush", "take your time"

    @classmethod
    def of(cls, text: str) -> _Message:
        pattern = _lex().no_rush.phrases
        waived = pattern is not None and pattern.search(text) is not None
        return cls(text, _mentions_date(text), waived)


@dataclass(frozen=True)
class _Where:
    """Where a sentence sits in its message: what comes before it matters to references."""

    message: _Message
    start: int  # character offset of the sentence in the message
    seen_nouns: bool  # something named earlier in the message that "that one" may point to

    @property
    def before(self) -> str:
        return self.message.text[: self.start].lower()


def ambiguous_sentences(doc: Doc, context: str = "") -> list[Evidence]:
    """One `Evidence` per ambiguous instruction, in text order, most important rule first.

    `context` is the earlier text of the thread: it resolves references ("the usual format"
    is clear if the thread described it) and marks replies to a vendor's question, whose
    settled answers count as instructions.
    """
    return _scan(doc.text, [(0, doc)], context)[0]


def _scan(
    text: str, parts: Sequence[tuple[int, Doc]], context: str
) -> tuple[list[Evidence], list[tuple[Span, str | None]]]:
    """Evidence, and each sentence with its instruction kind (for the message-level rule).

    `parts` are the parsed pieces of `text` with their character offsets: the whole message,
    or only the sentences `candidate_chunks` picked.
    """
    ctx = _Context.of(context)
    message = _Message.of(text)
    found, kinds = [], []
    for offset, doc in parts:
        _require_parse(doc)
        seen_nouns = offset > 0 and _names_something_in(text[:offset])
        for sent in doc.sents:
            kind = instruction_kind(sent, answering=ctx.asked)
            kinds.append((sent, kind))
            if kind is not None:
                where = _Where(message, offset + sent.start_char, seen_nouns)
                hits = _hits(sent, kind, ctx, where)
                if hits:
                    found.append(_evidence(sent, hits))
            seen_nouns = seen_nouns or _names_something(sent)
    return found, kinds


def _require_parse(doc: Doc) -> None:
    """Rules read sentences and dependencies: a tokenizer-only Doc is a programming error."""
    if not doc.has_annotation("DEP"):
        raise ValueError("needs a parsed Doc: use vendorwatch.nlp.model.load()")


def _names_something(sent: Span) -> bool:
    """Does the sentence name a thing a later pronoun could point to? (Greetings do not.)"""
    if _lex().small_talk.match(sent.text):
        return False
    return any(t.pos_ in ("NOUN", "PROPN") and t.ent_type_ != "PERSON" for t in sent)


def _names_something_in(text: str) -> bool:
    """The same, for text that was not parsed: a sentence of two or more words that is not
    small talk."""
    lex = _lex()
    return any(
        len(_WORD.findall(piece)) >= 2 and not lex.small_talk.match(piece)
        for piece in _pieces(text)
    )


def _hits(sent: Span, kind: str, ctx: _Context, where: _Where) -> list[_Hit]:
    """Every rule that fires on one instruction sentence (answers get only the answer rules)."""
    skip = _literal_tokens(sent)
    present = frozenset(w for t in sent for w in (t.lower_, t.lemma_.lower()))
    hits: list[_Hit] = []
    hits += _hedges(sent, skip, present)
    hits += _open_lists(sent, skip, present)
    if kind == "answer":
        return [h for h in hits if h.rule in _ANSWER_RULES]
    hits += _vague_terms(sent, skip, present)
    hits += _vague_quantities(sent, skip, present)
    hits += _vague_time(sent, skip, present, where.message)
    hits += _comparatives(sent, skip, present)
    if kind in _ASKS:  # a settled answer or spec line states its content; a citation adds none
        hits += _references(sent, ctx, where)
    hits += _agentless_passive(sent, kind)
    return hits


def _literal_tokens(sent: Span) -> frozenset[int]:
    """Token indices that name rather than describe: quoted text, URLs, e-mail addresses and
    named entities ("a tab called "Clean"" asks for nothing vague)."""
    skip, inside = set(), False
    for token in sent:
        if token.text in _QUOTES:
            inside = not inside
            continue
        literal = token.like_url or token.like_email
        named = token.ent_type_ in ("ORG", "PRODUCT", "WORK_OF_ART", "FAC", "PERSON")
        if inside or literal or named:
            skip.add(token.i)
    return frozenset(skip)


def _free(span: Span | Token, skip: frozenset[int]) -> bool:
    tokens = [span] if isinstance(span, Token) else list(span)
    return not any(t.i in skip for t in tokens)


def _vague_terms(sent: Span, skip: frozenset[int], present: frozenset[str]) -> list[_Hit]:
    lex = _lex().terms
    hits = [
        _Hit("vague_term", t.lower_)
        for t in lex.token_hits(sent, present)
        if _free(t, skip) and t.is_alpha and not _spelled_out(t) and not _done_work(t, lex)
    ]
    hits += [
        _Hit("vague_term", " ".join(s.text.lower().split()))
        for s in lex.phrase_hits(sent)
        if _free(s, skip) and not _spelled_out(s[0])
    ]
    return hits


def _done_work(token: Token, lex: Lexicon) -> bool:
    """ "the cleaned product sheet": a past form of a listed verb names the result of work
    already done, not a quality to aim for ("make it look polished" is listed as written)."""
    return token.tag_ in ("VBN", "VBD") and token.lower_ not in lex.words


def _spelled_out(token: Token) -> bool:
    """ "Keep it casual: "du", no slang" or "clean (no duplicates, no test rows)": the
    sentence itself says what the word means, after it."""
    rest = token.doc[token.i + 1 : token.sent.end]
    for i, t in enumerate(rest):
        if t.text in (":", "(") or t.text in _QUOTES or t.lower_ in _EXAMPLE_MARKERS:
            return any(x.is_alpha or x.like_num for x in rest[i + 1 :])
        if t.lower_ == "such" and i + 1 < len(rest) and rest[i + 1].lower_ == "as":
            return True
    return False


def _vague_quantities(sent: Span, skip: frozenset[int], present: frozenset[str]) -> list[_Hit]:
    lex = _lex()
    hits = []
    for token in lex.quantities.token_hits(sent, present):
        if _free(token, skip) and _counts_things(token):
            hits.append(_Hit("vague_quantity", token.lower_))
    for span in lex.quantities.phrase_hits(sent):
        phrase = " ".join(span.text.lower().split())
        degree = phrase in lex.degree
        if not _free(span, skip) or _counts_time(span[-1]):
            continue
        if not degree or _degree_is_vague(span):
            hits.append(_Hit("vague_quantity", phrase))
    return hits


def _counts_time(token: Token) -> bool:
    """ "a few minutes", "a couple of weeks ago": a time span, not an amount of work."""
    counted = _counted_noun(token)
    return counted is not None and counted.lemma_.lower() in _DURATIONS


def _counts_things(token: Token) -> bool:
    """ "some users", "several screens": a determiner of a countable thing, not "some kind"."""
    if token.lower_ in _lex().degree:
        return _degree_is_vague(token.doc[token.i : token.i + 1])
    nxt = token.nbor(1) if token.i + 1 < token.sent.end else None
    if nxt is not None and nxt.lower_ in ("kind", "sort", "point", "time", "way", "reason"):
        return False
    prev = token.nbor(-1) if token.i > token.sent.start else None
    if prev is not None and prev.lower_ in ("how", "too", "so", "as"):
        return False
    if _counts_time(token):
        return False
    counted = _counted_noun(token)
    if token.lower_ == "some" and counted is not None and counted.tag_ == "NN":
        return False  # "some rest", "some feedback": an uncounted thing, not a number to guess
    return token.dep_ in ("det", "amod", "nummod") or (
        nxt is not None and nxt.lower_ == "of" and token.lower_ != "of"
    )


def _counted_noun(token: Token) -> Token | None:
    """The noun a quantity word counts: its head ("several weeks"), or the object of its "of"
    ("a couple of weeks")."""
    if token.head.pos_ in ("NOUN", "PROPN") and token.head.i > token.i:
        return token.head
    doc, end = token.doc, min(token.i + 4, token.sent.end)
    return next((doc[i] for i in range(token.i + 1, end) if doc[i].pos_ == "NOUN"), None)


def _degree_is_vague(span: Span) -> bool:
    """ "a bit more adventurous", "shorten it a bit": vague; "a bit messy": a description."""
    doc, end = span.doc, span.end
    if end >= span.sent.end:
        return True
    nxt = doc[end]
    if nxt.tag_ in ("JJR", "RBR") or nxt.lower_ in ("more", "less", "too", "longer", "shorter"):
        return True
    return nxt.is_punct or nxt.pos_ == "CCONJ"


def _vague_time(
    sent: Span, skip: frozenset[int], present: frozenset[str], message: _Message
) -> list[_Hit]:
    if _has_explicit_date(sent):
        return []
    lex = _lex().time
    hits = [_Hit("vague_time", t.lower_) for t in lex.token_hits(sent, present) if _free(t, skip)]
    hits += [
        _Hit("vague_time", " ".join(s.text.lower().split()))
        for s in lex.phrase_hits(sent)
        if _free(s, skip)
    ]
    if hits and message.waived:
        # "No rush, whenever you get to it": the timing is left free on purpose; an "asap"
        # next to "no rush" still contradicts it
        return [h for h in hits if h.term in _lex().urgent]
    return hits


def _mentions_date(text: str) -> bool:
    """A weekday, month, "tomorrow", "11/20", "the 25th", "within 48 hours" in plain text."""
    return _TEXT_DATE.search(text) is not None


def _has_explicit_date(span: Span | Doc) -> bool:
    """A weekday, month, "tomorrow", "11/20", "the 25th", "within 48 hours": a real deadline."""
    for token in span:
        low = token.lower_
        if low in _DAY_WORDS or _DATE_SHAPE.match(low):
            return True
        if low in _CALENDAR and (low != "may" or token.tag_ == "NNP"):
            return True
        if token.like_num and token.i + 1 < len(token.doc):
            if token.nbor(1).lower_ in _TIME_UNITS:
                return True
        if token.ent_type_ in ("DATE", "TIME") and any(c.isdigit() for c in low):
            return True
    return False


def _comparatives(sent: Span, skip: frozenset[int], present: frozenset[str]) -> list[_Hit]:
    """ "faster", "more robust", "punchier", "improve it": better than what, by how much?"""
    if any(t.lower_ == "than" for t in sent):
        return []
    hits = []
    for token in sent:
        word = _comparative_word(token)
        if word and token.i not in skip and not _after_purpose(token) and not _has_measure(token):
            hits.append(_Hit("comparative", word))
    verbs = _lex().comparative_verbs
    for token in verbs.token_hits(sent, present):
        if token.pos_ == "VERB" and _free(token, skip) and not _has_measure(token):
            hits.append(_Hit("comparative", token.lower_))
    hits += [
        _Hit("comparative", s.text.lower())
        for s in verbs.phrase_hits(sent)
        if _free(s, skip) and not _has_measure(s.root)
    ]
    return hits


def _comparative_word(token: Token) -> str | None:
    """The comparative this token forms, if any ("more robust" for "more")."""
    lex = _lex()
    low = token.lower_
    if token.tag_ not in _COMPARATIVE_TAGS and not low.endswith("er"):
        return None
    if low in ("more", "less") and token.i + 1 < token.sent.end:
        nxt = token.nbor(1)
        return f"{low} {nxt.lower_}" if nxt.tag_ in ("JJ", "RB") else None
    if low in lex.not_comparative or not token.is_alpha:
        return None
    if token.tag_ in ("JJR", "RBR") and token.pos_ != "VERB":
        return low
    if _vague_base(low):  # "punchier" tagged as a noun is still a comparative
        return low
    return None


def _vague_base(word: str) -> bool:
    """Is the word a comparative of a listed vague term? (punchier, cleaner, nicer, slicker)"""
    if not word.endswith("er") or len(word) < 5:
        return False
    stem = word[:-2]
    candidates = (stem[:-1] + "y" if stem.endswith("i") else stem, stem + "e", stem[:-1])
    words = _lex().terms.words
    return any(c in words for c in candidates if c)


def _after_purpose(token: Token) -> bool:
    """ "... so it reads better": a comparative in a reason clause asks for nothing."""
    sent = token.sent
    if any(t.dep_ in _SUBORDINATE for t in token.ancestors):
        return True
    return any(t.lower_ in _PURPOSE for t in sent[: token.i - sent.start])


def _has_measure(token: Token) -> bool:
    """A number, code or percentage near it ("lighter (#CBD5E1)", "20% larger", "by 2 s")."""
    doc, sent = token.doc, token.sent
    start, end = max(token.i - 3, sent.start), min(token.i + 7, sent.end)
    return any(_is_measure(doc[i]) for i in range(start, end) if i != token.i)


def _is_measure(token: Token) -> bool:
    """A token with a digit that is not part of a date ("by May 9" measures nothing)."""
    if not any(ch.isdigit() for ch in token.text) or token.ent_type_ in ("DATE", "TIME"):
        return False
    prev = token.doc[token.i - 1] if token.i > 0 else None
    return not (prev is not None and prev.lower_ in _CALENDAR) and not _DATE_SHAPE.match(token.text)


def _hedges(sent: Span, skip: frozenset[int], present: frozenset[str]) -> list[_Hit]:
    lex = _lex().hedges
    hits = [_Hit("hedge", t.lower_) for t in lex.token_hits(sent, present) if _free(t, skip)]
    for span in lex.phrase_hits(sent):
        phrase = " ".join(span.text.lower().split())
        if _free(span, skip) and _is_hedge_phrase(span, phrase):
            hits.append(_Hit("hedge", phrase))
    return hits


def _is_hedge_phrase(span: Span, phrase: str) -> bool:
    """ "I think" hedges only after the content ("Tú, I think?"); "kind of" hedges unless it
    names a kind ("what kind of character")."""
    sent = span.sent
    if phrase.startswith("i "):
        return any(t.is_alpha for t in sent[: span.start - sent.start])
    if phrase in ("kind of", "sort of") and span.start > sent.start:
        return span.doc[span.start - 1].tag_ not in ("DT", "WDT", "PRP$")
    return True


def _open_lists(sent: Span, skip: frozenset[int], present: frozenset[str]) -> list[_Hit]:
    lex = _lex().open_lists
    hits = [_Hit("open_list", t.lower_) for t in lex.token_hits(sent, present) if _free(t, skip)]
    for span in lex.phrase_hits(sent):
        phrase = " ".join(span.text.lower().split())
        short = len(phrase.split()) == 2 and phrase.startswith(("and ", "or "))
        if _free(span, skip) and (not short or _ends_clause(span)):
            hits.append(_Hit("open_list", phrase))
    return hits


def _ends_clause(span: Span) -> bool:
    """ "..., and more." ends a list; "faster and more robust" does not (two-word forms only:
    "and so on" is never anything else)."""
    return span.end >= span.sent.end or span.doc[span.end].is_punct


def _references(sent: Span, ctx: _Context, where: _Where) -> list[_Hit]:
    """ "the usual format", "what we discussed": can the vendor tell what it is?

    Bare pronouns ("send it") are not flagged: in mail they nearly always point at something
    the message or thread names, and the within-sentence pronoun test (`ambiguous_pronoun`)
    flagged clear briefs while adding no ambiguous sentence on the labeled threads.
    """
    hits = []
    for span in _lex().references.phrase_hits(sent):
        phrase = " ".join(span.text.lower().split())
        if _partitive(span):
            continue  # "... that one of our lawyers ...": "one of" names its group
        if _cites_content(span, phrase) or _resolved(span, phrase, ctx, where):
            continue
        hits.append(_Hit("unresolved_reference", _with_noun(span, phrase)))
    return hits


def _partitive(span: Span) -> bool:
    return span.end < span.sent.end and span.doc[span.end].lower_ == "of"


def _cites_content(span: Span, phrase: str) -> bool:
    """ "Invoice EUR 900 as agreed", "send the staging URL as discussed": an "as/like ..."
    citation next to a named thing or a figure only says where it was settled, and "we"
    includes the vendor. A date does not count as content: "set it up as we agreed by June 3"
    leaves "it" to the vendor's memory."""
    if phrase.split()[0] not in ("as", "like"):
        return False
    for token in span.sent:
        if span.start <= token.i < span.end:
            continue
        if _is_measure(token):
            return True
        if token.pos_ in ("NOUN", "PROPN") and not _names_a_time(token):
            return True
    return False


def _names_a_time(token: Token) -> bool:
    low = token.lower_
    return low in _CALENDAR or low in _DAY_WORDS or token.lemma_.lower() in _DURATIONS


def _resolved(span: Span, phrase: str, ctx: _Context, where: _Where) -> bool:
    """ "the usual X" is resolved when the thread or message already mentions X; the other
    reference forms when there is any earlier thread for the vendor to look back at."""
    if phrase.split()[-1] in ("usual", "normal"):
        if _defined_after(span):
            return True
        noun = _following_noun(span)
        if noun is None:
            return bool(ctx.text.strip())
        return noun.lemma_.lower() in ctx.words or noun.lower_ in where.before
    return bool(ctx.text.strip()) or (where.seen_nouns and phrase in ("that one", "this one"))


def _defined_after(span: Span) -> bool:
    """ "the usual format: a PDF with ..." spells out what it means right there."""
    rest = span.doc[span.end : span.sent.end]
    colon = next((t.i for t in rest if t.text == ":"), None)
    return colon is not None and any(t.is_alpha for t in span.doc[colon + 1 : span.sent.end])


def _following_noun(span: Span) -> Token | None:
    """The head noun after "the usual": the last noun of "report format", else the first."""
    doc = span.doc
    end = min(span.end + 4, span.sent.end)
    nouns = [doc[i] for i in range(span.end, end) if doc[i].pos_ in ("NOUN", "PROPN")]
    if not nouns:
        return None
    compound = all(doc[i].is_alpha for i in range(span.end, nouns[-1].i))
    return nouns[-1] if compound else nouns[0]


def _with_noun(span: Span, phrase: str) -> str:
    noun = _following_noun(span) if phrase.split()[-1] in ("usual", "normal") else None
    return span.doc[span.start : noun.i + 1].text.lower() if noun is not None else phrase


def _agentless_passive(sent: Span, kind: str) -> list[_Hit]:
    """ "The files need to be updated": nobody is named to do it, and the reader is not asked."""
    if kind in ("please", "request", "imperative") or any(t.lower_ in _ADDRESSEE for t in sent):
        return []
    for token in sent:
        verb = token.head
        if token.dep_ != "auxpass" or not _required(verb) or not _main_clause(verb):
            continue
        if _names_a_party(verb) or _actor_is_subject(verb):
            continue
        return [_Hit("agentless_passive", f"{token.lower_} {verb.lower_}")]
    return []


def _required(verb: Token) -> bool:
    """The passive is what the sentence requires: "must be sent", "need to be updated"."""
    if any(c.dep_ == "aux" and c.lower_ in _g("obligation") for c in verb.children):
        return True
    head = verb.head
    return verb.dep_ == "xcomp" and head.lemma_.lower() in ("need", "have")


def _actor_is_subject(verb: Token) -> bool:
    """ "The parties shall be required to resume ...", "I should be gone by then": the subject
    is who acts (a person, or someone obliged to do the next verb)."""
    if any(c.dep_ == "xcomp" for c in verb.children):
        return True
    subj = _subject(verb) or (_subject(verb.head) if verb.dep_ in ("xcomp", "conj") else None)
    return subj is not None and subj.lower_ in _FIRST_PERSON | _PERSONAL | {"they", "us", "me"}


def _main_clause(verb: Token) -> bool:
    """The verb carries the sentence's instruction: not inside a subordinate clause or a
    prepositional one ("instead of being approved", "after being reviewed")."""
    embedded = _SUBORDINATE | _PREPOSITIONAL
    return verb.dep_ not in embedded and not any(t.dep_ in embedded for t in verb.ancestors)


def _names_a_party(verb: Token) -> bool:
    """ "updated by your team", "escalated to me", "shared with our accountant": the passive
    names who acts or who receives it, so the reader knows whose move it is."""
    for child in verb.children:
        if child.dep_ == "agent":
            return True
        if child.dep_ in ("prep", "dative") and child.lower_ in _RECIPIENT_PREPS:
            if any(_is_party(obj) for obj in child.children if obj.dep_ == "pobj"):
                return True
    return False


def _is_party(noun: Token) -> bool:
    """A person or team: a pronoun, a name, an address, or "our/my/your <noun>"."""
    if noun.pos_ in ("PRON", "PROPN") or noun.like_email:
        return True
    return any(c.dep_ == "poss" for c in noun.children)


# --------------------------------------------------------------------------------------------
# Evidence and findings
# --------------------------------------------------------------------------------------------

_REASONS = {
    "unresolved_reference": '"{}" points at something the thread never shows the vendor',
    "agentless_passive": '"{}" does not say who should do it',
    "vague_time": '"{}" is not a date',
    "vague_quantity": '"{}" is not a number',
    "comparative": '"{}" compared with what, and by how much?',
    "open_list": '"{}" leaves the list open',
    "vague_term": '"{}" means different things to different people',
    "hedge": '"{}" leaves the decision to the vendor\'s guess',
    "no_deadline": "no deadline anywhere in the message or the thread",
}


def _evidence(sent: Span, hits: list[_Hit]) -> Evidence:
    """One line per sentence: the most important rule leads, the others follow."""
    ordered = sorted(_dedupe(hits), key=lambda h: RULES.index(h.rule))
    lead = ordered[0]
    reason = _REASONS[lead.rule].format(lead.term)
    others = [f'"{h.term}"' for h in ordered[1:]]
    if others:
        reason += "; also " + ", ".join(others)
    hints = list(dict.fromkeys(HINTS[h.rule] for h in ordered))
    return Evidence(" ".join(sent.text.split()), lead.rule, reason, "; ".join(hints))


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    """A term found by two lists ("a bit" as quantity and degree) is reported once."""
    seen: dict[str, _Hit] = {}
    for hit in sorted(hits, key=lambda h: RULES.index(h.rule)):
        seen.setdefault(hit.term.rstrip("."), hit)
    return list(seen.values())


def analyze_instructions(doc: Doc, context: str = "", *, cut: bool = False) -> Finding | None:
    """The "ambiguity" finding for one owner message, or None when its instructions are clear.

    `cut` says the text was shortened by `model.prepare` (the finding then says so).
    """
    return analyze_chunks(doc.text, [(0, doc)], context, cut=cut)


def analyze_chunks(
    text: str, parts: Sequence[tuple[int, Doc]], context: str = "", *, cut: bool = False
) -> Finding | None:
    """`analyze_instructions` for a message of which only some pieces were parsed.

    `parts` are (character offset in `text`, parsed Doc of the piece at that offset), as
    `candidate_chunks` picks them: the rest of the message cannot carry a finding, and is
    only read as text (dates, "no rush", what was named before a reference).
    """
    evidence, kinds = _scan(text, parts, context)
    missing = _no_deadline(text, context, evidence, kinds)
    if missing is not None:
        evidence.append(missing)
    if not evidence:
        return None
    notes = (f"only the first {MAX_CHARS:,} characters were analysed",) if cut else ()
    return Finding("ambiguity", _severity(evidence), tuple(evidence), _suggestion(evidence), notes)


def _no_deadline(
    text: str, context: str, evidence: list[Evidence], kinds: list[tuple[Span, str | None]]
) -> Evidence | None:
    """A vague brief that also never says by when, in a thread that never did either.

    Only alongside another ambiguous instruction, and on one of the sentences already flagged:
    a clear request without a date is normally answered with the vendor's own date (a
    finding there would be noise on most briefs), but a vague one costs a round trip anyway,
    and the date belongs in the same answer.
    """
    if not evidence or any(e.rule == "vague_time" for e in evidence):
        return None
    message = _Message.of(text)
    if message.dated or message.waived or _mentions_date(context[-_CONTEXT_CHARS:]):
        return None
    flagged = {e.sentence for e in evidence}
    asks = [" ".join(s.text.split()) for s, kind in kinds if kind in _ASKS]
    sentence = next((s for s in asks if s in flagged), None)
    if sentence is None:
        return None
    return Evidence(sentence, "no_deadline", _REASONS["no_deadline"], HINTS["no_deadline"])


def _severity(evidence: list[Evidence]) -> str:
    """high: several unclear points or one the vendor cannot even look up; low: a single one."""
    score = sum(_WEIGHT.get(e.rule, 1) for e in evidence)
    return "high" if score >= 4 else "medium" if score >= 2 else "low"


def _suggestion(evidence: list[Evidence]) -> str:
    questions = []
    for e in evidence:
        if e.rule == "no_deadline":
            questions.append("by when do you need it (a date)?")
        else:
            questions.append(f'"{_short(e.sentence)}": {e.hint}')
    return "Before the vendor starts, answer these: " + " | ".join(questions)


def _short(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def analyze_text(text: str, context: str = "", nlp=None) -> Finding | None:
    """Convenience for one message: cut to the size limit, parse, analyse.

    Batch callers should parse with `nlp.pipe` and call `analyze_instructions` themselves.
    """
    from vendorwatch.nlp import model  # loads spaCy models: only when this helper is used

    prepared, cut = model.prepare(text)
    pipeline = nlp if nlp is not None else model.load()
    return analyze_instructions(pipeline(prepared), context, cut=cut)


# --------------------------------------------------------------------------------------------
# Pronoun ambiguity (also measured on ReqEval)
# --------------------------------------------------------------------------------------------


_PERSONAL = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_PLURAL = frozenset({"they", "them", "their", "theirs", "these", "those", "themselves"})


def ambiguous_pronoun(pronoun: Token) -> bool:
    """Can a reader not tell what this pronoun points to, within its sentence?

    True when no noun phrase of the same number precedes it in the sentence (nothing to point
    to) or more than one does (several things it could point to). "he"/"she" are taken as
    resolved: requirements and briefs name one person per sentence. Tested on ReqEval, where
    flagging every pronoun is the baseline to beat.

    Not a mail rule: in a brief, "merge them into one row" after "duplicates" and "rows" is
    read without trouble by people; this test flagged a third of the clear dev instructions,
    and the narrower "nothing named in the message or thread" form found no labeled sentence.
    """
    low = pronoun.lower_
    if low in _PERSONAL or low not in _lex().pronouns:
        return False
    count = len(pronoun_candidates(pronoun))
    return count == 0 or count > 1


def pronoun_candidates(pronoun: Token) -> list[Span]:
    """Noun phrases before the pronoun in its sentence that agree with it in number."""
    sent, plural = pronoun.sent, pronoun.lower_ in _PLURAL
    found = []
    for chunk in pronoun.doc.noun_chunks:
        head = chunk.root
        if chunk.start < sent.start or head.i >= pronoun.i:
            continue
        if head.pos_ not in ("NOUN", "PROPN") or head.ent_type_ in ("DATE", "TIME", "CARDINAL"):
            continue
        if (head.tag_ in ("NNS", "NNPS")) == plural:
            found.append(chunk)
    return found
