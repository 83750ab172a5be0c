-- One row per lead unit per reporting period: the tasks it leads that count in the period and
-- their status at the period's end (the run's cut-off for the period under way).
with period_status as (
    select * from {{ ref('int_task_period_status') }}
),

leads as (
    -- a unit named twice on one task (two spellings) leads it once
    select distinct task_id, unit_code, unit_name, is_matched
    from {{ ref('int_task_units') }}
    where unit_role = 'lead'
),

counted as (
    select
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
        count(*) filter (where s.period_status = 'no_deadline')           as tasks_no_deadline
    from period_status as s
    join leads as l using (task_id)
    group by 1, 2, 3, 4, 5, 6, 7, 8
)

select
    *,
    round((tasks_completed_on_time + tasks_completed_late)::numeric
          / nullif(tasks_assigned - tasks_no_deadline, 0), 4)            as completion_rate,
    round(tasks_completed_on_time::numeric
          / nullif(tasks_completed_on_time + tasks_completed_late, 0), 4) as on_time_rate
from counted
order by unit_name, period_start, period_type
