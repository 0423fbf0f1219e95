"""Every error syncd raises, in one place; the class says what to do about it.

``UserError`` is for the seller or operator: its text comes from the message
catalogue (Indonesian by default) and names the place and the fix. Everything
else is a bug or an environment problem and is logged in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from syncd.i18n import t

__all__ = [
    "AdapterError",
    "AlreadyApplied",
    "CircuitOpen",
    "ErrorRule",
    "ErrorTable",
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
    "Unrecognized",
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

    def __init__(
        self,
        key: str | None = None,
        /,
        *,
        report: object,
        known: Callable[[], str] = lambda: "",
        **params: object,
    ) -> None:
        super().__init__(key, **params)
        self.report = report
        self.known = known  # the importer's known columns, named in the language shown

    def __str__(self) -> str:
        """Rendered when shown, so the row count and column names follow the language."""
        known_columns = self.known
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


class Unrecognized(Rejected):
    """A refusal with a code the adapter's error table does not name (one the marketplace
    added, or a spoiled answer): not retried within the call, but a value it refused is
    tried again at the next syncs (up to ``outbox.park_after`` times) before it is parked."""


class SkippableItem(AdapterError):
    """One item failed (e.g. locked by a promotion); the rest of the batch stands."""


class CircuitOpen(AdapterError):
    """Calls to this channel account are paused after repeated failures."""


# -- marketplace error tables ------------------------------------------------------


class ErrorRule:
    """One row of a marketplace's error table: its ``code`` (and, when one code covers
    several causes, a lowercase ``fragment`` of the message) → what syncd does (``cls``),
    with a short ``name`` for the log (``"106001:sign_invalid"``)."""

    __slots__ = ("cls", "code", "fragment", "name")

    def __init__(
        self, code: str | int, cls: type[AdapterError], fragment: str = "", name: str = ""
    ) -> None:
        self.code = str(code)
        self.cls = cls
        self.fragment = fragment.lower()
        self.name = name

    def __repr__(self) -> str:
        return f"ErrorRule({self.code!r}, {self.cls.__name__}, {self.fragment!r}, {self.name!r})"


class ErrorTable:
    """A marketplace's error codes → error classes: every adapter's table has this one shape
    and lookup. The first rule whose code matches (after ``normalize``: ``E005`` → ``5``)
    and whose fragment is in the message wins; a code no rule names falls to the first of
    ``families`` (code prefix → class) it starts with, else to ``unknown`` (Unrecognized:
    a Rejected that the outbox tries again a few times, never within the call)."""

    def __init__(
        self,
        rules: list[ErrorRule],
        *,
        normalize: Callable[[str], str] = str.strip,
        families: Mapping[str, type[AdapterError]] | None = None,
        unknown: type[AdapterError] | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.normalize = normalize
        self.families = dict(families or {})
        self.unknown = unknown or Unrecognized
        for rule in self.rules:
            if normalize(rule.code) != rule.code:
                raise ValueError(f"error rule {rule!r}: write the code as {normalize(rule.code)!r}")

    def __iter__(self) -> Iterator[ErrorRule]:
        return iter(self.rules)

    def rule(self, code: str | int, message: str = "") -> ErrorRule | None:
        """The rule for this code and message, or None when the table has none."""
        key, low = self.normalize(str(code)), message.lower()
        for rule in self.rules:
            if rule.code == key and rule.fragment in low:
                return rule
        return None

    def error_class(self, code: str | int, message: str = "") -> type[AdapterError]:
        """What syncd does about this code and message."""
        found = self.rule(code, message)
        if found is not None:
            return found.cls
        key = self.normalize(str(code))
        for prefix, cls in self.families.items():
            if key.startswith(prefix):
                return cls
        return self.unknown

    def label(self, code: str | int, message: str = "") -> str:
        """``"<code>:<name>"`` for a named rule, else the code as sent."""
        found = self.rule(code, message)
        return f"{code}:{found.name}" if found is not None and found.name else str(code)

    def error(
        self,
        code: str,
        message: str,
        *,
        source: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> AdapterError:
        """The error to raise for ``code``: its class, a message naming ``source``, the
        rule and the marketplace's text (at most 500 characters), and for the retryable
        classes the wait the marketplace asked for."""
        cls = self.error_class(code, message)
        text = f"{source}: {self.label(code, message)}: {message}"[:500]
        if issubclass(cls, Retryable):
            return cls(text, code=code, status=status, retry_after=retry_after)
        return cls(text, code=code, status=status)
