"""`vendorwatch run`: the always-on service that hears new mail within seconds.

Threads and why:

- one *IDLE watcher* per IDLE folder per account, each with its own connection (IMAP
  IDLE watches the selected folder only). It leaves and re-enters IDLE every
  `idle_renew` seconds, well before the 29 minutes after which servers may drop an idle
  client, and syncs the folder then too, so a lost notification costs minutes, not days.
  A server without IDLE gets the same folder polled every `poll_interval` seconds;
- one *poll watcher* per account for the other synced folders (Sent), every
  `poll_interval` seconds;
- the main thread: signals, config reload, systemd status and watchdog, the scheduler.

New mail goes through `sync.sync_folder`, the code `sync --once` runs per folder. All
database access of the watchers goes through one `Writer` lock, so SQLite has a single
writer and a batch is committed whole with the sync state that covers it: a stop, a
crash or a lost connection never leaves half a batch, and the next sync resumes after
the last committed one. Every watcher reconnects on its own after any network failure,
with exponential backoff and jitter; a refused login waits much longer and is logged
once. SIGTERM and SIGINT stop the service; SIGHUP reloads the config.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .backoff import AUTH_RETRY, Backoff, auth_delay
from .config import Account, Config
from .errors import SecretError, SourceError, VendorwatchError
from .imap import ImapSource, LoginRefused
from .ingest import Ingestor
from .lock import DatabaseLock
from .sdnotify import Notifier
from .store import Store
from .sync import FolderReport, sync_folder

log = logging.getLogger(__name__)

# Ready for analysis before the first message: loading the spaCy model and the language
# profiles takes seconds, which must not be paid by the first new mail.
WARM_UP_TEXTS = (
    ("out", "Please send the final files by Friday and keep the layout as agreed."),
    ("in", "Thanks, I will send the files tomorrow morning."),
)


CATCH_UP_ROUNDS = 10  # a folder filling faster than this is left to the next round


@dataclass(frozen=True)
class Timings:
    """Every interval of the service, in seconds (tests shrink them)."""

    idle_renew: float = 8 * 60  # servers may log out a client idle for 30 minutes
    idle_check: float = 1.0  # how often a watcher in IDLE looks at the stop flag
    stop_timeout: float = 4.0  # SIGTERM to exit stays within systemd's and users' patience
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    auth_retry: float = AUTH_RETRY
    # READY=1 is sent after the first login; if no server answers for this long (a laptop
    # offline at boot) it is sent anyway, so systemd does not kill a daemon that is
    # correctly retrying. Below systemd's default TimeoutStartSec of 90 s.
    startup_grace: float = 45.0
    # The summary scheduler starts once every folder has been synced once (its catch-up
    # summary should include the night's mail), or after this long at the latest.
    scheduler_grace: float = 600.0
    tick: float = 0.5  # the main loop's period


class Scheduler(Protocol):
    """What the service needs of the summary scheduler (daemon/scheduler.py)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def reconfigure(self, config: Config) -> None: ...


def idle_folders(account: Account) -> tuple[str, ...]:
    """The folders watched with IDLE: `idle`, limited to `folders` when that is given."""
    if account.folders is None:
        return account.idle
    return tuple(f for f in account.idle if f in account.folders)


