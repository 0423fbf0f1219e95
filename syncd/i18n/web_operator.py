"""Catalogue part: web_operator pages (issue 13). Keys: (Indonesian, English)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {}
