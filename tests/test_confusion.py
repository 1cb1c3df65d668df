"""Confusion detection: clarification phrasings per language, structure rules, thread severity.

The examples are written for these tests, not copied from the labeled dev set, so they check that
the rules carry over to new wording.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vendorwatch.nlp.confusion import (
    LEXICON_PATH,
    MAX_CHARS,
    clarification_sentences,
    is_clarification_request,
    repeated_questions,
    split_sentences,
    thread_confusion,
)
from vendorwatch.nlp.findings import Evidence, Finding

ASKS = {"asks_meaning", "says_confused"}

# (language, message, rules any of which may explain it)
PHRASINGS = [
    ("en", "Sorry, I don't understand what you mean by 'cleaner'.", ASKS),
    ("en", "I'm not sure what you mean by a premium feel.", ASKS),
    ("en", "Could you clarify which logo version you want?", ASKS),
    ("en", 'What exactly do you mean by "pop"?', ASKS),
    ("es", "¿A qué te refieres con 'más moderno'?", ASKS),
    ("es", "O sea, ¿querés que cambie todo el diseño?", ASKS),
    ("es", "No entiendo bien lo que necesitás para el viernes.", ASKS),
    ("es", "¿Te refieres a la versión del mes pasado?", ASKS),
    ("pt", "Não entendi o que você quer dizer com 'mais leve'.", ASKS),
    ("pt", "Você quer dizer a versão azul?", ASKS),
    ("pt", "Desculpe, não ficou claro para mim qual é o prazo.", ASKS),
    ("fr", "Qu'entendez-vous par « plus moderne » ?", ASKS),
    ("fr", "Vous voulez dire la version du mois dernier ?", ASKS),
    ("fr", "Je ne comprends pas très bien la demande.", ASKS),
    ("de", "Was meinen Sie mit 'frischer'?", ASKS),
    ("de", "Meinst du die Version von letzter Woche?", ASKS),
    ("de", "Ich verstehe leider nicht, was gemeint ist.", ASKS),
    ("pl", "Nie rozumiem, o co chodzi z tym terminem.", ASKS),
    ("pl", "Co masz na myśli, pisząc 'bardziej nowocześnie'?", ASKS),
    ("pl", "Czy chodzi o wersję mobilną?", ASKS),
    ("uk", "Що ви маєте на увазі під 'сучасніше'?", ASKS),
    ("uk", "Я не зрозумів, яку версію потрібно надіслати.", ASKS),
    ("uk", "Вибачте, не зрозуміла завдання.", ASKS),
    ("vi", "Ý bạn là màu xanh đậm hơn phải không?", ASKS),
    ("vi", "Xin lỗi, tôi không hiểu yêu cầu này.", ASKS),
    ("vi", "Tôi chưa rõ ý anh lắm.", ASKS),
    ("id", "Maksudnya pakai warna brand yang sekarang?", ASKS),
    ("id", "Apakah maksud Bapak versi yang kedua?", ASKS),
    ("id", "Saya bingung dengan briefnya.", ASKS),
    ("ro", "Nu înțeleg ce vreți să spuneți prin 'mai curat'.", ASKS),
    # checking one's own understanding
    ("en", "If I understand you correctly, you want both sizes?", ASKS),
    ("es", "Si entiendo bien, ¿son dos versiones?", ASKS),
    ("de", "Wenn ich Sie richtig verstehe, brauchen Sie zwei Versionen?", ASKS),
    ("pl", "Jeśli dobrze rozumiem, potrzebne są dwie wersje?", ASKS),
    ("id", "Kalau saya tidak salah paham, perlu dua versi?", ASKS),
]

ORDINARY = [
    "Can you send the logo file?",
    "How was your weekend?",
    "Thanks, the brief is very clear.",
    "Please find attached the invoice for March.",
    "Any update on the Node upgrade?",
    "Does Monday or Tuesday work for a quick call?",
    "Could you send the files as SVG or PNG?",
    "Let me know if you have any questions or comments.",
    "I'm not sure the build is ready yet.",
    "4 of 5 participants did not understand that they had to tap Confirm.",
    "We didn't get your email until this morning.",
    "Is there a staging server or a test account I can use?",
    "¿Puedes enviarme el archivo?",
    "Você viu o relatório que enviei ontem?",
    "Können Sie mir die Rechnung schicken?",
    "Czy możesz wysłać plik?",
    "Чи можете ви надіслати файл?",
    "Bạn có thể gửi file logo không?",
    "Bisa kirim file logonya hari ini?",
    "Merci, c'est très clair.",
    "Obrigada, ficou muito claro!",
    "Дякую, все зрозуміло.",
    "Terima kasih, sudah jelas.",
]


def rules(text: str, earlier: tuple[str, ...] = ()) -> list[str]:
    return [e.rule for e in clarification_sentences(text, earlier)]


# ------------------------------------------------------------------------------- phrasings


@pytest.mark.parametrize(
    ("lang", "text", "expected"), PHRASINGS, ids=[p[1][:30] for p in PHRASINGS]
)
def test_clarification_phrasings(lang: str, text: str, expected: set[str]) -> None:
    found = rules(text)
    assert found and set(found) <= expected | {"offers_alternatives"}, (lang, found)
    assert is_clarification_request(text)


def test_at_least_nine_languages_covered() -> None:
    assert {"en", "es", "pt", "fr", "de", "pl", "uk", "vi", "id"} <= {p[0] for p in PHRASINGS}


def test_accents_are_optional() -> None:
    assert rules("nao entendi o que voce quer dizer") == ["says_confused"]
    assert rules("que quieres decir con eso?") == ["asks_meaning"]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_and_statements_are_not_confusion(text: str) -> None:
    assert rules(text) == []


# ------------------------------------------------------------------------------- structure


@pytest.mark.parametrize(
    "text",
    [
        "Should the banner use the dark logo, or the light one?",
        "Keep or delete?",
        "¿Lo subo en PNG o en SVG?",
        "Devo usar a paleta antiga ou a nova?",
        "Sollen wir die alte Farbe behalten oder die neue nehmen?",
        "Gambarnya mau pakai latar putih atau transparan?",
        "Wersja jasna czy ciemna?",
        "Chcesz wersję jasną albo ciemną?",
        "Світлу версію чи темну?",
        "Bạn muốn màu xanh hay màu đỏ?",
        "Préférez-vous la version courte ou la version longue ?",
    ],
)
def test_question_offering_alternatives(text: str) -> None:
    assert rules(text) == ["offers_alternatives"]


@pytest.mark.parametrize(
    "text",
    [
        "Do you want to keep the logo or not?",  # "or not" is no choice
        "Is there a letter of credit, a bond, or a deposit?",  # existence, a list of nouns
        "Could you list anything that's cut off or sounds off?",  # a request, not a choice
        "Did you get the invoice or should I resend it?",  # a receipt check
        "Does Thursday or Friday suit you for a call?",  # scheduling
        "Você recebeu o arquivo?",  # Portuguese "o" is an article
    ],
)
def test_or_that_offers_no_choice(text: str) -> None:
    assert "offers_alternatives" not in rules(text)


def test_question_restating_numbers_differently() -> None:
    earlier = ("We need the character plus 3 poses, and the budget is USD 450.",)
    assert rules("So 4 poses for the USD 450?", earlier) == ["restates_numbers"]
    assert rules("Is USD 450 for everything?", earlier) == []  # same numbers, no restatement
    assert rules("So 4 poses for the USD 450?") == []  # nothing to restate without context


def test_numbers_are_compared_across_local_formats() -> None:
    earlier = ("Budget is COP 2.640.000 for 1,100 words.",)
    assert rules("Is that 2,640,000 for 1,200 words?", earlier) == ["restates_numbers"]


def test_question_about_quoted_words_from_an_earlier_message() -> None:
    earlier = ("Make it feel a bit more premium, like our autumn prints.",)
    assert rules('"A bit more premium": the gold foil, the serif font?', earlier) == [
        "quotes_wording"
    ]
    assert rules('Could you split the "autumn prints" folder by month?', earlier) == []


def test_follow_up_on_an_unanswered_question() -> None:
    text = "Just checking in on the plural question: I haven't started those strings yet."
    assert rules(text) == ["follows_up"]
    assert rules("Sorry to ask again, but should the price include VAT?") == ["follows_up"]
    assert rules("Just checking in on the invoice from last month.") == []  # a payment chase


def test_same_question_in_a_later_message_is_a_repeat() -> None:
    first = "Hi! Should the onboarding screens use the light theme or the dark theme?"
    later = "Should the onboarding screens be in the light theme or the dark theme?"
    found = clarification_sentences(later, (first, "Thanks, will check."))
    assert [e.rule for e in found] == ["repeated_question"]
    assert "message 1" in found[0].reason


def test_repeated_questions_fuzzy_and_only_across_messages() -> None:
    found = repeated_questions(
        [
            ["Should the onboarding screens use the light theme or the dark theme?"],
            ["Can you send the brand guide?", "How many screens are there in total?"],
            ["Should the onboarding screens be in the light or the dark theme?"],
            ["How many screens are there, in total?"],
        ]
    )
    assert [e.rule for e in found] == ["repeated_question", "repeated_question"]
    assert "message 1" in found[0].reason and "message 2" in found[1].reason
    assert repeated_questions([["Any update?"], ["Any update?"]]) == []  # a chase, too short
    assert repeated_questions([["Which font for the headings, serif or sans?"] * 2]) == []


def test_a_pasted_quote_is_not_a_repeat_but_pasted_questions_are() -> None:
    first = "Thanks for the brief. Should the headings use the serif font or the sans font?"
    quoted = f"Great, thanks!\n\n{first}"
    assert rules(quoted, (first,)) == []
    again = "Should the headings use the serif font or the sans font? And the body text too?"
    assert rules(again, (first,)) == ["repeated_question"]


def test_flowed_lines_are_joined_into_one_sentence() -> None:
    text = "Thanks, one question: should\nreminders also go out by email, or\nSMS only?\n\n- item"
    assert split_sentences(text) == [
        "Thanks, one question: should reminders also go out by email, or SMS only?",
        "item",
    ]


def test_evidence_explains_itself() -> None:
    (evidence,) = clarification_sentences("Hi Ana,\n\nDo you mean the blue one?")
    assert isinstance(evidence, Evidence)
    assert evidence.sentence == "Do you mean the blue one?"
    assert evidence.rule == "asks_meaning" and evidence.reason and evidence.hint


# ------------------------------------------------------------------------------- threads

BRIEF = ("out", "Please make the homepage banner pop and send it by Friday.")
CLEAR_REPLY = ("in", "Thanks, the brief is clear. I will send the banner on Friday.")


def test_clear_thread_has_no_confusion() -> None:
    assert thread_confusion([BRIEF, CLEAR_REPLY, ("out", "Great, thanks!")]) is None


def test_single_quick_question_is_low() -> None:
    finding = thread_confusion(
        [BRIEF, ("in", "Thanks! Should the banner be 1200 px wide or 1600 px?"), CLEAR_REPLY]
    )
    assert isinstance(finding, Finding)
    assert finding.kind == "confusion" and finding.severity == "low"
    assert finding.suggestion
    assert finding.evidence[0].reason.startswith("message 2 (vendor)")


def test_single_explicit_confusion_is_medium() -> None:
    finding = thread_confusion([BRIEF, ("in", "Sorry, I don't understand what 'pop' means here.")])
    assert finding is not None and finding.severity == "medium"


def test_two_rounds_are_medium_and_repetition_is_high() -> None:
    two = [
        BRIEF,
        ("in", "Do you mean brighter colours, or a bigger headline?"),
        ("out", "Bit of both, I think?"),
        ("in", "OK. Should the photo stay on the left or move to the right?"),
    ]
    assert thread_confusion(two).severity == "medium"
    repeated = [
        *two[:3],
        ("in", "Sorry to ask again: brighter colours or a bigger headline?"),
    ]
    assert thread_confusion(repeated).severity == "high"
    three = [*two, ("out", "Whatever looks best."), ("in", "Qu'entendez-vous par « best » ?")]
    assert thread_confusion(three).severity == "high"


def test_repeat_counts_on_the_same_side_only() -> None:
    question = "Should the photo stay on the left or move to the right?"
    finding = thread_confusion([("out", question), ("in", question)])
    assert finding is not None
    assert "repeated_question" not in {e.rule for e in finding.evidence}


def test_owner_asking_what_the_vendor_meant_counts() -> None:
    finding = thread_confusion(
        [("in", "Refund dihitung prorate."), ("out", "What does 'prorate' mean?")]
    )
    assert finding is not None and finding.evidence[0].reason.startswith("message 2 (owner)")


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "🙂🙂🙂?",
        "ما الذي تقصده؟",
        "מה אתה מתכוון?",
        "\x00\x01\ufffd\ud800??",
        "?" * 5000,
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    assert isinstance(clarification_sentences(text, (text,)), list)
    assert isinstance(is_clarification_request(text), bool)
    assert isinstance(repeated_questions([[text], [text]]), list)
    thread_confusion([("in", text), ("out", text)])


def test_wrong_types_never_raise() -> None:
    assert clarification_sentences(None) == []  # type: ignore[arg-type]
    assert thread_confusion([("in",), None, ("out", 3)]) is None  # type: ignore[list-item]
    assert repeated_questions([[None, 3]]) == []  # type: ignore[list-item]


def test_one_megabyte_is_cut_and_fast() -> None:
    big = ("Do you mean the blue one or the red one? " + "x" * 80 + ". ") * 8000
    start = time.perf_counter()
    finding = thread_confusion([("out", big), ("in", big), ("in", big)])
    assert clarification_sentences(big)
    assert clarification_sentences(big, [big] * 5) == []  # all of it is a paste of earlier text
    assert time.perf_counter() - start < 5
    assert finding is not None and f"text cut at {MAX_CHARS:,} characters" in finding.notes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.lists(st.text(max_size=200), max_size=4))
def test_arbitrary_text_never_raises(text: str, earlier: list[str]) -> None:
    clarification_sentences(text, earlier)
    thread_confusion([("in", t) for t in earlier] + [("out", text)])


# ------------------------------------------------------------------------------- data, purity


def test_every_lexicon_line_compiles() -> None:
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            category, lang, pattern = line.split(maxsplit=2)
            assert re.compile(pattern), (category, lang)
            assert not re.search(r"\\[A-Z]", pattern), "folding lower-cases \\W, \\S, \\D"


def test_confusion_is_pure() -> None:
    code = (
        "import sys, vendorwatch.nlp.confusion as c\n"
        "c.thread_confusion([('in', 'Do you mean A?')])\n"
        "print(sorted(m for m in sys.modules if m.startswith('vendorwatch.daemon')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "vendorwatch.daemon" not in out.stdout
