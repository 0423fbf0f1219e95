"""One error-rule type and lookup for every adapter's table (syncd.errors.ErrorTable)."""

from __future__ import annotations

import pytest

from adapters.lazada import errors as lazada
from adapters.shopee import errors as shopee
from adapters.tiktok import errors as tiktok
from syncd.errors import (
    ErrorRule,
    ErrorTable,
    NeedsReauth,
    RefreshAuth,
    Rejected,
    Retryable,
    SkippableItem,
    Unrecognized,
)

TABLE = ErrorTable(
    [
        ErrorRule("auth", RefreshAuth, "expired", "token_expired"),
        ErrorRule("auth", NeedsReauth),
        ErrorRule("5", Rejected, name="bad_format"),
    ],
    normalize=lambda code: code.lstrip("E0") or "0",
    families={"item_": SkippableItem},
)


def test_first_matching_rule_wins_and_the_fragment_tells_causes_apart() -> None:
    assert TABLE.error_class("auth", "Token EXPIRED at 10:00") is RefreshAuth
    assert TABLE.error_class("auth", "no permission") is NeedsReauth


def test_codes_are_normalized_before_lookup_and_named_in_labels() -> None:
    assert TABLE.error_class("E005") is Rejected
    assert TABLE.label("E005") == "E005:bad_format"
    assert TABLE.label("nope") == "nope"


def test_unknown_codes_fall_to_their_family_else_unrecognized() -> None:
    assert TABLE.error_class("item_locked") is SkippableItem
    assert TABLE.error_class("something_new") is Unrecognized  # a Rejected tried again later
    assert issubclass(Unrecognized, Rejected)


def test_a_rule_written_unnormalized_is_refused_when_the_table_is_built() -> None:
    with pytest.raises(ValueError, match="write the code as"):
        ErrorTable([ErrorRule("E005", Rejected)], normalize=lambda c: c.lstrip("E0"))


@pytest.mark.parametrize("module", [shopee, lazada, tiktok], ids=["shopee", "lazada", "tiktok"])
def test_every_adapter_uses_the_shared_table(module: object) -> None:
    table = module.ERROR_TABLE  # type: ignore[attr-defined]
    assert isinstance(table, ErrorTable)
    for rule in table:
        assert table.error_class(rule.code, f"x {rule.fragment} x") is rule.cls


def test_the_adapters_tables_keep_their_meanings() -> None:
    assert shopee.error_class("error_busi_whatever", "") is SkippableItem
    assert shopee.error_class("error_server", "Too many requests") is not Retryable
    assert lazada.error_class("E901").__name__ == "RateLimited"
    assert tiktok.error_class(12059999) is SkippableItem
    assert tiktok.error_class(99999999) is Unrecognized
