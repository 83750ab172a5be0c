"""Parse the DAG folder with Airflow's DagBag in a fresh process; prints JSON timings.

    python -m bench.dagparse

``dagbag_s`` is DagBag(dags/) after ``import airflow`` (what a DAG processor pays per parse);
``file_s`` is Airflow's own per-file parse duration; ``process_s`` the whole process including
Airflow's import.
"""

from __future__ import annotations

import json
import time

T0 = time.perf_counter()


def main() -> None:
    from airflow.models.dagbag import DagBag

    from chiso import config

    t1 = time.perf_counter()
    bag = DagBag(dag_folder=str(config.load().dags_dir))
    t2 = time.perf_counter()
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    file_s = sum(
        s.duration.total_seconds() if hasattr(s.duration, "total_seconds") else float(s.duration)
        for s in bag.dagbag_stats
    )
    print(
        json.dumps(
            {
                "dags": len(bag.dags),
                "import_airflow_s": t1 - T0,
                "dagbag_s": t2 - t1,
                "file_s": file_s,
                "process_s": time.perf_counter() - T0,
            }
        )
    )


if __name__ == "__main__":
    main()
