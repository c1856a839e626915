"""Message text -> what the user asked: the question, filters written inline, and flags.

Slack sends text with its own markup (`<@U123>` mentions, `<https://x|label>` links, `&amp;` escapes);
it is turned back into plain text first. Filters are written in the message, e.g.
`what did inspectors recommend? type:inspection_report since:2018-06`.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.models import DOC_TYPES, Filters

HELP_WORDS = {"help", "?", "-h", "--help", "/help", "hello", "hi"}
SHARE_FLAG = "--share"

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
_FILTER = re.compile(r"(?<!\S)(type|since|until):[ \t]*(\S*)", re.IGNORECASE)
_SHARE = re.compile(r"(?<!\S)--share(?!\S)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class ParseError(ValueError):
    """Something in the message the bot cannot use, with a message that says how to fix it."""


@dataclass
class Parsed:
    question: str
    doc_types: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    share: bool = False
    help: bool = False
    channel: Any = None  # bots.slack.channels.ChannelDefault: the channel's default filters, if it has any

    def filters(self, include_restricted: bool) -> Filters:
        """The message's filters, the channel's defaults filling what it left out."""
        given = Filters(doc_type=self.doc_types or None, published_after=self.since, published_before=self.until,
                        include_restricted=include_restricted)
        return self.channel.left_to_channel(self).fill(given) if self.channel else given

    def channel_note(self) -> str:
        """What the channel's defaults add to this question, for the reply ("" when nothing)."""
        return self.channel.left_to_channel(self).describe() if self.channel else ""

    def describe_filters(self) -> str:
        parts = []
        if self.doc_types:
            parts.append("type: " + ", ".join(self.doc_types))
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        return " · ".join(parts)


def slack_to_plain(text: str, bot_user_id: str | None = None) -> str:
    """Undo Slack's markup: drop mentions of the bot, keep other mentions, links and channels readable."""
    text = text or ""

    def mention(m: re.Match) -> str:
        return "" if bot_user_id and m.group(1) == bot_user_id else f"@{m.group(1)}"

    text = _MENTION.sub(mention, text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = html.unescape(text)  # Slack escapes only &, < and >
    return _SPACES.sub(" ", text).strip()


def doc_type_of(value: str) -> str:
    """`inspection_report`, `inspection-reports`, `inspection`, `mappa`, `board` -> the canonical type."""
    v = value.strip().lower().replace("-", "_")
    if v in DOC_TYPES:
        return v
    v = v.rstrip("s")
    matches = [t for t in DOC_TYPES if t.startswith(v) or t.rstrip("s") == v] if v else []
    if len(matches) != 1:
        raise ParseError(f"unknown document type `{value}`: use type:{', type:'.join(DOC_TYPES)}")
    return matches[0]


def parse_date(value: str, *, end: bool) -> date:
    """2019-01-01, 2019-01 or 2019; a month or year means its first day (since) or last day (until)."""
    v = value.strip().rstrip(".,;")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return date.fromisoformat(v)
        if re.fullmatch(r"\d{4}-\d{2}", v):
            y, m = int(v[:4]), int(v[5:])
            return date(y, m, calendar.monthrange(y, m)[1] if end else 1)
        if re.fullmatch(r"\d{4}", v):
            return date(int(v), 12, 31) if end else date(int(v), 1, 1)
    except ValueError:
        pass
    raise ParseError(f"`{value}` is not a date: write it like 2019-01-01 (or 2019-01, or 2019)")


def parse(text: str, bot_user_id: str | None = None) -> Parsed:
    """Raises ParseError with a message meant for the user."""
    plain = slack_to_plain(text, bot_user_id)
    share = bool(_SHARE.search(plain))
    plain = _SHARE.sub(" ", plain)
    doc_types: list[str] = []
    since = until = None
    for key, value in _FILTER.findall(plain):
        key = key.lower()
        if not value:
            raise ParseError(f"`{key}:` needs a value, e.g. "
                             + ("`type:inspection_report`" if key == "type" else f"`{key}:2019-01-01`"))
        if key == "type":
            for part in filter(None, value.split(",")):
                t = doc_type_of(part)
                if t not in doc_types:
                    doc_types.append(t)
        elif key == "since":
            since = parse_date(value, end=False)
        else:
            until = parse_date(value, end=True)
    if since and until and since > until:
        raise ParseError(f"since:{since.isoformat()} is after until:{until.isoformat()}")
    question = _SPACES.sub(" ", _FILTER.sub(" ", plain)).strip()
    is_help = question.lower().strip(" !.") in HELP_WORDS or not question
    return Parsed(question=question, doc_types=doc_types, since=since, until=until, share=share, help=is_help)
