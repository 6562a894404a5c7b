"""``twitter-blocker serve``: a read-only local dashboard, ``/api/status`` and ``/metrics``.

``snapshot`` reads one data directory through the store's read model and ``ops`` (never
writing); ``metrics`` renders the Prometheus text format; ``app`` is the Starlette app with
the page under ``static/`` (no CDN, no build step); ``server`` binds it to the loopback.
Nothing runs at import. docs/DASHBOARD.md documents the page, the JSON and the metrics.
"""
