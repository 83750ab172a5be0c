"""The dashboards' queries on the published marts: p50 / p95 per chart, target < 100 ms p95.

Each chart's query is built from the bundle (``chiso.bi.bundle.chart_queries``: the virtual
dataset as a subquery with the chart's filters, grouping, order and limit, as Superset sends it)
and run as the BI roles: ``chiso_bi`` (every row) and a province role under row-level security
(``chiso_bi_pn44``: the merged Quảng Trị, which the bench's agencies belong to, so its policy
keeps every row and costs the most). One warm-up run, then ``reps`` timed runs on one
connection; Superset opens a connection per query (NullPool), timed apart as ``connect``.
"""

from __future__ import annotations

import time

import psycopg

from bench import common

TARGET_MS = 100.0
PROVINCE = "N44"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def published(url: str) -> bool:
    from chiso import warehouse

    with warehouse.connect(url) as conn:
        warehouse.bootstrap(conn)
        conn.commit()
        return bool(conn.execute("select count(*) from audit.publications").fetchone()[0])


def run(url: str, reps: int = 30, log=print) -> dict:
    from chiso import config, warehouse
    from chiso.bi import bundle, rls

    with warehouse.connect(url) as conn:
        grant = rls.grant(conn, PROVINCE, config.load())
        conn.commit()
        sizes = {
            m: conn.execute(f"select count(*) from marts.{m}").fetchone()[0]
            for m in ("dossiers", "onestop_monthly", "service_index_monthly", "late_dossiers")
        }
    log("  marts: " + ", ".join(f"{m} {n:,}" for m, n in sizes.items()))
    queries = bundle.chart_queries({"CHISO_HOME_UNIT": PROVINCE})
    parts = warehouse.url_parts(url)
    logins = {
        "chiso_bi": warehouse.bi_url(url),
        grant.role: (
            f"postgresql://{grant.role}:{grant.password_file.read_text().strip()}"
            f"@{parts['host']}:{parts['port']}/{parts['dbname']}"
        ),
    }
    out: dict = {"sizes": sizes, "reps": reps, "roles": {}}
    for role, login in logins.items():
        connects = []
        for _ in range(5):
            t = time.perf_counter()
            psycopg.connect(login).close()
            connects.append((time.perf_counter() - t) * 1000)
        timings: dict[str, list[float]] = {}
        with psycopg.connect(login, autocommit=True) as conn:
            for name, sql in queries.items():
                conn.execute(sql).fetchall()  # warm-up
                runs = []
                for _ in range(reps):
                    t = time.perf_counter()
                    conn.execute(sql).fetchall()
                    runs.append((time.perf_counter() - t) * 1000)
                timings[name] = runs
        out["roles"][role] = {
            "connect_ms": common.median(connects),
            "p50_ms": {n: _percentile(v, 0.5) for n, v in timings.items()},
            "p95_ms": {n: _percentile(v, 0.95) for n, v in timings.items()},
        }
        worst = max(out["roles"][role]["p95_ms"].items(), key=lambda kv: kv[1])
        log(
            f"  {role}: {len(queries)} chart queries, slowest p95 {worst[1]:.1f} ms ({worst[0]}); "
            f"connect {out['roles'][role]['connect_ms']:.1f} ms"
        )
    return out
