"""Split listings confined to some specimens: an Appendix II population listed "for the exclusive purpose of
allowing" trade in named kinds of specimens, with "all other specimens deemed to be specimens of species included
in Appendix I" (the African elephant's annotation 2, the southern white rhinoceros, the vicuña).

The registry keeps such an annotation as the Appendices' own English text (embedded, or imported from Species+ or
the Checklist). ``deemed_appendix_i`` reads the kinds of specimen the text names, maps each to the trade term
codes of Box 9 (``ALLOWANCES``) and says why a line outside them is judged as Appendix I. A kind the table does not
know allows nothing: the line is deemed Appendix I (fail closed). Registered raw ivory is such a kind on purpose:
the one-off sales annotation 2 allowed are over, so raw ivory from those populations is Appendix I trade.

Known limit: allowances that the annotation gives to one Party only (ekipas for Namibia, ivory carvings for
Zimbabwe) are allowed for every population the listing covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CONFINED = re.compile(
    r"exclusive purposes?\b.*\bdeemed to be specimens (?:of species )?(?:included|listed) in Appendix I\b", re.S
)
COMMERCIAL_PURPOSE = "T"


@dataclass(frozen=True)
class Allowance:
    """A kind of specimen an annotation may name, the term codes it covers and whether trade for commercial
    purposes (purpose T) is allowed in it."""

    label: str
    phrase: re.Pattern[str]
    terms: frozenset[str]
    commercial: bool = True

    def allows(self, term: str, purpose: str) -> bool:
        return term in self.terms and (self.commercial or purpose != COMMERCIAL_PURPOSE)


def _allowance(label: str, phrase: str, terms: str, *, commercial: bool = True) -> Allowance:
    return Allowance(label, re.compile(phrase, re.I), frozenset(terms.split()), commercial)


ALLOWANCES: tuple[Allowance, ...] = (
    _allowance("live animals", r"\blive animals\b", "LIV"),
    _allowance("hunting trophies (not for commercial purposes)", r"\bhunting trophies\b", "TRO", commercial=False),
    _allowance("hides", r"\bhides\b", "SKI SKP"),
    _allowance("hair", r"\bhair\b", "HAI"),
    _allowance("leather goods", r"\bleather goods\b", "LPS LPL LEA"),
    _allowance("ekipas (not for commercial purposes)", r"\bekipas\b", "IJW", commercial=False),
    _allowance("ivory carvings (not for commercial purposes)", r"\bivory carvings\b", "IVC", commercial=False),
    _allowance("wool or fibre sheared from live animals", r"\b(?:wool|fibre|fiber)\b", "HAI FIB"),
    _allowance("cloth and garments made of it", r"\bcloth\b", "CLO GAR HAP"),
)
"""Every kind of specimen a confining annotation of the Appendices names, and its Box 9 term codes."""


@lru_cache(maxsize=256)
def confinement(annotation: str) -> tuple[Allowance, ...] | None:
    """The allowances of a confining annotation (possibly none), or None when ``annotation`` does not confine."""
    text = " ".join(annotation.split())
    if not _CONFINED.search(text):
        return None
    return tuple(allowance for allowance in ALLOWANCES if allowance.phrase.search(text))


def deemed_appendix_i(appendix: str | None, annotation: str | None, term: str, purpose: str) -> str | None:
    """Why specimens of ``term`` traded for ``purpose`` are deemed Appendix I although their population is
    listed in ``appendix`` II with ``annotation``; None when the listing does not confine them."""
    if appendix != "II" or not annotation:
        return None
    allowances = confinement(annotation)
    if allowances is None or any(allowance.allows(term, purpose) for allowance in allowances):
        return None
    allowed = "; ".join(f"{a.label}: {', '.join(sorted(a.terms))}" for a in allowances) or "nothing this tool reads"
    return (
        f"its Appendix II population is listed only for {allowed}; other specimens ({term} for "
        f"purpose {purpose}) are deemed Appendix I"
    )
