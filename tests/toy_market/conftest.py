"""Toko Mainan is installed only while a test of this package asks for it (``toy``) and
removed after it, so no other test's ``adapters.available()`` sees it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.toy_market.install import installed


@pytest.fixture
def toy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Toko Mainan installed for this test: the directory holding its ``dist-info``."""
    with installed(tmp_path_factory.mktemp("site")) as site:
        yield site
