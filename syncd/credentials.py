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

Each tenant's secrets are sealed under its own data key (32 random bytes), kept in
``tenant_key`` wrapped by the master key (AES-GCM, associated data
``syncd:tenant-key:<tenant>:<generation>``) and made inside the write transaction of the
tenant's first seal. A sealed blob (version 2) is ``b"\x02" + generation (4 bytes, big
endian) + nonce (12) + ciphertext``, its associated data ``syncd:<tenant>:<label>`` (a
channel account's label is ``account:<id>``, a notification target's ``notify:<id>``),
so a row copied to another account or another tenant never decrypts, and a database
copied without the master key opens nothing. ``rotate_tenant_key`` gives a tenant a new
data key and re-seals all its secrets in one transaction; other tenants are untouched,
and blobs sealed under the old key no longer open. Version 1 blobs (sealed directly under
the master key, associated data ``syncd:<tenant>:<account>``, by databases from before
tenant keys) still open; the next save re-seals them as version 2.

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
from collections.abc import Iterator
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
    "Rotation",
    "Sealed",
    "Vault",
    "key_opens",
    "key_source",
    "load",
    "load_key",
    "new_key_file",
    "open_for",
    "rotate",
    "rotate_tenant_key",
    "save",
    "seal_for",
]

_V1: Final = b"\x01"  # sealed directly under the master key (databases before tenant keys)
_V2: Final = b"\x02"  # sealed under the tenant's data key
_HEAD: Final = 1 + 4 + 12  # version, key generation, nonce
_ACCOUNT: Final = "account:"


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
    """True when the database holds a sealed channel secret or a tenant data key (read-only
    look): a new master key could open neither."""
    if not db_path.is_file():
        return False
    uri = f"file:{quote(str(db_path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return any(_has_rows(conn, table) for table in ("credential", "tenant_key"))
    finally:
        conn.close()


def _has_rows(conn: sqlite3.Connection, table: str) -> bool:
    try:
        return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # a database from before the table existed
            return False
        raise  # cannot tell: never guess "no secrets" and make a key


def key_opens(conn: sqlite3.Connection, key: bytes) -> bool:
    """Whether the master ``key`` opens the sealed secrets of the database on ``conn``
    (one tenant's data key, or one version 1 blob, is enough to tell); True when
    nothing is sealed. For restore's check of a backup's key; reads only."""
    vault = Vault(key)
    if _has_rows(conn, "tenant_key"):
        tenant_id, generation, wrapped = conn.execute(
            "SELECT tenant_id, generation, wrapped FROM tenant_key LIMIT 1"
        ).fetchone()
        try:
            vault._unwrap(int(tenant_id), int(generation), bytes(wrapped))
        except UserError:
            return False
        return True
    if not _has_rows(conn, "credential"):
        return True
    row = conn.execute(
        "SELECT tenant_id, channel_account_id, blob FROM credential LIMIT 1"
    ).fetchone()
    try:
        vault.open(int(row[0]), int(row[1]), bytes(row[2]))
    except UserError:
        return False  # a version 2 blob without its tenant key opens with no key either
    return True


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
    """The master key, and the tenants' data keys it has unwrapped (never shown).

    ``seal_for``/``open_for`` seal and open with a tenant's data key; ``open`` opens a
    version 1 blob (sealed directly under the master key).
    """

    __slots__ = ("_keys", "_master")

    def __init__(self, key: bytes) -> None:
        self._master = AESGCM(key)
        #: (tenant, generation) -> (wrapped as stored, the unwrapped key)
        self._keys: dict[tuple[int, int], tuple[bytes, AESGCM]] = {}

    def __repr__(self) -> str:
        return "Vault(***)"

    @staticmethod
    def _ad(tenant_id: int, account_id: int) -> bytes:
        return f"syncd:{tenant_id}:{account_id}".encode()

    def open(self, tenant_id: int, account_id: int, blob: bytes) -> dict[str, Any]:
        """A version 1 blob's secrets (``open_for`` opens both versions)."""
        if blob[:1] != _V1:
            raise UserError("secrets.unreadable", account=account_id)
        try:
            plain = self._master.decrypt(blob[1:13], blob[13:], self._ad(tenant_id, account_id))
        except InvalidTag:
            raise UserError("secrets.unreadable", account=account_id) from None
        data: dict[str, Any] = json.loads(plain)
        return data

    @staticmethod
    def _wrap_ad(tenant_id: int, generation: int) -> bytes:
        return f"syncd:tenant-key:{tenant_id}:{generation}".encode()

    def _new_key(self, tenant_id: int, generation: int) -> bytes:
        """A fresh data key for ``tenant_id``, wrapped (it is cached as well)."""
        key = AESGCM.generate_key(bit_length=256)
        nonce = secrets.token_bytes(12)
        wrapped = nonce + self._master.encrypt(nonce, key, self._wrap_ad(tenant_id, generation))
        self._keys[(tenant_id, generation)] = (wrapped, AESGCM(key))
        return wrapped

    def _unwrap(self, tenant_id: int, generation: int, wrapped: bytes) -> AESGCM:
        cached = self._keys.get((tenant_id, generation))
        if cached is not None and secrets.compare_digest(cached[0], wrapped):
            return cached[1]
        try:
            ad = self._wrap_ad(tenant_id, generation)
            key = self._master.decrypt(wrapped[:12], wrapped[12:], ad)
        except InvalidTag:
            raise UserError("secrets.tenant_key_unreadable", tenant=tenant_id) from None
        aead = AESGCM(key)
        self._keys[(tenant_id, generation)] = (wrapped, aead)
        return aead

    def _forget(self, tenant_id: int) -> None:
        for cached in [k for k in self._keys if k[0] == tenant_id]:
            del self._keys[cached]


