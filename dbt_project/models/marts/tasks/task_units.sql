-- One row per unit named on a task (lead or coordinating), matched to ref_units or not:
-- the list of unit names to add to the seed is `where not is_matched`.
select
    u.task_id,
    u.province_code,
    t.plan_number,
    t.plan_date,
    t.task_key,
    u.unit_role,
    u.unit_position,
    u.name_as_written,
    u.unit_code,
    u.unit_name,
    u.is_matched,
    t.is_synthetic
from {{ ref('int_task_units') }} as u
join {{ ref('int_tasks_current') }} as t using (task_id)
