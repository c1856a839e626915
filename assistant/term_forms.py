"""Other ways a sentence states a question's word, for the answerability stage's alignment (answerability.align).

The stemmer joins "holds" and "hold" but not "held"; a question's acronym may be spelt out in the document
("CRS" for "Commissioned Rehabilitative Services"); a question asking "what weakness" or "what share" is
answered by a sentence that states a lack or a fraction, not one that repeats the noun; and the place or body
a question names is often named once for the whole passage (its opening sentence, a table's caption), not in
the sentence that holds the answer. Measured on the generated library (issue 12): 27 of 161 answerable
questions were refused with the right passage ranked first, most for one of these (evals/README.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.question_parse import _stems
from assistant.text import numbers_in, split_sentences

# irregular verbs (base, past, participle), and a noun naming who does it ("Author: ..." answers "who wrote"):
# one form in the question, another in the sentence
_IRREGULAR_VERBS = (
    "hold held holds", "lead led leads", "write wrote written writes author authored writer", "send sent sends",
    "see saw seen sees",
    "make made makes", "take took taken takes", "give gave given gives", "find found finds", "meet met meets",
    "run ran runs", "begin began begun begins", "tell told tells", "say said says", "go went gone goes",
    "come came comes", "become became becomes", "keep kept keeps", "pay paid pays", "spend spent spends",
    "bring brought brings", "buy bought buys", "think thought thinks", "feel felt feels", "hear heard hears",
    "win won wins", "sit sat sits", "rise rose risen rises", "fall fell fallen falls", "grow grew grown grows",
    "know knew known knows", "show showed shown shows", "draw drew drawn draws", "build built builds",
    "sell sold sells", "teach taught teaches", "lose lost loses", "choose chose chosen chooses",
    "speak spoke spoken speaks", "break broke broken breaks", "get got gets", "stand stood stands",
    "seek sought seeks", "undertake undertook undertaken undertakes", "oversee oversaw overseen oversees",
    "withdraw withdrew withdrawn withdraws", "leave left leaves", "do did done does", "arise arose arisen arises",
)

# a category noun of a "what/which X" question -> words that state an instance of it in a sentence
_NEGATIVE = ("lack lacking lacked weak weaker weakness poor poorly insufficient inconsistent inadequate concern "
             "concerns improvement improve not no missing fail failed failing although however only too backlog "
             "shortage delay delays unclear limited gap gaps problem problems difficult difficulty copied")
_INSTANCE_WORDS = {
    **{w: _NEGATIVE for w in "weakness problem concern issue gap failing shortcoming difficulty criticism "
                             "deficiency flaw barrier".split()},
    **{w: "half third quarter fifth most majority minority few many per cent percent proportion"
       for w in "share proportion percentage fraction".split()},
    # "which standards were rated outstanding": a sentence rating something names the standard
    **{w: "rated rating ratings" for w in "standard standards".split()},
}
_SMALL = {"of", "and", "for", "the", "on", "in", "to", "&"}


def _stem(word: str) -> str:
    s = _stems(word)
    return s[0] if s else word.lower()


@lru_cache(maxsize=1)
def _verb_groups() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for group in _IRREGULAR_VERBS:
        stems = frozenset(_stem(w) for w in group.split())
        for s in stems:
            out[s] = out.get(s, frozenset()) | stems
    return out


def verb_form_in(stem: str, tokens: set[str]) -> bool:
    """Another form of an irregular verb stands in `tokens` ("held" for "holds", "saw" for "see"), or its agent
    noun ("led" for "leader"), or the adjective of a place ("European" for "Europe", "Italian" for "Italy")."""
    if (_verb_groups().get(stem, frozenset()) - {stem}) & tokens:
        return True
    base = stem[:-2] if len(stem) >= 5 and stem.endswith(("er", "or")) else ""
    if base and _verb_groups().get(base, frozenset()) & tokens:
        return True    # irregular verbs only: "worker" is not "unpaid work"
    if any(v + end in tokens for v in _verb_groups().get(stem, frozenset()) for end in ("er", "or")):
        return True    # "the leader of" for "who led"
    # a token that is the stem plus a place adjective's ending, or the stem less one (at least 4 letters left):
    # looked up per ending, not by scanning every token (that scan was most of select_sentences' time)
    return any(stem + end in tokens or (stem.endswith(end) and len(stem) - len(end) >= 4
                                        and stem[:-len(end)] in tokens) for end in _PLACE_ADJECTIVE)


_PLACE_ADJECTIVE = {"an", "ean", "ian", "ese", "ish", "ic", "n"}  # europ/european, asia/asian, itali/italian


# a noun whose stem is a verb the documents use everywhere: "the proven reoffending rate" is not "we rated the PDU"
_NOUN_NOT_VERB = {"rate": ("rate", "rates"), "rates": ("rate", "rates")}
_VERB_BEFORE = frozenset("did do does to will would they we inspectors inspectorate hmip not".split())


def noun_without_its_noun(word: str, question: str, words: set[str]) -> bool:
    """`word` is used as a noun in the question ("what is the sickness absence rate") and the sentence only has
    the verb's forms ("rated", "rating"): a stem match would be a false friend."""
    nouns = _NOUN_NOT_VERB.get(word.lower())
    if not nouns or any(n in words for n in nouns):
        return False
    before = re.search(rf"(\w+)\s+{re.escape(word)}\b", question, re.IGNORECASE)
    return not (before and before.group(1).lower() in _VERB_BEFORE)