def _key_row(store: Store, tenant_id: int) -> tuple[bytes, int] | None:
    row = store.conn.execute(
        "SELECT wrapped, generation FROM tenant_key WHERE tenant_id = ?", (tenant_id,)
    ).fetchone()
    return None if row is None else (bytes(row[0]), int(row[1]))


def _what(label: str) -> object:
    """How the unreadable message names the secret: a channel by its account id."""
    tail = label.removeprefix(_ACCOUNT)
    return int(tail) if tail != label and tail.isdigit() else label


def _label_ad(tenant_id: int, label: str) -> bytes:
    return f"syncd:{tenant_id}:{label}".encode()


def _seal(aead: AESGCM, generation: int, tenant_id: int, label: str, data: dict[str, Any]) -> bytes:
    nonce = secrets.token_bytes(12)
    plain = json.dumps(data, separators=(",", ":")).encode()
    head = _V2 + generation.to_bytes(4, "big") + nonce
    return head + aead.encrypt(nonce, plain, _label_ad(tenant_id, label))


def seal_for(store: Store, vault: Vault, tenant_id: int, label: str, data: dict[str, Any]) -> bytes:
    """``data`` sealed under the tenant's data key, bound to ``label`` (version 2 blob).

    Call inside ``store.write()``: the tenant's first seal makes its key in that
    transaction, so two writers never make two keys.
    """
    if not store.conn.in_transaction:
        raise RuntimeError("seal_for runs inside store.write()")
    found = _key_row(store, tenant_id)
    if found is None:
        generation = 1
        store.conn.execute(
            "INSERT INTO tenant_key (tenant_id, wrapped, generation, created_at) "
            "VALUES (?, ?, ?, ?)",
            (tenant_id, vault._new_key(tenant_id, generation), generation, now()),
        )
        found = _key_row(store, tenant_id)
        assert found is not None  # noqa: S101 - written just above, same transaction
    wrapped, generation = found
    aead = vault._unwrap(tenant_id, generation, wrapped)
    return _seal(aead, generation, tenant_id, label, data)


def open_for(store: Store, vault: Vault, tenant_id: int, label: str, blob: bytes) -> dict[str, Any]:
    """The secrets of a blob sealed by ``seal_for`` (or a version 1 account blob).

    Raises ``UserError("secrets.unreadable")`` for a wrong master key, a blob of another
    tenant or label, one sealed under a key since rotated away, or damaged data. Read the
    blob and call this in one read transaction when a rotation may run meanwhile.
    """
    return _open(vault, tenant_id, label, blob, _key_row(store, tenant_id))


