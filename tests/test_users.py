"""Web users: argon2id hashes, the same refusal for every wrong sign-in, throttling,
sessions (rotation, idle expiry, the 7-day cap, the sliding refresh), roles per tenant,
the change log, and ``syncd user …``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
import statistics
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from syncd import audit, catalog, users
from syncd.catalog import Tenant
from syncd.errors import UserError
from syncd.i18n import set_lang, t
from syncd.store import Store
from tests.conftest import Cli, expect_error

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PHRASE = "nastar enak sekali"  # the one good password of these tests
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def shops(store: Store) -> tuple[Tenant, Tenant]:
    return catalog.add_tenant(store, "Dapur Bu Sri"), catalog.add_tenant(store, "Kopi Pak Joko")


@pytest.fixture
def sri(store: Store, shops: tuple[Tenant, Tenant]) -> users.User:
    return users.add_user(
        store, "Sri", PHRASE, tenant_id=shops[0].id, role="owner", actor="operator"
    )


def _refused(
    store: Store, login: str, password: str, *, address: str = "10.0.0.1", at: dt.datetime = T0
) -> str:
    """Sign in and expect a refusal; its catalogue key."""
    with pytest.raises(UserError) as info:
        users.authenticate(store, login, password, address=address, at=at)
    return info.value.key


# -- passwords and hashes --------------------------------------------------------------


def test_the_hash_is_argon2id_and_the_password_is_nowhere_in_the_file(
    db_path: Path, tmp_path: Path
) -> None:
    words = "kue lebaran 2026 paling laris"
    with Store(db_path) as store:
        tenant = catalog.add_tenant(store, "Dapur Bu Sri")
        user = users.add_user(
            store, "sri", words, tenant_id=tenant.id, role="owner", actor="operator"
        )
        stored = store.scalar("SELECT password_hash FROM web_user WHERE id = ?", (user.id,))
        token, session = users.open_session(store, user, tenant.id, hours=8)
        assert words not in repr(user)
        assert stored not in repr(user)
        assert session.csrf not in repr(session)
        assert session.token_hash not in repr(session)
    assert stored.startswith("$argon2id$v=19$")
    assert PasswordHasher().verify(stored, words)
    files = [p for p in tmp_path.iterdir() if p.name.startswith(db_path.name)]
    data = b"".join(p.read_bytes() for p in files if p.is_file())  # the store is closed
    assert words.encode() not in data
    assert token.encode() not in data  # only the token's SHA-256 is kept
    assert hashlib.sha256(token.encode()).hexdigest().encode() in data


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "users.password_short"),
        ("pendek", "users.password_short"),
        ("123456789012", "users.password_digits"),
        ("sri.dapur.1", "users.password_login"),
        ("x" * 1025, "users.password_long"),
        ("nastar enak", None),
        ("1234567890a", None),
    ],
)
def test_weak_passwords_are_named(password: str, problem: str | None) -> None:
    assert users.min_password_problem(password, "Sri.Dapur.1") == problem
    if problem:
        assert t(problem, minimum=10, maximum=1024)  # the key exists and renders


def test_logins_are_checked_and_unique_whatever_the_case(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    assert sri.login == "sri"
    assert not sri.operator
    assert sri.lang == "id"
    assert not sri.disabled
    for bad in ("sr", "sri dapur", "sri@dapur", "x" * 65, "Śri"):
        with expect_error("users.bad_login"):
            users.add_user(store, bad, PHRASE, operator=True, actor="op")
    with expect_error("users.exists"):
        users.add_user(store, "SRI", PHRASE, tenant_id=shops[1].id, role="staff", actor="op")
    with expect_error("users.password_short"):
        users.add_user(store, "joko", "pendek", tenant_id=shops[1].id, role="staff", actor="op")
    with expect_error("users.no_role"):
        users.add_user(store, "joko", PHRASE, actor="op")
    with expect_error("users.bad_role"):
        users.add_user(store, "joko", PHRASE, tenant_id=shops[1].id, role="boss", actor="op")
    with expect_error("users.no_tenant"):
        users.add_user(store, "joko", PHRASE, tenant_id=999, role="staff", actor="op")
    assert users.find_user(store, " SRI ") == sri
    assert users.get_user(store, sri.id) == sri
    assert users.find_user(store, "joko") is None


def test_a_hash_made_with_weaker_parameters_is_replaced_at_sign_in(
    store: Store, sri: users.User
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PHRASE)
    with store.write():
        store.conn.execute("UPDATE web_user SET password_hash = ? WHERE id = ?", (weak, sri.id))
    assert users.authenticate(store, "sri", PHRASE, address="10.0.0.1", at=T0) == sri
    now = store.scalar("SELECT password_hash FROM web_user WHERE id = ?", (sri.id,))
    assert now != weak
    assert not PasswordHasher().check_needs_rehash(now)
    assert PasswordHasher().verify(now, PHRASE)


# -- signing in --------------------------------------------------------------------


def test_unknown_login_wrong_password_and_disabled_user_are_refused_alike(
    store: Store, sri: users.User
) -> None:
    assert users.authenticate(store, "SRI", PHRASE, address="10.0.0.1", at=T0) == sri
    texts = set()
    for login, password in (("sri", "salah sekali ya"), ("nobody", PHRASE)):
        assert _refused(store, login, password) == "users.login_refused"
        with pytest.raises(UserError) as info:
            users.authenticate(store, login, password, address="10.0.0.1", at=T0)
        texts.add(str(info.value))
    users.set_disabled(store, "sri", True, actor="op")
    assert _refused(store, "sri", PHRASE) == "users.login_refused"  # right password, disabled
    assert len(texts) == 1  # the very same words
    users.set_disabled(store, "sri", False, actor="op")
    assert users.authenticate(store, "sri", PHRASE, address="10.0.0.2", at=T0) == sri


def test_an_unknown_login_costs_a_hash_verification_like_a_wrong_password(
    store: Store, sri: users.User
) -> None:
    def took(login: str) -> float:
        runs = []
        for n in range(3):
            start = time.perf_counter()
            _refused(store, login, "salah sekali ya", address=f"10.0.1.{n}")
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    _refused(store, "warm-up", "salah sekali ya", address="10.0.2.1")
    wrong, unknown = took("sri"), took("nobody")
    assert 0.2 < unknown / wrong < 5, (wrong, unknown)  # without the dummy: ~1/100


def test_five_failures_throttle_a_login_for_15_minutes(store: Store, sri: users.User) -> None:
    for n in range(5):
        assert _refused(store, "sri", "salah sekali ya", at=T0 + n * MINUTE) == (
            "users.login_refused"
        )
    # from any address, even with the right password, without looking at it
    later = T0 + 5 * MINUTE
    for address in ("10.0.0.1", "10.9.9.9"):
        with pytest.raises(UserError) as info:
            users.authenticate(store, "SRI", PHRASE, address=address, at=later)
        assert info.value.key == "users.throttled"
        assert info.value.params == {"minutes": 10}  # the first failure ages out at T0+15'
    assert store.scalar("SELECT COUNT(*) FROM login_failure") == 5  # refusals are not failures
    # another login from the same address is not held up
    assert _refused(store, "joko", "salah sekali ya", at=later) == "users.login_refused"
    # 15 minutes after the first failure only four are left in the window
    assert users.authenticate(store, "sri", PHRASE, address="10.0.0.1", at=T0 + 15 * MINUTE)
    assert store.scalar("SELECT COUNT(*) FROM login_failure WHERE login = 'sri'") == 0


def test_twenty_failures_throttle_an_address(store: Store, sri: users.User) -> None:
    # sixteen failures as sign-ins leave them (each real one costs an argon2 verification),
    # then four real ones: a different login every time, never five for one login
    with store.write():
        store.conn.executemany(
            "INSERT INTO login_failure (login, address, at) VALUES (?, '10.0.0.1', ?)",
            [(f"tamu{n}", users._iso(T0 + n * dt.timedelta(seconds=10))) for n in range(16)],
        )
    for n in range(16, 20):
        at = T0 + n * dt.timedelta(seconds=10)
        assert _refused(store, f"tamu{n}", "salah sekali ya", at=at) == "users.login_refused"
    assert store.scalar("SELECT COUNT(*) FROM login_failure WHERE address = '10.0.0.1'") == 20
    later = T0 + 4 * MINUTE
    assert _refused(store, "sri", PHRASE, at=later) == "users.throttled"
    assert users.authenticate(store, "sri", PHRASE, address="10.0.0.2", at=later) == sri
    almost = T0 + 15 * MINUTE - dt.timedelta(seconds=1)
    assert _refused(store, "sri", PHRASE, at=almost) == "users.throttled"
    # the first failure has aged out: 19 left
    assert users.authenticate(store, "sri", PHRASE, address="10.0.0.1", at=T0 + 15 * MINUTE)


# -- sessions ------------------------------------------------------------------


def test_every_sign_in_gets_a_new_token_and_a_planted_one_never_opens(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    planted = secrets.token_urlsafe(32)  # what an attacker set in the victim's browser
    assert users.find_session(store, planted, hours=8, at=T0) is None
    user = users.authenticate(store, "sri", PHRASE, address="10.0.0.1", at=T0)
    first, one = users.open_session(store, user, shops[0].id, hours=8, at=T0)
    second, two = users.open_session(store, user, shops[0].id, hours=8, at=T0)
    assert len({planted, first, second}) == 3
    assert one.csrf != two.csrf
    assert users.find_session(store, planted, hours=8, at=T0) is None
    found = users.find_session(store, first, hours=8, at=T0)
    assert found == one
    assert found.role == "owner"
    assert found.tenant_id == shops[0].id
    assert one.token_hash == hashlib.sha256(first.encode()).hexdigest()
    users.close_session(store, first)
    assert users.find_session(store, first, hours=8, at=T0) is None
    assert users.find_session(store, second, hours=8, at=T0) == two
    users.close_session(store, "never issued")  # no error
    assert users.find_session(store, "", hours=8, at=T0) is None


def test_a_session_ends_after_the_idle_hours_and_slides_while_used(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    token, opened = users.open_session(store, sri, shops[0].id, hours=2, at=T0)
    assert opened.expires_at == "2026-03-02T10:00:00.000+00:00"
    assert users.find_session(store, token, hours=2, at=T0 + 119 * MINUTE) is not None
    # used at 1:59, so it lasts until 3:59
    assert users.find_session(store, token, hours=2, at=T0 + 238 * MINUTE) is not None
    idle, _ = users.open_session(store, sri, shops[0].id, hours=2, at=T0)
    assert users.find_session(store, idle, hours=2, at=T0 + 120 * MINUTE) is None


def test_a_session_ends_seven_days_after_sign_in_however_busy(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    token, _ = users.open_session(store, sri, shops[0].id, hours=24, at=T0)
    cap = T0 + dt.timedelta(days=7)
    for n in range(9):  # every 20 hours: the idle expiry alone would never end it
        seen = users.find_session(store, token, hours=24, at=T0 + n * dt.timedelta(hours=20))
        assert seen is not None
        assert dt.datetime.fromisoformat(seen.expires_at) <= cap
    assert users.find_session(store, token, hours=24, at=cap - MINUTE) is not None
    assert users.find_session(store, token, hours=24, at=cap) is None


def test_the_sliding_expiry_is_written_at_most_every_five_minutes_and_a_view_is_one_select(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    token, _ = users.open_session(store, sri, shops[0].id, hours=8, at=T0)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        changes = store.conn.total_changes
        for second in range(0, 299, 13):  # many page views within five minutes
            users.find_session(store, token, hours=8, at=T0 + dt.timedelta(seconds=second))
        assert store.conn.total_changes == changes
        assert len(statements) == len(range(0, 299, 13))  # one statement per view
        assert all(s.lstrip().startswith("SELECT") for s in statements)
        seen = users.find_session(store, token, hours=8, at=T0 + 5 * MINUTE)
        assert store.conn.total_changes == changes + 1
        assert seen is not None
        assert seen.expires_at == "2026-03-02T16:05:00.000+00:00"
        for second in range(1, 299, 29):
            at = T0 + 5 * MINUTE + dt.timedelta(seconds=second)
            users.find_session(store, token, hours=8, at=at)
        assert store.conn.total_changes == changes + 1
    finally:
        store.conn.set_trace_callback(None)
    row = store.one("SELECT seen_at, expires_at FROM web_session")
    assert row is not None
    assert (row["seen_at"], row["expires_at"]) == (
        "2026-03-02T08:05:00.000+00:00",
        "2026-03-02T16:05:00.000+00:00",
    )


def test_disabling_removing_revoking_and_a_new_password_end_sessions(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    a, b = shops
    users.grant(store, "sri", b.id, "cashier", actor="op")

    def opened(tenant: Tenant) -> str:
        return users.open_session(store, sri, tenant.id, hours=8, at=T0)[0]

    def alive(token: str) -> bool:
        return users.find_session(store, token, hours=8, at=T0 + MINUTE) is not None

    in_a, in_b = opened(a), opened(b)
    users.revoke(store, "sri", b.id, actor="op")
    assert alive(in_a)
    assert not alive(in_b)
    with expect_error("users.not_member"):
        users.revoke(store, "sri", b.id, actor="op")
    users.grant(store, "sri", b.id, "cashier", actor="op")
    assert not alive(in_b)  # ended, not revived by the new role
    users.set_disabled(store, "sri", True, actor="op")
    assert not alive(in_a)
    users.set_disabled(store, "sri", False, actor="op")
    assert not alive(in_a)  # ended, not just hidden
    token = opened(a)
    users.set_password(store, "sri", "kopi tubruk pahit", actor="op")
    assert not alive(token)
    assert _refused(store, "sri", PHRASE) == "users.login_refused"
    assert users.authenticate(store, "sri", "kopi tubruk pahit", address="10.0.0.2", at=T0)
    token = opened(a)
    users.remove_user(store, "sri", actor="op")
    assert not alive(token)
    assert users.find_user(store, "sri") is None
    assert store.scalar("SELECT COUNT(*) FROM membership") == 0
    assert store.scalar("SELECT COUNT(*) FROM web_session") == 0
    with expect_error("users.unknown"):
        users.set_password(store, "sri", "kopi tubruk pahit", actor="op")


def test_a_session_serves_only_the_users_tenants_and_an_operator_any(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    a, b = shops
    with expect_error("users.no_access"):
        users.open_session(store, sri, b.id, hours=8, at=T0)
    with expect_error("users.no_access"):  # an id that is no tenant: the same words
        users.open_session(store, sri, 999, hours=8, at=T0)
    token, _ = users.open_session(store, sri, None, hours=8, at=T0)
    assert users.switch_tenant(store, token, a.id, at=T0).role == "owner"
    with expect_error("users.no_access"):
        users.switch_tenant(store, token, b.id, at=T0)
    users.grant(store, "sri", b.id, "staff", actor="op")
    moved = users.switch_tenant(store, token, b.id, at=T0)
    assert (moved.tenant_id, moved.role) == (b.id, "staff")
    found = users.find_session(store, token, hours=8, at=T0)
    assert found is not None
    assert (found.tenant_id, found.role) == (b.id, "staff")
    users.grant(store, "sri", b.id, "cashier", actor="op")  # a changed role shows at once
    found = users.find_session(store, token, hours=8, at=T0)
    assert found is not None
    assert found.role == "cashier"
    with expect_error("users.session_gone"):
        users.switch_tenant(store, "never issued", a.id, at=T0)

    boss = users.add_user(store, "ketua", PHRASE, operator=True, actor="op")
    token, session = users.open_session(store, boss, b.id, hours=8, at=T0)
    assert session.role is None
    assert session.user.operator
    assert users.switch_tenant(store, token, a.id, at=T0).role is None
    with expect_error("users.no_access"):
        users.switch_tenant(store, token, 999, at=T0)


def test_prune_deletes_expired_sessions_and_old_failures(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    old, _ = users.open_session(store, sri, shops[0].id, hours=1, at=T0)
    new, _ = users.open_session(store, sri, shops[0].id, hours=1, at=T0 + dt.timedelta(days=1))
    _refused(store, "sri", "salah sekali ya", at=T0)
    _refused(store, "sri", "salah sekali ya", at=T0 + dt.timedelta(hours=23))
    assert users.prune_sessions(store, at=T0 + dt.timedelta(days=1, minutes=1)) == 2
    assert store.scalar("SELECT COUNT(*) FROM web_session") == 1
    assert store.scalar("SELECT COUNT(*) FROM login_failure") == 1
    assert users.find_session(store, new, hours=1, at=T0 + dt.timedelta(days=1, minutes=1))
    assert users.find_session(store, old, hours=1, at=T0) is None


# -- roles and the change log -----------------------------------------------------


def test_lists_roles_and_the_change_log(
    store: Store, shops: tuple[Tenant, Tenant], sri: users.User
) -> None:
    a, b = shops
    joko = users.add_user(store, "joko", PHRASE, tenant_id=b.id, role="owner", actor="op")
    users.grant(store, "sri", b.id, "cashier", actor="joko")
    boss = users.add_user(store, "ketua", PHRASE, operator=True, actor="op")
    assert users.memberships(store, sri.id) == [
        users.Membership(a.id, "Dapur Bu Sri", "owner"),
        users.Membership(b.id, "Kopi Pak Joko", "cashier"),
    ]
    everyone = users.list_users(store)
    assert [(u.login, [m.role for m in ms]) for u, ms in everyone] == [
        ("joko", ["owner"]),
        ("ketua", []),
        ("sri", ["owner", "cashier"]),
    ]
    # a tenant's list says nothing of other tenants
    mine = [(sri, [users.Membership(a.id, "Dapur Bu Sri", "owner")])]
    assert users.list_users(store, a.id) == mine
    assert [u.login for u, _ in users.list_users(store, b.id)] == ["joko", "sri"]
    assert users.get_user(store, boss.id) == boss
    assert boss.operator
    users.set_user_lang(store, joko.id, "en")
    assert users.find_user(store, "joko") == users.User(joko.id, "joko", False, "en", False)

    users.revoke(store, "sri", b.id, actor="joko")
    users.set_password(store, "sri", "kopi tubruk pahit", actor="sri")
    users.remove_user(store, "ketua", actor="op")
    changes = [
        (r["actor"], r["subject"], r["old"], r["new"])
        for r in audit.history(store, b.id)
        if r["what"] == "user"
    ]
    assert changes == [
        ("op", "joko", None, "owner"),
        ("joko", "sri", None, "cashier"),
        ("op", "ketua", None, "operator"),
        ("joko", "sri", "cashier", None),
        ("op", "ketua", "operator", None),
    ]
    in_a = [(r["subject"], r["old"], r["new"]) for r in audit.history(store, a.id)]
    assert ("sri", "password", "new password") in in_a
    assert PHRASE not in str(in_a)
    assert "kopi tubruk" not in str(in_a)


# -- the command line ------------------------------------------------------------


@pytest.fixture
def coop(cli: Cli) -> Cli:
    for args in (["init"], ["tenant", "add", "Dapur Bu Sri"], ["tenant", "add", "Kopi Pak Joko"]):
        assert cli(*args).code == 0
    return cli


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Lines the next commands read on standard input (not a terminal)."""
    lines: list[str] = []

    class Feed(io.StringIO):
        def readline(self, size: int | None = -1) -> str:
            return lines.pop(0) if lines else ""

    monkeypatch.setattr("sys.stdin", Feed())
    return lines


