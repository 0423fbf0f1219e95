"""The contract suite, unedited, on Toko Mainan: every test of
``tests/contract/test_contract.py`` that runs on a ``world`` is collected here again,
with a ``world`` of the toy only (built by the suite's own ``build_world``)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract import test_contract as contract
from tests.contract.test_contract import World, build_world
from tests.toy_market.install import NAME

CONTRACT_TESTS = {
    name: test
    for name, test in vars(contract).items()
    if name.startswith("test_") and "world" in inspect.signature(test).parameters
}
globals().update(CONTRACT_TESTS)


@pytest.fixture
def world(toy: Path, tmp_path: Path) -> Iterator[World]:
    w = build_world(NAME, tmp_path)
    yield w
    w.close()


def test_every_contract_test_on_a_world_runs_here() -> None:
    assert len(CONTRACT_TESTS) >= 15
    assert "test_lazada_never_shows_more_than_exists_once_settled" not in CONTRACT_TESTS
