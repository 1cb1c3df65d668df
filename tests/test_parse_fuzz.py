"""Property tests: random and broken MIME never makes parse or ingest raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vendorwatch.daemon import config as config_mod
from vendorwatch.daemon.ingest import Ingestor
from vendorwatch.daemon.parse import parse
from vendorwatch.daemon.sources import Location, RawMessage
from vendorwatch.daemon.store import Store

CHARSETS = ["utf-8", "iso-8859-1", "koi8-r", "gb2312", "x-unknown", "utf-16", ""]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-bogus", ""]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
raw_bytes = st.binary(max_size=120)


@st.composite
def header_value(draw) -> str:
    kind = draw(st.sampled_from(["plain", "encoded", "broken", "nul"]))
    value = draw(text).replace("\n", " ").replace("\r", " ")
    if kind == "encoded":
        return f"=?{draw(st.sampled_from(CHARSETS)) or 'utf-8'}?B?{draw(text)}?="
    if kind == "broken":
        return "=?utf-8?Q?" + value
    if kind == "nul":
        return value + "\x00" + value
    return value


@st.composite
def part(draw, depth: int) -> bytes:
    ctype = draw(
        st.sampled_from(
            [
                "text/plain",
                "text/html",
                "application/octet-stream",
                "multipart/mixed",
                "multipart/alternative",
                "message/rfc822",
                "image/png",
                "",
            ]
        )
    )
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    head = f"Content-Type: {ctype}"
    if ctype.startswith("multipart/") and depth < 4:
        boundary = draw(st.sampled_from(["b1", "==x==", "", "a" * 80]))
        head += f'; boundary="{boundary}"'
        children = draw(st.lists(part(depth + 1), max_size=3))
        body = b"".join(f"--{boundary}\n".encode() + c + b"\n" for c in children)
        if draw(st.booleans()):
            body += f"--{boundary}--\n".encode()
    elif ctype == "message/rfc822" and depth < 4:
        body = draw(message(depth + 1))
    else:
        body = draw(st.one_of(raw_bytes, text.map(lambda t: t.encode("utf-8", "replace"))))
    if charset:
        head += f"; charset={charset}"
    head += f"\nContent-Transfer-Encoding: {encoding}\n"
    return head.encode() + b"\n" + body


@st.composite
def message(draw, depth: int = 0) -> bytes:
    headers = {
        "From": draw(header_value()),
        "To": draw(header_value()),
        "Subject": draw(header_value()),
        "Date": draw(
            st.sampled_from(
                ["Mon, 02 Nov 2026 10:00:00 +0000", "garbage", "31 Feb 2026 99:99:99", ""]
            )
        ),
        "Message-ID": draw(st.sampled_from(["<a@b>", "", "no-brackets", "<>", "<x y>"])),
        "References": draw(header_value()),
    }
    lines = [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"X-Extra-{i}: {draw(text)}" for i in range(draw(st.integers(0, 3)))]
    head = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8", "replace")
    return head + b"\nMIME-Version: 1.0\n" + draw(part(depth))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message())
def test_parse_never_raises(raw):
    parsed = parse(raw)
    assert parsed.key
    assert isinstance(parsed.new_text, str) and isinstance(parsed.subject, str)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(message(), raw_bytes), min_size=1, max_size=5))
def test_ingest_stores_every_message_and_keeps_the_raw(tmp_path, raws):
    config = config_mod.Config(path=None)
    with Store.open(tmp_path / "fuzz.db") as store, Ingestor(store, config, workers=1) as ing:
        batch = [
            RawMessage(Location("fuzz", "f", 0, str(i) + ":" + str(id(raws))), raw, len(raw))
            for i, raw in enumerate(raws)
        ]
        ing.ingest(batch)
        for raw in raws:
            key = parse(raw).key
            assert store.raw_message(key) is not None
