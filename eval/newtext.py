"""Measure new-text extraction (quotes and signatures removed) on the public corpora.

Run `python eval/newtext.py [-v] [--corpora DIR]`. Prints one accuracy line per corpus;
`-v` also lists each failure with the text we produced and the text expected. Comparison is
whitespace-normalised (runs of whitespace count as one space).

Oracles:
- talon `standard_replies`: talon's own oracle is quote removal only ("Hello", or the
  `*_reply_text` file, which still holds the signature). We report that ("quotes only") and the
  full pipeline, whose expected text is the oracle minus its signature, i.e. "Hello".
- talon HTML replies: talon expects "Hi. I am fine.\n\nThanks,\nAlex" after quote removal;
  with the signature removed that is "Hi. I am fine.".
- talon `signature/emails/stripped`: the body without the expected `*_signature` must remain.
- mail-parser-reply: upstream's tests only assert fragments, so `MAIL_PARSER_REPLY` below holds
  our own expected new text per file, derived from reading each message (and consistent with
  upstream's assertions about what is body and what is signature or quote).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from vendorwatch.nlp.newtext import (
    extract_new_text,
    html_to_text,
    strip_html_quotes,
    strip_quotes,
    strip_signature,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"

HTML_QUOTES_ORACLE = "Hi. I am fine.\n\nThanks,\nAlex"
HTML_EDGE_CASES = {  # file: (talon's quote-only oracle, our full-pipeline expectation)
    "reply-separated-by-hr.html": ("Hi\nthere\nBob", "Hi\nthere\nBob"),
    "OLK_SRC_BODY_SECTION.html": ("Reply", "Reply"),
}
STANDARD_HTML_EXPECTED = {"outlook": "Allo! Follow up MIME!"}  # its HTML part differs

_RIAK = "What is the best way to clear a Riak bucket of all key, values after running a test?"
MAIL_PARSER_REPLY: dict[str, str] = {
    "begins_with_signature": "Thank you, Sonya Johnson.\n\nI have sent an invite for 10:30am"
    " Monday PDT (today).  I\nhope you can join.",
    "caution": "Hi lads's Team,\n\nBelow THIS and THAT file for 31st August 2019 is still not"
    ' available  on "lads.lads.com" could you please check and advise us ASAP.\n\npfg.Zip\n'
    "pfg02.Zip\n\npart01_07.Zip\n_part02_07.Zip\n_part03_07.Zip\n_part04_07.Zip\n"
    "_part05_07.Zip\n_part06_07.Zip\n_part07_07.Zip\n\njob at our end.",
    "caution2": "Hello,\n\nI am trying to place an order and it keeps tell me my order cannot"
    " be processed at this time. I tried using two different consultants and it still won't"
    " work. I am not sure if it's a technical problem.  My order is time sensitive. Thank you"
    " for your help!",
    "correct_sig": "this is an email with a correct -- signature.",
    "email_1_1": "Hi folks\n\n" + _RIAK + "\nI am currently using the Java HTTP API.",
    "email_1_3": "Oh thanks.\n\nHaving the function would be great.",
    "email_1_4": "Awesome! I haven't had another problem with it.",
    "email_1_5": "One: Here's what I've got.\n\n- This would be the first bullet point that"
    " wraps to the second line\nto the next\n- This is the second bullet point and it doesn't"
    " wrap\n- This is the third bullet point and I'm having trouble coming up with enough\nto"
    " say\n- This is the fourth bullet point\n\nTwo:\n- Here is another bullet point\n- And"
    " another one\n\nThis is a paragraph that talks about a bunch of stuff. It goes on and on"
    "\nfor a while.",
    "email_1_6": "I get proper rendering as well.",
    "email_1_7": ":+1:",
    "email_1_8": "I will reply under this one\n\nand under this.",
    "email_2_1": "Outlook with a reply",
    "email_2_2": "Outlook with a reply directly above line",
    "email_2_3": "Outlook with a reply above headers using unusual format",
    "email_3_1": "First reply.\n\nThis is fairly common; nothing too hard here!",
    "email_bullets": "test 2 this should list second\n\nand have spaces\n\nand retain this"
    " formatting\n\n   - how about bullets\n   - and another",
    "email_danish_1": "Hej Peter,\n\nTak for din mail. Det lyder godt.",
    "email_danish_2": "Hej Hanne,\n\nJeg har modtaget filerne.",
    "email_danish_3": "Hej,\n\nSvar.",
    "email_danish_4": "Hej,\n\nSvar.",
    "email_danish_5": "Hej,\n\nSvar.",
    "email_gmail": "This is a test for inbox replying to a github message.",
    "email_headers_no_delimiter": "And another reply!",
    "email_ja_1_1": "こんにちは、みなさん！",
    "email_ja_1_2": "田中様\n\nお世話になっております。織田です。\n\n"
    "それでは 11:00 にお待ちしております。",
    "email_nl_1_1": "Hallo allemaal,\n\nWat is de beste manier om een Riak-bucket met alle"
    " sleutels en waarden te legen na het uitvoeren van een test?\nIk gebruik momenteel de"
    " Java HTTP API.",
    "email_nl_1_2": "Outlook met een antwoord",
    "email_one_is_not_on": "Thank, this is really helpful.\n\nOne outstanding question I had:"
    "\n\nLocally (on development), when I run...",
    "email_partial_quote_header": "On your remote host you can run:\n\n     telnet 127.0.0.1"
    " 52698\n\nThis should connect to TextMate (on your Mac, via the tunnel). If that\nfails,"
    " the tunnel is not working.",
    "email_pl_1_1": "Czesc Anno,\n\nJak się masz?",
    "email_pl_1_2": "Czesc Anno,\n\nJak się masz?",
    "email_pl_1_3": "Cześć Anno,\n\nJak się masz?",
    "email_sent_from_BlackBerry": "Here is another email",
    "email_sent_from_iPhone": "Here is another email",
    "email_sent_from_multi_word_mobile_device": "Here is another email",
    "email_sent_from_not_signature": "Here is another email\n\nSent from my desk, is much"
    " easier than my mobile phone.",
    "email_sig_delimiter_in_middle_of_line": "Hi there!\n\nStuff happened.\n\nAnd here is a"
    " fix -- this is not a signature.\n\nkthxbai",
    "email_sv_anon_1": "Hej\n\nBerättar gärna. Enklast är om vi kan ta ett kort samtal under"
    " dagen. Jag är\nflexibel fram till kl 15 idag.",
    "email_swedish_1": "Hej Person A,\n\nUrsäkta mitt sena svar!\n\nKan inte se att det står"
    " något om vilket företag det gäller?",
    "email_swedish_2": "Hello Anna,\n\nIt's amazing I would love to ofcourse to be in such"
    " large scale project but\nunfortunately I have a contract till end of the year .. lets"
    " keep in touch and\nwill update you once I am available",
    "forward": "FW: YYY Arrival Notice XYZ - YYY ELA/XYZ ETA: 2020-06-08\nThis is a follow-up"
    ' to your previous request #12345 "RE: XYZ and Manifest amendm..."\nHello team,\nCan I get'
    " 1 Arrival Notice without PU# and invoice?",
    "greedy_on": "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\nThis should"
    " connect to TextMate (on your Mac, via the tunnel). If that\nfails, the tunnel is not"
    " working.",
    "multi_header": "No problem. I’ll just start a new order.",
    "multiline_on": "",
    "multiline_on_de": "Am heutigen Tage",
    "outlook": "Dear Team,\n\nHello\n\n" + _RIAK + "\n\nMy number is: +00 0000 000 000",
    "pathological": "I think you're onto something. I will try to fix the problem as soon as I"
    "\nget back to a computer.",
}


def norm(text: str) -> str:
    """Whitespace-normalised text for comparison."""
    return " ".join(text.split())


@dataclass
class Score:
    """Pass/fail tally of one corpus, with failure reasons for -v."""

    name: str
    passed: int = 0
    total: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def check(self, item: str, got: str, expected: str) -> bool:
        self.total += 1
        if norm(got) == norm(expected):
            self.passed += 1
            return True
        self.failures.append((item, f"got {short(got)!r}, expected {short(expected)!r}"))
        return False

    def line(self, unit: str = "exact") -> str:
        pct = 100.0 * self.passed / self.total if self.total else 0.0
        return f"{self.name}: {self.passed}/{self.total} {unit} ({pct:.1f}%)"


def short(text: str, limit: int = 160) -> str:
    text = norm(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mime_bodies(raw: bytes) -> tuple[str | None, str | None]:
    """The first inline text/plain and text/html parts of a message, decoded."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    plain = html = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError, AssertionError):
            payload = part.get_payload(decode=True) or b""
            content = payload.decode("utf-8", errors="replace")
        if ctype == "text/plain" and plain is None:
            plain = content
        elif ctype == "text/html" and html is None:
            html = content
    return plain, html


