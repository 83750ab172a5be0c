"""BI: Apache Superset provisioned from code (``chiso bi``) and row-level security per province.

``rls`` decides which rows of each published mart a province's BI role sees (enforced by
PostgreSQL policies on the published tables); ``superset`` sets up, fills and runs Superset in
its own virtual environment; ``bundle`` turns the dashboards kept in ``bi/superset/`` into the
ZIP Superset's import command takes.
"""
