"""A real Elasticsearch node with security on: HTTPS with a certificate of a private CA made
for the run, and users of the file realm, for testing TLS, basic and API-key authentication
the way a production cluster asks for them.

The integration-test distribution carries the x-pack security module, so this is the same
Elasticsearch as in the other tests with ``xpack.security.enabled: true`` and HTTP TLS; users
are added with the distribution's own ``elasticsearch-users`` tool before the first start.
Transport TLS is left off: a single node bound to loopback does not need it.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.es_node import EsNode, NodeError, _java_home

__all__ = ["SecureEsNode", "make_certificates"]

ADMIN = "yuqing-admin"
READER = "yuqing-reader"  # a user without privileges on the archive's indices


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    # PKCS#8: the PEM form Elasticsearch reads for any key type.
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 / localhost; (ca.crt, node.crt, node.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key, node_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "yuqing test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    node = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(node_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.crt", folder / "node.crt", folder / "node.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(node.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_pem_key(node_key))
    return paths


@dataclass
class SecureEsNode(EsNode):
    """``EsNode`` over HTTPS with the file-realm users ``ADMIN`` (superuser) and ``READER``."""

    cluster: str = "yuqing-secure"
    passwords: dict[str, str] = field(
        default_factory=lambda: {
            ADMIN: base64.urlsafe_b64encode(os.urandom(12)).decode(),
            READER: base64.urlsafe_b64encode(os.urandom(12)).decode(),
        }
    )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.http_port}"

    @property
    def ca_file(self) -> Path:
        assert self.workdir is not None, "start the node first"
        return self.workdir / "config" / "certs" / "ca.crt"

    def _prepare(self, home: Path, owner: tuple[int, int] | None) -> Path:
        fresh = self.workdir is None
        work = super()._prepare(home, owner)
        if fresh:
            make_certificates(work / "config" / "certs")
            self._add_users(home, work)
            if owner is not None:
                for path in [work, *work.rglob("*")]:
                    os.chown(path, *owner)
        return work

    def _add_users(self, home: Path, work: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": _java_home(),
            "ES_PATH_CONF": str(work / "config"),
            "HOME": str(work),
        }
        roles = {ADMIN: "superuser", READER: "viewer"}
        for user, password in self.passwords.items():
            command = [str(home / "bin" / "elasticsearch-users"), "useradd", user]
            command += ["-p", password, "-r", roles[user]]
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                raise NodeError(f"elasticsearch-users useradd {user} failed: {done.stderr[-800:]}")

    def _values(self, work: Path) -> dict[str, str]:
        values = super()._values(work)
        values.update(
            {
                "xpack.security.enabled": "true",
                "xpack.security.http.ssl.enabled": "true",
                "xpack.security.http.ssl.key": "certs/node.key",
                "xpack.security.http.ssl.certificate": "certs/node.crt",
                "xpack.security.transport.ssl.enabled": "false",
                "xpack.security.authc.api_key.enabled": "true",
            }
        )
        return values

    def get_json(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """A request as the admin user over verified TLS."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        token = base64.b64encode(f"{ADMIN}:{self.passwords[ADMIN]}".encode()).decode()
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Basic {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=5, context=context) as answer:
            return json.loads(answer.read())
