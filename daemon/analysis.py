"""Running the analysis on newly stored vendor messages and keeping thread risk current.

It runs inside the ingest transaction, so a message, its language, its findings, what
tracking extracted from it and the call suggestion of its thread are stored together or
not at all.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from vendorwatch.nlp.analyze import Analyzer, MessageInput
from vendorwatch.nlp.findings import Evidence, Finding
from vendorwatch.nlp.model import ModelNotFound
from vendorwatch.nlp.risk import ThreadMessage

from .config import Config
from .errors import VendorwatchError
from .store import Store, now_iso
from .tracker import Tracker


class AnalysisError(VendorwatchError):
    """The analysis cannot run at all (e.g. the spaCy model is missing)."""

    exit_code = 2


class AnalysisStage:
    def __init__(self, store: Store, config: Config):
        self.store = store
        self.analyzer = Analyzer(config.analysis.spacy_model, config.owner.language)
        self.tracker = Tracker(store, config)

    def run(self, keys: list[str]) -> int:
        """Analyse the vendor messages among `keys` and track what they say about work and
        money; returns how many vendor messages were analysed."""
        self.tracker.track(keys)
        rows = self.store.messages_for_analysis(keys)
        if not rows:
            return 0
        items = [
            MessageInput(
                direction=row["direction"],
                text=row["new_text"] or "",
                context=self.store.thread_context(row["thread_id"], row["date_utc"])
                if row["direction"] == "out"
                else "",
            )
            for row in rows
        ]
        try:
            results = self.analyzer.analyze(items)
        except ModelNotFound as exc:
            raise AnalysisError(f"{exc} (or turn analysis off: [sync] analysis = false)") from None
        for row, result in zip(rows, results, strict=True):
            self.store.save_language(row["message_key"], result.lang)
            for finding in result.findings:
                self.store.save_finding(
                    f"{finding.kind}:{row['message_key']}", finding_record(finding, row)
                )
        for thread_id in dict.fromkeys(row["thread_id"] for row in rows):
            self.update_thread(thread_id)
        return len(rows)

    def update_thread(self, thread_id: str) -> None:
        rows = self.store.thread_messages(thread_id)
        if not rows:
            return
        messages = [
            ThreadMessage(
                direction=row["direction"],
                new_text=row["new_text"] or "",
                lang=row["lang"] or "unknown",
                findings=tuple(stored_finding(f) for f in row["findings"]),
                message_id=row["message_id"],
            )
            for row in rows
        ]
        vendor = next((r["vendor"] for r in rows if r["vendor"]), None)
        assessed = self.analyzer.assess_thread(messages)
        for episode in assessed:
            if not episode.risk.suggest_call:
                continue
            self.store.save_call_suggestion(
                thread_id,
                episode.start,
                {
                    "vendor": vendor,
                    "subject": rows[0]["subject"],
                    "message_id": rows[episode.stop - 1]["message_id"],
                    "reasons": episode.risk.reasons,
                    "score": episode.risk.score,
                    "evidence": [evidence_record(e) for e in episode.risk.evidence],
                    "status": "resolved" if episode.resolution else "open",
                    "resolution": episode.resolution,
                    "resolved_at": now_iso() if episode.resolution else None,
                },
            )
        open_start = assessed[-1].start
        if len(assessed) > 1:
            self.store.resolve_call_suggestions(thread_id, open_start, assessed[-2].resolution)


def finding_record(finding: Finding, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "vendor": row["vendor"],
        "thread_id": row["thread_id"],
        "message_key": row["message_key"],
        "message_id": row["message_id"],
        "subject": row["subject"],
        "date": row["date"],
        "evidence": [evidence_record(e) for e in finding.evidence],
        "suggestion": finding.suggestion,
        "notes": list(finding.notes) or None,
    }


def evidence_record(evidence: Evidence) -> dict[str, Any]:
    return {k: v for k, v in asdict(evidence).items() if v is not None}


def stored_finding(row: dict[str, Any]) -> Finding:
    evidence = row["evidence"]
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    return Finding(
        kind=row["kind"],
        severity=row["severity"],
        evidence=tuple(
            Evidence(e["sentence"], e["rule"], e.get("reason", ""), e.get("hint")) for e in evidence
        ),
        suggestion=row["suggestion"] or "",
    )
