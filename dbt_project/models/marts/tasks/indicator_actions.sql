-- One row per task per index component / target indicator it serves (int_task_indices_served),
-- with the task's province, lead units and status at the run's cut-off; beside each, the
-- latest published score of the index/component for the task's province
-- (int_index_scores_latest) or, for a target indicator, the plans' latest target for that
-- province and its latest actual (indicator_targets).
with targets as (
    select distinct on (province_code, indicator_code)
        province_code, indicator_code, target_value, target_year, actual_value, actual_year
    from {{ ref('indicator_targets') }}
    where indicator_code is not null
    order by province_code, indicator_code, target_year desc
)

select
    m.action_id,
    m.index_code,
    m.component_code,
    m.indicator_code,
    m.served_name,
    m.matched_from,
    m.index_code is not null               as is_index_matched,
    m.task_id,
    t.province_code,
    t.plan_number,
    t.plan_date,
    t.task_key,
    t.task_content,
    t.timing_text,
    t.due_date,
    l.lead_unit_names,
    l.lead_unit_codes,
    t.task_status,
    t.completion_date,
    t.days_overdue,
    case when m.indicator_code is not null then tg.actual_value else sc.score end
                                           as latest_value,
    case when m.indicator_code is not null then tg.actual_year else sc.year end
                                           as latest_value_year,
    tg.target_value,
    tg.target_year,
    t.is_synthetic
from {{ ref('int_task_indices_served') }} as m
join {{ ref('int_tasks_classified') }} as t using (task_id)
left join {{ ref('int_task_leads') }} as l using (task_id)
left join {{ ref('int_index_scores_latest') }} as sc
    on m.indicator_code is null
    and sc.province_code = t.province_code
    and sc.index_code = m.index_code
    and sc.component_code is not distinct from m.component_code
left join targets as tg
    on tg.province_code = t.province_code and tg.indicator_code = m.indicator_code
