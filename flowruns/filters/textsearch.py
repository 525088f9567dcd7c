"""The query language of the log text search (`LogFilter.text.query`, spec/api.md §7.4).

* terms are separated by whitespace; bare terms are alternatives (any may match);
* `-term` or `!term` excludes, `+term` is required; a prefix followed by whitespace is ignored;
* `"a quoted phrase"` is one term and may carry a prefix (`-"connection timeout"`); inside it
  `\\"` is a quote and `\\\\` a backslash; an unclosed quote runs to the end of the query;
* a bare term ends at whitespace or at a quote.

Matching is a case-insensitive substring test, done by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_PREFIXES = "-!+"


@dataclass
class SearchTerms:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)

    def add(self, prefix: str, term: str) -> None:
        if prefix in ("-", "!"):
            self.exclude.append(term)
        elif prefix == "+":
            self.required.append(term)
        else:
            self.include.append(term)


def _read_phrase(query: str, start: int) -> tuple[str, int]:
    """The phrase opening at `query[start] == '"'`, and the index just past it."""
    chars: list[str] = []
    i = start + 1
    while i < len(query):
        char = query[i]
        if char == "\\" and i + 1 < len(query) and query[i + 1] in '"\\':
            chars.append(query[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(chars), i + 1
        chars.append(char)
        i += 1
    return "".join(chars), i


def parse_search_query(query: str) -> SearchTerms:
    terms = SearchTerms()
    i, length = 0, len(query)
    while i < length:
        if query[i].isspace():
            i += 1
            continue
        prefix = ""
        if query[i] in _PREFIXES:
            if i + 1 >= length or query[i + 1].isspace():
                i += 1  # a lone prefix character means nothing
                continue
            prefix = query[i]
            i += 1
        if query[i] == '"':
            phrase, i = _read_phrase(query, i)
            if phrase.strip():
                terms.add(prefix, phrase)
            continue
        start = i
        while i < length and not query[i].isspace() and query[i] != '"':
            i += 1
        terms.add(prefix, query[start:i])
    return terms
