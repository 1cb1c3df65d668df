"""The analysis entry point: messages of vendor threads in, language and findings out.

spaCy runs only on the owner's instructions (ambiguity needs a parse); language and
confusion work on plain text in every language. The model is loaded on first use, once
per process, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import ambiguity, confusion, language, model
from .findings import Finding
from .risk import Risk, ThreadMessage, assess, episodes

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
        results = []
        for item in items:
            text, cut = model.prepare(item.text)
            results.append(MessageResult(lang=language.detect_message(text).lang, cut=cut))
        owner_items = [
            (index, model.prepare(item.text)[0], item.context)
            for index, item in enumerate(items)
            if item.direction == "out" and item.text.strip()
        ]
        if owner_items:
            docs = self.nlp.pipe(text for _, text, _ in owner_items)
            for (index, _, context), doc in zip(owner_items, docs, strict=True):
                finding = ambiguity.analyze_instructions(doc, context)
                if finding is not None:
                    results[index].findings.append(_noted(finding, results[index].cut))
        for index, item in enumerate(items):
            if item.direction == "in":
                results[index].findings.extend(self._vendor_findings(item, results[index]))
        return results

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
