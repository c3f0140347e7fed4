"""What ties a mention to an event besides shared words: repost structure, #topics#, names.

Word overlap (``nlp.event_store.JOIN_THRESHOLD``) misses the posts of a story that use other words:
a rumour about an accident ("a friend who works there says…"), a comment thread under its own
#topic#, a second thread about the same gym. These posts still carry what the story's other
posts carry:

- **structure**: a repost's ``//@user:`` chain names the users it passed through; when one of
  them wrote a member of an event, the repost is part of that event (as a comment or a repost
  with an explicit parent is);
- **#topics#**: a Weibo topic is a thread people choose to join: a post under a #topic# that
  members of an event carry belongs to that event;
- **names**: the companies and brands the members name (``nlp.entities``) and the short names
  they put in quotes (“动感力量健身”, “华缆”): a post naming one is about that firm's story.

Each link is only taken together with a floor of word similarity (a topic or a name alone can
be shared by two stories of one city) and within the event window. Links are kept as counts
per event (``EventState.link_counts``), so an event rebuilt from its members has the same links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.models import EntityRef

# Link kinds, as stored in the (kind, value) keys of EventState.link_counts.
TAG, NAME, QUOTE, AUTHOR = "tag", "name", "quote", "author"
# Quoted runs that are names: 2–10 characters, not a phrase of the story's own telling.
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9·]{2,10})[”\"」』]")
# Quoted words that name a kind of thing or a state, not one firm or place: a quote of them
# ties nothing (checked against the demo corpus and CED posts: these recur across stories).
GENERIC_QUOTES = frozenset(
    {"意外", "处理中", "已受理", "打不通", "跑路", "三无", "山寨", "假冒", "问题", "网红",
     "黑心", "有毒", "谣言", "网传", "真相", "辟谣", "检验合格", "合格", "不合格", "专家",
     "双11", "双十一", "618", "互联网+", "放心", "安全", "绿色", "有机"}
)  # fmt: skip


@dataclass(frozen=True)
class Probe:
    """What a mention offers for linking, beside its word vector."""

    hashtags: tuple[str, ...] = ()
    chain_users: tuple[str, ...] = ()  # //@ users of its repost chain, nearest first
    text: str = ""  # its full text, searched for the names events carry
    terms: tuple[str, ...] = ()  # the domain terms (topics.txt) it names


@dataclass
class NameIndex:
    """Names (companies, brands, quotes) carried by events, found inside any text by their
    first two characters: a text's character pairs are looked up, then the name compared."""

    by_head: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str) -> None:
        self.by_head.setdefault(name[:2], set()).add(name)

    def discard(self, names: Iterable[str]) -> None:
        for name in names:
            heads = self.by_head.get(name[:2])
            if heads is not None:
                heads.discard(name)
                if not heads:
                    del self.by_head[name[:2]]

    def found_in(self, text: str) -> list[str]:
        found: list[str] = []
        for i in range(len(text) - 1):
            for name in self.by_head.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    found.append(name)
        return sorted(set(found))


def quoted_names(text: str) -> tuple[str, ...]:
    """Short quoted runs that may name a firm, a brand, a place or a campaign."""
    names = (m.group(1) for m in _QUOTED.finditer(text))
    return tuple(dict.fromkeys(n for n in names if n not in GENERIC_QUOTES and not n.isdigit()))


def member_links(
    hashtags: Iterable[str], author: str, entities: Iterable[EntityRef], text: str
) -> tuple[tuple[str, str], ...]:
    """The (kind, value) link keys a member adds to its event, each once."""
    keys: list[tuple[str, str]] = [(TAG, tag) for tag in hashtags if tag]
    if author:
        keys.append((AUTHOR, author))
    keys += [(NAME, e.name) for e in entities if e.kind in ("company", "brand") and len(e.name) > 1]
    keys += [(QUOTE, name) for name in quoted_names(text)]
    return tuple(dict.fromkeys(keys))
