"""Messages for availability and price explanations (owned by syncd/rules.py).

Each entry is (Bahasa Indonesia, English). Placeholders must match.
Formula symbols (floor, min, max, −, ×, =, →) are not words and stay in the code.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # Terms of the availability formula: "12 stok − 3 dipesan − 2 cadangan".
    "rules.qty.on_hand": ("{n} stok", "{n} on hand"),
    "rules.qty.reserved": ("{n} dipesan", "{n} reserved"),
    "rules.qty.buffer": ("{n} cadangan", "{n} buffer"),
    "rules.qty.available": ("{n} tersedia", "{n} available"),
    "rules.qty.cap": ("{n} batas tampil", "{n} cap"),
    # Steps that replace the formula; {calc} is "12 stok − 3 dipesan = 9".
    "rules.qty.one_of_a_kind": (
        "{calc}, barang satu-satunya → {value}",
        "{calc}, one-of-a-kind item → {value}",
    ),
    "rules.qty.below_minimum": (
        "{calc}, di bawah minimum {minimum} → 0",
        "{calc}, below the minimum of {minimum} → 0",
    ),
    "rules.qty.last_units": (
        "{calc}, {n} unit terakhir hanya untuk {channel} → {result}",
        "{calc}, the last {n} units go only to {channel} → {result}",
    ),
    # Price steps, joined with " → ".
    "rules.price.rounded": (
        "dibulatkan ke kelipatan {unit} terdekat = {price}",
        "rounded to the nearest {unit} = {price}",
    ),
    "rules.price.rounded_end900": (
        "dibulatkan ke {unit} = {price}",
        "rounded to {unit} = {price}",
    ),
    "rules.price.floor": (
        "dinaikkan ke harga minimum = {price}",
        "raised to the floor price = {price}",
    ),
    "rules.price.unchanged": ("{price}, tanpa perubahan", "{price}, unchanged"),
    "rules.rounding.none": ("tidak ada", "none"),
    # Where each setting came from: "cadangan 2 (SKU), porsi 80% (kanal shopee)".
    "rules.field.buffer": ("cadangan {value}", "buffer {value}"),
    "rules.field.share_pct": ("porsi {value}", "share {value}"),
    "rules.field.max_shown": ("batas tampil {value}", "cap {value}"),
    "rules.field.zero_below": ("minimum {value}", "minimum {value}"),
    "rules.field.last_units": ("{value} unit terakhir", "last {value} units"),
    "rules.field.preferred_channel": ("kanal utama {value}", "preferred channel {value}"),
    "rules.field.one_of_a_kind": ("barang satu-satunya", "one of a kind"),
    "rules.field.not_one_of_a_kind": ("bukan barang satu-satunya", "not one of a kind"),
    "rules.field.markup_pct": ("kenaikan harga {value}", "markup {value}"),
    "rules.field.markup_fixed": ("tambahan {value}", "extra {value}"),
    "rules.field.rounding": ("pembulatan {value}", "rounding {value}"),
    "rules.field.floor_price": ("harga minimum {value}", "floor price {value}"),
    "rules.sources.none": ("semua aturan bawaan", "all built-in defaults"),
    "rules.layer.tenant": ("semua produk", "all products"),
    "rules.layer.channel": ("kanal {channel}", "channel {channel}"),
    "rules.layer.channel_any": ("kanal", "channel"),
    "rules.layer.sku": ("SKU", "SKU"),
    "rules.layer.sku_channel": ("SKU di {channel}", "SKU on {channel}"),
    "rules.layer.sku_channel_any": ("SKU di kanal", "SKU on channel"),
}
