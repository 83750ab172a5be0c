-- One row per plan target per loaded file.
with source as (
    select * from {{ source('indices', 'targets') }}
),

renamed as (
    select
        -- ids
        indicator_code,
        province_code,
        _batch_id              as batch_id,
        _source_row            as source_row,

        -- strings
        item_number,
        indicator_name,
        target_text,
        target_operator,
        target_unit,
        lead_unit,
        coordinating_units,
        province_name          as source_province_name,
        scope_unit,
        plan_ref,
        task_number,

        -- numerics
        target_value,
        target_year,

        -- booleans
        coalesce(is_synthetic, false) as is_synthetic,

        -- dates
        _observed_date         as observed_date
    from source
)

select * from renamed
