"""Validate suites against ``schema.table`` in PostgreSQL and flatten the results.

One ephemeral GX context per call, so no GX state outlives a run and nothing is written
except the optional Data Docs; heavy suites run on a second datasource (connection) in a thread
of their own, beside the others. GX's SQLAlchemy engine computes every metric
in the database; the SUMMARY result format caps the sample of failing values it fetches.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before GX is imported: no phoning home

import datetime as dt
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import great_expectations as gx
import sqlalchemy as sa
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.model import Check, CheckResult, Suite

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult, ValidationDefinition
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent import SQLDatasource
    from great_expectations.expectations import Expectation

RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
DOCS_SITE = "chiso"
# Expectations whose observed value is the number of offending rows.
ROW_RULE_TYPES = ("unexpected_rows_expectation", "unexpected_rows_count_expectation")
LIGHT, HEAVY = "warehouse", "warehouse (recounts)"  # datasource names, shown in Data Docs
_CHECK_KEY = "chiso_check"  # expectation meta key tying a GX result back to its Check
_GX_SEVERITY = {"blocking": FailureSeverity.CRITICAL, "warning": FailureSeverity.WARNING}


def sqlalchemy_url(url: str) -> str:
    """Plain libpq-style URLs get the psycopg 3 driver; explicit drivers are kept."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def blocking_failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.success and r.severity == "blocking"]


def run_suites(
    url: str,
    schema: str,
    suites: list[Suite],
    docs_dir: Path | None = None,
    run_name: str | None = None,
    published: str | None = None,
) -> list[CheckResult]:
    """Validate every suite against ``schema.<suite.table>``; one CheckResult per check.

    ``published`` names the schema BI reads: suites with ``changed_rows`` then validate only the
    rows built since what it shows (see ``Suite``); without it every suite sees whole tables.
    Problems with one suite (missing table, broken SQL) become failed results for that suite
    only; nothing raises past here except a bad ``suites`` argument.
    """
    names = [s.name for s in suites]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate suite names: {names}")
    with warnings.catch_warnings():
        # Deliberate choices GX nags about on every run: the generic SQL datasource (the
        # Postgres one rejects socket-only URLs) and per-asset schema_name (deprecated since
        # 1.14, but a generic/Postgres datasource has no other way to name the schema).
        warnings.filterwarnings("ignore", message="You are using a generic SQLDatasource")
        warnings.filterwarnings("ignore", message="`schema_name` is deprecated")
        return _run_all(url, schema, suites, docs_dir, run_name, published)


def _run_all(
    url: str,
    schema: str,
    suites: list[Suite],
    docs_dir: Path | None,
    run_name: str | None,
    published: str | None,
) -> list[CheckResult]:
    context = gx.get_context(mode="ephemeral")
    # tqdm bars would spam Airflow logs and pytest output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    # Heavy suites (whole-month recounts: the database works, Python waits) run on a lane of
    # their own, beside the rest. Each lane has its own datasource: a GX execution engine
    # holds the batch it validates, so two threads must not share one.
    lane_of = {i: HEAVY if s.heavy else LIGHT for i, s in enumerate(suites)}
    try:  # adding a datasource connects
        sources = {
            lane: context.data_sources.add_sql(name=lane, connection_string=sqlalchemy_url(url))
            for lane in sorted(set(lane_of.values()) | {LIGHT})
        }
    except Exception as exc:  # unreachable database: every check fails, blocking
        return [r for s in suites for r in _errored(s, f"cannot connect: {_first_line(exc)}")]

    outcomes: dict[int, list[CheckResult] | _Prepared] = {}

    def prepare(lane: str) -> None:
        for i, suite in enumerate(suites):
            if lane_of[i] == lane:
                outcomes[i] = _prepare(context, sources[lane], schema, suite, published)

    def validate(lane: str) -> None:
        for i in [i for i, of in lane_of.items() if of == lane]:  # not `outcomes`: it grows
            prepared = outcomes.get(i)
            if isinstance(prepared, _Prepared):
                outcomes[i] = _validate(prepared, run_id)

    try:
        # The heavy lane is set up first and starts while this thread sets up and validates
        # the rest. Set-up (GX's stores and datasource configs) stays in this thread; the
        # heavy lane's validation reads only its own datasource and adds its own results.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gx-heavy") as pool:
            heavy = None
            if HEAVY in sources:
                prepare(HEAVY)
                heavy = pool.submit(validate, HEAVY)
            try:
                prepare(LIGHT)
                validate(LIGHT)
            finally:
                if heavy is not None:
                    heavy.result()
    finally:
        for source in sources.values():
            source.get_engine().dispose()  # don't leave idle connections on the warehouse
    if docs_dir is not None:
        _build_docs(context, docs_dir)
    results: list[CheckResult] = []
    for i, suite in enumerate(suites):  # in the suites' order, whichever lane finished first
        outcome = outcomes[i]
        results += outcome if isinstance(outcome, list) else _errored(suite, "not validated")
    return results


