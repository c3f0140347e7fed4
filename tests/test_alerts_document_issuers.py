"""Who issued a policy document decides whether the agency owes its interpretation
(谁起草、谁解读): its own and its units' documents open ``policy_interpretation``; a superior's
or another department's alert (提示) without a duty. Texts written for this test."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from alerts.stage import evaluate
from archive import Archive
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
