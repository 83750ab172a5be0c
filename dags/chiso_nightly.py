"""chiso_nightly — ingest the landing zone, build marts, gate them, publish what passes.

Thin on purpose: nothing here touches the warehouse or imports dbt/GX at parse time. Each task
calls a stage of ``chiso.pipeline`` (the same code ``chiso run`` runs) for the run date taken
from the data interval: the run at 01:00 on day D reports on everything up to the end of D-1.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

LOCAL_TZ = "Asia/Ho_Chi_Minh"


def _run():
    from chiso.pipeline import Run

    ctx = get_current_context()
    run_date = ctx["data_interval_end"].in_timezone(LOCAL_TZ).date()
    return Run(run_id=ctx["run_id"], run_date=run_date, trigger="airflow", quiet=True)


def _stop(exc: Exception):
    """Failures that a retry cannot fix (bad checks, nothing to publish) fail at once."""
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


@dag(
    dag_id="chiso_nightly",
    schedule=CronTriggerTimetable("0 1 * * *", timezone=LOCAL_TZ, interval=timedelta(days=1)),
    start_date=pendulum.datetime(2026, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["chiso"],
    doc_md=__doc__,
)
def chiso_nightly():
    @task
    def ingest() -> dict:
        from chiso import pipeline

        run = _run()
        pipeline.begin(run)
        with pipeline.stage(run, "ingest"):
            results = pipeline.ingest(run)
        return {
            "files": len(results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results),
        }

    @task
    def build() -> dict:
        from chiso import pipeline

        run = _run()
        with pipeline.stage(run, "build"):
            return pipeline.build(run).counts

    @task(retries=0)
    def gate() -> dict:
        from chiso import gate as checks
        from chiso import pipeline

        run = _run()
        try:
            with pipeline.stage(run, "check"):
                passed, _blocking, warning = pipeline.check(run)
        except checks.GateBlocked as exc:
            raise _stop(exc) from exc
        return {"passed": passed, "warnings": warning}

    @task
    def publish() -> dict:
        from chiso import pipeline
        from chiso.publish import PublishError

        run = _run()
        try:
            with pipeline.stage(run, "publish"):
                pub = pipeline.publish_candidate(run)
        except PublishError as exc:
            raise _stop(exc) from exc
        pipeline.finish(run, "succeeded")
        return {"version": pub.version, "row_counts": pub.row_counts}

    @task(trigger_rule="all_done", retries=0)
    def summary() -> dict:
        from chiso import pipeline

        run = _run()
        result = pipeline.summary(run)
        print(pipeline.format_summary(result))
        if result["status"] != "succeeded":
            raise _stop(RuntimeError(f"run {run.run_id} {result['status']}: {result['message']}"))
        return result

    ingest() >> build() >> gate() >> publish() >> summary()


chiso_nightly()
