"""`vendorwatch import`: a file source fed through the same ingest pipeline as IMAP."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from . import files
from .config import Config
from .ingest import BatchResult, Ingestor
from .progress import Progress, QuietProgress
from .store import Store


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
    messages = files.read(path, config.sync.max_message_bytes)

    def batches():
        while batch := list(islice(messages, batch_size)):
            yield batch, None, len(batch)

    with Ingestor(store, config) as ingestor:
        return ingestor.ingest_all(batches(), progress)
