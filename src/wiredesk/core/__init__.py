"""The plumbing below every app: what all of them share and none of them owns.

Locks with expiry (``locks``), event counters for /metrics (``metrics``), the client
address behind trusted proxies (``clients``), a fixed-window rate counter
(``ratelimit``), the Celery app and the list of periodic jobs (``taskqueue``), and the
CLI's common parts (``cli``). It imports no app; every app may import it.
"""