def quotes_only_html(html: str) -> str:
    """The quote stripping half of the pipeline on HTML, for talon's quote-only oracle."""
    return strip_quotes(html_to_text(strip_html_quotes(html)))


def eval_standard_replies(root: Path) -> list[Score]:
    folder = root / "talon" / "standard_replies"
    full = Score("talon standard_replies")
    quotes = Score("talon standard_replies (quotes only, talon's oracle)")
    html_only = Score("talon standard_replies (HTML part only)")
    for path in sorted(folder.glob("*.eml")):
        oracle_file = path.with_name(path.stem + "_reply_text")
        oracle = oracle_file.read_text() if oracle_file.exists() else "Hello"
        plain, html = mime_bodies(path.read_bytes())
        full.check(path.name, extract_new_text(plain, html), "Hello")
        chosen = plain if plain and plain.strip() else html_to_text(strip_html_quotes(html or ""))
        quotes.check(path.name, strip_quotes(chosen), oracle)
        if html:
            expected = STANDARD_HTML_EXPECTED.get(path.stem, "Hello")
            html_only.check(path.name + " (html)", extract_new_text(None, html), expected)
    return [full, quotes, html_only]


def eval_html_replies(root: Path) -> list[Score]:
    talon = root / "talon"
    full = Score("talon html_replies")
    quotes = Score("talon html_replies (quotes only, talon's oracle)")
    cases = [(p, HTML_QUOTES_ORACLE, "Hi. I am fine.") for p in (talon / "html_replies").glob("*")]
    cases += [(talon / name, q, f) for name, (q, f) in HTML_EDGE_CASES.items()]
    for path, oracle, expected in sorted(cases):
        html = path.read_text(errors="replace")
        quotes.check(path.name, quotes_only_html(html), oracle)
        full.check(path.name, extract_new_text(None, html), expected)
    return [full, quotes]


