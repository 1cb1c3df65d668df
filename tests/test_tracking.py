"""Tracking through the product: the sample mailbox imported with the CLI, then `due`,
`invoices`, `vendors`, `vendor`, `mark` and the date-dependent findings, checked against
the sample's own ground truth (daemon/sample/expected.json)."""

from __future__ import annotations

import json
import mailbox
import os
from datetime import date

import pytest

from vendorwatch.daemon.demo import sample_dir
from vendorwatch.daemon.store import Store

TODAY = "2026-11-27"  # the day the sample mailbox ends
DUE_FIELDS = (
    "kind",
    "vendor",
    "due_date",
    "status",
    "amount",
    "currency",
    "invoice_number",
    "message_id",
    "done_on",
)
INVOICE_FIELDS = ("vendor", "number", "amount", "currency", "issued", "due", "paid_on", "status")


def _import(run_cli, db, mbox) -> None:
    config = str(sample_dir() / "config.toml")
    result = run_cli("--config", config, "--db", str(db), "import", str(mbox))
    assert result.code == 0, result.err


@pytest.fixture(scope="module")
def expected():
    return json.loads((sample_dir() / "expected.json").read_text())


@pytest.fixture
def sample_db(tmp_path, run_cli):
    db = tmp_path / "sample.db"
    _import(run_cli, db, sample_dir() / "sample.mbox")
    return db


def _cli(run_cli, db, *args):
    result = run_cli("--config", str(sample_dir() / "config.toml"), "--db", str(db), *args)
    assert result.code == 0, result.err
    return result


def test_invoices_match_the_sample(sample_db, run_cli, expected):
    rows = json.loads(_cli(run_cli, sample_db, "invoices", "--as-of", TODAY, "--json").out)
    assert all(field in row for row in rows for field in INVOICE_FIELDS)
    got = {r["number"]: r for r in rows}
    want = {i["number"]: i for t in expected["threads"] for i in t.get("invoices", [])}
    assert set(got) == set(want)
    for number, inv in want.items():
        row = got[number]
        assert (row["amount"], row["currency"], row["issued"], row["due"]) == (
            inv["amount"],
            inv["currency"],
            inv["issued"],
            inv["due"],
        ), number
        assert row["paid_on"] == inv["paid_on"], number
    assert got["SC-2026-017"]["status"] == "overdue"
    assert got["INV-2041"]["status"] == "paid"


def test_due_lists_open_and_overdue_with_the_contract_fields(sample_db, run_cli):
    rows = json.loads(_cli(run_cli, sample_db, "due", "--as-of", TODAY, "--json").out)
    assert rows and all(field in row for row in rows for field in DUE_FIELDS)
    assert {r["status"] for r in rows} <= {"open", "overdue"}
    payments = {r["invoice_number"]: r["status"] for r in rows if r["kind"] == "payment"}
    assert payments == {
        "SC-2026-017": "overdue",
        "LF-2026-12": "open",
        "INV-2057": "open",
        "KN/2026/11": "open",
    }
    everything = json.loads(
        _cli(run_cli, sample_db, "due", "--all", "--as-of", TODAY, "--json").out
    )
    kept = [r for r in everything if r["kind"] == "delivery" and r["vendor"] == "Maria Santos"]
    assert [(r["status"], r["done_on"]) for r in kept] == [("done", "2026-11-12")]


def test_vendors_on_time_and_the_slipping_vendor(sample_db, run_cli, expected):
    rows = {r["name"]: r for r in json.loads(_cli(run_cli, sample_db, "vendors", "--json").out)}
    assert rows["Tiago Souza"]["unpaid_invoices"] == 1
    assert rows["Tiago Souza"]["unpaid_totals"] == {"BRL": "3200.00"}
    assert rows["Lucía Fernández"]["on_time_rate"] == 1.0
    (kacper,) = json.loads(_cli(run_cli, sample_db, "vendor", "Kacper Nowak", "--json").out)
    assert kacper["quality"]["on_time_rate"]["baseline"] == 1.0
    assert kacper["quality"]["on_time_rate"]["window"] <= 0.25
    kinds = {e["kind"] for e in kacper["timeline"]}
    assert {"message", "commitment", "delivery", "invoice", "payment"} <= kinds
    table = _cli(run_cli, sample_db, "vendor", "Kacper Nowak").out
    assert "on time:" in table and "trend" in table


