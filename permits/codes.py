"""The CITES code lists a permit uses: document types, purpose, source, trade-term and unit codes.

One place for every code the model validates and the rules reason about. Purpose and source codes follow
Res. Conf. 12.3 (Rev. CoP19); trade terms and units follow the CITES Guidelines for the preparation and
submission of annual reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class DocumentType(StrEnum):
    """Box 1: the kind of document. The value is the one-letter code carried in the signed payload."""

    EXPORT = "E"
    RE_EXPORT = "R"
    IMPORT = "I"
    OTHER = "O"

    @property
    def label(self) -> str:
        return DOCUMENT_TYPE_NAMES[self]

    @property
    def in_words(self) -> str:
        """The document's name in words: "export permit", "re-export certificate", "other certificate"."""
        return DOCUMENT_TYPE_TITLES[self].lower()

    @property
    def max_validity_months(self) -> int:
        """Longest validity the Convention allows: 6 months for export and re-export, 12 otherwise."""
        return 12 if self in (DocumentType.IMPORT, DocumentType.OTHER) else 6

    @classmethod
    def parse(cls, text: str) -> DocumentType:
        """Accept the one-letter code or the name ("export", "re-export", "import", "other")."""
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        for member in cls:
            if key in (member.value.lower(), member.label.lower(), member.name.lower().replace("_", "-")):
                return member
        raise ValueError(text)


DOCUMENT_TYPE_NAMES: dict[DocumentType, str] = {
    DocumentType.EXPORT: "export",
    DocumentType.RE_EXPORT: "re-export",
    DocumentType.IMPORT: "import",
    DocumentType.OTHER: "other",
}

DOCUMENT_TYPE_TITLES: dict[DocumentType, str] = {
    DocumentType.EXPORT: "EXPORT PERMIT",
    DocumentType.RE_EXPORT: "RE-EXPORT CERTIFICATE",
    DocumentType.IMPORT: "IMPORT PERMIT",
    DocumentType.OTHER: "OTHER CERTIFICATE",
}

PURPOSE_CODES: dict[str, str] = {
    "B": "breeding in captivity or artificial propagation",
    "E": "educational",
    "G": "botanical gardens",
    "H": "hunting trophies",
    "L": "law enforcement / judicial / forensic",
    "M": "bio-medical research",
    "N": "reintroduction or introduction into the wild",
    "P": "personal",
    "Q": "circuses and travelling exhibitions",
    "S": "scientific",
    "T": "commercial",
    "Z": "zoos",
}
COMMERCIAL_PURPOSE = "T"
HUNTING_TROPHY_PURPOSE = "H"

SOURCE_CODES: dict[str, str] = {
    "W": "taken from the wild",
    "R": "ranched",
    "D": "Appendix-I animals bred in captivity / plants artificially propagated for commercial purposes",
    "A": "plants artificially propagated (Art. VII.5)",
    "C": "animals bred in captivity (Art. VII.5)",
    "F": "animals born in captivity (F1 or later) not meeting 'bred in captivity'",
    "U": "source unknown (must be justified)",
    "I": "confiscated or seized specimens",
    "O": "pre-Convention specimens",
    "X": "taken in the marine environment not under the jurisdiction of any State",
    "Y": "plants from assisted production",
}

APPENDICES: tuple[str, ...] = ("I", "II", "III")

TERM_CODES: dict[str, str] = {
    "BAL": "baleen",
    "BAR": "bark",
    "BOC": "bone carvings",
    "BOD": "bodies",
    "BON": "bones",
    "BOP": "bone pieces",
    "CAL": "calipee",
    "CAP": "carapaces",
    "CAR": "carvings",
    "CAV": "caviar",
    "CHP": "timber chips",
    "CLA": "claws",
    "CLO": "cloth",
    "COR": "raw corals",
    "COS": "cosmetics",
    "CUL": "cultures",
    "DER": "derivatives",
    "DPL": "dried plants",
    "EAR": "ears",
    "EGG": "eggs",
    "EGL": "eggs (live)",
    "ESH": "eggshells",
    "EXT": "extract",
    "FEA": "feathers",
    "FIB": "fibre",
    "FIG": "fingerlings",
    "FIN": "fins",
    "FLO": "flowers",
    "FOO": "feet",
    "FPL": "large fur products",
    "FPS": "small fur products",
    "FPT": "flower pots",
    "FRU": "fruit",
    "GAB": "gall bladders",
    "GAL": "gall",
    "GAR": "garments",
    "GEN": "genitalia",
    "GIL": "gill plates",
    "GRS": "graft rootstocks",
    "HAI": "hair",
    "HAP": "hair products",
    "HOC": "horn carvings",
    "HOP": "horn pieces",
    "HOR": "horns",
    "IJW": "ivory jewellery",
    "IVC": "ivory carvings",
    "IVP": "ivory pieces",
    "JWL": "jewellery",
    "KEY": "piano keys",
    "KNL": "kernels",
    "LEA": "leather (historic code)",
    "LEG": "frog legs",
    "LIV": "live",
    "LOG": "logs",
    "LPL": "large leather products",
    "LPS": "small leather products",
    "LVS": "leaves",
    "MEA": "meat",
    "MED": "medicine",
    "MUS": "musk",
    "OIL": "oil",
    "PLA": "plates",
    "PLY": "plywood",
    "POW": "powder",
    "PRL": "pearls",
    "PUP": "pupae",
    "ROO": "roots",
    "ROS": "sawfish rostra",
    "RUG": "rugs",
    "SAW": "sawn wood",
    "SCA": "scales",
    "SEE": "seeds",
    "SHE": "shells",
    "SID": "sides",
    "SKE": "skeletons",
    "SKI": "skins",
    "SKP": "skin pieces",
    "SKU": "skulls",
    "SOU": "soup",
    "SPE": "scientific specimens",
    "STE": "stems",
    "SWI": "swim bladders",
    "TAI": "tails",
    "TEE": "teeth",
    "TIM": "timber",
    "TRO": "trophies",
    "TRU": "trunks",
    "TRW": "transformed wood",
    "TUS": "tusks",
    "VEN": "veneer",
    "WAX": "wax",
    "WPR": "wood products",
}
"""The trade term codes (Box 9) of the Guidelines for the preparation and submission of CITES annual reports in
current use, and LEA, a historic code still read on older documents."""

UNIT_CODES: dict[str, str] = {
    "NUM": "number of specimens",
    "KIL": "kilograms",
    "GRM": "grams",
    "LTR": "litres",
    "MLT": "millilitres",
    "MTQ": "cubic metres",
    "MTR": "metres",
    "MTK": "square metres",
    "CTM": "centimetres",
    "PCS": "pieces",
    "PRS": "pairs",
    "SET": "sets",
    "BSK": "belly skins",
    "CRT": "cartons",
    "SHP": "shipments",
}

IDENTIFYING_MARK_KINDS: tuple[str, ...] = ("microchip", "ring", "tag", "tattoo", "brand", "other")


def code_list(codes: Mapping[str, str] | tuple[str, ...]) -> str:
    """The codes as the comma-separated list the validation messages show."""
    return ", ".join(codes)
