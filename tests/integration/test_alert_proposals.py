"""A proposal to loosen a rule names a command that does what it says: a drop rule is edited
in place with ``/alert ubah`` (its own tolerance, minimum and direction kept), a threshold rule
is removed and added again. The command is typed into the router as a user would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.alert_buttons import how_to_change, looser
from bot.bootstrap import bootstrap
from bot.reply import Request
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.storage import alert_store
from kpi_engine.storage.db import make_engine, migrate

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_a_drop_proposal_edits_the_rule_in_place_and_keeps_its_options(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    migrate(engine)
    app = bootstrap(Settings(), engine=engine, check_schema=False)
    try:
        ws = app.store.ensure_workspace("demo")
        app.store.link_chat(ws.id, "telegram", "c1", Role.EDITOR)
        rule = alert_store.add_rule(app.store, ws.id, kind="drop", metric="reach", value=20.0,
                                    now=NOW, k=2.0, direction="both", min_volume=500.0)
        how = how_to_change(rule, looser(rule), "id")
        assert how.startswith(f"/alert ubah {rule.id} 30% ")
        assert how_to_change(rule, looser(rule), "en").startswith(f"/alert edit {rule.id} 30%")
        command = how.split(" (")[0]
        reply = app.router.handle(Request(command, "telegram", "c1", "u1", now=NOW))
        after = next(r for r in alert_store.list_rules(app.store, ws.id)[0] if r.id == rule.id)
        assert after.value == 30.0, reply
        assert (after.k, after.direction, after.min_volume) == (2.0, "both", 500.0)
    finally:
        app.close()


def test_a_threshold_proposal_removes_and_adds_again() -> None:
    from kpi_engine.domain.alerts import Rule

    rule = Rule("r4", "threshold", "reach", op=">", value=1.0, id=4)
    assert how_to_change(rule, looser(rule), "id") == "/alert hapus 4, lalu /alert reach > 1.2"
    assert how_to_change(rule, looser(rule), "en") == \
        "/alert remove 4, then /alert reach > 1.2"
