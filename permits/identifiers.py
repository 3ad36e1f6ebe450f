"""How the numbers printed on permits are compared: a security stamp (Box 5b) or an identifying mark (Box 9:
microchip, ring, tag) is one number however it was typed. Case, spaces, dots, hyphens, underscores and slashes
are ignored, so ``S-0042``, ``s 0042`` and ``S.0042`` are one stamp.

The one rule for every place that matches these numbers: the issuing register (``permits.ledger``) refuses a
stamp the Party used before under it, and the batch audit (``permits.audit``) finds re-used stamps and
duplicate marks with it. Permit numbers are compared exactly (they are the document's identity, as issued).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-_/]+")


def identifier_key(text: str | None) -> str | None:
    """``text`` as compared: upper case, without spaces, dots, hyphens, underscores or slashes; None when no
    text is given or nothing is left (separators are no number: two such stamps are not one stamp)."""
    return (_SEPARATORS.sub("", text).upper() or None) if text else None