@dataclass
class _Prepared:
    suite: Suite
    validation: ValidationDefinition
    scope: str


def _prepare(
    context: AbstractDataContext,
    datasource: SQLDatasource,
    schema: str,
    suite: Suite,
    published: str | None,
) -> _Prepared | list[CheckResult]:
    """The suite's asset, expectations and validation definition; errored results if not."""
    try:
        query, scope = _changed_rows(datasource, schema, suite, published)
        # One asset per table (named after it, as Data Docs show), or per scoped suite; adding
        # it runs a test query, so a missing table is caught here.
        if query is not None:
            asset = datasource.add_query_asset(f"{suite.table}: changed rows ({suite.name})", query)
        elif suite.table in datasource.get_asset_names():
            asset = datasource.get_asset(suite.table)
        else:
            asset = datasource.add_table_asset(
                suite.table, table_name=suite.table, schema_name=schema
            )
    except Exception as exc:
        error = f"table {schema}.{suite.table} is missing or unreadable: {_first_line(exc)}"
        return _errored(suite, error)
    try:
        # The constructor, unlike add_expectation, keeps expectations that differ only in meta.
        expectations = [_in_schema(_expectation_for(c), schema) for c in suite.checks]
        gx_suite = context.suites.add(gx.ExpectationSuite(suite.name, expectations=expectations))
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=suite.name,
                data=asset.add_batch_definition_whole_table(suite.name),
                suite=gx_suite,
            )
        )
    except Exception as exc:
        return _errored(suite, f"validation did not run: {_first_line(exc)}")
    return _Prepared(suite, validation, scope)


def _validate(prepared: _Prepared, run_id: RunIdentifier) -> list[CheckResult]:
    try:
        outcome = prepared.validation.run(result_format=RESULT_FORMAT, run_id=run_id)
    except Exception as exc:  # GX itself failed, not one expectation: nothing was verified
        return _errored(prepared.suite, f"validation did not run: {_first_line(exc)}")
    return _flatten(prepared.suite, outcome, prepared.scope)


def _changed_rows(
    datasource: SQLDatasource, schema: str, suite: Suite, published: str | None
) -> tuple[str | None, str]:
    """(query, scope): the rows a scoped suite validates, or (None, "whole table")."""
    if not suite.changed_rows or not published:
        return None, "whole table"
    source = suite.since_from or suite.table
    with datasource.get_engine().connect() as conn:
        has_column = conn.execute(
            sa.text(
                "select 1 from information_schema.columns where table_schema = :schema"
                " and table_name = :table and column_name = 'built_at'"
            ),
            {"schema": published, "table": source},
        ).first()
        since = (
            conn.execute(sa.text(f'select max(built_at) from "{published}"."{source}"')).scalar()
            if has_column
            else None
        )
    if since is None:
        return None, f"whole table (nothing built is published in {published}.{source} yet)"
    condition = suite.changed_rows.replace(
        "{since}", f"'{since.isoformat()}'::timestamptz"
    ).replace("{candidate}", f'"{schema}"')
    query = f'select * from "{schema}"."{suite.table}" where {condition}'
    return query, f"rows built since the published version ({published}.{source}): {condition}"