def test_date_dependent_findings_and_marks(sample_db, run_cli):
    with Store.open(sample_db) as store:
        from vendorwatch.daemon import config as config_mod
        from vendorwatch.daemon.followup import refresh

        config = config_mod.load(sample_dir() / "config.toml")
        with store.transaction():
            refresh(store, config, date.fromisoformat(TODAY))
    found = json.loads(_cli(run_cli, sample_db, "findings", "--json").out)
    by_kind: dict[str, list[dict]] = {}
    for f in found:
        by_kind.setdefault(f["kind"], []).append(f)
    (overdue,) = by_kind["payment_overdue"]
    sentence = overdue["evidence"][0]["sentence"]
    assert "SC-2026-017" in sentence and "13 days overdue" in sentence
    assert "Tiago Souza has delivered 2/2 on time" in sentence
    assert {f["vendor"] for f in by_kind["quality_slip"]} == {"Kacper Nowak"}
    assert "on-time 100%" in by_kind["quality_slip"][0]["evidence"][0]["sentence"]
    (due,) = by_kind["payment_due"]  # due within 3 days: 30 November, not 1 December
    assert "LF-2026-12" in due["evidence"][0]["sentence"]
    unreviewed = by_kind["unreviewed_delivery"]
    assert [f["vendor"] for f in unreviewed] == ["PixelCraft"]
    # the owner's record wins, and the finding it answers is closed
    _cli(run_cli, sample_db, "mark", "paid", "SC-2026-017", "--on", "2026-11-20")
    _cli(run_cli, sample_db, "mark", "reviewed", unreviewed[0]["message_id"])
    left = {f["kind"] for f in json.loads(_cli(run_cli, sample_db, "findings", "--json").out)}
    assert "payment_overdue" not in left and "unreviewed_delivery" not in left
    rows = json.loads(_cli(run_cli, sample_db, "invoices", "--as-of", TODAY, "--json").out)
    assert {r["number"]: r["paid_on"] for r in rows}["SC-2026-017"] == "2026-11-20"
    # importing the same mail again changes nothing and overwrites no mark
    _import(run_cli, sample_db, sample_dir() / "sample.mbox")
    again = json.loads(_cli(run_cli, sample_db, "invoices", "--as-of", TODAY, "--json").out)
    assert again == rows
    bad = run_cli("--db", str(sample_db), "mark", "paid", "NOPE-1")
    assert bad.code != 0 and "no invoice numbered 'NOPE-1'" in bad.err
    assert "Traceback" not in bad.err


def test_order_of_arrival_does_not_change_the_result(tmp_path, run_cli, sample_db):
    """Sent mail is synced after the inbox: tracking rebuilt per thread ends the same."""
    box = mailbox.mbox(sample_dir() / "sample.mbox")
    owner = "dana@brightleaf.example"
    inbox = mailbox.mbox(tmp_path / "inbox.mbox")
    sent = mailbox.mbox(tmp_path / "sent.mbox")
    for msg in box:
        (sent if owner in (msg["From"] or "") else inbox).add(msg)
    inbox.flush()
    sent.flush()
    db = tmp_path / "split.db"
    _import(run_cli, db, tmp_path / "inbox.mbox")
    _import(run_cli, db, tmp_path / "sent.mbox")

    def state(path):
        with Store.open(path) as store:
            today = date.fromisoformat(TODAY)
            return (
                store.due(today, include_done=True),
                store.invoices(today),
                [
                    (d["message_id"], d["due_date"], d["reviewed_on"], d["revision_rounds"])
                    for d in store.delivery_rows()
                ],
            )

    ordered, split = state(sample_db), state(db)
    strip = [{k: v for k, v in r.items() if k != "id"} for r in ordered[0]]
    assert strip == [{k: v for k, v in r.items() if k != "id"} for r in split[0]]
    assert [{k: v for k, v in r.items() if k not in ("id", "message_key")} for r in ordered[1]] == [
        {k: v for k, v in r.items() if k not in ("id", "message_key")} for r in split[1]
    ]
    assert sorted(ordered[2]) == sorted(split[2])
    assert os.path.exists(db)


