"""Per-tenant data keys: each tenant's secrets are sealed under its own key, wrapped by
the master key (issue 13). A database copied without the master key exposes no secret;
a row moved to another tenant or account never decrypts; rotating one tenant's key
leaves the others working, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syncd import catalog, credentials, sync
from syncd.adapter import Credentials
from syncd.catalog import Tenant
from syncd.models import ChannelIn
from syncd.store import Store
from tests.conftest import Cli, connect_channel, expect_error
from tests.contract.harness_shopee import ShopeeHarness


@dataclass
class Shop:
    tenant: Tenant
    account: int
    canaries: tuple[str, ...]


def _tokens(tag: str) -> Credentials:
    later = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    return Credentials(f"ACCESS-{tag}-{secrets.token_hex(8)}", f"REFRESH-{tag}-x", later, later)


def _shop(store: Store, vault: credentials.Vault, name: str, shop_id: str) -> Shop:
    tenant = catalog.add_tenant(store, name)
    ch = catalog.add_channel(
        store, tenant.id, ChannelIn(name="shopee", marketplace="shopee", shop_id=shop_id)
    )
    app_secret = f"APPKEY-{name}-{secrets.token_hex(8)}"
    tokens = _tokens(name)
    credentials.save(store, vault, tenant.id, ch.id, app={"partner_key": app_secret})
    credentials.save(store, vault, tenant.id, ch.id, tokens=tokens)
    return Shop(tenant, ch.id, (app_secret, tokens.access_token, tokens.refresh_token))


def _add_target(store: Store, vault: credentials.Vault, tenant_id: int, url: str) -> int:
    """A notification target the way the notify module keeps one (blob = the sealed URL)."""
    with store.write():
        cur = store.conn.execute(
            "INSERT INTO notify_target (tenant_id, label, blob, created_at) "
            "VALUES (?, 'hp', x'', '2030-01-01T00:00:00+00:00')",
            (tenant_id,),
        )
        target = int(cur.lastrowid or 0)
        blob = credentials.seal_for(store, vault, tenant_id, f"notify:{target}", {"url": url})
        store.conn.execute("UPDATE notify_target SET blob = ? WHERE id = ?", (blob, target))
    return target


def _target_url(store: Store, vault: credentials.Vault, tenant_id: int, target: int) -> str:
    blob = store.scalar("SELECT blob FROM notify_target WHERE id = ?", (target,))
    data = credentials.open_for(store, vault, tenant_id, f"notify:{target}", bytes(blob))
    return str(data["url"])


def _blob(store: Store, account: int) -> bytes:
    return bytes(
        store.scalar("SELECT blob FROM credential WHERE channel_account_id = ?", (account,))
    )


def _key_row(store: Store, tenant_id: int) -> tuple[bytes, int]:
    row = store.one("SELECT wrapped, generation FROM tenant_key WHERE tenant_id = ?", (tenant_id,))
    assert row is not None
    return bytes(row["wrapped"]), int(row["generation"])


def _rows(store: Store, tenant_id: int) -> list[tuple[object, ...]]:
    """Every sealed row of a tenant, exactly as stored."""
    return [
        tuple(r)
        for sql in (
            "SELECT * FROM credential WHERE tenant_id = ? ORDER BY channel_account_id",
            "SELECT * FROM notify_target WHERE tenant_id = ? ORDER BY id",
            "SELECT * FROM tenant_key WHERE tenant_id = ?",
        )
        for r in store.conn.execute(sql, (tenant_id,))
    ]


@dataclass
class Two:
    store: Store
    vault: credentials.Vault
    a: Shop
    b: Shop
    target_a: int
    target_b: int
    url_a: str
    url_b: str


@pytest.fixture
def two(db_path: Path) -> Iterator[Two]:
    store = Store(db_path)
    vault = credentials.Vault(credentials.load_key(db_path))
    a = _shop(store, vault, "Toko A", "111")
    b = _shop(store, vault, "Toko B", "222")
    url_a = f"tgram://CANARYBOTA{secrets.token_hex(6)}/123"
    url_b = f"mailto://CANARYMAILB{secrets.token_hex(6)}@example.com"
    target_a = _add_target(store, vault, a.tenant.id, url_a)
    target_b = _add_target(store, vault, b.tenant.id, url_b)
    try:
        yield Two(store, vault, a, b, target_a, target_b, url_a, url_b)
    finally:
        store.close()


def test_each_tenant_has_its_own_key_and_blobs_are_version_2(two: Two) -> None:
    store = two.store
    wrapped_a, gen_a = _key_row(store, two.a.tenant.id)
    wrapped_b, gen_b = _key_row(store, two.b.tenant.id)
    assert (gen_a, gen_b) == (1, 1)
    assert wrapped_a != wrapped_b
    for shop in (two.a, two.b):
        blob = _blob(store, shop.account)
        assert blob[:1] == b"\x02"
        assert int.from_bytes(blob[1:5], "big") == 1
        sealed = credentials.load(store, two.vault, shop.tenant.id, shop.account)
        assert sealed.tokens is not None
        assert (sealed.app["partner_key"], sealed.tokens.access_token) == shop.canaries[:2]
        assert sealed.generation == 2  # two saves
    assert _target_url(store, two.vault, two.a.tenant.id, two.target_a) == two.url_a
    assert _target_url(store, two.vault, two.b.tenant.id, two.target_b) == two.url_b
    # the unwrapped keys never show
    assert repr(two.vault) == "Vault(***)"
    assert not hasattr(two.vault, "__dict__")


def test_seal_for_only_inside_a_write_transaction(two: Two) -> None:
    with pytest.raises(RuntimeError, match=r"store\.write"):
        credentials.seal_for(two.store, two.vault, two.a.tenant.id, "notify:9", {"url": "x"})


def test_a_copied_database_without_the_master_key_exposes_nothing(
    two: Two, db_path: Path, tmp_path: Path
) -> None:
    canaries = [*two.a.canaries, *two.b.canaries, two.url_a, two.url_b]
    two.store.close()
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    key_text = db_path.with_name(db_path.name + ".key").read_bytes()
    for canary in canaries:
        assert canary.encode() not in raw.replace(key_text, b"")
    # the copy, somewhere without the key file
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    copy = elsewhere / "stolen.db"
    shutil.copyfile(db_path, copy)
    assert copy.read_bytes().count(b"CANARY") == 0
    with expect_error("secrets.key_missing"):
        credentials.load_key(copy, create=False)
    with expect_error("secrets.key_lost"):  # and syncd never makes a new key for it
        credentials.load_key(copy)
    assert not copy.with_name(copy.name + ".key").exists()
    # a guessed (any other) master key opens nothing
    wrong = credentials.Vault(AESGCM.generate_key(bit_length=256))
    store = Store(copy)
    try:
        for shop in (two.a, two.b):
            with expect_error("secrets.unreadable"):
                credentials.load(store, wrong, shop.tenant.id, shop.account)
        with expect_error("secrets.unreadable"):
            _target_url(store, wrong, two.a.tenant.id, two.target_a)
        conn = sqlite3.connect(copy)
        try:
            assert credentials.key_opens(conn, credentials.load_key(db_path)) is True
            assert credentials.key_opens(conn, AESGCM.generate_key(bit_length=256)) is False
        finally:
            conn.close()
        # with the right key the copy opens: it is the same data, only the key was missing
        right = credentials.Vault(credentials.load_key(db_path))
        sealed = credentials.load(store, right, two.a.tenant.id, two.a.account)
        assert sealed.app["partner_key"] == two.a.canaries[0]
    finally:
        store.close()


def test_rows_moved_to_another_tenant_or_account_never_decrypt(two: Two) -> None:
    store, a, b = two.store, two.a, two.b
    blob_a, blob_b = _blob(store, a.account), _blob(store, b.account)
    fresh = credentials.Vault(credentials.load_key(store.path))

    def put(account: int, blob: bytes) -> None:
        with store.write():
            store.conn.execute(
                "UPDATE credential SET blob = ? WHERE channel_account_id = ?", (blob, account)
            )

    # A's blob in B's row: B's key, B's tenant in the associated data
    put(b.account, blob_a)
    for vault in (two.vault, fresh):
        with expect_error("secrets.unreadable"):
            credentials.load(store, vault, b.tenant.id, b.account)
    put(b.account, blob_b)
    assert (
        credentials.load(store, fresh, b.tenant.id, b.account).app["partner_key"] == (b.canaries[0])
    )
    # A's blob on another account of A: the label is part of the associated data
    other = catalog.add_channel(
        store, a.tenant.id, ChannelIn(name="shopee2", marketplace="shopee", shop_id="333")
    )
    credentials.save(store, two.vault, a.tenant.id, other.id, app={"partner_key": "p"})
    put(other.id, blob_a)
    with expect_error("secrets.unreadable"):
        credentials.load(store, fresh, a.tenant.id, other.id)
    # A notification target's blob used as a credential, and the reverse
    target_blob = bytes(
        store.scalar("SELECT blob FROM notify_target WHERE id = ?", (two.target_a,))
    )
    with expect_error("secrets.unreadable"):
        credentials.open_for(store, fresh, a.tenant.id, f"account:{a.account}", target_blob)
    with expect_error("secrets.unreadable"):
        credentials.open_for(store, fresh, a.tenant.id, f"notify:{two.target_a}", blob_a)
    # A's wrapped key swapped into B's key row (and A's blob with it): the key is bound to A
    wrapped_a, _ = _key_row(store, a.tenant.id)
    wrapped_b, _ = _key_row(store, b.tenant.id)
    with store.write():
        store.conn.execute(
            "UPDATE tenant_key SET wrapped = ? WHERE tenant_id = ?", (wrapped_a, b.tenant.id)
        )
    for vault in (two.vault, fresh, credentials.Vault(credentials.load_key(store.path))):
        with expect_error("secrets.unreadable"):  # B's own blob: another key now
            credentials.load(store, vault, b.tenant.id, b.account)
        put(b.account, blob_a)
        with expect_error("secrets.unreadable"):  # A's key and A's blob, both under B
            credentials.load(store, vault, b.tenant.id, b.account)
        put(b.account, blob_b)
        with expect_error("secrets.unreadable"):
            _target_url(store, vault, b.tenant.id, two.target_b)
    # the wrapping itself is bound to the tenant and the generation, not only the blobs
    for tenant_id, generation in ((b.tenant.id, 1), (a.tenant.id, 2)):
        with expect_error("secrets.tenant_key_unreadable"):
            credentials.Vault(credentials.load_key(store.path))._unwrap(
                tenant_id, generation, wrapped_a
            )
    with store.write():
        store.conn.execute(
            "UPDATE tenant_key SET wrapped = ? WHERE tenant_id = ?", (wrapped_b, b.tenant.id)
        )
    assert credentials.load(store, two.vault, b.tenant.id, b.account).tokens is not None
    # a blob whose generation header was changed
    forged = blob_a[:1] + (2).to_bytes(4, "big") + blob_a[5:]
    with expect_error("secrets.unreadable"):
        credentials.open_for(store, fresh, a.tenant.id, f"account:{a.account}", forged)
    # saving over the tampered account is refused, not a silent overwrite with empty secrets
    put(b.account, blob_a)
    with expect_error("secrets.unreadable"):
        credentials.save(store, two.vault, b.tenant.id, b.account, app={"partner_key": "x"})
    assert _blob(store, b.account) == blob_a


def test_rotating_one_tenant_leaves_the_others_byte_for_byte(two: Two) -> None:
    store, a, b = two.store, two.a, two.b
    before_b = _rows(store, b.tenant.id)
    old_blob_a = _blob(store, a.account)
    old_target_a = bytes(
        store.scalar("SELECT blob FROM notify_target WHERE id = ?", (two.target_a,))
    )
    wrapped_before, _ = _key_row(store, a.tenant.id)
    daemon_store = Store(store.path)  # another process's connection and vault, caches warm
    daemon_vault = credentials.Vault(credentials.load_key(store.path))
    try:
        credentials.load(daemon_store, daemon_vault, a.tenant.id, a.account)
        done = credentials.rotate(store, two.vault, a.tenant.id)
        assert done == credentials.Rotation(generation=2, resealed=2)  # one channel, one target
        wrapped_after, generation = _key_row(store, a.tenant.id)
        assert generation == 2
        assert wrapped_after != wrapped_before
        assert (
            store.scalar("SELECT COUNT(*) FROM tenant_key WHERE tenant_id = ?", (a.tenant.id,)) == 1
        )
        new_blob_a = _blob(store, a.account)
        assert new_blob_a != old_blob_a
        assert int.from_bytes(new_blob_a[1:5], "big") == 2
        # A still works, for this process and the other one
        for st, vault in ((store, two.vault), (daemon_store, daemon_vault)):
            sealed = credentials.load(st, vault, a.tenant.id, a.account)
            assert sealed.tokens is not None
            assert (sealed.app["partner_key"], sealed.tokens.access_token) == a.canaries[:2]
            assert sealed.generation == 2  # re-sealing is not a token refresh
            assert _target_url(st, vault, a.tenant.id, two.target_a) == two.url_a
        # A's old blobs no longer open, not even for a vault that held the old key
        for vault in (two.vault, daemon_vault):
            with expect_error("secrets.unreadable"):
                credentials.open_for(store, vault, a.tenant.id, f"account:{a.account}", old_blob_a)
            with expect_error("secrets.unreadable"):
                credentials.open_for(
                    store, vault, a.tenant.id, f"notify:{two.target_a}", old_target_a
                )
        # B: every row exactly as it was, and still opening
        assert _rows(store, b.tenant.id) == before_b
        sealed_b = credentials.load(daemon_store, daemon_vault, b.tenant.id, b.account)
        assert sealed_b.app["partner_key"] == b.canaries[0]
        assert _target_url(store, two.vault, b.tenant.id, two.target_b) == two.url_b
        # saving after a rotation seals under the new generation
        credentials.save(daemon_store, daemon_vault, a.tenant.id, a.account, tokens=_tokens("A2"))
        assert int.from_bytes(_blob(store, a.account)[1:5], "big") == 2
        assert credentials.rotate_tenant_key(store, two.vault, a.tenant.id) == 3
    finally:
        daemon_store.close()


def test_a_rotation_that_cannot_open_a_secret_changes_nothing(two: Two) -> None:
    store, a = two.store, two.a
    with store.write():  # A's target now holds B's blob: it will not open under A
        store.conn.execute(
            "UPDATE notify_target SET blob = (SELECT blob FROM notify_target WHERE id = ?) "
            "WHERE id = ?",
            (two.target_b, two.target_a),
        )
    before = _rows(store, a.tenant.id)
    with expect_error("secrets.unreadable"):
        credentials.rotate(store, two.vault, a.tenant.id)
    assert _rows(store, a.tenant.id) == before
    assert not store.conn.in_transaction
    assert credentials.load(store, two.vault, a.tenant.id, a.account).tokens is not None


def _seal_v1(key: bytes, tenant_id: int, account_id: int, data: dict[str, object]) -> bytes:
    """A blob the way syncd sealed it before tenant keys: straight under the master key."""
    nonce = secrets.token_bytes(12)
    plain = json.dumps(data, separators=(",", ":")).encode()
    ad = f"syncd:{tenant_id}:{account_id}".encode()
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plain, ad)


def test_version_1_blobs_still_open_and_are_resealed_on_save(store: Store, db_path: Path) -> None:
    key = credentials.load_key(db_path)
    vault = credentials.Vault(key)
    tenant = catalog.add_tenant(store, "Toko Lama")
    chans = [
        catalog.add_channel(
            store, tenant.id, ChannelIn(name=f"s{n}", marketplace="shopee", shop_id=f"{n}")
        ).id
        for n in (1, 2)
    ]
    with store.write():
        for account in chans:
            blob = _seal_v1(key, tenant.id, account, {"app": {"partner_key": f"OLD{account}"}})
            store.conn.execute(
                "INSERT INTO credential (tenant_id, channel_account_id, blob, generation, "
                "updated_at) VALUES (?, ?, ?, 1, '2024-01-01T00:00:00+00:00')",
                (tenant.id, account, blob),
            )
    conn = sqlite3.connect(db_path)
    try:  # restore's check on a database from before tenant keys
        assert credentials.key_opens(conn, key) is True
        assert credentials.key_opens(conn, AESGCM.generate_key(bit_length=256)) is False
    finally:
        conn.close()
    first, second = chans
    sealed = credentials.load(store, vault, tenant.id, first)
    assert (sealed.app, sealed.tokens, sealed.generation) == (
        {"partner_key": f"OLD{first}"},
        None,
        1,
    )
    assert store.scalar("SELECT COUNT(*) FROM tenant_key") == 0  # reading makes no key
    # a version 1 blob is bound to its account too
    with expect_error("secrets.unreadable"):
        credentials.open_for(store, vault, tenant.id, f"account:{second}", _blob(store, first))
    with expect_error("secrets.unreadable"):
        credentials.open_for(store, vault, tenant.id, "notify:1", _blob(store, first))
    # the next save re-seals it as version 2 under a new tenant key
    credentials.save(store, vault, tenant.id, first, tokens=_tokens("T"))
    blob = _blob(store, first)
    assert blob[:1] == b"\x02"
    assert _key_row(store, tenant.id)[1] == 1
    again = credentials.load(store, credentials.Vault(key), tenant.id, first)
    assert again.app == {"partner_key": f"OLD{first}"}
    assert again.tokens is not None
    assert again.generation == 2
    assert _blob(store, second)[:1] == b"\x01"  # untouched until saved (or rotated)
    # a rotation re-seals the rest
    assert credentials.rotate(store, vault, tenant.id) == credentials.Rotation(2, 2)
    assert _blob(store, second)[:1] == b"\x02"
    assert credentials.load(store, vault, tenant.id, second).app == {"partner_key": f"OLD{second}"}


def test_has_sealed_secrets_counts_tenant_keys(store: Store, db_path: Path) -> None:
    vault = credentials.Vault(credentials.load_key(db_path))
    tenant = catalog.add_tenant(store, "Toko")
    assert not credentials.has_sealed_secrets(db_path)
    _add_target(store, vault, tenant.id, "json://localhost")  # a target only, no channel
    assert credentials.has_sealed_secrets(db_path)


def test_rotate_from_the_command_line(two: Two, cli: Cli) -> None:
    before_b = _rows(two.store, two.b.tenant.id)
    run = cli("--lang", "en", "secrets", "rotate", "--tenant", "Toko A")
    assert run.code == 0, run.err
    assert "Toko A" in run.out
    assert "generation 2" in run.out
    assert "2 secret(s) re-sealed" in run.out
    run = cli("--tenant", "Toko A", "secrets", "rotate")  # the global flag, Indonesian
    assert run.code == 0, run.err
    assert "generasi 3" in run.out
    assert "2 rahasia dikunci ulang" in run.out
    assert _key_row(two.store, two.a.tenant.id)[1] == 3
    assert _rows(two.store, two.b.tenant.id) == before_b
    sealed = credentials.load(two.store, two.vault, two.a.tenant.id, two.a.account)
    assert sealed.app["partner_key"] == two.a.canaries[0]
    run = cli("--lang", "en", "secrets", "rotate")  # two tenants: which one?
    assert run.code != 0
    assert "Toko A" in run.err
    assert "Traceback" not in run.err
    run = cli("--lang", "en", "secrets", "rotate", "--tenant", "Nobody")
    assert run.code != 0
    assert "Traceback" not in run.err


def test_a_connected_shop_keeps_working_after_its_tenant_key_rotates(
    store: Store, db_path: Path
) -> None:
    harness = ShopeeHarness()
    harness.start()
    try:
        tenant = catalog.add_tenant(store, "Toko Nyata")
        other = catalog.add_tenant(store, "Toko Lain")
        harness.seed()
        ch, tokens = connect_channel(
            store,
            tenant.id,
            ChannelIn(name="shopee", marketplace="shopee", shop_id=harness.shop_id),
            settings={**harness.settings(), "max_attempts": 2, "timeout": 2.0},
            secret=harness.secrets()["partner_key"],
            authorize=harness.authorize,
        )
        vault = credentials.Vault(credentials.load_key(db_path))
        off = catalog.add_channel(
            store, other.id, ChannelIn(name="s", marketplace="shopee", shop_id="9")
        )
        credentials.save(store, vault, other.id, off.id, app={"partner_key": "lain"})
        before_other = _rows(store, other.id)
        assert credentials.rotate_tenant_key(store, vault, tenant.id) == 2
        assert _rows(store, other.id) == before_other
        account = sync.load_account(store, ch.id)
        assert account is not None
        rt = sync.build_runtime(store, credentials.Vault(credentials.load_key(db_path)), account)
        assert rt.adapter is not None
        try:
            assert rt.tokens is not None
            assert rt.tokens.access_token == tokens.access_token
            assert list(rt.adapter.discover())  # the shop answers with the re-sealed secrets
        finally:
            rt.adapter.close()
        raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
        for secret in (tokens.access_token, tokens.refresh_token, harness.secrets()["partner_key"]):
            assert secret.encode() not in raw.replace(
                db_path.with_name(db_path.name + ".key").read_bytes(), b""
            )
    finally:
        harness.stop()
