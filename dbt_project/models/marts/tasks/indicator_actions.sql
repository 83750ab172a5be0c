-- One row per task per index component / target indicator it serves, with the task's lead
-- units and status at the run's cut-off. Names are matched (folded) to ref_task_index_aliases,
-- ref_index_components and ref_pci_indicators; a name matching none is kept with a null
-- index_code. The task content itself is matched too (plan appendices list indicators as tasks).
-- Beside each: the index's latest published score for the home province (index_scores) or,
-- for a target indicator, the plans' latest target and its latest actual (indicator_targets).
{%- set home = var('home_province_code', '45') %}
with tasks as (
    select * from {{ ref('int_tasks_classified') }}
),

served as (
    select t.task_id, trim(s.name) as served_name, 'linked_index' as matched_from
    from tasks as t
    cross join lateral unnest(string_to_array(t.linked_index_list, ' | ')) as s(name)
    union
    select task_id, task_content, 'task_content' from tasks
),

served_keyed as (
    select *, {{ fold_vi('served_name') }} as name_key from served where served_name <> ''
),

catalogue as (
    select {{ fold_vi('alias') }} as name_key, index_code, component_code, indicator_code
    from {{ ref('ref_task_index_aliases') }}
    union
    select {{ fold_vi('component_name_vi') }}, index_code, component_code, null
    from {{ ref('ref_index_components') }}
    union
    select {{ fold_vi('indicator_name_vi') }}, index_code, component_code, indicator_code
    from {{ ref('ref_pci_indicators') }}
),

matches as (
    select s.task_id, s.served_name, s.matched_from,
           c.index_code, c.component_code, c.indicator_code
    from served_keyed as s
    left join catalogue as c using (name_key)
    -- task content is only a candidate when it IS an index or indicator name
    where s.matched_from = 'linked_index' or c.index_code is not null
),

leads as (
    select
        task_id,
        string_agg(distinct unit_name, '; ')                          as lead_unit_names,
        string_agg(distinct unit_code, '; ')                          as lead_unit_codes,
        bool_and(is_matched)                                          as are_lead_units_matched
    from {{ ref('int_task_units') }}
    where unit_role = 'lead'
    group by task_id
),

scores as (
    select distinct on (index_code, component_code)
        index_code, component_code, score, year
    from {{ ref('index_scores') }}
    where province_code = '{{ home }}' and score is not null and not is_derived
    order by index_code, component_code, year desc
),

targets as (
    select distinct on (indicator_code)
        indicator_code, target_value, target_year, actual_value, actual_year
    from {{ ref('indicator_targets') }}
    where province_code = '{{ home }}' and indicator_code is not null
    order by indicator_code, target_year desc
)

select
    md5(concat_ws('|', m.task_id, m.matched_from, m.served_name, m.index_code, m.component_code,
                  m.indicator_code))       as action_id,
    m.index_code,
    m.component_code,
    m.indicator_code,
    m.served_name,
    m.matched_from,
    m.index_code is not null               as is_index_matched,
    m.task_id,
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
    tg.target_year
from matches as m
join tasks as t using (task_id)
left join leads as l using (task_id)
left join scores as sc
    on m.indicator_code is null
    and sc.index_code = m.index_code
    and sc.component_code is not distinct from m.component_code
left join targets as tg on tg.indicator_code = m.indicator_code
