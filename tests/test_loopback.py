"""The simulator base (adapters/_loopback.py): what every marketplace simulator shares."""

from __future__ import annotations

import pytest

from adapters._loopback import LoopbackSimulator, Reply


class Echo(LoopbackSimulator):
    """The smallest simulator: one route that answers what it was asked."""

    def serve_http(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        with self._lock:
            self.count_call(target, None)
            fault = self.take_fault(target)
            wait = self.throttle((None, target), self.now())
        if wait is not None:
            return Reply(429, b"{}", (("Retry-After", str(wait)),))
        if fault == "500":
            return Reply(500, b"{}")
        with self._lock:
            self.log_reply(method, target, None, 200)
        return Reply(200, body or b"{}")


def test_faults_are_taken_in_order_per_path_and_run_out() -> None:
    sim = Echo(clock=lambda: 1_000.0)
    sim.inject("500", "/a", times=2)
    sim.inject("timeout")
    with sim._lock:
        taken = [
            sim.take_fault("/b"),
            sim.take_fault("/a"),
            sim.take_fault("/a"),
            sim.take_fault("/a"),
        ]
    assert taken == ["timeout", "500", "500", None]


@pytest.mark.parametrize(("kind", "times"), [("teapot", 1), ("500", 0), ("error_body:x", 1)])
def test_an_unknown_fault_is_refused(kind: str, times: int) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Echo().inject(kind, times=times)


def test_the_throttle_gives_the_burst_then_asks_to_wait() -> None:
    now = [0.0]
    sim = Echo(clock=lambda: now[0], rate_limit=(2.0, 3))
    with sim._lock:
        waits = [sim.throttle("k", sim.now()) for _ in range(4)]
    assert waits[:3] == [None, None, None]
    assert waits[3] == 1
    now[0] += 0.5  # one token back at 2/s
    with sim._lock:
        assert sim.throttle("k", sim.now()) is None
        assert sim.throttle("other", sim.now()) is None  # buckets are per key


def test_the_clock_moves_only_forward_and_calls_are_counted() -> None:
    import httpx

    with Echo(clock=lambda: 5.0) as sim:
        sim.advance(10)
        assert sim.now() == 15.0
        with pytest.raises(ValueError, match="forward"):
            sim.advance(-1)
        sim.inject("500", "/x")
        assert httpx.get(sim.base_url + "/x").status_code == 500
        assert httpx.get(sim.base_url + "/x").status_code == 200
    assert sim.calls[(None, "/x")] == 2
    assert [entry[-1] for entry in sim.request_log] == [200]
