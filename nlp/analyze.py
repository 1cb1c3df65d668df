"""The analysis entry point: messages of vendor threads in, language and findings out.

spaCy runs only on the owner's messages, and only on the sentences that can carry an
ambiguity finding (ambiguity needs a parse); language and confusion work on plain text in
every language. The model is loaded on first use, once per process, so importing this
module stays cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import ambiguity, confusion, language, model, risk
from .findings import Finding
from .risk import Risk, ThreadMessage, assess, episodes

PIPE_BATCH = 256  # sentences per spaCy batch

BARRIER_SUGGESTION = (
    "The vendor is writing partly or wholly in another language: confirm the key points "
    "in short, simple sentences, or settle them on a call."
)


@dataclass(frozen=True)
class MessageInput:
    direction: str  # "in" (vendor) | "out" (owner)
    text: str  # the new text only
    context: str = ""  # earlier new text of the thread, for references such as "it"


@dataclass
class MessageResult:
    lang: str
    findings: list[Finding] = field(default_factory=list)
    cut: bool = False


class Analyzer:
    """Holds the spaCy pipeline; `analyze` takes a batch so `nlp.pipe` can stream it."""

    def __init__(self, model_name: str | None = None, owner_lang: str = "en"):
        self.model_name = model_name
        self.owner_lang = owner_lang

    @property
    def nlp(self):
        # no rule reads entities yet; date and amount extraction will want NER back
        return model.load(self.model_name, ner=False)

    def analyze(self, items: Sequence[MessageInput]) -> list[MessageResult]:
        texts = [model.prepare(item.text) for item in items]
        results = [
            MessageResult(lang=language.detect_message(text).lang, cut=cut) for text, cut in texts
        ]
        owner = [i for i, item in enumerate(items) if item.direction == "out"]
        for index, finding in self._ambiguity([(texts[i][0], items[i].context) for i in owner]):
            results[owner[index]].findings.append(_noted(finding, results[owner[index]].cut))
        for index, item in enumerate(items):
            if item.direction == "in":
                results[index].findings.extend(self._vendor_findings(item, results[index]))
        return results

    def _ambiguity(self, messages: Sequence[tuple[str, str]]) -> list[tuple[int, Finding]]:
        """(index, finding) for the owner's (text, thread context) pairs that have one.

        Only the sentences that can carry a finding are parsed (`candidate_chunks`, about a
        third of a brief's words), all of a batch in one `nlp.pipe` stream.
        """
        chunks = [
            (index, offset, piece)
            for index, (text, _) in enumerate(messages)
            for offset, piece in ambiguity.candidate_chunks(text, self.nlp)
        ]
        found = []
        # the strings a batch adds to spaCy's vocabulary are freed after it: an always-on
        # daemon meets endless new words (names, codes) and would otherwise keep them all
        with _memory_zone(self.nlp):
            parsed: dict[int, list] = {}
            docs = self.nlp.pipe((piece for _, _, piece in chunks), batch_size=PIPE_BATCH)
            for (index, offset, _), doc in zip(chunks, docs, strict=True):
                parsed.setdefault(index, []).append((offset, doc))
            for index, parts in parsed.items():
                text, context = messages[index]
                finding = ambiguity.analyze_chunks(text, parts, context)
                if finding is not None:
                    found.append((index, finding))
        return found

    def _vendor_findings(self, item: MessageInput, result: MessageResult) -> list[Finding]:
        text, _ = model.prepare(item.text)
        found = []
        asked = confusion.clarification_sentences(text)
        if asked:
            found.append(
                Finding(
                    kind="confusion",
                    severity="low",
                    evidence=tuple(asked),
                    suggestion="The vendor asked what you meant: answer with one concrete choice "
                    "(a number, a date, an example) before work goes on.",
                )
            )
        barrier = language.barrier_evidence([("in", text, result.lang)], self.owner_lang)
        if barrier:
            found.append(
                Finding(
                    kind="language_barrier",
                    severity="low",
                    evidence=tuple(barrier),
                    suggestion=BARRIER_SUGGESTION,
                )
            )
        return [_noted(f, result.cut) for f in found]

    def thread_findings(self, episode: Sequence[ThreadMessage]) -> list[Finding]:
        """Signals that need an episode as a whole: repeated confusion, language switching."""
        found = []
        confused = confusion.thread_confusion([(m.direction, m.new_text) for m in episode])
        if confused is not None:
            found.append(confused)
        barrier = language.barrier_evidence(
            [(m.direction, m.new_text, m.lang) for m in episode], self.owner_lang
        )
        if barrier:
            severity = "medium" if len(barrier) > 1 else "low"
            found.append(
                Finding(
                    kind="language_barrier",
                    severity=severity,
                    evidence=tuple(barrier),
                    suggestion=BARRIER_SUGGESTION,
                )
            )
        return found

    def assess_thread(self, messages: Sequence[ThreadMessage]) -> list[Episode]:
        """Every episode of a thread with its risk; the last one is still open."""
        assessed = []
        for start, stop, why in episodes(messages):
            part = list(messages[start:stop])
            assessed.append(Episode(start, stop, why, assess(part, self.thread_findings(part))))
        return assessed


@dataclass(frozen=True)
class Episode:
    start: int  # index of its first message in the thread
    stop: int  # index after its last message
    resolution: str | None  # why it ended; None while it is open
    risk: Risk


def forget_texts() -> None:
    """Drop what the detectors remember per text (languages, confusion summaries): for
    benchmarks that analyse the same messages again and must not be served from memory."""
    language.forget_texts()
    confusion.forget_texts()
    risk.forget_texts()


def _noted(finding: Finding, cut: bool) -> Finding:
    if not cut:
        return finding
    note = f"only the first {model.MAX_CHARS:,} characters were analysed"
    return Finding(
        finding.kind,
        finding.severity,
        finding.evidence,
        finding.suggestion,
        finding.notes + (note,),
    )


def _memory_zone(nlp):
    """spaCy's `memory_zone` (3.8+), or nothing on a pipeline without it."""
    zone = getattr(nlp, "memory_zone", None)
    return zone() if zone is not None else contextlib.nullcontext()
