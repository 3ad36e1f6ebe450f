"""How a listing is worked out from listing histories: replay each level's changes up to a date, then pick the
nearest level that covers the taxon and its origin.

Replay rules (one taxon level, changes in date order, deletions before additions on the same date):

- an ADDITION to Appendix I or II replaces the earlier entries of the same Appendix; one that is not limited
  to named populations (no ``included_countries``, populations read) also ends the earlier entries of other
  Appendices that cover any of its populations (a transfer): "II except IN" ends "III" but keeps "I only IN";
  one whose populations were not read transfers nothing;
- an ADDITION to Appendix III replaces the earlier Appendix III entry of the same listing Party;
- a DELETION removes the entries of its Appendix (for Appendix III, of its Party); a population-specific
  deletion only takes those populations out, and one whose populations were not read removes nothing;
- RESERVATION and RESERVATION_WITHDRAWAL track, per Party and Appendix, the reservations in force.

Resolution: the taxon's own level first, then genus, family, order and class. The first level with entries in
force decides. An entry that excludes the taxon (or one of its higher taxa) does not apply; when every entry of
the deciding level excludes it, the taxon is not listed. With an origin, entries covering that population are
used, those naming it first, unless an entry's populations were not read (it may be the one for that origin:
every covering entry is then used); a level none of whose entries covers the origin is skipped (the taxon
is listed for other populations only), unless an entry explicitly excludes that origin, which means the data
lack the entry covering it: then, as for a split listing without an origin, the most restrictive Appendix is
given with a note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from permits.registry.model import APPENDICES, SPECIES_RANKS, ChangeType, ListingChange, normalize_name

_EARLIEST = dt.date.min
_REPLAY_ORDER = {
    ChangeType.DELETION: 0,
    ChangeType.RESERVATION_WITHDRAWAL: 1,
    ChangeType.ADDITION: 2,
    ChangeType.RESERVATION: 3,
}


def replay_key(change: ListingChange) -> tuple[dt.date, int]:
    """Sort key of a change in replay order (stable sorting keeps the source order among equals)."""
    return change.effective_at or _EARLIEST, _REPLAY_ORDER[change.change_type]


def sort_for_replay(changes: Iterable[ListingChange]) -> tuple[ListingChange, ...]:
    """The changes in the order ``state_at`` replays them."""
    return tuple(sorted(changes, key=replay_key))


@dataclass(frozen=True, slots=True)
class Level:
    """One taxon of a lineage that has a listing history: its name, rank and changes in replay order."""

    name: str
    rank: str
    changes: tuple[ListingChange, ...]

    @property
    def label(self) -> str:
        """How the listing reads in the Appendices: "Manis spp." for higher taxa, the name for species."""
        return self.name if self.rank in SPECIES_RANKS else f"{self.name} spp."


@dataclass(frozen=True, slots=True)
class LevelState:
    """The entries and reservations of one level in force on a date."""

    entries: tuple[ListingChange, ...]
    reservations: tuple[ListingChange, ...]


def _earlier(old: ListingChange, new: ListingChange) -> bool:
    return (old.effective_at or _EARLIEST) < (new.effective_at or _EARLIEST)


def _add(entries: list[ListingChange], change: ListingChange) -> list[ListingChange]:
    if change.appendix == "III":
        kept = [e for e in entries if not (_earlier(e, change) and e.appendix == "III" and e.party == change.party)]
    else:
        kept = [
            e
            for e in entries
            if not (
                _earlier(e, change) and (e.appendix == change.appendix or (_transfers(change) and _overlap(e, change)))
            )
        ]
    kept.append(change)
    return kept


def _transfers(change: ListingChange) -> bool:
    """Whether an addition moves every population it covers from other Appendices (it names none to keep)."""
    return not change.included_countries and not change.unread_populations


def _overlap(old: ListingChange, new: ListingChange) -> bool:
    """Whether two entries can cover the same population (``new`` has no ``included_countries``)."""
    if old.included_countries:
        return any(code not in new.excluded_countries for code in old.included_countries)
    return True


def _delete(entries: list[ListingChange], change: ListingChange) -> list[ListingChange]:
    if change.unread_populations:
        return entries
    kept: list[ListingChange] = []
    removed = set(change.included_countries)
    for entry in entries:
        if entry.appendix != change.appendix or (change.party and entry.party != change.party):
            kept.append(entry)
        elif not removed:
            continue
        elif entry.included_countries:
            remaining = tuple(code for code in entry.included_countries if code not in removed)
            if remaining:
                kept.append(dataclasses.replace(entry, included_countries=remaining))
        else:
            excluded = tuple(sorted(set(entry.excluded_countries) | removed))
            kept.append(dataclasses.replace(entry, excluded_countries=excluded))
    return kept


def state_at(changes: Sequence[ListingChange], on: dt.date) -> LevelState:
    """Replay ``changes`` (already in replay order) up to and including ``on``."""
    entries: list[ListingChange] = []
    reservations: dict[tuple[str | None, str], ListingChange] = {}
    for change in changes:
        if change.effective_at is not None and change.effective_at > on:
            break
        kind = change.change_type
        if kind is ChangeType.ADDITION:
            entries = _add(entries, change)
        elif kind is ChangeType.DELETION:
            entries = _delete(entries, change)
        elif kind is ChangeType.RESERVATION:
            reservations[change.party, change.appendix] = change
        else:
            reservations.pop((change.party, change.appendix), None)
    return LevelState(tuple(entries), tuple(reservations.values()))


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome for one taxon: the deciding level and entries (none: not listed), plus a note."""

    level: Level | None = None
    entries: tuple[ListingChange, ...] = ()
    appendix: str | None = None
    reservations: tuple[str, ...] = ()
    note: str | None = None

    @property
    def entry(self) -> ListingChange | None:
        """The entry of the chosen Appendix that took effect last (its annotation and date are reported)."""
        chosen = [e for e in self.entries if e.appendix == self.appendix]
        return max(chosen, key=replay_key) if chosen else None


