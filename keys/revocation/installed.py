"""A verifier's installed revocation lists, one per Party, in ``CITES_HOME/revocation/installed/<PARTY>.json``.

``install_revocation_list`` (``cites revocations update``) checks the signer against the trust source, the
version (no rollback) and the expiry before writing. ``InstalledRevocations`` is the ``RevocationSource``
verification uses: it re-checks each list when it first needs it and fails closed on an expired or
unverifiable one. A Party without an installed list is not an error: its permits are verified without a
revocation check (the check says so), because otherwise nothing verifies until every Party publishes a list.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from keys.revocation.interface import RevocationStatus
from keys.revocation.lists import RevocationList, load_revocation_list
from keys.signed import DocumentRejected, require_newer, require_not_expired, require_not_older
from keys.trust.interface import TrustSource
from permits.errors import CitesError, TrustStoreError
from permits.home import state_folder, state_path

PARTY_PATTERN = re.compile(r"[A-Z]{2}")


def installed_path(party: str) -> Path:
    if not PARTY_PATTERN.fullmatch(party):
        raise TrustStoreError(f"'{party}' is not a Party code")
    return state_path("revocation", "installed", f"{party}.json")


def installed_lists() -> list[RevocationList]:
    """Every installed list (signatures not re-checked), sorted by Party."""
    folder = state_folder("revocation", "installed")
    return [load_revocation_list(path) for path in sorted(folder.glob("*.json"))]


def install_revocation_list(path: Path, trust: TrustSource, today: dt.date) -> RevocationList:
    """Install a list signed by a trusted key of its Party, not expired, issued no earlier than the installed
    one, and, while the installed one is still usable, newer than it and revoking every permit it revokes."""
    revocations = load_revocation_list(path)
    signers = revocations.require_signed_by(trust, today, signing_today=True)
    require_not_expired(str(path), revocations.label, revocations.header, today)
    target = installed_path(revocations.party)
    if target.exists():
        try:
            previous = load_revocation_list(target)
        except CitesError as error:
            raise TrustStoreError(
                f"the installed {revocations.label} cannot be read, so a rollback cannot be ruled out ({error})"
            ) from None
        require_not_older(str(path), revocations.label, revocations.header, previous.header)
        if _usable(previous, trust, today):  # else its signer was withdrawn: its version and entries bind nothing
            require_newer(str(path), revocations.label, revocations.header, previous.header)
            dropped = previous.entries.keys() - revocations.entries.keys()
            if dropped:
                raise DocumentRejected(
                    f"{path}: drops {len(dropped)} permit(s) the installed {previous.label} "
                    f"v{previous.header.version} revokes; a permit is revoked for good"
                )
    revocations.document.keep_signatures(signers).write(target)
    return revocations


def _usable(installed: RevocationList, trust: TrustSource, today: dt.date) -> bool:
    """Whether the installed list still meets the signer rule (fast-forward recovery, as in TUF: a list a
    withdrawn key signed, e.g. with version 2**53 - 1, must not block its Party's lists for good)."""
    try:
        installed.require_signed_by(trust, today)
    except DocumentRejected:
        return False
    return True


class InstalledRevocations:
    """The installed lists as a ``RevocationSource``; each list is loaded and re-checked once per instance."""

    def __init__(self, trust: TrustSource) -> None:
        self.trust = trust
        self._loaded: dict[str, RevocationList | str | None] = {}

    def _load(self, party: str, today: dt.date) -> RevocationList | str | None:
        """The usable list of ``party``, a reason it cannot be used, or None when none is installed."""
        if party not in self._loaded:
            path = installed_path(party)
            result: RevocationList | str | None = None
            if path.exists():
                try:
                    result = load_revocation_list(path)
                    result.require_signed_by(self.trust, today)
                except CitesError as error:
                    result = f"the installed revocation list of {party} cannot be used: {error}"
            self._loaded[party] = result
        return self._loaded[party]

    def status(self, party: str, number: str, today: dt.date) -> RevocationStatus:
        revocations = self._load(party, today)
        if revocations is None:
            return RevocationStatus(f"no revocation list of {party} is installed: not checked")
        if isinstance(revocations, str):
            return RevocationStatus(f"revocation list of {party}", problem=revocations)
        header = revocations.header
        if header.expired(today):
            return RevocationStatus(revocations.label, problem=f"{revocations.label} expired on {header.expires}")
        summary = f"not in the {revocations.label} v{header.version} (expires {header.expires})"
        return RevocationStatus(summary, revocations.lookup(number))
