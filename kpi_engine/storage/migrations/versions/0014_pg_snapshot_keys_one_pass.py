"""PostgreSQL: the snapshots' insert check reads the statement's rows once

Revision ID: 0014_pg_snapshot_keys_one_pass
Revises: 0013_pg_snapshot_keys
Create Date: 2026-12-03

``snapshots_check_keys`` of 0013 read the statement's new rows three times (a ``DISTINCT``
over all of them for the workspaces, one for the channels, one for the pairs). For a
500,000-row ``COPY`` that was about 0.7 s of 3.4 s (``psql \\copy`` of the bench rows into
a copy of ``snapshots``: 3.35-3.61 s with that trigger, 2.71-2.75 s without, 2.58-2.78 s
with this one). Now one ``DISTINCT`` pass collects the (workspace, channel) pairs into two
arrays, and the same three checks run over those few pairs: the workspaces and channels
locked ``FOR KEY SHARE`` in the same order, then ``foreign_key_violation`` with the same
message when one of them does not exist.
"""
import importlib

from alembic import op

revision = '0014_pg_snapshot_keys_one_pass'
down_revision = '0013_pg_snapshot_keys'
branch_labels = None
depends_on = None

_CHECK = """
CREATE OR REPLACE FUNCTION snapshots_check_keys() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ws integer[];
    ch integer[];
    missing record;
BEGIN
    SELECT array_agg(k.workspace_id), array_agg(k.channel_id) INTO ws, ch
      FROM (SELECT DISTINCT workspace_id, channel_id FROM new_rows) AS k;
    PERFORM 1 FROM workspaces WHERE id = ANY(ws) FOR KEY SHARE;
    PERFORM 1 FROM channels WHERE id = ANY(ch) FOR KEY SHARE;
    SELECT k.workspace_id, k.channel_id INTO missing
      FROM unnest(ws, ch) AS k(workspace_id, channel_id)
      LEFT JOIN workspaces AS w ON w.id = k.workspace_id
      LEFT JOIN channels AS c ON c.id = k.channel_id
     WHERE w.id IS NULL OR c.id IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('snapshots: workspace %s or channel %s does not exist',
                             missing.workspace_id, missing.channel_id);
    END IF;
    RETURN NULL;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    before = importlib.import_module(
        "kpi_engine.storage.migrations.versions.0013_pg_snapshot_keys")
    op.execute(before._CHECK.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
