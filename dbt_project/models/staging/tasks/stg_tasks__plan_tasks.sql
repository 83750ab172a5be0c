{#- Province of plans whose file names none (CSV exports that predate the column). -#}
{%- set home = var('home_province_code', '45') -%}
-- One row per task per loaded plan file: renamed and keyed.
with source as (
    select * from {{ source('tasks', 'plan_tasks') }}
),

renamed as (
    select
        -- ids
        plan_key || '@' || plan_date::text || '#' || task_key   as task_id,
        plan_key || '@' || plan_date::text                      as plan_id,
        plan_key,
        task_key,
        _batch_id                                               as batch_id,
        _source_row                                             as source_row,
        coalesce(province_code, '{{ home }}')                   as province_code,

        -- strings
        plan_number,
        plan_title,
        section,
        task_number,
        task_content,
        expected_result,
        method,
        timing_text,
        timing_kind,
        recurrence,
        timing_source,
        lead_unit_source,
        issuer,
        plan_date_precision,
        lead_unit                                               as lead_unit_text,
        coordinating_units                                      as coordinating_units_text,
        lead_unit_list,
        coordinating_unit_list,
        linked_index                                            as linked_index_text,
        linked_index_list,

        -- numerics
        recurrence_month,
        recurrence_day,

        -- booleans
        coalesce(is_synthetic, false)                           as is_synthetic,
        province_code is null                                   as is_province_defaulted,

        -- dates
        plan_date,
        start_date,
        due_date,
        _observed_date                                          as observed_date
    from source
)

select * from renamed
