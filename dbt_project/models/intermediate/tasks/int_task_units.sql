-- One row per unit named on a task: lead units (chủ trì) and coordinating units (phối hợp),
-- matched to ref_units by folded name; unmatched names keep a null unit_code.
with tasks as (
    select task_id, province_code, lead_unit_list, coordinating_unit_list
    from {{ ref('int_tasks_current') }}
),

named as (
    select t.task_id, t.province_code, 'lead' as unit_role, u.position,
           trim(u.name) as name_as_written
    from tasks as t
    cross join lateral unnest(string_to_array(t.lead_unit_list, ' | '))
        with ordinality as u(name, position)
    union all
    select t.task_id, t.province_code, 'coordinating', u.position, trim(u.name)
    from tasks as t
    cross join lateral unnest(string_to_array(t.coordinating_unit_list, ' | '))
        with ordinality as u(name, position)
),

keyed as (
    select *, {{ fold_vi('name_as_written') }} as name_key
    from named
    where name_as_written <> ''
)

select
    k.task_id,
    k.province_code,
    k.unit_role,
    k.position::int                                  as unit_position,
    k.name_as_written,
    k.name_key,
    n.unit_code,
    coalesce(n.unit_name, k.name_as_written)         as unit_name,
    n.unit_code is not null                          as is_matched
from keyed as k
left join {{ ref('int_unit_names') }} as n using (province_code, name_key)