ORIGINALITY_CONFIG = """
[owner]
name = "Dana Whitfield"
addresses = ["dana@brightleaf.example"]
timezone = "Europe/London"

[[vendors]]
name = "PixelCraft"
addresses = ["ravi@pixelcraft.example"]

[[vendors]]
name = "Copywise"
addresses = ["li@copywise.example"]

[tracking]
reference_folder = "{refs}"
"""

ARTICLE = (
    "Our lavender soap is made by hand in small batches in the Cotswolds. Each bar is cured "
    "for six weeks, which gives it a firm texture and a long life in the shower. We use cold "
    "pressed olive oil, shea butter and real lavender oil from a farm in Provence, and no "
    "synthetic fragrance at all. The bars are wrapped in recycled paper printed with plant "
    "based inks, and every order ships in a plastic free box that can go straight into the "
    "recycling bin. Customers with sensitive skin tell us it is the gentlest soap they have "
    "tried, and it leaves a soft scent that lasts through the morning."
)


def _delivery(mid, sender, text, name, when):
    from test_import import message

    msg = message(
        mid,
        sender,
        "dana@brightleaf.example",
        "Product copy",
        "Hi Dana,\n\nAttached is the finished product description.\n",
        when,
    )
    msg.add_attachment(text.encode(), maintype="text", subtype="plain", filename=name)
    return msg


def test_a_copied_delivery_is_an_originality_finding(tmp_path, run_cli):
    from conftest import write_config
    from test_import import write_mbox

    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "competitor.txt").write_text("Completely different text about garden furniture. " * 30)
    config = write_config(tmp_path / "c.toml", ORIGINALITY_CONFIG.format(refs=refs))
    first = _delivery(
        "d1@pixelcraft.example",
        "ravi@pixelcraft.example",
        ARTICLE,
        "lavender.txt",
        "Mon, 02 Nov 2026 10:00:00 +0000",
    )
    copied = ARTICLE.replace("Cotswolds", "Lake District").replace("six weeks", "five weeks")
    second = _delivery(
        "d2@copywise.example",
        "li@copywise.example",
        copied,
        "lavender-soap.txt",
        "Mon, 16 Nov 2026 10:00:00 +0000",
    )
    db = tmp_path / "o.db"
    mbox = write_mbox(tmp_path / "o.mbox", [first, second])
    assert run_cli("--config", str(config), "--db", str(db), "import", str(mbox)).code == 0
    rows = json.loads(
        run_cli(
            "--config", str(config), "--db", str(db), "findings", "--kind", "originality", "--json"
        ).out
    )
    (finding,) = rows
    assert finding["vendor"] == "Copywise"
    sentence = finding["evidence"][0]["sentence"]
    assert "lavender-soap.txt" in sentence and "lavender.txt delivered by PixelCraft" in sentence
    # a reference file the delivery copies is named too
    reference = " ".join(reversed(ARTICLE.split(". "))).replace("soap", "balm")
    (refs / "ours.txt").write_text(reference)
    third = _delivery(
        "d3@copywise.example",
        "li@copywise.example",
        reference + " Thank you.",
        "balm.txt",
        "Mon, 23 Nov 2026 10:00:00 +0000",
    )
    mbox = write_mbox(tmp_path / "p.mbox", [third])
    assert run_cli("--config", str(config), "--db", str(db), "import", str(mbox)).code == 0
    rows = json.loads(
        run_cli(
            "--config", str(config), "--db", str(db), "findings", "--kind", "originality", "--json"
        ).out
    )
    (latest,) = [r for r in rows if r["message_id"] == "d3@copywise.example"]
    assert f"the reference file {refs / 'ours.txt'}" in latest["evidence"][0]["sentence"]


