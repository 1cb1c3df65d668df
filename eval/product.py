"""End-to-end figures on a labeled folder: the product's own pipeline, as a user runs it.

Imports every thread of a folder in the vendor-threads-dev format into a temporary
database with `vendorwatch import`, then compares what was stored with the labels:
call suggestions (thread level) and each reason, ambiguous sentences (sentence level),
and message language. Prints all / dev / held-back figures (eval.dataset.split).

    python eval/product.py [FOLDER] [-v]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import DEFAULT, parts_of, prf  # noqa: E402

from vendorwatch.daemon import config as config_mod  # noqa: E402
from vendorwatch.daemon.importer import import_path  # noqa: E402
from vendorwatch.daemon.store import Store  # noqa: E402

REASONS = ("ambiguity", "language_barrier", "confusion")


def owner_of(labels: list[dict]) -> str:
    readme = (DEFAULT / "README.md").read_text() if (DEFAULT / "README.md").exists() else ""
    found = re.search(r"`([\w.+-]+@[\w.-]+)`", readme)
    return found[1] if found else "owner@northwind-studio.example"


def make_config(folder: Path, labels: list[dict], work: Path) -> config_mod.Config:
    vendors: dict[str, dict] = {}
    for thread in labels:
        vendor = thread.get("vendor")
        if vendor and thread.get("is_vendor_thread"):
            entry = vendors.setdefault(vendor["name"], {"addresses": set(), "domains": set()})
            entry["addresses"].add(vendor["email"].lower())
            entry["domains"].add(vendor["email"].split("@")[1].lower())
    data = {
        "owner": {"addresses": [owner_of(labels)], "timezone": "America/New_York"},
        "vendors": [
            {"name": name, "addresses": sorted(v["addresses"]), "domains": sorted(v["domains"])}
            for name, v in vendors.items()
        ],
        "storage": {"database": str(work / "eval.db")},
    }
    return config_mod.parse(data, work / "eval.toml")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def matches(labeled: str, flagged: set[str]) -> bool:
    want = normalise(labeled)
    return any(want in f or f in want for f in flagged if f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    labels = json.loads((args.folder / "labels.json").read_text())
    with imported(args.folder, labels) as store:
        observed = collect(store)
    report(labels, observed, parts_of(labels), args.verbose)


@contextmanager
def imported(folder: Path, labels: list[dict]) -> Iterator[Store]:
    """The folder imported by the product's own pipeline into a temporary database."""
    with tempfile.TemporaryDirectory(prefix="vw-eval-") as tmp:
        work = Path(tmp)
        os.environ["VENDORWATCH_HOME"] = str(work)
        config = make_config(folder, labels, work)
        with Store.open(config.database) as store:
            store.save_vendors(
                [
                    {"name": v.name, "addresses": v.addresses, "domains": v.domains}
                    for v in config.vendors
                ]
            )
            import_path(folder / "threads", config, store)
            yield store


def collect(store: Store) -> dict:
    where = {
        r["message_key"]: r["item"] for r in store.query("SELECT message_key, item FROM locations")
    }
    messages = {}
    for row in store.query("SELECT message_key, thread_id, lang FROM messages"):
        thread_dir, _, name = where[row["message_key"]].partition("/")
        messages[(thread_dir, int(name.split(".")[0]))] = row
    flagged: dict[tuple[str, int], set[str]] = {}
    for f in store.query("SELECT message_key, evidence FROM findings WHERE kind = 'ambiguity'"):
        thread_dir, _, name = where[f["message_key"]].partition("/")
        key = (thread_dir, int(name.split(".")[0]))
        flagged.setdefault(key, set()).update(
            normalise(e["sentence"]) for e in json.loads(f["evidence"])
        )
    by_thread_id = {row["thread_id"]: key[0] for key, row in messages.items()}
    calls: dict[str, set[str]] = {}
    for c in store.query("SELECT thread_id, reasons FROM call_suggestions"):
        label_thread = by_thread_id.get(c["thread_id"])
        if label_thread:
            calls.setdefault(label_thread, set()).update(json.loads(c["reasons"]))
    return {"messages": messages, "flagged": flagged, "calls": calls}


def report(labels: list[dict], observed: dict, parts: dict[str, set[str]], verbose: bool) -> None:
    print(f"{'figure':38} {'all':>16} {'dev':>16} {'held':>16}")
    rows = {}
    for part, ids in parts.items():
        threads = [t for t in labels if t["thread_id"] in ids]
        rows.setdefault("call suggestion (vendor threads)", {})[part] = _calls(
            threads, observed, None, verbose and part == "all"
        )
        for reason in REASONS:
            rows.setdefault(f"  reason {reason}", {})[part] = _calls(
                threads, observed, reason, False
            )
        rows.setdefault("ambiguous sentences (owner, vendor threads)", {})[part] = _ambiguous(
            threads, observed, verbose and part == "all"
        )
        rows.setdefault("message language accuracy", {})[part] = _language(threads, observed)
    for name, values in rows.items():
        print(f"{name:38} " + " ".join(f"{values[p]:>16}" for p in parts))


def _calls(threads: list[dict], observed: dict, reason: str | None, verbose: bool) -> str:
    tp = fp = fn = 0
    for thread in threads:
        if not thread.get("is_vendor_thread"):
            continue
        got = observed["calls"].get(thread["thread_id"])
        if reason is None:
            want, have = thread["call_suggested"], got is not None
        else:
            want, have = reason in thread["call_reasons"], bool(got and reason in got)
        tp, fp, fn = tp + (want and have), fp + (have and not want), fn + (want and not have)
        if verbose and want != have:
            print(
                f"  call {'missed' if want else 'false'}: {thread['thread_id']} "
                f"want {thread['call_reasons']} got {sorted(got or [])}"
            )
    p, r, f = prf(tp, fp, fn)
    return f"P{p:.2f} R{r:.2f} F{f:.2f}"


def _ambiguous(threads: list[dict], observed: dict, verbose: bool) -> str:
    tp = fp = fn = 0
    for thread in threads:
        if not thread.get("is_vendor_thread"):
            continue
        for message in thread["messages"]:
            if message["direction"] != "out":
                continue
            flagged = observed["flagged"].get((thread["thread_id"], message["n"]), set())
            labeled = message.get("ambiguous_sentences", [])
            found = [s for s in labeled if matches(s, flagged)]
            tp += len(found)
            fn += len(labeled) - len(found)
            wrong = [f for f in flagged if not any(matches(s, {f}) for s in labeled)]
            fp += len(wrong)
            if verbose:
                for s in labeled:
                    if s not in found:
                        print(f"  missed {thread['thread_id']}/{message['n']}: {s}")
                for f in wrong:
                    print(f"  false  {thread['thread_id']}/{message['n']}: {f}")
    p, r, f = prf(tp, fp, fn)
    return f"P{p:.2f} R{r:.2f} F{f:.2f}"


def _language(threads: list[dict], observed: dict) -> str:
    right = total = 0
    for thread in threads:
        for message in thread["messages"]:
            row = observed["messages"].get((thread["thread_id"], message["n"]))
            if row is None or row["lang"] is None:
                continue  # not a vendor message: the product analyses vendor threads only
            total += 1
            right += row["lang"] == message["lang"]
    return f"{right}/{total} = {right / total:.3f}" if total else "n/a"


if __name__ == "__main__":
    main()
