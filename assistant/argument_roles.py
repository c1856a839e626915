"""Who did what to whom: a question that keeps every word of a sentence but swaps their roles.

Word overlap sees "Who replaced the Normans as the ruling class?" fully supported by "The invading Normans
replaced the Anglo-Saxons as the ruling class", though the sentence names the Normans as the ones who replaced,
not the ones replaced. Four cheap signs of a swapped role, each reported as a conflict ("claim vs evidence"):

- order: a word that stands before the asked verb in the question (its subject) stands only after the same
  verb in the sentence, or the other way round, both clauses in the same voice ("When did Harold conquer
  England?" against "William conquered England, killing Harold");
- possession: "X's son" asked, where the sentence makes X the son ("Bohemond, Robert's son", "his nephew
  Tancred");
- direction: "from Italy" asked, where the sentence says only "to Italy" (or the other way round);
- numeral: "Henry II" asked, where the sentence names only "Henry III".

Questions only: a generated claim is checked by the post-check's own binding rules (support_terms).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.question_parse import _stems
from assistant.support_words import first_stems

_WORD = re.compile(r"[\w’'-]+")
_AUX = {"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "could", "can",
        "should", "might", "may"}
_BE = {"was", "were", "is", "are", "be", "been", "being", "am"}
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "my", "this", "that", "these", "those",
                "each", "every", "all", "some", "both", "any", "not", "first", "last", "eventually", "finally",
                "also", "actually", "ever", "never", "often", "usually", "originally", "initially", "later"}
_NOUN_ENDINGS = ("ion", "ment", "ity", "ness", "ship", "ance", "ence", "ism", "ure", "ist", "ian", "age", "hood",
                 "ty", "er", "or")
_PREPOSITIONS = {"of", "in", "on", "at", "to", "for", "with", "from", "by", "into", "about", "under", "over",
                 "after", "before", "during", "between", "against", "as", "than", "through", "toward", "towards", "among",
                 "amongst", "across", "within", "without", "around", "near", "per", "via", "upon", "since", "until",
                 "beyond", "despite", "throughout", "alongside", "onto", "like", "unlike"}
# a verb form stands right after these only when it heads a clause of its own ("the Normans, led by ...")
_CLAUSE_OPENERS = {",", "who", "which", "that", "whose", "whom", "when", "while", "after", "before",
                   "having", "being"}
_NOUN_BEFORE = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those", "first",
               "second", "third", "fourth", "fifth", "last", "next", "new", "major", "main", "final"}
_NUMERAL = r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|XVIII|XIX|XX)"
_ADVERBS = {"later", "also", "then", "now", "once", "soon", "already", "still", "often", "never", "not", "first",
            "eventually", "finally", "since", "thereafter", "again"}
_WINDOW = 14  # words either side of the verb that can be its subject or object


_TOKEN = re.compile(r"[\w’'-]+|[,;:()—–]")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


@lru_cache(maxsize=1024)
def _question_roles(question: str) -> tuple[list[str], tuple[int, bool, bool] | None]:
    """The question's words and _question_verb of them, once per question (not again for each quoted
    sentence); emptied with the stage's other caches (sentence_evidence.clear_caches)."""
    q = _words(question.strip().rstrip("?"))
    return q, _question_verb(q)


def _stem(word: str) -> str:
    s = _stems(word)
    return s[0] if s else ""


def _participle(word: str) -> bool:
    w = word.lower()
    return w.endswith(("ed", "en", "wn")) or w in {"led", "made", "held", "built", "sent", "kept", "paid", "found",
                                                   "taken", "given", "won", "lost", "fought", "brought", "told", "sold",
                                                   "left", "met", "set", "put", "hit", "cut", "known", "seen", "run"}


