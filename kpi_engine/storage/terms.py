"""The one way of fetching snapshot terms: every term a question needs, per channel, in one
SQL statement (conditional aggregation for the sums, one ``UNION ALL`` branch per last term).
The formulas that turn the terms into values live in :mod:`kpi_engine.domain.formulas`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.storage.types import bind_day


def fetch_terms(conn: Connection, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                campaign: str | None = None) -> Terms:
    """Fetch every term of ``needs`` for each channel of ``channel_ids`` in one statement."""
    terms = Terms()
    if not channel_ids or (not needs.sums and not needs.lasts):
        return terms
    sqlite = conn.dialect.name == "sqlite"  # only for the SQL of _as_text

    def d(day: date) -> Any:
        return bind_day(conn, day)

    sums = sorted(needs.sums)
    lasts = sorted(needs.lasts)
    width = max(1, len(sums))
    params: dict[str, Any] = {"ws": workspace_id, "chs": list(channel_ids)}
    camp = ""
    if campaign is not None:
        params["camp"] = campaign
        camp = " AND {a}.campaign = :camp"
    branches: list[str] = []
    if sums:
        cols = []
        for i, (metric, start, end) in enumerate(sums):
            params[f"sm{i}"], params[f"sa{i}"], params[f"sb{i}"] = metric, d(start), d(end)
            cols.append(f"SUM(CASE WHEN s.metric = :sm{i} AND s.day >= :sa{i} AND s.day <= :sb{i}"
                        f" THEN s.value END) AS v{i}")
        metrics = sorted({m for m, _, _ in sums})
        params["sms"] = metrics
        params["slo"] = d(min(s for _, s, _ in sums))
        params["shi"] = d(max(e for _, _, e in sums))
        branches.append(
            "SELECT s.channel_id AS ch, -1 AS g, s.campaign AS asof, " + ", ".join(cols)
            + " FROM snapshots s WHERE s.workspace_id = :ws AND s.metric IN :sms"
            " AND s.channel_id IN :chs AND s.day >= :slo AND s.day <= :shi"
            + camp.format(a="s") + " GROUP BY s.channel_id, s.campaign")
    pad = "".join(f", NULL AS v{i}" for i in range(1, width))
    for j, (metric, day) in enumerate(lasts):
        params[f"gm{j}"], params[f"gd{j}"] = metric, d(day)
        branches.append(
            f"SELECT v.channel_id AS ch, {j} AS g, {_as_text('MIN(v.day)', sqlite)} AS asof,"
            f" SUM(v.value) AS v0{pad}"
            " FROM snapshots v JOIN (SELECT m.channel_id, m.campaign, MAX(m.day) AS d"
            f" FROM snapshots m WHERE m.workspace_id = :ws AND m.metric = :gm{j}"
            f" AND m.channel_id IN :chs AND m.day <= :gd{j}" + camp.format(a="m")
            + " GROUP BY m.channel_id, m.campaign) lastday"
            f" ON v.workspace_id = :ws AND v.metric = :gm{j} AND v.channel_id = lastday.channel_id"
            " AND v.campaign = lastday.campaign AND v.day = lastday.d"
            " GROUP BY v.channel_id")
    for row in conn.execute(_statement(" UNION ALL ".join(branches), bool(sums)), params):
        ch, g = int(row[0]), int(row[1])
        if g < 0:
            for i, term in enumerate(sums):
                v = row[3 + i]
                if v is not None:
                    terms.add_sum(ch, str(row[2] or ""), term, float(v))
        elif row[3] is not None:
            asof = row[2]
            terms.lasts[(ch, lasts[g])] = (
                float(row[3]), date.fromisoformat(str(asof)[:10]) if isinstance(asof, str)
                else asof)
    terms.statements = 1
    return terms


def _as_text(expr: str, sqlite: bool) -> str:
    """A day column as text (the third column also carries the sums' campaign names)."""
    return expr if sqlite else f"CAST({expr} AS TEXT)"


@lru_cache(maxsize=512)
def _statement(sql: str, with_sums: bool) -> TextClause:
    """The ``text()`` construct of a question's SQL, built once per distinct shape."""
    return text(sql).bindparams(bindparam("chs", expanding=True),
                                *([bindparam("sms", expanding=True)] if with_sums else []))
