"""Secrets at rest: shop tokens and app keys, sealed with AES-GCM per channel account.

Where the master key is: one rule, the same for the CLI and the systemd service
(``key_source``), first found wins:

1. ``SYNCD_MASTER_KEY``: the key itself (base64url of 32 bytes), for containers and tests;
2. ``$CREDENTIALS_DIRECTORY/syncd-master-key``: the service's copy of the key file,
   given by systemd's ``LoadCredential=syncd-master-key:/etc/syncd/master.key``;
3. ``master_key = "PATH"`` in the config file (``--config``, ``SYNCD_CONFIG``, ...);
4. ``<database>.key`` beside the database.

So ``syncd --config /etc/syncd/syncd.toml ...`` run as the service user reads the
file the unit hands to the service. When the config names a key file and another
source wins (1 or 2), both must hold the same key, or syncd refuses: two processes
on one database never use two keys. A key file is created (0600) only where the
rule lands on a missing file AND the database holds no sealed secrets yet; a key
created beside a database whose channels were sealed with another key could never
open them, so that is refused with a message that says how to point at the key.

Each blob is bound to its tenant and account through AES-GCM associated data, so a
row copied to another account does not decrypt.

A shop's secrets live in one blob: ``{"app": {...app keys...}, "tokens": {...}}``.
``generation`` increases with every save; the single-flight refresh compares it
to know whether another worker already refreshed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syncd.adapter import LEGACY_SECRET, Credentials
from syncd.catalog import now
from syncd.errors import UserError
from syncd.store import Store

__all__ = [
    "KEY_CREDENTIAL",
    "KEY_ENV",
    "KeySource",
    "Sealed",
    "Vault",
    "key_source",
    "load",
    "load_key",
    "new_key_file",
    "save",
]

_VERSION = b"\x01"


KEY_ENV: Final = "SYNCD_MASTER_KEY"
KEY_CREDENTIAL: Final = "syncd-master-key"


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where the master key comes from: ``path`` is None for the environment variable."""

    where: str
    path: Path | None


def key_source(db_path: Path, configured: Path | None = None) -> KeySource:
    """Apply the rule of the module docstring (nothing is read or created here)."""
    if os.environ.get(KEY_ENV):
        return KeySource(KEY_ENV, None)
    if cred_dir := os.environ.get("CREDENTIALS_DIRECTORY"):
        path = Path(cred_dir) / KEY_CREDENTIAL
        if path.is_file():
            return KeySource(str(path), path)
    path = configured if configured is not None else db_path.with_name(db_path.name + ".key")
    return KeySource(str(path), path)


def load_key(db_path: Path, configured: Path | None = None, *, create: bool = True) -> bytes:
    """The master key for the database at ``db_path``.

    ``configured``: the config file's ``master_key`` (Settings.master_key). A missing key
    file is created only when ``create`` and the database has no sealed secrets yet.
    """
    source = key_source(db_path, configured)
    if source.path is None:
        key = _decode(os.environ[KEY_ENV], KEY_ENV)
    else:
        if not source.path.exists() and not source.path.is_symlink():
            if not create:
                raise UserError("secrets.key_missing", path=source.where)
            if has_sealed_secrets(db_path):
                # a new key could never open what the old one sealed
                raise UserError("secrets.key_lost", path=source.where, db=str(db_path))
            with contextlib.suppress(FileExistsError):  # another process made it just now
                new_key_file(source.path)
        key = _read(source.path)
    if configured is not None and source.path != configured:
        _agrees_with(key, source, configured)
    return key


def new_key_file(path: Path) -> None:
    """Write a fresh random master key to ``path`` (0600); never overwrites a file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")


def has_sealed_secrets(db_path: Path) -> bool:
    """True when the database holds at least one sealed channel secret (read-only look)."""
    if not db_path.is_file():
        return False
    uri = f"file:{quote(str(db_path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return conn.execute("SELECT 1 FROM credential LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # a database from before channels existed
            return False
        raise  # cannot tell: never guess "no secrets" and make a key
    finally:
        conn.close()


def _read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except (PermissionError, IsADirectoryError, FileNotFoundError):
        raise UserError("secrets.key_unreadable", path=str(path)) from None
    return _decode(text.strip(), str(path))


def _agrees_with(key: bytes, source: KeySource, configured: Path) -> None:
    """The config names a key file but another source won: both must be the same key."""
    try:
        text = configured.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return  # not visible to this process (e.g. root-only, given to the service by systemd)
    other = _decode(text, str(configured))
    if not secrets.compare_digest(key, other):
        raise UserError("secrets.key_mismatch", used=source.where, configured=str(configured))


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text)
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise UserError("secrets.bad_key", where=where)
    return key


class Vault:
    """Seals and opens per-account secret blobs."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "Vault(***)"

    @staticmethod
    def _ad(tenant_id: int, account_id: int) -> bytes:
        return f"syncd:{tenant_id}:{account_id}".encode()

    def seal(self, tenant_id: int, account_id: int, data: dict[str, Any]) -> bytes:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(data, separators=(",", ":")).encode()
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, self._ad(tenant_id, account_id))

    def open(self, tenant_id: int, account_id: int, blob: bytes) -> dict[str, Any]:
        if blob[:1] != _VERSION:
            raise UserError("secrets.unreadable", account=account_id)
        try:
            plain = self._aead.decrypt(blob[1:13], blob[13:], self._ad(tenant_id, account_id))
        except InvalidTag:
            raise UserError("secrets.unreadable", account=account_id) from None
        data: dict[str, Any] = json.loads(plain)
        return data


