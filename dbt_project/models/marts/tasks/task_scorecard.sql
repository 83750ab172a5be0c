-- One row per province × lead unit per reporting period: the tasks it leads that count in the
-- period and their status at the period's end (the run's cut-off for the period under way),
-- and the reports its recurring tasks owed by then ("Hằng quý": one per quarter): on time,
-- late, missing (int_task_deadline_reports, judged at the run's cut-off).
with period_status as (
    select s.*, t.is_synthetic
    from {{ ref('int_task_period_status') }} as s
    join {{ ref('int_tasks_current') }} as t using (task_id)
),

leads as (
    -- a unit named twice on one task (two spellings) leads it once
    select distinct task_id, province_code, unit_code, unit_name, is_matched
    from {{ ref('int_task_units') }}
    where unit_role = 'lead'
),

counted as (
    select
        l.province_code,
        l.unit_code,
        l.unit_name,
        l.is_matched,
        s.period_type,
        s.period_label,
        s.period_start,
        s.period_end,
        s.snapshot_date - 1                                               as status_date,
        count(*)                                                          as tasks_assigned,
        count(*) filter (where s.period_status = 'completed_on_time')     as tasks_completed_on_time,
        count(*) filter (where s.period_status = 'completed_late')        as tasks_completed_late,
        count(*) filter (where s.period_status = 'in_progress')           as tasks_in_progress,
        count(*) filter (where s.period_status = 'overdue')               as tasks_overdue,
        count(*) filter (where s.period_status = 'no_deadline')           as tasks_no_deadline,
        bool_or(s.is_synthetic)                                           as is_synthetic
    from period_status as s
    join leads as l using (task_id)
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
),

periods as (
    select distinct period_type, period_start, period_end, snapshot_date from period_status
),

reports as (
    select
        l.province_code,
        l.unit_code,
        l.unit_name,
        p.period_type,
        p.period_start,
        count(*)                                                   as reports_due,
        count(*) filter (where d.report_status = 'on_time')        as reports_on_time,
        count(*) filter (where d.report_status = 'late')           as reports_late,
        count(*) filter (where d.report_status = 'missing')        as reports_missing
    from {{ ref('int_task_deadline_reports') }} as d
    join leads as l using (task_id)
    join periods as p
        on d.due_date between make_date(extract(year from p.period_start)::int, 1, 1)
                          and p.period_end
        and d.due_date < p.snapshot_date
    group by 1, 2, 3, 4, 5
)

select
    c.*,
    round((c.tasks_completed_on_time + c.tasks_completed_late)::numeric
          / nullif(c.tasks_assigned - c.tasks_no_deadline, 0), 4)            as completion_rate,
    round(c.tasks_completed_on_time::numeric
          / nullif(c.tasks_completed_on_time + c.tasks_completed_late, 0), 4) as on_time_rate,
    coalesce(r.reports_due, 0)                                               as reports_due,
    coalesce(r.reports_on_time, 0)                                           as reports_on_time,
    coalesce(r.reports_late, 0)                                              as reports_late,
    coalesce(r.reports_missing, 0)                                           as reports_missing
from counted as c
left join reports as r
    on r.province_code = c.province_code
    and r.unit_code is not distinct from c.unit_code
    and r.unit_name = c.unit_name
    and r.period_type = c.period_type
    and r.period_start = c.period_start
order by c.province_code, c.unit_name, c.period_start, c.period_type
