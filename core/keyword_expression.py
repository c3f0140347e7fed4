"""Boolean keyword expressions of watch schemes (监测方案): ``(电梯|扶梯) & (事故|故障) & !演练``.

The form press-office monitoring tools use: terms joined by ``&`` (and) and ``|`` (or), ``!``
before a term or group to exclude it, parentheses to group, ``"..."`` around a term holding
spaces or operators. Full-width operators (（ ）｜＆！) read as their ASCII forms, since an
administrator typing Chinese gets them from the IME. A term matches when it occurs in the text
(NFKC-normalised and case-folded on both sides: ＡＢＣ, abc and ABC are one brand).

Parsed with pyparsing (``infix_notation``: ``!`` binds tighter than ``&``, ``&`` than ``|``) once
per distinct expression; matching walks the small tree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyparsing as pp

EXAMPLE = "(电梯|扶梯) & (事故|故障) & !演练"


class ExpressionError(ValueError):
    """An expression that does not parse; the message says where and the expected form."""


@dataclass(frozen=True)
class Node:
    """``op`` is ``term`` (``value`` the normalised term), ``not`` (one operand), ``and``/``or``."""

    op: str
    value: str = ""
    operands: tuple[Node, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether normalised ``text`` (``normalise``) satisfies the expression."""
        if self.op == "term":
            return self.value in text
        if self.op == "not":
            return not self.operands[0].matches(text)
        if self.op == "and":
            return all(o.matches(text) for o in self.operands)
        return any(o.matches(text) for o in self.operands)


def normalise(text: str) -> str:
    """The form terms and texts are compared in (full-width → ASCII, case folded)."""
    return unicodedata.normalize("NFKC", text).casefold()


def _grammar() -> pp.ParserElement:
    quoted = pp.QuotedString('"', esc_char="\\")
    bare = pp.Regex(r'[^\s&|!()"]+')
    term = (quoted | bare).set_name("term")
    term.set_parse_action(lambda t: Node("term", normalise(t[0])))

    def unary(tokens: pp.ParseResults) -> Node:
        return Node("not", operands=(tokens[0][1],))

    def binary(op: str) -> Callable[[pp.ParseResults], Node]:
        return lambda tokens: Node(op, operands=tuple(tokens[0][0::2]))

    return pp.infix_notation(
        term,
        [
            (pp.Literal("!"), 1, pp.OpAssoc.RIGHT, unary),
            (pp.Literal("&"), 2, pp.OpAssoc.LEFT, binary("and")),
            (pp.Literal("|"), 2, pp.OpAssoc.LEFT, binary("or")),
        ],
    )


_GRAMMAR = _grammar()


@lru_cache(maxsize=1024)
def parse(expression: str) -> Node:
    """The tree of ``expression``; ``ExpressionError`` names the position and the form."""
    text = unicodedata.normalize("NFKC", expression).strip()
    if not text:
        raise ExpressionError(f"expected a keyword expression such as {EXAMPLE!r}, got nothing")
    try:
        result = _GRAMMAR.parse_string(text, parse_all=True)
    except pp.ParseBaseException as exc:
        raise ExpressionError(
            f"expected a keyword expression such as {EXAMPLE!r} (terms joined by & and |, "
            f"! to exclude, parentheses to group, quotes around a term with spaces), "
            f"got {expression!r}: {exc.msg} at character {exc.col}"
        ) from None
    node = result[0]
    assert isinstance(node, Node)
    return node
