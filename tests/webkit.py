"""What the web app's tests share: a cooperative of two members with their users, the
app over it, and a signed-in client per role.

``Coop`` holds two tenants whose every id is distinct and recognisable (SKU codes,
names, channel names, order ids, logins carry the member's mark ``SRI``/``BUDI``), so a
test can look for the other member's marks in any page body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from syncd import catalog, inventory, users
from syncd.catalog import Tenant
from syncd.config import Settings
from syncd.models import ChannelIn, MovementIn, SkuIn
from syncd.store import Store

PASSWORD = "kue-nastar-enak-2026"  # noqa: S105 - the test users' password
ROLES = ("owner", "staff", "cashier")


@dataclass
class Member:
    tenant: Tenant
    mark: str
    skus: list[str]
    channel: str
    logins: dict[str, str] = field(default_factory=dict)
    order_id: str = ""

    @property
    def secrets_in_page(self) -> list[str]:
        """Strings that must never appear in a page served to another member."""
        return [*self.skus, self.channel, *self.logins.values(), self.tenant.name, self.order_id]


@dataclass
class Coop:
    db_path: Path
    store: Store
    sri: Member
    budi: Member
    operator: str = "op.koperasi"

    def members(self) -> tuple[Member, Member]:
        return self.sri, self.budi


def build_coop(db_path: Path) -> Coop:
    store = Store(db_path)
    coop_members = []
    for name, mark in (("Dapur Bu Sri", "SRI"), ("Kopi Pak Budi", "BUDI")):
        tenant = catalog.add_tenant(store, name)
        codes = [f"{mark}-NASTAR", f"{mark}-KASTENGEL", f"{mark}-PUTRI"]
        with store.write():
            for i, code in enumerate(codes):
                catalog.upsert_sku(
                    store,
                    tenant.id,
                    SkuIn(sku=code, name=f"Kue {mark} {i}", price=25_000 + 5_000 * i),
                )
        inventory.record(
            store,
            tenant.id,
            [
                MovementIn(sku=c, kind="receipt", qty=10, key=f"in-{c}", source="cli", actor="t")
                for c in codes
            ],
        )
        channel = f"shopee-{mark.lower()}"
        catalog.add_channel(
            store, tenant.id, ChannelIn(name=channel, marketplace="shopee", shop_id=f"{mark}1")
        )
        member = Member(tenant, mark, codes, channel)
        for role in ROLES:
            login = f"{role}.{mark.lower()}"
            users.add_user(store, login, PASSWORD, tenant_id=tenant.id, role=role, actor="test")
            member.logins[role] = login
        coop_members.append(member)
    users.add_user(store, "op.koperasi", PASSWORD, operator=True, actor="test")
    return Coop(db_path, store, coop_members[0], coop_members[1])


def app_for(coop: Coop, settings: Settings | None = None) -> Any:
    from syncd.web.app import create_app

    return create_app(coop.db_path, settings or Settings())


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf" value="([^"]+)"', html
    )
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    page = client.get("/login")
    assert page.status_code == 200
    answer = client.post(
        "/login",
        data={"login": login, "password": password, "csrf": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    landing = client.get(answer.headers["location"])
    return csrf_of(landing.text)


def client_for(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


_TEMPLATE: dict[str, Path] = {}


def copy_coop(db_path: Path) -> Coop:
    """``build_coop`` made once per test process and copied: hashing seven passwords with
    argon2 costs seconds, copying a small database costs milliseconds."""
    import shutil
    import tempfile

    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="syncd-coop-"))
        built = build_coop(folder / "coop.db")
        built.store.close()
        _TEMPLATE["db"] = folder / "coop.db"
    source = _TEMPLATE["db"]
    for suffix in ("", ".key"):
        extra = source.with_name(source.name + suffix)
        if extra.exists():
            shutil.copy(extra, db_path.with_name(db_path.name + suffix))
    store = Store(db_path)
    sri, budi = (catalog.resolve_tenant(store, n) for n in ("Dapur Bu Sri", "Kopi Pak Budi"))
    members = []
    for tenant, mark in ((sri, "SRI"), (budi, "BUDI")):
        m = Member(
            tenant,
            mark,
            [f"{mark}-NASTAR", f"{mark}-KASTENGEL", f"{mark}-PUTRI"],
            f"shopee-{mark.lower()}",
        )
        m.logins = {role: f"{role}.{mark.lower()}" for role in ROLES}
        members.append(m)
    return Coop(db_path, store, members[0], members[1])
