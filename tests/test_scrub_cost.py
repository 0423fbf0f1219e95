"""The secret scrub's work does not grow with the number of secrets (no timing asserts)."""

from __future__ import annotations

from syncd import log
from syncd.redact import MIN_SECRET_LEN, SecretRegistry


def _registry(count: int) -> SecretRegistry:
    registry = SecretRegistry()
    for i in range(count):
        registry.add(f"secret-{i:08d}-value")
    return registry


def test_a_text_shorter_than_every_secret_is_not_scanned() -> None:
    registry = _registry(100)  # every secret is 21 characters
    for text in ("info", "pulled", "2026-12-01", "x" * 20):
        assert registry.scrub(text) == text
    assert registry.scans == 0
    assert registry.scrub("x" * 21) == "x" * 21
    assert registry.scans == 1


def test_nothing_is_scanned_while_no_secret_is_registered() -> None:
    registry = SecretRegistry()
    registry.add("abc")  # shorter than MIN_SECRET_LEN: never masked
    assert registry.scrub("abc " * 50) == "abc " * 50
    assert registry.scans == 0


def test_the_shortest_secret_sets_the_skip_length() -> None:
    registry = _registry(3)
    registry.add("k" * MIN_SECRET_LEN)
    assert registry.scrub("a kkkkkk") == "a ***"
    assert registry.scans == 1
    registry.discard("k" * MIN_SECRET_LEN)
    assert registry.scrub("a kkkkkk") == "a kkkkkk"  # 8 < 21: skipped again
    assert registry.scans == 1


def test_one_scan_per_text_whatever_the_number_of_secrets() -> None:
    small, large = _registry(10), _registry(10_000)
    text = "pushed stock for secret-00000007-value and secret-00009999-value"
    assert small.scrub(text) == "pushed stock for *** and secret-00009999-value"
    assert large.scrub(text) == "pushed stock for *** and ***"
    assert small.scans == large.scans == 1


def test_log_events_are_scrubbed_once_per_value() -> None:
    value = "tok-5f3a9c-registered"
    log.REGISTRY.add(value)
    try:
        before = log.REGISTRY.scans
        event = log.scrub_event(
            None, "info", {"event": f"refreshed {value}", "level": "info", "n": 3}
        )
        assert event == {"event": "refreshed ***", "level": "info", "n": 3}
        # "info" is shorter than any registered secret; the int is not text
        assert log.REGISTRY.scans - before == 1
        assert log.clean(f"GET /x?access_token={value}") == "GET /x?access_token=***"
    finally:
        log.REGISTRY.discard(value)