class Writer:
    """The only database writer of the process; watchers sync folders through it.

    The lock is held for a whole folder sync (plan, fetch, store): one folder at a time
    is plenty for one owner's mail, and it keeps the sync code exactly that of `sync`.
    """

    def __init__(
        self,
        store: Store,
        config: Config,
        sync_vendors: Callable[[Store, Config], None] | None = None,
    ):
        self.lock = threading.Lock()
        self.pending: Config | None = None  # a reloaded config waiting for the writer
        self.store = store
        self.config = config
        self.sync_vendors = sync_vendors
        self.ingestor = _ingestor(store, config)
        self.stored = 0  # new messages since start
        self.last_new: float | None = None  # time.time() of the last new message
        self.last_progress: float | None = None  # monotonic, while a sync holds the lock
        self.closed = False

    def sync(
        self, source: ImapSource, account: Account, folder: str, halt: threading.Event
    ) -> FolderReport | None:
        """Sync one folder; None when the service is stopping (nothing was done)."""
        with self.lock:
            if halt.is_set() or self.closed:
                return None
            self._apply_pending()
            self.last_progress = time.monotonic()
            try:
                report = sync_folder(
                    source, account, folder, self.store, self.ingestor, halt.is_set, self
                )
            finally:
                self.last_progress = None
            if report.result.stored:
                self.stored += report.result.stored
                self.last_new = time.time()
        result = report.result
        if result.stored or result.duplicates:
            log.info(
                "%s/%s: %d new, %d already stored",
                account.name,
                folder,
                result.stored,
                result.duplicates,
            )
        return report

    def record_error(self, account: str, folder: str, error: str | None) -> None:
        """Keep `vendorwatch status` truthful about a connection that is down (or back).
        Best effort: it runs while handling another failure, which it must not replace
        (a busy or full database is reported by the next sync)."""
        with self.lock:
            if self.closed:
                return
            try:
                self.store.save_sync_error(account, folder, error)
            except (sqlite3.Error, VendorwatchError) as exc:
                log.debug("status of %s/%s not saved: %s", account, folder, exc)

    def warm_up(self) -> None:
        """Load the analysis models now (under the lock: nothing can be stored before)."""
        if not self.ingestor.analysis:
            return
        from vendorwatch.nlp.analyze import Analyzer, MessageInput
        from vendorwatch.nlp.model import ModelNotFound

        from .analysis import AnalysisError

        config = self.config
        with self.lock:
            started = time.monotonic()
            try:
                Analyzer(config.analysis.spacy_model, config.owner.language).analyze(
                    [MessageInput(direction, text) for direction, text in WARM_UP_TEXTS]
                )
            except ModelNotFound as exc:
                raise AnalysisError(
                    f"{exc} (or turn analysis off: [sync] analysis = false)"
                ) from None
            log.info("analysis ready (models loaded in %.1f s)", time.monotonic() - started)

    def reconfigure(self, config: Config) -> None:
        """New vendors and owner settings take effect for the next message stored. Never
        waits for a sync in progress (a catch-up can take minutes and the main loop must
        keep answering signals and the watchdog): the config is applied by the writer
        before its next folder, or here when it is free."""
        self.pending = config
        self.apply_pending()

    def apply_pending(self) -> None:
        if self.pending is None or not self.lock.acquire(blocking=False):
            return
        try:
            self._apply_pending()
        finally:
            self.lock.release()

    def _apply_pending(self) -> None:
        """Under the lock: switch to the reloaded config; a failure keeps the old one."""
        config, self.pending = self.pending, None
        if config is None or self.closed:
            return
        try:
            if self.sync_vendors is not None and config.path is not None:
                self.sync_vendors(self.store, config)
            old, self.ingestor = self.ingestor, _ingestor(self.store, config)
        except Exception as exc:
            _log_contained("the reloaded vendors were not applied", exc)
            return
        self.config = config
        old.close()

    # the Progress protocol: each stored batch proves a long sync is not stuck
    def add_total(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        self.last_progress = time.monotonic()

    def note(self, message: str) -> None:
        log.warning("%s", message)

    def stalled(self, limit: float) -> bool:
        """A sync has stored nothing for `limit` seconds (the systemd watchdog stops
        pinging then). A long catch-up stores a batch every few seconds and is not
        stalled."""
        since = self.last_progress
        return since is not None and time.monotonic() - since > limit

    def close(self, timeout: float) -> bool:
        """Close the store unless a thread still writes (its transaction then rolls back
        when the process exits: SQLite never keeps half a transaction)."""
        if not self.lock.acquire(timeout=max(timeout, 0.0)):
            return False
        try:
            self.closed = True
            self.ingestor.close()
            self.store.close()
        finally:
            self.lock.release()
        return True


def _ingestor(store: Store, config: Config) -> Ingestor:
    """Parsing in this process: new mail comes a few messages at a time, where a pool of
    parse workers saves nothing, and idle workers would hold ~40 MB each for months
    (measured by bench/soak.py: 199 MB for the daemon, +131 MB for the pool). The first
    import of a large mailbox is faster with `vendorwatch sync --once`, which has them."""
    return Ingestor(store, config, workers=1)


class Watcher(threading.Thread):
    """One connection of one account: IDLE on `folder`, or (folder None) polling the
    account's folders that no IDLE watcher has."""

    def __init__(
        self, service: Service, account: Account, folder: str | None, halt: threading.Event
    ):
        label = folder or "poll"
        super().__init__(name=f"vw-{account.name}-{label}", daemon=True)
        self.service = service
        self.account = account
        self.folder = folder
        self.halt = halt
        timings = service.timings
        self.backoff = Backoff(timings.backoff_base, timings.backoff_cap)
        self.state = "starting"
        self.connected = False
        self.synced_once = False
        self.finished = False
        self.renewals = 0  # IDLE commands re-issued without news (for tests and debugging)
        self._problem: str | None = None
        self._wake = threading.Event()

    def wake(self) -> None:
        """End a pause now: the service is stopping, or a reload asks for a retry."""
        self._wake.set()

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    @property
    def label(self) -> str:
        return (
            f"{self.account.name}/{self.folder}"
            if self.folder
            else f"{self.account.name} (polling)"
        )

    def run(self) -> None:
        try:
            while not self.halt.is_set():
                delay = self._session()
                if delay is None or self.halt.is_set():
                    break
                self.state = f"retrying in {delay:.0f} s: {self._problem}"
                self._pause(delay)
        except Exception as exc:  # a bug or a database failure: the service stops
            self.service.fail(exc)
        finally:
            self.finished = True
            self.connected = False

    # -- one connection ------------------------------------------------------------------

    def _session(self) -> float | None:
        """Connect and serve until the connection fails (the wait before the next try is
        returned) or the service stops (None)."""
        blocked = self.service.login_blocked.get(self.account.name, 0.0) - time.monotonic()
        if blocked > 0:
            return blocked  # another connection of this account was just refused
        source = ImapSource(self.account, self.service.config.sync.max_message_bytes)
        self.state = "connecting"
        try:
            source.connect()
        except LoginRefused as exc:
            self._report(str(exc), auth=True)
            delay = auth_delay(retry=self.service.timings.auth_retry)
            self.service.login_blocked[self.account.name] = time.monotonic() + delay
            return delay
        except (SourceError, SecretError) as exc:
            self._report(str(exc))
            return self.backoff.next()
        self._wake.clear()  # a wake meant for an earlier pause
        try:
            self._recovered()
            self.connected = True
            self.service.on_connected(self)
            return self._serve(source)
        except SourceError as exc:
            self._report(str(exc))
            return self.backoff.next()
        except sqlite3.OperationalError as exc:  # e.g. locked beyond busy_timeout: transient
            self._report(f"database busy: {exc}")
            return self.backoff.next()
        finally:
            self.connected = False
            source.close()

    def _serve(self, source: ImapSource) -> float | None:
        if self.folder is None:
            return self._poll(source, None)
        if not source.has_idle():
            self.service.note_once(
                f"{self.account.name}: the server does not support IDLE; polling "
                f"{self.folder} every {self.account.poll_interval} s"
            )
            return self._poll(source, [self.folder])
        return self._idle(source, self.folder)

    def _idle(self, source: ImapSource, folder: str) -> None:
        timings = self.service.timings
        self._catch_up(source, folder)  # what arrived while we were away
        while not self.halt.is_set():
            source.idle_start()
            self.state = f"IDLE on {folder}"
            renew_at = time.monotonic() + timings.idle_renew
            changed = False
            while not changed and not self.halt.is_set() and time.monotonic() < renew_at:
                changed = source.idle_wait(timings.idle_check)
            changed = source.idle_done() or changed
            if self.halt.is_set():
                return None
            if not changed:
                self.renewals += 1
            self._catch_up(source, folder)  # after a renewal too: a missed notice costs minutes
        return None

    def _catch_up(self, source: ImapSource, folder: str) -> None:
        """Sync until no message arrived during the sync itself.

        Mail that arrives while the sync runs is announced in the responses to its
        commands, not again in IDLE; without this second look it would wait for the next
        new message or the next renewal (seen in bench/soak.py before this loop existed).
        """
        for _ in range(CATCH_UP_ROUNDS):
            before = source.examine(folder).exists
            self._sync(source, folder)
            after = source.announced_exists()
            if self.halt.is_set() or after is None or after <= before:
                return

    def _poll(self, source: ImapSource, folders: list[str] | None) -> None:
        if folders is None:
            watched = set(idle_folders(self.account))
            folders = [f for f in source.folders() if f not in watched]
            if not folders:
                log.debug("%s: every folder is watched with IDLE; no polling", self.label)
                return None
        self.state = f"polling {', '.join(folders)} every {self.account.poll_interval} s"
        while not self.halt.is_set():
            failed: list[SourceError] = []
            for folder in folders:
                if self.halt.is_set():
                    return None
                try:
                    self._sync(source, folder)
                except SourceError as exc:
                    failed.append(exc)
            if len(failed) == len(folders):
                raise failed[-1]  # nothing worked: most likely the connection is gone
            for exc in failed:  # one folder's own problem (e.g. deleted): said once
                self.service.note_once(str(exc), level=logging.WARNING)
            self._pause(self.account.poll_interval)
        return None

    def _sync(self, source: ImapSource, folder: str) -> None:
        self.service.writer.sync(source, self.account, folder, self.halt)
        if not self.synced_once:
            self.synced_once = True
        self.backoff.reset()  # a connection that works: the next failure starts small

    # -- problems, logged once -----------------------------------------------------------

    def _report(self, problem: str, auth: bool = False) -> None:
        """Log a problem once per account (its connections share it) until it recovers."""
        if self.service.first_report(self.account.name, problem):
            if auth:
                log.error(
                    "%s; retrying in about %s (fix the password, then "
                    "`systemctl reload vendorwatch` or send SIGHUP)",
                    problem,
                    _duration(self.service.timings.auth_retry),
                )
            else:
                log.warning("%s; reconnecting with backoff", problem)
            self.service.writer.record_error(self.account.name, "*", problem)
        else:
            log.debug("%s (again)", problem)
        self._problem = problem

    def _recovered(self) -> None:
        if self._problem is not None:
            log.info("%s: connected again", self.label)
            self.service.writer.record_error(self.account.name, "*", None)
            self.service.forget_reports(self.account.name)
        self._problem = None

    def status(self) -> str:
        return f"{self.label}: {self.state}"


class Service:
    """Starts the watchers and runs the main loop until `request_stop()`."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        load_config: Callable[[], Config] | None = None,
        sync_vendors: Callable[[Store, Config], None] | None = None,
        scheduler_factory: Callable[[Config], Scheduler] | None = None,
        notifier: Notifier | None = None,
        timings: Timings | None = None,
    ):
        self.config = config
        self.timings = timings or Timings()
        self.writer = Writer(store, config, sync_vendors)
        self.load_config = load_config
        self.scheduler_factory = scheduler_factory
        self.scheduler: Scheduler | None = None
        self.notifier = notifier or Notifier({})
        self.watchers: list[Watcher] = []
        self.stop_event = threading.Event()
        self.reload_event = threading.Event()
        self._stop_signal = False  # set by signal handlers, which must not take locks
        self._reload_signal = False
        self._halt = threading.Event()  # the current generation of watchers
        # account -> monotonic time before which nobody logs in again: its IDLE and poll
        # connections share one refused password, so they share the slow retry too
        self.login_blocked: dict[str, float] = {}
        self._error: BaseException | None = None
        self._ready = False
        self._connected_once = threading.Event()
        self._notes: set[str] = set()
        self._reports: dict[str, set[str]] = {}
        self._reports_lock = threading.Lock()
        self._status = ""
        self._started = time.monotonic()

    # -- called from other threads, and from signal handlers --------------------------

    def request_stop(self) -> None:
        self.stop_event.set()

    def request_reload(self) -> None:
        self.reload_event.set()  # the main loop picks it up within one tick

    def signalled(self, stop: bool = False, reload: bool = False) -> None:
        """For signal handlers: only sets flags. A handler runs in the main thread between
        two bytecodes, possibly while that thread holds the lock inside `stop_event`
        (in its wait): calling `Event.set()` there deadlocks the daemon for good (seen:
        SIGTERM during start-up). The main loop turns the flags into events each tick."""
        if stop:
            self._stop_signal = True
        if reload:
            self._reload_signal = True

    def fail(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
            if not isinstance(exc, VendorwatchError):
                log.error("stopping on an unexpected error", exc_info=exc)
        self.stop_event.set()

    def on_connected(self, watcher: Watcher) -> None:
        self._connected_once.set()

    def first_report(self, account: str, problem: str) -> bool:
        """True the first time `problem` is reported for `account` since it last connected."""
        with self._reports_lock:
            seen = self._reports.setdefault(account, set())
            if problem in seen:
                return False
            seen.add(problem)
            return True

    def forget_reports(self, account: str) -> None:
        with self._reports_lock:
            self._reports.pop(account, None)

    def note_once(self, text: str, level: int = logging.INFO) -> None:
        """Log a line the first time only (e.g. a folder that keeps failing in every poll)."""
        if text not in self._notes:
            self._notes.add(text)
            log.log(level, "%s", text)

    # -- the main loop -------------------------------------------------------------------

    def run(self) -> None:
        """Serve until stopped; a fatal error (database, analysis model) is raised."""
        self._start_thread("vw-warm-up", self.writer.warm_up)
        self._start_watchers(self.config)
        last_ping = 0.0
        try:
            while True:
                self.stop_event.wait(self._tick())
                if self._stop_signal or self.stop_event.is_set():
                    break
                if self._reload_signal or self.reload_event.is_set():
                    self._reload_signal = False
                    self.reload_event.clear()
                    self._reload()
                self.writer.apply_pending()
                self._maybe_ready()
                self._maybe_start_scheduler()
                self._update_status()
                last_ping = self._maybe_ping(last_ping)
        finally:
            self._shutdown()
        if self._error is not None:
            raise self._error

    def _tick(self) -> float:
        interval = self.notifier.watchdog_interval
        return min(self.timings.tick, interval) if interval else self.timings.tick

    def _start_thread(self, name: str, target: Callable[[], Any]) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except Exception as exc:
                self.fail(exc)

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        return thread

    def _start_watchers(self, config: Config) -> None:
        self._halt = threading.Event()
        self.watchers = []
        for account in config.accounts:
            ignored = [f for f in account.idle if f not in idle_folders(account)]
            if ignored:
                self.note_once(
                    f"{account.name}: idle folder {ignored[0]!r} is not in folders; not watched",
                    logging.WARNING,
                )
            for folder in idle_folders(account):
                self.watchers.append(Watcher(self, account, folder, self._halt))
            self.watchers.append(Watcher(self, account, None, self._halt))
        for watcher in self.watchers:
            watcher.start()

    def _halt_watchers(self) -> None:
        self._halt.set()
        for watcher in self.watchers:
            watcher.wake()

    def _stop_watchers(self, deadline: float) -> list[Watcher]:
        """Stop the current watchers; those still running at `deadline` are returned."""
        self._halt_watchers()
        for watcher in self.watchers:
            watcher.join(max(0.0, deadline - time.monotonic()))
        return [w for w in self.watchers if w.is_alive()]

    def _maybe_ready(self) -> None:
        if self._ready:
            return
        waited = time.monotonic() - self._started
        if self._connected_once.is_set():
            self._ready = True
            self._status = self._compose_status()
            log.info("ready: %s", self._status)
            self.notifier.ready(self._status)
        elif waited > self.timings.startup_grace:
            self._ready = True
            status = f"no mail server reachable yet, still trying; {self._compose_status()}"
            log.warning("%s", status)
            self.notifier.ready(status)

    def _maybe_start_scheduler(self) -> None:
        if self.scheduler is not None or self.scheduler_factory is None or not self._ready:
            return
        caught_up = all(w.synced_once or w.finished for w in self.watchers)
        if not caught_up and time.monotonic() - self._started < self.timings.scheduler_grace:
            return
        try:
            scheduler = self.scheduler_factory(self.config)
            scheduler.start()
        except Exception as exc:  # the summary failing must not stop the mail from flowing
            self.scheduler_factory = None  # reported once
            _log_contained("summary scheduler not started", exc)
            return
        self.scheduler = scheduler

    def _update_status(self) -> None:
        status = self._compose_status()
        if status != self._status:
            self._status = status
            self.notifier.status(status)

    def _compose_status(self) -> str:
        live = [w for w in self.watchers if not w.finished]
        down = [w for w in live if not w.connected]
        idle = sum(1 for w in live if w.connected and w.state.startswith("IDLE"))
        parts = [f"{len(self.config.accounts)} account(s), {idle} folder(s) in IDLE"]
        if down:
            parts.append(f"{len(down)} of {len(live)} connection(s) down ({down[0].status()})")
        parts.append(f"{self.writer.stored} new message(s) since start")
        if self.writer.last_new is not None:
            parts.append(
                f"last at {time.strftime('%H:%M:%S', time.localtime(self.writer.last_new))}"
            )
        return "; ".join(parts)

    def _maybe_ping(self, last: float) -> float:
        interval = self.notifier.watchdog_interval
        if not interval:
            return last
        now = time.monotonic()
        if now - last < interval:
            return last
        # a sync stuck for a whole watchdog period (two pings) means no ping: systemd restarts
        if self.writer.stalled(interval * 2 + self.timings.stop_timeout):
            return last
        self.notifier.watchdog()
        return now

    def _reload(self) -> None:
        if self.load_config is None:
            return
        log.info("SIGHUP: reloading the config")
        try:
            new = self.load_config()
        except VendorwatchError as exc:
            log.error("config not reloaded, the running one is kept: %s", exc)
            return
        if not new.accounts:
            log.error(
                "config not reloaded, the running one is kept: %s has no [[accounts]]", new.path
            )
            return
        for warning in new.warnings:
            log.warning("%s", warning)
        if new.database != self.config.database:
            log.warning(
                "the database path changed to %s: that takes a restart; still using %s",
                new.database,
                self.config.database,
            )
        old = self.config
        self.login_blocked.clear()  # a reload may bring the fixed password: try at once
        self.writer.reconfigure(new)
        self.config = new
        if new.accounts != old.accounts or new.sync != old.sync:
            stuck = self._stop_watchers(time.monotonic() + self.timings.stop_timeout)
            if stuck:
                log.warning("%d old connection(s) still closing", len(stuck))
            try:
                self._start_watchers(new)
            except Exception as exc:  # keep serving with the old connections' settings
                _log_contained("new connections not started; restarting the old ones", exc)
                self.config = old
                self._start_watchers(old)
        else:  # e.g. a fixed password file: try again now, not in 15 minutes
            for watcher in self.watchers:
                watcher.wake()
        if self.scheduler is not None:
            try:
                self.scheduler.reconfigure(new)
            except Exception as exc:
                _log_contained("summary scheduler kept its old settings", exc)
        log.info("config reloaded from %s", new.path)

    def _shutdown(self) -> None:
        self.notifier.stopping("stopping")
        deadline = time.monotonic() + self.timings.stop_timeout
        self._halt_watchers()  # they wind down while the scheduler stops
        if self.scheduler is not None:
            try:
                self.scheduler.stop()
            except Exception as exc:  # stopping must go on whatever the scheduler does
                log.warning("summary scheduler: %s", exc)
        stuck = self._stop_watchers(deadline)
        if stuck:
            log.warning(
                "%s did not close in time; exiting anyway (an unfinished transaction is "
                "rolled back, never half-written)",
                ", ".join(w.label for w in stuck),
            )
        if not self.writer.close(deadline - time.monotonic()):
            log.warning("a sync was still writing; it is rolled back at exit")
        self.notifier.close()


def run_service(
    config: Config,
    *,
    load_config: Callable[[], Config] | None = None,
    sync_vendors: Callable[[Store, Config], None] | None = None,
    scheduler_factory: Callable[[Config], Scheduler] | None = None,
    timings: Timings | None = None,
) -> None:
    """`vendorwatch run`: lock the database, serve until SIGTERM or SIGINT, return."""
    if not config.accounts:
        raise VendorwatchError(f"{config.path}: no [[accounts]] configured: nothing to watch")
    notifier = Notifier()
    with DatabaseLock(config.database):
        store = Store.open(config.database, create=True)
        if sync_vendors is not None and config.path is not None:
            sync_vendors(store, config)
        service = Service(
            config,
            store,
            load_config=load_config,
            sync_vendors=sync_vendors,
            scheduler_factory=scheduler_factory,
            notifier=notifier,
            timings=timings,
        )
        restore = _install_signals(service)
        try:
            service.run()
        finally:
            restore()
    log.info("stopped")


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} minutes" if seconds >= 120 else f"{seconds:.0f} s"


def _log_contained(what: str, exc: Exception) -> None:
    """One line for an error a user can act on; the traceback too for a bug."""
    if isinstance(exc, VendorwatchError):
        log.error("%s: %s", what, exc)
    else:
        log.error("%s: %s: %s", what, type(exc).__name__, exc, exc_info=exc)


def _install_signals(service: Service) -> Callable[[], None]:
    """SIGTERM and SIGINT stop, SIGHUP reloads; returns what undoes it."""
    handlers = {
        signal.SIGTERM: lambda *_: service.signalled(stop=True),
        signal.SIGINT: lambda *_: service.signalled(stop=True),
        signal.SIGHUP: lambda *_: service.signalled(reload=True),
    }
    previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
