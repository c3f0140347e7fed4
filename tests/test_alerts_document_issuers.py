"""Who issued a document decides the agency's duty. A policy document owes its interpretation
by its issuer (谁起草、谁解读): the agency's own and its units' open ``policy_interpretation``, a
superior's or another department's alert (提示) without a duty. A superior's request for the
year's work-plan implementation report opens ``implementation_report``, which the agency's own
published report closes. Texts written for this test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.stage import evaluate
from archive import Archive
from archive.models import Mention
from core.clock import SHANGHAI, SimulatedClock
from core.settings import AgencySettings, Settings
from tests.support.alert_data import make_settings, mention

PUBLISHED = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)  # a Monday

ISSUERS = {
    "own": "江州市市场监督管理局",
    "joint": "江州市市场监督管理局 江州市教育局",
    "district": "江州市东湖区市场监督管理局",
    "nobody": "",
    "province": "南岭省市场监督管理局",
    "department": "江州市住房和城乡建设局",
}


def with_agency(tmp_path: Path) -> Settings:
    agency = AgencySettings(
        name="江州市市场监督管理局",
        level="city",
        region="江州市",
        superiors=["南岭省市场监督管理局", "江州发布"],
    )
    return make_settings(tmp_path).model_copy(update={"agency": agency})


def test_only_the_agencys_and_its_units_documents_open_an_interpretation(
    tmp_path: Path, archive: Archive
) -> None:
    documents = [
        replace(
            mention(
                f"p-{key}",
                "各有关单位：现将有关管理办法印发给你们，请认真贯彻执行。",
                PUBLISHED,
                platform="official",
                kind="official",
                title=f"{issuer or '某机关'}关于印发《加油站计量监督管理办法》的通知",
                extra={"doc_type": "policy"},
                source="official-policy",
            ),
            author=issuer,
        )
        for key, issuer in ISSUERS.items()
    ]
    archive.upsert_mentions(documents)
    evaluate(archive, with_agency(tmp_path), SimulatedClock(PUBLISHED + timedelta(hours=1)))
    alerted = {alert.subject for alert in archive.ledger.list_alerts(limit=100)}
    assert alerted == {f"doc:p-{key}" for key in ISSUERS}  # every document is told
    opened = {ob.subject for ob in archive.ledger.list_obligations(limit=100)}
    assert opened == {"doc:p-own", "doc:p-joint", "doc:p-district", "doc:p-nobody"}
    province = next(
        a for a in archive.ledger.list_alerts(limit=100) if a.subject == "doc:p-province"
    )
    assert any("上级或其他部门" in reason.text for reason in province.evidence)


def official(mid: str, issuer: str, title: str, text: str, at: datetime) -> Mention:
    found = mention(
        mid,
        text,
        at,
        platform="official",
        kind="official",
        title=title,
        extra={"doc_type": "notice"},
        source="official-notices",
    )
    return replace(found, author=issuer)


ASKED = (
    "各设区市局：请各设区市局对照本单位2027年度法治建设工作要点，梳理任务落实情况，"
    "形成报告，于2027年7月10日前公开并报送省局。"
)


def test_a_superiors_request_opens_the_work_plan_report_and_the_own_report_closes_it(
    tmp_path: Path, archive: Archive
) -> None:
    asked_at = datetime(2027, 6, 21, 9, tzinfo=SHANGHAI)
    archive.upsert_mentions(
        [
            official(
                "ask",
                "南岭省市场监督管理局办公室",
                "关于报送2027年度法治建设工作要点落实情况的通知",
                ASKED,
                asked_at,
            ),
            # The same words from a neighbour and the province's own report ask nothing of it.
            official(
                "peer",
                "青州市市场监督管理局",
                "关于报送2027年度法治建设工作要点落实情况的通知",
                ASKED,
                asked_at,
            ),
            official(
                "own-of-province",
                "南岭省市场监督管理局",
                "南岭省市场监督管理局2027年法治建设工作要点落实情况",
                "现将我局2027年法治建设工作要点落实情况公布如下：……",
                # A day before the request: a superior's publication after it would count
                # as the city's (FULFILS proposes a superior's notice, see the report).
                asked_at - timedelta(days=1),
            ),
        ]
    )
    settings = with_agency(tmp_path)
    evaluate(archive, settings, SimulatedClock(asked_at + timedelta(hours=1)))
    [duty] = archive.ledger.list_obligations(limit=100)
    assert (duty.kind, duty.subject) == ("implementation_report", "doc:ask")
    assert duty.due_at == datetime(2027, 7, 10, 23, 59, 59, tzinfo=SHANGHAI).astimezone(UTC)
    reported_at = asked_at + timedelta(days=4)
    archive.upsert_mentions(
        [
            official(
                "report",
                "江州市市场监督管理局",
                "江州市市场监督管理局2027年度法治建设工作要点落实情况",
                "根据2027年度法治建设工作要点，现将我局工作落实情况报告如下：……",
                reported_at,
            )
        ]
    )
    evaluate(archive, settings, SimulatedClock(reported_at + timedelta(hours=1)))
    [done] = archive.ledger.list_obligations(limit=100)
    assert (done.status, done.fulfilled_by) == ("done", "report")


def test_without_an_agency_every_policy_document_opens_its_interpretation(
    tmp_path: Path, archive: Archive
) -> None:
    province = replace(
        mention(
            "p-province",
            "各有关单位：现将有关管理办法印发给你们，请认真贯彻执行。",
            PUBLISHED,
            platform="official",
            kind="official",
            title="南岭省市场监督管理局关于印发《加油站计量监督管理办法》的通知",
            extra={"doc_type": "policy"},
        ),
        author="南岭省市场监督管理局",
    )
    archive.upsert_mentions([province])
    evaluate(archive, make_settings(tmp_path), SimulatedClock(PUBLISHED + timedelta(hours=1)))
    [duty] = archive.ledger.list_obligations(limit=100)
    assert (duty.kind, duty.subject) == ("policy_interpretation", "doc:p-province")
