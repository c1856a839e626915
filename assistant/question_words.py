"""Word lists a question's reading leans on (question_parse): the word naming the kind of answer, past forms of irregular
verbs."""

from __future__ import annotations

import re

# "in what year", "how long": the kind of answer, not a word the sentence must repeat
_TYPE_WORD = re.compile(r"(?:(?:in|on|by|from|during|at|until|since|for) )?(?:what|which|how) (year|date|month|day|"
                        r"century|decade|period|season|long|old|far|often|percentage|proportion|fraction)\b",
                        re.IGNORECASE)

# "what architecture type came after ...": a past form ends the X of "what X"
_IRREGULAR_PAST = {"came", "went", "took", "gave", "made", "led", "fell", "began", "became", "won", "lost", "held",
                   "left", "brought", "built", "fought", "sent", "saw", "wrote", "ran", "rose", "grew", "knew", "found",
                   "kept", "met", "paid", "sold", "told", "stood", "spoke", "broke", "chose", "drew", "threw", "sat",
                   "got", "had", "did", "said", "set", "put", "cut", "hit", "bore", "swore", "struck", "taught", "sought"}
