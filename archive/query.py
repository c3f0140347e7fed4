"""The archive's small query language, parsed into structured clauses.

    电梯 事故            both words (AND)
    "电梯 困人"          a phrase, matched as written
    召回 OR 缺陷         either word; OR binds tighter than the implicit AND (|| too)
    电梯 AND 事故        AND / && are the implicit AND written out; NOT 演习 is -演习
    -演习                exclude a word or "phrase"
    platform:weibo       a field filter (source, platform, kind, topic, event,
                         sentiment, region, author, entity); -field:value excludes
    entity:佳佳          mentions whose analysis names that entity: a company, brand,
                         product or region (entity:深圳市, its code entity:440300,
                         or its province's code entity:440000);
                         region: is the region configured for the mention's source

Words are folded from Traditional to Simplified (電梯 finds what 电梯 finds, and the Traditional
spelling still matches text written that way). Field values are read through
``archive.vocabulary``: ``platform:微博`` is ``platform:weibo`` (codes case-insensitive),
``region:江州`` also finds 江州市, and an unknown topic, platform, kind or sentiment is an
error listing the valid values.

Any string either parses or raises ``QueryError`` with a message for the user. The parse tree
holds words, never query syntax: each backend builds its own query from it (FTS5 expressions
with every token quoted for SQLite, query DSL objects for Elasticsearch), so user text never
reaches a query engine unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from archive.search import FILTER_FIELDS, SearchRequest
from archive.vocabulary import VocabularyError, canonical

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32


# Operators people type from other search engines; AND is what juxtaposition means already.
_AND_WORDS = frozenset({"AND", "&&"})
_OR_WORDS = frozenset({"OR", "||"})
_NOT_WORD = "NOT"


@lru_cache(maxsize=1)
def _t2s() -> object:
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, no native build

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s), as the analysis reads text."""
    converted: str = _t2s().convert(text)  # type: ignore[attr-defined]
    return converted


class QueryError(ValueError):
    """The query cannot be understood; the message says where and why."""


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class FieldFilter:
    field: str
    value: str


@dataclass
class ParsedQuery:
    # AND of OR-groups: [[a], [b, c]] means a AND (b OR c).
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    filters: list[FieldFilter] = field(default_factory=list)
    excluded_filters: list[FieldFilter] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.groups or self.excluded)

    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


# A lexeme: optional '-', optional 'field:', then a "quoted string" or a bare word.
_LEXEME = re.compile(
    r"""\s*(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?(?:"(?P<quoted>[^"]*)(?P<close>")?|(?P<bare>[^\s"]+))""",
)


@dataclass
class _Token:
    negated: bool
    field: str | None
    text: str
    quoted: bool
    position: int


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _LEXEME.match(query, position)
        if match is None or match.end() == position:
            raise QueryError(
                f"cannot read the query at character {position + 1}: {query[position:]!r}"
            )
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        if match.group("quoted") is not None and match.group("close") is None:
            raise QueryError(f'unbalanced quote at character {start + 1}: add the closing "')
        text = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        tokens.append(
            _Token(
                negated=match.group("neg") is not None,
                field=match.group("field"),
                text=text or "",
                quoted=match.group("quoted") is not None,
                position=start + 1,
            )
        )
        position = match.end()
    return tokens


def validate_request(request: SearchRequest) -> None:
    """Check a request before any backend works on it: both backends refuse the same."""
    if request.sort not in ("time", "relevance"):
        raise QueryError(f"unknown sort {request.sort!r} (use 'time' or 'relevance')")
    if not 1 <= request.limit <= 1000:
        raise QueryError(f"limit must be between 1 and 1000, got {request.limit}")
    # Parsing early gives the user a query error before any database work.
    parse_query(request.query)


def parse_query(query: str) -> ParsedQuery:
    """Parse ``query``; raise ``QueryError`` with a message that says what to change."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is too long ({len(query)} characters, at most {MAX_QUERY_LENGTH})"
        )
    if "\x00" in query:
        raise QueryError("the query contains a NUL character")
    parsed = ParsedQuery()
    pending_or = False
    pending_not: _Token | None = None
    for token in _lex(query):
        operator = token.text if token.field is None and not token.quoted else ""
        if operator in _OR_WORDS and not token.negated:
            if not parsed.groups or pending_or or pending_not:
                raise QueryError(f"OR at character {token.position} needs a word on each side")
            pending_or = True
            continue
        if operator in _AND_WORDS and not token.negated:
            if not parsed.groups or pending_or or pending_not:
                raise QueryError(f"AND at character {token.position} needs a word on each side")
            continue
        if operator == _NOT_WORD and not token.negated:
            if pending_or or pending_not:
                raise QueryError(f"NOT at character {token.position} cannot follow OR or NOT")
            pending_not = token
            continue
        if pending_not is not None:
            token.negated = not token.negated
            pending_not = None
        if token.field is not None:
            _add_filter(parsed, token, pending_or)
            continue
        text = token.text.strip()
        if not token.quoted and re.fullmatch(r"[A-Za-z_]+:", text):
            raise QueryError(
                f"{text} at character {token.position} needs a value, e.g. {text}weibo"
            )
        if not text:
            raise QueryError(f'empty phrase "" at character {token.position}')
        terms = _spellings(text, token.quoted)
        if token.negated:
            if pending_or:
                raise QueryError(f"cannot exclude inside OR (character {token.position})")
            parsed.excluded.extend(terms)
        elif pending_or:
            parsed.groups[-1].extend(terms)
            pending_or = False
        else:
            parsed.groups.append(terms)
    if pending_not is not None:
        raise QueryError(f"NOT at character {pending_not.position} needs the word to exclude")
    if pending_or:
        raise QueryError("the query ends with OR: add the word it should match")
    count = len(parsed.positive_terms()) + len(parsed.excluded)
    if count > MAX_TERMS:
        raise QueryError(f"too many words ({count}, at most {MAX_TERMS})")
    return parsed


def _spellings(text: str, phrase: bool) -> list[Term]:
    """The word as typed and, when it holds Traditional characters, its Simplified form."""
    simplified = to_simplified(text)
    terms = [Term(text=text, phrase=phrase)]
    if simplified != text:
        terms.append(Term(text=simplified, phrase=phrase))
    return terms


def _add_filter(parsed: ParsedQuery, token: _Token, pending_or: bool) -> None:
    name = (token.field or "").lower()
    if name not in FILTER_FIELDS:
        raise QueryError(
            f"unknown field {token.field!r} at character {token.position}"
            f" (known: {', '.join(FILTER_FIELDS)}; put the word in quotes to search for it)"
        )
    if pending_or:
        raise QueryError(f"OR cannot join field filters (character {token.position})")
    value = token.text.strip()
    if not value:
        raise QueryError(f"field {name}: at character {token.position} needs a value")
    try:
        values = canonical(name, value)
    except VocabularyError as exc:
        raise QueryError(f"{exc} (character {token.position})") from None
    target = parsed.excluded_filters if token.negated else parsed.filters
    target.extend(FieldFilter(field=name, value=each) for each in values)
