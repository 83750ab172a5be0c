-- One row per task: its lead units' names and codes, '; '-joined, and whether all matched.
select
    task_id,
    string_agg(distinct unit_name, '; ')    as lead_unit_names,
    string_agg(distinct unit_code, '; ')    as lead_unit_codes,
    bool_and(is_matched)                    as are_lead_units_matched
from {{ ref('int_task_units') }}
where unit_role = 'lead'
group by task_id
