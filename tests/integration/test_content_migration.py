"""Migration 0005_content_posts_audience creates exactly the tables of schema_posts, on
SQLite and PostgreSQL (Alembic's autogenerate comparison finds no difference for them)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from kpi_engine.storage import schema_posts
from kpi_engine.storage.schema import metadata

TABLES = {"posts", "post_metrics", "post_hashtags", "audience_segments"}


def _touches(diff: object) -> set[str]:
    """The content tables a difference (or a group of them) is about."""
    if isinstance(diff, list):
        return set().union(*(_touches(d) for d in diff))
    names = set()
    for part in diff if isinstance(diff, tuple) else (diff,):
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if isinstance(part, str) and part in TABLES:
            names.add(part)
        if name in TABLES:
            names.add(name)
    return names


def test_migration_matches_the_schema(db_engine: Engine) -> None:
    assert schema_posts.posts.metadata is metadata
    assert set(inspect(db_engine).get_table_names()) >= TABLES
    with db_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, metadata) if _touches(d)]
    assert diffs == []
