"""`vendorwatch import`: a file source fed through the same ingest pipeline as IMAP."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from . import files
from .config import Config
from .ingest import BatchResult, Ingestor, Job
from .store import Store
from .sync import Progress, QuietProgress


def import_path(
    path: Path,
    config: Config,
    store: Store,
    progress: Progress | None = None,
    *,
    batch_size: int = 500,
) -> BatchResult:
    """Import every message under `path`; messages already imported are skipped."""
    progress = progress or QuietProgress()
    total = files.count(path)
    if total:
        progress.add_total(total)
    result = BatchResult()
    messages = files.read(path, config.sync.max_message_bytes)
    with Ingestor(store, config) as ingestor:
        pending = None
        while batch := list(islice(messages, batch_size)):
            job = ingestor.submit(batch)
            if pending is not None:
                _complete(ingestor, pending, progress, result)
            pending = job
        if pending is not None:
            _complete(ingestor, pending, progress, result)
    return result


def _complete(ingestor: Ingestor, job: Job, progress: Progress, result: BatchResult) -> None:
    batch_result = ingestor.complete(job)
    for error in batch_result.errors:
        progress.note(error)
    result.add(batch_result)
    progress.advance(len(job.batch))
