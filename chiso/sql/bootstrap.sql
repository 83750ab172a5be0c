-- Schemas and audit tables. Idempotent: run by every stage before it starts.
-- The audit schema is the run history auditors read (Airflow's own metadata is purged).

create schema if not exists raw;
create schema if not exists audit;
create schema if not exists marts;

create table if not exists audit.runs (
    run_id        text primary key,
    run_date      date not null,
    trigger       text not null,               -- airflow | cli
    status        text not null default 'running'
                  check (status in ('running', 'succeeded', 'failed', 'blocked')),
    message       text,
    code_version  text,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz
);

create table if not exists audit.load_batches (
    batch_id       bigserial primary key,
    run_id         text,
    feed           text not null,
    file_name      text not null,
    file_path      text not null,
    sha256         text not null,
    file_bytes     bigint not null,
    observed_date  date,                        -- the export date the file speaks for
    rows_read      bigint,
    rows_loaded    bigint,
    rows_rejected  bigint,
    status         text not null
                   check (status in ('started', 'loaded', 'rejected', 'failed', 'abandoned')),
    message        text,
    code_version   text,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    check (status <> 'loaded' or rows_loaded + rows_rejected = rows_read)
);
-- The file's device:inode:size:mtime:ctime when read; an unchanged file is not read again.
alter table audit.load_batches add column if not exists file_stat text;
-- A file (by content) is loaded or rejected once per feed, whatever its name.
create unique index if not exists load_batches_once
    on audit.load_batches (feed, sha256) where status in ('loaded', 'rejected');

create table if not exists audit.rejected_rows (
    batch_id     bigint not null references audit.load_batches (batch_id),
    feed         text not null,
    source_row   bigint not null,              -- 1 = first data row after the header
    column_name  text,
    reason       text not null,
    value        text,                         -- personal data appears only as its keyed hash
    record       jsonb                         -- the whole row, personal data hashed
);
create index if not exists rejected_rows_batch on audit.rejected_rows (batch_id);

create table if not exists audit.check_results (
    check_id          bigserial primary key,
    run_id            text not null,
    suite             text not null,
    table_name        text not null,
    check_name        text not null,
    expectation_type  text not null,
    column_name       text,
    severity          text not null check (severity in ('blocking', 'warning')),
    success           boolean not null,
    observed_value    text,
    unexpected_count  bigint,
    element_count     bigint,
    details           jsonb,
    code_version      text,
    checked_at        timestamptz not null default now()
);
create index if not exists check_results_run on audit.check_results (run_id);

create table if not exists audit.publications (
    publication_id  bigserial primary key,
    version         integer not null,
    action          text not null check (action in ('publish', 'rollback')),
    schema_name     text not null,
    run_id          text,
    row_counts      jsonb not null,
    checks_passed   integer,
    checks_warned   integer,
    code_version    text,
    published_at    timestamptz not null default now()
);

-- The run history as one list of events, for `chiso audit` and auditors' own queries: every
-- event with its run id, time and the code version (git commit) that ran. Rejected rows carry
-- their batch's run, time and code version (joined, not copied), grouped by file, column and
-- reason; their values are never shown here (personal data in them is already hashed).
create or replace view audit.history as
select 'run'::text as kind, r.started_at as at, r.run_id, r.code_version,
       'run date ' || r.run_date || ' (' || r.trigger || ')' as subject,
       r.status || coalesce(': ' || r.message, '') as outcome,
       case when r.finished_at is not null then 'took ' ||
            round(extract(epoch from r.finished_at - r.started_at)::numeric, 1) || ' s' end
           as counts
from audit.runs r
union all
select 'load', coalesce(b.finished_at, b.started_at), b.run_id, b.code_version,
       b.feed || '/' || b.file_name,
       b.status || coalesce(': ' || b.message, ''),
       coalesce(b.rows_read, 0) || ' read, ' || coalesce(b.rows_loaded, 0) || ' loaded, '
           || coalesce(b.rows_rejected, 0) || ' rejected'
from audit.load_batches b
union all
select 'rejected', coalesce(b.finished_at, b.started_at), b.run_id, b.code_version,
       b.feed || '/' || b.file_name || coalesce(' [' || x.column_name || ']', ''),
       x.reason, x.n || ' row(s), first at row ' || x.first_row
from (select batch_id, column_name, reason, count(*) as n, min(source_row) as first_row
      from audit.rejected_rows group by batch_id, column_name, reason) x
join audit.load_batches b using (batch_id)
union all
select 'check', c.checked_at, c.run_id, c.code_version,
       c.suite || '.' || c.check_name || coalesce(' [' || c.column_name || ']', ''),
       case when c.success then 'passed' else 'failed (' || c.severity || ')' end,
       concat_ws(', ', c.unexpected_count || ' unexpected', c.element_count || ' rows',
                 case when not c.success then 'observed ' || left(c.observed_value, 60) end)
from audit.check_results c
union all
select p.action, p.published_at, p.run_id, p.code_version,
       'marts → ' || p.schema_name || ' (version ' || p.version || ')',
       case p.action when 'publish' then 'published' else 'rolled back' end,
       (select count(*) || ' marts, ' || coalesce(sum(value::bigint), 0) || ' rows'
        from jsonb_each_text(p.row_counts))
       || coalesce(', ' || p.checks_passed || ' checks passed', '')
       || coalesce(', ' || p.checks_warned || ' warned', '')
from audit.publications p;

-- BI roles per province (chiso bi grant --province P) and the codes each may see: read by the
-- row-level security policy on every published table (chiso/bi/rls.py). chiso_bi is not
-- listed: it sees every row.
create table if not exists audit.bi_roles (
    role_name      text primary key,
    province_code  text not null,
    granted_at     timestamptz not null default now(),
    granted_by     text not null default current_user
);
create table if not exists audit.bi_role_scopes (
    role_name  text not null,
    kind       text not null check (kind in ('province', 'agency', 'unit')),
    code       text not null,
    primary key (role_name, kind, code)
);
