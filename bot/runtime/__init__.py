"""The background work of ``kpibot serve``: ``scheduler.py`` (leader, alert tick, digests),
``dispatcher.py`` (the outbox, within each platform's limits), ``supervision.py`` (a failing
job is logged once and retried), and ``delivery.py`` (what the dispatcher needs of a chat
platform: it names none). No SQL here: the leader lock is ``kpi_engine/storage/leader.py``."""
