"""One drill: infrastructure, the system on it, a load, faults in sequence, recovery, invariants.
Used by the short drill in `make test` (tests/drills/test_drill_short.py) and the full one
(`make drills`, tests/drills/run.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from drills import checks, faults, infra
from drills.system import DrillStack
from drills.workload import Ledger, Load, cast, fund_cycle
from support.api_client import wait_for


@contextmanager
def infrastructure(shared: bool = False) -> Iterator:
    """The drill's private PostgreSQL and RabbitMQ when possible, else (or when asked) the
    machine's, with a fresh vhost: then the faults that would hit everyone are left out."""
    why_not = infra.private_possible()
    chosen = infra.Shared() if shared or why_not else infra.Private()
    chosen.start()
    try:
        yield chosen
    finally:
        chosen.stop()


@contextmanager
def running_system(chosen, **kw) -> Iterator[DrillStack]:
    stack = DrillStack(chosen, **kw)
    try:
        stack.start()
        stack.wait_heartbeats_fresh()
        yield stack
    finally:
        stack.cleanup()
        stack.drop_databases()


class Drill:
    """Faults injected into a running system under load; `finish()` checks the invariants."""

    def __init__(self, stack: DrillStack, threads: int = 2):
        self.stack, self.ledger, self.record = stack, Ledger(), faults.Record()
        self.cast = cast(stack, self.ledger)
        self.baseline = checks.counts(stack)
        self.load = Load(stack, self.cast, self.ledger, threads)
        self.started = time.monotonic()

    def progress(self, packages: int = 1, timeout: float = 120) -> None:
        """Wait until the load has sold `packages` more packages: faults land mid-stream."""
        target = len(self.ledger.packages) + packages
        wait_for(
            lambda: len(self.ledger.packages) >= target, timeout=timeout, interval=0.1, what="load progress"
        )

    def inject(self, fault: Callable, *args, after_sales: int = 1) -> None:
        """Inject a fault once the load sold `after_sales` more packages (0: at once)."""
        if after_sales:
            self.progress(after_sales)
        fault(self.stack, *args, self.record)

    def fund(self, schools: int = 1) -> None:
        wait_for(
            lambda: len(self.load.schools) >= schools, timeout=180, interval=0.2, what="finished journeys"
        )
        start = time.monotonic()
        fund_cycle(self.load.take_schools(schools), self.cast, self.ledger)
        self.record.add(f"fund cycle ({schools} award(s), under the same faults)", time.monotonic() - start)

    def finish(self) -> list[str]:
        self.load.__exit__(None, None, None)
        self.recovery = checks.wait_recovered(self.stack)
        self.stack.wait_heartbeats_fresh()
        broken = checks.invariants(
            self.stack, self.ledger, self.record.poison, self.baseline, self.record.down
        )
        if broken:  # keep the logs for the reader: the stack's directory goes with the stack
            kept = tempfile.mkdtemp(prefix="imatter-drill-logs-")
            for name in os.listdir(self.stack.var):
                if name.endswith(".log"):
                    shutil.copy(os.path.join(self.stack.var, name), kept)
            broken.append(f"logs kept in {kept}")
        return broken

    def summary(self) -> dict:
        return {
            "seconds": round(time.monotonic() - self.started, 1),
            "journeys": self.ledger.journeys,
            "requests": len(self.ledger.answers),
            "packages": len(self.ledger.packages),
            "practicums": len(self.ledger.signed_off),
            "awards": len(self.ledger.awards),
            "5xx": dict(Counter(a[3] for a in self.ledger.server_errors())),
            "faults": self.record.done,
            "final_recovery_s": round(getattr(self, "recovery", 0), 2),
        }


def short(drill: Drill, private: bool) -> None:
    """The CI drill: each relay and consumer SIGKILLed once, the drill's broker connections
    closed, poison to each queue, a wedged consumer caught by its probe, a fund award; on the
    drill's own broker and database also a broker stop/start and a database restart. Faults
    follow each other closely (the load keeps running): CI time is scarce."""
    drill.load.__enter__()
    drill.inject(faults.kill_and_restart, "training_relay")
    drill.inject(faults.kill_and_restart, "cic_consumer", after_sales=0)
    drill.inject(faults.close_broker_connections, after_sales=0)
    drill.inject(faults.poison, after_sales=0)
    drill.inject(faults.kill_and_restart, "cic_relay")
    drill.inject(faults.kill_and_restart, "training_consumer", after_sales=0)
    drill.inject(faults.wedge_caught, "cic_consumer", after_sales=0)
    if private:
        drill.inject(faults.broker_outage)
        drill.inject(faults.database_restart, after_sales=0)
    drill.fund(1)
