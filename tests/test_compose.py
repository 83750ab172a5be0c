"""docker-compose.yml cannot run here (no Docker engine); check its shape instead."""

from __future__ import annotations

import yaml

from chiso import config


def test_compose_has_the_production_services_with_health_checks():
    compose = yaml.safe_load((config.REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in (
        "warehouse",
        "airflow-db",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "metabase",
        "metabase-db",
    ):
        assert "healthcheck" in services[name], name
    # Metabase keeps its state in PostgreSQL, not H2, and reads the marts as chiso_bi.
    assert services["metabase"]["environment"]["MB_DB_TYPE"] == "postgres"
    setup = (config.REPO_ROOT / "docker" / "metabase-setup.sh").read_text()
    assert '\\"user\\": \\"chiso_bi\\"' in setup and "marts" in setup
    # The Airflow services run this repository's DAGs against the warehouse by URL.
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/chiso/dags"
    assert env["CHISO_WAREHOUSE_URL"].startswith("postgresql://chiso:")