def _expectation_for(check: Check) -> Expectation:
    # A fresh copy per run: GX binds an expectation to one suite (it gets an id), and the
    # Check's object is a template that later runs reuse.
    template = check.expectation
    notes = template.notes if isinstance(template.notes, list) else [template.notes or ""]
    return template.copy(
        deep=True,
        update={
            "id": None,
            "severity": _GX_SEVERITY[check.severity],
            "meta": {**(template.meta or {}), _CHECK_KEY: check.name},
            # Data Docs render notes, not meta: name the check and its severity there.
            "notes": [f"{check.severity} check `{check.name}`", *filter(None, notes)],
        },
    )


def _in_schema(expectation: Expectation, schema: str) -> Expectation:
    """Row rules name the other marts they compare with as ``{candidate}.<mart>``: the schema
    under validation, which the gate passes in (suites never read settings themselves)."""
    query = getattr(expectation, "unexpected_rows_query", None)
    if not isinstance(query, str) or "{candidate}" not in query:
        return expectation
    return expectation.copy(
        update={"unexpected_rows_query": query.replace("{candidate}", f'"{schema}"')}
    )


def _flatten(
    suite: Suite, outcome: ExpectationSuiteValidationResult, scope: str
) -> list[CheckResult]:
    by_check = {r.expectation_config.meta.get(_CHECK_KEY): r for r in outcome.results}
    # Batch-level checks (e.g. UnexpectedRowsExpectation) report no element_count; any column
    # check of the same batch has already counted the rows, so reuse that count.
    row_counts = [r.result.get("element_count") for r in outcome.results]
    row_count = next((n for n in row_counts if n is not None), None)
    flat: list[CheckResult] = []
    for check in suite.checks:
        gx_result = by_check.get(check.name)
        if gx_result is None:  # e.g. GX dropped an expectation it judged invalid
            flat += _errored(Suite(suite.name, suite.table, [check]), "GX returned no result")
            continue
        result: dict[str, Any] = gx_result.to_json_dict().get("result") or {}
        kind = gx_result.expectation_config.type
        kwargs = gx_result.expectation_config.kwargs
        observed = result.get("observed_value")
        unexpected = result.get("unexpected_count")
        if unexpected is None and kind in ROW_RULE_TYPES:
            unexpected = observed  # its observed value is the number of offending rows
        details: dict[str, Any] = {"result": result, "scope": scope}
        error = _exception_message(gx_result.exception_info)
        if error:
            details["error"] = error
        flat.append(
            CheckResult(
                suite=suite.name,
                table=suite.table,
                check_name=check.name,
                expectation_type=kind,
                column=_column(kwargs),
                severity=check.severity,
                success=bool(gx_result.success) and not error,
                observed_value=None if observed is None else str(observed),
                unexpected_count=unexpected,
                element_count=result.get("element_count", row_count),
                details=details,
            )
        )
    return flat


def _column(kwargs: dict[str, Any]) -> str | None:
    columns = kwargs.get("column_list") or [
        kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)
    ]
    return ",".join(columns) or None


def _exception_message(info: dict | None) -> str | None:
    # Two shapes: flat {raised_exception, exception_message} when the expectation raised, or
    # {metric id: {...}} when a metric query failed (e.g. a bad column or broken SQL).
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        e.get("exception_message") or "exception raised"
        for e in entries
        if isinstance(e, dict) and e.get("raised_exception")
    ]
    return "; ".join(messages) or None


def _errored(suite: Suite, error: str) -> list[CheckResult]:
    # Checks that could not run at all block even at warning level: nothing was verified.
    return [
        CheckResult(
            suite=suite.name,
            table=suite.table,
            check_name=c.name,
            expectation_type=c.expectation.expectation_type,
            column=None,
            severity="blocking",
            success=False,
            observed_value=None,
            unexpected_count=None,
            element_count=None,
            details={"error": error},
        )
        for c in suite.checks
    ]


def _build_docs(context: AbstractDataContext, docs_dir: Path) -> None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name=DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
        },
    )
    # Only our site: the ephemeral context also defines a default one under a temp dir.
    context.build_data_docs(site_names=[DOCS_SITE])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
