{{ config(materialized='incremental', unique_key='month_start',
          incremental_strategy='delete+insert') }}
-- One row per processing agency × procedure field × month (local time), up to the cut-off.
-- Incremental by month: a night recomputes only the months its new exports touched.
{%- set month_list = [] -%}
{%- if is_incremental() and execute -%}
    {#- The months as literals: the planner then reads just their rows through the indexes. -#}
    {%- set month_list = run_query(affected_months(ref('dossiers'), this)).columns[0].values()
                         | map('string') | list -%}
{%- endif -%}
{%- set month_array = "array['" ~ month_list | join("', '") ~ "']::date[]" if month_list
                      else "array[]::date[]" %}
with months as (
    {% if is_incremental() %}
    select unnest({{ month_array }}) as month_start
    {% else %}
    select distinct received_month as month_start from {{ ref('dossiers') }}
    union
    select distinct finished_month from {{ ref('dossiers') }} where finished_month is not null
    union
    select date_trunc('month', ({{ as_of() }} - interval '1 second')
                               at time zone '{{ var("local_tz") }}')::date
    {% endif %}
),

-- Only dossiers that can count in those months: received in them, or finished in or after the
-- first of them, or still open (indexed columns). Only the columns counted below: the CTE is
-- materialized, and whole rows would spill to disk.
dossiers as (
    select agency_code, field_code, received_month, finished_month, finished_at, due_end_at,
           is_online, paid_online, is_digitised, is_on_time, is_late
    from {{ ref('dossiers') }}
    where is_counted and received_at < {{ as_of() }}
      {% if is_incremental() %}
      and (received_month = any({{ month_array }})
           or finished_month >= {{ "'" ~ (month_list | min) ~ "'::date" if month_list else "null" }}
           or finished_month is null)
      {% endif %}
),

received as (
    select
        agency_code, field_code, received_month                 as month_start,
        count(*)                                                as dossiers_received,
        count(*) filter (where is_online)                       as dossiers_received_online,
        count(*) filter (where paid_online is not null)         as dossiers_with_fee,
        count(*) filter (where paid_online)                     as dossiers_paid_online,
        count(*) filter (where is_digitised)                    as dossiers_digitised
    from dossiers
    where received_month in (select month_start from months)
    group by 1, 2, 3
),

completed as (
    select
        agency_code, field_code, finished_month                 as month_start,
        count(*)                                                as dossiers_completed,
        count(*) filter (where is_on_time)                      as dossiers_completed_on_time,
        count(*) filter (where is_late)                         as dossiers_completed_late
    from dossiers
    where finished_at < {{ as_of() }} and finished_month in (select month_start from months)
    group by 1, 2, 3
),

-- Open and overdue at the end of every month that ends after the appointment and before the
-- dossier was finished (the current month "ends" at the cut-off).
overdue_months as (
    select
        d.agency_code, d.field_code, m.month_start::date as month_start
    from dossiers as d
    cross join lateral generate_series(
        date_trunc('month', d.due_end_at at time zone '{{ var("local_tz") }}'),
        date_trunc('month', least(coalesce(d.finished_at, {{ as_of() }}), {{ as_of() }})
                            at time zone '{{ var("local_tz") }}'),
        interval '1 month'
    ) as m(month_start)
    cross join lateral (
        select least((m.month_start + interval '1 month') at time zone '{{ var("local_tz") }}',
                     {{ as_of() }}) as month_end_at
    ) as e
    where d.due_end_at < {{ as_of() }}
      -- only dossiers that were ever open past their appointment
      and (d.finished_at is null or d.finished_at > d.due_end_at)
      and m.month_start::date in (select month_start from months)
      and e.month_end_at > d.due_end_at
      and (d.finished_at is null or d.finished_at >= e.month_end_at)
),

open_overdue as (
    select agency_code, field_code, month_start, count(*) as dossiers_open_overdue
    from overdue_months
    group by 1, 2, 3
),

keys as (
    select agency_code, field_code, month_start from received
    union
    select agency_code, field_code, month_start from completed
    union
    select agency_code, field_code, month_start from open_overdue
)

select
    k.agency_code,
    k.field_code,
    k.month_start,
    coalesce(r.dossiers_received, 0)            as dossiers_received,
    coalesce(c.dossiers_completed, 0)           as dossiers_completed,
    coalesce(c.dossiers_completed_on_time, 0)   as dossiers_completed_on_time,
    coalesce(c.dossiers_completed_late, 0)      as dossiers_completed_late,
    coalesce(o.dossiers_open_overdue, 0)        as dossiers_open_overdue,
    coalesce(r.dossiers_received_online, 0)     as dossiers_received_online,
    coalesce(r.dossiers_with_fee, 0)            as dossiers_with_fee,
    coalesce(r.dossiers_paid_online, 0)         as dossiers_paid_online,
    coalesce(r.dossiers_digitised, 0)           as dossiers_digitised,
    round(c.dossiers_completed_on_time::numeric / nullif(c.dossiers_completed, 0), 4)
                                                as on_time_rate,
    round(r.dossiers_received_online::numeric / nullif(r.dossiers_received, 0), 4)
                                                as online_rate,
    {{ as_of() }}                               as as_of_at,
    (select max(processed_batch_id) from {{ ref('dossiers') }}) as source_batch_id,
    {{ built_at() }}                            as built_at
from keys as k
left join received as r using (agency_code, field_code, month_start)
left join completed as c using (agency_code, field_code, month_start)
left join open_overdue as o using (agency_code, field_code, month_start)
