"""Nights cost what changed: incremental marts rewrite only what a night changes, and the gate
checks the rows built since the published version — without missing a defect in them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from chiso import dbt, gate, pipeline
from tests import onestop_rows as rows


def _night(run_id: str, run_date: date) -> pipeline.Run:
    run = pipeline.Run(run_id, run_date, quiet=True)
    pipeline.run_all(run)
    return run


def _dossiers(conn) -> dict[str, tuple]:
    return {
        code: (timeliness, built_at)
        for code, timeliness, built_at in conn.execute(
            "select dossier_code, timeliness, built_at from candidate.dossiers"
        ).fetchall()
    }


def _dossier_checks(conn, run_id: str) -> dict[str, tuple]:
    return {
        name: (success, count, details["scope"])
        for name, success, count, details in conn.execute(
            "select check_name, success, element_count, details"
            " from audit.check_results where run_id = %s and suite = 'dossiers'",
            (run_id,),
        ).fetchall()
    }


def test_a_night_without_files_rewrites_only_the_dossiers_the_cut_off_turns_overdue(conn, landing):
    rows.write(
        landing / "onestop" / "onestop_2026-11-04.csv",
        [
            rows.row("OPEN-1"),  # appointment 06/11 17:00, still being processed
            rows.row("OPEN-2", NgayHenTra="20/11/2026 17:00:00"),
            rows.row("DONE-1", TrangThaiHoSo="9", NgayKetThucXuLy="03/11/2026 10:00:00"),
        ],
    )
    _night("before-due", date(2026, 11, 5))
    first = _dossiers(conn)
    assert {k: v[0] for k, v in first.items()} == {
        "OPEN-1": "open",
        "OPEN-2": "open",
        "DONE-1": "early",
    }

    night = _night("after-due", date(2026, 11, 9))  # no new file: only the cut-off moved
    assert _seed_nodes_run(night.settings) == (0, 0)  # unchanged seeds: not reloaded, not retested

    second = _dossiers(conn)
    assert second["OPEN-1"][0] == "open_overdue"
    assert second["OPEN-1"][1] > first["OPEN-1"][1]  # rewritten
    assert second["OPEN-2"] == first["OPEN-2"]  # still open, verdict unchanged: not rewritten
    assert second["DONE-1"] == first["DONE-1"]  # finished: final, not rewritten
    assert conn.execute("select dossier_code, days_late from marts.late_dossiers").fetchall() == [
        ("OPEN-1", 3)
    ]


def test_the_gate_checks_the_rows_built_since_publication_and_still_blocks_their_defects(
    conn, landing
):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"A-{i}") for i in range(3)]
    )
    _night("first", date(2026, 11, 8))
    checks = _dossier_checks(conn, "first")
    assert checks["received_not_in_future"][:2] == (True, 3)
    assert checks["received_not_in_future"][2].startswith("whole table")

    rows.write(
        landing / "onestop" / "onestop_2026-11-03.csv",
        [rows.row(f"B-{i}", NgayTiepNhan="03/11/2026 09:00:00") for i in range(2)],
    )
    run = pipeline.Run("second", date(2026, 11, 8), quiet=True)
    pipeline.begin(run)
    pipeline.ingest(run)
    pipeline.build(run)
    # A defect in one of tonight's rows (the A-rows were checked and published last night).
    conn.execute("update candidate.dossiers set channel = 9 where dossier_code = 'B-0'")

    with pytest.raises(gate.GateBlocked, match=r"dossiers\.channel_in_code_list"):
        pipeline.check(run)

    checks = _dossier_checks(conn, "second")
    assert checks["channel_in_code_list"][:2] == (False, 2)  # the 2 new rows, not all 5
    assert checks["channel_in_code_list"][2].startswith("rows built since")
    assert conn.execute("select count(*) from marts.dossiers").fetchone()[0] == 3
    # The months those rows touch are reconciled in full against every dossier.
    recon = conn.execute(
        "select success, observed_value from audit.check_results"
        " where run_id = 'second' and check_name = 'received_matches_dossiers'"
    ).fetchone()
    assert recon == (True, "0")


def _seed_nodes_run(settings) -> tuple[int, int]:
    """(seeds, tests of seeds) that the last dbt build ran, from its run_results.json."""
    target = settings.dbt_target_dir
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    ran = [r["unique_id"] for r in json.loads((target / "run_results.json").read_text())["results"]]
    seed_tests = [
        u
        for u in ran
        if u.startswith("test.")
        and all(d.startswith("seed.") for d in nodes[u]["depends_on"]["nodes"])
    ]
    return sum(u.startswith("seed.") for u in ran), len(seed_tests)


def test_changed_reference_seeds_rebuild_every_dossier(conn, landing, warehouse_url):
    rows.write(
        landing / "onestop" / "onestop_2026-11-02.csv", [rows.row(f"A-{i}") for i in range(3)]
    )
    _night("first", date(2026, 11, 8))
    before = _dossiers(conn)
    # As if the holiday list had been edited since the warehouse loaded it.
    conn.execute("comment on schema reference is 'chiso seeds sha256: an older list'")
    conn.commit()

    run = pipeline.Run("after-seed-change", date(2026, 11, 8), quiet=True)
    pipeline.begin(run)
    outcome = pipeline.build(run)

    after = _dossiers(conn)
    assert after.keys() == before.keys()
    assert all(after[k][1] > before[k][1] for k in after)  # every row rebuilt
    assert outcome.kinds.get("seed", 0) > 0
    seeds, seed_tests = _seed_nodes_run(run.settings)
    assert seeds > 0 and seed_tests > 0  # changed seeds are reloaded and retested
    assert dbt._loaded_seeds_digest(warehouse_url) == dbt._seeds_digest(run.settings)


def _snapshot(conn) -> dict[str, set]:
    monthly = (
        "agency_code, field_code, month_start, dossiers_received, dossiers_completed,"
        " dossiers_completed_on_time, dossiers_completed_late, dossiers_open_overdue,"
        " dossiers_received_online, dossiers_paid_online, dossiers_digitised"
    )
    dossiers = (
        "dossier_code, status_code, timeliness, received_at, due_end_at, finished_at,"
        " supplement_count, last_observed_date"
    )
    return {
        "onestop_monthly": set(
            conn.execute(f"select {monthly} from candidate.onestop_monthly").fetchall()
        ),
        "dossiers": set(conn.execute(f"select {dossiers} from candidate.dossiers").fetchall()),
    }


def test_nights_one_by_one_equal_a_full_rebuild(conn, landing, tmp_path):
    from chiso.samples import onestop

    # Ten days across a month end, delivered two exports a night.
    files = onestop.generate(tmp_path, date(2026, 10, 26), 10, seed=21, dossiers_per_day=30)
    (landing / "onestop").mkdir(parents=True, exist_ok=True)
    for night in range(5):
        for f in files[2 * night : 2 * night + 2]:
            f.rename(landing / "onestop" / f.name)
        last = date(2026, 10, 26) + timedelta(days=2 * night + 1)
        _night(f"night-{night}", last + timedelta(days=1))
    nightly = _snapshot(conn)

    rebuild = pipeline.Run("rebuild", date(2026, 11, 5), quiet=True, full_refresh=True)
    pipeline.begin(rebuild)
    pipeline.build(rebuild)

    assert _snapshot(conn) == nightly
    assert {m for _, _, m, *_ in nightly["onestop_monthly"]} == {
        date(2026, 10, 1),
        date(2026, 11, 1),
    }
    assert any(t == "open_overdue" for _, _, t, *_ in nightly["dossiers"])
