"""The cooperative operator's pages (being written)."""

from __future__ import annotations