def eval_signatures(root: Path) -> list[Score]:
    """Each body must come back as exactly the text above its expected signature."""
    folder = root / "talon" / "signature" / "emails" / "stripped"
    score = Score("talon signatures")
    for body_path in sorted(folder.glob("*_body")):
        stem = body_path.name[: -len("_body")]
        body = body_path.read_text().replace("#sig#", "")
        signature = (folder / f"{stem}_signature").read_text().replace("#sig#", "").strip()
        kept = body[: body.rfind(signature)] if signature else body
        score.check(stem, strip_signature(body), kept)
    return [score]


def eval_mail_parser_reply(root: Path) -> list[Score]:
    folder = root / "mail-parser-reply"
    score = Score("mail-parser-reply")
    for name, expected in sorted(MAIL_PARSER_REPLY.items()):
        path = folder / f"{name}.txt"
        if path.exists():
            score.check(name, extract_new_text(path.read_text(errors="replace")), expected)
    return [score]


def timing(root: Path) -> str:
    """Worst-case inputs must stay fast: the regex-backtracking file and 1 MB of HTML."""
    patho = (root / "mail-parser-reply" / "pathological.txt").read_text()
    html = "<div><p>Hello <b>there</b> &amp; more</p><br>" * 25_000
    rows = []
    for label, func in (
        ("pathological.txt", lambda: extract_new_text(patho)),
        (f"{len(html) // 1000} KB HTML to text", lambda: html_to_text(html)),
        (f"{len(html) // 1000} KB HTML, full pipeline", lambda: extract_new_text(None, html)),
    ):
        start = time.perf_counter()
        func()
        rows.append(f"{label} {1000 * (time.perf_counter() - start):.0f} ms")
    return "timing: " + ", ".join(rows)


EVALS: tuple[Callable[[Path], Iterable[Score]], ...] = (
    eval_standard_replies,
    eval_html_replies,
    eval_signatures,
    eval_mail_parser_reply,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list failures")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora}", file=sys.stderr)
        return 2
    for evaluate in EVALS:
        for score in evaluate(args.corpora):
            unit = "signatures removed, body kept" if "signature" in score.name else "exact"
            print(score.line(unit))
            if args.verbose:
                for item, reason in score.failures:
                    print(f"  FAIL {item}: {reason}")
    print(timing(args.corpora))
    return 0


if __name__ == "__main__":
    sys.exit(main())
