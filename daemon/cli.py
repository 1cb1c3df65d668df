"""The `vendorwatch` command: thin wrappers over the store's queries and the pipelines.

Every failure a user can cause is a `VendorwatchError`, printed as one line with a
non-zero exit status; query commands share one output helper (`--json` or a table).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import config as config_mod
from .errors import VendorwatchError
from .output import emit, emit_record, safe_text

log = logging.getLogger("vendorwatch")


class Context:
    """What the group options decided; commands ask it for the config and the store."""

    def __init__(self, config_path: str | None, db_path: str | None):
        self.config_path = config_path
        self.db_path = db_path
        self._config: config_mod.Config | None = None

    def config(self, required: bool = False) -> config_mod.Config:
        if self._config is None:
            self._config = config_mod.load(
                self.config_path, database=self.db_path, required=required
            )
            for warning in self._config.warnings:
                click.echo(f"vendorwatch: warning: {warning}", err=True)
        return self._config

    def store(self, create: bool = False):
        from .store import Store

        config = self.config()
        store = Store.open(config.database, create=create)
        if config.path is not None:
            _sync_vendor_table(store, config)
        return store


def _sync_vendor_table(store, config: config_mod.Config) -> None:
    """Keep the vendors table equal to the config, re-matching stored mail when it changes."""
    wanted = [
        {
            "name": v.name,
            "addresses": list(v.addresses),
            "domains": list(v.domains),
            "locale": v.locale,
            "timezone": v.timezone,
        }
        for v in config.vendors
    ]
    current = [
        {
            "name": r["name"],
            "addresses": json.loads(r["addresses"]),
            "domains": json.loads(r["domains"]),
            "locale": r["locale"],
            "timezone": r["timezone"],
        }
        for r in store.query("SELECT * FROM vendors")
    ]
    key = functools.partial(sorted, key=lambda v: v["name"])
    if key(wanted) == key(current):
        return
    from .identity import Parties

    store.save_vendors(wanted)
    changed = store.reassign_vendors(Parties.from_config(config).vendor)
    if changed and config.sync.analysis:
        from .followup import refresh
        from .tracker import Tracker

        with store.transaction():
            Tracker(store, config).track(changed, replace=True)  # newly matched mail
            refresh(store, config)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--config` and `--db` on every command, as well as on the group."""

    @click.option(
        "--config",
        "config_path",
        default=None,
        help="Config file (default: $VENDORWATCH_CONFIG or the user config dir).",
    )
    @click.option(
        "--db",
        "db_path",
        default=None,
        help="Database file (default: [storage] database, or the user data dir).",
    )
    @click.pass_context
    @functools.wraps(func)
    def wrapper(
        ctx: click.Context, config_path: str | None, db_path: str | None, **kwargs: Any
    ) -> Any:
        state = ctx.find_object(Context) or Context(None, None)
        if config_path:
            state.config_path = config_path
            state._config = None
        if db_path:
            state.db_path = db_path
            state._config = None
        return ctx.invoke(func, state, **kwargs)

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=None, help="Config file.")
@click.option("--db", "db_path", default=None, help="Database file.")
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
)
@click.version_option(package_name="vendorwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_path: str | None, log_level: str) -> None:
    """Watch your email with vendors: vague instructions, late work, unpaid invoices."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(config_path, db_path)


@cli.command()
@click.option("--once", is_flag=True, help="One pass over every folder, then exit (default).")
@click.option("--account", "accounts", multiple=True, help="Only this account (repeatable).")
@common_options
def sync(state: Context, once: bool, accounts: tuple[str, ...]) -> None:
    """Fetch new mail from the configured IMAP accounts (read-only)."""
    from .ingest import Ingestor
    from .progress import make_progress
    from .sync import sync_all

    config = state.config(required=True)
    if not config.accounts:
        raise VendorwatchError(f"{config.path}: no [[accounts]] configured: nothing to sync")
    unknown = set(accounts) - {a.name for a in config.accounts}
    if unknown:
        raise VendorwatchError(f"no account named {sorted(unknown)[0]!r} in {config.path}")
    store = state.store(create=True)
    progress = make_progress("sync")
    before = store.counts()["messages"]
    try:
        with Ingestor(store, config) as ingestor:
            reports = sync_all(config, store, ingestor, progress, accounts or None)
    except KeyboardInterrupt:
        progress.close()
        stored = store.counts()["messages"] - before
        raise Interrupted(
            f"interrupted after storing {stored} new messages; run the same command to resume"
        ) from None
    progress.close()
    failed = [r for r in reports if r.error]
    for report in reports:
        r = report.result
        line = (
            f"{report.account}/{report.folder}: {r.stored} new, {r.duplicates} already "
            f"stored, {len(r.errors)} unparseable"
        )
        click.echo(
            line
            if not report.error
            else f"{report.account}/{report.folder}: error: {report.error}",
            err=bool(report.error),
        )
    if failed:
        sys.exit(1)


class Interrupted(VendorwatchError):
    exit_code = 130


@cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@common_options
def import_(state: Context, path: Path, batch_size: int) -> None:
    """Import an mbox file, a Maildir, or a folder of message files."""
    from .importer import import_path
    from .progress import make_progress

    config = state.config()
    store = state.store(create=True)
    progress = make_progress(f"import {path.name}")
    try:
        result = import_path(path, config, store, progress, batch_size=batch_size)
    except KeyboardInterrupt:
        progress.close()
        raise Interrupted(
            "interrupted; run the same command to resume (messages already stored are skipped)"
        ) from None
    progress.close()
    click.echo(
        f"{path}: {result.stored} new, {result.duplicates} already stored, "
        f"{result.skipped} already imported, {len(result.errors)} unparseable"
    )


@cli.command()
@click.option("--vendor", help="Only messages with this vendor.")
@click.option("--thread", help="Only this thread id.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(0),
    help="At most this many (0: all).",
)
@json_option
@common_options
def messages(
    state: Context, vendor: str | None, thread: str | None, limit: int, as_json: bool
) -> None:
    """Messages, newest first."""
    with state.store() as store:
        rows = store.messages(vendor=vendor, thread=thread, limit=limit or None)
    emit(rows, as_json=as_json, columns=["date", "direction", "vendor", "from", "subject", "lang"])


@cli.command()
@click.option(
    "--candidates",
    is_flag=True,
    help="Correspondents who look like vendors but are not configured.",
)
@json_option
@common_options
def vendors(state: Context, candidates: bool, as_json: bool) -> None:
    """Vendors with message counts, open work and unpaid invoices."""
    config = state.config()
    with state.store() as store:
        if candidates:
            known = [a for v in config.vendors for a in (*v.addresses, *v.domains)]
            owner = list(config.owner.addresses) + [a.username for a in config.accounts]
            rows = store.vendor_candidates(known, owner)
            emit(
                rows,
                as_json=as_json,
                empty="no vendor candidates",
                columns=["address", "name", "threads", "received", "sent", "last_contact"],
            )
            return
        rows = store.vendors_overview(config.owner.today())
    if not as_json:
        rows = [
            dict(
                r,
                on_time=_percent(r["on_time_rate"]),
                unpaid=", ".join(f"{c} {a}" for c, a in r["unpaid_totals"].items()),
            )
            for r in rows
        ]
    emit(
        rows,
        as_json=as_json,
        empty="no vendors configured",
        columns=[
            "name",
            "messages",
            "open_deliveries",
            "unpaid_invoices",
            "unpaid",
            "on_time",
            "last_contact",
        ],
    )


def _percent(rate: float | None) -> str:
    return "no data" if rate is None else f"{rate * 100:.0f}%"


@cli.command()
@click.argument("name")
@json_option
@common_options
def vendor(state: Context, name: str, as_json: bool) -> None:
    """One vendor's history: quality figures with their trend, threads and a timeline of
    messages, commitments, deliveries, invoices, payments and findings."""
    from .quality import sparkline

    config = state.config()
    with state.store() as store:
        record = store.vendor(name, config.owner.today(), config.tracking.quality_window_days)
    if as_json:
        emit([record], as_json=True)  # the contract: one JSON array of objects
        return
    figures = record["quality"]
    emit_record(
        {k: v for k, v in record.items() if k not in ("quality", "unpaid_totals")}, as_json=False
    )
    click.echo(f"unpaid: {', '.join(f'{c} {a}' for c, a in record['unpaid_totals'].items())}")
    trend = figures["trend"]
    click.echo(
        f"on time: {figures['on_time']['on_time']}/{figures['on_time']['scored']} "
        f"(last {figures['window_days']} days: {_percent(figures['on_time_rate']['window'])}, "
        f"before: {_percent(figures['on_time_rate']['baseline'])}); trend "
        f"{sparkline([p['on_time_rate'] for p in trend])} "
        f"({' → '.join(_percent(p['on_time_rate']) for p in trend)})"
    )
    rounds, hours = figures["revision_rounds"]["all"], figures["response_hours"]["all"]
    click.echo(
        "revision rounds per delivery: "
        + ("no data" if rounds is None else f"{rounds:.1f}")
        + "; median response: "
        + ("no data" if hours is None else f"{hours:.0f} h")
    )
    emit(record["threads"], as_json=False, title="threads", columns=["last", "messages", "subject"])
    emit(
        record["timeline"][-40:],
        as_json=False,
        title="timeline (latest 40)",
        columns=["date", "kind", "direction", "what"],
    )


@cli.command()
@json_option
@common_options
def status(state: Context, as_json: bool) -> None:
    """Per account and folder: last sync, messages, errors."""
    with state.store() as store:
        rows = store.status()
    emit(
        rows,
        as_json=as_json,
        empty="nothing synced yet",
        columns=["account", "folder", "last_sync", "messages", "errors", "last_error"],
    )


@cli.command()
@click.argument("text")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@json_option
@common_options
def search(state: Context, text: str, limit: int, as_json: bool) -> None:
    """Full-text search over subjects, senders and message text."""
    with state.store() as store:
        rows = store.search(text, limit)
    emit(rows, as_json=as_json, empty="no match", columns=["date", "vendor", "subject", "snippet"])


FINDING_KINDS = [
    "ambiguity",
    "language_barrier",
    "confusion",
    "unreviewed_delivery",
    "originality",
    "quality_slip",
    "payment_due",
    "payment_overdue",
    "delivery_late",
]


@cli.command()
@click.option("--kind", type=click.Choice(FINDING_KINDS), help="Only this kind.")
@click.option("--vendor", help="Only this vendor.")
@click.option(
    "--all", "include_dismissed", is_flag=True, help="Include dismissed and resolved findings."
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0))
@json_option
@common_options
def findings(
    state: Context,
    kind: str | None,
    vendor: str | None,
    include_dismissed: bool,
    limit: int,
    as_json: bool,
) -> None:
    """What the analysis found, newest first, each with its evidence and what to do."""
    with state.store() as store:
        rows = store.findings(
            kind=kind, vendor=vendor, include_dismissed=include_dismissed, limit=limit or None
        )
    if as_json:
        emit(rows, as_json=True)
        return
    for row in rows:
        row["why"] = "; ".join(f"{e['rule']}: {e['sentence']}" for e in row["evidence"])
    emit(
        rows,
        as_json=False,
        empty="no findings",
        columns=["id", "date", "kind", "severity", "vendor", "why", "suggestion"],
    )


@cli.command()
@click.option("--all", "include_closed", is_flag=True, help="Include resolved suggestions.")
@click.option(
    "--ics",
    "ics_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one .ics invitation per suggestion into this directory.",
)
@json_option
@common_options
def calls(state: Context, include_closed: bool, ics_dir: Path | None, as_json: bool) -> None:
    """Threads where a call would help, why, and three times that suit both sides."""
    from .calls import suggestions, write_ics

    config = state.config()
    with state.store() as store:
        rows = suggestions(store, config, include_closed=include_closed)
    if ics_dir is not None:
        for path in write_ics(rows, ics_dir, config):
            click.echo(f"wrote {path}", err=True)
    if as_json:
        emit(rows, as_json=True)
        return
    for row in rows:
        row["slots"] = ", ".join(s["start"][:16].replace("T", " ") for s in row["proposed_slots"])
        row["evidence_"] = " | ".join(e["sentence"] for e in row["evidence"][:3])
    emit(
        rows,
        as_json=False,
        empty="no calls to suggest",
        columns=["vendor", "subject", "reasons", "score", "evidence_", "slots"],
    )


@cli.command()
@click.argument("source", type=click.File("r", encoding="utf-8", errors="replace"))
@json_option
@common_options
def lint(state: Context, source, as_json: bool) -> None:
    """Check a draft instruction (FILE, or - for stdin) before sending it.

    Exit status 1 when a sentence is ambiguous, 0 when the text is clear.
    """
    from vendorwatch.nlp.lint import lint as run_lint
    from vendorwatch.nlp.model import ModelNotFound

    text = source.read()
    try:
        report = run_lint(text, state.config().analysis.spacy_model)
    except ModelNotFound as exc:
        raise VendorwatchError(str(exc)) from None
    if as_json:
        emit(
            [
                {"sentence": e.sentence, "rule": e.rule, "reason": e.reason, "hint": e.hint}
                for e in report.issues
            ],
            as_json=True,
        )
    else:
        for e in report.issues:
            click.echo(
                f"{safe_text(e.sentence)}\n  {e.rule}: {e.reason}"
                + (f"\n  hint: {e.hint}" if e.hint else "")
            )
        if not report.issues:
            click.echo("clear: no ambiguous sentence found")
    for a in report.advice:  # advice goes to stderr, so --json output stays one array
        mark = "ok " if a.ok else "tip"
        click.echo(f"{mark} {a.metric} = {safe_text(a.value)}: {a.message}", err=True)
    if report.cut:
        click.echo("note: the text was long; only its beginning was checked", err=True)
    sys.exit(1 if report.issues else 0)


@cli.command()
@click.option("--all", "include_done", is_flag=True, help="Include what is done (on time or late).")
@click.option("--vendor", help="Only this vendor.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Status on this day.")
@json_option
@common_options
def due(state: Context, include_done: bool, vendor: str | None, as_of, as_json: bool) -> None:
    """Upcoming and overdue deliveries, deadlines and payments."""
    config = state.config()
    today = as_of.date() if as_of else config.owner.today()
    with state.store() as store:
        rows = store.due(today, include_done=include_done, vendor=vendor)
    if not as_json:
        rows = [dict(r, what=r["text"] or _money(r)) for r in rows]
    emit(
        rows,
        as_json=as_json,
        empty="nothing due",
        columns=["id", "due_date", "status", "kind", "vendor", "what", "done_on"],
    )


def _money(row: dict[str, Any]) -> str:
    amount = f"{row['currency'] or ''} {row['amount'] or '?'}".strip()
    return f"invoice {row['invoice_number'] or '(no number)'}: {amount}"


@cli.command()
@click.option("--vendor", help="Only this vendor.")
@click.option("--unpaid", is_flag=True, help="Only invoices not paid yet.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Status on this day.")
@json_option
@common_options
def invoices(state: Context, vendor: str | None, unpaid: bool, as_of, as_json: bool) -> None:
    """Invoices with amount, due date and whether (and when) they were paid."""
    config = state.config()
    today = as_of.date() if as_of else config.owner.today()
    with state.store() as store:
        rows = store.invoices(today, vendor=vendor, unpaid=unpaid)
    emit(
        rows,
        as_json=as_json,
        empty="no invoices",
        columns=["vendor", "number", "amount", "currency", "issued", "due", "status", "paid_on"],
    )


@cli.group()
def mark() -> None:
    """Record what the mail does not say: analysis never overwrites these."""


def _mark_command(kind: str, argument: str, help_text: str) -> None:
    @mark.command(kind, help=help_text)
    @click.argument("target", metavar=argument)
    @click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date (default: today).")
    @click.option("--vendor", help="The vendor, when two vendors use the same invoice number.")
    @common_options
    def command(state: Context, target: str, on, vendor: str | None) -> None:
        config = state.config()
        day = (on.date() if on else config.owner.today()).isoformat()
        with state.store() as store:
            key = store.mark_target(kind, target, vendor)
            store.add_mark(kind, key, day)
            with store.transaction():
                from .followup import refresh

                refresh(store, config)
        click.echo(f"marked {target} {kind} on {day}")


_mark_command("paid", "INVOICE", "An invoice is paid (by its number).")
_mark_command("delivered", "ID", "A commitment is delivered (its id in `vendorwatch due`).")
_mark_command(
    "reviewed", "DELIVERY", "A delivery is reviewed (its id or Message-ID, as in findings)."
)


@cli.command()
@click.argument("finding_id", type=int)
@common_options
def dismiss(state: Context, finding_id: int) -> None:
    """Dismiss a finding; re-analysis never brings it back."""
    with state.store() as store:
        store.dismiss_finding(finding_id)
    click.echo(f"dismissed finding {finding_id}")


@cli.command()
@click.option(
    "--keep",
    "keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the demo database in this directory instead of a temporary one.",
)
def demo(keep: Path | None) -> None:
    """Run the whole pipeline on the bundled sample mailbox (no server needed)."""
    from .demo import run_demo

    run_demo(keep)


@cli.command()
@click.option("--print", "show", is_flag=True, help="Show it in the terminal (the default).")
@click.option("--send", "send_now", is_flag=True, help="Email it now to [summary] recipients.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Build it for another day (YYYY-MM-DD), as of that day's summary time.",
)
@click.option("--force", is_flag=True, help="With --send: send again a day already sent.")
@json_option
@common_options
def summary(
    state: Context, show: bool, send_now: bool, day: Any, force: bool, as_json: bool
) -> None:
    """The daily summary: calls, payments, deliveries, quality, who waits on whom."""
    from datetime import UTC, datetime

    from .scheduler import send_summary
    from .summary import collect, local_day, render_text

    config = state.config()
    now = datetime.now(UTC)
    target = day.date() if day else local_day(now, config)
    with state.store() as store:
        if target == config.owner.today():
            from .followup import refresh

            with store.transaction():
                refresh(store, config, target)  # today's due and overdue, as of now
        built = collect(store, config, target, now)
        if as_json:
            emit(built.as_dicts(), as_json=True)
        elif show or not send_now:
            click.echo(render_text(built), nl=False)
        if send_now:
            outcome = send_summary(store, config, target, now, force=force, quiet_rule=False)
            record = store.summary_record(target) or {}
            messages = {
                "sent": f"summary for {target} sent to {', '.join(config.summary.recipients)}",
                "done": f"summary for {target} already went out at {record.get('sent_at')} "
                "(--force sends it again)",
                "busy": f"summary for {target} is being sent by another process",
            }
            click.echo(messages[outcome], err=True)
            if outcome != "sent":
                sys.exit(1)


@cli.command()
@click.option(
    "--log-level",
    "run_log_level",
    default=None,
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    help="Log level of the daemon (default: info), also accepted after `run`.",
)
@common_options
def run(state: Context, run_log_level: str | None) -> None:
    """Run the daemon: IMAP IDLE push, polling, the daily summary.

    Stops on SIGTERM or Ctrl-C; SIGHUP reloads the config. Under systemd it speaks the
    notify protocol (Type=notify, WatchdogSec=). Logs at info level (each sync with new
    mail, reconnects) unless --log-level says otherwise.
    """
    from . import logsetup
    from .service import run_service

    group = click.get_current_context().find_root()
    explicit = group.get_parameter_source("log_level") != click.core.ParameterSource.DEFAULT
    if run_log_level:
        level = getattr(logging, run_log_level.upper())
    else:
        level = logging.getLogger().level if explicit else logging.INFO
    logsetup.configure(level)
    config = state.config(required=True)

    def reload() -> config_mod.Config:
        return config_mod.load(config.path, database=state.db_path, required=True)

    def summary_scheduler(current: config_mod.Config):
        from .scheduler import SummaryScheduler

        return SummaryScheduler(current, current.database)

    run_service(
        config,
        load_config=reload,
        sync_vendors=_sync_vendor_table,
        scheduler_factory=summary_scheduler,
    )


@cli.command()
@common_options
def check(state: Context) -> None:
    """Check the config, and that each IMAP account and the SMTP server answer."""
    from .checks import run_checks

    config = state.config(required=True)
    problems = run_checks(config, click.echo)
    if problems:
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr for every error a user can cause."""
    try:
        cli.main(args=argv, prog_name="vendorwatch", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("vendorwatch: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except VendorwatchError as exc:
        click.echo(f"vendorwatch: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("vendorwatch: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # a bug: say so in one line, traceback on request
        if os.environ.get("VENDORWATCH_DEBUG"):
            raise
        text = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(
            f"vendorwatch: internal error: {type(exc).__name__}: {text} "
            "(set VENDORWATCH_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(70)
