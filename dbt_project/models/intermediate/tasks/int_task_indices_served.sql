-- One row per task × index, component or target indicator it serves: the names of its
-- linked-index list, and its content when the content IS such a name (plan appendices list
-- indicators as tasks). Names are matched (folded) to ref_task_index_aliases,
-- ref_index_components and ref_pci_indicators; a linked name matching none is kept with a
-- null index_code.
with tasks as (
    select task_id, task_content, linked_index_list from {{ ref('int_tasks_current') }}
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
)

select
    md5(concat_ws('|', s.task_id, s.matched_from, s.served_name, c.index_code,
                  c.component_code, c.indicator_code))      as action_id,
    s.task_id,
    s.served_name,
    s.matched_from,
    c.index_code,
    c.component_code,
    c.indicator_code
from served_keyed as s
left join catalogue as c using (name_key)
-- task content is only a candidate when it IS an index or indicator name
where s.matched_from = 'linked_index' or c.index_code is not null