def _excludes(entry: ListingChange, lineage: frozenset[str]) -> bool:
    return any(normalize_name(name) in lineage for name in entry.excluded_taxa)


def _describe(entries: Iterable[ListingChange]) -> str:
    parts = sorted({f"Appendix {e.appendix} ({e.scope()})" for e in entries})
    return "; ".join(parts)


def resolve(levels: Sequence[Level], lineage: frozenset[str], on: dt.date, origin: str | None) -> Resolution:
    """Work out the listing of a taxon whose listed levels (nearest first) are ``levels``.

    ``lineage`` holds the normalized names of the taxon and of all its higher taxa (for exclusions).
    """
    reservations: list[ListingChange] = []
    for level in levels:
        state = state_at(level.changes, on)
        reservations += state.reservations
        if not state.entries:
            continue
        applicable = [e for e in state.entries if not _excludes(e, lineage)]
        if not applicable:
            return Resolution(note=f"not listed: excluded from the listing of {level.label}")
        note = None
        if origin is None:
            chosen = applicable
            if len({e.appendix for e in chosen}) > 1 or any(e.population_specific for e in chosen):
                note = f"split listing: {_describe(chosen)}; no origin given, the most restrictive is shown"
        else:
            covering = [e for e in applicable if e.covers(origin)]
            named = [e for e in covering if origin in e.included_countries]
            chosen = covering if any(e.unread_populations for e in covering) else named or covering
            if not chosen and any(origin in e.excluded_countries for e in applicable):
                # An entry leaves this population to another entry that the data lack: do not guess "not listed".
                chosen = applicable
                note = f"no entry covers the population of {origin} (one excludes it); the most restrictive is shown"
            elif not chosen:
                continue
            elif len({e.appendix for e in chosen}) > 1:
                note = f"split listing not resolved for {origin}: {_describe(chosen)}; the most restrictive is shown"
        appendix = next(a for a in APPENDICES if any(e.appendix == a for e in chosen))
        parties = tuple(sorted({r.party for r in reservations if r.party and r.appendix == appendix}))
        return Resolution(level, tuple(chosen), appendix, parties, note)
    return Resolution()
