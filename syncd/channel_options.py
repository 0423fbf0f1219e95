"""``channel add`` / ``channel edit`` options, derived from the adapters' settings models.

Nothing here names a marketplace: every option comes from a field of a registered
adapter's ``settings_model`` (``syncd.adapter_settings``), so an adapter installed by
entry point brings its own options, help and validation with it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from syncd.errors import UserError
from syncd.i18n import get_lang, t

__all__ = ["add_options", "check", "flag", "missing", "options", "settings_from"]


@dataclass
class Option:
    """One option of ``channel add``/``edit`` and the marketplaces whose setting it is."""

    name: str  # the setting's key
    help: tuple[str, str] | str
    choices: list[str] | None = None
    marketplaces: list[str] = field(default_factory=list)


def flag(name: str) -> str:
    """``partner_id`` → ``--partner-id``."""
    return "--" + name.replace("_", "-")


def _model(marketplace: str) -> type[BaseModel]:
    from adapters import load  # noqa: PLC0415
    from syncd.adapter_settings import AdapterSettings  # noqa: PLC0415

    model: type[BaseModel] = getattr(load(marketplace), "settings_model", AdapterSettings)
    return model


def options() -> dict[str, Option]:
    """Every non-advanced setting of every installed adapter, by key (shared keys merge)."""
    from adapters import available  # noqa: PLC0415

    found: dict[str, Option] = {}
    for marketplace in sorted(available()):
        try:
            model = _model(marketplace)
        except Exception as exc:  # noqa: BLE001 - a third party's adapter must not stop the CLI
            print(f"syncd: adapter {marketplace!r} cannot be loaded: {exc}", file=sys.stderr)
            continue
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("advanced"):
                continue
            option = found.setdefault(
                name,
                Option(name, extra.get("help", name), extra.get("choices")),  # type: ignore[arg-type]
            )
            option.marketplaces.append(marketplace)
            if option.choices is not None and extra.get("choices") != option.choices:
                option.choices = None  # marketplaces disagree: their models check the value
    return found


def _help(option: Option) -> str:
    text = option.help
    if isinstance(text, tuple | list):
        words = text[0] if get_lang() == "id" else text[1]
    else:
        words = t(text) if text.startswith("help.") else text
    if len(option.marketplaces) == 1:
        return f"{words} ({option.marketplaces[0]})"
    return words


def add_options(parser: argparse.ArgumentParser) -> None:
    """The adapters' settings as options, plus ``--setting KEY=VALUE`` for advanced ones."""
    for option in options().values():
        parser.add_argument(
            flag(option.name),
            dest=f"setting_{option.name}",
            choices=option.choices,
            help=_help(option),
        )
    parser.add_argument("--setting", action="append", metavar="KEY=VALUE", help=t("help.setting"))


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives (no secrets here)."""
    settings: dict[str, Any] = {}
    for key, value in vars(args).items():
        if key.startswith("setting_") and value is not None:
            settings[key.removeprefix("setting_")] = value
    for pair in getattr(args, "setting", None) or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError("bad.setting", value=pair)
        settings[key.strip()] = value.strip()
    return settings


def missing(marketplace: str, settings: dict[str, Any]) -> dict[str, str]:
    """Required settings absent from ``settings`` (setting → the option that gives it)."""
    given = {k: v for k, v in settings.items() if str(v if v is not None else "").strip()}
    model = _model(marketplace)
    absent: dict[str, str] = {}
    try:
        model.model_validate(given)
    except ValidationError as exc:
        absent = {
            str(e["loc"][0]): flag(str(e["loc"][0]))
            for e in exc.errors(include_url=False, include_input=False)
            if e["type"] == "missing" and e["loc"]
        }
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("ask") and name not in given:
            absent[name] = flag(name)
    return absent


def check(marketplace: str, settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` as the marketplace's model reads them, or a UserError naming the
    option and what is wrong (an unknown key, a value of the wrong kind); call before
    anything is stored. Returns the settings with values in their types."""
    model = _model(marketplace)
    unknown = sorted(set(settings) - set(model.model_fields))
    if unknown:
        raise UserError(
            "channel.unknown_setting",
            marketplace=marketplace,
            keys=", ".join(unknown),
            known=", ".join(sorted(model.model_fields)),
        )
    try:
        typed = model.model_validate(settings)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        extra = model.model_fields[name].json_schema_extra if name in model.model_fields else {}
        advanced = isinstance(extra, dict) and extra.get("advanced")
        place = f"--setting {name}=…" if advanced else flag(name)
        raise UserError(
            "channel.bad_setting", marketplace=marketplace, option=place, reason=error["msg"]
        ) from None
    return {k: v for k, v in typed.model_dump().items() if k in settings}
