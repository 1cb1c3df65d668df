"""Self-signed CA + server certificate for the private test servers (IMAP and SMTP).

A real CA plus a leaf (rather than one self-signed leaf) lets clients verify the chain exactly as
they would in production: pass `ca_file` as the trust anchor and check the host name. The leaf
names 127.0.0.1 both as an IP and as a DNS SAN, because some clients match an IP literal against
DNS names only.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class CertFiles:
    """PEM paths: give `ca_file` to clients, `cert_file` + `key_file` to the server."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(directory: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS) -> CertFiles:
    """Write a fresh CA and a server certificate for `hosts` into `directory`.

    EC P-256 keys: generating them takes microseconds, so every server can have its own CA and
    a test can never pass because it trusted some other server's certificate.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _server_certificate(key, ca_key, ca_cert, hosts)
    files = CertFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(files.key_file, key)
    return files


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Key files are created 0600 from the start: never world-readable, even briefly."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def _validity() -> tuple[dt.datetime, dt.datetime]:
    """Backdated a day so clock skew between client and server can't make it 'not yet valid'."""
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=1), now + dt.timedelta(days=30)


def _ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vendorwatch test CA")])
    not_before, not_after = _validity()
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    hosts: tuple[str, ...],
) -> x509.Certificate:
    not_before, not_after = _validity()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(_san_entries(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )


def _san_entries(hosts: tuple[str, ...]) -> list[x509.GeneralName]:
    """Every host as a DNS name; IP literals additionally as an IP address entry."""
    entries: list[x509.GeneralName] = []
    for host in hosts:
        entries.append(x509.DNSName(host))
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            pass
    return entries


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