_CAP_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|and|for|the|on|in|to|&)\s+)*[A-Z][\w’'-]*)+")


@lru_cache(maxsize=8192)
def _initialisms(text: str) -> frozenset[str]:
    """The initials of every run of capitalised words in `text` and of each part of a run ("Commissioned
    Rehabilitative Services" -> CRS, CR, RS...), small joining words left out or kept ("MoJ", "CoP")."""
    out: set[str] = set()
    for m in _CAP_RUN.finditer(text):
        words = m.group(0).split()
        caps = [w for w in words if w.lower() not in _SMALL]
        for i in range(len(caps)):
            for j in range(i + 2, len(caps) + 1):
                out.add("".join(w[0] for w in caps[i:j]).upper())
        out.add("".join(w[0] for w in words).upper())
    return frozenset(out)


def acronym_spelt(word: str, text: str) -> bool:
    """`word` is an acronym (2-6 capitals) whose expansion `text` writes out."""
    if not (2 <= len(word) <= 6 and word.isupper() and word.isalpha()):
        return False
    return word.upper() in _initialisms(text)


@lru_cache(maxsize=1)
def _instances() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """category stem -> (instance stems, instance words kept whole: "not", "no", "only" have no stem)."""
    return {_stem(k): (frozenset(_stem(w) for w in v.split()), frozenset(v.split()))
            for k, v in _INSTANCE_WORDS.items()}


def instance_of(focus: str | None, text: str) -> bool:
    """`text` states an instance of the category a "what X" question asks for: a weakness by a lack, a failing
    or a contrast ("although ... copied"), a share by a fraction or a percentage ("a third of these cases")."""
    if not focus or focus not in _instances():
        return False
    stems, words = _instances()[focus]
    low = re.findall(r"[\w’'%-]+", text.lower())
    if any(w in words for w in low) or stems & set(_stems(text)):
        return True
    return "half" in words and "%" in text   # a share given as a percentage


def neighbours(sentence: str, passage: str) -> str:
    """The sentences before and after `sentence` in its passage ("" when it is not found there)."""
    if not passage or not sentence:
        return ""
    parts = split_sentences(passage)
    for i, s in enumerate(parts):
        if s == sentence:
            return " ".join(parts[max(0, i - 1):i] + parts[i + 1:i + 2])
    return ""


_NAME_RUN = re.compile(r"(?<![\w’'-])[A-Z][\w’'.-]*(?:\s+(?:(?:of|and|the|for)\s+)?[A-Z][\w’'.-]*)*")
_CALENDAR = frozenset(_stem(w) for w in "January February March April May June July August September October "
                      "November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())


def other_names(sentence: str, question_stems: set[str], person_asked: bool = False) -> list[str]:
    """Runs of capitalised words in `sentence` with a word the question lacks (months and a sentence's first
    word aside: "NPS Midlands Division" against "NPS Wales division"): a sentence naming another place or body does not take the question's from its context.
    For a who-question, a plain run of names ("Rosalind Achterberg") is the answer, not another body."""
    out = []
    for m in _NAME_RUN.finditer(sentence):
        run = m.group(0)
        stems = set(_stems(run))
        if not stems or stems <= question_stems | _CALENDAR:
            continue
        if not re.sub(r"^[\d.\s]+", "", sentence[:m.start()]) and " " not in run:
            continue   # the sentence's first word is capitalised anyway
        if person_asked and " " in run and not re.search(r"\s(?:of|and|the|for)\s", run):
            continue
        out.append(run)
    return out


CONTEXT_WEIGHT = 0.5  # a term matched only in the sentence's context counts half in the alignment's shares


def in_context(stem: str, word: str, ask, ev) -> bool:
    """A name of `ask` (question_parse.Ask) the passage of `ev` (sentence_evidence.Evidence) gives as context:
    in the sentence before or after ("3.3 Dunholme and Pike had ... The local authority there has lost two
    hostels"), or an acronym the passage spells out. A name only where the sentence names no other one ("NPS
    Midlands Division" where the question asks about Wales, named in the sentence before). The caller never
    asks this of the asked attribute: a near-miss swaps that one."""
    if stem not in ask.names:
        return False   # a content word from the next sentence: the SQuAD 2.0 near-misses join two sentences so
        #                ("What castles were built by the Irish?": Normans dev set refused 0.527 -> 0.545 without)
    return bool(stem in ev.neighbour_tokens or acronym_spelt(word, ev.passage_text)) and \
        bool(not other_names(ev.text, set(ask.terms), ask.answer_type == "person") or _PERSON_PRONOUN.search(ev.text)
         and stem in ev.neighbour_tokens and word[:1].isupper() and not _SENTENCE_NAMES_PERSON.search(ev.text))


# "he led an army of 30,000 men": a sentence about a person it names only by pronoun takes the name from its
# neighbour even when it names places too ("allying himself with Croatia ..."), so long as it names no other
# person by title
_PERSON_PRONOUN = re.compile(r"\b(?:he|his|him|himself|she|her|herself)\b", re.IGNORECASE)
_SENTENCE_NAMES_PERSON = re.compile(r"\b(?:King|Queen|Duke|Duchess|Count|Countess|Earl|Lord|Lady|Sir|Dame|Mr|Mrs|Ms|"
                                    r"Dr|Pope|Bishop|Archbishop|Emperor|Prince|Princess)\b")


# nouns naming who does something without a capital letter ("the victim liaison officer must be told", "agreed
# by the local reducing reoffending board"): a who-question's answer as much as a name
_ROLE_NOUNS = ("officer manager director inspector inspectorate board team panel service authority council "
               "committee partnership chair worker practitioner lead agency commissioner secretary minister")


@lru_cache(maxsize=1)
def _roles() -> frozenset[str]:
    return frozenset(_stem(w) for w in _ROLE_NOUNS.split())


def role_in(text: str, question_stems: set[str]) -> bool:
    """`text` names a role or body ("the victim liaison officer") the question does not already name."""
    return bool((set(_stems(text)) & _roles()) - question_stems)


_LABELLED = re.compile(r"([^,;:—–()]+):\s*([£$]?\d[\d,.]*%?)")
_LABEL_VALUE = re.compile(r":\s*[£$]?\d")


def labelled_count(head: str, text: str, asked_numbers: set[str]) -> bool:
    """A table row's "High or very high risk of serious harm cases: 47" gives the count of `head` (a stem) after
    its label, where prose puts it before ("47 cases")."""
    if not _LABEL_VALUE.search(text):  # no "label: figure" at all: skip the scan, which retries the label
        return False                   # from every word (0.6 ms a long sentence, the slowest questions' tail)
    return any(head in _stems(m.group(1)) and numbers_in(m.group(2)) - asked_numbers
               for m in _LABELLED.finditer(text))
