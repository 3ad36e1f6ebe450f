"""The local trust store (development mode): a JSON file in ``CITES_HOME`` edited with ``cites trust add``.

Good for a demo, a test or a single Management Authority checking its own permits. It is not a signed list:
whoever can write the file can add a key. Signed, versioned trust lists replace it for border posts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from keys.keyfile import PublicKeyInfo, public_key_pem
from keys.trust.interface import TrustedKey
from permits.codes import DocumentType
from permits.envelope.algorithms import Algorithm, algorithm_for_key
from permits.errors import InputError, TrustStoreError
from permits.fileio import write_text_atomic
from permits.home import state_path

STORE_FORMAT = "cites-local-trust-store"
STORE_VERSION = 1


def default_store_path() -> Path:
    return state_path("trust", "local-store.json")


@dataclass
class LocalTrustStore:
    """A list of trusted keys kept in one JSON file."""

    path: Path
    keys: list[TrustedKey]

    description = "local trust store (development mode)"

    @classmethod
    def load(cls, path: Path | None = None) -> LocalTrustStore:
        """Read the store; a missing file is an empty store."""
        path = path or default_store_path()
        if not path.exists():
            return cls(path, [])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            header = (document.get("format"), document.get("version")) if isinstance(document, dict) else None
            if header != (STORE_FORMAT, STORE_VERSION):
                raise ValueError(f"not a {STORE_FORMAT} version {STORE_VERSION} file")
            entries = document.get("keys")
            if not isinstance(entries, list):
                raise ValueError("'keys' is not a list")
            return cls(path, [_key_from_json(entry) for entry in entries])
        except OSError as error:  # a folder, or no permission
            raise TrustStoreError(f"{path}: cannot read the trust store ({error.strerror or error})") from None
        except (ValueError, RecursionError, UnsupportedAlgorithm) as error:
            raise TrustStoreError(f"{path}: cannot read the trust store ({error})") from None

    def save(self) -> None:
        document = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "keys": [_key_to_json(key) for key in self.keys],
        }
        write_text_atomic(self.path, json.dumps(document, indent=2) + "\n")

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        return [key for key in self.keys if key.kid == kid]

    def problem(self, today: dt.date) -> str | None:
        return None

    def add(self, info: PublicKeyInfo, party: str, authority: str | None) -> TrustedKey:
        """Trust a public key for ``party`` (a key already trusted for it is returned as it is); a certificate
        naming another Party, or a key already trusted for another Party, is refused. The authority is
        ``authority``, else the certificate's; a bare public key names none, so ``authority`` is then required
        (``InputError``): verdicts show it as the signer, and a Party code there would pass for a name."""
        party = party.upper()
        if info.party is not None and info.party.upper() != party:
            raise TrustStoreError(f"the certificate names Party {info.party}, not {party}")
        if (known := self.trusted(info)) is not None:
            if known.party != party:
                raise TrustStoreError(f"key {info.kid.hex()} is already trusted for Party {known.party}")
            return known
        name = (authority or "").strip() or info.authority
        if not name:
            raise InputError("a bare public key names no authority (a certificate does)")
        key = TrustedKey(
            party=party,
            authority=name,
            kid=info.kid,
            algorithm=info.algorithm,
            public_key=info.public_key,
        )
        self.keys.append(key)
        return key

    def trusted(self, info: PublicKeyInfo) -> TrustedKey | None:
        """The entry trusting this very key, if any."""
        return next((key for key in self.keys if key.kid == info.kid and key.public_key == info.public_key), None)

    def remove(self, kid_hex: str) -> list[TrustedKey]:
        """Stop trusting every key whose kid is ``kid_hex``; refuses when there is none."""
        kid_hex = kid_hex.strip().lower()
        removed = [key for key in self.keys if key.kid.hex() == kid_hex]
        if not removed:
            raise TrustStoreError(f"no trusted key has kid {kid_hex}")
        self.keys = [key for key in self.keys if key.kid.hex() != kid_hex]
        return removed


def _key_to_json(key: TrustedKey) -> dict[str, Any]:
    return {
        "party": key.party,
        "authority": key.authority,
        "kid": key.kid.hex(),
        "alg": key.algorithm.value,
        "public_key": public_key_pem(key.public_key),
        "scope": sorted(kind.label for kind in key.scope),
    }


def _key_from_json(entry: object) -> TrustedKey:
    """One trusted key of the file; ``ValueError`` for an entry that is not one (a wrong-typed field too)."""
    if not isinstance(entry, dict):
        raise ValueError("a key entry is not an object")
    scope = entry.get("scope", [])
    if not isinstance(scope, list) or not all(isinstance(kind, str) for kind in scope):
        raise ValueError(f"key {entry.get('kid')!r}: 'scope' is not a list of document types")
    public_key = serialization.load_pem_public_key(_text(entry, "public_key").encode())
    algorithm = Algorithm.parse(_text(entry, "alg"))
    if algorithm_for_key(public_key) is not algorithm:  # type: ignore[arg-type]
        raise ValueError(f"key {entry['kid']!r} is not an {algorithm.value} key")
    return TrustedKey(
        party=_text(entry, "party"),
        authority=_text(entry, "authority"),
        kid=bytes.fromhex(_text(entry, "kid")),
        algorithm=algorithm,
        public_key=public_key,  # type: ignore[arg-type]
        scope=frozenset(DocumentType.parse(kind) for kind in scope),
    )


def _text(entry: dict[str, Any], field: str) -> str:
    """The text field ``field`` of a key entry; ``ValueError`` if it is missing or not text."""
    value = entry.get(field)
    if not isinstance(value, str):
        raise ValueError(f"key {entry.get('kid')!r}: '{field}' is not text")
    return value
