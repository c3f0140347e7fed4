"""Each rule type on data stored in a real SQLite archive."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts import rules
from alerts.rules import Match, RuleInput, build_rule, grade_rank
from archive import Archive
from archive.models import Analysis, Event, Mention, Reason
from core.clock import SHANGHAI
from core.settings import AgencySettings, HotspotSettings, parse_rule

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=SHANGHAI)


def post(
    mid: str,
    text: str,
    at: datetime,
    *,
    platform: str = "weibo",
    kind: str = "post",
    metrics: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    region: str = "浙江省杭州市",
) -> Mention:
    return Mention(
        id=mid,
        source="test",
        platform=platform,
        kind=kind,
        url=f"https://example.com/{mid}",
        text=text,
        published_at=at,
        fetched_at=at + timedelta(minutes=1),
        region=region,
        metrics=metrics or {},
        extra=extra or {},
    )


def judged(
    mid: str,
    *,
    rumor: float | None = None,
    sentiment: str = "negative",
    relevant: bool = True,
    event_id: str | None = None,
    reasons: list[Reason] | None = None,
) -> Analysis:
    return Analysis(
        mention_id=mid,
        relevant=relevant,
        relevance=0.9 if relevant else 0.1,
        topics=["特种设备"],
        sentiment=sentiment,
        rumor_score=rumor,
        event_id=event_id,
        reasons=reasons or [],
    )


def hot(eid: str, **fields: Any) -> Event:
    base: dict[str, Any] = {
        "title": f"事件{eid}",
        "first_seen": NOW - timedelta(hours=2),
        "last_seen": NOW,
        "topics": ["特种设备"],
        "region": "浙江省杭州市",
    }
    base.update(fields)
    return Event(id=eid, **base)


def run(
    archive: Archive,
    rule: dict[str, Any],
    events: list[Event] | None = None,
    mentions: list[tuple[Mention, Analysis | None]] | None = None,
) -> list[Match]:
    settings = parse_rule(rule)
    data = RuleInput(NOW.astimezone(), archive, events or archive.list_events(), mentions or [])
    return build_rule(settings).find(data)


def stored(
    archive: Archive, mentions: list[Mention], analyses: list[Analysis]
) -> list[tuple[Mention, Analysis | None]]:
    archive.upsert_mentions(mentions)
    archive.upsert_analyses(analyses)
    by_id = archive.get_analyses([m.id for m in mentions])
    return [(m, by_id.get(m.id)) for _, m in archive.mentions_since(0, 1000)]


def test_threshold_on_heat_or_mentions(archive: Archive) -> None:
    archive.upsert_event(hot("a", heat=80.0, mention_count=3))
    archive.upsert_event(hot("b", heat=2.0, mention_count=50))
    archive.upsert_event(hot("c", heat=2.0, mention_count=3))
    matches = run(archive, {"name": "t", "type": "threshold", "min_heat": 50, "min_mentions": 30})
    assert sorted(m.subject for m in matches) == ["event:a", "event:b"]
    only_heat = run(archive, {"name": "t", "type": "threshold", "min_heat": 50})
    assert [m.subject for m in only_heat] == ["event:a"]


def test_severity_order_and_levels(archive: Archive) -> None:
    assert grade_rank("特别重大") > grade_rank("重大") > grade_rank("较大") > grade_rank("一般")
    for eid, grade in (("s1", "特别重大"), ("s2", "重大"), ("s3", "较大"), ("s4", "一般")):
        archive.upsert_event(hot(eid, severity=grade, heat=10.0))
    archive.upsert_event(hot("s5", heat=10.0))
    matches = {
        m.subject: m
        for m in run(
            archive, {"name": "s", "type": "severity", "min_grade": "较大", "level": "info"}
        )
    }
    assert set(matches) == {"event:s1", "event:s2", "event:s3"}
    assert matches["event:s1"].level == "critical" and matches["event:s3"].level == "warning"
    assert matches["event:s2"].grade == "重大"


VIRAL = {"reposts": 9000}
HOUR = timedelta(hours=1)


def test_rumor_by_score_by_known_rumour_and_reach(archive: Archive) -> None:
    archive.upsert_event(hot("ev", rumor_score=0.85))
    # An event whose score comes from no stored claim post has no identified claim.
    archive.upsert_event(hot("bare", rumor_score=0.95))
    rows = stored(
        archive,
        [
            post("m1", "网传", NOW, metrics={"followers": 50}),
            post("m2", "又传", NOW, metrics={"reposts": 9000}),
            post("m3", "正常", NOW, metrics={"reposts": 9000}),
            post("m4", "无关", NOW, metrics={"reposts": 9000}),
            post(
                "m5", "听说商场电梯里挤了十几个人，全掉下去了#电梯#", NOW - 2 * HOUR, metrics=VIRAL
            ),
        ],
        [
            judged("m1", rumor=0.9),
            judged("m2", reasons=[Reason("match", "已辟谣：某事")]),
            judged("m3", rumor=0.2),
            judged("m4", rumor=0.95, relevant=False),
            judged("m5", rumor=0.85, event_id="ev"),
        ],
    )
    rule = {"name": "r", "type": "rumor", "min_probability": 0.7}
    found = {m.subject: m for m in run(archive, rule, mentions=rows)}
    assert set(found) == {"event:ev", "mention:m1", "mention:m2"}
    # The match (and the clarification it opens) names the claim, not the event.
    assert found["event:ev"].title == "听说商场电梯里挤了十几个人，全掉下去了"
    # A claim no debunk answers is identified once it has stood an hour (CLAIM_GRACE).
    early = RuleInput(NOW - HOUR, archive, archive.list_events(), rows)
    assert "event:ev" not in {m.subject for m in build_rule(parse_rule(rule)).find(early)}
    reach_rule = dict(rule, min_reach=1000)
    assert {m.subject for m in run(archive, reach_rule, mentions=rows)} == {
        "event:ev",
        "mention:m2",
    }


def test_watch_list_terms_negative_only(archive: Archive) -> None:
    rows = stored(
        archive,
        [
            post("w1", "某品牌电热水壶爆炸", NOW),
            post("w2", "电热水壶好评", NOW),
            post("w3", "电热水壶爆炸", NOW),
        ],
        [judged("w1"), judged("w2", sentiment="positive"), judged("w3", relevant=False)],
    )
    rule = {"name": "w", "type": "watch_list", "terms": ["电热水壶"], "negative_only": True}
    matches = run(archive, rule, mentions=rows)
    assert [m.subject for m in matches] == ["mention:w1"]
    assert any(r.text == "关注词：电热水壶" for r in matches[0].evidence)
    everything = run(archive, dict(rule, negative_only=False), mentions=rows)
    assert sorted(m.subject for m in everything) == ["mention:w1", "mention:w2"]


def test_official_documents_and_penalties(archive: Archive) -> None:
    rows = stored(
        archive,
        [
            post(
                "d1",
                "通知全文",
                NOW,
                platform="official",
                kind="official",
                extra={"doc_type": "policy"},
            ),
            post(
                "d2",
                "决定书",
                NOW,
                platform="official",
                kind="official",
                extra={"doc_type": "penalty", "decided_at": "2026-07-10"},
            ),
            post("d3", "微博上说有新政策", NOW, extra={"doc_type": "policy"}),
        ],
        [],
    )
    policy = run(archive, {"name": "p", "type": "official_document"}, mentions=rows)
    assert [m.subject for m in policy] == ["doc:d1"]
    assert policy[0].published_at == NOW
    penalty = run(archive, {"name": "x", "type": "penalty"}, mentions=rows)
    assert [m.subject for m in penalty] == ["doc:d2"]
    assert penalty[0].published_at == datetime(2026, 7, 10, tzinfo=SHANGHAI)


def test_platform_filter_on_events_looks_at_their_mentions(archive: Archive) -> None:
    archive.upsert_event(hot("pe", mention_count=50))
    second = replace(post("pm2", "另一家的报道", NOW, platform="news", kind="article"), author="乙")
    archive.upsert_mentions([post("pm", "帖子", NOW, platform="news", kind="article"), second])
    archive.upsert_analyses([judged("pm", event_id="pe"), judged("pm2", event_id="pe")])
    rule = {"name": "t", "type": "threshold", "min_mentions": 10}
    assert run(archive, dict(rule, filters={"platforms": ["news"]}))
    assert not run(archive, dict(rule, filters={"platforms": ["weibo"]}))


def test_one_publisher_and_its_comments_is_not_a_hot_event(archive: Archive) -> None:
    """The hot-event rule needs a hotspot's spread (settings.nlp.hotspot: 2 publishers by
    default): one post with many comments, however hot, is one voice."""
    archive.upsert_event(hot("solo", heat=500.0, mention_count=40))
    talk = [
        replace(post(f"c{i}", "转发评论", NOW, kind="comment"), author=f"网友{i}", parent_id="p1")
        for i in range(5)
    ]
    archive.upsert_mentions([replace(post("p1", "一条帖子", NOW), author="甲"), *talk])
    archive.upsert_analyses(
        [judged(m, event_id="solo") for m in ("p1", "c0", "c1", "c2", "c3", "c4")]
    )
    rule = {"name": "hot", "type": "threshold", "min_heat": 200}
    assert run(archive, rule) == []
    # A second publisher makes it public opinion; the alert says how far it spread.
    archive.upsert_mentions([replace(post("p2", "另一位网友也发了", NOW), author="乙")])
    archive.upsert_analyses([judged("p2", event_id="solo")])
    (match,) = run(archive, rule)
    assert match.evidence[-1].text == "传播范围：2 个发布者、40 条提及"
    # Configurable: one publisher is enough when the office says so.
    data = RuleInput(
        NOW.astimezone(), archive, archive.list_events(), [],
        hotspot=HotspotSettings(min_mentions=50, min_publishers=1),
    )  # fmt: skip
    assert build_rule(parse_rule(rule)).find(data) == []


def test_spike_against_the_baseline_mean(archive: Archive) -> None:
    rule = {"name": "sp", "type": "spike", "spike_factor": 3, "baseline": "24h", "min_mentions": 5}
    base = [post(f"b{i}", "电梯故障", NOW - timedelta(hours=3 + i)) for i in range(6)]
    stored(archive, base, [judged(m.id) for m in base])
    assert run(archive, rule) == []
    burst = [post(f"s{i}", "电梯故障", NOW - timedelta(minutes=5 + i)) for i in range(8)]
    stored(archive, burst, [judged(m.id) for m in burst])
    matches = run(archive, rule)
    assert len(matches) == 1 and matches[0].subject.startswith("spike:2026072012")
    assert "8 条" in matches[0].evidence[0].text


def test_new_term_only_for_words_unseen_before(archive: Archive) -> None:
    old = post("o1", "电梯困人事故", NOW - timedelta(days=2))
    stored(archive, [old], [judged("o1")])
    archive.upsert_event(hot("nt", keywords=["电梯", "康师傅", "爆炸"], first_seen=NOW))
    matches = run(archive, {"name": "n", "type": "new_term"})
    assert [m.subject for m in matches] == ["term:康师傅"]
    assert matches[0].event_id == "nt"


def test_a_real_accident_reported_by_media_opens_no_clarification(archive: Archive) -> None:
    """Witness posts score high before anyone confirms; once a news report states the
    accident, the event is real and only a claim a debunk answers is a rumour in it."""
    archive.upsert_event(hot("acc", rumor_score=0.97, title="江州一商场电梯坠落"))
    witness = "听在里面上班的朋友说，电梯里挤了十几个人，从九楼直接掉到负一楼"
    rows = stored(
        archive,
        [
            post("w1", witness, NOW, metrics=VIRAL),
            post("w2", "刚才锦江广场东区的电梯突然掉下去了！！！", NOW, metrics=VIRAL),
            post(
                "n1",
                "今天中午12时20分左右，临川区锦江国际广场东区一部载客电梯在运行过程中突然坠落。",
                NOW,
                platform="news",
                kind="article",
            ),
        ],
        [
            judged("w1", rumor=0.97, event_id="acc"),
            judged("w2", rumor=0.72, event_id="acc"),
            judged("n1", event_id="acc"),
        ],
    )
    rule = {"name": "r", "type": "rumor", "min_probability": 0.7, "opens": ["clarification"]}
    assert run(archive, rule, mentions=rows) == []
    # A claim about the accident that a debunk answers is a rumour, named by its words.
    debunk = Reason("match", "关于网传“锦江广场电梯坠落致三十人遇难”的情况说明", 0.8, "d9")
    more = stored(
        archive,
        [post("w3", "锦江广场电梯坠落三十人遇难，官方在瞒报", NOW, metrics=VIRAL)],
        [judged("w3", rumor=0.93, event_id="acc", reasons=[debunk])],
    )
    found = run(archive, rule, mentions=more)
    assert [m.subject for m in found] == ["event:acc"]
    assert found[0].title == "锦江广场电梯坠落致三十人遇难"
    assert any(r.text.startswith("已辟谣：") for r in found[0].evidence)


def test_a_configurable_type_without_a_class_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # What alerts.rules checks at import: every type settings accept has its class.
    monkeypatch.delitem(rules.RULE_CLASSES, "penalty")
    with pytest.raises(TypeError, match="rule types without a class: penalty"):
        rules.check_registry()
    with pytest.raises(ValueError, match="type 'penalty' has no implementation"):
        build_rule(parse_rule({"name": "p", "type": "penalty"}))


def test_public_concern_about_the_agency_reported_by_media(archive: Archive) -> None:
    """Complaints about the agency's own work (12315 unanswered) open the 48-hour response
    once the media report them, below the hot-topic volume (linchuan_boiler's elderly
    health-food story: 21 mentions, the rule's bar 30); replies and official posts do not
    count as the public's voice, and without a report it stays a complaint thread."""
    archive.upsert_event(
        hot("care", mention_count=21, topics=["agency_conduct"], first_seen=NOW - 10 * HOUR)
    )
    public = {"verified_type": -1}

    def concern(mid: str, text: str, at: datetime, **kw: Any) -> tuple[Mention, Analysis]:
        m = replace(post(mid, text, at, **kw), author=f"作者{mid}")
        return m, replace(judged(mid, event_id="care"), topics=["agency_conduct"])

    rows = [
        concern("q1", "打12315反映了，一个星期没人回复", NOW - 10 * HOUR, metrics=public),
        concern("q2", "12315形同虚设吗？", NOW - 9 * HOUR, kind="comment", metrics=public),
        concern("q3", "监管部门管一管吧", NOW - 8 * HOUR, kind="comment", metrics=public),
        concern("q4", "【通报】我区开展检查", NOW - 7 * HOUR, metrics={"verified_type": 1}),
    ]
    archive.upsert_mentions([m for m, _ in rows])
    archive.upsert_analyses([a for _, a in rows])
    rule = {
        "name": "hot",
        "type": "threshold",
        "min_mentions": 30,
        "concern_topics": ["agency_conduct"],
        "opens": ["response"],
    }
    assert run(archive, rule) == []  # one public post, replies and a government account
    more = [concern("q5", "我公公也是，到现在都没退成", NOW - 6 * HOUR, kind="repost")]
    archive.upsert_mentions([m for m, _ in more])
    archive.upsert_analyses([a for _, a in more])
    assert run(archive, rule) == []  # two voices, but no report yet
    report = concern("q6", "多名老人被诱导高价购买保健品", NOW - 3 * HOUR, platform="news")
    archive.upsert_mentions([replace(report[0], kind="article", title="“免费体检”背后")])
    archive.upsert_analyses([report[1]])
    (match,) = run(archive, rule)
    assert match.subject == "event:care"
    assert match.detected_at == NOW - 3 * HOUR  # the report made it public opinion
    assert "公众反映本机关工作 2 条" in match.evidence[0].text
    assert match.evidence[1].mention_id == "q6"
    # Another topic's event is not the agency's work: volume alone decides there.
    assert run(archive, dict(rule, concern_topics=["recall"])) == []
    # A story the agency itself started (its penalty decision, then 罚得好 and a report) is
    # no concern about its work: no alert below the volume bar.
    first = replace(post("q0", "行政处罚决定书", NOW - 11 * HOUR), author="杭州市场监管")
    archive.upsert_mentions([first])
    archive.upsert_analyses([replace(judged("q0", event_id="care"), topics=["agency_conduct"])])
    data = RuleInput(
        NOW.astimezone(), archive, archive.list_events(), [],
        agency=AgencySettings(name="杭州市市场监督管理局", level="city", accounts=["杭州市场监管"]),
    )  # fmt: skip
    assert build_rule(parse_rule(rule)).find(data) == []


AUTHORITY = [Reason("feature", "来源为政务或辟谣机构（江州发布），不是谣言说法", -3.0)]


def test_a_debunk_in_the_event_identifies_the_claim_its_posts_spread(archive: Archive) -> None:
    """linchuan_boiler: the hearsay about a real accident scores low (it reads like the
    witnesses), but the city's 【辟谣】 in the event quotes it: that identifies the false
    claim, the posts that repeat it and the debunk, and the clarification's clock starts at
    the first of them. A witness who repeats none of it is not a spreading post."""
    archive.upsert_event(
        hot(
            "boil",
            rumor_score=0.3,
            keywords=["恒泰", "锅炉", "爆炸", "死亡"],
            first_seen=NOW - 10 * HOUR,
        )
    )
    debunk = replace(
        post(
            "d1",
            "【辟谣】近日，网上流传“恒泰锅炉爆炸当场死亡五十多人”“死伤上百、官方压着不报”"
            "等说法。经核实，截至19时事故共造成11人死亡，上述说法系编造。",
            NOW - HOUR,
            metrics={"verified": True, "verified_type": 1},
        ),
        author="江州发布",
    )
    rows = stored(
        archive,
        [
            post(
                "h1", "我表哥就在恒泰上班，他说当场就没了五十多个人，厂里封锁消息", NOW - 8 * HOUR
            ),
            post("h2", "据说死伤上百，到现在才说2个？", NOW - 7 * HOUR, kind="repost"),
            post("w1", "早上上班就听见锅炉爆炸了，以为打雷", NOW - 9 * HOUR),
            debunk,
        ],
        [
            judged("h1", rumor=0.1, event_id="boil"),
            judged("h2", rumor=0.3, event_id="boil"),
            judged("w1", rumor=0.2, event_id="boil"),
            judged("d1", rumor=0.02, event_id="boil", reasons=AUTHORITY),
        ],
    )
    rule = {"name": "r", "type": "rumor", "min_probability": 0.7, "opens": ["clarification"]}
    (match,) = run(archive, rule, mentions=[row for row in rows if row[0].id == "d1"])
    assert match.subject == "event:boil" and match.title == "恒泰锅炉爆炸当场死亡五十多人"
    assert match.detected_at == NOW - 8 * HOUR + timedelta(minutes=1)  # h1 fetched
    cited = [r.mention_id for r in match.evidence if r.kind == "post"]
    assert cited == ["h1", "h2"]
    assert any(r.kind == "match" and r.mention_id == "d1" for r in match.evidence)
    # A penalty decision (经查…) quoting a product's name in the event is no debunk.
    archive.upsert_event(hot("cups", rumor_score=0.1, first_seen=NOW - 10 * HOUR))
    decision = post("p1", "经查，当事人销售的“萌趣小熊”儿童水杯不合格。", NOW - HOUR)
    cups = stored(
        archive,
        [post("c1", "我家老二用的就是萌趣小熊那款", NOW - 2 * HOUR), decision],
        [
            judged("c1", rumor=0.1, event_id="cups"),
            judged("p1", rumor=0.02, event_id="cups", reasons=AUTHORITY),
        ],
    )
    assert run(archive, rule, mentions=[row for row in cups if row[0].id == "p1"]) == []
    # Judged again on a later post of the event: the same claim, one match per event.
    again = run(archive, rule, mentions=[row for row in rows if row[0].id == "w1"])
    assert [m.title for m in again] == [match.title]


def test_a_firms_own_denial_identifies_the_claim_about_it(archive: Archive) -> None:
    """A death claim about a brand's product scores low in a recall story the news reported;
    the brand's verified account says the claim goes round and is untrue (我司…网传“…”不实):
    that identifies the claim and its posts before any authority answers. The same denial
    by a member of the public identifies nothing."""
    archive.upsert_event(hot("seat", rumor_score=0.3, keywords=["座椅", "召回", "卡扣"]))
    itself = Reason(
        "feature", "企业认证账号就自身发声（童安座椅）（我司）：企业是自身产品与行为的权威", -3.0
    )
    denial = (
        "【声明】近日网传“南湖区有孩子因童安座椅卡扣弹开在车祸中身亡”，经我司核实，该信息不实。"
    )
    rows = stored(
        archive,
        [
            post("r1", "扩散！南湖区有个孩子坐童安座椅，卡扣弹开在车祸中身亡了", NOW - 5 * HOUR),
            post("r2", "召回的座椅今天可以去门店换卡扣了", NOW - 4 * HOUR),
            replace(
                post("b1", denial, NOW - 2 * HOUR, metrics={"verified_type": 2}), author="童安"
            ),
        ],
        [
            judged("r1", rumor=0.3, event_id="seat"),
            judged("r2", rumor=0.1, event_id="seat"),
            judged("b1", rumor=0.05, event_id="seat", reasons=[itself]),
        ],
    )
    rule = {"name": "r", "type": "rumor", "min_probability": 0.7, "opens": ["clarification"]}
    brand = [row for row in rows if row[0].id == "b1"]
    (match,) = run(archive, rule, mentions=brand)
    assert match.title == "南湖区有孩子因童安座椅卡扣弹开在车祸中身亡"
    assert [r.mention_id for r in match.evidence if r.kind == "post"] == ["r1"]
    assert any(r.kind == "match" and r.mention_id == "b1" for r in match.evidence)
    archive.upsert_analyses([judged("b1", rumor=0.05, event_id="seat")])  # not the firm
    assert run(archive, rule, mentions=brand) == []


def test_a_question_is_not_a_false_claim(archive: Archive) -> None:
    """A post that only asks (锅炉平时有人检吗？到底是谁在管？) claims nothing false, however
    the model scores it: no clarification without a statement or a debunk."""
    archive.upsert_event(hot("ask", rumor_score=0.89, first_seen=NOW - 3 * HOUR))
    stored(
        archive,
        [post("q1", "恒泰那台锅炉平时有人检吗？特种设备到底是谁在管？", NOW - 3 * HOUR)],
        [judged("q1", rumor=0.89, event_id="ask")],
    )
    rule = {"name": "r", "type": "rumor", "min_probability": 0.7, "opens": ["clarification"]}
    assert run(archive, rule) == []
    # A statement with the same score is a claim.
    stored(
        archive,
        [post("q2", "听说恒泰的锅炉从来没人检过，厂里一直瞒着", NOW - 3 * HOUR)],
        [judged("q2", rumor=0.89, event_id="ask")],
    )
    assert [m.subject for m in run(archive, rule)] == ["event:ask"]
