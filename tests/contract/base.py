"""What every harness does the same way, whatever its marketplace."""

from __future__ import annotations

import datetime as dt
import fnmatch
from typing import Any, ClassVar


class SimHarness:
    """Clock, stop and call counting over a simulator held in ``self.sim``."""

    sim: Any
    #: logical path (orders, stock, items, refresh) → the simulator path (glob allowed)
    PATHS: ClassVar[dict[str, str]]

    def stop(self) -> None:
        self.sim.stop()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.sim.now(), dt.UTC)

    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)

    def calls(self, where: str) -> int:
        pattern = self.PATHS[where]
        return sum(n for (_, p), n in self.sim.calls.items() if fnmatch.fnmatchcase(p, pattern))

    def set_retry_after(self, seconds: int) -> None:
        self.sim.retry_after = seconds