def test_user_add_list_passwd_remove(coop: Cli, stdin: list[str], db_path: Path) -> None:
    stdin.append(PHRASE + "\n")
    done = coop("--tenant", "Dapur Bu Sri", "user", "add", "Sri", "--role", "owner",
                "--password-stdin")  # fmt: skip
    assert done.code == 0, done.err
    assert "sri" in done.out
    assert "pemilik di Dapur Bu Sri" in done.out
    stdin.append("kopi tubruk pahit\r\n")
    assert coop("user", "add", "ketua", "--operator", "--password-stdin").code == 0
    stdin.append(PHRASE + "\n")
    done = coop("--tenant", "Kopi Pak Joko", "user", "add", "joko", "--role", "staff",
                "--password-stdin")  # fmt: skip
    assert done.code == 0, done.err

    shown = coop("--tenant", "Dapur Bu Sri", "user", "list")
    assert shown.code == 0
    assert "sri" in shown.out
    assert "pemilik" in shown.out
    assert "joko" not in shown.out
    assert "ketua" not in shown.out
    every = coop("--lang", "en", "user", "list", "--all")
    assert "cooperative operator" in every.out
    assert "staff with Kopi Pak Joko" in every.out
    assert "owner with Dapur Bu Sri" in every.out

    with Store.open_existing(db_path) as store:
        sri = users.authenticate(store, "sri", PHRASE, address="127.0.0.1", at=T0)
        users.authenticate(store, "ketua", "kopi tubruk pahit", address="127.0.0.1", at=T0)
        token, _ = users.open_session(store, sri, None, hours=8, at=T0)

    stdin.append("ganti sandi baru\n")
    done = coop("user", "passwd", "SRI", "--password-stdin")
    assert done.code == 0
    assert "diganti" in done.out
    with Store.open_existing(db_path) as store:
        assert users.find_session(store, token, hours=8, at=T0) is None
        assert users.authenticate(store, "sri", "ganti sandi baru", address="127.0.0.1", at=T0)

    done = coop("--tenant", "Kopi Pak Joko", "user", "grant", "sri", "--role", "cashier")
    assert done.code == 0
    assert "kasir di penjual Kopi Pak Joko" in done.out
    assert "sri" in coop("--tenant", "Kopi Pak Joko", "user", "list").out
    assert coop("--tenant", "Kopi Pak Joko", "user", "revoke", "sri").code == 0
    assert "sri" not in coop("--tenant", "Kopi Pak Joko", "user", "list").out
    assert coop("user", "disable", "joko").code == 0
    assert "nonaktif" in coop("--tenant", "Kopi Pak Joko", "user", "list").out
    assert coop("user", "enable", "joko").code == 0

    done = coop("user", "remove", "sri")
    assert done.code == 0
    assert "dihapus" in done.out
    assert "sri" not in coop("user", "list", "--all").out
    gone = coop("user", "remove", "sri")
    assert gone.code == 1
    assert "Tidak ada pengguna 'sri'" in gone.err
    history = coop("--lang", "en", "--tenant", "Dapur Bu Sri", "history")
    assert "user" in history.out
    assert "sri" in history.out


