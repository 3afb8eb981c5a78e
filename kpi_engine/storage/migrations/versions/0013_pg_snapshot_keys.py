"""PostgreSQL: the snapshots' references checked once per statement, not once per row

Revision ID: 0013_pg_snapshot_keys
Revises: 0012_oauth_states
Create Date: 2026-12-03

The two foreign keys of ``snapshots`` (to ``workspaces`` and ``channels``) cost two
trigger calls, each an index look-up and a row lock, for every row written: half the time
of a 500,000-row import (issue 18). On PostgreSQL they become statement triggers that do
the same work once per statement over the statement's rows (transition tables):

- after an INSERT: the workspaces and channels the new rows name are locked ``FOR KEY
  SHARE`` (as a foreign key locks them: a concurrent delete waits for this transaction)
  and must exist, else ``foreign_key_violation``, the error the foreign key raised;
- an UPDATE that changes a row's workspace or channel is checked row by row (no writer
  does; the upsert only sets ``value`` and ``updated_at``);
- after a DELETE of workspaces or channels, their snapshots are deleted (the ``ON DELETE
  CASCADE`` of before). ``TRUNCATE`` of the referenced tables no longer empties
  ``snapshots`` by itself: truncate it with them.

SQLite keeps its foreign keys (its writes are row by row anyway).
"""
from alembic import op


revision = '0013_pg_snapshot_keys'
down_revision = '0012_oauth_states'
branch_labels = None
depends_on = None

_CHECK = """
CREATE FUNCTION snapshots_check_keys() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    missing record;
BEGIN
    PERFORM 1 FROM workspaces
     WHERE id IN (SELECT DISTINCT workspace_id FROM new_rows) FOR KEY SHARE;
    PERFORM 1 FROM channels
     WHERE id IN (SELECT DISTINCT channel_id FROM new_rows) FOR KEY SHARE;
    SELECT k.workspace_id, k.channel_id INTO missing
      FROM (SELECT DISTINCT workspace_id, channel_id FROM new_rows) AS k
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

_CHECK_ROW = """
CREATE FUNCTION snapshots_check_row_keys() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM 1 FROM workspaces WHERE id = NEW.workspace_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('snapshots: workspace %s does not exist', NEW.workspace_id);
    END IF;
    PERFORM 1 FROM channels WHERE id = NEW.channel_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('snapshots: channel %s does not exist', NEW.channel_id);
    END IF;
    RETURN NEW;
END
$fn$
"""

_DROP_OF_CHANNELS = """
CREATE FUNCTION snapshots_drop_of_channels() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM snapshots WHERE channel_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END
$fn$
"""

_DROP_OF_WORKSPACES = """
CREATE FUNCTION snapshots_drop_of_workspaces() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM snapshots AS s USING old_rows AS o WHERE s.workspace_id = o.id;
    RETURN NULL;
END
$fn$
"""

_TRIGGERS = (
    "CREATE TRIGGER snapshots_keys_insert AFTER INSERT ON snapshots"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION snapshots_check_keys()",
    "CREATE TRIGGER snapshots_keys_update BEFORE UPDATE OF workspace_id, channel_id"
    " ON snapshots FOR EACH ROW WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id"
    " OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)"
    " EXECUTE FUNCTION snapshots_check_row_keys()",
    "CREATE TRIGGER channels_drop_snapshots AFTER DELETE ON channels"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION snapshots_drop_of_channels()",
    "CREATE TRIGGER workspaces_drop_snapshots AFTER DELETE ON workspaces"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION snapshots_drop_of_workspaces()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint('fk_snapshots_channel_id_channels', 'snapshots', type_='foreignkey')
    op.drop_constraint('fk_snapshots_workspace_id_workspaces', 'snapshots',
                       type_='foreignkey')
    for sql in (_CHECK, _CHECK_ROW, _DROP_OF_CHANNELS, _DROP_OF_WORKSPACES, *_TRIGGERS):
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger, table in (("snapshots_keys_insert", "snapshots"),
                           ("snapshots_keys_update", "snapshots"),
                           ("channels_drop_snapshots", "channels"),
                           ("workspaces_drop_snapshots", "workspaces")):
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for fn in ("snapshots_check_keys", "snapshots_check_row_keys",
               "snapshots_drop_of_channels", "snapshots_drop_of_workspaces"):
        op.execute(f"DROP FUNCTION {fn}()")
    op.create_foreign_key('fk_snapshots_channel_id_channels', 'snapshots', 'channels',
                          ['channel_id'], ['id'], ondelete='CASCADE')
    op.create_foreign_key('fk_snapshots_workspace_id_workspaces', 'snapshots', 'workspaces',
                          ['workspace_id'], ['id'], ondelete='CASCADE')

