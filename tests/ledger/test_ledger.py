"""The usage ledger on SQLite and on a real PostgreSQL server (every test runs on both): one use per permit,
also under a race of 8 processes, quantities, the issuing register, the hash-chained audit trail, crash
consistency under SIGKILL, imports that contradict the ledger, and the migrations from older schema versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, delete, insert, select, text, update

from permits.errors import InputError, LedgerError
from permits.ledger import open_ledger, schema
from permits.ledger.endorsement import parse_quantities
from permits.ledger.interface import (
    Alert,
    AlertKind,
    EndorsementRefused,
    Export,
    Issued,
    Records,
    RegistrationRefused,
    Use,
    canonical,
    event_hash,
)
from tests.conftest import REPO_ROOT, CliResult, example_permit

RACERS = 8
PERMIT = "KE/2026/ZOO/0001"


def use(number: str = PERMIT, port: str = "Mombasa", post: str = "post-a", quantity: Decimal = Decimal(2)) -> Use:
    return Use("KE", number, port, "officer", dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC), post, {1: quantity})


def issued(number: str, stamp: str | None, payload: str = "ab") -> Issued:
    return Issued("KE", number, stamp, dt.date(2026, 11, 28), "00" * 8, payload * 32)


@contextmanager
def raw(url: str) -> Iterator[Connection]:
    """A plain connection to the ledger's database, for what an attacker or an old version would do."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def test_second_use_is_refused_with_the_first_named(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    ledger.endorse(use(port="Mombasa"), actor="A")
    with pytest.raises(EndorsementRefused) as refused:
        ledger.endorse(use(port="Namanga", post="post-b"), actor="B")
    assert str(refused.value) == (
        f"permit KE {PERMIT} was already used at Mombasa on 2026-11-28 10:00 UTC (officer officer, post post-a)"
    )
    assert refused.value.status == "ALREADY_USED" and refused.value.earlier == use(port="Mombasa")
    assert ledger.use_of("KE", PERMIT) == use(port="Mombasa")


def test_partial_quantities_cannot_add_up_past_the_permit(ledger_url: str) -> None:
    permit = example_permit()  # line 1 authorises 2 NUM
    ledger = open_ledger(ledger_url)
    with pytest.raises(EndorsementRefused, match="3 NUM is more than the 2 NUM the permit authorises"):
        parse_quantities(["1=3"], permit)
    for entries, message in (
        (["1=1", "1=2"], "line 1 is given twice"),
        (["1=1e0"], "expected LINE=QUANTITY"),
        (["1=0.5"], "line 1 counts in NUM: give a whole number"),
    ):
        with pytest.raises(InputError, match=message):  # a typo is never recorded as a shipment
            parse_quantities(entries, permit)
    ledger.endorse(use(quantity=parse_quantities(["1=1"], permit)[1]), actor="A")
    with pytest.raises(EndorsementRefused, match="already used at Mombasa"):  # one consignment: no second part
        ledger.endorse(use(quantity=parse_quantities(["1=1"], permit)[1], post="post-b"), actor="B")
    assert ledger.use_of("KE", PERMIT) == use(quantity=Decimal(1))


def _race(url: str, index: int, barrier: Any, results: Any) -> None:
    ledger = open_ledger(url)  # all at once on an empty database: one creates the schema, the others wait
    barrier.wait(timeout=120)  # a racer that failed to open breaks the barrier: the others end, the test fails
    try:
        ledger.endorse(use(port=f"port-{index}", post=f"post-{index}"), actor=f"officer-{index}")
        outcome = ("won", f"port-{index}")
    except EndorsementRefused as refused:
        outcome = ("refused", refused.earlier.port if refused.earlier else "")
    ledger.endorse(use(number=f"KE/OWN/{index}"), actor=f"officer-{index}")  # every post's own permit lands
    results.put(outcome)


