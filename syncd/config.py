"""The config file: one validated, immutable model; every error shown at once.

Where the file is: ``--config PATH``, else ``SYNCD_CONFIG``, else
``./syncd.toml``, else ``~/.config/syncd/syncd.toml`` (a missing default file
is fine: every setting has a default or comes from the command line).

Relative paths in the file (``database``, ``master_key``) are relative to the file
itself, so ``syncd --config /etc/syncd/syncd.toml`` means the same database and the
same master key from any directory, for the CLI and for the systemd service alike.
Where the master key is found is decided in one place: ``syncd.credentials.key_source``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from syncd.errors import UserError

__all__ = [
    "NotifySettings",
    "Settings",
    "WebSettings",
    "config_path",
    "database_path",
    "load_settings",
]


class WebSettings(BaseModel):
    """``[web]``: the cooperative's web app (``syncd web``, ``syncd run --web``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: where it listens; 127.0.0.1 unless a reverse proxy with TLS sits in front
    bind: str = "127.0.0.1:8750"
    #: the address members open (links in notifications); default http://<bind>
    public_url: str | None = None
    #: cookies marked Secure and HSTS sent: set true behind a TLS reverse proxy
    behind_tls: bool = False
    #: a signed-in session ends after this many idle hours (and after 7 days in any case)
    session_hours: int = Field(default=12, ge=1, le=24 * 7)
    #: /metrics asks for ``Authorization: Bearer <token>`` when this is set
    metrics_token: str | None = Field(default=None, min_length=16, repr=False)


class NotifySettings(BaseModel):
    """``[notify]``: when members are told (targets are added with ``syncd notify add``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: a channel failing for longer than this is announced
    failing_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: the hour (seller's time zone) of the daily digest
    digest_hour: int = Field(default=7, ge=0, le=23)
    #: at most this many messages per member per hour; the rest wait for the digest
    per_hour: int = Field(default=6, ge=1, le=100)


class Settings(BaseModel):
    """Everything ``syncd.toml`` may say (see config/syncd.example.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database: Path | None = None
    lang: Literal["id", "en"] | None = None
    tenant: str | None = Field(default=None, min_length=1)
    actor: str | None = Field(default=None, min_length=1, max_length=64)
    #: the seller's time zone: every time shown and typed is in it (IANA name)
    timezone: str = "Asia/Jakarta"
    #: the master key file that seals channel secrets (default: ``<database>.key``)
    master_key: Path | None = None
    #: days events and the push log are kept (``syncd events prune``, daily in the daemon)
    retention_days: int = Field(default=90, ge=1, le=3650)
    web: WebSettings = WebSettings()
    notify: NotifySettings = NotifySettings()


def config_path(explicit: str | None = None) -> Path | None:
    """The config file to read, or None when there is none."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("SYNCD_CONFIG"):
        return Path(env)
    for candidate in (Path("syncd.toml"), Path.home() / ".config" / "syncd" / "syncd.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(path: Path | None) -> Settings:
    """Read and validate the config file; a bad file names every problem."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("config.bad", path=str(path), problem="file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError("config.bad", path=str(path), problem=str(exc)) from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise UserError("config.bad", path=str(path), problem=problems) from None
    # relative paths are relative to the config file, not to the cwd
    update: dict[str, Path] = {}
    for name in ("database", "master_key"):
        value = getattr(settings, name)
        if isinstance(value, Path):
            full = value.expanduser()
            update[name] = full if full.is_absolute() else path.parent / full
    return settings.model_copy(update=update)


def database_path(cli_db: str | None, settings: Settings, config: Path | None) -> Path:
    """``--db``, else ``SYNCD_DB``, else the config file's ``database``."""
    if cli_db:
        return Path(cli_db)
    if env := os.environ.get("SYNCD_DB"):
        return Path(env)
    if settings.database is not None:
        return settings.database
    raise UserError("store.no_db", config=str(config) if config else "syncd.toml")
