"""Per-channel defaults: an admin-edited YAML file (ASSISTANT_SLACK_CHANNEL_DEFAULTS) that gives a channel the
filters its questions are searched with unless the message says otherwise, e.g. a MAPPA team's channel
searching MAPPA guidance only:

    channels:
      C0123MAPPA:
        type: [mappa_guidance]      # document types (short forms such as `mappa` work, as in messages)
        area: Leicester             # documents whose area mentions this
        since: 2019-01-01           # published on or after (2019-01 or 2019 work too)
        until: 2021-12-31           # published on or before

The file is read once at start-up; anything wrong in it stops the bot with a message naming the file, the
channel and the key, so a typo never silently widens or narrows what staff search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from assistant.models import Filters
from bots.slack.parse import Parsed, ParseError, doc_type_of, parse_date
from bots.slack.startup import ConfigError

KEYS = {"type", "area", "since", "until"}
MAX_FILE_BYTES = 1_000_000
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
DOC_TYPE_NAMES = {"inspection_report": "inspection reports", "mappa_guidance": "MAPPA guidance",
                  "board_paper": "board papers"}


@dataclass(frozen=True)
class ChannelDefault:
    doc_types: tuple[str, ...] = ()
    area: str | None = None
    since: date | None = None
    until: date | None = None

    def left_to_channel(self, parsed: Parsed) -> ChannelDefault:
        """The part of these defaults a message leaves in force: its own `type:`, `since:`, `until:` win."""
        return ChannelDefault(doc_types=() if parsed.doc_types else self.doc_types, area=self.area,
                              since=None if parsed.since else self.since, until=None if parsed.until else self.until)

    def fill(self, filters: Filters) -> Filters:
        """Filters with the channel's defaults where the message gave none."""
        return filters.model_copy(update={
            "doc_type": filters.doc_type or (list(self.doc_types) or None),
            "area": filters.area or self.area,
            "published_after": filters.published_after or self.since,
            "published_before": filters.published_before or self.until})

    def describe(self) -> str:
        """'Searching MAPPA guidance only in this channel (for Leicester, published since 2019-01-01)'."""
        if not (self.doc_types or self.area or self.since or self.until):
            return ""
        what = " and ".join(DOC_TYPE_NAMES.get(t, t) for t in self.doc_types) if self.doc_types else "documents"
        details = []
        if self.area:
            details.append(f"for {self.area}")
        if self.since:
            details.append(f"published since {self.since.isoformat()}")
        if self.until:
            details.append(f"published until {self.until.isoformat()}")
        text = f"Searching {what} only in this channel"
        if details:
            text += f" ({', '.join(details)})"
        return text + "; write `type:`, `since:` or `until:` in your message to search otherwise."


def load_channel_defaults(path: Path | None) -> dict[str, ChannelDefault]:
    """{channel id: its defaults}; {} without a file. Raises ConfigError saying what to fix."""
    if path is None:
        return {}
    where = f"ASSISTANT_SLACK_CHANNEL_DEFAULTS ({path})"
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{where} is larger than {MAX_FILE_BYTES} bytes")
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{where} is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) != {"channels"} or not isinstance(data["channels"], dict):
        raise ConfigError(f"{where} must be a mapping with one key, `channels:`, mapping channel ids to filters")
    return {str(channel): _entry(where, str(channel), entry) for channel, entry in data["channels"].items()}


def _entry(where: str, channel: str, entry) -> ChannelDefault:
    if not _CHANNEL_ID.match(channel):
        raise ConfigError(f"{where}: {channel!r} is not a Slack channel id (like C0123ABCD; the id is at the "
                          "bottom of the channel's About tab, not its name)")
    if not isinstance(entry, dict) or not entry:
        raise ConfigError(f"{where}: channel {channel} needs filters ({', '.join(sorted(KEYS))})")
    unknown = set(map(str, entry)) - KEYS
    if unknown:
        raise ConfigError(f"{where}: channel {channel} has unknown key(s) {', '.join(sorted(unknown))}; use "
                          f"{', '.join(sorted(KEYS))}")
    try:
        types = entry.get("type") or []
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list):
            raise ParseError("`type` must be a document type or a list of them")
        doc_types = tuple(dict.fromkeys(doc_type_of(str(t)) for t in types))
        since = _date(entry.get("since"), end=False)
        until = _date(entry.get("until"), end=True)
    except ParseError as exc:
        raise ConfigError(f"{where}: channel {channel}: {exc}") from None
    if since and until and since > until:
        raise ConfigError(f"{where}: channel {channel}: since {since} is after until {until}")
    area = entry.get("area")
    if area is not None and (not isinstance(area, str) or not area.strip()):
        raise ConfigError(f"{where}: channel {channel}: `area` must be text, e.g. area: Leicester")
    return ChannelDefault(doc_types=doc_types, area=area.strip() if area else None, since=since, until=until)


def _date(value, *, end: bool) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):  # YAML reads 2019-01-01 as a date already
        return value
    return parse_date(str(value), end=end)
