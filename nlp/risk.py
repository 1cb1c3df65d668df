"""Thread risk: the signals of a thread's recent messages combined into one score.

A suggestion belongs to an episode of a thread: it starts after the last resolution
(a call took place, or the vendor confirmed clearly) and only messages since then count.
So a suggestion is made once, is updated while the episode goes on, and clears when the
thread resolves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .findings import Evidence, Finding

WINDOW = 8  # the most recent messages of an episode that count
SEVERITY = {"low": 0.35, "medium": 0.7, "high": 1.0}
WEIGHTS = {"ambiguity": 0.6, "language_barrier": 0.6, "confusion": 0.7}
SUGGEST_AT = 0.5
REASON_AT = 0.3

_CALL_HAPPENED = re.compile(
    r"\b(thanks?( you)? for (your time|the|our|your)( on| during| in)?( the| our)? "
    r"(call|chat|meeting|zoom|meet)|"
    r"(as|like|what) (we )?(discussed|agreed)( on| during| in)? (the|our) (call|chat|meeting)|"
    r"(summary|recap) of (what we (agreed|discussed)|our (call|chat|meeting))|"
    r"(after|following|per) (our|the) (call|chat|meeting)|"
    r"(good|great|nice) (talking|speaking|to talk|to speak) (to|with) you (today|earlier)|"
    r"gracias por la llamada|obrigad[oa] pela (chamada|ligação)|danke für das gespräch|"
    r"merci pour l'appel|dziękuję za rozmowę|terima kasih (atas|untuk) (panggilan|telepon)"
    r"(nya)?)\b",
    re.IGNORECASE,
)
_CONFIRMED = re.compile(
    r"^\W*(all clear|crystal clear|that'?s (clear|perfect)|perfect,? (thanks|thank you)|"
    r"understood|got it|makes sense|clear now|entendido|perfecto,? (gracias|entendido)|"
    r"entendi|alles klar|verstanden|c'est clair|compris|jasne|rozumiem|"
    r"baik,? (saya )?mengerti|siap)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class ThreadMessage:
    """What risk needs of one message; `findings` are that message's own findings."""

    direction: str  # "in" | "out"
    new_text: str
    lang: str
    findings: tuple[Finding, ...] = ()
    message_id: str | None = None


@dataclass
class Risk:
    score: float
    reasons: list[str]
    evidence: list[Evidence]
    components: dict[str, float] = field(default_factory=dict)

    @property
    def suggest_call(self) -> bool:
        return self.score >= SUGGEST_AT and bool(self.reasons)


def resolution_of(message: ThreadMessage) -> str | None:
    """Why this message closes an episode: a call took place, or a clear confirmation."""
    return _resolution(message.direction, message.new_text[:4000])


def forget_texts() -> None:
    """Forget remembered resolutions (for benchmarks that read the same texts again)."""
    _resolution.cache_clear()


@lru_cache(maxsize=4096)
def _resolution(direction: str, text: str) -> str | None:
    """Remembered per text: a thread's messages are read again each time the thread grows."""
    if _CALL_HAPPENED.search(text):
        return "a call took place"
    if direction == "in" and _CONFIRMED.search(text):
        return "the vendor confirmed"
    return None


def episodes(messages: Sequence[ThreadMessage]) -> list[tuple[int, int, str | None]]:
    """The thread cut into episodes: (start, stop, why it ended), the last one still open.

    A message only resolves something when the episode it closes had a finding: "great
    to speak to you last week" in an opening message resolves nothing.
    """
    found: list[tuple[int, int, str | None]] = []
    start = 0
    for index, message in enumerate(messages):
        reason = resolution_of(message)
        if reason and any(m.findings for m in messages[start:index]):
            found.append((start, index + 1, reason))
            start = index + 1
    found.append((start, len(messages), None))
    return found


def assess(episode: Sequence[ThreadMessage], thread_findings: Sequence[Finding] = ()) -> Risk:
    """Combine the findings of one episode's recent messages and its thread-level findings.

    `thread_findings` are computed by the caller over the same messages (confusion across
    messages, language barrier), since they need the episode as a whole.
    """
    recent = list(episode)[-WINDOW:]
    whole_thread = {f.kind for f in thread_findings}
    by_kind: dict[str, list[Finding]] = {}
    for message in recent:
        for finding in message.findings:
            if finding.kind not in whole_thread:  # judged over the episode instead
                by_kind.setdefault(finding.kind, []).append(finding)
    for finding in thread_findings:
        by_kind.setdefault(finding.kind, []).append(finding)
    components = {
        kind: _strength(kind, found) for kind, found in by_kind.items() if kind in WEIGHTS
    }
    remaining = 1.0
    for kind, strength in components.items():
        remaining *= 1 - WEIGHTS[kind] * strength
    score = round(1 - remaining, 3)
    reasons = sorted(kind for kind, strength in components.items() if strength >= REASON_AT)
    evidence = [e for kind in reasons for f in by_kind[kind] for e in f.evidence]
    return Risk(score, reasons, evidence, components)


def _strength(kind: str, findings: list[Finding]) -> float:
    """How strongly a kind of signal is present, in [0, 1]."""
    best = max(SEVERITY.get(f.severity, 0.0) for f in findings)
    if kind == "ambiguity":
        sentences = {e.sentence for f in findings for e in f.evidence}
        # one vague sentence in a clear thread is weak; several in the episode is not
        best = max(best, min(1.0, 0.25 * len(sentences)))
    return min(1.0, best)
