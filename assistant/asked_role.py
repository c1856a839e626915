"""Who holds the asked role of the asked body (one of answerability's hard checks, read by asked_slot.unfilled).

"Who is the regional director for the East division?" matched every word of a paragraph saying each area "will be
overseen by a new dedicated regional director" (no one named), and was answered from its other names. "Who is the
manager of Harrowgate House?" quoted "The regional manager, Odette Vancourt, ..." (a manager, of something else);
"Who chairs the Northmoor MAPPA Strategic Management Board?" quoted a review panel "chaired by Fenella Darrowby";
"Who was Justice Secretary before David Gauke?" quoted "David Gauke, Justice Secretary". A who-question asking for
the holder of a role is answered only by a sentence that names a person (not one the question names) right beside
that role, in a sentence (or under a title) that names the body the question asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.question_parse import Ask, _stem_tuple

# roles a person holds; the question's role is its noun phrase's last word ("the lead inspector", "LDU Head")
_ROLE_NOUNS = ("director", "manager", "chair", "chairman", "chairwoman", "chairperson", "head", "lead", "leader",
               "chief", "secretary", "minister", "inspector", "coordinator", "co-ordinator", "president",
               "commissioner", "governor", "adviser", "advisor", "author", "clerk", "deputy", "treasurer", "convenor",
               "convener", "superintendent", "editor", "officer", "executive")
# "who chairs X": the verb names the role; its forms in a sentence ("chaired by", "Chair", "led by", "Author:")
_ROLE_VERBS = {"chairs": "chair", "chaired": "chair", "leads": "lead", "led": "lead", "heads": "head",
               "headed": "head", "manages": "manager", "managed": "manager", "directs": "director",
               "directed": "director", "wrote": "author", "authored": "author", "edited": "editor", "edits": "editor"}
_ROLE_FORMS = {"chair": ("chair", "chairs", "chaired", "chairing", "chairman", "chairwoman", "chairperson"),
               "lead": ("lead", "leads", "led", "leader", "leading"), "head": ("head", "heads", "headed"),
               "manager": ("manager", "managed", "manages"), "director": ("director", "directed", "directs"),
               "author": ("author", "authored", "wrote", "written"), "editor": ("editor", "edited")}
_PREPOSITION = {"of", "for", "at", "in", "on", "to", "from", "with", "before", "after", "during", "when", "since",
                "until", "about", "who", "that", "which", "under", "between"}
_WHO_IS = re.compile(r"^who\s+(?:is|was|are|were|will\s+be|has\s+been|had\s+been|would\s+be)\s+(?:the\s+|a\s+|an\s+)?"
                     r"(?P<np>[^?]+)", re.IGNORECASE)
_WHO_VERB = re.compile(rf"^who\s+(?P<verb>{'|'.join(_ROLE_VERBS)})\b(?P<rest>[^?]*)", re.IGNORECASE)

# a person's name: one to four capitalised words, after an optional title ("Supt. Hollis Brandt", "Dr Ivo Pellam")
_PERSON = re.compile(r"(?<![\w’'.-])(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Supt|Insp|Cllr|Rev|"
                     r"Revd|Det|Sgt|Ch)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){0,3}(?![\w’'-])")
# a name of one word ("under their leader Rollo") opening a sentence only as its subject ("Bohemond was ...")
_SUBJECT_VERB = {"was", "is", "had", "has", "became", "becomes", "served", "remained", "chaired", "chairs", "led",
                 "leads", "headed", "heads", "wrote"}
# words of a body's or place's name, never of a person's ("Ridgeway Police", "Harrowgate House")
_NOT_PERSON = {"the", "a", "an", "in", "on", "at", "by", "for", "of", "and", "this", "that", "these", "those", "his",
               "her", "their", "its", "our", "we", "it", "he", "she", "they", "service", "services", "board", "police",
               "council", "trust", "division", "unit", "team", "ministry", "court", "prison", "partnership",
               "committee", "panel", "authority", "agency", "department", "office", "region", "probation", "house",
               "lodge", "road", "street", "centre", "hospital", "university", "college", "school", "group",
               "programme", "report", "inspection", "paper", "plan", "table", "annex", "appendix", "section",
               "county", "city", "borough", "district", "national", "justice", "health", "government", "england",
               "wales", "scotland", "ireland", "britain", "kingdom", "january", "february", "march", "april", "may",
               "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday",
               "wednesday", "thursday", "friday", "saturday", "sunday", "summary", "minutes", "present", "apologies",
               "action", "chair", "recommendation", "recommendations", "version", "published"}
_ROLE_WORDS = {w for w in _ROLE_NOUNS} | {f for forms in _ROLE_FORMS.values() for f in forms}
WINDOW = 6  # words between the role and the name: "the regional manager, Odette Vancourt", "chaired by X"
# kinds of body a role belongs to: "The review panel ... was chaired by X" names the panel's chair, whatever the
# document's title says
_BODY_KINDS = frozenset(_stem_tuple("board panel committee group team review meeting forum partnership programme "
                                    "project inquiry pdu unit division service trust council authority audit"))


@dataclass
class AskedRole:
    """The role a who-question asks to have filled, and the names of the body it asks about."""

    role: str                     # "director", "chair", ... (a key of _ROLE_FORMS or a role noun)
    phrase: str                   # what is asked, in the question's words ("as regional director for the East
    #                               division", "who chairs the Northmoor MAPPA SMB")
    body: set[str]                # stems of the question's names outside the role phrase ("east", "harrowg")


def asked_role(ask: Ask) -> AskedRole | None:
    """The role asked for by "who is the R of X", "who is X's R", "who was R before Y", "who chairs X"."""
    q = ask.text.strip()
    m = _WHO_VERB.match(q)
    if m:
        role = _ROLE_VERBS[m.group("verb").lower()]
        return AskedRole(role, f"who {m.group('verb')}{m.group('rest')}".strip(), _names_in(ask, m.group("rest")))
    m = _WHO_IS.match(q)
    if not m:
        return None
    words = re.findall(r"[\w’'-]+", m.group("np"))
    np: list[str] = []
    for w in words:
        if w.lower() in _PREPOSITION:
            break
        np.append(w)
    if not np:
        return None
    last = re.sub(r"[’']s$", "", np[-1]).lower()
    if last.rstrip("s") not in _ROLE_NOUNS and last not in _ROLE_NOUNS:
        return None
    role = last if last in _ROLE_NOUNS else last.rstrip("s")
    role_words = [w for w in np if w.lower() in _ROLE_WORDS or not w[:1].isupper() or w.isupper() and len(w) <= 3]
    body = _names_in(ask, q) - {s for w in role_words for s in _stem_tuple(w)}
    return AskedRole(role, "as " + m.group("np").strip(), body)


def _names_in(ask: Ask, text: str) -> set[str]:
    stems = set(_stem_tuple(text))
    return {n for n in ask.names if n in stems}


# modifiers that leave a role the same role ("the new chair, X"); any other lowercase one makes it another role
# ("the regional manager" is not the manager of a house the question names)
_SAME_ROLE = {"new", "current", "interim", "acting", "permanent", "joint", "the", "a", "an", "its", "their", "our",
              "his", "her", "as", "by", "and"}


def _role_positions(role: str, words: list[str], asked: set[str]) -> list[int]:
    forms = set(_ROLE_FORMS.get(role, (role, role + "s")))
    out = []
    for i, w in enumerate(words):
        if w.lower().strip("().,:;") not in forms:
            continue
        before = words[i - 1] if i else ""
        if before.isalpha() and before.islower() and before not in _SAME_ROLE and \
                not set(_stem_tuple(before)) <= asked and w.lower().strip("().,:;") in _ROLE_NOUNS:
            continue
        out.append(i)
    return out


def holder_parts(ask: Ask, role: str, sentence: str) -> list[tuple[str, int]]:
    """The parts of the sentence (each with where the holder's name starts) where a person the question does not name stands within WINDOW words of the role
    (a semicolon ends a list item: "Supt. Hollis Brandt (Chair), Ridgeway Police; Maren Achebe, ...")."""
    asked = set(ask.terms) | {x for alts in ask.synonyms.values() for alt in alts for x in alt}
    out = []
    for part in re.split(r";|\n", sentence):
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", part)]
        words = [part[a:b] for a, b in spans]
        roles = _role_positions(role, words, asked)
        if not roles:
            continue
        for m in _PERSON.finditer(part):
            name_words = m.group(0).split()
            if any(w.lower().rstrip(".") in _NOT_PERSON or w.lower() in _ROLE_WORDS for w in name_words):
                continue
            if set(_stem_tuple(m.group(0))) & asked:
                continue   # the question's own name ("before David Gauke") is not the holder asked for
            first = next(i for i, (a, b) in enumerate(spans) if b > m.start())
            last = next(i for i, (a, b) in enumerate(spans) if b >= m.end())
            if len(name_words) == 1 and (first == 0 or not part[:m.start()].strip()) and \
                    (last + 1 >= len(words) or words[last + 1].lower() not in _SUBJECT_VERB):
                continue   # a sentence's capitalised first word ("Significantly the ...") is no name
            if any(first - WINDOW <= r < first or last < r <= last + WINDOW for r in roles):
                out.append((part, m.start()))
                break
    return out


def body_named(role: AskedRole, ask: Ask, part: str, name_at: int, title: str) -> bool:
    """Every name of the asked body stands in the part of the sentence naming the holder, or in its document's title
    (minutes name their board in the title: "Present: Supt. Hollis Brandt (Chair)") unless that part opens with a
    kind of body the question does not ask about ("The audit panel ... was chaired by"), by itself or as the
    glossary spells it."""
    stems = set(_stem_tuple(part))
    # before the holder's name, in its own sentence (a quoted unit may carry the sentence before: answer.py)
    subject = set(_stem_tuple(re.split(r"(?<=[.!?])\s+", part[:name_at])[-1])) & _BODY_KINDS
    if not subject or subject & set(_stem_tuple(ask.text)):
        stems |= set(_stem_tuple(title))
    return all(n in stems or any(alt and alt <= stems for alt in ask.synonyms.get(n, ())) for n in role.body)


def role_unfilled(ask: Ask, sentences: list[str], titles: list[str]) -> str | None:
    """"they name no regional director of the East division" when no quoted sentence names the holder of the
    asked role of the asked body; None when one does, or the question asks for no role."""
    if ask.answer_type != "person":
        return None
    role = asked_role(ask)
    if role is None:
        return None
    for sentence, title in zip(sentences, titles or [""] * len(sentences), strict=False):
        if any(body_named(role, ask, part, at, title) for part, at in holder_parts(ask, role.role, sentence)):
            return None
    return f"they name no one {role.phrase}"
