"""``redis:`` in the YAML (issue 20): validated with clear errors, the password never shown;
the workers refuse to start without it; without it nothing else changes. And the shared
per-domain rate budget on a real Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.config import ConfigError, load_config
from core.settings_redis import RedisSettings
from crawlers.distributed.components import TAKE_SLOT
from crawlers.distributed.connection import connect
from tests.conftest import run_cli
from tests.support.redis_server import RedisServer
from yuqing.cli.workers import choose_sources


def write(tmp_path: Path, redis: object) -> Path:
    data: dict[str, object] = {"archive": {"path": str(tmp_path / "a.db")}}
    if redis is not None:
        data["redis"] = redis
    path = tmp_path / "yuqing.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_password_in_the_url_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path, {"url": "redis://:hunter2secret@10.0.0.5:6379/0"})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = "\n".join(caught.value.problems)
    assert "redis" in text and "password" in text
    assert "hunter2secret" not in text


@pytest.mark.parametrize("url", ["http://10.0.0.5:6379", "redis://:6379/0", "redis://h:port/0"])
def test_malformed_urls_name_the_expected_form(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, {"url": url}))
    assert any("redis" in p and "redis://" in p for p in caught.value.problems)


def test_where_shows_host_and_port_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YQ_REDIS_PW", "s3cr3t-value")
    path = write(tmp_path, {"url": "rediss://redis.internal/2", "password": "${YQ_REDIS_PW}"})
    redis = load_config(path).redis
    assert isinstance(redis, RedisSettings)
    assert redis.password is not None and redis.password.get_secret_value() == "s3cr3t-value"
    assert redis.where() == "rediss://redis.internal:6379"
    assert "s3cr3t" not in repr(redis) and "s3cr3t" not in str(redis.model_dump())


def test_workers_need_redis_and_run_does_not(tmp_path: Path) -> None:
    path = write(tmp_path, None)
    assert load_config(path).redis is None
    code, output = run_cli(path, "crawl-worker")
    assert code != 0 and "redis:" in output


def test_the_rate_budget_is_shared_by_every_client(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """Three clients (as three workers would) take slots of one domain from the budget in
    Redis: the slots are handed out one ``delay`` apart in all, not one per client."""
    redis = load_config(write(tmp_path, {"url": redis_server.url})).redis
    assert redis is not None
    clients = [connect(redis).register_script(TAKE_SLOT) for _ in range(3)]
    waits = [clients[i % 3](keys=["yuqing:rate:example.cn"], args=[1000]) for i in range(9)]
    # Slot k starts k seconds after the first; the calls themselves take a few ms.
    for k, wait in enumerate(waits):
        assert k * 1000 - 900 <= int(wait) <= k * 1000
    other = clients[0](keys=["yuqing:rate:other.cn"], args=[1000])
    assert int(other) == 0  # another domain has its own budget


def test_a_region_picks_its_provinces_sources(tmp_path: Path) -> None:
    """``crawl-worker --region``: a province's crawler hosts take the sources of its region
    (a province holds its cities; 江西 and 江西省 are one); none there is a clear error."""
    path = write(tmp_path, {"url": "redis://127.0.0.1:6399/0"})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions = {
        "nanchang": "江西省南昌市",
        "jiangxi": "江西",
        "changsha": "湖南省长沙市",
        "none": "",
    }
    data["sources"] = [
        {"name": name, "type": "rss", "start_urls": [f"https://{name}.example.cn/rss"], "region": r}
        for name, r in regions.items()
    ]
    data["sources"].append({**data["sources"][0], "name": "off", "enabled": False})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = load_config(path)
    names = [s.name for s in choose_sources(settings, (), ("江西省",))]
    assert names == ["nanchang", "jiangxi"]  # not the disabled copy of nanchang
    names = [s.name for s in choose_sources(settings, (), ("江西", "湖南省"))]
    assert names == ["nanchang", "jiangxi", "changsha"]
    assert len(choose_sources(settings, ())) == 4
    code, output = run_cli(path, "crawl-worker", "--region", "广东省")
    assert code != 0 and "广东省" in output and "region" in output
