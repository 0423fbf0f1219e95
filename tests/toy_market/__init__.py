"""Toko Mainan, a made-up marketplace: an adapter that lives outside ``adapters/``.

It is the worked example of ADAPTERS.md ("A marketplace outside this repository"): a
package of its own, registered under the entry-point group ``syncd.adapters`` (at test
time only, by ``conftest.installed``), built on ``adapters.kit`` with nothing in
``syncd/`` or ``adapters/`` edited. Its API, all invented and kept as small as the kit
allows:

* ``Authorization: Bearer <api key>`` and ``X-Merchant: <merchant code>`` on every call
  (``auth_kind = "api_key"``: nothing to authorize with a code, nothing to refresh);
* ``GET /api/v1/products?page=&per_page=`` → ``{"products": [...], "next_page": n|null}``;
* ``POST /api/v1/stock`` / ``/api/v1/price`` with ``{"items": [{"id", "stock"|"price"}]}``
  (≤ 50) → ``{"results": [{"id", "error": null|{code, message}}]}``;
* ``GET /api/v1/orders?updated_from=<epoch s>&page=&per_page=`` (inclusive, by update
  time) → ``{"orders": [...], "next_page": n|null}``, the lines within each order;
* an error is ``{"error": {"code", "message"}}``, with its HTTP status or in a 200.
"""
