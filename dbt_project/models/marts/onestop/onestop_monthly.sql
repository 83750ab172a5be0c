-- One row per processing agency × procedure field × month (local time), up to the cut-off.
with dossiers as (
    select * from {{ ref('dossiers') }}
    where is_counted and received_at < {{ as_of() }}
),

received as (
    select
        agency_code, field_code, received_month                 as month_start,
        count(*)                                                as dossiers_received,
        count(*) filter (where is_online)                       as dossiers_received_online
    from dossiers
    group by 1, 2, 3
),

completed as (
    select
        agency_code, field_code, finished_month                 as month_start,
        count(*)                                                as dossiers_completed,
        count(*) filter (where is_on_time)                      as dossiers_completed_on_time,
        count(*) filter (where is_late)                         as dossiers_completed_late
    from dossiers
    where finished_at < {{ as_of() }}
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
    round(c.dossiers_completed_on_time::numeric / nullif(c.dossiers_completed, 0), 4)
                                                as on_time_rate,
    round(r.dossiers_received_online::numeric / nullif(r.dossiers_received, 0), 4)
                                                as online_rate,
    {{ as_of() }}                               as as_of_at
from keys as k
left join received as r using (agency_code, field_code, month_start)
left join completed as c using (agency_code, field_code, month_start)
left join open_overdue as o using (agency_code, field_code, month_start)
