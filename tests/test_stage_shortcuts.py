"""The answerability stage's shortcuts (benchmarks/RESULTS.md, "Answerability stage cost") give exactly what the
plain computations they replace give, on every corpus passage and sentence, every question of evals/questions/,
every labelled claim of the LLM check and a few awkward strings: a speed-up must not change one verdict."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.answerability import Evidence, clear_caches
from assistant.argument_roles import _stem, _words
from assistant.evaluation.questions import load_sets
from assistant.glossary import Glossary
from assistant.question_parse import _NEGATION, _YEAR, _stem_tuple, _stems
from assistant.sentence_evidence import _WORDS, _expanded_stems, answer_numbers
from assistant.support_terms import _negated_clauses, _negation_profile, negated
from assistant.support_words import (
    _CLAUSE,
    _NEGATORS,
    RATINGS,
    Tok,
    _find,
    _kept_stop_words,
    _stem_set,
    first_stems,
    ratings_in,
    tokens_of,
)
from assistant.text import numbers_in, split_sentences, tokenize

ROOT = Path(__file__).resolve().parents[1]
AWKWARD = ["Don't FTE's 1,600 £2.5m naïve Ærø x_y a 1 22 ² ٣ O’Neill MAY May may-be in May 2019 ΣΑΣ", "",
           "The plan lacked detail; inspectors were unable to find it, which was not a surprise",
           "Her Majesty’s Inspectorate of Probation (HMIP) and HMPPS\nMAPPA level 3 cases",
           # case folding that is not ASCII's ("ı" folds to "i"), negation by "n't" or a lack-word only
           "Neıther board met", "İnot a negation", "It didn’t LACK resources.", "There was an Absence of plans.",
           "Court work was rated Requires Improvement; it was reviewed (twice) — but not approved in May 2024."]


def _texts() -> list[str]:
    texts = list(AWKWARD)
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text, *split_sentences(text)]
    _, qs = load_sets(sorted((ROOT / "evals" / "questions").glob("*.yaml")))
    texts += [q.question for q in qs]
    examples = yaml.safe_load((ROOT / "benchmarks" / "llm_check_examples.yaml").read_text(encoding="utf-8"))
    texts += [e["claim"] for e in examples["examples"]]
    return texts


def _old_tokens_of(text: str) -> tuple[Tok, ...]:
    """support_words.tokens_of as it was, word by word."""
    out = []
    for i, m in enumerate(re.finditer(r"[A-Za-z0-9]+(?:[’'][A-Za-z]+)?|[£$€%]", text)):
        w = m.group(0)
        nums = numbers_in(w) if not re.fullmatch(r"(?i)may", w) else set()
        stem = (_stems(w) or [""])[0] or (w.lower() if w.lower() in _kept_stop_words() else "")
        out.append(Tok(w, stem, w[:1].isupper() and i > 0, next(iter(nums)) if len(nums) == 1 else ""))
    return tuple(out)


def test_each_words_stem_is_the_analysers():
    texts = _texts()
    found = {w for t in texts for w in re.findall(r"[\w’'£$€%-]+", t)}
    words = sorted(found | {w.upper() for w in found} | {w.title() for w in found} | {"", "a", "1", "_", "x_y"})
    assert len(words) > 3000
    clear_caches()
    firsts = first_stems(words)
    assert [list(_stem_tuple(w)) for w in words] == tokenize(words)   # one word: no regex, the same tokens
    assert firsts == [(_stem_tuple(w) or ("",))[0] for w in words]
    assert first_stems(words) == firsts                                # and again, from the stems it kept


def test_tokens_and_stem_sets_are_those_of_the_word_by_word_rules():
    clear_caches()
    texts = _texts()
    for t in texts:
        assert tokens_of(t) == _old_tokens_of(t), t
        assert _stem_set(t) == frozenset(x.stem for x in _old_tokens_of(t)) - {""}, t
    assert sum(len(tokens_of(t)) for t in texts) > 10000


def test_glossary_stems_are_the_stems_of_the_expanded_text():
    glossary = Glossary.load()
    texts = _texts()
    title = "National Probation Service update to the partnership board: LLR 2019-06-01"
    texts += [f"{title}\n{t}" for t in texts[:200]]
    clear_caches()
    expanded = 0
    for t in texts:
        assert _expanded_stems(glossary, t) == set(_stem_tuple(glossary.expand_query(t))), t
        expanded += glossary.expand_query(t) != t
    assert expanded > 100


def test_numbers_and_years_of_a_title_and_sentence_are_those_of_each():
    texts = _texts()
    titles = ["Midlands Division inspection, May 2018 (2018-05-03)", "Board update 2019-06-01 in May", "Table 1",
              "Section 4: 1,600 staff", ""]
    for title in titles:
        for t in texts:
            full = f"{title}\n{t}" if title else t
            assert numbers_in(full) == numbers_in(title) | numbers_in(t), (title, t)
            assert set(_YEAR.findall(full)) == set(_YEAR.findall(title)) | set(_YEAR.findall(t)), (title, t)


def test_clause_negation_is_looked_for_only_where_the_sentence_negates():
    clear_caches()
    lacking = 0
    for t in _texts():
        words = tokens_of(t)
        lacked = frozenset(x.stem for i, w in enumerate(words) if _NEGATORS.fullmatch(w.word)
                           for x in words[i + 1:i + 4] if x.stem)
        assert _negation_profile(t) == (negated(t), lacked), t
        assert _negated_clauses(t) == tuple((_stem_set(c), negated(c)) for c in _CLAUSE.split(t) if c and c.strip())
        lacking += bool(lacked)
    assert lacking >= 3


def _sentences() -> list[str]:
    return [t for t in _texts() if len(t) < 1500]


def test_a_sentence_is_searched_for_a_negation_once_with_the_same_verdict():
    """negated() and Evidence.negation share one search (support_terms.says_no); the lack-words and the words
    after a negation are looked for only where the text can hold them."""
    clear_caches()
    flipped = 0
    for t in _sentences():
        assert negated(t) == bool(_NEGATION.search(t) or _NEGATORS.search(t)), t
        words = re.findall(r"[\w’'-]+", t.lower())
        after = {x for i, w in enumerate(words) if _NEGATION.fullmatch(w) or w.endswith(("n't", "n’t"))
                 for y in words[i + 1:i + 3] for x in _stems(y)}
        assert Evidence.of(t).negation() == (bool(_NEGATION.search(t)), after), t
        flipped += bool(after)
    assert flipped > 10


def test_figures_capitals_and_clause_facts_worked_out_when_read_are_the_eager_ones():
    clear_caches()
    title = "Annual report 2023-24: 17 teams"
    for t in _sentences():
        ev = Evidence.of(t, None, title)
        words = _WORDS.findall(t)
        assert ev.caps == {x for i, w in enumerate(words) if i > 0 and w[:1].isupper() for x in _stem_tuple(w)[:1]}
        assert (ev.own_numbers, ev.own_years) == (answer_numbers(t), set(_YEAR.findall(t))), t
        assert (ev.numbers, ev.years) == (numbers_in(t) | numbers_in(title), ev.own_years | {"2023"}), t
        assert ev.missing_figures({"17", "999"}, {"2023", "1999"}) == {"999", "1999"} - ev.numbers - ev.years
        for kind in ("number", "date", "person"):
            wanted = {s for _, stems in ev.clauses[::2] for s in sorted(stems)[:1]}
            for full, some in zip(ev.clause_facts(kind), ev.clause_facts(kind, wanted), strict=True):
                assert some == full if wanted & full[1] else some[2:] == ([], set(), set())


def test_word_level_shortcuts_agree_with_the_plain_loops():
    """first_stems is argument_roles._stem of each word; _find and ratings_in skip only where no match can be."""
    clear_caches()
    for t in _sentences():
        words = _words(t)
        assert first_stems(words) == [_stem(w) for w in words], t
        assert ratings_in(t.lower()) == {r for r in RATINGS if re.search(rf"\b{r}\b", t.lower())}, t
        key = [x.stem or x.word.lower() for x in tokens_of(t)]
        for part in (key[1:3], key[-2:], key[:1], ["board", "met"], []):
            assert _find(key, part) == [k for k in range(len(key) - len(part) + 1) if key[k:k + len(part)] == part]
