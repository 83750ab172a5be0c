"""The BI interface: every documented example query runs as chiso_bi and returns rows;
every published mart and column carries a comment BI tools can show."""

from __future__ import annotations

import re
from datetime import date

import psycopg
import pytest

from chiso import config, pipeline, warehouse
from chiso.samples import generate_all

DOC = config.REPO_ROOT / "docs" / "marts.md"


def _sections() -> list[tuple[str, str]]:
    """(mart, example query) for every '### marts.x' section of docs/marts.md."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"^### (marts\.\w+).*?```sql\n(.*?)```", text, flags=re.S | re.M)
    return [(mart, sql.strip().rstrip(";")) for mart, sql in found]


@pytest.fixture
def published(warehouse_url, landing):
    generate_all(landing, date(2026, 10, 1), 31, seed=2, dossiers_per_day=40)
    pipeline.run_all(pipeline.Run("bi-sample", date(2026, 11, 1), quiet=True))
    return warehouse_url


def test_every_documented_query_returns_rows_for_the_bi_role(published):
    sections = _sections()
    with psycopg.connect(warehouse.bi_url(published), autocommit=True) as bi:
        views = {
            f"marts.{r[0]}"
            for r in bi.execute(
                "select table_name from information_schema.views where table_schema = 'marts'"
            )
        }
        assert {m for m, _ in sections} == views  # every mart documented, nothing stale
        empty = [m for m, sql in sections if not bi.execute(sql).fetchall()]
    assert empty == []


def test_marts_and_their_columns_carry_comments(published):
    with warehouse.connect(published) as conn:
        missing = conn.execute(
            "select c.relname || coalesce('.' || a.attname, '') from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'marts'"
            " left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0"
            "  and not a.attisdropped and col_description(c.oid, a.attnum) is null"
            " where c.relkind = 'v' and (obj_description(c.oid, 'pg_class') is null"
            "  or a.attname is not null) order by 1"
        ).fetchall()
    assert missing == []
