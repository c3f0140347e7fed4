"""A sampling-inspection or recall notice joins the public's event on the same firm or product
(issue 23), so the event shows the official finding beside the posts.

A notice's text is a table of failed samples; by its words it resembles no post about one of
them, so clustering alone never puts it with the public's story. Its attachment records
(``extra.records``, ``crawlers.spiders.notices``) name each producer, brand and product
outright, and those are what posts name: 江州美味食品的奶粉, 佳佳奶粉. Two directions:

- a notice arrives while the public already talks: it joins the live event whose posts name
  one of its records most often (``event_for_notice``);
- posts arrive after the notice: a post naming one of its records joins the notice's event
  (``event_for_post``), unless the posts already there talk about another of its records — a
  national notice lists fifty firms, and two unrelated stories must not be glued by it.

A record is named by its producer's name without the region before it and the legal form
after it (杭州市禾丰食品有限公司 → 禾丰食品), or by its brand together with its product. The
analyser (``nlp.analyzer``) asks before its own clustering and tells this index of every
notice it places; notices of events loaded after a restart are found by scanning the store.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from archive.models import Mention
from nlp.event_store import EventStore
from nlp.events import EventState

NOTICE_DOC_TYPES = ("inspection", "recall")
# The region a firm's name starts with (杭州市, 浙江省杭州市余杭区) and its legal form
# (有限公司, 股份有限公司 …): what is left is what people call the firm.
_REGION_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|自治州|区|县|旗))+")
_LEGAL_FORM = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|厂|商行|经营部)$")
# Shorter stems (美味, 食品) are ordinary words; a brand of one character is no name.
MIN_STEM = 3
MIN_NAME = 2
NO_BRAND = frozenset({"/", "-", "—", "无", "无商标", "/ ", "见包装", "不详"})
# Members of a notice's event read to see which of its records the public talks about.
CLAIM_SCAN = 200


def firm_stem(name: str) -> str:
    """杭州市禾丰食品有限公司 → 禾丰食品 ('' when too little is left to be a name)."""
    stem = _LEGAL_FORM.sub("", _REGION_PREFIX.sub("", name.strip()))
    return stem if len(stem) >= MIN_STEM else ""


@dataclass(frozen=True)
class RecordKey:
    """How posts name one failed sample: its producer, or its brand with its product."""

    firm: str = ""
    brand: str = ""
    product: str = ""

    @property
    def label(self) -> str:
        return self.firm or f"{self.brand}{self.product}"

    def named_in(self, text: str) -> bool:
        if self.firm and self.firm in text:
            return True
        return bool(self.brand and self.product and self.brand in text and self.product in text)


def is_notice(mention: Mention) -> bool:
    return mention.extra.get("doc_type") in NOTICE_DOC_TYPES and bool(mention.extra.get("records"))


def record_keys(mention: Mention) -> tuple[RecordKey, ...]:
    """The names of a notice's records, each once (none for any other mention)."""
    if not is_notice(mention):
        return ()
    keys: dict[RecordKey, None] = {}
    for record in mention.extra.get("records") or []:
        key = record_key(record) if isinstance(record, dict) else RecordKey()
        if key.firm or key.brand:
            keys[key] = None
    return tuple(keys)


def record_key(record: dict[str, object]) -> RecordKey:
    """How posts name ``record`` (empty fields where it gives no usable name)."""
    brand = str(record.get("brand") or "").strip()
    product = str(record.get("product") or "").strip()
    if brand in NO_BRAND or len(brand) < MIN_NAME or len(product) < MIN_NAME:
        brand = product = ""
    return RecordKey(firm_stem(str(record.get("producer") or "")), brand, product)


def named_records(notice: Mention, texts: Sequence[str]) -> list[dict[str, object]]:
    """The notice's records that one of ``texts`` names (the posts of its event): the
    official finding on what the public talks about."""
    records = [r for r in notice.extra.get("records") or [] if isinstance(r, dict)]
    named = []
    for record in records:
        key = record_key(record)
        if (key.firm or key.brand) and any(key.named_in(text) for text in texts):
            named.append(record)
    return named


def _text(mention: Mention) -> str:
    return f"{mention.title}\n{mention.text}"


@dataclass
class NoticeLinks:
    """The notices the analyser has placed, by id, with the names of their records."""

    window: timedelta
    notices: dict[str, tuple[datetime, tuple[RecordKey, ...]]] = field(default_factory=dict)
    _scanned: set[str] = field(default_factory=set)

    def note(self, mention: Mention) -> None:
        """The analyser placed ``mention`` in an event: remember it when it is a notice."""
        keys = record_keys(mention)
        if keys:
            self.notices[mention.id] = (mention.published_at, keys)

    def _sync(self, store: EventStore) -> None:
        """Notices in events this index has not seen (loaded from the archive after a
        restart); events gone from the store forget theirs."""
        for event_id in store.events.keys() - self._scanned:
            self._scanned.add(event_id)
            for member in store.events[event_id].members.values():
                self.note(member.mention)
        self._scanned.intersection_update(store.events)
        for notice_id in [n for n in self.notices if store.event_of(n) is None]:
            del self.notices[notice_id]

    def event_for_notice(self, store: EventStore, mention: Mention) -> tuple[str, str] | None:
        """The live event whose posts name the notice's records most often, and why."""
        keys = record_keys(mention)
        if not keys:
            return None
        since = mention.published_at - self.window
        best: tuple[int, str, RecordKey] | None = None
        for event_id, state in store.events.items():
            if not state.members or state.last_seen < since:
                continue
            named = _named(state, keys)
            if named:
                key, count = named.most_common(1)[0]
                if best is None or (count, event_id) > (best[0], best[1]):
                    best = (count, event_id, key)
        if best is None:
            return None
        count, event_id, key = best
        return event_id, f"抽检公告所列{key.label}（{count} 条帖文提及）"

    def event_for_post(self, store: EventStore, mention: Mention) -> tuple[str, str] | None:
        """The event of a notice one of whose records the post names, and why."""
        if is_notice(mention):
            return None
        self._sync(store)
        text = _text(mention)
        since = mention.published_at - self.window
        for notice_id, (published_at, keys) in sorted(self.notices.items()):
            event_id = store.event_of(notice_id)
            state = store.get(event_id) if event_id else None
            if state is None or event_id is None or published_at < since:
                continue
            for key in keys:
                if key.named_in(text) and _claims(state, key):
                    return event_id, f"抽检公告所列{key.label}"
        return None


def _named(state: EventState, keys: tuple[RecordKey, ...]) -> Counter[RecordKey]:
    """Per record, how many of the event's posts (not notices) name it."""
    named: Counter[RecordKey] = Counter()
    for member in state.members.values():
        if is_notice(member.mention):
            continue
        text = _text(member.mention)
        named.update(key for key in keys if key.named_in(text))
    return named


def _claims(state: EventState, key: RecordKey) -> bool:
    """Is the notice's event about ``key``: no posts in it yet, or some post names it."""
    posts = [m.mention for m in state.members.values() if not is_notice(m.mention)]
    return not posts or any(key.named_in(_text(m)) for m in posts[:CLAIM_SCAN])
