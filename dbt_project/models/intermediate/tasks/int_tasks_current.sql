-- One row per task: the latest loaded version of it (a corrected plan file replaces the tasks
-- it lists; tasks it no longer lists are kept as last loaded).
with tasks as (
    select * from {{ ref('stg_tasks__plan_tasks') }}
),

ranked as (
    select
        *,
        row_number() over (partition by task_id order by batch_id desc, source_row desc)
            as version_rank
    from tasks
)

select
    task_id, plan_id, plan_key, task_key, batch_id, source_row, province_code,
    plan_number, plan_title, section, task_number, task_content, expected_result, method,
    timing_text, timing_kind, lead_unit_text, coordinating_units_text, lead_unit_list,
    coordinating_unit_list, linked_index_text, linked_index_list,
    recurrence, recurrence_month, recurrence_day, timing_source, lead_unit_source, issuer,
    plan_date_precision, is_synthetic, is_province_defaulted,
    plan_date, start_date, due_date, observed_date
from ranked
where version_rank = 1
