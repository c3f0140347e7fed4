"""The two further Weibo rumour sets of ``../shared/datasets/rumor_more/`` as training posts.

``weibo21.jsonl.gz`` (Nan et al., "MDFEND: Multi-domain Fake News Detection", CIKM 2021; nine
domains, undated, 2014–2021) and ``mm17.jsonl.gz`` (Jin et al., ACM MM 2017, as shipped with
EANN; posts of 2012–2016). Both are posts without responses: they teach the model what a
claim looks like from its text alone, across domains and periods (issue 22).

The data set's owners removed near-copies of an evaluation set kept aside, near-copies of any
CED post and every COVID-19 item; this loader keeps it that way by reading the files as they
are, and adds nothing from elsewhere.

Author figures are left out on purpose (``RumorInput.user`` empty): Weibo21 has none, and in
mm17 every true post is from a news account with ``verified_type`` 0 while its rumours are
mostly ``verified_type`` 0 too, a field whose meaning the EANN release does not document. A
model taught by them would learn the data set's collection, not the claim.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.rumor.ced import RecordError, RumorInput, parse_response_time, read_jsonl

WEIBO21 = "rumor_more/weibo21.jsonl.gz"
MM17 = "rumor_more/mm17.jsonl.gz"
# Weibo21 keeps its emoticons as <img alt=[允悲] ...> tags; a crawled post has the [允悲] code.
_IMG = re.compile(r"<img\s*alt=(\[[^\]]{1,12}\])[^>]*>|<img[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class MorePost:
    """A labelled post and where it is from (``source``: weibo21 / mm17; Weibo21's domain)."""

    item: RumorInput
    source: str
    domain: str | None


def clean_text(text: str) -> str:
    """The post as a crawler would give it: emoticon tags as their codes, entities decoded
    (twice: some mm17 posts hold ``&amp;nbsp;``)."""
    return html.unescape(html.unescape(_IMG.sub(lambda m: m.group(1) or "", text))).strip()


def from_record(record: dict[str, object], path: Path, number: int) -> MorePost:
    label = record.get("label")
    if label not in ("rumor", "non-rumor"):
        raise RecordError(f"{path}:{number}: field 'label': expected rumor or non-rumor")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError(f"{path}:{number}: field 'text': expected a non-empty string")
    domain = record.get("domain")
    source = record.get("source")
    return MorePost(
        item=RumorInput(
            id=str(record.get("id") or f"{path.name}:{number}"),
            text=clean_text(text),
            # "YYYY-MM-DD HH:MM" in Beijing time (mm17); Weibo21 gives none.
            posted_at=parse_response_time(record.get("time"), None),
            label=str(label),
        ),
        source=str(source) if source else path.name.split(".")[0],
        domain=str(domain) if isinstance(domain, str) and domain else None,
    )


def load_more(paths: Sequence[Path], limit: int | None = None) -> list[MorePost]:
    """The labelled posts of the rumor_more files; a bad line stops the load with its place
    (training data must be whole). With ``limit``, every n-th line of each file, for about
    that many posts per file (exploration on a loaded machine)."""
    out: list[MorePost] = []
    for path in paths:
        every = 1
        if limit is not None:
            every = max(1, sum(1 for _ in read_jsonl(path)) // max(1, limit))
        for number, record, error in read_jsonl(path, every=every):
            if record is None:
                raise RecordError(f"{path}:{number}: {error}")
            out.append(from_record(record, path, number))
    return out
