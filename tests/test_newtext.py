"""New-text extraction: quotes, quote headers and signatures removed, content kept.

Corpus-driven tests read ../shared/corpora (skipped when absent); the expected new text of the
mail-parser-reply files lives in eval/newtext.py so the eval and the tests share one oracle.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vendorwatch.nlp.newtext import (
    MAX_INPUT_CHARS,
    extract_new_text,
    html_to_text,
    strip_html_quotes,
    strip_quotes,
    strip_signature,
)

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora not present")


def norm(text: str) -> str:
    return " ".join(text.split())


def _load_eval() -> ModuleType:
    """eval/newtext.py holds the corpus oracles and the MIME helper; load it by path."""
    name = "vendorwatch_eval_newtext"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "eval" / "newtext.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


EVAL = _load_eval()

# --------------------------------------------------------------------------------------------
# Quote headers, one per language: "<reply>\n\n<header>\n> quoted" must leave the reply.
# --------------------------------------------------------------------------------------------

QUOTE_HEADERS = {
    "en": "On Mon, Mar 4, 2024 at 10:15 AM Bob Smith <bob@example.com> wrote:",
    "en-apple": "On 4 Mar 2024, at 10:15, Bob Smith <bob@example.com> wrote:",
    "de": "Am Mo., 4. März 2024 um 10:15 Uhr schrieb Bob Smith <bob@example.com>:",
    "fr": "Le lun. 4 mars 2024 à 10:15, Bob Smith <bob@example.com> a écrit :",
    "es": "El lun, 4 mar 2024 a las 10:15, Bob Smith (<bob@example.com>) escribió:",
    "pt": "Em seg., 4 de mar. de 2024 às 10:15, Bob Smith <bob@example.com> escreveu:",
    "nl": "Op ma 4 mrt. 2024 om 10:15 schreef Bob Smith <bob@example.com>:",
    "da": "Den 4. mar. 2024 kl. 10.15 skrev Bob Smith <bob@example.com>:",
    "sv": "mån 4 mars 2024 kl. 10:15 skrev Bob Smith <bob@example.com>:",
    "no": "På 4. mars 2024 på 10:15:00, Bob Smith (bob@example.com) skrev:",
    "pl-pisze": "W dniu 4.03.2024 o 10:15, Bob Smith pisze:",
    "pl-napisal": "pon., 4 mar 2024 o 10:15 Bob Smith <bob@example.com> napisał(a):",
    "it": "Il giorno lun 4 mar 2024 alle ore 10:15 Bob Smith <bob@example.com> ha scritto:",
    "ja-message": "2024/03/04 10:15、Bob Smith <bob@example.com> のメッセージ:",
    "ja-wrote": "2024年3月4日(月) 10:15 Bob Smith <bob@example.com>が書きました:",
    "ja-gmail": "2024年3月4日(月) 10:15 田中太郎 <taro@example.com>:",
    "id": "Pada tanggal Sen, 4 Mar 2024 pukul 10.15 Bob Smith <bob@example.com> menulis:",
    "vi": "Vào Th 2, 4 thg 3, 2024 vào lúc 10:15 Bob Smith <bob@example.com> đã viết:",
    "ru": "пн, 4 мар. 2024 г. в 10:15, Bob Smith <bob@example.com>:",
}


@pytest.mark.parametrize("lang", sorted(QUOTE_HEADERS))
def test_quote_header_before_quoted_block(lang: str) -> None:
    text = f"Reply text here.\n\n{QUOTE_HEADERS[lang]}\n\n> Quoted line one\n> Quoted two\n"
    assert strip_quotes(text) == "Reply text here."


@pytest.mark.parametrize("lang", sorted(QUOTE_HEADERS))
def test_quote_header_before_unquoted_message_cuts_it(lang: str) -> None:
    """Many clients paste the old message without '>': everything after the header goes."""
    text = f"Reply text here.\n\n{QUOTE_HEADERS[lang]}\n\nOld message\nmore of it\n"
    assert strip_quotes(text) == "Reply text here."


@pytest.mark.parametrize(
    "header",
    [
        "On Tue, Sep 25, 2012 at 8:59 AM, Chris Wanstrath\n<notifications@github.com>wrote:",
        "On Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<reply@reply.github.com>\nwrote:",
        "Am So., 1. Jan. 2023 um 17:22 Uhr\nschrieb John Doe <\nnoreply@github.com>:",
        "W dniu 28 stycznia 2015 01:53 użytkownik Zoe <zoe@example.com>\nnapisał:",
        "2014-10-17 11:28 GMT+03:00 Postmaster <\npostmaster@example.mailgun.org>:",
    ],
)
def test_quote_header_wrapped_over_lines(header: str) -> None:
    assert strip_quotes(f"Reply\n\n{header}\n\n> old\n") == "Reply"


def test_text_line_above_a_header_is_not_eaten() -> None:
    text = "Am heutigen Tage\nAm So., 1. Jan. 2023 um 17:22 Uhr schrieb John <\nj@example.com>:\n"
    assert strip_quotes(text) == "Am heutigen Tage"


def test_lines_starting_with_on_are_content() -> None:
    text = "On Monday we deliver 5 boxes.\nOn Tuesday the rest, as Bob wrote.\nOn your host run:"
    assert strip_quotes(text) == text


def test_reply_and_header_sharing_a_line() -> None:
    assert strip_quotes("Sure On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:\n> Hi") == (
        "Sure"
    )


def test_header_without_date_or_address_when_quotes_follow() -> None:
    assert strip_quotes("Marc Slemko wrote:\n> old text\n\nMy answer.") == "My answer."


def test_inline_replies_between_quotes_are_kept() -> None:
    text = (
        "On Mon, May 1, 2024 at 10:00 AM Bob <b@example.com> wrote:\n"
        "> Can you ship Friday?\nYes, Friday works.\n> And the invoice?\nSent yesterday.\n"
    )
    assert norm(strip_quotes(text)) == "Yes, Friday works. Sent yesterday."


def test_bottom_posted_reply_is_kept() -> None:
    text = "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello"
    assert strip_quotes(text) == "Hello"


def test_text_left_over_between_quote_and_older_header_is_dropped() -> None:
    text = (
        "First reply.\n\nOn 1 Jan 2023 17:22, John <j@example.com> wrote:\n> second\n\n"
        "Fourth reply, part of the quoted thread.\n\nOn 07.08.2022 um 23:55, John "
        "<j@example.com> wrote:\n\nFifth.\n"
    )
    assert strip_quotes(text) == "First reply."


# --------------------------------------------------------------------------------------------
# Delimiters and Outlook header blocks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delimiter",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-----Message d'origine-----",
        "-----Mensaje original-----",
        "-----Oprindelig meddelelse-----",
        "-----Wiadomość oryginalna-----",
        "-------- Пересылаемое сообщение --------",
    ],
)
def test_original_message_delimiter(delimiter: str) -> None:
    assert strip_quotes(f"Test reply\n\n{delimiter}\nFrom: a@b.c\n\nOld") == "Test reply"


OUTLOOK_BLOCK = (
    "From: Bob Smith [mailto:bob@example.com]\nSent: Monday, March 4, 2024 10:15 AM\n"
    "To: Alice\nSubject: RE: Order 123\n\nOld message text\n"
)


def test_outlook_block_without_delimiter() -> None:
    assert strip_quotes("Allo! Follow up.\n\n" + OUTLOOK_BLOCK) == "Allo! Follow up."


def test_outlook_block_with_underscore_delimiter() -> None:
    text = "Reply above the line\n________________________________\n" + OUTLOOK_BLOCK
    assert strip_quotes(text) == "Reply above the line"


def test_outlook_block_bold_and_wrapped() -> None:
    text = (
        "Hi\n\n ------------------------------\n\n  *From:* bob@example.com [mailto:\n"
        "  bob@example.com]\n  *Sent:* Wednesday, June 27, 2012 3:05 PM\n"
        "  *To:* travis@example.com\n  *Subject:* Hello\n\nOld\n"
    )
    assert strip_quotes(text) == "Hi"


@pytest.mark.parametrize(
    "block",
    [
        "Von: x@example.com\nGesendet: Dienstag, 25. November 2014 14:59\nAn: Y\nBetreff: Z",
        "De : Brendan [mailto:b@example.com]\nEnvoyé : vendredi 23 janvier 2015\nÀ : C\nObjet : F",
        "Fra: hanne@example.com\nSendt: 24. november 2025 09:30\nTil: Søren\nEmne: Filerne",
        "Från: a@example.com\nSkickat: den 26 augusti 2015 14:45\nTill: L\nÄmne: RE: Week",
        "Od: Jan <jan@example.com>\nWysłano: środa, 1 marca 2023 12:00\nDo: A\nTemat: Test",
        "Date: Wed, 16 May 2012 00:15:02 -0600\nTo: klizhentas@example.com",
    ],
)
def test_localised_outlook_blocks(block: str) -> None:
    assert strip_quotes(f"Lorem ipsum\n\n{block}\n\nBlah\n") == "Lorem ipsum"


def test_from_to_lines_in_content_are_kept() -> None:
    text = "Delivery window\nFrom: Monday\nTo: Friday\n\nPlease confirm."
    assert strip_quotes(text) == text


def test_own_header_pasted_at_top_is_skipped_not_everything() -> None:
    text = "Od: Jan <jan@example.com>\nWysłano: środa, 1 marca 2023\nTemat: Test\n\nCzesc Anno"
    assert strip_quotes(text) == "Czesc Anno"


def test_forward_keeps_only_the_senders_text_above() -> None:
    text = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: a@example.com\n\nX"
    assert strip_quotes(text) == "FYI, see below."
    assert strip_quotes("Begin forwarded message:\n\nFrom: a@example.com\n\nX") == ""


def test_pure_forward_has_no_new_text() -> None:
    assert extract_new_text("---------- Forwarded message ----------\nFrom: a@b.com\n\nX") == ""


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

HTML_REPLIES = {
    "gmail": '<div dir="ltr">New text</div><div class="gmail_quote"><div class="gmail_attr">'
    "On Mon, Jan 1, 2024 Bob &lt;b@x.com&gt; wrote:</div><blockquote>Old</blockquote></div>",
    "outlook-divRplyFwdMsg": '<div>New text</div><div id="appendonsend"></div><hr>'
    '<div id="divRplyFwdMsg"><b>From:</b> Bob<br><b>Sent:</b> Monday</div><div>Old</div>',
    "outlook-border-top": "<p class=MsoNormal>New text</p><div style='border:none;"
    "border-top:solid #B5C4DF 1.0pt'><p><b>From:</b> Bob [mailto:b@x.com]<br><b>Sent:</b> "
    "Monday<br><b>To:</b> Al<br><b>Subject:</b> Hi</p></div><p>Old</p>",
    "thunderbird": '<p>New text</p><div class="moz-cite-prefix">On 1/1/24 9:00, Bob wrote:'
    '<br></div><blockquote type="cite">Old</blockquote>',
    "yahoo": '<div>New text</div><div class="yahoo_quoted"><div>On Monday, Bob wrote:</div>'
    "<div>Old</div></div>",
    "apple": '<div>New text<br><blockquote type="cite"><div>On Jan 1, 2024, at 09:00, Bob '
    "&lt;b@x.com&gt; wrote:</div><div>Old</div></blockquote></div>",
    "hr-separated": "<div>New text<hr><b>From: </b>bob@example.com<br><b>To: </b>x@y.com<br>"
    "<b>Sent: </b>Friday<br><b>Subject: </b>Hello<br>Old</div>",
    "mail.ru": "<p>New text</p><br>Thu, 26 Jun 2014 14:00:51 +0400 от Alexander &lt;a@x.com"
    '&gt;:<br><blockquote style="border-left:1px solid">Old</blockquote>',
}


@pytest.mark.parametrize("client", sorted(HTML_REPLIES))
def test_html_quotes_removed(client: str) -> None:
    assert extract_new_text(None, HTML_REPLIES[client]) == "New text"


def test_hr_without_header_is_not_a_quote() -> None:
    html = "<p>Part one</p><hr><p>Original order attached, see the sheet.</p>"
    assert norm(html_to_text(strip_html_quotes(html))) == (
        "Part one Original order attached, see the sheet."
    )


def test_html_to_text_layout_and_entities() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>alert(1)</script><p>Line one<br>Line two</p><p>Para &amp; &lt;tag&gt;"
        "&nbsp;&#233;</p><ul><li>a</li><li>b</li></ul><table><tr><td>c1</td><td>c2</td></tr>"
        "<tr><td>d</td></tr></table><div>x</div><div>y</div><p></p><p></p><p></p><p>z</p>"
        "</body></html>"
    )
    assert html_to_text(html) == (
        "Line one\nLine two\n\nPara & <tag> é\n\na\nb\n\nc1 c2\nd\n\nx\ny\n\nz"
    )


def test_html_to_text_word_paragraphs_are_lines() -> None:
    html = '<p class=MsoNormal>Hi.</p><p class=MsoNormal>Thanks,</p><p class="MsoNormal">Al</p>'
    assert html_to_text(html) == "Hi.\nThanks,\nAl"


def test_html_to_text_keeps_pre_whitespace() -> None:
    assert html_to_text("<pre>a\n  b\n&gt; c</pre>") == "a\nb\n> c"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<<<>>>",
        "<!--",
        "<p>unterminated <b",
        "<div><p>a</div></span></p>",
        "<![CDATA[ x ]]><?xml ?><!DOCTYPE html>",
        "<script>never closed",
        "&#xdeadbeef; &#0; &bogus; &",
        "<a href='x>y'>z</a>",
    ],
)
def test_html_functions_never_raise_on_garbage(html: str) -> None:
    assert isinstance(html_to_text(html), str)
    assert isinstance(strip_html_quotes(html), str)
    assert isinstance(extract_new_text(None, html), str)


# --------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi.\n\n-- \nBob\nhttp://example.com", "Hi."),
        ("Hi.\n\n--\nBob Smith\nAcme Ltd", "Hi."),
        ("Here is another email\n\nSent from my iPhone", "Here is another email"),
        (
            "Here is another email\n\nSent from my Verizon Wireless BlackBerry",
            "Here is another email",
        ),
        ("Done.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Done."),
        ("Listo.\n\nEnviado desde mi iPhone", "Listo."),
        ("Erledigt.\n\nVon meinem iPhone gesendet", "Erledigt."),
        ("C'est fait.\n\nEnvoyé de mon iPhone", "C'est fait."),
        ("Klaar.\n\nVerzonden vanaf mijn iPhone", "Klaar."),
        ("Thanks Sasha, fine.\n\nStavros Xxxxxx\nvia mobile", "Thanks Sasha, fine."),
        ("Can you send it?\n\nThanks,\nBob\n\nSent from my iPhone", "Can you send it?"),
        ("We shipped.\n\nBest regards,\nJohn Smith\nSales | ACME\n+1 555 123 4567", "We shipped."),
        ("We shipped.\n\nMit freundlichen Grüßen\nHans Müller", "We shipped."),
        ("Feito.\n\nAtenciosamente,\nJoão Silva", "Feito."),
        ("Gotowe.\n\nPozdrawiam,\nJan", "Gotowe."),
        ("Terminé.\n\nCordialement,\nMarie Dupont", "Terminé."),
        ("Listo.\n\nSaludos,\nJuan", "Listo."),
        ("Selesai.\n\nSalam,\nBudi", "Selesai."),
        ("Tak.\n\nMed venlig hilsen\nAnders Andersen", "Tak."),
        ("Готово.\n\nС уважением,\nСергей Обухов", "Готово."),
        ("了解しました。\n\n以上、よろしくお願いいたします", "了解しました。"),
        ("Hi\n\nReply text\n\nRegards, Roman", "Hi\n\nReply text"),
        ("Done.\n\nRegards,\nDavid | Sales Manager\nACME Ltd", "Done."),
        ("Done.\n\nBest,\nThe Acme Team", "Done."),
        ("Sounds good to me, go ahead.\n\nDana", "Sounds good to me, go ahead."),
        ("Espero que te gusten.\nLucía", "Espero que te gusten."),
        (
            "Te mando los bocetos el viernes.\n\n¡Saludos!\nLucía",
            "Te mando los bocetos el viernes.",
        ),
        (
            "Ciao, va bene?\n\nGERONAZZO Dott.ssa MARIACHIARA\nCommercialista\n\nStudio Srl\n"
            "Tel. 0423/972429\nE-mail: info@example.it",
            "Ciao, va bene?",
        ),
        ("Thanks folks.\n\n-Abhishek Kona", "Thanks folks."),
        ("Will update you once I am available\n\n/John", "Will update you once I am available"),
        (
            "Lorem ipsum dolor sit amet.\n\nGina Xxxxxxxxx\ngina@example.com\n(555) 346-9947\n"
            "www.example.com",
            "Lorem ipsum dolor sit amet.",
        ),
        (
            "Question?\n\nThanks,\n___________________\nHAHA LOLO\nBank of LADS\n\n"
            "This message is confidential and intended solely for the intended recipient. If you "
            "received this message in error, delete it; any disclosure is prohibited.",
            "Question?",
        ),
    ],
)
def test_signature_removed(text: str, expected: str) -> None:
    assert strip_signature(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Here is another email\n\nSent from my desk, is much easier than my mobile phone.",
        "And here is a fix -- this is not a signature.\n\nkthxbai",
        "Thanks,\n\nI also wanted to say that the last batch arrived two days late and three "
        "boxes were damaged, please fix that before the next delivery.",
        "Thanks for the update, the samples look great.\nPlease go ahead with 500 units.",
        "Thank you, Sonya.\n\nI have sent an invite for 10:30am Monday PDT.  I hope you can join.",
        "Please deliver to:\n\nJohn Smith\n12 Main St\n555-123-4567",
        "Order 55\n\nQty 10\nDelivery 2024-05-01",
        "Martin, can we get:\n\n1 L Male\n1 M Male\n\nThat'd be awesome! Really cool shirts!",
        "Regards the delivery: it is late again, we need it by Friday or we cancel.",
        "Hi,\n\nYour order 123 was reviewed.\n\nNot Approved",
        "Hi,\n\nInvoice 55 attached.\n\nOrder Confirmed",
        "Thanks!\nShip 50 units Friday\nBob",
        "Hej,\n\nSvar.",
        "The goods arrive on\nFriday",
        "Please send it to the warehouse\nMarco",
        "Fine by me, ship it.\n\nApproved",
        "Fine by me, ship it.\n\nDone",
        "Fine by me, ship it.\n\nOK",
        "Please advise.\n\nThanks,\nPlease check example.com and confirm the order.",
    ],
)
def test_content_is_not_mistaken_for_a_signature(text: str) -> None:
    assert strip_signature(text) == text


def test_a_bare_signoff_is_the_message() -> None:
    """A one-word reply is content: "Thanks!" must not become empty."""
    assert strip_signature("Thanks!") == "Thanks!"
    assert strip_signature("Thanks!\n\nBob") == "Thanks!"


def test_leading_gateway_banner_removed() -> None:
    text = (
        "CAUTION: This email originated from outside of the organization. Do not click links.\n"
        "\nHi team,\n\nPlease check."
    )
    assert extract_new_text(text) == "Hi team,\n\nPlease check."


# --------------------------------------------------------------------------------------------
# extract_new_text: input handling, robustness, size
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("plain", "html"), [(None, None), ("", ""), ("  \n ", None), (None, " ")])
def test_empty_input_gives_empty_text(plain: str | None, html: str | None) -> None:
    assert extract_new_text(plain, html) == ""


def test_every_function_accepts_empty_text() -> None:
    for func in (html_to_text, strip_html_quotes, strip_quotes, strip_signature):
        assert func("") == ""


def test_plain_part_preferred_over_html() -> None:
    assert extract_new_text("Plain reply", "<p>HTML reply</p>") == "Plain reply"
    assert extract_new_text("   ", "<p>HTML reply</p>") == "HTML reply"


def test_binary_garbage_does_not_raise() -> None:
    rnd = random.Random(7)
    garbage = bytes(rnd.randrange(256) for _ in range(50_000))
    for text in (
        garbage.decode("latin-1"),
        garbage.decode("utf-8", errors="replace"),
        garbage.decode("utf-8", errors="surrogateescape"),
        "\x00\x01\x02>\x00On\x00wrote:\x00\r\r\n\x0b\x0c",
    ):
        out = extract_new_text(text, text)
        assert isinstance(out, str) and "\x00" not in out
        assert isinstance(strip_quotes(text), str) and isinstance(strip_signature(text), str)


def test_emoji_and_rtl_text_survive() -> None:
    new = "תודה רבה! המשלוח הגיע 👍🏽\nشكرا، وصل الطلب 👨‍👩‍👧"
    text = new + "\n\nOn Mon, 4 Mar 2024 Bob <b@x.com> wrote:\n> old"
    assert extract_new_text(text) == new


def test_one_megabyte_inputs_return() -> None:
    para = "The shipment of 500 units is delayed until Friday, please advise.\n"
    plain = para * (1_000_000 // len(para))
    html = "<div><p>Hello <b>there</b> &amp; more</p><br></div>" * 20_000
    out = extract_new_text(plain)
    assert out.startswith("The shipment") and len(out) <= MAX_INPUT_CHARS
    assert extract_new_text(None, html).startswith("Hello there & more")
    assert html_to_text(html).count("Hello there & more") == 20_000
    assert strip_quotes(plain) == plain.strip()
    assert len(strip_signature(plain)) > 900_000


@pytest.mark.parametrize(
    "text",
    [
        "x\n--\n" * 100_000,
        "x\n\n" + "-----\n\n" * 100_000,
        "> a\nb\n" * 100_000,
        "On Mon, 1 Jan 2020 at 10:00, a@b.com wrote:\n> x\n" * 20_000,
        "a" * 1_000_000,
        ("On " + "1, " * 130 + "a@b.c wrote:\n") * 2_000,
    ],
    ids=[
        "many-dashdash",
        "many-separators",
        "alternating-quotes",
        "many-headers",
        "one-line",
        "long-headers",
    ],
)
def test_adversarial_plain_text_returns(text: str) -> None:
    """Inputs that made earlier versions quadratic; they must simply return."""
    assert isinstance(strip_quotes(text), str)
    assert isinstance(strip_signature(text), str)
    assert isinstance(extract_new_text(text), str)


FRAGMENTS = [
    "Hello", "Thanks,", "Bob", "> quoted", "On Mon, 1 Jan 2024, Bob <b@x.com> wrote:",
    "From: a@b.com", "Sent: Monday 10:00", "Subject: x", "-- ", "--", "_____",
    "Sent from my iPhone", "", " ", "Please ship 5 boxes.", "-----Original Message-----",
    "www.example.com", "+1 555 123 4567", "Regards, Al", "ok", "<b>", "&amp;", "wrote:",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(FRAGMENTS) | st.text(max_size=40),
        max_size=30,
    )
)
def test_output_lines_come_from_the_input(parts: list[str]) -> None:
    """We only ever remove text: every output line is a piece of some input line (once the
    control characters that normalisation drops are gone)."""
    text = "\n".join(parts)
    out = extract_new_text(text)
    source = "".join(c for c in text.replace("\r", "\n") if c == "\n" or not _dropped(c))
    for line in out.split("\n"):
        assert line.strip() in source


def _dropped(char: str) -> bool:
    """Characters normalisation removes: C0/C1 controls except tab/newline, BOM, ZWSP."""
    code = ord(char)
    return (code < 32 and char != "\t") or 127 <= code < 160 or char in "\ufeff\u200b"


# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------


def _standard_replies() -> list[Path]:
    folder = CORPORA / "talon" / "standard_replies"
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


@needs_corpora
@pytest.mark.parametrize("path", _standard_replies(), ids=lambda p: p.stem)
def test_talon_standard_replies(path: Path) -> None:
    plain, html = EVAL.mime_bodies(path.read_bytes())
    assert extract_new_text(plain, html) == "Hello"
    oracle_file = path.with_name(path.stem + "_reply_text")
    oracle = oracle_file.read_text() if oracle_file.exists() else "Hello"
    chosen = plain if plain and plain.strip() else html_to_text(strip_html_quotes(html or ""))
    assert norm(strip_quotes(chosen)) == norm(oracle)  # talon's quote-only oracle
    if html:
        expected = EVAL.STANDARD_HTML_EXPECTED.get(path.stem, "Hello")
        assert extract_new_text(None, html) == expected


def _html_replies() -> list[Path]:
    folder = CORPORA / "talon" / "html_replies"
    return sorted(folder.glob("*.html")) if folder.is_dir() else []


@needs_corpora
@pytest.mark.parametrize("path", _html_replies(), ids=lambda p: p.stem)
def test_talon_html_replies(path: Path) -> None:
    html = path.read_text(errors="replace")
    assert norm(EVAL.quotes_only_html(html)) == norm(EVAL.HTML_QUOTES_ORACLE)
    assert extract_new_text(None, html) == "Hi. I am fine."


@needs_corpora
@pytest.mark.parametrize("name", sorted(EVAL.HTML_EDGE_CASES))
def test_talon_html_edge_cases(name: str) -> None:
    quotes_oracle, expected = EVAL.HTML_EDGE_CASES[name]
    html = (CORPORA / "talon" / name).read_text()
    assert norm(EVAL.quotes_only_html(html)) == norm(quotes_oracle)
    assert norm(extract_new_text(None, html)) == norm(expected)


def _signature_bodies() -> list[Path]:
    folder = CORPORA / "talon" / "signature" / "emails" / "stripped"
    return sorted(folder.glob("*_body")) if folder.is_dir() else []


@needs_corpora
@pytest.mark.parametrize("path", _signature_bodies(), ids=lambda p: p.name[: -len("_body")])
def test_talon_signatures(path: Path) -> None:
    body = path.read_text().replace("#sig#", "")
    signature_file = path.with_name(path.name[: -len("_body")] + "_signature")
    signature = signature_file.read_text().replace("#sig#", "").strip()
    kept = body[: body.rfind(signature)] if signature else body
    assert norm(strip_signature(body)) == norm(kept)


@needs_corpora
@pytest.mark.parametrize("name", sorted(EVAL.MAIL_PARSER_REPLY))
def test_mail_parser_reply(name: str) -> None:
    text = (CORPORA / "mail-parser-reply" / f"{name}.txt").read_text(errors="replace")
    assert norm(extract_new_text(text)) == norm(EVAL.MAIL_PARSER_REPLY[name])


@needs_corpora
def test_pathological_file_finishes() -> None:
    """Catastrophic-backtracking bait (1000-character lines right after a header)."""
    text = (CORPORA / "mail-parser-reply" / "pathological.txt").read_text()
    assert extract_new_text(text) == (
        "I think you're onto something. I will try to fix the problem as soon as I\n"
        "get back to a computer."
    )
    assert strip_quotes(text * 50).startswith("I think you're onto something.")
