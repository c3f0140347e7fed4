"""Near-duplicates: edited reprints across sites are stored and linked to their original,
through the real engine and demo sites, and across a restart of the crawler."""

from __future__ import annotations

from pathlib import Path

from archive.models import Mention
from crawlers.copies import CopyDetector
from crawlers.neardup import NearDuplicateIndex, signature
from tests.conftest import make_mention
from tests.support.demo_crawl import DemoRig
from tests.support.neardup_texts import EDITED, OTHER, STORY


def test_signatures_are_stable_and_similar_texts_agree() -> None:
    assert (signature(STORY) == signature(STORY)).all()
    index = NearDuplicateIndex()
    assert index.add("a", STORY) is None
    assert index.add("b", OTHER) is None
    match = index.add("c", EDITED)
    assert match is not None and match.original == "a" and 0.4 <= match.similarity < 1
    assert index.add("d", STORY) == index.find(STORY, exclude="d")


# The story on one site and its edited reprint on another half an hour later.
ORIGINAL = {"id": "orig", "channel": "jzrb", "offset_minutes": 0, "title": "速冻水饺检出致病菌",
            "text": STORY}  # fmt: skip
REPRINT = {"id": "copy", "channel": "lcxw", "offset_minutes": 30, "title": "鑫达牌水饺被召回",
           "text": EDITED}  # fmt: skip


def test_edited_reprint_on_another_site_is_linked(tmp_path: Path) -> None:
    corpus = [
        ORIGINAL,
        {"id": "other", "channel": "jzrb", "offset_minutes": 5, "title": "燃气热水器消费提示",
         "text": OTHER},
        REPRINT,
    ]  # fmt: skip
    setup = DemoRig(tmp_path, corpus)
    try:
        setup.crawl("jzrb-news")
        setup.crawl("lcxw-news")
        originals = {m.title: m for m in setup.by_source("jzrb-news")}
        (copy,) = setup.by_source("lcxw-news")
        assert copy.extra["duplicate_of"] == originals["速冻水饺检出致病菌"].id
        assert 0.4 <= copy.extra["similarity"] < 1
        assert all("duplicate_of" not in m.extra for m in originals.values())
    finally:
        setup.close()


def test_a_fresh_crawler_finds_originals_in_the_archive(archive: object) -> None:
    from archive.base import Archive

    assert isinstance(archive, Archive)
    original = make_mention(1, STORY, kind="article")
    archive.upsert_mentions([original, make_mention(3, OTHER, kind="article")])
    detector = CopyDetector()  # a new process: nothing in memory
    copy = make_mention(5, EDITED, kind="article")
    match = detector.original_of(archive, copy)
    assert match is not None and match.original == original.id
    # A copy of the copy is linked to the first original, not to the copy.
    copy.extra.update(duplicate_of=match.original, similarity=match.similarity)
    archive.upsert_mentions([copy])
    again = detector.original_of(
        archive, make_mention(7, EDITED + "转自临川新闻网。", kind="article")
    )
    assert again is not None and again.original == original.id
    # Re-crawling the original does not turn it into a copy of its reprints.
    assert detector.original_of(archive, original) is None
    fresh = CopyDetector()
    assert fresh.original_of(archive, original) is None
    stored_copy = archive.get_mention(copy.id)
    assert isinstance(stored_copy, Mention)
    kept = fresh.original_of(archive, stored_copy)
    assert kept is not None and kept.original == original.id


def test_short_texts_and_responses_are_not_compared(archive: object) -> None:
    from archive.base import Archive

    assert isinstance(archive, Archive)
    detector = CopyDetector()
    assert detector.original_of(archive, make_mention(1, "转发微博", kind="post")) is None
    archive.upsert_mentions([make_mention(3, STORY, kind="post")])
    assert detector.original_of(archive, make_mention(5, STORY, kind="comment")) is None


def test_an_earlier_original_crawled_after_its_copies_takes_their_place(archive: object) -> None:
    from archive.base import Archive

    assert isinstance(archive, Archive)
    detector = CopyDetector()
    copy = make_mention(5, EDITED, kind="article")
    assert detector.original_of(archive, copy) is None  # nothing earlier known yet
    archive.upsert_mentions([copy])
    second = make_mention(7, EDITED + "转自临川新闻网。", kind="article")
    match = detector.original_of(archive, second)
    assert match is not None and match.original == copy.id
    second.extra.update(duplicate_of=match.original, similarity=match.similarity)
    archive.upsert_mentions([second])
    assert detector.take_relinks() == []

    original = make_mention(1, STORY, kind="article")  # published four hours before the copy
    assert detector.original_of(archive, original) is None
    relinked = {m.id: m for m in detector.take_relinks()}
    assert set(relinked) == {copy.id, second.id}
    assert all(m.extra["duplicate_of"] == original.id for m in relinked.values())
    assert relinked[second.id].extra["similarity"] == match.similarity
    assert detector.take_relinks() == []
    # A later reprint joins the story under its first-published original.
    later = detector.original_of(
        archive, make_mention(9, STORY + "（来源：江州日报）", kind="article")
    )
    assert later is not None and later.original == original.id


def test_reprinting_site_crawled_first_is_relinked_through_the_engine(tmp_path: Path) -> None:
    corpus = [
        ORIGINAL,
        REPRINT,
    ]  # fmt: skip
    setup = DemoRig(tmp_path, corpus)
    try:
        setup.crawl("lcxw-news")  # the reprint first
        (copy,) = setup.by_source("lcxw-news")
        assert "duplicate_of" not in copy.extra
        setup.crawl("jzrb-news")
        (original,) = setup.by_source("jzrb-news")
        (copy,) = setup.by_source("lcxw-news")
        assert "duplicate_of" not in original.extra
        assert copy.extra["duplicate_of"] == original.id
    finally:
        setup.close()
