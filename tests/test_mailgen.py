"""bench/mailgen.py: the generated mailbox has to be deterministic and look like real mail.

Benchmarks and load tests are only comparable between runs if the same seed gives the same
bytes, and only meaningful if every message parses and threads the way real mail does.
"""

from __future__ import annotations

import email
import email.policy
import importlib.util
import mailbox
import statistics
import sys
from collections import Counter
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path
from types import ModuleType

import pytest

MAILGEN_PATH = Path(__file__).resolve().parents[1] / "bench" / "mailgen.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mailgen", MAILGEN_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mailgen", module)  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


mailgen = _load()
N = 1500
HEADERS = BytesHeaderParser(policy=email.policy.default)


@pytest.fixture(scope="module")
def messages() -> list[bytes]:
    return list(mailgen.generate(N, seed=11))


@pytest.fixture(scope="module")
def parsed(messages: list[bytes]) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(m, policy=email.policy.default) for m in messages]


def test_deterministic_per_seed() -> None:
    first = list(mailgen.generate(300, seed=5))
    assert first == list(mailgen.generate(300, seed=5))
    assert first != list(mailgen.generate(300, seed=6))


def test_prefix_stable(messages: list[bytes]) -> None:
    """generate(k) is the first k of generate(n): a bigger run extends, it does not reshuffle."""
    assert list(mailgen.generate(500, seed=11)) == messages[:500]


def test_count_and_line_endings(messages: list[bytes]) -> None:
    assert len(messages) == N
    assert all(b"\r\n" not in m and m.endswith(b"\n") for m in messages)
    assert list(mailgen.generate(0)) == []


def test_every_message_parses_cleanly(parsed: list[email.message.EmailMessage]) -> None:
    for msg in parsed:
        for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
            assert msg[name] is not None, name
        assert [d for part in msg.walk() for d in part.defects] == []
        assert msg["Date"].datetime.tzinfo is not None
        body = msg.get_body(("plain", "html"))
        assert body is not None and body.get_content().strip()


def test_message_ids_unique(parsed: list[email.message.EmailMessage]) -> None:
    ids = [str(m["Message-ID"]) for m in parsed]
    assert len(set(ids)) == len(ids)


def test_references_consistent(parsed: list[email.message.EmailMessage]) -> None:
    """In-Reply-To names an earlier message; References = parent's References + parent's id."""
    refs_of: dict[str, list[str]] = {}
    replies = 0
    for msg in parsed:
        mid = str(msg["Message-ID"])
        references = str(msg["References"] or "").split()
        if msg["In-Reply-To"] is not None:
            replies += 1
            parent = str(msg["In-Reply-To"])
            assert parent in refs_of, "reply before its parent"
            assert references == [*refs_of[parent], parent]
        refs_of[mid] = references
    assert replies > N * 0.15


def test_date_order(parsed: list[email.message.EmailMessage]) -> None:
    dates = [m["Date"].datetime for m in parsed]
    assert dates == sorted(dates)
    assert dates[0] >= datetime(2026, 1, 5, tzinfo=UTC)


def test_size_distribution(messages: list[bytes], parsed) -> None:
    sizes = [len(m) for m in messages]
    assert 600 <= statistics.median(sizes) <= 2500
    assert max(sizes) <= 70_000
    assert sum(s > 10_000 for s in sizes) >= 5  # a few large newsletters and attachments
    with_attachment = sum(1 for m in parsed if any(True for _ in m.iter_attachments()))
    assert 0.02 <= with_attachment / N <= 0.10
    alternative = sum(
        1 for m in parsed if any(p.get_content_type() == "multipart/alternative" for p in m.walk())
    )
    assert 0.15 <= alternative / N <= 0.85


def _vendor_domains() -> dict[str, str]:
    return {d: v["name"] for v in mailgen.vendor_config() for d in v["domains"]}


def test_vendor_config_matches_generated_mail(parsed) -> None:
    config = mailgen.vendor_config()
    assert len(config) == 20
    assert mailgen.vendor_config(3) == config  # a config for one seed fits every seed
    for vendor in config:
        assert set(vendor) == {"name", "addresses", "domains"}
        assert all(a.split("@")[1] in vendor["domains"] for a in vendor["addresses"])
    domains = _vendor_domains()
    known = {a for v in config for a in v["addresses"]}
    seen = set()
    for msg in parsed:
        sender = parseaddr(str(msg["From"]))[1]
        if sender.split("@")[1] in domains:
            assert sender in known
            seen.add(domains[sender.split("@")[1]])
    assert len(seen) >= 15


@pytest.mark.parametrize("share", [0.1, 0.3, 0.6])
def test_vendor_share(share: float) -> None:
    domains = _vendor_domains()
    parsed = [HEADERS.parsebytes(m) for m in mailgen.generate(1500, seed=2, vendor_share=share)]

    def is_vendor(msg: email.message.EmailMessage) -> bool:
        addrs = [parseaddr(str(msg[h] or ""))[1] for h in ("From", "To")]
        return any(a.split("@")[-1] in domains for a in addrs)

    measured = sum(map(is_vendor, parsed)) / len(parsed)
    assert abs(measured - share) < 0.1


def test_vendor_threads_two_to_eight(parsed) -> None:
    domains = _vendor_domains()
    root_of: dict[str, str] = {}
    sizes: Counter[str] = Counter()
    for msg in parsed:
        mid = str(msg["Message-ID"])
        refs = str(msg["References"] or "").split()
        root = refs[0] if refs else mid
        root_of[mid] = root
        addrs = [parseaddr(str(msg[h]))[1] for h in ("From", "To")]
        if any(a.split("@")[-1] in domains for a in addrs):
            sizes[root] += 1
    assert sizes and max(sizes.values()) <= 8
    assert any(n >= 4 for n in sizes.values())


def test_owner_parameter() -> None:
    msgs = [
        HEADERS.parsebytes(m)
        for m in mailgen.generate(200, seed=1, owner="dana@brightleaf.example")
    ]
    parties = {parseaddr(str(m[h]))[1] for m in msgs for h in ("From", "To")}
    assert "dana@brightleaf.example" in parties
    assert "owner@test.example" not in parties
    assert any(parseaddr(str(m["From"]))[1] == "dana@brightleaf.example" for m in msgs)


def test_start_parameter() -> None:
    start = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    first = email.message_from_bytes(
        next(mailgen.generate(1, start=start)), policy=email.policy.default
    )
    assert first["Date"].datetime >= start


def test_cli_maildir_and_mbox(tmp_path: Path) -> None:
    assert mailgen.main(["120", str(tmp_path / "md")]) == 0
    for sub in ("cur", "new", "tmp"):
        assert (tmp_path / "md" / sub).is_dir()
    maildir = mailbox.Maildir(str(tmp_path / "md"), create=False)
    assert len(maildir) == 120
    assert mailgen.main(["120", "--mbox", str(tmp_path / "gen.mbox")]) == 0
    box = mailbox.mbox(str(tmp_path / "gen.mbox"), create=False)
    assert len(box) == 120
    expected = list(mailgen.generate(120))
    first = box.get_bytes(box.keys()[0])
    assert first.rstrip(b"\n") == expected[0].rstrip(b"\n")
