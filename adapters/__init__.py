"""The adapter registry: marketplaces by name.

Built-in adapters live in ``adapters/<name>/``; third parties add a marketplace
without forking by declaring an entry point in the group ``syncd.adapters``
(``name = "package.module:AdapterClass"``). The registry holds classes, not
instances; the daemon builds one per channel account.
"""

from __future__ import annotations

import functools
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Final

__all__ = [
    "ALIASES",
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "UnknownAdapter",
    "available",
    "load",
    "marketplaces",
]

ENTRY_POINT_GROUP: Final = "syncd.adapters"
#: name -> "module:Class" for adapters shipped with syncd: every ``adapters/<name>/``
#: package with an ``adapter.py`` that defines ``ADAPTER`` (the adapter class).
BUILTIN: Final[dict[str, str]] = {
    p.parent.name: f"adapters.{p.parent.name}.adapter:ADAPTER"
    for p in sorted(Path(__file__).parent.glob("*/adapter.py"))
}


#: Marketplaces served by another's API: Tokopedia shops go through TikTok Shop's.
ALIASES: Final[dict[str, str]] = {"tokopedia": "tiktok"}


class UnknownAdapter(LookupError):
    """No built-in adapter or entry point has this name."""


_REFUSED: set[str] = set()  # entry-point names already reported as unusable


def _entry_points() -> tuple[Any, ...]:
    """The installed ``syncd.adapters`` entry points, read once per ``sys.path`` (scanning
    the installed distributions costs milliseconds, and ``syncd status`` or a metrics
    scrape asks once per channel; a package installed onto a new path is still seen)."""
    return _entry_points_on(tuple(sys.path))


@functools.lru_cache(maxsize=8)
def _entry_points_on(path: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def available() -> dict[str, str]:
    """Every adapter name with its "module:Class" target; entry points override nothing
    built in. An entry point whose name a channel could never use (not
    ``syncd.adapter_settings.MARKETPLACE_NAME``: lower case, digits and ``_``) is left out and
    named once on stderr, rather than offered and then refused at ``channel add``."""
    from syncd.adapter_settings import MARKETPLACE_NAME  # noqa: PLC0415

    found = {}
    for ep in _entry_points():
        if re.match(MARKETPLACE_NAME, ep.name):
            found[ep.name] = ep.value
        elif ep.name not in _REFUSED:
            _REFUSED.add(ep.name)
            print(
                f"syncd: adapter entry point {ep.name!r} ignored: a marketplace name is "
                "lower case letters, digits and _ (2-40 characters, a letter first)",
                file=sys.stderr,
            )
    return {**found, **BUILTIN}


def marketplaces() -> list[str]:
    """Every marketplace a channel may name now: installed adapters and their aliases
    (a marketplace is offered only once an adapter for it is installed)."""
    names = set(available())
    return sorted(names | {alias for alias, target in ALIASES.items() if target in names})


def load(name: str) -> Any:
    """The adapter class registered under ``name`` (or under what ``name`` is an alias of)."""
    name = ALIASES.get(name, name)
    target = available().get(name)
    if target is None:
        raise UnknownAdapter(f"no adapter named {name!r}; known: {sorted(available()) or 'none'}")
    for ep in (e for e in _entry_points() if e.name == name):
        if name not in BUILTIN:
            return ep.load()
    module_name, _, attr = target.partition(":")
    module = __import__(module_name, fromlist=[attr])
    return getattr(module, attr)
