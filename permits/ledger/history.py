"""One permit's history in a ledger (``cites ledger show PARTY NUMBER``): its register entry, its use (Box 14),
its alerts and its audit-trail entries, found by the number as registered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from permits.ledger.interface import Alert, Event, Issued, Ledger, Use, document_name


@dataclass(frozen=True)
class PermitHistory:
    """What a ledger holds about one permit; ``number`` is as registered (else as given), ``document`` the permit
    as the event log and the alerts name it (``"KE KE/2026/1"``)."""

    party: str
    number: str
    document: str
    issued: Issued | None
    use: Use | None
    alerts: list[Alert]
    events: list[Event]

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "number": self.number,
            "issued": self.issued.to_json() if self.issued else None,
            "use": self.use.to_json() if self.use else None,
            "alerts": [alert.to_json() for alert in self.alerts],
            "events": [event.to_json() for event in self.events],
        }


def permit_history(ledger: Ledger, party: str, number: str) -> PermitHistory:
    """The history of permit ``number`` of ``party``. A number the register holds written otherwise
    (``ke-2026-1`` for ``KE/2026/1``) is looked up as registered, in the use, alerts and events too."""
    issued = ledger.issued_of(party, number)
    number = issued.number if issued else number
    document = document_name(party, number)
    use = ledger.use_of(party, number)
    alerts = ledger.alerts(document=document)
    return PermitHistory(party, number, document, issued, use, alerts, ledger.events(document=document))