@dataclass(slots=True)
class Sealed:
    """An account's opened secrets."""

    app: dict[str, str]
    tokens: Credentials | None
    generation: int

    def __repr__(self) -> str:
        return f"Sealed(app=***, tokens={'***' if self.tokens else None}, gen={self.generation})"


def _ts(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _creds_to_dict(c: Credentials) -> dict[str, Any]:
    return {
        "access_token": c.access_token,
        "refresh_token": c.refresh_token,
        "access_expires_at": _ts(c.access_expires_at),
        "refresh_expires_at": _ts(c.refresh_expires_at),
        "auth_expires_at": _ts(c.auth_expires_at),
        "extra": c.extra,
    }


def _creds_from_dict(d: dict[str, Any]) -> Credentials:
    def when(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(d[key]) if d.get(key) else None

    access = when("access_expires_at")
    assert access is not None  # noqa: S101 - always written by _creds_to_dict
    return Credentials(
        d["access_token"],
        d["refresh_token"],
        access,
        when("refresh_expires_at"),
        when("auth_expires_at"),
        d.get("extra", {}),
    )


def load(store: Store, vault: Vault, tenant_id: int, account_id: int) -> Sealed:
    """An account's app keys and tokens (empty when none were saved)."""
    row = store.conn.execute(
        "SELECT blob, generation FROM credential WHERE tenant_id = ? AND channel_account_id = ?",
        (tenant_id, account_id),
    ).fetchone()
    if row is None:
        return Sealed({}, None, 0)
    data = vault.open(tenant_id, account_id, bytes(row[0]))
    tokens = _creds_from_dict(data["tokens"]) if data.get("tokens") else None
    _register(data.get("app", {}), tokens)
    return Sealed(dict(data.get("app", {})), tokens, int(row[1]))


def _register(app: dict[str, str], tokens: Credentials | None) -> None:
    """Every secret we hold is masked wherever it might be printed."""
    from syncd.log import REGISTRY  # noqa: PLC0415

    for value in app.values():
        REGISTRY.add(str(value))
    if tokens is not None:
        REGISTRY.add(tokens.access_token)
        REGISTRY.add(tokens.refresh_token)


def save(
    store: Store,
    vault: Vault,
    tenant_id: int,
    account_id: int,
    *,
    app: dict[str, str] | None = None,
    tokens: Credentials | None = None,
) -> int:
    """Replace an account's app keys and/or tokens; return the new generation.

    Runs in its own write transaction unless one is open; the caller that refreshes a
    single-use token saves the new pair before using it.
    """
    with store.writer_lock():
        own = not store.conn.in_transaction
        if own:
            store.conn.execute("BEGIN IMMEDIATE")
        try:
            current = load(store, vault, tenant_id, account_id)
            new_app = current.app if app is None else app
            new_tokens = current.tokens if tokens is None else tokens
            data = {"app": new_app, "tokens": _creds_to_dict(new_tokens) if new_tokens else None}
            _register(new_app, new_tokens)
            generation = current.generation + 1
            store.conn.execute(
                "INSERT INTO credential (tenant_id, channel_account_id, blob, generation, "
                "access_expires_at, refresh_expires_at, auth_expires_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_account_id) DO UPDATE SET "
                "blob = excluded.blob, generation = excluded.generation, "
                "access_expires_at = excluded.access_expires_at, "
                "refresh_expires_at = excluded.refresh_expires_at, "
                "auth_expires_at = excluded.auth_expires_at, updated_at = excluded.updated_at",
                (
                    tenant_id,
                    account_id,
                    vault.seal(tenant_id, account_id, data),
                    generation,
                    _ts(new_tokens.access_expires_at) if new_tokens else None,
                    _ts(new_tokens.refresh_expires_at) if new_tokens else None,
                    _ts(new_tokens.auth_expires_at) if new_tokens else None,
                    now(),
                ),
            )
        except BaseException:
            if own:
                store.conn.execute("ROLLBACK")
            raise
        if own:
            store.conn.execute("COMMIT")
    return generation


def secret_name(marketplace: str) -> str:
    """The name the marketplace's adapter reads its app secret by (``secret_names[0]``)."""
    from adapters import load  # noqa: PLC0415

    names: tuple[str, ...] = getattr(load(marketplace), "secret_names", ()) or (LEGACY_SECRET,)
    return names[0]


def has_secret(app: dict[str, str], name: str) -> bool:
    """Whether ``app`` holds the secret ``name`` (or its copy under the legacy name)."""
    return bool(app.get(name) or app.get(LEGACY_SECRET))


def with_secret(app: dict[str, str], name: str, value: str) -> dict[str, str]:
    """``app`` with the secret ``name`` set to ``value``; an old copy stored under the
    legacy name goes, so it can never shadow the new one."""
    kept = {k: v for k, v in app.items() if k not in (name, LEGACY_SECRET)}
    return {**kept, name: value}
