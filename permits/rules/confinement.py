"""Split listings confined to some specimens: an Appendix II population whose specimens are all "deemed to be
specimens of species included in Appendix I", except those the listing is "for the exclusive purpose of
allowing" (the African elephant's annotation 2, the southern white rhinoceros, the vicuña), or all of them (a
zero export quota, as for Chaetophractus nationi).

The registry keeps such an annotation as the Appendices' text, in whichever of the Convention's three languages
the data came in (English from the Checklist and the embedded data, French or Spanish from a Species+ API import
in those languages). ``deemed_appendix_i`` reads the kinds of specimen the text names (``ALLOWANCES``) and says why
a line outside them is judged as Appendix I. A kind the table does not know allows nothing: the line is deemed
Appendix I (fail closed). Registered raw ivory is such a kind on purpose: the one-off sales annotation 2 allowed
are over, so raw ivory from those populations is Appendix I trade.

Known limits: allowances that the annotation gives to one Party only (ekipas for Namibia, ivory carvings for
Zimbabwe) are allowed for every population the listing covers, and their conditions (appropriate and acceptable
destinations) are not checked. Text in another language confines nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from permits.codes import COMMERCIAL_PURPOSE, HUNTING_TROPHY_PURPOSE

_DEEMED_APPENDIX_I = re.compile(
    r"deemed\s*to\s*be\s*specimens\s*(?:of\s*species\s*)?(?:included|listed)\s*in\s*Appendix\s*I\b"
    r"|consid[ée]r[ée]s\s*comme\s*des\s*sp[ée]cimens\s*d.esp[èe]ces\s*inscrites\s*[àa]\s*l.Annexe\s*I\b"
    r"|considerarse\s*como\s*espec[íi]menes\s*de\s*especies\s*incluidas\s*en\s*el\s*Ap[ée]ndice\s*I\b",
    re.I,
)
"""The sentence that deems specimens Appendix I, in English, French and Spanish (words may run together, as in
the Checklist's French and Spanish columns)."""
_EXCLUSIVE_PURPOSE = re.compile(r"exclusive\s*purpose|seule\s*fin|exclusivo\s*prop[óo]sito", re.I)
"""The clause naming what the Appendix II listing is for; without it, no specimen is allowed."""


@dataclass(frozen=True)
class Allowance:
    """A kind of specimen an annotation may name: the trade term codes it covers (none: any) for the purposes it
    covers (none: any), and whether trade for commercial purposes (purpose T) is allowed in it."""

    label: str
    phrase: re.Pattern[str]
    terms: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    commercial: bool = True

    def allows(self, term: str, purpose: str) -> bool:
        return (
            (not self.terms or term in self.terms)
            and (not self.purposes or purpose in self.purposes)
            and (self.commercial or purpose != COMMERCIAL_PURPOSE)
        )

    def describe(self) -> str:
        what = ", ".join(sorted(self.terms)) if self.terms else "any term"
        if self.purposes:
            what += f" for purpose {', '.join(sorted(self.purposes))}"
        return f"{self.label} ({what}{'' if self.commercial else ', not for purpose T'})"


def _allowance(label: str, phrases: str, terms: str = "", purposes: str = "", *, commercial: bool = True) -> Allowance:
    """An allowance named by any of ``phrases`` (regular expressions for English, French and Spanish)."""
    return Allowance(
        label, re.compile(phrases, re.I), frozenset(terms.split()), frozenset(purposes.split()), commercial
    )


_LIVE = r"\blive\s*animals\b|\banimaux\s*vivants\b|\banimales\s*vivos\b"
_TROPHIES = r"\bhunting\s*trophies\b|\btroph[ée]es\s*de\s*chasse\b|\btrofeos\s*de\s*caza\b"

ALLOWANCES: tuple[Allowance, ...] = (
    _allowance("live animals", _LIVE, "LIV"),
    _allowance("hunting trophies", _TROPHIES, "TRO", commercial=False),
    _allowance("parts of hunting trophies", _TROPHIES, purposes=HUNTING_TROPHY_PURPOSE),
    _allowance("hides", r"\bhides\b|\bpeaux\b|\bpieles\b", "SKI SKP"),
    _allowance("hair", r"\bhair\b|\bpoils?\b|\bcrins?\b|\bpelo\b", "HAI"),
    _allowance(
        "leather goods", r"\bleather\s*goods\b|\barticles\s*en\s*cuir\b|\bart[íi]culos\s*de\s*cuero\b", "LPS LPL LEA"
    ),
    _allowance("ekipas", r"\bekipas?\b", "IJW", commercial=False),
    _allowance(
        "ivory carvings",
        r"\bivory\s*carvings\b|\bsculptures\s*en\s*ivoire\b|\btallas\s*de\s*marfil\b",
        "IVC",
        commercial=False,
    ),
    _allowance("wool or fibre sheared from live animals", r"\b(?:wool|fibre|fiber|laine|lana|fibra)\b", "HAI FIB"),
    _allowance("cloth and garments made of it", r"\bcloth\b|\btissus?\b|\btelas?\b", "CLO GAR HAP"),
)
"""Every kind of specimen a confining annotation of the Appendices names that this tool reads, with its Box 9
term codes (a hunting trophy may be any part of the animal, under purpose H); others ("derivative products",
"handicrafts", registered raw ivory) allow nothing."""


@lru_cache(maxsize=256)
def confinement(annotation: str) -> tuple[Allowance, ...] | None:
    """The allowances of a confining annotation (possibly none), or None when ``annotation`` does not confine."""
    if not _DEEMED_APPENDIX_I.search(annotation):
        return None
    if not _EXCLUSIVE_PURPOSE.search(annotation):
        return ()
    return tuple(allowance for allowance in ALLOWANCES if allowance.phrase.search(annotation))


def deemed_appendix_i(appendix: str | None, annotation: str | None, term: str, purpose: str) -> str | None:
    """Why specimens of ``term`` traded for ``purpose`` are deemed Appendix I although their population is
    listed in ``appendix`` II with ``annotation``; None when the listing does not confine them."""
    if appendix != "II" or not annotation:
        return None
    allowances = confinement(annotation)
    if allowances is None or any(allowance.allows(term, purpose) for allowance in allowances):
        return None
    allowed = "; ".join(allowance.describe() for allowance in allowances) or "no specimen"
    return (
        f"its Appendix II population is listed only for {allowed}; other specimens ({term} for purpose {purpose}) "
        "are deemed Appendix I"
    )
