"""Who may see restricted documents: decided once, here, and applied by the service to everything it returns.

A caller is an `Access` value. Every Service entry point (ask, ask_stream, search, documents, document,
ratings) takes one and defaults to `PUBLIC`: restricted documents (`restricted: true` in the manifest or on
upload) are then absent from search results, answers, nearest passages, glossary definitions, ratings rows,
the document list and single-document look-ups, and from the vocabulary behind "no document mentions X".
Surfaces only say who the caller is: an API key's grant (`key:reader+restricted`), the Slack channel rule
(bots/slack/policy.py), or `--include-restricted` on the command line. A surface never builds the
restricted part of a filter itself: `Access.filters` overwrites whatever the caller's Filters said.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.models import DocumentInfo, Filters


@dataclass(frozen=True)
class Access:
    """What one caller may see. `restricted`: restricted documents too (an explicit grant)."""

    restricted: bool = False

    def filters(self, filters: Filters | None, any_restricted: bool = True) -> Filters:
        """The effective filters: the caller's metadata filters, with the restricted part decided here.
        `any_restricted` False (the index holds no restricted passage) drops the clause, so the vector store
        is not asked to filter for nothing."""
        return (filters or Filters()).model_copy(update={"include_restricted": self.restricted or not any_restricted})

    def may_see(self, document: DocumentInfo | None) -> bool:
        return document is not None and (self.restricted or not document.restricted)

    def may_see_passage(self, passage) -> bool:
        return self.restricted or not passage.restricted


PUBLIC = Access(restricted=False)  # the default everywhere: restricted documents denied
RESTRICTED = Access(restricted=True)


def access_for(restricted: bool) -> Access:
    return RESTRICTED if restricted else PUBLIC
