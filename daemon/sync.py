"""Pulling new mail from the configured IMAP accounts into the store.

Per folder the state is (UIDVALIDITY, last UID). Each batch is stored in the same
transaction as the state that covers it, so an interrupted sync resumes exactly where
the last committed batch ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .config import Account, Config
from .errors import SourceError
from .imap import FolderInfo, ImapSource
from .ingest import BatchResult, Ingestor
from .progress import Progress, QuietProgress
from .store import Store

log = logging.getLogger(__name__)

# At most this much mail per fetched batch (a message over it comes alone): two batches are
# in memory at once (one stored, one parsed), so 200 attachments of 20 MB never are.
BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class FolderReport:
    account: str
    folder: str
    result: BatchResult = field(default_factory=BatchResult)
    error: str | None = None


@dataclass
class _Plan:
    info: FolderInfo
    last_uid: int
    uids: list[int]


def sync_all(
    config: Config,
    store: Store,
    ingestor: Ingestor,
    progress: Progress | None = None,
    accounts: Iterable[str] | None = None,
) -> list[FolderReport]:
    """Sync every configured account (or the named ones); errors are reported per folder."""
    progress = progress or QuietProgress()
    wanted = set(accounts) if accounts else None
    reports: list[FolderReport] = []
    for account in config.accounts:
        if wanted is None or account.name in wanted:
            reports.extend(sync_account(account, config, store, ingestor, progress))
    return reports


def sync_account(
    account: Account, config: Config, store: Store, ingestor: Ingestor, progress: Progress
) -> list[FolderReport]:
    source = ImapSource(account, config.sync.max_message_bytes)
    try:
        source.connect()
    except SourceError as exc:
        store.save_sync_error(account.name, "*", str(exc))
        return [FolderReport(account.name, "*", error=str(exc))]
    try:
        store.save_sync_error(account.name, "*", None)
        return _sync_folders(source, account, store, ingestor, progress)
    finally:
        source.close()


def _sync_folders(
    source: ImapSource, account: Account, store: Store, ingestor: Ingestor, progress: Progress
) -> list[FolderReport]:
    reports: list[FolderReport] = []
    plans: dict[str, _Plan] = {}
    try:
        folders = source.folders()
    except SourceError as exc:
        return [FolderReport(account.name, "*", error=str(exc))]
    for folder in folders:
        try:
            plans[folder] = _plan(source, account, folder, store)
            progress.add_total(len(plans[folder].uids))
        except SourceError as exc:
            store.save_sync_error(account.name, folder, str(exc))
            reports.append(FolderReport(account.name, folder, error=str(exc)))
    for folder, plan in plans.items():
        report = FolderReport(account.name, folder)
        reports.append(report)
        try:
            _sync_folder(source, account, folder, plan, store, ingestor, progress, report)
        except SourceError as exc:
            report.error = str(exc)
            store.save_sync_error(account.name, folder, str(exc))
            if source.client is None:
                break
        else:
            store.save_sync_error(account.name, folder, None)
    return reports


def sync_folder(
    source: ImapSource,
    account: Account,
    folder: str,
    store: Store,
    ingestor: Ingestor,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> FolderReport:
    """Sync one folder on an open connection, as `sync --once` does for each folder.

    `vendorwatch run` calls this when IDLE or a poll says a folder changed. `stop` is asked
    between batches, so a shutdown waits for one batch at most; `progress` hears of each
    batch. A failure is recorded for `status` and raised: the caller decides whether the
    connection is still usable.
    """
    report = FolderReport(account.name, folder)
    progress = progress or QuietProgress()
    try:
        plan = _plan(source, account, folder, store)
        _sync_folder(source, account, folder, plan, store, ingestor, progress, report, stop)
    except SourceError as exc:
        store.save_sync_error(account.name, folder, str(exc))
        raise
    store.save_sync_error(account.name, folder, None)
    return report


def _plan(source: ImapSource, account: Account, folder: str, store: Store) -> _Plan:
    info = source.examine(folder)
    state = store.sync_state(account.name, folder)
    last_uid = 0
    if state is not None and state.uidvalidity == info.uidvalidity:
        last_uid = state.last_uid
    elif state is not None and state.uidvalidity is not None:
        log.warning(
            "%s/%s: UIDVALIDITY changed (%s -> %s): rescanning the folder; "
            "messages already stored are recognised and not duplicated",
            account.name,
            folder,
            state.uidvalidity,
            info.uidvalidity,
        )
    return _Plan(info, last_uid, source.uids_after(last_uid))


def _sync_folder(
    source: ImapSource,
    account: Account,
    folder: str,
    plan: _Plan,
    store: Store,
    ingestor: Ingestor,
    progress: Progress,
    report: FolderReport,
    stop: Callable[[], bool] | None = None,
) -> None:
    info = source.examine(folder)
    if info.uidvalidity != plan.info.uidvalidity:
        plan = _plan(source, account, folder, store)
    uidvalidity = info.uidvalidity
    if not plan.uids:
        with store.transaction():
            store.save_sync_state(account.name, folder, uidvalidity, plan.last_uid)
        return
    size = account.batch_size

    def saver(top: int):
        return lambda s: s.save_sync_state(account.name, folder, uidvalidity, top)

    def batches():
        for start in range(0, len(plan.uids), size):
            for chunk in source.split(plan.uids[start : start + size], BATCH_BYTES):
                if stop is not None and stop():
                    return  # the batches stored so far are complete, with their sync state
                yield source.fetch(chunk), saver(chunk[-1]), len(chunk)

    report.result.add(ingestor.ingest_all(batches(), progress))