def test_eight_processes_racing_exactly_one_wins(ledger_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(RACERS), context.Queue()
    racers = [
        context.Process(target=_race, args=(ledger_url, index, barrier, results), daemon=True)  # none outlives pytest
        for index in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    outcomes = [results.get(timeout=120) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    winners = [port for kind, port in outcomes if kind == "won"]
    assert len(winners) == 1
    assert {port for kind, port in outcomes if kind == "refused"} == set(winners)  # each loser saw the winner
    ledger = open_ledger(ledger_url)
    won = ledger.use_of("KE", PERMIT)
    assert won is not None and won.port == winners[0]
    report = ledger.check_chain()  # 9 writers appended to one chain: no fork, no gap
    assert (report.entries, report.problem) == (1 + RACERS, None)


def test_the_register_of_a_party_is_streamed_in_issue_order(ledger_url: str) -> None:
    """What ``cites audit --register`` reads: every entry of one Party, by issue date and number, on both
    backends (PostgreSQL streams it through a server-side cursor)."""
    ledger = open_ledger(ledger_url)
    records = [
        dataclasses.replace(issued("KE/2", "S-2"), issued_on=dt.date(2026, 1, 5)),
        issued("KE/1", "S-1"),
        dataclasses.replace(issued("KE/3", "S-3"), issued_on=dt.date(2026, 1, 5)),
        dataclasses.replace(issued("TZ/1", "T-1"), party="TZ"),
    ]
    for record in records:
        with ledger.register(record, actor="MA"):
            pass
    assert [entry.number for entry in ledger.register_of("KE")] == ["KE/2", "KE/3", "KE/1"]
    assert list(ledger.register_of("UG")) == []


def test_register_refuses_a_reused_number_or_stamp(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    with ledger.register(issued("KE/1", "S-1"), actor="MA"):
        pass
    refusals = [
        (issued("KE/1", "S-2"), "KE already issued permit number KE/1 on 2026-11-28"),
        (issued("KE/2", "S-1"), "security stamp S-1 was already used on KE permit KE/1$"),
        (issued("KE/5", "s 1"), r"security stamp s 1 was already used on KE permit KE/1 \(as S-1\)"),
        (issued("KE/8", "S\u20101"), "security stamp S\u20101 was already used on KE permit KE/1"),  # Unicode hyphen
        (issued("KE/9", "\uff33\u200b\uff11"), "was already used on KE permit KE/1"),  # full-width, zero-width space
    ]
    for record, message in refusals:
        with pytest.raises(RegistrationRefused, match=message), ledger.register(record, actor="MA"):
            pytest.fail("the block must not run")
    for number, stamp in (("KE/3", None), ("KE/4", None), ("KE/6", "-"), ("KE/7", "/")):
        with ledger.register(issued(number, stamp), actor="MA"):  # no stamp number: never a clash
            pass
    assert ledger.issued_of("KE", "KE/1") == issued("KE/1", "S-1")
    assert [event.action for event in ledger.events()] == ["issue"] * 5
    with (  # no letter or digit: compared as written
        pytest.raises(RegistrationRefused, match=r"security stamp - was already used on KE permit KE/6$"),
        ledger.register(issued("KE/10", "-"), actor="MA"),
    ):
        pytest.fail("the block must not run")


def test_register_refuses_a_number_written_otherwise(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    with ledger.register(issued("KE/2026/1", "S-1"), actor="MA"):
        pass
    held = "KE already issued permit number KE/2026/1 on 2026-11-28"
    for number in (
        "ke-2026-1",
        "KE 2026 1",
        "\u041a\u0415/2026/1",
        "KE/2026/\u200b1",
        "\uff2b\uff25\uff0f2026\uff0f\uff11",
    ):
        with (  # case, separators, Cyrillic Ka and Ie, a zero-width space, full-width forms
            pytest.raises(RegistrationRefused, match=re.escape(f"{held} (this one is written {number})")),
            ledger.register(issued(number, "S-2", payload="cd"), actor="MA"),
        ):
            pytest.fail("the block must not run")
        assert ledger.issued_of("KE", number) == issued("KE/2026/1", "S-1")  # found as compared
    for number in ("KE/20261", "KE/2026/1/A", "KE/1/23", "KE/12/3"):  # other parts: other numbers
        with ledger.register(issued(number, None, payload="cd"), actor="MA"):
            pass
    assert ledger.check_chain().problem is None


def test_register_refuses_a_number_or_stamp_the_audit_takes_for_one(ledger_url: str) -> None:
    """The register compares as the batch audit does (``number_key``, ``mark_key``): leading zeros, invisible
    characters and separators beside letters make no new number or stamp."""
    ledger = open_ledger(ledger_url)
    first = issued("KE/2026/1", "S-0042")
    with ledger.register(first, actor="MA"):
        pass
    held = "KE already issued permit number KE/2026/1 on 2026-11-28"
    for number in ("KE/2026/0001", "KE2026/1", "KE/2026/\u034f1", "KE/2026\u3164/1"):  # grapheme joiner, filler
        with (
            pytest.raises(RegistrationRefused, match=re.escape(f"{held} (this one is written {number})")),
            ledger.register(issued(number, "S-7", payload="cd"), actor="MA"),
        ):
            pytest.fail("the block must not run")
        assert ledger.issued_of("KE", number) == first  # found as compared
    for stamp in ("S-42", "S42", "s 0\u034f042", "S-\u316442"):
        with (
            pytest.raises(
                RegistrationRefused,
                match=re.escape(f"security stamp {stamp} was already used on KE permit KE/2026/1 (as S-0042)"),
            ),
            ledger.register(issued("KE/2026/3", stamp, payload="cd"), actor="MA"),
        ):
            pytest.fail("the block must not run")
    for number, stamp in (("KE/2026/10", "S-420"), ("KE/2026/01/2", "S-0043")):  # other digits: others
        with ledger.register(issued(number, stamp, payload="cd"), actor="MA"):
            pass
    assert ledger.check_chain().problem is None and len(ledger.events()) == 3


def test_a_failed_block_leaves_no_register_entry(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    with pytest.raises(OSError), ledger.register(issued("KE/9", "S-9"), actor="MA"):
        raise OSError("disk full")
    assert ledger.issued_of("KE", "KE/9") is None and ledger.events() == []
    with ledger.register(issued("KE/9", "S-9"), actor="MA"):
        pass
    assert ledger.check_chain().entries == 1


def test_chain_check_names_the_first_altered_or_deleted_entry(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    for index in range(5):
        ledger.endorse(use(number=f"KE/{index}"), actor="A")
    intact = ledger.check_chain()
    assert (intact.entries, intact.problem) == (5, None) and intact.head == ledger.events()[-1].entry_hash
    events = schema.events
    tampering: list[tuple[Callable[[Connection], object], str]] = [
        (lambda c: c.execute(update(events).where(events.c.seq == 3).values(actor="someone else")),
         "entry 3 was altered after it was written"),
        (lambda c: c.execute(update(events).where(events.c.seq == 3).values(actor="A")), ""),
        (lambda c: c.execute(delete(events).where(events.c.seq == 2)), "entry 2 is missing"),
    ]  # fmt: skip
    for tamper, problem in tampering:
        with raw(ledger_url) as connection:
            tamper(connection)
        assert (ledger.check_chain().problem or "") == problem


def test_chain_check_sees_a_use_or_register_row_deleted_behind_the_trail(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    ledger.endorse(use(), actor="A")
    with ledger.register(issued("KE/9", "S-9"), actor="MA"):
        pass
    assert ledger.check_chain().problem is None
    with raw(ledger_url) as connection:  # the permit would verify as unused again
        connection.execute(delete(schema.uses).where(schema.uses.c.number == PERMIT))
    report = ledger.check_chain()
    assert (
        report.broken_at == 1
        and report.problem == f"entry 1 (endorse KE {PERMIT}) has no row in the uses table (deleted?)"
    )
    with raw(ledger_url) as connection:
        values = use().to_json()
        connection.execute(insert(schema.uses).values({**values, "quantities": json.dumps(values["quantities"])}))
        connection.execute(delete(schema.issued).where(schema.issued.c.number == "KE/9"))
    assert ledger.check_chain().problem == "entry 2 (issue KE KE/9) has no row in the issued table (deleted?)"


def test_chain_check_sees_a_use_or_register_row_edited_in_place(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    ledger.endorse(use(port="Port of Mombasa, berth 11", quantity=Decimal("2.5")), actor="A")
    for number in ("8", "9"):
        with ledger.register(issued(f"KE/{number}", f"S-{number}"), actor="MA"):
            pass
    assert ledger.check_chain().problem is None
    uses, register = schema.uses, schema.issued
    tampering: list[tuple[Callable[[Connection], object], str | None]] = [
        (lambda c: c.execute(update(uses).values(quantities='{"1":"1"}')),
         f"entry 1 (endorse KE {PERMIT}): its row in the uses table was altered"),  # a part of the quantity freed
        (lambda c: c.execute(update(uses).values(quantities='{"1":"2.5"}')), None),
        (lambda c: c.execute(update(register).where(register.c.number == "KE/9").values(security_stamp="S-10")),
         "entry 3 (issue KE KE/9): its row in the issued table was altered"),
        (lambda c: c.execute(update(register).where(register.c.number == "KE/9").values(security_stamp="S-9")), None),
        (lambda c: c.execute(update(register).where(register.c.number == "KE/8").values(stamp_key=None)),
         "register entry KE KE/8: its stamp_key is not its security stamp S-8 as compared (altered: the stamp "
         "could be issued again)"),
    ]  # fmt: skip
    for tamper, problem in tampering:
        with raw(ledger_url) as connection:
            tamper(connection)
        assert ledger.check_chain().problem == problem
    with ledger.register(issued("KE/10", "S 8", payload="cd"), actor="MA"):  # the freed stamp, issued again
        pass
    assert "register entry KE KE/8: its stamp_key" in (ledger.check_chain().problem or "")  # still seen
    with raw(ledger_url) as connection:
        connection.execute(update(uses).values(quantities="not JSON"))
    assert ledger.check_chain().problem == f"entry 1 (endorse KE {PERMIT}): its row in the uses table was altered"
    with pytest.raises(LedgerError, match=f"the uses row of KE {PERMIT} is unreadable"):
        ledger.use_of("KE", PERMIT)


def test_chain_check_sees_a_number_key_cleared_or_changed(ledger_url: str, sqlite_post: Callable[[str], str]) -> None:
    post = open_ledger(sqlite_post("post-x"))
    with post.register(issued("KE/1", "S-2", payload="cd"), actor="MA"):
        pass
    centre = open_ledger(ledger_url)
    for number in ("KE/1", "KE/2"):
        with centre.register(issued(number, f"S-{number}"), actor="MA"):
            pass
    export = Export("post-x", "f" * 64, "version 7.json", post.records_since(dt.date(2020, 1, 1)))
    assert [alert.kind for alert in centre.import_records(export, actor="centre").alerts] == [
        AlertKind.DUPLICATE_NUMBER
    ]
    register = schema.issued
    freed = "register entry KE KE/1: its number_key is not its permit number KE/1 as compared (altered: the number "
    tampering: list[tuple[Callable[[Connection], object], str | None]] = [
        (lambda c: c.execute(update(register).where(register.c.number == "KE/1").values(number_key=None)),
         f"{freed}could be issued again)"),  # an import's alert about KE/1, from a file named "version 7", no excuse
        (lambda c: c.execute(update(register).where(register.c.number == "KE/1").values(number_key="ke-1-x")),
         f"{freed}could be issued again)"),
        (lambda c: c.execute(update(register).where(register.c.number == "KE/1").values(number_key="ke-1")), None),
    ]  # fmt: skip
    for tamper, problem in tampering:
        with raw(ledger_url) as connection:
            tamper(connection)
        assert centre.check_chain().problem == problem


def test_an_import_alert_never_excuses_a_cleared_stamp_key(ledger_url: str, sqlite_post: Callable[[str], str]) -> None:
    post = open_ledger(sqlite_post("post-x"))
    with post.register(issued("KE/2", "S1", payload="cd"), actor="MA"):
        pass
    centre = open_ledger(ledger_url)
    with centre.register(issued("KE/1", "S-1"), actor="MA"):
        pass
    export = Export("post-x", "f" * 64, "post-x.json", post.records_since(dt.date(2020, 1, 1)))
    assert [alert.kind for alert in centre.import_records(export, actor="centre").alerts] == [AlertKind.REUSED_STAMP]
    with centre.register(issued("KE/2", "T-9"), actor="MA"):  # the number the refused import entry had
        pass
    with raw(ledger_url) as connection:  # frees T-9, hoping the alert about "KE KE/2" covers it
        connection.execute(update(schema.issued).where(schema.issued.c.number == "KE/2").values(stamp_key=None))
    assert "register entry KE KE/2: its stamp_key is not its security stamp T-9" in (centre.check_chain().problem or "")


def test_an_import_of_a_number_written_otherwise_is_an_alert(
    ledger_url: str, sqlite_post: Callable[[str], str]
) -> None:
    post = open_ledger(sqlite_post("post-x"))
    for record in (issued("ke 2026 1", "S-2", payload="cd"), issued("KE/9", "S-9")):
        with post.register(record, actor="MA"):
            pass
    centre = open_ledger(ledger_url)
    for record in (issued("KE/2026/1", "S-1"), issued("KE/9", "S-9")):
        with centre.register(record, actor="MA"):
            pass
    export = Export("post-x", "f" * 64, "post-x.json", post.records_since(dt.date(2020, 1, 1)))
    report = centre.import_records(export, actor="centre")
    [alert] = report.alerts
    assert (alert.kind, alert.document, alert.first["number"], alert.second["number"]) == (
        AlertKind.DUPLICATE_NUMBER,
        "KE KE/2026/1",
        "KE/2026/1",
        "ke 2026 1",
    )  # named as this ledger registered it: `cites ledger show KE "ke 2026 1"` shows it
    assert alert.describe().endswith(", the second written ke 2026 1 (from post-x.json)")
    assert (report.added["issued"], report.known["issued"]) == (0, 1)  # KE/9: the same entry, known
    assert centre.issued_of("KE", "ke 2026 1") == issued("KE/2026/1", "S-1")  # never merged
    assert centre.check_chain().problem is None


def test_chain_check_sees_an_alert_deleted_after_the_import_that_found_it(
    ledger_url: str, sqlite_post: Callable[[str], str]
) -> None:
    post = open_ledger(sqlite_post("post-x"))
    post.endorse(use(port="Namanga", post="post-x"), actor="B")
    centre = open_ledger(ledger_url)
    centre.endorse(use(port="Mombasa"), actor="A")
    export = Export("post-x", "f" * 64, "post-x.json", post.records_since(dt.date(2020, 1, 1)))
    assert [alert.kind for alert in centre.import_records(export, actor="centre").alerts] == [AlertKind.DOUBLE_USE]
    assert centre.check_chain().problem is None
    with raw(ledger_url) as connection:  # the double use disappears from `cites ledger alerts`
        connection.execute(delete(schema.alerts))
    assert centre.check_chain().problem == "entry 2 (import) found 1 alert(s) that are no longer all stored (deleted?)"


def test_chain_check_sees_an_imported_row_deleted_or_edited_later(
    ledger_url: str, sqlite_post: Callable[[str], str]
) -> None:
    post = open_ledger(sqlite_post("post-x"))
    post.endorse(use(port="Namanga", post="post-x"), actor="B")
    with post.register(issued("KE/1", "S-1"), actor="MA"):
        pass
    centre = open_ledger(ledger_url)
    export = Export("post-x", "f" * 64, "post-x.json", post.records_since(dt.date(2020, 1, 1)))
    assert centre.import_records(export, actor="centre").added_rows[0][:3] == ("uses", "KE", PERMIT)
    assert centre.check_chain().problem is None
    uses, register = schema.uses, schema.issued
    changed = "entry 1 (import): the rows it added are no longer as imported (deleted or edited)"
    tampering: list[tuple[Callable[[Connection], object], str | None]] = [
        (lambda c: c.execute(update(register).values(kid="11" * 8)), changed),
        (lambda c: c.execute(update(register).values(kid="00" * 8)), None),
        (lambda c: c.execute(update(register).values(imported_seq=None)), changed),  # passed off as issued here
        (lambda c: c.execute(update(register).values(imported_seq=1)), None),
        (lambda c: c.execute(delete(uses)), changed),  # the permit would verify as unused again
    ]  # fmt: skip
    for tamper, problem in tampering:
        with raw(ledger_url) as connection:
            tamper(connection)
        assert centre.check_chain().problem == problem


def test_chain_check_sees_entries_removed_from_the_end(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    for index in range(3):
        ledger.endorse(use(number=f"KE/{index}"), actor="A")
    with raw(ledger_url) as connection:
        connection.execute(delete(schema.events).where(schema.events.c.seq == 3))
    report = ledger.check_chain()
    assert (report.broken_at, report.problem) == (3, "entry 3 is missing (head: 3 entries)")


KILL_SCRIPT = """
import sys, datetime as dt
from decimal import Decimal
from permits.ledger import open_ledger
from permits.ledger.interface import Use
ledger = open_ledger(sys.argv[1])
for index in range(100000):
    ledger.endorse(Use("KE", f"KE/{index}", "Mombasa", "o", dt.datetime.now(dt.UTC), "post", {1: Decimal(1)}), "o")
    print(index, flush=True)
"""


def test_sigkill_mid_batch_leaves_the_ledger_consistent(ledger_url: str, cli: Callable[..., CliResult]) -> None:
    open_ledger(ledger_url)
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, ledger_url], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert process.stdout is not None
    for _ in range(40):  # 40 endorsements have landed; the process is in the middle of the next ones
        process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    check = cli("ledger", "check", "--db", ledger_url)
    assert check.exit_code == 0 and "audit trail intact" in check.stdout
    entries = open_ledger(ledger_url).check_chain().entries
    with raw(ledger_url) as connection:
        uses = connection.execute(text("SELECT COUNT(*) FROM uses")).scalar()
    assert entries >= 40 and uses == entries  # every endorsement has both its use and its event, or neither


def test_imports_keep_contradictions_as_alerts(ledger_url: str, sqlite_post: Callable[[str], str]) -> None:
    post = open_ledger(sqlite_post("post-x"))  # another post's ledger, with its own audit trail
    post.endorse(use(port="Namanga", post="post-x"), actor="B")
    for number in ("KE/1", "KE/2"):
        with post.register(issued(number, "S-1" if number == "KE/1" else "S-2", payload="cd"), actor="MA"):
            pass
    centre = open_ledger(ledger_url)
    centre.endorse(use(port="Mombasa"), actor="A")
    with centre.register(issued("KE/1", "S-1"), actor="MA"):  # the same number, another document
        pass
    with centre.register(issued("KE/3", "s 2"), actor="MA"):  # the stamp post-x has on KE/2, typed otherwise
        pass
    export = Export("post-x", "f" * 64, "post-x.json", post.records_since(dt.date(2020, 1, 1)))

    report = centre.import_records(export, actor="centre")
    kinds = [alert.kind for alert in report.alerts]
    assert kinds == [AlertKind.DOUBLE_USE, AlertKind.DUPLICATE_NUMBER, AlertKind.REUSED_STAMP]
    assert report.added["events"] == 3 and report.alerts[0].second["port"] == "Namanga"
    assert report.alerts[0].describe().startswith(f"DOUBLE USE of KE {PERMIT}: at Mombasa on 2026-11-28")
    assert centre.use_of("KE", PERMIT) == use(port="Mombasa")  # never merged
    again = centre.import_records(export, actor="centre")  # idempotent: same alerts, stored once
    assert again.known["events"] == 3 and len(again.alerts) == 3 and len(centre.alerts()) == 3
    assert [alert.kind for alert in centre.alerts(document="KE KE/1")] == [AlertKind.DUPLICATE_NUMBER]

    rewritten = replace(export.records.events[1], actor="X")
    forged = Export(export.post, export.signer, "post-x-2.json", Records(events=[rewritten]))
    assert [alert.kind for alert in centre.import_records(forged, actor="centre").alerts] == [AlertKind.FORKED_TRAIL]
    assert centre.check_chain().problem is None
    with raw(ledger_url) as connection:
        connection.execute(update(schema.post_events).where(schema.post_events.c.seq == 2).values(actor="Y"))
    assert "imported entries of post key ffffffffffffffff: entry 2 was altered" in (centre.check_chain().problem or "")


def test_an_import_names_the_stretches_of_a_posts_trail_it_does_not_hold(
    ledger_url: str, sqlite_post: Callable[[str], str]
) -> None:
    post = open_ledger(sqlite_post("post-x"))
    for index in range(8):
        post.record_event("B", "revoke", f"KE KE/{index}", {})
    events = post.records_since(dt.date(2020, 1, 1)).events
    centre = open_ledger(ledger_url)

    def imported(*seqs: int) -> list[tuple[int, int]]:
        stretch = Records(events=[events[seq - 1] for seq in seqs])
        return centre.import_records(Export("post-x", "f" * 64, "x.json", stretch), actor="centre").gaps

    assert imported(1, 2) == []
    assert imported(5, 7) == [(3, 4), (6, 6)]  # a fork in 3, 4 or 6 would not show yet
    assert imported(3, 4, 6, 8) == []


def _migrated_to(connection: Connection, version: int) -> None:
    """Make the database a ledger at schema ``version`` (an old tool's), to be upgraded at the next open."""
    schema.metadata.create_all(connection, tables=[schema.schema_version])
    connection.execute(insert(schema.schema_version).values(version=version))
    for migration in schema.MIGRATIONS[:version]:
        migration(connection)


def test_a_version_1_ledger_is_migrated(ledger_url: str) -> None:
    first, second = use(port="Mombasa"), use(port="Namanga", post="post-b")
    with raw(ledger_url) as connection:
        _migrated_to(connection, 1)
        values = first.to_json()
        connection.execute(insert(schema.uses).values({**values, "quantities": json.dumps(values["quantities"])}))
        connection.execute(insert(schema.double_uses).values(party="KE", number=PERMIT,
                           use=json.dumps(second.to_json()), found_at="2026-11-29T00:00:00+00:00"))  # fmt: skip
    alerts = open_ledger(ledger_url).alerts()
    assert [(alert.kind, alert.first["port"], alert.second["port"]) for alert in alerts] == [
        (AlertKind.DOUBLE_USE, "Mombasa", "Namanga")
    ]
    with raw(ledger_url) as connection:
        assert connection.execute(select(schema.schema_version.c.version)).scalar() == schema.CURRENT_VERSION
        connection.execute(delete(schema.alerts))  # the double use the upgrade found, hidden
    problem = "entry 1 (migrate) found 1 alert(s) that are no longer all stored (deleted?)"
    assert open_ledger(ledger_url).check_chain().problem == problem


def test_a_version_2_ledger_gets_stamp_keys_and_a_stamp_reused_under_them_becomes_an_alert(ledger_url: str) -> None:
    with raw(ledger_url) as connection:
        _migrated_to(connection, 2)
        for record in (issued("KE/2", "s.1", payload="cd"), issued("KE/1", "S-1"), issued("KE/3", None)):
            connection.execute(insert(schema.issued_version_1).values(record.to_json()))
    ledger = open_ledger(ledger_url)
    [alert] = ledger.alerts()
    assert (alert.kind, alert.first["number"], alert.second["number"]) == (AlertKind.REUSED_STAMP, "KE/1", "KE/2")
    assert ledger.issued_of("KE", "KE/2") == issued("KE/2", "s.1", payload="cd")  # kept, as evidence
    assert ledger.check_chain().problem is None  # its missing stamp_key is the migration's, and said so
    [upgrade] = [event for event in ledger.events() if event.action == "migrate"]
    assert (upgrade.seq, upgrade.document) == (1, f"schema 2 to {schema.CURRENT_VERSION}")
    with (
        pytest.raises(RegistrationRefused, match=r"KE permit KE/1 \(as S-1\)"),
        ledger.register(issued("KE/4", "S 1"), actor="MA"),
    ):
        pytest.fail("the block must not run")
    with raw(ledger_url) as connection:
        keys = connection.execute(select(schema.issued.c.number, schema.issued.c.stamp_key).order_by("number"))
        assert keys.all() == [("KE/1", "s1"), ("KE/2", None), ("KE/3", None)]
        connection.execute(delete(schema.alerts))  # the evidence of the re-used stamp, gone
    assert "register entry KE KE/2: its stamp_key is not its security stamp s.1" in (ledger.check_chain().problem or "")


def test_a_version_3_ledger_is_keyed_again_and_a_look_alike_stamp_becomes_an_alert(ledger_url: str) -> None:
    with raw(ledger_url) as connection:
        _migrated_to(connection, 3)
        for record, old_key in ((issued("KE/1", "S-1"), "S1"), (issued("KE/2", "S\u20101", payload="cd"), "S\u20101")):
            connection.execute(insert(schema.issued).values({**record.to_json(), "stamp_key": old_key}))
    ledger = open_ledger(ledger_url)
    [alert] = ledger.alerts()
    assert (alert.kind, alert.first["number"], alert.second["number"]) == (AlertKind.REUSED_STAMP, "KE/1", "KE/2")
    with raw(ledger_url) as connection:
        keys = connection.execute(select(schema.issued.c.number, schema.issued.c.stamp_key).order_by("number"))
        assert keys.all() == [("KE/1", "s1"), ("KE/2", None)]
        assert connection.execute(select(schema.schema_version.c.version)).scalar() == schema.CURRENT_VERSION


def test_a_version_4_ledger_is_keyed_again_by_case_fold(ledger_url: str) -> None:
    with raw(ledger_url) as connection:
        _migrated_to(connection, 4)
        connection.execute(insert(schema.issued).values({**issued("KE/1", "S-1").to_json(), "stamp_key": "S1"}))
    ledger = open_ledger(ledger_url)  # version 4 upper-cased: without version 5, ledger check would cry tamper
    assert ledger.check_chain().problem is None and ledger.alerts() == []
    with raw(ledger_url) as connection:
        assert connection.execute(select(schema.issued.c.stamp_key)).scalar() == "s1"


def test_a_version_6_ledger_is_keyed_again_and_a_stamp_in_cyrillic_letters_becomes_an_alert(ledger_url: str) -> None:
    with raw(ledger_url) as connection:
        _migrated_to(connection, 6)
        cyrillic = issued("KE/2", "\u0421-1", payload="cd")  # Cyrillic Es: a new stamp for version 6
        for record, old_key in ((issued("KE/1", "C-1"), "c1"), (cyrillic, "\u04411")):
            connection.execute(insert(schema.issued).values({**record.to_json(), "stamp_key": old_key}))
    ledger = open_ledger(ledger_url)
    [alert] = ledger.alerts()
    assert (alert.kind, alert.first["number"], alert.second["number"]) == (AlertKind.REUSED_STAMP, "KE/1", "KE/2")
    assert alert.source == f"{schema.MIGRATION_ALERT_SOURCE}6" and ledger.check_chain().problem is None


FIRST, LATER = issued("KE/2026/1", "S-1"), replace(issued("ke-2026-1", None, "cd"), issued_on=dt.date(2026, 12, 1))
"""One number issued twice, written two ways, in a version 7 ledger."""


def _version_7_ledger_with_a_number_issued_twice(url: str) -> None:
    with raw(url) as connection:
        _migrated_to(connection, 7)
        for record, stamp_key in ((LATER, None), (FIRST, "s1"), (issued("KE/2026/2", None), None)):  # version 7 keys
            connection.execute(insert(schema.issued).values({**record.to_json(), "stamp_key": stamp_key}))


def test_a_version_7_ledger_gets_number_keys_and_a_number_issued_twice_under_them_becomes_an_alert(
    ledger_url: str,
) -> None:
    _version_7_ledger_with_a_number_issued_twice(ledger_url)
    first, later = FIRST, LATER
    ledger = open_ledger(ledger_url)
    [alert] = ledger.alerts()
    assert (alert.kind, alert.document, alert.first["number"], alert.second["number"], alert.source) == (
        AlertKind.DUPLICATE_NUMBER,
        "KE KE/2026/1",
        "KE/2026/1",
        "ke-2026-1",
        f"{schema.MIGRATION_ALERT_SOURCE}7",
    )
    assert ledger.issued_of("KE", "ke-2026-1") == later  # kept, as evidence, and found as written
    assert ledger.issued_of("KE", "KE 2026 1") == first
    assert ledger.check_chain().problem is None  # its missing number_key is the migration's, and said so
    with (
        pytest.raises(RegistrationRefused, match="KE already issued permit number KE/2026/1 on 2026-11-28"),
        ledger.register(issued("KE-2026-1", "S-3", payload="ef"), actor="MA"),
    ):
        pytest.fail("the block must not run")
    with raw(ledger_url) as connection:
        keys = connection.execute(select(schema.issued.c.number, schema.issued.c.number_key).order_by("number"))
        assert keys.all() == [("KE/2026/1", "ke-2026-1"), ("KE/2026/2", "ke-2026-2"), ("ke-2026-1", None)]
        connection.execute(delete(schema.alerts))  # the evidence of the number issued twice, gone
    assert ledger.check_chain().problem == (
        "register entry KE ke-2026-1: its number_key is not its permit number ke-2026-1 as compared (altered: the "
        "number could be issued again)"
    )


ZEROS_FIRST = issued("KE/2026/1", "S-0042")
ZEROS_NUMBER = replace(issued("KE/2026/0001", "S-7", "cd"), issued_on=dt.date(2026, 12, 1))
ZEROS_STAMP = replace(issued("KE/2026/2", "S-42", "ef"), issued_on=dt.date(2026, 12, 2))
"""In a version 8 ledger: one number issued twice and one stamp used twice, the second time with other leading
zeros (version 8 counted leading zeros)."""


def _version_8_ledger_with_leading_zeros(url: str) -> None:
    with raw(url) as connection:
        _migrated_to(connection, 8)
        for record, number_key, stamp_key in (  # keyed as version 8 keyed them
            (ZEROS_NUMBER, "ke-2026-0001", "s7"),
            (ZEROS_FIRST, "ke-2026-1", "s0042"),
            (ZEROS_STAMP, "ke-2026-2", "s42"),
        ):
            values = {**record.to_json(), "number_key": number_key, "stamp_key": stamp_key}
            connection.execute(insert(schema.issued).values(values))


def test_a_version_8_ledger_is_keyed_again_and_numbers_and_stamps_with_leading_zeros_become_alerts(
    ledger_url: str, cli: Callable[..., CliResult]
) -> None:
    _version_8_ledger_with_leading_zeros(ledger_url)
    ledger = open_ledger(ledger_url)
    alerts = ledger.alerts()
    version_8 = f"{schema.MIGRATION_ALERT_SOURCE}8"
    assert [(a.kind, a.document, a.first["number"], a.second["number"], a.source) for a in alerts] == [
        (AlertKind.DUPLICATE_NUMBER, "KE KE/2026/1", "KE/2026/1", "KE/2026/0001", version_8),
        (AlertKind.REUSED_STAMP, "KE KE/2026/2", "KE/2026/1", "KE/2026/2", version_8),
    ]
    [upgrade] = [event for event in ledger.events() if event.action == "migrate"]
    assert upgrade.document == f"schema 8 to {schema.CURRENT_VERSION}"
    fingerprints = [alert.fingerprint() for alert in alerts]  # what ledger check sees deleted
    assert json.loads(upgrade.details) == {"from": 8, "to": schema.CURRENT_VERSION, "alert_fingerprints": fingerprints}
    assert ledger.issued_of("KE", "KE/2026/0001") == ZEROS_NUMBER  # kept, as evidence, and found as written
    assert ledger.issued_of("KE", "KE/2026/01") == ZEROS_FIRST
    assert ledger.check_chain().problem is None  # the keys it cleared are the migration's, and said so
    assert cli("ledger", "check", "--db", ledger_url).exit_code == 0
    with raw(ledger_url) as connection:
        register = schema.issued
        keys = connection.execute(select(register.c.number, register.c.number_key, register.c.stamp_key))
        assert sorted(keys.all()) == [
            ("KE/2026/0001", None, "s7"),
            ("KE/2026/1", "ke-2026-1", "s42"),
            ("KE/2026/2", "ke-2026-2", None),
        ]
    for record, refusal in (
        (issued("KE/2026/00001", "S-8"), "KE already issued permit number KE/2026/1 on 2026-11-28"),
        (issued("KE/2026/3", "S-042"), "security stamp S-042 was already used on KE permit KE/2026/1 (as S-0042)"),
    ):
        with (
            pytest.raises(RegistrationRefused, match=re.escape(refusal)),
            ledger.register(replace(record, payload_hash="01" * 32), actor="MA"),
        ):
            pytest.fail("the block must not run")
    with raw(ledger_url) as connection:  # the evidence of the re-used stamp, gone
        connection.execute(delete(schema.alerts).where(schema.alerts.c.kind == AlertKind.REUSED_STAMP.value))
    assert ledger.check_chain().problem == (
        "register entry KE KE/2026/2: its stamp_key is not its security stamp S-42 as compared (altered: the "
        "stamp could be issued again)"
    )
    assert cli("ledger", "check", "--db", ledger_url).exit_code == 1


def test_a_register_row_the_tool_could_not_have_written_stops_the_upgrade_with_a_message(ledger_url: str) -> None:
    """Keying the register reads every entry: one edited into something unreadable (no issue date) is a
    ``LedgerError`` naming it, not a traceback, and the ledger stays at its version."""
    with raw(ledger_url) as connection:
        _migrated_to(connection, 7)
        entry = {**FIRST.to_json(), "issued_on": "someday", "stamp_key": "s1"}
        connection.execute(insert(schema.issued).values(entry))
    with pytest.raises(LedgerError, match=r"register entry KE KE/2026/1 is unreadable .*someday"):
        open_ledger(ledger_url)
    with raw(ledger_url) as connection:
        assert schema.version(connection) == 7


def test_a_forged_or_edited_alert_never_excuses_a_cleared_key(ledger_url: str) -> None:
    _version_7_ledger_with_a_number_issued_twice(ledger_url)
    ledger = open_ledger(ledger_url)
    alerts, register = schema.alerts, schema.issued
    forged = Alert(AlertKind.DUPLICATE_NUMBER, FIRST.document, {}, FIRST.to_json(), f"{schema.MIGRATION_ALERT_SOURCE}7")
    freed = "its number_key is not its permit number"
    tampering: list[tuple[Callable[[Connection], object], str | None]] = [
        (lambda c: c.execute(insert(alerts).values(schema.alert_values(forged, "2026-12-02T00:00:00+00:00"))), None),
        (lambda c: c.execute(update(register).where(register.c.number == FIRST.number).values(number_key=None)),
         f"register entry KE KE/2026/1: {freed} KE/2026/1"),  # the forged alert names it, but no migration found it
        (lambda c: c.execute(delete(alerts).where(alerts.c.fingerprint == forged.fingerprint())), freed),
        (lambda c: c.execute(update(alerts).values(second=canonical(FIRST.to_json()))), freed),  # the real one, edited
        (lambda c: c.execute(update(alerts).values(second=canonical(LATER.to_json()))), freed),
        (lambda c: c.execute(update(register).where(register.c.number == FIRST.number).values(number_key="ke-2026-1")),
         None),
    ]  # fmt: skip
    for tamper, problem in tampering:
        with raw(ledger_url) as connection:
            tamper(connection)
        found = ledger.check_chain().problem
        assert found is None if problem is None else problem in (found or ""), found


def test_a_stamp_whose_key_is_longer_than_the_stamp_is_registered_and_migrated(ledger_url: str) -> None:
    stretched = "KE-SS-" + "\ufdfa" * 5  # 11 characters; compatibility normalisation makes its key 94 long
    with raw(ledger_url) as connection:  # a version 3 ledger (PostgreSQL: stamp_key VARCHAR(64))
        _migrated_to(connection, 3)
        connection.execute(insert(schema.issued).values({**issued("KE/1", stretched).to_json(), "stamp_key": "x"}))
    ledger = open_ledger(ledger_url)
    with ledger.register(issued("KE/2", stretched.lower() + "-2", payload="cd"), actor="MA"):
        pass
    assert ledger.issued_of("KE", "KE/1") == issued("KE/1", stretched) and ledger.check_chain().problem is None


def test_the_audit_trail_example_of_the_format_specification() -> None:
    section = (REPO_ROOT / "docs" / "FORMAT.md").read_text().split("### 11.2 The audit trail")[1]
    example, documented = re.search(r"```\n(\[.*\])\n```", section), re.search(r"`entry_hash` `(\w{64})`", section)
    assert example and documented
    fields = json.loads(example.group(1))
    from_the_spec = hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    assert from_the_spec == documented.group(1) == event_hash(*fields)
