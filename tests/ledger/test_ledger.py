"""The usage ledger on SQLite and on a real PostgreSQL server: one use per permit (also under a race of 8
processes), quantities, the issuing register, the hash-chained audit trail, and crash consistency."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, text, update

from permits.ledger import open_ledger, schema
from permits.ledger.endorsement import parse_quantities
from permits.ledger.interface import EndorsementRefused, Issued, RegistrationRefused, Use
from tests.conftest import REPO_ROOT, example_permit

RACERS = 8


def use(number: str = "KE/2026/ZOO/0001", port: str = "Mombasa", post: str = "post-a", **quantities: Any) -> Use:
    return Use("KE", number, port, "officer", dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC), post,
               {1: Decimal(quantities.get("q", 2))})  # fmt: skip


def test_second_use_is_refused_with_the_first_named(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    ledger.endorse(use(port="Mombasa"), actor="A")
    with pytest.raises(EndorsementRefused) as refused:
        ledger.endorse(use(port="Namanga", post="post-b"), actor="B")
    assert "already used at Mombasa on 2026-11-28 10:00 UTC (officer officer, post post-a)" in str(refused.value)
    assert refused.value.earlier is not None and refused.value.earlier.port == "Mombasa"
    assert ledger.use_of("KE", "KE/2026/ZOO/0001") == use(port="Mombasa")


def test_partial_quantities_cannot_add_up_past_the_permit(ledger_url: str) -> None:
    permit = example_permit()
    ledger = open_ledger(ledger_url)
    with pytest.raises(EndorsementRefused, match="3 NUM is more than the 2 NUM the permit authorises"):
        parse_quantities(["1=3"], permit)
    first = parse_quantities(["1=1"], permit)
    ledger.endorse(use(q=first[1]), actor="A")
    with pytest.raises(EndorsementRefused, match="already used at Mombasa"):
        ledger.endorse(use(q=parse_quantities(["1=1"], permit)[1]), actor="B")


def _race(url: str, index: int, barrier: Any, results: Any) -> None:
    ledger = open_ledger(url)
    barrier.wait()
    try:
        ledger.endorse(use(port=f"port-{index}", post=f"post-{index}"), actor=f"officer-{index}")
        results.put(("won", index))
    except EndorsementRefused as refused:
        results.put(("refused", refused.earlier.port if refused.earlier else None))


def test_eight_processes_racing_exactly_one_wins(ledger_url: str) -> None:
    open_ledger(ledger_url).engine.dispose()  # the schema exists before the race starts
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(RACERS), context.Queue()
    racers = [context.Process(target=_race, args=(ledger_url, index, barrier, results)) for index in range(RACERS)]
    for racer in racers:
        racer.start()
    outcomes = [results.get(timeout=120) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    winners = [value for kind, value in outcomes if kind == "won"]
    assert len(winners) == 1
    refused_ports = {value for kind, value in outcomes if kind == "refused"}
    assert refused_ports == {f"port-{winners[0]}"}
    ledger = open_ledger(ledger_url)
    assert ledger.check_chain().entries == 1 and ledger.check_chain().problem is None


def issued(number: str, stamp: str | None) -> Issued:
    return Issued("KE", number, stamp, dt.date(2026, 11, 28), "00" * 8, "ab" * 32)


def test_register_refuses_a_reused_number_or_stamp(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    with ledger.register(issued("KE/1", "S-1"), actor="MA"):
        pass
    with (
        pytest.raises(RegistrationRefused, match="KE already issued permit number KE/1"),
        ledger.register(issued("KE/1", "S-2"), actor="MA"),
    ):
        pass
    with (
        pytest.raises(RegistrationRefused, match="security stamp S-1 was already used on KE permit KE/1"),
        ledger.register(issued("KE/2", "S-1"), actor="MA"),
    ):
        pass
    for number in ("KE/3", "KE/4"):  # permits without a security stamp never clash on it
        with ledger.register(issued(number, None), actor="MA"):
            pass
    assert ledger.check_chain().entries == 3


def test_failed_block_leaves_no_register_entry(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    with pytest.raises(OSError), ledger.register(issued("KE/9", "S-9"), actor="MA"):
        raise OSError("disk full")
    with ledger.register(issued("KE/9", "S-9"), actor="MA"):
        pass
    assert ledger.check_chain().entries == 1


def test_chain_check_names_the_first_altered_or_deleted_entry(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    for index in range(5):
        ledger.endorse(use(number=f"KE/{index}"), actor="A")
    assert ledger.check_chain().problem is None
    with ledger.engine.begin() as connection:
        connection.execute(update(schema.events).where(schema.events.c.seq == 3).values(actor="someone else"))
    report = ledger.check_chain()
    assert (report.broken_at, report.problem) == (3, "entry 3 was altered after it was written")
    with ledger.engine.begin() as connection:
        connection.execute(update(schema.events).where(schema.events.c.seq == 3).values(actor="A"))
        connection.execute(delete(schema.events).where(schema.events.c.seq == 2))
    assert ledger.check_chain().problem == "entry 2 is missing"


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


def test_sigkill_mid_batch_leaves_the_ledger_consistent(ledger_url: str) -> None:
    open_ledger(ledger_url).engine.dispose()
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, ledger_url], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert process.stdout is not None
    for _ in range(40):
        process.stdout.readline()
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    ledger = open_ledger(ledger_url)
    report = ledger.check_chain()
    assert report.problem is None and report.entries >= 40
    with ledger.engine.connect() as connection:
        uses = connection.execute(text("SELECT COUNT(*) FROM uses")).scalar()
    assert uses == report.entries  # every endorsement has both its use and its event, or neither
