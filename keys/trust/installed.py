"""A verifier's installed trust: the pinned root and the installed trust list in ``CITES_HOME/trust/``.

``pin_root`` (trust on first use), ``rotate_root`` and ``install_trust_list`` are the only ways in; each checks
signatures, thresholds, versions and expiry before writing (atomically). ``SignedTrustSource`` is the
``TrustSource`` verification uses once a root is pinned: it re-checks the installed files every time it loads
them, and reports any problem (an expired list or root, a list the current root did not sign, no list at all)
through ``problem()``, so every verdict is NOT VALID with that reason instead of a silent pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from keys.signed import DocumentRejected, require_newer, require_not_expired, require_not_older
from keys.trust.interface import TrustedKey
from keys.trust.root import Root, load_root
from keys.trust.signed_list import TrustList, load_trust_list
from permits.errors import CitesError, TrustStoreError
from permits.home import state_path

ROOT_FILE = "root.json"
LIST_FILE = "trust-list.json"


def root_path() -> Path:
    return state_path("trust", ROOT_FILE)


def list_path() -> Path:
    return state_path("trust", LIST_FILE)


def root_is_pinned() -> bool:
    """Whether this machine has pinned a root (``cites trust init-root``): verification then uses only the signed
    trust list, never the local development store."""
    return root_path().exists()


def pinned_root() -> Root | None:
    """The pinned root, or None before ``cites trust init-root``."""
    return load_root(root_path()) if root_is_pinned() else None


def installed_list() -> TrustList | None:
    path = list_path()
    return load_trust_list(path) if path.exists() else None


def _require_pinned_root() -> Root:
    root = pinned_root()
    if root is None:
        raise TrustStoreError("no root is pinned on this machine: run cites trust init-root ROOT_FILE first")
    return root


def pin_root(path: Path, today: dt.date, fingerprint: str | None = None) -> Root:
    """Pin a first root (trust on first use): its own threshold signed it and it has not expired.

    ``fingerprint``, when given, must equal the root's fingerprint (compare it with the one the root holders
    publish through another channel); this is what makes the first use trustworthy.
    """
    if root_is_pinned():
        raise TrustStoreError(
            f"a root is already pinned ({root_path()}); a new root is installed with cites trust rotate-root"
        )
    root = load_root(path)
    root.require_self_signed()
    require_not_expired(str(path), "root", root.header, today)
    actual = root.document.fingerprint()
    if fingerprint is not None and fingerprint.strip().lower() != actual:
        raise DocumentRejected(f"{path}: the root's fingerprint is {actual}, not the expected {fingerprint.strip()}")
    root.document.keep_signatures(root.keys).write(root_path())
    return root


def rotate_root(path: Path, today: dt.date) -> Root:
    """Replace the pinned root N by root N+1, signed by root N's threshold and its own."""
    current = _require_pinned_root()
    new = load_root(path)
    current.require_successor(new)
    require_not_expired(str(path), "root", new.header, today)
    new.document.keep_signatures(new.keys).write(root_path())
    return new


def install_trust_list(path: Path, today: dt.date) -> TrustList:
    """Install a trust list signed by the pinned root's threshold, newer than the installed one (and issued no
    earlier), not expired."""
    root = _require_pinned_root()
    if root.header.expired(today):
        raise TrustStoreError(
            f"the pinned {root.label} expired on {root.header.expires}: rotate it (cites trust rotate-root) first"
        )
    trust_list = load_trust_list(path)
    root.require_trust_list(trust_list)
    require_not_expired(str(path), "trust list", trust_list.header, today)
    previous = _installed_for_rollback()
    if previous is not None and _signed_by(root, previous):  # else fast-forward recovery, as in TUF (below)
        require_newer(str(path), "trust list", trust_list.header, previous.header)
        require_not_older(str(path), "trust list", trust_list.header, previous.header)
    trust_list.document.keep_signatures(root.keys).write(list_path())
    return trust_list


def _signed_by(root: Root, installed: TrustList) -> bool:
    """Whether the installed list still meets the pinned root. A list that does not (the root was rotated to
    keys that did not sign it) bounds no version: else a list v2**53 - 1 signed with a stolen root threshold
    would refuse every list of the new root for good."""
    try:
        root.require_trust_list(installed)
    except DocumentRejected:
        return False
    return True


def _installed_for_rollback() -> TrustList | None:
    try:
        return installed_list()
    except CitesError as error:
        raise TrustStoreError(
            f"the installed trust list cannot be read, so a rollback cannot be ruled out ({error}); "
            f"remove {list_path()} only if you know why"
        ) from None


@dataclass(frozen=True)
class SignedTrustSource:
    """The installed signed trust list as a ``TrustSource`` (every check repeated at load)."""

    root: Root | None
    trust_list: TrustList | None
    failure: str | None = None
    keys: tuple[TrustedKey, ...] = field(default=())

    @classmethod
    def load(cls) -> SignedTrustSource | None:
        """The installed state, or None when no root is pinned (development mode)."""
        if not root_is_pinned():
            return None
        try:
            root = _require_pinned_root()
            root.require_self_signed()
            trust_list = installed_list()
            if trust_list is not None:
                root.require_trust_list(trust_list)
        except CitesError as error:
            return cls(None, None, f"the installed trust cannot be used: {error}")
        return cls(root, trust_list, keys=trust_list.trusted_keys() if trust_list else ())

    @property
    def description(self) -> str:
        if self.trust_list is None or self.root is None:
            return "signed trust list (none usable)"
        header = self.trust_list.header
        return f"signed trust list v{header.version} (expires {header.expires}, {self.root.label})"

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        return [key for key in self.keys if key.kid == kid]

    def problem(self, today: dt.date) -> str | None:
        if self.failure is not None:
            return self.failure
        if self.root is None:
            return "no root is pinned"
        if self.root.header.expired(today):
            return f"the root of trust ({self.root.label}) expired on {self.root.header.expires}"
        if self.trust_list is None:
            return "no signed trust list is installed (a root is pinned): run cites trust update LIST_FILE"
        if self.trust_list.header.expired(today):
            return f"trust list expired on {self.trust_list.header.expires}"
        return None