def _question_verb(words: list[str]) -> tuple[int, bool, bool] | None:
    """(index of the asked verb, is the answer the subject?, passive?) for "Who replaced X", "What was absorbed
    into X", "Who did Edgar marry", "When did Harold conquer England"; None for a copula ("Who was Robert's
    son?") or a question whose verb cannot be told."""
    low = [w.lower() for w in words]
    if not low:
        return None
    i = 1
    if low[0] in {"which", "what", "whose"} and len(low) > 2 and low[1] not in _AUX and low[2] not in _DETERMINERS:
        i = 2  # "what language replaced", "which king ruled": skip the X
        if len(low) > 3 and low[2] not in _AUX and not _participle(low[2]) and low[2] not in _PREPOSITIONS:
            i = 3
    if low[0] in {"who", "what", "which", "whose"} and i < len(low):
        w = low[i]
        if w in _BE and i + 1 < len(low) and _participle(low[i + 1]) and words[i + 1][:1].islower():
            return i + 1, True, True                     # "What was absorbed into ..."
        if w not in _AUX and w not in _DETERMINERS and w not in _PREPOSITIONS and words[i][:1].islower() \
                and not w.endswith(_NOUN_ENDINGS[:-2]):
            return i, True, False                        # "Who replaced the Normans ..."
    # "<wh-phrase> did <subject> <verb> ...": the first word after the subject that is no noun
    try:
        a = next(k for k, w in enumerate(low[:6]) if w in {"did", "does", "do"})
    except StopIteration:
        return None
    after_det = False
    for k in range(a + 1, min(len(low), a + 9)):
        w = low[k]
        if w in _DETERMINERS:
            after_det = True
            continue
        if words[k][:1].isupper() or any(c.isdigit() for c in w) or w.endswith(("'s", "’s")) \
                or w.endswith(_NOUN_ENDINGS[:-2]) or (w.endswith("s") and not w.endswith(("ss", "us"))):
            after_det = False
            continue
        if after_det:      # "the king marry": the word after a determiner heads the subject
            after_det = False
            continue
        if k + 1 < len(low) and _noun_after_name(words, k):
            k += 1         # "the Wendle Riverside team supervise": a noun after a name, then the verb
        return (k, False, False) if k > a + 1 else None
    return None


_PARTICLES = {"out", "up", "off", "down", "over", "back", "away", "on", "in", "part"}


def _noun_after_name(words: list[str], k: int) -> bool:
    """words[k] follows a name or possessive ("Riverside team", "women's centre") and another plain word
    follows it that ends the question or comes before a preposition, determiner or name: words[k] heads the
    subject and the next word is the verb."""
    prev, nxt = words[k - 1], words[k + 1]
    if not (prev[:1].isupper() and not re.fullmatch(_NUMERAL, prev)) and not prev.lower().endswith(("'s", "’s")):
        return False
    low = nxt.lower()
    if not nxt[:1].islower() or low in _DETERMINERS | _PREPOSITIONS | _PARTICLES | (_AUX - {"have", "has", "had"}) \
            or low.endswith(_NOUN_ENDINGS):
        return False
    after = words[k + 2] if k + 2 < len(words) else ""
    return not after or after.lower() in _DETERMINERS | _PREPOSITIONS | _PARTICLES or after[:1].isupper() or \
        after[:1].isdigit() or after in ",;:"


def _object_region(words: list[str], v: int, passive: bool) -> list[str]:
    """The words the verb acts on: up to the first comma or preposition (but "of", or one opening the region
    of a passive verb: "absorbed into X"), at most six words."""
    out: list[str] = []
    for k, w in enumerate(words[v + 1:v + 7]):
        low = w.lower()
        if w == "," or (low in _PREPOSITIONS and low != "of" and (k > 0 or not passive)):
            break
        out.append(w)
    return out


_SENTENCE_BREAK = {";", ":", "(", ")", "—", "–"}


def _sides(words: list[str], v: int, ask_terms: set[str]) -> tuple[set[str], set[str]]:
    """The question's words before and after the verb, within its clause (a semicolon, colon or bracket ends
    it) and _WINDOW words."""
    lo = v
    while lo > 0 and v - lo < _WINDOW and words[lo - 1] not in _SENTENCE_BREAK:
        lo -= 1
    hi = v + 1
    while hi < len(words) and hi - v <= _WINDOW and words[hi] not in _SENTENCE_BREAK:
        hi += 1
    before = {s for w in words[lo:v] for s in _stems(w)} & ask_terms
    after = {s for w in words[v + 1:hi] for s in _stems(w)} & ask_terms
    return before, after


