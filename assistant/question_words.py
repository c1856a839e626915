"""Word lists a question's reading leans on (question_parse): the word naming the kind of answer, past forms of irregular
verbs."""

from __future__ import annotations

import re

# "in what year", "how long": the kind of answer, not a word the sentence must repeat
_TYPE_WORD = re.compile(r"(?:(?:in|on|by|from|during|at|until|since|for) )?(?:what|which|how) (year|date|month|day|"
                        r"century|decade|period|season|long|old|far|often|percentage|proportion|fraction)s?\b",
                        re.IGNORECASE)

# "what architecture type came after ...": a past form ends the X of "what X"
_IRREGULAR_PAST = {"came", "went", "took", "gave", "made", "led", "fell", "began", "became", "won", "lost", "held",
                   "left", "brought", "built", "fought", "sent", "saw", "wrote", "ran", "rose", "grew", "knew", "found",
                   "kept", "met", "paid", "sold", "told", "stood", "spoke", "broke", "chose", "drew", "threw", "sat",
                   "got", "had", "did", "said", "set", "put", "cut", "hit", "bore", "swore", "struck", "taught", "sought"}


# pairs of words that say opposite things (stems); a claim or question using one where the evidence uses the
# other is the cheap-to-detect contradiction
OPPOSITES = [
    ({"highest", "high", "higher"}, {"lowest", "low", "lower"}),
    ({"increas", "rise", "rose", "risen", "grow", "grew", "growth", "gain", "expand", "up"},
     {"decreas", "fall", "fell", "fallen", "declin", "drop", "shrink", "down"}),
    ({"short"}, {"long"}), ({"closer", "nearer"}, {"further", "farther"}), ({"month", "monthli"}, {"year", "annual"}), ({"week", "weekli"}, {"year", "annual"}),
    ({"day", "daili"}, {"year", "annual"}), ({"ever"}, {"never"}), ({"all"}, {"none"}), ({"alway"}, {"never"}),
    ({"more"}, {"fewer", "less"}), ({"most"}, {"least", "fewest"}), ({"best", "better"}, {"worst", "wors"}),
    ({"largest", "biggest", "larger", "bigger"}, {"smallest", "smaller"}), ({"first", "earliest"}, {"last", "latest"}),
    ({"improv"}, {"deterior", "worsen", "declin"}), ({"begin", "began", "start", "open"}, {"end", "finish", "stop", "close"}),
    ({"befor", "earlier", "prior"}, {"after", "later"}), ({"success", "successful"}, {"fail", "failur", "unsuccess"}),
    ({"strong", "strength"}, {"weak"}), ({"won", "win", "victori"}, {"lost", "lose", "defeat"}),
    ({"accept"}, {"reject", "refus"}), ({"north", "northern"}, {"south", "southern"}),
    ({"east", "eastern"}, {"west", "western"}), ({"minimum"}, {"maximum"}), ({"major"}, {"minor"}),
    ({"posit"}, {"negat"}), ({"allow", "permit"}, {"forbid", "ban", "prohibit"}), ({"sufficient"}, {"insuffici"}),
    ({"consist"}, {"inconsist"}), ({"appropri"}, {"inappropri"}), ({"privat"}, {"public"}),
]
