"""Certificate verification stays on: a self-signed server is refused unless its CA is given.

A real HTTPS server on loopback (uvicorn serving the demo app with a
certificate made here) stands in for a company proxy or a private cluster.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cdrdesk.api.client import CdrClient
from cdrdesk.api.errors import CertificateError, NetworkError
from cdrdesk.api.query import CdrQuery
from cdrdesk.api.retry import RetryPolicy
from cdrdesk.connections.profiles import Connection, Profile
from cdrdesk.demo.app import ServerSettings, create_app
from cdrdesk.demo.runner import DemoServerThread
from cdrdesk.demo.store import DemoStore

TOKEN = "tls-test-token"
NO_RETRIES = RetryPolicy(attempts=1)


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost that is its own CA, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"cdrdesk test {name}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass(frozen=True)
class HttpsServer:
    url: str
    certificate: Path


@pytest.fixture(scope="module")
def https_server(
    demo_server: DemoServerThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HttpsServer]:
    """The demo app behind TLS on a loopback port, with a certificate no system trusts."""
    assert demo_server.database_path is not None
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = self_signed(folder, "server")
    store = DemoStore(demo_server.database_path)
    config = uvicorn.Config(
        create_app(store, ServerSettings(token=TOKEN)),
        ssl_certfile=str(cert_path),
        ssl_keyfile=str(key_path),
        log_level="warning",
        lifespan="off",
        access_log=False,
    )
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.02)
    assert server.started, "the HTTPS server did not start"
    try:
        yield HttpsServer(f"https://127.0.0.1:{port}", cert_path)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def count(client: CdrClient) -> int | None:
    async def ask() -> int | None:
        async with client:
            return await client.count(CdrQuery({"type": ("call",)}))

    return asyncio.run(ask())


def test_a_self_signed_server_is_refused_by_default(https_server: HttpsServer) -> None:
    profile = Profile("Private cluster", https_server.url)
    patient = RetryPolicy(attempts=6, wait_initial=2.0, wait_max=2.0, wait_jitter=0.0)
    for client in (
        CdrClient(https_server.url, TOKEN, retry=patient),
        Connection(profile, TOKEN).client(retry=patient),
    ):
        started = time.monotonic()
        with pytest.raises(NetworkError, match="certificate") as refused:
            count(client)
        assert time.monotonic() - started < 2.0, "a refused certificate is not retried"
        assert isinstance(refused.value, CertificateError)
        assert "127.0.0.1" in str(refused.value)
        assert "CA bundle" in str(refused.value)
        assert TOKEN not in repr(refused.value)


def test_the_profiles_ca_bundle_makes_it_trusted(https_server: HttpsServer) -> None:
    profile = Profile("Private cluster", https_server.url, ca_bundle=str(https_server.certificate))
    total = count(Connection(profile, TOKEN).client(retry=NO_RETRIES))
    assert total is not None
    assert total > 0


def test_a_different_ca_does_not_make_it_trusted(https_server: HttpsServer, tmp_path: Path) -> None:
    other, _key = self_signed(tmp_path, "other")
    profile = Profile("Private cluster", https_server.url, ca_bundle=str(other))
    with pytest.raises(CertificateError, match="certificate"):
        count(Connection(profile, TOKEN).client())


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_an_unusable_ca_bundle_is_named(tmp_path: Path, content: bytes | None) -> None:
    bundle = tmp_path / "company-ca.pem"
    if content is not None:
        bundle.write_bytes(content)
    profile = Profile("Private cluster", "https://127.0.0.1:9", ca_bundle=str(bundle))
    with pytest.raises(ValueError, match=r"the CA bundle .*company-ca\.pem"):
        Connection(profile, TOKEN).client()


def run_export(https_server: HttpsServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cdrdesk", "export", "--base-url", https_server.url]
    return subprocess.run(
        [*command, "--filter", "type=call", "--max-rows", "3", *args],
        env=dict(os.environ, CDRDESK_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_headless_export_verifies_too(https_server: HttpsServer, tmp_path: Path) -> None:
    refused = run_export(https_server)
    assert refused.returncode == 1
    assert "certificate" in refused.stderr
    assert "Traceback" not in refused.stderr

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n", encoding="utf-8")
    unusable = run_export(https_server, "--ca-bundle", str(garbage))
    assert unusable.returncode == 2
    (line,) = unusable.stderr.strip().splitlines()
    assert line.startswith(f"cdrdesk export: error: the CA bundle {garbage} holds no usable")

    trusted = run_export(https_server, "--ca-bundle", str(https_server.certificate))
    assert trusted.returncode == 0, trusted.stderr
    assert len(trusted.stdout.splitlines()) == 3
