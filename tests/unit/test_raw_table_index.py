"""The raw table's batch index: BRIN (cheap to keep during COPY), also in older warehouses."""

from __future__ import annotations

from ingest import contract as contracts
from ingest.loader import ensure_raw_table


def _indexes(conn) -> dict[str, str]:
    return dict(
        conn.execute(
            "select indexname, indexdef from pg_indexes"
            " where schemaname = 'raw' and tablename = 'onestop'"
        ).fetchall()
    )


def test_a_b_tree_batch_index_of_an_older_warehouse_becomes_brin(conn):
    contract = contracts.load("onestop")
    conn.execute(
        "create table raw.onestop (_batch_id bigint not null,"
        " _source_row bigint not null, _observed_date date not null)"
    )
    conn.execute("create index onestop_batch on raw.onestop (_batch_id)")
    ensure_raw_table(conn, contract)
    ensure_raw_table(conn, contract)  # idempotent
    indexes = _indexes(conn)
    assert list(indexes) == ["onestop_batch_brin"]
    assert "USING brin (_batch_id)" in indexes["onestop_batch_brin"]
    conn.execute(
        "insert into raw.onestop (_batch_id, _source_row, _observed_date)"
        " select b, r, date '2026-11-02' from generate_series(1, 3) b,"
        " generate_series(1, 1000) r"
    )
    conn.execute("set enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in conn.execute(
            "explain select count(*) from raw.onestop where _batch_id > 2"
        ).fetchall()
    )
    assert "onestop_batch_brin" in plan
    assert (
        conn.execute("select count(*) from raw.onestop where _batch_id > 2").fetchone()[0] == 1000
    )