def test_bad_invoices_are_kept_with_notes(tmp_path, run_cli):
    """No amount, an impossible date, two currencies, a PDF that cannot be read and a
    30 MB attachment: each invoice is stored with what could be read and a note."""
    from conftest import write_config
    from test_import import CONFIG, message, write_mbox

    config = write_config(tmp_path / "c.toml", CONFIG)

    def invoice(mid, body, when, attachment=None):
        msg = message(
            mid, "ravi@pixelcraft.example", "dana@brightleaf.example", "Invoice", body, when
        )
        if attachment:
            name, data = attachment
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        return msg

    mails = [
        invoice(
            "i1@pixelcraft.example",
            "Hi Dana,\n\nInvoice INV-901 is attached, due 31/02/2026.\n",
            "Mon, 02 Nov 2026 10:00:00 +0000",
        ),
        invoice(
            "i2@pixelcraft.example",
            "Hi Dana,\n\nInvoice INV-902: total USD 1,200.00 or EUR 1.100,00.\n",
            "Tue, 03 Nov 2026 10:00:00 +0000",
        ),
        invoice(
            "i3@pixelcraft.example",
            "Hi Dana,\n\nInvoice INV-903 attached, Net 30.\n",
            "Wed, 04 Nov 2026 10:00:00 +0000",
            ("INV-903.pdf", b"%PDF-1.4\n%broken beyond repair"),
        ),
        invoice(
            "i4@pixelcraft.example",
            "Hi Dana,\n\nInvoice INV-904 attached: USD 80.00, Net 15.\n",
            "Thu, 05 Nov 2026 10:00:00 +0000",
            ("INV-904.pdf", b"%PDF-1.4\n" + b"\0" * (30 * 1024 * 1024)),
        ),
    ]
    mbox = write_mbox(tmp_path / "bad.mbox", mails)
    db = tmp_path / "bad.db"
    result = run_cli("--config", str(config), "--db", str(db), "import", str(mbox))
    assert result.code == 0 and "Traceback" not in result.err
    rows = {
        r["number"]: r
        for r in json.loads(
            run_cli("--config", str(config), "--db", str(db), "invoices", "--json").out
        )
    }
    assert set(rows) == {"INV-901", "INV-902", "INV-903", "INV-904"}
    assert rows["INV-901"]["amount"] is None and rows["INV-901"]["due"] is None
    assert any("31/02" in n for n in rows["INV-901"]["notes"])
    assert rows["INV-902"]["amount"] is None and rows["INV-902"]["notes"]
    assert rows["INV-903"]["due"] == "2026-12-04"  # what the text says is kept
    assert rows["INV-904"]["amount"] == "80.00" and rows["INV-904"]["currency"] == "USD"
    with Store.open(db) as store:
        notes = {
            r["message_id"]: r["notes"] or ""
            for r in store.query("SELECT message_id, notes FROM messages")
        }
    assert "INV-903.pdf" in notes["i3@pixelcraft.example"]
    assert "INV-904.pdf" in notes["i4@pixelcraft.example"]


def _mail(mid, sender, body, when, parent=None, to="dana@brightleaf.example", **headers):
    from test_import import message

    return message(mid, sender, to, "Landing page", body, when, parent, **headers)


def _run(run_cli, tmp_path, config_text, mails, name="t"):
    from conftest import write_config
    from test_import import write_mbox

    config = write_config(tmp_path / f"{name}.toml", config_text)
    db = tmp_path / f"{name}.db"
    result = run_cli(
        "--config",
        str(config),
        "--db",
        str(db),
        "import",
        str(write_mbox(tmp_path / f"{name}.mbox", mails)),
    )
    assert result.code == 0, result.err
    return config, db