def test_user_add_refuses_weak_passwords_and_asks_how_without_a_terminal(
    coop: Cli, stdin: list[str]
) -> None:
    stdin.append("12345678901\n")
    done = coop("--tenant", "Dapur Bu Sri", "user", "add", "sri", "--role", "owner",
                "--password-stdin")  # fmt: skip
    assert done.code == 1
    assert "hanya angka" in done.err
    stdin.append("sri\n")
    done = coop("--lang", "en", "user", "add", "sri", "--operator", "--password-stdin")
    assert done.code == 1
    assert "at least 10 characters" in done.err
    done = coop("user", "add", "sri", "--operator")  # stdin is no terminal, no flag
    assert done.code == 1
    assert "--password-stdin" in done.err
    done = coop("--tenant", "Dapur Bu Sri", "user", "add", "sri", "--role", "boss")
    assert done.code == 1
    assert "owner, staff, cashier" in done.err
    done = coop("user", "add", "sri", "--role", "owner")  # two sellers, none chosen
    assert done.code == 1
    assert "--tenant" in done.err
    assert coop("user", "add", "sri").code == 2  # --role or --operator is required
    assert "Belum ada pengguna" in coop("user", "list", "--all").out
    stdin.append(PHRASE + "\n")
    assert coop("user", "add", "sri", "--operator", "--password-stdin").code == 0
    done = coop("user", "add", "SRI", "--operator")  # refused before asking for a password
    assert done.code == 1
    assert "sudah dipakai" in done.err
    set_lang(None)