def _open(
    vault: Vault, tenant_id: int, label: str, blob: bytes, key: tuple[bytes, int] | None
) -> dict[str, Any]:
    if blob[:1] == _V1:
        tail = label.removeprefix(_ACCOUNT)
        if tail == label or not tail.isdigit():
            raise UserError("secrets.unreadable", account=label)  # only accounts had version 1
        return vault.open(tenant_id, int(tail), blob)
    unreadable = UserError("secrets.unreadable", account=_what(label))
    if blob[:1] != _V2 or len(blob) < _HEAD + 16 or key is None:
        raise unreadable
    wrapped, generation = key
    if int.from_bytes(blob[1:5], "big") != generation:
        raise unreadable  # sealed under a key since rotated away (or not this tenant's)
    try:
        aead = vault._unwrap(tenant_id, generation, wrapped)
        plain = aead.decrypt(blob[5:_HEAD], blob[_HEAD:], _label_ad(tenant_id, label))
    except (InvalidTag, UserError):
        raise unreadable from None
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
    row = store.conn.execute(  # one statement: the blob and its key from one snapshot
        "SELECT c.blob, c.generation, k.wrapped, k.generation FROM credential c "
        "LEFT JOIN tenant_key k ON k.tenant_id = c.tenant_id "
        "WHERE c.tenant_id = ? AND c.channel_account_id = ?",
        (tenant_id, account_id),
    ).fetchone()
    if row is None:
        return Sealed({}, None, 0)
    key = None if row[2] is None else (bytes(row[2]), int(row[3]))
    data = _open(vault, tenant_id, f"{_ACCOUNT}{account_id}", bytes(row[0]), key)
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
    with _transaction(store):
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
                seal_for(store, vault, tenant_id, f"{_ACCOUNT}{account_id}", data),
                generation,
                _ts(new_tokens.access_expires_at) if new_tokens else None,
                _ts(new_tokens.refresh_expires_at) if new_tokens else None,
                _ts(new_tokens.auth_expires_at) if new_tokens else None,
                now(),
            ),
        )
    return generation


@contextlib.contextmanager
def _transaction(store: Store) -> Iterator[None]:
    """The caller's write transaction, or one of our own (``store.write()`` does not nest)."""
    if store.conn.in_transaction:
        yield
        return
    with store.write():
        yield


@dataclass(frozen=True, slots=True)
class Rotation:
    """What ``rotate`` did: the tenant's new key generation, how many secrets it re-sealed."""

    generation: int
    resealed: int


def rotate(store: Store, vault: Vault, tenant_id: int) -> Rotation:
    """Give the tenant a new data key and re-seal every secret of that tenant under it
    (channel credentials and notification targets), in one write transaction (the
    caller's, or one of its own). The old key row is replaced, so blobs sealed under it
    no longer open; other tenants' keys and rows are not touched. A secret that does not
    open stops the rotation with nothing changed."""
    with _transaction(store):
        found = _key_row(store, tenant_id)
        rows = [  # (table, id column, id, label, blob)
            ("credential", "channel_account_id", int(r[0]), f"{_ACCOUNT}{r[0]}", bytes(r[1]))
            for r in store.conn.execute(
                "SELECT channel_account_id, blob FROM credential WHERE tenant_id = ? "
                "ORDER BY channel_account_id",
                (tenant_id,),
            )
        ]
        rows += [
            ("notify_target", "id", int(r[0]), f"notify:{r[0]}", bytes(r[1]))
            for r in store.conn.execute(
                "SELECT id, blob FROM notify_target WHERE tenant_id = ? ORDER BY id", (tenant_id,)
            )
        ]
        opened = [
            (table, column, ident, label, _open(vault, tenant_id, label, blob, found))
            for table, column, ident, label, blob in rows
        ]
        generation = 1 if found is None else found[1] + 1
        vault._forget(tenant_id)
        wrapped = vault._new_key(tenant_id, generation)
        store.conn.execute(
            "INSERT INTO tenant_key (tenant_id, wrapped, generation, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
            "wrapped = excluded.wrapped, generation = excluded.generation, "
            "created_at = excluded.created_at",
            (tenant_id, wrapped, generation, now()),
        )
        aead = vault._unwrap(tenant_id, generation, wrapped)
        for table, column, ident, label, data in opened:
            store.conn.execute(
                f"UPDATE {table} SET blob = ? WHERE {column} = ? AND tenant_id = ?",
                (_seal(aead, generation, tenant_id, label, data), ident, tenant_id),
            )
    return Rotation(generation, len(opened))


def rotate_tenant_key(store: Store, vault: Vault, tenant_id: int) -> int:
    """``rotate``, returning the tenant's new key generation."""
    return rotate(store, vault, tenant_id).generation


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
