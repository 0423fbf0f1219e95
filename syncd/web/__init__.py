"""The cooperative's web app (issue 13): members' pages, the cashier's phone page with its
offline queue, the operator's pages, /metrics and the health checks.

``syncd.web.app.create_app`` builds it from the route table in ``syncd.web.core``;
``syncd web`` and ``syncd run --web`` serve it with uvicorn.
"""
