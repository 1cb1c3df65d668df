"""`vendorwatch demo`: the whole pipeline on the bundled sample mailbox, no server needed."""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.text import Text

from . import config as config_mod
from .importer import import_path
from .output import emit
from .store import Store


def sample_dir() -> Path:
    return Path(str(resources.files("vendorwatch.daemon") / "sample"))


def run_demo(keep: Path | None = None) -> None:
    console = Console()
    sample = sample_dir()
    config = config_mod.load(sample / "config.toml")
    workdir = Path(tempfile.mkdtemp(prefix="vendorwatch-demo-")) if keep is None else keep
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "demo.db"
    if db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    try:
        with Store.open(db) as store:
            store.save_vendors(
                [
                    {
                        "name": v.name,
                        "addresses": v.addresses,
                        "domains": v.domains,
                        "locale": v.locale,
                        "timezone": v.timezone,
                    }
                    for v in config.vendors
                ]
            )
            _show(console, store, config, sample / "sample.mbox")
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if keep is not None:
        console.print(
            Text(
                f"\nThe demo database is kept at {db}. Try:\n"
                f"  vendorwatch --db {db} vendor PixelCraft\n"
                f"  vendorwatch --db {db} search invoice",
                style="dim",
            )
        )


def _show(console: Console, store: Store, config: config_mod.Config, mbox: Path) -> None:
    console.rule("vendorwatch demo")
    console.print(
        Text(
            f"Owner: {config.owner.name} <{', '.join(config.owner.addresses)}>, "
            f"{config.owner.timezone}, working hours {config.owner.working_hours}"
        )
    )
    result = import_path(mbox, config, store)
    console.print(
        Text(
            f"Imported {result.stored} messages from the sample mailbox "
            f"({len(result.errors)} unparseable)."
        )
    )
    today = config.owner.today()
    console.rule(f"vendors (as of {today})")
    emit(
        [
            dict(
                v,
                on_time="no data" if v["on_time_rate"] is None else f"{v['on_time_rate']:.0%}",
                unpaid=", ".join(f"{c} {a}" for c, a in v["unpaid_totals"].items()),
            )
            for v in store.vendors_overview(today)
        ],
        as_json=False,
        columns=["name", "messages", "open_deliveries", "on_time", "unpaid", "last_contact"],
    )
    console.rule("threads per vendor")
    for vendor in config.vendors:
        record = store.vendor(vendor.name)
        emit(
            record["threads"],
            as_json=False,
            title=vendor.name,
            columns=["last", "messages", "subject"],
        )
    console.rule("mail that is not with a vendor")
    noise = store.query(
        "SELECT date, from_addr AS 'from', subject, coalesce(auto_reply, '') AS automatic "
        "FROM messages WHERE vendor IS NULL ORDER BY date_utc"
    )
    emit(noise, as_json=False, columns=["date", "from", "subject", "automatic"])
    _show_analysis(console, store, config)
    _show_tracking(console, store, today)
    known = [a for v in config.vendors for a in (*v.addresses, *v.domains)]
    candidates = store.vendor_candidates(known, config.owner.addresses)
    if candidates:
        console.rule("possible vendors not in the config")
        emit(candidates, as_json=False, columns=["address", "name", "threads", "last_contact"])


def _show_analysis(console: Console, store: Store, config: config_mod.Config) -> None:
    from .calls import suggestions

    console.rule("calls to suggest")
    for row in suggestions(store, config):
        console.print(
            Text(
                f"{row['vendor']}: {row['subject']}  (score {row['score']:.2f}, "
                f"{', '.join(row['reasons'])})",
                style="bold",
            )
        )
        console.print(Text("  " + row["why"]))
        for evidence in row["evidence"][:6]:
            console.print(Text(f"  - [{evidence['rule']}] {evidence['sentence']}"))
        slots = ", ".join(
            s["start"][:16].replace("T", " ") + " (theirs " + s["vendor_start"][11:16] + ")"
            for s in row["proposed_slots"]
        )
        console.print(Text(f"  proposed: {slots}"))
    console.rule("findings")
    rows = store.findings(limit=40)
    for row in rows:
        row["why"] = "; ".join(f"{e['rule']}: {e['sentence']}" for e in row["evidence"][:3])
    emit(
        rows,
        as_json=False,
        columns=["date", "kind", "severity", "vendor", "why"],
        empty="no findings",
    )
    langs = store.query(
        "SELECT vendor, group_concat(DISTINCT lang) AS languages FROM messages "
        "WHERE vendor IS NOT NULL AND direction = 'in' GROUP BY vendor ORDER BY vendor"
    )
    console.rule("languages the vendors write in")
    emit(langs, as_json=False, columns=["vendor", "languages"])


def _show_tracking(console: Console, store: Store, today) -> None:
    console.rule("deliveries, deadlines and payments (vendorwatch due --all)")
    rows = store.due(today, include_done=True)
    for row in rows:
        row["what"] = row["text"] or (
            f"invoice {row['invoice_number']}: {row['currency'] or ''} {row['amount'] or '?'}"
        )
    emit(
        rows,
        as_json=False,
        columns=["due_date", "status", "kind", "vendor", "what", "done_on"],
        empty="nothing tracked",
    )
    console.rule("invoices (vendorwatch invoices)")
    emit(
        store.invoices(today),
        as_json=False,
        columns=["vendor", "number", "amount", "currency", "issued", "due", "status", "paid_on"],
        empty="no invoices",
    )
