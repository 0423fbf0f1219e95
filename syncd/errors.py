"""Every error syncd raises, in one place; the class says what to do about it.

``UserError`` is for the seller or operator: its text comes from the message
catalogue (Indonesian by default) and names the place and the fix. Everything
else is a bug or an environment problem and is logged in English.
"""

from __future__ import annotations

from syncd.i18n import t

__all__ = [
    "AdapterError",
    "AlreadyApplied",
    "CircuitOpen",
    "IdempotencyConflict",
    "ImportFailed",
    "InsufficientStock",
    "MalformedResponse",
    "NeedsReauth",
    "NotFound",
    "RateLimited",
    "RefreshAuth",
    "Rejected",
    "Retryable",
    "SchemaTooNew",
    "SkippableItem",
    "StoreBusy",
    "SyncdError",
    "UserError",
]


class SyncdError(Exception):
    """Root of syncd's own exceptions."""


class UserError(SyncdError):
    """Something the seller or operator can fix; rendered from the catalogue.

    The message is rendered lazily so the language chosen on the command line
    applies even to errors raised before it was parsed.
    """

    key: str = "error.generic"

    def __init__(self, key: str | None = None, /, **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key)

    def __str__(self) -> str:
        return t(self.key, **self.params)


class NotFound(UserError):
    """A named thing (tenant, SKU, channel) does not exist."""


class InsufficientStock(UserError):
    """A sale or deduction would take stock below zero available."""

    key = "ledger.insufficient"


class IdempotencyConflict(UserError):
    """The same idempotency key was used for a different movement."""

    key = "ledger.idem_conflict"


class SchemaTooNew(UserError):
    """The database was written by a newer syncd than this one."""

    key = "store.too_new"


class StoreBusy(UserError):
    """Another process holds the writer lock for longer than we wait."""

    key = "store.busy"


class ImportFailed(UserError):
    """A product file, its header or some rows were bad; nothing was applied.

    ``report`` lists the problems. The key says which case it was, so the advice
    fits: ``--skip-bad`` is offered only when there are good rows to apply.
    """

    key = "import.failed"

    def __init__(self, key: str | None = None, /, *, report: object, **params: object) -> None:
        super().__init__(key, **params)
        self.report = report

    def __str__(self) -> str:
        """Rendered when shown, so the row count and column names follow the language."""
        from syncd.importer import known_columns  # noqa: PLC0415 - the importer imports us

        params = dict(self.params)
        bad = params.get("rows")
        if isinstance(bad, int):
            params["rows"] = t("import.rows.one") if bad == 1 else t("import.rows.many", count=bad)
        return t(self.key, **{"known": known_columns(), **params})


class AlreadyApplied(SyncdError):
    """Internal signal: a movement with this idempotency key already exists."""


# -- marketplace adapters ---------------------------------------------------------
#
# The class says what to do. Each adapter maps HTTP statuses *and* error codes in
# 200 bodies to exactly one of these, in one table (adapters/<name>/errors.py).
# Messages hold the marketplace's code and text, never a token, key or signed URL.


class AdapterError(SyncdError):
    """A marketplace call failed. ``code`` is the marketplace's own error code."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class Retryable(AdapterError):
    """Transient: retry with backoff (5xx, timeouts, "system busy")."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class RateLimited(Retryable):
    """Throttled: wait as long as the marketplace says (Retry-After), then retry."""


class MalformedResponse(Retryable):
    """The answer was not the JSON we expect: recorded, retried, never fatal to the daemon."""


class RefreshAuth(AdapterError):
    """The access token expired or was refused: refresh it once, then retry once."""


class NeedsReauth(AdapterError):
    """The shop must authorize syncd again: pause the account and tell the seller."""


class Rejected(AdapterError):
    """The marketplace refused this request for good (bad parameter, signature): record it."""


class SkippableItem(AdapterError):
    """One item failed (e.g. locked by a promotion); the rest of the batch stands."""


class CircuitOpen(AdapterError):
    """Calls to this channel account are paused after repeated failures."""
