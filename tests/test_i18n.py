"""The message catalogue: complete in both languages, consistent placeholders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from syncd import i18n
from syncd.i18n import CATALOGUE, placeholders, rupiah, set_lang, t

ROOT = Path(__file__).resolve().parent.parent / "syncd"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_present_with_same_placeholders(key: str) -> None:
    indonesian, english = CATALOGUE[key]
    assert indonesian.strip()
    assert english.strip()
    assert placeholders(indonesian) == placeholders(english), key


def _keys_used_in_code() -> set[str]:
    """Literal keys passed to t(...), UserError(...) subclasses or RowError in syncd/."""
    used: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for const in ast.walk(node) if isinstance(node, ast.Call) else ():
                if (
                    isinstance(const, ast.Constant)
                    and isinstance(const.value, str)
                    and const.value.count(".") >= 1
                    and const.value.split(".")[0] in {p.split(".")[0] for p in CATALOGUE}
                    and " " not in const.value
                    and const.value.replace(".", "").replace("_", "").isalnum()
                ):
                    used.add(const.value)
    return used


def test_every_key_used_in_code_exists() -> None:
    used = _keys_used_in_code()
    assert len(used) > 40  # the scan really sees the code's keys
    # keys built at run time (kind.{kind}, rules.field.{name}) are checked elsewhere
    assert {k for k in used if k not in CATALOGUE and not k.endswith(".")} == set()


def test_language_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.get_lang() == "id"
    monkeypatch.setenv("SYNCD_LANG", "EN")
    assert i18n.get_lang() == "en"
    set_lang("id")
    assert i18n.get_lang() == "id"  # the command line beats the environment
    with pytest.raises(ValueError, match="unknown language"):
        set_lang("fr")


@pytest.mark.parametrize(
    ("lang", "amount", "text"),
    [
        ("id", 85000, "Rp 85.000"),
        ("en", 85000, "Rp 85,000"),
        ("id", 1250000, "Rp 1.250.000"),
        ("id", 0, "Rp 0"),
        ("id", -2000, "-Rp 2.000"),
    ],
)
def test_rupiah(lang: str, amount: int, text: str) -> None:
    set_lang(lang)
    assert rupiah(amount) == text


def test_movement_kinds_have_names() -> None:
    from syncd.migrations import MOVEMENT_KINDS

    for kind in MOVEMENT_KINDS:
        set_lang("id")
        indonesian = t(f"kind.{kind}")
        set_lang("en")
        assert indonesian != t(f"kind.{kind}")