def order_swaps(question: str, sentence: str, ask_terms: set[str], verb_forms, names: set[str] | None = None) \
        -> list[str]:
    """A question word on the other side of the asked verb in the sentence, both in the same voice: the
    subject of a "did" question (between "did" and the verb) or the object of the asked verb (the words right
    after it). `verb_forms(stem)` gives the stems that state the verb (its irregular forms)."""
    q, found = _question_roles(question)
    if not found:
        return []
    v, answer_is_subject, q_passive = found
    verb = _stem(q[v])
    if not verb or verb not in ask_terms:
        return []
    forms = verb_forms(verb) | {verb}
    aux = next((k for k, w in enumerate(q[:v]) if w.lower() in {"did", "does", "do"}), None)
    q_before = set() if answer_is_subject or aux is None else {s for w in q[aux + 1:v] for s in _stems(w)} & ask_terms
    q_after = {s for w in _object_region(q, v, q_passive) for s in _stems(w)} & ask_terms
    q_before, q_after = q_before - q_after - {verb}, q_after - q_before - {verb}
    if not q_before | q_after:
        return []
    names = set(names or ()) | {s for w in q[1:] if w[:1].isupper() for s in _stems(w)}
    s = _words(sentence)
    positions = [k for k, st in enumerate(first_stems(s)) if st in forms]   # (_stem of each word, in one call)
    verdicts = []
    for k in positions:
        prev = s[k - 1].lower() if k else ""
        if prev in _NOUN_BEFORE:
            continue       # "the invading Normans", "a third attack": a noun or adjective, not the verb
        prev2 = s[k - 2].lower() if k > 1 else ""
        passive = prev in _BE or (prev2 in _BE and (prev.endswith("ly") or prev in _ADVERBS))
        if passive != q_passive or prev in _CLAUSE_OPENERS or not k:
            return []      # another voice, or a verb opening a clause of its own: the roles cannot be read
        before, after = _sides(s, k, q_before | q_after)
        moved = [(q_side & there) - here for q_side, here, there in ((q_before, before, after), (q_after, after, before))]
        kept = [q_side & here for q_side, here in ((q_before, before), (q_after, after))]
        # a side counts as swapped when more of its words moved than stayed ("Harrowfield PDU" where "the PDU
        # works with Harrowfield Women's Hub": one moved, one stayed); an object too when a name moved ("Norman
        # forces" where "the Normans joined Turkish forces")
        swapped = sorted(w for side, (m, k_) in enumerate(zip(moved, kept, strict=True))
                         if len(m) > len(k_) or (side and m & names) for w in m)
        if not swapped:
            return []      # one reading of the sentence keeps the roles
        verdicts.append(swapped)
    if not verdicts:
        return []
    all_moved = {w for v_ in verdicts for w in v_}
    surface = " ".join(dict.fromkeys(w for w in q if set(_stems(w)) & all_moved))
    verb_word = f"“{q[v]}”"
    # read by what_is_missing as "they say <after vs>, not <before vs>"
    if q_before & all_moved:
        return [f"{surface} {verb_word} vs {verb_word} {surface}"]
    return [f"{verb_word} {surface} vs {surface} {verb_word}"]


_POSSESSIVE = re.compile(r"\b([A-Z][\w-]+)['’]s\s+([a-z][\w-]+)")


def possessive_swaps(question: str, sentence: str) -> list[str]:
    """"X's R" asked where the sentence makes X the R: "his nephew Tancred", "Bohemond, Robert's son"."""
    out = []
    for m in _POSSESSIVE.finditer(question):
        x, r = m.group(1), m.group(2)
        rel = re.escape(r.rstrip("s")) + r"\w*"
        if re.search(rf"\b{re.escape(x)}['’]s\s+(?:[\w-]+\s+)?{rel}\b|\b{rel}\s+of\s+(?:[A-Z][\w-]+\s+)*{re.escape(x)}\b",
                     sentence):
            continue
        if re.search(rf"\b{rel}\s+(?:[A-Z][\w-]+\s+){{0,2}}{re.escape(x)}\b", sentence) or \
                re.search(rf"\b{re.escape(x)}\b(?:\s+(?:of|de)\s+[A-Z][\w-]+)?,\s+(?:his|her|their|the|a|[A-Z][\w-]+['’]s)\s+"
                          rf"(?:[\w-]+\s+)?{rel}\b", sentence):
            out.append(f"{x}'s {r} vs {x} the {r}")
    return out