def test_thread_rules_reschedules_other_work_and_undated_mail(tmp_path, run_cli):
    """A new date for the same delivery is answered by it; the owner's deadline for other
    work stays open; an undated owner message does not stop the import."""
    from test_import import CONFIG

    ravi, dana = "ravi@pixelcraft.example", "dana@brightleaf.example"
    ask = _mail(
        "a1@b.example",
        dana,
        "Hi Ravi,\n\nPlease send the drafts by Tuesday 10 November. "
        "Please send the final video by Monday 30 November.\n",
        "Mon, 02 Nov 2026 09:00:00 +0000",
        to=ravi,
    )
    promise = _mail(
        "a2@p.example",
        ravi,
        "Hi Dana,\n\nI will send the drafts by Friday 6 November.\n",
        "Mon, 02 Nov 2026 12:00:00 +0000",
        ask,
    )
    later = _mail(
        "a3@p.example",
        ravi,
        "Hi Dana,\n\nSorry, I will send them on Monday 9 November.\n",
        "Fri, 06 Nov 2026 12:00:00 +0000",
        promise,
    )
    undated = _mail(
        "a4@b.example",
        dana,
        "Hi Ravi,\n\nNo problem, thanks for telling me.\n",
        "Fri, 06 Nov 2026 13:00:00 +0000",
        later,
        to=ravi,
    )
    del undated["Date"]
    done = _mail(
        "a5@p.example",
        ravi,
        "Hi Dana,\n\nAttached are the drafts.\n",
        "Mon, 09 Nov 2026 10:00:00 +0000",
        later,
    )
    done.add_attachment(
        b"draft text " * 50, maintype="text", subtype="plain", filename="drafts.txt"
    )
    config, db = _run(run_cli, tmp_path, CONFIG, [ask, promise, later, undated, done])
    rows = json.loads(
        run_cli(
            "--config",
            str(config),
            "--db",
            str(db),
            "due",
            "--all",
            "--as-of",
            "2026-11-12",
            "--json",
        ).out
    )
    status = {r["text"]: (r["status"], r["done_on"]) for r in rows}
    assert status["I will send the drafts by Friday 6 November."] == ("late", "2026-11-09")
    assert status["Sorry, I will send them on Monday 9 November."] == ("done", "2026-11-09")
    drafts, final = (t for t in status if t.startswith("Please send the"))
    assert status[drafts] == ("done", "2026-11-09")
    assert status[final] == ("open", None)  # other work: not met by the drafts


def test_vendor_added_later_gets_tracking_and_unnumbered_invoice_is_paid(tmp_path, run_cli):
    from test_import import CONFIG

    nina = "nina@copy.example"
    invoice = _mail(
        "b1@copy.example",
        nina,
        "Hi Dana,\n\nPlease find my invoice attached: USD 300.00, due 20 November 2026.\n",
        "Mon, 02 Nov 2026 09:00:00 +0000",
    )
    paid = _mail(
        "b2@b.example",
        "dana@brightleaf.example",
        "Hi Nina,\n\nI paid the USD 300.00 via Wise today.\n",
        "Tue, 10 Nov 2026 09:00:00 +0000",
        invoice,
        to=nina,
    )
    config, db = _run(run_cli, tmp_path, CONFIG, [invoice, paid])
    assert (
        json.loads(run_cli("--config", str(config), "--db", str(db), "invoices", "--json").out)
        == []
    )
    added = CONFIG + '\n[[vendors]]\nname = "Nina"\naddresses = ["nina@copy.example"]\n'
    (tmp_path / "t.toml").write_text(added)
    (row,) = json.loads(run_cli("--config", str(config), "--db", str(db), "invoices", "--json").out)
    assert (row["vendor"], row["number"], row["amount"], row["paid_on"]) == (
        "Nina",
        None,
        "300.00",
        "2026-11-10",
    )
    marked = run_cli(
        "--config", str(config), "--db", str(db), "mark", "paid", row["id"], "--on", "2026-11-09"
    )
    assert marked.code == 0, marked.err
    (row,) = json.loads(run_cli("--config", str(config), "--db", str(db), "invoices", "--json").out)
    assert row["paid_on"] == "2026-11-09" and row["marked"]


def test_overview_counts_in_sql_agree_with_the_quality_figures(sample_db, run_cli):
    """`vendors` counts in SQL what `quality.on_time_events` scores in Python."""
    from vendorwatch.daemon import quality

    _cli(run_cli, sample_db, "mark", "delivered", "c1", "--on", "2026-08-18")
    today = date.fromisoformat(TODAY)
    with Store.open(sample_db) as store:
        for row in store.vendors_overview(today):
            events = quality.on_time_events(
                store.commitment_rows(row["name"]), store.delivery_rows(row["name"]), today
            )
            assert row["on_time_scored"] == len(events), row["name"]
            assert row["on_time_rate"] == quality.rate(events), row["name"]
            open_work = [
                c
                for c in store.commitment_rows(row["name"])
                if c["kind"] == "delivery" and not c["done_on"]
            ]
            assert row["open_deliveries"] == len(open_work), row["name"]
