"""Row-level security per province (issue 19, item 4): ``chiso bi grant --province P`` makes a
login role that sees only its province's rows in every mart, enforced by PostgreSQL; chiso_bi
keeps seeing every row. The sample's one-stop and plan data belong to Quảng Trị (45), merged
into N44 on 1 July 2025 with Quảng Bình (44); its index scores cover every province."""

from __future__ import annotations

import psycopg
import pytest

from chiso import cli, publish, warehouse
from chiso.bi import rls
from tests.bi.conftest import login, password_of

pytestmark = pytest.mark.server_contract


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        marts = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.views where table_schema = 'marts'"
            )
        ]
        return {
            m: conn.execute(f'select count(*) from marts."{m}"').fetchone()[0]
            for m in sorted(marts)
        }


def _provinces(url: str, mart: str, column: str = "province_code") -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {r[0] for r in conn.execute(f"select distinct {column} from marts.{mart}")}


@pytest.fixture
def granted(bi_copy, capsys):
    """Roles for N44 (the merged province), 44 (dissolved, no one-stop data) and 45."""
    for code in ("N44", "44", "45"):
        assert cli.main(["bi", "grant", "--province", code]) == 0
    out = capsys.readouterr().out
    home = warehouse.config.load().home

    def url_of(code: str) -> str:
        role = rls.role_name(code)
        return login(bi_copy, role, password_of(home / "bi-roles" / f"{role}.password"))

    return {code: url_of(code) for code in ("N44", "44", "45")} | {"out": out}


def test_each_province_role_sees_its_own_rows_and_chiso_bi_sees_all(bi_copy, granted):
    everything = _counts(warehouse.url())  # the owner: every row
    assert _counts(warehouse.bi_url(bi_copy)) == everything

    quang_binh = _counts(granted["44"])
    merged = _counts(granted["N44"])
    quang_tri = _counts(granted["45"])
    agency_marts = ("dossiers", "onestop_monthly", "late_dossiers")
    unit_marts = ("task_scorecard", "overdue_tasks", "task_units", "indicator_actions")
    for mart in (*agency_marts, *unit_marts, "service_index_monthly"):
        assert everything[mart] > 0, mart
        # All of the sample's agencies and units are Quảng Trị's (45): 44 sees none of them,
        # 45 and the merged N44 all of them.
        assert quang_binh[mart] == 0, mart
        assert quang_tri[mart] == merged[mart] == everything[mart], mart
    # Survey answers are placed by the agency code the survey writes; the sample's surveys write
    # codes outside reference.ref_agencies (SNV, SKHDT), which place no row.
    with psycopg.connect(warehouse.url(), autocommit=True) as owner:
        placed_in_45 = owner.execute(
            "select count(*) from marts.satisfaction s join reference.ref_agencies a"
            " using (agency_code) where a.province_code = '45'"
        ).fetchone()[0]
    assert everything["satisfaction"] > 0
    assert quang_tri["satisfaction"] == merged["satisfaction"] == placed_in_45
    assert quang_binh["satisfaction"] == 0
    # Rows that name no place are the data team's, never a province's.
    for counts in (quang_binh, merged, quang_tri):
        assert counts["task_report_rejections"] == 0

    # Index scores name every province: each role sees its own, the merged one its
    # predecessors' history too (and its own pre-2025 roll-ups).
    assert _provinces(granted["44"], "index_scores") == {"44"}
    assert _provinces(granted["45"], "index_scores") == {"45"}
    assert _provinces(granted["N44"], "index_scores") == {"44", "45", "N44"}
    assert len(_provinces(warehouse.bi_url(bi_copy), "index_scores")) > 40
    assert _provinces(granted["N44"], "indicator_targets") <= {"44", "45", "N44"}
    assert 0 < merged["index_scores"] < everything["index_scores"]

    assert "44 was merged into N44" in granted["out"]
    assert "marts.task_report_rejections: no rows" in granted["out"]


def test_province_roles_read_the_views_only_and_the_policies_follow_each_publication(
    bi_copy, granted
):
    with psycopg.connect(granted["44"], autocommit=True) as conn:
        for table in ("marts_v000001.index_scores", "raw.onestop", "audit.bi_role_scopes"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")
    with warehouse.connect(bi_copy, autocommit=True) as owner:
        assert publish.publish(owner, "candidate", "again", 3, 1, 0, "test").version == 2
    assert _provinces(granted["44"], "index_scores") == {"44"}
    assert _counts(granted["44"])["dossiers"] == 0
    assert _counts(granted["45"])["dossiers"] > 0


def test_an_unknown_province_is_refused_with_the_codes_to_use(bi_copy):
    with warehouse.connect(bi_copy) as conn, pytest.raises(rls.GrantError, match="N44"):
        rls.grant(conn, "99")
