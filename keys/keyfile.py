"""Management Authority signing keys on disk: generation, encrypted storage, loading.

A key is three files named after its Party and kid: ``KE-<kid>.key.pem`` (PKCS#8, encrypted with the
passphrase, mode 0600), ``KE-<kid>.pub.pem`` (SubjectPublicKeyInfo) and ``KE-<kid>.cert.pem`` (a self-signed
X.509 certificate naming the Party and the authority, which ``cites issue`` reads to know whose key it holds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from keys.passphrase import PassphraseSource
from permits.envelope import key_id
from permits.envelope.algorithms import (
    UNSUPPORTED_KEY,
    Algorithm,
    PrivateKey,
    PublicKey,
    algorithm_for_key,
    describe_key,
)
from permits.errors import KeyFileError
from permits.fileio import read_input_file, write_bytes_atomic

CERTIFICATE_YEARS = 10
PRIVATE_SUFFIX = ".key.pem"
PUBLIC_SUFFIX = ".pub.pem"
CERTIFICATE_SUFFIX = ".cert.pem"


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key with the identity its certificate gives it."""

    private_key: PrivateKey
    algorithm: Algorithm
    kid: bytes
    party: str
    authority: str


@dataclass(frozen=True)
class PublicKeyInfo:
    """A public key read from a PEM/DER key or certificate, with the Party and authority a certificate names."""

    public_key: PublicKey
    algorithm: Algorithm
    kid: bytes
    party: str | None
    authority: str | None


@dataclass(frozen=True)
class KeyFiles:
    """The three files ``generate_key`` wrote."""

    private: Path
    public: Path
    certificate: Path
    kid: bytes


def spki_der(public_key: PublicKey) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key (what the kid is computed over)."""
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_pem(public_key: PublicKey) -> str:
    """The PEM SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def kid_of(public_key: PublicKey) -> bytes:
    return key_id(spki_der(public_key))


def generate_key(
    party: str, authority: str, algorithm: Algorithm, out_dir: Path, passphrase: PassphraseSource
) -> KeyFiles:
    """Create a key pair and write the encrypted private key, the public key and a self-signed certificate."""
    secret = passphrase(True)
    private_key: PrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if algorithm is Algorithm.ES256
        else ed25519.Ed25519PrivateKey.generate()
    )
    public_key = private_key.public_key()
    kid = kid_of(public_key)
    stem = out_dir / f"{party}-{kid.hex()}"
    files = KeyFiles(
        Path(f"{stem}{PRIVATE_SUFFIX}"),
        Path(f"{stem}{PUBLIC_SUFFIX}"),
        Path(f"{stem}{CERTIFICATE_SUFFIX}"),
        kid,
    )
    certificate = _self_signed_certificate(private_key, party, authority)
    encrypted = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )
    write_bytes_atomic(files.private, encrypted, mode=0o600)
    write_bytes_atomic(files.public, public_key_pem(public_key).encode())
    write_bytes_atomic(files.certificate, certificate.public_bytes(serialization.Encoding.PEM))
    return files


X509_NAME_CHARS = 64
"""The longest organisation or common name an X.509 certificate holds (RFC 5280 upper bounds)."""


def _self_signed_certificate(private_key: PrivateKey, party: str, authority: str) -> x509.Certificate:
    if not 1 <= len(authority) <= X509_NAME_CHARS:
        raise KeyFileError(
            f"--authority: 1 to {X509_NAME_CHARS} characters (a certificate's name), not {len(authority)}"
        )
    common_name = f"{authority} CITES permit signing key"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, party),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name if len(common_name) <= X509_NAME_CHARS else authority),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    algorithm = None if isinstance(private_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(private_key, algorithm)
    )


def certificate_path_for(private_path: Path) -> Path:
    """The certificate that sits next to a private key file."""
    name = private_path.name
    stem = name[: -len(PRIVATE_SUFFIX)] if name.endswith(PRIVATE_SUFFIX) else private_path.stem
    return private_path.with_name(stem + CERTIFICATE_SUFFIX)


def load_signing_key(path: Path, passphrase: PassphraseSource) -> SigningKey:
    """Decrypt a private key and read its identity from the certificate beside it."""
    data = read_input_file(path, "private key")
    if b"ENCRYPTED PRIVATE KEY" not in data:
        raise KeyFileError(f"{path}: not an encrypted PKCS#8 private key (BEGIN ENCRYPTED PRIVATE KEY)")
    try:
        private_key = serialization.load_pem_private_key(data, password=passphrase(False))
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: cannot decrypt the private key (wrong passphrase or damaged file)") from None
    if not isinstance(private_key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise KeyFileError(f"{path}: {describe_key(private_key)} cannot sign permits")
    try:
        algorithm = algorithm_for_key(private_key)
    except ValueError as error:
        raise KeyFileError(f"{path}: {error}") from None
    info = load_public_key(certificate_path_for(path))
    if info.kid != kid_of(private_key.public_key()):
        raise KeyFileError(f"{certificate_path_for(path)}: the certificate is not for the key in {path.name}")
    if info.party is None or info.authority is None:
        raise KeyFileError(f"{certificate_path_for(path)}: the certificate names no Party (C=) or authority (O=)")
    return SigningKey(private_key, algorithm, info.kid, info.party, info.authority)


def load_public_key(path: Path) -> PublicKeyInfo:
    """Read a public key from PEM/DER SubjectPublicKeyInfo or an X.509 certificate (PEM or DER)."""
    data = read_input_file(path, "public key or certificate")
    party = authority = None
    public_key: object
    try:
        if b"-----BEGIN CERTIFICATE" in data or (data[:1] == b"\x30" and _looks_like_certificate(data)):
            certificate = (
                x509.load_pem_x509_certificate(data) if data.startswith(b"-----") or b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data)
            )  # fmt: skip
            public_key = certificate.public_key()
            party = _name_attribute(certificate.subject, NameOID.COUNTRY_NAME)
            authority = _name_attribute(certificate.subject, NameOID.ORGANIZATION_NAME)
        elif b"-----BEGIN PUBLIC KEY" in data:
            public_key = serialization.load_pem_public_key(data)
        elif b"PRIVATE KEY" in data:
            raise KeyFileError(f"{path}: this is a private key; give the public key (.pub.pem) or certificate")
        else:
            public_key = serialization.load_der_public_key(data)
    except ValueError:
        raise KeyFileError(f"{path}: not a PEM/DER public key or X.509 certificate") from None
    except UnsupportedAlgorithm as error:
        raise KeyFileError(f"{path}: {UNSUPPORTED_KEY} ({error})") from None
    if not isinstance(public_key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise KeyFileError(f"{path}: {describe_key(public_key)} cannot verify permits")
    try:
        algorithm = algorithm_for_key(public_key)
    except ValueError as error:
        raise KeyFileError(f"{path}: {error}") from None
    return PublicKeyInfo(public_key, algorithm, kid_of(public_key), party, authority)


def _looks_like_certificate(data: bytes) -> bool:
    try:
        x509.load_der_x509_certificate(data)
    except ValueError:
        return False
    return True


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
