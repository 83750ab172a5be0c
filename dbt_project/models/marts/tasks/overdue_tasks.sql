-- The follow-up list: one row per overdue task per lead unit at the run's cut-off, oldest
-- deadline first (overdue_rank).
with tasks as (
    select * from {{ ref('int_tasks_classified') }}
    where task_status = 'overdue'
),

leads as (
    select task_id, unit_code, unit_name, is_matched,
           min(unit_position) as unit_position
    from {{ ref('int_task_units') }}
    where unit_role = 'lead'
    group by 1, 2, 3, 4
)

select
    dense_rank() over (order by t.due_date, t.plan_date, t.plan_key, t.task_key)
                                        as overdue_rank,
    t.task_id,
    t.province_code,
    t.plan_number,
    t.plan_date,
    t.task_key,
    t.task_content,
    t.timing_text,
    t.due_date,
    t.days_overdue,
    l.unit_code                         as lead_unit_code,
    l.unit_name                         as lead_unit_name,
    l.is_matched                        as is_lead_unit_matched,
    t.lead_unit_text,
    t.coordinating_units_text,
    t.latest_report_date,
    t.latest_status_text,
    t.latest_percent_done,
    t.latest_note,
    t.status_snapshot_date - 1          as status_date,
    t.is_synthetic
from tasks as t
join leads as l using (task_id)
order by t.due_date, t.plan_date, t.plan_key, t.task_key, l.unit_position