_DIRECTION = re.compile(r"\b(from|to|into)\s+(?:the\s+)?([\w-]+)", re.IGNORECASE)


def direction_swaps(question: str, sentence: str) -> list[str]:
    """"fled from Italy" asked where the sentence has only "fled to Italy" (or the reverse)."""
    out: list[str] = []
    asked = list(_DIRECTION.finditer(question))
    if not asked:
        return out   # (the sentence is read only for a question that names a direction)
    sent = {(m.group(1).lower() == "from", _stem(m.group(2))) for m in _DIRECTION.finditer(sentence)}
    for m in asked:
        target = _stem(m.group(2))
        if not target or target in {"be", "have"}:
            continue
        source = m.group(1).lower() == "from"
        if (not source, target) in sent and (source, target) not in sent:
            out.append(f"{m.group(1).lower()} {m.group(2)} vs {'to' if source else 'from'} {m.group(2)}")
    return out




_NAME_NUMERAL = re.compile(rf"\b([A-Z][a-z]+)\s+({_NUMERAL})\b")


def numeral_swaps(question: str, sentence: str) -> list[str]:
    """"Henry II" asked where the sentence names only "Henry III": a regnal (or series) numeral is a number."""
    out = []
    for m in _NAME_NUMERAL.finditer(question):
        name, num = m.group(1), m.group(2)
        there = set(re.findall(rf"\b{name}\s+({_NUMERAL})\b", sentence))
        if there and num not in there:
            out.append(f"{name} {num} vs {name} {'/'.join(sorted(there))}")
    return out


# a people's or language's adjective before a noun ("a Byzantine general", "the French words", "Anglo-Norman")
_NAMED_NOUN = re.compile(r"(?<=[\w,;’'”\"] )((?:[A-Z][a-z]+-)?[A-Z][a-z]+(?:ish|an|ian|ean|ese|ic|ch|ine|se|in))"
                         r"\s+([a-z][a-z-]{2,})\b")


def modifier_swaps(question: str, sentence: str) -> list[str]:
    """"a Norman general" asked where the sentence says only "a Byzantine general": a people's or language's
    adjective before a noun says which one (a place's or body's name is support_terms' and body_swaps' job)."""
    def pairs(text: str) -> list[tuple[set[str], str, str, str]]:
        return [(set(_stems(m.group(1))), _stem(m.group(2)), m.group(1), m.group(2)) for m in _NAMED_NOUN.finditer(text)]

    out: list[str] = []
    asked = pairs(question)
    if not asked:
        return out   # (the sentence is read only for a question with such an adjective)
    there = pairs(sentence)
    for mine, noun, word, surface in asked:
        others = [w for theirs, n, w, _ in there if n == noun]
        if others and noun and not any(mine & theirs for theirs, n, _, _ in there if n == noun):
            out.append(f"{word} {surface} vs {others[0]} {surface}")
    return out


def _verb_forms(stem: str) -> frozenset[str]:
    from assistant.term_forms import _verb_groups  # term_forms imports question_parse, as this module does

    return _verb_groups().get(stem, frozenset())


_WH_QUESTION = re.compile(r"\s*(?:who|what|which|when|where|how|why)\b", re.IGNORECASE)


def swaps(ask, ev) -> list[str]:
    """All four, for a question (a claim has no answer type and is left to support_terms)."""
    if ask.answer_type is None and not _WH_QUESTION.match(ask.text):
        return []
    return order_swaps(ask.text, ev.text, set(ask.terms), _verb_forms, ask.names) + possessive_swaps(ask.text, ev.text) + \
        direction_swaps(ask.text, ev.text) + numeral_swaps(ask.text, ev.text) + modifier_swaps(ask.text, ev.text)
