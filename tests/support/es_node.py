"""A real Elasticsearch node (or two) on 127.0.0.1 for tests and benchmarks.

The distribution is Elasticsearch's integration-test zip from Maven Central, fetched with
``mvn dependency:copy`` (cached in ``~/.m2``) and unpacked once into a cache folder. It has no
bundled JDK and a minimal module set, so it runs on the machine's OpenJDK 17.

Elasticsearch refuses to run as root, and CI runs as root: the node then runs as the system
user ``yuqing-es`` (created here with ``useradd`` when missing) through ``setpriv``, with its
config, data and log folders in a fresh ``/tmp/yuqing-es-*`` folder owned by that user. The
cache folder is outside ``/root`` for the same reason (``/root`` is not traversable by others).

Run ``python -m tests.support.es_node`` to fetch and start one node by hand (Ctrl-C stops it).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from core.maven import MavenError, cache_folder, copy_artifact
from tests.support import server_process
from tests.support.server_process import ServerProcess, free_port, serve_by_hand

ES_VERSION = "8.19.3"  # the 8.x line runs on Java 17; pinned with elasticsearch-py 8.19
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
ES_USER = "yuqing-es"
# 256 MiB runs the contract suite and the 200k bulk benchmark; 128 MiB hit circuit breakers
# on bulk requests of a few MB. Override with YUQING_ES_HEAP (e.g. "1g") for benchmarks.
DEFAULT_HEAP = "256m"
START_TIMEOUT = 180.0  # a cold JVM on two busy cores takes 20-60 s


class NodeError(RuntimeError):
    """The node could not be fetched or started; the message says why (with its log tail)."""


def cache_root() -> Path:
    return cache_folder("es", "YUQING_ES_CACHE")


def fetch_distribution() -> Path:
    """The unpacked distribution folder, fetching and unpacking it the first time."""
    home = cache_root() / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    downloads = cache_root() / "downloads"
    archive = downloads / f"elasticsearch-{ES_VERSION}.zip"
    try:
        copy_artifact(ARTIFACT, archive.name, downloads)
    except MavenError as exc:
        raise NodeError(str(exc)) from None
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=home.parent))
    try:
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                bundle.extract(info, staging)
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(staging / info.filename, mode)
        try:
            (staging / f"elasticsearch-{ES_VERSION}").rename(home)
        except OSError:
            if not (home / "bin" / "elasticsearch").exists():
                raise  # not a concurrent unpack that finished first
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    os.chmod(home.parent, 0o755)
    return home


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) of the unprivileged user when we are root; None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
            capture_output=True,
            text=True,
        )
        if done.returncode not in (0, 9):  # 9: created meanwhile by another process
            raise NodeError(f"cannot create the user {ES_USER}: {done.stderr.strip()}") from None
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


def _java_home() -> str:
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(name):
            return os.environ[name]
    java = shutil.which("java")
    if java is None:
        raise NodeError(
            "no Java found: install OpenJDK 17 (apt-get install openjdk-17-jre-headless)"
        )
    return str(Path(java).resolve().parent.parent)


@dataclass
class EsNode(ServerProcess):
    """One Elasticsearch process. ``start()`` returns once the cluster is yellow or green."""

    service: ClassVar[str] = f"Elasticsearch {ES_VERSION}"
    error: ClassVar[type[RuntimeError]] = NodeError
    stop_timeout: ClassVar[float] = 60.0

    name: str = "node-1"
    cluster: str = "yuqing-test"
    http_port: int = field(default_factory=free_port)
    transport_port: int = field(default_factory=free_port)
    heap: str = field(default_factory=lambda: os.environ.get("YUQING_ES_HEAP", DEFAULT_HEAP))
    # Cluster membership; empty means single-node discovery.
    seed_ports: list[int] = field(default_factory=list)
    initial_masters: list[str] = field(default_factory=list)
    roles: list[str] | None = None
    workdir: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def what(self) -> str:
        return f"Elasticsearch {self.name} at {self.url}"

    def _prepare(self, home: Path, owner: tuple[int, int] | None) -> Path:
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="yuqing-es-"))
            os.chmod(self.workdir, 0o755)
            shutil.copytree(home / "config", self.workdir / "config")
            for sub in ("data", "logs", "tmp"):
                (self.workdir / sub).mkdir()
            if owner is not None:
                for path in [self.workdir, *self.workdir.rglob("*")]:
                    os.chown(path, *owner)
        return self.workdir

    def _settings(self, work: Path) -> list[str]:
        return [f"-E{key}={value}" for key, value in self._values(work).items()]

    def _values(self, work: Path) -> dict[str, str]:
        values = {
            "cluster.name": self.cluster,
            "node.name": self.name,
            "network.host": "127.0.0.1",
            "http.port": str(self.http_port),
            "transport.port": str(self.transport_port),
            "path.data": str(work / "data"),
            "path.logs": str(work / "logs"),
            "xpack.security.enabled": "false",
            # Test machines run with full disks more often than clusters do.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            "action.destructive_requires_name": "false",
        }
        if self.seed_ports:
            values["discovery.seed_hosts"] = ",".join(f"127.0.0.1:{p}" for p in self.seed_ports)
            if self.initial_masters:
                values["cluster.initial_master_nodes"] = ",".join(self.initial_masters)
        else:
            values["discovery.type"] = "single-node"
        if self.roles is not None:
            values["node.roles"] = "[" + ",".join(self.roles) + "]"
        return values

    def start(self, timeout: float = START_TIMEOUT, wait_health: bool = True) -> EsNode:
        home = fetch_distribution()
        owner = _run_as()
        work = self._prepare(home, owner)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": _java_home(),
            "ES_PATH_CONF": str(work / "config"),
            "ES_TMPDIR": str(work / "tmp"),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap} -XX:ActiveProcessorCount=2",
            "HOME": str(work),
            "LANG": "C.UTF-8",
        }
        command = [str(home / "bin" / "elasticsearch"), *self._settings(work)]
        if owner is not None:
            command = [
                "setpriv",
                f"--reuid={owner[0]}",
                f"--regid={owner[1]}",
                "--clear-groups",
                "--",
                *command,
            ]
        console = open(work / "logs" / "console.log", "ab")  # noqa: SIM115 - child owns it
        self.spawn(command, console, env=env, cwd=work)
        console.close()
        if wait_health:
            self.wait(timeout)
        return self

    def wait(self, timeout: float = START_TIMEOUT, status: str = "yellow") -> None:
        def health() -> str | None:
            try:
                answer = self.get_json(f"/_cluster/health?wait_for_status={status}&timeout=2s")
            except (OSError, urllib.error.URLError, ValueError) as exc:
                return str(exc)
            if answer.get("status") in ("green", status) and not answer.get("timed_out"):
                return None
            return f"health {answer.get('status')}"

        self.wait_ready(health, timeout, 1.0, status)

    def get_json(self, path: str) -> Any:
        """GET ``path`` from the node (plain HTTP, no credentials) and decode the answer."""
        with urllib.request.urlopen(f"{self.url}{path}", timeout=5) as answer:
            return json.loads(answer.read())

    def log_tail(self, lines: int = 40) -> str:
        if self.workdir is None:
            return "(no log)"
        text: list[str] = []
        for log in (
            self.workdir / "logs" / "console.log",
            self.workdir / "logs" / f"{self.cluster}.log",
        ):
            if log.exists():
                text.extend(log.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(text[-lines:]) or "(empty log)"

    def destroy(self) -> None:
        """Stop and remove the node's data, logs and config (the logs are copied first to
        ``$YUQING_ES_LOG_DIR/<cluster>-<node>-<port>`` when that is set, for reading a
        failure after the run)."""
        self.stop()
        keep = os.environ.get("YUQING_ES_LOG_DIR")
        if keep and self.workdir is not None and (self.workdir / "logs").exists():
            target = Path(keep) / f"{self.cluster}-{self.name}-{self.http_port}"
            shutil.copytree(self.workdir / "logs", target, dirs_exist_ok=True)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def start_cluster(size: int = 2, timeout: float = START_TIMEOUT) -> list[EsNode]:
    """``size`` nodes on loopback: the first master and data, the others data only.

    A two-node cluster with two master-eligible nodes keeps only one of them in the voting
    configuration, so stopping the wrong one stops the cluster; data-only followers make
    "stop a node, the cluster goes on" hold for every follower.
    """
    ports = [free_port() for _ in range(size)]
    nodes = [
        EsNode(
            name=f"node-{i + 1}",
            cluster="yuqing-pair",
            transport_port=ports[i],
            seed_ports=ports,
            initial_masters=["node-1"],
            roles=None if i == 0 else ["data", "ingest"],
        )
        for i in range(size)
    ]
    try:
        for node in nodes:
            node.start(wait_health=False)
        nodes[0].wait(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{nodes[0].url}/_cat/nodes?format=json", timeout=5) as a:
                if len(json.loads(a.read())) == size:
                    return nodes
            time.sleep(1.0)
        raise NodeError(f"the {size} nodes did not join one cluster:\n{nodes[-1].log_tail()}")
    except BaseException:
        for node in nodes:
            node.destroy()
        raise


def main() -> None:
    node = EsNode()
    print(f"starting Elasticsearch {ES_VERSION} at {node.url} ...", flush=True)
    began = time.monotonic()
    node.start()
    print(f"ready in {time.monotonic() - began:.1f} s at {node.url}; Ctrl-C stops it", flush=True)
    serve_by_hand(node)  # `kill PID` stops the node and removes its data too


if __name__ == "__main__":
    main()


# ---- pytest fixtures (imported by tests/conftest.py) -------------------------------------
def unavailable(reason: str) -> None:
    """Fail under CI (a missing Elasticsearch is a broken build), skip loudly elsewhere."""
    server_process.unavailable(EsNode.service, reason)


def _on_other_ports(node: EsNode) -> EsNode:
    return replace(node, http_port=free_port(), transport_port=free_port())


def _started(node: EsNode) -> EsNode:
    """``node`` started, or the test failed (CI) / skipped (``server_process.started``)."""
    return server_process.started(node, _on_other_ports)


def es_node_fixture() -> Iterator[EsNode]:
    existing = os.environ.get("YUQING_ES_TEST_PORT")
    if existing:  # a node started by hand (python -m tests.support.es_node), for quick iterations
        yield EsNode(http_port=int(existing))
        return
    node = _started(EsNode())
    try:
        yield node
    finally:
        node.destroy()


def es_archive_fixture(es_node: EsNode, tmp_path: Path) -> Iterator[Any]:
    import uuid

    from archive.es.backend import ElasticsearchArchive
    from archive.es.client import make_client
    from archive.es.setup import drop_all

    prefix = f"t{uuid.uuid4().hex[:10]}"
    client = make_client([es_node.url])
    store = ElasticsearchArchive(
        client, [es_node.url], tmp_path / "ledger.db", index_prefix=prefix, replicas=0
    )
    try:
        yield store
    finally:
        cleanup = make_client([es_node.url])
        try:
            drop_all(cleanup, store.names)
        finally:
            cleanup.close()
        store.close()


def es_own_node_fixture() -> Iterator[EsNode]:
    """A node of the test's own, which it may stop and start again (outage tests): its own
    ports and data folder, removed afterwards, so no test meets another's indices, restarts
    or half-started node (the session node must stay up for the other tests)."""
    node = _started(EsNode(name="own", cluster="yuqing-own"))
    try:
        yield node
    finally:
        node.destroy()
