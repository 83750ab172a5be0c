-- One row per task per progress report row: renamed and keyed.
with source as (
    select * from {{ source('tasks', 'task_reports') }}
),

renamed as (
    select
        -- ids
        _batch_id::text || '-' || _source_row::text   as report_id,
        _batch_id                                     as batch_id,
        _source_row                                   as source_row,
        plan_key,
        task_key,

        -- strings
        plan_ref,
        plan_number,
        task_number,
        section,
        reporting_unit,
        status_text,
        report_status,
        note,

        -- numerics
        percent_done::numeric                         as percent_done,

        -- booleans
        coalesce(is_synthetic, false)                 as is_synthetic,

        -- dates
        report_date,
        plan_date,
        completion_date,
        _observed_date                                as observed_date
    from source
)

select * from renamed
