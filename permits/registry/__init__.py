"""The species registry: which CITES Appendix a taxon was in on a date, for a country of origin.

``load_registry()`` opens the registry in ``$CITES_HOME`` (compiling the embedded default data, a curated
subset of the Appendices, on first use); ``import_files`` replaces it with official exports (CITES Checklist
Index / History CSV, Species+ listings CSV, Species+ API JSON). ``Registry.listing_at(name, on, origin)``
answers with a ``LookupResult``: accepted name, Appendix, the listing it falls under, listing Party,
annotation and effective date, or suggestions for an unknown name; a synonym of several taxa has the strictest
one's listing and names them all (``candidates``).
"""

from permits.registry.default import ImportReport, default_registry_path, import_files, load_registry
from permits.registry.model import (
    APPENDICES,
    Candidate,
    ChangeType,
    CommonName,
    ListingChange,
    LookupResult,
    RegistryInfo,
    Taxon,
    TaxonRecord,
    normalize_name,
)
from permits.registry.store import Registry

__all__ = [
    "APPENDICES",
    "Candidate",
    "ChangeType",
    "CommonName",
    "ImportReport",
    "ListingChange",
    "LookupResult",
    "Registry",
    "RegistryInfo",
    "Taxon",
    "TaxonRecord",
    "default_registry_path",
    "import_files",
    "load_registry",
    "normalize_name",
]
